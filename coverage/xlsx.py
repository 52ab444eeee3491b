"""Writing a sheet with XlsxWriter in constant-memory mode: each row goes to a temporary file once the next begins.

Time is linear in the rows and memory flat, where openpyxl's normal mode kept
every cell and walked them all (`max_row`) on each append: a hamlet of 2,000
households took a minute (issue 17). Text is always text: no formula, number
or link is read into a string.
"""

from datetime import date

from django.utils.translation import gettext as _
from xlsxwriter import Workbook

PAPER_A4 = 9
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def workbook(handle):
    return Workbook(handle, OPTIONS)


# What fits across an A4 landscape page at a readable scale, in characters of column width.
PAGE_WIDTH = 180


def print_setup(sheet, header_rows, *, width=None):
    """A4 landscape, centred, the header rows (1-based, first and last) repeated on every page, page numbers in
    the footer: officials print the tables and file them. Fit to the page's width, unless the table is `width`
    characters wide and that is more than a page holds readably (a commune's table has some forty columns):
    then its columns run over several pages, each with the first column (the unit's or household's name)."""
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    if width is None or width <= PAGE_WIDTH:
        sheet.fit_to_pages(1, 0)
    else:
        sheet.repeat_columns(0)
        sheet.print_across()
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if header_rows:
        sheet.repeat_rows(header_rows[0] - 1, header_rows[1] - 1)
    sheet.set_footer("&C" + _("Page &P of &N"))


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
