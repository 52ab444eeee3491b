"""Every admin URL that takes an object id, tried by every outsider: nothing read, nothing changed.

The matrix is built from the admin's URL resolver, so a URL that a package
adds (django-simple-history's revert form, a new ModelAdmin, a custom view)
fails here until it is given a victim object below. The victims live in
commune A of province 92; the personas are a province administrator of
province 01 holding every permission, the view-only staff of commune A, a
team member without the staff flag, and an anonymous visitor. Every table is
hashed before and after: a refused request changes no row.
"""

import hashlib
import re
import uuid
from datetime import date, datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver

from households.models import Commune, Hamlet, Household, ImportRecord, Province
from teams.access import scope_for
from teams.audit import access_log
from teams.models import AccessLog as GocuaAccessLog
from teams.models import Adoption, Member, Official, Team, Visit
from teams.visits import Help, visit_record

ADMIN = "/admin/"

# app_label/model_name -> the victim of the world. Every registered ModelAdmin must be here.
VICTIMS = {
    "auth/group": lambda w: w.group,
    "auth/user": lambda w: w.member_user,
    "axes/accessattempt": lambda w: w.attempt,
    "axes/accesslog": lambda w: w.axes_log,
    "axes/accessfailurelog": lambda w: w.failure_log,
    "households/province": lambda w: w.province,
    "households/commune": lambda w: w.commune,
    "households/hamlet": lambda w: w.hamlet,
    "households/household": lambda w: w.household,
    "teams/team": lambda w: w.team,
    "teams/member": lambda w: w.member_m,
    "teams/official": lambda w: w.commune_official_row,
    "teams/service": lambda w: w.services["ewallet"],
    "teams/visit": lambda w: w.visit,
    "teams/assistance": lambda w: w.assistance,
    "teams/adoption": lambda w: w.adoption,
    "coverage/target": lambda w: w.target,
    "teams/accesslog": lambda w: w.gocua_log,
    "households/importrecord": lambda w: w.import_record,
}
# Global tables rather than a province's rows: read by any staff who may, written by superusers only.
NATIONAL = {"teams/service"}
SUPERUSER_ONLY = {
    "auth/group",
    "axes/accessattempt",
    "axes/accesslog",
    "axes/accessfailurelog",
    "households/importrecord",
}

# What each object-id route of a ModelAdmin does.
KINDS = {
    "<path:object_id>/history/": "history",
    "<path:object_id>/delete/": "delete",
    "<path:object_id>/change/": "change",
    "<path:object_id>/": "redirect",
    "^([^/]+)/history/([^/]+)/$": "history_form",
    "<id>/password/": "password",
}
# Site-wide routes with a parameter: the object-id ones are tried below, the others take none.
SITE_ROUTES = {
    "r/<path:content_type_id>/<path:object_id>/": "view_on_site",
    "app_list": None,  # ^(?P<app_label>auth|households|…)/$
    "(?P<url>.*)$": None,
}
# What a ModelAdmin refuses everyone whatever the object (derived rows, the log, households never deleted).
REFUSED_TO_ALL = {
    "households/household": {"delete"},
    "teams/accesslog": {"delete", "change"},
    "teams/adoption": {"delete", "change"},
    "teams/assistance": {"change"},
}

PERSONAS = ["other_province_admin", "view_only_staff", "not_staff", "anonymous"]


def _parametrised(route):
    return bool(re.search(r"<|\(", route))


def admin_routes():
    """(model key or None, route) of every admin URL pattern that takes a parameter."""
    routes = set()
    for pattern in admin.site.get_urls():
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            model_key = route.rstrip("/")
            for inner in pattern.url_patterns:
                inner_route = str(inner.pattern)
                if isinstance(inner, URLPattern) and _parametrised(inner_route):
                    routes.add((model_key, inner_route))
        elif _parametrised(route):
            routes.add((None, "app_list" if pattern.name == "app_list" else route))
    return routes


