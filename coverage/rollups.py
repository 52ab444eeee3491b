"""Read side: coverage figures exactly as DESIGN.md "Coverage" defines them.

For hamlets H, date D:
- households = households of H registered on or before D and not deactivated on or before D;
- adopted(S) = those whose first "set up now"/"already had" for S is on or before D
  (`Adoption.first_adopted_on`, monotonic);
- reached = those with a visit on or before D (`Household.first_visited_on`);
- adopted(pillar) = those that adopted at least one counted service of the pillar;
- people helped(S) = people set up with S ("set up now") in visits on or before D to the
  households of H, those deactivated since included (work done stays counted);
- services: those in effect on D (`Service.in_effect_q`), a pillar's figure from its services
  in effect on D.

Figures are read per hamlet from the coverage counters (`teams.counters`,
kept in step with every write), and a commune's or a province's are the sums
of its hamlets' (`Figures.__add__`), so the rollup is exact by construction.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.formats import number_format

from households.models import Commune, Hamlet, Household, Province
from teams import counters
from teams.access import Scope
from teams.counters_queue import counters_as_of
from teams.models import Adoption, Assistance, Outcome, Service


@dataclass
class Figures:
    households: int = 0
    reached: int = 0
    adopted: dict = field(default_factory=lambda: defaultdict(int))  # service id -> households
    adopted_pillar: dict = field(default_factory=lambda: defaultdict(int))  # pillar -> households
    people_helped: dict = field(default_factory=lambda: defaultdict(int))  # service id -> people

    def __add__(self, other):
        return total([self, other])

    def coverage(self, service):
        """Share of households that adopted `service`, or None without households."""
        return ratio(self.adopted.get(service.pk, 0), self.households)

    def pillar_coverage(self, pillar):
        return ratio(self.adopted_pillar.get(pillar, 0), self.households)

    @property
    def reach(self):
        return ratio(self.reached, self.households)


def ratio(part, whole):
    """part / whole as a Decimal percentage with one decimal, or None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_percent(value):
    """37.5 → "37,5%" in Vietnamese (the active locale's separator); None → "—"."""
    if value is None:
        return "—"
    return f"{number_format(value, decimal_pos=1)}%"


def coverage_services(on=None):
    """The services that count for coverage in effect on day `on` (every one ever offered without it),
    in catalogue order.

    A retired service stays in the figures of the dates it was in effect on;
    one not yet offered on `on` is not in them. A service waiting for the
    counters' rebuild (added, or moved to another pillar, in the admin) is
    left out: its pillar counts are not there yet.
    """
    services = Service.objects.filter(counts_for_coverage=True, counters_pending=False)
    if on is not None:
        services = services.filter(Service.in_effect_q(on))
    return list(services.order_by("order", "code"))


def _households(hamlet_ids, on, priority_only, province=None):
    households = Household.objects.filter(
        Q(active=True) | Q(deactivated_on__gt=on), hamlet__in=hamlet_ids, registered_on__lte=on
    )
    if province is not None:
        # The distribution key first: lets the planner (and Citus) stay in one province.
        households = households.filter(province=province)
    if priority_only:
        households = households.filter(Household.priority_q())
    return households


def _by_unit(level, units, *, on, priority_only, services):
    """{unit id: Figures} as of the end of day `on`, for units with figures then."""
    services = services if services is not None else coverage_services(on)
    pillars = defaultdict(list)
    for s in services:
        pillars[s.pillar].append(s.pk)
    # The keys once, not per unit: a province's report reads 100 units twice, each with 40 keys.
    keys = [(s.pk, counters.adopted_key(s.pk), counters.people_key(s.pk)) for s in services]
    pillar_keys = [(pillar, counters.pillar_key(ids)) for pillar, ids in pillars.items()]
    result = {}
    for unit_id, counted in counters_as_of(level, units, on=on, priority_only=priority_only):
        if not counted:
            continue
        # A unit whose households have all left keeps the people its teams helped.
        f = Figures(counted.get(counters.HOUSEHOLDS, 0), counted.get(counters.REACHED, 0))
        for pk, adopted, people in keys:
            if n := counted.get(adopted):
                f.adopted[pk] = n
            if n := counted.get(people):
                f.people_helped[pk] = n
        for pillar, key in pillar_keys:
            if n := counted.get(key):
                f.adopted_pillar[pillar] = n
        result[unit_id] = f
    return result


