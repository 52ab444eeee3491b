"""Coverage counters recomputed set-based from the base tables (see `teams.counters` for the keys).

`counters_rebuild` recomputes everything (or one province), one commune at a
time, with the commune's period figures (`teams.period_figures`);
`rollups_rebuild` redoes the commune and province rows from the hamlets'
(after a hamlet moves to another commune). Both write under the provinces'
lock that the incremental writers take, so neither races a visit. On
PostgreSQL `counters_rebuild` computes each commune, and each province's sums,
before it takes the lock (`teams.counters_snapshot`): a visit does not wait
for the computing.
"""

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q

from households.models import Commune, Hamlet, Province

from .counters import COMMUNE, HAMLET, LEVELS, PROVINCE, counters_shift, pillar_subsets, provinces_lock
from .counters_compute import commune_events, cumulate
from .counters_drain import queue_drain, queue_fold, queue_queryset
from .counters_shift import figures_add, figures_update
from .counters_snapshot import (
    changes_collector,
    commune_versions,
    corrections_of,
    outside_lock,
    province_corrections,
    queued_add,
    rebuild_lock,
    rebuild_xact_lock,
    series_changes,
    snapshot,
)
from .models import CoverageDay, Service
from .period_figures import flows_apply, flows_emptied, period_figures_differences, period_rollups_rebuild


def counters_rebuild(*, province=None, batch_size=2000, mark_counted=True):
    """Recompute every counter from the base tables, set-based, one commune per transaction.

    Each commune's differences are written under its province's lock (the
    lock every visit's counter update takes), in a transaction of its own,
    once computed outside it (`commune_counters_rebuild`): a visit waits for
    one commune's writes at most, never for the whole province's. The
    rows computed are compared with the stored ones and only the differences
    written, so a rebuild of counters that were right rewrites nothing and
    leaves no dead rows behind. The province's rows follow, from its communes'.
    A rebuild of every province also counts the services that waited for it
    (`Service.counters_pending`), unless `mark_counted` is false (a
    migration older than that column). Returns the number of rows written.
    """
    hamlets = Hamlet.objects.all()
    if province is not None:
        hamlets = hamlets.filter(province=province)
    services = list(Service.objects.values_list("pk", "pillar"))
    subsets = pillar_subsets(services)
    communes = hamlets.order_by("province_id", "commune_id").values_list("province_id", "commune_id").distinct()
    by_province = defaultdict(list)
    for province_id, commune_id in communes:
        by_province[province_id].append(commune_id)
    # Folded first, so that what follows counts corrections only (a queue is not an error).
    queue_drain(by_province)
    written = 0
    for province_id, commune_ids in by_province.items():
        for commune_id in commune_ids:
            written += commune_counters_rebuild(province_id, commune_id, subsets)
        written += province_counters_rebuild(province_id, commune_ids)
    if province is None:
        with transaction.atomic():
            # Provinces without hamlets count nothing.
            provinces_lock(Province.objects.values("pk"))
            for level in LEVELS:
                level.model.objects.exclude(province_id__in=list(by_province)).delete()
            queue_queryset().exclude(province_id__in=list(by_province)).delete()
            if mark_counted:
                _pending_clear(services)
    counters_analyze()
    return written


