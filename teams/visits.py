"""Write side: recording, editing and deleting visits, and the state they imply.

The state of a household (its `Adoption` rows and first/last visit dates) is
a function of its visits ordered by visited-on date, then arrival, never of
arrival alone. Every write locks the household row, changes the visits, and
recomputes that household's state in the same transaction: a late visit
cannot overwrite a newer one, concurrent writes to one household queue up
instead of losing an update, and writes to different households never wait
on each other. A new visit dated after all the household's others, the
usual case in the field, comes last in that order: its state follows from
the stored one without reading the visits back (`household_state_advance`).
`teams.state_rebuild.adoptions_rebuild` recomputes every household from scratch with a separate,
set-based implementation; the tests hold the two equal.
"""

import uuid as uuid_module
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Household

from .counters import household_tracked
from .models import ADOPTED_OUTCOMES, Adoption, Assistance, Outcome, Team, Visit
from .visit_facts import VisitFacts


@dataclass(frozen=True)
class Help:
    """What was done for one service during a visit.

    People helped count "set up now" only (DESIGN.md "Figures over time"):
    another outcome carries none, whatever was sent (the offline client's
    form sends one number for every service).
    """

    outcome: str
    people_helped: int = 1

    def __post_init__(self):
        if self.outcome != Outcome.SET_UP:
            object.__setattr__(self, "people_helped", 0)


def people_helped_problem(*, outcome, people_helped, household):
    """Why `people_helped` cannot go with `outcome` at `household` (1 to its people for "set up now"), or None."""
    if outcome != Outcome.SET_UP:
        return None
    if people_helped < 1 or people_helped > household.people_count:
        return _("People helped: for “set up now”, enter from 1 to %(n)s, the number of people in the household.") % {
            "n": household.people_count
        }
    return None


# How far back a new visit may be dated (an offline phone syncs at most a year late); corrections are not bound.
MAX_DAYS_BACK = 366


def visit_date_problem(*, visited_on, household):
    """Why a visit cannot be on this date (in the future, before registration), or None."""
    if visited_on > timezone.localdate():
        return _("The visit date cannot be in the future.")
    if visited_on < household.registered_on:
        return _("The visit date cannot be before the household was registered (%(date)s).") % {
            "date": household.registered_on.strftime("%d/%m/%Y")
        }
    return None


def _validate(*, member, household, visited_on, outcomes, new=True):
    """Raise ValidationError naming the field at fault; corrections skip the checks on who may record.

    For a new visit, `household` comes from `_locked_household(..., served_by=member.team)`.
    """
    errors = {}
    if new:
        if not member.active or not member.team.active:
            errors["member"] = _("This member or team is no longer active.")
        elif not household.served:
            errors["household"] = _("This household is not in a hamlet served by the member's team.")
        if not household.active:
            errors["household"] = _("This household has been deactivated.")
    problem = visit_date_problem(visited_on=visited_on, household=household)
    if problem:
        errors["visited_on"] = problem
    elif new and visited_on < timezone.localdate() - timedelta(days=MAX_DAYS_BACK):
        # A late visit shifts every counter row from its day to today: its cost grows with the days back.
        earliest = timezone.localdate() - timedelta(days=MAX_DAYS_BACK)
        errors["visited_on"] = _("A new visit can be dated at most a year back (from %(date)s).") % {
            "date": earliest.strftime("%d/%m/%Y")
        }
    for service, help_given in outcomes.items():
        if help_given.outcome not in Outcome.values:
            errors["outcomes"] = _("Unknown outcome.")
        elif problem := people_helped_problem(
            outcome=help_given.outcome, people_helped=help_given.people_helped, household=household
        ):
            errors["outcomes"] = problem
        elif new and not service.active:
            errors["outcomes"] = _("The service “%(name)s” is no longer offered.") % {"name": service.name}
        elif service.offered_from and visited_on < service.offered_from:
            errors["outcomes"] = _("The service “%(name)s” was only offered from %(date)s.") % {
                "name": service.name,
                "date": service.offered_from.strftime("%d/%m/%Y"),
            }
    if errors:
        raise ValidationError(errors)


def _locked_household(household, served_by=None, visit_id=None, voided_id=None):
    """The household's row, locked, in one query that also says, with `served_by` (a team), whether
    that team serves its hamlet (`served`), with `visit_id`, whether that visit is stored (`stored`),
    and with `voided_id`, whether that visit is voided (`voided`)."""
    households = Household.objects.select_for_update(of=("self",))
    if served_by is not None:
        served = Team.hamlets.through.objects.filter(team_id=served_by.pk, hamlet_id=OuterRef("hamlet_id"))
        households = households.annotate(served=Exists(served))
    if visit_id is not None:
        # Voided visits included: a resend of a voided visit's UUID must not bring it back as a new one.
        households = households.annotate(stored=Exists(Visit.all_objects.filter(pk=visit_id)))
    if voided_id is not None:
        households = households.annotate(voided=Exists(Visit.all_objects.filter(pk=voided_id, voided_at__isnull=False)))
    return households.get(pk=household.pk)


