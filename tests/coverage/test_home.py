import pytest

from teams.visits import Help, visit_record


@pytest.mark.parametrize(
    "persona, text, households, teams, members",
    [
        ("member", "Bạn là tổ viên Tổ CNSCĐ Khu vực 1", 2, 1, 2),
        ("leader", "Bạn là tổ trưởng Tổ CNSCĐ Khu vực 1", 2, 1, 2),
        ("commune_official", "Bạn xem số liệu của Phường Ninh Kiều", 3, 2, 3),
        ("province_official", "Bạn xem số liệu của Thành phố Cần Thơ", 4, 3, 4),
        ("superuser", "Bạn xem được tất cả các tỉnh", 5, 4, 5),
    ],
)
def test_it_shows_each_user_its_scope_and_live_counts(client, world, persona, text, households, teams, members):
    w = world
    visit_record(
        member=w.member_m, household=w.household, visited_on=w.today, outcomes={w.services["ewallet"]: Help("set_up")}
    )
    response = world.login(client, persona).get("/")
    assert response.status_code == 200
    assert text in response.text
    counts = response.context["counts"]
    assert (counts["households"], counts["teams"], counts["members"]) == (households, teams, members)
    assert counts["visits_this_week"] == 1


def test_it_counts_only_visits_in_scope(client, world):
    w = world
    visit_record(member=w.other_commune_member_m, household=w.other_household, visited_on=w.today, outcomes={})
    assert world.login(client, "commune_official").get("/").context["counts"]["visits_this_week"] == 0
    assert world.login(client, "other_commune_official").get("/").context["counts"]["visits_this_week"] == 1


def test_it_sends_anonymous_users_to_login_and_warns_users_without_scope(client, world):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = world.login(client, "nobody").get("/")
    assert "chưa được gắn với tổ" in response.text


def test_it_changes_a_password(client, world):
    from tests.conftest import PASSWORD

    world.login(client, "member")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "gõ-cửa-2026!", "new_password2": "gõ-cửa-2026!"},
    )
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("gõ-cửa-2026!")


def test_it_logs_out_only_by_post(client, world):
    world.login(client, "member")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302
