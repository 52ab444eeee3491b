"""The phone's side door: the offline snapshot of the team's households, and the outbox's sync.

A member's phone keeps the households of their team's hamlets (phones masked)
and an outbox of visits and households captured without signal
(static/field/app.js). These views answer it in JSON:

- `field_session`: who is logged in and a fresh CSRF token, read at send time;
  401 when the session expired (the phone keeps its items and asks to log in).
- `field_snapshot`: the households changed since the phone's cursor, with the
  ids of all the team's households so that those that left (a hamlet moved,
  the team's hamlets changed) leave the phone too.
- `field_sync`: one outbox item. Each client UUID is stored once: the same
  UUID with the same content is acknowledged again (200), with other content
  refused (409); an item the rules refuse gets its reason (422). Items are
  checked by the same forms as the online pages, so the messages are theirs.
"""

import json
import uuid as uuid_module
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from households.forms import HouseholdForm
from households.lookup import short_label
from households.models import Household
from households.registry import household_create

from .access import can_log_visits, scope_for
from .forms import VisitForm
from .models import Adoption, Service, Visit
from .visits import visit_record

# A write that commits while the snapshot is read may carry an earlier time than the cursor handed
# out: the next refresh looks this far back again (a few households sent twice, none missed).
CURSOR_OVERLAP = timedelta(minutes=2)


def _field_scope_or_answer(request):
    """(scope, None), or (None, the JSON answer for a phone that may not sync)."""
    if not request.user.is_authenticated:
        return None, JsonResponse({"status": "login", "reason": _("Your session has ended. Log in again.")}, status=401)
    if not can_log_visits(request.user):
        return None, JsonResponse({"status": "refused", "reason": _("Field pages are for team members.")}, status=404)
    return scope_for(request.user), None


@require_GET
def field_session(request):
    scope, answer = _field_scope_or_answer(request)
    if answer:
        return answer
    response = JsonResponse({"user": request.user.get_username(), "csrf": get_token(request)})
    response["Cache-Control"] = "no-store"
    return response


def _state_of(adoptions):
    return {
        str(a.service_id): [a.first_adopted_on.isoformat() if a.first_adopted_on else "", a.last_outcome]
        for a in adoptions
    }


def _changed_since(households, since):
    history = Visit.history.model.objects.filter(household_id=OuterRef("pk"), history_date__gt=since)
    return households.filter(Q(updated_at__gt=since) | Exists(history))


