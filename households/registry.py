"""Write side of the household register: register, correct or move, deactivate.

Every write of a household row goes through these functions (the admin, the
field pages, the seeders, `privacy.household_anonymise`): each one, in one
transaction, locks the row, sets the keys derived from it (`keys_derive`),
saves, and applies the difference it makes to the coverage counters. The
model's `save()` does none of this; code that bulk-creates households
rebuilds the counters itself (`teams.counters_rebuild`).

Households are never deleted: one that moved away is deactivated, leaves the
coverage denominators from then on, and keeps its visit history.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

# The one dependency of households on teams that STYLE.md allows: its write services keep the coverage
# counters (teams.counters), which are a function of the household rows as an index is.
from teams.counters import Facts, contribution, counters_apply, household_counters_update

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
    return household_create(household=household)


def household_create(*, household):
    """Store a new household built elsewhere (the admin's form, `household_register`); returns it."""
    with transaction.atomic():
        household.keys_derive()
        household.save(force_insert=True)
        household_counters_update(household=household, stored=None)
    return household


def _household_change(household, changes):
    """Write `changes` ({field name: value}) to the stored row, under its lock; `household` becomes that row.

    An instance may be a stale copy (a form read it before a visit or
    another edit came in): every field but the changed ones is taken from
    the row as locked, so a write never puts back what it read earlier, and
    the counters see exactly the row before and after.
    """
    with transaction.atomic():
        stored = Household.objects.select_for_update().get(pk=household.pk)
        for field in Household._meta.concrete_fields:
            setattr(household, field.attname, getattr(stored, field.attname))
        for name, value in changes.items():
            setattr(household, name, value)
        if not household.consent_given and household.phone:
            # No phone number without consent (a constraint of the table): withdrawn consent takes it.
            household.phone = ""
            changes = {**changes, "phone": ""}
        household.keys_derive()
        household.save(update_fields=[*changes, "province", "search_key", "updated_at"])
        household_counters_update(household=household, stored=stored)
    return household


def household_update(*, household, **fields):
    """Correct a household's particulars, or move it to another hamlet; only the fields a team may edit."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    return _household_correct(household, fields)


def _household_correct(household, fields):
    changes = {
        name: value.strip() if isinstance(value, str) and name != "poverty" else value for name, value in fields.items()
    }
    with transaction.atomic():
        _household_change(household, changes)
        # Withdrawn consent took the phone number with it (above), from the audit trail too.
        if not household.consent_given:
            household.history.exclude(phone="").update(phone="")
    return household


def households_import(*, new, changes, user=None, reason=""):
    """Store an import in one transaction: `new` unsaved households, `changes` [(household, {field: value})].

    Changed rows take the locked path of `household_update` one by one (they
    may have visits, which their counters depend on), the household code
    among their fields. New rows, which have no visits, are created in bulk
    with their history, and their counters are added in one shift.
    """
    with transaction.atomic():
        for household, fields in changes:
            unknown = set(fields) - {*EDITABLE_FIELDS, "code"}
            if unknown:
                raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
            # simple_history reads these when the row is saved.
            household._history_user, household._change_reason = user, reason
            _household_correct(household, fields)
        for household in new:
            household.keys_derive()
        created = bulk_create_with_history(
            new, Household, batch_size=1000, default_user=user, default_change_reason=reason
        )
        events = defaultdict(int)
        for household in created:
            contribution(Facts.of(household), {}, {}, [], events)
        counters_apply({}, events)
    return created


def household_deactivate(*, household, on=None):
    """Mark a household as moved away: out of the denominators, history kept."""
    return _household_change(household, {"active": False, "deactivated_on": on or timezone.localdate()})
