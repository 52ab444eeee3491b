"""The state kept per household and service, against DESIGN.md "Coverage"."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from households.models import Household
from households.registry import household_deactivate, household_update
from teams.corrections import visit_void
from teams.models import Adoption, Assistance, Outcome, Visit
from teams.state_rebuild import adoptions_rebuild
from teams.visits import Help, visit_delete, visit_record, visit_update
from tests.counter_checks import counters_and_rebuild, counters_by_day


def state(household):
    household.refresh_from_db()
    adoptions = {
        a.service.code: (a.first_adopted_on, a.last_outcome, a.last_visited_on)
        for a in Adoption.objects.filter(household=household).select_related("service")
    }
    return adoptions, household.first_visited_on, household.last_visited_on


def test_it_stores_a_visit_and_its_state(world):
    w, vneid = world, world.services["vneid_level2"]
    visit, created = visit_record(
        member=w.member_m, household=w.household, visited_on=w.today, outcomes={vneid: Help(Outcome.SET_UP, 2)}
    )
    assert created and visit.province == w.province
    assert Assistance.objects.get(visit=visit).people_helped == 2
    assert state(w.household) == ({"vneid_level2": (w.today, "set_up", w.today)}, w.today, w.today)


def test_it_stores_the_same_uuid_once(world):
    w, app = world, world.services["province_app"]
    key = uuid.uuid4()
    first, created = visit_record(
        uuid=key, member=w.member_m, household=w.household, visited_on=w.today, outcomes={app: Help(Outcome.SET_UP)}
    )
    again, created_again = visit_record(
        uuid=key, member=w.member_m, household=w.household, visited_on=w.today, outcomes={app: Help(Outcome.SET_UP)}
    )
    assert created and not created_again and first.pk == again.pk
    assert Visit.objects.count() == 1 and Assistance.objects.count() == 1


def test_it_stores_a_resend_once_when_it_crosses_the_first_send(world, monkeypatch):
    """A resend that checked before the first send was stored fails to insert, and answers with the stored visit."""
    from teams import visits

    w, app = world, world.services["province_app"]
    key = uuid.uuid4()
    first, _created = visit_record(
        uuid=key, member=w.member_m, household=w.household, visited_on=w.today, outcomes={app: Help(Outcome.SET_UP)}
    )
    real, looks = visits._locked_household, []

    def locked_household(household, served_by=None, visit_id=None):
        # The resend's look for its visit ran before the first send was stored: it finds nothing.
        looks.append(visit_id)
        return real(household, served_by=served_by, visit_id=uuid.uuid4())

    monkeypatch.setattr(visits, "_locked_household", locked_household)
    again, created_again = visit_record(
        uuid=key, member=w.member_m, household=w.household, visited_on=w.today, outcomes={app: Help(Outcome.SET_UP)}
    )
    assert not created_again and again.pk == first.pk and looks == [key]
    assert Visit.objects.count() == 1 and Assistance.objects.count() == 1
    assert state(w.household) == ({"province_app": (w.today, "set_up", w.today)}, w.today, w.today)


def test_it_answers_a_resend_with_the_stored_visit_even_after_the_household_moved_away(world):
    w, app = world, world.services["province_app"]
    key = uuid.uuid4()
    first, _created = visit_record(
        uuid=key, member=w.member_m, household=w.household, visited_on=w.today, outcomes={app: Help(Outcome.SET_UP)}
    )
    Household.objects.filter(pk=w.household.pk).update(active=False, deactivated_on=w.today)
    again, created_again = visit_record(
        uuid=key, member=w.member_m, household=w.household, visited_on=w.today, outcomes={app: Help(Outcome.SET_UP)}
    )
    assert not created_again and again.pk == first.pk
    with pytest.raises(ValidationError):  # a new visit is refused
        visit_record(member=w.member_m, household=w.household, visited_on=w.today, outcomes={})


def test_it_refuses_a_uuid_reused_for_another_household(world):
    w, app = world, world.services["province_app"]
    key = uuid.uuid4()
    visit_record(uuid=key, member=w.member_m, household=w.household, visited_on=w.today, outcomes={})
    with pytest.raises(ValidationError):
        visit_record(
            uuid=key,
            member=w.member_m,
            household=w.household2,
            visited_on=w.today,
            outcomes={app: Help(Outcome.SET_UP)},
        )
    assert Visit.objects.get().household == w.household and not Adoption.objects.exists()


def test_it_orders_by_visit_date_not_arrival(world):
    w, wallet = world, world.services["ewallet"]
    newer, older = w.today - timedelta(days=1), w.today - timedelta(days=20)
    visit_record(member=w.member_m, household=w.household, visited_on=newer, outcomes={wallet: Help(Outcome.FOLLOW_UP)})
    # Synced late from a phone: an older visit must not overwrite the newer outcome.
    visit_record(member=w.member_m, household=w.household, visited_on=older, outcomes={wallet: Help(Outcome.DECLINED)})
    assert state(w.household) == ({"ewallet": (None, "follow_up", newer)}, older, newer)


def test_it_keeps_adoption_after_a_later_decline_and_moves_it_earlier_with_an_older_visit(world):
    w, wallet = world, world.services["ewallet"]
    d1, d2, d3 = (w.today - timedelta(days=n) for n in (30, 20, 10))
    visit_record(member=w.member_m, household=w.household, visited_on=d2, outcomes={wallet: Help(Outcome.SET_UP)})
    visit_record(member=w.member_m, household=w.household, visited_on=d3, outcomes={wallet: Help(Outcome.DECLINED)})
    assert state(w.household)[0] == {"ewallet": (d2, "declined", d3)}
    visit_record(member=w.member_m, household=w.household, visited_on=d1, outcomes={wallet: Help(Outcome.ALREADY_HAD)})
    assert state(w.household)[0] == {"ewallet": (d1, "declined", d3)}


def test_it_writes_new_and_changed_adoptions_in_one_statement_and_leaves_the_rest(world):
    w = world
    wallet, app, vneid = (w.services[code] for code in ("ewallet", "province_app", "vneid_level2"))
    earlier = w.today - timedelta(days=5)
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=earlier,
        outcomes={wallet: Help(Outcome.FOLLOW_UP), vneid: Help(Outcome.SET_UP)},
    )
    kept = Adoption.objects.get(household=w.household, service=vneid)
    with CaptureQueriesContext(connection) as queries:
        visit_record(
            member=w.member_m,
            household=w.household,
            visited_on=w.today,
            outcomes={wallet: Help(Outcome.SET_UP), app: Help(Outcome.ALREADY_HAD)},
        )
    writes = [q["sql"] for q in queries if "teams_adoption" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")]
    assert len(writes) == 1, writes
    assert state(w.household)[0] == {
        "ewallet": (w.today, "set_up", w.today),
        "province_app": (w.today, "already_had", w.today),
        "vneid_level2": (earlier, "set_up", earlier),
    }
    assert Adoption.objects.get(pk=kept.pk).last_visited_on == earlier  # the same row, untouched


def test_it_advances_a_later_visit_from_the_stored_state_and_reads_back_the_others(world):
    """A visit later than all the others needs no read of the visits; a late or same-day one is recomputed."""
    w = world
    wallet, app = w.services["ewallet"], w.services["province_app"]
    d1, d2, late = w.today - timedelta(days=8), w.today - timedelta(days=3), w.today - timedelta(days=20)

    def record(visited_on, outcomes):
        with CaptureQueriesContext(connection) as queries:
            visit_record(member=w.member_m, household=w.household, visited_on=visited_on, outcomes=outcomes)
        # The refresh's read: the visits in their order.
        return sum('"teams_visit"."recorded_at" ASC' in query["sql"] for query in queries)

    assert record(d1, {wallet: Help(Outcome.SET_UP, 2), app: Help(Outcome.FOLLOW_UP)}) == 0  # the first
    assert record(d2, {wallet: Help(Outcome.DECLINED, 1), app: Help(Outcome.SET_UP)}) == 0  # later
    assert state(w.household) == ({"ewallet": (d1, "declined", d2), "province_app": (d2, "set_up", d2)}, d1, d2)
    assert record(d2, {app: Help(Outcome.DECLINED)}) == 1  # the same day as another
    assert record(late, {wallet: Help(Outcome.ALREADY_HAD)}) == 1  # synced late
    expected = ({"ewallet": (late, "declined", d2), "province_app": (d2, "declined", d2)}, late, d2)
    assert state(w.household) == expected
    counters = counters_by_day(late, w.today)
    adoptions_rebuild()
    assert state(w.household) == expected
    assert counters_by_day(late, w.today) == counters


def test_it_keeps_the_visit_dates_when_a_household_is_saved_from_a_copy_read_before_a_visit(world):
    """A form read the row before a visit came in: its write does not put back the visit dates it read."""
    w, wallet = world, world.services["ewallet"]
    d1, d2 = w.today - timedelta(days=6), w.today - timedelta(days=2)
    stale = Household.objects.get(pk=w.household.pk)
    visit_record(member=w.member_m, household=w.household, visited_on=d2, outcomes={wallet: Help(Outcome.SET_UP)})
    household_update(household=stale, address="Số 9, hẻm 3")
    assert state(w.household) == ({"ewallet": (d2, "set_up", d2)}, d2, d2)
    visit_record(member=w.member_m, household=w.household, visited_on=d1, outcomes={wallet: Help(Outcome.DECLINED)})
    expected = ({"ewallet": (d2, "set_up", d2)}, d1, d2)
    assert state(w.household) == expected
    counters = counters_by_day(d1, w.today)
    adoptions_rebuild()
    assert (state(w.household), counters_by_day(d1, w.today)) == (expected, counters)


def test_it_recomputes_on_edit_and_delete(world):
    w, wallet = world, world.services["ewallet"]
    d1, d2 = w.today - timedelta(days=9), w.today - timedelta(days=2)
    visit, _ = visit_record(
        member=w.member_m, household=w.household, visited_on=d1, outcomes={wallet: Help(Outcome.SET_UP)}
    )
    visit_update(visit=visit, visited_on=d2, outcomes={wallet: Help(Outcome.DECLINED, 0)}, note="sửa")
    assert state(w.household) == ({"ewallet": (None, "declined", d2)}, d2, d2)
    visit_delete(visit=visit)
    assert state(w.household) == ({}, None, None)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"visited_on": "future"}, "visited_on"),
        ({"visited_on": "before_registration"}, "visited_on"),
        ({"household": "other_team"}, "household"),
        ({"people_helped": -1}, "outcomes"),
    ],
)
def test_it_refuses_bad_visits_and_stores_nothing(world, change, field):
    w, app = world, world.services["province_app"]
    visited_on = {
        "future": w.today + timedelta(days=1),
        "before_registration": w.household.registered_on - timedelta(days=1),
    }.get(change.get("visited_on"), w.today)
    household = w.household3 if change.get("household") else w.household
    with pytest.raises(ValidationError) as error:
        visit_record(
            member=w.member_m,
            household=household,
            visited_on=visited_on,
            outcomes={app: Help(Outcome.SET_UP, change.get("people_helped", 1))},
        )
    assert field in error.value.message_dict
    assert not Visit.objects.exists() and not Adoption.objects.exists()


def snapshot():
    today = timezone.localdate()
    return (
        sorted(
            Adoption.objects.values_list(
                "household_id", "service_id", "first_adopted_on", "last_outcome", "last_visited_on"
            )
        ),
        sorted(Household.objects.values_list("pk", "first_visited_on", "last_visited_on")),
        counters_by_day(today - timedelta(days=100), today),
    )


operations = st.lists(
    st.tuples(
        st.sampled_from(["record", "record", "record", "resend", "edit", "delete", "void", "particulars"]),
        st.integers(0, 2),  # household
        st.integers(0, 40),  # days ago
        st.lists(
            st.tuples(st.integers(0, 3), st.sampled_from(list(Outcome.values)), st.integers(0, 5)),
            max_size=3,
            unique_by=lambda t: t[0],
        ),
        st.integers(0, 10_000),  # which earlier visit to resend, edit or delete
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_it_keeps_the_incremental_state_equal_to_a_rebuild(world, ops):
    """Random visits, late arrivals, resends (of voided visits too), edits, deletes, voids and household edits:
    incremental == rebuilt,
    for the adoptions and for the coverage counters as of every day."""
    w = world
    services = [w.services[c] for c in ("province_app", "vneid_level2", "ewallet", "online_safety")]
    Visit.all_objects.all().delete()  # hypothesis reuses the fixture's rows between examples
    Household.objects.filter(pk__in=[w.household.pk, w.household2.pk]).update(
        active=True, registered_on=w.today - timedelta(days=90)
    )
    # The third is a second, stale copy of the first: edits must not trust what an instance holds.
    households = [Household.objects.get(pk=pk) for pk in (w.household.pk, w.household2.pk, w.household.pk)]
    adoptions_rebuild()
    uuids = []
    for op, which, days_ago, helps, pick in ops:
        outcomes = {services[s]: Help(outcome, people) for s, outcome, people in helps}
        visited_on = w.today - timedelta(days=days_ago)
        visits = list(Visit.objects.order_by("recorded_at", "pk"))
        try:
            if op == "resend" and uuids:
                # A resend carries its own household: the phone sends the same form again.
                uuid_sent, household_sent = uuids[pick % len(uuids)]
                visit_record(
                    uuid=uuid_sent,
                    member=w.member_m,
                    household=households[household_sent],
                    visited_on=visited_on,
                    outcomes=outcomes,
                )
            elif op == "edit" and visits:
                visit_update(visit=visits[pick % len(visits)], visited_on=visited_on, outcomes=outcomes)
            elif op == "delete" and visits:
                visit_delete(visit=visits[pick % len(visits)])
            elif op == "void" and visits:
                visit_void(visit=visits[pick % len(visits)], by=w.member, reason="Ghi nhầm hộ")
            elif op == "particulars":
                # Priority, registration date, hamlet (another commune's too) and the active flag move the
                # household between counters.
                household_update(
                    household=households[which],
                    poverty=list(Household.Poverty.values)[pick % 3],
                    policy_family=bool(pick & 4),
                    registered_on=w.today - timedelta(days=days_ago + 60 * (pick & 1)),
                    hamlet=[w.hamlet, w.hamlet2, w.hamlet, w.other_hamlet][(pick >> 3) & 3],
                )
                if pick % 7 == 0:
                    household_deactivate(household=households[which])
            else:
                visit, _ = visit_record(
                    member=w.member_m, household=households[which], visited_on=visited_on, outcomes=outcomes
                )
                uuids.append((visit.pk, which))
        except ValidationError:
            pass  # a visit to a deactivated household or before its registration: nothing stored
        incremental = snapshot()
        adoptions_rebuild()
        assert snapshot() == incremental


def test_it_refuses_a_new_visit_dated_more_than_a_year_back_and_takes_one_a_year_back(world):
    """A late visit shifts the counters from its day to today: the days back are bound (issue 17)."""
    from teams.counters_rebuild import counters_rebuild
    from teams.visits import MAX_DAYS_BACK

    w, wallet = world, world.services["ewallet"]
    Household.objects.filter(pk=w.household.pk).update(registered_on=w.today - timedelta(days=800))
    counters_rebuild()  # the registration moved past the write functions
    w.household.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        visit_record(
            member=w.member_m,
            household=w.household,
            visited_on=w.today - timedelta(days=MAX_DAYS_BACK + 1),
            outcomes={wallet: Help(Outcome.SET_UP)},
        )
    assert "tối đa một năm" in str(refused.value.message_dict["visited_on"])
    visit, _ = visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today - timedelta(days=MAX_DAYS_BACK),
        outcomes={wallet: Help(Outcome.SET_UP)},
    )
    assert visit.visited_on == w.today - timedelta(days=MAX_DAYS_BACK)
    kept, rebuilt = counters_and_rebuild(days=MAX_DAYS_BACK + 1)
    assert kept == rebuilt


def test_a_rebuild_after_visits_recorded_out_of_order_writes_nothing(world):
    """A visit recorded after a later one (a phone's queue sent late) moves the household's first visit to an
    earlier day: the later day's counter rows now repeat the day before. That reads the same as no row, so a
    rebuild keeps them and writes nothing; a row that reads wrong is still corrected."""
    from teams.counters_rebuild import counters_rebuild
    from teams.models import CoverageDay

    w, wallet = world, world.services["ewallet"]
    visit_record(
        member=w.member_m, household=w.household, visited_on=w.today, outcomes={wallet: Help(Outcome.DECLINED)}
    )
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today - timedelta(days=5),
        outcomes={wallet: Help(Outcome.DECLINED)},
    )
    today_row = CoverageDay.objects.get(hamlet=w.household.hamlet, priority_only=False, day=w.today)
    earlier_row = CoverageDay.objects.get(
        hamlet=w.household.hamlet, priority_only=False, day=w.today - timedelta(days=5)
    )
    assert today_row.figures == earlier_row.figures  # left by the writes, reads as no row
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt
    assert counters_rebuild() == 0
    assert CoverageDay.objects.filter(pk=today_row.pk).exists()
    CoverageDay.objects.filter(pk=today_row.pk).update(figures={**today_row.figures, "h": 99})
    assert counters_rebuild() == 1
    assert not CoverageDay.objects.filter(pk=today_row.pk).exists()


def test_rebuilds_of_a_database_in_step_write_nothing(world):
    """Batched rebuilds compare before they write: no correction, no counter row rewritten (no dead rows)."""
    from teams.counters_rebuild import counters_rebuild

    w, wallet = world, world.services["ewallet"]
    visit_record(member=w.member_m, household=w.household, visited_on=w.today, outcomes={wallet: Help(Outcome.SET_UP)})
    assert counters_rebuild() == 0
    assert adoptions_rebuild() == 0
    Adoption.objects.filter(household=w.household).delete()  # out of step, as after a bad import
    assert adoptions_rebuild(batch_size=1) == 1
    assert state(w.household)[0] == {"ewallet": (w.today, "set_up", w.today)}
