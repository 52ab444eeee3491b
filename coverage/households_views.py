"""Officials' read-only view of households: the scope's list (phones masked) and a hamlet's follow-up list.

DESIGN.md "Who may see and do what": officials may read the households of
their scope, phones masked, to follow up refusals and pending visits; they do
not log visits. Who may open these pages is `teams.access.can_read_households`;
what they show is the scope's (`scope.households()`, `scope.hamlets()`).
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from households.lookup import households_search
from teams.access import can_read_households, scope_for
from teams.audit import access_log
from teams.models import AccessLog, Adoption, Outcome, Service

PAGE_SIZE = 50
FOLLOW_UP_OUTCOMES = (Outcome.DECLINED, Outcome.FOLLOW_UP)


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Head's name or address, with or without accents."),
    )
    hamlet = forms.ModelChoiceField(
        label=_("Hamlet"),
        required=False,
        queryset=None,
        empty_label=_("All hamlets"),
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )

    def __init__(self, *args, hamlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hamlet"].queryset = hamlets


def _official_scope(request):
    if not can_read_households(request.user):
        raise Http404("Officials' household pages.")
    return scope_for(request.user)


@login_required
@require_GET
def households_page(request):
    """The scope's active households, searchable and by hamlet, phones masked; each view is logged."""
    scope = _official_scope(request)
    hamlets = scope.hamlets().select_related("commune").order_by("commune__name", "name")
    form = HouseholdSearchForm(request.GET or None, hamlets=hamlets)
    households = scope.households().filter(active=True)
    if form.is_valid():
        if form.cleaned_data["hamlet"] is not None:
            households = households.filter(hamlet=form.cleaned_data["hamlet"])
        households = households_search(households, form.cleaned_data["q"], sees_phones=False)
    households = households.select_related("hamlet__commune").order_by("search_key", "id")
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log(
        request=request,
        action=AccessLog.Action.VIEW_HOUSEHOLD,
        province=scope.province,
        unit=str(scope.label),
        detail=f"official list, page {page.number}",
    )
    return render(request, "coverage/households.html", {"form": form, "page": page})


@dataclass
class FollowUp:
    service: Service
    rows: list  # [(household, Adoption)], the household's last visit date on it


@login_required
@require_GET
def hamlet_follow_up(request, pk):
    """Per service: the hamlet's active households whose last outcome declined it or needs a follow-up,
    and that have not adopted it, with the date of their last visit."""
    scope = _official_scope(request)
    hamlet = get_object_or_404(scope.hamlets().select_related("commune__province"), pk=pk)
    adoptions = (
        Adoption.objects.filter(
            household__hamlet=hamlet,
            household__active=True,
            last_outcome__in=FOLLOW_UP_OUTCOMES,
            first_adopted_on__isnull=True,
        )
        .select_related("household", "service")
        .order_by("service__order", "service__code", "household__search_key", "household_id")
    )
    by_service = {}
    for adoption in adoptions:
        by_service.setdefault(adoption.service_id, FollowUp(adoption.service, [])).rows.append(adoption)
    access_log(
        request=request,
        action=AccessLog.Action.VIEW_HOUSEHOLD,
        province=hamlet.province_id,
        unit=hamlet.name,
        detail="follow-up list",
    )
    return render(
        request,
        "coverage/follow_up.html",
        {"hamlet": hamlet, "lists": list(by_service.values()), "outcomes": dict(Outcome.choices)},
    )
