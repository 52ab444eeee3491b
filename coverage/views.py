"""Coverage pages, exports and JSON for officials: province → communes → hamlets → households.

Every unit comes through the user's scope (teams.access), so anything outside
it is a 404. Rollup pages need a scope that covers the whole unit: a province
page needs a province (or superuser) scope, a commune page a commune or wider
one; team members reach only the pages of the hamlets their team serves.
"""

from collections import Counter
from datetime import date
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from households.models import Province
from teams.access import (
    coverage_communes,
    coverage_provinces,
    is_commune_official,
    is_province_official,
    scope_for,
    sees_everything,
)
from teams.activity import team_activity
from teams.audit import access_log
from teams.models import AccessLog
from teams.ratelimit import export_rate_limited

from . import rollups, targets, trends
from .activity_export import activity_table
from .charts import trend_charts
from .exports import export_response, rollup_table, sort_rows
from .forms import CoverageFilter, TargetForm
from .household_export import household_table
from .models import Target
from .periods import period_containing
from .reports import convention_of

HOUSEHOLDS_PER_PAGE = 50


class Filters(NamedTuple):
    form: CoverageFilter
    on: date
    priority: bool
    period: str  # of the trend: "week" or "month"


def _filters(request):
    """The form, as-of date, priority only and trend period from the query string; bad values fall back to
    defaults."""
    on, priority, period = timezone.localdate(), False, "month"
    form = CoverageFilter(request.GET or None, initial={"on": on, "period": period})
    if form.is_bound and form.is_valid():
        on = form.cleaned_data["on"] or on
        priority = form.cleaned_data["priority"]
        period = form.cleaned_data["period"] or period
    return Filters(form, on, priority, period)


def _query(on, priority):
    """The filter part of a query string, carried by drill-down and export links."""
    params = {"on": on.isoformat()}
    if priority:
        params["priority"] = "on"
    return urlencode(params)


def _province(request, code):
    return get_object_or_404(coverage_provinces(request.user), code=code)


def _commune(request, code):
    return get_object_or_404(coverage_communes(request.user).select_related("province"), code=code)


def _hamlet(request, pk):
    return get_object_or_404(scope_for(request.user).hamlets().select_related("commune__province"), pk=pk)


def _target_summary(table):
    """Per service with a target: the unit's progress and, over the rows, how many are on track."""
    summary = []
    for index, column in enumerate(table.columns):
        if not column.key.startswith("cov:"):
            continue
        total = table.total.cells[index].progress if table.total else None
        rows = [row.cells[index].progress for row in table.rows if row.cells[index].progress]
        if total is None and not rows:
            continue
        counts = Counter(p.ok for p in rows)
        summary.append({"service": column.label, "total": total, "rows_ok": counts[True], "rows": len(rows)})
    return summary


def _url_for(url_name, sample, attribute, query):
    """unit -> the unit's page with `query`; reversed once, not per row (a province has 100 communes). The units'
    keys are digits (a GSO code, a hamlet's id): nothing in them to quote."""
    url = reverse(url_name, args=[sample])
    prefix, suffix = url.rsplit(f"/{sample}/", 1)
    return lambda unit: f"{prefix}/{getattr(unit, attribute)}/{suffix}?{query}"


def _province_table(province, on, priority, sort, export=False):
    rollup = rollups.for_province(province, on=on, priority_only=priority)
    all_targets = targets.targets_of_province(province.pk)
    query = _query(on, priority)
    table = rollup_table(
        rollup,
        title=_("Coverage of %(unit)s by commune") % {"unit": province.name},
        name_label=_("Commune"),
        url_for=_url_for("coverage_commune", "00000", "code", query),
        targets_for=lambda c: all_targets.for_commune(c.pk),
        total_targets=all_targets.province,
        export=export,
    )
    sort_rows(table, sort)
    return rollup, table


