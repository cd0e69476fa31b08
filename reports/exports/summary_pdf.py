"""The program summary for one fiscal year: the dashboard's money chain, appropriations
by year, and what each task force was awarded and has drawn, with charts drawn by
reportlab.graphics.

Every number is read through the same selectors as the dashboard (money_chain and
the scoped lists), so the totals here are the totals on screen.
"""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak

from budgets.ledger_days import signed_sum
from budgets.models import LedgerEntry
from grants import selectors
from grants.money import ZERO, MoneySum
from reports.exports import pdf_page as page

AWARDED_COLOR = colors.HexColor("#005ea2")
DRAWN_COLOR = colors.HexColor("#e5a000")
YEAR_COLOR = colors.HexColor("#97d4ea")
CHOSEN_COLOR = colors.HexColor("#1a4480")
TASK_FORCES_PER_CHART = 31
LABEL_CHARACTERS = 44


@dataclass(frozen=True)
class TaskForceRow:
    name: str
    state: str
    awards: int
    awarded: Decimal
    drawn: Decimal

    @property
    def share_drawn(self) -> str:
        return f"{self.drawn / self.awarded:.0%}" if self.awarded else "—"


@dataclass(frozen=True)
class ProgramSummary:
    fiscal_year: int
    as_of: date
    year_chain: selectors.MoneyChain
    all_chain: selectors.MoneyChain
    by_year: list[tuple[int, Decimal]]
    appropriations: list
    task_forces: list[TaskForceRow]

    @property
    def awarded(self) -> Decimal:
        return sum((r.awarded for r in self.task_forces), ZERO)

    @property
    def drawn(self) -> Decimal:
        return sum((r.drawn for r in self.task_forces), ZERO)


def program_summary(fiscal_year: int, *, user) -> ProgramSummary:
    """The numbers of the summary, read through the user's selectors."""
    appropriations = selectors.appropriation_list_for_user(user=user)
    by_year = [
        (row["fiscal_year"], row["total"])
        for row in appropriations.order_by()
        .values("fiscal_year")
        .annotate(total=MoneySum("amount", default=ZERO))
        .order_by("fiscal_year")
    ]
    awards = selectors.award_list_for_user(user=user).filter(fiscal_year=fiscal_year)
    drawn = dict(
        LedgerEntry.objects.filter(award__in=awards.values("pk"), kind=LedgerEntry.Kind.DRAWDOWN)
        .order_by()
        .values("award__task_force")
        .annotate(total=signed_sum(Q()))
        .values_list("award__task_force", "total")
    )
    rows = [
        TaskForceRow(
            row["task_force__name"],
            row["task_force__state"],
            row["count"],
            row["awarded"],
            drawn.get(row["task_force"], ZERO),
        )
        for row in awards.order_by()
        .values("task_force", "task_force__name", "task_force__state")
        .annotate(count=Count("pk"), awarded=MoneySum("federal_amount", default=ZERO))
    ]
    rows.sort(key=lambda r: (r.state, r.name))
    return ProgramSummary(
        fiscal_year=fiscal_year,
        as_of=timezone.localdate(),
        year_chain=selectors.money_chain(user=user, fiscal_year=fiscal_year),
        all_chain=selectors.money_chain(user=user),
        by_year=by_year,
        appropriations=list(appropriations.filter(fiscal_year=fiscal_year)),
        task_forces=rows,
    )


# --- Charts --------------------------------------------------------------------------
# Charts take floats: they place bars, they do no money arithmetic. The tables beside
# them carry the exact amounts.


def _nice_scale(largest: float, ticks: int = 5) -> tuple[float, float]:
    """An axis maximum and step in round numbers (1, 2, 2.5 or 5 × 10^n)."""
    if largest <= 0:
        return 1.0, 1.0
    raw = largest / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * math.ceil(largest / step), step


def _dollars(value: float) -> str:
    if value >= 1_000_000:
        return f"${value / 1_000_000:,.1f}M".replace(".0M", "M")
    if value >= 1_000:
        return f"${value / 1_000:,.0f}K"
    return f"${value:,.0f}"


def _dollar_axis(axis, top: float, step: float) -> None:
    """The value axis both charts share: from 0 to `top` in dollars, with light grid lines."""
    axis.valueMin, axis.valueMax, axis.valueStep = 0, top, step
    axis.labelTextFormat = _dollars
    axis.labels.fontName = page.FONT
    axis.labels.fontSize = 7
    axis.visibleGrid = True
    axis.gridStrokeColor = colors.HexColor("#dfe1e2")


