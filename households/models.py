"""Administrative divisions and the households that teams serve.

Every large table carries its province from the start, so that a distributed
PostgreSQL (Citus) can use it as distribution key and every dashboard query
can filter on it (DESIGN.md, "Beyond one machine").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .search import household_search_key


class Province(models.Model):
    code = models.CharField(_("GSO code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    division_type = models.CharField(_("division type"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "xa", _("commune (xã)")
        WARD = "phuong", _("ward (phường)")
        SPECIAL_ZONE = "dac_khu", _("special zone (đặc khu)")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("province")
    )
    code = models.CharField(_("GSO code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.COMMUNE)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["province__code", "name"]

    def __str__(self):
        return self.name


class Hamlet(models.Model):
    """Ấp, khóm, khu vực, thôn, tổ dân phố: not in GSO lists, entered per commune."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"), editable=False
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="hamlets", verbose_name=_("commune"))
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, help_text=_("Unique within its commune."))

    # Audit trail: renames, recodes and moves to another commune (`divisions.hamlets_move`: from, to, who, when).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hamlet")
        verbose_name_plural = _("hamlets")
        ordering = ["commune__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="hamlet_code_unique_in_commune"),
        ]

    def __str__(self):
        return f"{self.name}, {self.commune.name}"

    def clean(self):
        # The province is the commune's, kept on the row for distribution: set here for the admin's forms;
        # code that creates or moves hamlets sets it itself (hamlets_store, hamlets_move, the seeders).
        if self.commune_id is not None:
            self.province_id = self.commune.province_id


class Household(models.Model):
    class Poverty(models.TextChoices):
        NONE = "none", _("not poor")
        NEAR_POOR = "near_poor", _("near-poor")
        POOR = "poor", _("poor")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"), editable=False
    )
    hamlet = models.ForeignKey(Hamlet, on_delete=models.PROTECT, related_name="households", verbose_name=_("hamlet"))
    head_name = models.CharField(_("head of household"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    # The commune's own household code (its lists carry one): what a re-import matches on first.
    code = models.CharField(
        _("household code"), max_length=30, blank=True, help_text=_("The commune's own code, when its lists have one.")
    )
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    people_count = models.PositiveSmallIntegerField(_("people in household"), default=1)
    poverty = models.CharField(_("poverty status"), max_length=10, choices=Poverty.choices, default=Poverty.NONE)
    policy_family = models.BooleanField(_("policy family"), default=False)
    consent_given = models.BooleanField(
        _("consent given"),
        default=False,
        help_text=_("The household agreed that its data is recorded for this programme."),
    )
    registered_on = models.DateField(_("registered on"), default=timezone.localdate)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Households that move away are deactivated, never deleted.")
    )
    deactivated_on = models.DateField(_("deactivated on"), null=True, blank=True)
    # Derived from the visits (teams.visits), for reach(U, D).
    first_visited_on = models.DateField(_("first visited on"), null=True, blank=True, editable=False)
    last_visited_on = models.DateField(_("last visited on"), null=True, blank=True, editable=False)
    search_key = models.TextField(editable=False, default="")
    # Made by the phone that registered the household offline: a resend stores it once (teams.sync).
    uuid = models.UUIDField(_("client id"), null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Audit trail: who changed what and when (derived fields are left out).
    history = HistoricalRecords(excluded_fields=["search_key", "first_visited_on", "last_visited_on", "updated_at"])

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["hamlet_id", "head_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(people_count__gte=1), name="household_people_count_positive"),
            # Personal data: no phone number without the household's consent.
            models.CheckConstraint(condition=Q(phone="") | Q(consent_given=True), name="household_phone_needs_consent"),
            # Imports match on the code (households.imports): one household per code in its hamlet.
            models.UniqueConstraint(
                fields=["hamlet", "code"], condition=~Q(code=""), name="household_code_unique_in_hamlet"
            ),
        ]
        indexes = [
            # Coverage: households(U, D) counts active households per hamlet up to a date.
            models.Index(fields=["hamlet", "active", "registered_on"], name="household_hamlet_active"),
            # Province rollups filter on the distribution key first.
            models.Index(fields=["province", "hamlet"], name="household_province_hamlet"),
        ]

    def __str__(self):
        return f"{self.head_name} — {self.address}"

    def keys_derive(self):
        """Set the keys that are functions of the row: its hamlet's province and the search key.

        The write functions of `households.registry` call it; code that
        bulk-creates rows calls it too (or sets both keys itself).
        """
        self.province_id = self.hamlet.province_id
        self.search_key = household_search_key(head_name=self.head_name, address=self.address, phone=self.phone)

    # The priority rule, in one place: poor, near-poor or a policy family. Coverage counts these
    # households twice, in every row and in the "priority only" row (teams.counters).
    PRIORITY_POVERTY = (Poverty.POOR, Poverty.NEAR_POOR)

    @classmethod
    def priority_of(cls, *, poverty, policy_family):
        """The rule on plain values, for rows read as tuples."""
        return poverty in cls.PRIORITY_POVERTY or bool(policy_family)

    @property
    def is_priority(self):
        return self.priority_of(poverty=self.poverty, policy_family=self.policy_family)

    @classmethod
    def priority_q(cls, prefix=""):
        """The rule as a filter, for rows that reach the household through `prefix`."""
        return Q(**{f"{prefix}poverty__in": cls.PRIORITY_POVERTY}) | Q(**{f"{prefix}policy_family": True})

    @property
    def masked_phone(self):
        """0912 345 678 → 0912•••678: enough to recognise, not to copy; short numbers keep only 3 digits."""
        if not self.phone:
            return ""
        if len(self.phone) < 10:
            return "•" * (len(self.phone) - 3) + self.phone[-3:]
        return self.phone[:4] + "•" * (len(self.phone) - 7) + self.phone[-3:]


class ImportRecord(models.Model):
    """An uploaded list (households or hamlets): its file until it is confirmed, then the audit entry.

    The file is kept in the database, not on one app server's disk, so that
    the preview and the confirmation may reach different servers; its bytes
    are dropped once confirmed, and the counts stay (who, when, file, counts).
    """

    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", _("households")
        HAMLETS = "hamlets", _("hamlets")

    token = models.UUIDField(_("token"), unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("imported by"),
        help_text=_("Empty for a file imported on the server (manage.py import_hamlets)."),
    )
    # The commune the rows go to; empty for an administrator's hamlet list that spans communes.
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    file_name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("file content"), editable=False, default=bytes)
    # {header as in the file: our column key}, remembered for the user's next file with those headers.
    column_map = models.JSONField(_("column mapping"), default=dict, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)  # outcome: rows

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-uploaded_at"]
        indexes = [
            # The mapping remembered: the user's latest imports of a kind.
            models.Index(fields=["user", "kind", "-uploaded_at"], name="import_user_kind_latest"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_kind_display()}, {self.uploaded_at:%d/%m/%Y %H:%M})"
