"""Coverage targets and whether a unit is on track.

A province or a commune sets, per service, a target percentage by a deadline
(`Target`). A commune's own target overrides its province's; hamlets are
measured against their commune's.

The rule for "on track", shown on the pages (`RULE`): progress is expected
evenly from the day the target counts from to its deadline, so on day D

    expected(D) = target × (D − counted from) / (deadline − counted from),

clamped between 0 and the target. A unit is on track when its coverage on D
is at least expected(D); it has met the target once coverage reaches it; after
the deadline a unit below the target has missed it.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Target

RULE = gettext_lazy(
    "Expected coverage grows evenly from the day a target counts from to its deadline; "
    "a unit is on track when its coverage is at least the expected coverage on the as-of date."
)


@dataclass(frozen=True)
class Progress:
    target: Target
    coverage: Decimal | None
    expected: Decimal
    status: str  # one of STATUSES

    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"
    NO_DATA = "no_data"

    @property
    def ok(self):
        return self.status in (self.MET, self.ON_TRACK)

    @property
    def label(self):
        return status_label(self.status)


def status_label(status):
    return {
        Progress.MET: _("target met"),
        Progress.ON_TRACK: _("on track"),
        Progress.BEHIND: _("behind"),
        Progress.MISSED: _("target missed"),
        Progress.NO_DATA: _("no households"),
    }[status]


def expected_on(target, on):
    """The coverage (percent, one decimal) the target expects on day `on`."""
    span = (target.deadline - target.starts_on).days
    elapsed = min(max((on - target.starts_on).days, 0), span)
    return (target.percent * elapsed / span).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def progress(target, coverage, on):
    """Where a unit with `coverage` (percent or None) stands against `target` on day `on`."""
    expected = expected_on(target, on)
    if coverage is None:
        status = Progress.NO_DATA
    elif coverage >= target.percent:
        status = Progress.MET
    elif on >= target.deadline:
        status = Progress.MISSED
    elif coverage >= expected:
        status = Progress.ON_TRACK
    else:
        status = Progress.BEHIND
    return Progress(target, coverage, expected, status)


@dataclass
class ProvinceTargets:
    """All targets of a province, read in one query; `for_commune` applies the override rule."""

    province: dict  # service id -> Target (province-wide)
    communes: dict  # commune id -> {service id -> Target}

    def for_commune(self, commune_id):
        return {**self.province, **self.communes.get(commune_id, {})}


def targets_of_province(province_id):
    result = ProvinceTargets({}, {})
    for target in Target.objects.filter(province=province_id).select_related("service", "commune"):
        if target.commune_id is None:
            result.province[target.service_id] = target
        else:
            result.communes.setdefault(target.commune_id, {})[target.service_id] = target
    return result


def progress_by_service(figures, targets, services, on):
    """{service id: Progress} for the services of `targets` (service id -> Target)."""
    return {s.pk: progress(targets[s.pk], figures.coverage(s), on) for s in services if s.pk in targets}


def target_set(*, province, commune=None, service, percent, deadline, starts_on, set_by=None):
    """Create or replace the target of a unit for a service; returns (target, created)."""
    if commune is not None and commune.province_id != province.pk:
        raise ValidationError({"commune": _("This commune is not in the chosen province.")})
    if deadline <= starts_on:
        raise ValidationError({"deadline": _("The deadline must come after the day the target counts from.")})
    if not (Decimal(0) < Decimal(percent) <= Decimal(100)):
        raise ValidationError({"percent": _("A target is a percentage above 0 and at most 100.")})
    with transaction.atomic():
        return Target.objects.update_or_create(
            province=province,
            commune=commune,
            service=service,
            defaults={"percent": percent, "deadline": deadline, "starts_on": starts_on, "set_by": set_by},
        )


def target_delete(*, target):
    target.delete()
