"""The counters' rebuild computes each commune outside its province's lock and, under the lock, writes it
if no writer changed the commune meanwhile, or adds what the rows lacked as corrections if one did
(`teams.counters_rebuild.commune_counters_rebuild`, issue 17); it computes each province's corrections
outside the lock too, and adds them under it (`teams.counters_snapshot.province_corrections`)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from households.models import Hamlet
from teams import counters_rebuild as rebuild
from teams.counter_models import PeriodFigures, QueuedShift
from teams.counters import pillar_subsets
from teams.models import CommuneCoverageDay, CoverageDay, Outcome, ProvinceCoverageDay, Service
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


def visited(w, outcome=Outcome.SET_UP, people=1, *, household=None, days_back=0, service="ewallet"):
    """A visit by the team's member (of `w.household`, today, the e-wallet set up unless told)."""
    visit_record(
        member=w.member_m,
        household=household or w.household,
        visited_on=w.today - timedelta(days=days_back),
        outcomes={w.services[service]: Help(outcome, people)},
    )


def read_only():
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_read_only")
        return cursor.fetchone()[0] == "on"


def test_it_writes_each_commune_computed_outside_the_lock_once_when_no_one_writes(world, monkeypatch):
    w = world
    visited(w)
    right = {**counters_by_day(w.today, w.today), **period_figures()}
    out_of_step(w.household.hamlet, w.today)
    computed = computations(monkeypatch)
    assert rebuild.counters_rebuild(province=w.province) > 0
    communes = set(w.province.communes.filter(hamlets__isnull=False).values_list("pk", flat=True))
    assert sorted(computed) == sorted(communes)  # each once: none computed again under the lock
    assert {**counters_by_day(w.today, w.today), **period_figures()} == right


def test_a_visit_recorded_while_its_commune_is_computed_neither_waits_nor_is_lost(world, monkeypatch):
    """The visit goes through while the rebuild computes its commune (the lock is not held) and changes the
    rows computed, so the commune's corrections are added to the rows, not the rows computed written: the
    visit's change stays."""
    w, wallet = world, world.services["ewallet"]
    visited(w, Outcome.DECLINED)
    out_of_step(w.household.hamlet, w.today)  # so that the first computation has a row of today to write
    period = PeriodFigures.objects.filter(level="h", unit_id=w.household.hamlet_id).first()
    PeriodFigures.objects.filter(pk=period.pk).update(figures={**period.figures, "v": period.figures["v"] + 5})
    recorded = []

    def record_a_visit(commune_id):
        if commune_id != w.household.hamlet.commune_id or recorded:
            return

        recorded.append(in_a_thread(lambda: visited(w, Outcome.SET_UP, 3))[0])
        assert recorded == [True], "the visit waited for the rebuild's computation"

    computed = computations(monkeypatch, during=record_a_visit)
    rebuild.counters_rebuild(province=w.province)
    commune_id = w.household.hamlet.commune_id
    assert computed.count(commune_id) == 1
    kept, rebuilt = counters_and_rebuild(days=2)
    assert kept == rebuilt
    assert kept[("hamlet", w.household.hamlet_id, False, w.today)].get(f"a{wallet.pk}") == 1


def test_a_commune_changed_after_its_computation_is_corrected_once(world, monkeypatch):
    """A hamlet's row put out of step between the computation and the write (as a writer's change would be,
    but one the base tables do not hold): the correction computed before it is added, so the row stays out
    of step by that much, and the next rebuild, with no one writing, puts it right."""
    w = world
    visited(w)
    out_of_step(w.household.hamlet, w.today)
    commune_id = w.household.hamlet.commune_id
    touched = []

    def touch(computed_commune):
        if computed_commune == commune_id and read_only() and not touched:
            touched.append(in_a_thread(lambda: out_of_step(w.household.hamlet, w.today))[0])

    computed = computations(monkeypatch, during=touch)
    rebuild.counters_rebuild(province=w.province)
    assert touched == [True] and computed.count(commune_id) == 1
    row = CoverageDay.objects.get(hamlet=w.household.hamlet, priority_only=False, day=w.today)
    monkeypatch.undo()
    assert rebuild.counters_rebuild(province=w.province) > 0
    assert CoverageDay.objects.get(pk=row.pk).figures["h"] == row.figures["h"] - 7
    kept, rebuilt = counters_and_rebuild(days=2)
    assert kept == rebuilt


def test_a_commune_whose_hamlets_changed_meanwhile_is_computed_again_under_the_lock(world, monkeypatch):
    w = world
    visited(w)
    commune_id = w.household.hamlet.commune_id

    def hamlet_added(computed_commune):
        if computed_commune == commune_id and read_only() and not Hamlet.objects.filter(code="09").exists():
            assert in_a_thread(
                lambda: Hamlet.objects.create(commune=w.commune, province=w.province, name="Khu vực 9", code="09")
            )[0]

    computed = computations(monkeypatch, during=hamlet_added)
    rebuild.counters_rebuild(province=w.province)
    assert computed.count(commune_id) == 2
    kept, rebuilt = counters_and_rebuild(days=2)
    assert kept == rebuilt


def province_computations(monkeypatch, during):
    """`during(province_id)` runs after each province's corrections are computed (in their snapshot), before
    they are added under the lock."""
    compute = rebuild.province_corrections

    def computed(province_id, commune_ids):
        corrections = compute(province_id, commune_ids)
        during(province_id)
        return corrections

    monkeypatch.setattr(rebuild, "province_corrections", computed)


def in_a_thread(work):
    """Run `work` on another connection; whether it finished within 20 s (it does unless it waits for a lock)."""
    done = []

    def run():
        try:
            work()
            done.append(True)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=20)
    return bool(done), thread


