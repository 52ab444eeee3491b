import re
from datetime import timedelta

import pytest
from django.urls import reverse

from households import views
from households.models import Household
from teams.corrections import visit_void
from teams.models import Outcome
from teams.visits import Help, visit_record

# A household's page: session, user, scope (2), the household and its adoptions, the access log entry,
# the services, the visits and their help.
BASE_QUERIES = 10


def url(household):
    return reverse("households:detail", kwargs={"pk": household.pk})


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member", 200),
        ("leader", 200),
        ("other_member", 404),
        ("other_commune_member", 404),
        ("commune_official", 404),
        ("superuser", 404),
        ("nobody", 404),
    ],
)
def test_it_shows_a_household_only_to_its_team(world, client, persona, status):
    world.login(client, persona)
    assert client.get(url(world.household)).status_code == status


def test_it_shows_every_services_state_the_history_and_the_flags(visited, client, django_assert_max_num_queries):
    w = visited
    w.login(client, "member")
    client.get(reverse("home"))  # a session's first page reads the account's language, once (config.language)
    with django_assert_max_num_queries(11):  # one is the access log entry
        response = client.get(url(w.household))
    content = response.content.decode()
    states = {state.service.code: state.kind for state in response.context["states"]}
    assert states["vneid_level2"] == "adopted"
    assert states["ewallet"] == "declined"
    assert states["province_app"] == "follow_up"
    assert states["online_safety"] == "not_yet"
    assert f"Từ {w.household.first_visited_on:%d/%m/%Y}" in content
    assert "Từ chối" in content and "Cần quay lại" in content and "Chưa" in content
    # History, newest first, with who visited.
    history = response.context["visits"]
    assert [v.member.full_name for v in history] == ["Trần Văn Hậu", "Nguyễn Thị Mỹ"]
    assert "Hẹn quay lại chiều thứ bảy" in content
    assert "Đã cài mới (2 người)" in content
    assert 'data-testid="people-count">4<' in content
    assert 'href="tel:0912345678"' in content
    assert reverse("visit_log", kwargs={"pk": w.household.pk}) in content


def test_it_keeps_a_retired_service_the_household_has_a_history_with(visited, client):
    # The page lists a retired service where the household has an adoption row, and the visit's help with it.
    w = visited
    for code in ("ewallet", "ecommerce"):  # declined at a visit; never offered to the household
        w.services[code].active = False
        w.services[code].save()
    w.login(client, "member")
    content = client.get(url(w.household)).content.decode()
    states = re.search(r'data-testid="service-states">(.*?)</ul>', content, re.S).group(1)
    assert 'data-testid="state-ewallet"><span class="chip chip-declined">Từ chối</span>' in states
    assert 'data-testid="state-ecommerce"' not in states
    assert f"<li>{w.services['ewallet'].name}: Từ chối</li>" in content  # the visit's help
    # Voided, the visit leaves the household no adoption row of the retired service: its help is still shown.
    visit_void(visit=w.household.visits.get(visited_on=w.today - timedelta(days=10)), by=w.leader, reason="Ghi nhầm")
    content = client.get(url(w.household)).content.decode()
    assert 'data-testid="state-ewallet"' not in content
    assert f"<li>{w.services['ewallet'].name}: Từ chối</li>" in content


def test_it_shows_poverty_and_policy_flags(world, client):
    Household.objects.filter(pk=world.household2.pk).update(policy_family=True)
    world.login(client, "member")
    content = client.get(url(world.household2)).content.decode()
    assert "Nghèo" in content
    assert "Gia đình chính sách" in content
    assert "Chưa có lượt thăm nào" in content


def test_it_offers_the_moved_away_action_to_the_leader_only(world, client):
    deactivate = reverse("households:deactivate", kwargs={"pk": world.household.pk})
    world.login(client, "member")
    assert deactivate not in client.get(url(world.household)).content.decode()
    world.login(client, "leader")
    assert deactivate in client.get(url(world.household)).content.decode()


def test_it_keeps_a_moved_away_household_readable_without_a_visit_button(visited, client):
    Household.objects.filter(pk=visited.household.pk).update(active=False, deactivated_on=visited.today)
    visited.login(client, "member")
    content = client.get(url(visited.household)).content.decode()
    assert "Đã chuyển đi ngày" in content
    assert reverse("visit_log", kwargs={"pk": visited.household.pk}) not in content
    assert "Hẹn quay lại chiều thứ bảy" in content


@pytest.mark.parametrize("history_size", [50, 2])
def test_the_visit_count_leaves_voided_visits_out_whether_the_history_shows_them_all_or_not(
    world, client, monkeypatch, history_size
):
    monkeypatch.setattr(views, "HISTORY_SIZE", history_size)
    w = world
    visits = [
        visit_record(
            member=w.member_m,
            household=w.household,
            visited_on=w.today - timedelta(days=days),
            outcomes={w.services["vneid_level2"]: Help(Outcome.FOLLOW_UP, 0)},
            recorded_by=w.member,
        )[0]
        for days in (1, 2, 3)
    ]
    visit_void(visit=visits[0], by=w.member, reason="Ghi nhầm")
    w.login(client, "member")
    html = client.get(url(w.household)).content.decode()
    assert re.search(r'data-testid="visit-count">(\d+)<', html).group(1) == "2"


def test_the_history_names_who_voided_a_visit_and_who_recorded_one_for_another_in_one_query(
    world, client, django_assert_num_queries
):
    """The names besides the visiting members come from one query, and only when the history has them."""
    w = world

    def visit(days, recorder):
        return visit_record(
            member=w.member_m,
            household=w.household,
            visited_on=w.today - timedelta(days=days),
            outcomes={w.services["vneid_level2"]: Help(Outcome.FOLLOW_UP, 0)},
            recorded_by=recorder,
        )[0]

    visit(1, w.member_user)
    w.login(client, "member")
    client.get(reverse("home"))  # a session's first page reads the account's language, once (config.language)
    with django_assert_num_queries(BASE_QUERIES):  # the history names nobody else: no query for names
        html = client.get(url(w.household)).content.decode()
    assert "Người nhập" not in html

    visit(2, w.leader_user)
    voided = visit(3, w.member_user)
    visit_void(visit=voided, by=w.leader_user, reason="Ghi nhầm")
    with django_assert_num_queries(BASE_QUERIES + 1):  # one for who voided and who recorded for another
        html = client.get(url(w.household)).content.decode()
    assert f"Đã hủy ngày {w.today:%d/%m/%Y} bởi Trần Văn Hậu: Ghi nhầm" in html
    assert html.count("Người nhập: Trần Văn Hậu") == 1
