"""Property: with random data, every unit's figures match DESIGN.md's definition computed naively from
the visits, a commune equals the sum of its hamlets and a province the sum of its communes, for every
service, date and filter."""

import uuid
from datetime import timedelta
from unittest import mock

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.rollups import (
    Figures,
    by_hamlet,
    by_household,
    coverage_services,
    for_commune,
    for_province,
    total,
)
from coverage.trends import adoption_trend
from households.models import Household
from households.registry import household_deactivate, household_register
from teams.models import ADOPTED_OUTCOMES, Assistance, Outcome
from teams.visits import Help, visit_record

households_st = st.lists(
    st.tuples(
        st.integers(0, 3),  # hamlet: A1, A2, A3, B1
        st.integers(0, 40),  # registered this many days before today
        st.one_of(st.none(), st.integers(0, 45)),  # active, or deactivated this many days before today
        st.sampled_from(list(Household.Poverty.values)),
        st.booleans(),  # policy family
    ),
    min_size=1,
    max_size=8,
)
visits_st = st.lists(
    st.tuples(
        st.integers(0, 7),  # household index (modulo the number of households)
        st.integers(0, 40),  # visited this many days before today (never before registration)
        st.dictionaries(st.integers(0, 8), st.tuples(st.sampled_from(list(Outcome.values)), st.integers(1, 4))),
        st.booleans(),  # sent twice with the same UUID
    ),
    max_size=14,
)


class Rollback(Exception):
    pass


def naive(households, on, priority_only, services):
    """DESIGN.md "Coverage" straight from the visits, one household at a time.

    households(U, D): registered on or before D, not deactivated on or before D. People helped: the
    persons set up ("set up now") in visits on or before D, a household deactivated since included.
    """
    f = Figures()
    for h in households:
        if h.registered_on > on or (priority_only and not h.is_priority):
            continue
        rows = [
            a for a in Assistance.objects.filter(visit__household=h).select_related("visit") if a.visit.visited_on <= on
        ]
        for s in services:
            set_up = (a.people_helped for a in rows if a.service_id == s.pk and a.outcome == "set_up")
            f.people_helped[s.pk] += sum(set_up)
        if not h.active and h.deactivated_on <= on:
            continue
        f.households += 1
        f.reached += h.visits.filter(visited_on__lte=on).exists()
        pillars = set()
        for s in services:
            mine = [a for a in rows if a.service_id == s.pk]
            if any(a.outcome in ADOPTED_OUTCOMES for a in mine):
                f.adopted[s.pk] += 1
                pillars.add(s.pillar)
        for p in pillars:
            f.adopted_pillar[p] += 1
    return f


