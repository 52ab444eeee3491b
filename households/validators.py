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
