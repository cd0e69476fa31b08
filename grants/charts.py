"""Charts drawn on the server as SVG: columns (one series or grouped), horizontal bars
grouped by label, and spending over time against an even pace.

No script and no inline style (the CSP forbids both): colours, line dashes and text come
from classes in static/app.css. Each chart is an <svg role="img"> labelled by its own
<title> and <desc>, and its page shows the same numbers in a table beside it.

Amounts stay Decimal: tick values are exact, labels are formatted from the Decimal, and a
value becomes a float only as pixel geometry. The viewBox is small and the CSS makes the
svg as wide as its box (up to a cap), so one drawing fits a 390 px phone and a 1280 px
screen.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from grants.money import format_money

WIDTH = 480  # viewBox units; the page scales the drawing to its box
PLOT_HEIGHT = 200
# Text is 12 units on a wide screen and 16 on a phone (app.css .chart text), where the
# drawing is scaled down to about three quarters: room for labels is left at 16.
CHAR = 9.0  # about how wide one character of a label is at 16 units
SERIES_CLASSES = 4  # .chart-series-1 … -4 in app.css

# A step is one of these times a power of ten; 2.5 only from 25 on, so counts stay whole.
STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


def nice_ticks(top: Decimal | int, *, intervals: int = 5) -> list[Decimal]:
    """Axis ticks from 0 to at least `top` in about `intervals` equal steps of 1, 2, 2.5
    or 5 times a power of ten, never less than 1 (amounts are labelled in whole dollars,
    counts are whole): 1,234,567 gives 0, 250,000, … 1,250,000."""
    top = Decimal(top)  # counts arrive as int
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / intervals
    power = Decimal(1).scaleb(raw.adjusted())
    mantissa = raw / power
    step = next(m * power for m in STEPS if m >= mantissa and not (m == STEPS[2] and power < 10))
    step = int(max(step, Decimal(1)))  # whole: 2.5 is only allowed from 25 on
    count = int((top / step).to_integral_value(rounding=ROUND_CEILING))
    return [Decimal(step * i) for i in range(count + 1)]


def whole_dollars(value: Decimal) -> str:
    """$1,250,000 for an axis tick (ticks are whole dollars)."""
    return f"${int(value):,}"


def count_label(value: Decimal | int) -> str:
    return f"{int(value):,}"


@dataclass(frozen=True)
class Series:
    """One named set of values, drawn in the n-th series colour (1-based)."""

    name: str
    values: Sequence[Decimal]
    colour: int = 1

    @property
    def css(self) -> str:
        return f"chart-series-{(self.colour - 1) % SERIES_CLASSES + 1}"


@dataclass(frozen=True)
class Chart:
    """The SVG, and the legend the page shows under it (name and class of each series)."""

    svg: SafeString
    legend: list[tuple[str, str]]


@dataclass(frozen=True)
class Format:
    """How a value is written: on the axis (whole units) and exactly (in a bar's title)."""

    tick: Callable[[Decimal], str]
    exact: Callable[[Decimal], str]


MONEY = Format(tick=whole_dollars, exact=format_money)
COUNT = Format(tick=count_label, exact=count_label)


def scaled(value: Decimal, top: Decimal, length: float) -> float:
    """The length in viewBox units of `value` on an axis from 0 to `top` drawn `length`
    long: the one place a value becomes a float."""
    if top <= 0 or value <= 0:
        return 0.0
    return round(float(value / top) * length, 2)


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    ident = escape(chart_id)
    return [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {_num(height)}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" id="{ident}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def _value_axis(ticks: list[Decimal], fmt: Format, left: float, top_y: float) -> list[str]:
    """Horizontal gridlines with their labels, for a vertical value axis."""
    parts = []
    for tick in ticks:
        y = top_y + PLOT_HEIGHT - scaled(tick, ticks[-1], PLOT_HEIGHT)
        parts.append(
            f'<line class="chart-grid" x1="{_num(left)}" x2="{WIDTH}" '
            f'y1="{_num(y)}" y2="{_num(y)}"/>'
            f'<text class="chart-tick" x="{_num(left - 4)}" y="{_num(y + 4)}" '
            f'text-anchor="end">{escape(fmt.tick(tick))}</text>'
        )
    return parts


def _left_margin(ticks: list[Decimal], fmt: Format) -> float:
    return max(len(fmt.tick(t)) for t in ticks) * CHAR + 8


def _shown_labels(count: int, width: float) -> set[int]:
    """Which category labels fit under the columns without overlapping: every one if
    there is room, else every n-th (the table beside the chart has them all)."""
    room = max(int(width // (CHAR * 8)), 1)
    every = -(-count // room)
    return set(range(0, count, every))


def column_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Format = MONEY,
) -> Chart:
    """Vertical columns, one group per label with a column per series (one series gives
    a plain bar chart). Values below zero are drawn as zero; the table shows them."""
    top = max((v for s in series for v in s.values), default=Decimal(0))
    ticks = nice_ticks(top)
    left = _left_margin(ticks, fmt)
    top_y = 8.0
    height = top_y + PLOT_HEIGHT + 24
    plot = WIDTH - left
    parts = _open(chart_id, title, desc, height)
    parts += _value_axis(ticks, fmt, left, top_y)
    band = plot / max(len(labels), 1)
    gap = band * 0.2
    bar = (band - gap) / max(len(series), 1)
    shown = _shown_labels(len(labels), plot)
    base = top_y + PLOT_HEIGHT
    for i, label in enumerate(labels):
        x0 = left + i * band + gap / 2
        for j, s in enumerate(series):
            h = scaled(s.values[i], ticks[-1], PLOT_HEIGHT)
            parts.append(
                f'<rect class="chart-bar {s.css}" x="{_num(x0 + j * bar)}" '
                f'y="{_num(base - h)}" width="{_num(bar)}" height="{_num(h)}">'
                f"<title>{escape(label)}, {escape(s.name)}: "
                f"{escape(fmt.exact(s.values[i]))}</title></rect>"
            )
        if i in shown:
            parts.append(
                f'<text class="chart-label" x="{_num(left + i * band + band / 2)}" '
                f'y="{_num(base + 16)}" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<line class="chart-axis" x1="{_num(left)}" x2="{WIDTH}" '
        f'y1="{_num(base)}" y2="{_num(base)}"/>'
    )
    parts.append("</svg>")
    return Chart(mark_safe("".join(parts)), [(s.name, s.css) for s in series])


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Format = MONEY,
) -> Chart:
    """Horizontal bars, one group per label with a bar per series, each group's label
    written above its bars: long names (budget categories) need no room beside them, so
    the chart reads the same on a phone."""
    top = max((v for s in series for v in s.values), default=Decimal(0))
    ticks = nice_ticks(top)
    # The last tick's label is centred on the right edge: leave it half its width.
    right = len(fmt.tick(ticks[-1])) * CHAR / 2 + 2
    left = 4.0
    plot = WIDTH - left - right
    bar, label_room, group_gap = 14.0, 20.0, 10.0
    group = label_room + bar * len(series) + group_gap
    height = group * len(labels) + 24
    parts = _open(chart_id, title, desc, height)
    axis_y = group * len(labels)
    for tick in ticks:
        x = left + scaled(tick, ticks[-1], plot)
        parts.append(
            f'<line class="chart-grid" x1="{_num(x)}" x2="{_num(x)}" y1="0" '
            f'y2="{_num(axis_y)}"/>'
            f'<text class="chart-tick" x="{_num(x)}" y="{_num(axis_y + 16)}" '
            f'text-anchor="{"start" if tick == 0 else "middle"}">{escape(fmt.tick(tick))}</text>'
        )
    for i, label in enumerate(labels):
        y0 = i * group
        parts.append(
            f'<text class="chart-label" x="{_num(left)}" y="{_num(y0 + 15)}">{escape(label)}</text>'
        )
        for j, s in enumerate(series):
            w = scaled(s.values[i], ticks[-1], plot)
            parts.append(
                f'<rect class="chart-bar {s.css}" x="{_num(left)}" '
                f'y="{_num(y0 + label_room + j * bar)}" width="{_num(w)}" '
                f'height="{_num(bar - 2)}"><title>{escape(label)}, {escape(s.name)}: '
                f"{escape(fmt.exact(s.values[i]))}</title></rect>"
            )
    parts.append("</svg>")
    return Chart(mark_safe("".join(parts)), [(s.name, s.css) for s in series])


def _date_label(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def pace_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    start: date,
    end: date,
    points: Sequence[tuple[date, Decimal]],
    total: Decimal,
    today: date,
    name: str,
    pace_name: str,
) -> Chart:
    """Cumulative spending (`points`: the running total at each date, in date order) as a
    shaded area over the period of performance, against a straight line from $0 on
    the first day to `total` on the last (an even pace), with a mark at `today`."""
    last = max([end, *(day for day, _ in points)])
    top = max([total, *(v for _, v in points)])
    ticks = nice_ticks(top)
    left = _left_margin(ticks, MONEY)
    top_y = 8.0
    base = top_y + PLOT_HEIGHT
    plot = WIDTH - left - 8
    span = max((last - start).days, 1)

    def x(day: date) -> float:
        return left + round((day - start).days / span * plot, 2)

    def y(value: Decimal) -> float:
        return base - scaled(value, ticks[-1], PLOT_HEIGHT)

    parts = _open(chart_id, title, desc, base + 24)
    parts += _value_axis(ticks, MONEY, left, top_y)
    # The area under the running total, joined point to point from $0 on the first day.
    path = [f"M{_num(x(start))},{_num(base)}"]
    for day, value in points:
        path.append(f"L{_num(x(day))},{_num(y(value))}")
    end_x = x(points[-1][0]) if points else x(start)
    path.append(f"L{_num(end_x)},{_num(base)}Z")
    parts.append(f'<path class="chart-area chart-series-1" d="{"".join(path)}"/>')
    parts.append(
        f'<line class="chart-pace" x1="{_num(x(start))}" y1="{_num(base)}" '
        f'x2="{_num(x(end))}" y2="{_num(y(total))}"/>'
    )
    shows_today = start <= today <= last
    if shows_today:
        parts.append(
            f'<line class="chart-today" x1="{_num(x(today))}" x2="{_num(x(today))}" '
            f'y1="{_num(top_y)}" y2="{_num(base)}"/>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{_num(left)}" x2="{_num(left + plot)}" '
        f'y1="{_num(base)}" y2="{_num(base)}"/>'
    )
    for day, anchor in ((start, "start"), (end, "end")):
        parts.append(
            f'<text class="chart-label" x="{_num(x(day))}" y="{_num(base + 16)}" '
            f'text-anchor="{anchor}">{escape(_date_label(day))}</text>'
        )
    parts.append("</svg>")
    legend = [(name, "chart-series-1"), (pace_name, "chart-pace-key")]
    return Chart(
        mark_safe("".join(parts)), legend + ([("Today", "chart-today-key")] if shows_today else [])
    )
