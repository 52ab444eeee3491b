"""Hand-built datasets with exact monthly figures: on the page, in the xlsx and in the submitted (frozen) report."""

import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coverage import reports
from coverage.models import ReportingConvention, SubmittedReport
from coverage.periods import CALENDAR, DECREE_09, MONTH, QUARTER, YEAR, Period, period_containing, period_from_key
from households.registry import household_register, household_update
from teams.models import Outcome, Team
from teams.visits import Help, visit_record
from tests.counter_checks import counters_and_rebuild
from tests.coverage.report_helpers import page_report, xlsx_tables
from tests.coverage.test_coverage_pages import page_tables

FIRST_LABELS = ("Ấp/khu vực", "Xã/phường", "Dịch vụ")


def test_it_closes_a_decree_09_month_on_the_14th():
    october = Period(MONTH, 2025, 10, DECREE_09)
    assert (october.start, october.end) == (date(2025, 9, 15), date(2025, 10, 14))
    assert period_containing(date(2025, 10, 14), convention=DECREE_09) == october
    assert period_containing(date(2025, 10, 15), convention=DECREE_09).key == "2025-11"
    assert period_containing(date(2025, 12, 15), convention=DECREE_09).key == "2026-01"
    assert Period(MONTH, 2026, 1, DECREE_09).start == date(2025, 12, 15)
    assert Period(MONTH, 2026, 1, DECREE_09).previous() == Period(MONTH, 2025, 12, DECREE_09)
    # A quarter: the 15th before it to the 14th of its last month; a year: 15/12 to 14/12.
    q1 = Period(QUARTER, 2026, 1, DECREE_09)
    assert (q1.start, q1.end) == (date(2025, 12, 15), date(2026, 3, 14))
    assert period_containing(date(2026, 3, 15), convention=DECREE_09, kind=QUARTER).key == "2026-Q2"
    year = Period(YEAR, 2026, 1, DECREE_09)
    assert (year.start, year.end) == (date(2025, 12, 15), date(2026, 12, 14))


def test_it_uses_calendar_months_quarters_and_years_when_chosen():
    october = period_from_key("2025-10", convention=CALENDAR)
    assert (october.start, october.end) == (date(2025, 10, 1), date(2025, 10, 31))
    assert period_from_key("2024-02", convention=CALENDAR).end == date(2024, 2, 29)
    q4 = period_from_key("2025-Q4", convention=CALENDAR)
    assert (q4.start, q4.end, q4.previous().key) == (date(2025, 10, 1), date(2025, 12, 31), "2025-Q3")
    assert period_from_key("2025", convention=CALENDAR).end == date(2025, 12, 31)
    assert period_from_key("2025-13", convention=CALENDAR) is None
    assert period_from_key("x", convention=CALENDAR) is None


@pytest.fixture(autouse=True)
def _dates_of_2025_are_not_late(monkeypatch):
    """These datasets sit in 2025 on fixed dates; a new visit may otherwise be at most a year old (teams.visits)."""
    monkeypatch.setattr("teams.visits.MAX_DAYS_BACK", 100_000)


@pytest.fixture
def month_data(world):
    """Four households of Phường Ninh Kiều registered in January 2025; visits on 14, 15 and 31 October 2025."""
    w = world
    registered = date(2025, 1, 2)
    w.hA = household_register(
        hamlet=w.hamlet, head_name="Lê Văn A", address="1", people_count=4, registered_on=registered
    )
    w.hB = household_register(
        hamlet=w.hamlet, head_name="Lê Văn B", address="2", people_count=3, registered_on=registered
    )
    w.hC = household_register(
        hamlet=w.hamlet2, head_name="Lê Văn C", address="3", people_count=5, registered_on=registered
    )
    w.hD = household_register(hamlet=w.hamlet3, head_name="Lê Văn D", address="4", registered_on=registered)
    vneid, app = w.services["vneid_level2"], w.services["province_app"]
    w.vneid, w.app = vneid, app
    visit_record(
        member=w.member_m, household=w.hA, visited_on=date(2025, 10, 14), outcomes={vneid: Help(Outcome.SET_UP, 2)}
    )
    visit_record(
        member=w.member_m, household=w.hB, visited_on=date(2025, 10, 15), outcomes={vneid: Help(Outcome.ALREADY_HAD, 0)}
    )
    visit_record(
        member=w.member_m, household=w.hC, visited_on=date(2025, 10, 31), outcomes={app: Help(Outcome.SET_UP, 3)}
    )
    return w


def _total(table):
    return table[-1]


def _report(client, w, persona, key, **params):
    w.login(client, persona)
    return client.get(reverse("coverage_report_commune", args=["31135"]), {"period": key, **params})


