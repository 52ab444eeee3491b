"""Field pages for households: the team's list, a household's page, register, edit, deactivate."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from teams.access import can_log_visits, handles_personal_data, is_team_leader, scope_for
from teams.audit import access_log
from teams.models import AccessLog, Assistance, Service, Visit
from teams.ratelimit import export_rate_limited

from .forms import AnonymiseForm, DeactivateForm, HouseholdFilterForm, HouseholdForm
from .lookup import page_service_states, service_states, short_label, with_adoptions
from .privacy import household_anonymise, household_data
from .registry import household_deactivate, household_namesakes, household_register, household_update

PAGE_SIZE = 25
LIST_FIELDS = (
    "hamlet",
    "head_name",
    "address",
    "phone",
    "poverty",
    "policy_family",
    "active",
    "last_visited_on",
)
HISTORY_SIZE = 50
# Beyond it the offset would overflow the database's integers; no list is that long.
MAX_PAGE = 10**9


def field_scope(request):
    """The scope of a team member or leader; field pages are a 404 for everybody else."""
    if not can_log_visits(request.user):
        raise Http404("Field pages are for team members.")
    return scope_for(request.user)


def active_services():
    return list(Service.objects.filter(active=True).order_by("order", "code"))


def counted_page(queryset, number, per_page):
    """`Paginator(queryset, per_page).get_page(number)`, with the rows and their total read in one query.

    The rows carry `COUNT(pk) OVER ()`: the count a paginator asks first, in
    the statement that reads the page. The page number, as the query string
    gives it, is read as `get_page` reads it (anything but a whole number is
    page 1). A page past the end
    finds no rows, and one below 1 or beyond any table is not looked for:
    both go the paginator's way, to the last page.
    """
    paginator = Paginator(queryset, per_page)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    if 1 <= number <= MAX_PAGE:
        start = (number - 1) * per_page
        rows = list(queryset.annotate(total_rows=Window(Count("pk")))[start : start + per_page])
        if rows or number == 1:
            paginator.count = rows[0].total_rows if rows else 0  # the cached_property, set before it runs
            return Page(rows, number, paginator)
    return paginator.get_page(number)


@login_required
def household_list(request):
    scope = field_scope(request)
    services = active_services()
    hamlets, households = scope.hamlets_and_households()
    form = HouseholdFilterForm(
        request.GET or None, hamlets=hamlets, services=services, sees_phones=scope.handles_personal_data
    )
    # What a row shows, and not the rest of a wide row: read 25 at a time by every member, all day.
    page = counted_page(form.apply(households).only(*LIST_FIELDS), request.GET.get("page"), PAGE_SIZE)
    if not page.object_list and form.searching:  # nothing as typed: forgive a typo per word
        page = counted_page(
            form.apply(households, forgiving=True).only(*LIST_FIELDS), request.GET.get("page"), PAGE_SIZE
        )
    # The rows' hamlets are the team's, listed for the filter already: no join for them.
    hamlet_of = {hamlet.pk: hamlet for hamlet in hamlets}
    for household in page.object_list:
        if household.hamlet_id in hamlet_of:  # else (moved away from the team meanwhile) it loads its own
            household.hamlet = hamlet_of[household.hamlet_id]
    rows = page_service_states(page.object_list, services)
    return render(
        request,
        "households/list.html",
        {"form": form, "page": page, "rows": rows, "legend": [(short_label(s), s.display_name) for s in services]},
    )


@login_required
def household_detail(request, pk):
    scope = field_scope(request)
    household = get_object_or_404(with_adoptions(scope.households().select_related("hamlet")), pk=pk)
    access_log(request=request, action=AccessLog.Action.VIEW_HOUSEHOLD, household=household, unit=household.hamlet.name)
    adoptions = {a.service_id: a for a in household.adoptions.all()}
    all_services = list(Service.objects.order_by("order", "code"))
    # Retired services stay on the page where the household has a history with them.
    services = [s for s in all_services if s.active or s.pk in adoptions]
    # Voided visits are listed too, marked: a correction is visible, never silent (DESIGN.md "Figures over time").
    visits = list(
        Visit.all_objects.filter(household=household)
        .select_related("member")
        .order_by("-visited_on", "-recorded_at")[:HISTORY_SIZE]
    )
    _add_help(visits, all_services)
    _add_other_users(visits)
    return render(
        request,
        "households/detail.html",
        {
            "household": household,
            "states": service_states(household, services),
            "visits": visits,
            "correctable": {visit.pk for visit in visits if scope.may_correct(visit)},
            "visit_count": _visit_count(household, visits),
            "history_size": HISTORY_SIZE,
        },
    )


def _add_help(visits, services):
    """Each visit's help as `visit.help`, its services from those read already: one query, no join, no prefetch."""
    service_of = {service.pk: service for service in services}
    help_given = {visit.pk: [] for visit in visits}
    if help_given:
        for assistance in Assistance.objects.filter(visit__in=list(help_given)).order_by("pk"):
            assistance.service = service_of[assistance.service_id]
            help_given[assistance.visit_id].append(assistance)
    for visit in visits:
        visit.help = help_given[visit.pk]


