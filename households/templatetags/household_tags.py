"""Rendering the household list: its service chips are built here, not chip by chip in the template."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

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
