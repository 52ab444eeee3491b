"""Hostile input for tests/security/test_fuzz.py: strategies, a checksum of the tables that matter, checks.

Every strategy yields strings, because that is all a browser (or an attacker with curl) can send.
"""

import hashlib
import html
import re
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from coverage.models import Target
from households.models import Household
from teams.models import Adoption, Assistance, Member, Official, Visit

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MB = 1024 * 1024

# --- payloads -----------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
]
SQL = [
    "' OR 1=1 --",
    "1; DROP TABLE households_household",
    '" OR ""="',
    "'; UPDATE auth_user SET is_superuser=1; --",
    "1 UNION SELECT username, password FROM auth_user",
    "%",
    "_",
    "\\",
]
NUMBERS = ["-1", "0", "-0", "9223372036854775808", str(2**63), str(10**30), "1e308", "-1e308", "NaN", "nan", "inf",
           "-Infinity", "1.5", "0x10", "1_000", " 1 ", "١٢", "１２", "+5", "", " "]  # fmt: skip
DATES = ["31/02/2026", "0000-00-00", "9999-99-99", "2026-13-01", "2026-02-30", "2026-00-10", "-2026-01-01",
         "99999-01-01", "10000-01-01", "0001-01-01", "9999-12-31", "1900-01-01", "2026-1-1", "tomorrow", "",
         "2026-02-29", "29/02/2025", "1970-01-01T00:00:00Z", "2026-01-01'; --"]  # fmt: skip
IDS = ["0", "-1", str(10**12), str(2**63), str(10**30), "abc", "1.0", "1e3", "", " 1", "null", "None", "[]", "{}"]
CONTROL = ["\x00", "a\x00b", "\u202e", "\u200f", "\u200b", "\ufeff", "\x01", "\x1b[31m", "\r\n", "\t", "\x7f",
           "\ud7ff", "\ue000", "\U0010ffff", "\U0001f600", "\u0301", "e\u0301", "\ufffd"]  # fmt: skip
RTL = ["\u202eevil\u202c", "\u200fمحمد", "שלום", "\u061c", "\u2067x\u2069"]


def _plane_char(plane):
    """One code point of a Unicode plane, never a surrogate (UTF-8 cannot carry those)."""
    low, high = plane * 0x10000, plane * 0x10000 + 0xFFFF
    return st.integers(low, high).filter(lambda c: not 0xD800 <= c <= 0xDFFF).map(chr)


any_plane_char = st.integers(0, 16).flatmap(_plane_char)
unicode_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(any_plane_char, min_size=1, max_size=20),
)
LONG_MIN = 10_001
long_text = st.builds(
    lambda c, n: c * n, st.sampled_from(["a", "Ư", "<", "\U0001f600", "'", "0"]), st.integers(LONG_MIN, 2 * LONG_MIN)
)
xss_text = st.builds(lambda a, p, b: a + p + b, st.text(max_size=4), st.sampled_from(XSS), st.text(max_size=4))
embedded_nul = st.builds(lambda a, b: a + "\x00" + b, st.text(max_size=8), st.text(max_size=8))

nasty_text = st.one_of(
    unicode_text,
    long_text,
    xss_text,
    st.sampled_from(SQL + CONTROL + RTL + NUMBERS + DATES + IDS),
    embedded_nul,
)
nasty_number = st.one_of(st.sampled_from(NUMBERS + IDS), st.integers().map(str), unicode_text, long_text)
nasty_date = st.one_of(
    st.sampled_from(DATES),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    unicode_text,
)
nasty_id = st.one_of(st.sampled_from(IDS), st.integers().map(str), nasty_text)
nasty_bool = st.sampled_from(["on", "off", "true", "false", "1", "0", "", "\x00", "<script>alert(1)</script>"])


def nasty_choice(known):
    """Mostly not one of `known` (unknown services, outcomes, hamlets...), sometimes one of them."""
    return st.one_of(nasty_text, nasty_id, st.sampled_from(list(known)))


# --- the state the app must not change on bad input -------------------------------------------

WATCHED = {
    "Household": Household.objects.all(),
    "Visit": Visit.all_objects.all(),  # a voided visit is a changed row
    "Assistance": Assistance.objects.all(),
    "Adoption": Adoption.objects.all(),
    "Member": Member.objects.all(),
    "Target": Target.objects.all(),
    "Official": Official.objects.all(),
    # last_login moves at every login; it is not data the forms may change.
    "User": get_user_model().objects.defer("last_login"),
}


def snapshot():
    """{model: (row count, sha256 of every row's values)} for the tables the forms write to."""
    result = {}
    for name, queryset in WATCHED.items():
        fields = [f.attname for f in queryset.model._meta.concrete_fields if f.attname != "last_login"]
        rows = list(queryset.order_by("pk").values_list(*fields))
        result[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is always undone, so examples do not see each other's rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- checks on a response -----------------------------------------------------------------------

_ERROR_BLOCK = re.compile(
    r'<(div|span|ul|p|strong)[^>]*class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</\1>',
    re.S,
)
_TAG = re.compile(r"<[^>]+>")
_ITEM = re.compile(r"<(?:li|div|p|br|strong)\b[^>]*>")
# Letters only Vietnamese has among the languages the app speaks: an error in English has none.
_VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýõãĩũ]")


def error_messages(response):
    """The error texts a form page shows (field errors and non-field errors), tags removed."""
    body = response.content.decode()
    texts = []
    for block in _ERROR_BLOCK.finditer(body):
        # One message per list item or line: an English one must not hide behind a Vietnamese one.
        texts += [html.unescape(_TAG.sub(" ", t)) for t in _ITEM.split(block.group(2))]
    return [" ".join(t.split()) for t in texts if t.strip()]


def assert_vietnamese_errors(response):
    messages = error_messages(response)
    assert messages, "an invalid form came back without an error message"
    english = [m for m in messages if not _VIETNAMESE.search(m)]
    assert not english, f"error messages not in Vietnamese: {english}"


def _opening_tags(payload):
    return re.findall(r"<[a-zA-Z][^<>]*>", payload)


XSS_TAGS = sorted({tag for payload in XSS for tag in _opening_tags(payload)})


def assert_escaped(response, *values):
    """No tag of the XSS payloads inside the submitted values comes back raw in an HTML response."""
    if "html" not in response.get("Content-Type", ""):
        return
    body = response.content.decode(errors="replace")
    for value in values:
        if not isinstance(value, str):
            continue
        for tag in XSS_TAGS:
            if tag in value:
                assert tag not in body, f"{tag!r} echoed unescaped"


def assert_no_500(response, context=""):
    assert response.status_code < 500, f"{response.status_code} for {context}"