def _column(data, service, field):
    return data["total"]["end"][field].get(service.code, 0) - data["total"]["previous"][field].get(service.code, 0)


def test_it_counts_the_14th_in_the_month_and_the_15th_in_the_next_under_decree_09(client, month_data):
    w = month_data
    october = reports.report_data(w.commune, Period(MONTH, 2025, 10, DECREE_09))
    november = reports.report_data(w.commune, Period(MONTH, 2025, 11, DECREE_09))
    assert (october["total"]["visits"], october["total"]["households_visited"]) == (1, 1)
    assert (_column(october, w.vneid, "adopted"), _column(october, w.vneid, "people")) == (1, 2)
    assert (november["total"]["visits"], november["total"]["households_visited"]) == (2, 2)
    assert (_column(november, w.vneid, "adopted"), _column(november, w.app, "adopted")) == (1, 1)
    assert (_column(november, w.vneid, "people"), _column(november, w.app, "people")) == (0, 3)
    # "Already had" carries no people (DESIGN.md "Figures over time").

    page = page_report(_report(client, w, "commune_official", "2025-11"))
    # Hamlet, code, households, change, reached, reach, change (points), visits, households visited.
    assert _total(page["overview"]) == ["Tổng", "31135", "4", "0", "3", "75,0%", "+50,0", "2", "2"]
    rows = {r[0]: r for r in page["overview"]}
    assert rows["Khu vực 1"] == ["Khu vực 1", "01", "2", "0", "2", "100,0%", "+50,0", "1", "1"]
    assert rows["Khu vực 3"] == ["Khu vực 3", "03", "1", "0", "0", "0,0%", "0,0", "0", "0"]
    government = _total(page["pillar-government"])
    # Province app: 1 household, 25,0%, +25,0; VNeID: 2, 50,0%, +25,0 (1 of 4 at 14/10).
    assert government[2:8] == ["1", "25,0%", "+25,0", "2", "50,0%", "+25,0"]
    in_period = _total(page["in-period"])
    assert in_period[2:6] == ["1", "3", "1", "0"]  # app: 1 new, 3 people; VNeID: 1 new, 0 people
    response = client.get(reverse("coverage_report_commune", args=["31135"]), {"period": "2025-11"})
    assert "15/10/2025" in response.text and "14/11/2025" in response.text


def test_it_counts_the_whole_calendar_month_with_its_31st_when_the_province_chose_it(client, month_data):
    w = month_data
    ReportingConvention.objects.create(province=w.province, convention=CALENDAR)
    page = page_report(_report(client, w, "commune_official", "2025-10"))
    assert _total(page["overview"]) == ["Tổng", "31135", "4", "0", "3", "75,0%", "+75,0", "3", "3"]
    in_period = _total(page["in-period"])
    assert in_period[2:6] == ["1", "3", "2", "2"]
    november = page_report(_report(client, w, "commune_official", "2025-11"))
    assert _total(november["overview"])[7:9] == ["0", "0"]
    response = _report(client, w, "commune_official", "2025-10")
    assert "01/10/2025" in response.text and "31/10/2025" in response.text


def test_the_xlsx_carries_the_pages_figures_and_is_set_up_for_a4(client, month_data):
    w = month_data
    page = page_report(_report(client, w, "commune_official", "2025-11"))
    response = client.get(reverse("coverage_report_commune_xlsx", args=["31135"]), {"period": "2025-11"})
    assert 'filename="bao-cao-phuong-ninh-kieu-2025-11.xlsx"' in response["Content-Disposition"]
    sheets = xlsx_tables(response.getvalue(), FIRST_LABELS)
    assert list(sheets.values())[: len(page) - 1] == [page[key] for key in page if key != "targets"]
    book = load_workbook(io.BytesIO(response.getvalue()))
    first = book.worksheets[0]
    texts = [c.value for row in first.iter_rows(max_row=7) for c in row if c.value]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Độc lập – Tự do – Hạnh phúc" in texts
    assert any("15/10/2025" in t and "14/11/2025" in t for t in texts)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows
    last = [c.value for row in book.worksheets[-1].iter_rows() for c in row if c.value]
    assert "Người lập biểu" in last and "Thủ trưởng đơn vị" in last


