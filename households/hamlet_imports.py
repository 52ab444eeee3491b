"""Importing hamlets: each row says which commune it goes to; a code is never padded into another commune.

Columns: commune code (the GSO's five digits; optional for a commune
official, whose commune it is), hamlet name, hamlet code (optional: made
from the name). A known code with a new name is a rename, shown and stored
as an update. The page (households.import_views) and `manage.py
import_hamlets` both use `hamlets_preview` and `hamlets_import_confirm`.
"""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .import_files import Column, columns_match, mapping_errors, table_read
from .import_rows import Outcome, Preview, RowResult, record_confirmed, record_confirming
from .models import Commune, Hamlet, ImportRecord
from .search import normalize

COLUMNS = (
    Column("commune", gettext_lazy("Commune code"), ("ma xa", "ma xa/phuong", "ma phuong", "ma don vi", "ma dvhc")),
    Column(
        "name", gettext_lazy("Hamlet name"), ("ten ap", "ap", "ten thon", "thon", "ten ap/khom", "ten"), required=True
    ),
    Column("code", gettext_lazy("Hamlet code"), ("ma ap", "ma thon", "ma khom")),
)
NAME_MAX = Hamlet._meta.get_field("name").max_length
CODE_MAX = Hamlet._meta.get_field("code").max_length


def hamlet_code_from_name(name):
    return "-".join(normalize(name).split())[:CODE_MAX]


def hamlets_preview(*, content, file_name, communes, commune=None, remembered=None):
    """Every row's outcome; `communes` the importer's, `commune` the one rows without a commune code go to."""
    table = table_read(content=content, file_name=file_name)
    mapping = columns_match(table.headers, COLUMNS, remembered)
    missing = mapping_errors(mapping, COLUMNS)
    if commune is None and "commune" not in mapping.values():
        missing.append(
            _("The file needs a “%(column)s” column: which commune each hamlet belongs to.")
            % {"column": COLUMNS[0].label}
        )
    if missing:
        return Preview([], missing), table, mapping
    index = next((i for i, key in mapping.items() if key == "commune"), None)
    codes = {cells[index] for _number, cells in table.rows if index is not None and index < len(cells)}
    known = {c.code: c for c in communes.filter(code__in=codes)} if codes else {}
    if commune is not None:
        known[commune.code] = commune
    stored = {(h.commune_id, h.code): h for h in Hamlet.objects.filter(commune__in=[c.pk for c in known.values()])}
    seen, rows = {}, []
    for number, cells in table.rows:
        raw = {key: cells[index] if index < len(cells) else "" for index, key in mapping.items()}
        row = RowResult(number)
        rows.append(row)
        target_commune = _commune_of(row, raw.get("commune", ""), known, commune)
        name = raw.get("name", "")
        if not name:
            row.error(_("The hamlet name is empty."))
        elif len(name) > NAME_MAX:
            row.error(_("The hamlet name is longer than %(max)s characters.") % {"max": NAME_MAX})
        code = raw.get("code") or hamlet_code_from_name(name)
        if len(code) > CODE_MAX:
            row.error(_("The hamlet code is longer than %(max)s characters.") % {"max": CODE_MAX})
        if target_commune is None or row.outcome == Outcome.ERROR:
            row.label = " · ".join(c for c in cells if c)[:120]
            continue
        row.label = _("%(hamlet)s (code %(code)s) → %(commune)s, code %(commune_code)s") % {
            "hamlet": name,
            "code": code,
            "commune": target_commune.name,
            "commune_code": target_commune.code,
        }
        key = (target_commune.pk, code)
        if key in seen:
            row.error(_("The hamlet code “%(code)s” is repeated from row %(row)s.") % {"code": code, "row": seen[key]})
            continue
        seen[key] = number
        row.values = {"commune": target_commune, "name": name, "code": code}
        hamlet = stored.get(key)
        if hamlet is None:
            row.outcome = Outcome.NEW
        elif hamlet.name == name:
            row.outcome = Outcome.UNCHANGED
        else:
            row.outcome, row.target = Outcome.UPDATE, hamlet
            row.changes = [_("renamed: %(old)s → %(new)s") % {"old": hamlet.name, "new": name}]
    return Preview(rows), table, mapping


def _commune_of(row, code, known, default):
    """The commune a row goes to, or None with the reason on the row."""
    if not code:
        if default is None:
            row.error(_("The commune code is empty."))
        return default
    if not code.isdigit() or len(code) != 5:
        # Never padded: 1234 is not 01234, which is a commune of another province.
        row.error(
            _(
                "The commune code “%(code)s” is not 5 digits. If Excel dropped its leading zeros, "
                "format the column as text and type the code again."
            )
            % {"code": code}
        )
        return None
    commune = known.get(code)
    if commune is None:
        row.error(_("No commune you may import into has the code %(code)s.") % {"code": code})
    elif default is not None and commune != default:
        row.error(_("The commune code %(code)s is not that of %(commune)s.") % {"code": code, "commune": default.name})
        return None
    return commune


def hamlets_store(preview):
    """Create the new hamlets and rename the renamed ones, in one transaction; returns the counts."""
    with transaction.atomic():
        new = [
            Hamlet(province_id=r.values["commune"].province_id, **r.values)
            for r in preview.rows
            if r.outcome == Outcome.NEW
        ]
        Hamlet.objects.bulk_create(new, batch_size=1000)
        for row in preview.rows:
            if row.outcome == Outcome.UPDATE:
                Hamlet.objects.filter(pk=row.target.pk).update(name=row.values["name"])
    return preview.counts


def hamlets_import_confirm(*, record, communes, skip_errors=False):
    """Store an uploaded hamlet list, read again; the record becomes the audit entry. Returns the preview."""
    with transaction.atomic():
        record, preview = record_confirming(
            record,
            lambda record: hamlets_preview(
                content=bytes(record.content),
                file_name=record.file_name,
                communes=communes,
                commune=record.commune,
                remembered=record.column_map,
            )[0],
            skip_errors=skip_errors,
        )
        record_confirmed(record, hamlets_store(preview))
    return preview


def hamlets_import_path(path, *, user=None):
    """`manage.py import_hamlets`: preview a file and, when no row is in error, store it (all or nothing)."""
    with open(path, "rb") as f:
        content = f.read()
    communes = Commune.objects.all()
    preview, _table, _mapping = hamlets_preview(content=content, file_name=str(path), communes=communes)
    if preview.refused or preview.counts[Outcome.ERROR]:
        return preview, None
    record = ImportRecord.objects.create(
        token=uuid.uuid4(),
        kind=ImportRecord.Kind.HAMLETS,
        user=user,
        file_name=str(path)[-200:],
        content=content,
    )
    return hamlets_import_confirm(record=record, communes=communes), record