def same(a, b, services):
    assert (a.households, a.reached) == (b.households, b.reached)
    for s in services:
        assert a.adopted.get(s.pk, 0) == b.adopted.get(s.pk, 0), s.code
        assert a.people_helped.get(s.pk, 0) == b.people_helped.get(s.pk, 0), s.code
        assert a.coverage(s) == b.coverage(s)
    for p in ("government", "economy", "society"):
        assert a.adopted_pillar.get(p, 0) == b.adopted_pillar.get(p, 0), p


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(households_st, visits_st, st.integers(0, 45), st.booleans())
def test_units_are_the_sums_of_their_parts_and_match_the_definition(
    world, households_spec, visits_spec, as_of_days, priority_only
):
    w = world
    hamlets = [w.hamlet, w.hamlet2, w.hamlet3, w.other_hamlet]
    member_for = {w.hamlet: w.member_m, w.hamlet2: w.leader_m, w.hamlet3: w.other_member_m}
    member_for[w.other_hamlet] = w.other_commune_member_m
    services = coverage_services()
    on = w.today - timedelta(days=as_of_days)
    try:
        with transaction.atomic():
            created = []
            for hamlet_i, reg, _active, poverty, policy in households_spec:
                created.append(
                    household_register(
                        hamlet=hamlets[hamlet_i],
                        head_name="Hộ",
                        address="x",
                        registered_on=w.today - timedelta(days=reg),
                        poverty=poverty,
                        policy_family=policy,
                        people_count=4,
                    )
                )
            for hh_i, days, helps, twice in visits_spec:
                hh = created[hh_i % len(created)]
                visited_on = max(w.today - timedelta(days=days), hh.registered_on)
                outcomes = {services[i]: Help(o, n) for i, (o, n) in helps.items()}
                key = uuid.uuid4()
                for _ in range(2 if twice else 1):
                    visit_record(
                        member=member_for[hh.hamlet], household=hh, visited_on=visited_on, outcomes=outcomes, uuid=key
                    )
            for hh, spec in zip(created, households_spec, strict=True):
                if spec[2] is not None:
                    household_deactivate(household=hh, on=w.today - timedelta(days=spec[2]))

            everyone = [w.household, w.household2, w.household3, w.other_household, *created]
            per_hamlet = by_hamlet([h.pk for h in hamlets], on=on, priority_only=priority_only)
            for hamlet in hamlets:
                mine = [h for h in everyone if h.hamlet_id == hamlet.pk]
                same(per_hamlet.get(hamlet.pk, Figures()), naive(mine, on, priority_only, services), services)

            commune = for_commune(w.commune, on=on, priority_only=priority_only)
            same(commune.total, total(f for _h, f in commune.rows), services)
            same(commune.total, total(per_hamlet.get(h.pk, Figures()) for h in hamlets[:3]), services)

            province = for_province(w.province, on=on, priority_only=priority_only)
            rows = {c.pk: f for c, f in province.rows}
            same(rows[w.commune.pk], commune.total, services)
            same(
                rows[w.other_commune.pk],
                for_commune(w.other_commune, on=on, priority_only=priority_only).total,
                services,
            )
            same(province.total, total(rows.values()), services)
            same(
                province.total,
                naive([h for h in everyone if h.province_id == w.province.pk], on, priority_only, services),
                services,
            )

            # A hamlet's households one by one (its table and export): their people helped as of `on` from the
            # adoption rows, or from the visits for a household helped again after `on`.
            for household in everyone:
                household.refresh_from_db()
            for household_id, figures in by_household(everyone, on=on, services=services).items():
                mine = [h for h in everyone if h.pk == household_id]
                expected = naive(mine, on, False, services).people_helped
                for s in services:
                    assert figures.people_helped.get(s.pk, 0) == expected.get(s.pk, 0), (household_id, s.code)
            # A whole hamlet (an export) reads its adoption rows by the hamlet they carry: the same figures, for
            # the households asked for only.
            for chosen in (everyone, everyone[:2]):
                with mock.patch("coverage.rollups.BY_HAMLET_FROM", 1):
                    by_hamlets = by_household(chosen, on=on, services=services)
                assert by_hamlets == by_household(chosen, on=on, services=services)

            # The trend of each level reads its own counters: new adoptions per week, the differences of the
            # definition's adopted(U, S, D) at the eve of each week.
            for unit, mine in (
                (w.province, [h for h in everyone if h.province_id == w.province.pk]),
                (w.commune, [h for h in everyone if h.hamlet_id in {x.pk for x in hamlets[:3]}]),
                (w.hamlet2, [h for h in everyone if h.hamlet_id == w.hamlet2.pk]),
            ):
                trend = adoption_trend(unit, on=on, period="week", periods=6, priority_only=priority_only)
                eves = [start - timedelta(days=1) for start in trend.periods] + [on]
                adopted = [naive(mine, day, priority_only, services).adopted for day in eves]
                for s in services:
                    expected = [adopted[i + 1].get(s.pk, 0) - adopted[i].get(s.pk, 0) for i in range(6)]
                    assert trend.counts[s.pk] == expected, (unit, s.code)
            raise Rollback
    except Rollback:
        pass
