from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.views import active_services, field_scope

from .access import is_team_leader
from .forms import MemberForm, VisitForm
from .logins import LoginCreationForm, suggested_username
from .models import Outcome
from .roster import member_create, member_deactivate, member_login_create, member_reactivate, member_update
from .visits import visit_record


@login_required
def visit_log(request, pk):
    """Log a visit at one of the team's households: Post/Redirect/Get, stored once per form UUID."""
    scope = field_scope(request)
    household = get_object_or_404(scope.households(), pk=pk)
    if not household.active:
        messages.error(request, _("This household has moved away: no new visits can be logged."))
        return redirect("households:detail", pk=household.pk)
    form = VisitForm(request.POST or None, household=household, services=active_services())
    if request.method == "POST" and form.is_valid():
        outcomes = form.outcomes()
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
