"""Rendering coverage tables: cells in Vietnamese formats, the colour scale, sortable headers."""

from html import escape as html_escape

from django import template
from django.utils.formats import date_format, get_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coverage.rollups import format_percent

register = template.Library()

# Coverage colour scale: five bands of 20 points, from red (lagging) to green.
BANDS = 5


@register.filter
def percent(value):
    return format_percent(value)


@register.filter
def coverage_band(value):
    """The colour band (0–4) of a percentage, or "none" without households."""
    if value is None:
        return "none"
    return str(min(int(value // (100 // BANDS)), BANDS - 1))


class _Numbers:
    """The active locale's separators, looked up once per table: a province table has thousands of cells."""

    def __init__(self):
        self.decimal = get_format("DECIMAL_SEPARATOR")
        self.thousands = get_format("THOUSAND_SEPARATOR")
        self.dates = {}  # a hamlet's households were visited on a few dozen days: each formatted once

    def date(self, day):
        if (text := self.dates.get(day)) is None:
            text = self.dates[day] = date_format(day, "SHORT_DATE_FORMAT")
        return text

    def integer(self, n):
        # As number_format(n, force_grouping=True) with the locale's grouping of three.
        return f"{n:,}".replace(",", self.thousands)

    def percent(self, value):
        # As coverage.rollups.format_percent: one decimal, the locale's separator.
        return "—" if value is None else f"{value:.1f}".replace(".", self.decimal) + "%"


def _display(cell, numbers):
    if cell.kind == "percent":
        return numbers.percent(cell.value)
    if cell.value is None or cell.value == "":
        return "—" if cell.kind == "date" else ""
    if cell.kind == "int":
        return numbers.integer(cell.value)
    if cell.kind == "date":
        return numbers.date(cell.value)
    if cell.kind == "flag":
        return "✓" if cell.value else ""
    return str(cell.value)


def _target_mark(progress):
    title = _("Target %(target)s by %(deadline)s, expected %(expected)s now: %(status)s") % {
        "target": format_percent(progress.target.percent),
        "deadline": date_format(progress.target.deadline, "SHORT_DATE_FORMAT"),
        "expected": format_percent(progress.expected),
        "status": progress.label,
    }
    return format_html(
        ' <span class="target-mark target-{}" title="{}" aria-hidden="true">{}</span>'
        '<span class="visually-hidden">({})</span>',
        progress.status,
        title,
        "▲" if progress.ok else "▼",
        progress.label,
    )


def _cell_html(cell, numbers):
    if cell.kind == "text":
        return f"<td>{escape(_display(cell, numbers))}</td>"
    classes = f"num cov cov-{coverage_band(cell.value)}" if cell.kind == "percent" else "num"
    mark = _target_mark(cell.progress) if cell.progress else ""
    # Numbers, percentages, dates and ticks are markup-free: no escaping to pay for.
    return f'<td class="{classes}">{_display(cell, numbers)}{mark}</td>'


@register.simple_tag
def table_cell(cell):
    """A <td> for a table cell: numbers right-aligned, coverage coloured, target progress marked."""
    return mark_safe(_cell_html(cell, _Numbers()))


@register.simple_tag
def table_rows(rows, link=True):
    """The <tr>s of a table's rows, built here rather than cell by cell in the template: a province's
    hundred communes make thousands of cells. The first cell is the row's header (a link when `link`)."""
    numbers = _Numbers()
    html = []
    for row in rows:
        name = escape(row.cells[0].value if link or row.is_total else "")
        if link and row.url:
            name = f'<a href="{escape(row.url)}">{name}</a>'
        cells = "".join(_cell_html(cell, numbers) for cell in row.cells[1:])
        attributes = ' class="subtotal"' if row.is_total else ""
        html.append(f'<tr{attributes}><th scope="row">{name}</th>{cells}</tr>')
    return mark_safe("\n".join(html))


_SORT_PARAMS = "coverage_sort_params"


@register.simple_tag(takes_context=True)
def sort_link(context, column):
    """A header link that sorts by `column` (ascending first, then descending); keeps the other filters."""
    request = context["request"]
    current = request.GET.get("sort", "name")
    # One copy of the query string per table, not per column (each copy is a deep copy); "sort" is set anew
    # on every call, so reusing it gives each link what a fresh copy would.
    params = context.render_context.get(_SORT_PARAMS)
    if params is None:
        params = context.render_context[_SORT_PARAMS] = request.GET.copy()
        params.pop("page", None)
    descending_next = current == column.key
    params["sort"] = f"-{column.key}" if descending_next else column.key
    arrow = "▲" if current == column.key else "▼" if current == f"-{column.key}" else ""
    return format_html(
        '<a href="?{}" class="sort-link" data-sort="{}">{}</a>{}',
        params.urlencode(),
        column.key,
        column.label,
        format_html(' <span aria-hidden="true">{}</span>', arrow) if arrow else "",
    )


@register.filter
def column_groups(columns):
    """[(group label, span)] for the header row above the columns; "" for ungrouped runs."""
    groups = []
    for column in columns:
        if groups and groups[-1][0] == column.group:
            groups[-1][1] += 1
        else:
            groups.append([column.group, 1])
    return groups


@register.filter
def isodate(text):
    """ "2026-11-14" (a report's stored date) → date."""
    from datetime import date

    return date.fromisoformat(text)


def _report_value(value, kind, numbers):
    if kind == "percent":
        return numbers.percent(value)
    if kind == "points":
        return "—" if value is None else ("+" if value > 0 else "") + numbers.percent(value)[:-1]
    if kind == "int":
        return numbers.integer(value)
    return str(value)


_REPORT_NUMBERS = {}  # language -> its separators, for report_cells (which formats no dates)
_NUMBER_KINDS = ("int", "percent", "points")


@register.simple_tag
def report_cells(columns, values):
    """One row of a report table (coverage.report_tables): the first cell a row heading, numbers right-aligned.

    A province's report draws about 1,500 rows: the separators are looked up once per language, and
    the text escaped by the standard library's `html.escape` (as Django's `escape`, without its check
    for lazy strings on each of 20,000 cells).
    """
    language = get_language()
    numbers = _REPORT_NUMBERS.get(language) or _REPORT_NUMBERS.setdefault(language, _Numbers())
    html = []
    for index, (column, value) in enumerate(zip(columns, values, strict=True)):
        text = _report_value(value, column.kind, numbers)
        if column.kind not in _NUMBER_KINDS:  # digits, separators, "—", "+" and "%" need no escaping
            text = html_escape(text)
        if index == 0:
            html.append(f'<th scope="row">{text}</th>')
        elif column.kind == "text":
            html.append(f"<td>{text}</td>")
        else:
            html.append(f'<td class="num {column.kind}">{text}</td>')
    return mark_safe("".join(html))
