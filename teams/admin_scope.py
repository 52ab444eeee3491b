"""What every Gõ Cửa ModelAdmin shares: lists, choices, filters and object pages cut to the user's scope.

An object outside the scope is a 404 on every admin URL that takes an id
(change, delete, history, django-simple-history's version page), never the
admin's redirect with "doesn't exist" nor a page of another province.
"""

import os
import re

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseNotAllowed, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from households.models import Commune, Hamlet, Household, Province

from .access import scope_for
from .models import Member, Team


def scoped_choices():
    """Models whose choices in any admin form are cut to the user's scope."""
    return (Province, Commune, Hamlet, Household, Team, Member, get_user_model())


# Characters a key keeps through the admin's quote() and reverse(): an id, a UUID.
_PLAIN_KEY = re.compile(r"[0-9A-Za-z-]+")

# A year's first or last moment in the site's time zone must stay within Python's years 1 to 9999 in UTC
# (year=1 at UTC+7 starts in year 0: an OverflowError, found by the admin fuzz test).
DATE_PART_LIMITS = {"__year": (2, 9998), "__month": (1, 12), "__day": (1, 31)}


def _small_number(text):
    """ASCII digits, at most 4 of them: what `int` reads at once (not "²", nor 10,001 digits past Python's limit)."""
    return text.isascii() and text.isdigit() and len(text) <= 4


class SafeChangeList(ChangeList):
    """A date part Python or the database cannot hold (year=99999999999, 9999 + 1) is a bad lookup, not a 500.

    Its rows cost less to write, and show the same. Their links carry the
    list's filters (`_changelist_filters`) as Django's do, added here once
    per list instead of by add_preserved_filters for each row, which resolves
    the row's URL to see whether it is the list's own (0.1 ms a row; Django
    reads a ChangeList's `preserved_filters` for that alone). A page's rows
    read only the model admin's `list_fields_read`, if it names them.
    """

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.row_link_filters, self.preserved_filters = self.preserved_filters, ""
        self.change_url_around_key = None

    def get_results(self, request):
        super().get_results(request)
        if self.model_admin.list_fields_read is not None:
            self.result_list = self.result_list.only(*self.model_admin.list_fields_read)

    def url_for_result(self, result):
        # reverse() once per list: a key of plain characters is written as it is into the change URL.
        key = str(getattr(result, self.pk_attname))
        if _PLAIN_KEY.fullmatch(key):
            if self.change_url_around_key is None:
                self.change_url_around_key = self._change_url_around_key()
            head, tail = self.change_url_around_key
            url = f"{head}{key}{tail}"
        else:
            url = super().url_for_result(result)
        return f"{url}?{self.row_link_filters}" if self.row_link_filters else url

    def _change_url_around_key(self):
        """(head, tail) of the change URL around its key: what two keys' URLs share before and after it."""
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        one, two = (reverse(name, args=(key,), current_app=self.model_admin.admin_site.name) for key in ("1", "2"))
        head = os.path.commonprefix([one, two])
        return head, one[len(head) + 1 :]

    def get_filters(self, request):
        for key, value in self.params.items():
            limits = next((n for suffix, n in DATE_PART_LIMITS.items() if key.endswith(suffix)), None)
            values = value if isinstance(value, list) else [value]
            if limits and not all(_small_number(v) and limits[0] <= int(v) <= limits[1] for v in values):
                raise IncorrectLookupParameters(key)
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as e:
            raise IncorrectLookupParameters(e) from e


def _without_nul(querydict):
    """PostgreSQL refuses NUL in a string literal (a 500): nobody types one, so it goes."""
    cleaned = QueryDict(mutable=True)
    for key, values in querydict.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned


def search_term_cleaned(term):
    """No NUL (PostgreSQL refuses it) and no more than a name and an address (SQLite refuses huge LIKE patterns)."""
    return term.replace("\x00", "")[:200]


