"""The visit form's outcome buttons: five radios per service, built here rather than one widget template each."""

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

register = template.Library()

BUTTON_STYLE = {
    "set_up": "btn-outline-success",
    "already_had": "btn-outline-primary",
    "declined": "btn-outline-danger",
    "follow_up": "btn-outline-warning",
}


def _attributes(attrs):
    """As django.forms.utils.flatatt (sorted key="value" pairs, then the true booleans), without format_html:
    a visit form has five radios per service, and flatatt's escaping through format_html_join was most of it.
    """
    pairs = sorted((k, v) for k, v in attrs.items() if v is not None and not isinstance(v, bool))
    flags = sorted(k for k, v in attrs.items() if v is True)
    return "".join(f' {k}="{conditional_escape(v)}"' for k, v in pairs) + "".join(f" {k}" for k in flags)


@register.simple_tag
def outcome_buttons(field):
    """A service's outcomes as radio inputs, each followed by its button-styled label."""
    html = []
    for radio in field:
        data = radio.data
        attrs = {**data["attrs"], "type": "radio", "name": data["name"], "value": str(data["value"])}
        if data["selected"]:
            attrs["checked"] = True
        style = BUTTON_STYLE.get(str(data["value"]), "btn-outline-secondary")
        label = f'<label class="btn {style}" for="{escape(attrs["id"])}">{escape(data["label"])}</label>'
        html.append(f"<input{_attributes(attrs)}>{label}")
    return mark_safe("".join(html))
