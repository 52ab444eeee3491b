"""Every URL that takes an id or a unit code, tried by every outsider: never the data.

The matrix is built from the URL resolver itself, so a new URL with a
parameter fails here until it is given a victim object below.
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from coverage.models import ReportingConvention, SubmittedReport, Target
from coverage.reports import report_period, report_submit
from households.models import Household, ImportRecord
from teams.models import Assistance, Member, Outcome, Visit
from teams.visits import Help, visit_record

OUTSIDERS = ["other_member", "other_commune_member", "other_commune_official", "other_province_official"]

# url name -> (how to build the victim's URL from the world, the persona to whom it does belong)
VICTIMS = {
    "households:detail": (lambda w: f"/households/{w.household.pk}/", "member"),
    "households:edit": (lambda w: f"/households/{w.household.pk}/edit/", "member"),
    "households:deactivate": (lambda w: f"/households/{w.household.pk}/deactivate/", "leader"),
    "households:data": (lambda w: f"/households/{w.household.pk}/data/", "leader"),
    "households:data_export": (lambda w: f"/households/{w.household.pk}/data.json", "leader"),
    "households:anonymise": (lambda w: f"/households/{w.household.pk}/anonymise/", "leader"),
    "visit_log": (lambda w: f"/households/{w.household.pk}/visit/", "member"),
    "visit_edit": (lambda w: f"/visits/{w.visit.pk}/edit/", "member"),
    "visit_void": (lambda w: f"/visits/{w.visit.pk}/void/", "leader"),
    "member_edit": (lambda w: f"/team/{w.member_m.pk}/", "leader"),
    "member_deactivate": (lambda w: f"/team/{w.member_m.pk}/deactivate/", "leader"),
    "member_reactivate": (lambda w: f"/team/{w.inactive_m.pk}/reactivate/", "leader"),
    "member_login": (lambda w: f"/team/{w.no_login_m.pk}/login/", "leader"),
    "coverage_province": (lambda w: "/coverage/province/92/", "province_official"),
    "coverage_province_export": (lambda w: "/coverage/province/92/export.xlsx", "province_official"),
    "coverage_province_targets": (lambda w: "/coverage/province/92/targets/", "province_official"),
    "coverage_commune": (lambda w: "/coverage/commune/31135/", "commune_official"),
    "coverage_commune_export": (lambda w: "/coverage/commune/31135/export.csv", "commune_official"),
    "coverage_activity_export": (lambda w: "/coverage/commune/31135/activity.xlsx", "commune_official"),
    "coverage_commune_targets": (lambda w: "/coverage/commune/31135/targets/", "commune_official"),
    "coverage_hamlet": (lambda w: f"/coverage/hamlet/{w.hamlet.pk}/", "commune_official"),
    "coverage_hamlet_export": (lambda w: f"/coverage/hamlet/{w.hamlet.pk}/export.xlsx", "commune_official"),
    "coverage_hamlet_follow_up": (lambda w: f"/coverage/hamlet/{w.hamlet.pk}/follow-up/", "commune_official"),
    "coverage_target_delete": (lambda w: f"/coverage/targets/{w.target.pk}/delete/", "commune_official"),
    "coverage_report_commune": (lambda w: "/coverage/commune/31135/report/", "commune_official"),
    "coverage_report_commune_submit": (lambda w: "/coverage/commune/31135/report/submit/", "commune_official"),
    "coverage_report_commune_xlsx": (lambda w: "/coverage/commune/31135/report.xlsx", "commune_official"),
    "coverage_report_submitted": (lambda w: f"/coverage/reports/{w.report.pk}/", "commune_official"),
    "coverage_report_submitted_xlsx": (lambda w: f"/coverage/reports/{w.report.pk}.xlsx", "province_official"),
    "coverage_report_province": (lambda w: "/coverage/province/92/report/", "province_official"),
    "coverage_report_province_xlsx": (lambda w: "/coverage/province/92/report.xlsx", "province_official"),
    "coverage_report_province_submitted": (
        lambda w: "/coverage/province/92/report/submitted.xlsx",
        "province_official",
    ),
    "coverage_report_convention": (lambda w: "/coverage/province/92/report/periods/", "province_official"),
    "api_coverage_province": (lambda w: "/api/coverage/province/92/", "province_official"),
    "api_coverage_commune": (lambda w: "/api/coverage/commune/31135/", "commune_official"),
    "api_coverage_hamlet": (lambda w: f"/api/coverage/hamlet/{w.hamlet.pk}/", "commune_official"),
    "households:import_preview": (lambda w: f"/households/import/{w.upload.token}/", "commune_official"),
    "households:import_columns": (lambda w: f"/households/import/{w.upload.token}/columns/", "commune_official"),
    "households:import_confirm": (lambda w: f"/households/import/{w.upload.token}/confirm/", "commune_official"),
}


def parametrised_url_names(resolver=None, prefix=""):
    """Names of the project's URL patterns that take a parameter (admin and i18n aside)."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith(("admin/", "i18n/")):
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= parametrised_url_names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and re.search(r"<|\(\?P<", route) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_it_has_a_victim_for_every_url_that_takes_an_id_or_a_code():
    assert parametrised_url_names() == set(VICTIMS)


