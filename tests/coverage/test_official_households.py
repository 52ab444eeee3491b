"""Officials read the households of their scope, phones masked, and a follow-up list per hamlet (DESIGN.md
"Who may see and do what"); the exact answer of each page to each persona."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from households.registry import household_deactivate
from teams.models import AccessLog, Outcome
from teams.visits import Help, visit_record

# persona -> (households list, follow-up list of Khu vực 1 in Phường Ninh Kiều, a POST to it)
EXPECTED = {
    "member": (404, 404, 405),
    "leader": (404, 404, 405),
    "other_member": (404, 404, 405),
    "commune_official": (200, 200, 405),
    "other_commune_official": (200, 404, 405),
    "province_official": (200, 200, 405),
    "other_province_official": (200, 404, 405),
    "superuser": (200, 200, 405),
    "nobody": (404, 404, 405),
}


@pytest.fixture
def data(world):
    w = world
    V, E, P = (w.services[c] for c in ("vneid_level2", "ewallet", "province_app"))
    w.household.phone, w.household.consent_given = "0912345678", True
    w.household.save(update_fields=["phone", "consent_given"])

    def visit(household, days_ago, outcomes):
        visit_record(
            member=w.member_m, household=household, visited_on=w.today - timedelta(days=days_ago), outcomes=outcomes
        )

    # An: declined V, then (later) needs a follow-up on E; P set up then declined (adopted: not listed).
    visit(w.household, 9, {V: Help(Outcome.DECLINED), P: Help(Outcome.SET_UP, 1)})
    visit(w.household, 4, {E: Help(Outcome.FOLLOW_UP), P: Help(Outcome.DECLINED)})
    # Đào (Khu vực 2): declined V, in another hamlet's list.
    visit(w.household2, 2, {V: Help(Outcome.DECLINED)})
    return w


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_gets_exactly_its_answer(client, data, persona):
    w = data
    w.login(client, persona)
    households, follow_up, post = EXPECTED[persona]
    assert client.get(reverse("coverage_households")).status_code == households
    url = reverse("coverage_hamlet_follow_up", args=[w.hamlet.pk])
    assert client.get(url).status_code == follow_up
    assert client.post(url).status_code == post


def test_anonymous_users_get_the_login_page():
    for url in ("/coverage/households/", "/coverage/hamlet/1/follow-up/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_officials_read_their_scopes_households_with_phones_masked(client, data):
    w = data
    w.login(client, "commune_official")
    page = client.get(reverse("coverage_households")).content.decode()
    assert w.household.head_name in page and w.household2.head_name in page
    assert w.other_household.head_name not in page  # Xã Cờ Đỏ
    assert "0912345678" not in page and "0912•••678" in page
    # Accent-free search, and by hamlet.
    found = client.get(reverse("coverage_households"), {"q": "dang thi dao"}).content.decode()
    assert w.household2.head_name in found and w.household.head_name not in found
    by_hamlet = client.get(reverse("coverage_households"), {"hamlet": w.hamlet2.pk}).content.decode()
    assert w.household2.head_name in by_hamlet and w.household.head_name not in by_hamlet
    # A hamlet outside the scope is a choice error, not a leak.
    outside = client.get(reverse("coverage_households"), {"hamlet": w.other_hamlet.pk}, HTTP_ACCEPT_LANGUAGE="vi")
    assert w.other_household.head_name not in outside.content.decode()
    assert AccessLog.objects.filter(user=w.commune_official, action=AccessLog.Action.VIEW_HOUSEHOLD).exists()
    w.login(client, "province_official")
    assert w.other_household.head_name in client.get(reverse("coverage_households")).content.decode()


def test_the_follow_up_list_names_who_declined_or_waits_per_service_with_the_last_visit(client, data):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_hamlet_follow_up", args=[w.hamlet.pk]))
    page = response.content.decode()
    lists = {f.service.code: [(a.household_id, a.last_outcome) for a in f.rows] for f in response.context["lists"]}
    assert lists == {
        "vneid_level2": [(w.household.pk, Outcome.DECLINED)],
        "ewallet": [(w.household.pk, Outcome.FOLLOW_UP)],
    }  # the province app was adopted before it was declined: no follow-up
    assert f"{w.today - timedelta(days=4):%d/%m/%Y}" in page  # An's last visit
    assert "0912•••678" in page and "0912345678" not in page
    assert w.household2.head_name not in page
    # A household that moved away leaves the list.
    household_deactivate(household=w.household)
    response = client.get(reverse("coverage_hamlet_follow_up", args=[w.hamlet.pk]))
    assert response.context["lists"] == []


def test_the_follow_up_rows_are_escaped_as_the_template_escaped_them(client, data):
    """The rows' HTML is built in Python (households_views.follow_up_rows): a name is still text, not markup."""
    w = data
    type(w.household).objects.filter(pk=w.household.pk).update(head_name="An <b>&</b>", address='Số "5"')
    w.login(client, "commune_official")
    page = client.get(reverse("coverage_hamlet_follow_up", args=[w.hamlet.pk])).content.decode()
    assert "<td>An &lt;b&gt;&amp;&lt;/b&gt;</td>" in page and "<b>&</b>" not in page
    assert "<td>Số &quot;5&quot;</td>" in page
