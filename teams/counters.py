"""Coverage counters: each unit's cumulative figures per day, kept in step with every write.

`teams.coverage` reads them so that a page costs what it shows (one index
probe per row of its table), not the size of the unit: `CoverageDay` per
hamlet, `CommuneCoverageDay` per commune (the sum of its hamlets'),
`ProvinceCoverageDay` per province (the sum of its communes'). The counters
are a function of the base tables with the semantics of DESIGN.md "Coverage":

A household's *contribution* is a set of events (hamlet, priority flag, day,
key, n): +1 households ("h") on its registration day, +1 reached ("r") on its
first visit, +1 adopted ("a<service id>") on each first adoption, +1 per pillar
("g<service ids>") on the first adoption among each subset of a pillar's
services, +people helped ("p<service id>") per service and visit day; none if
it is inactive (the current flag counts for every date), and no event before
its registration (it is not counted then).
Each is counted in the "all" row, and again in the "priority" row for a poor,
near-poor or policy family.

Every write that can change a contribution (a visit recorded, corrected or
deleted; a household registered, edited, deactivated) computes it before and
after, under the household's row lock, and `counters_apply` adds the
difference to the rows of that day onwards, at the three levels, in the same
transaction. `counters_rebuild` recomputes everything set-based, and
`rollups_rebuild` the commune and province rows from the hamlets' (after a
hamlet moves); the tests hold them equal.

Pillars are stored for every non-empty subset of a pillar's services, so
switching a service's "active" or "counts for coverage" in the admin changes
nothing here. Adding a service or moving it to another pillar adds subsets
that old contributions lack: the admin rebuilds the counters then.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Sum, Value, When
from django.db.models.functions import Greatest

from households.models import Commune, Hamlet, Household, Province

from .models import Adoption, Assistance, CommuneCoverageDay, CoverageDay, ProvinceCoverageDay, Service, Visit

# Short keys: a province holds about a million of these rows.
HOUSEHOLDS, REACHED = "h", "r"


@dataclass(frozen=True)
class Level:
    """One level of counters: its table and the field that names its unit."""

    model: type
    unit: str

    def series(self, unit_id, priority_only):
        return self.model.objects.filter(**{f"{self.unit}_id": unit_id}, priority_only=priority_only)

    @property
    def table(self):
        return connection.ops.quote_name(self.model._meta.db_table)

    @property
    def unit_column(self):
        return connection.ops.quote_name(self.model._meta.get_field(self.unit).column)

    def row(self, province_id, unit_id, priority_only, day, figures):
        # For the province level, the unit is the province: both keys name the same field.
        fields = {"province_id": province_id, f"{self.unit}_id": unit_id}
        return self.model(**fields, priority_only=priority_only, day=day, figures=figures)


HAMLET = Level(CoverageDay, "hamlet")
COMMUNE = Level(CommuneCoverageDay, "commune")
PROVINCE = Level(ProvinceCoverageDay, "province")
LEVELS = (HAMLET, COMMUNE, PROVINCE)


def level_of(unit):
    """The level whose counters are a province's, a commune's or a hamlet's own."""
    return {Hamlet: HAMLET, Commune: COMMUNE, Province: PROVINCE}[type(unit)]


def adopted_key(service_id):
    return f"a{service_id}"


def people_key(service_id):
    return f"p{service_id}"


def pillar_key(service_ids):
    return "g" + ".".join(str(i) for i in sorted(service_ids))


def pillar_subsets(services=None):
    """[(pillar, frozenset of service ids)] for every non-empty subset of each pillar's services.

    `services`: (id, pillar) of every service, when already read.
    """
    if services is None:
        services = Service.objects.values_list("pk", "pillar")
    by_pillar = defaultdict(list)
    for pk, pillar in sorted(services):
        by_pillar[pillar].append(pk)
    return [
        (pillar, frozenset(subset))
        for pillar, ids in by_pillar.items()
        for size in range(1, len(ids) + 1)
        for subset in combinations(ids, size)
    ]


@dataclass(frozen=True)
class Facts:
    """What of a household row its contribution depends on."""

    province_id: int
    hamlet_id: int
    registered_on: date
    active: bool
    priority: bool
    first_visited_on: date | None

    @classmethod
    def of(cls, household):
        return cls(
            household.province_id,
            household.hamlet_id,
            household.registered_on,
            household.active,
            household.is_priority,
            household.first_visited_on,
        )