def by_hamlet(hamlet_ids, *, on, priority_only=False, services=None, province=None):
    """Figures for each hamlet id as of the end of day `on`: {hamlet id: Figures}.

    Reads the hamlets' coverage counters (`teams.counters`), one index probe
    each, in one query whatever the number of households. `hamlet_ids` may be
    a list or a values("pk") queryset. `province`, when the hamlets are known
    to lie in it, adds the distribution key without changing the figures.
    """
    hamlets = Hamlet.objects.filter(pk__in=hamlet_ids)
    if province is not None:
        hamlets = hamlets.filter(province=province)
    return _by_unit(counters.HAMLET, hamlets, on=on, priority_only=priority_only, services=services)


def by_commune(communes, *, on, priority_only=False, services=None):
    """{commune id: Figures} for a queryset of communes: their counters, each the sum of its hamlets'."""
    return _by_unit(counters.COMMUNE, communes, on=on, priority_only=priority_only, services=services)


def by_province(provinces, *, on, priority_only=False, services=None):
    """{province id: Figures} for a queryset of provinces: their counters, each the sum of its communes'."""
    return _by_unit(counters.PROVINCE, provinces, on=on, priority_only=priority_only, services=services)


def households_count(scope):
    """Active households in a scope, whatever their registration date; from its widest counters, one query."""
    if scope.kind == Scope.ALL:
        level, units = counters.PROVINCE, Province.objects.all()
    elif scope.kind == Scope.PROVINCE:
        level, units = counters.PROVINCE, Province.objects.filter(pk=scope.province.pk)
    elif scope.kind == Scope.COMMUNE:
        level, units = counters.COMMUNE, Commune.objects.filter(pk=scope.commune.pk)
    else:
        level, units = counters.HAMLET, scope.hamlets()
    latest = counters_as_of(level, units, on=date.max, priority_only=False)
    return sum((counted or {}).get(counters.HOUSEHOLDS, 0) for _unit_id, counted in latest)


def total(figures):
    """The sum of several units' Figures (added in place: a province sums 100 communes)."""
    result = Figures()
    for f in figures:
        result.households += f.households
        result.reached += f.reached
        for mine, theirs in (
            (result.adopted, f.adopted),
            (result.adopted_pillar, f.adopted_pillar),
            (result.people_helped, f.people_helped),
        ):
            for key, value in theirs.items():
                mine[key] += value
    return result


@dataclass
class Rollup:
    """A unit's figures as of a date, with one row (sub-unit, Figures) per part of it."""

    unit: object
    on: date
    priority_only: bool
    services: list
    rows: list
    total: Figures


def for_province(province, *, on, priority_only=False, services=None):
    """One row per commune of `province`; each commune is the sum of its hamlets (its counters are)."""
    services = services if services is not None else coverage_services(on)
    communes = list(province.communes.order_by("name"))
    figures = by_commune(
        Commune.objects.filter(province=province), on=on, priority_only=priority_only, services=services
    )
    rows = [(commune, figures.get(commune.pk, Figures())) for commune in communes]
    return Rollup(province, on, priority_only, services, rows, total(f for _c, f in rows))


def for_commune(commune, *, on, priority_only=False, services=None):
    """One row per hamlet of `commune`; the commune is the sum of its hamlets."""
    services = services if services is not None else coverage_services(on)
    hamlets = list(commune.hamlets.order_by("name"))
    figures = by_hamlet(
        [h.pk for h in hamlets],
        on=on,
        priority_only=priority_only,
        services=services,
        province=commune.province_id,
    )
    rows = [(hamlet, figures.get(hamlet.pk, Figures())) for hamlet in hamlets]
    return Rollup(commune, on, priority_only, services, rows, total(f for _h, f in rows))


def for_hamlet(hamlet, *, on, priority_only=False, services=None):
    """The hamlet's own figures (its rows are households: see `by_household`)."""
    services = services if services is not None else coverage_services(on)
    figures = by_hamlet(
        [hamlet.pk], on=on, priority_only=priority_only, services=services, province=hamlet.province_id
    ).get(hamlet.pk, Figures())
    return Rollup(hamlet, on, priority_only, services, [], figures)


def hamlet_households(hamlet, *, on, priority_only=False):
    """The households counted in a hamlet's figures as of `on` (unordered queryset), without the columns
    its table never shows (an export reads a thousand rows: parsing their timestamps was a tenth of it)."""
    return _households([hamlet.pk], on, priority_only, hamlet.province_id).defer(*UNSHOWN).order_by()


UNSHOWN = ("created_at", "updated_at", "search_key")


class HouseholdRow(NamedTuple):
    """What a hamlet's table and `by_household` read of a household, as a plain tuple (see `household_rows`)."""

    pk: int
    province_id: int
    hamlet_id: int
    head_name: str
    address: str
    poverty: str
    policy_family: bool
    first_visited_on: date | None

    @property
    def is_priority(self):
        return Household.priority_of(poverty=self.poverty, policy_family=self.policy_family)


