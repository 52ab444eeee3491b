"""Password changes under django-axes' lockout, on the site and in the admin."""

from django import forms
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.utils.translation import gettext_lazy as _


class LockoutMixin:
    """The current password is checked through authenticate(), so django-axes counts and locks as at login."""

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data.get("old_password")
        checked = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if getattr(self.request, "axes_locked_out", False):
            raise forms.ValidationError(
                _("Too many wrong passwords: this account is locked for a while. Try again later."), code="locked"
            )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class LockoutPasswordChangeForm(LockoutMixin, PasswordChangeForm):
    pass


class AdminLockoutPasswordChangeForm(LockoutMixin, AdminPasswordChangeForm):
    pass


class LockoutPasswordChangeView(PasswordChangeView):
    form_class = LockoutPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def admin_password_change(request):
    """The admin's own password page (AdminSite.password_change hard-codes its form), with the lockout form."""
    from django.contrib import admin
    from django.urls import reverse

    request.current_app = admin.site.name
    return LockoutPasswordChangeView.as_view(
        form_class=AdminLockoutPasswordChangeForm,
        success_url=reverse("admin:password_change_done"),
        extra_context=admin.site.each_context(request),
    )(request)
