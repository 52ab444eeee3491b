"""Finding households in the field: accent-free search, list filters, service states.

Search runs on `Household.search_key` (households.search): a plain substring
match on a stored, normalised key, so it behaves the same on SQLite and
PostgreSQL (where a trigram index serves it, migration 0002).
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, F, OuterRef, Prefetch, TextField, Value, When
from django.db.models.functions import Greatest, Left, Length
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teams.models import Adoption, Outcome

from .search import digits, normalize
from .validators import vietnamese_phone

_PHONE_LIKE = re.compile(r"^[\d\s.\-+()]+$")


def _name_and_address_key():
    """`search_key` without its phone digits (" | " and the digits end it).

    The key holds digits(phone), never longer than the phone itself: cutting
    len(phone) + 3 characters leaves no digit of it (at worst a few of the
    address's last characters go too).
    """
    return Case(
        When(phone="", then=F("search_key")),
        default=Left("search_key", Greatest(Length("search_key") - Length("phone") - 3, Value(0))),
        output_field=TextField(),
    )


def _full_number(text):
    try:
        return vietnamese_phone(text)
    except ValidationError:
        return ""


def households_search(households, query, *, sees_phones):
    """Households whose head's name, address or phone contain every word typed.

    Someone who sees phones masked (`sees_phones` false) finds a household by
    its phone only when typing the full number: a part of it would let them
    recover the masked digits a search at a time.
    """
    text = normalize(query)
    if not text:
        return households
    if sees_phones:
        key = "search_key"
    else:
        households = households.alias(name_and_address=_name_and_address_key())
        key = "name_and_address"
        text = text.replace("|", " ")  # the separator would reach into the phone's part of the key
    if _PHONE_LIKE.match(text) and digits(text):
        # "0912 345 678" and "0912.345" are phone digits typed with separators.
        found = households.filter(**{f"{key}__contains": digits(text)})
        number = _full_number(text)
        if not sees_phones and number:
            found = found | households.filter(phone=number)
        return found
    for word in text.split():
        households = households.filter(**{f"{key}__contains": word})
    return households


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
    label = SHORT_LABELS.get(service.code)
    if label is not None:
        return label
    words = [w for w in service.display_name.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:4]).upper() or service.code[:4]


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
        if self.adoption.first_adopted_on is not None:
            return self.ADOPTED
        if self.adoption.last_outcome == Outcome.DECLINED:
            return self.DECLINED
        if self.adoption.last_outcome == Outcome.FOLLOW_UP:
            return self.FOLLOW_UP
        return self.NOT_YET

    @property
    def label(self):
        return {
            self.ADOPTED: _("Adopted"),
            self.DECLINED: _("Declined"),
            self.FOLLOW_UP: _("Needs follow-up"),
            self.NOT_YET: _("Not yet"),
        }[self.kind]

    @property
    def short_label(self):
        return short_label(self.service)


def service_states(household, services):
    """The state of each service for a household whose adoptions are prefetched or few."""
    adoptions = {a.service_id: a for a in household.adoptions.all()}
    return [ServiceState(service, adoptions.get(service.pk)) for service in services]


@dataclass(frozen=True)
class AdoptionState:
    """What of an `Adoption` row a `ServiceState` reads."""

    first_adopted_on: object
    last_outcome: str


def page_service_states(households, services):
    """[(household, [ServiceState])] for a page of households, their adoptions read in one plain query.

    A list page does not need `Adoption` instances: a prefetch builds some hundred of them per page.
    """
    households = list(households)
    adoptions = defaultdict(dict)
    rows = Adoption.objects.filter(household__in=[h.pk for h in households]).values_list(
        "household_id", "service_id", "first_adopted_on", "last_outcome"
    )
    for household_id, service_id, first_adopted_on, last_outcome in rows:
        adoptions[household_id][service_id] = AdoptionState(first_adopted_on, last_outcome)
    services = [(service, service.pk) for service in services]
    rows = []
    for household in households:
        held = adoptions.get(household.pk, {})
        rows.append((household, [ServiceState(service, held.get(pk)) for service, pk in services]))
    return rows
