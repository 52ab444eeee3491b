"""The report as an Excel workbook ready to print, and a province's submitted reports of a period in one workbook.

Print setup: A4 landscape, fit to the page's width, the table's header rows
repeated on every page, page numbers in the footer. The first sheet carries
the national heading, the unit, the period, the place and date; the last the
"Người lập biểu" / "Thủ trưởng đơn vị" signature block. The national heading
and the signature words are the fixed Vietnamese form of an administrative
document (Decree 30/2020/NĐ-CP), whatever the user's language.
"""

import io
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter import Workbook

from .report_tables import number_value, report_tables
from .xlsx import print_setup

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập – Tự do – Hạnh phúc"
PREPARER, HEAD = "Người lập biểu", "Thủ trưởng đơn vị"
FORMATS = {"int": "#,##0", "percent": "0.0%", "points": "+0.0;-0.0;0.0"}
# XlsxWriter formats, as dicts of its properties; `Book.style` makes one format per combination.
BOLD = {"bold": True}
CENTER = {"align": "center", "valign": "vcenter", "text_wrap": True}
BOX = {"border": 1, "border_color": "#808080"}
HEADER = {**BOLD, **CENTER, **BOX, "bg_color": "#DDEBF7", "pattern": 1}
# Text is text: no formula, number or link is read into a string.
OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


class Book:
    """An XlsxWriter workbook in memory, its formats made once per combination of properties and its sheet
    names kept valid and distinct. XlsxWriter writes a province's report (22,000 styled cells) in about
    half the time openpyxl took (issue 17); the tests read the files back with openpyxl."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.book = Workbook(self.buffer, OPTIONS)
        self.formats, self.names = {}, set()

    def style(self, **properties):
        key = tuple(sorted(properties.items()))
        if key not in self.formats:
            self.formats[key] = self.book.add_format(properties)
        return self.formats[key]

    def sheet(self, name):
        name = "".join("-" if c in "[]:*?/\\" else c for c in _text(name))[:31].strip("'") or "-"
        unique, n = name, 1
        while unique.casefold() in self.names:
            n += 1
            unique = f"{name[: 31 - len(str(n)) - 3]} ({n})"
        self.names.add(unique.casefold())
        return self.book.add_worksheet(unique)

    def save(self, handle):
        self.book.close()
        handle.write(self.buffer.getvalue())


def _text(value):
    # Excel refuses control characters; names come from the admin or imports.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _merged(book, sheet, row, first, last, value, *, font=None, align=CENTER):
    """`value` across columns `first` to `last` of `row` (1-based, as the rest of this module)."""
    cell_format = book.style(**{**align, **(font or {})})
    if last > first:
        sheet.merge_range(row - 1, first - 1, row - 1, last - 1, _text(value), cell_format)
    else:
        sheet.write_string(row - 1, first - 1, _text(value), cell_format)


def _place_and_date(data, day):
    return f"{data['unit']['name']}, ngày {day.day} tháng {day.month} năm {day.year}"


def _heading(book, sheet, data, width, made_on):
    """National heading, unit, title, period; returns the next free row."""
    left = max(2, width // 3)
    right_first = min(width, left + 1)
    _merged(book, sheet, 1, 1, left, f"ỦY BAN NHÂN DÂN {data['unit']['name'].upper()}", font=BOLD)
    _merged(book, sheet, 1, right_first, width, NATION, font=BOLD)
    _merged(book, sheet, 2, right_first, width, MOTTO, font={"bold": True, "underline": 1})
    _merged(book, sheet, 3, right_first, width, _place_and_date(data, made_on), font={"italic": True})
    _merged(book, sheet, 5, 1, width, _("REPORT ON DIGITAL COVERAGE OF HOUSEHOLDS"), font={"bold": True, "size": 13})
    _merged(book, sheet, 6, 1, width, _period_line(data), font=BOLD)
    unit = _("Unit: %(name)s (code %(code)s), %(province)s") % data["unit"]
    if data["unit"]["kind"] == "province":
        unit = _("Unit: %(name)s (code %(code)s)") % data["unit"]
    _merged(book, sheet, 7, 1, width, unit)
    for row in range(1, 8):
        sheet.set_row(row - 1, 22 if row == 5 else 18)
    return 9


def _period_line(data):
    period = data["period"]
    start, end = (date.fromisoformat(period[k]) for k in ("start", "end"))
    return _("Period %(key)s: from %(start)s to %(end)s") % {
        "key": period["key"],
        "start": start.strftime("%d/%m/%Y"),
        "end": end.strftime("%d/%m/%Y"),
    }


def _table(book, sheet, table, first_row):
    """The table with its group row and header row; returns (header rows, next free row)."""
    sheet.write_string(first_row - 1, 0, _text(table.title), book.style(bold=True, size=12))
    group_row, label_row = first_row + 1, first_row + 2
    column = 1
    for label, span in table.groups:
        _merged(book, sheet, group_row, column, column + span - 1, label, font=HEADER)
        column += span
    header = book.style(**HEADER)
    for index, col in enumerate(table.columns):
        sheet.write_string(label_row - 1, index, _text(col.label), header)
    widths = [_width(index, col) for index, col in enumerate(table.columns, start=1)]
    spans, first = [], 0
    for label, span in table.groups:
        spans.append((label, sum(widths[first : first + span])))
        first += span
    sheet.set_row(group_row - 1, _height(spans))
    sheet.set_row(label_row - 1, _height(zip((c.label for c in table.columns), widths, strict=True)))
    row_number = label_row + 1
    # One format per (kind, total row, no value), looked up once per column of a row.
    formats = {}
    for kind in {col.kind for col in table.columns}:
        number = {"num_format": FORMATS[kind]} if kind in FORMATS else {}
        for is_total in (False, True):
            bold = BOLD if is_total else {}
            formats[(kind, is_total, False)] = book.style(**number, **BOX, **bold)
            formats[(kind, is_total, True)] = book.style(**number, **BOX, **bold, align="right")
    for values, is_total in [*((r, False) for r in table.rows), *([(table.total, True)] if table.total else [])]:
        at = row_number - 1
        for index, (col, value) in enumerate(zip(table.columns, values, strict=True)):
            if value is None:
                sheet.write_string(at, index, "—", formats[(col.kind, is_total, True)])
            elif col.kind == "text":
                sheet.write_string(at, index, _text(value), formats[(col.kind, is_total, False)])
            else:
                sheet.write_number(at, index, number_value(value, col.kind), formats[(col.kind, is_total, False)])
        row_number += 1
    if not table.rows and not table.total:
        _merged(book, sheet, row_number, 1, len(table.columns), _("None."), align={})
        row_number += 1
    if table.note:
        _merged(book, sheet, row_number, 1, len(table.columns), table.note, font={"italic": True, "size": 9}, align={})
        row_number += 1
    return (group_row, label_row), row_number + 1


def _width(index, column):
    """A column's width in characters: the names wide, the codes and numbers narrow."""
    return 24 if index == 1 else (9 if index == 2 or column.kind != "text" else 18)


