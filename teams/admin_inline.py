"""The admin's tabular inlines (a team's members, a visit's help, a commune's hamlets), written in Python.

Django's admin/edit_inline/tabular.html works each cell of each row out in
the template language: a team of ten members is twelve rows of six cells,
~45 ms of a ~90 ms page at 1M (issue 17), the widgets themselves being
written by `teams.admin_widgets`. Here the same markup is joined as text from
the same objects (InlineAdminFormSet, InlineAdminForm, its fieldsets, lines
and fields), escaped and localized as the template's `{{ }}` does. Where the
template breaks a line between tags, this writes a bare line break, so the
page differs from Django's only in the line breaks' indentation: a test
compares the two pages, errors and read-only rows included.
"""

from django.contrib import admin
from django.contrib.admin.templatetags.admin_modify import cell_count
from django.contrib.admin.templatetags.admin_urls import admin_urlname, admin_urlquote
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import conditional_escape, escape, strip_tags
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from .admin_widgets import html


class FastTabularInline(admin.TabularInline):
    """A tabular inline whose rows `tabular_inline` writes."""

    template = "admin/edit_inline/fast_tabular.html"


def _filtered(value, function):
    """An is_safe filter's output (capfirst, striptags) as `{{ }}` writes it: escaped unless its input was safe."""
    result = str(function(value))
    return result if isinstance(value, SafeData) else str(escape(result))


def tabular_inline(inline_admin_formset, *, last_related, current_app=None):
    """What admin/edit_inline/tabular.html writes for `inline_admin_formset`; `last_related` is the
    include's forloop.last (the last inline of the page)."""
    formset = inline_admin_formset.formset
    prefix = html(formset.prefix)
    collapsible = inline_admin_formset.is_collapsible
    can_delete = formset.can_delete and inline_admin_formset.has_delete_permission
    opts = inline_admin_formset.opts
    parts = [
        f'<div class="js-inline-admin-formset inline-group" id="{prefix}-group"\n'
        f'data-inline-type="tabular"\n'
        f'data-inline-formset="{html(inline_admin_formset.inline_formset_data())}">\n'
        f'<div class="tabular inline-related {"last-related" if last_related else ""}">\n'
        f"{formset.management_form}\n"
        f'<fieldset class="module {html(inline_admin_formset.classes)}" aria-labelledby="{prefix}-heading">\n',
        "<details><summary>" if collapsible else "",
        f'\n<h2 id="{prefix}-heading" class="inline-heading">\n',
        _filtered(opts.verbose_name if formset.max_num == 1 else opts.verbose_name_plural, capfirst),
        "\n</h2>\n",
        "</summary>" if collapsible else "",
        f'\n{formset.non_form_errors()}\n<table>\n<thead><tr>\n<th class="original"></th>\n',
    ]
    for field in inline_admin_formset.fields():
        classes = f"column-{html(field['name'])}"
        classes += " required" if field["required"] else ""
        classes += " hidden" if _is_hidden(field["widget"]) else ""
        parts.append(f'<th class="{classes}">{_filtered(field["label"], capfirst)}\n')
        if field["help_text"]:
            help_text = _filtered(field["help_text"], strip_tags)
            parts.append(
                f'<img src="{html(static("admin/img/icon-unknown.svg"))}" class="help help-tooltip" width="10" '
                f'height="10" alt="({help_text})" title="{help_text}">'
            )
        parts.append("\n</th>\n")
    parts.append(f"<th>{conditional_escape(gettext('Delete?')) if can_delete else ''}</th>\n</tr></thead>\n<tbody>\n")
    forms = list(inline_admin_formset)
    for index, inline_admin_form in enumerate(forms):
        empty = index == len(forms) - 1 and inline_admin_formset.has_add_permission
        parts.append(_row(inline_admin_formset, inline_admin_form, index, empty, can_delete, current_app))
    parts.append("</tbody>\n</table>\n")
    parts.append("</details>" if collapsible else "")
    parts.append("\n</fieldset>\n</div>\n</div>\n")
    return mark_safe("".join(parts))


def _is_hidden(widget):
    # `{{ field.widget.is_hidden }}`: a widget's attribute, or the key of the dict a read-only column has.
    return widget["is_hidden"] if isinstance(widget, dict) else widget.is_hidden


def _row(inline_admin_formset, inline_admin_form, index, empty, can_delete, current_app):
    form, original = inline_admin_form.form, inline_admin_form.original
    parts = []
    errors = form.non_field_errors()
    if errors:
        parts.append(
            f'<tr class="row-form-errors"><td colspan="{html(cell_count(inline_admin_form))}">{errors}</td></tr>\n'
        )
    has_original = "has_original" if original or inline_admin_form.show_url else ""
    row_id = "empty" if empty else html(index)
    parts.append(
        f'<tr class="form-row {has_original}{" empty-form" if empty else ""}"\n'
        f'id="{html(inline_admin_formset.formset.prefix)}-{row_id}">\n<td class="original">\n'
    )
    if original or inline_admin_form.show_url:
        parts.append("<p>\n")
        if original:
            parts.append(f"{html(original)}\n")
            model_admin = inline_admin_form.model_admin
            if model_admin.show_change_link and model_admin.has_registered_model:
                parts.append(_change_link(inline_admin_formset, model_admin, original, current_app))
            parts.append("\n")
        if inline_admin_form.show_url:
            parts.append(f'<a href="{html(inline_admin_form.absolute_url)}">{html(gettext("View on site"))}</a>')
        parts.append("\n</p>")
    parts.append("\n")
    if inline_admin_form.needs_explicit_pk_field():
        parts.append(str(inline_admin_form.pk_field().field))
    parts.append("\n")
    fk_field = inline_admin_form.fk_field()
    if fk_field:
        parts.append(str(fk_field.field))
    parts.append("\n</td>\n")
    for fieldset in inline_admin_form:
        for line in fieldset:
            for field in line:
                parts.append(_cell(field))
    deletion = str(inline_admin_form.deletion_field().field) if can_delete and original else ""
    parts.append(f'<td class="delete">{deletion}</td>\n</tr>\n')
    return "".join(parts)


def _cell(field):
    bound = field.field  # a BoundField, or a read-only field's dict
    if field.is_readonly:
        name, hidden = bound.get("name"), bound.get("is_hidden")
    else:
        name, hidden = bound.name, bound.is_hidden
    classes = f"field-{html(name)}" if name else ""
    classes += " hidden" if hidden else ""
    if field.is_readonly:
        return f'<td class="{classes}">\n<p>{html(field.contents())}</p>\n</td>\n'
    errors = bound.errors
    return f'<td class="{classes}">\n{errors.as_ul() if errors else ""}\n{bound}\n</td>\n'


def _change_link(inline_admin_formset, model_admin, original, current_app):
    name = admin_urlname(model_admin.opts, "change")
    url = reverse(name, args=[admin_urlquote(original.pk)], current_app=current_app)
    if inline_admin_formset.has_change_permission:
        link_class, text = "inlinechangelink", gettext("Change")
    else:
        link_class, text = "inlineviewlink", gettext("View")
    return f'<a href="{html(url)}" class="{link_class}">{html(text)}</a>'
