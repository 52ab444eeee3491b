"""The coverage counter tables: one row per unit, day and key (the key scheme is in teams/counters.py)."""

from django.db import models
from django.db.models import Q  # noqa: F401
from django.utils.translation import gettext_lazy as _  # noqa: F401

from households.models import Commune, Hamlet, Province  # noqa: F401


class CounterDay(models.Model):
    """A unit's cumulative coverage figures at the end of `day`, kept by `teams.counters`.

    Sparse: a row exists only on days when something changed for the unit;
    the figures as of D are those of the latest row on or before D. One row
    counts every household, another (`priority_only`) only the poor, near-poor
    and policy families. `figures` maps households "h", reached "r", adopted
    "a<service id>", people helped "p<service id>" and pillars "g<service ids>"
    (every subset of a pillar's services, so any set of counted services reads
    exactly) to counts; zeros are left out. A commune's rows are the sums of
    its hamlets', a province's the sums of its communes': a page reads as many
    rows as it shows, whatever lies under them.
    """

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"), editable=False
    )
    priority_only = models.BooleanField(_("priority households only"))
    day = models.DateField(_("day"))
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        abstract = True


class CoverageDay(CounterDay):
    hamlet = models.ForeignKey(Hamlet, on_delete=models.CASCADE, related_name="+", verbose_name=_("hamlet"))

    class Meta:
        verbose_name = _("coverage counter")
        verbose_name_plural = _("coverage counters")
        constraints = [
            # Also the index of the read: per hamlet, the latest row with day <= D (one backward probe).
            models.UniqueConstraint(fields=["hamlet", "priority_only", "day"], name="coverageday_one_per_hamlet_day"),
        ]

    def __str__(self):
        return f"{self.hamlet_id}/{'priority' if self.priority_only else 'all'} {self.day}"


class CommuneCoverageDay(CounterDay):
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", verbose_name=_("commune"))

    class Meta:
        verbose_name = _("commune coverage counter")
        verbose_name_plural = _("commune coverage counters")
        constraints = [
            # The province page's read: per commune, the latest row with day <= D.
            models.UniqueConstraint(
                fields=["commune", "priority_only", "day"], name="communecoverageday_one_per_commune_day"
            ),
        ]

    def __str__(self):
        return f"{self.commune_id}/{'priority' if self.priority_only else 'all'} {self.day}"


class ProvinceCoverageDay(CounterDay):
    """The province is its own unit here: `province` is both the key and the distribution column."""

    class Meta:
        verbose_name = _("province coverage counter")
        verbose_name_plural = _("province coverage counters")
        constraints = [
            # The province's total and its trend: the latest row with day <= D, one probe per date.
            models.UniqueConstraint(
                fields=["province", "priority_only", "day"], name="provincecoverageday_one_per_province_day"
            ),
        ]

    def __str__(self):
        return f"{self.province_id}/{'priority' if self.priority_only else 'all'} {self.day}"


class QueuedShift(models.Model):
    """A change to a unit's figures dated long ago, waiting to be added to its counter rows (`teams.counters_queue`).

    `figures` is the delta ({key: n}) from `day` on; `level` says whose rows,
    a hamlet's, a commune's or a province's. A unit's figures as of D are its
    latest counter row on or before D plus its queued deltas on or before D.
    """

    level = models.CharField(
        _("level"), max_length=1, choices=[("h", _("hamlet")), ("c", _("commune")), ("p", _("province"))]
    )
    # A hamlet's, a commune's or a province's id, as `level` says (one table for the three levels).
    unit_id = models.PositiveIntegerField(_("unit"))
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="+", verbose_name=_("province"), editable=False
    )
    priority_only = models.BooleanField(_("priority households only"))
    day = models.DateField(_("day"))
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("queued counter change")
        verbose_name_plural = _("queued counter changes")
        indexes = [
            # The readers' probe: a unit's queued deltas up to a day.
            models.Index(fields=["level", "unit_id", "priority_only", "day"], name="queuedshift_unit_day"),
        ]

    def __str__(self):
        return f"{self.level}{self.unit_id}/{'priority' if self.priority_only else 'all'} {self.day}"


class PeriodFigures(models.Model):
    """A hamlet's or a commune's visits, households visited and first adoptions within one reporting period,
    kept by `teams.period_figures` (its docstring has the keys): the monthly report reads a row per row it
    shows, a hamlet's in a commune's report, a commune's in a province's."""

    level = models.CharField(_("level"), max_length=1, choices=[("h", _("hamlet")), ("c", _("commune"))])
    # A hamlet's or a commune's id, as `level` says: no foreign key, as the counters of two levels share the table.
    unit_id = models.PositiveIntegerField(_("unit"))
    convention = models.CharField(_("reporting periods"), max_length=20)
    period_key = models.CharField(_("period"), max_length=7)
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("period figures")
        verbose_name_plural = _("period figures")
        constraints = [
            # The report's read: per unit, one probe for the period.
            models.UniqueConstraint(
                fields=["level", "unit_id", "convention", "period_key"], name="periodfigures_one_per_unit_period"
            ),
        ]

    def __str__(self):
        return f"{self.level}{self.unit_id} {self.convention} {self.period_key}"


# A user's own settings live in their module; imported here so that Django registers the model.
from .preferences import Preference  # noqa: E402, F401
