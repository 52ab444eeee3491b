"""A per-user limit on exports: a few files a minute is work, hundreds is scraping.

Counts live in Django's cache (a fixed window per user and kind). The default
cache is in the process's memory: with several app servers each counts its
own requests, so production with more than one sets DJANGO_REDIS_URL and the
servers share one count (config/settings.py).
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _


def _window_count(key, period):
    """Increment and return this window's count for `key` (atomic on Redis and per process on locmem)."""
    window = int(time.time() // period)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, timeout=period)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period)
        return 1


def export_rate_limited(view):
    """Answer 429 with a Vietnamese page once a user has made EXPORT_RATE_LIMIT exports in the window."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit, period = settings.EXPORT_RATE_LIMIT, settings.EXPORT_RATE_PERIOD
        if request.user.is_authenticated and _window_count(f"export:{request.user.pk}", period) > limit:
            minutes = max(1, period // 60)
            response = render(
                request,
                "includes/bare_page.html",
                {
                    "title": _("Too many exports"),
                    "message": _(
                        "You have downloaded %(limit)d files in %(minutes)d minutes, the most allowed. "
                        "Please wait a few minutes and try again."
                    )
                    % {"limit": limit, "minutes": minutes},
                    "back": _("Back to the home page"),
                },
                status=429,
            )
            response["Retry-After"] = str(period - int(time.time()) % period)
            return response
        return view(request, *args, **kwargs)

    return wrapper
