"""The field app's offline pages: the page the phone keeps for when there is no signal, and the
service worker that keeps it (static/field/sw.js, served from the site's root so that it may
answer for every field page).

The service worker's version is a hash of what it caches: the page, the
static files it lists (their hashed names under the manifest storage, their
bytes otherwise) and its own script, so a deploy that changes any of them
installs a new one; the page then says that a new version is ready.
"""

import hashlib
from datetime import timedelta
from functools import lru_cache
from types import SimpleNamespace

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from households.forms import HouseholdFilterForm, HouseholdForm
from households.views import active_services, field_scope

from .forms import VisitForm

# What a phone needs to open the field pages with no signal; all small (bootstrap's CSS is the bulk).
PRECACHE = (
    "vendor/bootstrap-5.3.8/bootstrap.min.css",
    "css/app.css",
    "field/search.js",
    "field/app.js",
    "field/shell.js",
    "field/manifest.webmanifest",
    "field/icon-192.png",
    "field/icon-512.png",
)
SW_SOURCE = "field/sw.js"


@login_required
def field_app(request):
    """The field pages offline: the team's list, a household, the visit and register forms, the outbox,
    drawn by static/field/shell.js from the phone's copy. The forms are the online ones, unbound."""
    scope = field_scope(request)
    services = active_services()
    hamlets = scope.hamlets().order_by("name")
    anyone = SimpleNamespace(registered_on=timezone.localdate() - timedelta(days=365 * 100))
    context = {
        "visit_form": VisitForm(household=anyone, services=services),
        "household_form": _household_form_html(hamlets),
        "filter_form": HouseholdFilterForm(hamlets=hamlets, services=services),
    }
    return render(request, "teams/field_app.html", context)


def _household_form_html(hamlets):
    """The blank register form as crispy draws it: a third of the shell's time, and the same for every member
    of a team on a day. Kept a few minutes under what it is drawn from (the language, the date that bounds
    the registration date, the hamlets offered), so any change to those draws it again."""
    key = (
        "field_app:household_form:"
        + hashlib.sha256(
            repr((get_language(), timezone.localdate().isoformat(), [(h.pk, h.name) for h in hamlets])).encode()
        ).hexdigest()
    )
    html = cache.get(key)
    if html is None:
        html = str(as_crispy_form(HouseholdForm(hamlets=hamlets)))
        cache.set(key, html, HOUSEHOLD_FORM_SECONDS)
    return mark_safe(html)  # crispy's own output, kept as it was drawn


HOUSEHOLD_FORM_SECONDS = 600


def _static_fingerprint(path):
    url = static(path)
    if url.endswith("/" + path):  # no hashed name (the demo serves static/ as it is): hash the bytes
        found = finders.find(path)
        with open(found, "rb") as file:
            return url + hashlib.sha256(file.read()).hexdigest()[:16]
    return url


def _version_uncached():
    digest = hashlib.sha256()
    for path in (*PRECACHE, SW_SOURCE):
        digest.update(_static_fingerprint(path).encode())
    with open(settings.BASE_DIR / "templates" / "teams" / "field_app.html", "rb") as file:
        digest.update(file.read())
    return digest.hexdigest()[:12]


_version_cached = lru_cache(maxsize=1)(_version_uncached)


def service_worker_version():
    """A deploy changes it; the demo's autorefresh recomputes it on every request."""
    return _version_uncached() if settings.DEBUG else _version_cached()


@require_GET
def service_worker(request):
    """static/field/sw.js with its version and what it caches, at /sw.js (scope: the whole site)."""
    with open(finders.find(SW_SOURCE), encoding="utf-8") as file:
        source = file.read()
    head = (
        f'const VERSION = "{service_worker_version()}";\n'
        f'const SHELL = "{reverse("field_app")}";\n'
        f"const PRECACHE = {[static(path) for path in PRECACHE]!r};\n".replace("'", '"')
    )
    response = HttpResponse(head + source, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on navigation; they must not be served an old one from a cache.
    response["Cache-Control"] = "no-cache"
    return response
