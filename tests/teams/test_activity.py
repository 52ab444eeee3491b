"""Teams' activity (teams.activity): visits, and households counted once per member, team and commune."""

from datetime import timedelta

from teams.activity import team_activity
from teams.models import Outcome
from teams.visits import Help, visit_record


def _visit(w, member, household, days_ago):
    visit_record(
        member=member,
        household=household,
        visited_on=w.today - timedelta(days=days_ago),
        outcomes={w.services["vneid_level2"]: Help(Outcome.FOLLOW_UP, 0)},
        recorded_by=member.user,
    )


def test_a_household_two_members_visited_counts_once_for_their_team_and_the_commune(world):
    w = world
    _visit(w, w.member_m, w.household, 1)
    _visit(w, w.leader_m, w.household, 2)  # the same household, by the team's other member
    _visit(w, w.member_m, w.household, 3)  # and again by the first
    _visit(w, w.member_m, w.household2, 20)  # in the earlier period only
    _visit(w, w.other_member_m, w.household3, 1)  # another team of the commune
    _visit(w, w.other_commune_member_m, w.other_household, 1)  # another commune: not counted
    periods = [(w.today - timedelta(days=9), w.today), (w.today - timedelta(days=30), w.today - timedelta(days=10))]

    activity = team_activity(w.commune, periods=periods)

    assert (activity.total.visits, activity.total.households) == ([4, 1], [2, 1])
    teams = {
        team.pk: (a.visits, a.households, {m.pk: (ma.visits, ma.households) for m, ma in members})
        for team, a, members in activity.teams
    }
    assert teams[w.team.pk] == (
        [3, 1],
        [1, 1],
        {w.member_m.pk: ([2, 1], [1, 1]), w.leader_m.pk: ([1, 0], [1, 0])},
    )
    assert teams[w.team3.pk] == ([1, 0], [1, 0], {w.other_member_m.pk: ([1, 0], [1, 0])})
