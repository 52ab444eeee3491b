"""A reporting period's flows per hamlet, kept by the writes: the monthly report's read (DESIGN.md "Monthly report").

The report shows, per row and period, the visits made, the households
visited (distinct) and the first adoptions of each service. Visits and
adoptions are per-day sums, but households visited is a distinct count over
the period: it cannot be summed from days, and counting it at read time
scans every visit of the period (a province's month at 1M households: 250,000
index entries). So each hamlet keeps one `PeriodFigures` row per period that
has anything, for both reporting conventions and every kind of period (month,
quarter, year): `figures` maps "v" visits, "d" households visited and
"n<service id>" first adoptions to counts, zeros left out. Each commune keeps
the sums of its hamlets' rows (a household's visits all carry its hamlet, so
distinct households add up): a province's report reads a row per commune.

A household's *flows* are the counts it puts in those rows: its counted
(not voided) visits per day, 1 "d" per period with a visit, 1 "n…" in the
period of each first adoption; under the hamlet it is in now (its visits and
adoption rows carry that hamlet, `teams.counters.hamlet_keys_follow`), whether
active or not. `teams.counters` computes them before and after every write
that changes a household's visits or hamlet, with the counters, and applies
the difference under the same province lock, to the hamlet's row and its
commune's; `period_figures_rebuild` recomputes a commune's rows from the base
tables, `period_rollups_rebuild` a province's communes' from their hamlets'
(after a hamlet moves), and the tests hold them equal.

The periods' boundaries live here (teams cannot import coverage); coverage.periods
names and dates them.
"""

import json
from collections import defaultdict
from datetime import date
from functools import lru_cache

from django.db import connection

from households.models import Hamlet

from .counter_models import PeriodFigures
from .models import Adoption, Visit

DECREE_09 = "decree_09_2019"
CALENDAR = "calendar"
CONVENTIONS = (DECREE_09, CALENDAR)
MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
VISITS, HOUSEHOLDS = "v", "d"
HAMLET, COMMUNE = "h", "c"  # the level of a row: its unit is a hamlet or a commune


def new_key(service_id):
    return f"n{service_id}"


def month_start(year, month):
    """The first day of a month given as possibly out-of-range month numbers (0 → December before)."""
    index = year * 12 + month - 1
    return date(index // 12, index % 12 + 1, 1)


def containing(day, *, convention, kind):
    """(year, number) of the period of `kind` under `convention` that counts `day`: under Decree 09/2019,
    from the 15th on a day counts in the next month's report."""
    year, month = day.year, day.month
    if convention == DECREE_09 and day.day >= 15:
        following = month_start(year, month + 1)
        year, month = following.year, following.month
    if kind == MONTH:
        return year, month
    if kind == QUARTER:
        return year, (month - 1) // 3 + 1
    return year, 1


def period_key(kind, year, number):
    """ "2026-11", "2026-Q4" or "2026"."""
    if kind == MONTH:
        return f"{year}-{number:02d}"
    if kind == QUARTER:
        return f"{year}-Q{number}"
    return f"{year}"


@lru_cache(maxsize=8192)
def periods_of(day):
    """The (convention, period key) of every period that counts `day`: six."""
    return tuple(
        (convention, period_key(kind, *containing(day, convention=convention, kind=kind)))
        for convention in CONVENTIONS
        for kind in KINDS
    )


def flows(hamlet_id, visits, adopted_on, events=None):
    """{(hamlet, convention, period key, figure key): n} for one household.

    `visits`: {visited on: counted visits that day}; `adopted_on`: {service id: first adopted on or None}.
    """
    events = events if events is not None else defaultdict(int)
    visited = set()
    for day, n in visits.items():
        for period in periods_of(day):
            events[(hamlet_id, *period, VISITS)] += n
            visited.add(period)
    for period in visited:
        events[(hamlet_id, *period, HOUSEHOLDS)] += 1
    for service_id, day in adopted_on.items():
        if day is not None:
            for period in periods_of(day):
                events[(hamlet_id, *period, new_key(service_id))] += 1
    return events


def flows_apply(changes):
    """Add `changes` (`flows_changes`: {(level, unit, convention, period key): {figure key: n}}) to the
    hamlets' and communes' rows.

    The caller holds the lock of the provinces concerned (`teams.counters.counters_apply`), so no other
    writer comes in between. On PostgreSQL it returns the (statement, parameters) of an insert that adds to
    the row already there, key by key in jsonb, as the counters' shift does, for the caller to run in the
    shift's statement, and `flows_emptied` deletes after it the rows a negative change emptied; SQLite reads
    the rows, adds in Python and writes them back, and it returns None.
    """
    if not changes:
        return None
    if connection.vendor == "postgresql":
        return _add_sql(changes)
    _add_rows(changes)
    return None


def flows_changes(delta, commune_of):
    """{(level, unit, convention, period key): {figure key: n}} of a flows delta, at both levels, zeros left out."""
    by_row = defaultdict(lambda: defaultdict(int))
    for (hamlet_id, convention, key, name), n in delta.items():
        by_row[(HAMLET, hamlet_id, convention, key)][name] += n
        by_row[(COMMUNE, commune_of[hamlet_id], convention, key)][name] += n
    changes = {row: {name: n for name, n in change.items() if n} for row, change in by_row.items()}
    return {row: change for row, change in changes.items() if change}


def _add_sql(changes):
    table = connection.ops.quote_name(PeriodFigures._meta.db_table)
    values = ", ".join(["(%s, %s::integer, %s, %s, %s::jsonb)"] * len(changes))
    params = [p for row, change in changes.items() for p in (*row, json.dumps(change))]
    statement = (
        f"INSERT INTO {table} AS t (level, unit_id, convention, period_key, figures) VALUES {values}"
        " ON CONFLICT (level, unit_id, convention, period_key) DO UPDATE SET figures = jsonb_strip_nulls("
        "t.figures || (SELECT jsonb_object_agg(d.key, NULLIF(COALESCE((t.figures ->> d.key)::bigint, 0)"
        " + d.value::bigint, 0)) FROM jsonb_each_text(EXCLUDED.figures) d))"
    )
    return statement, params


def flows_emptied(changes):
    """PostgreSQL: delete the rows that changes with negative numbers (a visit voided, moved or deleted)
    emptied, once their insert (`flows_apply`) has run, in a statement of its own that sees its result."""
    lowered = [row for row, change in changes.items() if any(n < 0 for n in change.values())]
    if not lowered:
        return
    table = connection.ops.quote_name(PeriodFigures._meta.db_table)
    keys = ", ".join(["(%s, %s::integer, %s, %s)"] * len(lowered))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE figures = '{{}}'::jsonb"
            f" AND (level, unit_id, convention, period_key) IN ({keys})",
            [p for row in lowered for p in row],
        )


