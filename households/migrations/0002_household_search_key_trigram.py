"""A trigram index for the field list's substring search, on PostgreSQL only.

The list filters `search_key LIKE '%word%'` (households.lookup); a btree
index cannot serve a leading wildcard, a pg_trgm GIN index can. SQLite has
no such index type and its team-sized scans stay small, so it gets nothing.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS household_search_key_trgm "
        "ON households_household USING gin (search_key gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS household_search_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
