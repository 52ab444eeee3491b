import functools

from axes.models import AccessAttempt as AxesAccessAttempt
from axes.models import AccessFailureLog as AxesAccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from households.models import Household

from .admin_inline import FastTabularInline
from .admin_scope import (
    CommuneFilter,
    HamletFilter,
    LargeTableAdmin,
    ScopedAdmin,
    ScopedHistoryAdmin,
    ScopedInline,
    filter_for,
    register_superuser_only,
)
from .admin_widgets import RowsAutocompleteSelect
from .counters import household_tracked
from .logins import AdminLoginCreationForm, LoginChangeForm
from .models import AccessLog, Adoption, Assistance, Member, Official, Service, Team, Visit
from .visits import assistance_delete, household_state_refresh, visit_date_problem, visit_delete


class MemberInline(ScopedInline, FastTabularInline):
    model = Member
    fields = ["full_name", "phone", "role", "organisation", "user", "active"]
    autocomplete_fields = ["user"]
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("user")
        widget = getattr(getattr(field, "widget", None), "widget", None)
        if obj is not None and isinstance(widget, RowsAutocompleteSelect):
            # The members' logins in one query (in the scope, as the widget's own would), not one a row.
            widget.preload(field.queryset.filter(pk__in=obj.members.values("user_id")))
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and type(field.widget) is AutocompleteSelect:
            field.widget.__class__ = RowsAutocompleteSelect
        return field


