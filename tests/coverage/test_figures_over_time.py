"""DESIGN.md "Figures over time": a figure once reported stays reproducible.

- a household counts until its deactivation date: deactivating it today leaves every earlier day's figures
  as they were, at every level, in the counters and after a rebuild;
- people helped count "set up now" only, 1 to the household's people (the service, the field form, the admin);
- the catalogue has dates: a service counts on the days it was in effect, retiring it rewrites no past.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from coverage.rollups import coverage_services, for_commune, for_province
from households.registry import household_deactivate
from teams.models import Assistance, Outcome, Service
from teams.visits import Help, visit_record
from tests.counter_checks import counters_and_rebuild, counters_by_day


def _visit(w, household, days_ago, outcomes, member=None):
    return visit_record(
        member=member or w.member_m,
        household=household,
        visited_on=w.today - timedelta(days=days_ago),
        outcomes=outcomes,
    )[0]


def _figures(w, on):
    commune = for_commune(w.commune, on=on)
    return (
        commune.total.households,
        commune.total.reached,
        dict(commune.total.adopted),
        dict(commune.total.adopted_pillar),
        dict(commune.total.people_helped),
        [(h.pk, f.households, dict(f.adopted)) for h, f in commune.rows],
    )


def test_deactivating_today_changes_no_earlier_day(world):
    w = world
    V, E = w.services["vneid_level2"], w.services["ewallet"]
    _visit(w, w.household, 20, {V: Help(Outcome.SET_UP, 1), E: Help(Outcome.DECLINED)})
    _visit(w, w.household, 5, {E: Help(Outcome.SET_UP, 1)})
    _visit(w, w.household2, 8, {V: Help(Outcome.ALREADY_HAD)})
    earlier = [w.today - timedelta(days=n) for n in range(1, 40)]
    before_pages = {day: _figures(w, day) for day in earlier}
    before_counters = counters_by_day(w.today - timedelta(days=40), w.today - timedelta(days=1))
    today_before = _figures(w, w.today)

    household_deactivate(household=w.household)

    assert {day: _figures(w, day) for day in earlier} == before_pages
    assert counters_by_day(w.today - timedelta(days=40), w.today - timedelta(days=1)) == before_counters
    # From today on it is out: one household, its adoptions and its reach fewer; its people stay helped.
    households, reached, adopted, pillars, people, _rows = _figures(w, w.today)
    assert households == today_before[0] - 1
    assert reached == today_before[1] - 1
    assert adopted.get(V.pk, 0) == today_before[2][V.pk] - 1 and adopted.get(E.pk, 0) == 0
    assert people == today_before[4]
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_a_household_deactivated_in_the_past_counts_up_to_the_eve_of_that_day(world, client):
    w = world
    V = w.services["vneid_level2"]
    _visit(w, w.household, 30, {V: Help(Outcome.SET_UP, 2)})
    household_deactivate(household=w.household, on=w.today - timedelta(days=10))
    eve, day = w.today - timedelta(days=11), w.today - timedelta(days=10)
    assert for_commune(w.commune, on=eve).total.adopted[V.pk] == 1
    assert for_commune(w.commune, on=day).total.adopted.get(V.pk, 0) == 0
    # The API (and the province level) agree.
    w.login(client, "province_official")
    url = reverse("api_coverage_province", args=["92"])
    body = client.get(url, {"on": eve.isoformat()}).json()
    assert body["total"]["services"]["vneid_level2"]["adopted"] == 1
    assert body["total"]["households"] == for_province(w.province, on=eve).total.households
    assert client.get(url, {"on": day.isoformat()}).json()["total"]["services"]["vneid_level2"]["adopted"] == 0
    # The hamlet page lists it as of the eve, not as of the day.
    w.login(client, "commune_official")
    page = reverse("coverage_hamlet", args=[w.hamlet.pk])
    assert w.household.head_name in client.get(page, {"on": eve.isoformat()}).content.decode()
    assert w.household.head_name not in client.get(page, {"on": day.isoformat()}).content.decode()
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_people_helped_count_set_up_now_only_and_at_most_the_household(world):
    w = world
    V, P, E = (w.services[c] for c in ("vneid_level2", "province_app", "ewallet"))
    w.household.people_count = 4
    w.household.save(update_fields=["people_count"])
    visit = _visit(
        w, w.household, 3, {V: Help(Outcome.SET_UP, 4), P: Help(Outcome.ALREADY_HAD, 3), E: Help(Outcome.FOLLOW_UP, 2)}
    )
    assert dict(visit.assistances.values_list("service__code", "people_helped")) == {
        "vneid_level2": 4,
        "province_app": 0,
        "ewallet": 0,
    }
    assert dict(for_commune(w.commune, on=w.today).total.people_helped) == {V.pk: 4}
    with translation.override("vi"):
        for people in (0, 5, 50):
            with pytest.raises(ValidationError) as error:
                _visit(w, w.household, 2, {E: Help(Outcome.SET_UP, people)})
            assert "từ 1 đến 4" in str(error.value)
    # The table refuses people on another outcome, or none on "set up now", whatever writes it.
    for outcome, people in ((Outcome.DECLINED, 1), (Outcome.SET_UP, 0)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Assistance.objects.create(
                province=w.province, visit=visit, service=w.services["online_safety"], outcome=outcome,
                people_helped=people,
            )  # fmt: skip
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_the_visit_form_says_in_vietnamese_how_many_people_may_be_helped(world, client):
    w = world
    w.household.people_count = 3
    w.household.save(update_fields=["people_count"])
    w.login(client, "member")
    url = reverse("visit_log", args=[w.household.pk])
    page = client.get(url)
    data = {
        "uuid": page.context["form"]["uuid"].value(),
        "visited_on": w.today.isoformat(),
        "people_helped": "7",
        "service_vneid_level2": "set_up",
        "note": "",
    }
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert "Số người được hỗ trợ: với “Đã cài mới”, nhập từ 1 đến 3" in response.content.decode()
    assert not w.household.visits.exists()
    # The same number with "already had" only: no one counted, nothing to refuse.
    data["service_vneid_level2"] = "already_had"
    assert client.post(url, data).status_code == 302
    assert w.household.visits.get().assistances.get().people_helped == 0


def test_a_service_counts_on_the_days_it_was_in_effect(world, client):
    w = world
    V, E = w.services["vneid_level2"], w.services["ewallet"]
    _visit(w, w.household, 20, {V: Help(Outcome.SET_UP, 1), E: Help(Outcome.SET_UP, 1)})
    last_month = w.today - timedelta(days=15)
    economy_before = for_commune(w.commune, on=last_month).total.adopted_pillar["economy"]
    # Retired: gone from today's figures, still in last month's, and its pillar share with it.
    E.retired_on = w.today - timedelta(days=2)
    E.save()
    E.refresh_from_db()
    assert E.active is False
    assert E not in coverage_services(w.today)
    assert E in coverage_services(last_month)
    assert for_commune(w.commune, on=last_month).total.adopted_pillar["economy"] == economy_before == 1
    assert "economy" not in for_commune(w.commune, on=w.today).total.adopted_pillar
    with pytest.raises(ValidationError):
        _visit(w, w.household2, 0, {E: Help(Outcome.SET_UP, 1)})
    # A new service: not in the figures of the days before it was offered, nor in the API's.
    new = Service.objects.create(
        code="digital_signature", name="Chữ ký số", pillar="government", offered_from=w.today - timedelta(days=5)
    )
    assert new not in coverage_services(w.today - timedelta(days=6))
    assert new in coverage_services(w.today)
    w.login(client, "commune_official")
    url = reverse("api_coverage_commune", args=["31135"])
    codes = [s["code"] for s in client.get(url, {"on": last_month.isoformat()}).json()["services"]]
    assert "ewallet" in codes and "digital_signature" not in codes
    codes = [s["code"] for s in client.get(url).json()["services"]]
    assert "ewallet" not in codes and "digital_signature" in codes
    page = client.get(reverse("coverage_commune", args=["31135"]), {"on": last_month.isoformat()}).content.decode()
    assert E.name in page and "Chữ ký số" not in page
    with pytest.raises(ValidationError) as error:
        _visit(w, w.household2, 6, {new: Help(Outcome.SET_UP, 1)})
    assert "digital_signature" not in str(error.value)