def _commune_table(commune, on, priority, sort, export=False):
    rollup = rollups.for_commune(commune, on=on, priority_only=priority)
    commune_targets = targets.targets_of_province(commune.province_id).for_commune(commune.pk)
    query = _query(on, priority)
    table = rollup_table(
        rollup,
        title=_("Coverage of %(unit)s by hamlet") % {"unit": f"{commune.name}, {commune.province.name}"},
        name_label=_("Hamlet"),
        url_for=_url_for("coverage_hamlet", 0, "pk", query),
        targets_for=lambda h: commune_targets,
        total_targets=commune_targets,
        export=export,
    )
    sort_rows(table, sort)
    return rollup, table


def _hamlet_title(hamlet):
    return _("Coverage of %(unit)s by household") % {"unit": f"{hamlet.name}, {hamlet.commune.name}"}


def _unit_page(request, filters, *, kind, unit, rollup, table, **extra):
    """The coverage page of a province, commune or hamlet: its table, target summary and trend charts."""
    on, priority, period = filters.on, filters.priority, filters.period
    trend = trends.adoption_trend(unit, on=on, period=period, priority_only=priority, services=rollup.services)
    context = {
        "kind": kind,
        "unit": unit,
        "table": table,
        "form": filters.form,
        "on": on,
        "priority": priority,
        "period": period,
        "query": _query(on, priority),
        "sort": request.GET.get("sort", "name"),
        "charts": trend_charts(trend, rollup.services),
        "target_summary": _target_summary(table),
        "rule": targets.RULE,
        "scope": scope_for(request.user),
        **extra,
    }
    return render(request, "coverage/unit.html", context)


@login_required
@require_GET
def coverage_index(request):
    """Send each user to the widest unit they may see."""
    scope = scope_for(request.user)
    if is_province_official(request.user):
        return redirect("coverage_province", scope.province.code)
    if is_commune_official(request.user):
        return redirect("coverage_commune", scope.commune.code)
    if sees_everything(request.user):
        return render(request, "coverage/index.html", {"provinces": Province.objects.order_by("code")})
    raise Http404


@login_required
@require_GET
def province_page(request, code):
    province = _province(request, code)
    filters = _filters(request)
    rollup, table = _province_table(province, filters.on, filters.priority, request.GET.get("sort", "name"))
    return _unit_page(request, filters, kind="province", unit=province, rollup=rollup, table=table)


@login_required
@require_GET
def commune_page(request, code):
    commune = _commune(request, code)
    filters = _filters(request)
    on = filters.on
    rollup, table = _commune_table(commune, on, filters.priority, request.GET.get("sort", "name"))
    activity, labels = _activity(commune, on)
    return _unit_page(
        request,
        filters,
        kind="commune",
        unit=commune,
        rollup=rollup,
        table=table,
        activity=activity_table(commune, activity, on=on, title=_("Teams' activity"), period_labels=labels),
        activity_periods=labels,
    )


def _activity(commune, on):
    """The commune's teams' activity in the province's reporting period up to `on`, and in the one before.

    Returns (CommuneActivity, [label of each period with its dates]).
    """
    period = period_containing(on, convention=convention_of(commune.province_id))
    previous = period.previous()
    periods = [(period.start, min(period.end, on)), (previous.start, previous.end)]
    labels = [
        _("%(period)s, %(start)s–%(end)s")
        % {"period": p.name, "start": date_format(start, "d/m"), "end": date_format(end, "d/m/Y")}
        for p, (start, end) in zip((period, previous), periods, strict=True)
    ]
    return team_activity(commune, periods=periods), labels


def _hamlet_rows(hamlet, on, priority, sort):
    rollup = rollups.for_hamlet(hamlet, on=on, priority_only=priority)
    households = rollups.households_sorted(
        rollups.hamlet_households(hamlet, on=on, priority_only=priority), sort, on=on, services=rollup.services
    )
    return rollup, households


@login_required
@require_GET
def hamlet_page(request, pk):
    hamlet = _hamlet(request, pk)
    filters = _filters(request)
    rollup, households = _hamlet_rows(hamlet, filters.on, filters.priority, request.GET.get("sort", "name"))
    page = Paginator(households, HOUSEHOLDS_PER_PAGE).get_page(request.GET.get("page"))
    figures = rollups.by_household(page.object_list, on=filters.on, services=rollup.services)
    table = household_table(rollup, page.object_list, figures, title=_hamlet_title(hamlet))
    return _unit_page(request, filters, kind="hamlet", unit=hamlet, rollup=rollup, table=table, page_obj=page)


