"""User names: ASCII letters, digits and ``._-``, compared without regard to case.

"аdmin" with a Cyrillic "а" would pass for "admin", and a name with accents
cannot be typed on every phone keyboard.
"""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from households.search import normalize

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9._-]+")


def canonical_username(username):
    """The stored spelling of a user name typed in any case; the typed one if none or several match."""
    if not username:
        return username
    stored = list(
        get_user_model()._default_manager.filter(username__iexact=username).values_list("username", flat=True)[:2]
    )
    return stored[0] if len(stored) == 1 else username


def axes_username(request, credentials):
    """django-axes counts failures per stored user name, so "ToVien" and "tovien" share one counter."""
    username = (credentials or {}).get("username")
    if username is None:
        username = getattr(request, "data", request.POST).get("username") if request else None
    return canonical_username(username)


class CaseInsensitiveBackend(ModelBackend):
    """Django's backend, finding the user whatever the case of the typed name."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        return super().authenticate(request, username=canonical_username(username), password=password, **kwargs)


def suggested_username(full_name):
    """The accent-free form of a Vietnamese name: "Võ Thu" → "vothu"."""
    return "".join(c for c in normalize(full_name) if USERNAME_PATTERN.fullmatch(c))


def clean_new_username(username, *, instance=None):
    if not USERNAME_PATTERN.fullmatch(username or ""):
        raise forms.ValidationError(
            _("A user name may contain only letters without accents, digits and . _ -"), code="invalid"
        )
    taken = get_user_model()._default_manager.filter(username__iexact=username)
    if instance is not None and instance.pk:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise forms.ValidationError(_("This user name is already taken."), code="unique")
    return username


class UsernameRulesMixin:
    """The user name rules above, on any of Django's user forms."""

    def clean_username(self):
        return clean_new_username(self.cleaned_data.get("username"), instance=self.instance)


class LoginCreationForm(UsernameRulesMixin, UserCreationForm):
    """A leader creates a member's login."""


class AdminLoginCreationForm(UsernameRulesMixin, AdminUserCreationForm):
    """The admin's "add user" form (it also asks whether password login is enabled)."""


class LoginChangeForm(UsernameRulesMixin, UserChangeForm):
    """The admin's user page."""
