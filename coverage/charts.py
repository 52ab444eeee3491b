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
from django.utils.html import escape
from django.utils.safestring import mark_safe
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
    """An SVG bar chart of `values` (ints, or None for "no figure") under `labels`, scaled to fit a 300×110 box.

    Built with f-strings, escaping only the texts (labels, title): a coverage page draws a chart per
    service, and format_html's escaping of every coordinate was a tenth of the page's time.
    """
    n = len(values)
    highest = max((v for v in values if v is not None), default=0)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(n, 1)
    bar = step * 0.7
    labels = [escape(label) for label in labels]
    bars, missing = [], []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        if value is None:
            missing.append(
                f'<text x="{LEFT + i * step + step / 2:.1f}" y="{TOP + plot_height - 2}" text-anchor="middle"'
                f' class="tick no-figure">—<title>{label}: —</title></text>'
            )
            continue
        height = plot_height * value / highest if highest else 0
        x = LEFT + i * step + (step - bar) / 2
        y = TOP + plot_height - height
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(height, 0.5):.1f}" class="bar">'
            f"<title>{label}: {value}</title></rect>"
        )
    ticks = []
    if n:
        for i in sorted({0, n // 2, n - 1}):
            anchor = "start" if i == 0 else "end" if i == n - 1 else "middle"
            x = LEFT + i * step + (step / 2 if anchor == "middle" else 0 if anchor == "start" else step)
            ticks.append(f'<text x="{x:.1f}" y="{HEIGHT - 5}" text-anchor="{anchor}" class="tick">{labels[i]}</text>')
    top_label = escape(_("max %(n)s") % {"n": highest} if highest else _("no adoptions"))
    # Every text above is escaped; the rest are numbers.
    return mark_safe(
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{escape(title)}"'
        ' class="trend-chart" preserveAspectRatio="xMidYMid meet">'
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_height}" y2="{TOP + plot_height}" class="axis"/>'
        f'<text x="{LEFT}" y="11" class="tick">{top_label}</text>{"".join(bars)}{"".join(missing)}'
        f"{''.join(ticks)}</svg>"
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
