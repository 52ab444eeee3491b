from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def locked_out(request, response, credentials):
    """What django-axes shows once a username is locked: a Vietnamese page, status 429; JSON on the API."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        # docs/api.md: every error of the API is JSON, this one included.
        locked = JsonResponse({"error": "too many failed logins", "retry_after_minutes": minutes}, status=429)
        locked["Retry-After"] = str(minutes * 60)
        return locked
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
