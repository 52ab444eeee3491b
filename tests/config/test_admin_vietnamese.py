"""Every message of the admin, auth, django-axes and django-simple-history reads in Vietnamese.

Their own Vietnamese catalogues leave some in English ("Show counts", "Please correct the error below", the
lockout pages, the history pages); config/django_vi.py marks those for our catalogue, locale/vi translates them.
The msgids are read from each package's French catalogue (a complete one).
"""

from pathlib import Path

import axes
import django.contrib.admin
import django.contrib.auth
import polib
import pytest
import simple_history
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

# Text that is the same in both languages.
SAME = {"%(class_name)s %(instance)s", "HTTP Accept"}


@pytest.mark.parametrize("package", [django.contrib.admin, django.contrib.auth, axes, simple_history])
def test_every_message_of_the_package_is_vietnamese(package):
    po = polib.pofile(str(Path(package.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    untranslated = []
    with translation.override("vi"):
        for entry in po:
            if entry.obsolete or entry.msgid in SAME:
                continue
            if entry.msgid_plural:
                text = ngettext(entry.msgid, entry.msgid_plural, 1)
            elif entry.msgctxt:
                text = pgettext(entry.msgctxt, entry.msgid)
            else:
                text = gettext(entry.msgid)
            if text == entry.msgid:
                untranslated.append(entry.msgid)
    assert untranslated == []
