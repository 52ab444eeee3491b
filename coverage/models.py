"""Coverage targets: what a province or a commune aims at, per service, by a deadline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Commune, Province
from teams.models import Service


class Target(models.Model):
    """A coverage target for one service in a province or a commune: `percent` by `deadline`.

    A province-wide target has no commune; a commune's own target overrides
    its province's for that service (see coverage.targets).
    """

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
        help_text=_("Empty for a province-wide target."),
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", verbose_name=_("service"))
    percent = models.DecimalField(_("target (%)"), max_digits=4, decimal_places=1)
    starts_on = models.DateField(
        _("counted from"), default=timezone.localdate, help_text=_("Progress is expected evenly from this day.")
    )
    deadline = models.DateField(_("deadline"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The tables keep the names they had when targets lived in teams/: the move copied no data.
    history = HistoricalRecords(excluded_fields=["updated_at"], table_name="teams_historicaltarget")

    class Meta:
        db_table = "teams_target"
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["province_id", "commune_id", "service__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "service"],
                condition=Q(commune__isnull=True),
                name="target_one_per_province_service",
            ),
            models.UniqueConstraint(
                fields=["commune", "service"],
                condition=Q(commune__isnull=False),
                name="target_one_per_commune_service",
            ),
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lte=100), name="target_percent_in_range"),
            models.CheckConstraint(condition=Q(deadline__gt=models.F("starts_on")), name="target_deadline_after_start"),
        ]

    def __str__(self):
        return f"{self.service}: {self.percent}% — {self.commune or self.province}"

    @property
    def unit(self):
        return self.commune or self.province


class ReportingConvention(models.Model):
    """How a province closes its reporting periods (coverage.periods); a province without one uses Decree 09/2019."""

    class Convention(models.TextChoices):
        DECREE_09 = "decree_09_2019", _("15th to 14th (Decree 09/2019/NĐ-CP, administrative reports)")
        CALENDAR = "calendar", _("Calendar months (Decree 60/2018/NĐ-CP, statistical reports)")

    province = models.OneToOneField(
        Province, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("province")
    )
    convention = models.CharField(
        _("reporting periods"), max_length=20, choices=Convention.choices, default=Convention.DECREE_09
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reporting convention")
        verbose_name_plural = _("reporting conventions")

    def __str__(self):
        return f"{self.province}: {self.get_convention_display()}"


class SubmittedReport(models.Model):
    """A commune's report for one period as it stood when submitted: never changed, a resubmission adds a version.

    `figures` is the report's data (coverage.reports.report_data) as JSON: the
    counts of every row, the services and their names, targets and idle teams
    as they stood, so that later visits, corrections, renamed services or moved
    hamlets leave it as it was sent.
    """

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune"))
    convention = models.CharField(_("reporting periods"), max_length=20, choices=ReportingConvention.Convention)
    period_key = models.CharField(_("period"), max_length=7)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    version = models.PositiveSmallIntegerField(_("version"))
    figures = models.JSONField(_("figures"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("submitted by")
    )
    # Kept as text too: the report says who sent it even after the account is gone.
    submitted_by_name = models.CharField(_("submitted by"), max_length=150)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("submitted report")
        verbose_name_plural = _("submitted reports")
        ordering = ["commune_id", "period_key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "convention", "period_key", "version"], name="submitted_report_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="submitted_report_version_positive"),
        ]
        indexes = [
            # The province's submissions page: every commune's reports of one period.
            models.Index(fields=["province", "convention", "period_key"], name="submitted_report_province"),
        ]

    def __str__(self):
        return f"{self.commune} · {self.period_key} · v{self.version}"
