import pytest

from tests.browser.conftest import assert_no_horizontal_scroll, login, screenshot

pytestmark = pytest.mark.browser


def test_it_logs_in_and_out_at_phone_width(browser_world, page):
    page.goto("/")
    assert "/accounts/login/" in page.url
    login(page, "tovien")
    assert page.get_by_test_id("scope").inner_text().startswith("Bạn là tổ viên")
    assert page.get_by_test_id("count-households").inner_text() == "2"
    assert_no_horizontal_scroll(page)
    screenshot(page, "home-member")

    # The field script first asks the phone's outbox whether anything is unsent, then submits the form.
    page.get_by_role("button", name="Thoát").click()
    page.wait_for_url("**/accounts/login/**")
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_it_refuses_a_wrong_password_with_a_vietnamese_message(browser_world, page):
    login(page, "tovien", "wrong-password")
    assert "/accounts/login/" in page.url
    assert "mật khẩu chính xác" in page.locator(".alert-danger").inner_text()
    assert_no_horizontal_scroll(page)
    screenshot(page, "login-error")
