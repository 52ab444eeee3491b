"""The monthly report over time (DESIGN.md "Figures over time"): exact figures on the page, in the xlsx and in
the submitted (frozen) report when a household leaves after the period, the catalogue changes within a month, a
hamlet moves after a report was submitted, and under the calendar-month convention.

The dataset is `month_data` (tests/coverage/test_monthly_report.py): four households of Phường Ninh Kiều
registered on 2/1/2025 — A and B in Khu vực 1, C in Khu vực 2, D in Khu vực 3 — and the visits A 14/10 VNeID
set up (2 people), B 15/10 VNeID already had, C 31/10 province app set up (3 people). Every figure below is
counted by hand from that list.
"""

from datetime import date

import pytest
from django.urls import reverse

from coverage.models import ReportingConvention, SubmittedReport
from coverage.periods import CALENDAR
from households.divisions import hamlets_move
from households.models import Hamlet
from households.registry import household_deactivate
from teams.counters_rebuild import counters_rebuild
from teams.models import Outcome, Service
from teams.visits import Help, visit_record
from tests.counter_checks import counters_and_rebuild
from tests.coverage.report_helpers import page_report, xlsx_tables
from tests.coverage.test_monthly_report import (  # noqa: F401 - the dataset and its date fixture
    FIRST_LABELS,
    _dates_of_2025_are_not_late,
    month_data,
)


@pytest.fixture
def w(month_data):  # noqa: F811 - the dataset imported above
    return month_data


# Since before the dataset's first day: the counters of 2025 are checked against a rebuild too.
DAYS_CHECKED = 800


def _page(client, w, key, commune="31135", persona="commune_official"):
    w.login(client, persona)
    return page_report(client.get(reverse("coverage_report_commune", args=[commune]), {"period": key}))


def _xlsx(client, url, **params):
    """The workbook's tables in the page's order, the targets (a table of their own) left out."""
    return list(xlsx_tables(client.get(url, params).getvalue(), FIRST_LABELS).values())


def _tables(page):
    return [rows for key, rows in page.items() if key != "targets"]


def _submit(client, w, key, commune="31135"):
    w.login(client, "commune_official")
    response = client.post(reverse("coverage_report_commune_submit", args=[commune]), {"period": key})
    assert response.status_code == 302
    return SubmittedReport.objects.filter(period_key=key).latest("version")


def _frozen(client, report):
    page = page_report(client.get(reverse("coverage_report_submitted", args=[report.pk])))
    book = _xlsx(client, reverse("coverage_report_submitted_xlsx", args=[report.pk]))
    assert book[: len(_tables(page))] == _tables(page)
    return page


def _live(client, w, key, commune="31135", persona="commune_official"):
    """The live page's tables, checked equal to the live workbook's."""
    page = _page(client, w, key, commune, persona)
    book = _xlsx(client, reverse("coverage_report_commune_xlsx", args=[commune]), period=key)
    assert book[: len(_tables(page))] == _tables(page)
    return page


def _rows(table):
    return {row[0]: row for row in table}


def _counters_exact():
    kept, rebuilt = counters_and_rebuild(days=DAYS_CHECKED)
    assert kept == rebuilt


# November 2025 under Decree 09/2019 (15/10–14/11), against 14/10, before anything below changes it:
# 4 households; reached A, B, C (3, 75,0%) against A (25,0%); visits B, C.
NOVEMBER_TOTAL = ["Tổng", "31135", "4", "0", "3", "75,0%", "+50,0", "2", "2"]
NOVEMBER_KV1 = ["Khu vực 1", "01", "2", "0", "2", "100,0%", "+50,0", "1", "1"]
# Government pillar, total row: app 1 (C) 25,0% +25,0; VNeID 2 (A, B) 50,0% +25,0 against A;
# public service account and online filing none; the pillar 3 (A, B, C) 75,0% +50,0 against A.
NOVEMBER_GOVERNMENT = ["1", "25,0%", "+25,0", "2", "50,0%", "+25,0", "0", "0,0%", "0,0", "0", "0,0%", "0,0"]
NOVEMBER_GOVERNMENT += ["3", "75,0%", "+50,0"]


