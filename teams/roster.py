"""Write side of a team's roster: its leader adds, edits and deactivates members.

A deactivated member keeps their visits; their login, if any, sees nothing
until they are active again (teams.access only scopes active members).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Member

ROSTER_FIELDS = ("full_name", "phone", "role", "organisation")


def member_create(*, team, full_name, phone="", role=Member.Role.MEMBER, organisation=""):
    with transaction.atomic():
        return Member.objects.create(
            team=team, full_name=full_name, phone=phone, role=role, organisation=organisation, active=True
        )


def member_update(*, member, **fields):
    unknown = set(fields) - set(ROSTER_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(member, name, value)
        member.save(update_fields=list(fields))
    return member


def member_deactivate(*, member, by):
    """Take a member off the active roster; a leader cannot take themselves off."""
    if member.pk == by.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    with transaction.atomic():
        member.active = False
        member.save(update_fields=["active"])
    return member


def member_reactivate(*, member):
    with transaction.atomic():
        member.active = True
        member.save(update_fields=["active"])
    return member


def member_login_create(*, member, username, password):
    """Give a member a login of their own; one login per member."""
    if member.user_id is not None:
        raise ValidationError(_("This member already has a login."))
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=password, first_name=member.full_name)
        member.user = user
        member.save(update_fields=["user"])
    return user
