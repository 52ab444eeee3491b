"""Form fields through crispy, remembered: the busiest pages render the same few fields all day."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.utils.translation import get_language

register = template.Library()

# Rendered fields by everything their HTML depends on; cleared when full.
_RENDERED = {}
_RENDERED_SIZE = 1024


def _key(field):
    widget = field.field.widget
    return (
        get_language(),
        type(field.form).__name__,
        field.html_name,
        field.auto_id,
        str(field.label),
        str(field.help_text),
        field.field.required,
        field.field.disabled,
        repr(field.value()),
        tuple(str(error) for error in field.errors),
        tuple((str(value), str(label)) for value, label in getattr(field.field, "choices", ())),
        tuple(sorted((name, str(value)) for name, value in widget.attrs.items())),
    )


@register.simple_tag
def crispy_field(field):
    """`field|as_crispy_field`, remembered by all its HTML depends on.

    crispy renders a field through a dozen templates, a select one more per
    option: on the household list, the visit form and the coverage pages this
    cost as much as the pages' queries. The key holds everything the HTML is
    made of, so a remembered field is never stale.
    """
    key = _key(field)
    html = _RENDERED.get(key)
    if html is None:
        if len(_RENDERED) >= _RENDERED_SIZE:
            _RENDERED.clear()
        html = _RENDERED[key] = as_crispy_field(field)
    return html
