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
(`coverage.rollups`, `coverage.trends`) add the two, each in one statement, so
one snapshot. `teams.counters_drain.queue_drain` folds a province's queue
into its rows under the province's lock (the shift the write would have
done, then the queued rows deleted, in one transaction). It runs when the
request that queued has sent its response (`drain_after_response`, on
Django's `request_finished`), from `manage.py drain_counters`, and before the
rebuilds that sum one level into the next. A drain that fails leaves the
queue as it was, to the next one.
"""

import json
from collections import defaultdict
from datetime import timedelta
from threading import local

from django.core.exceptions import EmptyResultSet
from django.db import connection

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


# Per unit, its latest row on or before the day (one backward index probe each), and its queued changes on or
# before it: one statement, so one snapshot whatever a drain commits. Plain SQL, the same on SQLite and
# PostgreSQL: the ORM's annotated subquery and union cost more to build than to run (a commune of 15 hamlets
# at 1M: `rollups.for_commune` 7.0 ms with them, 4.4 ms with this).
_AS_OF_SQL = """WITH u(id) AS ({units})
SELECT u.id, 0, (SELECT c.figures FROM {table} c WHERE c.{unit} = u.id AND c.priority_only = %s AND c.day <= %s
                 ORDER BY c.day DESC LIMIT 1)
FROM u
UNION ALL
SELECT q.unit_id, 1, q.figures FROM {queue} q
WHERE q.level = %s AND q.unit_id IN (SELECT id FROM u) AND q.priority_only = %s AND q.day <= %s"""


def figures_of(value):
    """A counter row's figures as a raw cursor returns them: JSON text (Django leaves jsonb undecoded), or None."""
    return json.loads(value) if isinstance(value, str) else value


def counters_as_of(level, units, *, on, priority_only):
    """[(unit id, figures or None)]: per unit of the queryset, its latest counter row on or before `on`, plus
    its queued changes up to `on`: what the rollups read.

    One query (so one snapshot: the rows and the queue as one state, whatever
    a drain commits), one backward index probe per unit and one on the queue,
    whatever lies under it.
    """
    try:
        units_sql, units_params = units.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # none() or an empty list of ids: no unit
        return []
    sql = _AS_OF_SQL.format(
        units=units_sql,
        table=level.table,
        unit=level.unit_column,
        queue=connection.ops.quote_name(QueuedShift._meta.db_table),
    )
    day = connection.ops.adapt_datefield_value(on)
    result, deltas = {}, defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*units_params, priority_only, day, level.code, priority_only, day])
        for unit_id, is_queued, counted in cursor.fetchall():
            counted = figures_of(counted)
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
