"""The monthly report pages: a commune's (live, submit, submitted versions) and a province's (submissions, workbook).

Who: a commune's report is read by whoever may open its coverage page and
submitted by its own officials (`can_submit_reports`); a province's by its
officials and superusers, who also choose its reporting periods; a
submitted report by its commune's officials and its province's. Anything
else is a 404 (teams.access).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from teams.access import can_set_reporting_periods, can_submit_reports, coverage_communes, coverage_provinces
from teams.audit import access_log
from teams.models import AccessLog
from teams.ratelimit import export_rate_limited

from . import reports
from .models import ReportingConvention, SubmittedReport
from .periods import KINDS, MONTH, QUARTER, YEAR, convention_label, recent_periods
from .report_tables import report_tables
from .report_xlsx import report_filename, report_workbook, submitted_workbook, workbook_response


class ConventionForm(forms.ModelForm):
    class Meta:
        model = ReportingConvention
        fields = ["convention"]
        labels = {"convention": gettext_lazy("Reporting periods of the province")}


def _commune(request, code):
    return get_object_or_404(coverage_communes(request.user).select_related("province"), code=code)


def _province(request, code):
    return get_object_or_404(coverage_provinces(request.user), code=code)


def _period(request, province):
    """The period asked for (?period=2026-11, ?kind=quarter), or the one containing today; a bad key is a 404."""
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind") if source.get("kind") in KINDS else MONTH
    period = reports.report_period(province, source.get("period"), kind=kind)
    if period is None:
        raise Http404
    return period


def _submitted_report(request, pk):
    """A submitted report its reader may open: their commune's, their province's, or any for a superuser."""
    report = get_object_or_404(SubmittedReport.objects.select_related("commune__province"), pk=pk)
    get_object_or_404(coverage_communes(request.user), pk=report.commune_id)
    return report


KIND_LABELS = {MONTH: gettext_lazy("month"), QUARTER: gettext_lazy("quarter"), YEAR: gettext_lazy("year")}


def _context(request, data, **extra):
    today = timezone.localdate()
    period = data["period"]
    return {
        "data": data,
        "tables": report_tables(data),
        "made_on": timezone.localdate(extra["submitted"].submitted_at) if extra.get("submitted") else today,
        "running": period["end"] > today.isoformat(),
        "convention_label": convention_label(period["convention"]),
        "kinds": [(kind, KIND_LABELS[kind]) for kind in KINDS],
        **extra,
    }


def _live_report(request, unit, period, *, xlsx_view, **extra):
    """The page of a commune's or a province's report for `period` as its figures stand now."""
    data = reports.report_data(unit, period)
    choices = recent_periods(timezone.localdate(), convention=period.convention, kind=period.kind)
    xlsx_url = reverse(xlsx_view, args=[unit.code])
    context = _context(request, data, unit=unit, period=period, choices=choices, xlsx_url=xlsx_url, **extra)
    return render(request, "coverage/report.html", context)


def _live_xlsx(request, unit, province):
    """The workbook of a commune's or a province's report as its figures stand now; logged."""
    period = _period(request, province)
    data = reports.report_data(unit, period)
    _log_export(request, province=province.pk, unit=str(unit), detail=f"report · {period.key} · xlsx")
    return workbook_response(report_workbook(data), report_filename(data))


@login_required
@require_GET
def commune_report(request, code):
    commune = _commune(request, code)
    period = _period(request, commune.province)
    return _live_report(
        request,
        commune,
        period,
        xlsx_view="coverage_report_commune_xlsx",
        versions=list(reports.submissions(commune, period)),
        may_submit=can_submit_reports(request.user) and reports.submittable(period),
    )


@login_required
@require_POST
def commune_report_submit(request, code):
    commune = _commune(request, code)
    if not can_submit_reports(request.user):
        raise Http404
    period = _period(request, commune.province)
    url = f"{reverse('coverage_report_commune', args=[commune.code])}?period={period.key}&kind={period.kind}"
    if not reports.submittable(period):
        messages.error(request, _("A report can be submitted once its period has begun."))
        return redirect(url)
    report = reports.report_submit(commune=commune, period=period, user=request.user)
    messages.success(
        request,
        _("Report for %(period)s submitted (version %(version)s).")
        % {"period": period.name, "version": report.version},
    )
    return redirect(url)


def _log_export(request, *, province, unit, detail):
    """Every export is logged (Decree 356/2025)."""
    access_log(request=request, action=AccessLog.Action.EXPORT, province=province, unit=unit, detail=detail)


@login_required
@require_GET
@export_rate_limited
def commune_report_xlsx(request, code):
    commune = _commune(request, code)
    return _live_xlsx(request, commune, commune.province)


@login_required
@require_GET
def submitted_report(request, pk):
    report = _submitted_report(request, pk)
    data = report.figures
    return render(
        request,
        "coverage/report.html",
        _context(
            request,
            data,
            unit=report.commune,
            submitted=report,
            versions=list(reports.versions_of(report)),
            xlsx_url=reverse("coverage_report_submitted_xlsx", args=[report.pk]),
        ),
    )


@login_required
@require_GET
@export_rate_limited
def submitted_report_xlsx(request, pk):
    report = _submitted_report(request, pk)
    _log_export(
        request,
        province=report.province_id,
        unit=str(report.commune),
        detail=f"submitted report · {report.period_key} v{report.version} · xlsx",
    )
    book = report_workbook(report.figures, submitted_by=report.submitted_by_name)
    return workbook_response(book, report_filename(report.figures, suffix=f"-v{report.version}"))


@login_required
@require_GET
def province_report(request, code):
    province = _province(request, code)
    period = _period(request, province)
    latest = reports.latest_submissions(province, period)
    communes = list(province.communes.order_by("name"))
    convention = ReportingConvention.objects.filter(province=province).first()
    return _live_report(
        request,
        province,
        period,
        xlsx_view="coverage_report_province_xlsx",
        submissions=[(c, latest.get(c.pk)) for c in communes],
        submitted_count=len(latest),
        convention_form=ConventionForm(instance=convention or ReportingConvention(province=province))
        if can_set_reporting_periods(request.user)
        else None,
        submitted_xlsx_url=reverse("coverage_report_province_submitted", args=[province.code]),
    )


@login_required
@require_GET
@export_rate_limited
def province_report_xlsx(request, code):
    province = _province(request, code)
    return _live_xlsx(request, province, province)


@login_required
@require_GET
@export_rate_limited
def province_submitted_xlsx(request, code):
    """All the communes' submitted reports of a period (the latest version of each) in one workbook."""
    province = _province(request, code)
    period = _period(request, province)
    latest = reports.latest_submissions(province, period)
    communes = list(province.communes.order_by("name"))
    _log_export(request, province=province.pk, unit=str(province), detail=f"submitted reports · {period.key} · xlsx")
    book = submitted_workbook(province, period, latest, communes)
    name = report_filename({"unit": {"name": province.name}, "period": {"key": period.key}}, suffix="-cac-xa-da-nop")
    return workbook_response(book, name)


@login_required
@require_POST
def province_convention(request, code):
    province = _province(request, code)
    if not can_set_reporting_periods(request.user):
        raise Http404
    form = ConventionForm(request.POST, instance=ReportingConvention(province=province))
    if form.is_valid():
        reports.convention_set(province=province, convention=form.cleaned_data["convention"], set_by=request.user)
        messages.success(request, _("Reporting periods saved."))
    else:
        messages.error(request, _("Choose one of the reporting period conventions."))
    return redirect("coverage_report_province", province.code)
