"""The form renderer of every form (`settings.FORM_RENDERER`): it writes the plainest widgets in Python.

Django renders every widget through its templates: an <input> is three
templates (text.html, input.html, attrs.html), a <select> two more for each
of its options. An admin page with an inline (a visit's assistance, a team's
members) renders 50 to 100 widgets and 100 options: that was half of the page's
time (issue 17). Here the inputs, selects and options of Django's own
templates are written with the same markup and escaping; any other template
(textarea, the admin's date, autocomplete and related-object widgets) goes
through the templates as before.
"""

from html import escape

from django.contrib.admin.widgets import AutocompleteSelect
from django.forms.renderers import DjangoTemplates
from django.templatetags.static import static
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "hidden", "checkbox", "email", "url", "password", "date")
)
SELECT_TEMPLATE = "django/forms/widgets/select.html"
WRAPPER_TEMPLATE = "admin/widgets/related_widget_wrapper.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def html(value):
    """What `{{ value }}` writes: localized, then escaped unless already safe."""
    if type(value) is str:  # most of them: no lazy-aware wrappers to pay (Django's escape is this html.escape)
        return escape(value)
    return str(conditional_escape(localize(value)))


def _text(value):
    """conditional_escape(str(value)), without its wrappers for a plain string."""
    return escape(value) if type(value) is str else str(conditional_escape(str(value)))


def _attrs(attrs):
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {html(name)}" if value is True else f' {html(name)}="{_text(value)}"')
    return "".join(parts)


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return f'<input type="{html(widget["type"])}" name="{html(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option):
    value = _text(option["value"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{html(option["label"])}</option>'


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and template_name in INPUT_TEMPLATES:
            return mark_safe(_input(widget))
        if widget is not None and template_name == SELECT_TEMPLATE:
            options = [option for _name, group, _index in widget["optgroups"] for option in group]
            if all(option["template_name"] == OPTION_TEMPLATE for option in options):
                return mark_safe(self._select(widget))
        if widget is None and template_name == WRAPPER_TEMPLATE and isinstance(context, dict):
            return mark_safe(_related_wrapper(context))
        return super().render(template_name, context, request)

    def _select(self, widget):
        parts = [f'<select name="{html(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{html(group_name)}">')
            parts.extend(f"\n  {_option(option)}" for option in group)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)


# admin/widgets/related_widget_wrapper.html's links, as its {% spaceless %} leaves them: (context flag, CSS class,
# id prefix, link attribute and its URL's context keys, title, icon).
_RELATED_LINKS = [
    ("can_change_related", "change", "data-href-template", "change_related_template_url", "url_params",
     "Change selected %(model)s", "changelink"),
    ("can_add_related", "add", "href", "add_related_url", "url_params", "Add another %(model)s", "addlink"),
    ("can_delete_related", "delete", "data-href-template", "delete_related_template_url", "url_params",
     "Delete selected %(model)s", "deletelink"),
    ("can_view_related", "view", "data-href-template", "change_related_template_url", "view_related_url_params",
     "View selected %(model)s", "viewlink"),
]  # fmt: skip


def _related_wrapper(context):
    """admin/widgets/related_widget_wrapper.html: the admin's add, change, delete and view links beside a select."""
    reference = "" if context["model_has_limit_choices_to"] else f'data-model-ref="{html(context["model_name"])}"'
    links = []
    if not context["is_hidden"]:
        name, model = html(context["name"]), html(context["model"])
        for flag, kind, attribute, url, params, title, icon in _RELATED_LINKS:
            if not context[flag]:
                continue
            target = f'{attribute}="{html(context[url])}?{html(context[params])}"'
            # The add link names its popup before its URL, the view link has none.
            if kind == "add":
                target = f'data-popup="yes"\n{target}'
            elif kind != "view":
                target += '\ndata-popup="yes"'
            links.append(
                f'<a class="related-widget-wrapper-link {kind}-related" id="{kind}_id_{name}"\n{target}\n'
                f'title="{gettext(title) % {"model": model}}"><img src="{html(static(f"admin/img/icon-{icon}.svg"))}" '
                f'alt="" width="24" height="24"></a>'
            )
    return f'<div class="related-widget-wrapper" {reference}>\n{context["rendered_widget"]}\n{"".join(links)}\n</div>\n'


FAST_RENDERER = FastWidgetRenderer()


class _Preloaded:
    """What AutocompleteSelect.optgroups reads of its choices (`field`, `queryset.using().filter()`), from a dict."""

    def __init__(self, field, objects):
        self.field, self.objects = field, objects

    @property
    def queryset(self):
        return self

    def using(self, db):
        return self

    def filter(self, **lookup):
        (keys,) = lookup.values()
        return [self.objects[key] for key in keys]


class RowsAutocompleteSelect(AutocompleteSelect):
    """An autocomplete in every row of an inline whose rows' chosen objects come from one query, not one a row.

    `preload(queryset)` names the candidates (the scoped field's queryset, narrowed to the inline's rows);
    a value outside them is looked up as Django does, in the field's (scoped) queryset.
    """

    shared = None

    def preload(self, queryset):
        self.shared = {"queryset": queryset, "objects": None}

    def optgroups(self, name, value, attr=None):
        shared = self.shared
        if shared is None:
            return super().optgroups(name, value, attr)
        if shared["objects"] is None:
            shared["objects"] = {str(obj.pk): obj for obj in shared["queryset"]}
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not selected <= shared["objects"].keys():
            return super().optgroups(name, value, attr)
        choices = self.choices
        self.choices = _Preloaded(choices.field, shared["objects"])
        try:
            return super().optgroups(name, value, attr)
        finally:
            self.choices = choices
