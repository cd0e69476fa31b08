"""The chart drawing: ticks, bar lengths, labels and the text alternative."""

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from grants.charts import (
    COUNT,
    MONEY,
    PLOT_HEIGHT,
    Series,
    bar_chart,
    column_chart,
    nice_ticks,
    pace_chart,
    scaled,
)

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(str(chart.svg))


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        ("1234567.89", [0, 250000, 500000, 750000, 1000000, 1250000]),
        ("100", [0, 20, 40, 60, 80, 100]),
        ("100.01", [0, 25, 50, 75, 100, 125]),
        ("45", [0, 10, 20, 30, 40, 50]),
        ("7", [0, 2, 4, 6, 8]),
        ("3", [0, 1, 2, 3]),
        ("0.40", [0, 1]),
        ("0", [0, 1]),
        ("999999999999.99", [0, 2 * 10**11, 4 * 10**11, 6 * 10**11, 8 * 10**11, 10**12]),
    ],
)
def test_ticks_are_round_numbers_from_zero_past_the_top(top, ticks):
    assert nice_ticks(D(top)) == [D(t) for t in ticks]


def test_tick_labels_are_whole_dollars_with_thousands_separators():
    chart = column_chart(
        chart_id="c",
        title="t",
        desc="d",
        labels=["FY2025"],
        series=[Series("Awarded", [D("1234567.89")])],
    )
    ticks = [t.text for t in parse(chart).iter(f"{SVG}text") if t.get("class") == "chart-tick"]
    assert ticks == ["$0", "$250,000", "$500,000", "$750,000", "$1,000,000", "$1,250,000"]


def test_a_column_is_as_tall_as_its_share_of_the_top_tick():
    chart = column_chart(
        chart_id="c",
        title="t",
        desc="d",
        labels=["FY2024", "FY2025"],
        series=[Series("Appropriated", [D("400000.00"), D("1000000.00")])],
    )
    bars = [r for r in parse(chart).iter(f"{SVG}rect")]
    # Ticks run to $1,000,000 over 200 units: $400,000 is 80 units, $1,000,000 all 200.
    assert [float(b.get("height")) for b in bars] == [80.0, 200.0]
    base = 8 + PLOT_HEIGHT
    assert [float(b.get("y")) for b in bars] == [base - 80, base - 200]
    # Each bar's own title gives the exact amount, cents and all.
    assert [b.find(f"{SVG}title").text for b in bars] == [
        "FY2024, Appropriated: $400,000.00",
        "FY2025, Appropriated: $1,000,000.00",
    ]


def test_grouped_columns_sit_side_by_side_in_their_group():
    chart = column_chart(
        chart_id="c",
        title="t",
        desc="d",
        labels=["FY2025"],
        series=[Series("Awarded", [D("50")], 1), Series("Drawn", [D("25")], 3)],
    )
    bars = list(parse(chart).iter(f"{SVG}rect"))
    assert [b.get("class") for b in bars] == [
        "chart-bar chart-series-1",
        "chart-bar chart-series-3",
    ]
    assert [float(b.get("height")) for b in bars] == [200.0, 100.0]
    assert float(bars[1].get("x")) == pytest.approx(
        float(bars[0].get("x")) + float(bars[0].get("width"))
    )
    assert chart.legend == [("Awarded", "chart-series-1"), ("Drawn", "chart-series-3")]


