from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from households.backup import database_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="SQLite only: overwrite a database that has data.")

    def handle(self, *args, file, force=False, **options):
        tables = connection.introspection.table_names()
        if tables and not (force and connection.vendor == "sqlite"):
            raise CommandError(
                "The database is not empty. Restore into a new, empty database "
                "(PostgreSQL: createdb, then point DATABASE_URL at it)."
            )
        database_restore(path=file)
        self.stdout.write(f"Restored {file}.")