def _add_rows(changes):
    stored = {
        (row.level, row.unit_id, row.convention, row.period_key): row
        for row in PeriodFigures.objects.filter(
            level__in={k[0] for k in changes},
            unit_id__in={k[1] for k in changes},
            convention__in={k[2] for k in changes},
            period_key__in={k[3] for k in changes},
        )
    }
    written, emptied = [], []
    for (level, unit_id, convention, key), change in changes.items():
        row = stored.get((level, unit_id, convention, key)) or PeriodFigures(
            level=level, unit_id=unit_id, convention=convention, period_key=key, figures={}
        )
        figures = dict(row.figures)
        for name, n in change.items():
            figures[name] = figures.get(name, 0) + n
        row.figures = {name: n for name, n in figures.items() if n}
        (written if row.figures else emptied).append(row)
    if emptied:
        PeriodFigures.objects.filter(pk__in=[row.pk for row in emptied if row.pk]).delete()
    PeriodFigures.objects.bulk_create(
        written,
        update_conflicts=True,
        unique_fields=["level", "unit_id", "convention", "period_key"],
        update_fields=["figures"],
    )


def _sums(rows, commune_of):
    """{(COMMUNE, commune id, convention, period key): figures} summed from hamlet rows ((hamlet, convention,
    period key, figures))."""
    sums = defaultdict(lambda: defaultdict(int))
    for hamlet_id, convention, key, figures in rows:
        total = sums[(COMMUNE, commune_of[hamlet_id], convention, key)]
        for name, n in figures.items():
            total[name] += n
    return {key: {name: n for name, n in figures.items() if n} for key, figures in sums.items()}


def _replace(stored, wanted):
    """Make the `stored` rows equal to `wanted` ({(level, unit, convention, key): figures}): insert the
    missing, update the changed, delete the stale; returns how many rows were written."""
    return _differences(stored, wanted)()


def _differences(stored, wanted):
    """What makes the `stored` rows equal to `wanted`, read now and written when called (the rows written)."""
    found = {(row.level, row.unit_id, row.convention, row.period_key): row for row in stored}
    new, changed = [], []
    for (level, unit_id, convention, key), figures in wanted.items():
        if not figures:
            continue
        row = found.pop((level, unit_id, convention, key), None)
        if row is None:
            new.append(
                PeriodFigures(level=level, unit_id=unit_id, convention=convention, period_key=key, figures=figures)
            )
        elif row.figures != figures:
            row.figures = figures
            changed.append(row)

    def write():
        if found:
            PeriodFigures.objects.filter(pk__in=[row.pk for row in found.values()]).delete()
        PeriodFigures.objects.bulk_create(new, batch_size=2000)
        PeriodFigures.objects.bulk_update(changed, ["figures"], batch_size=2000)
        return len(new) + len(changed) + len(found)

    return write