def _export(request, table, fmt, *, province):
    """The file, recorded in the access log (Decree 356/2025: every export is logged)."""
    detail = f"{table.title} · {fmt} · {table.on.isoformat()}" + (" · priority" if table.priority_only else "")
    access_log(request=request, action=AccessLog.Action.EXPORT, province=province, unit=table.unit_name, detail=detail)
    return export_response(table, fmt)


@login_required
@require_GET
@export_rate_limited
def province_export(request, code, fmt):
    province = _province(request, code)
    _form, on, priority, _period = _filters(request)
    _rollup, table = _province_table(province, on, priority, request.GET.get("sort", "name"), export=True)
    return _export(request, table, fmt, province=province)


@login_required
@require_GET
@export_rate_limited
def commune_export(request, code, fmt):
    commune = _commune(request, code)
    _form, on, priority, _period = _filters(request)
    _rollup, table = _commune_table(commune, on, priority, request.GET.get("sort", "name"), export=True)
    return _export(request, table, fmt, province=commune.province_id)


@login_required
@require_GET
@export_rate_limited
def activity_export(request, code, fmt):
    commune = _commune(request, code)
    _form, on, _priority, _period = _filters(request)
    activity, labels = _activity(commune, on)
    title = _("Teams' activity in %(unit)s") % {"unit": commune.name}
    table = activity_table(commune, activity, on=on, title=title, period_labels=labels)
    return _export(request, table, fmt, province=commune.province_id)


@login_required
@require_GET
@export_rate_limited
def hamlet_export(request, pk, fmt):
    hamlet = _hamlet(request, pk)
    _form, on, priority, _period = _filters(request)
    rollup, households = _hamlet_rows(hamlet, on, priority, request.GET.get("sort", "name"))
    households = rollups.household_rows(households)
    figures = rollups.by_household(households, on=on, services=rollup.services)
    table = household_table(rollup, households, figures, title=_hamlet_title(hamlet))
    return _export(request, table, fmt, province=hamlet.province_id)


def _targets_page(request, *, province, commune, back_url):
    form = TargetForm(request.POST or None)
    if form.is_valid():
        try:
            targets.target_set(province=province, commune=commune, set_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field_name, errors in error.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        else:
            messages.success(request, _("Target saved."))
            return redirect(request.path)
    current = Target.objects.filter(province=province, commune=commune).select_related("service", "set_by")
    inherited = Target.objects.filter(province=province, commune=None).select_related("service") if commune else []
    return render(
        request,
        "coverage/targets.html",
        {
            "unit": commune or province,
            "form": form,
            "targets": current,
            "inherited": inherited,
            "back_url": back_url,
            "rule": targets.RULE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def province_targets(request, code):
    province = _province(request, code)
    back = reverse("coverage_province", args=[province.code])
    return _targets_page(request, province=province, commune=None, back_url=back)


@login_required
@require_http_methods(["GET", "POST"])
def commune_targets(request, code):
    commune = _commune(request, code)
    back = reverse("coverage_commune", args=[commune.code])
    return _targets_page(request, province=commune.province, commune=commune, back_url=back)


@login_required
@require_POST
def target_delete(request, pk):
    """Remove a target: a commune's by its officials or the province's; a province-wide one by the province's."""
    scope = scope_for(request.user)
    target = get_object_or_404(scope.unit_rows(Target.objects.all()).select_related("province", "commune"), pk=pk)
    if target.commune_id:
        get_object_or_404(coverage_communes(request.user), pk=target.commune_id)
        back = reverse("coverage_commune_targets", args=[target.commune.code])
    else:
        get_object_or_404(coverage_provinces(request.user), pk=target.province_id)
        back = reverse("coverage_province_targets", args=[target.province.code])
    targets.target_delete(target=target)
    messages.success(request, _("Target removed."))
    return redirect(back)
