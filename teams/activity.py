"""Teams' activity: visits and households visited per member and per team of a commune.

Read from the visits themselves (not the coverage counters): the commune's
coverage page shows it beside the rollups, and exports it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection

from .models import Member, Team, Visit


@dataclass
class Activity:
    """Visits and distinct households visited in the 7 and 30 days ending on a date."""

    visits_7: int = 0
    households_7: int = 0
    visits_30: int = 0
    households_30: int = 0


# Per member and per team of a commune, in one statement: visits and distinct households in the
# last 7 and 30 days. Plain SQL, the same on SQLite and PostgreSQL (CASE, not FILTER): compiling the
# two aggregate querysets cost more than running them. It reads only columns of the member-and-date
# index of visits (which includes household and province): on PostgreSQL an index-only scan.
_ACTIVITY_SQL = """
SELECT {kind}, {unit},
       COUNT(CASE WHEN v.visited_on >= %s THEN 1 END),
       COUNT(DISTINCT CASE WHEN v.visited_on >= %s THEN v.household_id END),
       COUNT(v.visited_on),
       COUNT(DISTINCT v.household_id)
FROM {visit} v JOIN {member} m ON m.id = v.member_id JOIN {team} t ON t.id = m.team_id
WHERE v.province_id = %s AND t.commune_id = %s AND v.visited_on >= %s AND v.visited_on <= %s
GROUP BY {unit}"""


def _activity_counts(commune, week_from, month_from, on):
    """({member id: Activity}, {team id: Activity}) of a commune's visits from `month_from` to `on`."""
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (("visit", Visit), ("member", Member), ("team", Team))
    }
    week, month, day = (connection.ops.adapt_datefield_value(d) for d in (week_from, month_from, on))
    params = [week, week, commune.province_id, commune.pk, month, day]
    sql = " UNION ALL ".join(
        _ACTIVITY_SQL.format(kind=kind, unit=unit, **tables) for kind, unit in (("0", "m.id"), ("1", "m.team_id"))
    )
    by_member, by_team = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 2)
        for kind, unit_id, *counts in cursor.fetchall():
            (by_team if int(kind) else by_member)[unit_id] = Activity(*counts)
    return by_member, by_team


def team_activity(commune, *, on):
    """[(team, Activity, [(member, Activity)])] for the teams of a commune; three queries.

    Lists active teams and members, and any inactive member with visits in the window.
    """
    week_from, month_from = on - timedelta(days=6), on - timedelta(days=29)
    by_member, by_team = _activity_counts(commune, week_from, month_from, on)
    teams = Team.objects.filter(commune=commune).order_by("name")
    members = Member.objects.filter(team__commune=commune).order_by("team_id", "-role", "full_name")
    members_of = defaultdict(list)
    for member in members:
        if member.active or member.pk in by_member:
            members_of[member.team_id].append((member, by_member.get(member.pk, Activity())))
    return [
        (team, by_team.get(team.pk, Activity()), members_of[team.pk])
        for team in teams
        if team.active or team.pk in by_team
    ]
