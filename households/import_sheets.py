"""The household list as a workbook: the template to fill, and the register exported in the same layout.

The register's rows are read as plain values in one query and written as
text, as the import reads them; openpyxl writes the workbook around them, with
the drop-down lists tablib cannot write, so that a file exported, edited and
imported again is a round trip.
"""

import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

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
    """The rows of `households` in the import layout, every cell text (a number as its digits, a flag "Có" or
    "Không", the poverty status as the drop-down list writes it); plain tuples from one query, not model instances:
    a commune's register has ten thousand rows."""
    with translation.override("vi"):
        yes_no = {True: yes_no_label(True), False: yes_no_label(False)}
    text = {
        "people_count": str,
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
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách hộ"
    sheet.append(column_headers(keys))
    for cell in sheet[1]:
        cell.font = Font(name="Calibri", bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = "A2"
    # Printed as one page wide (a hamlet head checks the list on paper).
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    for row in rows:
        sheet.append(list(row))
    letters = {key: sheet.cell(row=1, column=index + 1).column_letter for index, key in enumerate(keys)}
    for key, letter in letters.items():
        header = sheet[f"{letter}1"].value
        sheet.column_dimensions[letter].width = max(WIDTHS.get(key, 12), len(header) + 3)
        # Codes and phones are text: a number cell would drop their leading zeros.
        if key in ("code", "phone"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=sheet[letter][0].column, max_col=sheet[letter][0].column):
                cell.number_format = "@"
    with translation.override("vi"):
        lists = {
            "poverty": ",".join(POVERTY_CELLS.values()),
            "policy_family": f"{yes_no_label(True)},{yes_no_label(False)}",
            "consent_given": f"{yes_no_label(True)},{yes_no_label(False)}",
        }
        for key, choices in lists.items():
            if key not in letters:
                continue
            validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True)
            validation.error = f"Chọn một trong: {choices.replace(',', ', ')}"
            validation.errorTitle = "Giá trị không hợp lệ"
            validation.add(f"{letters[key]}2:{letters[key]}{VALIDATED_ROWS}")
            sheet.add_data_validation(validation)
        if "people_count" in letters:
            validation = DataValidation(type="whole", operator="between", formula1="1", formula2="99", allow_blank=True)
            validation.error = "Số nhân khẩu từ 1 đến 99"
            validation.add(f"{letters['people_count']}2:{letters['people_count']}{VALIDATED_ROWS}")
            sheet.add_data_validation(validation)
    output = io.BytesIO()
    workbook.save(output)
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