def _autocomplete(request):
    """Whether the request is the admin's autocomplete (a `term` typed in a related-object widget)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "autocomplete" and "term" in request.GET


class CappedPaginator(Paginator):
    """Counts a list no further than CAP rows: the admin shows "more than 10,000" rather than an exact COUNT(*).

    Django's changelist counts the filtered rows on every page: over a
    province's three million visits that is a scan of them all. Counting
    a LIMIT CAP + 1 subquery costs at most CAP index entries; past it the
    pages stop at the cap and the page asks for a filter (a commune, a
    hamlet, a date) to narrow the list. The trade-off of each list that
    uses it: no exact total beyond CAP.
    """

    CAP = 10_000
    SEARCH_CAP = 1_000  # a search ("nguyen": one household in eight) is counted no further than this

    def __init__(self, *args, cap=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.CAP = cap

    @property
    def count(self):
        if not hasattr(self, "_capped_count"):
            self._capped_count = self.object_list.order_by()[: self.CAP + 1].count()
        return self._capped_count

    @property
    def capped(self):
        return self.count > self.CAP


class ScopedAdmin(admin.ModelAdmin):
    """A province administrator sees and picks only what lies in their province."""

    # The fields the rows of a list page read (SafeChangeList), for a list of wide rows and joined rows: what
    # its columns, the rows' checkboxes (str()) and links show. None reads whole rows, as object pages and
    # actions always do.
    list_fields_read = None
    # Django's list page, its rows written by teams.admin_rows: the same markup at less cost (a team's or a
    # member's list of 50 rows spent a third of its time in Django's items_for_result).
    change_list_template = "admin/large_change_list.html"

    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def changelist_view(self, request, extra_context=None):
        request.GET = _without_nul(request.GET)
        return super().changelist_view(request, extra_context)

    def to_field_allowed(self, request, to_field):
        # `?_to_field=+` names a hidden reverse relation (related_name="+"), which Django's check takes for a
        # field and fails on (a 500); no reverse relation is ever a field to refer by.
        try:
            field = self.opts.get_field(to_field)
        except FieldDoesNotExist:
            return False
        return field.concrete and super().to_field_allowed(request, to_field)

    def get_search_results(self, request, queryset, search_term):
        # The admin's autocomplete comes here with its `term` as typed.
        return super().get_search_results(request, queryset, search_term_cleaned(search_term))

    def get_queryset(self, request):
        scoped = scope_for(request.user).for_model(self.model)
        ordering = self.get_ordering(request)
        return scoped.order_by(*ordering) if ordering else scoped

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in scoped_choices():
            kwargs["queryset"] = scope_for(request.user).for_model(db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def action_checkbox(self, obj):
        # Django's markup, formatted: it renders a form widget's template for every row, which was the
        # largest cost of a list page (a third of it at 50 rows, issue 17).
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model in (Hamlet,):
            kwargs["queryset"] = scope_for(request.user).for_model(db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django answers an id it cannot find (here: outside the scope) with a redirect and a
        # message that names the id; a 404 tells nothing, as on the rest of the site.
        raise Http404


class LargeTableAdmin:
    """The lists of the tables that grow with the households (households, visits, assistance, adoptions, logs).

    Mixed in before ScopedAdmin: the count is capped (CappedPaginator) and
    Django's second, unfiltered count is off. No date hierarchy: its
    year/month links read the distinct dates of every row in scope;
    a date list filter (today, 7 days, this month, this year) narrows on
    the indexed date instead.
    """

    paginator = CappedPaginator
    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A search reads rows that match a pattern, not an index range: its count stops ten times sooner.
        cap = CappedPaginator.SEARCH_CAP if request.GET.get("q") else None
        if _autocomplete(request):
            # An autocomplete's answer says only whether a page follows this one: counted one row past it
            # ("nguyen" matches one household in eight: counting to the search cap read 1,000 of them).
            page = request.GET.get("page", "1")
            # ASCII digits, a few: "²" is a digit that int() refuses, and int() refuses 5,000 digits too.
            cap = (int(page) if re.fullmatch(r"[0-9]{1,3}", page) and int(page) > 0 else 1) * per_page
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, cap=cap)

    date_hierarchy = None
    # A page of these lists costs its rows' rendering more than its query (items_for_result: ~1 ms a row
    # on the loaded bench machine): 50 rows a page, as the households list has always had.
    list_per_page = 50


class ScopedHistoryAdmin(SimpleHistoryAdmin, ScopedAdmin):
    """django-simple-history's pages, through the scope, and read only.

    The package resolves the object of its history list and version page
    without the admin's queryset (any province's rows, deleted ones included)
    and its "Revert" form saves a past version past the write functions that
    keep the state and the coverage counters exact. Here both pages resolve
    the object in the user's scope and a version page only shows.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def _scoped_object(self, request, object_id):
        # get_object reads through get_queryset (the scope) and takes an id that is not one (ValueError,
        # ValidationError: "2/change", a 10,001-digit number) as no object, like the change page does.
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._scoped_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._scoped_object(request, object_id)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        # Every field shows as text: the page is a record of the past, not a form (get_readonly_fields).
        request.gocua_history_read_only = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if getattr(request, "gocua_history_read_only", False):
            model_fields = self.model._meta.fields + self.model._meta.many_to_many
            fields += [f.name for f in model_fields if f.editable and not f.primary_key and f.name not in fields]
        return fields


