"""Coverage counters kept in step with every write: each unit's cumulative figures per day.

The read side (`coverage.rollups`) reads them so that a page costs what it
shows, one index probe per row, not the size of the unit. This module keeps
them by increments; `teams.counters_rebuild` recomputes them set-based; the
tests hold the two equal.

Key scheme. A row holds a unit's figures as of the end of a day on which
something changed for it (a sparse series: as of D, read the latest row on
or before D), once for every active household and once (`priority_only`)
for the priority ones (`Household.priority_q`):

- `CoverageDay`: (hamlet, priority_only, day);
- `CommuneCoverageDay`: (commune, priority_only, day), the sum of its hamlets';
- `ProvinceCoverageDay`: (province, priority_only, day), the sum of its communes'.

`figures` maps short keys (a province holds about a million rows) to counts,
zeros left out: "h" households registered, "r" reached (visited at least
once), "a<service id>" adopted the service (first "set up now" or "already
had"), "p<service id>" people helped with it, "g<service ids>" (e.g.
"g1.2.5") adopted at least one of those services, stored for every non-empty
subset of each pillar's services so that any counted set reads exactly.

A household's *contribution* is its events (hamlet, priority flag, day, key,
n): +1 "h" on its registration day, +1 "r" on its first visit, +1 "a…" on
each first adoption, +1 per "g…" subset on its first adoption among them,
people helped "p…" per service and visit day ("set up now" outcomes only),
none before its registration. A deactivated household leaves the figures on
its deactivation date: each of its "h", "r", "a…", "g…" events before that
day is taken back (-1) on it, and later ones are not counted, so every earlier
date keeps it (DESIGN.md "Coverage", households(U, D)); one deactivated without
a date counts for no date. People helped are work done: they stay counted.

Every write that can change a contribution (a visit recorded, corrected or
deleted: `household_tracked`; a household registered, edited, moved or
deactivated: `household_counters_update`, called by `households.registry`)
computes it before and after under the household's row lock, and
`counters_apply` adds the difference to the rows of that day onwards, at the
three levels, in the same transaction; a difference reaching more than a week
back is queued instead and folded once the response is sent
(`teams.counters_queue`), the readers adding the queue meanwhile. Adding a service or moving it to
another pillar adds "g…" subsets that old contributions lack: the service
waits (`Service.counters_pending`) for `manage.py rebuild_counters`.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.db import connection, transaction
from django.utils import timezone

from households.models import Commune, Hamlet, Province

from .counters_queue import series_split, shifts_queue
from .counters_shift import counters_shift_rows, counters_shift_sql
from .models import Adoption, Assistance, CommuneCoverageDay, CoverageDay, ProvinceCoverageDay, Service, Visit
from .period_figures import flows, flows_apply, flows_changes, flows_emptied
from .visit_facts import visit_facts_read

# Short keys: a province holds about a million of these rows.
HOUSEHOLDS, REACHED = "h", "r"


@dataclass(frozen=True)
class Level:
    """One level of counters: its table, the field that names its unit, and its code in the queue."""

    model: type
    unit: str
    code: str

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


HAMLET = Level(CoverageDay, "hamlet", "h")
COMMUNE = Level(CommuneCoverageDay, "commune", "c")
PROVINCE = Level(ProvinceCoverageDay, "province", "p")
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
    deactivated_on: date | None = None

    @property
    def until(self):
        """The day the household leaves the figures (None: it counts for every date from its registration)."""
        if self.active:
            return None
        return self.deactivated_on or self.registered_on

    @classmethod
    def of(cls, household):
        return cls(
            household.province_id,
            household.hamlet_id,
            household.registered_on,
            household.active,
            household.is_priority,
            household.first_visited_on,
            household.deactivated_on,
        )


def events_add(events, facts, day, key, n, *, leaves=True):
    """Count one event of a household (`facts`) in its "all" row and, for a priority household, its "priority" row.

    With `leaves`, the event is taken back on the household's deactivation
    day, and not counted at all from that day on.
    """
    day = max(day, facts.registered_on)
    until = facts.until if leaves else None
    if until is not None and day >= until:
        return
    flags = (False, True) if facts.priority else (False,)
    for flag in flags:
        events[(facts.province_id, facts.hamlet_id, flag, day, key)] += n
        if until is not None:
            events[(facts.province_id, facts.hamlet_id, flag, until, key)] -= n


def contribution(facts, adopted_on, people, subsets, events=None):
    """{(province, hamlet, priority_only, day, key): n} for one household.

    `adopted_on`: {service id: first adopted on}; `people`: {(service id, visited on): people}.
    """
    events = events if events is not None else defaultdict(int)
    events_add(events, facts, facts.registered_on, HOUSEHOLDS, 1)
    if facts.first_visited_on is not None:
        events_add(events, facts, facts.first_visited_on, REACHED, 1)
    for service_id, day in adopted_on.items():
        if day is not None:
            events_add(events, facts, day, adopted_key(service_id), 1)
    for _pillar, subset in subsets:
        days = [adopted_on[s] for s in subset if adopted_on.get(s) is not None]
        if days:
            events_add(events, facts, min(days), pillar_key(subset), 1)
    for (service_id, day), n in people.items():
        if n:
            events_add(events, facts, day, people_key(service_id), n, leaves=False)
    return events


def _visit_facts(household_id):
    """(the `VisitFacts` of one household as stored, `pillar_subsets()`, its adoption rows as
    {service id: `StoredAdoption`}), in one query (`teams.visit_facts`)."""
    facts, pillars, adoptions = visit_facts_read(household_id)
    return facts, pillar_subsets(pillars), adoptions


def stored_adoptions(household_id):
    """One household's adoption rows as stored, {service id: `StoredAdoption`}."""
    return _visit_facts(household_id)[2]


