"""Changes dated long ago wait in the counters' queue (teams.counters_queue): read at once, folded after a response."""

from datetime import timedelta

from django.urls import reverse

from coverage.rollups import by_commune, by_hamlet, by_province
from coverage.trends import adoption_trend
from households.divisions import hamlets_move
from households.models import Commune, Hamlet, Province
from teams.counter_models import QueuedShift
from teams.counters_drain import queue_drain
from teams.counters_queue import QUEUE_AFTER_DAYS, queued_provinces_take
from teams.counters_rebuild import counters_rebuild
from teams.models import CommuneCoverageDay, CoverageDay, Outcome, ProvinceCoverageDay
from teams.visits import Help, visit_record
from tests.counter_checks import counters_and_rebuild
from tests.teams.test_field_visit import visit_data


def _figures(w, day):
    """Every level's figures as of `day`, all households and priority ones, as the pages read them."""
    read = {}
    for flag in (False, True):
        read[("h", flag)] = by_hamlet([w.hamlet.pk, w.hamlet2.pk], on=day, priority_only=flag)
        read[("c", flag)] = by_commune(Commune.objects.filter(province=w.province), on=day, priority_only=flag)
        read[("p", flag)] = by_province(Province.objects.filter(pk=w.province.pk), on=day, priority_only=flag)
    return read


def _rows():
    return [
        sorted(model.objects.values_list("pk", "day", "figures"))
        for model in (CoverageDay, CommuneCoverageDay, ProvinceCoverageDay)
    ]


def test_a_visit_dated_long_ago_is_queued_read_at_once_and_folded_to_the_same_figures(world):
    w, wallet = world, world.services["ewallet"]
    queue_drain()  # the world's households were registered 90 days back: their changes waited too
    queued_provinces_take()
    long_ago = w.today - timedelta(days=60)
    before, before_eve = _figures(w, long_ago), _figures(w, long_ago - timedelta(days=1))
    rows = _rows()
    visit_record(
        member=w.member_m, household=w.household2, visited_on=long_ago, outcomes={wallet: Help(Outcome.SET_UP, 2)}
    )
    # The counter rows are as they were: the visit's change waits, a row per level and flag (a poor household).
    assert _rows() == rows
    assert sorted(QueuedShift.objects.values_list("level", "unit_id", "priority_only", "day")) == sorted(
        [
            ("c", w.commune.pk, False, long_ago),
            ("c", w.commune.pk, True, long_ago),
            ("h", w.hamlet2.pk, False, long_ago),
            ("h", w.hamlet2.pk, True, long_ago),
            ("p", w.province.pk, False, long_ago),
            ("p", w.province.pk, True, long_ago),
        ]
    )
    assert queued_provinces_take() == {w.province.pk}
    # Read at once: every level counts the household as reached and adopted on that day, not the day before.
    after = _figures(w, long_ago)
    assert after != before
    for flag in (False, True):
        assert after[("h", flag)][w.hamlet2.pk].reached == before[("h", flag)][w.hamlet2.pk].reached + 1
        assert after[("p", flag)][w.province.pk].adopted[wallet.pk] == (
            before[("p", flag)][w.province.pk].adopted.get(wallet.pk, 0) + 1
        )
    assert _figures(w, long_ago - timedelta(days=1)) == before_eve
    trend = adoption_trend(w.commune, on=w.today)
    # Folded into the rows: the same figures on every day, and the queue is empty.
    assert queue_drain() == 6
    assert not QueuedShift.objects.exists()
    assert _figures(w, long_ago) == after
    assert adoption_trend(w.commune, on=w.today) == trend
    assert sum(trend.counts[wallet.pk]) == 1
    kept, rebuilt = counters_and_rebuild(days=100)
    assert kept == rebuilt


def test_a_recent_visit_shifts_the_rows_at_once(world):
    w, wallet = world, world.services["ewallet"]
    queue_drain()
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today - timedelta(days=QUEUE_AFTER_DAYS),
        outcomes={wallet: Help(Outcome.SET_UP)},
    )
    assert not QueuedShift.objects.exists()
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today - timedelta(days=QUEUE_AFTER_DAYS + 1),
        outcomes={wallet: Help(Outcome.SET_UP)},
    )
    # The series reaches past the horizon: all of it waits, the first visit's move from one day to the other too.
    assert sorted(QueuedShift.objects.filter(level="h", unit_id=w.hamlet.pk).values_list("day", flat=True)) == [
        w.today - timedelta(days=QUEUE_AFTER_DAYS + 1),
        w.today - timedelta(days=QUEUE_AFTER_DAYS),
    ]


def test_the_request_that_queued_folds_its_province_s_queue_after_its_response(world, client):
    w = world
    world.login(client, "member")
    long_ago = w.today - timedelta(days=80)  # registered 90 days back
    queue_drain()
    response = client.post(
        reverse("visit_log", kwargs={"pk": w.household.pk}), visit_data(w, visited_on=long_ago.isoformat())
    )
    assert response.status_code == 302
    # The test client closes the response as a server does after sending it: request_finished drained it.
    assert not QueuedShift.objects.exists()
    assert queued_provinces_take() == set()
    kept, rebuilt = counters_and_rebuild(days=100)
    assert kept == rebuilt


def test_a_failed_drain_leaves_the_queue_to_the_next(world, client, monkeypatch):
    from teams import counters_drain

    w, wallet = world, world.services["ewallet"]
    queue_drain()
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today - timedelta(days=40),
        outcomes={wallet: Help(Outcome.SET_UP)},
    )
    monkeypatch.setattr(counters_drain, "queue_fold", lambda province_id: 1 / 0)
    world.login(client, "member")
    assert client.get(reverse("home")).status_code == 200  # the page is served; the failure is logged
    assert QueuedShift.objects.count() == 3
    monkeypatch.undo()
    kept, rebuilt = counters_and_rebuild(days=50)
    assert kept == rebuilt


def test_rebuilds_and_moves_keep_the_queue_s_changes(world):
    w, wallet = world, world.services["ewallet"]
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today - timedelta(days=30),
        outcomes={wallet: Help(Outcome.SET_UP)},
    )
    visit_record(
        member=w.other_commune_member_m,
        household=w.other_household,
        visited_on=w.today - timedelta(days=20),
        outcomes={wallet: Help(Outcome.SET_UP)},
    )
    assert QueuedShift.objects.filter(level="h", unit_id=w.hamlet.pk).exists()
    # A hamlet moving to another commune: the queue is folded before the communes' sums are redone.
    hamlets_move(hamlets=Hamlet.objects.filter(pk=w.hamlet3.pk), commune=w.other_commune, by=w.superuser)
    assert not QueuedShift.objects.filter(province=w.province).exists()
    visit_record(
        member=w.member_m,
        household=w.household2,
        visited_on=w.today - timedelta(days=25),
        outcomes={wallet: Help(Outcome.SET_UP)},
    )
    # A rebuild folds the queue first: it counts corrections only.
    assert counters_rebuild() == 0
    assert not QueuedShift.objects.exists()
    kept, rebuilt = counters_and_rebuild(days=100)
    assert kept == rebuilt
