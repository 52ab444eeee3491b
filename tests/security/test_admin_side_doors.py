"""The admin's side doors (issue 13): history versions, custom actions, view-only staff."""

import pytest
from django.contrib.auth.models import Permission

from households.models import Hamlet, Household
from teams.models import AccessLog


@pytest.fixture
def province_admin(world):
    user = world.province_official
    user.is_staff = True
    user.save()
    apps = ["households", "teams", "coverage"]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=apps))
    return user


@pytest.fixture
def view_only_staff(world):
    user = world.commune_official
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


def _versions(household):
    return list(household.history.order_by("history_date").values_list("history_id", flat=True))


def test_it_shows_a_past_version_read_only_and_refuses_to_revert_to_it(client, world, province_admin):
    w = world
    w.household.head_name = "Nguyễn Văn Anh"
    w.household.save()
    first = _versions(w.household)[0]
    client.force_login(province_admin)
    url = f"/admin/households/household/{w.household.pk}/history/{first}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.text
    assert 'name="head_name"' not in response.text and 'name="_save"' not in response.text
    rows = Household.history.count()
    response = client.post(url, {"hamlet": w.hamlet.pk, "head_name": "Nguyễn Văn An", "address": "Số 12"})
    assert response.status_code == 405
    w.household.refresh_from_db()
    assert w.household.head_name == "Nguyễn Văn Anh" and Household.history.count() == rows


def test_it_logs_every_read_of_a_households_history(client, world, province_admin):
    w = world
    client.force_login(province_admin)
    version = _versions(w.household)[0]
    assert client.get(f"/admin/households/household/{w.household.pk}/history/").status_code == 200
    assert client.get(f"/admin/households/household/{w.household.pk}/history/{version}/").status_code == 200
    details = set(
        AccessLog.objects.filter(
            user=province_admin, household=w.household, action=AccessLog.Action.VIEW_HOUSEHOLD
        ).values_list("detail", flat=True)
    )
    assert details == {"admin history", f"admin history #{version}"}


def test_it_gives_a_version_of_another_provinces_household_a_404(client, world, province_admin):
    version = _versions(world.far_household)[0]
    client.force_login(province_admin)
    assert client.get(f"/admin/households/household/{world.far_household.pk}/history/").status_code == 404
    response = client.get(f"/admin/households/household/{world.far_household.pk}/history/{version}/")
    assert response.status_code == 404
    # A version id of another household under one's own household's id is no way round.
    response = client.get(f"/admin/households/household/{world.household.pk}/history/{version}/")
    assert response.status_code == 404


def test_it_lets_view_only_staff_run_no_action(client, world, view_only_staff):
    w = world
    client.force_login(view_only_staff)
    response = client.post(
        "/admin/households/household/",
        {"action": "mark_moved_away", "_selected_action": [w.household.pk], "index": 0},
    )
    assert response.status_code in (200, 302, 403)
    w.household.refresh_from_db()
    assert w.household.active
    response = client.post(
        "/admin/households/hamlet/",
        {"action": "move_to_commune", "_selected_action": [w.hamlet.pk], "apply": "1", "commune": w.commune.pk},
    )
    assert response.status_code in (200, 302, 403)
    assert Hamlet.objects.get(pk=w.hamlet.pk).commune_id == w.commune.pk
    # The actions are not even offered.
    response = client.get("/admin/households/household/")
    assert "mark_moved_away" not in response.text


def _autocomplete(client, term):
    response = client.get(
        "/admin/autocomplete/", {"app_label": "teams", "model_name": "visit", "field_name": "household", "term": term}
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_it_finds_a_household_by_part_of_its_phone_only_for_who_sees_phones(client, world, province_admin):
    w = world
    masked = w.commune_official
    masked.is_staff = True
    masked.save()
    masked.user_permissions.set(Permission.objects.filter(codename__in=["view_household", "view_visit"]))
    client.force_login(masked)
    assert "Nguyễn Văn An" not in client.get("/admin/households/household/", {"q": "2345"}).text
    assert _autocomplete(client, "2345") == [] and _autocomplete(client, "0912 345") == []
    # The full number is no oracle on the masked digits: it finds the household.
    assert "Nguyễn Văn An" in client.get("/admin/households/household/", {"q": "0912345678"}).text
    assert "Nguyễn Văn An" in client.get("/admin/households/household/", {"q": "nguyen van"}).text
    client.force_login(province_admin)
    assert "Nguyễn Văn An" in client.get("/admin/households/household/", {"q": "2345"}).text
    assert len(_autocomplete(client, "2345")) == 1


def test_it_logs_the_admin_list_that_shows_full_phones(client, world, province_admin):
    client.force_login(province_admin)
    assert "0912345678" in client.get("/admin/households/household/", {"q": "nguyen"}).text
    entry = AccessLog.objects.get(user=province_admin)
    assert (entry.action, entry.unit, entry.province) == ("view_household", "admin list", world.province)
    assert "nguyen" not in entry.detail


def test_it_clears_the_phone_from_the_history_when_consent_is_withdrawn_in_the_admin(client, world, province_admin):
    w = world
    client.force_login(province_admin)
    response = client.post(
        f"/admin/households/household/{w.household.pk}/change/",
        {
            "hamlet": w.hamlet.pk,
            "head_name": w.household.head_name,
            "address": w.household.address,
            "phone": w.household.phone,
            "people_count": 4,
            "poverty": "none",
            "registered_on": w.household.registered_on.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    w.household.refresh_from_db()
    assert (w.household.phone, w.household.consent_given) == ("", False)
    assert not w.household.history.exclude(phone="").exists()


@pytest.mark.parametrize("object_id", ["2/change", "abc", "9" * 30, "%00"])
def test_it_gives_a_history_page_of_an_id_that_is_not_one_a_404(client, world, province_admin, object_id):
    # Found using the product: /admin/households/household/2/change/history/ was a 500 (int("2/change")).
    client.force_login(province_admin)
    for model in ("households/household", "teams/visit", "coverage/target"):
        assert client.get(f"/admin/{model}/{object_id}/history/").status_code == 404
