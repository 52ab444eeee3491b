from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from teams.access import scope_for
from teams.admin_inline import FastTabularInline
from teams.admin_scope import (
    CommuneFilter,
    HamletFilter,
    LargeTableAdmin,
    ScopedAdmin,
    ScopedHistoryAdmin,
    ScopedInline,
    SuperuserOnlyAdmin,
    filter_for,
    search_term_cleaned,
)
from teams.audit import access_log
from teams.models import AccessLog

from .divisions import hamlets_move
from .forms import CONSENT_HELP, CONSENT_LABEL
from .lookup import households_search
from .models import Commune, Hamlet, Household, ImportRecord, Province
from .registry import EDITABLE_FIELDS, household_create, household_deactivate, household_update
from .search import normalize
from .validators import vietnamese_phone


@admin.register(Province)
class ProvinceAdmin(ScopedAdmin):
    list_display = ["code", "name", "division_type"]
    search_fields = ["code", "name"]


class HamletInline(ScopedInline, FastTabularInline):
    model = Hamlet
    fields = ["code", "name"]
    extra = 1

    def get_queryset(self, request):
        # A hamlet's name shows its commune's (Hamlet.__str__): one query for the rows, not one per hamlet.
        return super().get_queryset(request).select_related("commune")


@admin.register(Commune)
class CommuneAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
    inlines = [HamletInline]

    def get_readonly_fields(self, request, obj=None):
        # Communes change province only through load_divisions, which carries what hangs on them.
        return ["code", "province"] if obj is not None else []

    def save_formset(self, request, form, formset, change):
        # Hamlets take their commune's province (Hamlet.clean); a commune added with its hamlets has it only now.
        for hamlet in formset.save(commit=False):
            hamlet.province_id = form.instance.province_id
            hamlet.save()
        for hamlet in formset.deleted_objects:
            hamlet.delete()
        formset.save_m2m()


class MoveHamletsForm(forms.Form):
    """The commune, found by an accent-free search within the hamlets' province, and a new code for each
    hamlet whose code the new commune already uses."""

    search = forms.CharField(
        label=_("Find the commune"),
        required=False,
        max_length=100,
        help_text=_("Part of its name or its code, with or without accents (“ninh kieu”)."),
    )
    anywhere = forms.BooleanField(
        label=_("Also communes of other provinces"),
        required=False,
        help_text=_("Only where provinces were merged: the hamlet's visits and figures change province too."),
    )
    commune = forms.ModelChoiceField(queryset=Commune.objects.none(), label=_("New commune"))

    def __init__(self, *args, communes, hamlets, **kwargs):
        super().__init__(*args, **kwargs)
        if not (self.is_bound and self.data.get("anywhere")):
            communes = communes.filter(province__in={h.province_id for h in hamlets})
        needle = normalize(self.data.get("search", "") if self.is_bound else "")
        if needle:
            found = [pk for pk, name, code in communes.values_list("pk", "name", "code") if needle in normalize(name)]
            communes = communes.filter(Q(pk__in=found) | Q(code__startswith=needle))
        self.fields["commune"].queryset = communes.select_related("province").order_by("name")
        self.fields["commune"].empty_label = _("— choose the commune —")
        self.hamlets = list(hamlets)
        for hamlet in self.hamlets:
            self.fields[f"code_{hamlet.pk}"] = forms.CharField(
                label=_("New code of %(hamlet)s (now “%(code)s”)") % {"hamlet": hamlet.name, "code": hamlet.code},
                required=False,
                max_length=Hamlet._meta.get_field("code").max_length,
                help_text=_("Only if the new commune already has a hamlet with its code."),
            )

    def recode(self):
        return {h.pk: self.cleaned_data.get(f"code_{h.pk}", "") for h in self.hamlets}


@admin.register(Hamlet)
class HamletAdmin(ScopedHistoryAdmin):
    # 50 rows a page, as the large lists (LargeTableAdmin): a row's rendering is most of a list page's time.
    list_per_page = 50
    list_display = ["name", "code", "commune", "province"]
    list_filter = [filter_for(CommuneFilter, "commune")]
    search_fields = ["name", "code", "commune__name", "commune__code"]
    list_select_related = ["commune", "province"]
    autocomplete_fields = ["commune"]
    actions = ["move_to_commune"]

    def get_readonly_fields(self, request, obj=None):
        # A hamlet changes commune only through the move action, which carries its households and teams.
        return ["commune"] if obj is not None else []

    @admin.action(description=_("Move the selected hamlets to another commune"), permissions=["change"])
    def move_to_commune(self, request, queryset):
        """One action, as the 2025 reorganisation needed: households, teams and figures follow."""
        communes = scope_for(request.user).communes()
        hamlets = queryset.select_related("commune")
        # "find" narrows the communes offered (the search field); "apply" moves.
        applying = "apply" in request.POST
        bound = applying or "find" in request.POST
        form = MoveHamletsForm(request.POST if bound else None, communes=communes, hamlets=hamlets)
        if applying and form.is_valid():
            try:
                moved = hamlets_move(
                    hamlets=hamlets, commune=form.cleaned_data["commune"], by=request.user, recode=form.recode()
                )
            except ValidationError as e:
                for message in e.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    _("%(count)d hamlets moved to %(commune)s with their households, teams and history.")
                    % {"count": moved, "commune": form.cleaned_data["commune"]},
                    messages.SUCCESS,
                )
                return None
        elif bound and not applying:
            form = MoveHamletsForm(
                initial={"search": request.POST.get("search", ""), "anywhere": bool(request.POST.get("anywhere"))},
                communes=communes,
                hamlets=hamlets,
            )
            form.fields["commune"].queryset = (
                MoveHamletsForm(request.POST, communes=communes, hamlets=hamlets).fields["commune"].queryset
            )
        return render(
            request,
            "admin/households/hamlet/move.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Move hamlets to another commune"),
                "hamlets": hamlets,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class HouseholdAdminForm(forms.ModelForm):
    class Meta:
        labels = {"consent_given": CONSENT_LABEL}
        help_texts = {"consent_given": CONSENT_HELP}

    def clean_phone(self):
        return vietnamese_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("consent_given"):
            # Withdrawn consent takes the phone number with it (the field form's rule, registry.household_update);
            # save_related then clears it from the audit trail too.
            if "phone" in self.fields:
                cleaned["phone"] = ""
            else:
                self.instance.phone = ""
        return cleaned


