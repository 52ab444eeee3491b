"""The access log: who looked at or took away personal data. A model of the teams app, in a module of its own."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Household, Province


class AccessLog(models.Model):
    """Who looked at or took away personal data: household pages, exports, erasures."""

    class Action(models.TextChoices):
        VIEW_HOUSEHOLD = "view_household", _("viewed a household")
        EXPORT = "export", _("exported a table")
        HOUSEHOLD_DATA = "household_data", _("exported a household's data")
        ANONYMISE = "anonymise", _("anonymised a household")

    at = models.DateTimeField(_("at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("user")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("province")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("household")
    )
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        indexes = [
            # The province administrator's log: newest first within the province.
            models.Index(fields=["province", "-at"], name="accesslog_province_at"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.get_action_display()} {self.unit}"
