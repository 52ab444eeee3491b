"""Coverage tables: one model of each table, rendered as the page, an Excel file and a CSV file.

The page and the exports read the same `Table`, so they cannot disagree.
Cells carry raw values and a kind:

- "int": a count; "text"; "date"; "flag": yes/no (a household adopted a pillar);
- "percent": a percentage with one decimal (Decimal 37.5), or None when the
  unit has no households.

In Excel a percentage is stored as the fraction (0.375) with the number format
0.0%, so Excel shows 37,5% in Vietnamese settings and formulas work; a flag is
1 or 0; a date is a date. "No households" is an empty cell (the page shows
"—"). In CSV a percentage is the number 37.5 (the header says "(%)"), a date
is ISO (2026-11-23), a flag 1/0; the file starts with a UTF-8 byte-order mark
so that Excel shows the accents.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from households.search import normalize
from teams.models import Service

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


def _pillars():
    return list(Service.Pillar)


def _figure_columns(services):
    return (
        [
            Column("households", _("Households"), "int"),
            Column("reach", _("Reach"), "percent"),
        ]
        + [Column(f"cov:{s.code}", s.display_name, "percent", _("Coverage by service")) for s in services]
        + [Column(f"pillar:{p.value}", p.label, "percent", _("Coverage by pillar")) for p in _pillars()]
        + [Column(f"people:{s.code}", s.display_name, "int", _("People helped")) for s in services]
    )


def _figure_cells(figures, services, progress=None):
    progress = progress or {}
    return (
        [Cell(figures.households, "int"), Cell(figures.reach, "percent")]
        + [Cell(figures.coverage(s), "percent", progress.get(s.pk)) for s in services]
        + [Cell(figures.pillar_coverage(p.value), "percent") for p in _pillars()]
        + [Cell(figures.people_helped.get(s.pk, 0), "int") for s in services]
    )


def rollup_table(rollup, *, title, name_label, url_for=None, targets_for=None, total_targets=None):
    """The table of a province (rows: communes) or a commune (rows: hamlets).

    `url_for(unit)` gives each row's drill-down link; `targets_for(unit)` the
    {service id: Target} that row is measured against.
    """
    services, on = rollup.services, rollup.on
    columns = [Column("name", name_label, "text"), *_figure_columns(services)]
    rows = []
    for unit, figures in rollup.rows:
        progress = progress_by_service(figures, targets_for(unit), services, on) if targets_for else None
        rows.append(
            Row(
                [Cell(unit.name, "text"), *_figure_cells(figures, services, progress)], url_for(unit) if url_for else ""
            )
        )
    progress = progress_by_service(rollup.total, total_targets, services, on) if total_targets else None
    total_row = Row([Cell(_("Total"), "text"), *_figure_cells(rollup.total, services, progress)], is_total=True)
    return Table(title, str(rollup.unit), on, rollup.priority_only, columns, rows, total_row, _summary(rollup.total))


def _summary(figures):
    return [
        (_("Households"), Cell(figures.households, "int")),
        (_("Households reached"), Cell(figures.reached, "int")),
        (_("Reach"), Cell(figures.reach, "percent")),
    ]


def household_table(rollup, households, figures_by_household, *, title):
    """The table of a hamlet: one row per household of `households` (a page or all of them)."""
    services = rollup.services
    columns = (
        [
            Column("name", _("Head of household"), "text"),
            Column("address", _("Address"), "text"),
            Column("priority", _("Priority household"), "flag"),
            Column("reach", _("First visit"), "date"),
        ]
        + [Column(f"cov:{s.code}", s.display_name, "date", _("Adopted on")) for s in services]
        + [Column(f"pillar:{p.value}", p.label, "flag", _("Adopted a service of the pillar")) for p in _pillars()]
        + [Column(f"people:{s.code}", s.display_name, "int", _("People helped")) for s in services]
    )
    rows = []
    for household in households:
        f = figures_by_household[household.pk]
        rows.append(
            Row(
                [
                    Cell(household.head_name, "text"),
                    Cell(household.address, "text"),
                    Cell(household.is_priority, "flag"),
                    Cell(f.first_visited_on, "date"),
                ]
                + [Cell(f.adopted_on.get(s.pk), "date") for s in services]
                + [Cell(p.value in f.pillars, "flag") for p in _pillars()]
                + [Cell(f.people_helped.get(s.pk, 0), "int") for s in services]
            )
        )
    t = rollup.total
    total_row = Row(
        [Cell(_("Total"), "text"), Cell("", "text"), Cell("", "text"), Cell(t.reach, "percent")]
        + [Cell(t.coverage(s), "percent") for s in services]
        + [Cell(t.pillar_coverage(p.value), "percent") for p in _pillars()]
        + [Cell(t.people_helped.get(s.pk, 0), "int") for s in services],
        is_total=True,
    )
    return Table(title, str(rollup.unit), rollup.on, rollup.priority_only, columns, rows, total_row, _summary(t))


def activity_table(commune, activity, *, on, title):
    """Teams' activity: one row per team, then one per member, for the 7 and 30 days ending on `on`."""
    columns = [
        Column("team", _("Team"), "text"),
        Column("member", _("Member"), "text"),
        Column("visits_7", _("Visits, 7 days"), "int"),
        Column("households_7", _("Households visited, 7 days"), "int"),
        Column("visits_30", _("Visits, 30 days"), "int"),
        Column("households_30", _("Households visited, 30 days"), "int"),
    ]

    def cells(a):
        return [
            Cell(a.visits_7, "int"),
            Cell(a.households_7, "int"),
            Cell(a.visits_30, "int"),
            Cell(a.households_30, "int"),
        ]

    rows = []
    for team, team_activity, members in activity:
        rows.append(Row([Cell(team.name, "text"), Cell(_("Whole team"), "text"), *cells(team_activity)], is_total=True))
        for member, member_activity in members:
            rows.append(Row([Cell(team.name, "text"), Cell(member.full_name, "text"), *cells(member_activity)]))
    return Table(title, str(commune), on, False, columns, rows)


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
    return f"do-phu-{name}-{table.on.isoformat()}.{extension}"


