from datetime import timedelta

import pytest
from django.urls import reverse

from teams.models import Outcome
from teams.visits import Help, visit_record
from tests.counter_checks import counters_settled
from tests.households.conftest import many_households

URL = reverse("my_work")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("leader", 200), ("other_member", 200), ("commune_official", 404), ("nobody", 404)],
)
def test_it_opens_my_work_to_team_members(world, client, persona, status):
    world.login(client, persona)
    assert client.get(URL).status_code == status


def test_it_counts_my_visits_and_my_teams_reach_and_coverage(world, client, django_assert_max_num_queries):
    w = world
    vneid = w.services["vneid_level2"]
    visit_record(member=w.member_m, household=w.household, visited_on=w.today, outcomes={vneid: Help(Outcome.SET_UP)})
    visit_record(
        member=w.member_m,
        household=w.household2,
        visited_on=w.today - timedelta(days=40),
        outcomes={w.services["ewallet"]: Help(Outcome.FOLLOW_UP, 0)},
    )
    visit_record(member=w.leader_m, household=w.household2, visited_on=w.today, outcomes={})
    many_households(w, 2, hamlet=w.hamlet2)
    counters_settled()
    w.login(client, "member")
    with django_assert_max_num_queries(16):
        response = client.get(URL)
    content = response.content.decode()
    assert 'data-testid="my-week">1<' in content
    assert 'data-testid="my-month">1<' in content
    # 4 households, 2 reached; VNeID at 1 of 4.
    assert 'data-testid="team-reach">50,0%<' in content
    assert 'data-testid="coverage-vneid_level2">25,0%<' in content
    assert 'data-testid="coverage-ewallet">0,0%<' in content
    assert 'data-testid="never-visited-count">2<' in content
    assert 'data-testid="follow-up-count">1<' in content
    assert "Lê Thị Hộ 000" in content
    assert "Trần Văn Bình" not in content


def test_it_shows_another_teams_figures_to_its_member(world, client):
    world.login(client, "other_member")
    content = client.get(URL).content.decode()
    assert "Trần Văn Bình" in content
    assert "Nguyễn Văn An" not in content
