"""The monthly report's pages, persona by persona, with the exact answer each must get.

A commune's report: read by its officials, its province's and superusers; submitted by its own officials
only. A province's report, its submissions workbook and its reporting periods: its officials and
superusers. Everyone else: 404 (never a 403 that would confirm the unit exists).
"""

import pytest

from coverage.models import ReportingConvention, SubmittedReport
from coverage.reports import report_period, report_submit

PERSONAS = [
    "member",
    "leader",
    "commune_official",
    "other_commune_official",
    "province_official",
    "other_province_official",
    "superuser",
    "nobody",
]
READ_COMMUNE = {"commune_official": 200, "province_official": 200, "superuser": 200}
READ_PROVINCE = {"province_official": 200, "superuser": 200}

# (method, url, {persona: status}; every other persona gets 404)
CASES = [
    ("get", "/coverage/commune/31135/report/", READ_COMMUNE),
    ("get", "/coverage/commune/31135/report.xlsx", READ_COMMUNE),
    ("post", "/coverage/commune/31135/report/submit/", {"commune_official": 302}),
    ("get", "/coverage/reports/{report}/", READ_COMMUNE),
    ("get", "/coverage/reports/{report}.xlsx", READ_COMMUNE),
    ("get", "/coverage/province/92/report/", READ_PROVINCE),
    ("get", "/coverage/province/92/report.xlsx", READ_PROVINCE),
    ("get", "/coverage/province/92/report/submitted.xlsx", READ_PROVINCE),
    ("post", "/coverage/province/92/report/periods/", {"province_official": 302, "superuser": 302}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method, url, allowed", CASES)
def test_each_persona_gets_exactly_its_answer(client, world, persona, method, url, allowed):
    w = world
    report = report_submit(commune=w.commune, period=report_period(w.province), user=w.commune_official)
    w.login(client, persona)
    response = getattr(client, method)(url.format(report=report.pk), {"convention": "calendar"})
    assert response.status_code == allowed.get(persona, 404), (persona, url)
    submitted = SubmittedReport.objects.count()
    assert submitted == (2 if persona == "commune_official" and url.endswith("submit/") else 1)
    changed = ReportingConvention.objects.filter(convention="calendar").exists()
    assert changed == (url.endswith("periods/") and persona in ("province_official", "superuser"))


def test_the_wrong_method_is_refused_before_any_lookup(client, world):
    world.login(client, "commune_official")
    assert client.get("/coverage/commune/31135/report/submit/").status_code == 405
    assert client.post("/coverage/commune/31135/report/").status_code == 405