def test_it_has_a_victim_for_every_admin_url_that_takes_an_id():
    routes = admin_routes()
    uncovered = {
        (key, route)
        for key, route in routes
        if (key is None and route not in SITE_ROUTES)
        or (key is not None and (key not in VICTIMS or route not in KINDS))
    }
    assert not uncovered, f"admin URLs without a victim in this test: {sorted(uncovered, key=str)}"
    registered = {f"{m._meta.app_label}/{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(VICTIMS)


def _cases():
    cases = [(key, route) for key, route in sorted(admin_routes(), key=str) if key is not None]
    cases += [("households/household", route) for route, kind in SITE_ROUTES.items() if kind]
    return cases


@pytest.fixture
def matrix_world(world):
    w = world
    w.visit, _ = visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["ewallet"]: Help("set_up", 2)},
        note="Gọi trước khi đến",
    )
    w.assistance = w.visit.assistances.get()
    w.adoption = Adoption.objects.get(household=w.household)
    w.target = w.province_target = _target(w)
    w.commune_official_row = Official.objects.get(user=w.commune_official)
    w.group = Group.objects.create(name="Quản trị tỉnh 92")
    w.attempt = AccessAttempt.objects.create(username="tovien", ip_address="10.0.0.1", failures_since_start=1)
    w.axes_log = AccessLog.objects.create(username="tovien", ip_address="10.0.0.1")
    w.failure_log = AccessFailureLog.objects.create(username="tovien", ip_address="10.0.0.1")
    w.import_record = ImportRecord.objects.create(
        token=uuid.uuid4(), kind="households", user=w.commune_official, commune=w.commune, file_name="ds.csv"
    )
    w.gocua_log = access_log(
        request=_FakeRequest(w.province_official), action=GocuaAccessLog.Action.EXPORT, province=w.province
    )
    # The household has a history of two rows: the revert form has something to revert to.
    w.household.people_count = 5
    w.household.save()
    # Personas.
    w.other_province_official.is_staff = True
    w.other_province_official.save()
    w.other_province_official.user_permissions.set(Permission.objects.all())
    w.commune_official.is_staff = True
    w.commune_official.save()
    w.commune_official.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return w


def _scoped(user, model):
    """The user's rows of `model`: teams' scope, or for coverage targets the scope's rule for unit rows."""
    from coverage.models import Target

    scope = scope_for(user)
    return scope.unit_rows(Target.objects.all()) if model is Target else scope.for_model(model)


class _FakeRequest:
    def __init__(self, user):
        self.user = user


def _target(w):
    from datetime import timedelta

    from coverage.models import Target

    return Target.objects.create(
        province=w.province,
        commune=w.commune,
        service=w.services["vneid_level2"],
        percent=80,
        starts_on=w.today - timedelta(days=30),
        deadline=w.today + timedelta(days=60),
    )


def _clients(w):
    clients = {"anonymous": Client()}
    for persona, user in [
        ("other_province_admin", w.other_province_official),
        ("view_only_staff", w.commune_official),
        ("not_staff", w.leader),
    ]:
        clients[persona] = Client()
        clients[persona].force_login(user)
    return clients


def url_for(route, obj):
    """The admin URL of `route` for `obj` (its latest history row for the revert form)."""
    if route.startswith("^"):
        history_id = obj.history.order_by("history_date").first().history_id
        return route.strip("^$").replace("([^/]+)", str(obj.pk), 1).replace("([^/]+)", str(history_id), 1)
    if route.startswith("r/"):
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(obj)
        return f"r/{content_type.pk}/{obj.pk}/"
    return re.sub(r"<[^>]+>", str(obj.pk), route)


# The attacker's own objects: a POST tries to move the victim into the attacker's province.
def _own(w, model):
    return {
        Province: w.other_province,
        Commune: w.far_commune,
        Hamlet: w.far_hamlet,
        Household: w.far_household,
        Team: w.far_team,
        Member: w.far_member_m,
    }.get(model)


