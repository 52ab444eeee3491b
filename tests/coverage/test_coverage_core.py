from datetime import timedelta

from django.utils import translation

from coverage.rollups import Figures, by_hamlet, format_percent, ratio, total
from teams.models import Outcome
from teams.visits import Help, visit_record


def test_it_counts_households_reach_adoption_and_people_as_of_a_date(world):
    w = world
    d1 = w.today - timedelta(days=10)
    d2 = w.today - timedelta(days=3)
    vneid, app = w.services["vneid_level2"], w.services["province_app"]
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=d2,
        outcomes={vneid: Help(Outcome.SET_UP, 3), app: Help(Outcome.DECLINED, 0)},
    )
    visit_record(
        member=w.member_m, household=w.household2, visited_on=d1, outcomes={vneid: Help(Outcome.ALREADY_HAD, 1)}
    )
    # Declined after adopted does not undo it.
    visit_record(member=w.member_m, household=w.household2, visited_on=d2, outcomes={vneid: Help(Outcome.DECLINED, 0)})

    figures = by_hamlet([w.hamlet.pk, w.hamlet2.pk], on=w.today)
    both = total(figures.values())
    # People helped count "set up now" only: the "already had" brings none.
    assert (both.households, both.reached, both.adopted[vneid.pk], both.people_helped[vneid.pk]) == (2, 2, 2, 3)
    assert both.adopted_pillar["government"] == 2
    assert str(both.coverage(app)) == "0.0"

    before = total(by_hamlet([w.hamlet.pk, w.hamlet2.pk], on=d1).values())
    assert (before.households, before.reached, before.adopted[vneid.pk]) == (2, 1, 1)
    assert str(before.coverage(vneid)) == "50.0"


def test_it_formats_percentages_the_vietnamese_way():
    with translation.override("vi"):
        assert format_percent(ratio(3, 8)) == "37,5%"
        assert format_percent(ratio(1, 3)) == "33,3%"
        assert format_percent(ratio(0, 0)) == "—"
    assert Figures().reach is None