def household_contribution(household, subsets, facts):
    """The household's contribution from its row as given and its visit facts."""
    return contribution(Facts.of(household), facts.adopted_on, facts.people, subsets)


def household_flows(hamlet_id, facts):
    """The household's flows (`teams.period_figures`) under `hamlet_id`, from its visit facts."""
    return flows(hamlet_id, facts.visits, facts.adopted_on)


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
        self.flows_before = household_flows(self.household.hamlet_id, self.facts_before)
        return self

    def after(self, facts):
        self.facts_after = facts

    def __exit__(self, kind, value, traceback):
        if kind is None:
            facts = self.facts_after if self.facts_after is not None else _visit_facts(self.household.pk)[0]
            counters_apply(
                self.before,
                household_contribution(self.household, self.subsets, facts),
                flows=(self.flows_before, household_flows(self.household.hamlet_id, facts)),
                province_ids={self.household.province_id},
            )


def household_counters_update(*, household, stored):
    """Apply the difference a written household row makes: `stored` is the row before (None when new).

    Called by the write functions of `households.registry` in their
    transaction, after the save, `stored` read under the row's lock.
    """
    new_facts = Facts.of(household)
    if stored is None:
        counters_apply({}, contribution(new_facts, {}, {}, []))
        return
    old_facts = Facts.of(stored)
    if old_facts == new_facts:
        return
    if old_facts.hamlet_id != new_facts.hamlet_id:
        hamlet_keys_follow(household_id=household.pk, hamlet_id=new_facts.hamlet_id)
    if old_facts.province_id != new_facts.province_id:
        province_keys_follow(households=[household.pk], province_id=new_facts.province_id)
    facts, subsets, _adoptions = _visit_facts(household.pk)
    counters_apply(
        contribution(old_facts, facts.adopted_on, facts.people, subsets),
        contribution(new_facts, facts.adopted_on, facts.people, subsets),
        flows=(household_flows(old_facts.hamlet_id, facts), household_flows(new_facts.hamlet_id, facts)),
        province_ids={old_facts.province_id, new_facts.province_id},
    )


def province_keys_follow(*, households, province_id):
    """The rows that carry a household's province (its visits, their assistance, its adoption rows) follow
    it to `province_id`: on every path that moves a household (an edit to a hamlet of another province,
    a hamlet moving to a commune of another province). `households`: ids or a queryset."""
    for rows, path in (
        (Visit.all_objects, "household__in"),  # voided visits too: they stay with their household
        (Assistance.objects, "visit__household__in"),
        (Adoption.objects, "household__in"),
    ):
        rows.filter(**{path: households}).exclude(province_id=province_id).update(province_id=province_id)


def hamlet_keys_follow(*, household_id, hamlet_id):
    """A household's visits (voided ones too) and adoption rows follow it to another hamlet: the reports
    group a period's visits and first adoptions by the hamlet they carry (a hamlet moving to another
    commune moves nothing here: its visits keep its id)."""
    for rows in (Visit.all_objects, Adoption.objects):
        rows.filter(household_id=household_id).exclude(hamlet_id=hamlet_id).update(hamlet_id=hamlet_id)


def _difference(before, after):
    delta = defaultdict(int)
    for key, n in after.items():
        delta[key] += n
    for key, n in before.items():
        delta[key] -= n
    return {key: n for key, n in delta.items() if n}


def counters_apply(before, after, *, flows=None, province_ids=()):
    """Add `after - before` to the counters: rows at each event day are created, later rows shifted;
    and the difference of `flows` ((before, after) of a household in `province_ids`) to the period figures.

    Locks the rows of the provinces concerned, in id order (after the
    household's lock): a province's counter writers queue for the few
    milliseconds of the shift, so a row created for a day cannot miss a
    concurrent writer's delta and no update is lost; with one kind of lock
    taken in one order, no deadlock either. Rebuilds and hamlet moves take
    the same lock.
    """
    delta = _difference(before, after)
    flows_delta = _difference(*flows) if flows else {}
    if not delta and not flows_delta:
        return
    with transaction.atomic(savepoint=False):
        provinces_lock({*province_ids, *(province_id for province_id, _h, _f, _d, _k in delta)})
        # Read once the lock is held, in a statement of its own (a fresh snapshot): a hamlet moving to
        # another commune takes the same lock before the communes' sums are redone.
        commune_of = _communes_of({hamlet_id for _p, hamlet_id, *_rest in delta} | {key[0] for key in flows_delta})
        # On PostgreSQL the period figures' insert comes back as a statement, run with the shift's.
        flows_rows = flows_changes(flows_delta, commune_of) if flows_delta else {}
        flows_statement = flows_apply(flows_rows)
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
        # A series reaching far back waits in the queue, drained after the response (`teams.counters_queue`).
        series, queued = series_split(series, timezone.localdate())
        shifts_queue(queued)
        counters_shift(series, also=[flows_statement] if flows_statement else [])
        if connection.vendor == "postgresql":
            flows_emptied(flows_rows)


def counters_shift(series, also=()):
    """Add each series' deltas to its rows from their days on: on PostgreSQL set-based, in one statement with
    `also` (the period figures' insert), one round trip whatever the days; elsewhere row by row."""
    if connection.vendor == "postgresql":
        counters_shift_sql(LEVELS, series, also=also)
    elif series:
        counters_shift_rows(LEVELS, series)


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
