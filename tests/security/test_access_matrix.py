"""Every URL that takes an id or a unit code, tried by every outsider: never the data.

The matrix is built from the URL resolver itself, so a new URL with a
parameter fails here until it is given a victim object below.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from coverage.models import Target
from households.models import Household
from teams.models import Assistance, Member, Visit

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
    "coverage_target_delete": (lambda w: f"/coverage/targets/{w.target.pk}/delete/", "commune_official"),
    "api_coverage_province": (lambda w: "/api/coverage/province/92/", "province_official"),
    "api_coverage_commune": (lambda w: "/api/coverage/commune/31135/", "commune_official"),
    "api_coverage_hamlet": (lambda w: f"/api/coverage/hamlet/{w.hamlet.pk}/", "commune_official"),
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
    w.target = Target.objects.create(
        province=w.province,
        commune=w.commune,
        service=w.services["vneid_level2"],
        percent=80,
        starts_on=w.today - timedelta(days=30),
        deadline=w.today + timedelta(days=60),
    )
    return w


def snapshot():
    return [
        sorted(Household.objects.values_list("pk", "head_name", "address", "phone", "active", "hamlet_id")),
        sorted(Member.objects.values_list("pk", "full_name", "active", "user_id", "role")),
        Visit.objects.count(),
        Assistance.objects.count(),
        sorted(Target.objects.values_list("pk", "percent")),
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
            response = getattr(client, method)(url, {"confirm": "on", "percent": "10"})
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
