"""The monthly (quarterly, yearly) report of a commune or a province, and its submission (DESIGN.md "Monthly report").

`report_data` reads the figures through the rollups (coverage.rollups, the
counters) as of the period's end and the previous period's end, so the report
counts exactly as every coverage page does; the period's visits, households
visited and first adoptions from the period figures the writes keep per
hamlet (teams.period_figures); only the idle teams (teams.activity) are read
from the base tables. It returns plain JSON
data: the page, the xlsx and a submitted (frozen) report are all rendered
from it (coverage.report_tables), so they cannot disagree, and a submitted
report is its data as it stood.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Commune
from teams.activity import idle_teams
from teams.models import Service
from teams.period_figures import COMMUNE, HAMLET, HOUSEHOLDS, VISITS, period_figures_read

from . import rollups
from .models import ReportingConvention, SubmittedReport
from .periods import DECREE_09, MONTH, period_containing, period_from_key
from .targets import progress, targets_of_province

# Bumped when the shape of the data changes; a frozen report keeps the version it was made with.
# 2: per row "new" (the period's first adoptions, from the adoptions' dates) and "people_in_period", and
# "period_services" (those retired within the period too); version 1 took both as the change of the counters.
DATA_VERSION = 2


def convention_of(province):
    """The province's reporting convention (coverage.periods); Decree 09/2019 unless it chose calendar months."""
    stored = ReportingConvention.objects.filter(province=province).values_list("convention", flat=True).first()
    return stored or DECREE_09


def convention_set(*, province, convention, set_by):
    with transaction.atomic():
        ReportingConvention.objects.update_or_create(
            province=province, defaults={"convention": convention, "set_by": set_by}
        )


def report_period(province, key=None, *, today=None, kind=MONTH):
    """The period named by `key` in the province's convention, or the one containing today; None for a bad key."""
    convention = convention_of(province)
    if key:
        return period_from_key(key, convention=convention)
    return period_containing(today or timezone.localdate(), convention=convention, kind=kind)


def _keys(services):
    """[(id, code)] of the services: a province's report reads them for each of its 100 rows' 40 figures."""
    return [(s.pk, s.code) for s in services]


def _figures_json(figures, services, pillars):
    """`services`: `_keys(...)`."""
    return {
        "households": figures.households,
        "reached": figures.reached,
        "adopted": {code: figures.adopted.get(pk, 0) for pk, code in services},
        "pillars": {p: figures.adopted_pillar.get(p, 0) for p in pillars},
        "people": {code: figures.people_helped.get(pk, 0) for pk, code in services},
    }


def _row(unit, code, now, before, services, pillars, visits, flows):
    """`services` and the flows' period services: `_keys(...)`."""
    new, people, period_services = flows
    unit_id = unit.pk
    return {
        "name": unit.name,
        "code": code,
        "end": _figures_json(now, services, pillars),
        "previous": _figures_json(before, services, pillars),
        "new": {code: new.get((unit_id, pk), 0) for pk, code in period_services},
        "people_in_period": {code: people.get((unit_id, pk), 0) for pk, code in period_services},
        "visits": visits.get(unit_id, (0, 0))[0],
        "households_visited": visits.get(unit_id, (0, 0))[1],
    }


def _flows(unit_ids, level, period):
    """({(unit id, service id): first adoptions}, {unit id: (visits, distinct households)}) of the period.

    Read from the period figures kept by the writes (`teams.period_figures`), one row per row shown
    (its hamlet's in a commune's report, its commune's in a province's): its visits, households
    visited and first adoptions in the period, counted under the hamlet a household is in now.
    First adoptions are counted from the adoptions, not as the change of adopted(U, S): a household
    that leaves in the period lowers that stock but undoes no adoption, and one that adopted in the
    period and left before its end still adopted in it (as its people helped stay).
    """
    new, visits = {}, {}
    stored = period_figures_read(level, unit_ids, convention=period.convention, key=period.key)
    for unit_id, figures in stored.items():
        visits[unit_id] = (figures.get(VISITS, 0), figures.get(HOUSEHOLDS, 0))
        for name, n in figures.items():
            if name[0] == "n":
                new[(unit_id, int(name[1:]))] = n
    return new, visits


