"""Finding households in the field: accent-free search, list filters, service states.

Search runs on `Household.search_key` (households.search): a match on a
stored, normalised key, so it behaves the same on SQLite and PostgreSQL
(where a trigram index serves it, migration 0002). Members type the start of
words ("duong" is Dương or đường, never the middle of "Nguyễn"); households
whose head's name holds the words come before those found by their address;
and when nothing matches, one typo per word is forgiven ("ngyen" finds
Nguyễn). static/field/search.js does the same on the phone, offline.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    TextField,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teams.models import Adoption, Outcome

from .search import digits, normalize
from .validators import vietnamese_phone

_PHONE_LIKE = re.compile(r"^[\d\s.\-+()]+$")


class _NameAndAddressKey(Expression):
    """`search_key` without its phone digits (" | " and the digits end it), as SQL.

    The key holds digits(phone), never longer than the phone itself: cutting
    len(phone) + 3 characters leaves no digit of it (at worst a few of the
    address's last characters go too). Written with the ORM's Case, Left,
    Greatest and Length, it was a dozen expressions to resolve and compile:
    a three-word search's query took 0.28 ms longer to build and compile with
    it than on the plain `search_key` (measured at 1M); this one, 0.05 ms.
    """

    template = (
        "CASE WHEN {phone} = '' THEN {key} ELSE LEFT({key}, GREATEST(LENGTH({key}) - LENGTH({phone}) - 3, 0)) END"
    )
    sqlite_template = (
        "CASE WHEN {phone} = '' THEN {key} ELSE SUBSTR({key}, 1, MAX(LENGTH({key}) - LENGTH({phone}) - 3, 0)) END"
    )

    def __init__(self):
        super().__init__(output_field=TextField())
        self.search_key, self.phone = F("search_key"), F("phone")

    def get_source_expressions(self):
        return [self.search_key, self.phone]

    def set_source_expressions(self, exprs):
        self.search_key, self.phone = exprs

    def as_sql(self, compiler, connection, template=None):
        (key, key_params), (phone, phone_params) = compiler.compile(self.search_key), compiler.compile(self.phone)
        assert not key_params and not phone_params, "two columns"
        return (template or self.template).format(key=key, phone=phone), []

    def as_sqlite(self, compiler, connection):
        return self.as_sql(compiler, connection, template=self.sqlite_template)


def _full_number(text):
    try:
        return vietnamese_phone(text)
    except ValidationError:
        return ""


class _OverKeyWords(Expression):
    """SQL testing a search key for each word typed: the key compiled once, the words its parameters.

    Each word tests the key three to six times. Built from the ORM's lookups,
    Case and StrIndex around the key, a search of three words compiled some
    hundred expressions (0.6 of the 0.9 ms its page's query took to compile
    at 1M, measured). `over` writes the SQL they compiled to, with the
    vendor's own LIKE operator, cast and pattern escaping.
    """

    def __init__(self, key, words, output_field):
        super().__init__(output_field=output_field)
        self.key, self.words = key, tuple(words)

    def get_source_expressions(self):
        return [self.key]

    def set_source_expressions(self, exprs):
        [self.key] = exprs

    def as_sql(self, compiler, connection, position="STRPOS"):
        key, key_params = compiler.compile(self.key)
        assert not key_params, "a column or _NameAndAddressKey: no parameters to repeat"
        like = f"{connection.ops.lookup_cast('startswith', 'TextField') % key} {connection.operators['startswith']}"
        escaped = [connection.ops.prep_for_like_query(word) for word in self.words]
        # position(key, substring): where the substring first starts, from 1, or 0.
        return self.over(like, lambda substring: f"{position}({key}, {substring})", escaped)

    def as_sqlite(self, compiler, connection):
        return self.as_sql(compiler, connection, position="INSTR")


class _EveryWordStarts(_OverKeyWords):
    """True when each word starts a word of the key (its words are separated by single spaces)."""

    def __init__(self, key, words):
        super().__init__(key, words, output_field=BooleanField())

    def over(self, like, position, escaped):
        sql = " AND ".join(f"({like} OR {like})" for _word in escaped)
        return f"({sql})", [pattern for word in escaped for pattern in (f"{word}%", f"% {word}%")]


class _WordsNotInName(_OverKeyWords):
    """How many words start no word of the head's name (the key's part before " | ")."""

    def __init__(self, key, words):
        super().__init__(key, words, output_field=IntegerField())

    def over(self, like, position, escaped):
        # 0 when the word starts the key, or its first " word" comes before " | " (in the name); else 1.
        at, separator = position("%s"), position("' | '")
        one = f"CASE WHEN {like} THEN 0 WHEN {at} > 0 THEN CASE WHEN {at} < {separator} THEN 0 ELSE 1 END ELSE 1 END"
        params = []
        for word, pattern in zip(self.words, escaped, strict=True):
            params += [f"{pattern}%", f" {word}", f" {word}"]
        return f"({' + '.join(one for _word in self.words)})", params


def _search_key(households, text, *, sees_phones):
    if sees_phones:
        return "search_key", text, households
    # The separator would reach into the phone's part of the key.
    return "name_and_address", text.replace("|", " "), households.alias(name_and_address=_NameAndAddressKey())


def households_search(households, query, *, sees_phones):
    """Households with a word starting with each word typed, in the head's name, address or phone,
    annotated with `search_rank`: 0 when the head's name holds every word, more for each word found
    only in the address (list them with `SEARCH_ORDER`).

    Someone who sees phones masked (`sees_phones` false) finds a household by
    its phone only when typing the full number: a part of it would let them
    recover the masked digits a search at a time.
    """
    text = normalize(query)
    if not text:
        return households
    key, text, households = _search_key(households, text, sees_phones=sees_phones)
    if _PHONE_LIKE.match(text) and digits(text):
        # "0912 345 678" and "0912.345" are phone digits typed with separators.
        found = households.filter(**{f"{key}__contains": digits(text)})
        number = _full_number(text)
        if not sees_phones and number:
            found = found | households.filter(phone=number)
        return found.annotate(search_rank=Value(0, output_field=IntegerField()))
    words = text.split()
    if not words:  # "|" alone, where it is no separator
        return households.annotate(search_rank=Value(0, output_field=IntegerField()))
    return households.filter(_EveryWordStarts(F(key), words)).annotate(search_rank=_WordsNotInName(F(key), words))


SEARCH_ORDER = ("search_rank", "search_key", "id")
# A typo is forgiven in words of this length and more: "ngyen" → Nguyễn; "an" stays exact.
TYPO_MIN_LENGTH = 4
# The fuzzy pass reads the scope's keys: a team's hamlets, a few thousand households.
TYPO_SCAN_LIMIT = 20_000


def _one_edit_prefix(word, key_word):
    """Whether a start of `key_word` is `word` with at most one letter wrong, missing, extra or swapped."""
    for end in (len(word) - 1, len(word), len(word) + 1):
        if 0 < end <= len(key_word) and _within_one_edit(word, key_word[:end]):
            return True
    return False


def _within_one_edit(a, b):
    if a == b:
        return True
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _word_hit(word, key_words):
    forgive = len(word) >= TYPO_MIN_LENGTH
    return any(w.startswith(word) or (forgive and _one_edit_prefix(word, w)) for w in key_words)


def key_matches_with_typo(key, words):
    """Rank (as `search_rank`) of a search key for `words` with one typo per word forgiven, or None."""
    name, _sep, rest = key.partition(" | ")
    name_words, other_words = name.split(), rest.replace("|", " ").split()
    rank = 0
    for word in words:
        if _word_hit(word, name_words):
            continue
        if not _word_hit(word, other_words):
            return None
        rank += 1
    return rank


def households_search_forgiving(households, query, *, sees_phones):
    """`households_search` forgiving one typo per word, for when the exact search found nothing.

    Reads the keys of `households` (a team's scope) and returns those that
    match, ranked as `households_search` ranks them; an empty queryset for a
    phone number, a query without a word long enough, or a scope too large.
    """
    text = normalize(query)
    key, text, households = _search_key(households, text, sees_phones=sees_phones)
    words = text.split()
    none = households.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    if not words or _PHONE_LIKE.match(text) or max(map(len, words)) < TYPO_MIN_LENGTH:
        return none
    ranks = {}
    for pk, value in households.values_list("pk", F(key))[: TYPO_SCAN_LIMIT + 1]:
        rank = key_matches_with_typo(value, words)
        if rank is not None:
            ranks[pk] = rank
    if not ranks or len(ranks) > TYPO_SCAN_LIMIT:
        return none
    rank = Case(
        *(When(pk=pk, then=Value(r)) for pk, r in ranks.items() if r), default=Value(0), output_field=IntegerField()
    )
    return households.filter(pk__in=list(ranks)).annotate(search_rank=rank)


def households_never_visited(households):
    return households.filter(first_visited_on__isnull=True)


def households_needing_follow_up(households):
    """Households whose latest outcome for some service is "needs follow-up"."""
    return households.filter(Exists(Adoption.objects.filter(household=OuterRef("pk"), last_outcome=Outcome.FOLLOW_UP)))


def households_lacking(households, service):
    """Households that have not adopted `service` (never set up, never already had)."""
    return households.exclude(
        Exists(Adoption.objects.filter(household=OuterRef("pk"), service=service, first_adopted_on__isnull=False))
    )


def with_adoptions(households):
    """Fetch the adoption rows of the listed households in one query."""
    return households.prefetch_related(
        Prefetch(
            "adoptions",
            queryset=Adoption.objects.only(
                "id", "household_id", "service_id", "first_adopted_on", "last_outcome", "last_visited_on"
            ),
        )
    )


# Chip labels for the list: short enough that nine fit on two lines at 360 px.
SHORT_LABELS = {
    "province_app": pgettext_lazy("service chip", "App"),
    "vneid_level2": pgettext_lazy("service chip", "VNeID"),
    "public_service_account": pgettext_lazy("service chip", "Portal"),
    "online_filing": pgettext_lazy("service chip", "Filing"),
    "ewallet": pgettext_lazy("service chip", "Wallet"),
    "cashless_payment": pgettext_lazy("service chip", "Bank"),
    "ecommerce": pgettext_lazy("service chip", "Shop"),
    "health_record": pgettext_lazy("service chip", "Health"),
    "online_safety": pgettext_lazy("service chip", "Safety"),
}


def short_label(service):
    return short_label_of(service.code, service.display_name)


def short_label_of(code, display_name):
    label = SHORT_LABELS.get(code)
    if label is not None:
        return label
    words = [w for w in display_name.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:4]).upper() or code[:4]


@dataclass(frozen=True)
class ServiceState:
    """Where one household stands with one service."""

    service: object
    adoption: object = None

    ADOPTED = "adopted"
    DECLINED = "declined"
    FOLLOW_UP = "follow_up"
    NOT_YET = "not_yet"

    @property
    def kind(self):
        if self.adoption is None:
            return self.NOT_YET
        return state_kind(self.adoption.first_adopted_on, self.adoption.last_outcome)


def service_states(household, services):
    """The state of each service for a household whose adoptions are prefetched or few."""
    adoptions = {a.service_id: a for a in household.adoptions.all()}
    return [ServiceState(service, adoptions.get(service.pk)) for service in services]


def state_kind(first_adopted_on, last_outcome):
    """ServiceState's kind from an adoption's two fields: adopted, declined, follow-up or not yet."""
    if first_adopted_on is not None:
        return ServiceState.ADOPTED
    if last_outcome == Outcome.DECLINED:
        return ServiceState.DECLINED
    if last_outcome == Outcome.FOLLOW_UP:
        return ServiceState.FOLLOW_UP
    return ServiceState.NOT_YET


def state_label(kind):
    return {
        ServiceState.ADOPTED: _("Adopted"),
        ServiceState.DECLINED: _("Declined"),
        ServiceState.FOLLOW_UP: _("Needs follow-up"),
        ServiceState.NOT_YET: _("Not yet"),
    }[kind]


def page_service_states(households, services):
    """[(household, [(service, kind)])] for a page of households, their adoptions read in one plain query.

    A list page needs no `Adoption` instance nor a `ServiceState` per chip: a
    page of 25 households has 225 chips of at most 36 kinds (`state_kind`).
    """
    households = list(households)
    adoptions = defaultdict(dict)
    rows = Adoption.objects.filter(household__in=[h.pk for h in households]).values_list(
        "household_id", "service_id", "first_adopted_on", "last_outcome"
    )
    for household_id, service_id, first_adopted_on, last_outcome in rows:
        adoptions[household_id][service_id] = state_kind(first_adopted_on, last_outcome)
    services = [(service, service.pk) for service in services]
    not_yet = ServiceState.NOT_YET
    rows = []
    for household in households:
        held = adoptions.get(household.pk, {})
        rows.append((household, [(service, held.get(pk, not_yet)) for service, pk in services]))
    return rows
