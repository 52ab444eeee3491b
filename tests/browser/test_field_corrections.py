"""Corrections in the field, Back then Save, and an expired session on submit, in Chromium at 360 px."""

import pytest
from django.contrib.sessions.models import Session

from teams.models import Visit
from tests.browser.conftest import PASSWORD, assert_no_horizontal_scroll, login, new_page, screenshot

pytestmark = pytest.mark.browser

VNEID = "Kích hoạt định danh điện tử VNeID mức 2"


def outcome_button(page, label, service_name=VNEID):
    return page.locator("fieldset", has=page.locator("legend", has_text=service_name)).get_by_text(label, exact=True)


def wait_for(predicate, page, tries=300):
    for _ in range(tries):
        if predicate():
            return True
        page.wait_for_timeout(100)
    return predicate()


def save_back_save(page, w):
    page.goto(f"/households/{w.household2.pk}/visit/")
    outcome_button(page, "Đã có sẵn").click()
    page.get_by_role("button", name="Lưu lượt thăm").click()
    page.wait_for_url(f"**/households/{w.household2.pk}/")
    page.go_back()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Lưu lượt thăm").is_visible()
    if not page.locator("input[value=already_had]:checked").count():  # the page came again, not from the cache
        outcome_button(page, "Đã có sẵn").click()
    with page.expect_navigation():  # the script asks the server first, then posts
        page.get_by_role("button", name="Lưu lượt thăm").click()
    page.wait_for_load_state()
    assert Visit.objects.filter(household=w.household2).count() == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["with script", "without script"])
def test_it_does_not_store_a_second_visit_on_back_then_save(browser_world, browser, live_server, javascript):
    w = browser_world
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", base_url=live_server.url, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, "tovien")
        save_back_save(page, w)
        text = page.locator("main").inner_text()
        # Either the form came back from the cache with its UUID (a resend, stored once), or with a new one
        # and the server asks first.
        assert "Lượt thăm này đã được lưu" in text
        if page.get_by_test_id("visit-twin").count():
            screenshot(page, f"field-visit-twin-{'js' if javascript else 'nojs'}")
            page.get_by_role("button", name="Có, lưu thêm một lượt").click()
            page.wait_for_url(f"**/households/{w.household2.pk}/")
            assert Visit.objects.filter(household=w.household2).count() == 2
    finally:
        context.close()


def test_it_keeps_the_typed_visit_when_the_session_expired_before_save(browser_world, page):
    w = browser_world
    login(page, "tovien")
    page.goto(f"/households/{w.household2.pk}/visit/")
    outcome_button(page, "Đã cài mới").click()
    page.get_by_label("Số người được hỗ trợ").fill("2")
    page.get_by_label("Ghi chú").fill("Cài cho hai mẹ con, phiên đã hết hạn")
    Session.objects.all().delete()  # the session expired while the member typed

    page.get_by_role("button", name="Lưu lượt thăm").click()
    login_link = page.locator("#login-banner").get_by_role("link", name="Đăng nhập")
    login_link.wait_for()
    assert not Visit.objects.exists()
    login_link.click()
    page.get_by_label("Tên đăng nhập").fill("tovien")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()

    kept = "GoCua.items().then(all => all.map(i => [i.status, i.reason, JSON.stringify(i.payload)]))"
    assert wait_for(lambda: Visit.objects.exists(), page), (
        f"the visit kept on the phone was not sent after login: {page.evaluate(kept)}"
    )
    page.wait_for_timeout(1500)  # and not a second time
    visit = Visit.objects.get()
    assert (visit.household, visit.member, visit.note) == (
        w.household2,
        w.member_m,
        "Cài cho hai mẹ con, phiên đã hết hạn",
    )
    assert list(visit.assistances.values_list("service__code", "outcome", "people_helped")) == [
        ("vneid_level2", "set_up", 2)
    ]


def test_it_corrects_and_voids_a_visit_from_the_household_page(browser_world, browser, live_server):
    w = browser_world
    page = new_page(browser, live_server)
    try:
        login(page, "tovien")
        page.goto(f"/households/{w.household.pk}/visit/")
        outcome_button(page, "Đã cài mới").click()
        page.get_by_label("Số người được hỗ trợ").fill("2")
        page.get_by_role("button", name="Lưu lượt thăm").click()
        page.wait_for_url(f"**/households/{w.household.pk}/")
        actions = page.get_by_test_id("visit-actions")
        assert actions.count() == 1
        for link in actions.get_by_role("link").all():
            assert link.bounding_box()["height"] >= 44
        assert_no_horizontal_scroll(page)
        screenshot(page, "field-household-correct-links")

        actions.get_by_role("link", name="Sửa").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Sửa lượt thăm"
        assert page.locator("input[name=service_vneid_level2][value=set_up]").is_checked()
        outcome_button(page, "Từ chối").click()
        page.get_by_role("button", name="Lưu chỉnh sửa").click()
        page.wait_for_url(f"**/households/{w.household.pk}/")
        assert "Đã sửa lượt thăm" in page.locator(".messages").inner_text()
        assert page.get_by_test_id("state-vneid_level2").inner_text().strip() == "Từ chối"

        page.get_by_test_id("visit-actions").get_by_role("link", name="Hủy lượt thăm").click()
        page.wait_for_load_state()
        assert_no_horizontal_scroll(page)
        page.get_by_role("button", name="Hủy lượt thăm này").click()
        assert "Hãy nhập lý do hủy lượt thăm này." in page.locator("main").inner_text()
        screenshot(page, "field-visit-void")
        page.get_by_label("Lý do hủy").fill("Ghi nhầm hộ")
        page.get_by_role("button", name="Hủy lượt thăm này").click()
        page.wait_for_url(f"**/households/{w.household.pk}/")
        assert page.get_by_test_id("visit-count").inner_text() == "0"
        assert "Ghi nhầm hộ" in page.get_by_test_id("visit-history").inner_text()
        assert page.get_by_test_id("visit-actions").count() == 0
        assert page.get_by_test_id("state-vneid_level2").inner_text().strip() == "Chưa"
        assert Visit.all_objects.get().void_reason == "Ghi nhầm hộ"
    finally:
        page.context.close()
