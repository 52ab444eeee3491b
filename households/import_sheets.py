"""The household list as a workbook: the template to fill, and the register exported in the same layout.

The register's rows are read as plain values in one query and written as
the import reads them (the people count a number, the rest text); XlsxWriter writes the workbook around them,
with the drop-down lists tablib cannot write, so that a file exported, edited
and imported again is a round trip.
"""

import io

from django.utils import translation
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name

from .import_rows import yes_no_label
from .imports import COLUMNS, POVERTY_CELLS, poverty_cell
from .models import Household

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows the template's drop-down lists cover (a large commune's list).
VALIDATED_ROWS = 30_000
WIDTHS = {"code": 12, "hamlet": 18, "head_name": 28, "address": 34, "people_count": 12, "poverty": 16}


def column_headers(keys):
    """Our columns' headers in Vietnamese, whatever the importer's language (lists are Vietnamese)."""
    with translation.override("vi"):
        return [str(column.label) for column in COLUMNS if column.key in keys]


# The register's columns as the household's fields, in the order of COLUMNS (the phone last, for who may read it).
REGISTER_FIELDS = {
    "code": "code",
    "hamlet": "hamlet__name",
    "head_name": "head_name",
    "address": "address",
    "people_count": "people_count",
    "poverty": "poverty",
    "policy_family": "policy_family",
    "consent_given": "consent_given",
    "phone": "phone",
}


def register_rows(households, keys):
    """The rows of `households` in the import layout: the people count a number (Excel sums it, and its
    validation checks it), every other cell text (a flag "Có" or "Không", the poverty status as the drop-down
    list writes it); plain tuples from one query, not model instances: a commune's register has ten thousand rows."""
    with translation.override("vi"):
        yes_no = {True: yes_no_label(True), False: yes_no_label(False)}
    text = {
        "poverty": poverty_cell,
        "policy_family": yes_no.__getitem__,
        "consent_given": yes_no.__getitem__,
    }
    converters = [text.get(key) for key in keys]
    for values in households.values_list(*(REGISTER_FIELDS[key] for key in keys)):
        yield [
            "" if value is None else convert(value) if convert else value
            for value, convert in zip(values, converters, strict=True)
        ]


def _workbook(keys, rows):
    """The sheet written by XlsxWriter: openpyxl took twice as long on a 10,000-household commune, building and
    serialising a cell object each (issue 17). The layout is the one openpyxl wrote: widths, print margins, the
    validations' flags. Text is written as text (write_string), never read as a formula or a number."""
    output = io.BytesIO()
    workbook = Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("Danh sách hộ")
    bold = workbook.add_format({"font_name": "Calibri", "bold": True, "bg_color": "#DDEBF7", "pattern": 1})
    # Codes and phones are text: a number cell would drop their leading zeros.
    text = workbook.add_format({"num_format": "@"})
    formats = [text if key in ("code", "phone") else None for key in keys]
    for index, header in enumerate(column_headers(keys)):
        sheet.write_string(0, index, header, bold)
        # In pixels, seven to a character, so that the file keeps openpyxl's widths exactly.
        sheet.set_column_pixels(index, index, 7 * max(WIDTHS.get(keys[index], 12), len(header) + 3))
    sheet.freeze_panes(1, 0)
    # Printed as one page wide (a hamlet head checks the list on paper).
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.75, right=0.75, top=1, bottom=1)
    sheet.set_header("", {"margin": 0.5})
    sheet.set_footer("", {"margin": 0.5})
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            if value == "":
                sheet.write_blank(number, index, None, formats[index])
            elif isinstance(value, str):
                sheet.write_string(number, index, value, formats[index])
            else:
                sheet.write_number(number, index, value, formats[index])
    letters = {key: xl_col_to_name(index) for index, key in enumerate(keys)}
    with translation.override("vi"):
        lists = {
            "poverty": list(POVERTY_CELLS.values()),
            "policy_family": [yes_no_label(True), yes_no_label(False)],
            "consent_given": [yes_no_label(True), yes_no_label(False)],
        }
    for key, choices in lists.items():
        if key in letters:
            sheet.data_validation(
                f"{letters[key]}2:{letters[key]}{VALIDATED_ROWS}",
                {
                    "validate": "list",
                    "source": choices,
                    "show_input": False,
                    "error_title": "Giá trị không hợp lệ",
                    "error_message": f"Chọn một trong: {', '.join(choices)}",
                },
            )
    if "people_count" in letters:
        # No error box, as before: Excel keeps a count outside 1–99 and the import reports it.
        sheet.data_validation(
            f"{letters['people_count']}2:{letters['people_count']}{VALIDATED_ROWS}",
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": 1,
                "maximum": 99,
                "show_input": False,
                "show_error": False,
                "error_message": "Số nhân khẩu từ 1 đến 99",
            },
        )
    workbook.close()
    return output.getvalue()


def template_workbook(*, hamlet_name):
    """The template: our headers, one example row (in a hamlet of the importer's), the drop-down lists."""
    keys = [c.key for c in COLUMNS]
    with translation.override("vi"):
        example = ["HK0001", hamlet_name, "Nguyễn Văn An", "Số 12, đường Trần Hưng Đạo", 4]
        example += [POVERTY_CELLS[Household.Poverty.NEAR_POOR], yes_no_label(False), yes_no_label(True), "0912345678"]
    return _workbook(keys, [example])


def register_workbook(*, households, with_phones):
    """The active households given, in the template's layout."""
    keys = [c.key for c in COLUMNS if with_phones or c.key != "phone"]
    households = households.filter(active=True).order_by("hamlet__name", "head_name", "pk")
    return _workbook(keys, register_rows(households, keys))
