"""The table of a hamlet: one row per household (the page shows fifty, the exports every one).

Its rows are `ValuesRow`s: plain values in the columns' kinds, whose cells are
made only when something reads them (the page's template, the Excel file).
The CSV formats the values by their columns' kinds (`exports._csv_lines`):
the largest hamlet's export has 1,155 rows of 25 cells, and making a `Cell`
of each was a fifth of its time.
"""

from django.utils.translation import gettext as _

from .exports import Cell, Column, Row, Table, _pillars, _summary


class ValuesRow:
    """A table row of plain `values`, one per column, of the columns' `kinds`; `cells` as any row has them."""

    __slots__ = ("values", "kinds", "_cells")
    url = ""
    is_total = False

    def __init__(self, values, kinds):
        self.values, self.kinds, self._cells = values, kinds, None

    @property
    def cells(self):
        if self._cells is None:  # made once: the page's template reads them twice
            self._cells = [Cell(value, kind) for value, kind in zip(self.values, self.kinds, strict=True)]
        return self._cells


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
    kinds = [c.kind for c in columns]
    # Read once, not per household.
    service_ids, pillars = [s.pk for s in services], [p.value for p in _pillars()]
    rows = []
    for household in households:
        f = figures_by_household[household.pk]
        values = [household.head_name, household.address, household.is_priority, f.first_visited_on]
        values += [f.adopted_on.get(pk) for pk in service_ids]
        values += [p in f.pillars for p in pillars]
        values += [f.people_helped.get(pk, 0) for pk in service_ids]
        rows.append(ValuesRow(values, kinds))
    t = rollup.total
    total_row = Row(
        [Cell(_("Total"), "text"), Cell("", "text"), Cell("", "text"), Cell(t.reach, "percent")]
        + [Cell(t.coverage(s), "percent") for s in services]
        + [Cell(t.pillar_coverage(p.value), "percent") for p in _pillars()]
        + [Cell(t.people_helped.get(s.pk, 0), "int") for s in services],
        is_total=True,
    )
    return Table(title, str(rollup.unit), rollup.on, rollup.priority_only, columns, rows, total_row, _summary(t))
