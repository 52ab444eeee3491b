"""Reading a monthly report back as a user sees it: the page's tables and the workbook's, as the same text."""

import io
from html.parser import HTMLParser

from openpyxl import load_workbook


class _ReportTables(HTMLParser):
    """{section key: [[cell text]]} of the body and totals rows of each `report-<key>` section's table."""

    def __init__(self):
        super().__init__()
        self.tables, self._key, self._in_head, self._row, self._cell = {}, None, False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (attrs.get("data-testid") or "").startswith("report-"):
            self._key = attrs["data-testid"].removeprefix("report-")
            self.tables[self._key] = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._key and not self._in_head:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if len(self._row) > 1:
                self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "section":
            self._key = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_report(response):
    assert response.status_code == 200, response.status_code
    parser = _ReportTables()
    parser.feed(response.content.decode())
    return parser.tables


def _text(cell):
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if cell.number_format == "0.0%":
        return f"{value * 100:.1f}".replace(".", ",") + "%"
    if cell.number_format.startswith("+"):
        return ("+" if round(value, 1) > 0 else "") + f"{value:.1f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def xlsx_tables(content, first_labels):
    """{sheet title: [[cell text]]}: the rows under the header row whose first cell is one of `first_labels`."""
    book = load_workbook(io.BytesIO(content))
    result = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows())
        header = next((i for i, row in enumerate(rows) if row[0].value in first_labels), None)
        if header is None:
            continue
        body = []
        for row in rows[header + 1 :]:
            if row[0].value is None or sum(c.value is not None for c in row) < 2:
                break
            body.append([_text(c) for c in row if c.column <= len([h for h in rows[header] if h.value is not None])])
        result[sheet.title] = body
    return result
