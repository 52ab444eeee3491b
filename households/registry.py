"""Write side of the household register: register, correct, deactivate.

Households are never deleted: one that moved away is deactivated, leaves the
coverage denominators from then on, and keeps its visit history.
"""

from django.db import transaction
from django.utils import timezone

from .models import Household
from .search import normalize

EDITABLE_FIELDS = (
    "hamlet",
    "head_name",
    "address",
    "phone",
    "consent_given",
    "people_count",
    "poverty",
    "policy_family",
    "registered_on",
)


def household_namesakes(*, hamlet, head_name, exclude=None):
    """Active households of `hamlet` whose head has the same name, accents and case ignored."""
    # search_key starts with the normalised head's name followed by its separator.
    households = Household.objects.filter(
        hamlet=hamlet, active=True, search_key__startswith=f"{normalize(head_name)} | "
    ).order_by("search_key", "id")
    if exclude is not None:
        households = households.exclude(pk=exclude.pk)
    return households


def household_register(
    *,
    hamlet,
    head_name,
    address,
    phone="",
    consent_given=False,
    people_count=1,
    poverty=Household.Poverty.NONE,
    policy_family=False,
    registered_on=None,
):
    """Register a household met in the field; returns it."""
    with transaction.atomic():
        household = Household(
            hamlet=hamlet,
            head_name=head_name.strip(),
            address=address.strip(),
            phone=phone,
            consent_given=consent_given,
            people_count=people_count,
            poverty=poverty,
            policy_family=policy_family,
            registered_on=registered_on or timezone.localdate(),
        )
        household.save()
    return household


def household_update(*, household, **fields):
    """Correct a household's particulars; only the fields a team may edit."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(household, name, value.strip() if isinstance(value, str) and name != "poverty" else value)
        # Withdrawn consent takes the phone number with it, from the audit trail too.
        if not household.consent_given:
            household.phone = ""
        household.save(update_fields=[*fields, "phone", "updated_at"])
        if not household.consent_given:
            household.history.exclude(phone="").update(phone="")
    return household


def household_deactivate(*, household, on=None):
    """Mark a household as moved away: out of the denominators, history kept."""
    with transaction.atomic():
        household.active = False
        household.deactivated_on = on or timezone.localdate()
        household.save(update_fields=["active", "deactivated_on", "updated_at"])
    return household
