"""The phone's JSON side door: session and CSRF, the snapshot of the team's households, the sync."""

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from households.models import Household
from households.registry import household_update
from teams.models import Assistance, Visit
from teams.visits import visit_delete
from tests.counter_checks import counters_and_rebuild

SYNC = reverse("field_sync")
SNAPSHOT = reverse("field_snapshot")


def visit_item(world, **overrides):
    item = {
        "kind": "visit",
        "uuid": str(uuid.uuid4()),
        "household": world.household.pk,
        "visited_on": world.today.isoformat(),
        "people_helped": "2",
        "note": "Cài cho hai vợ chồng",
        "outcomes": {"vneid_level2": "set_up", "health_record": "follow_up"},
    }
    item.update(overrides)
    return item


def household_item(world, **overrides):
    item = {
        "kind": "household",
        "uuid": str(uuid.uuid4()),
        "hamlet": world.hamlet.pk,
        "head_name": "Huỳnh Thị Mai",
        "address": "Số 5, hẻm 2",
        "phone": "",
        "consent_given": False,
        "people_count": "3",
        "poverty": "near_poor",
        "policy_family": False,
        "registered_on": world.today.isoformat(),
    }
    item.update(overrides)
    return item


def send(client, item):
    return client.post(SYNC, json.dumps(item), content_type="application/json")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("leader", 200), ("commune_official", 404), ("superuser", 404), ("nobody", 404)],
)
def test_it_hands_a_fresh_csrf_token_to_team_members_only(world, client, persona, status):
    world.login(client, persona)
    response = client.get(reverse("field_session"))
    assert response.status_code == status
    if status == 200:
        assert response.json()["user"] == getattr(world, persona).username and response.json()["csrf"]


def test_it_answers_401_not_a_login_page_when_the_session_has_ended(world, client):
    assert client.get(reverse("field_session")).status_code == 401
    response = send(client, visit_item(world))
    assert response.status_code == 401
    assert response.json()["status"] == "login"
    assert not Visit.objects.exists()


def test_it_stores_a_visit_once_and_acknowledges_a_resend(world, client):
    world.login(client, "member")
    item = visit_item(world)
    first = send(client, item)
    assert first.status_code == 200 and first.json()["status"] == "stored"
    again = send(client, item)
    assert again.status_code == 200 and again.json()["status"] == "again"
    visit = Visit.objects.get()
    assert str(visit.pk) == item["uuid"] and visit.member == world.member_m and visit.recorded_by == world.member_user
    assert sorted(Assistance.objects.values_list("service__code", "outcome", "people_helped")) == [
        ("health_record", "follow_up", 0),
        ("vneid_level2", "set_up", 2),
    ]
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


@pytest.mark.parametrize(
    "change",
    [
        {"note": "Khác"},
        {"people_helped": "3"},
        {"outcomes": {"vneid_level2": "already_had"}},
        {"visited_on": "yesterday"},
    ],
)
def test_it_refuses_the_same_uuid_with_different_content_with_409(world, client, change):
    world.login(client, "member")
    item = visit_item(world)
    send(client, item)
    if change.get("visited_on") == "yesterday":
        change = {"visited_on": (world.today - timedelta(days=1)).isoformat()}
    response = send(client, {**item, **change})
    assert response.status_code == 409
    assert "nội dung khác" in response.json()["reason"]
    assert Visit.objects.count() == 1 and Visit.objects.get().note == "Cài cho hai vợ chồng"


def test_it_refuses_a_visit_the_rules_refuse_with_the_online_forms_message(world, client):
    world.login(client, "member")
    tomorrow = (world.today + timedelta(days=1)).isoformat()
    response = send(client, visit_item(world, visited_on=tomorrow))
    assert response.status_code == 422
    assert response.json()["reason"] == "Ngày thăm không được sau hôm nay."
    assert not Visit.objects.exists()


