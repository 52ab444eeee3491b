"""Administrative units: loading the GSO lists, importing hamlets, reorganising."""

import csv
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from vietnam_provinces import Province as GsoProvince
from vietnam_provinces import VietNamDivisionType
from vietnam_provinces import Ward as GsoWard

from .models import Commune, Hamlet, Household, Province

_COMMUNE_KINDS = {
    VietNamDivisionType.XA: Commune.Kind.COMMUNE,
    VietNamDivisionType.PHUONG: Commune.Kind.WARD,
    VietNamDivisionType.DAC_KHU: Commune.Kind.SPECIAL_ZONE,
}


def _clean(name):
    # The package has a few doubled spaces ("Xã  Phú Hữu").
    return " ".join(name.split())


def divisions_load(*, province_code=None):
    """Provinces and communes from `vietnam-provinces` (July 2025 units); idempotent.

    Returns (provinces written, communes written), counting changed rows only.
    """
    gso_provinces = [p for p in GsoProvince.iter_all() if province_code is None or int(p.code) == int(province_code)]
    if province_code is not None and not gso_provinces:
        raise ValidationError(_("No province has the GSO code %(code)s.") % {"code": province_code})
    wanted_codes = {int(p.code) for p in gso_provinces}
    provinces_written = communes_written = 0
    with transaction.atomic():
        existing = {p.code: p for p in Province.objects.all()}
        for gso in gso_provinces:
            code = f"{int(gso.code):02d}"
            values = {"name": _clean(gso.name), "division_type": gso.division_type.value}
            province = existing.get(code)
            if province is None:
                existing[code] = Province.objects.create(code=code, **values)
                provinces_written += 1
            elif (province.name, province.division_type) != (values["name"], values["division_type"]):
                Province.objects.filter(pk=province.pk).update(**values)
                provinces_written += 1
        communes = {c.code: c for c in Commune.objects.all()}
        new, changed = [], []
        for ward in GsoWard.iter_all():
            if int(ward.province_code) not in wanted_codes:
                continue
            code = f"{int(ward.code):05d}"
            province = existing[f"{int(ward.province_code):02d}"]
            kind = _COMMUNE_KINDS[ward.division_type]
            name = _clean(ward.name)
            commune = communes.get(code)
            if commune is None:
                new.append(Commune(code=code, name=name, kind=kind, province=province))
            elif (commune.name, commune.kind, commune.province_id) != (name, kind, province.pk):
                commune.name, commune.kind, commune.province = name, kind, province
                changed.append(commune)
        Commune.objects.bulk_create(new, batch_size=1000)
        Commune.objects.bulk_update(changed, ["name", "kind", "province"], batch_size=1000)
        communes_written = len(new) + len(changed)
    return provinces_written, communes_written


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (line number, message)


def hamlets_import(rows):
    """Import hamlets from CSV rows `commune code, hamlet name[, code]`.

    All or nothing: if any row is bad, nothing is stored and every bad row is
    reported with its line number. A header line is recognised and skipped.
    A row naming a hamlet that already exists (same commune and code) is left
    as it is, so a file can be imported twice.
    """
    report = ImportReport()
    communes = {c.code: c for c in Commune.objects.all()}
    seen = {}
    to_create = []
    for line_number, row in rows:
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if line_number == 1 and cells and not cells[0].isdigit():
            continue  # header
        if len(cells) < 2 or len(cells) > 3:
            report.errors.append((line_number, _("expected 2 or 3 columns: commune code, hamlet name[, code]")))
            continue
        commune_code, name = cells[0], cells[1]
        code = cells[2] if len(cells) == 3 and cells[2] else None
        commune = communes.get(commune_code.zfill(5)) if commune_code.isdigit() else None
        if commune is None:
            report.errors.append((line_number, _("unknown commune code “%(code)s”") % {"code": commune_code}))
            continue
        if not name:
            report.errors.append((line_number, _("the hamlet name is empty")))
            continue
        if len(name) > Hamlet._meta.get_field("name").max_length:
            report.errors.append((line_number, _("the hamlet name is longer than 100 characters")))
            continue
        if code is None:
            code = _hamlet_code_from_name(name)
        if len(code) > Hamlet._meta.get_field("code").max_length:
            report.errors.append((line_number, _("the hamlet code is longer than 20 characters")))
            continue
        key = (commune.pk, code)
        if key in seen:
            report.errors.append(
                (
                    line_number,
                    _("the code “%(code)s” is repeated from line %(line)s") % {"code": code, "line": seen[key]},
                )
            )
            continue
        seen[key] = line_number
        to_create.append(Hamlet(commune=commune, province_id=commune.province_id, name=name, code=code))
    if report.errors:
        return report
    existing = set(
        Hamlet.objects.filter(commune__in={h.commune_id for h in to_create}).values_list("commune_id", "code")
    )
    fresh = [h for h in to_create if (h.commune_id, h.code) not in existing]
    with transaction.atomic():
        Hamlet.objects.bulk_create(fresh, batch_size=1000)
    report.created = len(fresh)
    report.unchanged = len(to_create) - len(fresh)
    return report