def commune_counters_rebuild(province_id, commune_id, subsets, *, lock=True):
    """One commune's hamlet and commune rows and period figures recomputed, and the differences written under
    its province's lock, in a transaction of their own; without the lock (`lock=False`) only where no one else
    writes (the bench's seed, which rebuilds its communes side by side). Returns the number of rows written
    (of days and period rows corrected, when corrected).

    On PostgreSQL, called outside a transaction, the rows are computed before the lock is taken, in one
    snapshot (`teams.counters_snapshot`) that also reads the versions of every row a writer of the commune
    changes (`commune_versions`). Under the lock, if those versions are still the same (no visit, household
    write or queue fold of the commune committed in between), the differences are written; otherwise they
    are added as corrections (what the rows lacked in the snapshot, they lack still: each writer added its
    own change). A visit then waits for the writes (none for counters in step), not for the computation
    (about a second a commune at 1M). A commune whose hamlets changed in between is computed again under
    the lock, as it is elsewhere (SQLite, or inside a caller's transaction, as in a migration).
    """
    if lock and outside_lock():
        with rebuild_lock(province_id):
            with snapshot():
                versions = commune_versions(commune_id)
                computed = _commune_differences(commune_id, subsets)
            with transaction.atomic():
                provinces_lock([province_id])
                if commune_versions(commune_id) == versions:
                    return computed.write()
                if _hamlet_ids(commune_id) == computed.hamlet_ids:
                    series, periods = computed.corrections()
                    if _few(series):
                        return _corrections_write(series, periods)
                # Its hamlets changed, or its corrections are too many for one statement: computed under
                # the lock, the rebuild's lock still held.
                return _commune_differences(commune_id, subsets).write()
    with transaction.atomic():
        if lock:
            provinces_lock([province_id])
        return _commune_differences(commune_id, subsets).write()


class Computed(NamedTuple):
    """A commune's rows computed (`_commune_differences`)."""

    write: Callable[[], int]  # makes the rows read as computed; returns how many were written
    # ({(level, province, unit, flag): {day: {key: n}}}, {(level, unit, convention, period key): {key: n}}):
    # the same as corrections to add to the counter rows and to the period rows read, worked out when asked
    corrections: Callable[[], tuple]
    hamlet_ids: list  # the commune's hamlets


def _hamlet_ids(commune_id):
    return list(Hamlet.objects.filter(commune_id=commune_id).order_by("pk").values_list("pk", flat=True))


def _commune_differences(commune_id, subsets):
    """What makes a commune's hamlet and commune rows and period figures read as its base tables say, computed
    now: written when `write` is called, or added as corrections (`Computed`)."""
    # None for a commune deleted since the rebuild listed it: it has no rows to compute.
    province_id = Commune.objects.filter(pk=commune_id).values_list("province_id", flat=True).first()
    hamlet_ids, changes = _hamlet_ids(commune_id), []
    hamlet_rows = list(cumulate(commune_events(commune_id, subsets)))
    stored = HAMLET.model.objects.filter(hamlet__commune_id=commune_id)
    hamlets = _differences(HAMLET, stored, hamlet_rows, changes=changes, province_id=province_id)
    commune_rows = list(_sum_series(hamlet_rows, commune_id))
    stored = COMMUNE.model.objects.filter(commune_id=commune_id)
    communes = _differences(COMMUNE, stored, commune_rows, changes=changes, province_id=province_id)
    periods, period_corrections = period_figures_differences(commune_id)
    queued = queue_queryset().filter(
        Q(level=HAMLET.code, unit_id__in=Hamlet.objects.filter(commune_id=commune_id).values("pk"))
        | Q(level=COMMUNE.code, unit_id=commune_id)
    )
    queued_rows = list(queued.values_list("level", "unit_id", "priority_only", "day", "figures"))

    def write():
        # The rows recomputed hold every change: the commune's queued ones (`teams.counters_queue`) go.
        queued.delete()
        return hamlets() + communes() + periods()

    def corrections():
        collected, levels = changes_collector(), {HAMLET.code: HAMLET, COMMUNE.code: COMMUNE}
        for add in changes:
            add(collected)
        for code, unit_id, flag, day, delta in queued_rows:
            queued_add(collected[(levels[code], province_id, unit_id, flag)][day], delta, -1)
        return corrections_of(collected), period_corrections()

    return Computed(write, corrections, hamlet_ids)


# The most days a rebuild's corrections may add in one statement (`counters_shift_sql` builds a branch per
# series and day, which each row it updates is matched against): more, after a service was added or moved
# to another pillar, and the rows are computed under the lock instead.
CORRECTION_DAYS_AT_MOST = 200


def _days(series):
    return sum(len(by_day) for by_day in series.values())


def _few(series):
    return _days(series) <= CORRECTION_DAYS_AT_MOST


def _corrections_write(series, periods):
    """Add a commune's corrections to its rows (the caller holds the lock); returns the days and period rows
    corrected."""
    statement = flows_apply(periods)
    counters_shift(series, also=[statement] if statement else [])
    flows_emptied(periods)
    return _days(series) + len(periods)


