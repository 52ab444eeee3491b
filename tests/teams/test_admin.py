"""The admin a province administrator works in."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from coverage.rollups import coverage_services, for_province
from households.models import Hamlet, Household
from teams.counters import LEVELS
from teams.counters_rebuild import counters_rebuild
from teams.models import Adoption, Service, Team, Visit
from teams.visits import Help, visit_record

MODELS = [
    "households/province",
    "households/commune",
    "households/hamlet",
    "households/household",
    "teams/team",
    "teams/member",
    "teams/official",
    "teams/service",
    "teams/visit",
    "teams/adoption",
    "teams/assistance",
    "coverage/target",
    "teams/accesslog",
]
READ_ONLY = {"teams/adoption", "teams/assistance", "teams/accesslog"}


@pytest.fixture
def admin_client(client, world):
    return world.login(client, "superuser")


@pytest.mark.parametrize("model", MODELS)
def test_it_lists_and_adds_every_model_in_vietnamese(admin_client, world, model):
    response = admin_client.get(f"/admin/{model}/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.text
    if model not in READ_ONLY:
        assert admin_client.get(f"/admin/{model}/add/").status_code == 200


def test_it_shows_a_province_administrator_only_their_province(client, world, province_admin):
    client.force_login(province_admin)
    response = client.get("/admin/households/household/")
    assert "Lâm Thị Cúc" in response.text and "Phạm Văn Dũng" not in response.text
    assert client.get(f"/admin/households/household/{world.far_household.pk}/change/").status_code == 404
    assert client.get(f"/admin/households/household/{world.household.pk}/change/").status_code == 200
    # Autocomplete for the household field of a visit is scoped too.
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "teams", "model_name": "visit", "field_name": "household", "term": "pham"},
    )
    assert response.json()["results"] == []
    # Province administrators handle personal data: full numbers in the list.
    assert "0912345678" in client.get("/admin/households/household/").text


def test_it_masks_phones_in_the_admin_list_for_a_commune_administrator(client, world):
    user = world.commune_official
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename="view_household"))
    client.force_login(user)
    response = client.get("/admin/households/household/")
    assert "Nguyễn Văn An" in response.text
    assert "0912345678" not in response.text and "0912•••678" in response.text


def test_it_searches_households_without_accents_and_filters_by_commune_and_hamlet(admin_client, world):
    response = admin_client.get("/admin/households/household/", {"q": "nguyen van an"})
    assert "Nguyễn Văn An" in response.text and "Đặng Thị Đào" not in response.text
    response = admin_client.get("/admin/households/household/", {"q": "dang thi dao"})
    assert "Đặng Thị Đào" in response.text
    response = admin_client.get("/admin/households/household/", {"commune": world.other_commune.pk})
    assert "Lâm Thị Cúc" in response.text and "Nguyễn Văn An" not in response.text
    response = admin_client.get("/admin/households/household/", {"hamlet": world.hamlet2.pk})
    assert "Đặng Thị Đào" in response.text and "Nguyễn Văn An" not in response.text


def test_it_recomputes_the_state_when_a_visit_is_saved_or_deleted_in_admin(admin_client, world):
    w = world
    visit, _ = visit_record(
        member=w.member_m, household=w.household, visited_on=w.today, outcomes={w.services["ewallet"]: Help("declined")}
    )
    assistance = visit.assistances.get()
    url = reverse("admin:teams_visit_change", args=[visit.pk])
    earlier = w.today - timedelta(days=5)
    response = admin_client.post(
        url,
        {
            "household": w.household.pk,
            "member": w.member_m.pk,
            "visited_on": earlier.strftime("%d/%m/%Y"),
            "note": "sửa lại",
            "assistances-TOTAL_FORMS": "2",
            "assistances-INITIAL_FORMS": "1",
            "assistances-MIN_NUM_FORMS": "0",
            "assistances-MAX_NUM_FORMS": "1000",
            "assistances-0-id": assistance.pk,
            "assistances-0-visit": visit.pk,
            "assistances-0-service": w.services["ewallet"].pk,
            "assistances-0-outcome": "set_up",
            "assistances-0-people_helped": "2",
            "assistances-1-visit": visit.pk,
            "assistances-1-service": w.services["vneid_level2"].pk,
            "assistances-1-outcome": "already_had",
            "assistances-1-people_helped": "1",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    adoptions = dict(Adoption.objects.values_list("service__code", "first_adopted_on"))
    assert adoptions == {"ewallet": earlier, "vneid_level2": earlier}
    w.household.refresh_from_db()
    assert w.household.last_visited_on == earlier

    response = admin_client.post(reverse("admin:teams_visit_delete", args=[visit.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Adoption.objects.exists() and not Visit.objects.exists()


def test_it_refuses_a_future_visit_date_in_admin(admin_client, world):
    w = world
    response = admin_client.post(
        reverse("admin:teams_visit_add"),
        {
            "household": w.household.pk,
            "member": w.member_m.pk,
            "visited_on": (w.today + timedelta(days=1)).strftime("%d/%m/%Y"),
            "assistances-TOTAL_FORMS": "0",
            "assistances-INITIAL_FORMS": "0",
            "assistances-MIN_NUM_FORMS": "0",
            "assistances-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "Ngày thăm không được sau hôm nay." in response.text
    assert not Visit.objects.exists()


def test_it_moves_a_hamlet_with_its_households_teams_and_figures(admin_client, world):
    w = world
    visit_record(
        member=w.other_member_m,
        household=w.household3,
        visited_on=w.today,
        outcomes={w.services["ewallet"]: Help("set_up")},
    )
    ewallet = w.services["ewallet"].pk
    far_before = for_province(w.other_province, on=w.today).total
    url = reverse("admin:households_hamlet_changelist")
    response = admin_client.post(url, {"action": "move_to_commune", "_selected_action": [w.hamlet3.pk]})
    assert "Chuyển ấp sang xã/phường khác" in response.text
    response = admin_client.post(
        url,
        {
            "action": "move_to_commune",
            "_selected_action": [w.hamlet3.pk],
            "commune": w.far_commune.pk,
            "apply": "1",
            "anywhere": "on",
        },
        follow=True,
    )
    assert "Đã chuyển 1 ấp sang Phường Ba Đình" in response.text
    w.hamlet3.refresh_from_db()
    assert w.hamlet3.commune == w.far_commune and w.hamlet3.province == w.other_province
    assert Team.objects.get(pk=w.team3.pk).commune == w.far_commune
    assert Household.objects.get(pk=w.household3.pk).province == w.other_province
    assert Visit.objects.get(household=w.household3).province == w.other_province
    assert Adoption.objects.get(household=w.household3).province == w.other_province
    # The figures follow: the far commune and its province now count the household, the old ones do not.
    far = for_province(w.other_province, on=w.today).total
    assert far.households == far_before.households + 1
    assert far.adopted[ewallet] == far_before.adopted.get(ewallet, 0) + 1
    assert for_province(w.province, on=w.today).total.adopted.get(ewallet) is None
    moved = _all_counters()
    counters_rebuild()
    assert _all_counters() == moved


def _all_counters():
    return {
        level.unit: sorted(
            (getattr(row, f"{level.unit}_id"), row.priority_only, row.day, sorted(row.figures.items()))
            for row in level.model.objects.all()
        )
        for level in LEVELS
    }


def test_it_refuses_to_move_a_hamlet_whose_team_also_serves_one_that_stays(admin_client, world):
    w = world
    url = reverse("admin:households_hamlet_changelist")
    response = admin_client.post(
        url,
        {"action": "move_to_commune", "_selected_action": [w.hamlet.pk], "commune": w.other_commune.pk, "apply": "1"},
        follow=True,
    )
    assert "hãy tách tổ trước" in response.text
    assert Hamlet.objects.get(pk=w.hamlet.pk).commune == w.commune


def test_it_keeps_an_audit_trail_of_who_changed_what(admin_client, world):
    w = world
    url = reverse("admin:households_household_change", args=[w.household.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("id",)}
    data.update(
        hamlet=w.household.hamlet_id,
        registered_on=w.household.registered_on.strftime("%d/%m/%Y"),
        address="Số 14, đường Trần Hưng Đạo",
        consent_given="on",
        active="on",
    )
    assert admin_client.post(url, data).status_code == 302
    latest = w.household.history.first()
    assert latest.history_user == w.superuser and latest.history_type == "~"
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == ["address"]
    response = admin_client.get(reverse("admin:households_household_history", args=[w.household.pk]))
    assert "Số 14, đường Trần Hưng Đạo" in response.text and "admin" in response.text

    visit, _ = visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["ewallet"]: Help("set_up")},
        recorded_by=w.member,
    )
    assert visit.history.get().history_type == "+"
    assert visit.assistances.get().history.get().history_user == w.member


def test_it_shows_the_access_log_to_province_administrators_only_for_their_province(client, world, province_admin):
    from teams.models import AccessLog

    AccessLog.objects.create(
        user=world.member, province=world.province, action="view_household", household=world.household, unit="Khu vực 1"
    )
    AccessLog.objects.create(user=world.superuser, province=world.other_province, action="export", unit="Ba Đình")
    client.force_login(province_admin)
    response = client.get("/admin/teams/accesslog/")
    assert response.status_code == 200
    assert "Khu vực 1" in response.text and "Ba Đình" not in response.text


@pytest.fixture
def commune_admin(world):
    """canbo_xa made staff with every Gõ Cửa and login permission."""
    user = world.commune_official
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["households", "teams", "coverage", "auth"])
    )
    return user


def test_it_lets_no_commune_administrator_widen_their_own_scope(client, world, commune_admin):
    from teams.access import scope_for
    from teams.models import Official

    client.force_login(commune_admin)
    own = Official.objects.get(user=commune_admin)
    response = client.get("/admin/teams/official/")
    assert response.status_code == 200 and response.context["cl"].result_count == 0
    response = client.post(
        f"/admin/teams/official/{own.pk}/change/", {"user": commune_admin.pk, "province": world.province.pk}
    )
    assert response.status_code in (403, 404)
    assert scope_for(type(commune_admin).objects.get(pk=commune_admin.pk)).kind == "commune"


def test_it_shows_a_commune_administrator_masked_phones_and_no_history_and_logs_the_view(client, world, commune_admin):
    from teams.models import AccessLog

    client.force_login(commune_admin)
    response = client.get(f"/admin/households/household/{world.household.pk}/change/")
    assert response.status_code == 200
    assert "0912345678" not in response.text and "0912•••678" in response.text
    assert AccessLog.objects.filter(household=world.household, user=commune_admin).count() == 1
    assert client.get(f"/admin/households/household/{world.household.pk}/history/").status_code == 403


def test_it_keeps_the_catalogue_and_admin_rights_for_superusers(client, world, province_admin):
    client.force_login(province_admin)
    assert client.get("/admin/teams/service/add/").status_code == 403
    service = world.services["ewallet"]
    client.post(f"/admin/teams/service/{service.pk}/change/", {"code": "ewallet", "name": "X", "pillar": "economy"})
    service.refresh_from_db()
    assert service.name != "X"
    # Logins: only the province's, and no admin rights handed out.
    province_admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
    response = client.get("/admin/auth/user/")
    assert "tovien" in response.text and "canbo_hanoi" not in response.text
    assert client.get(f"/admin/auth/user/{world.other_province_official.pk}/change/").status_code == 404
    response = client.get(f"/admin/auth/user/{world.member.pk}/change/")
    assert 'name="is_superuser"' not in response.text


def test_it_moves_hamlets_and_households_only_through_their_actions(admin_client, world):
    response = admin_client.get(f"/admin/households/hamlet/{world.hamlet.pk}/change/")
    assert 'name="commune"' not in response.text
    response = admin_client.get(f"/admin/households/household/{world.household.pk}/change/")
    assert 'name="active"' not in response.text
    assert admin_client.get(f"/admin/households/household/{world.household.pk}/delete/").status_code == 403
    response = admin_client.post(
        "/admin/households/household/",
        {"action": "mark_moved_away", "_selected_action": [world.household.pk]},
        follow=True,
    )
    assert "Đã đánh dấu 1 hộ là đã chuyển đi" in response.text
    world.household.refresh_from_db()
    assert not world.household.active and world.household.deactivated_on == world.today


def _service_data(**changes):
    data = {"code": "bank_app", "name": "Ứng dụng ngân hàng", "name_en": "", "pillar": "economy", "order": 99}
    return {**data, "active": "on", "counts_for_coverage": "on", **changes}


def test_it_leaves_a_new_service_out_of_the_figures_until_the_counters_are_rebuilt(admin_client, world):
    """The catalogue-wide rebuild runs as a command, not in the request; until then no pillar figure is wrong."""
    w = world
    visit_record(
        member=w.member_m, household=w.household, visited_on=w.today, outcomes={w.services["ewallet"]: Help("set_up")}
    )
    counters = _all_counters()
    response = admin_client.post("/admin/teams/service/add/", _service_data(), follow=True)
    assert "chưa được tính vào số liệu bao phủ" in response.text and "manage.py rebuild_counters" in response.text
    service = Service.objects.get(code="bank_app")
    assert service.counters_pending and _all_counters() == counters  # nothing rebuilt in the request
    # Counted now, the economy pillar would read the subsets holding the new service, which no row has yet (0).
    assert service not in coverage_services()
    assert for_province(w.province, on=w.today).total.adopted_pillar["economy"] == 1

    call_command("rebuild_counters", stdout=StringIO())
    service.refresh_from_db()
    assert not service.counters_pending and service in coverage_services()
    assert for_province(w.province, on=w.today).total.adopted_pillar["economy"] == 1
    assert "counters_pending" not in admin_client.get(f"/admin/teams/service/{service.pk}/change/").text


def test_it_waits_for_the_rebuild_when_a_service_moves_to_another_pillar_only(admin_client, world):
    ewallet = world.services["ewallet"]
    url = f"/admin/teams/service/{ewallet.pk}/change/"
    admin_client.post(url, _service_data(code="ewallet", name="Ví điện tử", pillar="economy", order=ewallet.order))
    ewallet.refresh_from_db()
    assert not ewallet.counters_pending  # a change that adds no pillar subset
    response = admin_client.post(
        url, _service_data(code="ewallet", name="Ví điện tử", pillar="society", order=ewallet.order), follow=True
    )
    assert "manage.py rebuild_counters" in response.text
    ewallet.refresh_from_db()
    assert ewallet.counters_pending and ewallet.pillar == "society"
    call_command("rebuild_counters", "--province", "92", stdout=StringIO())
    ewallet.refresh_from_db()
    assert ewallet.counters_pending  # one province rebuilt: the others still lack its subsets
    out = StringIO()
    call_command("rebuild_counters", stdout=out)
    assert "Từ nay được tính vào số liệu bao phủ: ewallet." in out.getvalue()
    ewallet.refresh_from_db()
    assert not ewallet.counters_pending


@pytest.mark.parametrize("url", ["/admin/households/household/", "/admin/auth/user/", "/admin/teams/visit/"])
def test_it_refuses_a_hidden_reverse_relation_as_to_field_without_a_500(client, world, url):
    """`_to_field=+` names a reverse relation with related_name="+" (found by the admin fuzz test)."""
    client.force_login(world.superuser)
    assert client.get(url, {"_to_field": "+"}).status_code == 400


@pytest.mark.parametrize(("extra", "more"), [(19, False), (20, True)])
def test_the_household_autocomplete_says_whether_a_page_follows_without_counting_every_match(
    admin_client, world, extra, more
):
    """Its count stops one row past the page asked for: 20 matches make one page, 21 two."""
    from households.registry import household_register

    for n in range(extra):  # with world.household ("Nguyễn Văn An"), 20 or 21 households match "nguyen"
        household_register(hamlet=world.hamlet, head_name=f"Nguyễn Thị {n}", address="Ấp 1")
    query = {"app_label": "teams", "model_name": "visit", "field_name": "household", "term": "nguyen"}
    first = admin_client.get("/admin/autocomplete/", query).json()
    assert len(first["results"]) == 20 and first["pagination"]["more"] is more
    if more:
        second = admin_client.get("/admin/autocomplete/", {**query, "page": "2"}).json()
        assert len(second["results"]) == 1 and second["pagination"]["more"] is False
