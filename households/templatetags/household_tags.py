"""Rendering the household list: its rows and service chips are built here, not node by node in the template.

A page of 25 households went through the template engine as some 600 nodes,
which cost more than all of the page's queries; a member loads it all day.
"""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from households.models import Household

register = template.Library()


@register.simple_tag(takes_context=True)
def service_chips(context, states):
    """One chip per service (households.lookup.ServiceState): short label, state as colour and title.

    A page of 25 households shows 225 chips of at most 36 kinds: each kind is built once per page.
    """
    made = context.render_context.setdefault("service_chips", {})
    html = []
    for state in states:
        key = (state.service.pk, state.kind)
        if key not in made:
            made[key] = (
                f'<span class="chip chip-{state.kind}" title="{escape(state.service.display_name)}: '
                f'{escape(state.label)}">{escape(state.short_label)}</span>'
            )
        html.append(made[key])
    return mark_safe("".join(html))


def _badges(household):
    badges = []
    if household.poverty == Household.Poverty.POOR:
        badges.append(format_html('<span class="badge text-bg-danger">{}</span>', _("Poor")))
    elif household.poverty == Household.Poverty.NEAR_POOR:
        badges.append(format_html('<span class="badge text-bg-warning">{}</span>', _("Near-poor")))
    if household.policy_family:
        badges.append(format_html('<span class="badge text-bg-info">{}</span>', _("Policy family")))
    if not household.active:
        badges.append(format_html('<span class="badge text-bg-secondary">{}</span>', _("Moved away")))
    if household.last_visited_on:
        last = _("Last visit %(date)s") % {"date": date_format(household.last_visited_on, "SHORT_DATE_FORMAT")}
        badges.append(format_html('<span class="text-muted">{}</span>', last))
    else:
        badges.append(format_html('<span class="text-danger">{}</span>', _("Never visited")))
    return " ".join(badges)


@register.simple_tag(takes_context=True)
def household_items(context, rows):
    """The list's <li> per (household, service states): name, hamlet, address, phone, badges, chips.

    The phone is shown whole only to those who handle personal data (`Scope.handles_personal_data`).
    """
    full_phone = context["scope"].handles_personal_data
    services_label = _("Services")
    items = []
    for household, states in rows:
        contact = household.address
        if household.phone:
            contact = f"{contact} · {household.phone if full_phone else household.masked_phone}"
        items.append(
            format_html(
                '<li class="list-group-item px-2 py-2">'
                '<div class="d-flex justify-content-between gap-2">'
                '<a class="fw-semibold hh-link" href="{}">{}</a>'
                '<span class="small text-muted text-nowrap">{}</span></div>'
                '<div class="small text-muted">{}</div>'
                '<div class="small">{}</div>'
                '<div class="chips" aria-label="{}">{}</div></li>',
                reverse("households:detail", kwargs={"pk": household.pk}),
                household.head_name,
                household.hamlet.name,
                contact,
                mark_safe(_badges(household)),
                services_label,
                service_chips(context, states),
            )
        )
    return mark_safe("\n".join(items))
