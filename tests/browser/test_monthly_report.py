"""The monthly report in Chromium: the commune official submits it, the province official sees it and downloads it."""

import re
from pathlib import Path

import pytest

from tests.browser.conftest import login, new_page, screenshot
from tests.coverage.report_helpers import xlsx_tables
from tests.coverage.test_monthly_report import (  # noqa: F401 - the dataset and its date fixtures
    FIRST_LABELS,
    _dates_of_2025_are_not_late,
    month_data,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(browser_world):
    return browser_world


def report_tables(page):
    """{section key: [[cell text]]} of the report's tables as shown (body and totals rows)."""
    tables = {}
    for section in page.locator("section.report-section[data-testid^=report-]").all():
        key = section.get_attribute("data-testid").removeprefix("report-")
        rows = section.locator("tbody tr, tfoot tr").all()
        tables[key] = [
            [" ".join(c.split()) for c in tr.locator("th, td").all_inner_texts()]
            for tr in rows
            if tr.locator("th, td").count() > 1
        ]
    return tables


def test_the_commune_submits_and_the_province_downloads_the_months_workbook(month_data, browser, live_server):  # noqa: F811
    commune = new_page(browser, live_server, DESKTOP)
    login(commune, "canbo_xa")
    commune.goto("/coverage/commune/31135/")
    commune.get_by_test_id("report-link").click()
    commune.wait_for_load_state()
    # The dataset's month lies further back than the page's list of recent periods: asked for by its key.
    commune.goto(commune.url + "?period=2025-11&kind=month")
    assert "từ ngày 15/10/2025 đến ngày 14/11/2025" in commune.get_by_test_id("report-period").inner_text()
    shown = report_tables(commune)
    assert shown["overview"][-1] == ["Tổng", "31135", "4", "0", "3", "75,0%", "+50,0", "2", "2"]
    commune.get_by_test_id("submit-report").click()
    commune.wait_for_load_state()
    assert "Đã nộp báo cáo Tháng 11/2025 (phiên bản 1)" in commune.content()
    assert "Phiên bản 1" in commune.get_by_test_id("versions").inner_text()
    screenshot(commune, "report-commune-submitted")
    commune.context.close()

    province = new_page(browser, live_server, DESKTOP)
    login(province, "canbo_tinh")
    province.goto("/coverage/province/92/")
    province.get_by_test_id("report-link").click()
    province.wait_for_load_state()
    # The dataset's month lies further back than the page's list of recent periods: asked for by its key.
    province.goto(province.url + "?period=2025-11&kind=month")
    assert "Số xã đã nộp: 1 / 2" in province.get_by_test_id("submissions").inner_text()
    assert "đã nộp, phiên bản 1" in province.get_by_test_id("submission-31135").inner_text()
    assert "chưa nộp" in province.get_by_test_id("submission-31261").inner_text()
    screenshot(province, "report-province-submissions")
    with province.expect_download() as download:
        province.get_by_test_id("submitted-xlsx").click()
    file = download.value
    assert file.suggested_filename == "bao-cao-thanh-pho-can-tho-2025-11-cac-xa-da-nop.xlsx"
    workbook = xlsx_tables(Path(file.path()).read_bytes(), FIRST_LABELS)

    # The submitted report's page, opened from the province's list, shows what the workbook holds.
    province.get_by_test_id("submission-31135").get_by_role("link").click()
    province.wait_for_load_state()
    assert "Báo cáo đã nộp, phiên bản 1" in province.get_by_test_id("submitted-banner").inner_text()
    frozen = report_tables(province)
    assert frozen["overview"] == shown["overview"]
    sheets = [title for title in workbook if title.startswith("31135 ")]
    assert [workbook[title] for title in sheets if workbook[title]] == [frozen[key] for key in frozen if frozen[key]]
    assert len(sheets) == len(frozen) == 6
    province.context.close()


def test_the_printed_report_is_the_report_alone_with_its_total_once(month_data, browser, live_server):  # noqa: F811
    page = new_page(browser, live_server, DESKTOP)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "canbo_xa")
    page.goto("/coverage/commune/31135/report/?period=2025-11&kind=month")
    # The "Print" button opens the browser's print dialog, under the site's Content-Security-Policy.
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="In", exact=True).click()
    assert page.evaluate("() => window.printed") == 1
    assert violations == []
    page.emulate_media(media="print")
    shown = page.evaluate(
        """() => ({
            heading: getComputedStyle(document.querySelector('[data-testid=national-heading]')).display,
            footer: getComputedStyle(document.querySelector('body > footer')).display,
            form: getComputedStyle(document.querySelector('[data-testid=period-form]')).display,
            head: getComputedStyle(document.querySelector('.report-table thead')).display,
            total: getComputedStyle(document.querySelector('.report-table tfoot')).display,
        })"""
    )
    # The header rows repeat on every page; the total row (a tfoot would repeat too) comes once, at the end.
    assert shown == {
        "heading": "flex",
        "footer": "none",
        "form": "none",
        "head": "table-header-group",
        "total": "table-row-group",
    }
    pdf = page.pdf(format="A4", landscape=True, prefer_css_page_size=True)
    # Six tables, one to a page: the overview, the three pillars, the period's figures, the targets.
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == 6
    page.context.close()
