import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from households.models import Household
from households.registry import household_create
from teams.models import Adoption, Assistance, Outcome, Visit


def url(household):
    return reverse("visit_log", kwargs={"pk": household.pk})


def visit_data(world, **overrides):
    data = {
        "uuid": str(uuid.uuid4()),
        "visited_on": world.today.isoformat(),
        "service_vneid_level2": "set_up",
        "service_ewallet": "set_up",
        "service_health_record": "follow_up",
        "service_province_app": "",
        "people_helped": "2",
        "note": "  Cài xong cho hai vợ chồng  ",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member", 200),
        ("leader", 200),
        ("other_member", 404),
        ("other_commune_member", 404),
        ("commune_official", 404),
        ("superuser", 404),
        ("nobody", 404),
    ],
)
def test_it_opens_the_visit_form_only_for_the_teams_households(world, client, persona, status):
    world.login(client, persona)
    assert client.get(url(world.household)).status_code == status


@pytest.mark.parametrize("persona", ["other_member", "other_commune_member", "commune_official"])
def test_it_refuses_a_visit_posted_from_outside_the_team(world, client, persona):
    world.login(client, persona)
    assert client.post(url(world.household), visit_data(world)).status_code == 404
    assert not Visit.objects.exists()


def test_it_renders_a_fresh_uuid_todays_date_and_every_active_service(world, client, django_assert_max_num_queries):
    world.login(client, "member")
    client.get(reverse("home"))  # the session's first page reads the account's language once and stores it
    with django_assert_max_num_queries(8):
        response = client.get(url(world.household))
    content = response.content.decode()
    uuids = re.findall(r'name="uuid" value="([0-9a-f-]{36})"', content)
    assert len(uuids) == 1
    assert uuids[0] not in client.get(url(world.household)).content.decode()
    assert f'name="visited_on" value="{world.today.isoformat()}"' in content
    assert f'max="{world.today.isoformat()}"' in content
    assert content.count('class="btn-check"') == 5 * len(world.services)
    assert "Đã cài mới" in content and "Đã có sẵn" in content and "Cần quay lại" in content


def test_it_logs_a_visit_and_shows_the_households_new_state(world, client):
    world.login(client, "member")
    response = client.post(url(world.household), visit_data(world), follow=True)
    assert response.redirect_chain[-1][0] == reverse("households:detail", kwargs={"pk": world.household.pk})
    content = response.content.decode()
    assert "Đã lưu lượt thăm hộ Nguyễn Văn An: 2 dịch vụ được cài mới." in content
    visit = Visit.objects.get()
    assert (visit.member, visit.recorded_by, visit.visited_on, visit.note) == (
        world.member_m,
        world.member,
        world.today,
        "Cài xong cho hai vợ chồng",
    )
    stored = {(a.service.code, a.outcome, a.people_helped) for a in Assistance.objects.select_related("service")}
    assert stored == {
        ("vneid_level2", Outcome.SET_UP, 2),
        ("ewallet", Outcome.SET_UP, 2),
        ("health_record", Outcome.FOLLOW_UP, 0),
    }
    assert Adoption.objects.filter(household=world.household, first_adopted_on=world.today).count() == 2
    assert Household.objects.get(pk=world.household.pk).last_visited_on == world.today
    states = {s.service.code: s.kind for s in response.context["states"]}
    assert (states["vneid_level2"], states["health_record"], states["province_app"]) == (
        "adopted",
        "follow_up",
        "not_yet",
    )


def test_it_stores_a_double_submit_once(world, client):
    world.login(client, "member")
    data = visit_data(world)
    first = client.post(url(world.household), data)
    again = client.post(url(world.household), data, follow=True)
    assert first.status_code == 302
    assert Visit.objects.count() == 1
    assert Assistance.objects.count() == 3
    assert "Lượt thăm này đã được lưu, không lưu lại lần nữa." in again.content.decode()


def test_it_logs_a_visit_with_no_service_as_reach(world, client):
    world.login(client, "member")
    data = visit_data(world, service_vneid_level2="", service_ewallet="", service_health_record="")
    response = client.post(url(world.household2), data, follow=True)
    assert "0 dịch vụ được cài mới" in response.content.decode()
    assert Household.objects.get(pk=world.household2.pk).first_visited_on == world.today
    assert not Assistance.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"visited_on": "2999-01-01"}, "visited_on", "Ngày thăm không được sau hôm nay."),
        ({"visited_on": "2000-01-01"}, "visited_on", "Ngày thăm không được trước ngày ghi nhận hộ"),
        ({"visited_on": "hôm qua"}, "visited_on", "Nhập một ngày hợp lệ"),
        ({"people_helped": "-1"}, "people_helped", "Nhập số người từ 0 đến 99."),
        ({"service_ewallet": "maybe"}, "service_ewallet", "Hãy chọn một mục trong danh sách"),
        ({"uuid": "not-a-uuid"}, "__all__", "Biểu mẫu bị lỗi khi gửi"),
    ],
)
def test_it_explains_bad_input_and_saves_nothing(world, client, overrides, field, message):
    world.login(client, "member")
    data = visit_data(world, **overrides)
    response = client.post(url(world.household), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    if message:
        assert message in response.content.decode()
    assert not Visit.objects.exists()
    # The form keeps its UUID, so the corrected resend is still the same visit.
    if field != "__all__":  # a damaged uuid is replaced, others travel back unchanged
        assert f'value="{data["uuid"]}"' in response.content.decode()


def test_it_sends_a_moved_away_household_back_to_its_page(world, client):
    Household.objects.filter(pk=world.household.pk).update(active=False, deactivated_on=world.today)
    world.login(client, "member")
    response = client.post(url(world.household), visit_data(world), follow=True)
    assert "Hộ này đã chuyển đi" in response.content.decode()
    assert not Visit.objects.exists()


def test_it_records_the_leaders_visit_under_the_leader(world, client):
    world.login(client, "leader")
    client.post(url(world.household), visit_data(world, visited_on=(world.today - timedelta(days=1)).isoformat()))
    assert Visit.objects.get().member == world.leader_m


def test_the_form_gives_its_script_a_household_numbered_in_thousands_without_a_separator(client, world):
    """The page's script keeps the visit on the phone when the session expired and sends the household's id
    later; rendered as "25.017" (Vietnamese digit grouping) it named no household and the visit was refused."""
    w = world
    household = household_create(
        household=Household(
            id=25017, hamlet=w.hamlet2, head_name="Đỗ Văn Nghìn", address="Số 1000", registered_on=w.today
        )
    )
    w.login(client, "member")
    page = client.get(url(household))
    assert page.status_code == 200
    assert 'data-household-key="h:25017"' in page.text
