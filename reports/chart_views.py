"""The charts pages: the program by fiscal year, and one award's spending, categories and
performance measures. Each chart is drawn on the server (grants.charts) beside a table
of the same numbers (reports.chart_data)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from budgets.balances import budget_versus_actual, period_elapsed_share
from grants import access
from grants.charts import COUNT, MONEY, Series, bar_chart, column_chart, pace_chart
from grants.lookups import award_or_404
from grants.money import format_money
from reports.chart_data import (
    MEASURE_LABELS,
    award_spending,
    measure_or_default,
    measure_over_time,
    program_by_year,
)
from reports.models import MEASURES

YEAR_SERIES = (
    ("appropriated", "Appropriated"),
    ("awarded", "Awarded"),
    ("drawn", "Drawn"),
    ("deobligated", "Deobligated"),
)


def _measure_chart(*, chart_id: str, whose: str, measure: str, rows):
    label = MEASURE_LABELS[measure]
    if not rows:
        return None
    return column_chart(
        chart_id=chart_id,
        title=f"{label}, {whose}, by reporting period",
        desc="; ".join(f"period ending {day:%m/%d/%Y}: {total:,}" for day, total in rows) + ".",
        labels=[f"{day:%m/%Y}" for day, _ in rows],
        series=[Series(label, [total for _, total in rows])],
        fmt=COUNT,
    )


@login_required
def program_charts(request):
    """Appropriated, awarded, drawn and deobligated by fiscal year, and a performance
    measure over time across every award: the program office and auditors."""
    access.require(access.can_view_program(request.user))
    years = program_by_year(user=request.user)
    chart = None
    if years:
        chart = column_chart(
            chart_id="program-by-year",
            title="The program's money by fiscal year",
            desc="; ".join(
                f"FY{y.fiscal_year}: "
                + ", ".join(
                    f"{label.lower()} {format_money(getattr(y, name))}"
                    for name, label in YEAR_SERIES
                )
                for y in years
            )
            + ".",
            labels=[f"FY{y.fiscal_year}" for y in years],
            series=[
                Series(label, [getattr(y, name) for y in years], colour=i)
                for i, (name, label) in enumerate(YEAR_SERIES, start=1)
            ],
            fmt=MONEY,
        )
    measure = measure_or_default(request.GET.get("measure"))
    measures = measure_over_time(user=request.user, measure=measure)
    return render(
        request,
        "reports/program_charts.html",
        {
            "years": years,
            "chart": chart,
            "measure": measure,
            "measure_label": MEASURE_LABELS[measure],
            "measures": MEASURES,
            "measure_rows": measures,
            "measure_chart": _measure_chart(
                chart_id="program-measure", whose="every award", measure=measure, rows=measures
            ),
        },
    )


@login_required
def award_charts(request, award_number: str):
    """One award's federal spending against the time passed, each budget category's
    spending against its budget, and a performance measure over time."""
    award = award_or_404(request, award_number)
    today = timezone.localdate()
    spending = award_spending(award, as_of=today)
    pace = None
    if spending.months:
        pace = pace_chart(
            chart_id="award-spending",
            title=f"Federal spending on {award.award_number} against an even pace",
            desc=(
                f"{format_money(spending.spent)} of {format_money(spending.authorized)} "
                f"authorized spent by {today:%m/%d/%Y}, with "
                f"{period_elapsed_share(award, as_of=today)}% of the period from "
                f"{award.period_start:%m/%d/%Y} to {award.period_end:%m/%d/%Y} passed. "
                "The table below gives the amounts month by month."
            ),
            start=award.period_start,
            end=award.period_end,
            points=[(m.month_end, m.cumulative) for m in spending.months],
            total=spending.authorized,
            today=today,
            name="Federal spending to date",
            pace_name="Even pace to the funds authorized",
        )
    categories = budget_versus_actual(award, as_of=today)
    category_chart = None
    if categories:
        category_chart = bar_chart(
            chart_id="award-categories",
            title=f"Federal budget and spending by category on {award.award_number}",
            desc="; ".join(
                f"{c.label}: budget {format_money(c.budget_federal)}, "
                f"spent {format_money(c.spent_federal)}"
                for c in categories
            )
            + ".",
            labels=[c.label for c in categories],
            series=[
                Series("Federal budget", [c.budget_federal for c in categories], colour=1),
                Series("Federal spending", [c.spent_federal for c in categories], colour=3),
            ],
        )
    measure = measure_or_default(request.GET.get("measure"))
    measures = measure_over_time(user=request.user, measure=measure, award=award)
    return render(
        request,
        "reports/award_charts.html",
        {
            "award": award,
            "today": today,
            "spending": spending,
            "elapsed": period_elapsed_share(award, as_of=today),
            "pace": pace,
            "categories": categories,
            "category_chart": category_chart,
            "measure": measure,
            "measure_label": MEASURE_LABELS[measure],
            "measures": MEASURES,
            "measure_rows": measures,
            "measure_chart": _measure_chart(
                chart_id="award-measure", whose=award.award_number, measure=measure, rows=measures
            ),
        },
    )
