"""XLSX downloads of the allocation pages, honouring the filters on screen.

Built like reports/export_views.py: the same selector and filter as the page, the shared
workbook builder, and an audit event for each download.
"""

from django.contrib.auth.decorators import login_required

from allocations import selectors
from allocations.filters import FactorFilter, LineFilter, RunFilter
from allocations.imports import COLUMNS
from allocations.tables import COMPARE_PARTS
from allocations.views import _compare_form
from grants import access
from grants.lookups import get_or_404
from reports.export_views import xlsx_download
from reports.exports.xlsx import Column, Sheet


@login_required
def runs_xlsx(request):
    access.require(access.can_view_allocations(request.user))
    filterset = RunFilter(request.GET, queryset=selectors.run_list_for_user(user=request.user))
    sheet = Sheet(
        "Scenarios",
        [
            Column("Fiscal year", "int", 10),
            Column("Scenario", width=30),
            Column("Status", width=14),
            Column("Appropriation", width=34),
            Column("Pool", "money", 16),
            Column("Formula funds", "money", 16),
            Column("Need-based funds", "money", 16),
            Column("Floor per task force", "money", 16),
            Column("Formula %", width=10),
            Column("Floor %", width=10),
            Column("Match %", width=10),
            Column("Floor rule", width=40),
            Column("Match required", "money", 16),
            Column("Created by", width=14),
            Column("Published at", "date", 18),
        ],
        (
            (
                r.fiscal_year,
                r.name,
                r.get_status_display(),
                f"FY{r.appropriation.fiscal_year} {r.appropriation.name}",
                r.pool,
                r.formula_funds,
                r.need_funds,
                r.floor_amount,
                f"{r.formula_pct.normalize():f}",
                f"{r.floor_pct.normalize():f}",
                f"{r.match_pct.normalize():f}",
                r.get_floor_mode_display(),
                r.match_total,
                r.created_by.get_username(),
                r.published_at.replace(tzinfo=None) if r.published_at else None,
            )
            for r in filterset.qs.order_by("-fiscal_year", "name")
        ),
    )
    return xlsx_download(
        request,
        sheet,
        name="allocation_runs",
        filename="allocation-scenarios",
        title="Allocation scenarios",
    )


@login_required
def run_xlsx(request, pk: int):
    run = get_or_404(selectors.run_list_for_user(user=request.user), pk=pk)
    filterset = LineFilter(request.GET, queryset=selectors.line_list_for_run(run=run))
    sheet = Sheet(
        "Allocation",
        [
            Column("State", width=8),
            Column("Task force code", width=28),
            Column("Task force", width=44),
            Column("Weighted share (%)", width=12),
            Column("Floor", "money", 16, total=True),
            Column("Formula share", "money", 16, total=True),
            Column("Need-based", "money", 16, total=True),
            Column("Total", "money", 16, total=True),
            Column("Match required", "money", 16, total=True),
            Column("Match waived", width=10),
            Column("Waiver reason", width=40),
            Column("Last year's award", "money", 16, total=True),
            Column("Change", "money", 16, total=True),
            Column("Award", width=26),
        ],
        (
            (
                line.task_force.state,
                line.task_force.code,
                line.task_force.name,
                f"{line.weighted_share:.5f}",
                line.floor_amount,
                line.formula_amount,
                line.need_amount,
                line.total,
                line.match_required,
                "yes" if line.match_waived else "no",
                line.waiver_reason,
                line.prior_year,
                line.change,
                line.award.award_number if line.award_id else "",
            )
            for line in filterset.qs.order_by("task_force__state", "task_force__name")
        ),
    )
    return xlsx_download(
        request,
        sheet,
        name="allocation_run",
        filename=f"allocation-FY{run.fiscal_year}-{run.pk}",
        title=f"FY{run.fiscal_year} allocation “{run.name}”",
        about={
            "Status": run.get_status_display(),
            "Pool": f"{run.pool:,}",
            "Formula share": f"{run.formula_pct.normalize():f}% = {run.formula_funds:,}",
            "Floor": f"{run.floor_pct.normalize():f}% of formula funds = {run.floor_amount:,}",
            "Floor rule": run.get_floor_mode_display(),
            "Match": f"{run.match_pct.normalize():f}% of need-based funds",
            "Weights": ", ".join(f"{k} {v.normalize():f}%" for k, v in run.weights.items()),
            "Rounding": "Largest remainder on cents (decision record 0003)",
        },
    )


@login_required
def compare_xlsx(request):
    access.require(access.can_view_allocations(request.user))
    form, runs, rows = _compare_form(request)
    columns = [
        Column("State", width=8),
        Column("Task force", width=44),
        Column("Last year's award", "money", 16, total=True),
    ]
    columns += [
        Column(f"{run.name}: {label}", "money", 16, total=True)
        for run in runs
        for _, label in COMPARE_PARTS
    ]

    def values(row):
        out = [row.task_force.state, row.task_force.name, row.prior_year]
        for line in row.cells:
            for field, _ in COMPARE_PARTS:
                if line is None:
                    out.append(None)
                elif field == "change":
                    out.append(line.total - row.prior_year)
                else:
                    out.append(getattr(line, field))
        return tuple(out)

    sheet = Sheet("Comparison", columns, (values(row) for row in rows))
    year = form.cleaned_data.get("fiscal_year") if form.is_bound and form.is_valid() else ""
    return xlsx_download(
        request,
        sheet,
        name="allocation_comparison",
        filename=f"allocation-comparison-FY{year}",
        title=f"FY{year} allocation scenarios compared",
    )


@login_required
def factors_xlsx(request):
    """Factor data with the columns the import reads, so the file can go back in."""
    access.require(access.can_view_allocations(request.user))
    filterset = FactorFilter(
        request.GET, queryset=selectors.factor_list_for_user(user=request.user)
    )
    headers = list(COLUMNS)  # Task force code, the five factors, Need score
    sheet = Sheet(
        "Factor data",
        [
            Column("Fiscal year", "int", 10),
            Column("State", width=8),
            Column("Task force", width=44),
            Column(headers[0], width=28),
            *(Column(h, "int", 14) for h in headers[1:-1]),
            Column(headers[-1], "money", 14),
            Column("Source", width=40),
        ],
        (
            (
                f.fiscal_year,
                f.task_force.state,
                f.task_force.name,
                f.task_force.code,
                f.population,
                f.leads,
                f.cases_referred,
                f.prosecutions,
                f.training,
                f.need_score,
                f.source,
            )
            for f in filterset.qs.order_by("fiscal_year", "task_force__state", "task_force__name")
        ),
    )
    return xlsx_download(
        request,
        sheet,
        name="allocation_factors",
        filename="allocation-factors",
        title="Allocation factor data",
    )