def hamlets_import_file(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return hamlets_import(enumerate(csv.reader(f), start=1))


def _hamlet_code_from_name(name):
    from .search import normalize

    return "-".join(normalize(name).split())[:20]


def hamlets_move(*, hamlets, commune):
    """Move hamlets to another commune, as the 2025 reorganisation did.

    Households, visits and their figures follow the hamlet (they hang on it);
    teams whose hamlets all move go along. A team serving a moving and a
    staying hamlet must be split first: teams serve hamlets of one commune.
    """
    from teams.counters import provinces_lock
    from teams.counters_rebuild import rollups_rebuild
    from teams.models import Adoption, Assistance, CoverageDay, Team, Visit

    hamlets = list(hamlets)
    hamlet_ids = {h.pk for h in hamlets}
    errors = []
    codes = [h.code for h in hamlets]
    for hamlet in hamlets:
        if codes.count(hamlet.code) > 1:
            errors.append(_("Two moving hamlets share the code “%(code)s”.") % {"code": hamlet.code})
        elif hamlet.commune_id == commune.pk:
            errors.append(_("%(hamlet)s is already in %(commune)s.") % {"hamlet": hamlet.name, "commune": commune})
        elif Hamlet.objects.filter(commune=commune, code=hamlet.code).exists():
            errors.append(
                _("%(commune)s already has a hamlet with the code “%(code)s”.")
                % {"commune": commune, "code": hamlet.code}
            )
    teams = Team.objects.filter(hamlets__in=hamlet_ids).distinct()
    for team in teams:
        staying = team.hamlets.exclude(pk__in=hamlet_ids)
        if staying.exists():
            errors.append(
                _("Team %(team)s also serves %(others)s, which do not move: split the team first.")
                % {"team": team.name, "others": ", ".join(h.name for h in staying)}
            )
        elif Team.objects.filter(commune=commune, name=team.name).exists():
            errors.append(_("%(commune)s already has a team named %(team)s.") % {"commune": commune, "team": team.name})
    if errors:
        raise ValidationError(errors)
    province_id = commune.province_id
    with transaction.atomic():
        provinces = {h.province_id for h in hamlets} | {province_id}
        Hamlet.objects.filter(pk__in=hamlet_ids).update(commune=commune, province_id=province_id)
        Team.objects.filter(pk__in=[t.pk for t in teams]).update(commune=commune, province_id=province_id)
        households = Household.objects.filter(hamlet__in=hamlet_ids)
        # The distribution key follows when a hamlet changes province.
        households.exclude(province_id=province_id).update(province_id=province_id)
        Visit.objects.filter(household__in=households).exclude(province_id=province_id).update(province_id=province_id)
        Assistance.objects.filter(visit__household__in=households).exclude(province_id=province_id).update(
            province_id=province_id
        )
        Adoption.objects.filter(household__in=households).exclude(province_id=province_id).update(
            province_id=province_id
        )
        # The counters' writers hold a household's lock, then their province's, and read the hamlet's
        # commune under it: the same order here (households above, then the provinces) leaves no deadlock,
        # and no writer applies a delta to the old commune after the sums below are redone.
        provinces_lock(provinces)
        CoverageDay.objects.filter(hamlet__in=hamlet_ids).exclude(province_id=province_id).update(
            province_id=province_id
        )
        # The hamlets' own counters follow them; the communes' and provinces' sums are redone from them.
        rollups_rebuild(provinces)
    return len(hamlet_ids)