@require_GET
def field_snapshot(request):
    """The team's households for the phone: all of them, or those changed since `?since=` (a cursor
    this view handed out), as rows of plain values; `ids` lists every household the phone may keep."""
    scope, answer = _field_scope_or_answer(request)
    if answer:
        return answer
    now = timezone.now()
    households = scope.households()
    since = parse_datetime(request.GET.get("since", "") or "") if request.GET.get("since") else None
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    changed = _changed_since(households, since) if since else households
    rows = list(
        changed.order_by("pk").only(
            "pk", "uuid", "hamlet_id", "head_name", "address", "phone", "people_count", "poverty",
            "policy_family", "active", "registered_on", "last_visited_on",
        )
    )  # fmt: skip
    adoptions = {}
    for adoption in Adoption.objects.filter(household__in=[h.pk for h in rows]).only(
        "household_id", "service_id", "first_adopted_on", "last_outcome"
    ):
        adoptions.setdefault(adoption.household_id, []).append(adoption)
    services = Service.objects.filter(active=True).order_by("order", "code")
    response = JsonResponse(
        {
            "user": request.user.get_username(),
            "cursor": (now - CURSOR_OVERLAP).isoformat(),
            "full": since is None,
            "ids": ids,
            "hamlets": [[h.pk, h.name] for h in scope.hamlets().order_by("name")],
            "services": [[s.pk, s.code, s.display_name, str(short_label(s))] for s in services],
            "households": [
                [
                    h.pk,
                    str(h.uuid or ""),
                    h.hamlet_id,
                    h.head_name,
                    h.address,
                    h.masked_phone,
                    h.people_count,
                    h.poverty,
                    int(h.policy_family),
                    int(h.active),
                    h.registered_on.isoformat(),
                    h.last_visited_on.isoformat() if h.last_visited_on else "",
                    _state_of(adoptions.get(h.pk, [])),
                ]
                for h in rows
            ],
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    response["Cache-Control"] = "no-store"
    return response


def _answer(status, reason="", code=200, **extra):
    return JsonResponse({"status": status, "reason": str(reason), **extra}, status=code)


def _refused(form):
    errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    reason = " ".join(message for messages_ in errors.values() for message in messages_)
    return _answer("refused", reason, 422, errors=errors)


CONFLICT = _(
    "This phone sent different content under the same id before. Check the item, then discard it or log it again."
)


@require_POST
def field_sync(request):
    """Store one outbox item (a JSON body: `kind` "visit" or "household", `uuid`, and its fields)."""
    scope, answer = _field_scope_or_answer(request)
    if answer:
        return answer
    try:
        item = json.loads(request.body)
        item_uuid = uuid_module.UUID(str(item["uuid"]))
        kind = item["kind"]
    except (ValueError, KeyError, TypeError):
        return _answer("refused", _("The item was damaged on the way."), 400)
    if kind == "household":
        return _sync_household(request, scope, item, item_uuid)
    if kind == "visit":
        return _sync_visit(request, scope, item, item_uuid)
    return _answer("refused", _("The item was damaged on the way."), 400)


def _visit_household(scope, item):
    households = scope.households()
    if item.get("household_uuid"):
        return households.filter(uuid=item["household_uuid"]).first()
    return households.filter(pk=item.get("household") or 0).first()


def _visit_content(visit):
    """What a resend must repeat: the household, member, date, note and help."""
    help_given = sorted(visit.assistances.values_list("service__code", "outcome", "people_helped"))
    return (visit.household_id, visit.member_id, visit.visited_on, visit.note, help_given)


def _sync_visit(request, scope, item, item_uuid):
    household = _visit_household(scope, item)
    if household is None:
        return _answer(
            "refused", _("This household is not in your team's hamlets any more: the visit cannot be stored."), 422
        )
    if not household.active:
        return _answer("refused", _("This household has moved away: no new visits can be logged."), 422)
    services = list(Service.objects.filter(active=True).order_by("order", "code"))
    data = {
        "uuid": str(item_uuid),
        "visited_on": item.get("visited_on", ""),
        "people_helped": item.get("people_helped", ""),
        "note": item.get("note", ""),
    }
    outcomes = item.get("outcomes") or {}
    for service in services:
        data[VisitForm.service_field_name(service)] = outcomes.get(service.code, "")
    stored = Visit.all_objects.filter(pk=item_uuid).first()  # a voided one included: acknowledged, not stored again
    form = VisitForm(data, household=household, services=services)
    if stored is None and not form.is_valid():
        return _refused(form)
    if stored is not None and not form.is_valid():  # the rules changed since (a date now too old): compare
        return _answer("conflict", CONFLICT, 409)
    try:
        visit, created = visit_record(
            member=scope.member,
            household=household,
            visited_on=form.cleaned_data["visited_on"],
            outcomes=form.outcomes(),
            uuid=item_uuid,
            note=form.cleaned_data["note"].strip(),
            recorded_by=request.user,
        )
    except ValidationError as error:
        if stored is not None:
            return _answer("conflict", CONFLICT, 409)
        return _answer("refused", " ".join(error.messages), 422)
    url = reverse("households:detail", args=[household.pk])
    if created:
        if item.get("announce"):
            messages.success(request, _("Visit to %(name)s saved.") % {"name": household.head_name})
        return _answer("stored", url=url, id=household.pk)
    wanted = (household.pk, scope.member.pk, form.cleaned_data["visited_on"], form.cleaned_data["note"].strip(),
              sorted((s.code, h.outcome, h.people_helped) for s, h in form.outcomes().items()))  # fmt: skip
    if _visit_content(visit) != wanted:
        return _answer("conflict", CONFLICT, 409)
    return _answer("again", url=url, id=household.pk)


HOUSEHOLD_FIELDS = ("hamlet", "head_name", "address", "phone", "consent_given", "people_count", "poverty",
                    "policy_family", "registered_on")  # fmt: skip


def _sync_household(request, scope, item, item_uuid):
    data = {name: item.get(name, "") for name in HOUSEHOLD_FIELDS}
    for flag in ("consent_given", "policy_family"):
        data[flag] = "on" if item.get(flag) else ""
    form = HouseholdForm(data, hamlets=scope.hamlets().order_by("name"))
    stored = Household.objects.filter(uuid=item_uuid).first()
    if not form.is_valid():
        return _answer("conflict", CONFLICT, 409) if stored else _refused(form)
    fields = form.household_fields()
    if stored is None:
        household = Household(uuid=item_uuid, **fields)
        try:
            with transaction.atomic():
                stored = household_create(household=household)
        except IntegrityError:  # the same id stored meanwhile by another tab
            stored = Household.objects.filter(uuid=item_uuid).first()
            if stored is None:
                raise
        else:
            if item.get("announce"):
                messages.success(request, _("Household of %(name)s registered.") % {"name": stored.head_name})
            return _answer("stored", url=reverse("households:detail", args=[stored.pk]), id=stored.pk)
    same = all(getattr(stored, name) == value for name, value in fields.items())
    if not same or not scope.households().filter(pk=stored.pk).exists():
        return _answer("conflict", CONFLICT, 409)
    return _answer("again", url=reverse("households:detail", args=[stored.pk]), id=stored.pk)
