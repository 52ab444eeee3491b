import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def reject_control_characters(text):
    """Names and addresses are one line of visible text.

    Control characters hide text from whoever reads it and break exports
    (Excel refuses them); tabs are the one kind a paste brings innocently.
    """
    if any(unicodedata.category(c) == "Cc" and c != "\t" for c in text or ""):
        raise ValidationError(_("Remove the invisible control characters from this text."))


_PHONE = re.compile(r"^0\d{9,10}$")


def vietnamese_phone(value):
    """A Vietnamese phone number as 10 or 11 digits starting with 0; '' when empty.

    Accepts spaces, dots, dashes, brackets and a +84 / 84 prefix; anything else is an error.
    """
    phone = value.strip()
    if not phone:
        return ""
    number = "".join(c for c in phone if c.isdigit())
    if phone.startswith("+84") or (number.startswith("84") and len(number) == 11):
        number = "0" + number[2:]
    if not _PHONE.match(number) or re.search(r"[^\d\s.\-+()]", phone):
        raise ValidationError(_("Enter a phone number of 10 or 11 digits starting with 0, e.g. 0912345678."))
    return number
