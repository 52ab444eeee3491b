"""Personal data requests (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): access and erasure.

A household may ask what Gõ Cửa holds about it, and may ask to be erased.
Erasure anonymises: name, address, phone and visit notes go, everywhere
including the audit trail, while the counts (people, visits, services) stay
so that coverage figures do not change (an active household stays active).
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from teams.models import Assistance, Visit

from .models import Household
from .registry import household_update


def household_data(household):
    """Everything stored about one household, as plain JSON-able data."""
    # Of the users, only the names; of the rows, only what is shown: plain tuples, no model instances.
    username = get_user_model().USERNAME_FIELD
    visits = list(
        Visit.all_objects.filter(household=household)  # voided ones too: everything held about the household
        .order_by("visited_on", "recorded_at")
        .values_list(
            "pk", "visited_on", "member__full_name", f"recorded_by__{username}", "note", "voided_at", "void_reason"
        )
    )
    help_given = defaultdict(list)
    if visits:
        rows = Assistance.objects.filter(visit__in=[visit[0] for visit in visits]).order_by("pk")
        for visit_id, code, outcome, people_helped in rows.values_list(
            "visit_id", "service__code", "outcome", "people_helped"
        ):
            help_given[visit_id].append({"service": code, "outcome": outcome, "people_helped": people_helped})
    changes = household.history.order_by("history_date").values_list(
        "history_date", f"history_user__{username}", "history_type"
    )
    return {
        "household": {
            "id": household.pk,
            "head_name": household.head_name,
            "address": household.address,
            "phone": household.phone,
            "hamlet": household.hamlet.name,
            "commune": household.hamlet.commune.name,
            "people_count": household.people_count,
            "poverty": household.poverty,
            "policy_family": household.policy_family,
            "consent_given": household.consent_given,
            "registered_on": household.registered_on.isoformat(),
            "active": household.active,
            "deactivated_on": household.deactivated_on.isoformat() if household.deactivated_on else None,
        },
        "visits": [
            {
                "id": str(pk),
                "visited_on": visited_on.isoformat(),
                "member": member,
                "recorded_by": recorded_by,
                "note": note,
                "voided_on": timezone.localdate(voided_at).isoformat() if voided_at else None,  # the day as shown
                "void_reason": void_reason,
                "help": help_given[pk],
            }
            for pk, visited_on, member, recorded_by, note, voided_at, void_reason in visits
        ],
        "changes": [{"at": at.isoformat(), "by": by, "type": change} for at, by, change in changes],
    }


def household_anonymise(*, household):
    """Remove the household's identity everywhere; keep its counts and visits."""
    with translation.override(settings.LANGUAGE_CODE):  # stored data, not the requester's language
        label = _("Anonymised household #%(id)s") % {"id": household.pk}
    with transaction.atomic():
        # A correction like any other (locked, counters kept), which also takes the phone from the trail.
        household = household_update(household=household, head_name=label, address="", phone="", consent_given=False)
        # The audit trail held the old values: it loses them too.
        household.history.update(head_name=label, address="", phone="")
        visits = Visit.all_objects.filter(household=household)
        visits.update(note="", void_reason="")
        Visit.history.filter(household_id=household.pk).update(note="", void_reason="")
        _admin_log_anonymise(household=household, visits=visits)
    return household


def _admin_log_anonymise(*, household, visits):
    """The admin's log keeps each object's text as it was (`object_repr`): the household's and its visits'."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Household), object_id=str(household.pk)
    ).update(object_repr=str(household)[:200])
    visit_type = ContentType.objects.get_for_model(Visit)
    for visit in visits.only("pk", "household_id", "visited_on"):
        LogEntry.objects.filter(content_type=visit_type, object_id=str(visit.pk)).update(object_repr=str(visit)[:200])
