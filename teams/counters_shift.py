"""The counter shift done by PostgreSQL, set-based: a late visit costs a few statements, not a row each.

`teams.counters.counters_apply` adds a delta to every counter row of a
series from the event's day on. Read into Python and written back one row
at a time, a visit dated D days back moves ~2.6 D rows of ~100 keys each
through the connection (issue 17: 300 days back, 14× the trivial page).
Here the three levels go in one statement whatever D is, two parts each
(data-modifying WITH parts, which all see the rows as they were before it):

1. an INSERT of the rows missing at the event days, each the series' latest
   row before that day (the figures as of that day) plus the running delta
   of the interval it starts;
2. an UPDATE that adds, to the existing rows of each interval between event days,
   the running delta of that interval, key by key, in jsonb:
   `figures || jsonb_build_object(key, old + n, ...)` with a zero made null
   and stripped, so zeros stay left out as the key scheme wants.

Exact as the Python shift is (`tests/counter_checks.py` holds both equal to a
rebuild: the suite runs this on PostgreSQL, the Python shift on SQLite).
Runs under the provinces' counter lock that `counters_apply` takes. The
row-by-row shift that SQLite uses (`counters_shift_rows`) stands below it,
with the helpers the counters' rebuild shares (`figures_add`, `figures_update`).
"""

import json
from datetime import date

from django.db import connection


def _intervals(by_day):
    """[(from day, to day or None, running delta)] of one series: `by_day` summed up to each event day.

    An interval whose running delta is nil is kept: the row at its first day
    must exist, or the days after it would read the shifted row before it.
    """
    days = sorted(by_day)
    running, result = {}, []
    for index, day in enumerate(days):
        for key, n in by_day[day].items():
            running[key] = running.get(key, 0) + n
        delta = {key: n for key, n in running.items() if n}
        result.append((day, days[index + 1] if index + 1 < len(days) else None, delta))
    return result


def _insert_sql(level, rows):
    """The rows missing at the intervals' first days: each the series' latest row before that day (the
    figures as of that day) plus the interval's running delta, zeros stripped. The UPDATE beside it in the
    same statement sees the rows as they were before it, so it adds to the rows that existed only."""
    table, unit = level.table, level.unit_column
    province = connection.ops.quote_name("province_id")
    columns = [province] if unit == province else [province, unit]
    values = ", ".join(["(%s::bigint, %s::bigint, %s::boolean, %s::date, %s::jsonb)"] * rows)
    added = (
        "COALESCE((SELECT jsonb_object_agg(d.key, NULLIF(COALESCE((b.figures ->> d.key)::bigint, 0)"
        " + d.value::bigint, 0)) FROM jsonb_each_text(v.delta) d), '{}'::jsonb)"
    )
    return (
        f"INSERT INTO {table} ({', '.join(columns)}, priority_only, day, figures) "
        f"SELECT {'v.province_id' if unit == province else 'v.province_id, v.unit_id'}, v.flag, v.day, "
        f"jsonb_strip_nulls(b.figures || {added}) "
        f"FROM (VALUES {values}) AS v(province_id, unit_id, flag, day, delta) "
        f"CROSS JOIN LATERAL (SELECT COALESCE((SELECT p.figures FROM {table} p WHERE p.{unit} = v.unit_id "
        f"AND p.priority_only = v.flag AND p.day < v.day ORDER BY p.day DESC LIMIT 1), '{{}}'::jsonb) AS figures) b "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} e WHERE e.{unit} = v.unit_id AND e.priority_only = v.flag "
        f"AND e.day = v.day)"
    )


