from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .accounts import LockoutPasswordChangeView, admin_password_change
from .forms import LoginForm
from .language import language_set

urlpatterns = [
    # Before admin.site.urls, which would answer it with a form django-axes never sees.
    path("admin/password_change/", admin.site.admin_view(admin_password_change)),
    path("admin/", admin.site.urls),
    # The language switcher keeps the choice on the account (before Django's own view of that name).
    path("i18n/setlang/", language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", LockoutPasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("teams.urls")),
    path("households/", include("households.urls")),
    path("", include("coverage.urls")),
]
