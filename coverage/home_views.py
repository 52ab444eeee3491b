"""The pages a user lands on: home (their scope and its live counts) and a team member's progress.

They read the coverage counters and rollups, so they live here rather than in
teams/ (which may not import coverage/); their URLs are unchanged.
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from households.lookup import households_needing_follow_up, households_never_visited
from households.views import field_scope
from teams.access import scope_for
from teams.models import Visit

from . import rollups

MY_WORK_LIST_SIZE = 10


@login_required
def home(request):
    """Each user's scope and its live counts."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    counts = {
        # From the coverage counters: a province's million households are not counted on every visit.
        "households": rollups.households_count(scope),
        "teams": scope.teams().filter(active=True).count(),
        "members": scope.members().filter(active=True, team__active=True).count(),
        "visits_this_week": scope.visits().filter(visited_on__gte=week_start, visited_on__lte=today).count(),
    }
    return render(request, "coverage/home.html", {"counts": counts, "week_start": week_start, "today": today})


@login_required
def my_work(request):
    """My visits this week and month; my team's reach and coverage; who still needs a visit."""
    scope = field_scope(request)
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    mine = Visit.objects.filter(member=scope.member, visited_on__lte=today).aggregate(
        week=Count("pk", filter=Q(visited_on__gte=week_start)),
        month=Count("pk", filter=Q(visited_on__gte=month_start)),
    )
    hamlets = list(scope.hamlets().order_by("name"))
    services = rollups.coverage_services(today)
    figures = rollups.by_hamlet([h.pk for h in hamlets], on=today, services=services)
    team = rollups.total(figures.values())
    per_hamlet = [(hamlet, figures.get(hamlet.pk, rollups.Figures())) for hamlet in hamlets]
    active = scope.households().filter(active=True).select_related("hamlet").order_by("search_key", "id")
    never_visited = households_never_visited(active)
    follow_up = households_needing_follow_up(active)
    return render(
        request,
        "coverage/my_work.html",
        {
            "mine": mine,
            "week_start": week_start,
            "month_start": month_start,
            "team": team,
            "team_reach": rollups.format_percent(team.reach),
            "per_hamlet": [(h, f, rollups.format_percent(f.reach)) for h, f in per_hamlet],
            "service_rows": [
                (s, team.adopted.get(s.pk, 0), rollups.format_percent(team.coverage(s))) for s in services
            ],
            "never_visited": list(never_visited[:MY_WORK_LIST_SIZE]),
            "never_visited_count": never_visited.count(),
            "follow_up": list(follow_up[:MY_WORK_LIST_SIZE]),
            "follow_up_count": follow_up.count(),
        },
    )