def province_counters_rebuild(province_id, commune_ids):
    """A province's rows from its communes' (`commune_ids`, those with hamlets; any other commune's rows go),
    under its lock. Returns the number of rows written (on PostgreSQL: of days corrected).

    On PostgreSQL, outside a caller's transaction, what the rows lack is computed outside the lock, in a
    snapshot, and added under it (`teams.counters_snapshot.province_corrections`): a visit waits for the
    additions (none for counters in step), not for the sums of some 70,000 commune rows (about 1.5 s)."""
    if outside_lock():
        with rebuild_lock(province_id):
            with snapshot():
                corrections = province_corrections(province_id, commune_ids)
            with transaction.atomic():
                provinces_lock([province_id])
                if not _few(corrections):
                    return _province_replace(province_id, commune_ids)
                _communes_without_hamlets_delete(province_id, commune_ids)
                counters_shift(corrections)
        return _days(corrections)
    with transaction.atomic():
        rebuild_xact_lock([province_id])
        provinces_lock([province_id])
        return _province_replace(province_id, commune_ids)


def _province_replace(province_id, commune_ids):
    """A province's rows replaced by its communes' sums, under its lock (the caller's)."""
    # The sums below read the communes' rows: with their queued changes in them.
    queue_fold(province_id)
    _communes_without_hamlets_delete(province_id, commune_ids)
    commune_rows = (
        COMMUNE.model.objects.filter(province_id=province_id)
        .order_by("commune_id", "priority_only", "day")
        .values_list("province_id", "commune_id", "priority_only", "day", "figures")
    )
    province_rows = _sum_series(commune_rows.iterator(chunk_size=5000), province_id)
    return _replace(PROVINCE, PROVINCE.model.objects.filter(province_id=province_id), province_rows)


def _communes_without_hamlets_delete(province_id, commune_ids):
    """The rows and queued changes of a province's communes that have no hamlet (left behind by a move)."""
    COMMUNE.model.objects.filter(province_id=province_id).exclude(commune_id__in=commune_ids).delete()
    queue_queryset().filter(province_id=province_id, level=COMMUNE.code).exclude(unit_id__in=commune_ids).delete()


def _replace(level, stored, rows, batch_size=2000):
    """Make the `stored` rows of a level read as `rows` ((province, unit, flag, day, figures)): insert the
    missing, update the changed, delete the stale; returns how many rows were written."""
    return _differences(level, stored, rows, batch_size)()


def _differences(level, stored, rows, batch_size=2000, *, changes=None, province_id=None):
    """What makes the `stored` rows of a level read as `rows`, read now and written when called (returns the
    rows written). With `changes` (a list), it appends to it a function that adds the same, as changes, to a
    `teams.counters_snapshot.changes_collector`: the computed rows' less the stored rows', per series.

    A stored row on a day without a computed row is kept when it repeats the figures as of its day: the
    writes leave such a row when a visit recorded late moves an event to an earlier day (nothing happens
    on the later day any more). It reads the same as its absence, so it is not a correction to write."""
    found = {
        (unit_id, flag, day): (pk, figures)
        for pk, unit_id, flag, day, figures in stored.values_list(
            "pk", f"{level.unit}_id", "priority_only", "day", "figures"
        )
    }
    if changes is not None:
        rows, stored_rows = list(rows), [(*key, figures) for key, (_pk, figures) in found.items()]

        def add(collected):
            def series_of(unit_id, flag):
                return (level, province_id, unit_id, flag)

            series_changes((row[1:] for row in rows), collected, series_of)
            series_changes(sorted(stored_rows, key=lambda row: row[:3]), collected, series_of, sign=-1)

        changes.append(add)
    new, changed, series = [], [], defaultdict(list)
    for row in rows:
        series[(row[1], row[2])].append((row[3], row[4]))
        stored_row = found.pop((row[1], row[2], row[3]), None)
        if stored_row is None:
            new.append(row)
        elif stored_row[1] != row[4]:
            changed.append((stored_row[0], row[4]))
    for (unit_id, flag, day), (_pk, figures) in list(found.items()):
        if _as_of(series[(unit_id, flag)], day) == figures:
            del found[(unit_id, flag, day)]

    def write():
        if found:
            level.model.objects.filter(pk__in=[pk for pk, _figures in found.values()]).delete()
        figures_update(level, changed)
        return _write(level, new, batch_size) + len(changed) + len(found)

    return write