@admin.register(Household)
class HouseholdAdmin(LargeTableAdmin, ScopedHistoryAdmin):
    form = HouseholdAdminForm
    list_display = ["head_name", "address", "masked_phone", "hamlet", "people_count", "poverty", "active"]
    list_filter = [
        filter_for(CommuneFilter, "hamlet__commune"),
        filter_for(HamletFilter, "hamlet"),
        "active",
        "poverty",
        "policy_family",
        "consent_given",
    ]
    search_fields = ["head_name", "address", "phone"]
    list_select_related = ["hamlet__commune"]
    autocomplete_fields = ["hamlet"]
    readonly_fields = [
        "data_link", "active", "deactivated_on", "first_visited_on", "last_visited_on", "created_at", "updated_at",
    ]  # fmt: skip
    list_per_page = 50

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not scope_for(request.user).handles_personal_data:
            # Those who do not handle personal data see the number masked here too.
            fields = ["masked_phone" if f == "phone" else f for f in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not scope_for(request.user).handles_personal_data:
            fields.append("masked_phone")
        return fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not form.instance.consent_given:
            form.instance.history.exclude(phone="").update(phone="")

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        scope = scope_for(request.user)
        if request.method == "GET" and response.status_code == 200 and scope.handles_personal_data:
            # The list shows full numbers to those who handle personal data: each page read is logged
            # (the page, not the search typed, which may hold a name the log must not keep).
            page = request.GET.get("p", "")[:10]
            access_log(
                request=request,
                action=AccessLog.Action.VIEW_HOUSEHOLD,
                province=scope.province,
                unit="admin list",
                detail=f"page {page}" if page else "",
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            household = self.get_object(request, object_id)
            access_log(request=request, action=AccessLog.Action.VIEW_HOUSEHOLD, household=household, detail="admin")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._log_history_read(request, object_id, response, "admin history")
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._log_history_read(request, object_id, response, f"admin history #{version_id}")
        return response

    def _log_history_read(self, request, object_id, response, detail):
        # The history shows every former full phone number: its reads are logged like the change page's.
        if response.status_code == 200:
            household = self.get_object(request, object_id)
            access_log(request=request, action=AccessLog.Action.VIEW_HOUSEHOLD, household=household, detail=detail)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # The history holds every former phone number (list and version pages alike).
        if not scope_for(request.user).handles_personal_data:
            return False
        return super().has_view_history_or_change_history_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Through the register's write functions: locked, derived keys set, coverage counters kept.
        if change:
            changed = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
            household_update(household=obj, **changed)
        else:
            household_create(household=obj)

    actions = ["mark_moved_away"]

    @admin.action(description=_("Mark the selected households as moved away"), permissions=["change"])
    def mark_moved_away(self, request, queryset):
        households = list(queryset.filter(active=True))
        for household in households:
            household_deactivate(household=household)
        self.message_user(
            request, _("%(count)d households marked as moved away; their visits are kept.") % {"count": len(households)}
        )

    def has_delete_permission(self, request, obj=None):
        # Households are never deleted: one that moved away is deactivated, an erasure anonymises.
        return False

    def get_list_display(self, request):
        # Full numbers only for those who handle personal data (province administrators).
        if scope_for(request.user).handles_personal_data:
            return [("phone" if f == "masked_phone" else f) for f in self.list_display]
        return self.list_display

    @admin.display(description=_("phone"))
    def masked_phone(self, household):
        return household.masked_phone

    @admin.display(description=_("personal data"))
    def data_link(self, household):
        if household.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("households:data", args=[household.pk]), _("Data of this household")
        )

    def get_search_results(self, request, queryset, search_term):
        # "nguyen van an" finds "Nguyễn Văn An": the field list's search, phone digits only for those
        # who see phones (the list, the autocomplete of a visit's household: both come here).
        term = search_term_cleaned(search_term)
        if not normalize(term):
            return queryset, False
        return households_search(queryset, term, sees_phones=scope_for(request.user).handles_personal_data), False


@admin.register(ImportRecord)
class ImportRecordAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    """The audit trail of imports (who, when, which file, the counts): read only, kept."""

    list_display = ["uploaded_at", "kind", "file_name", "user", "commune", "confirmed_at", "counts"]
    list_filter = ["kind", ("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "commune"]
    search_fields = ["file_name", "user__username"]
    fields = ["kind", "file_name", "user", "commune", "uploaded_at", "confirmed_at", "counts", "column_map"]
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
