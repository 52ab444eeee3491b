"""User names: ASCII letters, digits and ._- only, compared without regard to case."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from teams.models import Member
from tests.conftest import PASSWORD

PASS = "Zx9-long-pass"
ONLY_ASCII = "Tên đăng nhập chỉ được"


def create_login(client, member, username):
    return client.post(
        reverse("member_login", kwargs={"pk": member.pk}), {"username": username, "password1": PASS, "password2": PASS}
    )


def test_it_offers_the_accent_free_name_as_the_username(world, client):
    member = Member.objects.create(team=world.team, full_name="Võ Thu")
    dang = Member.objects.create(team=world.team, full_name="Đặng Thị Ánh")
    world.login(client, "leader_user")
    assert 'value="vothu"' in client.get(reverse("member_login", kwargs={"pk": member.pk})).text
    assert 'value="dangthianh"' in client.get(reverse("member_login", kwargs={"pk": dang.pk})).text


@pytest.mark.parametrize(
    ("username", "message"),
    [("\u0430dmin", ONLY_ASCII), ("võthu", ONLY_ASCII), ("vo thu", ONLY_ASCII), ("ToVien", "đã có người dùng")],
)
def test_it_refuses_a_bad_or_taken_username_in_the_leaders_form(world, client, username, message):
    member = Member.objects.create(team=world.team, full_name="Võ Thu")
    world.login(client, "leader_user")
    response = create_login(client, member, username)
    assert response.status_code == 200 and message in response.text
    assert Member.objects.get(pk=member.pk).user is None
    assert get_user_model().objects.count() == 10


def test_it_creates_an_ascii_login_and_finds_it_in_any_case(world, client):
    member = Member.objects.create(team=world.team, full_name="Võ Thu")
    world.login(client, "leader_user")
    assert create_login(client, member, "vo.thu_2-b").status_code == 302
    assert Member.objects.get(pk=member.pk).user.username == "vo.thu_2-b"
    client.logout()
    response = client.post("/accounts/login/", {"username": "VO.Thu_2-B", "password": PASS})
    assert response.status_code == 302 and response["Location"] == "/"


def test_it_locks_every_spelling_of_a_username_together(world, client):
    for typed in ["tovien", "ToVien", "TOVIEN", "toVien", "tovieN"]:
        client.post("/accounts/login/", {"username": typed, "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    response = client.post("/accounts/login/", {"username": "tovien", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("username", "message"), [("\u0430dmin", ONLY_ASCII), ("võthu", ONLY_ASCII), ("TOVIEN", "đã có người dùng")]
)
def test_it_refuses_a_bad_or_taken_username_in_the_admin(world, client, username, message):
    world.login(client, "superuser")
    response = client.post(
        "/admin/auth/user/add/",
        {"username": username, "usable_password": "true", "password1": PASS, "password2": PASS},
    )
    assert response.status_code == 200 and message in response.text
    assert not get_user_model().objects.filter(username=username).exists()
    # Renaming a login onto another one's name, in another case, is refused too.
    change_url = f"/admin/auth/user/{world.leader_user.pk}/change/"
    response = client.post(change_url, {"username": "ToVien", "date_joined_0": "2024-01-01", "date_joined_1": "00:00"})
    assert "đã có người dùng" in response.text
    world.leader_user.refresh_from_db()
    assert world.leader_user.username == "totruong"