def post_data(w, obj, persona):
    """The victim's own values as its change form would post them, its links pointing at the attacker's units."""
    data = {"post": "yes"}  # the delete confirmation
    for field in obj._meta.concrete_fields + obj._meta.many_to_many:
        if not field.editable or field.primary_key:
            continue
        if field.many_to_many:
            data[field.name] = [o.pk for o in getattr(obj, field.name).all()]
            continue
        value = getattr(obj, field.attname)
        if field.is_relation and persona == "other_province_admin":
            own = _own(w, field.related_model)
            value = own.pk if own is not None else value
        if isinstance(value, bool):
            if value:
                data[field.name] = "on"
        elif isinstance(value, datetime):
            data[f"{field.name}_0"], data[f"{field.name}_1"] = value.strftime("%d/%m/%Y"), value.strftime("%H:%M:%S")
        elif isinstance(value, date):
            data[field.name] = value.strftime("%d/%m/%Y")
        elif value is not None:
            data[field.name] = str(value)
    # Inline formsets with no forms: the change form is valid without touching related rows.
    for prefix in ("members", "hamlets", "assistances"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update({"password1": "Doi-mat-khau-99", "password2": "Doi-mat-khau-99"})
    return data


# Rows that a refused request may still write: the login sessions and the access log of what was read.
NOT_HASHED = {"django_session", "teams_accesslog"}


def tables_hash():
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in NOT_HASHED:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def expected(persona, key, kind, method, in_scope):
    """The statuses a persona may get; never a 200 on POST, never a 200 outside the scope."""
    if persona in ("anonymous", "not_staff"):
        return {"login"}
    if kind == "redirect":
        return {302}  # to the change URL, tried on its own
    if key in SUPERUSER_ONLY:
        return {403}
    if kind == "history":
        method = "get"  # the history list only reads, whatever the method
    if persona == "other_province_admin":
        if key in NATIONAL:
            if kind == "view_on_site":
                return {404}
            return {200} if method == "get" and kind in ("change", "history") else {403}
        if kind in REFUSED_TO_ALL.get(key, ()) and (kind == "delete" or method == "post"):
            return {403, 404}
        return {404}
    if kind == "view_on_site":
        return {404}  # no model of Gõ Cửa has a public page
    # View-only staff of commune A.
    if not in_scope:
        # A permission it lacks whatever the object is refused before the lookup: the 403 tells nothing.
        return {403, 404} if kind in ("delete", "password") or method == "post" else {404}
    if method == "post":
        return {403, 405}
    if kind in ("delete", "password"):
        return {403}
    if key == "households/household" and kind in ("history", "history_form"):
        return {403}  # the history holds the full phone: not for those who see it masked
    return {200}


@pytest.mark.parametrize("key, route", _cases())
def test_it_refuses_every_outsider_and_changes_nothing(matrix_world, key, route):
    w = matrix_world
    obj = VICTIMS[key](w)
    kind = KINDS.get(route) or SITE_ROUTES[route]
    url = ADMIN + (f"{key}/" if route in KINDS else "") + url_for(route, obj)
    clients = _clients(w)
    before = tables_hash()
    failures = []
    for persona in PERSONAS:
        model = type(obj)
        in_scope = (
            persona == "view_only_staff"
            and model in scope_models()
            and _scoped(w.commune_official, model).filter(pk=obj.pk).exists()
        )
        if persona == "view_only_staff" and key in NATIONAL | {"auth/group"}:
            in_scope = True
        for method in ("get", "post"):
            client = clients[persona]
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, post_data(w, obj, persona))
            allowed = expected(persona, key, kind, method, in_scope)
            status = response.status_code
            if allowed == {"login"}:
                ok = status == 302 and response["Location"].startswith("/admin/login/")
            elif status == 302 and kind == "redirect":
                ok = response["Location"].endswith(f"/{obj.pk}/change/")
            else:
                ok = status in allowed
            if not ok:
                failures.append(f"{persona} {method.upper()} {url} -> {status} (expected {sorted(map(str, allowed))})")
    after = tables_hash()
    changed = sorted(table for table in before if before[table] != after.get(table))
    assert not failures and not changed, "\n".join([*failures, f"changed tables: {changed}"])


def scope_models():
    from django.contrib.auth import get_user_model

    from coverage.models import Target
    from teams.models import AccessLog as Log
    from teams.models import Assistance, Service

    return {
        get_user_model(),
        Province,
        Commune,
        Hamlet,
        Household,
        Team,
        Member,
        Official,
        Service,
        Visit,
        Assistance,
        Adoption,
        Target,
        Log,
    }