@admin.register(Team)
class TeamAdmin(ScopedHistoryAdmin):
    # 50 rows a page, as the large lists (LargeTableAdmin): a row's rendering is most of a list page's time.
    list_per_page = 50
    list_display = ["name", "commune", "founded_on", "active"]
    list_filter = [filter_for(CommuneFilter, "commune"), "active"]
    search_fields = ["name", "commune__name"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune", "hamlets"]
    inlines = [MemberInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        team = form.instance
        strays = team.hamlets.exclude(commune=team.commune_id)
        if strays.exists():
            # Teams serve hamlets of their own commune only.
            team.hamlets.remove(*strays)
            self.message_user(
                request,
                _("Hamlets outside %(commune)s were removed from the team: %(names)s")
                % {"commune": team.commune, "names": ", ".join(h.name for h in strays)},
                level="warning",
            )


@admin.register(Member)
class MemberAdmin(ScopedHistoryAdmin):
    # 50 rows a page, as the large lists (LargeTableAdmin): a row's rendering is most of a list page's time.
    list_per_page = 50
    list_display = ["full_name", "team", "role", "organisation", "phone", "user", "active"]
    list_filter = [filter_for(CommuneFilter, "team__commune"), "role", "active"]
    search_fields = ["full_name", "phone", "team__name", "user__username"]
    list_select_related = ["team", "user"]
    autocomplete_fields = ["team", "user"]


@admin.register(Official)
class OfficialAdmin(ScopedHistoryAdmin):
    list_display = ["user", "province", "commune", "position"]
    list_filter = ["province"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "commune__name"]
    list_select_related = ["user", "province", "commune"]
    autocomplete_fields = ["user", "province", "commune"]

    def has_change_permission(self, request, obj=None):
        # Nobody widens their own scope.
        if obj is not None and obj.user_id == request.user.pk and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    has_delete_permission = has_change_permission


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    list_display = [
        "code", "name", "pillar", "order", "offered_from", "retired_on", "counts_for_coverage", "counters_pending",
    ]  # fmt: skip
    list_editable = ["order", "counts_for_coverage"]
    list_filter = ["pillar", "active"]
    search_fields = ["code", "name", "name_en"]

    def save_model(self, request, obj, form, change):
        if not change or "pillar" in form.changed_data:
            # The counters keep every subset of a pillar's services: a new service or pillar adds subsets,
            # counted by a rebuild of every counter. That takes minutes at a province of a million households,
            # too long for a request: a command does it, and until then the figures leave the service out.
            obj.counters_pending = True
        super().save_model(request, obj, form, change)
        if obj.counters_pending:
            self.message_user(
                request,
                _(
                    "%(service)s is saved but left out of the coverage figures until the counters are rebuilt: "
                    "run “manage.py rebuild_counters” on the server."
                )
                % {"service": obj},
                messages.WARNING,
            )

    # The catalogue is national: only a superuser changes it.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class AssistanceInline(FastTabularInline):
    model = Assistance
    fields = ["service", "outcome", "people_helped"]
    # One blank row ("Add another" gives more): each row is a dozen widgets, a third of the page for three.
    extra = 1

    def get_queryset(self, request):
        # A row's title names its service (Assistance.__str__).
        return super().get_queryset(request).select_related("service")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "service":
            # The catalogue read once for every row's select, not once a row (validation still reads the queryset).
            field.choices = list(field.choices)
        return field


class VisitAdminForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["household", "member", "visited_on", "note"]

    def clean(self):
        cleaned = super().clean()
        visited_on, household = cleaned.get("visited_on"), cleaned.get("household")
        if visited_on and household:
            problem = visit_date_problem(visited_on=visited_on, household=household)
            if problem:
                self.add_error("visited_on", problem)
        return cleaned


@functools.cache
def _yes_no_icon(value):
    """The admin's icon of a boolean column, its static URL looked up once, not once a row (boolean=True)."""
    return _boolean_icon(value)


class VoidedFilter(admin.SimpleListFilter):
    title = _("voided")
    parameter_name = "voided"

    def lookups(self, request, model_admin):
        return [("no", _("Counted")), ("yes", _("Voided"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(voided_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(voided_at__isnull=True)
        return queryset


@admin.register(Visit)
class VisitAdmin(LargeTableAdmin, ScopedHistoryAdmin):
    """Corrections: saving or deleting a visit here recomputes its household's state."""

    form = VisitAdminForm
    list_display = ["visited_on", "household", "member", "recorded_by", "recorded_at", "voided"]
    list_filter = [
        # The visit's own hamlet key (its household's, kept in step): the list reads a commune's visits from an index.
        filter_for(CommuneFilter, "hamlet__commune"),
        filter_for(HamletFilter, "hamlet"),
        "visited_on",
        VoidedFilter,
    ]
    # Voided in the field (teams.corrections): shown, not undone here; the visit stays out of the figures.
    readonly_fields = ["voided_at", "voided_by", "void_reason"]

    @admin.display(description=_("voided"), ordering="voided_at")
    def voided(self, obj):
        return _yes_no_icon(obj.voided_at is not None)

    search_fields = ["household__head_name", "member__full_name"]
    list_select_related = ["household", "member", "recorded_by"]
    # What the columns and Visit.__str__ (the checkbox's label) read: a page of whole visits, households,
    # members and logins was some 45 columns a row.
    list_fields_read = [
        "visited_on", "recorded_at", "voided_at", "household__head_name", "household__address",
        "member__full_name", "recorded_by__username",
    ]  # fmt: skip
    autocomplete_fields = ["household", "member"]
    inlines = [AssistanceInline]

    def save_model(self, request, obj, form, change):
        obj._households_to_refresh = {obj.household_id}
        if change and "household" in form.changed_data:
            obj._households_to_refresh.add(form.initial["household"])
        # The admin's view is one transaction: lock the households and note their counters before the change.
        obj._tracked = [
            household_tracked(household).__enter__()
            for household in Household.objects.select_for_update()
            .filter(pk__in=obj._households_to_refresh)
            .order_by("pk")
        ]
        obj.province_id, obj.hamlet_id = obj.household.province_id, obj.household.hamlet_id
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for assistance in formset.save(commit=False):
            assistance.province_id = form.instance.province_id
            assistance.save()
        for assistance in formset.deleted_objects:
            assistance.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        with transaction.atomic():
            # A visit moved to another household carries its assistance's distribution key along.
            form.instance.assistances.exclude(province_id=form.instance.province_id).update(
                province_id=form.instance.province_id
            )
            for tracked in form.instance._tracked:
                tracked.after(household_state_refresh(tracked.household, adoptions=tracked.adoptions))
                tracked.__exit__(None, None, None)

    def delete_model(self, request, obj):
        visit_delete(visit=obj)

    def delete_queryset(self, request, queryset):
        for visit in queryset.select_related("household"):
            visit_delete(visit=visit)


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Adoption)
class AdoptionAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """Derived from the visits: read only; correct the visits instead."""

    list_display = ["household", "service", "first_adopted_on", "last_outcome", "last_visited_on"]
    list_filter = ["service", "last_outcome", filter_for(CommuneFilter, "hamlet__commune")]
    search_fields = ["household__head_name"]
    list_select_related = ["household", "service"]


@admin.register(Assistance)
class AssistanceAdmin(LargeTableAdmin, ScopedHistoryAdmin, ReadOnlyAdmin):
    """Read here, with its audit trail; corrected through its visit."""

    list_display = ["visit", "service", "outcome", "people_helped"]
    list_filter = ["service", "outcome"]
    search_fields = ["visit__household__head_name"]
    list_select_related = ["visit__household", "service"]

    def has_delete_permission(self, request, obj=None):
        # Deleting a visit in the admin deletes its assistance: the cascade asks this.
        return ScopedAdmin.has_delete_permission(self, request, obj)

    # Deleting rows here (one, or the list's action) recomputes their households' state and counters.
    def delete_model(self, request, obj):
        assistance_delete(assistances=[obj])

    def delete_queryset(self, request, queryset):
        assistance_delete(assistances=queryset.select_related("visit"))


@admin.register(AccessLog)
class AccessLogAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """Views of household pages and exports, for the province's administrators."""

    list_display = ["at", "user", "action", "unit", "household", "detail"]
    list_filter = ["action", "at"]
    search_fields = ["user__username", "unit", "household__head_name"]
    list_select_related = ["user", "household"]


admin.site.site_header = _("Gõ Cửa administration")
admin.site.site_title = _("Gõ Cửa")
admin.site.index_title = _("Divisions, teams, households and visits")


class ScopedUserAdmin(ScopedAdmin, UserAdmin):
    """Logins, cut to the province; only a superuser hands out admin rights."""

    # User names: ASCII letters, digits and ._- only, unique without regard to case.
    add_form = AdminLoginCreationForm
    form = LoginChangeForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), ScopedUserAdmin)
# Permission groups and django-axes' login attempts belong to no province: a province
# administrator holding every permission still must not read or rewrite them.
register_superuser_only(admin.site, Group, AxesAccessAttempt, AxesAccessLog, AxesAccessFailureLog)
