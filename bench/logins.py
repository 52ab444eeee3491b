"""The benchmark's logins beyond the seed's own: a team leader among bench_member_*, a province administrator,
a superuser."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from bench.scale import DEFAULT_PASSWORD
from teams.models import Member, Official

ADMIN_APPS = ("households", "teams", "coverage")


def leader_login():
    """The user name of a bench member who leads a team (roster, household data pages)."""
    member = (
        Member.objects.filter(user__username__startswith="bench_member_", role=Member.Role.LEADER, active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return member.user.username


def province_admin_ensure(province, username, password=DEFAULT_PASSWORD):
    """A province official with staff status and the model permissions of Gõ Cửa's apps: the admin's user."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_password(password)
        user.save()
        Official.objects.update_or_create(user=user, defaults={"province": province, "commune": None})
    # Gõ Cửa's models, and the logins of the province (auth.User).
    user.user_permissions.set(
        Permission.objects.filter(Q(content_type__app_label__in=ADMIN_APPS) | Q(content_type__model="user"))
    )
    return user


def superuser_ensure(username, password=DEFAULT_PASSWORD):
    """A superuser: the one login the coverage index lists every province to (officials are sent on to their unit)."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_password(password)
        user.save()
    return user
