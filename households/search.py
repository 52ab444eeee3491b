"""Accent- and case-insensitive search keys, the same on SQLite and PostgreSQL.

Field members type without accents: "nguyen van an" must find "Nguyễn Văn An"
and "d" must match "đ". The key is computed in Python and stored, so that the
database only does a plain substring match on it.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text):
    """Lower-case, strip Vietnamese diacritics (đ → d), collapse spaces."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.lower()).strip()


def digits(text):
    return "".join(c for c in text or "" if c.isdigit())


def household_search_key(*, head_name, address, phone):
    parts = [normalize(head_name), normalize(address)]
    if phone:
        parts.append(digits(phone))
    return " | ".join(parts)