def _as_of(days, day):
    """The figures as of `day` in a unit's rows `days` ((day, figures), in day order); {} before the first."""
    at = bisect_right(days, day, key=lambda row: row[0])
    return days[at - 1][1] if at else {}


def _pending_clear(services):
    """Count the waiting services that this rebuild counted: with the pillar it read (one moved since waits on)."""
    read = set(services)
    pending = Service.objects.filter(counters_pending=True).values_list("pk", "pillar")
    counted = [pk for pk, pillar in pending if (pk, pillar) in read]
    if counted:
        Service.objects.filter(pk__in=counted).update(counters_pending=False)


def rollups_rebuild(province_ids):
    """Recompute the commune and province rows of some provinces from their hamlets' rows (after a hamlet moves),
    the communes' period figures too."""
    province_ids, written = sorted(set(province_ids)), 0
    with transaction.atomic():
        rebuild_xact_lock(province_ids)
        provinces_lock(province_ids)
        for province_id in province_ids:
            # The sums below read the hamlets' rows: with their queued changes in them.
            queue_fold(province_id)
            for level in (COMMUNE, PROVINCE):
                level.model.objects.filter(province_id=province_id).delete()
            commune_rows = []
            commune_of = dict(Hamlet.objects.filter(province_id=province_id).values_list("pk", "commune_id"))
            by_commune = defaultdict(list)
            hamlet_rows = (
                CoverageDay.objects.filter(province_id=province_id)
                .order_by("hamlet_id", "priority_only", "day")
                .values_list("province_id", "hamlet_id", "priority_only", "day", "figures")
            )
            for row in hamlet_rows.iterator(chunk_size=5000):
                by_commune[commune_of[row[1]]].append(row)
            for commune_id, rows in by_commune.items():
                rows = list(_sum_series(rows, commune_id))
                written += _write(COMMUNE, rows, 2000)
                commune_rows += rows
            written += _write(PROVINCE, _sum_series(commune_rows, province_id), 2000)
            written += period_rollups_rebuild(province_id)
        counters_analyze()
    return written


def counters_analyze():
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses on tables it has never seen filled.
        with connection.cursor() as cursor:
            for level in LEVELS:
                cursor.execute(f"ANALYZE {level.model._meta.db_table}")


def _sum_series(rows, parent_id):
    """The parent's rows, the sum of its children's: rows are (province, unit, flag, day, figures).

    A child's rows are cumulative figures in day order; the parent changes on
    the days its children do, by the sum of their changes.
    """
    changes = changes_collector()  # (province, flag) -> day -> key -> n
    keyed = (((province_id, unit_id), flag, day, figures) for province_id, unit_id, flag, day, figures in rows)
    series_changes(keyed, changes, lambda unit, flag: (unit[0], flag))
    for (province_id, flag), by_day in changes.items():
        running = {}
        for day in sorted(by_day):
            running = figures_add(running, by_day[day])
            yield (province_id, parent_id, flag, day, running)


def _write(level, rows, batch_size):
    """Write (province, unit, flag, day, figures) rows to a level's table; returns how many."""
    if connection.vendor == "postgresql":
        # COPY: the rebuild of a 1M-household province writes about a million rows.
        n = 0
        table = level.model._meta.db_table
        columns = f"province_id, {level.unit}_id, priority_only, day, figures"
        if level is PROVINCE:
            columns = "province_id, priority_only, day, figures"
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for province_id, unit_id, flag, day, figures in rows:
                values = (province_id, unit_id, flag, day, json.dumps(figures))
                copy.write_row(values if level is not PROVINCE else values[:1] + values[2:])
                n += 1
        return n
    objects = [level.row(*row) for row in rows]
    level.model.objects.bulk_create(objects, batch_size=batch_size)
    return len(objects)
