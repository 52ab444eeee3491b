"""Read side: coverage figures exactly as DESIGN.md "Coverage" defines them.

For hamlets H, date D:
- households = active households of H registered on or before D;
- adopted(S) = those whose first "set up now"/"already had" for S is on or before D
  (`Adoption.first_adopted_on`, monotonic);
- reached = those with a visit on or before D (`Household.first_visited_on`);
- adopted(pillar) = those that adopted at least one counted service of the pillar;
- people helped(S) = people helped for S in visits on or before D to those households.

Figures are computed per hamlet with a fixed number of grouped queries, and
a commune's or a province's are the sums of its hamlets' (`Figures.__add__`),
so the rollup is exact by construction.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.formats import number_format

from households.models import Household

from .models import Adoption, Assistance, Service


@dataclass
class Figures:
    households: int = 0
    reached: int = 0
    adopted: dict = field(default_factory=lambda: defaultdict(int))  # service id -> households
    adopted_pillar: dict = field(default_factory=lambda: defaultdict(int))  # pillar -> households
    people_helped: dict = field(default_factory=lambda: defaultdict(int))  # service id -> people

    def __add__(self, other):
        total = Figures(self.households + other.households, self.reached + other.reached)
        for mine, theirs, target in (
            (self.adopted, other.adopted, total.adopted),
            (self.adopted_pillar, other.adopted_pillar, total.adopted_pillar),
            (self.people_helped, other.people_helped, total.people_helped),
        ):
            for source in (mine, theirs):
                for key, value in source.items():
                    target[key] += value
        return total

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


def coverage_services():
    """The services that count for coverage, in catalogue order."""
    return list(Service.objects.filter(active=True, counts_for_coverage=True).order_by("order", "code"))


def _households(hamlet_ids, on, priority_only):
    households = Household.objects.filter(hamlet__in=hamlet_ids, active=True, registered_on__lte=on)
    if priority_only:
        households = households.filter(
            Q(poverty__in=[Household.Poverty.POOR, Household.Poverty.NEAR_POOR]) | Q(policy_family=True)
        )
    return households


def by_hamlet(hamlet_ids, *, on, priority_only=False, services=None):
    """Figures for each hamlet id as of the end of day `on`: {hamlet id: Figures}.

    `hamlet_ids` may be a list or a values("pk") queryset; always four queries.
    """
    services = services if services is not None else coverage_services()
    service_ids = [s.pk for s in services]
    figures = defaultdict(Figures)
    households = _households(hamlet_ids, on, priority_only)

    for row in households.values("hamlet_id").annotate(
        n=Count("id"), reached=Count("id", filter=Q(first_visited_on__lte=on))
    ):
        figures[row["hamlet_id"]].households = row["n"]
        figures[row["hamlet_id"]].reached = row["reached"]

    adoptions = Adoption.objects.filter(
        household__in=households.values("pk"), service__in=service_ids, first_adopted_on__lte=on
    )
    for row in adoptions.values("household__hamlet_id", "service_id").annotate(n=Count("id")):
        figures[row["household__hamlet_id"]].adopted[row["service_id"]] = row["n"]
    for row in adoptions.values("household__hamlet_id", "service__pillar").annotate(
        n=Count("household_id", distinct=True)
    ):
        figures[row["household__hamlet_id"]].adopted_pillar[row["service__pillar"]] = row["n"]

    helped = Assistance.objects.filter(
        visit__household__in=households.values("pk"), service__in=service_ids, visit__visited_on__lte=on
    )
    for row in helped.values("visit__household__hamlet_id", "service_id").annotate(n=Sum("people_helped")):
        figures[row["visit__household__hamlet_id"]].people_helped[row["service_id"]] = row["n"] or 0

    return dict(figures)


def total(figures):
    """The sum of several units' Figures."""
    result = Figures()
    for f in figures:
        result = result + f
    return result
