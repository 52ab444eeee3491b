from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.views import active_services, field_scope

from .access import correction_window_start, is_team_leader
from .corrections import visit_twin, visit_void
from .forms import MemberForm, VisitForm, VisitVoidForm, visit_initial
from .logins import LoginCreationForm, suggested_username
from .models import Outcome
from .roster import member_create, member_deactivate, member_login_create, member_reactivate, member_update
from .visits import visit_record, visit_update


@login_required
def visit_log(request, pk):
    """Log a visit at one of the team's households: Post/Redirect/Get, stored once per form UUID."""
    scope = field_scope(request)
    household = get_object_or_404(scope.households(), pk=pk)
    if not household.active:
        messages.error(request, _("This household has moved away: no new visits can be logged."))
        return redirect("households:detail", pk=household.pk)
    form = VisitForm(request.POST or None, household=household, services=active_services())
    twin = None
    if request.method == "POST" and form.is_valid():
        outcomes = form.outcomes()
        if not form.cleaned_data["again"]:
            twin = visit_twin(
                member=scope.member,
                household=household,
                visited_on=form.cleaned_data["visited_on"],
                outcomes=outcomes,
                uuid=form.cleaned_data["uuid"],
            )
        if twin is not None:
            # Back then Save brought the form again with a new UUID: ask before storing a second visit.
            form.data = form.data.copy()
            form.data["again"] = "1"
            return render(request, "teams/visit_form.html", {"form": form, "household": household, "twin": twin})
        try:
            visit, created = visit_record(
                member=scope.member,
                household=household,
                visited_on=form.cleaned_data["visited_on"],
                outcomes=outcomes,
                uuid=form.cleaned_data["uuid"],
                note=form.cleaned_data["note"].strip(),
                recorded_by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if created:
                set_up = sum(1 for help_given in outcomes.values() if help_given.outcome == Outcome.SET_UP)
                messages.success(
                    request,
                    ngettext(
                        "Visit to %(name)s saved: %(count)d service set up.",
                        "Visit to %(name)s saved: %(count)d services set up.",
                        set_up,
                    )
                    % {"name": household.head_name, "count": set_up},
                )
            else:
                messages.info(request, _("This visit was already saved; it was not stored twice."))
            return redirect("households:detail", pk=visit.household_id)
    return render(request, "teams/visit_form.html", {"form": form, "household": household})


def _correctable_visit(request, pk):
    """A visit the user may correct or void in the field; any other is a 404 (`Scope.correctable_visits`)."""
    scope = field_scope(request)
    return get_object_or_404(scope.correctable_visits().select_related("household", "member"), pk=pk)


def _services_of(help_given):
    """The active services, and any retired one of `help_given` (the visit's help, with its services), so
    that a correction keeps its help."""
    services = active_services()
    offered = {s.pk for s in services}
    retired = {a.service_id: a.service for a in help_given if a.service_id not in offered}
    return services + sorted(retired.values(), key=lambda s: (s.order, s.code))


@login_required
def visit_edit(request, pk):
    """Correct a visit of the team's, of this month or the last: the visit form, prefilled, same rules."""
    visit = _correctable_visit(request, pk)
    household = visit.household
    help_given = list(visit.assistances.select_related("service"))
    form = VisitForm(
        request.POST or None,
        household=household,
        services=_services_of(help_given),
        initial=visit_initial(visit, help_given),
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["visited_on"] < correction_window_start():
            form.add_error("visited_on", _("A correction keeps the visit within this month or the last."))
        else:
            try:
                visit_update(
                    visit=visit,
                    visited_on=form.cleaned_data["visited_on"],
                    outcomes=form.outcomes(),
                    note=form.cleaned_data["note"].strip(),
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The visit of %(date)s was corrected.") % {"date": _day(visit.visited_on)})
                return redirect("households:detail", pk=household.pk)
    return render(request, "teams/visit_form.html", {"form": form, "household": household, "correcting": visit})


@login_required
def visit_void_view(request, pk):
    """Void a visit of the team's, of this month or the last, with a reason: it leaves every figure."""
    visit = _correctable_visit(request, pk)
    form = VisitVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit_void(visit=visit, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The visit of %(date)s was voided.") % {"date": _day(visit.visited_on)})
            return redirect("households:detail", pk=visit.household_id)
    return render(request, "teams/visit_void.html", {"form": form, "visit": visit, "household": visit.household})


def _day(day):
    return day.strftime("%d/%m/%Y")


def leader_scope(request):
    """The scope of a team leader; the roster pages are a 404 for everybody else."""
    scope = field_scope(request)
    if not is_team_leader(request.user):
        raise Http404("The roster is managed by the team leader.")
    return scope


@login_required
def roster(request):
    scope = leader_scope(request)
    members = scope.members().select_related("user").order_by("-active", "-role", "full_name")
    return render(request, "teams/roster.html", {"members": members, "team": scope.team})


@login_required
def member_new(request):
    scope = leader_scope(request)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = member_create(team=scope.team, **form.member_fields())
        messages.success(request, _("%(name)s added to the team.") % {"name": member.full_name})
        return redirect("roster")
    return render(request, "teams/member_form.html", {"form": form, "member": None})


@login_required
def member_edit(request, pk):
    scope = leader_scope(request)
    member = get_object_or_404(scope.members(), pk=pk)
    form = MemberForm(request.POST or None, instance=member, is_self=member.pk == scope.member.pk)
    if request.method == "POST" and form.is_valid():
        member_update(member=member, **form.member_fields())
        messages.success(request, _("%(name)s saved.") % {"name": member.full_name})
        return redirect("roster")
    return render(request, "teams/member_form.html", {"form": form, "member": member})


@login_required
@require_POST
def member_deactivate_view(request, pk):
    scope = leader_scope(request)
    member = get_object_or_404(scope.members().filter(active=True), pk=pk)
    try:
        member_deactivate(member=member, by=scope.member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is no longer on the active roster.") % {"name": member.full_name})
    return redirect("roster")


@login_required
@require_POST
def member_reactivate_view(request, pk):
    scope = leader_scope(request)
    member = get_object_or_404(scope.members().filter(active=False), pk=pk)
    member_reactivate(member=member)
    messages.success(request, _("%(name)s is back on the active roster.") % {"name": member.full_name})
    return redirect("roster")


@login_required
def member_login(request, pk):
    """Create a login for a member who has none; the leader hands over the first password."""
    scope = leader_scope(request)
    member = get_object_or_404(scope.members().filter(user__isnull=True), pk=pk)
    # The accent-free form of the name is offered: "Võ Thu" → "vothu".
    form = LoginCreationForm(request.POST or None, initial={"username": suggested_username(member.full_name)})
    if request.method == "POST" and form.is_valid():
        member_login_create(
            member=member, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
        )
        messages.success(
            request,
            _("Login %(username)s created for %(name)s. Ask them to change the password at first login.")
            % {"username": form.cleaned_data["username"], "name": member.full_name},
        )
        return redirect("roster")
    return render(request, "teams/member_login.html", {"form": form, "member": member})
