"""Coverage counters recomputed set-based from the base tables (see `teams.counters` for the keys).

`counters_rebuild` recomputes everything (or one province), one commune at a
time; `rollups_rebuild` redoes the commune and province rows from the
hamlets' (after a hamlet moves to another commune). Both take the provinces'
lock that the incremental writers take, so neither races a visit.
"""

import json
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Sum, Value, When
from django.db.models.functions import Greatest

from households.models import Hamlet, Household

from .counters import (
    COMMUNE,
    HAMLET,
    HOUSEHOLDS,
    LEVELS,
    PROVINCE,
    REACHED,
    Facts,
    adopted_key,
    events_add,
    figures_add,
    people_key,
    pillar_key,
    pillar_subsets,
    provinces_lock,
)
from .models import Adoption, Assistance, CoverageDay, Service


def counters_rebuild(*, province=None, batch_size=2000, mark_counted=True):
    """Recompute every counter from the base tables, set-based, one commune at a time.

    A rebuild of every province also counts the services that waited for it
    (`Service.counters_pending`), unless `mark_counted` is false (a
    migration older than that column). Returns the number of rows written.
    """
    hamlets = Hamlet.objects.all()
    if province is not None:
        hamlets = hamlets.filter(province=province)
    written = 0
    with transaction.atomic():
        services = list(Service.objects.values_list("pk", "pillar"))
        subsets = pillar_subsets(services)
        provinces_lock(hamlets.values("province_id"))
        for level in LEVELS:
            old = level.model.objects.all()
            (old if province is None else old.filter(province=province)).delete()
        communes = hamlets.order_by("province_id", "commune_id").values_list("province_id", "commune_id").distinct()
        by_province = defaultdict(list)
        for province_id, commune_id in communes:
            by_province[province_id].append(commune_id)
        for province_id, commune_ids in by_province.items():
            commune_rows = []
            for commune_id in commune_ids:
                hamlet_rows = list(_cumulate(_commune_events(commune_id, subsets)))
                written += _write(HAMLET, hamlet_rows, batch_size)
                rows = list(_sum_series(hamlet_rows, commune_id))
                written += _write(COMMUNE, rows, batch_size)
                commune_rows += rows
            written += _write(PROVINCE, _sum_series(commune_rows, province_id), batch_size)
        if province is None and mark_counted:
            _pending_clear(services)
        _analyze()
    return written


def _pending_clear(services):
    """Count the waiting services that this rebuild counted: with the pillar it read (one moved since waits on)."""
    read = set(services)
    pending = Service.objects.filter(counters_pending=True).values_list("pk", "pillar")
    counted = [pk for pk, pillar in pending if (pk, pillar) in read]
    if counted:
        Service.objects.filter(pk__in=counted).update(counters_pending=False)


def rollups_rebuild(province_ids):
    """Recompute the commune and province rows of some provinces from their hamlets' rows (after a hamlet moves)."""
    province_ids, written = sorted(set(province_ids)), 0
    with transaction.atomic():
        provinces_lock(province_ids)
        for province_id in province_ids:
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
        _analyze()
    return written


def _analyze():
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
    changes = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # (province, flag) -> day -> key -> n
    previous = {}
    for province_id, unit_id, flag, day, figures in rows:
        before = previous.get((unit_id, flag), {})
        change = changes[(province_id, flag)][day]
        for key in figures.keys() | before.keys():
            if n := figures.get(key, 0) - before.get(key, 0):
                change[key] += n
        previous[(unit_id, flag)] = figures
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


def _priority(prefix=""):
    return Case(When(Household.priority_q(prefix), then=Value(True)), default=Value(False), output_field=BooleanField())


def _commune_events(commune_id, subsets):
    """{(province, hamlet, flag, day, key): n} of every active household of one commune."""
    events = defaultdict(int)
    households = Household.objects.filter(hamlet__commune_id=commune_id, active=True)

    def add(province_id, hamlet_id, priority, day, key, n):
        events[(province_id, hamlet_id, False, day, key)] += n
        if priority:
            events[(province_id, hamlet_id, True, day, key)] += n

    for row in (
        households.values("province_id", "hamlet_id", "registered_on", prio=_priority())
        .annotate(n=Count("id"))
        .order_by()
    ):
        add(row["province_id"], row["hamlet_id"], row["prio"], row["registered_on"], HOUSEHOLDS, row["n"])
    for row in (
        households.filter(first_visited_on__isnull=False)
        .values("province_id", "hamlet_id", prio=_priority(), d=Greatest("first_visited_on", "registered_on"))
        .annotate(n=Count("id"))
        .order_by()
    ):
        add(row["province_id"], row["hamlet_id"], row["prio"], row["d"], REACHED, row["n"])
    helped = (
        Assistance.objects.filter(visit__household__hamlet__commune_id=commune_id, visit__household__active=True)
        .values(
            "service_id",
            "visit__household__province_id",
            "visit__household__hamlet_id",
            prio=_priority("visit__household__"),
            d=Greatest("visit__visited_on", "visit__household__registered_on"),
        )
        .annotate(n=Sum("people_helped"))
        .order_by()
    )
    for row in helped:
        if row["n"]:
            add(
                row["visit__household__province_id"],
                row["visit__household__hamlet_id"],
                row["prio"],
                row["d"],
                people_key(row["service_id"]),
                row["n"],
            )
    # Adoptions and pillars need each household's dates together: streamed in household order.
    adoptions = (
        Adoption.objects.filter(
            household__hamlet__commune_id=commune_id, household__active=True, first_adopted_on__isnull=False
        )
        .order_by("household_id")
        .values_list(
            "household_id",
            "household__province_id",
            "household__hamlet_id",
            "household__registered_on",
            "household__poverty",
            "household__policy_family",
            "service_id",
            "first_adopted_on",
        )
    )
    current, adopted_on = None, {}
    for household_id, province_id, hamlet_id, registered_on, poverty, policy, service_id, day in adoptions.iterator(
        chunk_size=5000
    ):
        if current is not None and current[0] != household_id:
            _adoption_events(events, current[1], adopted_on, subsets)
            adopted_on = {}
        priority = Household.priority_of(poverty=poverty, policy_family=policy)
        current = (household_id, Facts(province_id, hamlet_id, registered_on, True, priority, None))
        adopted_on[service_id] = day
    if current is not None:
        _adoption_events(events, current[1], adopted_on, subsets)
    return events


def _adoption_events(events, facts, adopted_on, subsets):
    for service_id, day in adopted_on.items():
        events_add(events, facts, day, adopted_key(service_id), 1)
    for _pillar, subset in subsets:
        days = [adopted_on[s] for s in subset if s in adopted_on]
        if days:
            events_add(events, facts, min(days), pillar_key(subset), 1)


def _cumulate(events):
    """Hamlet rows (province, hamlet, flag, day, figures) from daily increments: one per day with an event."""
    by_series = defaultdict(lambda: defaultdict(dict))
    for (province_id, hamlet_id, flag, day, key), n in events.items():
        if n:
            by_series[(province_id, hamlet_id, flag)][day][key] = n
    for (province_id, hamlet_id, flag), by_day in by_series.items():
        running = {}
        for day in sorted(by_day):
            running = figures_add(running, by_day[day])
            yield (province_id, hamlet_id, flag, day, running)
