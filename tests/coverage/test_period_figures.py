"""Property: the period figures the writes keep (teams.period_figures) match the report's definition counted
naively from the visits and adoption rows, for every period of both conventions, after random visits made
in any order, voided visits and households moved to another hamlet."""

import uuid
from datetime import timedelta

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.periods import KINDS, period_containing
from households.registry import household_register, household_update
from teams.corrections import visit_void
from teams.models import Adoption, Outcome, Service, Visit
from teams.period_figures import (
    COMMUNE,
    CONVENTIONS,
    HAMLET,
    HOUSEHOLDS,
    VISITS,
    month_start,
    new_key,
    period_figures_read,
)
from teams.visits import Help, visit_record
from tests.counter_checks import counters_and_rebuild

visits_st = st.lists(
    st.tuples(
        st.integers(0, 4),  # household index
        st.integers(0, 13),  # visited this many months back: across quarters and years
        st.sampled_from([1, 14, 15, 28]),  # on this day of the month: either side of Decree 09's 14th
        st.dictionaries(st.integers(0, 3), st.sampled_from(list(Outcome.values)), max_size=3),
        st.booleans(),  # voided afterwards
    ),
    min_size=1,
    max_size=12,
)
moves_st = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), max_size=3)  # (household, to hamlet)


class Rollback(Exception):
    pass


def naive(unit_ids, path, period, services):
    """{unit id: figures} of `period` from the base tables, by the household's unit now (`path` from the
    household to it)."""
    result = {}
    counted = Visit.objects.filter(visited_on__gte=period.start, visited_on__lte=period.end)
    adoptions = Adoption.objects.filter(first_adopted_on__gte=period.start, first_adopted_on__lte=period.end)
    for unit_id in unit_ids:
        visits = counted.filter(**{f"household__{path}": unit_id})
        figures = {
            VISITS: visits.count(),
            HOUSEHOLDS: visits.values("household").distinct().count(),
            **{new_key(s.pk): adoptions.filter(**{f"household__{path}": unit_id}, service=s).count() for s in services},
        }
        figures = {name: n for name, n in figures.items() if n}
        if figures:
            result[unit_id] = figures
    return result


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(visits_st, moves_st)
def test_the_kept_figures_of_every_period_match_a_naive_count(world, monkeypatch, visits_spec, moves_spec):
    monkeypatch.setattr("teams.visits.MAX_DAYS_BACK", 100_000)
    w = world
    hamlets = [w.hamlet, w.hamlet2, w.hamlet3, w.other_hamlet]  # the last in another commune
    member_for = {w.hamlet.pk: w.member_m, w.hamlet2.pk: w.leader_m, w.hamlet3.pk: w.other_member_m}
    member_for[w.other_hamlet.pk] = w.other_commune_member_m
    services = list(Service.objects.order_by("pk")[:4])
    try:
        with transaction.atomic():
            households = [
                household_register(
                    hamlet=hamlets[i % 4],
                    head_name=f"Hộ {i}",
                    address="x",
                    registered_on=w.today - timedelta(days=420),
                    people_count=4,
                )
                for i in range(5)
            ]
            days = set()
            for index, back, day_of_month, helps, voided in visits_spec:
                household = households[index]
                household.refresh_from_db()
                visited_on = min(month_start(w.today.year, w.today.month - back).replace(day=day_of_month), w.today)
                days.add(visited_on)
                outcomes = {services[i]: Help(o, 1 if o == Outcome.SET_UP else 0) for i, o in helps.items()}
                visit, _created = visit_record(
                    member=member_for[household.hamlet_id],
                    household=household,
                    visited_on=visited_on,
                    outcomes=outcomes,
                    uuid=uuid.uuid4(),
                )
                if voided:
                    visit_void(visit=visit, by=w.member_m.user, reason="nhầm hộ")
            for index, to in moves_spec:
                household = households[index]
                household.refresh_from_db()
                household_update(household=household, hamlet=hamlets[to])
            hamlet_ids = [h.pk for h in hamlets]
            commune_ids = list({h.commune_id for h in hamlets})
            for day in days:
                for convention in CONVENTIONS:
                    for kind in KINDS:
                        period = period_containing(day, convention=convention, kind=kind)
                        kept = period_figures_read(HAMLET, hamlet_ids, convention=convention, key=period.key)
                        assert kept == naive(hamlet_ids, "hamlet_id", period, services), (convention, period.key)
                        kept = period_figures_read(COMMUNE, commune_ids, convention=convention, key=period.key)
                        wanted = naive(commune_ids, "hamlet__commune_id", period, services)
                        assert kept == wanted, (convention, period.key)
            kept, rebuilt = counters_and_rebuild()
            assert kept == rebuilt
            raise Rollback
    except Rollback:
        pass
