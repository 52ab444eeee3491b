"""The households' state (`Adoption` rows, first and last visit dates) recomputed from their visits, set-based.

`teams.visits` keeps the state by every write; this recomputes it with a
separate implementation (`manage.py rebuild_adoptions`), batch by batch, and
corrects only the households whose state differs; the tests hold the two equal.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Max, Min

from households.models import Household

from .counters import household_tracked, stored_adoptions
from .counters_rebuild import counters_rebuild
from .models import Adoption, Assistance, Visit
from .visits import help_apply, household_state_refresh, state_with_people


def adoptions_rebuild(*, province=None, batch_size=2000, counters=True):
    """Recompute every household's state from its visits, a batch of households at a time; then the counters.

    Each batch compares the state stored with the state its visits imply, in
    four queries and without locks; only a household whose two differ is
    corrected, in a transaction of its own under its row lock, by the path a
    visit correction takes (`household_state_refresh`; within
    `household_tracked` only when no counter rebuild follows, since shifting
    every later day's counters per household is what the rebuild redoes set-based).
    A visit never waits for more than one household's
    correction, a database in step is read and not written (no dead rows),
    and memory holds one batch. `counters_rebuild` follows, one commune per
    transaction, for rows that went in past the write functions.
    Returns the number of households corrected.
    """
    households = Household.objects.order_by("pk")
    if province is not None:
        households = households.filter(province=province)
    corrected, last = 0, 0
    while batch := list(households.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size]):
        last = batch[-1]
        for household_id in _households_out_of_step(batch):
            with transaction.atomic():
                household = Household.objects.select_for_update().get(pk=household_id)
                if counters:  # counters_rebuild below recomputes them: no shift of every later day per household
                    household_state_refresh(household, adoptions=stored_adoptions(household_id))
                else:
                    with household_tracked(household) as tracked:
                        tracked.after(household_state_refresh(household, adoptions=tracked.adoptions))
            corrected += 1
    if counters:
        counters_rebuild(province=province)
    return corrected


def _households_out_of_step(household_ids):
    """The households among `household_ids` whose stored state differs from the one their visits imply."""
    wanted, people = defaultdict(dict), defaultdict(lambda: defaultdict(int))
    rows = (
        Assistance.objects.filter(visit__household__in=household_ids, visit__voided_at__isnull=True)
        .order_by("visit__household_id", "visit__visited_on", "visit__recorded_at", "visit_id")
        .values_list("visit__household_id", "service_id", "visit__visited_on", "outcome", "people_helped")
    )
    for household_id, service_id, visited_on, outcome, people_helped in rows:
        help_apply(wanted[household_id], people[household_id], service_id, visited_on, outcome, people_helped)
    wanted = {pk: state_with_people(state, people[pk]) for pk, state in wanted.items()}
    stored = defaultdict(dict)
    adoptions = Adoption.objects.filter(household__in=household_ids).values_list(
        "household_id", "service_id", "first_adopted_on", "last_outcome", "last_visited_on", "people_helped"
    )
    for household_id, service_id, *state in adoptions:
        stored[household_id][service_id] = tuple(state)
    dates = {
        row["household"]: (row["first"], row["last"])
        for row in Visit.objects.filter(household__in=household_ids)
        .values("household")
        .annotate(first=Min("visited_on"), last=Max("visited_on"))
        .order_by()
    }
    stored_dates = Household.objects.filter(pk__in=household_ids).values_list(
        "pk", "first_visited_on", "last_visited_on"
    )
    return [
        pk
        for pk, first, last in stored_dates
        if wanted.get(pk, {}) != stored.get(pk, {}) or dates.get(pk, (None, None)) != (first, last)
    ]