def _height(labels_and_widths):
    """The height (points) of a header row whose bold labels wrap within their widths (characters), so that
    no label is cut or runs over the next when printed; 15 points a line."""
    lines = 1
    for label, width in labels_and_widths:
        words, line, count = str(label).split(), 0, 1
        for word in words:
            # Bold text takes about 1.2 characters of width a letter.
            size = len(word) * 1.2
            if line and line + 1.2 + size > width:
                count, line = count + 1, size
            else:
                line += (1.2 if line else 0) + size
        lines = max(lines, count)
    return 15 * lines + 3


def _widths(sheet, table):
    for index, col in enumerate(table.columns):
        sheet.set_column(index, index, _width(index + 1, col))


def _signature(book, sheet, row, width, data, submitted_by):
    half = max(1, width // 2)
    _merged(book, sheet, row, 1, half, PREPARER, font=BOLD)
    _merged(book, sheet, row, half + 1, width, HEAD, font=BOLD)
    _merged(book, sheet, row + 1, 1, half, "(Ký, ghi rõ họ tên)", font={"italic": True})
    _merged(book, sheet, row + 1, half + 1, width, "(Ký, đóng dấu, ghi rõ họ tên)", font={"italic": True})
    if submitted_by:
        _merged(book, sheet, row + 5, 1, half, submitted_by, font=BOLD)
    return row + 6


def report_sheets(book, data, *, made_on, submitted_by="", prefix=""):
    """Add the report's sheets to `book` (a `Book`): the heading on the first, the signature block on the last."""
    tables = report_tables(data)
    titles = {
        "overview": _("Report summary"),
        "in-period": _("In the period"),
        "targets": _("Targets"),
    }
    for index, table in enumerate(tables):
        title = titles.get(table.key) or table.title.split(": ", 1)[-1]
        sheet = book.sheet(f"{prefix}{title}")
        width = len(table.columns)
        row = _heading(book, sheet, data, width, made_on) if index == 0 else 1
        header_rows, row = _table(book, sheet, table, row)
        _widths(sheet, table)
        if table.key == "targets":
            row = _idle_teams(book, sheet, data, row, width)
            row = _signature(book, sheet, row + 1, width, data, submitted_by)
        print_setup(sheet, header_rows)
    return tables


def _idle_teams(book, sheet, data, row, width):
    if data["unit"]["kind"] != "commune":
        return row
    title = _("Teams that logged no visit in the period")
    sheet.write_string(row - 1, 0, _text(title), book.style(bold=True, size=12))
    names = data["idle_teams"] or [_("None.")]
    for offset, name in enumerate(names, start=1):
        _merged(book, sheet, row + offset, 1, width, name, align={})
    return row + len(names) + 2


def _made_on(data):
    """The day the figures were made, in local time as the page says it (`made_at` is stored in UTC)."""
    return timezone.localdate(datetime.fromisoformat(data["made_at"]))


def workbook_response(book, filename):
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _slug(text):
    return slugify(text.replace("đ", "d").replace("Đ", "D"))


def report_filename(data, extension="xlsx", suffix=""):
    return f"bao-cao-{_slug(data['unit']['name'])}-{data['period']['key']}{suffix}.{extension}"


def report_workbook(data, *, submitted_by=""):
    book = Book()
    report_sheets(book, data, made_on=_made_on(data), submitted_by=submitted_by)
    return book


def submitted_workbook(province, period, latest, communes):
    """One workbook of a province's submitted reports of `period`: an index sheet, then each report's sheets.

    `latest`: {commune id: SubmittedReport}; `communes`: the province's communes in order.
    """
    book = Book()
    index = book.sheet(_("Submitted"))
    title = _("Reports submitted by the communes of %(province)s") % {"province": province.name}
    index.write_string(0, 0, _text(title), book.style(bold=True, size=13))
    dates = {"key": period.key, "start": period.start.strftime("%d/%m/%Y"), "end": period.end.strftime("%d/%m/%Y")}
    index.write_string(1, 0, _text(_("Period %(key)s: from %(start)s to %(end)s") % dates))
    headers = [
        _("Commune"),
        _("GSO code"),
        _("Submitted"),
        _("Version"),
        _("Submitted by"),
        _("Submitted at"),
        _("Households"),
        _("Reached"),
        _("Visits"),
    ]
    header_row = 4
    index.write_row(header_row - 1, 0, [_text(h) for h in headers], book.style(**HEADER))
    moment = book.style(num_format="DD/MM/YYYY HH:MM")
    for row, commune in enumerate(communes, start=header_row):
        report = latest.get(commune.pk)
        index.write_string(row, 0, _text(commune.name))
        index.write_string(row, 1, commune.code)
        if report is None:
            index.write_string(row, 2, _("no"))
            continue
        total = report.figures["total"]
        index.write_string(row, 2, _("yes"))
        index.write_number(row, 3, report.version)
        index.write_string(row, 4, _text(report.submitted_by_name))
        index.write_datetime(row, 5, timezone_naive(report.submitted_at), moment)
        index.write_row(row, 6, [total["end"]["households"], total["end"]["reached"], total["visits"]])
    for column, width in enumerate((28, 9, 10, 8, 22, 17, 11, 11, 9)):
        index.set_column(column, column, width)
    print_setup(index, (header_row, header_row))
    for commune in communes:
        report = latest.get(commune.pk)
        if report is not None:
            report_sheets(
                book,
                report.figures,
                made_on=_made_on(report.figures),
                submitted_by=report.submitted_by_name,
                prefix=f"{commune.code} ",
            )
    return book


def timezone_naive(moment):
    """Excel has no time zones: the local time of `moment`."""
    return timezone.localtime(moment).replace(tzinfo=None)
