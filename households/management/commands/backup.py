from django.core.management.base import BaseCommand
from django.utils import timezone

from households.backup import database_backup


class Command(BaseCommand):
    help = "Back up the database: SQLite online copy, or pg_dump --format=custom for PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write; default backups/gocua-<date-time>.<ext>.")

    def handle(self, *args, output=None, **options):
        from django.db import connection

        extension = "sqlite3" if connection.vendor == "sqlite" else "dump"
        output = output or f"backups/gocua-{timezone.localtime():%Y%m%d-%H%M%S}.{extension}"
        path = database_backup(path=output)
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size:,} bytes).")
