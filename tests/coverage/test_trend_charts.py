"""Trend charts over a changing catalogue (DESIGN.md "The catalogue changes over time"): a period that ended
before a service was offered has no figure ("—", no bar), never 0."""

import re
from datetime import date, timedelta

from django.urls import reverse

from coverage.charts import bar_chart
from teams.counters_rebuild import counters_rebuild
from teams.models import Outcome, Service
from teams.visits import Help, visit_record


def _charts(response):
    """{caption's service name: the figure's SVG} of the page's trend section."""
    assert response.status_code == 200
    trend = response.content.decode().split('data-testid="trend"')[1].split("</section>")[0]
    charts = {}
    for figure in trend.split("<figure")[1:]:
        name = re.search(r"<figcaption[^>]*>\s*([^<·]+?)\s*<span", figure)[1]
        charts[name] = figure
    return charts


def _tooltips(svg):
    return re.findall(r"<title>([^<]*)</title>", svg)


def test_a_period_with_no_figure_has_no_bar_and_a_dash():
    svg = bar_chart([None, None, 0, 3], ["a", "b", "c", "d"], title="t")
    assert svg.count("<rect") == 2
    assert _tooltips(svg) == ["c: 0", "d: 3", "a: —", "b: —"]
    assert "no-figure" not in bar_chart([0, 0], ["a", "b"], title="t")


def test_the_months_before_a_service_was_offered_show_no_figure(world, client):
    w = world
    # Offered from the 15th of the month three months back; the trend shows the twelve months up to today.
    offered = (w.today.replace(day=1) - timedelta(days=62)).replace(day=15)
    signature = Service.objects.create(
        code="digital_signature",
        name="Chữ ký số",
        pillar=Service.Pillar.GOVERNMENT,
        order=45,
        offered_from=offered,
        counters_pending=True,
    )
    counters_rebuild()
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today - timedelta(days=1) if w.today.day > 1 else w.today,
        outcomes={signature: Help(Outcome.SET_UP, 1), w.services["vneid_level2"]: Help(Outcome.SET_UP, 1)},
    )
    first = offered.replace(day=1)
    months = [_month_back(w.today.replace(day=1), n) for n in range(11, -1, -1)]
    before = [m for m in months if m < first]
    assert len(before) == 8
    for url in (reverse("coverage_commune", args=["31135"]), reverse("coverage_province", args=["92"])):
        w.login(client, "province_official")
        charts = _charts(client.get(url))
        # The months before the one it was offered in have no figure; from that month on, bars (0 included).
        tips = _tooltips(charts["Chữ ký số"])
        assert tips[-len(before) :] == [f"{m:%m/%Y}: —" for m in before]
        assert tips[: -len(before)] == [f"{m:%m/%Y}: {int(m == months[-1])}" for m in months if m >= first]
        assert charts["Chữ ký số"].count("<rect") == 12 - len(before)
        # A service offered since records began: twelve bars, no dash.
        vneid = charts[w.services["vneid_level2"].name]
        assert vneid.count("<rect") == 12 and "no-figure" not in vneid


def _month_back(first, n):
    index = first.year * 12 + first.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)
