"""The rows of the large admin lists, written as Django's items_for_result writes them, at less cost.

Django works each cell of a list out from scratch: what the column is
(lookup_field), its empty value and CSS classes, its text through
display_for_field, and its <td> through format_html: 50 rows of visits took
~10 ms of a ~50 ms page at 1M. Here a column is worked out once per page, a
field's text once per distinct value (a page of visits holds a few dates),
and the cells are joined as text, escaped as format_html escapes them (~4 ms).
A list with editable rows (list_editable) goes Django's way.
"""

import datetime

from django.contrib.admin.templatetags.admin_list import ResultList, _coerce_field_name, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def result_rows(cl):
    """What admin_list.results(cl) yields: a ResultList of cell HTML per row."""
    if cl.formset:
        return list(results(cl))
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        links = _links(first, name, cl)
        columns.append(_Column(cl, name, index, ("th" if first else "td") if links else None))
        first = first and not links
    return [ResultList(None, [column.cell(result) for column in columns]) for result in cl.result_list]


def _links(is_first, field_name, cl):
    """admin_list.items_for_result's link_in_col."""
    if cl.list_display_links is None:
        return False
    if is_first and not cl.list_display_links:
        return True
    return field_name in cl.list_display_links


class _Column:
    def __init__(self, cl, name, index, link_tag):
        self.cl, self.name, self.link_tag = cl, name, link_tag
        self.empty_value_display = cl.model_admin.get_empty_value_display()
        self.css_class = f"field-{_coerce_field_name(name, index)}"
        try:
            self.field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            self.field = None  # a callable, a model admin's or the model's method, a property
        self.field_css_class = self.css_class  # a field's value found
        if isinstance(self.field, (models.DateField, models.TimeField, models.ForeignKey)):
            self.field_css_class += " nowrap"
        self.texts = {}  # a field's text by value

    def cell(self, result):
        text, css_class = self.text(result)
        if self.link_tag is None:
            return mark_safe(f'<td class="{css_class}">{conditional_escape(text)}</td>')
        try:
            url = self.cl.url_for_result(result)
        except NoReverseMatch:
            link = conditional_escape(text)
        else:
            if self.cl.preserved_filters:  # else it would encode the query of the URL again, as it is
                url = add_preserved_filters({"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}, url)
            opener = ""
            if self.cl.is_popup:
                value = result.serializable_value(str(self.cl.to_field) if self.cl.to_field else self.cl.pk_attname)
                opener = f' data-popup-opener="{conditional_escape(value)}"'
            link = f'<a href="{conditional_escape(url)}"{opener}>{conditional_escape(text)}</a>'
        return mark_safe(f'<{self.link_tag} class="{css_class}">{link}</{self.link_tag}>')

    def text(self, result):
        """(text, classes) of the cell, as items_for_result works them out."""
        empty = self.empty_value_display
        if self.field is None or self.field.auto_created:
            try:
                _field, attr, value = lookup_field(self.name, result, self.cl.model_admin)
            except ObjectDoesNotExist:
                return empty, self.css_class
            empty = getattr(attr, "empty_value_display", empty)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            css_class = "action-checkbox" if self.name == "action_checkbox" else self.css_class
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            if isinstance(value, (datetime.date, datetime.time)):
                css_class += " nowrap"
            return display_for_value(value, empty, boolean), css_class
        try:
            value = getattr(result, self.name)
        except ObjectDoesNotExist:
            return empty, self.css_class
        if isinstance(self.field.remote_field, models.ManyToOneRel):
            related = getattr(result, self.field.name)
            return (empty if related is None else related), self.field_css_class
        if isinstance(value, str) and value.strip() == "":
            value = ""
        avoid_link = self.link_tag is not None
        try:
            text = self.texts.get(value)
        except TypeError:  # a value that is no key (a JSON field's)
            return display_for_field(value, self.field, empty, avoid_link=avoid_link), self.field_css_class
        if text is None:
            text = self.texts[value] = display_for_field(value, self.field, empty, avoid_link=avoid_link)
        return text, self.field_css_class