class SuperuserOnlyAdmin:
    """For tables of the whole country (login attempts, permission groups): superusers only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def register_superuser_only(site, *models):
    """Re-register third-party ModelAdmins of `models` so that only superusers reach them."""
    for model in models:
        if not site.is_registered(model):
            continue
        model_admin = type(site._registry[model])
        site.unregister(model)
        site.register(model, type(f"SuperuserOnly{model_admin.__name__}", (SuperuserOnlyAdmin, model_admin), {}))


class ScopedInline:
    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=scope_for(request.user).for_model(self.model).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in scoped_choices():
            kwargs["queryset"] = scope_for(request.user).for_model(db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _row_id(value):
    """A primary key from a query string, or None: digits only, and no more than a bigint holds."""
    if value and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


class CommuneFilter(admin.SimpleListFilter):
    """Communes of the user's scope that have hamlets (a province has ~100, the country 3,321)."""

    title = _("commune")
    parameter_name = "commune"
    lookup = "commune"  # path from the listed model to Commune

    def lookups(self, request, model_admin):
        # EXISTS, not a join made DISTINCT: the province's hamlets are not all read and sorted (1.2 -> 0.2 ms).
        has_hamlets = Exists(Hamlet.objects.filter(commune=OuterRef("pk")))
        return list(scope_for(request.user).communes().filter(has_hamlets).order_by("name").values_list("pk", "name"))

    def queryset(self, request, queryset):
        if _row_id(self.value()) is not None:
            return queryset.filter(**{self.lookup: _row_id(self.value())})
        return queryset


class HamletFilter(admin.SimpleListFilter):
    """Hamlets of the commune chosen in CommuneFilter (a province has ~1,500: 500 links rendered on every
    page of a list cost more than its query); before a commune is chosen, only the hamlet in use, if any."""

    title = _("hamlet")
    parameter_name = "hamlet"
    lookup = "hamlet"

    def has_output(self):
        # Shown even with no choice yet: a list filtered by ?hamlet= alone still applies (and shows) it.
        return True

    def lookups(self, request, model_admin):
        hamlets = scope_for(request.user).hamlets().order_by("commune__name", "name")
        commune, hamlet = _row_id(request.GET.get("commune")), _row_id(request.GET.get(self.parameter_name))
        if commune is not None:
            hamlets = hamlets.filter(commune=commune)
        elif hamlet is not None:
            hamlets = hamlets.filter(pk=hamlet)
        else:
            return []
        rows = hamlets.values_list("pk", "name", "commune__name")[:500]
        return [(pk, f"{name} ({commune_name})") for pk, name, commune_name in rows]

    def queryset(self, request, queryset):
        if _row_id(self.value()) is not None:
            return queryset.filter(**{self.lookup: _row_id(self.value())})
        return queryset


def filter_for(base, path):
    """A copy of CommuneFilter/HamletFilter that reaches the unit through `path`."""
    return type(f"{base.__name__}_{path}", (base,), {"lookup": path})