def province_out_of_step(province, day):
    row = ProvinceCoverageDay.objects.get(province=province, priority_only=False, day=day)
    ProvinceCoverageDay.objects.filter(pk=row.pk).update(figures={**row.figures, "h": row.figures.get("h", 0) + 7})


def test_visits_recorded_while_the_province_s_sums_are_computed_neither_wait_nor_are_lost(world, monkeypatch):
    """A late visit queued while its commune is computed (the province's queue then holds its change, its
    commune's rows too) and a visit of today recorded while the province's sums are computed: both go
    through at once, and the province's rows, out of step before, read as a rebuild's."""
    w, wallet = world, world.services["ewallet"]
    visited(w)
    province_out_of_step(w.province, w.today)
    late = []

    def late_visit(commune_id):
        if commune_id == w.household.hamlet.commune_id and not late:
            late.append(
                in_a_thread(lambda: visited(w, household=w.household2, days_back=40, service="vneid_level2"))[0]
            )

    today = []

    def visit_of_today(province_id):
        if today:  # once: not in the check's own rebuild
            return
        assert read_only()  # in the snapshot: the lock is not held
        today.append(in_a_thread(lambda: visited(w, Outcome.SET_UP, 2, household=w.household2))[0])

    computations(monkeypatch, during=late_visit)
    province_computations(monkeypatch, during=visit_of_today)
    rebuild.counters_rebuild(province=w.province)
    assert late == [True] and today == [True], "a visit waited for the rebuild's computing"
    assert QueuedShift.objects.filter(level="p").exists()  # the late visit's change to the province waits still
    kept, rebuilt = counters_and_rebuild(days=50)
    assert kept == rebuilt
    assert kept[("province", w.province.pk, False, w.today)].get(f"a{wallet.pk}") == 2


def test_a_commune_corrected_with_changes_queued_counts_them_once(world, monkeypatch):
    """A late visit's changes wait in the queue (not folded: no drain before this one commune's rebuild);
    a visit of today comes in while the commune is computed, so its corrections are added, and they are
    none: the queued changes are counted once, and the rows plus the queue read as a rebuild's."""
    w = world
    visited(w, days_back=40, service="vneid_level2")
    assert QueuedShift.objects.filter(level="h").exists()
    commune_id = w.household.hamlet.commune_id
    recorded = []

    def visit_meanwhile(computed_commune):
        if read_only() and not recorded:
            recorded.append(in_a_thread(lambda: visited(w, household=w.household2))[0])

    computed = computations(monkeypatch, during=visit_meanwhile)
    subsets = pillar_subsets(list(Service.objects.values_list("pk", "pillar")))
    assert rebuild.commune_counters_rebuild(w.province.pk, commune_id, subsets) == 0  # nothing to correct
    assert recorded == [True] and computed == [commune_id]
    assert QueuedShift.objects.filter(level="h").exists()  # corrections leave the queue as it is
    monkeypatch.undo()
    kept, rebuilt = counters_and_rebuild(days=50)
    assert kept == rebuilt


@pytest.mark.parametrize("step", ["commune", "province"])
def test_a_hamlet_move_waits_for_the_rebuild_s_write_so_no_correction_counts_twice(world, monkeypatch, step):
    """`rollups_rebuild` (a hamlet move's) makes the commune's and province's rows their parts' sums: run
    between a step's snapshot and its write, the corrections would be added to rows that no longer lack
    them. It waits for the rebuild's lock."""
    w = world
    visited(w)
    commune_id = w.household.hamlet.commune_id
    if step == "commune":
        CommuneCoverageDay.objects.filter(commune_id=commune_id, day=w.today).update(figures={"h": 99})
    else:
        province_out_of_step(w.province, w.today)
    moves = []

    def rollups_meanwhile(unit_id):
        if moves or not read_only() or (step == "commune" and unit_id != commune_id):
            return  # once, in the step's snapshot: not in the check's own rebuild
        finished, thread = in_a_thread(lambda: rebuild.rollups_rebuild([w.province.pk]))
        assert not finished, "the rollups came between the rebuild's snapshot and its write"
        moves.append(thread)

    if step == "commune":
        computations(monkeypatch, during=rollups_meanwhile)
    else:
        province_computations(monkeypatch, during=rollups_meanwhile)
    rebuild.counters_rebuild(province=w.province)
    moves[0].join(timeout=20)
    assert not moves[0].is_alive()
    kept, rebuilt = counters_and_rebuild(days=2)
    assert kept == rebuilt


def test_corrections_too_many_for_one_statement_are_computed_under_the_lock(world, monkeypatch):
    """With no day of corrections allowed, a commune changed meanwhile is computed again under the lock and
    the province's rows are replaced by its communes' sums: the figures come out the same."""
    w = world
    visited(w)
    out_of_step(w.household.hamlet, w.today)
    province_out_of_step(w.province, w.today)
    monkeypatch.setattr(rebuild, "CORRECTION_DAYS_AT_MOST", 0)
    commune_id = w.household.hamlet.commune_id
    recorded = []

    def visit_meanwhile(computed_commune):
        if computed_commune == commune_id and read_only() and not recorded:
            recorded.append(in_a_thread(lambda: visited(w, Outcome.SET_UP, 2, household=w.household2))[0])

    computed = computations(monkeypatch, during=visit_meanwhile)
    rebuild.counters_rebuild(province=w.province)
    assert recorded == [True] and computed.count(commune_id) == 2
    monkeypatch.undo()
    kept, rebuilt = counters_and_rebuild(days=2)
    assert kept == rebuilt
