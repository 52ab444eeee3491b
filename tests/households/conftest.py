from datetime import timedelta

import pytest

from households.models import Household
from teams.counters_rebuild import counters_rebuild
from teams.models import Outcome
from teams.visits import Help, visit_record


@pytest.fixture
def visited(world):
    """household: VNeID set up 10 days ago, then the province app needing follow-up; household2 never visited."""
    w = world
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today - timedelta(days=10),
        outcomes={
            w.services["vneid_level2"]: Help(Outcome.SET_UP, 2),
            w.services["ewallet"]: Help(Outcome.DECLINED, 0),
        },
        recorded_by=w.member,
    )
    visit_record(
        member=w.leader_m,
        household=w.household,
        visited_on=w.today - timedelta(days=2),
        outcomes={w.services["province_app"]: Help(Outcome.FOLLOW_UP, 0)},
        note="Hẹn quay lại chiều thứ bảy",
        recorded_by=w.leader,
    )
    w.household.refresh_from_db()
    return w


def many_households(world, count, hamlet=None):
    households = [
        Household(
            hamlet=hamlet or world.hamlet,
            province=world.province,
            head_name=f"Lê Thị Hộ {i:03d}",
            address=f"Số {i}, hẻm 9",
            registered_on=world.today - timedelta(days=30),
            search_key=f"le thi ho {i:03d} | so {i}, hem 9",
        )
        for i in range(count)
    ]
    created = Household.objects.bulk_create(households)
    # bulk_create writes no counters (households.registry does): rebuilt, as seed_scale does.
    counters_rebuild()
    return created