def test_a_household_deactivated_after_the_period_keeps_its_figures_in_that_month(client, w):
    first = _submit(client, w, "2025-11")
    # B moves away on 20/11/2025, after November's period ended (14/11) and before December's did.
    household_deactivate(household=w.hB, on=date(2025, 11, 20))
    second = _submit(client, w, "2025-11")
    for page in (_live(client, w, "2025-11"), _frozen(client, first), _frozen(client, second)):
        assert page["overview"][-1] == NOVEMBER_TOTAL
        assert _rows(page["overview"])["Khu vực 1"] == NOVEMBER_KV1
        assert page["pillar-government"][-1][2:] == NOVEMBER_GOVERNMENT
        # In the period: app 1 new, 3 people; VNeID 1 new (B's "already had"), no people.
        assert page["in-period"][-1][2:6] == ["1", "3", "1", "0"]

    # December (15/11–14/12), against 14/11: B is out. 3 households (−1); reached A, C: 66,7%, −8,3 points.
    december = _live(client, w, "2025-12")
    assert december["overview"][-1] == ["Tổng", "31135", "3", "-1", "2", "66,7%", "-8,3", "0", "0"]
    assert _rows(december["overview"])["Khu vực 1"] == ["Khu vực 1", "01", "1", "-1", "1", "100,0%", "0,0", "0", "0"]
    # App 1 of 3: 33,3% (+8,3 on 25,0%); VNeID 1 of 3 (A): 33,3% (−16,7 on 50,0%); the pillar A, C: 66,7%.
    government = december["pillar-government"][-1][2:]
    assert government[:6] == ["1", "33,3%", "+8,3", "1", "33,3%", "-16,7"]
    assert government[-3:] == ["2", "66,7%", "-8,3"]
    # No household adopted anything in December: a household leaving is no negative adoption.
    assert december["in-period"][-1][2:] == ["0"] * 18
    _counters_exact()


@pytest.fixture
def catalogue_changes(w):
    """A digital-signature service offered from 1/11/2025, the e-wallet retired on 5/11/2025."""
    w.signature = Service.objects.create(
        code="digital_signature",
        name="Chữ ký số",
        pillar=Service.Pillar.GOVERNMENT,
        order=45,
        offered_from=date(2025, 11, 1),
        counters_pending=True,
    )
    counters_rebuild()  # as `manage.py rebuild_counters` after the admin added it
    w.ewallet = w.services["ewallet"]
    # A had an e-wallet on 10/10 (October's period); D set one up on 20/10 (November's).
    visit_record(
        member=w.member_m,
        household=w.hA,
        visited_on=date(2025, 10, 10),
        outcomes={w.ewallet: Help(Outcome.ALREADY_HAD)},
    )
    visit_record(
        member=w.other_member_m,
        household=w.hD,
        visited_on=date(2025, 10, 20),
        outcomes={w.ewallet: Help(Outcome.SET_UP, 1)},
    )
    # C: a digital signature for 2 people on 3/11.
    visit_record(
        member=w.member_m,
        household=w.hC,
        visited_on=date(2025, 11, 3),
        outcomes={w.signature: Help(Outcome.SET_UP, 2)},
    )
    return w


def _retire(service, on):
    service.retired_on = on
    service.full_clean()
    service.save()


