"""A form renderer for the admin's object pages that writes the plainest widgets in Python.

Django renders every widget through its templates: an <input> is three
templates (text.html, input.html, attrs.html), a <select> two more for each
of its options. An admin page with an inline (a visit's assistance, a team's
members) renders 50 to 100 widgets and 100 options: that was half of the page's
time (issue 17). Here the inputs, selects and options of Django's own
templates are written with the same markup and escaping; any other template
(textarea, the admin's date, autocomplete and related-object widgets) goes
through the templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "hidden", "checkbox", "email", "url", "password", "date")
)
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _text(value):
    """What `{{ value }}` writes: localized, then escaped unless already safe."""
    return str(conditional_escape(localize(value)))


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget):
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option):
    value = conditional_escape(str(option["value"]))
    return f'<option value="{value}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>'


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and template_name in INPUT_TEMPLATES:
            return mark_safe(_input(widget))
        if widget is not None and template_name == SELECT_TEMPLATE:
            options = [option for _name, group, _index in widget["optgroups"] for option in group]
            if all(option["template_name"] == OPTION_TEMPLATE for option in options):
                return mark_safe(self._select(widget))
        return super().render(template_name, context, request)

    def _select(self, widget):
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            parts.extend(f"\n  {_option(option)}" for option in group)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)


FAST_RENDERER = FastWidgetRenderer()
