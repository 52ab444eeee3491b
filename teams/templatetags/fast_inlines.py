"""{% fast_tabular_inline inline_admin_formset %}: Django's tabular inline, written by teams.admin_inline."""

from django import template

from teams.admin_inline import tabular_inline

register = template.Library()


@register.simple_tag(takes_context=True)
def fast_tabular_inline(context, inline_admin_formset):
    # The include's loop over the page's inlines: the last one's <div> is "last-related".
    loop = context.get("forloop") or {}
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current_app = getattr(request, "current_app", None) or (match.namespace if match else None)
    return tabular_inline(inline_admin_formset, last_related=loop.get("last", False), current_app=current_app)
