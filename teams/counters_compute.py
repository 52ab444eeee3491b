"""A commune's hamlet rows computed set-based from the base tables: households, visits' help, adoption rows
(the keys are `teams.counters`'s; `teams.counters_rebuild` compares them with the stored rows and writes)."""

from collections import defaultdict

from django.db.models import BooleanField, Case, Count, Sum, Value, When
from django.db.models.functions import Greatest

from households.models import Household

from .counters import HOUSEHOLDS, REACHED, Facts, adopted_key, events_add, people_key, pillar_key
from .counters_shift import figures_add
from .models import Adoption, Assistance, Outcome


def _priority(prefix=""):
    return Case(When(Household.priority_q(prefix), then=Value(True)), default=Value(False), output_field=BooleanField())


def commune_events(commune_id, subsets):
    """{(province, hamlet, flag, day, key): n} of every household of one commune (`teams.counters.contribution`).

    Households are grouped by what their events depend on (days, priority,
    and whether and when they were deactivated), so the work stays set-based.
    """
    events = defaultdict(int)
    households = Household.objects.filter(hamlet__commune_id=commune_id)

    def add(row, day, key, n, *, leaves=True):
        facts = Facts(
            row["province_id"],
            row["hamlet_id"],
            row["registered_on"],
            row["active"],
            row["prio"],
            None,
            row["deactivated_on"],
        )
        events_add(events, facts, day, key, n, leaves=leaves)

    fields = ("province_id", "hamlet_id", "registered_on", "active", "deactivated_on")
    for row in households.values(*fields, prio=_priority()).annotate(n=Count("id")).order_by():
        add(row, row["registered_on"], HOUSEHOLDS, row["n"])
    for row in (
        households.filter(first_visited_on__isnull=False)
        .values(*fields, prio=_priority(), d=Greatest("first_visited_on", "registered_on"))
        .annotate(n=Count("id"))
        .order_by()
    ):
        add(row, row["d"], REACHED, row["n"])
    helped = (
        Assistance.objects.filter(
            visit__household__hamlet__commune_id=commune_id, visit__voided_at__isnull=True, outcome=Outcome.SET_UP
        )
        .values(
            "service_id",
            *(f"visit__household__{name}" for name in fields),
            prio=_priority("visit__household__"),
            d=Greatest("visit__visited_on", "visit__household__registered_on"),
        )
        .annotate(n=Sum("people_helped"))
        .order_by()
    )
    for row in helped:
        if row["n"]:
            household = {name: row[f"visit__household__{name}"] for name in fields}
            add({**household, "prio": row["prio"]}, row["d"], people_key(row["service_id"]), row["n"], leaves=False)
    # Adoptions and pillars need each household's dates together: streamed in household order.
    adoptions = (
        Adoption.objects.filter(household__hamlet__commune_id=commune_id, first_adopted_on__isnull=False)
        .order_by("household_id")
        .values_list(
            "household_id",
            "household__province_id",
            "household__hamlet_id",
            "household__registered_on",
            "household__active",
            "household__deactivated_on",
            "household__poverty",
            "household__policy_family",
            "service_id",
            "first_adopted_on",
        )
    )
    current, adopted_on = None, {}
    for (
        household_id,
        province_id,
        hamlet_id,
        registered_on,
        active,
        deactivated_on,
        poverty,
        policy,
        service_id,
        day,
    ) in adoptions.iterator(chunk_size=5000):
        if current is not None and current[0] != household_id:
            _adoption_events(events, current[1], adopted_on, subsets)
            adopted_on = {}
        priority = Household.priority_of(poverty=poverty, policy_family=policy)
        facts = Facts(province_id, hamlet_id, registered_on, active, priority, None, deactivated_on)
        current = (household_id, facts)
        adopted_on[service_id] = day
    if current is not None:
        _adoption_events(events, current[1], adopted_on, subsets)
    return events


def _adoption_events(events, facts, adopted_on, subsets):
    for service_id, day in adopted_on.items():
        events_add(events, facts, day, adopted_key(service_id), 1)
    for _pillar, subset in subsets:
        days = [adopted_on[s] for s in subset if s in adopted_on]
        if days:
            events_add(events, facts, min(days), pillar_key(subset), 1)


def cumulate(events):
    """Hamlet rows (province, hamlet, flag, day, figures) from daily increments: one per day with an event."""
    by_series = defaultdict(lambda: defaultdict(dict))
    for (province_id, hamlet_id, flag, day, key), n in events.items():
        if n:
            by_series[(province_id, hamlet_id, flag)][day][key] = n
    for (province_id, hamlet_id, flag), by_day in by_series.items():
        running = {}
        for day in sorted(by_day):
            running = figures_add(running, by_day[day])
            yield (province_id, hamlet_id, flag, day, running)
