from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .access import scope_for


@login_required
def home(request):
    """Each user's scope and its live counts."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    counts = {
        "households": scope.households().filter(active=True).count(),
        "teams": scope.teams().filter(active=True).count(),
        "members": scope.members().filter(active=True, team__active=True).count(),
        "visits_this_week": scope.visits().filter(visited_on__gte=week_start, visited_on__lte=today).count(),
    }
    return render(request, "teams/home.html", {"counts": counts, "week_start": week_start, "today": today})
