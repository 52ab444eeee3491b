"""Moves and the admin's write paths keep figures exact and leave a trace (DESIGN.md "Figures over time").

- a hamlet move is in the hamlet's audit trail (from, to, who, when) and shown on its history page; the
  move form finds the commune without accents, within the province, and recodes a clashing code in one step;
- a household moved in the admin to a hamlet of another province takes its visits', assistance rows' and
  state's province keys along;
- deleting assistance rows in the admin recomputes the state and the counters.
"""

from datetime import timedelta

from django.urls import reverse

from coverage.rollups import for_commune, for_province
from households.models import Hamlet, Household
from teams.models import Adoption, Assistance, Outcome, Visit
from teams.visits import Help, visit_record
from tests.counter_checks import counters_and_rebuild

MOVE = {"action": "move_to_commune"}


def _visit(w, household, member, days_ago, outcomes):
    return visit_record(
        member=member, household=household, visited_on=w.today - timedelta(days=days_ago), outcomes=outcomes
    )[0]


def test_a_hamlet_move_is_in_its_history_with_from_to_who_and_a_recoded_clash(client, world):
    w = world
    E = w.services["ewallet"]
    _visit(w, w.household3, w.other_member_m, 4, {E: Help(Outcome.SET_UP, 1)})
    Hamlet.objects.filter(pk=w.other_hamlet.pk).update(code="03")  # Xã Cờ Đỏ has a hamlet coded as Khu vực 3
    w.login(client, "superuser")
    url = reverse("admin:households_hamlet_changelist")
    selected = {**MOVE, "_selected_action": [w.hamlet3.pk]}
    # The accent-free search, within the hamlet's province: "co do" finds Xã Cờ Đỏ, not Phường Ba Đình.
    page = client.post(url, {**selected, "search": "co do", "find": "1"}).content.decode()
    assert "Xã Cờ Đỏ" in page and "Phường Ba Đình" not in page
    page = client.post(url, {**selected, "search": "", "find": "1"}).content.decode()
    assert "Phường Ninh Kiều" in page and "Phường Ba Đình" not in page
    # The clash is named, and nothing moves.
    response = client.post(url, {**selected, "commune": w.other_commune.pk, "apply": "1"})
    assert response.status_code == 200
    assert "Xã Cờ Đỏ đã có ấp mã “03”: hãy đặt mã mới cho Khu vực 3" in response.content.decode()
    assert Hamlet.objects.get(pk=w.hamlet3.pk).commune == w.commune
    last_month = w.today - timedelta(days=2)
    before = for_commune(w.commune, on=last_month).total.households
    response = client.post(
        url, {**selected, "commune": w.other_commune.pk, f"code_{w.hamlet3.pk}": "03B", "apply": "1"}, follow=True
    )
    assert response.status_code == 200
    moved = Hamlet.objects.get(pk=w.hamlet3.pk)
    assert (moved.commune, moved.code) == (w.other_commune, "03B")
    # Figures follow today's units (the whole history along, as DHIS2 does) ...
    assert for_commune(w.commune, on=last_month).total.households == before - 1
    # ... and the move is in the trail: from, to, who, when, on the hamlet's history page.
    record = moved.history.latest()
    assert record.history_user == w.superuser and record.commune_id == w.other_commune.pk
    assert record.history_change_reason == ("Chuyển từ Phường Ninh Kiều (31135) sang Xã Cờ Đỏ (31261), cùng 1 hộ.")
    history = client.get(reverse("admin:households_hamlet_history", args=[moved.pk])).content.decode()
    assert "Chuyển từ Phường Ninh Kiều (31135) sang Xã Cờ Đỏ (31261)" in history and "admin" in history
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_a_household_moved_to_another_province_in_the_admin_takes_its_rows_along(client, world):
    w = world
    V = w.services["vneid_level2"]
    _visit(w, w.household, w.member_m, 6, {V: Help(Outcome.SET_UP, 1)})
    w.login(client, "superuser")
    h = w.household
    data = {
        "hamlet": w.far_hamlet.pk,
        "head_name": h.head_name,
        "address": h.address,
        "phone": h.phone,
        "people_count": h.people_count,
        "poverty": h.poverty,
        "registered_on": h.registered_on.isoformat(),
        **({"consent_given": "on"} if h.consent_given else {}),
    }
    response = client.post(reverse("admin:households_household_change", args=[h.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    other = w.other_province.pk
    assert Household.objects.get(pk=h.pk).province_id == other
    assert set(Visit.objects.filter(household=h).values_list("province_id", flat=True)) == {other}
    assert set(Assistance.objects.filter(visit__household=h).values_list("province_id", flat=True)) == {other}
    assert set(Adoption.objects.filter(household=h).values_list("province_id", flat=True)) == {other}
    assert for_province(w.other_province, on=w.today).total.adopted[V.pk] == 1
    assert for_province(w.province, on=w.today).total.adopted.get(V.pk, 0) == 0
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_deleting_assistance_rows_in_the_admin_keeps_state_and_counters_exact(client, world):
    w = world
    V, E, P = (w.services[c] for c in ("vneid_level2", "ewallet", "province_app"))
    _visit(w, w.household, w.member_m, 9, {V: Help(Outcome.SET_UP, 1), E: Help(Outcome.SET_UP, 1)})
    _visit(w, w.household2, w.member_m, 3, {P: Help(Outcome.ALREADY_HAD)})
    w.login(client, "superuser")
    one = Assistance.objects.get(visit__household=w.household, service=E)
    response = client.post(reverse("admin:teams_assistance_delete", args=[one.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Adoption.objects.filter(household=w.household, service=E).exists()
    assert for_commune(w.commune, on=w.today).total.adopted.get(E.pk, 0) == 0
    rows = Assistance.objects.filter(service__in=[V, P])
    response = client.post(
        reverse("admin:teams_assistance_changelist"),
        {"action": "delete_selected", "_selected_action": list(rows.values_list("pk", flat=True)), "post": "yes"},
    )
    assert response.status_code == 302
    assert not Assistance.objects.exists() and not Adoption.objects.filter(first_adopted_on__isnull=False).exists()
    total = for_commune(w.commune, on=w.today).total
    assert (total.adopted.get(V.pk, 0), total.adopted.get(P.pk, 0)) == (0, 0)
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_the_admin_refuses_people_helped_beyond_the_household_on_a_visit(client, world):
    w = world
    V = w.services["vneid_level2"]
    visit = _visit(w, w.household2, w.member_m, 2, {V: Help(Outcome.SET_UP, 1)})
    w.login(client, "superuser")
    row = visit.assistances.get()
    url = reverse("admin:teams_visit_change", args=[visit.pk])
    data = {
        "household": w.household2.pk,
        "member": w.member_m.pk,
        "visited_on": visit.visited_on.isoformat(),
        "note": "",
        "assistances-TOTAL_FORMS": "1",
        "assistances-INITIAL_FORMS": "1",
        "assistances-MIN_NUM_FORMS": "0",
        "assistances-MAX_NUM_FORMS": "1000",
        "assistances-0-id": row.pk,
        "assistances-0-visit": visit.pk,
        "assistances-0-service": V.pk,
        "assistances-0-outcome": "set_up",
        "assistances-0-people_helped": "9",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "nhập từ 1 đến 2" in response.content.decode()
    data["assistances-0-people_helped"] = "2"
    assert client.post(url, data).status_code == 302
    assert Assistance.objects.get(pk=row.pk).people_helped == 2
    data["assistances-0-outcome"] = "declined"
    assert client.post(url, data).status_code == 302
    assert Assistance.objects.get(pk=row.pk).people_helped == 0
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt
