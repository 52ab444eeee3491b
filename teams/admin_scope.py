"""What every Gõ Cửa ModelAdmin shares: lists, choices, filters and object pages cut to the user's scope.

An object outside the scope is a 404 on every admin URL that takes an id
(change, delete, history, django-simple-history's version page), never the
admin's redirect with "doesn't exist" nor a page of another province.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponseNotAllowed, QueryDict
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from households.models import Commune, Hamlet, Household, Province

from .access import scope_for
from .models import Member, Team


def scoped_choices():
    """Models whose choices in any admin form are cut to the user's scope."""
    return (Province, Commune, Hamlet, Household, Team, Member, get_user_model())


class SafeChangeList(ChangeList):
    """A date hierarchy year Python cannot hold (year=99999999999, 9999 + 1) is a bad lookup, not a 500."""

    def get_filters(self, request):
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


class ScopedAdmin(admin.ModelAdmin):
    """A province administrator sees and picks only what lies in their province."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def changelist_view(self, request, extra_context=None):
        request.GET = _without_nul(request.GET)
        return super().changelist_view(request, extra_context)

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

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model in (Hamlet,):
            kwargs["queryset"] = scope_for(request.user).for_model(db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django answers an id it cannot find (here: outside the scope) with a redirect and a
        # message that names the id; a 404 tells nothing, as on the rest of the site.
        raise Http404


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
        communes = scope_for(request.user).communes().filter(hamlets__isnull=False).distinct().order_by("name")
        return [(c.pk, c.name) for c in communes]

    def queryset(self, request, queryset):
        if _row_id(self.value()) is not None:
            return queryset.filter(**{self.lookup: _row_id(self.value())})
        return queryset


class HamletFilter(admin.SimpleListFilter):
    """Hamlets of the scope, narrowed to the commune chosen in CommuneFilter."""

    title = _("hamlet")
    parameter_name = "hamlet"
    lookup = "hamlet"

    def lookups(self, request, model_admin):
        hamlets = scope_for(request.user).hamlets().select_related("commune").order_by("commune__name", "name")
        commune = request.GET.get("commune")
        if _row_id(commune) is not None:
            hamlets = hamlets.filter(commune=_row_id(commune))
        return [(h.pk, f"{h.name} ({h.commune.name})") for h in hamlets[:500]]

    def queryset(self, request, queryset):
        if _row_id(self.value()) is not None:
            return queryset.filter(**{self.lookup: _row_id(self.value())})
        return queryset


def filter_for(base, path):
    """A copy of CommuneFilter/HamletFilter that reaches the unit through `path`."""
    return type(f"{base.__name__}_{path}", (base,), {"lookup": path})