def _add(events, facts, day, key, n):
    day = max(day, facts.registered_on)
    events[(facts.province_id, facts.hamlet_id, False, day, key)] += n
    if facts.priority:
        events[(facts.province_id, facts.hamlet_id, True, day, key)] += n


def contribution(facts, adopted_on, people, subsets, events=None):
    """{(province, hamlet, priority_only, day, key): n} for one household.

    `adopted_on`: {service id: first adopted on}; `people`: {(service id, visited on): people}.
    """
    events = events if events is not None else defaultdict(int)
    if not facts.active:
        return events
    _add(events, facts, facts.registered_on, HOUSEHOLDS, 1)
    if facts.first_visited_on is not None:
        _add(events, facts, facts.first_visited_on, REACHED, 1)
    for service_id, day in adopted_on.items():
        if day is not None:
            _add(events, facts, day, adopted_key(service_id), 1)
    for _pillar, subset in subsets:
        days = [adopted_on[s] for s in subset if adopted_on.get(s) is not None]
        if days:
            _add(events, facts, min(days), pillar_key(subset), 1)
    for (service_id, day), n in people.items():
        if n:
            _add(events, facts, day, people_key(service_id), n)
    return events


@dataclass(frozen=True)
class VisitFacts:
    """What of a household's visits its contribution depends on."""

    adopted_on: dict  # service id -> first adopted on (None: not adopted)
    people: dict  # (service id, visited on) -> people helped


@dataclass(frozen=True)
class StoredAdoption:
    """An `Adoption` row as stored, read with the visit facts: what the state refresh compares with."""

    pk: int
    first_adopted_on: date | None
    last_outcome: str
    last_visited_on: date

    @property
    def state(self):
        return (self.first_adopted_on, self.last_outcome, self.last_visited_on)


# A household's adoptions and its people helped per service and day, and the services' pillars
# they are counted under: read twice in every visit's transaction, in one statement of plain SQL
# (the same on SQLite and PostgreSQL) as the shift below is. The adoption rows come whole, for
# the state refresh that follows under the same lock.
# Columns: kind, service id, day, number (adoption id / people helped), text (last outcome /
# pillar), second day (last visited on).
_VISIT_FACTS_SQL = """
SELECT 0, service_id, first_adopted_on, id, last_outcome, last_visited_on FROM {adoption} WHERE household_id = %s
UNION ALL
SELECT 1, a.service_id, v.visited_on, SUM(a.people_helped), NULL, NULL
FROM {assistance} a JOIN {visit} v ON v.id = a.visit_id WHERE v.household_id = %s
GROUP BY a.service_id, v.visited_on
UNION ALL
SELECT 2, id, NULL, 0, pillar, NULL FROM {service}"""


def _date(value):
    # SQLite hands dates back as text from plain SQL.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _visit_facts(household_id):
    """(the `VisitFacts` of one household as stored, `pillar_subsets()`, its adoption rows as
    {service id: `StoredAdoption`}), in one query."""
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (("adoption", Adoption), ("assistance", Assistance), ("visit", Visit), ("service", Service))
    }
    adoptions, helped, pillars = {}, {}, []
    with connection.cursor() as cursor:
        cursor.execute(_VISIT_FACTS_SQL.format(**tables), [household_id, household_id])
        for kind, service_id, on, n, text, last_on in cursor.fetchall():
            if kind == 0:
                adoptions[service_id] = StoredAdoption(n, _date(on), text, _date(last_on))
            elif kind == 1:
                helped[(service_id, _date(on))] = n
            else:
                pillars.append((service_id, text))
    adopted_on = {service_id: adoption.first_adopted_on for service_id, adoption in adoptions.items()}
    return VisitFacts(adopted_on, helped), pillar_subsets(pillars), adoptions


def household_contribution(household, subsets, facts):
    """The household's contribution from its row as given and its visit facts."""
    return contribution(Facts.of(household), facts.adopted_on, facts.people, subsets)


class household_tracked:
    """Context manager around a change to one household's visits: applies the counters' difference.

    Enter it holding the household's row lock, with `household` fresh from
    that lock; the body must leave `household` refreshed (the state writes of
    teams.visits do) and may hand over the visit facts it computed (`after`),
    which saves reading them back. `adoptions` holds the household's adoption
    rows as read on entering ({service id: `StoredAdoption`}) and
    `facts_before` its `VisitFacts`, for those state writes.
    """

    def __init__(self, household):
        self.household = household
        self.facts_after = None

    def __enter__(self):
        self.facts_before, self.subsets, self.adoptions = _visit_facts(self.household.pk)
        self.before = household_contribution(self.household, self.subsets, self.facts_before)
        return self

    def after(self, facts):
        self.facts_after = facts

    def __exit__(self, kind, value, traceback):
        if kind is None:
            facts = self.facts_after if self.facts_after is not None else _visit_facts(self.household.pk)[0]
            counters_apply(self.before, household_contribution(self.household, self.subsets, facts))