def _label(row: TaskForceRow) -> str:
    """A chart label short enough to read: the state, then the name with the program's
    name abbreviated (the table after the charts has the full names)."""
    name = row.name.replace("Internet Crimes Against Children", "ICAC").replace(" (ICAC)", "")
    name = f"{row.state}  {name}"
    return name if len(name) <= LABEL_CHARACTERS else name[: LABEL_CHARACTERS - 1] + "…"


def appropriations_chart(summary: ProgramSummary) -> Drawing:
    years = [year for year, _ in summary.by_year]
    values = [float(total) for _, total in summary.by_year]
    width, height = page.FRAME_WIDTH, 2.6 * inch
    drawing = page.drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 48, 34
    chart.width, chart.height = width - 58, height - 52
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = [f"{y}" for y in years] or [""]
    chart.categoryAxis.labels.angle = 90
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dy = -2
    chart.categoryAxis.labels.fontName = page.FONT
    chart.categoryAxis.labels.fontSize = 7
    top, step = _nice_scale(max(values, default=0))
    _dollar_axis(chart.valueAxis, top, step)
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = YEAR_COLOR
    for i, year in enumerate(years):
        if year == summary.fiscal_year:
            chart.bars[(0, i)].fillColor = CHOSEN_COLOR
    drawing.add(chart)
    drawing.add(
        String(
            48,
            height - 10,
            f"Appropriated by fiscal year (FY{summary.fiscal_year} in dark blue)",
            fontName=page.BOLD,
            fontSize=8.5,
        )
    )
    return drawing


def task_force_charts(summary: ProgramSummary) -> list[Drawing]:
    """Awarded against drawn, one horizontal bar pair per task force, largest award at
    the top, split into charts of TASK_FORCES_PER_CHART sharing one scale."""
    rows = sorted(summary.task_forces, key=lambda r: (-r.awarded, r.name))
    top, step = _nice_scale(float(max((r.awarded for r in rows), default=ZERO)))
    chunks = [
        rows[i : i + TASK_FORCES_PER_CHART] for i in range(0, len(rows), TASK_FORCES_PER_CHART)
    ]
    drawings = []
    label_width = 2.35 * inch
    for number, chunk in enumerate(chunks, start=1):
        bar_rows = list(reversed(chunk))  # the chart draws its first category at the bottom
        height = 16 * len(chunk) + 58
        drawing = page.drawing(page.FRAME_WIDTH, height)
        chart = HorizontalBarChart()
        chart.x, chart.y = label_width, 24
        chart.width, chart.height = page.FRAME_WIDTH - label_width - 12, 16 * len(chunk)
        # Drawn first: the chart stacks a group's series upwards, so awarded sits on top.
        chart.data = [[float(r.drawn) for r in bar_rows], [float(r.awarded) for r in bar_rows]]
        chart.categoryAxis.categoryNames = [_label(r) for r in bar_rows]
        chart.categoryAxis.labels.fontName = page.FONT
        chart.categoryAxis.labels.fontSize = 7
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -4
        chart.categoryAxis.tickLeft = 0
        _dollar_axis(chart.valueAxis, top, step)
        chart.bars.strokeColor = None
        chart.bars[0].fillColor = DRAWN_COLOR
        chart.bars[1].fillColor = AWARDED_COLOR
        chart.groupSpacing = 3
        drawing.add(chart)
        legend = Legend()
        legend.x, legend.y = label_width, height - 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = 90
        legend.fontName, legend.fontSize = page.FONT, 8
        legend.colorNamePairs = [(AWARDED_COLOR, "Awarded"), (DRAWN_COLOR, "Drawn")]
        drawing.add(legend)
        if len(chunks) > 1:
            drawing.add(
                String(
                    0,
                    height - 12,
                    f"Chart {number} of {len(chunks)}",
                    fontName=page.FONT,
                    fontSize=8,
                )
            )
        drawings.append(drawing)
    return drawings


# --- The document --------------------------------------------------------------------


