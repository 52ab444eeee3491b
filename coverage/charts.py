"""Trend charts drawn on the server as SVG: no script, nothing to download, sharp on any phone.

One small bar chart per service (small multiples read better on a 360 px
screen than nine lines in one chart): the households that adopted the service
for the first time in each week or month. Each chart has its own scale,
labelled with its highest bar; every bar carries a tooltip with its figure.
A period that ended before the service was offered has no figure: no bar, a
"—" on the axis (DESIGN.md "The catalogue changes over time": never 0).
"""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 300, 110
LEFT, RIGHT, TOP, BOTTOM = 4, 4, 16, 20


@dataclass
class Chart:
    service: object
    total: int
    svg: str


def _period_label(start, period):
    return date_format(start, "d/m" if period == "week" else "m/Y")


def bar_chart(values, labels, *, title):
    """An SVG bar chart of `values` (ints, or None for "no figure") under `labels`, scaled to fit a 300×110 box."""
    n = len(values)
    highest = max((v for v in values if v is not None), default=0)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(n, 1)
    bar = step * 0.7
    bars, missing = [], []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        if value is None:
            missing.append((f"{LEFT + i * step + step / 2:.1f}", TOP + plot_height - 2, f"{label}: —"))
            continue
        height = plot_height * value / highest if highest else 0
        x = LEFT + i * step + (step - bar) / 2
        y = TOP + plot_height - height
        bars.append((f"{x:.1f}", f"{y:.1f}", f"{bar:.1f}", f"{max(height, 0.5):.1f}", f"{label}: {value}"))
    rects = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}</title></rect>',
        bars,
    ) + format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="tick no-figure">—<title>{}</title></text>',
        missing,
    )
    ticks = []
    if n:
        for i in sorted({0, n // 2, n - 1}):
            anchor = "start" if i == 0 else "end" if i == n - 1 else "middle"
            x = LEFT + i * step + (step / 2 if anchor == "middle" else 0 if anchor == "start" else step)
            ticks.append((f"{x:.1f}", HEIGHT - 5, anchor, labels[i]))
    tick_text = format_html_join("", '<text x="{}" y="{}" text-anchor="{}" class="tick">{}</text>', ticks)
    return format_html(
        '<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{title}" class="trend-chart"'
        ' preserveAspectRatio="xMidYMid meet">'
        '<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" class="axis"/>'
        '<text x="{left}" y="11" class="tick">{top_label}</text>{rects}{ticks}</svg>',
        w=WIDTH,
        h=HEIGHT,
        title=title,
        left=LEFT,
        right=WIDTH - RIGHT,
        base=TOP + plot_height,
        top_label=_("max %(n)s") % {"n": highest} if highest else _("no adoptions"),
        rects=rects,
        ticks=tick_text,
    )


def _offered_in(starts, service):
    """Per period (by its start; each ends on the eve of the next, the last on the as-of date, when every
    charted service is in effect): whether the service was offered on any day of it."""
    offered_from = getattr(service, "offered_from", None)
    if offered_from is None:
        return [True] * len(starts)
    return [i + 1 == len(starts) or starts[i + 1] > offered_from for i in range(len(starts))]


def trend_charts(trend, services):
    """[Chart] for each service of a `trends.Trend`; None ("—") for periods before the service was offered."""
    labels = [_period_label(start, trend.period) for start in trend.periods]
    charts = []
    for service in services:
        counts = trend.counts.get(service.pk, [0] * len(labels))
        values = [
            n if offered else None for n, offered in zip(counts, _offered_in(trend.periods, service), strict=True)
        ]
        title = _("%(service)s: households adopting per period") % {"service": service.display_name}
        total = sum(v for v in values if v is not None)
        charts.append(Chart(service, total, bar_chart(values, labels, title=title)))
    return charts
