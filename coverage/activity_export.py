"""The teams' activity as a table (coverage.exports): per team, per member and for the commune, per period."""

from django.utils.translation import gettext as _

from .exports import Cell, Column, Row, Table


def activity_table(commune, activity, *, on, title, period_labels):
    """Teams' activity in each reporting period (`period_labels`, one per period of `activity`, dates included):
    one row per team, then one per member, then the commune's total."""
    columns = [Column("team", _("Team"), "text"), Column("member", _("Member"), "text")]
    for index, label in enumerate(period_labels):
        columns += [
            Column(f"visits_{index}", _("Visits, %(period)s") % {"period": label}, "int"),
            Column(f"households_{index}", _("Households visited, %(period)s") % {"period": label}, "int"),
        ]

    def cells(a):
        return [Cell(n, "int") for pair in zip(a.visits, a.households, strict=True) for n in pair]

    rows = []
    for team, team_activity, members in activity.teams:
        rows.append(Row([Cell(team.name, "text"), Cell(_("Whole team"), "text"), *cells(team_activity)], is_total=True))
        for member, member_activity in members:
            rows.append(Row([Cell(team.name, "text"), Cell(member.full_name, "text"), *cells(member_activity)]))
    total = Row([Cell(_("Whole commune"), "text"), Cell(commune.name, "text"), *cells(activity.total)], is_total=True)
    first, last = activity.periods[0]
    return Table(
        title,
        str(commune),
        on,
        False,
        columns,
        rows,
        total,
        file_prefix="hoat-dong-cac-to",
        file_dates=f"{first.isoformat()}-{last.isoformat()}",
        sheet_title=_("Teams' activity"),
    )
