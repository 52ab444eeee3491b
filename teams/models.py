"""Teams, their members, the help catalogue, and the visits that record help.

`Adoption` is the current state per household and service. It is derived
from the visits by `teams.visits` in the same transaction as the visit that
changes it, and `manage.py rebuild_adoptions` recomputes it from scratch.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Manager, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Commune, Hamlet, Household, Province


class Team(models.Model):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"), editable=False
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="teams", verbose_name=_("commune"))
    hamlets = models.ManyToManyField(Hamlet, related_name="teams", verbose_name=_("hamlets served"))
    name = models.CharField(_("name"), max_length=150)
    founded_on = models.DateField(_("founded on"), default=timezone.localdate)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["commune__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="team_name_unique_in_commune"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # The province is the commune's, kept on the row for distribution: set here for the admin's forms;
        # code that creates or moves teams sets it itself (the seeders, households.divisions.hamlets_move).
        if self.commune_id is not None:
            self.province_id = self.commune.province_id


class Member(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        LEADER = "leader", _("leader")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members", verbose_name=_("team"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("login"),
    )
    full_name = models.CharField(_("full name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    organisation = models.CharField(
        _("organisation"), max_length=100, blank=True, help_text=_("For example Youth Union, Women's Union.")
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["team_id", "-role", "full_name"]
        indexes = [
            # Roster pages list a team's active members.
            models.Index(fields=["team", "active"], name="member_team_active"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def is_leader(self):
        return self.role == self.Role.LEADER


class Official(models.Model):
    """A commune or province official: sees the figures of one unit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official", verbose_name=_("login")
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
        help_text=_("Empty for a province official."),
    )
    position = models.CharField(_("position"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.commune or self.province})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.commune_id and self.province_id and self.commune.province_id != self.province_id:
            raise ValidationError({"commune": _("This commune is not in the chosen province.")})


