"""The report as an Excel workbook ready to print, and a province's submitted reports of a period in one workbook.

Print setup: A4 landscape, fit to the page's width, the table's header rows
repeated on every page, page numbers in the footer. The first sheet carries
the national heading, the unit, the period, the place and date; the last the
"Người lập biểu" / "Thủ trưởng đơn vị" signature block. The national heading
and the signature words are the fixed Vietnamese form of an administrative
document (Decree 30/2020/NĐ-CP), whatever the user's language.
"""

import io
from copy import copy
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .report_tables import number_value, report_tables

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập – Tự do – Hạnh phúc"
PREPARER, HEAD = "Người lập biểu", "Thủ trưởng đơn vị"
FORMATS = {"int": "#,##0", "percent": "0.0%", "points": "+0.0;-0.0;0.0"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _text(value):
    # Excel refuses control characters; names come from the admin or imports.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _print_setup(sheet, header_rows):
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    if header_rows:
        sheet.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    sheet.oddFooter.center.text = _("Page &P of &N")


def _merged(sheet, row, first, last, value, *, font=None, align=CENTER):
    cell = sheet.cell(row=row, column=first, value=_text(value))
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell.font = font or Font()
    cell.alignment = align
    return cell


def _place_and_date(data, day):
    return f"{data['unit']['name']}, ngày {day.day} tháng {day.month} năm {day.year}"


def _heading(sheet, data, width, made_on):
    """National heading, unit, title, period; returns the next free row."""
    left = max(2, width // 3)
    right_first = min(width, left + 1)
    _merged(sheet, 1, 1, left, f"ỦY BAN NHÂN DÂN {data['unit']['name'].upper()}", font=BOLD)
    _merged(sheet, 1, right_first, width, NATION, font=BOLD)
    _merged(sheet, 2, right_first, width, MOTTO, font=Font(bold=True, underline="single"))
    _merged(sheet, 3, right_first, width, _place_and_date(data, made_on), font=Font(italic=True))
    _merged(sheet, 5, 1, width, _("REPORT ON DIGITAL COVERAGE OF HOUSEHOLDS"), font=Font(bold=True, size=13))
    _merged(sheet, 6, 1, width, _period_line(data), font=BOLD)
    unit = _("Unit: %(name)s (code %(code)s), %(province)s") % data["unit"]
    if data["unit"]["kind"] == "province":
        unit = _("Unit: %(name)s (code %(code)s)") % data["unit"]
    _merged(sheet, 7, 1, width, unit)
    for row in range(1, 8):
        sheet.row_dimensions[row].height = 18
    sheet.row_dimensions[5].height = 22
    return 9


def _period_line(data):
    period = data["period"]
    start, end = (date.fromisoformat(period[k]) for k in ("start", "end"))
    return _("Period %(key)s: from %(start)s to %(end)s") % {
        "key": period["key"],
        "start": start.strftime("%d/%m/%Y"),
        "end": end.strftime("%d/%m/%Y"),
    }


def _table(sheet, table, first_row):
    """The table with its group row and header row; returns (header rows, next free row)."""
    sheet.cell(row=first_row, column=1, value=_text(table.title)).font = Font(bold=True, size=12)
    group_row, label_row = first_row + 1, first_row + 2
    column = 1
    for label, span in table.groups:
        _merged(sheet, group_row, column, column + span - 1, label, font=BOLD)
        for c in range(column, column + span):
            sheet.cell(row=group_row, column=c).fill = HEADER_FILL
            sheet.cell(row=group_row, column=c).border = BOX
        column += span
    for index, col in enumerate(table.columns, start=1):
        cell = sheet.cell(row=label_row, column=index, value=_text(col.label))
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, CENTER, BOX
    widths = [_width(index, col) for index, col in enumerate(table.columns, start=1)]
    spans, first = [], 0
    for label, span in table.groups:
        spans.append((label, sum(widths[first : first + span])))
        first += span
    sheet.row_dimensions[group_row].height = _height(spans)
    sheet.row_dimensions[label_row].height = _height(zip((c.label for c in table.columns), widths, strict=True))
    row_number = label_row + 1
    # A cell already styled for each (kind, total row, no value): the others take a copy of its style, as
    # openpyxl's own sheet copy does. Given a style object, openpyxl hashes it to find its index: ~300 ms
    # for the ~7,000 cells of a province's report.
    styled = {}
    for values, is_total in [*((r, False) for r in table.rows), *([(table.total, True)] if table.total else [])]:
        for index, (col, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=index)
            cell.value = _text(value) if col.kind == "text" else number_value(value, col.kind)
            if value is None:
                cell.value = "—"
            model = styled.get((col.kind, is_total, value is None))
            if model is not None:
                cell._style = copy(model._style)
                continue
            if col.kind in FORMATS:
                cell.number_format = FORMATS[col.kind]
            cell.border = BOX
            if is_total:
                cell.font = BOLD
            if value is None:
                cell.alignment = Alignment(horizontal="right")
            styled[(col.kind, is_total, value is None)] = cell
        row_number += 1
    if not table.rows and not table.total:
        _merged(sheet, row_number, 1, len(table.columns), _("None."), align=Alignment())
        row_number += 1
    if table.note:
        _merged(sheet, row_number, 1, len(table.columns), table.note, font=Font(italic=True, size=9), align=Alignment())
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
    for index, col in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(index, col)


def _signature(sheet, row, width, data, submitted_by):
    half = max(1, width // 2)
    _merged(sheet, row, 1, half, PREPARER, font=BOLD)
    _merged(sheet, row, half + 1, width, HEAD, font=BOLD)
    _merged(sheet, row + 1, 1, half, "(Ký, ghi rõ họ tên)", font=Font(italic=True))
    _merged(sheet, row + 1, half + 1, width, "(Ký, đóng dấu, ghi rõ họ tên)", font=Font(italic=True))
    if submitted_by:
        _merged(sheet, row + 5, 1, half, submitted_by, font=BOLD)
    return row + 6


def report_sheets(book, data, *, made_on, submitted_by="", prefix=""):
    """Add the report's sheets to `book`: the heading on the first, the signature block on the last."""
    tables = report_tables(data)
    titles = {
        "overview": _("Report summary"),
        "in-period": _("In the period"),
        "targets": _("Targets"),
    }
    for index, table in enumerate(tables):
        title = titles.get(table.key) or table.title.split(": ", 1)[-1]
        sheet = book.create_sheet(_text(f"{prefix}{title}")[:31].replace("/", "-"))
        width = len(table.columns)
        row = _heading(sheet, data, width, made_on) if index == 0 else 1
        header_rows, row = _table(sheet, table, row)
        _widths(sheet, table)
        if table.key == "targets":
            row = _idle_teams(sheet, data, row, width)
            row = _signature(sheet, row + 1, width, data, submitted_by)
        _print_setup(sheet, header_rows)
    return tables


def _idle_teams(sheet, data, row, width):
    if data["unit"]["kind"] != "commune":
        return row
    sheet.cell(row=row, column=1, value=_("Teams that logged no visit in the period")).font = Font(bold=True, size=12)
    names = data["idle_teams"] or [_("None.")]
    for offset, name in enumerate(names, start=1):
        _merged(sheet, row + offset, 1, width, name, align=Alignment())
    return row + len(names) + 2


def _made_on(data):
    return datetime.fromisoformat(data["made_at"]).date()


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
    book = Workbook()
    book.remove(book.active)
    report_sheets(book, data, made_on=_made_on(data), submitted_by=submitted_by)
    return book


def submitted_workbook(province, period, latest, communes):
    """One workbook of a province's submitted reports of `period`: an index sheet, then each report's sheets.

    `latest`: {commune id: SubmittedReport}; `communes`: the province's communes in order.
    """
    book = Workbook()
    index = book.active
    index.title = _("Submitted")[:31]
    index.append([_text(_("Reports submitted by the communes of %(province)s") % {"province": province.name})])
    index["A1"].font = Font(bold=True, size=13)
    index.append(
        [
            _text(
                _("Period %(key)s: from %(start)s to %(end)s")
                % {
                    "key": period.key,
                    "start": period.start.strftime("%d/%m/%Y"),
                    "end": period.end.strftime("%d/%m/%Y"),
                }
            )
        ]
    )
    index.append([])
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
    index.append(headers)
    for cell in index[index.max_row]:
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, CENTER, BOX
    header_row = index.max_row
    for commune in communes:
        report = latest.get(commune.pk)
        if report is None:
            index.append([_text(commune.name), commune.code, _("no"), None, None, None, None, None, None])
            continue
        total = report.figures["total"]
        index.append(
            [
                _text(commune.name),
                commune.code,
                _("yes"),
                report.version,
                _text(report.submitted_by_name),
                timezone_naive(report.submitted_at),
                total["end"]["households"],
                total["end"]["reached"],
                total["visits"],
            ]
        )
        index.cell(row=index.max_row, column=6).number_format = "DD/MM/YYYY HH:MM"
    for column, width in enumerate((28, 9, 10, 8, 22, 17, 11, 11, 9), start=1):
        index.column_dimensions[get_column_letter(column)].width = width
    _print_setup(index, (header_row, header_row))
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
