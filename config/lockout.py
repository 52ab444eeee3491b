from django.conf import settings
from django.shortcuts import render


def locked_out(request, response, credentials):
    """What django-axes shows once a username is locked: a Vietnamese page, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
