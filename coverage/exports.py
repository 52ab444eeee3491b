"""Coverage tables: one model of each table, rendered as the page, an Excel file and a CSV file.

The page and the exports read the same `Table`, so they cannot disagree.
Cells carry raw values and a kind:

- "int": a count; "text"; "date"; "flag": yes/no (a household adopted a pillar);
- "percent": a percentage with one decimal (Decimal 37.5), or None when the
  unit has no households.

In Excel a percentage is stored as the fraction (0.375) with the number format
0.0%, so Excel shows 37,5% in Vietnamese settings and formulas work; a flag is
1 or 0; a date is a date. "No households" is an empty cell (the page shows
"—"). The CSV is for Excel with Vietnamese regional settings (see
`CSV_DELIMITER`): fields separated by ";", a percentage is the number 37,5
with a decimal comma (the header says "(%)"), a date is ISO (2026-11-23), a
flag 1/0; the file starts with a UTF-8 byte-order mark so that Excel shows
the accents.
"""

import csv
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from households.models import Province
from households.search import normalize
from teams.models import Service

from . import xlsx
from .targets import progress_by_service


@dataclass
class Column:
    key: str  # the ?sort= key
    label: str
    kind: str
    group: str = ""


@dataclass
class Cell:
    value: object
    kind: str
    progress: object = None  # coverage.targets.Progress when a target applies


@dataclass
class Row:
    cells: list
    url: str = ""
    is_total: bool = False
    values: ClassVar = None  # a row of cells; `household_export.ValuesRow` has plain values instead


@dataclass
class Table:
    title: str
    unit_name: str
    on: date
    priority_only: bool
    columns: list
    rows: list
    total: Row | None = None
    summary: list = field(default_factory=list)  # [(label, Cell)] shown above the table and in the sheet
    file_prefix: str = "do-phu"  # what the file holds, before the unit's name
    file_dates: str = ""  # the dates in the file's name; the as-of date when empty
    sheet_title: str = ""  # the sheet's name; "Coverage" when empty


def _pillars():
    return list(Service.Pillar)


def _figure_columns(services, counts=False):
    """The figures' columns; with `counts` (the exports), every percentage has its count beside it."""

    def count(key, label, group):
        return [Column(key, _("%(label)s: households") % {"label": label}, "int", group)] if counts else []

    columns = [
        Column("households", _("Households"), "int"),
        *([Column("reached", _("Households reached"), "int")] if counts else []),
        Column("reach", _("Reach"), "percent"),
    ]
    for s in services:
        group = _("Coverage by service")
        columns += [
            *count(f"adopted:{s.code}", s.display_name, group),
            Column(f"cov:{s.code}", s.display_name, "percent", group),
        ]
    for p in _pillars():
        group = _("Coverage by pillar")
        columns += [
            *count(f"adopted_pillar:{p.value}", p.label, group),
            Column(f"pillar:{p.value}", p.label, "percent", group),
        ]
    return columns + [Column(f"people:{s.code}", s.display_name, "int", _("People helped")) for s in services]


def _figure_cells(figures, services, progress=None, counts=False):
    progress = progress or {}

    def count(n):
        return [Cell(n, "int")] if counts else []

    cells = [Cell(figures.households, "int"), *count(figures.reached), Cell(figures.reach, "percent")]
    ids = [(s, s.pk) for s in services]  # `pk` is a property: read once per row, not four times per cell
    for s, pk in ids:
        cells += [*count(figures.adopted.get(pk, 0)), Cell(figures.coverage(s), "percent", progress.get(pk))]
    for p in _pillars():
        cells += [*count(figures.adopted_pillar.get(p.value, 0)), Cell(figures.pillar_coverage(p.value), "percent")]
    return cells + [Cell(figures.people_helped.get(pk, 0), "int") for _s, pk in ids]


def _target_columns(services, targeted):
    """Per service with a target in the table: the target, the level expected on the as-of date, the status."""
    columns = []
    for s in services:
        if s.pk in targeted:
            group = _("Target: %(service)s") % {"service": s.display_name}
            columns += [
                Column(f"target:{s.code}", _("Target"), "percent", group),
                Column(f"expected:{s.code}", _("Expected now"), "percent", group),
                Column(f"status:{s.code}", _("Status"), "text", group),
            ]
    return columns


