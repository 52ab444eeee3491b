"""Shared personas (STYLE.md): one place builds the small world every test uses.

Province 92 (Cần Thơ) with communes A and B; commune A has hamlets A1, A2 and
A3; team A1 serves A1 and A2, team A3 serves A3, team B1 serves hamlet B1 of
commune B. Province 01 (Hà Nội) has commune H with hamlet H1. Personas:
- member (tovien-like) and leader of team A1,
- other_member: member of team A3 (same commune, other team),
- commune_official of commune A, other_commune_official of commune B,
- province_official of 92, other_province_official of 01,
- superuser, and a user with no scope.
"""

from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from households.models import Commune, Hamlet, Household, Province
from households.registry import household_register
from teams.catalogue import catalogue_install
from teams.models import Member, Official, Service, Team
from tests.counter_checks import counters_settled

PASSWORD = "s3cret-pass"


# Marks of the tests that read the static files themselves (browser tests: pages as phones download them).
COLLECTED_STATIC_MARKS = ("browser",)


@pytest.fixture(scope="session", autouse=True)
def _test_settings(request, tmp_path_factory):
    # Tests talk plain HTTP to the test client and the live server.
    django_settings.SECURE_SSL_REDIRECT = False
    django_settings.SESSION_COOKIE_SECURE = False
    django_settings.CSRF_COOKIE_SECURE = False
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Fuzz tests export hundreds of files as one user; tests/teams/test_export_rate_limit.py sets its own.
    django_settings.EXPORT_RATE_LIMIT = 100_000
    django_settings.STATIC_ROOT = tmp_path_factory.mktemp("staticfiles")
    django_settings.WHITENOISE_USE_FINDERS = False
    django_settings.WHITENOISE_AUTOREFRESH = False
    if any(item.get_closest_marker(mark) for item in request.session.items for mark in COLLECTED_STATIC_MARKS):
        # Static files as production serves them: hashed names, .gz and .br beside them.
        call_command("collectstatic", "--noinput", verbosity=0)
        yield
        return
    # No collected test reads a static file: {% static %} only names them, unhashed, and the
    # collectstatic that hashes and compresses them (some 20 s) is saved. override_settings, so
    # that a storage already built is dropped.
    storages = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


class World:
    """Attribute bag of the personas and units; built once per test."""

    def login(self, client, persona):
        client.force_login(getattr(self, persona))
        return client