@pytest.fixture
def matrix_world(world):
    w = world
    w.inactive_m = Member.objects.create(team=w.team, full_name="Lý Văn Sáu", active=False)
    w.no_login_m = Member.objects.create(team=w.team, full_name="Hồ Thị Bảy")
    # An upload of the commune official's, not yet confirmed: a confirmation by anyone else would store it.
    w.upload = ImportRecord.objects.create(
        token=uuid.uuid4(),
        kind=ImportRecord.Kind.HOUSEHOLDS,
        user=w.commune_official,
        commune=w.commune,
        file_name="ds.csv",
        content="Ấp,Chủ hộ,Địa chỉ\nKhu vực 1,Hộ Mới Lạ,Số 1\n".encode(),
    )
    w.target = Target.objects.create(
        province=w.province,
        commune=w.commune,
        service=w.services["vneid_level2"],
        percent=80,
        starts_on=w.today - timedelta(days=30),
        deadline=w.today + timedelta(days=60),
    )
    # A visit of the team's this month: its members and leader may correct or void it, nobody else.
    w.visit, _created = visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["vneid_level2"]: Help(Outcome.SET_UP, 1)},
    )
    w.report = report_submit(commune=w.commune, period=report_period(w.province), user=w.commune_official)
    return w


def snapshot():
    return [
        sorted(Household.objects.values_list("pk", "head_name", "address", "phone", "active", "hamlet_id")),
        sorted(Member.objects.values_list("pk", "full_name", "active", "user_id", "role")),
        sorted(Visit.all_objects.values_list("pk", "visited_on", "voided_at", "note")),
        sorted(Assistance.objects.values_list("pk", "outcome", "people_helped")),
        sorted(Target.objects.values_list("pk", "percent")),
        sorted(ImportRecord.objects.values_list("pk", "confirmed_at", "column_map")),
        sorted(SubmittedReport.objects.values_list("pk", "version")),
        list(ReportingConvention.objects.values_list("province", "convention")),
    ]


@pytest.mark.parametrize("name", sorted(VICTIMS))
def test_it_gives_outsiders_a_404_and_anonymous_users_the_login_page(client, matrix_world, name):
    w = matrix_world
    build, owner = VICTIMS[name]
    url = build(w)
    before = snapshot()
    for persona in OUTSIDERS:
        w.login(client, persona)
        statuses = set()
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"confirm": "on", "percent": "10", "reason": "x"})
            # 405 (a page refusing this method) comes before any lookup: it tells nothing.
            assert response.status_code in (404, 405), (persona, method, url, response.status_code)
            statuses.add(response.status_code)
        assert 404 in statuses, (persona, url)
        client.logout()
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        if response.status_code == 405:
            continue
        if name.startswith("api_"):
            assert response.status_code in (401, 403), (method, url, response.status_code)
            assert "households" not in response.text
        else:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert snapshot() == before
    # The URL is real: it serves its owner.
    response = w.login(client, owner).get(url)
    assert response.status_code in (200, 302, 405), (owner, url, response.status_code)


def test_it_refuses_a_form_field_that_names_a_hamlet_of_another_team(client, world):
    w = world
    w.login(client, "member")
    response = client.post(
        "/households/new/",
        {
            "hamlet": w.hamlet3.pk,
            "head_name": "Người Lạ",
            "address": "Số 1",
            "people_count": 2,
            "poverty": "none",
            "registered_on": w.today.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200
    assert "Hãy chọn một mục trong danh sách." in response.text
    assert not Household.objects.filter(head_name="Người Lạ").exists()
    # Editing a household into another team's hamlet is refused the same way.
    response = client.post(
        f"/households/{w.household.pk}/edit/",
        {
            "hamlet": w.other_hamlet.pk,
            "head_name": "Nguyễn Văn An",
            "address": "Số 12",
            "people_count": 4,
            "poverty": "none",
            "registered_on": w.household.registered_on.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200
    w.household.refresh_from_db()
    assert w.household.hamlet == w.hamlet


def test_it_ignores_a_list_filter_that_names_another_teams_hamlet(client, world):
    response = world.login(client, "member").get("/households/", {"hamlet": world.hamlet3.pk})
    assert response.status_code == 200
    assert "Trần Văn Bình" not in response.text


def test_it_rejects_a_post_without_csrf_token(world):
    w = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.member)
    response = client.post(f"/households/{w.household.pk}/visit/", {"visited_on": w.today.strftime("%d/%m/%Y")})
    assert response.status_code == 403
    assert not Visit.objects.exists()
    response = client.post("/households/new/", {"head_name": "X"})
    assert response.status_code == 403
