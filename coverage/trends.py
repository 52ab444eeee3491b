"""Trends: households adopting each service for the first time, per week or month, from the unit's counters."""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Subquery

from teams import counters
from teams.counter_models import QueuedShift
from teams.counters_queue import one_snapshot, queued_add

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


def adoption_trend(unit, *, on, period="month", periods=12, priority_only=False, services=None):
    """Households adopting each service for the first time, per week or month, up to `on`; two queries.

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
    level = counters.level_of(unit)
    series = level.series(unit.pk, priority_only)
    queue = QueuedShift.objects.filter(level=level.code, unit_id=unit.pk, priority_only=priority_only, day__lte=on)
    # The days with a row in the window, and the last one before it: dates only, then the figures of at
    # most one row per boundary (plain queries: thirteen correlated subqueries cost more to build than to run),
    # and the unit's queued changes (`teams.counters_queue`), all in one snapshot.
    before = series.filter(day__lt=boundaries[0]).order_by("-day").values("day")[:1]
    with one_snapshot():
        days = sorted(
            series.filter(Q(day__gte=boundaries[0], day__lte=on) | Q(day=Subquery(before))).values_list(
                "day", flat=True
            )
        )
        row_days = [days[i - 1] if (i := bisect_right(days, boundary)) else None for boundary in boundaries]
        stored = dict(series.filter(day__in={d for d in row_days if d}).values_list("day", "figures"))
        queued = list(queue.values_list("day", "figures"))
    adopted = [
        queued_add(stored[day] if day else {}, [delta for on_day, delta in queued if on_day <= boundary])
        for day, boundary in zip(row_days, boundaries, strict=True)
    ]
    key = counters.adopted_key
    counts = {
        s.pk: [adopted[i + 1].get(key(s.pk), 0) - adopted[i].get(key(s.pk), 0) for i in range(periods)]
        for s in services
    }
    return Trend(period, starts, counts)
