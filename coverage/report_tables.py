"""A report's data (coverage.reports.report_data) laid out as the tables the page and the xlsx show.

One layout for both, so the printed page and the workbook carry the same
figures. Each table fits an A4 landscape page in width: households and
reach with the period's visits; adoption, one table per pillar; the
period's new adoptions and people helped; the targets.

Values: "int" a count; "percent" a Decimal with one decimal or None ("—":
no households, or a service not yet offered); "points" a change in
percentage points (Decimal, signed) or None; "text".
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .rollups import ratio
from .targets import status_label


@dataclass
class ReportColumn:
    label: str
    kind: str
    group: str = ""


@dataclass
class ReportTable:
    key: str  # a stable name for tests and the sheet
    title: str
    columns: list
    rows: list  # [[value, ...]]
    total: list | None = None
    note: str = ""
    groups: list = field(default_factory=list)  # [(group label, span)]

    def __post_init__(self):
        groups = []
        for column in self.columns:
            if groups and groups[-1][0] == column.group:
                groups[-1][1] += 1
            else:
                groups.append([column.group, 1])
        self.groups = [(label, span) for label, span in groups]


def _points(now, before):
    if now is None or before is None:
        return None
    return now - before


def _share(figures, key, code):
    return ratio(figures[key].get(code, 0), figures["households"])


def _name_columns(data):
    label = _("Hamlet") if data["unit"]["kind"] == "commune" else _("Commune")
    code = _("Hamlet code") if data["unit"]["kind"] == "commune" else _("GSO code")
    return [ReportColumn(label, "text"), ReportColumn(code, "text")]


def _overview(data):
    is_province = data["unit"]["kind"] == "province"
    columns = [
        *_name_columns(data),
        ReportColumn(_("Households at the period's end"), "int", _("Households")),
        ReportColumn(_("Change"), "int", _("Households")),
        ReportColumn(_("Reached"), "int", _("Reach")),
        ReportColumn(_("Reach (%)"), "percent", _("Reach")),
        ReportColumn(_("Change (points)"), "points", _("Reach")),
        ReportColumn(_("Visits"), "int", _("In the period")),
        ReportColumn(_("Households visited"), "int", _("In the period")),
    ]
    if is_province:
        columns.append(ReportColumn(_("Teams with no visit"), "int", _("In the period")))

    def cells(row):
        end, previous = row["end"], row["previous"]
        reach = ratio(end["reached"], end["households"])
        values = [
            row["name"],
            row["code"],
            end["households"],
            end["households"] - previous["households"],
            end["reached"],
            reach,
            _points(reach, ratio(previous["reached"], previous["households"])),
            row["visits"],
            row["households_visited"],
        ]
        if is_province:
            values.append(row.get("idle_teams", 0))
        return values

    return ReportTable(
        "overview",
        _("Households, reach and visits"),
        columns,
        [cells(r) for r in data["rows"]],
        cells(data["total"]),
    )


def _adoption(data, pillar):
    services = [s for s in data["services"] if s["pillar"] == pillar["code"]]
    columns = _name_columns(data)
    for service in services:
        columns += [
            ReportColumn(_("Households"), "int", service["name"]),
            ReportColumn("%", "percent", service["name"]),
            ReportColumn(_("Change (points)"), "points", service["name"]),
        ]
    whole = _("Pillar: %(pillar)s") % {"pillar": pillar["name"]}
    columns += [
        ReportColumn(_("Households"), "int", whole),
        ReportColumn("%", "percent", whole),
        ReportColumn(_("Change (points)"), "points", whole),
    ]

    def cells(row):
        end, previous = row["end"], row["previous"]
        values = [row["name"], row["code"]]
        for service in services:
            now = _share(end, "adopted", service["code"])
            before = _share(previous, "adopted", service["code"]) if service["existed_before"] else None
            values += [end["adopted"].get(service["code"], 0), now, _points(now, before)]
        now = _share(end, "pillars", pillar["code"])
        values += [
            end["pillars"].get(pillar["code"], 0),
            now,
            _points(now, _share(previous, "pillars", pillar["code"])),
        ]
        return values

    return ReportTable(
        f"pillar-{pillar['code']}",
        _("Households that adopted: %(pillar)s") % {"pillar": pillar["name"]},
        columns,
        [cells(r) for r in data["rows"]],
        cells(data["total"]),
        note=_("Change: against the previous period's end, in percentage points."),
    )


def _flow(row, key, field, code):
    """A row's figure of the period: stored (`key`), or, in a report frozen before it was, the change of
    the cumulative figure (`field`) over the period."""
    if key in row:
        return row[key].get(code, 0)
    return row["end"][field].get(code, 0) - row["previous"][field].get(code, 0)


def _in_period(data):
    services = data.get("period_services", data["services"])
    columns = _name_columns(data)
    for service in services:
        columns += [
            ReportColumn(_("New adoptions"), "int", service["name"]),
            ReportColumn(_("People helped"), "int", service["name"]),
        ]

    def cells(row):
        values = [row["name"], row["code"]]
        for service in services:
            code = service["code"]
            values += [_flow(row, "new", "adopted", code), _flow(row, "people_in_period", "people", code)]
        return values

    return ReportTable(
        "in-period",
        _("In the period: new adoptions and people helped, per service"),
        columns,
        [cells(r) for r in data["rows"]],
        cells(data["total"]),
        note=_(
            "New adoptions: households that adopted the service for the first time in the period; "
            "people helped: persons set up with it in the period."
        ),
    )


def _date(text):
    return date_format(date.fromisoformat(text), "SHORT_DATE_FORMAT")


def _targets(data):
    names = {s["code"]: s["name"] for s in data["services"]}
    end = data["total"]["end"]
    rows_label = _("Hamlets on track") if data["unit"]["kind"] == "commune" else _("Communes on track")
    columns = [
        ReportColumn(_("Service"), "text"),
        ReportColumn(_("Target (%)"), "percent"),
        ReportColumn(_("Counted from"), "text"),
        ReportColumn(_("Deadline"), "text"),
        ReportColumn(_("Expected at the period's end (%)"), "percent"),
        ReportColumn(_("Households that adopted"), "int"),
        ReportColumn(_("Coverage (%)"), "percent"),
        ReportColumn(_("Status"), "text"),
        ReportColumn(rows_label, "text"),
    ]
    rows = [
        [
            names[t["service"]],
            Decimal(t["percent"]),
            _date(t["starts_on"]),
            _date(t["deadline"]),
            Decimal(t["expected"]),
            end["adopted"].get(t["service"], 0),
            _share(end, "adopted", t["service"]),
            status_label(t["status"]),
            f"{t['rows_on_track']}/{t['rows']}",
        ]
        for t in data["targets"]
    ]
    return ReportTable("targets", _("Targets"), columns, rows)


def report_tables(data):
    """The report's tables in print order."""
    return [
        _overview(data),
        *[_adoption(data, pillar) for pillar in data["pillars"]],
        _in_period(data),
        _targets(data),
    ]


def number_value(value, kind):
    """A table value as it goes into the xlsx: a percentage as a fraction (shown 0.0%), points as points."""
    if kind == "percent" and value is not None:
        return float(value / 100)
    if kind == "points" and value is not None:
        return float(value)
    return value
