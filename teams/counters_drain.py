"""The counters' queue drained: queued changes (`teams.counters_queue`) folded into the counter rows."""

import logging
from collections import defaultdict

from django.db import connection, transaction

from .counter_models import QueuedShift
from .counters import LEVELS, counters_shift, provinces_lock
from .counters_queue import queued_provinces_take
from .counters_shift import figures_add

logger = logging.getLogger(__name__)


def drain_after_response(**kwargs):
    """`request_finished`: fold the queues of the provinces this request queued changes for, now that the
    client has its response (the WSGI server closes the response after sending it)."""
    provinces = queued_provinces_take()
    if not provinces:
        return
    try:
        queue_drain(provinces)
    except Exception:
        # The queue is durable and the readers add it: the next drain folds it.
        logger.exception("Draining the counters' queue of provinces %s failed", sorted(provinces))


def queue_drain(province_ids=None):
    """Fold the queued changes (`teams.counters_queue`) of some provinces (every one with a queue when None)
    into their counter rows, a province per transaction under its lock; returns how many were folded."""
    if province_ids is None:
        province_ids = QueuedShift.objects.values_list("province_id", flat=True).distinct()
    folded = 0
    for province_id in sorted(set(province_ids)):
        with transaction.atomic():
            provinces_lock([province_id])
            folded += queue_fold(province_id)
    return folded


def queue_fold(province_id):
    """Add a province's queued changes to its counter rows and delete them; the caller holds its lock. A
    change of a unit deleted since (a hamlet, with its rows) goes with it."""
    queued = list(
        queue_queryset()
        .filter(province_id=province_id)
        .values_list("pk", "level", "unit_id", "priority_only", "day", "figures")
    )
    if not queued:
        return 0
    levels = {level.code: level for level in LEVELS}
    units = {
        code: set(
            level.model._meta.get_field(level.unit)
            .related_model.objects.filter(pk__in={row[2] for row in queued if row[1] == code})
            .values_list("pk", flat=True)
        )
        for code, level in levels.items()
    }
    series = defaultdict(lambda: defaultdict(dict))  # (level, province, unit, flag) -> day -> {key: n}
    for _pk, code, unit_id, flag, day, delta in queued:
        if unit_id in units[code]:
            by_day = series[(levels[code], province_id, unit_id, flag)]
            by_day[day] = figures_add(by_day.get(day, {}), delta)
    series = {key: {day: d for day, d in by_day.items() if d} for key, by_day in series.items()}
    counters_shift({key: by_day for key, by_day in series.items() if by_day})
    QueuedShift.objects.filter(pk__in=[row[0] for row in queued]).delete()
    return len(queued)


def queue_queryset():
    """The queued changes; none in a migration older than their table (0006 and 0010 run this live rebuild)."""
    if QueuedShift._meta.db_table not in connection.introspection.table_names():
        return QueuedShift.objects.none()
    return QueuedShift.objects.all()
