"""Django's own messages that its Vietnamese catalogue leaves in English.

Marked here so that makemessages puts them in locale/vi, where they are
translated; the msgids must match Django's exactly (django/core/validators.py,
django/forms/fields.py, django/contrib/auth/password_validation.py in 5.2).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = [
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Enter a valid UUID."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
]