def household_saved(household, old, update_fields=None):
    """Apply the difference a saved household row makes: `old` is its row before (None when new).

    Call in the save's transaction, `old` read with the row lock. Fields left
    out of `update_fields` keep their stored value, whatever the instance holds.
    """
    new_facts = Facts.of(household)
    if old is not None and update_fields is not None:
        saved = {name.removesuffix("_id") for name in update_fields}
        stored = Facts.of(old)
        kept = {
            attribute: getattr(stored, attribute)
            for attribute in ("province_id", "hamlet_id", "registered_on", "active", "first_visited_on")
            if attribute.removesuffix("_id") not in saved
        }
        poverty = household.poverty if "poverty" in saved else old.poverty
        policy = household.policy_family if "policy_family" in saved else old.policy_family
        kept["priority"] = poverty != Household.Poverty.NONE or policy
        new_facts = Facts(**{**new_facts.__dict__, **kept})
    if old is None:
        before = {}
        after = contribution(new_facts, {}, {}, [])
    else:
        old_facts = Facts.of(old)
        if old_facts == new_facts:
            return
        facts, subsets, _adoptions = _visit_facts(household.pk)
        before = contribution(old_facts, facts.adopted_on, facts.people, subsets)
        after = contribution(new_facts, facts.adopted_on, facts.people, subsets)
    counters_apply(before, after)


def _merge(figures, delta):
    result = dict(figures)
    for key, n in delta.items():
        value = result.get(key, 0) + n
        if value:
            result[key] = value
        else:
            result.pop(key, None)
    return result


def counters_apply(before, after):
    """Add `after - before` to the counters: rows at each event day are created, later rows shifted.

    Locks the rows of the provinces concerned, in id order (after the
    household's lock): a province's counter writers queue for the few
    milliseconds of the shift, so a row created for a day cannot miss a
    concurrent writer's delta and no update is lost; with one kind of lock
    taken in one order, no deadlock either. Rebuilds and hamlet moves take
    the same lock.
    """
    delta = defaultdict(int)
    for key, n in after.items():
        delta[key] += n
    for key, n in before.items():
        delta[key] -= n
    delta = {event: n for event, n in delta.items() if n}
    if not delta:
        return
    with transaction.atomic(savepoint=False):
        provinces_lock({province_id for province_id, _h, _f, _d, _k in delta})
        # Read once the lock is held, in a statement of its own (a fresh snapshot): a hamlet moving to
        # another commune takes the same lock before the communes' sums are redone.
        commune_of = _communes_of({hamlet_id for _p, hamlet_id, _f, _d, _k in delta})
        by_level = {level: defaultdict(int) for level in LEVELS}
        for (province_id, hamlet_id, flag, day, key), n in delta.items():
            by_level[HAMLET][(province_id, hamlet_id, flag, day, key)] += n
            by_level[COMMUNE][(province_id, commune_of[hamlet_id], flag, day, key)] += n
            by_level[PROVINCE][(province_id, province_id, flag, day, key)] += n
        series = defaultdict(lambda: defaultdict(dict))  # (level, province, unit, flag) -> day -> {key: n}
        for level in LEVELS:
            for (province_id, unit_id, flag, day, key), n in by_level[level].items():
                if n:
                    series[(level, province_id, unit_id, flag)][day][key] = n
        found = _stored_rows(series)
        for level in LEVELS:
            changed, new = [], []
            for (of_level, province_id, unit_id, flag), by_day in series.items():
                if of_level == level:
                    _shift(level, province_id, unit_id, flag, by_day, found[(level, unit_id, flag)], changed, new)
            _figures_update(level, changed)
            level.model.objects.bulk_create(new)


