"""A user's own settings, kept on their account: for now the language of the app (Vietnamese by default).

Defined here and registered through `teams.models`; read on every request by
`config.language.UserLanguageMiddleware`, written by `language_choose`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference", verbose_name=_("login")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="vi")

    class Meta:
        app_label = "teams"
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return f"{self.user_id}: {self.language}"


def language_choose(*, user, language):
    """Keep `language` (one of settings.LANGUAGES) on the user's account; returns it."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language: {language}")
    Preference.objects.update_or_create(user=user, defaults={"language": language})
    return language


def language_of(user):
    """The language kept on the account, or None when the user has chosen none."""
    return Preference.objects.filter(user=user).values_list("language", flat=True).first()