def test_a_service_added_and_one_retired_mid_month(client, catalogue_changes):
    w = catalogue_changes
    october_before = _submit(client, w, "2025-10")
    _retire(w.ewallet, date(2025, 11, 5))

    # October (15/09–14/10), as of 14/10: the signature was not offered yet, the e-wallet was. A is reached
    # (14/10, and 10/10); the e-wallet 1 of 4 (A), the economy pillar with it; no figures before.
    october = _live(client, w, "2025-10")
    assert october == _frozen(client, october_before)
    assert october["overview"][-1] == ["Tổng", "31135", "4", "0", "1", "25,0%", "+25,0", "2", "1"]
    assert "Chữ ký số" not in str(october)
    economy = october["pillar-economy"][-1][2:]
    # E-wallet, cashless payment, e-commerce, the pillar.
    assert economy == ["1", "25,0%", "+25,0", "0", "0,0%", "0,0", "0", "0,0%", "0,0", "1", "25,0%", "+25,0"]
    # In the period, by service: app, VNeID (A, 2 people), the two others, the e-wallet (A, already had).
    assert october["in-period"][-1][2:12] == ["0", "0", "1", "2", "0", "0", "0", "0", "1", "0"]

    # November (15/10–14/11), against 14/10: the signature is in, with no figure at 14/10 ("—", never 0,0);
    # the e-wallet, retired on 5/11, is not in effect on 14/11, and the economy pillar goes without it.
    november = _live(client, w, "2025-11")
    # Visits B 15/10, D 20/10, C 31/10 and 3/11: four, to three households.
    assert november["overview"][-1] == ["Tổng", "31135", "4", "0", "4", "100,0%", "+75,0", "4", "3"]
    government = november["pillar-government"][-1][2:]
    # App (C), VNeID (A, B), two none, the signature 1 (C) with "—" for its change; the pillar A, B, C.
    assert government == NOVEMBER_GOVERNMENT[:12] + ["1", "25,0%", "—", "3", "75,0%", "+50,0"]
    economy = november["pillar-economy"][-1][2:]
    assert economy == ["0", "0,0%", "0,0", "0", "0,0%", "0,0", "0", "0,0%", "-25,0"]
    # In the period: app 1 new, 3 people; VNeID 1, 0; two none; the signature 1 new, 2 people; and the
    # e-wallet, in effect until 4/11: D's, 1 new, 1 person (the month's work stays reported).
    assert november["in-period"][-1][2:14] == ["1", "3", "1", "0", "0", "0", "0", "0", "1", "2", "1", "1"]
    assert _rows(november["in-period"])["Khu vực 3"][12:14] == ["1", "1"]
    # Nine services in effect on 14/11 (the signature in, the e-wallet out), and the e-wallet.
    assert len(november["in-period"][-1]) == 2 + 2 * 10
    # December: the e-wallet is out of every table.
    assert len(_live(client, w, "2025-12")["in-period"][-1]) == 2 + 2 * 9
    november_frozen = _frozen(client, _submit(client, w, "2025-11"))
    assert november_frozen == november
    _counters_exact()