def _chain_table(summary: ProgramSummary):
    y, a = summary.year_chain, summary.all_chain
    first = summary.by_year[0][0] if summary.by_year else summary.fiscal_year
    rows = [
        ("Appropriated", y.appropriated, a.appropriated),
        ("Set aside (training, national initiatives, management)", y.set_aside, a.set_aside),
        ("Available for task-force awards", y.available_to_award, a.available_to_award),
        ("Awarded", y.awarded, a.awarded),
        (
            "\u00a0\u00a0\u00a0\u00a0of which in draft awards, not yet offered",
            y.awarded_in_draft,
            a.awarded_in_draft,
        ),
        (
            "Deobligated (returned by decreases, terminations, closeout)",
            y.deobligated,
            a.deobligated,
        ),
        ("\u00a0\u00a0\u00a0\u00a0of which expired", y.expired, a.expired),
        ("\u00a0\u00a0\u00a0\u00a0of which cancelled (31 U.S.C. 1552)", y.cancelled, a.cancelled),
    ]
    return page.grid_table(
        ["", f"FY{summary.fiscal_year}", f"All years since FY{first}"],
        rows,
        widths=[page.FRAME_WIDTH - 3.2 * inch, 1.6 * inch, 1.6 * inch],
        right_columns=[1, 2],
        footer=["Not yet awarded", y.not_yet_awarded, a.not_yet_awarded],
    )


def _appropriations_table(summary: ProgramSummary):
    """One row per appropriation: its name with its public law and source on the lines
    below (five amounts of tens of millions need the width), then the amounts."""
    rules = selectors.RuleBook([selectors.CANCELLATION_RULE])
    rows = [
        (
            f"{a.name}\nPublic law: {a.public_law or '—'}\n{a.get_source_status_display()}",
            a.amount,
            a.set_aside_total,
            a.awarded_total,
            a.returned_total,
            selectors.not_yet_awarded(a, on=timezone.localdate(), rules=rules),
        )
        for a in summary.appropriations
    ]
    chain = summary.year_chain
    amount_width = 1.2 * inch
    return page.grid_table(
        ["Appropriation", "Amount", "Set aside", "Awarded", "Deobligated", "Not yet awarded"],
        rows,
        widths=[page.FRAME_WIDTH - 5 * amount_width] + [amount_width] * 5,
        right_columns=[1, 2, 3, 4, 5],
        footer=[
            "Total",
            chain.appropriated,
            chain.set_aside,
            chain.awarded,
            chain.deobligated,
            chain.not_yet_awarded,
        ],
    )


def _task_force_table(summary: ProgramSummary):
    return page.grid_table(
        ["State", "Task force", "Awards", "Awarded", "Drawn", "Drawn %"],
        [
            (r.state, r.name, f"{r.awards:,}", r.awarded, r.drawn, r.share_drawn)
            for r in summary.task_forces
        ],
        widths=[0.6 * inch, 2.8 * inch, 0.7 * inch, 1.2 * inch, 1.2 * inch, 0.8 * inch],
        right_columns=[2, 3, 4, 5],
        footer=[
            "",
            f"{len(summary.task_forces)} task forces",
            f"{sum(r.awards for r in summary.task_forces):,}",
            summary.awarded,
            summary.drawn,
            f"{summary.drawn / summary.awarded:.0%}" if summary.awarded else "—",
        ],
    )


def build_program_summary_pdf(fiscal_year: int, *, user) -> bytes:
    """The program summary of a fiscal year, as `user` may see it."""
    summary = program_summary(fiscal_year, user=user)
    fy = f"FY{fiscal_year}"
    story = [
        page.title(f"Program summary, {fy}"),
        page.text(
            f"Appropriations, set-asides and awards as of {summary.as_of:%m/%d/%Y}. "
            f"The money chain is the dashboard's.",
            page.BODY,
        ),
        page.heading("The money chain"),
        _chain_table(summary),
        page.spacer(12),
        appropriations_chart(summary),
        page.heading(f"{fy} appropriations"),
        _appropriations_table(summary)
        if summary.appropriations
        else page.text(f"No appropriation is recorded for {fy}.", page.BODY),
        PageBreak(),
        page.heading(f"{fy} awards: awarded and drawn by task force"),
        page.text(
            f"Awards made for {fy} (the award's fiscal year, whichever years' appropriations "
            f"fund it), sorted by amount awarded. Drawn is the cash drawn to date, "
            f"{summary.as_of:%m/%d/%Y}.",
            page.SMALL,
        ),
        page.spacer(6),
    ]
    charts = task_force_charts(summary)
    if not charts:
        story.append(page.text(f"No {fy} awards.", page.BODY))
    for drawing in charts:
        story += [CondPageBreak(drawing.height + 12), KeepTogether([drawing]), page.spacer(10)]
    story += [
        PageBreak(),
        page.heading(f"{fy} awards by task force"),
        _task_force_table(summary),
    ]
    return page.render(story, document_title=f"Program summary {fy}", user=user)


def program_summary_pdf_filename(fiscal_year: int) -> str:
    return f"program-summary-FY{fiscal_year}.pdf"