def _add_other_users(visits):
    """The users a history names besides the visiting members: who voided a visit, who recorded one for another.

    Few visits have them: one query for those that do, rather than two joins of the user table on every row.
    """
    wanted = {visit.voided_by_id for visit in visits if visit.voided_at is not None}
    wanted |= {visit.recorded_by_id for visit in visits if visit.recorded_by_id != visit.member.user_id}
    wanted.discard(None)
    if not wanted:
        return
    user_model = get_user_model()
    users = user_model.objects.only(user_model.USERNAME_FIELD, "first_name", "last_name").in_bulk(wanted)
    for visit in visits:
        if visit.voided_by_id in users:
            visit.voided_by = users[visit.voided_by_id]
        if visit.recorded_by_id in users:
            visit.recorded_by = users[visit.recorded_by_id]


def _visit_count(household, visits):
    """The household's visits that count: those of its history when the history holds them all (no query)."""
    if len(visits) < HISTORY_SIZE:
        return sum(1 for visit in visits if visit.voided_at is None)
    return household.visits.count()


def _save_household(request, form, scope, household=None):
    """Register or update from a valid form unless a namesake needs a second look; returns the household."""
    data = form.household_fields()
    namesakes = []
    if household is None or household.head_name != data["head_name"] or household.hamlet_id != data["hamlet"].pk:
        namesakes = household_namesakes(hamlet=data["hamlet"], head_name=data["head_name"], exclude=household)
        namesakes = list(namesakes[:5])
    if namesakes and not form.cleaned_data["confirm_namesake"]:
        form.ask_about_namesakes(namesakes)
        return None
    if household is None:
        household = household_register(**data)
        messages.success(request, _("Household of %(name)s registered.") % {"name": household.head_name})
    else:
        household = household_update(household=household, **data)
        messages.success(request, _("Household of %(name)s saved.") % {"name": household.head_name})
    return household


@login_required
def household_new(request):
    scope = field_scope(request)
    form = HouseholdForm(request.POST or None, hamlets=scope.hamlets().order_by("name"))
    if request.method == "POST" and form.is_valid():
        household = _save_household(request, form, scope)
        if household is not None:
            return redirect("households:detail", pk=household.pk)
    return render(request, "households/form.html", {"form": form, "household": None})


@login_required
def household_edit(request, pk):
    scope = field_scope(request)
    household = get_object_or_404(scope.households().select_related("hamlet"), pk=pk)
    if request.method == "GET":  # the form shows the full phone number
        access_log(request=request, action=AccessLog.Action.VIEW_HOUSEHOLD, household=household, detail="edit")
    form = HouseholdForm(request.POST or None, instance=household, hamlets=scope.hamlets().order_by("name"))
    if request.method == "POST" and form.is_valid():
        # The form validated against a copy: `household` holds the values stored so far.
        stored = scope.households().get(pk=household.pk)
        saved = _save_household(request, form, scope, household=stored)
        if saved is not None:
            return redirect("households:detail", pk=saved.pk)
    return render(request, "households/form.html", {"form": form, "household": household})


@login_required
def household_deactivate_view(request, pk):
    scope = field_scope(request)
    if not is_team_leader(request.user):
        raise Http404("Only the team leader deactivates households.")
    household = get_object_or_404(scope.households().filter(active=True).select_related("hamlet"), pk=pk)
    form = DeactivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        household_deactivate(household=household)
        messages.success(
            request,
            _("Household of %(name)s marked as moved away. Its visits are kept.") % {"name": household.head_name},
        )
        return redirect("households:detail", pk=household.pk)
    return render(request, "households/deactivate.html", {"form": form, "household": household})


def _data_request_household(request, pk):
    """A household of the scope, for those who answer personal-data requests; 404 for anyone else."""
    if not handles_personal_data(request.user):
        raise Http404("Only the team leader or the province's administrators handle data requests.")
    return get_object_or_404(scope_for(request.user).households().select_related("hamlet__commune"), pk=pk)


@login_required
def household_data_view(request, pk):
    household = _data_request_household(request, pk)
    access_log(request=request, action=AccessLog.Action.HOUSEHOLD_DATA, household=household, detail="page")
    return render(request, "households/data.html", {"household": household, "data": household_data(household)})


@login_required
@export_rate_limited
def household_data_export(request, pk):
    household = _data_request_household(request, pk)
    access_log(request=request, action=AccessLog.Action.HOUSEHOLD_DATA, household=household, detail="json")
    response = JsonResponse(household_data(household), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="household-{household.pk}.json"'
    return response


@login_required
def household_anonymise_view(request, pk):
    household = _data_request_household(request, pk)
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        household_anonymise(household=household)
        access_log(request=request, action=AccessLog.Action.ANONYMISE, household=household)
        messages.success(request, _("The household's name, address, phone and notes were removed. Its counts stay."))
        return redirect("households:data", pk=household.pk)
    return render(request, "households/anonymise.html", {"form": form, "household": household})
