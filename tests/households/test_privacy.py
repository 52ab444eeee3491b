"""Personal data: masked phones, logged views, data requests and erasure."""

import json
from datetime import UTC, datetime

import pytest

from coverage.rollups import by_hamlet
from teams.corrections import visit_void
from teams.models import AccessLog, Visit
from teams.visits import Help, visit_record


@pytest.fixture
def province_admin(world):
    world.province_official.is_staff = True
    world.province_official.save()
    return world.province_official


@pytest.mark.parametrize("persona, full", [("member", False), ("leader", True)])
def test_it_masks_phones_in_the_list_except_for_the_team_leader(client, world, persona, full):
    text = world.login(client, persona).get("/households/").text
    assert "Nguyễn Văn An" in text
    assert ("0912345678" in text) is full
    assert ("0912•••678" in text) is not full


def test_it_logs_every_view_of_a_household_page(client, world):
    world.login(client, "member").get(f"/households/{world.household.pk}/")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.household, entry.province) == (
        world.member,
        "view_household",
        world.household,
        world.province,
    )


@pytest.mark.parametrize(
    "persona, status",
    [
        ("member", 404),
        ("other_member", 404),
        ("commune_official", 404),
        ("province_official", 404),
        ("other_province_official", 404),
        ("leader", 200),
        ("superuser", 200),
    ],
)
def test_it_shows_a_households_data_only_to_who_handles_data_requests(client, world, persona, status):
    response = world.login(client, persona).get(f"/households/{world.household.pk}/data/")
    assert response.status_code == status
    if status == 200:
        assert "0912345678" in response.text and "Nguyễn Văn An" in response.text
        assert AccessLog.objects.filter(action="household_data", household=world.household).count() == 1
    else:
        assert not AccessLog.objects.exists()


def test_it_lets_a_province_administrator_export_a_households_data(client, world, province_admin):
    w = world
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        note="Hẹn tối quay lại",
        outcomes={w.services["vneid_level2"]: Help("set_up", 2)},
        recorded_by=w.leader_user,
    )
    w.household.history.update(history_user=w.leader_user)  # as the registering request would set it
    client.force_login(province_admin)
    response = client.get(f"/households/{w.household.pk}/data.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["household"]["head_name"] == "Nguyễn Văn An" and data["household"]["phone"] == "0912345678"
    assert data["visits"][0]["note"] == "Hẹn tối quay lại"
    assert data["visits"][0]["help"] == [{"service": "vneid_level2", "outcome": "set_up", "people_helped": 2}]
    assert data["visits"][0]["member"] == "Nguyễn Thị Mỹ" and data["visits"][0]["recorded_by"] == "totruong"
    assert data["changes"] and all(change["by"] == "totruong" for change in data["changes"])
    assert AccessLog.objects.get().detail == "json"
    assert client.get(f"/households/{w.far_household.pk}/data.json").status_code == 404


def test_it_erases_a_household_on_request_and_keeps_its_counts(client, world):
    w = world
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        note="Nhà ông An, số 12",
        outcomes={w.services["vneid_level2"]: Help("set_up", 2)},
    )
    before = by_hamlet([w.hamlet.pk], on=w.today)[w.hamlet.pk]
    client = w.login(client, "leader")
    url = f"/households/{w.household.pk}/anonymise/"
    response = client.post(url, {})
    assert response.status_code == 200 and "This field is required" not in response.text
    assert "Trường này là bắt buộc" in response.text
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    w.household.refresh_from_db()
    assert w.household.head_name == f"Hộ đã ẩn danh #{w.household.pk}"
    assert (w.household.address, w.household.phone, w.household.active) == ("", "", True)
    assert not w.household.history.filter(head_name="Nguyễn Văn An").exists()
    assert not w.household.history.exclude(phone="").exists()
    assert Visit.objects.get().note == "" and not Visit.history.exclude(note="").exists()
    after = by_hamlet([w.hamlet.pk], on=w.today)[w.hamlet.pk]
    assert (after.households, after.reached, dict(after.adopted)) == (
        before.households,
        before.reached,
        dict(before.adopted),
    )
    assert AccessLog.objects.filter(action="anonymise").count() == 1
    assert world.login(client, "member").post(url, {"confirm": "on"}).status_code == 404


def test_a_households_data_gives_the_day_a_visit_was_voided_as_its_pages_do_in_local_time(client, world):
    """Voided at 18:00 UTC is the next morning in Việt Nam: the export says that day, as the page does."""
    w = world
    visit, _created = visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["vneid_level2"]: Help("set_up", 1)},
    )
    visit_void(visit=visit, by=w.leader_user, reason="Ghi nhầm")
    Visit.all_objects.filter(pk=visit.pk).update(voided_at=datetime(2026, 12, 4, 18, 0, tzinfo=UTC))
    client.force_login(w.leader_user)
    data = json.loads(client.get(f"/households/{w.household.pk}/data.json").content)
    assert [v["voided_on"] for v in data["visits"]] == ["2026-12-05"]