def _store_assistance(visit, outcomes, *, user=None):
    created = Assistance.objects.bulk_create(
        Assistance(
            province_id=visit.province_id,
            visit=visit,
            service=service,
            outcome=help_given.outcome,
            people_helped=help_given.people_helped,
        )
        for service, help_given in outcomes.items()
    )
    # bulk_create skips the audit trail's signals; write it explicitly (user from the request).
    Assistance.history.bulk_history_create(created, default_user=user)


def _resent(existing, *, household, member):
    """The stored visit of a resent UUID, provided it is the same household's and member's."""
    if (existing.household_id, existing.member_id) != (household.pk, member.pk):
        # Not a resend: a reused or forged id must not swallow this visit.
        raise ValidationError({"__all__": _("This form was already used for another visit. Open it again.")})
    return existing


def _stored_visit(uuid):
    return Visit.all_objects.filter(pk=uuid).first()


def visit_record(*, member, household, visited_on, outcomes, uuid=None, note="", recorded_by=None):
    """Store a visit once per UUID and update the household's state.

    `outcomes` maps `Service` to `Help`; services left out were not touched.
    Returns `(visit, created)`: the same UUID sent again returns the stored
    visit with `created=False` (double taps, retries, offline resend).
    """
    uuid = uuid or uuid_module.uuid4()
    try:
        with transaction.atomic():
            # Checked on the locked row, so that no change to it slips in between: a resend first
            # (double tap, retry, offline sync: it answers with the stored visit whatever changed
            # since), then the visit. A concurrent resend of the same UUID waits on this lock, then
            # fails to insert the visit a second time: the IntegrityError below returns the stored one.
            household = _locked_household(household, served_by=member.team, visit_id=uuid)
            if household.stored:
                return _resent(_stored_visit(uuid), household=household, member=member), False
            _validate(member=member, household=household, visited_on=visited_on, outcomes=outcomes)
            with household_tracked(household) as tracked:
                visit = Visit.objects.create(
                    id=uuid,
                    province_id=household.province_id,
                    hamlet_id=household.hamlet_id,
                    household=household,
                    member=member,
                    visited_on=visited_on,
                    note=note,
                    recorded_by=recorded_by,
                )
                _store_assistance(visit, outcomes, user=recorded_by)
                if household.last_visited_on is None or visited_on > household.last_visited_on:
                    facts = household_state_advance(household, visited_on, outcomes, tracked=tracked)
                else:  # the same day as another visit, or synced late: it may not be the last
                    facts = household_state_refresh(household, adoptions=tracked.adoptions)
                tracked.after(facts)
    except IntegrityError:
        # The same UUID stored meanwhile (a concurrent resend, or a forged id under another household).
        existing = _stored_visit(uuid)
        if existing is None:
            raise
        return _resent(existing, household=household, member=member), False
    return visit, True


def visit_update(*, visit, visited_on, outcomes, note=""):
    """Correct a visit: its date, note and help; the household's state follows. A voided visit stays as voided."""
    _validate(member=visit.member, household=visit.household, visited_on=visited_on, outcomes=outcomes, new=False)
    with transaction.atomic():
        household = _locked_household(visit.household, voided_id=visit.pk)
        if household.voided:  # voided, perhaps by a teammate since this copy of it was read
            raise ValidationError({"__all__": _("This visit was voided: it cannot be corrected.")})
        with household_tracked(household) as tracked:
            visit.visited_on = visited_on
            visit.note = note
            visit.save(update_fields=["visited_on", "note", "updated_at"])
            visit.assistances.all().delete()
            _store_assistance(visit, outcomes)
            tracked.after(household_state_refresh(household, adoptions=tracked.adoptions))
    return visit


def visit_delete(*, visit):
    """Delete a wrong visit; the household's state is recomputed without it."""
    with transaction.atomic():
        household = _locked_household(visit.household)
        with household_tracked(household) as tracked:
            visit.delete()
            tracked.after(household_state_refresh(household, adoptions=tracked.adoptions))


def assistance_delete(*, assistances):
    """Delete assistance rows (the admin's list): each household's state and counters are recomputed without
    them, in one transaction, the households locked in id order. Returns how many rows were deleted."""
    assistances = list(assistances)
    by_household = defaultdict(list)
    for assistance in assistances:
        by_household[assistance.visit.household_id].append(assistance.pk)
    with transaction.atomic():
        for household in Household.objects.select_for_update().filter(pk__in=by_household).order_by("pk"):
            with household_tracked(household) as tracked:
                Assistance.objects.filter(pk__in=by_household[household.pk]).delete()
                tracked.after(household_state_refresh(household, adoptions=tracked.adoptions))
    return len(assistances)


