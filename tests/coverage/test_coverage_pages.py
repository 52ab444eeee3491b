"""Coverage pages for officials: exact figures on a dataset built by hand, scoping, sorting, query counts.

The dataset (`build_dataset`, on top of the shared `world`), with T = today and
dN = T − N days; V = VNeID level 2, P = province app, E = e-wallet:

commune A (Phường Ninh Kiều)
  hamlet A1: An (visits d20: V set up ×3, P declined; d10: P set up ×2)
             Bích, near-poor (visit d5 V declined, recorded first; then a late-arriving
                   older visit d15 V already had ×1: adopted on d15)
             Cường (visited d20 V set up, deactivated on d3: counted up to d4, not from d3;
                    its one person helped stays counted)
             Dung (registered d5, never visited)
  hamlet A2: Đào, poor (visit d12 with one UUID sent twice: V set up ×1, E set up ×2;
                   d3 V declined: stays adopted)
             Em, policy family (never visited)
  hamlet A3: Bình (never visited)
commune B: Cúc (never visited)

As of T: A1 3 households, 2 reached; A2 2 and 1; A3 1 and 0; commune A 6 and 3.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from households.models import Household
from households.registry import household_deactivate, household_register
from teams.counters_rebuild import counters_rebuild
from teams.models import Outcome, Visit
from teams.visits import Help, visit_record
from tests.counter_checks import counters_settled


def build_dataset(w):
    w.d = {n: w.today - timedelta(days=n) for n in (3, 5, 10, 12, 15, 16, 20, 90)}
    V, P, E = (w.services[c] for c in ("vneid_level2", "province_app", "ewallet"))
    w.V, w.P, w.E = V, P, E

    def household(hamlet, name, **extra):
        extra.setdefault("registered_on", w.d[90])
        return household_register(hamlet=hamlet, head_name=name, address=f"Nhà {name}", **extra)

    w.an = w.household
    w.bich = household(w.hamlet, "Lê Thị Bích", poverty=Household.Poverty.NEAR_POOR)
    w.cuong = household(w.hamlet, "Phan Văn Cường")
    w.dung = household(w.hamlet, "Huỳnh Thị Dung", registered_on=w.d[5])
    w.dao = w.household2
    w.em = household(w.hamlet2, "Võ Văn Em", policy_family=True)

    def visit(hh, day, outcomes, **extra):
        return visit_record(member=w.member_m, household=hh, visited_on=w.d[day], outcomes=outcomes, **extra)

    visit(w.an, 20, {V: Help(Outcome.SET_UP, 3), P: Help(Outcome.DECLINED, 0)})
    visit(w.an, 10, {P: Help(Outcome.SET_UP, 2)})
    visit(w.bich, 5, {V: Help(Outcome.DECLINED, 0)})
    visit(w.bich, 15, {V: Help(Outcome.ALREADY_HAD, 1)})  # arrives late, happened earlier
    visit(w.cuong, 20, {V: Help(Outcome.SET_UP, 1)})
    household_deactivate(household=w.cuong, on=w.d[3])
    uuid = "6f1c2a9e-4b7d-4e55-9a51-0d1e2f3a4b5c"
    visit(w.dao, 12, {V: Help(Outcome.SET_UP, 1), E: Help(Outcome.SET_UP, 2)}, uuid=uuid)
    _visit, created = visit(w.dao, 12, {V: Help(Outcome.SET_UP, 1), E: Help(Outcome.SET_UP, 2)}, uuid=uuid)
    assert not created
    visit(w.dao, 3, {V: Help(Outcome.DECLINED, 0)})
    assert Visit.objects.count() == 7
    counters_settled()
    return w


@pytest.fixture
def data(world):
    return build_dataset(world)


class _Tables(HTMLParser):
    """The text of every cell of every <table>, row by row."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = {}, None
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._current = self.tables.setdefault(attrs.get("data-testid", "table"), [])
        elif tag == "tr" and self._current is not None:
            self._current.append([])
        elif tag in ("td", "th") and self._current is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._current[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._current = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(response):
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def rows_by_name(response, testid="coverage-table"):
    """{first cell: [cells]} of a coverage table's body and totals rows (header rows skipped)."""
    rows = page_tables(response)[testid][2:]
    return {row[0]: row for row in rows}


def column(response, label, testid="coverage-table"):
    """The index of the column whose header (second header row) is `label`."""
    headers = page_tables(response)[testid][1]
    return [h.rstrip(" ▲▼") for h in headers].index(label)


def get(client, w, persona, url, **params):
    w.login(client, persona)
    return client.get(url, params)


COMMUNE_URL = reverse("coverage_commune", args=["31135"])
PROVINCE_URL = reverse("coverage_province", args=["92"])


def test_it_shows_each_hamlet_and_the_commune_total_with_exact_figures(client, data):
    w = data
    response = get(client, w, "commune_official", COMMUNE_URL)
    assert response.status_code == 200
    rows = rows_by_name(response)
    vneid = column(response, w.V.name)
    app = column(response, w.P.name)
    wallet = column(response, w.E.name)
    gov = column(response, "chính quyền số")
    eco = column(response, "kinh tế số")
    # Columns: name, households, reach, 9 services, 3 pillars, 9 people-helped columns.
    assert len(rows["Tổng"]) == 1 + 2 + 9 + 3 + 9
    people_v, people_p, people_e = vneid + 12, app + 12, wallet + 12
    a1, a2, a3, total = rows["Khu vực 1"], rows["Khu vực 2"], rows["Khu vực 3"], rows["Tổng"]
    assert a1[1:3] == ["3", "66,7%"]
    assert (a1[vneid], a1[app], a1[wallet], a1[gov], a1[eco]) == ("66,7%", "33,3%", "0,0%", "66,7%", "0,0%")
    assert (a1[people_v], a1[people_p], a1[people_e]) == ("4", "2", "0")
    assert a2[1:3] == ["2", "50,0%"]
    assert (a2[vneid], a2[app], a2[wallet], a2[gov], a2[eco]) == ("50,0%", "0,0%", "50,0%", "50,0%", "50,0%")
    # The UUID sent twice counts once: two people helped with the e-wallet, not four.
    assert (a2[people_v], a2[people_e]) == ("1", "2")
    assert a3[1:3] == ["1", "0,0%"]
    assert total[1:3] == ["6", "50,0%"]
    assert (total[vneid], total[app], total[wallet], total[gov], total[eco]) == (
        "50,0%",
        "16,7%",
        "16,7%",
        "50,0%",
        "16,7%",
    )
    assert (total[people_v], total[people_p], total[people_e]) == ("5", "2", "2")
    # Drill-down links carry the date and the filter.
    assert f'href="{reverse("coverage_hamlet", args=[w.hamlet.pk])}?on={w.today.isoformat()}"' in (
        response.content.decode()
    )


def test_it_shows_figures_as_they_stood_at_the_end_of_an_earlier_day(client, data):
    w = data
    # d16: before Bích's late-arriving visit of d15 and before Đào's of d12.
    response = get(client, w, "commune_official", COMMUNE_URL, on=w.d[16].isoformat())
    rows, vneid = rows_by_name(response), column(response, w.V.name)
    # Dung was not registered yet; Cường, deactivated on d3, still counts (as it stood then).
    assert rows["Khu vực 1"][1:3] == ["3", "66,7%"]
    assert rows["Khu vực 1"][vneid] == "66,7%"
    assert rows["Khu vực 2"][1:3] + [rows["Khu vực 2"][vneid]] == ["2", "0,0%", "0,0%"]
    assert rows["Tổng"][1:3] + [rows["Tổng"][vneid]] == ["6", "33,3%", "33,3%"]
    assert rows["Tổng"][vneid + 12] == "4"  # An's three people and Cường's one by then
    # d15: the day of the late-arriving older visit counts it.
    response = get(client, w, "commune_official", COMMUNE_URL, on=w.d[15].isoformat())
    assert rows_by_name(response)["Khu vực 1"][vneid] == "100,0%"
    assert f"{w.d[15]:%d/%m/%Y}" in response.content.decode()


def test_it_filters_priority_households(client, data):
    w = data
    response = get(client, w, "commune_official", COMMUNE_URL, priority="on")
    rows = rows_by_name(response)
    vneid, wallet = column(response, w.V.name), column(response, w.E.name)
    assert rows["Khu vực 1"][1:3] + [rows["Khu vực 1"][vneid]] == ["1", "100,0%", "100,0%"]
    assert rows["Khu vực 2"][1:3] + [rows["Khu vực 2"][wallet]] == ["2", "50,0%", "50,0%"]
    # No priority household in A3: "—", not 0,0%.
    assert rows["Khu vực 3"][1:3] + [rows["Khu vực 3"][vneid]] == ["0", "—", "—"]
    assert rows["Tổng"][1:3] + [rows["Tổng"][vneid], rows["Tổng"][wallet]] == ["3", "66,7%", "66,7%", "33,3%"]
    assert "hộ ưu tiên" in response.content.decode()


def test_it_shows_one_row_per_commune_on_the_province_page(client, data):
    w = data
    response = get(client, w, "province_official", PROVINCE_URL)
    assert response.status_code == 200
    rows, vneid = rows_by_name(response), column(response, w.V.name)
    assert set(rows) == {"Phường Ninh Kiều", "Xã Cờ Đỏ", "Tổng"}
    assert rows["Phường Ninh Kiều"][1:3] + [rows["Phường Ninh Kiều"][vneid]] == ["6", "50,0%", "50,0%"]
    assert rows["Xã Cờ Đỏ"][1:3] + [rows["Xã Cờ Đỏ"][vneid]] == ["1", "0,0%", "0,0%"]
    assert rows["Tổng"][1:3] + [rows["Tổng"][vneid]] == ["7", "42,9%", "42,9%"]
    assert reverse("coverage_commune", args=["31261"]) in response.content.decode()


def test_it_shows_one_row_per_household_on_the_hamlet_page(client, data):
    w = data
    url = reverse("coverage_hamlet", args=[w.hamlet.pk])
    response = get(client, w, "commune_official", url)
    assert response.status_code == 200
    rows = rows_by_name(response)
    vneid, app = column(response, w.V.name), column(response, w.P.name)
    # Deactivated Cường is not listed; Dung has not been visited.
    assert set(rows) == {"Nguyễn Văn An", "Lê Thị Bích", "Huỳnh Thị Dung", "Tổng"}
    assert rows["Lê Thị Bích"][2] == "✓"  # priority
    assert rows["Lê Thị Bích"][3] == f"{w.d[15]:%d/%m/%Y}"  # first visit: the late-arriving older one
    assert rows["Lê Thị Bích"][vneid] == f"{w.d[15]:%d/%m/%Y}"
    assert rows["Nguyễn Văn An"][app] == f"{w.d[10]:%d/%m/%Y}"
    assert rows["Huỳnh Thị Dung"][3] == "—"
    assert rows["Tổng"][3] == "66,7%"
    assert rows["Tổng"][vneid] == "66,7%"
    # As of d16: Bích had not been visited yet.
    response = get(client, w, "commune_official", url, on=w.d[16].isoformat())
    rows = rows_by_name(response)
    assert rows["Lê Thị Bích"][3] == "—" and rows["Lê Thị Bích"][vneid] == "—"
    assert "Huỳnh Thị Dung" not in rows


def test_it_sorts_rows_by_any_column_on_the_server(client, data):
    w = data
    names = lambda r: [n for n in rows_by_name(r) if n != "Tổng"]  # noqa: E731
    response = get(client, w, "commune_official", COMMUNE_URL, sort="-reach")
    assert names(response) == ["Khu vực 1", "Khu vực 2", "Khu vực 3"]
    response = get(client, w, "commune_official", COMMUNE_URL, sort="reach")
    assert names(response) == ["Khu vực 3", "Khu vực 2", "Khu vực 1"]
    response = get(client, w, "commune_official", COMMUNE_URL, sort="-cov:ewallet")
    assert names(response) == ["Khu vực 2", "Khu vực 1", "Khu vực 3"]  # 50 %, then the 0 % ties by name
    assert 'href="?sort=reach"' in response.content.decode()  # headers link to their sort
    # Hamlet A1: An (V ×3 and P adopted), Bích (near-poor, V ×1 adopted), Dung (nothing). An's address is
    # moved to the front of the alphabet, so that sorting by address and by name differ.
    Household.objects.filter(pk=w.an.pk).update(address="A1 Trần Hưng Đạo")
    an, bich, dung = "Nguyễn Văn An", "Lê Thị Bích", "Huỳnh Thị Dung"
    hamlet_url = reverse("coverage_hamlet", args=[w.hamlet.pk])
    expected = {
        "name": [dung, bich, an],
        "-name": [an, bich, dung],
        "address": [an, dung, bich],
        "-address": [bich, dung, an],
        "priority": [dung, an, bich],  # not priority first, ties by name
        "-priority": [bich, dung, an],
        "-reach": [bich, an, dung],  # latest first visit first, never visited last
        "reach": [an, bich, dung],
        "-cov:province_app": [an, dung, bich],  # adopted first; never adopted last, by name
        "pillar:government": [dung, bich, an],
        "-pillar:government": [bich, an, dung],
        "people:vneid_level2": [dung, bich, an],  # 0, 0 ("already had" helps nobody), 3; ties by name
        "-people:vneid_level2": [an, dung, bich],
    }
    for key, order in expected.items():
        response = get(client, w, "commune_official", hamlet_url, sort=key)
        assert response.status_code == 200
        assert names(response) == order, key


def test_it_pages_the_households_of_a_big_hamlet(client, data, settings):
    w = data
    Household.objects.bulk_create(
        Household(hamlet=w.hamlet3, province=w.province, head_name=f"Hộ {i:03}", address="x", registered_on=w.d[90])
        for i in range(60)
    )
    # bulk_create writes no counters (households.registry does): rebuilt, as seed_scale does.
    counters_rebuild()
    url = reverse("coverage_hamlet", args=[w.hamlet3.pk])
    response = get(client, w, "commune_official", url)
    rows = rows_by_name(response)
    assert len(rows) == 51  # 50 households and the totals row
    assert rows["Tổng"][3] == "0,0%"
    assert "Trang 1/2" in response.content.decode() or "Trang 1 / 2" in response.content.decode()
    assert len(rows_by_name(client.get(url, {"page": 2}))) == 12


def test_it_draws_a_trend_chart_per_service(client, data):
    w = data
    response = get(client, w, "commune_official", COMMUNE_URL)
    body = response.content.decode()
    assert body.count('class="trend-chart"') == 9
    # VNeID: An (d20), Bích (d15), Đào (d12) adopted within the last months: 3 in all.
    assert f'{w.V.name} <span class="text-muted fw-normal">· 3 hộ' in body
    weekly = get(client, w, "commune_official", COMMUNE_URL, period="week").content.decode()
    assert "mới theo tuần" in weekly.lower() or "theo tuần" in weekly


def test_it_refuses_a_date_in_the_future_and_falls_back_to_today(client, data):
    w = data
    response = get(client, w, "commune_official", COMMUNE_URL, on=(w.today + timedelta(days=1)).isoformat())
    assert response.status_code == 200
    assert response.context["on"] == w.today
    assert "tương lai" in response.content.decode()


PAGES = {
    "province": lambda w: reverse("coverage_province", args=["92"]),
    "commune": lambda w: reverse("coverage_commune", args=["31135"]),
    "hamlet": lambda w: reverse("coverage_hamlet", args=[w.hamlet.pk]),
    "hamlet3": lambda w: reverse("coverage_hamlet", args=[w.hamlet3.pk]),
}
ACCESS = [
    # (persona, page, status)
    ("province_official", "province", 200),
    ("superuser", "province", 200),
    ("commune_official", "province", 404),
    ("other_province_official", "province", 404),
    ("member", "province", 404),
    ("nobody", "province", 404),
    ("commune_official", "commune", 200),
    ("province_official", "commune", 200),
    ("superuser", "commune", 200),
    ("other_commune_official", "commune", 404),
    ("other_province_official", "commune", 404),
    ("member", "commune", 404),
    ("leader", "commune", 404),
    ("commune_official", "hamlet", 200),
    ("province_official", "hamlet", 200),
    ("member", "hamlet", 200),
    ("leader", "hamlet", 200),
    ("other_member", "hamlet", 404),
    ("member", "hamlet3", 404),
    ("other_commune_official", "hamlet", 404),
    ("other_province_official", "hamlet", 404),
    ("nobody", "hamlet", 404),
]


@pytest.mark.parametrize(("persona", "page", "status"), ACCESS)
def test_it_scopes_every_page(client, world, persona, page, status):
    w = world
    world.login(client, persona)
    assert client.get(PAGES[page](w)).status_code == status


def test_it_sends_anonymous_users_to_the_login_page(client, world):
    response = client.get(PAGES["commune"](world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_sends_each_official_to_their_unit(client, world):
    w = world
    assert get(client, w, "commune_official", reverse("coverage"))["Location"] == COMMUNE_URL
    assert get(client, w, "province_official", reverse("coverage"))["Location"] == PROVINCE_URL
    assert "Thành phố Hà Nội" in get(client, w, "superuser", reverse("coverage")).content.decode()
    assert get(client, w, "member", reverse("coverage")).status_code == 404


def test_it_links_officials_to_coverage_from_home_and_the_menu(client, world):
    w = world
    body = get(client, w, "commune_official", reverse("home")).content.decode()
    assert COMMUNE_URL in body and reverse("coverage") in body
    body = get(client, w, "province_official", reverse("home")).content.decode()
    assert PROVINCE_URL in body
    body = get(client, w, "member", reverse("home")).content.decode()
    assert reverse("coverage") not in body


def _more_data(w, hamlets=3, households=4):
    """More hamlets, households and visits in commune A and B: the query count must not move."""
    from households.models import Hamlet

    for i in range(hamlets):
        for commune in (w.commune, w.other_commune):
            hamlet = Hamlet.objects.create(commune=commune, province=commune.province, name=f"Ấp mới {i}", code=f"9{i}")
            w.team.hamlets.add(hamlet) if commune == w.commune else w.other_team.hamlets.add(hamlet)
            member = w.member_m if commune == w.commune else w.other_commune_member_m
            for j in range(households):
                hh = household_register(hamlet=hamlet, head_name=f"Hộ {i}-{j}", address="x", registered_on=w.d[90])
                visit_record(member=member, household=hh, visited_on=w.d[3], outcomes={w.V: Help(Outcome.SET_UP, 1)})
    counters_settled()


@pytest.mark.parametrize(
    ("persona", "url", "limit"),
    [
        ("province_official", lambda w: PROVINCE_URL, 16),
        ("commune_official", lambda w: COMMUNE_URL, 20),
        ("commune_official", lambda w: reverse("coverage_hamlet", args=[w.hamlet.pk]), 16),
        ("commune_official", lambda w: reverse("coverage_commune_export", args=["31135", "xlsx"]), 14),
        ("province_official", lambda w: reverse("api_coverage_province", args=["92"]), 14),
    ],
)
def test_it_reads_each_page_with_a_fixed_number_of_queries(
    client, data, django_assert_max_num_queries, django_assert_num_queries, persona, url, limit
):
    w = data
    w.login(client, persona)
    client.get(url(w))  # warm the session and the content types
    with django_assert_max_num_queries(limit) as before:
        assert client.get(url(w)).status_code == 200
    _more_data(w)
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(url(w)).status_code == 200


def test_it_speaks_english_too(client, data):
    w = data
    w.login(client, "commune_official")
    client.cookies["django_language"] = "en"
    response = client.get(COMMUNE_URL)
    body = response.content.decode()
    assert "Coverage of Phường Ninh Kiều, Thành phố Cần Thơ by hamlet" in body
    assert rows_by_name(response)["Total"][1:3] == ["6", "50.0%"]
