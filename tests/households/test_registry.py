from datetime import timedelta

import pytest
from django.urls import reverse

from coverage.rollups import by_hamlet
from households.models import Household

NEW = reverse("households:new")


def form_data(world, **overrides):
    data = {
        "hamlet": world.hamlet.pk,
        "head_name": "Huỳnh Thị Lan",
        "address": "Số 5, hẻm 12",
        "phone": "",
        "people_count": 3,
        "poverty": "near_poor",
        "registered_on": world.today.isoformat(),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("leader", 200), ("other_member", 200), ("commune_official", 404), ("nobody", 404)],
)
def test_it_opens_the_register_form_to_team_members(world, client, persona, status):
    world.login(client, persona)
    assert client.get(NEW).status_code == status


def test_it_registers_a_household_on_the_spot(world, client):
    world.login(client, "member")
    response = client.post(NEW, form_data(world, phone="0987 654 321", consent_given="on"), follow=True)
    household = Household.objects.get(head_name="Huỳnh Thị Lan")
    assert response.redirect_chain[-1][0] == reverse("households:detail", kwargs={"pk": household.pk})
    assert "Đã ghi nhận hộ Huỳnh Thị Lan." in response.content.decode()
    assert (household.hamlet, household.phone, household.people_count, household.poverty) == (
        world.hamlet,
        "0987654321",
        3,
        "near_poor",
    )
    assert household.province == world.province
    assert household.search_key.startswith("huynh thi lan | ")


def test_it_refuses_a_phone_without_consent_and_stores_nothing(world, client):
    world.login(client, "member")
    response = client.post(NEW, form_data(world, phone="0987654321"))
    assert response.status_code == 200
    assert "Chỉ ghi số điện thoại khi hộ đồng ý" in response.content.decode()
    assert response.context["form"].errors.keys() == {"consent_given"}
    assert not Household.objects.filter(head_name="Huỳnh Thị Lan").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Nhập số điện thoại 10 hoặc 11 chữ số"),
        ("people_count", "0", "Nhập số nhân khẩu từ 1 đến 99"),
        ("head_name", "", "Trường này là bắt buộc"),
        ("registered_on", "2999-01-01", "Ngày ghi nhận không thể ở tương lai"),
    ],
)
def test_it_explains_bad_input_next_to_the_field(world, client, field, value, message):
    world.login(client, "member")
    response = client.post(NEW, form_data(world, consent_given="on", **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert not Household.objects.filter(address="Số 5, hẻm 12").exists()


def test_it_cannot_register_in_another_teams_hamlet(world, client):
    world.login(client, "member")
    response = client.post(NEW, form_data(world, hamlet=world.hamlet3.pk))
    assert "hamlet" in response.context["form"].errors
    assert not Household.objects.filter(head_name="Huỳnh Thị Lan").exists()


def test_it_warns_about_a_namesake_in_the_hamlet_and_registers_once_confirmed(world, client):
    world.login(client, "member")
    data = form_data(world, head_name="nguyen van AN", address="Số 99")
    response = client.post(NEW, data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ấp này đã có hộ mà chủ hộ trùng tên" in content
    assert "Nguyễn Văn An" in content
    assert Household.objects.filter(address="Số 99").count() == 0

    response = client.post(NEW, {**data, "confirm_namesake": "on"})
    assert response.status_code == 302
    assert Household.objects.filter(address="Số 99", head_name="nguyen van AN").count() == 1


def test_it_does_not_warn_about_a_namesake_in_another_hamlet(world, client):
    world.login(client, "member")
    response = client.post(NEW, form_data(world, hamlet=world.hamlet2.pk, head_name="Nguyễn Văn An"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"), [("member", 200), ("leader", 200), ("other_member", 404), ("commune_official", 404)]
)
def test_it_lets_the_team_edit_its_households_only(world, client, persona, status):
    world.login(client, persona)
    assert client.get(reverse("households:edit", kwargs={"pk": world.household.pk})).status_code == status
    if status == 404:
        response = client.post(reverse("households:edit", kwargs={"pk": world.household.pk}), form_data(world))
        assert response.status_code == 404
        assert Household.objects.get(pk=world.household.pk).head_name == "Nguyễn Văn An"


def test_it_edits_a_household_and_drops_the_phone_when_consent_is_withdrawn(world, client):
    world.login(client, "member")
    edit = reverse("households:edit", kwargs={"pk": world.household.pk})
    data = form_data(
        world, head_name="Nguyễn Văn An", address="Số 14, đường Trần Hưng Đạo", people_count=5, registered_on=""
    )
    data["registered_on"] = world.household.registered_on.isoformat()
    response = client.post(edit, data, follow=True)
    assert "Đã lưu hộ Nguyễn Văn An." in response.content.decode()
    household = Household.objects.get(pk=world.household.pk)
    assert (household.address, household.people_count, household.phone) == ("Số 14, đường Trần Hưng Đạo", 5, "")
    assert "tran hung dao" in household.search_key


def test_it_will_not_move_the_registration_after_the_first_visit(visited, client):
    w = visited
    w.login(client, "member")
    data = form_data(w, head_name="Nguyễn Văn An", registered_on=w.today.isoformat())
    response = client.post(reverse("households:edit", kwargs={"pk": w.household.pk}), data)
    assert "registered_on" in response.context["form"].errors
    assert Household.objects.get(pk=w.household.pk).registered_on == w.today - timedelta(days=90)


@pytest.mark.parametrize(
    ("persona", "status"), [("member", 404), ("leader", 200), ("other_member", 404), ("commune_official", 404)]
)
def test_it_lets_only_the_leader_deactivate(world, client, persona, status):
    world.login(client, persona)
    deactivate = reverse("households:deactivate", kwargs={"pk": world.household.pk})
    assert client.get(deactivate).status_code == status
    if status == 404:
        assert client.post(deactivate, {"confirm": "on"}).status_code == 404
        assert Household.objects.get(pk=world.household.pk).active


def test_it_deactivates_a_household_that_moved_away_keeping_its_history(visited, client):
    w = visited
    w.login(client, "leader")
    deactivate = reverse("households:deactivate", kwargs={"pk": w.household.pk})
    response = client.post(deactivate, {})
    assert "confirm" in response.context["form"].errors
    assert Household.objects.get(pk=w.household.pk).active

    response = client.post(deactivate, {"confirm": "on"}, follow=True)
    assert "đã chuyển đi" in response.content.decode()
    household = Household.objects.get(pk=w.household.pk)
    assert (household.active, household.deactivated_on) == (False, w.today)
    assert household.visits.count() == 2
    # Out of the figures from today (its people helped stay: work done), in yesterday's as it stood.
    today = by_hamlet([w.hamlet.pk], on=w.today)[w.hamlet.pk]
    assert (today.households, today.reached, dict(today.adopted)) == (0, 0, {})
    assert by_hamlet([w.hamlet.pk], on=w.today - timedelta(days=1))[w.hamlet.pk].households == 1
    assert client.get(deactivate).status_code == 404
