"""Reporting periods: the month, quarter and year a province reports by (DESIGN.md "Reporting period").

Two conventions, chosen per province (`ReportingConvention`):

- Decree 09/2019/NĐ-CP, art. 12 (the default): administrative periodic
  reports close their figures on the 14th. The month M covers the 15th of
  M − 1 to the 14th of M; a quarter the 15th of the month before it to the 14th
  of its last month; a year 15/12 of the year before to 14/12.
- Decree 60/2018/NĐ-CP, statistical reports: calendar months, quarters, years.

A period is named by its kind and number ("2026-11", "2026-Q4", "2026"),
whatever its convention; its dates are always shown beside the name.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# The conventions, kinds and the period that counts a day are teams.period_figures' (the writes key by them).
from teams.period_figures import CALENDAR, DECREE_09, KINDS, MONTH, QUARTER, YEAR, containing, month_start, period_key

__all__ = ["CALENDAR", "DECREE_09", "KINDS", "MONTH", "QUARTER", "YEAR"]

_KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


@dataclass(frozen=True)
class Period:
    kind: str  # MONTH, QUARTER or YEAR
    year: int
    number: int  # the month (1–12), the quarter (1–4), or 1 for a year
    convention: str

    @property
    def key(self):
        return period_key(self.kind, self.year, self.number)

    @property
    def _last_month(self):
        return {MONTH: self.number, QUARTER: self.number * 3, YEAR: 12}[self.kind]

    @property
    def _months(self):
        return {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]

    @property
    def end(self):
        """The last day the period counts (its figures stand as at the end of this day)."""
        if self.convention == DECREE_09:
            return date(self.year, self._last_month, 14)
        return month_start(self.year, self._last_month + 1) - timedelta(days=1)

    @property
    def start(self):
        first_month = self._last_month - self._months + 1
        if self.convention == DECREE_09:
            return month_start(self.year, first_month - 1).replace(day=15)
        return month_start(self.year, first_month)

    def previous(self):
        """The period of the same kind just before; its end is the eve of this one's start."""
        if self.kind == YEAR:
            return Period(YEAR, self.year - 1, 1, self.convention)
        count = 12 if self.kind == MONTH else 4
        index = self.year * count + self.number - 2
        return Period(self.kind, index // count, index % count + 1, self.convention)

    def contains(self, day):
        return self.start <= day <= self.end

    @property
    def name(self):
        if self.kind == MONTH:
            return _("Month %(month)s/%(year)s") % {"month": f"{self.number:02d}", "year": self.year}
        if self.kind == QUARTER:
            return _("Quarter %(quarter)s/%(year)s") % {"quarter": self.number, "year": self.year}
        return _("Year %(year)s") % {"year": self.year}

    @property
    def dates(self):
        """ "15/10/2026 – 14/11/2026" in the active locale's short date format."""
        return f"{date_format(self.start, 'SHORT_DATE_FORMAT')} – {date_format(self.end, 'SHORT_DATE_FORMAT')}"

    @property
    def label(self):
        return f"{self.name} ({self.dates})"

    @property
    def convention_label(self):
        return convention_label(self.convention)

    def as_json(self):
        return {
            "kind": self.kind,
            "key": self.key,
            "convention": self.convention,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def convention_label(convention):
    if convention == CALENDAR:
        return _("calendar months (Decree 60/2018/NĐ-CP, statistical reports)")
    return _("the 15th of the previous month to the 14th (Decree 09/2019/NĐ-CP, art. 12)")


def period_containing(day, *, convention, kind=MONTH):
    """The period of `kind` under `convention` that counts `day`."""
    return Period(kind, *containing(day, convention=convention, kind=kind), convention)


def period_from_key(key, *, convention):
    """The period named "2026-11", "2026-Q4" or "2026"; None for anything else."""
    match = _KEY.match(key or "")
    if not match:
        return None
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        return None
    if match["month"]:
        month = int(match["month"])
        return Period(MONTH, year, month, convention) if 1 <= month <= 12 else None
    if match["quarter"]:
        return Period(QUARTER, year, int(match["quarter"]), convention)
    return Period(YEAR, year, 1, convention)


def recent_periods(today, *, convention, kind=MONTH, count=13):
    """The period containing `today` and the ones before it, newest first (the report page's choices)."""
    period = period_containing(today, convention=convention, kind=kind)
    result = []
    for _index in range(count):
        result.append(period)
        period = period.previous()
    return result