def test_a_hamlet_moved_after_the_report_was_submitted(client, w):
    visit_record(
        member=w.other_member_m,
        household=w.hD,
        visited_on=date(2025, 11, 2),
        outcomes={w.app: Help(Outcome.SET_UP, 1)},
    )
    submitted = _submit(client, w, "2025-11")
    before = _frozen(client, submitted)
    # Reached A, B, C, D (100,0%, +75,0 on A alone); visits B, C, D.
    assert before["overview"][-1] == ["Tổng", "31135", "4", "0", "4", "100,0%", "+75,0", "3", "3"]

    hamlets_move(hamlets=[w.hamlet3], commune=w.other_commune, by=w.superuser)

    # The submitted report is as it was, page and workbook.
    assert _frozen(client, submitted) == before
    # Live figures follow today's units: Khu vực 3 and its history are Xã Cờ Đỏ's, in every month.
    live = _live(client, w, "2025-11")
    assert [row[0] for row in live["overview"]] == ["Khu vực 1", "Khu vực 2", "Tổng"]
    # 3 households; reached A, B, C (100,0%) against A (33,3%); visits B, C.
    assert live["overview"][-1] == ["Tổng", "31135", "3", "0", "3", "100,0%", "+66,7", "2", "2"]
    # App 1 of 3 (C) 33,3%, +33,3; VNeID 2 of 3 66,7% against 1 of 3, +33,4 (66,7 − 33,3).
    assert live["pillar-government"][-1][2:8] == ["1", "33,3%", "+33,3", "2", "66,7%", "+33,4"]
    moved = _live(client, w, "2025-11", commune="31261", persona="other_commune_official")
    # D alone: reached on 2/11 (100,0% against 0,0%), the app for 1 person; Ấp Thới Hòa had no household yet.
    assert _rows(moved["overview"]) == {
        "Khu vực 3": ["Khu vực 3", "03", "1", "0", "1", "100,0%", "+100,0", "1", "1"],
        "Ấp Thới Hòa": ["Ấp Thới Hòa", "01", "0", "0", "0", "—", "—", "0", "0"],
        "Tổng": ["Tổng", "31261", "1", "0", "1", "100,0%", "+100,0", "1", "1"],
    }
    assert moved["in-period"][-1][2:4] == ["1", "1"]

    # The province: the sums are the same; the rows follow today's units; the workbook of submitted reports
    # carries Ninh Kiều's as submitted.
    w.login(client, "province_official")
    response = client.get(reverse("coverage_report_province", args=["92"]), {"period": "2025-11"})
    province = page_report(response)
    rows = _rows(province["overview"])
    assert rows["Phường Ninh Kiều"] == ["Phường Ninh Kiều", "31135", "3", "0", "3", "100,0%", "+66,7", "2", "2", "0"]
    # Cờ Đỏ's own team (no visit) is idle; Khu vực 3's team came along with its visit.
    assert rows["Xã Cờ Đỏ"] == ["Xã Cờ Đỏ", "31261", "1", "0", "1", "100,0%", "+100,0", "1", "1", "1"]
    assert province["overview"][-1] == ["Tổng", "92", "4", "0", "4", "100,0%", "+75,0", "3", "3", "1"]
    book = xlsx_tables(
        client.get(reverse("coverage_report_province_submitted", args=["92"]), {"period": "2025-11"}).getvalue(),
        FIRST_LABELS,
    )
    assert book["31135 Tổng hợp"] == before["overview"]

    # The move is in the audit trail: what, from where, to where, who, when.
    record = Hamlet.history.filter(id=w.hamlet3.pk).latest("history_date")
    assert record.history_user == w.superuser and record.commune_id == w.other_commune.pk
    assert "Phường Ninh Kiều (31135)" in record.history_change_reason
    assert "Xã Cờ Đỏ (31261)" in record.history_change_reason
    _counters_exact()


def test_the_calendar_month_is_the_same_on_the_page_in_the_xlsx_and_submitted(client, w):
    ReportingConvention.objects.create(province=w.province, convention=CALENDAR)
    # October 2025 (1/10–31/10), against 30/09: 14/10, 15/10 and 31/10 are all in it.
    report = _submit(client, w, "2025-10")
    assert (report.period_start, report.period_end) == (date(2025, 10, 1), date(2025, 10, 31))
    for page in (_live(client, w, "2025-10"), _frozen(client, report)):
        assert page["overview"][-1] == ["Tổng", "31135", "4", "0", "3", "75,0%", "+75,0", "3", "3"]
        assert _rows(page["overview"])["Khu vực 2"] == ["Khu vực 2", "02", "1", "0", "1", "100,0%", "+100,0", "1", "1"]
        # App (C) 25,0%; VNeID (A, B) 50,0%; the pillar (A, B, C) 75,0%: all new in October.
        government = page["pillar-government"][-1][2:]
        assert government[:6] == ["1", "25,0%", "+25,0", "2", "50,0%", "+50,0"]
        assert government[-3:] == ["3", "75,0%", "+75,0"]
        assert page["in-period"][-1][2:6] == ["1", "3", "2", "2"]
    # The 31st is not in November.
    assert _live(client, w, "2025-11")["overview"][-1][7:] == ["0", "0"]


def test_a_report_frozen_before_the_period_flows_were_stored_still_opens(client, w):
    report = _submit(client, w, "2025-11")
    figures = report.figures
    for row in [*figures["rows"], figures["total"]]:
        del row["new"], row["people_in_period"]
    del figures["period_services"]
    SubmittedReport.objects.filter(pk=report.pk).update(figures={**figures, "version": 1})
    # Its period's figures are then the change of the cumulative ones, as they were shown when it was made.
    page = _frozen(client, report)
    assert page["in-period"][-1][2:6] == ["1", "3", "1", "0"]
    assert page["overview"][-1] == NOVEMBER_TOTAL
