"""Teams' activity: visits and households visited per member and per team of a commune, per reporting period.

Read from the visits themselves (not the coverage counters): the commune's
coverage page shows it beside the rollups, exports it, and the monthly report
names the teams that logged no visit in the month. The periods are given as
(first day, last day) pairs: the caller knows the province's reporting
convention (coverage.periods), this module only counts.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef

from .models import Member, Team, Visit


@dataclass
class Activity:
    """Visits and distinct households visited in each of the periods asked for, in their order."""

    visits: list = field(default_factory=list)
    households: list = field(default_factory=list)

    @classmethod
    def empty(cls, periods):
        return cls([0] * len(periods), [0] * len(periods))


# Per member, per team, and for the commune, in one statement: visits and distinct households in each
# period, read once from the member-and-date index of visits (which includes household, province and
# voided_at, voided visits being left out): on PostgreSQL an index-only scan. Plain SQL: compiling the
# aggregate querysets cost more than running them. On PostgreSQL, GROUPING SETS make the three levels of
# one sort of the commune's visits (6.6 ms for the 5,300 visits of two months of a commune at 1M, where
# a CTE of (member, household) rows summed three times took 13 ms); SQLite has no GROUPING SETS, so it
# reads the visits once per level. A period's column is a CASE (not FILTER), the same on both.
_PERIOD_COUNTS = (
    "COUNT(CASE WHEN v.visited_on >= %s AND v.visited_on <= %s THEN 1 END), "
    "COUNT(DISTINCT CASE WHEN v.visited_on >= %s AND v.visited_on <= %s THEN v.household_id END)"
)
_VISITS = """FROM {visit} v JOIN {member} m ON m.id = v.member_id JOIN {team} t ON t.id = m.team_id
WHERE v.province_id = %s AND t.commune_id = %s AND v.visited_on >= %s AND v.visited_on <= %s
  AND v.voided_at IS NULL"""
# GROUPING(m.id, m.team_id) is 0 on a member's row, 2 on a team's, 3 on the commune's.
_GROUPING_SETS_SQL = """
SELECT CASE GROUPING(m.id, m.team_id) WHEN 0 THEN {member} WHEN 2 THEN {team} ELSE {commune} END,
       CASE GROUPING(m.id, m.team_id) WHEN 0 THEN m.id WHEN 2 THEN m.team_id ELSE t.commune_id END, {counts}
{visits}
GROUP BY t.commune_id, GROUPING SETS ((m.team_id, m.id), (m.team_id), ())"""
_UNION_SQL = """SELECT {member}, m.id, {counts} {visits} GROUP BY m.id
UNION ALL SELECT {team}, m.team_id, {counts} {visits} GROUP BY m.team_id
UNION ALL SELECT {commune}, t.commune_id, {counts} {visits} GROUP BY t.commune_id"""
MEMBER, TEAM, COMMUNE = 0, 1, 2


def _activity_counts(commune, periods):
    """{(MEMBER|TEAM|COMMUNE, id): Activity} of a commune's visits in `periods`; one statement."""
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (("visit", Visit), ("member", Member), ("team", Team))
    }
    adapt = connection.ops.adapt_datefield_value
    grouping_sets = connection.vendor == "postgresql"
    sql = (_GROUPING_SETS_SQL if grouping_sets else _UNION_SQL).format(
        counts=", ".join([_PERIOD_COUNTS] * len(periods)),
        visits=_VISITS.format(**tables),
        member=MEMBER,
        team=TEAM,
        commune=COMMUNE,
    )
    params = [adapt(day) for start, end in periods for day in (start, end, start, end)]
    params += [
        commune.province_id,
        commune.pk,
        adapt(min(start for start, _end in periods)),
        adapt(max(end for _start, end in periods)),
    ]
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params if grouping_sets else params * 3)
        for kind, unit_id, *numbers in cursor.fetchall():
            result[(int(kind), unit_id)] = Activity(numbers[0::2], numbers[1::2])
    return result


@dataclass
class CommuneActivity:
    """A commune's activity in `periods`: per team (and its members) and for the whole commune."""

    periods: list  # [(first day, last day)]
    teams: list  # [(team, Activity, [(member, Activity)])]
    total: Activity

    def idle_teams(self, index=0):
        """The active teams that logged no visit in periods[index]."""
        return [team for team, activity, _members in self.teams if team.active and not activity.visits[index]]


def team_activity(commune, *, periods):
    """The activity of a commune's teams in each (first day, last day) of `periods`; three queries.

    Lists active teams and members, and any inactive member or team with visits in the periods.
    """
    counted = _activity_counts(commune, periods)
    empty = Activity.empty(periods)
    teams = Team.objects.filter(commune=commune).order_by("name")
    members = Member.objects.filter(team__commune=commune).order_by("team_id", "-role", "full_name")
    members_of = defaultdict(list)
    for member in members:
        if member.active or (MEMBER, member.pk) in counted:
            members_of[member.team_id].append((member, counted.get((MEMBER, member.pk), empty)))
    rows = [
        (team, counted.get((TEAM, team.pk), empty), members_of[team.pk])
        for team in teams
        if team.active or (TEAM, team.pk) in counted
    ]
    return CommuneActivity(list(periods), rows, counted.get((COMMUNE, commune.pk), empty))


def idle_teams(*, province_id, start, end, commune=None):
    """[(commune id, team name)] of the active teams of a province (or one commune) with no visit from `start` to `end`.

    One query; a team's visits are its members' (whichever household they visited).
    """
    visited = Visit.objects.filter(
        province_id=province_id, member__team=OuterRef("pk"), visited_on__gte=start, visited_on__lte=end
    )
    teams = Team.objects.filter(province_id=province_id, active=True, founded_on__lte=end)
    if commune is not None:
        teams = teams.filter(commune=commune)
    return list(teams.filter(~Exists(visited)).order_by("commune_id", "name").values_list("commune_id", "name"))
