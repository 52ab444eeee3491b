"""Officials' read-only view of households: the scope's list (phones masked) and a hamlet's follow-up list.

DESIGN.md "Who may see and do what": officials may read the households of
their scope, phones masked, to follow up refusals and pending visits; they do
not log visits. Who may open these pages is `teams.access.can_read_households`;
what they show is the scope's (`scope.households()`, `scope.hamlets()`).
"""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from households.forms import ListedChoiceField
from households.lookup import households_search
from households.models import Household
from teams.access import can_read_households, scope_for
from teams.audit import access_log
from teams.models import AccessLog, Adoption, Outcome, Service

PAGE_SIZE = 50
# What a row shows (a household's row is wide: its search key, uuid and dates stay unread).
LIST_FIELDS = (
    "head_name",
    "address",
    "phone",
    "people_count",
    "last_visited_on",
    "hamlet__name",
    "hamlet__commune__name",
)
FOLLOW_UP_OUTCOMES = (Outcome.DECLINED, Outcome.FOLLOW_UP)


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Head's name or address, with or without accents."),
    )
    hamlet = ListedChoiceField(
        label=_("Hamlet"),
        required=False,
        queryset=None,
        empty_label=_("All hamlets"),
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )

    def __init__(self, *args, hamlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hamlet"].offer(hamlets)


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
    households = households.select_related("hamlet__commune").only(*LIST_FIELDS).order_by("search_key", "id")
    # A paginator's count, then the page: the total counted alongside the rows (`COUNT(*) OVER ()`)
    # would sort all of a commune's rows, not the top 50 (at 1M, EXPLAIN ANALYZE: 7.8 against 1.9 + 5.1 ms).
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log(
        request=request,
        action=AccessLog.Action.VIEW_HOUSEHOLD,
        province=scope.province,
        unit=str(scope.label),
        detail=f"official list, page {page.number}",
    )
    return render(request, "coverage/households.html", {"form": form, "page": page})


class FollowUpRow(NamedTuple):
    """A household on a follow-up list, read as a plain tuple (a large hamlet lists hundreds)."""

    household_id: int
    head_name: str
    address: str
    phone: str
    last_outcome: str
    last_visited_on: date | None
    masked_phone = Household.masked_phone  # the household's rule, on the row's phone


@dataclass
class FollowUp:
    service: Service
    rows: list  # [FollowUpRow], the household's last visit date on it
    html: str = ""  # the rows' <tr>s (`follow_up_rows`)


def follow_up_rows(rows, outcomes):
    """The <tr>s of a list, as the template wrote them cell by cell (a template loop over hundreds of rows
    was most of the page's time): the same text, escaped the same way, a date formatted once per day."""
    dates = {}
    short_date = get_format("SHORT_DATE_FORMAT")
    html = []
    for row in rows:
        day = row.last_visited_on
        if day not in dates:
            dates[day] = dateformat.format(day, short_date) if day else ""
        cells = (row.head_name, row.address, row.masked_phone or "—", outcomes[row.last_outcome], dates[day])
        tds = "".join(f"      <td>{conditional_escape(c)}</td>\n" for c in cells)
        html.append(f"\n    <tr>\n{tds}    </tr>\n  ")
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above


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
        .order_by("service__order", "service__code", "household__search_key", "household_id")
        .values_list(
            "service_id",
            "household_id",
            "household__head_name",
            "household__address",
            "household__phone",
            "last_outcome",
            "household__last_visited_on",
        )
    )
    by_service = {}
    for service_id, *row in adoptions:
        by_service.setdefault(service_id, []).append(FollowUpRow(*row))
    services = Service.objects.in_bulk(list(by_service))
    outcomes = dict(Outcome.choices)
    lists = [FollowUp(services[sid], rows, follow_up_rows(rows, outcomes)) for sid, rows in by_service.items()]
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
        {"hamlet": hamlet, "lists": lists},
    )
