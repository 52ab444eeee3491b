"""Brute force: five failures lock a username for 15 minutes, per username not per address."""

from axes.models import AccessAttempt

from tests.conftest import PASSWORD


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


def test_it_locks_a_username_after_five_failures_but_not_others_from_the_same_address(client, world):
    for _ in range(4):
        response = login(client, "tovien", "wrong")
        assert response.status_code == 200
        assert "mật khẩu chính xác" in response.text
    # The fifth failure locks the account.
    response = login(client, "tovien", "wrong")
    assert response.status_code == 429
    assert "Tài khoản bị tạm khoá" in response.text and "15 phút" in response.text
    # Even the right password is refused while locked.
    assert login(client, "tovien", PASSWORD).status_code == 429
    # Another member behind the same carrier address still gets in.
    response = login(client, "totruong", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_it_unlocks_after_the_cool_off(client, world, settings):
    from datetime import timedelta

    for _ in range(6):
        login(client, "tovien", "wrong")
    assert login(client, "tovien", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert login(client, "tovien", PASSWORD).status_code == 302


def test_it_starts_a_new_session_at_login(client, world):
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    login(client, "tovien", PASSWORD)
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"


def test_it_answers_a_locked_api_user_in_json(client, world):
    import base64

    def api(password):
        token = base64.b64encode(f"canbo_xa:{password}".encode()).decode()
        return client.get("/api/coverage/commune/31135/", HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR="10.1.2.3")

    statuses = [api("wrong").status_code for _ in range(5)]
    assert statuses[:4] == [401] * 4
    response = api(PASSWORD)
    assert response.status_code == 429 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": "too many failed logins", "retry_after_minutes": 15}
