"""Importing a commune's household lists: each row read, matched to the register, and stored on confirmation.

Matching (DESIGN.md, "Bulk import"): by the commune's household code when
the row has one, otherwise by the head's name and the address, accents and
case ignored, within the hamlet. A matched row is an update when it changes
something and unchanged otherwise, so re-importing a file changes nothing.
A row whose name and address are those of another row of the file, or of a
household that carries another code, is a likely duplicate: the importer
decides. Nothing is written before `households_import_confirm`, which reads
the file again and stores every row in one transaction through
`households.registry.households_import`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .import_files import Column, columns_match, forbidden_columns, forbidden_message, mapping_errors, table_read
from .import_rows import Outcome, Preview, RowResult, record_confirmed, record_confirming, yes_no, yes_no_label
from .models import Household
from .registry import households_import
from .search import normalize
from .validators import reject_control_characters, vietnamese_phone

COLUMNS = (
    Column("code", gettext_lazy("Household code"), ("ma ho", "ma ho gia dinh", "ma so ho", "ma", "stt ho")),
    Column(
        "hamlet",
        gettext_lazy("Hamlet"),
        ("ap", "thon", "khom", "ap/khom", "ten ap", "khu vuc", "to dan pho", "ap, khom", "thon/ap"),
        required=True,
    ),
    Column(
        "head_name",
        gettext_lazy("Head of household"),
        ("ho ten chu ho", "chu ho", "ten chu ho", "ho va ten chu ho", "ho ten", "ho va ten"),
        required=True,
    ),
    Column("address", gettext_lazy("Address"), ("dia chi", "so nha", "noi o", "dia chi thuong tru"), required=True),
    Column("people_count", gettext_lazy("People in household"), ("so nhan khau", "nhan khau", "so khau", "so nguoi")),
    Column(
        "poverty",
        gettext_lazy("Poverty status"),
        ("phan loai ho", "dien ho", "ngheo/can ngheo", "ho ngheo", "xep loai"),
    ),
    Column("policy_family", gettext_lazy("Policy family"), ("gia dinh chinh sach", "chinh sach", "ho chinh sach")),
    Column(
        "consent_given",
        gettext_lazy("Agrees to record the phone number"),
        ("dong y", "dong y ghi so dien thoai", "dong y ghi sdt"),
    ),
    Column("phone", gettext_lazy("Phone"), ("so dien thoai", "dien thoai", "sdt", "so dt")),
)
COLUMN_KEYS = [c.key for c in COLUMNS]

POVERTY_WORDS = {
    Household.Poverty.POOR: ("ngheo", "ho ngheo", "poor", "n"),
    Household.Poverty.NEAR_POOR: ("can ngheo", "ho can ngheo", "near-poor", "near poor", "cn"),
    Household.Poverty.NONE: ("khong", "khong ngheo", "binh thuong", "not poor", "none", "-"),
}
POVERTY_BY_WORD = {word: value for value, words in POVERTY_WORDS.items() for word in words}
# What the template and the export write (and the template's drop-down offers), in Vietnamese.
POVERTY_CELLS = {
    Household.Poverty.NONE: "Không nghèo",
    Household.Poverty.NEAR_POOR: "Cận nghèo",
    Household.Poverty.POOR: "Nghèo",
}
# The particulars an import compares and writes (the code and the hamlet aside).
PARTICULARS = ("head_name", "address", "people_count", "poverty", "policy_family", "consent_given", "phone")


def poverty_cell(value):
    return POVERTY_CELLS[value]


def _parse(cells, mapping, hamlets_by_key):
    """{key: value} of one row and the errors found, in Vietnamese; empty cells are left out."""
    raw = {key: cells[index] if index < len(cells) else "" for index, key in mapping.items()}
    values, errors = {}, []

    def fail(message):
        errors.append(str(message))

    for key in ("head_name", "address"):
        text = raw.get(key, "")
        try:
            reject_control_characters(text)
        except ValidationError as e:
            fail(e.messages[0])
            continue
        limit = Household._meta.get_field(key).max_length
        if not text:
            fail(_("The head of household's name is empty.") if key == "head_name" else _("The address is empty."))
        elif len(text) > limit:
            fail(_("“%(text)s…” is longer than %(max)s characters.") % {"text": text[:20], "max": limit})
        elif key == "head_name" and len(text) < 2:
            fail(_("Enter the head of household's full name."))
        else:
            values[key] = text
    hamlet_text = raw.get("hamlet", "")
    hamlet = hamlets_by_key.get(normalize(hamlet_text))
    if not hamlet_text:
        fail(_("The hamlet is empty."))
    elif hamlet is None:
        fail(_("No hamlet “%(hamlet)s” among the hamlets you may import into.") % {"hamlet": hamlet_text})
    else:
        values["hamlet"] = hamlet
    code = raw.get("code", "")
    if len(code) > Household._meta.get_field("code").max_length:
        fail(_("The household code is longer than 30 characters."))
    elif code:
        values["code"] = code
    if raw.get("people_count"):
        try:
            count = int(raw["people_count"])
            if not 1 <= count <= 99:
                raise ValueError
            values["people_count"] = count
        except ValueError:
            fail(_("Enter a number of people between 1 and 99 (found “%(value)s”).") % {"value": raw["people_count"]})
    if raw.get("poverty"):
        poverty = POVERTY_BY_WORD.get(normalize(raw["poverty"]))
        if poverty is None:
            fail(
                _("Poverty status “%(value)s” is not one of: Nghèo, Cận nghèo, Không nghèo.")
                % {"value": raw["poverty"]}
            )
        else:
            values["poverty"] = poverty
    for key, label in (
        ("policy_family", _("Policy family")),
        ("consent_given", _("Agrees to record the phone number")),
    ):
        try:
            flag = yes_no(raw.get(key, ""))
        except ValueError:
            fail(_("“%(column)s” must be Có or Không (found “%(value)s”).") % {"column": label, "value": raw[key]})
            continue
        if flag is not None:
            values[key] = flag
    phone = raw.get("phone", "")
    if phone.isdigit() and len(phone) in (9, 10) and not phone.startswith("0"):
        phone = "0" + phone  # Excel drops the leading 0 of a number typed in a number cell
    if phone:
        try:
            values["phone"] = vietnamese_phone(phone)
        except ValidationError as e:
            fail(e.messages[0])
        if not values.get("consent_given"):
            fail(_("A phone number is recorded only with the household's consent: put Có in the consent column."))
    return values, errors


def _label(values, raw_cells):
    if values.get("head_name"):
        hamlet = values.get("hamlet")
        return " — ".join(
            part for part in (values.get("head_name"), values.get("address"), hamlet.name if hamlet else "") if part
        )
    return " · ".join(c for c in raw_cells if c)[:120]


def _changes(stored, values, shows_phones):
    """{field: new value} where the row differs from the stored household, and the same in words."""
    fields, words = {}, []
    for key in ("hamlet", "code", *PARTICULARS):
        if key not in values:
            continue
        new = values[key]
        old = stored.hamlet if key == "hamlet" else getattr(stored, key)
        if key == "hamlet" and old.pk == new.pk or key != "hamlet" and old == new:
            continue
        if key in ("head_name", "address") and normalize(old) == normalize(new):
            continue  # "DANG THI DAO" in a list does not take the accents off the register's "Đặng Thị Đào"
        fields[key] = new
        label = Household._meta.get_field(key).verbose_name
        if key == "phone" and not shows_phones:
            words.append(str(_("%(field)s changes") % {"field": label}))
            continue
        shown = {
            "poverty": lambda v: poverty_cell(v),
            "policy_family": yes_no_label,
            "consent_given": yes_no_label,
            "hamlet": lambda h: h.name,
        }.get(key, str)
        words.append(f"{label}: {shown(old) or '—'} → {shown(new)}")
    if values.get("consent_given") is False and stored.phone and "phone" not in fields:
        words.append(str(_("the phone number is removed (no consent)")))
    return fields, words


def households_preview(*, content, file_name, hamlets, remembered=None, shows_phones=False):
    """Every row's outcome against the register of `hamlets` (the importer's, in one commune); writes nothing."""
    table = table_read(content=content, file_name=file_name)
    found = forbidden_columns(table.headers)
    if found:
        return Preview([], [forbidden_message(found)]), table, {}
    mapping = columns_match(table.headers, COLUMNS, remembered)
    missing = mapping_errors(mapping, COLUMNS)
    if missing:
        return Preview([], missing), table, mapping
    hamlets = list(hamlets)
    hamlets_by_key = {}
    for hamlet in hamlets:
        hamlets_by_key.setdefault(normalize(hamlet.code), hamlet)
    for hamlet in hamlets:
        hamlets_by_key[normalize(hamlet.name)] = hamlet  # a name wins over another hamlet's code
    hamlets_by_id = {h.pk: h for h in hamlets}
    stored = Household.objects.filter(hamlet__in=hamlets).only(
        "pk", "hamlet_id", "code", "active", "deactivated_on", *PARTICULARS
    )
    by_code, by_name_address = {}, {}
    for household in stored:
        household.hamlet = hamlets_by_id[household.hamlet_id]  # no query per row
        if household.code:
            by_code[household.code] = household
        if household.active:
            key = (household.hamlet_id, normalize(household.head_name), normalize(household.address))
            by_name_address.setdefault(key, []).append(household)
    rows, codes_seen, names_seen, matched = [], {}, {}, {}
    for number, cells in table.rows:
        values, errors = _parse(cells, mapping, hamlets_by_key)
        row = RowResult(number, label=_label(values, cells), values=values)
        rows.append(row)
        for message in errors:
            row.error(message)
        code = values.get("code")
        if code and code in codes_seen:
            row.error(
                _("The household code “%(code)s” is repeated from row %(row)s.")
                % {"code": code, "row": codes_seen[code]}
            )
        if row.outcome == Outcome.ERROR:
            continue
        if code:
            codes_seen[code] = number
        key = (values["hamlet"].pk, normalize(values["head_name"]), normalize(values["address"]))
        target = by_code.get(code) if code else None
        if target is not None and not target.active:
            row.error(_("The household with code “%(code)s” has moved away (deactivated).") % {"code": code})
            continue
        if target is None:
            namesakes = by_name_address.get(key, [])
            if code and any(h.code and h.code != code for h in namesakes):
                other = next(h for h in namesakes if h.code and h.code != code)
                row.outcome = Outcome.DUPLICATE
                row.messages.append(
                    _("Same head and address as household %(code)s in the register.") % {"code": other.code}
                )
            elif namesakes:
                target = namesakes[0]
        if key in names_seen:
            row.outcome = Outcome.DUPLICATE
            row.messages.append(_("Same head and address as row %(row)s of this file.") % {"row": names_seen[key]})
        names_seen.setdefault(key, number)
        if target is not None and target.pk in matched and row.outcome != Outcome.DUPLICATE:
            row.outcome = Outcome.DUPLICATE
            row.messages.append(_("Row %(row)s matches the same household.") % {"row": matched[target.pk]})
        if row.outcome == Outcome.DUPLICATE or target is None:
            continue
        matched[target.pk] = number
        row.target = target
        fields, row.changes = _changes(target, values, shows_phones)
        row.values = fields
        row.outcome = Outcome.UPDATE if fields or row.changes else Outcome.UNCHANGED
    return Preview(rows), table, mapping


def households_import_confirm(*, record, user, hamlets, include_duplicates=(), skip_errors=False, shows_phones=False):
    """Store the rows of an uploaded list, read again; one transaction, and the record becomes the audit entry.

    Rows in error are skipped only when `skip_errors` (the importer chose to
    import the good rows); likely duplicates only when their row number is in
    `include_duplicates`. Returns the preview that was stored.
    """
    with transaction.atomic():
        record, preview = record_confirming(
            record,
            lambda record: households_preview(
                content=bytes(record.content),
                file_name=record.file_name,
                hamlets=hamlets,
                remembered=record.column_map,
                shows_phones=shows_phones,
            )[0],
            skip_errors=skip_errors,
        )
        counts = preview.counts
        include = set(include_duplicates)
        new, changes = [], []
        today = timezone.localdate()
        for row in preview.rows:
            if row.outcome == Outcome.NEW or row.outcome == Outcome.DUPLICATE and row.number in include:
                new.append(Household(registered_on=today, **row.values))
            elif row.outcome == Outcome.UPDATE:
                changes.append((row.target, row.values))
        reason = _("Imported from %(file)s") % {"file": record.file_name}
        households_import(new=new, changes=changes, user=user, reason=reason[:100])
        counts["imported_duplicates"] = len(
            include & {r.number for r in preview.rows if r.outcome == Outcome.DUPLICATE}
        )
        record_confirmed(record, counts)
    return preview
