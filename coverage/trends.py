"""Trends: households adopting each service for the first time, per week or month, from the unit's counters."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from teams import counters
from teams.counter_models import QueuedShift
from teams.counters_queue import figures_of, queued_add

from .rollups import coverage_services


@dataclass
class Trend:
    """New adoptions per period and service: `counts[service id][i]` households in `periods[i]`."""

    period: str
    periods: list
    counts: dict


def _period_start(day, period):
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _period_back(start, period, n):
    if period == "week":
        return start - timedelta(weeks=n)
    month = start.year * 12 + start.month - 1 - n
    return date(month // 12, month % 12 + 1, 1)


# Per boundary: the unit's latest counter row on or before it (one backward index probe each), and its queued
# changes on or before it (`teams.counters_queue`): one statement, so one snapshot whatever a drain commits,
# where a transaction in REPEATABLE READ around three queries cost six round trips. Plain SQL, the same on
# SQLite and PostgreSQL (a CTE with a column list): thirteen correlated subqueries cost more to build
# with the ORM than to run.
_TREND_SQL = """WITH b(i, d) AS (VALUES {boundaries})
SELECT b.i, 0, (SELECT c.figures FROM {table} c WHERE c.{unit} = %s AND c.priority_only = %s AND c.day <= b.d
                ORDER BY c.day DESC LIMIT 1)
FROM b
UNION ALL
SELECT b.i, 1, q.figures FROM b JOIN {queue} q ON q.day <= b.d
WHERE q.level = %s AND q.unit_id = %s AND q.priority_only = %s"""


def _figures_at(level, unit_id, priority_only, boundaries):
    """[figures as of each boundary]: the stored row plus the queued changes, each {} when there is none."""
    sql = _TREND_SQL.format(
        boundaries=", ".join(["(%s, %s)"] * len(boundaries)),
        table=level.table,
        unit=level.unit_column,
        queue=connection.ops.quote_name(QueuedShift._meta.db_table),
    )
    adapt = connection.ops.adapt_datefield_value
    params = [value for i, day in enumerate(boundaries) for value in (i, adapt(day))]
    params += [unit_id, priority_only, level.code, unit_id, priority_only]
    stored, queued = [{} for _day in boundaries], defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for i, is_queued, figures in cursor.fetchall():
            if figures is None:
                continue
            figures = figures_of(figures)
            if is_queued:
                queued[i].append(figures)
            else:
                stored[i] = figures
    return [queued_add(stored[i], queued[i]) for i in range(len(boundaries))]


def adoption_trend(unit, *, on, period="month", periods=12, priority_only=False, services=None):
    """Households adopting each service for the first time, per week or month, up to `on`; one query.

    `unit` is a province, commune or hamlet. The increase of adopted(U, S, ·)
    over each period, read from the unit's own counters at the period
    boundaries (the latest row on or before each), so the sum over all periods
    since the first adoption equals adopted(U, S, D) as the rollups count it.
    """
    services = services if services is not None else coverage_services(on)
    last = _period_start(on, period)
    starts = [_period_back(last, period, n) for n in range(periods - 1, -1, -1)]
    # As of the eve of each period, and as of `on` for the last one.
    boundaries = [start - timedelta(days=1) for start in starts] + [on]
    adopted = _figures_at(counters.level_of(unit), unit.pk, priority_only, boundaries)
    key = counters.adopted_key
    counts = {
        s.pk: [adopted[i + 1].get(key(s.pk), 0) - adopted[i].get(key(s.pk), 0) for i in range(periods)]
        for s in services
    }
    return Trend(period, starts, counts)