def test_it_refuses_a_visit_to_a_household_that_left_the_teams_hamlets(world, client):
    world.login(client, "member")
    household_update(household=world.household, hamlet=world.hamlet3)
    response = send(client, visit_item(world))
    assert response.status_code == 422
    assert "không còn thuộc các ấp" in response.json()["reason"]
    assert not Visit.objects.exists()


def test_it_registers_a_household_once_and_takes_visits_that_refer_to_its_uuid(world, client):
    world.login(client, "member")
    item = household_item(world)
    first = send(client, item)
    assert first.status_code == 200 and first.json()["status"] == "stored"
    assert send(client, item).json()["status"] == "again"
    household = Household.objects.get(uuid=item["uuid"])
    assert (household.head_name, household.people_count, household.poverty) == ("Huỳnh Thị Mai", 3, "near_poor")
    visit = visit_item(world, household=None, household_uuid=item["uuid"], people_helped="1")
    assert send(client, visit).status_code == 200
    assert Visit.objects.get().household == household
    assert send(client, {**item, "head_name": "Huỳnh Thị Mơ"}).status_code == 409
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_it_refuses_a_household_in_a_hamlet_outside_the_team(world, client):
    world.login(client, "member")
    response = send(client, household_item(world, hamlet=world.hamlet3.pk))
    assert response.status_code == 422
    assert "hamlet" in response.json()["errors"]
    assert not Household.objects.filter(head_name="Huỳnh Thị Mai").exists()


def test_it_refuses_a_damaged_item(world, client):
    world.login(client, "member")
    assert client.post(SYNC, "{not json", content_type="application/json").status_code == 400
    assert send(client, {"kind": "visit", "uuid": "nope"}).status_code == 400


def test_it_needs_the_csrf_token(world, client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    world.login(csrf_client, "member")
    assert send(csrf_client, visit_item(world)).status_code == 403
    token = csrf_client.get(reverse("field_session")).json()["csrf"]
    response = csrf_client.post(
        SYNC, json.dumps(visit_item(world)), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


def rows_by_id(answer):
    return {row[0]: row for row in answer["households"]}


def test_it_snapshots_only_the_teams_households_with_phones_masked(world, client):
    world.login(client, "member")
    answer = client.get(SNAPSHOT).json()
    assert answer["full"] is True
    team = {world.household.pk, world.household2.pk}
    assert set(answer["ids"]) == team and set(rows_by_id(answer)) == team
    row = rows_by_id(answer)[world.household.pk]
    assert row[3] == "Nguyễn Văn An" and row[5] == "0912•••678"
    assert "0912345678" not in json.dumps(answer)


def test_it_sends_only_what_changed_since_the_cursor_and_every_id_to_keep(world, client):
    world.login(client, "member")
    cursor = client.get(SNAPSHOT).json()["cursor"]
    # Nothing since (the cursor looks a little back: the rows written in that margin come again).
    Household.objects.update(updated_at=Household.objects.get(pk=world.household.pk).updated_at - timedelta(hours=1))
    Visit.history.model.objects.all().delete()
    assert client.get(SNAPSHOT, {"since": cursor}).json()["households"] == []

    send(client, visit_item(world))  # a visit changes the household's states
    answer = client.get(SNAPSHOT, {"since": cursor}).json()
    assert list(rows_by_id(answer)) == [world.household.pk]
    assert (
        rows_by_id(answer)[world.household.pk][12][str(world.services["vneid_level2"].pk)][0] == world.today.isoformat()
    )

    household_update(household=world.household2, hamlet=world.hamlet3)  # it leaves the team's hamlets
    answer = client.get(SNAPSHOT, {"since": cursor}).json()
    assert world.household2.pk not in answer["ids"] and world.household2.pk not in rows_by_id(answer)

    visit_delete(visit=Visit.objects.get())  # a deleted visit changes the states back
    answer = client.get(SNAPSHOT, {"since": answer["cursor"]}).json()
    assert rows_by_id(answer)[world.household.pk][12] == {}