def _communes_of(hamlet_ids):
    """{hamlet id: commune id}, in plain SQL as the rest of the shift."""
    table = connection.ops.quote_name(Hamlet._meta.db_table)
    placeholders = ", ".join(["%s"] * len(hamlet_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, commune_id FROM {table} WHERE id IN ({placeholders})", list(hamlet_ids))
        return dict(cursor.fetchall())


def provinces_lock(province_ids):
    """Lock the provinces' rows, in id order: what every writer of their counters holds."""
    list(Province.objects.select_for_update(no_key=True).filter(pk__in=province_ids).order_by("pk").values_list("pk"))


# The counter shift runs in every visit's transaction, under the province's lock: its read and its
# updates are plain SQL (the same on SQLite and PostgreSQL), which costs a fraction of compiling
# the equivalent querysets, and keeps the lock short.
_STORED_ROWS_SQL = (
    "SELECT {index}, id, day, figures FROM {table} WHERE {unit} = %s AND priority_only = %s"
    " AND (day >= %s OR day = (SELECT MAX(day) FROM {table} WHERE {unit} = %s AND priority_only = %s AND day < %s))"
)


def _stored_rows(series):
    """{(level, unit, flag): [(id, day, figures)]}: each series' rows from its first changed day on,
    and the one before them that they build on; all series in one query."""
    statements, params = [], []
    for index, (level, province_id, unit_id, flag) in enumerate(series):
        first = connection.ops.adapt_datefield_value(min(series[(level, province_id, unit_id, flag)]))
        statements.append(_STORED_ROWS_SQL.format(index=index, table=level.table, unit=level.unit_column))
        params += [unit_id, flag, first, unit_id, flag, first]
    keys = [(level, unit_id, flag) for level, _province_id, unit_id, flag in series]
    found = {key: [] for key in keys}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(statements), params)
        for index, pk, day, figures in cursor.fetchall():
            # SQLite hands back JSON as text.
            figures = json.loads(figures) if isinstance(figures, str) else figures
            found[keys[index]].append((pk, _date(day), figures))
    return found


def _figures_update(level, changed):
    """Store the new figures of existing rows: [(id, figures)]."""
    if not changed:
        return
    field = level.model._meta.get_field("figures")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {level.table} SET figures = %s WHERE id = %s",
            [(field.get_db_prep_value(figures, connection), pk) for pk, figures in changed],
        )


def _shift(level, province_id, unit_id, flag, by_day, stored, changed, new):
    """Add `by_day` ({day: {key: n}}) to the series from `stored` rows: collects rows to update and to create."""
    first = min(by_day)
    stored = sorted(stored, key=lambda row: row[1])
    previous = stored[0][2] if stored and stored[0][1] < first else {}
    existing = {day: (pk, figures) for pk, day, figures in stored if day >= first}
    running, figures_before = {}, previous
    for day in sorted(set(existing) | set(by_day)):
        if day in by_day:
            running = _merge(running, by_day[day])
        row = existing.get(day)
        if row is None:
            new.append(level.row(province_id, unit_id, flag, day, _merge(figures_before, running)))
        else:
            pk, figures_before = row
            changed.append((pk, _merge(figures_before, running)))


def counters_rebuild(*, province=None, batch_size=2000):
    """Recompute every counter from the base tables, set-based, one commune at a time.

    Returns the number of rows written.
    """
    hamlets = Hamlet.objects.all()
    if province is not None:
        hamlets = hamlets.filter(province=province)
    subsets = pillar_subsets()
    written = 0
    with transaction.atomic():
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
        _analyze()
    return written


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
            running = _merge(running, by_day[day])
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
        priority = poverty != Household.Poverty.NONE or policy
        current = (household_id, Facts(province_id, hamlet_id, registered_on, True, priority, None))
        adopted_on[service_id] = day
    if current is not None:
        _adoption_events(events, current[1], adopted_on, subsets)
    return events


def _adoption_events(events, facts, adopted_on, subsets):
    for service_id, day in adopted_on.items():
        _add(events, facts, day, adopted_key(service_id), 1)
    for _pillar, subset in subsets:
        days = [adopted_on[s] for s in subset if s in adopted_on]
        if days:
            _add(events, facts, min(days), pillar_key(subset), 1)


def _cumulate(events):
    """Hamlet rows (province, hamlet, flag, day, figures) from daily increments: one per day with an event."""
    by_series = defaultdict(lambda: defaultdict(dict))
    for (province_id, hamlet_id, flag, day, key), n in events.items():
        if n:
            by_series[(province_id, hamlet_id, flag)][day][key] = n
    for (province_id, hamlet_id, flag), by_day in by_series.items():
        running = {}
        for day in sorted(by_day):
            running = _merge(running, by_day[day])
            yield (province_id, hamlet_id, flag, day, running)
