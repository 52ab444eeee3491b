"""JSON for provincial operations centres: the coverage rollups of the pages (docs/api.md).

Same scope and semantics as the pages (coverage.views); a session or
HTTP Basic credentials; errors answered as JSON.
"""

import base64

from django.contrib.auth import authenticate
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from teams.models import Service

from . import rollups
from .forms import CoverageFilter
from .views import _commune, _hamlet, _province


def _api_user(request):
    """The session's user, or the one named by HTTP Basic credentials (scripts, operations centres)."""
    if request.user.is_authenticated:
        return request.user
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        username, _sep, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except ValueError:  # bad base64, a non-ASCII header, or not UTF-8: all ValueErrors
        return None
    if not username or len(username) > 150 or "\x00" in username + password:
        return None
    return authenticate(request, username=username, password=password)


def _api_error(status, message, **extra):
    response = JsonResponse({"error": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Go Cua", charset="UTF-8"'
    return response


def _unit_json(kind, unit):
    if kind == "province":
        return {"kind": kind, "code": unit.code, "name": unit.name}
    if kind == "commune":
        return {"kind": kind, "code": unit.code, "name": unit.name, "province": unit.province.code}
    return {"kind": kind, "id": unit.pk, "code": unit.code, "name": unit.name, "commune": unit.commune.code}


def _api(view):
    """Authenticate (session or Basic), check the filters, and answer 401/400/404 as JSON."""

    @require_GET
    def wrapper(request, **kwargs):
        user = _api_user(request)
        if user is None:
            return _api_error(401, "authentication required")
        request.user = user
        form = CoverageFilter(request.GET or None)
        if form.is_bound and not form.is_valid():
            return _api_error(400, "invalid parameters", fields=form.errors.get_json_data())
        on = (form.cleaned_data.get("on") if form.is_bound else None) or timezone.localdate()
        priority = bool(form.cleaned_data.get("priority")) if form.is_bound else False
        try:
            return view(request, on=on, priority=priority, **kwargs)
        except Http404:
            return _api_error(404, "not found")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _rollup_json(kind, unit, rollup, row_kind):
    services = rollup.services
    return JsonResponse(
        {
            "unit": _unit_json(kind, unit),
            "as_of": rollup.on.isoformat(),
            "priority_only": rollup.priority_only,
            "services": [{"code": s.code, "name": s.name, "pillar": s.pillar} for s in services],
            "total": figures_json(rollup.total, services),
            "rows": [
                {"unit": _unit_json(row_kind, sub), **figures_json(figures, services)} for sub, figures in rollup.rows
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@_api
def province_api(request, code, *, on, priority):
    """A province's figures and one row per commune."""
    province = _province(request, code)
    return _rollup_json("province", province, rollups.for_province(province, on=on, priority_only=priority), "commune")


@_api
def commune_api(request, code, *, on, priority):
    """A commune's figures and one row per hamlet."""
    commune = _commune(request, code)
    return _rollup_json("commune", commune, rollups.for_commune(commune, on=on, priority_only=priority), "hamlet")


@_api
def hamlet_api(request, pk, *, on, priority):
    """A hamlet's figures; no per-household rows (personal data stays on the pages)."""
    hamlet = _hamlet(request, pk)
    return _rollup_json("hamlet", hamlet, rollups.for_hamlet(hamlet, on=on, priority_only=priority), "household")


def figures_json(figures, services):
    """Figures as plain JSON data: counts, and percentages as numbers with one decimal (null without households)."""

    def number(value):
        return None if value is None else float(value)

    return {
        "households": figures.households,
        "reached": figures.reached,
        "reach": number(figures.reach),
        "services": {
            s.code: {
                "adopted": figures.adopted.get(s.pk, 0),
                "coverage": number(figures.coverage(s)),
                "people_helped": figures.people_helped.get(s.pk, 0),
            }
            for s in services
        },
        "pillars": {
            p.value: {
                "adopted": figures.adopted_pillar.get(p.value, 0),
                "coverage": number(figures.pillar_coverage(p.value)),
            }
            for p in Service.Pillar
        },
    }
