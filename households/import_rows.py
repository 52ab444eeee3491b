"""What an import preview is made of, for households and hamlets alike: each row's outcome and the counts."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ImportRecord
from .search import normalize


class Outcome(models.TextChoices):
    NEW = "new", _("new")
    UPDATE = "update", _("update")
    UNCHANGED = "unchanged", _("unchanged")
    DUPLICATE = "duplicate", _("likely duplicate")
    ERROR = "error", _("error")


@dataclass
class RowResult:
    number: int  # the row's number in the file (the header is row 1)
    outcome: str = Outcome.NEW
    label: str = ""  # what the row is, as the importer recognises it
    messages: list = field(default_factory=list)  # errors, or why a row looks like a duplicate
    changes: list = field(default_factory=list)  # for an update: what changes, in words
    values: dict = field(default_factory=dict)  # cleaned values, for the confirmation
    target: object = None  # the stored row a match found

    def error(self, message):
        self.outcome = Outcome.ERROR
        self.messages.append(str(message))


@dataclass
class Preview:
    rows: list
    file_errors: list = field(default_factory=list)  # the whole file is refused (nothing to confirm)

    @property
    def counts(self):
        counts = Counter(row.outcome for row in self.rows)
        return {outcome.value: counts.get(outcome.value, 0) for outcome in Outcome}

    @property
    def refused(self):
        return bool(self.file_errors)


YES = {"co", "x", "1", "yes", "true", "dong y", "da dong y", "phai"}
NO = {"khong", "0", "no", "false", "chua", "chua dong y", "khong dong y"}


def yes_no(text):
    """True, False, or None for an empty cell; ValueError otherwise."""
    key = normalize(text)
    if not key:
        return None
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueError(text)


def yes_no_label(value):
    return str(_("Yes") if value else _("No"))


def record_confirming(record, read, *, skip_errors):
    """(the upload's row locked for its confirmation, its preview as `read(record)` gives it), in the caller's
    transaction; a ValidationError when it was confirmed already, is refused, or has errors not to be skipped."""
    record = ImportRecord.objects.select_for_update().get(pk=record.pk)
    if record.confirmed_at is not None:
        raise ValidationError(gettext("This file has already been imported."))
    preview = read(record)
    if preview.refused:
        raise ValidationError(preview.file_errors)
    if preview.counts[Outcome.ERROR] and not skip_errors:
        raise ValidationError(gettext("Some rows have errors: fix the file, or choose to import the other rows."))
    return record, preview


def record_confirmed(record, counts):
    """The upload becomes its audit entry: the counts stay, the file goes.

    Rows left out: likely duplicates the importer did not tick, and rows in error (stored only when the
    importer chose to import the others).
    """
    duplicates = counts.get(Outcome.DUPLICATE, 0) - counts.get("imported_duplicates", 0)
    record.counts = {**counts, "skipped": duplicates + counts.get(Outcome.ERROR, 0)}
    record.confirmed_at = timezone.now()
    record.content = b""
    record.save(update_fields=["counts", "confirmed_at", "content"])
