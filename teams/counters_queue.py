"""Changes dated long ago wait in a queue and reach the counter rows after the response.

A change dated D days back adds its delta to every later counter row of its
hamlet, commune and province (`teams.counters_shift`): ~900 rows at 300 days
back, ~1,800 for a priority household, 25–55 µs each on PostgreSQL whatever
the statement (issue 17, docs/scaling.md). A phone that was offline for
months sends such visits. So `counters_apply` shifts at once only the series
whose first day lies within `QUEUE_AFTER_DAYS` of today; a series reaching
further back is stored as it is, one `QueuedShift` row per level, flag and
day, in the write's transaction (a few rows, whatever D).

The figures stay exact at every moment. For every series, its stored rows
plus its queued deltas on or before D are its figures as of D; the readers
(`coverage.rollups`, `coverage.trends`, under `one_snapshot`) add the two, in
one snapshot. `teams.counters_drain.queue_drain` folds a province's queue
into its rows under the province's lock (the shift the write would have
done, then the queued rows deleted, in one transaction). It runs when the
request that queued has sent its response (`drain_after_response`, on
Django's `request_finished`), from `manage.py drain_counters`, and before the
rebuilds that sum one level into the next. A drain that fails leaves the
queue as it was, to the next one.
"""

from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from threading import local

from django.db import connection, transaction
from django.db.models import JSONField, OuterRef, Subquery, Value

from .counter_models import QueuedShift
from .counters_shift import figures_add

# A series whose first changed day is older than this many days is queued (~3 rows a day back per level).
QUEUE_AFTER_DAYS = 7

_queued = local()


def series_split(series, today):
    """(the series to shift now, the series to queue), of `series` as `counters_apply` builds it."""
    horizon = today - timedelta(days=QUEUE_AFTER_DAYS)
    now, later = {}, {}
    for key, by_day in series.items():
        (later if min(by_day) < horizon else now)[key] = by_day
    return now, later


def shifts_queue(series):
    """Store `series` ({(level, province, unit, flag): {day: {key: n}}}) in the queue, for the drain after the
    response; the caller holds the provinces' lock (so a drain cannot fold half of a write's rows)."""
    rows = [
        QueuedShift(
            level=level.code, unit_id=unit_id, province_id=province_id, priority_only=flag, day=day, figures=delta
        )
        for (level, province_id, unit_id, flag), by_day in series.items()
        for day, delta in by_day.items()
    ]
    if rows:
        QueuedShift.objects.bulk_create(rows)
        provinces = getattr(_queued, "provinces", set())
        _queued.provinces = provinces | {province_id for _level, province_id, _unit, _flag in series}


def queued_provinces_take():
    """The provinces this thread queued changes for since it last asked."""
    provinces = getattr(_queued, "provinces", set())
    _queued.provinces = set()
    return provinces


def counters_as_of(level, units, *, on, priority_only):
    """[(unit id, figures or None)]: per unit of the queryset, its latest counter row on or before `on`, plus
    its queued changes up to `on`: what the rollups read.

    One query (so one snapshot: the rows and the queue as one state, whatever
    a drain commits), one backward index probe per unit and one on the queue,
    whatever lies under it.
    """
    latest = level.model.objects.filter(**{level.unit: OuterRef("pk")}, priority_only=priority_only, day__lte=on)
    figures = Subquery(latest.order_by("-day").values("figures")[:1], output_field=JSONField())
    stored = units.annotate(figures=figures, queued=Value(False)).values_list("pk", "figures", "queued").order_by()
    queued = (
        QueuedShift.objects.filter(
            level=level.code, unit_id__in=units.values("pk"), priority_only=priority_only, day__lte=on
        )
        .annotate(queued=Value(True))
        .values_list("unit_id", "figures", "queued")
        .order_by()
    )
    result, deltas = {}, defaultdict(list)
    for unit_id, counted, is_queued in stored.union(queued, all=True):
        if is_queued:
            deltas[unit_id].append(counted)
        else:
            result[unit_id] = counted
    return [(unit_id, queued_add(counted, deltas[unit_id])) for unit_id, counted in result.items()]


def queued_add(figures, queued):
    """`figures` (a unit's stored row as of a day, or None) plus its queued deltas up to that day."""
    for delta in queued:
        figures = figures_add(figures or {}, delta)
    return figures


@contextmanager
def one_snapshot():
    """Reads of the counters and their queue that see one state, whatever a drain commits between them:
    a transaction in REPEATABLE READ on PostgreSQL (SQLite's read transaction already is one snapshot).
    Inside a transaction already begun, its own isolation holds."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