def household_state_refresh(household, *, adoptions):
    """Recompute one household's adoptions and visit dates from its visits; returns its visit facts.

    Call inside a transaction that holds the household's row lock, within
    `counters.household_tracked(household)` so that the coverage counters
    follow: hand it the facts returned (`tracked.after(...)`), which are the
    ones it would read back, and take from it the adoption rows it read on
    entering (`adoptions=tracked.adoptions`), which are still the stored ones:
    only the state writes (this, `household_state_advance`) change them, under
    the same lock. One query reads the visits and their help; one writes the adoptions new or changed.
    """
    help_given = ("assistances__service_id", "assistances__outcome", "assistances__people_helped")
    rows = (
        Visit.objects.filter(household=household)
        .order_by("visited_on", "recorded_at", "id")
        .values_list("pk", "visited_on", *help_given)
    )
    wanted, people, first, last, days = {}, defaultdict(int), None, None, {}  # days: visit id -> visited on
    for visit_id, visited_on, service_id, outcome, people_helped in rows:
        first, last, days[visit_id] = first or visited_on, visited_on, visited_on
        if service_id is not None:  # else a visit that helped with nothing
            help_apply(wanted, people, service_id, visited_on, outcome, people_helped)
    return _state_store(household, adoptions, wanted, (people, Counter(days.values())), first, last)


def household_state_advance(household, visited_on, outcomes, *, tracked):
    """`household_state_refresh` for a visit just stored that is later than all the household's others.

    That visit comes last in the order, so the state follows from the stored
    one (`tracked.adoptions`, `tracked.facts_before`, read on entering
    `household_tracked`) and the visit's help, without reading the visits
    back: the refresh's last step, applied to the stored state.
    """
    wanted = {service_id: stored.state[:3] for service_id, stored in tracked.adoptions.items()}
    people = defaultdict(int, tracked.facts_before.people)
    for service, help_given in outcomes.items():
        help_apply(wanted, people, service.pk, visited_on, help_given.outcome, help_given.people_helped)
    visits = defaultdict(int, tracked.facts_before.visits)
    visits[visited_on] += 1
    first = household.first_visited_on or visited_on
    return _state_store(household, tracked.adoptions, wanted, (people, visits), first, visited_on)


def help_apply(wanted, people, service_id, visited_on, outcome, people_helped):
    """One service's help at the visit that comes next in the order, applied to the state so far: it
    takes the outcome and date and keeps its first adoption, or takes this date if the outcome adopts."""
    first_adopted_on = wanted[service_id][0] if service_id in wanted else None
    if first_adopted_on is None and outcome in ADOPTED_OUTCOMES:
        first_adopted_on = visited_on
    wanted[service_id] = (first_adopted_on, outcome, visited_on)
    people[(service_id, visited_on)] += people_helped


def _state_store(household, adoptions, wanted, helped, first, last):
    """Write the adoptions (`wanted`: {service id: (first adopted on, last outcome, last visited on)}) that
    differ from the stored ones (`adoptions`), and the first and last visit dates; returns the visit facts
    (`helped`: its people helped per service and day, and its visits per day)."""
    gone = [stored.pk for service_id, stored in adoptions.items() if service_id not in wanted]
    if gone:
        Adoption.objects.filter(pk__in=gone).delete()
    people, visits = helped
    written = [
        Adoption(
            province_id=household.province_id,
            hamlet_id=household.hamlet_id,
            household=household,
            service_id=service_id,
            first_adopted_on=first_adopted_on,
            last_outcome=outcome,
            last_visited_on=visited_on,
            people_helped=n,
        )
        for service_id, (first_adopted_on, outcome, visited_on, n) in state_with_people(wanted, people).items()
        if service_id not in adoptions or adoptions[service_id].state != (first_adopted_on, outcome, visited_on, n)
    ]
    # New and changed rows in one statement: an insert that updates the row already there.
    Adoption.objects.bulk_create(
        written,
        update_conflicts=True,
        unique_fields=["household", "service"],
        update_fields=["hamlet", "first_adopted_on", "last_outcome", "last_visited_on", "people_helped"],
    )

    if (household.first_visited_on, household.last_visited_on) != (first, last):
        Household.objects.filter(pk=household.pk).update(first_visited_on=first, last_visited_on=last)
        household.first_visited_on, household.last_visited_on = first, last
    adopted_on = {service_id: first_adopted_on for service_id, (first_adopted_on, _o, _v) in wanted.items()}
    return VisitFacts(adopted_on, dict(people), dict(visits))


def state_with_people(wanted, people):
    """`wanted` ({service id: (first adopted on, last outcome, last visited on)}) with the people helped
    with each service (`people`: {(service id, visited on): people}) as a fourth item, as `Adoption` stores it."""
    by_service = defaultdict(int)
    for (service_id, _day), n in people.items():
        by_service[service_id] += n
    return {service_id: (*state, by_service[service_id]) for service_id, state in wanted.items()}