def test_horizontal_bars_are_as_long_as_their_share_of_the_axis():
    chart = bar_chart(
        chart_id="c",
        title="t",
        desc="d",
        labels=["Personnel", "Travel"],
        series=[Series("Budget", [D("300000.00"), D("75000.00")])],
    )
    bars = list(parse(chart).iter(f"{SVG}rect"))
    widths = [float(b.get("width")) for b in bars]
    # Ticks run to $300,000: travel is a quarter of personnel.
    assert widths[1] == pytest.approx(widths[0] / 4, abs=0.01)
    labels = [t.text for t in parse(chart).iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels == ["Personnel", "Travel"]


def test_values_below_zero_or_nothing_draw_no_bar():
    assert scaled(D("-5"), D("100"), 200) == 0.0
    assert scaled(D("5"), D("0"), 200) == 0.0
    assert scaled(D("0.01"), D("1000000"), 200) == 0.0  # under a hundredth of a unit


def test_labels_titles_and_descriptions_are_escaped():
    chart = column_chart(
        chart_id='x" onload="alert(1)',
        title="<script>alert(1)</script>",
        desc='Smith & Sons\' "budget"',
        labels=["<b>FY</b>"],
        series=[Series("A & B", [D("10")])],
        fmt=COUNT,
    )
    svg = str(chart.svg)
    assert "<script>" not in svg and "<b>" not in svg
    assert 'onload="' not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = parse(chart)  # still well-formed XML
    assert root.find(f"{SVG}desc").text == 'Smith & Sons\' "budget"'
    assert root.find(f"{SVG}rect/{SVG}title").text == "<b>FY</b>, A & B: 10"


def test_the_chart_is_an_image_labelled_by_its_title_and_description():
    chart = column_chart(
        chart_id="program",
        title="Money by year",
        desc="FY2025: $1.00",
        labels=["FY2025"],
        series=[Series("Awarded", [D("1.00")])],
    )
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "program-title program-desc"
    assert root.find(f"{SVG}title").get("id") == "program-title"
    assert root.find(f"{SVG}desc").get("id") == "program-desc"
    # Sized by its viewBox and the stylesheet: no width, height or style of its own.
    assert root.get("viewBox").startswith("0 0 480 ")
    assert root.get("width") is None and root.get("style") is None
    assert "style=" not in str(chart.svg)


def test_many_labels_are_thinned_so_they_do_not_overlap():
    labels = [f"{m:02d}/2025" for m in range(1, 13)]
    chart = column_chart(
        chart_id="c",
        title="t",
        desc="d",
        labels=labels,
        series=[Series("Arrests", [D(m) for m in range(1, 13)])],
        fmt=COUNT,
    )
    shown = [t.text for t in parse(chart).iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert shown[0] == "01/2025" and 1 < len(shown) < 12
    assert len(list(parse(chart).iter(f"{SVG}rect"))) == 12  # every value is still drawn


def test_the_pace_line_runs_from_zero_on_the_first_day_to_the_total_on_the_last():
    chart = pace_chart(
        chart_id="p",
        title="t",
        desc="d",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        points=[(date(2025, 1, 31), D("0.00")), (date(2025, 6, 30), D("250000.00"))],
        total=D("500000.00"),
        today=date(2025, 7, 2),
        name="Spent",
        pace_name="Even pace",
    )
    root = parse(chart)
    pace = next(e for e in root.iter(f"{SVG}line") if e.get("class") == "chart-pace")
    base = 8 + PLOT_HEIGHT
    # Ticks to $500,000: the line ends at the top of the plot on the last day.
    assert float(pace.get("y1")) == base and float(pace.get("y2")) == base - PLOT_HEIGHT
    assert float(pace.get("x2")) == pytest.approx(480 - 8)
    area = next(e for e in root.iter(f"{SVG}path")).get("d")
    # Half the total by 06/30: the step rises to half the plot's height.
    ys = [float(y) for y in re.findall(r",([\d.]+)", area)]
    assert min(ys) == base - PLOT_HEIGHT / 2
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels == ["01/01/2025", "12/31/2025"]
    assert any(e.get("class") == "chart-today" for e in root.iter(f"{SVG}line"))


def test_formats_never_turn_money_into_a_float():
    assert MONEY.exact(D("1234567.05")) == "$1,234,567.05"
    assert MONEY.tick(D("1250000")) == "$1,250,000"
    assert COUNT.tick(D("12000")) == "12,000"