def _retired_in(period):
    """The services retired within the period: in effect on its first days, not at its end."""
    return [s for s in rollups.coverage_services() if s.retired_on and period.start < s.retired_on <= period.end]


def _people_in_period(rollup_of, unit, now, before, retired):
    """{(row unit id, service id): people helped in the period}: the counters' change over the period for
    the services in effect at its end; up to the eve of its retirement for a service retired within it
    (its work in the period stays reported, DESIGN.md "The catalogue changes over time")."""
    earlier = {u.pk: f for u, f in before.rows}
    rollups_at = [(now, now.services)]
    rollups_at += [(rollup_of(unit, on=s.retired_on - timedelta(days=1), services=[s]), [s]) for s in retired]
    result = {}
    for rollup, services in rollups_at:
        for u, figures in rollup.rows:
            was = earlier.get(u.pk, rollups.Figures()).people_helped
            for s in services:
                result[(u.pk, s.pk)] = figures.people_helped.get(s.pk, 0) - was.get(s.pk, 0)
    return result


def _targets(targets, total, services, on, row_figures):
    """Per service with a target: the target, expected level on `on`, the unit's status and rows on track."""
    result = []
    for service in services:
        target = targets.get(service.pk)
        if target is None:
            continue
        unit_progress = progress(target, total.coverage(service), on)
        rows_on_track = sum(1 for f in row_figures if f.households and progress(target, f.coverage(service), on).ok)
        result.append(
            {
                "service": service.code,
                "percent": str(target.percent),
                "starts_on": target.starts_on.isoformat(),
                "deadline": target.deadline.isoformat(),
                "expected": str(unit_progress.expected),
                "status": unit_progress.status,
                "rows_on_track": rows_on_track,
                "rows": sum(1 for f in row_figures if f.households),
            }
        )
    return result