def _user(username, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def build_world():
    w = World()
    w.today = timezone.localdate()
    w.province = Province.objects.create(code="92", name="Thành phố Cần Thơ")
    w.other_province = Province.objects.create(code="01", name="Thành phố Hà Nội")
    w.commune = Commune.objects.create(province=w.province, code="31135", name="Phường Ninh Kiều", kind="phuong")
    w.other_commune = Commune.objects.create(province=w.province, code="31261", name="Xã Cờ Đỏ", kind="xa")
    w.far_commune = Commune.objects.create(
        province=w.other_province, code="00004", name="Phường Ba Đình", kind="phuong"
    )
    w.hamlet = Hamlet.objects.create(commune=w.commune, province=w.commune.province, name="Khu vực 1", code="01")
    w.hamlet2 = Hamlet.objects.create(commune=w.commune, province=w.commune.province, name="Khu vực 2", code="02")
    w.hamlet3 = Hamlet.objects.create(commune=w.commune, province=w.commune.province, name="Khu vực 3", code="03")
    w.other_hamlet = Hamlet.objects.create(
        commune=w.other_commune, province=w.other_commune.province, name="Ấp Thới Hòa", code="01"
    )
    w.far_hamlet = Hamlet.objects.create(
        commune=w.far_commune, province=w.far_commune.province, name="Tổ dân phố 1", code="01"
    )

    w.team = Team.objects.create(
        commune=w.commune, province=w.province, name="Tổ CNSCĐ Khu vực 1", founded_on=date(2024, 1, 1)
    )
    w.team.hamlets.set([w.hamlet, w.hamlet2])
    w.team3 = Team.objects.create(
        commune=w.commune, province=w.province, name="Tổ CNSCĐ Khu vực 3", founded_on=date(2024, 1, 1)
    )
    w.team3.hamlets.set([w.hamlet3])
    w.other_team = Team.objects.create(
        commune=w.other_commune, province=w.province, name="Tổ CNSCĐ Ấp Thới Hòa", founded_on=date(2024, 1, 1)
    )
    w.other_team.hamlets.set([w.other_hamlet])
    w.far_team = Team.objects.create(
        commune=w.far_commune, province=w.other_province, name="Tổ CNSCĐ TDP 1", founded_on=date(2024, 1, 1)
    )
    w.far_team.hamlets.set([w.far_hamlet])

    w.member_user = _user("tovien", first_name="Nguyễn Thị", last_name="Mỹ")
    w.leader_user = _user("totruong", first_name="Trần Văn", last_name="Hậu")
    w.other_member_user = _user("tovien_kv3")
    w.other_commune_member_user = _user("tovien_codo")
    w.member_m = Member.objects.create(team=w.team, user=w.member_user, full_name="Nguyễn Thị Mỹ")
    w.leader_m = Member.objects.create(
        team=w.team, user=w.leader_user, full_name="Trần Văn Hậu", role=Member.Role.LEADER
    )
    w.other_member_m = Member.objects.create(team=w.team3, user=w.other_member_user, full_name="Lê Văn Ba")
    w.other_commune_member_m = Member.objects.create(
        team=w.other_team, user=w.other_commune_member_user, full_name="Võ Thị Tư"
    )
    w.far_member_m = Member.objects.create(team=w.far_team, full_name="Đỗ Văn Năm")

    w.commune_official = _user("canbo_xa")
    Official.objects.create(user=w.commune_official, province=w.province, commune=w.commune)
    w.other_commune_official = _user("canbo_codo")
    Official.objects.create(user=w.other_commune_official, province=w.province, commune=w.other_commune)
    w.province_official = _user("canbo_tinh")
    Official.objects.create(user=w.province_official, province=w.province)
    w.other_province_official = _user("canbo_hanoi")
    Official.objects.create(user=w.other_province_official, province=w.other_province)
    w.superuser = get_user_model().objects.create_superuser("admin", password=PASSWORD)
    w.nobody = _user("nobody")

    # Personas by the names tests use.
    w.member = w.member_user
    w.leader = w.leader_user
    w.other_member = w.other_member_user
    w.other_commune_member = w.other_commune_member_user

    registered = w.today - timedelta(days=90)
    w.household = household_register(
        hamlet=w.hamlet,
        head_name="Nguyễn Văn An",
        address="Số 12, đường Trần Hưng Đạo",
        phone="0912345678",
        consent_given=True,
        people_count=4,
        registered_on=registered,
    )
    w.household2 = household_register(
        hamlet=w.hamlet2,
        head_name="Đặng Thị Đào",
        address="Số 3/7, hẻm 45",
        people_count=2,
        poverty=Household.Poverty.POOR,
        registered_on=registered,
    )
    w.household3 = household_register(
        hamlet=w.hamlet3, head_name="Trần Văn Bình", address="Số 88, khu vực 3", registered_on=registered
    )
    w.other_household = household_register(
        hamlet=w.other_hamlet, head_name="Lâm Thị Cúc", address="Ấp Thới Hòa", registered_on=registered
    )
    w.far_household = household_register(
        hamlet=w.far_hamlet, head_name="Phạm Văn Dũng", address="Ba Đình", registered_on=registered
    )
    # A transactional test before this one may have flushed the data migration's rows.
    catalogue_install(Service)
    w.services = {s.code: s for s in Service.objects.all()}
    # Registered 90 days back, the households' counter changes were queued (teams.counters_queue): folded, as
    # the response of the page that registered them would have, so that a test's first request starts settled.
    counters_settled()
    return w


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def province_admin(world):
    """canbo_tinh made staff with every Gõ Cửa permission: a province administrator."""
    user = world.province_official
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["households", "teams", "coverage"])
    )
    return user
