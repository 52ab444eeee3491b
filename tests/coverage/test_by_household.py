"""A hamlet's households one by one (coverage.rollups.by_household): the path a whole hamlet takes (an export,
from `BY_HAMLET_FROM` households: the adoption rows read by the hamlet they carry) reads what the path by
household ids reads, after a household has moved to another hamlet too."""

from datetime import timedelta
from unittest import mock

from coverage.rollups import by_household
from households.models import Household
from households.registry import household_update
from teams.models import Outcome
from teams.visits import Help, visit_record


def _both_paths(households, on):
    by_ids = by_household(households, on=on)
    with mock.patch("coverage.rollups.BY_HAMLET_FROM", 1):
        by_hamlets = by_household(households, on=on)
    return by_ids, by_hamlets


def test_the_whole_hamlet_path_reads_what_the_household_path_reads(world):
    w = world
    for household, days_ago in ((w.household, 20), (w.household2, 5)):
        visit_record(
            member=w.member_m,
            household=household,
            visited_on=w.today - timedelta(days=days_ago),
            outcomes={
                w.services["vneid_level2"]: Help(Outcome.SET_UP, 2),
                w.services["ewallet"]: Help(Outcome.SET_UP, 1),
            },
            recorded_by=w.member_user,
        )
    household_update(household=w.household, hamlet=w.hamlet2)  # its adoption rows follow it
    households = list(Household.objects.filter(hamlet__in=[w.hamlet, w.hamlet2]).order_by("pk"))
    for on in (w.today, w.today - timedelta(days=10)):
        for chosen in (households, [w.household], [w.household2]):
            chosen = [Household.objects.get(pk=h.pk) for h in chosen]
            by_ids, by_hamlets = _both_paths(chosen, on)
            assert by_hamlets == by_ids
            assert set(by_ids) == {h.pk for h in chosen}
    moved = by_household([Household.objects.get(pk=w.household.pk)], on=w.today)[w.household.pk]
    assert moved.people_helped == {w.services["vneid_level2"].pk: 2, w.services["ewallet"].pk: 1}
