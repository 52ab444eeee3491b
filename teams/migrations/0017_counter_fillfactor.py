"""Room on each page of the counter and period-figure tables for a row's next version (PostgreSQL).

A visit rewrites its day's counter rows, a late one every row of its series from its day on: with full
pages each new version goes to another page and every index of the table takes a new entry. With room
left on the page the update is a heap-only tuple (HOT): no index entry, a third of the WAL, and the old
version is pruned on the page by the next reader. Rows written from now on leave that room; rows already
stored move to pages with room the first time they are rewritten (or at once with `VACUUM FULL`).
"""

from django.db import migrations

FILLFACTOR = {
    "teams_coverageday": 70,
    "teams_communecoverageday": 70,
    # A province's rows are a few hundred, all of one series rewritten together by a late visit.
    "teams_provincecoverageday": 50,
    "teams_periodfigures": 70,
}


def fillfactor_set(apps, schema_editor, *, reset=False):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.connection.ops.quote_name
    for table, percent in FILLFACTOR.items():
        setting = "RESET (fillfactor)" if reset else f"SET (fillfactor = {percent})"
        schema_editor.execute(f"ALTER TABLE {quote(table)} {setting}")


def fillfactor_reset(apps, schema_editor):
    fillfactor_set(apps, schema_editor, reset=True)


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0016_adoption_people_helped"),
    ]

    operations = [
        migrations.RunPython(fillfactor_set, fillfactor_reset),
    ]
