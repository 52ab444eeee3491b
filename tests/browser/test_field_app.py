"""The field app as a team member uses it: a 360 px phone, thumbs, no accents typed."""

import pytest

from households.models import Household
from teams.models import Adoption, Visit
from tests.browser.conftest import PASSWORD, assert_no_horizontal_scroll, login, new_page, screenshot

pytestmark = pytest.mark.browser

VNEID = "Kích hoạt định danh điện tử VNeID mức 2"
EWALLET = "Ví điện tử / Mobile Money"


def outcome_button(page, service_name, label):
    return page.locator("fieldset", has=page.locator("legend", has_text=service_name)).get_by_text(label, exact=True)


def looks_right(page, name):
    assert_no_horizontal_scroll(page)
    screenshot(page, name)


def test_it_finds_a_household_logs_a_visit_and_shows_the_change(browser_world, page):
    w = browser_world
    login(page, "tovien")
    page.get_by_role("link", name="Tìm hộ gia đình").click()
    page.get_by_label("Tìm", exact=True).fill("nguyen")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("household-list").locator("li")
    assert rows.count() == 1
    assert "Nguyễn Văn An" in rows.first.inner_text()
    assert "0912•••678" in rows.first.inner_text()
    looks_right(page, "field-list-search")

    page.get_by_role("link", name="Nguyễn Văn An").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("head-name").inner_text() == "Nguyễn Văn An"
    assert page.get_by_test_id("state-vneid_level2").inner_text().strip() == "Chưa"
    looks_right(page, "field-household-before")

    page.get_by_role("link", name="Ghi lượt thăm").click()
    page.wait_for_load_state()
    assert page.get_by_label("Ngày thăm").input_value() == w.today.isoformat()
    outcome_button(page, VNEID, "Đã cài mới").click()
    outcome_button(page, EWALLET, "Đã cài mới").click()
    page.get_by_label("Số người được hỗ trợ").fill("2")
    page.get_by_label("Ghi chú").fill("Cai VNeID cho hai vo chong")
    # The buttons are big enough for a thumb.
    box = outcome_button(page, VNEID, "Đã cài mới").bounding_box()
    assert box["height"] >= 44
    looks_right(page, "field-visit-form")
    page.get_by_role("button", name="Lưu lượt thăm").click()
    page.wait_for_load_state()

    assert "Đã lưu lượt thăm hộ Nguyễn Văn An: 2 dịch vụ được cài mới." in page.locator(".messages").inner_text()
    today = w.today.strftime("%d/%m/%Y")
    assert page.get_by_test_id("state-vneid_level2").inner_text().strip() == f"Từ {today}"
    assert page.get_by_test_id("state-ewallet").inner_text().strip() == f"Từ {today}"
    assert page.get_by_test_id("state-health_record").inner_text().strip() == "Chưa"
    history = page.get_by_test_id("visit-history").inner_text()
    assert "Nguyễn Thị Mỹ" in history and "Cai VNeID cho hai vo chong" in history
    looks_right(page, "field-household-after")
    assert Visit.objects.filter(household=w.household).count() == 1
    assert Adoption.objects.filter(household=w.household, first_adopted_on=w.today).count() == 2

    page.get_by_role("link", name="« Danh sách hộ").click()
    page.wait_for_load_state()
    row = page.get_by_test_id("household-list").locator("li", has_text="Nguyễn Văn An")
    adopted = row.locator(".chip-adopted").all_inner_texts()
    assert sorted(adopted) == ["VNeID", "Ví"]
    assert f"Lần thăm gần nhất {today}" in row.inner_text()


def test_it_stores_a_double_submit_and_a_resend_once(browser_world, page):
    w = browser_world
    login(page, "tovien")
    page.goto(f"/households/{w.household2.pk}/visit/")
    outcome_button(page, VNEID, "Đã có sẵn").click()
    fields = page.evaluate("Object.fromEntries(new FormData(document.querySelector('main form')))")
    button = page.get_by_role("button", name="Lưu lượt thăm")
    # A double tap: the second submission goes out before the first answer arrives.
    button.evaluate("b => { b.click(); b.click(); }")
    page.wait_for_load_state()
    page.wait_for_url(f"**/households/{w.household2.pk}/")
    # A resend of the same form (a refresh that re-posts, a retry on 3G).
    resend = page.request.post(f"/households/{w.household2.pk}/visit/", form=fields)
    assert resend.ok
    assert "Lượt thăm này đã được lưu" in resend.text()
    assert Visit.objects.filter(household=w.household2).count() == 1
    assert page.get_by_test_id("visit-count").inner_text() == "1"


def test_it_hides_a_household_from_a_member_of_another_team(browser_world, browser, live_server):
    w = browser_world
    other = new_page(browser, live_server)
    try:
        login(other, "tovien_kv3")
        for path in (f"/households/{w.household.pk}/", f"/households/{w.household.pk}/visit/"):
            response = other.goto(path)
            assert response.status == 404, path
        posted = other.request.post(f"/households/{w.household.pk}/visit/", form={"visited_on": "2026-01-01"})
        assert posted.status in (403, 404)
        other.goto("/households/")
        assert "Nguyễn Văn An" not in other.content()
        assert "Trần Văn Bình" in other.content()
    finally:
        other.context.close()
    assert not Visit.objects.exists()


def test_it_registers_a_household_with_a_namesake_warning(browser_world, page):
    w = browser_world
    login(page, "tovien")
    page.goto("/households/new/")
    looks_right(page, "field-register-form")
    page.get_by_label("Chủ hộ").fill("nguyen van an")
    page.get_by_label("Địa chỉ").fill("So 7, hem 3")
    page.get_by_label("Số nhân khẩu").fill("3")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    page.wait_for_load_state()
    assert "Ấp này đã có hộ mà chủ hộ trùng tên" in page.get_by_test_id("namesake-warning").inner_text()
    looks_right(page, "field-register-namesake")
    page.get_by_label("Tôi đã kiểm tra").check()
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    page.wait_for_load_state()
    assert "Đã ghi nhận hộ nguyen van an." in page.locator(".messages").inner_text()
    assert Household.objects.filter(hamlet=w.hamlet, address="So 7, hem 3").count() == 1


def test_it_shows_my_work_and_the_roster_at_phone_width(browser_world, page):
    login(page, "totruong")
    page.get_by_role("link", name="Việc của tôi").first.click()
    page.wait_for_load_state()
    assert page.get_by_test_id("never-visited-count").inner_text() == "2"
    looks_right(page, "field-my-work")
    page.goto("/team/")
    assert "Nguyễn Thị Mỹ" in page.get_by_test_id("roster").inner_text()
    looks_right(page, "field-roster")
    page.goto(f"/households/{browser_world.household.pk}/deactivate/")
    looks_right(page, "field-deactivate")


def test_it_keeps_the_filters_usable_without_javascript(browser_world, browser, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill("tovien")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.goto("/households/")
        page.get_by_text("Bộ lọc").click()
        page.get_by_label("Xem").select_option("never_visited")
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("household-list").locator("li").count() == 2
        looks_right(page, "field-list-filters-nojs")
        page.get_by_role("link", name="Đặng Thị Đào").click()
        page.get_by_role("link", name="Ghi lượt thăm").click()
        outcome_button(page, VNEID, "Đã cài mới").click()
        page.get_by_role("button", name="Lưu lượt thăm").click()
        page.wait_for_load_state()
        assert "1 dịch vụ được cài mới" in page.content()
    finally:
        context.close()