def test_a_late_synced_visit_changes_live_figures_not_the_submitted_report(client, month_data):
    w = month_data
    w.login(client, "commune_official")
    response = client.post(reverse("coverage_report_commune_submit", args=["31135"]), {"period": "2025-11"})
    assert response.status_code == 302
    submitted = SubmittedReport.objects.get()
    assert (submitted.version, submitted.submitted_by, submitted.period_key) == (1, w.commune_official, "2025-11")
    frozen_page = page_report(client.get(reverse("coverage_report_submitted", args=[submitted.pk])))
    # A phone that was offline sends a visit dated in the period (1 November 2025) a month later.
    visit_record(
        member=w.other_member_m,
        household=w.hD,
        visited_on=date(2025, 11, 1),
        outcomes={w.vneid: Help(Outcome.SET_UP, 1)},
    )
    live = page_report(_report(client, w, "commune_official", "2025-11"))
    assert _total(live["overview"]) == ["Tổng", "31135", "4", "0", "4", "100,0%", "+75,0", "3", "3"]
    again = page_report(client.get(reverse("coverage_report_submitted", args=[submitted.pk])))
    assert again == frozen_page
    assert _total(again["overview"]) == ["Tổng", "31135", "4", "0", "3", "75,0%", "+50,0", "2", "2"]
    # The frozen workbook has the frozen figures.
    response = client.get(reverse("coverage_report_submitted_xlsx", args=[submitted.pk]))
    sheets = xlsx_tables(response.getvalue(), FIRST_LABELS)
    assert list(sheets.values())[0] == frozen_page["overview"]

    # A resubmission is a new version; the first stays as it was.
    client.post(reverse("coverage_report_commune_submit", args=["31135"]), {"period": "2025-11"})
    first, second = SubmittedReport.objects.order_by("version")
    assert (first.version, second.version) == (1, 2)
    assert first.figures["total"]["end"]["reached"] == 3 and second.figures["total"]["end"]["reached"] == 4
    response = _report(client, w, "commune_official", "2025-11")
    assert "Phiên bản 2" in response.text and "Phiên bản 1" in response.text
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_a_household_moved_to_another_commune_counts_its_period_under_the_hamlet_it_is_in_now(client, month_data):
    """The period's visits and first adoptions are grouped by the household's unit now, as every figure is:
    they are read by the hamlet the visits and adoption rows carry, which follows the household."""
    w = month_data
    november = Period(MONTH, 2025, 11, DECREE_09)
    household_update(household=w.hC, hamlet=w.other_hamlet)  # visited 31/10 in Khu vực 2: province app set up

    commune = reports.report_data(w.commune, november)
    assert (commune["total"]["visits"], commune["total"]["households_visited"]) == (1, 1)  # B's only
    assert commune["total"]["new"][w.app.code] == 0
    province = {row["code"]: row for row in reports.report_data(w.province, november)["rows"]}
    assert (province["31135"]["visits"], province["31135"]["households_visited"]) == (1, 1)
    assert (province["31261"]["visits"], province["31261"]["households_visited"]) == (1, 1)
    assert (province["31135"]["new"][w.app.code], province["31261"]["new"][w.app.code]) == (0, 1)
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_the_province_sees_who_submitted_and_downloads_them_in_one_workbook(client, month_data):
    w = month_data
    w.login(client, "commune_official")
    client.post(reverse("coverage_report_commune_submit", args=["31135"]), {"period": "2025-11"})
    w.login(client, "province_official")
    response = client.get(reverse("coverage_report_province", args=["92"]), {"period": "2025-11"})
    assert response.status_code == 200
    assert "Số xã đã nộp: 1 / 2" in response.text
    page = page_report(response)
    rows = {r[0]: r for r in page["overview"]}
    assert rows["Phường Ninh Kiều"][:9] == ["Phường Ninh Kiều", "31135", "4", "0", "3", "75,0%", "+50,0", "2", "2"]
    response = client.get(reverse("coverage_report_province_submitted", args=["92"]), {"period": "2025-11"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.getvalue()))
    index = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    by_code = {r[1]: r for r in index if r and r[1] in ("31135", "31261")}
    assert by_code["31135"][2:5] == ["có", 1, "canbo_xa"] and by_code["31135"][6:9] == [4, 3, 2]
    assert by_code["31261"][2] == "không"
    sheets = xlsx_tables(response.getvalue(), FIRST_LABELS)
    frozen = client.get(reverse("coverage_report_submitted", args=[SubmittedReport.objects.get().pk]))
    assert sheets["31135 Tổng hợp"] == page_report(frozen)["overview"]


def test_it_names_the_teams_that_logged_no_visit_in_the_period(client, month_data):
    w = month_data
    Team.objects.filter(pk__in=[w.team.pk, w.team3.pk]).update(founded_on=date(2024, 1, 1))
    response = _report(client, w, "commune_official", "2025-11")
    idle = response.text.split('data-testid="idle-teams"')[1].split("</section>")[0]
    assert "Tổ CNSCĐ Khu vực 3" in idle and "Tổ CNSCĐ Khu vực 1" not in idle


