import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_it_sends_security_headers_and_a_strict_content_security_policy(browser_world, page):
    response = page.goto("/accounts/login/")
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    # The page still renders styled under that policy: Bootstrap comes from our own static files.
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "tovien")
    assert page.locator("header.navbar").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(10, 88, 202)"
    assert violations == []


def test_it_locks_tovien_after_six_wrong_passwords_while_totruong_still_logs_in(browser_world, page):
    for _ in range(6):
        login(page, "tovien", "wrong-password")
    assert "Tài khoản bị tạm khoá" in page.get_by_test_id("locked-out").inner_text()
    login(page, "totruong")
    assert page.get_by_test_id("scope").inner_text().startswith("Bạn là tổ trưởng")