class Service(models.Model):
    class Pillar(models.TextChoices):
        GOVERNMENT = "government", _("digital government")
        ECONOMY = "economy", _("digital economy")
        SOCIETY = "society", _("digital society")

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Stable; used in exports and the API."))
    name = models.CharField(_("name (Vietnamese)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    pillar = models.CharField(_("pillar"), max_length=12, choices=Pillar.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The catalogue over time (DESIGN.md "Figures over time"): a service is in effect from `offered_from`
    # (empty: since records began) to the eve of `retired_on`. For a date D the coverage figures use the
    # services in effect on D; `active` (offered for new outcomes) follows `retired_on` (`save`).
    offered_from = models.DateField(
        _("offered from"),
        null=True,
        blank=True,
        help_text=_("Empty: offered since records began. Before this date its coverage shows “—”."),
    )
    retired_on = models.DateField(
        _("retired on"),
        null=True,
        blank=True,
        help_text=_("From this date no new outcome is recorded for it; earlier figures keep it."),
    )
    active = models.BooleanField(_("offered now"), default=True, editable=False)
    counts_for_coverage = models.BooleanField(_("counts for coverage"), default=True)
    # A service added in the admin, or moved to another pillar, lacks the pillar counts of the households
    # that adopted its pillar's other services (teams.counters): the coverage pages leave it out until
    # `manage.py rebuild_counters` has counted it, rather than show a wrong figure.
    counters_pending = models.BooleanField(
        _("awaiting the counters' rebuild"),
        default=False,
        editable=False,
        help_text=_("Left out of the coverage figures until manage.py rebuild_counters has run."),
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["order", "code"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        # Retiring is a date: code that only clears `active` retires the service today.
        if not self.active and self.retired_on is None:
            self.retired_on = timezone.localdate()
        self.active = self.retired_on is None
        if (fields := kwargs.get("update_fields")) is not None and {"active", "retired_on"} & set(fields):
            kwargs["update_fields"] = {*fields, "active", "retired_on"}
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.retired_on and self.retired_on > timezone.localdate():
            raise ValidationError({"retired_on": _("The retirement date cannot be in the future.")})
        if self.offered_from and self.retired_on and self.retired_on <= self.offered_from:
            raise ValidationError({"retired_on": _("A service is retired after the date it was offered from.")})

    @staticmethod
    def in_effect_q(on):
        """The services in effect on day `on`: offered by then and not yet retired."""
        return (Q(offered_from__isnull=True) | Q(offered_from__lte=on)) & (
            Q(retired_on__isnull=True) | Q(retired_on__gt=on)
        )

    def in_effect_on(self, on):
        return (self.offered_from is None or self.offered_from <= on) and (
            self.retired_on is None or self.retired_on > on
        )

    @property
    def display_name(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Outcome(models.TextChoices):
    SET_UP = "set_up", _("set up now")
    ALREADY_HAD = "already_had", _("already had")
    DECLINED = "declined", _("declined")
    FOLLOW_UP = "follow_up", _("needs follow-up")


ADOPTED_OUTCOMES = (Outcome.SET_UP, Outcome.ALREADY_HAD)


class CountedVisits(models.Manager):
    """`Visit.objects`: the visits that count, voided ones left out of every figure (`Visit.all_objects` has all)."""

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


class Visit(models.Model):
    """One call at one household on one day. The id is made by the client. A voided visit stays, out of the figures."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"), editable=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("household")
    )
    # The household's hamlet now, kept like `province` (`teams.counters.hamlet_keys_follow`): the period figures'
    # rebuild and the admin's commune filter read visits by hamlet from an index, not through a million households.
    hamlet = models.ForeignKey(
        Hamlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("hamlet"), editable=False
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="visits", verbose_name=_("member"))
    visited_on = models.DateField(_("visited on"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Voided (DESIGN.md "Corrections"): kept with its help and audit trail, out of every figure. The reason's
    # database default lets the scale seeder's COPY leave the three columns out.
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("voided by"), editable=False,
    )  # fmt: skip
    void_reason = models.CharField(_("reason for voiding"), max_length=500, blank=True, default="", db_default="")

    history = HistoricalRecords(excluded_fields=["updated_at"])
    # The first manager is the default one, related managers' (`household.visits`) included.
    objects = CountedVisits()
    all_objects = Manager()  # noqa: DJ012 (ruff takes only `objects` for a manager)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-recorded_at"]
        indexes = [
            # Household page: the visit history; state recompute reads it in date order.
            models.Index(fields=["household", "visited_on"], name="visit_household_date"),
            # "My work" and team activity: a member's visits in a period. The commune page counts
            # distinct households over a month of its members' visits: on PostgreSQL the index
            # alone answers it (an index-only scan), without fetching thousands of visit rows.
            # `voided_at` is included so that the filter on it (`Visit.objects`) keeps those scans index-only.
            models.Index(
                fields=["member", "visited_on"],
                include=["household", "province", "voided_at"],
                name="visit_member_date",
            ),
            # Dashboards filter on the distribution key and a period; the admin's list reads a page in its
            # order (-visited_on, -recorded_at, -id) by a backward scan, stopping after the page (issue 17).
            models.Index(
                fields=["province", "visited_on", "recorded_at", "id"],
                include=["voided_at"],
                name="visit_province_date_order",
            ),
            # The period figures' rebuild (teams.period_figures): a commune's counted visits per hamlet, index alone.
            models.Index(
                fields=["hamlet", "visited_on"],
                include=["household"],
                condition=Q(voided_at__isnull=True),
                name="visit_hamlet_counted",
            ),
        ]

    def __str__(self):
        # Not the head's name: this text is stored (the admin's log) and must not outlive an erasure.
        return _("Visit to household #%(household)s on %(date)s") % {
            "household": self.household_id,
            "date": f"{self.visited_on:%d/%m/%Y}",
        }


class Assistance(models.Model):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"), editable=False
    )
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="assistances", verbose_name=_("visit"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    people_helped = models.PositiveSmallIntegerField(_("people helped"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        constraints = [
            models.UniqueConstraint(fields=["visit", "service"], name="assistance_one_per_service_per_visit"),
            models.CheckConstraint(condition=Q(people_helped__gte=0), name="assistance_people_helped_not_negative"),
            # People helped count "set up now" only (DESIGN.md "Figures over time"): at least one person then,
            # none for the other outcomes. The upper bound, the household's people, is `clean`'s and the services'.
            models.CheckConstraint(
                condition=Q(outcome="set_up", people_helped__gte=1) | (~Q(outcome="set_up") & Q(people_helped=0)),
                name="assistance_people_helped_set_up_only",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=[o.value for o in Outcome]), name="assistance_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.service} — {self.get_outcome_display()}"

    def clean(self):
        """The people-helped rule for forms that edit rows (the admin's): see `teams.visits.people_helped_problem`."""
        from django.core.exceptions import ValidationError

        from .visits import people_helped_problem

        if self.outcome != Outcome.SET_UP:
            self.people_helped = 0
        elif (
            (visit := getattr(self, "visit", None)) is not None
            and visit.household_id
            and self.people_helped is not None
        ):
            problem = people_helped_problem(
                outcome=self.outcome, people_helped=self.people_helped, household=visit.household
            )
            if problem:
                raise ValidationError({"people_helped": problem})


class Adoption(models.Model):
    """Current state of one service at one household, derived from its visits."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"), editable=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("household")
    )
    # The household's hamlet now, as on its visits: the period figures count first adoptions per hamlet.
    hamlet = models.ForeignKey(
        Hamlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("hamlet"), editable=False, db_index=False
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", verbose_name=_("service"))
    # The visited-on date of the first "set up now" or "already had"; never undone by a later "declined".
    first_adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=12, choices=Outcome.choices)
    last_visited_on = models.DateField(_("last visited on"))
    # People set up with it ("set up now") over the counted visits: a hamlet's export reads it, not its visits' help.
    people_helped = models.PositiveIntegerField(_("people helped"), default=0, editable=False)

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            models.UniqueConstraint(fields=["household", "service"], name="adoption_one_per_household_service"),
        ]
        indexes = [
            # Coverage: adopted(U, S, D) counts first_adopted_on <= D per service.
            models.Index(fields=["service", "first_adopted_on"], name="adoption_service_date"),
            # Field list filter "needs follow-up" / "lacks service X".
            models.Index(fields=["service", "last_outcome"], name="adoption_service_outcome"),
            # The period figures' rebuild: a commune's first adoptions per hamlet and service.
            models.Index(fields=["hamlet", "first_adopted_on"], include=["service"], name="adoption_hamlet_date"),
        ]

    def __str__(self):
        return f"{self.household_id}/{self.service_id}: {self.last_outcome}"


# The counter tables (and PeriodFigures) live in their own module; imported so that Django finds them in teams.
from .access_log import AccessLog  # noqa: E402,F401  (the log of who read personal data, likewise)
from .counter_models import CommuneCoverageDay, CounterDay, CoverageDay, ProvinceCoverageDay  # noqa: E402,F401
