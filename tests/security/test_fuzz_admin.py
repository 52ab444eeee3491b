"""Hostile query strings on the admin's lists and autocomplete: never a 500, never a change.

The admin's own parameters (date hierarchy, ordering, page, search, list
filters, the error flag) and the autocomplete's, for a superuser and for a
province administrator (the scoped code paths).
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .fuzz_helpers import FUZZ, assert_no_500, nasty_choice, nasty_date, nasty_id, nasty_number, nasty_text, snapshot

# list URL -> its date hierarchy field (or None)
LISTS = {
    "/admin/teams/visit/": "visited_on",
    "/admin/teams/accesslog/": "at",
    "/admin/households/household/": None,
    "/admin/teams/member/": None,
    "/admin/teams/adoption/": None,
}
year = st.one_of(st.sampled_from(["99999999999", "9999", "10000", "0", "-1", "1", "2026", "\x00"]), nasty_number)
month = st.one_of(st.sampled_from(["12", "13", "0", "99999999999", "1"]), nasty_number)


def changelist_params(hierarchy):
    optional = {
        "q": nasty_text,
        "o": st.one_of(nasty_id, st.sampled_from(["1", "-1", "1.2", "99", "-0"])),
        "p": nasty_number,
        "e": nasty_text,
        "commune": nasty_id,
        "hamlet": nasty_id,
        "active__exact": nasty_choice(["0", "1"]),
        "poverty__exact": nasty_choice(["poor", "near_poor", "none"]),
        "role__exact": nasty_choice(["leader", "member"]),
        "_to_field": nasty_choice(["id", "hamlet"]),
    }
    if hierarchy:
        optional |= {f"{hierarchy}__year": year, f"{hierarchy}__month": month, f"{hierarchy}__day": nasty_number}
        optional[hierarchy] = nasty_date
    return st.fixed_dictionaries({}, optional=optional)


@pytest.mark.parametrize("url", sorted(LISTS))
@pytest.mark.parametrize("persona", ["superuser", "province_admin"])
def test_admin_lists_survive_bad_query(client, world, province_admin, url, persona):
    client.force_login(province_admin if persona == "province_admin" else world.superuser)

    @given(params=changelist_params(LISTS[url]))
    @FUZZ
    def run(params):
        before = snapshot()
        response = client.get(url, params)
        assert_no_500(response, (url, params))
        assert snapshot() == before

    run()


@pytest.mark.parametrize(
    "params",
    [
        {"visited_on__year": "99999999999"},
        {"visited_on__year": "9999", "visited_on__month": "12"},
        {"visited_on__year": "9999"},
        {"visited_on__year": "2026", "visited_on__month": "1", "visited_on__day": "99999999999"},
        {"visited_on__day": "0" * 10001},  # past Python's 4,300-digit limit for int()
        {"visited_on__month": "²"},  # a digit to str.isdigit, not to int()
        {"q": "a\x00b"},
        {"poverty__exact": "\x00"},
    ],
)
def test_admin_visit_list_answers_the_inputs_of_issue_13_without_a_500(client, world, params):
    world.login(client, "superuser")
    response = client.get("/admin/teams/visit/", params)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("year", ["1", "9999"])
def test_admin_access_log_answers_a_year_whose_bounds_leave_python_in_utc_without_a_500(client, world, year):
    # Found by the fuzz test above: the first moment of year 1 at UTC+7 is in year 0 in UTC (an OverflowError).
    world.login(client, "superuser")
    response = client.get("/admin/teams/accesslog/", {"at__year": year})
    assert response.status_code in (200, 302)


autocomplete_params = st.fixed_dictionaries(
    {
        "term": st.one_of(nasty_text, st.sampled_from(["\x00", "a\x00b", "0912\x00", "%", "_"])),
    },
    optional={
        "app_label": nasty_choice(["teams", "households"]),
        "model_name": nasty_choice(["visit", "team", "household", "member"]),
        "field_name": nasty_choice(["household", "member", "hamlet", "commune"]),
        "page": nasty_number,
    },
)


@pytest.mark.parametrize("persona", ["superuser", "province_admin"])
def test_admin_autocomplete_survives_bad_query(client, world, province_admin, persona):
    client.force_login(province_admin if persona == "province_admin" else world.superuser)

    @given(params=autocomplete_params)
    @FUZZ
    def run(params):
        params = {"app_label": "teams", "model_name": "visit", "field_name": "household", **params}
        response = client.get("/admin/autocomplete/", params)
        assert_no_500(response, params)

    run()


def test_admin_autocomplete_answers_a_nul_in_the_term(client, world):
    world.login(client, "superuser")
    for field, model in [("household", "visit"), ("member", "visit"), ("hamlets", "team")]:
        response = client.get(
            "/admin/autocomplete/", {"app_label": "teams", "model_name": model, "field_name": field, "term": "a\x00b"}
        )
        assert response.status_code == 200, field


@pytest.mark.parametrize("page", ["0" * 5000, "9" * 5000, "²", "٣", "-1", "0", "1000", "12"])
def test_admin_autocomplete_answers_any_page_number(client, world, page):
    """A page number of thousands of digits, or a digit int() refuses, is read as page 1, not a 500."""
    world.login(client, "superuser")
    params = {"app_label": "teams", "model_name": "visit", "field_name": "household", "term": "", "page": page}
    response = client.get("/admin/autocomplete/", params)
    assert response.status_code in (200, 404), (page, response.status_code)