def _target_cells(progress, services, targeted):
    cells = []
    for s in services:
        if s.pk in targeted:
            p = (progress or {}).get(s.pk)
            cells += (
                [Cell(p.target.percent, "percent"), Cell(p.expected, "percent"), Cell(str(p.label), "text")]
                if p
                else [Cell(None, "percent"), Cell(None, "percent"), Cell("", "text")]
            )
    return cells


def rollup_table(rollup, *, title, name_label, url_for=None, targets_for=None, total_targets=None, export=False):
    """The table of a province (rows: communes) or a commune (rows: hamlets).

    `url_for(unit)` gives each row's drill-down link; `targets_for(unit)` the
    {service id: Target} that row is measured against. For an `export`, each
    row also has its code (a commune's GSO code, a hamlet's code; the totals
    row the unit's own), the count beside every percentage, and the target,
    expected level and status of every service with a target.
    """
    services, on = rollup.services, rollup.on
    progress_rows = [
        (unit, figures, progress_by_service(figures, targets_for(unit), services, on) if targets_for else None)
        for unit, figures in rollup.rows
    ]
    total_progress = progress_by_service(rollup.total, total_targets, services, on) if total_targets else None
    targeted = {pk for _u, _f, p in progress_rows for pk in (p or {})} | set(total_progress or {}) if export else ()
    code_label = _("GSO code") if isinstance(rollup.unit, Province) else _("Hamlet code")
    columns = [
        Column("name", name_label, "text"),
        *([Column("code", code_label, "text")] if export else []),
        *_figure_columns(services, counts=export),
        *_target_columns(services, targeted),
    ]

    def cells(name, code, figures, progress):
        return [
            Cell(name, "text"),
            *([Cell(code, "text")] if export else []),
            *_figure_cells(figures, services, progress, counts=export),
            *_target_cells(progress, services, targeted),
        ]

    rows = [
        Row(cells(unit.name, unit.code, figures, progress), url_for(unit) if url_for else "")
        for unit, figures, progress in progress_rows
    ]
    total_row = Row(cells(_("Total"), rollup.unit.code, rollup.total, total_progress), is_total=True)
    return Table(title, str(rollup.unit), on, rollup.priority_only, columns, rows, total_row, _summary(rollup.total))


def _summary(figures):
    return [
        (_("Households"), Cell(figures.households, "int")),
        (_("Households reached"), Cell(figures.reached, "int")),
        (_("Reach"), Cell(figures.reach, "percent")),
    ]


def _natural(text):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", normalize(str(text)))]


def sort_rows(table, key):
    """Sort the rows of a rollup table in place by a column key ("-key" descending); empty values last."""
    descending = key.startswith("-")
    keys = [c.key for c in table.columns]
    if key.lstrip("-") not in keys:
        return
    index = keys.index(key.lstrip("-"))

    def value(row):
        v = row.cells[index].value
        return _natural(v) if table.columns[index].kind == "text" else v

    present = [r for r in table.rows if r.cells[index].value is not None]
    missing = [r for r in table.rows if r.cells[index].value is None]
    present.sort(key=value, reverse=descending)
    table.rows = present + missing


def _header(column):
    label = f"{column.group}: {column.label}" if column.group else str(column.label)
    return f"{label} (%)" if column.kind == "percent" else label


def filename(table, extension):
    name = slugify(table.unit_name.replace("đ", "d").replace("Đ", "D"))
    return f"{table.file_prefix}-{name}-{table.file_dates or table.on.isoformat()}.{extension}"


def _attachment(response, table, extension):
    response["Content-Disposition"] = f'attachment; filename="{filename(table, extension)}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "DD/MM/YYYY"
INT_FORMAT = "#,##0"
HEADER_FILL = "#DDEBF7"


# Text a spreadsheet would run as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# The control characters XML 1.0 refuses (as openpyxl's ILLEGAL_CHARACTERS_RE).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _xlsx_text(value):
    # Excel refuses control characters; they could only come from the admin or old data.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _xlsx_value(cell):
    if cell.value is None or cell.value == "":
        return None, None
    if cell.kind == "percent":
        return float(Decimal(cell.value) / 100), PERCENT_FORMAT
    if cell.kind == "date":
        return cell.value, DATE_FORMAT
    if cell.kind == "flag":
        return int(bool(cell.value)), None
    if cell.kind == "int":
        return int(cell.value), INT_FORMAT
    return _xlsx_text(cell.value), None


def _table_rows(table):
    return [*table.rows, *([table.total] if table.total else [])]


NAME_WIDTH, FIGURE_WIDTH = 28, 14  # the columns' widths in characters: names and codes, then figures