def _update_sql(level, intervals):
    """(statement, parameters) adding to the rows of each interval ((unit, flag, from, to or None, delta)) its
    delta, with the delta's keys written out: `figures || jsonb_build_object(key, old + n, ...)`, which
    PostgreSQL evaluates three to five times faster per row than aggregating the delta's keys row by row.
    A sum that comes to zero is made null (`NULLIF`) and stripped, so zeros stay left out: any delta can
    make one, as a row may hold a negative figure while the positive change before it waits in the queue
    (`teams.counters_queue`)."""
    table, unit = level.table, level.unit_column
    cases, case_params, conditions, condition_params = [], [], [], []
    for unit_id, flag, low, high, delta in intervals:
        condition = f"(t.{unit} = %s::bigint AND t.priority_only = %s::boolean AND t.day >= %s::date"
        condition += " AND t.day < %s::date)" if high else ")"
        bounds = [unit_id, flag, low, *([high] if high else [])]
        items, item_params = [], []
        for key, n in sorted(delta.items()):
            added = "COALESCE((t.figures ->> %s::text)::bigint, 0) + %s::bigint"
            items.append(f"%s::text, NULLIF({added}, 0)")
            item_params += [key, key, n]
        # A function takes at most 100 arguments: 40 keys per jsonb_build_object.
        built = [f"jsonb_build_object({', '.join(items[i : i + 40])})" for i in range(0, len(items), 40)]
        merged = f"jsonb_strip_nulls({' || '.join(['t.figures', *built])})"
        cases.append(f"WHEN {condition} THEN {merged}")
        case_params += bounds + item_params
        conditions.append(condition)
        condition_params += bounds
    statement = f"UPDATE {table} t SET figures = CASE {' '.join(cases)} END WHERE {' OR '.join(conditions)}"
    return statement, case_params + condition_params


def counters_shift_sql(levels, series, also=()):
    """Add each series' deltas to its rows from their days on. `series`: {(level, province, unit, priority
    flag): {day: {key: n}}}, as `counters_apply` builds it; `also`: more (statement, parameters) to run in the
    same statement, on other tables (the period figures' insert)."""
    parts, params = [], []
    for statement, statement_params in also:
        parts.append(statement)
        params += statement_params
    for level in levels:
        inserts, updates = [], []
        for (of_level, province_id, unit_id, flag), by_day in series.items():
            if of_level != level:
                continue
            for low, high, delta in _intervals(by_day):
                inserts += [province_id, unit_id, flag, low, json.dumps(delta)]
                if delta:
                    updates.append((unit_id, flag, low, high, delta))
        if inserts:
            parts.append(_insert_sql(level, len(inserts) // 5))
            params += inserts
        if updates:
            statement, update_params = _update_sql(level, updates)
            parts.append(statement)
            params += update_params
    if parts:
        # One statement, one round trip: every part sees the rows as they were before it.
        steps = ", ".join(f"s{index} AS ({part})" for index, part in enumerate(parts))
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {steps} SELECT 1", params)


# The row-by-row shift (SQLite; and its helpers, which the rebuild shares).


def sql_date(value):
    # SQLite hands dates back as text from plain SQL.
    return date.fromisoformat(value) if isinstance(value, str) else value


def figures_add(figures, delta):
    """`figures` plus `delta` ({key: n} both), zeros left out."""
    result = dict(figures)
    for key, n in delta.items():
        value = result.get(key, 0) + n
        if value:
            result[key] = value
        else:
            result.pop(key, None)
    return result


def counters_shift_rows(levels, series):
    """The shift row by row: each series' rows read, added to in Python and written back."""
    found = _stored_rows(series)
    for level in levels:
        changed, new = [], []
        for (of_level, province_id, unit_id, flag), by_day in series.items():
            if of_level == level:
                _shift(level, province_id, unit_id, flag, by_day, found[(level, unit_id, flag)], changed, new)
        figures_update(level, changed)
        level.model.objects.bulk_create(new)


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
            found[keys[index]].append((pk, sql_date(day), figures))
    return found


def figures_update(level, changed):
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
            running = figures_add(running, by_day[day])
        row = existing.get(day)
        if row is None:
            new.append(level.row(province_id, unit_id, flag, day, figures_add(figures_before, running)))
        else:
            pk, figures_before = row
            changed.append((pk, figures_add(figures_before, running)))
