"""Coverage pages in Chromium, at phone and desktop width: scope, drill-down, filters, Excel download."""

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coverage.targets import target_set
from tests.browser.conftest import assert_no_horizontal_scroll, login, new_page, screenshot
from tests.coverage.test_coverage_pages import build_dataset

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def data(browser_world):
    w = build_dataset(browser_world)
    target_set(
        province=w.province,
        service=w.V,
        percent=Decimal("80"),
        starts_on=w.today - timedelta(days=100),
        deadline=w.today + timedelta(days=100),
    )
    return w


def page_rows(page):
    """{first cell: [cell texts]} of the coverage table, totals row included; target marks dropped."""
    rows = {}
    for tr in page.locator("[data-testid=coverage-table] tbody tr, [data-testid=coverage-table] tfoot tr").all():
        cells = [c.strip() for c in tr.locator("th, td").all_inner_texts()]
        rows[cells[0]] = cells[:1] + [c.split()[0] if c else c for c in cells[1:]]
    return rows


def as_page_text(value, number_format):
    """An Excel cell the way the page writes it: 0.667 with 0.0% → "66,7%"; empty → "—"; 1234 → "1.234"."""
    if value is None:
        return "—"
    if number_format == "0.0%":
        return f"{value * 100:.1f}".replace(".", ",") + "%"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def _page_column(header):
    """The export has what the page shows and more: the codes, the count beside each percentage, the targets."""
    return not (
        header in ("Mã ấp", "Mã TCTK", "Hộ đã tiếp cận")
        or header.endswith(": số hộ")
        or header.startswith("Mục tiêu: ")
    )


def sheet_rows(path):
    sheet = load_workbook(io.BytesIO(Path(path).read_bytes())).active
    rows, keep = {}, None
    for row in sheet.iter_rows():
        if row[0].value == "Ấp/khu vực" or row[0].value == "Xã/phường":
            keep = [i for i, c in enumerate(row) if i and c.value and _page_column(c.value)]
            continue
        if keep is not None:
            rows[row[0].value] = [row[0].value] + [as_page_text(row[i].value, row[i].number_format) for i in keep]
    return sheet, rows


def download(page, testid="export-xlsx"):
    with page.expect_download() as info:
        page.get_by_test_id(testid).click()
    return info.value


def test_a_commune_official_drills_down_and_downloads_excel_at_phone_width(data, page):
    w = data
    login(page, "canbo_xa")
    page.get_by_role("link", name="Độ phủ theo ấp/khu vực").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("unit-title").inner_text().startswith("Độ phủ của Phường Ninh Kiều")
    rows = page_rows(page)
    assert list(rows) == ["Khu vực 1", "Khu vực 2", "Khu vực 3", "Tổng"]
    assert rows["Tổng"][1:3] == ["6", "50,0%"]
    assert "Xã Cờ Đỏ" not in page.content()
    assert_no_horizontal_scroll(page)
    screenshot(page, "coverage-commune-phone")

    # The Excel file shows the page's figures, row by row.
    file = download(page)
    assert file.suggested_filename == f"do-phu-phuong-ninh-kieu-{w.today.isoformat()}.xlsx"
    sheet, excel = sheet_rows(file.path())
    assert sheet["B2"].value == "Phường Ninh Kiều"
    assert sheet["B3"].value.date() == w.today
    for name in ("Khu vực 1", "Khu vực 2", "Khu vực 3", "Tổng"):
        assert excel[name] == rows[name], name

    # Drill into hamlet A1: one row per household.
    page.get_by_role("link", name="Khu vực 1").click()
    page.wait_for_load_state()
    assert "/coverage/hamlet/" in page.url
    rows = page_rows(page)
    assert set(rows) == {"Nguyễn Văn An", "Lê Thị Bích", "Huỳnh Thị Dung", "Tổng"}
    assert rows["Tổng"][3] == "66,7%"
    assert_no_horizontal_scroll(page)
    screenshot(page, "coverage-hamlet-phone")


def test_the_as_of_date_and_the_priority_filter_change_the_figures(data, page):
    w = data
    login(page, "canbo_xa")
    page.goto("/coverage/commune/31135/")
    page.get_by_label("Tính đến ngày").fill(w.d[16].isoformat())
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    # Cường, deactivated later (d3), still counts on d16 as it stood then.
    assert page_rows(page)["Tổng"][1:3] == ["6", "33,3%"]
    assert f"{w.d[16]:%d/%m/%Y}" in page.get_by_test_id("as-of").inner_text()
    page.get_by_label("Tính đến ngày").fill(w.today.isoformat())
    page.get_by_label("Chỉ hộ ưu tiên").check()
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    rows = page_rows(page)
    assert rows["Tổng"][1:3] == ["3", "66,7%"]
    assert rows["Khu vực 3"][1:3] == ["0", "—"]
    # Sorting by a column keeps the filters.
    page.get_by_role("link", name="Tỷ lệ tiếp cận").click()
    page.wait_for_load_state()
    assert "priority=on" in page.url and "sort=reach" in page.url
    assert list(page_rows(page))[:2] == ["Khu vực 2", "Khu vực 1"]
    assert_no_horizontal_scroll(page)


def test_a_commune_official_of_another_commune_gets_404(data, page):
    login(page, "canbo_codo")
    response = page.goto("/coverage/commune/31135/")
    assert response.status == 404
    response = page.goto("/coverage/province/92/")
    assert response.status == 404
    page.goto("/coverage/")
    assert "/coverage/commune/31261/" in page.url


def test_a_province_official_sees_every_commune_at_desktop_width(data, browser, live_server):
    w = data
    page = new_page(browser, live_server, DESKTOP)
    try:
        login(page, "canbo_tinh")
        page.get_by_role("link", name="Độ phủ theo xã/phường").click()
        page.wait_for_load_state()
        rows = page_rows(page)
        assert list(rows) == ["Phường Ninh Kiều", "Xã Cờ Đỏ", "Tổng"]
        assert rows["Tổng"][1:3] == ["7", "42,9%"]
        assert "Phường Ba Đình" not in page.content()
        targets = page.get_by_test_id("targets").inner_text()
        assert "đúng tiến độ" in targets and "1/2" in targets
        assert page.locator("svg.trend-chart").count() == 9
        screenshot(page, "coverage-province-desktop")

        file = download(page)
        _sheet, excel = sheet_rows(file.path())
        for name in ("Phường Ninh Kiều", "Xã Cờ Đỏ", "Tổng"):
            assert excel[name] == rows[name], name

        page.get_by_role("link", name="Phường Ninh Kiều").click()
        page.wait_for_load_state()
        assert list(page_rows(page)) == ["Khu vực 1", "Khu vực 2", "Khu vực 3", "Tổng"]
        assert page.get_by_test_id("activity").is_visible()
        screenshot(page, "coverage-commune-desktop")
        assert w.province.name in page.locator("nav ol.breadcrumb").inner_text()
    finally:
        page.context.close()


def test_the_province_page_reads_on_a_phone(data, page):
    login(page, "canbo_tinh")
    page.goto("/coverage/province/92/")
    assert_no_horizontal_scroll(page)
    screenshot(page, "coverage-province-phone")
    assert page.locator("svg.trend-chart").first.bounding_box()["width"] <= 360
