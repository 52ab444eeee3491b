import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from teams.models import Member
from tests.conftest import PASSWORD

ROSTER = reverse("roster")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("leader", 200),
        ("member", 404),
        ("other_member", 404),
        ("commune_official", 404),
        ("superuser", 404),
        ("nobody", 404),
    ],
)
def test_it_opens_the_roster_to_the_leader_only(world, client, persona, status):
    world.login(client, persona)
    assert client.get(ROSTER).status_code == status
    assert client.get(reverse("member_new")).status_code == status
    assert client.get(reverse("member_edit", kwargs={"pk": world.member_m.pk})).status_code == status


def test_it_lists_the_leaders_own_team(world, client, django_assert_max_num_queries):
    world.login(client, "leader")
    client.get(reverse("home"))  # the session's first page reads the account's language once and stores it
    with django_assert_max_num_queries(8):
        content = client.get(ROSTER).content.decode()
    assert "Nguyễn Thị Mỹ" in content and "Trần Văn Hậu" in content
    assert "Lê Văn Ba" not in content


def test_it_adds_a_member(world, client):
    world.login(client, "leader")
    response = client.post(
        reverse("member_new"),
        {"full_name": "Phan Thị  Hồng", "phone": "0909 111 222", "role": "member", "organisation": "Đoàn Thanh niên"},
        follow=True,
    )
    assert "Đã thêm Phan Thị Hồng vào tổ." in response.content.decode()
    member = Member.objects.get(full_name="Phan Thị Hồng")
    assert (member.team, member.phone, member.active, member.user) == (world.team, "0909111222", True, None)


def test_it_explains_bad_member_input(world, client):
    world.login(client, "leader")
    response = client.post(reverse("member_new"), {"full_name": "", "phone": "12", "role": "member"})
    assert {"full_name", "phone"} <= response.context["form"].errors.keys()
    assert "Nhập số điện thoại 10 hoặc 11 chữ số" in response.content.decode()
    assert Member.objects.count() == 5


def test_it_edits_a_member_of_the_team_but_not_of_another(world, client):
    world.login(client, "leader")
    response = client.post(
        reverse("member_edit", kwargs={"pk": world.member_m.pk}),
        {"full_name": "Nguyễn Thị Mỹ Linh", "phone": "", "role": "leader", "organisation": "Hội Phụ nữ"},
    )
    assert response.status_code == 302
    world.member_m.refresh_from_db()
    assert (world.member_m.full_name, world.member_m.role, world.member_m.organisation) == (
        "Nguyễn Thị Mỹ Linh",
        "leader",
        "Hội Phụ nữ",
    )
    other = reverse("member_edit", kwargs={"pk": world.other_member_m.pk})
    assert client.post(other, {"full_name": "X Y", "role": "member"}).status_code == 404
    assert Member.objects.get(pk=world.other_member_m.pk).full_name == "Lê Văn Ba"


def test_it_keeps_the_leader_from_demoting_or_deactivating_themselves(world, client):
    world.login(client, "leader")
    client.post(
        reverse("member_edit", kwargs={"pk": world.leader_m.pk}),
        {"full_name": "Trần Văn Hậu", "role": "member", "organisation": ""},
    )
    assert Member.objects.get(pk=world.leader_m.pk).role == "leader"
    response = client.post(reverse("member_deactivate", kwargs={"pk": world.leader_m.pk}), follow=True)
    assert "Bạn không thể tự cho mình nghỉ." in response.content.decode()
    assert Member.objects.get(pk=world.leader_m.pk).active


def test_it_deactivates_and_reactivates_a_member(world, client):
    world.login(client, "leader")
    deactivate = reverse("member_deactivate", kwargs={"pk": world.member_m.pk})
    assert client.get(deactivate).status_code == 405
    response = client.post(deactivate, follow=True)
    assert "Nguyễn Thị Mỹ đã rời danh sách tổ viên đang hoạt động." in response.content.decode()
    assert not Member.objects.get(pk=world.member_m.pk).active
    # Their login now sees no field page.
    client.force_login(world.member)
    assert client.get(reverse("households:list")).status_code == 404
    world.login(client, "leader")
    client.post(reverse("member_reactivate", kwargs={"pk": world.member_m.pk}))
    assert Member.objects.get(pk=world.member_m.pk).active


def test_it_refuses_roster_posts_from_a_member(world, client):
    world.login(client, "member")
    assert client.post(reverse("member_deactivate", kwargs={"pk": world.leader_m.pk})).status_code == 404
    assert client.post(reverse("member_new"), {"full_name": "A B", "role": "leader"}).status_code == 404
    assert Member.objects.get(pk=world.leader_m.pk).active
    assert Member.objects.count() == 5


def test_it_creates_a_login_for_a_member(world, client):
    member = Member.objects.create(team=world.team, full_name="Phan Văn Khánh")
    world.login(client, "leader")
    login_url = reverse("member_login", kwargs={"pk": member.pk})
    response = client.post(login_url, {"username": "khanh", "password1": "123", "password2": "123"})
    assert "password2" in response.context["form"].errors
    assert not get_user_model().objects.filter(username="khanh").exists()

    response = client.post(
        login_url, {"username": "khanh", "password1": PASSWORD + "x9", "password2": PASSWORD + "x9"}, follow=True
    )
    assert "Đã tạo tài khoản khanh cho Phan Văn Khánh." in response.content.decode()
    member.refresh_from_db()
    assert member.user.username == "khanh"
    assert member.user.check_password(PASSWORD + "x9")
    # One login per member: the page is gone once it exists.
    assert client.get(login_url).status_code == 404
    assert client.get(reverse("member_login", kwargs={"pk": world.other_member_m.pk})).status_code == 404
    client.force_login(member.user)
    assert client.get(reverse("households:list")).status_code == 200


def test_it_refuses_a_username_already_taken(world, client):
    member = Member.objects.create(team=world.team, full_name="Phan Văn Khánh")
    world.login(client, "leader")
    response = client.post(
        reverse("member_login", kwargs={"pk": member.pk}),
        {"username": "tovien", "password1": "Zx9-long-pass", "password2": "Zx9-long-pass"},
    )
    assert "username" in response.context["form"].errors
    assert Member.objects.get(pk=member.pk).user is None
