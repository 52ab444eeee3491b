from django.core.management.base import BaseCommand, CommandError

from households.divisions import hamlets_import_file


class Command(BaseCommand):
    help = "Import hamlets from a UTF-8 CSV: commune code, hamlet name[, code]. All rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            report = hamlets_import_file(file)
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"Cannot read {file}: {e}") from e
        if report.errors:
            for line, message in report.errors:
                self.stderr.write(f"{file}:{line}: {message}")
            raise CommandError(f"{len(report.errors)} bad rows; nothing was imported.")
        self.stdout.write(f"{report.created} hamlets imported, {report.unchanged} already there.")
