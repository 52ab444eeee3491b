"""Reading an uploaded list: xlsx or CSV, its encoding and delimiter found, its columns matched to ours.

tablib (the reader django-import-export is built on) turns the bytes into a table. What it
does not do is done here: a CSV's encoding (UTF-8 with or without BOM, or
Windows-1258, the encoding Excel writes on a Vietnamese Windows) and its
delimiter ("," or ";") are detected, never asked; and a header is matched to
our columns accents and case ignored, through the names lists use.
"""

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .search import normalize

# A large commune has some 15,000 households: 30,000 rows leave room; past it, a file is refused
# before it is read row by row (the page would otherwise run into the server's timeout).
MAX_ROWS = 30_000
MAX_BYTES = 8 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
# Windows-1258 (Vietnamese Windows) after UTF-8: a UTF-8 file never fails to decode as itself.
CSV_ENCODINGS = ("utf-8-sig", "cp1258")


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # the header our template writes (lazy, in Vietnamese)
    aliases: tuple  # other headers lists use, compared after `normalize`
    required: bool = False


_HEADER_PUNCTUATION = re.compile(r"[_\-./():*,]+")


def header_key(text):
    """A header as compared: "Mã_xã", "MÃ XÃ:" and "ma xa" are one."""
    return " ".join(_HEADER_PUNCTUATION.sub(" ", normalize(str(text or ""))).split())


@dataclass
class Table:
    headers: list  # as in the file
    rows: list  # [(row number in the file, [cells])], blank rows left out


def table_read(*, content, file_name):
    """The file's header row and rows; a ValidationError says in Vietnamese why a file cannot be read."""
    if len(content) > MAX_BYTES:
        raise ValidationError(too_large_message(len(content)))
    if not content.strip():
        raise ValidationError(_("The file is empty."))
    if content.startswith(XLSX_MAGIC):
        dataset = _xlsx_read(content)
    elif file_name.lower().endswith((".xlsx", ".xls")) and not content.startswith(codecs.BOM_UTF8):
        # (An upload's xlsx is kept as the UTF-8 CSV that `xlsx_to_csv` made of it, BOM first.)
        raise ValidationError(
            _("This is not an Excel file of the .xlsx kind: save it as .xlsx or CSV and upload it again.")
        )
    else:
        dataset = _csv_read(content)
    headers = [_cell(h) for h in (dataset.headers or [])]
    if not any(headers):
        raise ValidationError(_("The first row must hold the column names (see the template)."))
    rows = []
    for index, row in enumerate(dataset, start=2):
        cells = [_cell(value) for value in row]
        if any(cells):
            rows.append((index, cells))
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("The file has %(rows)s rows; at most %(max)s can be imported at once: split it into several files.")
            % {"rows": len(rows), "max": MAX_ROWS}
        )
    return Table(headers, rows)


def xlsx_to_csv(content):
    """An uploaded xlsx as UTF-8 CSV (BOM first), read once at upload: openpyxl takes seconds per
    10,000 rows, and the preview, its pages and the confirmation each read the file again.
    Blank rows are kept, so that row numbers stay those of the workbook."""
    dataset = _xlsx_read(content)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_cell(h) for h in (dataset.headers or [])])
    for row in dataset:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def too_large_message(size):
    return _("The file is %(size)s MB; at most %(max)s MB can be imported at once: split it into several files.") % {
        "size": f"{size / 1024 / 1024:.1f}",
        "max": MAX_BYTES // 1024 // 1024,
    }


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 4.0 from a number cell
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    # NFC: Windows-1258 writes tones as combining marks, macOS files may decompose every letter.
    return unicodedata.normalize("NFC", " ".join(str(value).split()))


def _xlsx_read(content):
    try:
        return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    except Exception as e:  # openpyxl raises many kinds on a damaged file
        raise ValidationError(
            _("The Excel file cannot be read (it may be damaged or protected): %(error)s") % {"error": e}
        )


def csv_decode(content):
    """(text, encoding name): UTF-8 with or without BOM, else Windows-1258."""
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file's characters cannot be read: save it as CSV UTF-8 or as .xlsx."))


def csv_delimiter(text):
    """ "," or ";" (or a tab), from the header line: Excel on a Vietnamese Windows writes ";"."""
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        return max(",;\t", key=first.count)


def _csv_read(content):
    text, _encoding = csv_decode(content)
    if "\x00" in text:
        raise ValidationError(_("This is not a CSV or .xlsx file."))
    delimiter = csv_delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    # tablib wants rows of one width: pad the short ones (a trailing empty cell Excel leaves out).
    dataset.headers = rows[0] + [""] * (width - len(rows[0]))
    for row in rows[1:]:
        dataset.append(row + [""] * (width - len(row)))
    return dataset


def columns_match(headers, columns, remembered=None):
    """{index of the file's column: our key}: by the user's remembered mapping, else by name."""
    remembered = remembered or {}
    by_name = {}
    for column in columns:
        for name in (str(column.label), column.key, *column.aliases):
            by_name[header_key(name)] = column.key
    mapping = {}
    for index, header in enumerate(headers):
        key = remembered.get(header) if header in remembered else by_name.get(header_key(header))
        if key and key not in mapping.values():
            mapping[index] = key
    return mapping


def mapping_errors(mapping, columns):
    missing = [c for c in columns if c.required and c.key not in mapping.values()]
    return [
        _("No column is matched to “%(column)s”: choose it below.") % {"column": column.label} for column in missing
    ]


# Personal data the register never holds (DESIGN.md, privacy): a file carrying it is refused whole,
# so that nobody believes it was stored.
FORBIDDEN_HEADERS = {
    "citizen_id": (
        "cccd",
        "cmnd",
        "so cccd",
        "so cmnd",
        "can cuoc",
        "can cuoc cong dan",
        "so can cuoc",
        "so dinh danh",
        "ma dinh danh",
        "so dinh danh ca nhan",
        "chung minh nhan dan",
        "so chung minh",
        "citizen id",
        "id number",
    ),
    "birth_date": ("ngay sinh", "nam sinh", "ngay thang nam sinh", "sinh ngay", "date of birth", "birth date"),
}
FORBIDDEN_LABELS = {
    "citizen_id": gettext_lazy("citizen ID numbers"),
    "birth_date": gettext_lazy("dates of birth"),
}


def forbidden_columns(headers):
    """[(header, what it holds)] for the columns that carry data the register refuses."""
    found = []
    for header in headers:
        key = header_key(header)
        for kind, names in FORBIDDEN_HEADERS.items():
            if key in names or any(key.startswith(name + " ") for name in names):
                found.append((header, FORBIDDEN_LABELS[kind]))
    return found


def forbidden_message(found):
    return _(
        "The file has columns that Gõ Cửa never stores: %(columns)s. Delete these columns from the file and "
        "upload it again (nothing has been imported)."
    ) % {"columns": "; ".join(f"“{header}” ({label})" for header, label in found)}