def household_rows(households):
    """[HouseholdRow] of a households queryset, in its order: an export's thousand rows without building
    a model instance each (a third of the hamlet CSV's time)."""
    return [HouseholdRow._make(values) for values in households.values_list(*HouseholdRow._fields)]


BY_HAMLET_FROM = 200  # households: `by_household` selects by hamlet (a thousand literal ids bind and plan slowly)


@dataclass
class HouseholdFigures:
    """One household as of a date: when first visited and adopted, and people helped."""

    first_visited_on: date | None = None
    adopted_on: dict = field(default_factory=dict)  # service id -> first adopted on
    pillars: set = field(default_factory=set)
    people_helped: dict = field(default_factory=dict)  # service id -> people


def by_household(households, *, on, services=None):
    """{household id: HouseholdFigures} for a list of households; two queries."""
    services = services if services is not None else coverage_services(on)
    pillar_of = {s.pk: s.pillar for s in services}
    result = {
        h.pk: HouseholdFigures(h.first_visited_on if (h.first_visited_on or on) <= on else None) for h in households
    }
    adoptions = Adoption.objects.filter(service__in=pillar_of)
    if len(result) >= BY_HAMLET_FROM:
        # A whole hamlet (an export): by the hamlet its adoption rows carry (they follow the household,
        # `teams.counters.hamlet_keys_follow`) from their own index, not through its households; others' rows skipped.
        adoptions = adoptions.filter(hamlet__in={h.hamlet_id for h in households})
    else:
        adoptions = adoptions.filter(household__in=list(result))
    adoptions = adoptions.values_list(
        "household_id", "service_id", "first_adopted_on", "last_visited_on", "people_helped"
    )
    later = set()  # households with help after `on`: their people as of `on` are read from their visits
    for household_id, service_id, adopted_on, last_visited_on, people in adoptions:
        if household_id not in result:
            continue
        if adopted_on is not None and adopted_on <= on:
            result[household_id].adopted_on[service_id] = adopted_on
            result[household_id].pillars.add(pillar_of[service_id])
        # The adoption row holds the people of every visit with its service, the last on `last_visited_on`.
        if last_visited_on <= on:
            if people:
                result[household_id].people_helped[service_id] = people
        else:
            later.add(household_id)
    # People helped: "set up now" rows alone (the others hold 0).
    for household_id, service_id, n in (
        Assistance.objects.filter(
            visit__household__in=later,
            service__in=pillar_of,
            outcome=Outcome.SET_UP,
            visit__visited_on__lte=on,
            visit__voided_at__isnull=True,
        )
        .values_list("visit__household_id", "service_id")
        .annotate(n=Sum("people_helped"))
    ):
        result[household_id].people_helped[service_id] = n or 0
    return result


def households_sorted(households, key, *, on, services):
    """Order households for the hamlet table by a column key (see coverage.exports); SQL-side, so it pages.

    Keys: name, address, priority, reach, cov:<code>, pillar:<pillar>, people:<code>;
    a leading "-" sorts descending. Empty values go last either way.
    """
    descending = key.startswith("-")
    key = key.lstrip("-")
    by_code = {s.code: s for s in services}
    kind, _sep, arg = key.partition(":")
    if kind == "address":
        expression = F("address")
    elif kind == "priority":
        households = households.annotate(_sort=ExpressionWrapper(Household.priority_q(), output_field=BooleanField()))
        expression = F("_sort")
    elif kind == "reach":
        households = households.annotate(_sort=Case(When(first_visited_on__lte=on, then=F("first_visited_on"))))
        expression = F("_sort")
    elif kind == "cov" and arg in by_code:
        households = households.annotate(
            _sort=Subquery(
                Adoption.objects.filter(
                    household=OuterRef("pk"), service=by_code[arg], first_adopted_on__lte=on
                ).values("first_adopted_on")
            )
        )
        expression = F("_sort")
    elif kind == "pillar" and arg in {s.pillar for s in services}:
        households = households.annotate(
            _sort=Exists(
                Adoption.objects.filter(
                    household=OuterRef("pk"),
                    service__in=[s.pk for s in services if s.pillar == arg],
                    first_adopted_on__lte=on,
                )
            )
        )
        expression = F("_sort")
    elif kind == "people" and arg in by_code:
        people = (
            Assistance.objects.filter(
                visit__household=OuterRef("pk"),
                service=by_code[arg],
                visit__visited_on__lte=on,
                visit__voided_at__isnull=True,
            )
            .values("visit__household")
            .annotate(n=Sum("people_helped"))
            .values("n")
        )
        households = households.annotate(_sort=Coalesce(Subquery(people), 0))
        expression = F("_sort")
    else:
        expression = F("head_name")
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return households.order_by(ordered, "head_name", "pk")
