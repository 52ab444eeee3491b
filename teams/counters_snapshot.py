"""The counters' rebuild computed outside the provinces' lock, on PostgreSQL (`teams.counters_rebuild`).

A rebuild reads a commune's base tables for about a second at 1M households,
and a province's commune rows (tens of thousands) for about as long. Done
under the provinces' lock, every visit of the province waits that long. So
they are computed first in one snapshot (`snapshot`: REPEATABLE READ, read
only), and only what they found is written under the lock:

- a commune's rows, if no writer changed any of its rows in between
  (`commune_versions`);
- a province's rows, as corrections (`province_corrections`): the sums of
  its communes' changes less the province's own, both with their queued
  changes, as read in the snapshot. Every writer adds the same change to a
  commune's rows and to its province's, in one transaction (or queues both),
  so what the province lacks in the snapshot it still lacks under the lock,
  whatever visits came in between: the corrections are added to the rows as
  a late visit's change is (`teams.counters.counters_shift`).

A correction added twice would count twice: the writers that make a
province's rows equal to its communes' sums rather than add to them (this
rebuild, and `rollups_rebuild` after a hamlet moves) take the province's
rebuild lock first (`rebuild_lock`, `rebuild_xact_lock`), so none of them
comes between a snapshot and its write.
"""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction

from households.models import Hamlet

from . import period_figures
from .counter_models import PeriodFigures, QueuedShift
from .counters import COMMUNE, HAMLET, PROVINCE
from .counters_drain import queue_queryset

# The first key of the rebuild lock's advisory locks (the second is the province): "gc".
REBUILD_LOCK = 0x6763


def outside_lock():
    """Whether a rebuild may compute outside the lock: on PostgreSQL, outside a caller's transaction (a
    migration's runs in one, under the lock as on SQLite)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


@contextmanager
def snapshot():
    """A transaction whose reads all see one state of the database, and which writes nothing."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@contextmanager
def rebuild_lock(province_id):
    """The province's rebuild lock, held by this connection until the block ends (across its transactions)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [REBUILD_LOCK, province_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [REBUILD_LOCK, province_id])


def rebuild_xact_lock(province_ids):
    """The provinces' rebuild locks, in id order, until the transaction ends; taken before the provinces' lock
    (`teams.counters.provinces_lock`), in the order `rebuild_lock`'s holder takes them. Nothing on SQLite,
    whose writers take turns."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for province_id in sorted(set(province_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REBUILD_LOCK, province_id])


def province_corrections(province_id, commune_ids):
    """{(PROVINCE, province, province, flag): {day: {key: n}}}: what to add to the province's rows, from each
    day on, for them to read as the sums of its communes' (`commune_ids`; any other commune's rows are not
    counted), queued changes included on both sides. Read in a `snapshot`."""
    changes = changes_collector()

    def series(_unit_id, flag):
        return (PROVINCE, province_id, province_id, flag)

    communes = (
        COMMUNE.model.objects.filter(province_id=province_id, commune_id__in=commune_ids)
        .order_by("commune_id", "priority_only", "day")
        .values_list("commune_id", "priority_only", "day", "figures")
    )
    series_changes(communes.iterator(chunk_size=5000), changes, series)
    province = (
        PROVINCE.model.objects.filter(province_id=province_id)
        .order_by("priority_only", "day")
        .values_list("province_id", "priority_only", "day", "figures")
    )
    series_changes(province.iterator(chunk_size=5000), changes, series, sign=-1)
    counted = set(commune_ids)
    queued = queue_queryset().filter(province_id=province_id, level__in=[COMMUNE.code, PROVINCE.code])
    for level, unit_id, flag, day, delta in queued.values_list("level", "unit_id", "priority_only", "day", "figures"):
        if level == PROVINCE.code or unit_id in counted:
            queued_add(changes[series(unit_id, flag)][day], delta, 1 if level == COMMUNE.code else -1)
    return corrections_of(changes)


def changes_collector():
    """{series key: {day: {key: n}}}, filled by `series_changes` and `queued_add`."""
    return defaultdict(lambda: defaultdict(lambda: defaultdict(int)))


def series_changes(rows, changes, series, *, sign=1):
    """Add to `changes` (`changes_collector`) `sign` times the changes of cumulative rows ((unit, flag, day,
    figures), in unit, flag and day order), under the key `series(unit, flag)`: each row's figures less the
    row before it of its unit and flag."""
    previous = {}
    for unit_id, flag, day, figures in rows:
        before = previous.get((unit_id, flag), {})
        change = changes[series(unit_id, flag)][day]
        for key in figures.keys() | before.keys():
            if n := figures.get(key, 0) - before.get(key, 0):
                change[key] += sign * n
        previous[(unit_id, flag)] = figures


def queued_add(change, delta, sign):
    for key, n in delta.items():
        change[key] += sign * n


def corrections_of(changes):
    """`changes` as `teams.counters.counters_shift` takes them: zeros, empty days and empty series left out."""
    corrections = {}
    for series, by_day in changes.items():
        by_day = {day: {key: n for key, n in delta.items() if n} for day, delta in by_day.items()}
        by_day = {day: delta for day, delta in by_day.items() if delta}
        if by_day:
            corrections[series] = by_day
    return corrections


def commune_versions(commune_id):
    """A digest of the version (PostgreSQL's `xmin`: the transaction that wrote it) of every row that a writer
    of a commune's figures writes: its hamlets, their counter rows and period figures, the commune's, and
    their queued changes. Equal digests: no such row was written, added or deleted in between."""
    hamlet_ids = f"SELECT id FROM {_table(Hamlet)} WHERE commune_id = %(commune)s"

    def units(hamlet_level, commune_level):
        # The levels are this code's one-letter constants, never input.
        return (
            f"(level = '{hamlet_level}' AND unit_id IN ({hamlet_ids}))"
            f" OR (level = '{commune_level}' AND unit_id = %(commune)s)"
        )

    versions = " UNION ALL ".join(
        f"SELECT '{tag}' || id || ':' || xmin::text AS version FROM {table} WHERE {where}"
        for tag, table, where in (
            ("k", _table(Hamlet), "commune_id = %(commune)s"),
            ("h", HAMLET.table, f"{HAMLET.unit_column} IN ({hamlet_ids})"),
            ("c", COMMUNE.table, f"{COMMUNE.unit_column} = %(commune)s"),
            ("q", _table(QueuedShift), units(HAMLET.code, COMMUNE.code)),
            ("f", _table(PeriodFigures), units(period_figures.HAMLET, period_figures.COMMUNE)),
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(version, ',' ORDER BY version), '')) FROM ({versions}) AS versions",
            {"commune": commune_id},
        )
        return cursor.fetchone()[0]


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)
