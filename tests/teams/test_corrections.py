"""Corrections in the field (DESIGN.md "Corrections"): voiding and correcting a visit of the team's, within the
current and the previous calendar month; a second save of the same visit after Back."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from coverage.reports import report_data, report_period
from coverage.rollups import for_commune
from teams.access import correction_window_start
from teams.activity import team_activity
from teams.corrections import visit_void
from teams.models import Adoption, Outcome, Visit
from teams.state_rebuild import adoptions_rebuild
from teams.visits import Help, visit_record
from tests.counter_checks import counters_and_rebuild

from .test_visit_state import snapshot


def _visit(w, *, days_ago=0, member=None, household=None, outcomes=None):
    visit, _created = visit_record(
        member=member or w.member_m,
        household=household or w.household,
        visited_on=w.today - timedelta(days=days_ago),
        outcomes=outcomes or {w.services["vneid_level2"]: Help(Outcome.SET_UP, 2)},
        recorded_by=(member or w.member_m).user,
    )
    return visit


def _figures(w):
    """What officials read of the commune: rollup, team activity, monthly report, the coverage API."""
    total = for_commune(w.commune, on=w.today).total
    period = report_period(w.province)
    activity = team_activity(w.commune, periods=[(period.start, period.end)])
    return (
        (total.households, total.reached, dict(total.adopted), dict(total.people_helped)),
        (activity.total.visits, activity.total.households, [t[1].visits for t in activity.teams]),
        json.dumps({**report_data(w.commune, period), "made_at": None}, sort_keys=True, default=str),
    )


def test_it_voids_a_visit_out_of_every_figure_and_keeps_it_in_the_audit_trail(world, client):
    w = world
    _visit(w, days_ago=3, outcomes={w.services["ewallet"]: Help(Outcome.SET_UP, 1)})
    before = _figures(w)
    w.login(client, "commune_official")
    api_before = client.get("/api/coverage/commune/31135/").json()
    visit = _visit(w, outcomes={w.services["vneid_level2"]: Help(Outcome.SET_UP, 3)})
    assert _figures(w) != before  # the visit counted: the comparison below compares something

    w.login(client, "member")
    response = client.post(reverse("visit_void", args=[visit.pk]), {"reason": "  Ghi nhầm\nhộ  "})
    assert response.status_code == 302

    assert _figures(w) == before
    w.login(client, "commune_official")
    assert client.get("/api/coverage/commune/31135/").json() == api_before
    # State and counters as a rebuild from the visits has them.
    incremental = snapshot()
    adoptions_rebuild()
    assert snapshot() == incremental
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt
    assert not Adoption.objects.filter(household=w.household, service=w.services["vneid_level2"]).exists()
    # Kept, with who, when and why, and in the audit trail.
    stored = Visit.all_objects.get(pk=visit.pk)
    assert (stored.void_reason, stored.voided_by) == ("Ghi nhầm hộ", w.member)
    assert not Visit.objects.filter(pk=visit.pk).exists()
    latest = Visit.history.filter(id=visit.pk).latest("history_date")
    assert latest.voided_at is not None and latest.history_user == w.member
    assert stored.assistances.count() == 1


def test_it_leaves_a_voided_visit_out_of_the_home_and_my_work_counts(world, client):
    w = world
    visit = _visit(w)
    visit_void(visit=visit, by=w.member, reason="Nhầm")
    w.login(client, "commune_official")
    assert client.get(reverse("home")).context["counts"]["visits_this_week"] == 0
    w.login(client, "member")
    context = client.get(reverse("my_work")).context
    assert (context["mine"]["week"], context["mine"]["month"]) == (0, 0)
    assert (context["team"].reached, dict(context["team"].adopted)) == (0, {})
    assert context["never_visited_count"] == 2  # the household voided is back among those never visited


def test_it_shows_voided_visits_marked_and_links_only_the_teams_recent_ones(world, client):
    w = world
    recent = _visit(w, days_ago=1)
    old = _visit(w, days_ago=(w.today - correction_window_start()).days + 1)  # the month before the last
    voided = _visit(w, days_ago=2, outcomes={w.services["ewallet"]: Help(Outcome.DECLINED, 0)})
    visit_void(visit=voided, by=w.leader, reason="Trùng lượt")
    for persona in ("member", "leader"):
        content = w.login(client, persona).get(reverse("households:detail", args=[w.household.pk])).content.decode()
        assert reverse("visit_edit", args=[recent.pk]) in content
        assert reverse("visit_void", args=[recent.pk]) in content
        assert "Sửa" in content and "Hủy lượt thăm" in content
        for visit in (old, voided):
            assert reverse("visit_edit", args=[visit.pk]) not in content
            assert reverse("visit_void", args=[visit.pk]) not in content
        assert "Trùng lượt" in content and "data-voided" in content
        assert content.count('data-testid="visit-actions"') == 1


@pytest.mark.parametrize("path", ["visit_edit", "visit_void"])
def test_it_refuses_a_visit_from_before_the_previous_month(world, client, path):
    w = world
    first = correction_window_start()
    old = _visit(w, days_ago=(w.today - first).days + 1)  # the last day of the month before the last
    in_window = _visit(w, days_ago=(w.today - first).days)  # the first day of the previous month
    w.login(client, "leader")
    assert client.get(reverse(path, args=[old.pk])).status_code == 404
    assert client.post(reverse(path, args=[old.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse(path, args=[in_window.pk])).status_code == 200
    assert Visit.objects.filter(pk=old.pk).exists()


def test_it_starts_the_window_on_the_first_of_the_previous_calendar_month():
    from datetime import date

    assert correction_window_start(date(2026, 3, 31)) == date(2026, 2, 1)
    assert correction_window_start(date(2026, 1, 1)) == date(2025, 12, 1)


@pytest.mark.parametrize("path", ["visit_edit", "visit_void"])
@pytest.mark.parametrize("persona", ["other_member", "other_commune_member", "commune_official", "superuser"])
def test_it_refuses_another_teams_visit(world, client, path, persona):
    w = world
    visit = _visit(w)
    theirs = _visit(
        w, member=w.other_member_m, household=w.household3, outcomes={w.services["ewallet"]: Help(Outcome.SET_UP, 1)}
    )
    w.login(client, persona)
    assert client.get(reverse(path, args=[visit.pk])).status_code == 404
    assert client.post(reverse(path, args=[visit.pk]), {"reason": "x", "visited_on": "x"}).status_code == 404
    if persona != "other_member":
        assert client.get(reverse(path, args=[theirs.pk])).status_code == 404
    assert Visit.objects.count() == 2


def test_it_asks_for_the_reason_in_vietnamese(world, client):
    w = world
    visit = _visit(w)
    w.login(client, "member")
    response = client.post(reverse("visit_void", args=[visit.pk]), {"reason": "   "})
    assert response.status_code == 200
    assert "Hãy nhập lý do hủy lượt thăm này." in response.content.decode()
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_it_does_not_store_a_voided_visit_again_on_a_resend(world, client):
    w = world
    visit = _visit(w)
    visit_void(visit=visit, by=w.member, reason="Nhầm")
    again, created = visit_record(
        uuid=visit.pk,
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["vneid_level2"]: Help(Outcome.SET_UP, 2)},
    )
    assert not created and again.voided_at is not None
    # The phone's outbox sending it once more: acknowledged, not stored.
    w.login(client, "member")
    item = {
        "kind": "visit",
        "uuid": str(visit.pk),
        "household": w.household.pk,
        "visited_on": w.today.isoformat(),
        "people_helped": "2",
        "note": "",
        "outcomes": {"vneid_level2": "set_up"},
    }
    response = client.post(reverse("field_sync"), json.dumps(item), content_type="application/json")
    assert response.status_code == 200
    assert Visit.all_objects.count() == 1 and not Visit.objects.exists()
    # Nor does the online form with that UUID.
    data = {"uuid": str(visit.pk), "visited_on": w.today.isoformat(), "people_helped": "2"}
    data["service_vneid_level2"] = "set_up"
    client.post(reverse("visit_log", args=[w.household.pk]), data)
    assert Visit.all_objects.count() == 1 and not Visit.objects.exists()


def test_it_corrects_a_visit_with_the_prefilled_form_and_its_rules(world, client):
    w = world
    visit = _visit(w, days_ago=2)
    w.login(client, "leader")
    url = reverse("visit_edit", args=[visit.pk])
    content = client.get(url).content.decode()
    assert "Sửa lượt thăm" in content
    assert f'value="{visit.pk}"' in content
    assert f'value="{visit.visited_on.isoformat()}"' in content
    inputs = re.findall(r"<input[^>]*>", content)
    checked = [tag for tag in inputs if "service_vneid_level2" in tag and "checked" in tag]
    assert len(checked) == 1 and 'value="set_up"' in checked[0]
    assert "data-offline" not in content  # sent by itself, never through the outbox

    data = {"uuid": str(visit.pk), "visited_on": (w.today + timedelta(days=1)).isoformat(), "people_helped": "2"}
    data["service_vneid_level2"] = "declined"
    response = client.post(url, data)
    assert response.status_code == 200 and "Ngày thăm không được sau hôm nay." in response.content.decode()
    too_old = (correction_window_start() - timedelta(days=1)).isoformat()
    response = client.post(url, {**data, "visited_on": too_old})
    assert "Khi sửa, ngày thăm phải nằm trong tháng này hoặc tháng trước." in response.content.decode()

    response = client.post(url, {**data, "visited_on": (w.today - timedelta(days=1)).isoformat()})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.visited_on == w.today - timedelta(days=1)
    assert list(visit.assistances.values_list("outcome", "people_helped")) == [("declined", 0)]
    incremental = snapshot()
    adoptions_rebuild()
    assert snapshot() == incremental
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_it_refuses_to_correct_a_voided_visit(world, client):
    w = world
    visit = _visit(w)
    visit_void(visit=visit, by=w.member, reason="Nhầm")
    w.login(client, "member")
    assert client.get(reverse("visit_edit", args=[visit.pk])).status_code == 404
    assert client.post(reverse("visit_void", args=[visit.pk]), {"reason": "lần nữa"}).status_code == 404


def test_it_asks_before_storing_the_same_visit_twice_after_back(world, client):
    w = world
    w.login(client, "member")
    url = reverse("visit_log", args=[w.household.pk])
    data = {"visited_on": w.today.isoformat(), "people_helped": "2", "service_vneid_level2": "set_up"}
    assert client.post(url, {**data, "uuid": str(uuid.uuid4())}).status_code == 302
    # Back, then Save: the page came again with a new UUID.
    response = client.post(url, {**data, "uuid": str(uuid.uuid4())})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Lượt thăm này đã được lưu lúc" in content and "Lưu thêm một lượt nữa?" in content
    assert Visit.objects.count() == 1
    # Other help, or another date, is another visit: stored without asking.
    assert client.post(url, {**data, "uuid": str(uuid.uuid4()), "service_ewallet": "declined"}).status_code == 302
    assert Visit.objects.count() == 2
    # Told, the member may still save another one.
    second_uuid = str(uuid.uuid4())
    assert client.post(url, {**data, "uuid": second_uuid, "again": "1"}).status_code == 302
    assert Visit.objects.filter(pk=second_uuid).exists() and Visit.objects.count() == 3


def test_it_lists_voided_visits_in_the_admin_with_a_filter(world, client):
    w = world
    kept = _visit(w, days_ago=1)
    voided = _visit(w)
    visit_void(visit=voided, by=w.member, reason="Nhầm")
    w.login(client, "superuser")
    changelist = reverse("admin:teams_visit_changelist")
    content = client.get(changelist, {"voided": "yes"}).content.decode()
    assert str(voided.pk) in content and str(kept.pk) not in content
    content = client.get(changelist, {"voided": "no"}).content.decode()
    assert str(kept.pk) in content and str(voided.pk) not in content
    assert client.get(reverse("admin:teams_visit_change", args=[voided.pk])).status_code == 200
    assert client.get(reverse("admin:teams_visit_history", args=[voided.pk])).status_code == 200
    # Deleting it there keeps state and counters exact too.
    response = client.post(reverse("admin:teams_visit_delete", args=[voided.pk]), {"post": "yes"})
    assert response.status_code == 302
    kept_counters, rebuilt = counters_and_rebuild()
    assert kept_counters == rebuilt


def test_it_refuses_to_correct_a_copy_of_a_visit_voided_meanwhile(world):
    from django.core.exceptions import ValidationError

    from teams.visits import visit_update

    w = world
    visit = _visit(w)
    stale = Visit.objects.get(pk=visit.pk)  # read by one member before another voids it
    visit_void(visit=visit, by=w.leader, reason="Trùng")
    with pytest.raises(ValidationError):
        visit_update(visit=stale, visited_on=w.today, outcomes={w.services["ewallet"]: Help(Outcome.DECLINED, 0)})
    assert Visit.all_objects.get(pk=visit.pk).assistances.get().service == w.services["vneid_level2"]
    assert not Adoption.objects.filter(household=w.household).exists()


def test_a_correction_keeps_the_help_of_a_service_retired_since(world, client):
    w = world
    retired = w.services["ewallet"]
    visit = _visit(
        w, days_ago=2, outcomes={w.services["vneid_level2"]: Help(Outcome.SET_UP, 2), retired: Help(Outcome.DECLINED)}
    )
    retired.active = False
    retired.save()
    w.login(client, "leader")
    url = reverse("visit_edit", args=[visit.pk])
    content = client.get(url).content.decode()
    inputs = re.findall(r"<input[^>]*>", content)
    checked = [tag for tag in inputs if f"service_{retired.code}" in tag and "checked" in tag]
    assert len(checked) == 1 and 'value="declined"' in checked[0]
    fields = re.findall(r'name="(service_[^"]+)"', content)
    assert fields[-1] == f"service_{retired.code}"  # after the services offered now, in their order

    data = {"uuid": str(visit.pk), "visited_on": visit.visited_on.isoformat(), "people_helped": "3"}
    data.update({"service_vneid_level2": "set_up", f"service_{retired.code}": "declined"})
    assert client.post(url, data).status_code == 302
    assert sorted(visit.assistances.values_list("service__code", "outcome", "people_helped")) == sorted(
        [("vneid_level2", "set_up", 3), (retired.code, "declined", 0)]
    )
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt
