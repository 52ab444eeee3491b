"""The counters' rebuild computes each commune outside its province's lock and writes it under the lock only
if no writer changed the commune meanwhile (`teams.counters_rebuild.commune_counters_rebuild`, issue 17)."""

import threading

import pytest
from django.db import connection

from teams import counters_rebuild as rebuild
from teams.models import CoverageDay, Outcome
from teams.visits import Help, visit_record
from tests.counter_checks import counters_and_rebuild, counters_by_day, period_figures

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the snapshot and the row versions: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def computations(monkeypatch, during=None):
    """The communes computed, in order; `during(commune_id)` runs after each computation, before its write."""
    computed = []
    compute = rebuild._commune_differences

    def counted(commune_id, subsets):
        write = compute(commune_id, subsets)
        computed.append(commune_id)
        if during is not None:
            during(commune_id)
        return write

    monkeypatch.setattr(rebuild, "_commune_differences", counted)
    return computed


def out_of_step(hamlet, day):
    """A hamlet's counter row of a day altered behind the writes' back, as a hand edit would."""
    row = CoverageDay.objects.get(hamlet=hamlet, priority_only=False, day=day)
    CoverageDay.objects.filter(pk=row.pk).update(figures={**row.figures, "h": row.figures.get("h", 0) + 7})


def visited(w, outcome, people=1):
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["ewallet"]: Help(outcome, people)},
    )


def read_only():
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_read_only")
        return cursor.fetchone()[0] == "on"


def test_it_writes_each_commune_computed_outside_the_lock_once_when_no_one_writes(world, monkeypatch):
    w = world
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["ewallet"]: Help(Outcome.SET_UP)},
    )
    right = {**counters_by_day(w.today, w.today), **period_figures()}
    out_of_step(w.household.hamlet, w.today)
    computed = computations(monkeypatch)
    assert rebuild.counters_rebuild(province=w.province) > 0
    communes = set(w.province.communes.filter(hamlets__isnull=False).values_list("pk", flat=True))
    assert sorted(computed) == sorted(communes)  # each once: none computed again under the lock
    assert {**counters_by_day(w.today, w.today), **period_figures()} == right


def test_a_visit_recorded_while_its_commune_is_computed_neither_waits_nor_is_lost(world, monkeypatch):
    """The visit goes through while the rebuild computes its commune (the lock is not held), changes the rows
    computed, so the commune is computed again before anything is written: the visit's change stays."""
    w, wallet = world, world.services["ewallet"]
    visit_record(
        member=w.member_m, household=w.household, visited_on=w.today, outcomes={wallet: Help(Outcome.DECLINED)}
    )
    out_of_step(w.household.hamlet, w.today)  # so that the first computation has a row of today to write
    recorded = []

    def record_a_visit(commune_id):
        if commune_id != w.household.hamlet.commune_id or recorded:
            return

        def visit():
            try:
                visit_record(
                    member=w.member_m,
                    household=w.household,
                    visited_on=w.today,
                    outcomes={wallet: Help(Outcome.SET_UP, 3)},
                )
                recorded.append(True)
            finally:
                connection.close()

        thread = threading.Thread(target=visit)
        thread.start()
        thread.join(timeout=20)
        assert recorded, "the visit waited for the rebuild's computation"

    computed = computations(monkeypatch, during=record_a_visit)
    rebuild.counters_rebuild(province=w.province)
    commune_id = w.household.hamlet.commune_id
    assert computed.count(commune_id) == 2
    kept, rebuilt = counters_and_rebuild(days=2)
    assert kept == rebuilt
    assert kept[("hamlet", w.household.hamlet_id, False, w.today)].get(f"a{wallet.pk}") == 1


def test_a_commune_its_writers_keep_changing_is_computed_under_the_lock(world, monkeypatch):
    w = world
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["ewallet"]: Help(Outcome.SET_UP)},
    )
    commune_id = w.household.hamlet.commune_id

    def touch(computed_commune):
        # Between each computation outside the lock (in its read-only snapshot) and its write, another
        # connection changes one of the commune's rows.
        if computed_commune == commune_id and read_only():
            thread = threading.Thread(target=lambda: (out_of_step(w.household.hamlet, w.today), connection.close()))
            thread.start()
            thread.join(timeout=20)

    computed = computations(monkeypatch, during=touch)
    rebuild.counters_rebuild(province=w.province)
    assert computed.count(commune_id) == rebuild.OUTSIDE_TRIES + 1
    kept, rebuilt = counters_and_rebuild(days=2)
    assert kept == rebuilt
