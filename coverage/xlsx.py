"""Writing a sheet with XlsxWriter in constant-memory mode: each row goes to a temporary file once the next begins.

Time is linear in the rows and memory flat, where openpyxl's normal mode kept
every cell and walked them all (`max_row`) on each append: a hamlet of 2,000
households took a minute (issue 17). Text is always text: no formula, number
or link is read into a string.
"""

from datetime import date

from xlsxwriter import Workbook

OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def workbook(handle):
    return Workbook(handle, OPTIONS)


class Sheet:
    """A worksheet written row after row, with one format object per number format (plain, bold, left-aligned)."""

    def __init__(self, book, name, number_formats):
        self.sheet = book.add_worksheet(name)
        self.row = 0
        formats = (None, *number_formats)
        self.plain = {f: book.add_format({"num_format": f} if f else {}) for f in formats}
        self.bold = {f: book.add_format({"num_format": f, "bold": True} if f else {"bold": True}) for f in formats}
        self.left = {f: book.add_format({"num_format": f, "align": "left"} if f else {}) for f in formats}

    def write(self, column, value, cell_format=None):
        if value is None:
            if cell_format is not None:
                self.sheet.write_blank(self.row, column, None, cell_format)
        elif isinstance(value, str):
            self.sheet.write_string(self.row, column, value, cell_format)
        elif isinstance(value, date):
            self.sheet.write_datetime(self.row, column, value, cell_format)
        else:
            self.sheet.write_number(self.row, column, value, cell_format)

    def append(self, values, formats=None):
        """One row of values, with an XlsxWriter format per column (or None)."""
        for column, value in enumerate(values):
            self.write(column, value, formats[column] if formats else None)
        self.row += 1

    def append_formatted(self, cells, *, bold=False):
        """One row of (value, number format or None) pairs; bold for a totals row."""
        styles = self.bold if bold else self.plain
        for column, (value, number_format) in enumerate(cells):
            self.write(column, value, styles[number_format] if number_format or bold else None)
        self.row += 1
