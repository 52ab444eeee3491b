"""The password-change forms count wrong current passwords with django-axes, like the login."""

import pytest

from tests.conftest import PASSWORD

NEW = "Nn7-brand-new-pass"


def change(client, url, old):
    return client.post(url, {"old_password": old, "new_password1": NEW, "new_password2": NEW}, REMOTE_ADDR="10.1.2.3")


@pytest.mark.parametrize(
    ("url", "persona", "username"),
    [("/accounts/password/", "member_user", "tovien"), ("/admin/password_change/", "superuser", "admin")],
)
def test_it_locks_the_username_after_five_wrong_current_passwords(client, world, url, persona, username):
    user = getattr(world, persona)
    client.force_login(user)
    for _ in range(4):
        response = change(client, url, "wrong")
        assert response.status_code == 200
        assert "Mật khẩu cũ không chính xác" in response.text
    response = change(client, url, "wrong")
    assert response.status_code == 429
    assert "Tài khoản bị tạm khoá" in response.text
    # The right current password is refused too while locked, and nothing changes.
    assert change(client, url, PASSWORD).status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and not user.check_password(NEW)
    # The login is locked for that username as well.
    client.logout()
    login = client.post("/accounts/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert login.status_code == 429


@pytest.mark.parametrize("url", ["/accounts/password/", "/admin/password_change/"])
def test_it_changes_the_password_with_the_right_current_one(client, world, url):
    client.force_login(world.superuser)
    response = change(client, url, PASSWORD)
    assert response.status_code == 302
    world.superuser.refresh_from_db()
    assert world.superuser.check_password(NEW)
