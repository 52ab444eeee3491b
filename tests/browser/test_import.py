"""canbo_xa imports a household list in Chromium: template, 30 rows (two bad), fix, import, commune page."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from households.models import Household, ImportRecord
from tests.browser.conftest import assert_no_horizontal_scroll, login, new_page, screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Hạnh"]


def fill(template_path, rows):
    """The downloaded template with its example row replaced by `rows`, saved next to it."""
    workbook = load_workbook(template_path)
    sheet = workbook.active
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(row)
    path = Path(template_path).with_name("danh-sach-ho-dien.xlsx")
    workbook.save(path)
    return path


def thirty_rows():
    rows = []
    for i in range(30):
        hamlet = "Khu vực 1" if i % 2 == 0 else "Khu vực 2"
        poverty = ["Không nghèo", "Cận nghèo", "Nghèo"][i % 3]
        name = f"{SURNAMES[i % 6]} Văn {GIVEN[i % 5]} {i + 1}"
        rows.append([f"NK{i + 1:03d}", hamlet, name, f"Số {i + 1}, hẻm 7", 1 + i % 6, poverty, "Không", "Không", None])
    rows[6][1] = "Khu vực 9"  # file row 8: no such hamlet
    rows[19][4] = "mười"  # file row 21: not a number
    return rows


def commune_households(page):
    """{hamlet: households} read from the commune page's table."""
    counts = {}
    for tr in page.locator("[data-testid=coverage-table] tbody tr").all():
        cells = [c.strip() for c in tr.locator("th, td").all_inner_texts()]
        counts[cells[0]] = cells[1]
    return counts


def test_a_commune_official_imports_a_filled_template_after_fixing_two_rows(
    browser, live_server, browser_world, tmp_path
):
    w = browser_world
    page = new_page(browser, live_server, viewport=DESKTOP)
    login(page, "canbo_xa")
    page.goto(f"/coverage/commune/{w.commune.code}/")
    before = commune_households(page)
    page.goto("/")
    page.get_by_role("link", name="Nhập danh sách hộ từ Excel").click()
    with page.expect_download() as download:
        page.get_by_test_id("template-link").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "mau-danh-sach-ho.xlsx"
    headers = [c.value for c in load_workbook(template).active[1]]
    assert headers[:4] == ["Mã hộ", "Ấp/khu vực", "Chủ hộ", "Địa chỉ"]

    rows = thirty_rows()
    page.locator("input[type=file]").set_input_files(str(fill(template, rows)))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    page.wait_for_url("**/households/import/*/")
    errors = page.get_by_test_id("row-errors")
    assert "2 dòng có lỗi:" in errors.inner_text()
    assert "Dòng 8: Không có ấp “Khu vực 9” trong các ấp bạn được nhập." in errors.inner_text()
    assert "Dòng 21: Hãy nhập số người từ 1 đến 99 (tệp ghi “mười”)." in errors.inner_text()
    assert "Sẽ lưu 28 dòng (mới hoặc cập nhật)." in page.locator("[data-confirm-form]").inner_text()
    screenshot(page, "import-preview-errors")
    assert Household.objects.count() == 5  # nothing written yet

    # Fix the two rows in the file and upload it again, as the page offers.
    rows[6][1], rows[19][4] = "Khu vực 1", 4
    page.get_by_role("link", name="Sửa tệp rồi tải lên lại").click()
    page.locator("input[type=file]").set_input_files(str(fill(template, rows)))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    page.wait_for_url("**/households/import/*/")
    assert page.get_by_test_id("row-errors").count() == 0
    assert "Sẽ lưu 30 dòng (mới hoặc cập nhật)." in page.locator("[data-confirm-form]").inner_text()
    screenshot(page, "import-preview-clean")
    page.get_by_test_id("confirm-import").click()
    page.wait_for_selector("[data-testid=import-done]")
    assert "mới: 30" in page.locator("main").inner_text().replace("\n", " ")
    record = ImportRecord.objects.filter(confirmed_at__isnull=False).get()
    assert (record.user, record.file_name, record.counts["new"]) == (w.commune_official, "danh-sach-ho-dien.xlsx", 30)

    page.get_by_role("link", name="Mở trang của xã").click()
    page.wait_for_selector("[data-testid=coverage-table]")
    after = commune_households(page)
    assert int(after["Khu vực 1"]) == int(before["Khu vực 1"]) + 15
    assert int(after["Khu vực 2"]) == int(before["Khu vực 2"]) + 15
    assert Household.objects.filter(code__startswith="NK", hamlet__commune=w.commune).count() == 30
    screenshot(page, "import-commune-page")


def test_the_upload_page_fits_a_phone_and_refuses_a_file_over_the_limit_before_sending(
    browser, live_server, browser_world, tmp_path
):
    page = new_page(browser, live_server)
    login(page, "totruong")
    page.goto("/households/import/")
    assert_no_horizontal_scroll(page)
    big = tmp_path / "qua-lon.csv"
    big.write_bytes(b"a;b\n" + b"x" * (9 * 1024 * 1024))
    page.locator("input[type=file]").set_input_files(str(big))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    assert "Tệp lớn hơn 8 MB: hãy chia thành nhiều tệp." in page.locator("[data-upload-status]").inner_text()
    assert not ImportRecord.objects.exists()
    screenshot(page, "import-upload-phone")