def _attachment(response, table, extension):
    response["Content-Disposition"] = f'attachment; filename="{filename(table, extension)}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "DD/MM/YYYY"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


# Text a spreadsheet would run as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        return int(cell.value), "#,##0"
    return _xlsx_text(cell.value), None


def xlsx_response(table):
    """The table as an Excel workbook: title, unit, as-of date, filter, then the table with its totals row."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Coverage")[:31]
    sheet.append([str(table.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Unit"), _xlsx_text(table.unit_name)])
    sheet.append([_("As of"), table.on])
    sheet["B3"].number_format = DATE_FORMAT
    sheet["B3"].alignment = Alignment(horizontal="left")
    sheet.append([_("Households counted"), _("priority households only") if table.priority_only else _("all")])
    for label, cell in table.summary:
        value, number_format = _xlsx_value(cell)
        sheet.append([str(label), value])
        if number_format:
            sheet.cell(row=sheet.max_row, column=2).number_format = number_format
            sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(horizontal="left")
    sheet.append([])
    sheet.append([_header(c) for c in table.columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in [*table.rows, *([table.total] if table.total else [])]:
        values = [_xlsx_value(c) for c in row.cells]
        sheet.append([v for v, _f in values])
        for column, (_v, number_format) in enumerate(values, start=1):
            if number_format:
                sheet.cell(row=sheet.max_row, column=column).number_format = number_format
            if row.is_total:
                sheet.cell(row=sheet.max_row, column=column).font = Font(bold=True)
    for sheet_row in sheet.iter_rows():
        for sheet_cell in sheet_row:
            # openpyxl reads text starting with "=" as a formula: user text is never one.
            if sheet_cell.data_type == "f":
                sheet_cell.data_type = "s"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    for column in range(1, len(table.columns) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 28 if column <= 2 else 14
    sheet.row_dimensions[header_row].height = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), table, "xlsx")


def _csv_value(cell):
    if cell.value is None or cell.value == "":
        return ""
    if cell.kind == "percent":
        return str(cell.value)
    if cell.kind == "date":
        return cell.value.isoformat()
    if cell.kind == "flag":
        return "1" if cell.value else "0"
    text = str(cell.value)
    return f"'{text}" if cell.kind == "text" and text.startswith(FORMULA_STARTS) else text


def csv_response(table):
    """The table as CSV: a header row, the rows, the totals row; UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_header(c) for c in table.columns])
    for row in [*table.rows, *([table.total] if table.total else [])]:
        writer.writerow([_csv_value(c) for c in row.cells])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    return _attachment(response, table, "csv")


def export_response(table, extension):
    return xlsx_response(table) if extension == "xlsx" else csv_response(table)


def figures_json(figures, services):
    """Figures as plain JSON data: counts, and percentages as numbers with one decimal (null without households)."""

    def number(value):
        return None if value is None else float(value)

    return {
        "households": figures.households,
        "reached": figures.reached,
        "reach": number(figures.reach),
        "services": {
            s.code: {
                "adopted": figures.adopted.get(s.pk, 0),
                "coverage": number(figures.coverage(s)),
                "people_helped": figures.people_helped.get(s.pk, 0),
            }
            for s in services
        },
        "pillars": {
            p.value: {
                "adopted": figures.adopted_pillar.get(p.value, 0),
                "coverage": number(figures.pillar_coverage(p.value)),
            }
            for p in _pillars()
        },
    }