def period_figures_rebuild(commune_id):
    """Recompute the rows of a commune and its hamlets from the visits and adoption rows; write only the
    differences. The caller holds the province's lock. Returns the number of rows written."""
    write, _corrections = period_figures_differences(commune_id)
    return write()


def period_figures_differences(commune_id):
    """(write, corrections): what `period_figures_rebuild` writes, read and computed now, written when
    `write` is called (returns the rows written); `corrections()` returns the same as {(level, unit,
    convention, period key): {figure key: n}} to add to the rows read (`flows_apply`), to rows that writers
    may have changed since (`teams.counters_rebuild`)."""
    hamlet_ids = list(Hamlet.objects.filter(commune_id=commune_id).values_list("pk", flat=True))
    visits, adopted_on, hamlet_of = defaultdict(dict), defaultdict(dict), {}
    counted = (
        Visit.objects.filter(hamlet_id__in=hamlet_ids).values_list("household_id", "hamlet_id", "visited_on").order_by()
    )
    for household_id, hamlet_id, visited_on in counted.iterator(chunk_size=10000):
        hamlet_of[household_id] = hamlet_id
        visits[household_id][visited_on] = visits[household_id].get(visited_on, 0) + 1
    adoptions = Adoption.objects.filter(hamlet_id__in=hamlet_ids, first_adopted_on__isnull=False).values_list(
        "household_id", "hamlet_id", "service_id", "first_adopted_on"
    )
    for household_id, hamlet_id, service_id, first_adopted_on in adoptions.order_by().iterator(chunk_size=10000):
        hamlet_of[household_id] = hamlet_id
        adopted_on[household_id][service_id] = first_adopted_on
    events = defaultdict(int)
    for household_id, hamlet_id in hamlet_of.items():
        flows(hamlet_id, visits.get(household_id, {}), adopted_on.get(household_id, {}), events)
    hamlet_rows = defaultdict(dict)
    for (hamlet_id, convention, key, name), n in events.items():
        if n:
            hamlet_rows[(hamlet_id, convention, key)][name] = n
    wanted = {(HAMLET, *key): figures for key, figures in hamlet_rows.items()}
    wanted |= _sums(((*key, figures) for key, figures in hamlet_rows.items()), dict.fromkeys(hamlet_ids, commune_id))
    stored = PeriodFigures.objects.filter(level=HAMLET, unit_id__in=hamlet_ids) | PeriodFigures.objects.filter(
        level=COMMUNE, unit_id=commune_id
    )
    stored = list(stored)
    # Read first: `_differences` gives the rows it changes the wanted figures.
    found = {(row.level, row.unit_id, row.convention, row.period_key): row.figures for row in stored}
    return _differences(stored, wanted), lambda: _corrections(found, wanted)


def _corrections(found, wanted):
    corrections = {}
    for row in found.keys() | wanted.keys():
        want, have = wanted.get(row, {}), found.get(row, {})
        change = {name: n for name in want.keys() | have.keys() if (n := want.get(name, 0) - have.get(name, 0))}
        if change:
            corrections[row] = change
    return corrections


def period_rollups_rebuild(province_id):
    """Recompute the rows of a province's communes from their hamlets' (after a hamlet moves to another
    commune). The caller holds the province's lock. Returns the number of rows written."""
    commune_of = dict(Hamlet.objects.filter(province_id=province_id).values_list("pk", "commune_id"))
    rows = PeriodFigures.objects.filter(level=HAMLET, unit_id__in=list(commune_of)).values_list(
        "unit_id", "convention", "period_key", "figures"
    )
    wanted = _sums(rows.iterator(chunk_size=5000), commune_of)
    communes = set(commune_of.values())
    return _replace(PeriodFigures.objects.filter(level=COMMUNE, unit_id__in=communes), wanted)


def period_figures_read(level, unit_ids, *, convention, key):
    """{unit id: figures} of one period, for the hamlets (`HAMLET`) or communes (`COMMUNE`) given.

    Raw SQL on PostgreSQL for one reason: the ids go as one array parameter, which costs nothing to
    build; Django's IN list of 1,500 parameters took a tenth of a report to build.
    """
    if not unit_ids:
        return {}
    if connection.vendor != "postgresql":
        rows = PeriodFigures.objects.filter(level=level, unit_id__in=unit_ids, convention=convention, period_key=key)
        return dict(rows.values_list("unit_id", "figures"))
    table = connection.ops.quote_name(PeriodFigures._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT unit_id, figures::text FROM {table}"
            " WHERE level = %s AND unit_id = ANY(%s) AND convention = %s AND period_key = %s",
            [level, list(unit_ids), convention, key],
        )
        field = PeriodFigures._meta.get_field("figures")
        return {unit_id: field.from_db_value(text, None, connection) for unit_id, text in cursor.fetchall()}
