"""Rendering the household list: its rows and service chips are built here, not node by node in the template.

A page of 25 households went through the template engine as some 600 nodes,
which cost more than all of the page's queries; a member loads it all day.
"""

import functools

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from households.lookup import short_label_of, state_label
from households.models import Household

register = template.Library()


def service_chips(made, states):
    """One chip per (service, kind) of households.lookup.page_service_states: short label, kind as colour and title.

    A page of 25 households shows 225 chips of at most 36 kinds: `made` holds the page's, so that a service's
    name and the language are read once per kind, not once per chip (0.12 ms a page against 0.35 ms at 1M).
    """
    html = []
    for service, kind in states:
        chip = made.get((service.pk, kind))
        if chip is None:
            chip = made[service.pk, kind] = _chip(get_language(), service.code, service.display_name, kind)
        html.append(chip)
    return "".join(html)


@functools.lru_cache(maxsize=1024)
def _chip(language, code, display_name, kind):
    """A chip, built once per process for each service name, kind and language: the key holds all it shows.

    (An admin who renames a service makes new ones; `language` because the labels are translated.)
    """
    return (
        f'<span class="chip chip-{kind}" title="{escape(display_name)}: '
        f'{escape(state_label(kind))}">{escape(short_label_of(code, display_name))}</span>'
    )


def _badges(household, words, dates):
    badges = []
    if household.poverty == Household.Poverty.POOR:
        badges.append(f'<span class="badge text-bg-danger">{words["poor"]}</span>')
    elif household.poverty == Household.Poverty.NEAR_POOR:
        badges.append(f'<span class="badge text-bg-warning">{words["near_poor"]}</span>')
    if household.policy_family:
        badges.append(f'<span class="badge text-bg-info">{words["policy"]}</span>')
    if not household.active:
        badges.append(f'<span class="badge text-bg-secondary">{words["moved"]}</span>')
    if household.last_visited_on:
        last = dates.get(household.last_visited_on)
        if last is None:
            last = dates[household.last_visited_on] = escape(
                _("Last visit %(date)s") % {"date": date_format(household.last_visited_on, "SHORT_DATE_FORMAT")}
            )
        badges.append(f'<span class="text-muted">{last}</span>')
    else:
        badges.append(f'<span class="text-danger">{words["never"]}</span>')
    return " ".join(badges)


@register.simple_tag(takes_context=True)
def household_items(context, rows):
    """The list's <li> per (household, service states): name, hamlet, address, phone, badges, chips.

    The phone is shown whole only to those who handle personal data (`teams.access.handles_personal_data`).
    """
    full_phone = context["access"].handles_personal_data
    words = {
        key: escape(text)
        for key, text in {
            "poor": _("Poor"),
            "near_poor": _("Near-poor"),
            "policy": _("Policy family"),
            "moved": _("Moved away"),
            "never": _("Never visited"),
            "services": _("Services"),
        }.items()
    }
    # One reverse() for the page: the pk is the only part of the URL that changes.
    url_start, url_end = reverse("households:detail", kwargs={"pk": _URL_PK}).split(str(_URL_PK))
    items, dates, chips = [], {}, {}
    for household, states in rows:
        contact = household.address
        if household.phone:
            contact = f"{contact} · {household.phone if full_phone else household.masked_phone}"
        items.append(
            '<li class="list-group-item px-2 py-2">'
            '<div class="d-flex justify-content-between gap-2">'
            f'<a class="fw-semibold hh-link" href="{url_start}{int(household.pk)}{url_end}">'
            f"{escape(household.head_name)}</a>"
            f'<span class="small text-muted text-nowrap">{escape(household.hamlet.name)}</span></div>'
            f'<div class="small text-muted">{escape(contact)}</div>'
            f'<div class="small">{_badges(household, words, dates)}</div>'
            f'<div class="chips" aria-label="{words["services"]}">{service_chips(chips, states)}</div></li>'
        )
    return mark_safe("\n".join(items))


# A pk no household has, standing in for the one each row puts into the URL.
_URL_PK = 987654321


@register.simple_tag
def service_state_items(states):
    """A household page's <li> per service (households.lookup.ServiceState): its name and where the household stands.

    Built here like the list's rows: nine services through the template's nodes cost more than their query.
    """
    items = []
    for state in states:
        kind = state.kind
        if kind == state.ADOPTED:
            label = _("Since %(date)s") % {"date": date_format(state.adoption.first_adopted_on, "SHORT_DATE_FORMAT")}
        else:
            label = state_label(kind)
        items.append(
            '<li class="list-group-item d-flex justify-content-between gap-2 px-2 py-2">'
            f"<span>{escape(state.service.display_name)}</span>"
            f'<span class="text-nowrap state-{kind}" data-testid="state-{escape(state.service.code)}">'
            f'<span class="chip chip-{kind}">{escape(label)}</span></span></li>'
        )
    return mark_safe("\n".join(items))