def xlsx_response(table):
    """The table as an Excel workbook: title, unit, as-of date, filter, then the table with its totals row."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    book = xlsx.workbook(handle)
    sheet = xlsx.Sheet(book, (table.sheet_title or _("Coverage"))[:31], (PERCENT_FORMAT, DATE_FORMAT, INT_FORMAT))
    sheet.sheet.set_column(0, 1, NAME_WIDTH)
    if len(table.columns) > 2:
        sheet.sheet.set_column(2, len(table.columns) - 1, FIGURE_WIDTH)
    sheet.append([str(table.title)], [book.add_format({"bold": True, "font_size": 13})])
    sheet.append([_("Unit"), _xlsx_text(table.unit_name)])
    sheet.append([_("As of"), table.on], [None, sheet.left[DATE_FORMAT]])
    sheet.append([_("Households counted"), _("priority households only") if table.priority_only else _("all")])
    for label, cell in table.summary:
        value, number_format = _xlsx_value(cell)
        sheet.append([str(label), value], [None, sheet.left[number_format] if number_format else None])
    sheet.append([])
    header_row = sheet.row
    sheet.sheet.set_row(header_row, 90)  # six lines: "Độ phủ theo dịch vụ: <a long service name> (%)"
    header = book.add_format({"bold": True, "bg_color": HEADER_FILL, "text_wrap": True, "valign": "top"})
    sheet.append([_header(c) for c in table.columns], [header] * len(table.columns))
    sheet.sheet.freeze_panes(header_row + 1, 1)
    width = 2 * NAME_WIDTH + FIGURE_WIDTH * max(0, len(table.columns) - 2)
    xlsx.print_setup(sheet.sheet, (header_row + 1, header_row + 1), width=width)
    for row in _table_rows(table):
        sheet.append_formatted(map(_xlsx_value, row.cells), bold=row.is_total)
    book.close()
    handle.seek(0)
    return _attachment(FileResponse(handle, content_type=XLSX_TYPE), table, "xlsx")


# CSV for Excel in Vietnamese regional settings (list separator ";", decimal ","), which it uses to split
# a .csv. No "sep=;" line: with it Excel ignores the UTF-8 BOM. Other settings: xlsx (the page says so).
CSV_DELIMITER = ";"
CSV_DECIMAL = ","


def _csv_text(value):
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


# Each kind's text, for a value neither None nor "" (those are empty).
_CSV_FORMATS = {
    "percent": lambda value: str(value).replace(".", CSV_DECIMAL),
    "date": lambda value: value.isoformat(),
    "flag": lambda value: "1" if value else "0",
    "text": _csv_text,
}


def _csv_value(cell):
    value = cell.value
    if value is None or value == "":
        return ""
    return _CSV_FORMATS.get(cell.kind, str)(value)


class _Echo:
    """A file-like object whose write returns the line csv.writer formats, for streaming."""

    def write(self, value):
        return value


CSV_LINES_PER_CHUNK = 200  # a chunk per line made a thousand small writes to the socket


def _csv_lines(table):
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff".encode()
    yield writer.writerow([_header(c) for c in table.columns]).encode()
    # Plain values (`ValuesRow`): the writer itself writes None as empty and an int or a date (datetime.date, whose
    # str is ISO) as their text, so only the other kinds' columns are formatted: a hamlet's row of 25 values has 8.
    formatted = [
        (i, _CSV_FORMATS.get(c.kind, str)) for i, c in enumerate(table.columns) if c.kind not in ("int", "date")
    ]

    def line(row):
        values = row.values  # plain values in the columns' kinds (`ValuesRow`), or None for cells
        if values is None:
            return writer.writerow([_csv_value(c) for c in row.cells])
        values = list(values)
        for i, f in formatted:
            v = values[i]
            if v is not None and v != "":
                values[i] = f(v)
        return writer.writerow(values)

    rows = _table_rows(table)
    for start in range(0, len(rows), CSV_LINES_PER_CHUNK):
        yield "".join(map(line, rows[start : start + CSV_LINES_PER_CHUNK])).encode()


def csv_response(table):
    """The table as CSV for Excel in Vietnamese settings, streamed line by line: ";" between fields, decimal comma,
    UTF-8 with a byte-order mark; a header row, the rows, the totals row."""
    response = StreamingHttpResponse(_csv_lines(table), content_type="text/csv; charset=utf-8")
    return _attachment(response, table, "csv")


def export_response(table, extension):
    return xlsx_response(table) if extension == "xlsx" else csv_response(table)
