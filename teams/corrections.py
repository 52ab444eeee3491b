"""Corrections in the field (DESIGN.md "Figures over time" → "Corrections"): voiding a visit, and telling
a second save of the same visit (Back then Save) from a new one.

Correcting a visit is `teams.visits.visit_update`; who may correct or void which visit is
`teams.access.Scope.correctable_visits`.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .counters import household_tracked
from .models import Visit
from .visits import _locked_household, household_state_refresh

# A second save of the same visit within this time is asked about (Back then Save on the visit form).
TWIN_WINDOW = timedelta(minutes=15)


def visit_void(*, visit, by, reason):
    """Void a visit: it stays, with its help and audit trail, and leaves every figure; the state and
    counters of its household follow in the same transaction. `by`: the user who voids it."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Give the reason for voiding this visit.")})
    with transaction.atomic():
        household = _locked_household(visit.household)
        visit = Visit.all_objects.get(pk=visit.pk)  # read under the household's lock: voided meanwhile?
        if visit.voided_at is not None:
            raise ValidationError({"__all__": _("This visit was already voided.")})
        with household_tracked(household) as tracked:
            visit.voided_at, visit.voided_by, visit.void_reason = timezone.now(), by, reason[:500]
            visit._history_user = by
            visit.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
            tracked.after(household_state_refresh(household, adoptions=tracked.adoptions))
    return visit


def visit_twin(*, member, household, visited_on, outcomes, uuid):
    """The visit this member stored minutes ago at this household, on this date, with the same help, under
    another UUID, or None: a second save of the same form after Back (the page came again with a new UUID).

    A resend of the same UUID is not a twin: `visit_record` stores it once anyway.
    """
    wanted = sorted(
        (service.pk, help_given.outcome, help_given.people_helped) for service, help_given in outcomes.items()
    )
    recent = Visit.objects.filter(
        household=household, member=member, visited_on=visited_on, recorded_at__gte=timezone.now() - TWIN_WINDOW
    ).prefetch_related("assistances")
    # One query in the usual case (no such visit); the UUID is looked up only when there is one.
    twins = [
        visit
        for visit in recent.order_by("-recorded_at")
        if sorted((a.service_id, a.outcome, a.people_helped) for a in visit.assistances.all()) == wanted
    ]
    if not twins or Visit.all_objects.filter(pk=uuid).exists():
        return None
    return twins[0]
