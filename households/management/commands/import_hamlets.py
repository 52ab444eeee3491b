from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from households.hamlet_imports import hamlets_import_path
from households.import_rows import Outcome


class Command(BaseCommand):
    help = (
        "Import hamlets from a CSV or xlsx file (columns: commune code, hamlet name[, hamlet code]), "
        "with the import page's engine. All rows or none; each row says which commune it goes to."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        with translation.override("vi"):
            self._import(file)

    def _import(self, file):
        try:
            preview, record = hamlets_import_path(file)
        except OSError as e:
            raise CommandError(_("Cannot open %(file)s: %(error)s") % {"file": file, "error": e.strerror}) from e
        except ValidationError as e:
            raise CommandError(f"{file}: {' '.join(e.messages)}") from e
        for message in preview.file_errors:
            self.stderr.write(f"{file}: {message}")
        for row in preview.rows:
            outcome = Outcome(row.outcome).label
            detail = "; ".join(str(m) for m in [*row.messages, *row.changes])
            line = f"{file}:{row.number}: {outcome}: {row.label}" + (f" ({detail})" if detail else "")
            (self.stderr if row.outcome == Outcome.ERROR else self.stdout).write(line)
        if record is None:
            errors = preview.counts[Outcome.ERROR] or len(preview.file_errors)
            raise CommandError(_("%(count)s errors; nothing was imported.") % {"count": errors})
        counts = preview.counts
        self.stdout.write(
            _("%(new)s hamlets added, %(update)s renamed, %(unchanged)s unchanged.")
            % {"new": counts[Outcome.NEW], "update": counts[Outcome.UPDATE], "unchanged": counts[Outcome.UNCHANGED]}
        )