def report_data(unit, period):
    """The report of a commune (rows: hamlets) or a province (rows: communes) for `period`, as JSON data."""
    is_commune = isinstance(unit, Commune)
    previous_end = period.previous().end
    rollup_of = rollups.for_commune if is_commune else rollups.for_province
    now = rollup_of(unit, on=period.end)
    before = rollup_of(unit, on=previous_end)
    if is_commune:
        province_id = unit.province_id
        targets = targets_of_province(province_id).for_commune(unit.pk)
    else:
        province_id = unit.pk
        targets = targets_of_province(province_id).province
    services = now.services
    pillars = [p.value for p in Service.Pillar]
    previous_services = {s.pk for s in before.services}
    new, by_unit = _flows([u.pk for u, _f in now.rows], HAMLET if is_commune else COMMUNE, period)
    # The period's flows (new adoptions, people helped) also of the services retired within it.
    retired = _retired_in(period)
    period_services = sorted([*services, *retired], key=lambda s: (s.order, s.code))
    flows = (
        new,
        _people_in_period(rollup_of, unit, now, before, retired),
        _keys(period_services),
    )
    earlier = {u.pk: f for u, f in before.rows}
    service_keys = _keys(services)
    rows = [
        _row(
            row_unit,
            row_unit.code,
            figures,
            earlier.get(row_unit.pk, rollups.Figures()),
            service_keys,
            pillars,
            by_unit,
            flows,
        )
        for row_unit, figures in now.rows
    ]
    idle = idle_teams(province_id=province_id, start=period.start, end=period.end, commune=unit if is_commune else None)
    idle_by_commune = {}
    for commune_id, _name in idle:
        idle_by_commune[commune_id] = idle_by_commune.get(commune_id, 0) + 1
    if not is_commune:
        for row, (commune, _figures) in zip(rows, now.rows, strict=True):
            row["idle_teams"] = idle_by_commune.get(commune.pk, 0)
    total_visits = sum(r["visits"] for r in rows)
    total_households_visited = sum(r["households_visited"] for r in rows)
    return {
        "version": DATA_VERSION,
        "unit": {
            "kind": "commune" if is_commune else "province",
            "code": unit.code,
            "name": unit.name,
            "province": unit.province.name if is_commune else unit.name,
        },
        "period": {**period.as_json(), "previous_end": previous_end.isoformat()},
        "services": [
            {
                "code": s.code,
                "name": str(s.display_name),
                "pillar": s.pillar,
                "existed_before": s.pk in previous_services,
            }
            for s in services
        ],
        # The in-period table's: those in effect at the period's end and those retired within it.
        "period_services": [{"code": s.code, "name": str(s.display_name)} for s in period_services],
        "pillars": [{"code": p.value, "name": str(p.label)} for p in Service.Pillar],
        "rows": rows,
        "total": {
            "name": _("Total"),
            "code": unit.code,
            "end": _figures_json(now.total, service_keys, pillars),
            "previous": _figures_json(before.total, service_keys, pillars),
            "new": {s.code: sum(r["new"][s.code] for r in rows) for s in period_services},
            "people_in_period": {s.code: sum(r["people_in_period"][s.code] for r in rows) for s in period_services},
            "visits": total_visits,
            "households_visited": total_households_visited,
            **({} if is_commune else {"idle_teams": len(idle)}),
        },
        "targets": _targets(targets, now.total, services, period.end, [f for _u, f in now.rows]),
        "idle_teams": [name for _commune_id, name in idle] if is_commune else [],
        "made_at": timezone.now().isoformat(),
    }


def report_submit(*, commune, period, user):
    """Freeze the commune's report for `period` as it stands now: a new version, earlier ones kept."""
    with transaction.atomic():
        # Serialises two submissions of the same report: the next version number is read under the lock.
        Commune.objects.select_for_update().filter(pk=commune.pk).first()
        last = SubmittedReport.objects.filter(
            commune=commune, convention=period.convention, period_key=period.key
        ).aggregate(v=Max("version"))["v"]
        return SubmittedReport.objects.create(
            province_id=commune.province_id,
            commune=commune,
            convention=period.convention,
            period_key=period.key,
            period_start=period.start,
            period_end=period.end,
            version=(last or 0) + 1,
            figures=report_data(commune, period),
            submitted_by=user,
            submitted_by_name=user.get_full_name() or user.get_username(),
        )


def _versions(commune_id, convention, period_key):
    return SubmittedReport.objects.filter(commune=commune_id, convention=convention, period_key=period_key).order_by(
        "-version"
    )


def submissions(commune, period):
    """The versions submitted for a commune's period, newest first."""
    return _versions(commune.pk, period.convention, period.key)


def versions_of(report):
    """The versions submitted for the same commune and period as `report`, newest first."""
    return _versions(report.commune_id, report.convention, report.period_key)


def latest_submissions(province, period):
    """{commune id: the latest SubmittedReport} of a province's communes for `period`."""
    reports = SubmittedReport.objects.filter(
        province=province, convention=period.convention, period_key=period.key
    ).order_by("commune_id", "-version")
    latest = {}
    for report in reports.select_related("commune"):
        latest.setdefault(report.commune_id, report)
    return latest


def submittable(period, today=None):
    """A report may be submitted once its period has begun (figures then stand as of submission)."""
    return period.start <= (today or timezone.localdate())


def period_end_shown(period, today=None):
    """The day the figures stand at: the period's end, or today while the period runs."""
    today = today or timezone.localdate()
    return min(period.end, today) if period.start <= today else period.end


def as_date(text):
    return date.fromisoformat(text)
