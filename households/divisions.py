"""Administrative units: loading the GSO lists, importing hamlets, reorganising."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
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


def hamlets_move(*, hamlets, commune, by=None, recode=None):
    """Move hamlets to another commune, as the 2025 reorganisation did.

    Households, visits and their figures follow the hamlet (they hang on it);
    teams whose hamlets all move go along. A team serving a moving and a
    staying hamlet must be split first: teams serve hamlets of one commune.
    `recode` ({hamlet id: new code}) gives a hamlet whose code the commune
    already uses a new one in the same step. Every move is in the hamlet's
    audit trail (from, to, who: `by`, when), shown on its history page.
    """
    from teams.counters import province_keys_follow, provinces_lock
    from teams.counters_drain import queue_fold
    from teams.counters_rebuild import rollups_rebuild
    from teams.counters_snapshot import rebuild_xact_lock
    from teams.models import CoverageDay, Team

    hamlets = list(hamlets)
    hamlet_ids = {h.pk for h in hamlets}
    errors = []
    recode = {pk: code.strip() for pk, code in (recode or {}).items() if pk in hamlet_ids and code.strip()}
    for hamlet in hamlets:
        hamlet.old_commune = hamlet.commune
        if hamlet.pk in recode:
            hamlet.code = recode[hamlet.pk]
    codes = [h.code for h in hamlets]
    for hamlet in hamlets:
        if len(hamlet.code) > Hamlet._meta.get_field("code").max_length or not hamlet.code.isprintable():
            errors.append(_("The new code “%(code)s” is not valid.") % {"code": hamlet.code})
        elif codes.count(hamlet.code) > 1:
            errors.append(_("Two moving hamlets share the code “%(code)s”.") % {"code": hamlet.code})
        elif hamlet.commune_id == commune.pk:
            errors.append(_("%(hamlet)s is already in %(commune)s.") % {"hamlet": hamlet.name, "commune": commune})
        elif Hamlet.objects.filter(commune=commune, code=hamlet.code).exists():
            errors.append(
                _("%(commune)s already has a hamlet with the code “%(code)s”: give %(hamlet)s a new code.")
                % {"commune": commune, "code": hamlet.code, "hamlet": hamlet.name}
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
        for pk, code in recode.items():
            Hamlet.objects.filter(pk=pk).update(code=code)
        Hamlet.objects.filter(pk__in=hamlet_ids).update(commune=commune, province_id=province_id)
        Team.objects.filter(pk__in=[t.pk for t in teams]).update(commune=commune, province_id=province_id)
        households = Household.objects.filter(hamlet__in=hamlet_ids)
        # The distribution key follows when a hamlet changes province.
        households.exclude(province_id=province_id).update(province_id=province_id)
        province_keys_follow(households=households, province_id=province_id)
        # The counters' writers hold a household's lock, then their province's, and read the hamlet's
        # commune under it: the same order here (households above, then the provinces), so no writer
        # applies a delta to the old commune after the sums below are redone. The hamlet rows updated
        # above come first, though: a visit to a moving hamlet that holds its province's lock checks its
        # key to the hamlet at commit, and the two can deadlock (docs/scaling.md, "Known, not fixed"). The rebuild's
        # lock first, as `rollups_rebuild` takes it (a rebuild's snapshot then comes before or after this).
        rebuild_xact_lock(provinces)
        provinces_lock(provinces)
        # Queued changes (`teams.counters_queue`) reach the rows before they move.
        for each in sorted(provinces):
            queue_fold(each)
        CoverageDay.objects.filter(hamlet__in=hamlet_ids).exclude(province_id=province_id).update(
            province_id=province_id
        )
        # The hamlets' own counters follow them; the communes' and provinces' sums are redone from them.
        rollups_rebuild(provinces)
        _moves_record(hamlets, commune, by, households)
    return len(hamlet_ids)


def _moves_record(hamlets, commune, by, households):
    """One audit-trail entry per moved hamlet: its row after the move, who moved it, and from where."""
    counts = dict(
        households.values_list("hamlet_id").annotate(n=models.Count("id")).order_by().values_list("hamlet_id", "n")
    )
    for hamlet in Hamlet.objects.filter(pk__in=[h.pk for h in hamlets]).select_related("commune"):
        old = next(h.old_commune for h in hamlets if h.pk == hamlet.pk)
        reason = _("Moved from %(old)s (%(old_code)s) to %(new)s (%(new_code)s) with %(n)s households.") % {
            "old": old.name,
            "old_code": old.code,
            "new": commune.name,
            "new_code": commune.code,
            "n": counts.get(hamlet.pk, 0),
        }
        Hamlet.history.bulk_history_create([hamlet], update=True, default_user=by, default_change_reason=reason)