def test_only_the_communes_own_official_may_submit(client, month_data):
    w = month_data
    for persona in ("province_official", "superuser", "member", "other_commune_official"):
        w.login(client, persona)
        response = client.post(reverse("coverage_report_commune_submit", args=["31135"]), {"period": "2025-11"})
        assert response.status_code == 404, persona
    assert not SubmittedReport.objects.exists()
    w.login(client, "commune_official")
    response = client.post(reverse("coverage_report_commune_submit", args=["31135"]), {"period": "2999-01"})
    assert response.status_code == 404


def _activity(client, w, on):
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_commune", args=["31135"]), {"on": on})
    parser_rows = page_tables(response)["activity-table"]
    return response, {(r[0], r[1]): r[2:] for r in parser_rows[1:]}


def test_team_activity_counts_the_provinces_reporting_periods_with_their_dates(client, month_data):
    w = month_data
    response, rows = _activity(client, w, "2025-11-14")
    # This period, 15/10–14/11: the 15th and the 31st; the one before, 15/09–14/10: the 14th.
    assert rows[("Tổ CNSCĐ Khu vực 1", "Cả tổ")] == ["2", "2", "1", "1"]
    assert rows[("", "Nguyễn Thị Mỹ")] == ["2", "2", "1", "1"]
    assert rows[("Toàn xã/phường", "Phường Ninh Kiều")] == ["2", "2", "1", "1"]
    assert "Tháng 11/2025, 15/10–14/11/2025" in response.text and "Tháng 10/2025, 15/09–14/10/2025" in response.text
    # While a period runs, its figures go up to the as-of date.
    _response, rows = _activity(client, w, "2025-10-20")
    assert rows[("Toàn xã/phường", "Phường Ninh Kiều")] == ["1", "1", "1", "1"]
    ReportingConvention.objects.create(province=w.province, convention=CALENDAR)
    response, rows = _activity(client, w, "2025-10-31")
    assert rows[("Toàn xã/phường", "Phường Ninh Kiều")] == ["3", "3", "0", "0"]
    assert "Tháng 10/2025, 01/10–31/10/2025" in response.text


def test_the_activity_export_says_what_it_is_and_has_a_commune_total(client, month_data):
    w = month_data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_activity_export", args=["31135", "xlsx"]), {"on": "2025-11-14"})
    assert 'filename="hoat-dong-cac-to-phuong-ninh-kieu-2025-10-15-2025-11-14.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert sheet.title == "Hoạt động của các tổ"
    rows = list(sheet.iter_rows(values_only=True))
    assert ("Toàn xã/phường", "Phường Ninh Kiều", 2, 2, 1, 1) in rows
    header = next(r for r in rows if r[0] == "Tổ")
    assert header[2] == "Lượt thăm, Tháng 11/2025, 15/10–14/11/2025"


def test_the_xlsx_header_rows_are_tall_enough_for_their_wrapped_labels(client, month_data):
    w = month_data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_report_commune_xlsx", args=["31135"]), {"period": "2025-11"})
    sheet = load_workbook(io.BytesIO(response.getvalue()))["Trong kỳ"]
    labels = next(r for r in sheet.iter_rows() if r[0].value == "Ấp/khu vực")[0].row
    # "Kích hoạt định danh điện tử VNeID mức 2" over two 9-character columns wraps to three lines at least;
    # "Số người được hỗ trợ" in one to three; printed at 15 points a line, none may be cut.
    assert sheet.row_dimensions[labels - 1].height >= 45
    assert sheet.row_dimensions[labels].height >= 45


def test_a_report_made_on_a_vietnamese_morning_is_dated_that_day_on_its_page_and_in_its_workbook(client, month_data):
    """Made and submitted at 18:00 UTC on 4 December is 01:00 on 5 December in Việt Nam: the day both say."""
    w = month_data
    w.login(client, "commune_official")
    client.post(reverse("coverage_report_commune_submit", args=["31135"]), {"period": "2025-11"})
    submitted = SubmittedReport.objects.get()
    at = datetime(2025, 12, 4, 18, 0, tzinfo=UTC)
    SubmittedReport.objects.filter(pk=submitted.pk).update(
        submitted_at=at, figures={**submitted.figures, "made_at": at.isoformat()}
    )
    page = client.get(reverse("coverage_report_submitted", args=[submitted.pk])).content.decode()
    assert "ngày 5 tháng 12 năm 2025" in page
    book = load_workbook(
        io.BytesIO(client.get(reverse("coverage_report_submitted_xlsx", args=[submitted.pk])).getvalue())
    )
    texts = [c.value for row in book.worksheets[0].iter_rows(max_row=7) for c in row if isinstance(c.value, str)]
    assert any(t.endswith("ngày 5 tháng 12 năm 2025") for t in texts), texts
