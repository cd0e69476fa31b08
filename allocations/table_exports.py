"""The XLSX downloads of the allocation pages, declared in reports.exports.tables (which
says what every declaration means). The program office and auditors read them; task-force
staff see no scenario (grants.access.can_view_allocations)."""

from typing import NamedTuple

from django.http import Http404

from allocations import selectors
from allocations.filters import FactorFilter, LineFilter, RunFilter
from allocations.imports import COLUMNS
from allocations.tables import COMPARE_PARTS
from allocations.views import compare_form
from grants import access
from grants.lookups import get_or_404
from reports.exports.tables import Shown, TableExport, register
from reports.exports.xlsx import Column, Sheet

register(
    TableExport(
        name="allocation_runs",
        title="Allocation scenarios",
        sheet_title="Scenarios",
        filename="allocation-scenarios",
        may_view=access.can_view_allocations,
        select=lambda shown: selectors.run_list_for_user(user=shown.user),
        filterset=RunFilter,
        order_by=("-fiscal_year", "name"),
        columns=[
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
        row=lambda r: (
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
        ),
    )
)


def _run(request, pk: str):
    """The scenario, if the person may see it (task-force staff see none: a 404)."""
    try:
        pk = int(pk)
    except ValueError:
        raise Http404("No such scenario.") from None
    return get_or_404(selectors.run_list_for_user(user=request.user), pk=pk)


def _run_about(shown: Shown) -> dict[str, str]:
    run = shown.of
    return {
        "Status": run.get_status_display(),
        "Pool": f"{run.pool:,}",
        "Formula share": f"{run.formula_pct.normalize():f}% = {run.formula_funds:,}",
        "Floor": f"{run.floor_pct.normalize():f}% of formula funds = {run.floor_amount:,}",
        "Floor rule": run.get_floor_mode_display(),
        "Match": f"{run.match_pct.normalize():f}% of need-based funds",
        "Weights": ", ".join(f"{k} {v.normalize():f}%" for k, v in run.weights.items()),
        "Rounding": "Largest remainder on cents (decision record 0003)",
    }


register(
    TableExport(
        name="allocation_run",
        title=lambda shown: f"FY{shown.of.fiscal_year} allocation “{shown.of.name}”",
        sheet_title="Allocation",
        filename=lambda shown: f"allocation-FY{shown.of.fiscal_year}-{shown.of.pk}",
        of=_run,
        select=lambda shown: selectors.line_list_for_run(run=shown.of),
        filterset=LineFilter,
        order_by=("task_force__state", "task_force__name"),
        columns=[
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
        row=lambda line: (
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
        ),
        about=_run_about,
    )
)


class Comparison(NamedTuple):
    fiscal_year: int | str  # "" when the page's choice is not valid
    runs: list
    rows: list


def _comparison(shown: Shown) -> Comparison:
    form, runs, rows = compare_form(user=shown.user, params=shown.params)
    year = form.cleaned_data.get("fiscal_year") if form.is_bound and form.is_valid() else ""
    return Comparison(year, runs, rows)


def _comparison_sheet(shown: Shown) -> Sheet:
    """The scenarios side by side: each one's parts in its own columns."""
    runs, rows = shown.rows.runs, shown.rows.rows
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

    return Sheet("Comparison", columns, (values(row) for row in rows))


register(
    TableExport(
        name="allocation_comparison",
        title=lambda shown: f"FY{shown.rows.fiscal_year} allocation scenarios compared",
        filename=lambda shown: f"allocation-comparison-FY{shown.rows.fiscal_year}",
        may_view=access.can_view_allocations,
        select=_comparison,
        sheet=_comparison_sheet,
    )
)

FACTOR_HEADERS = list(COLUMNS)  # Task force code, the five factors, Need score

register(
    TableExport(
        # Factor data with the columns the import reads, so the file can go back in.
        name="allocation_factors",
        title="Allocation factor data",
        sheet_title="Factor data",
        may_view=access.can_view_allocations,
        select=lambda shown: selectors.factor_list_for_user(user=shown.user),
        filterset=FactorFilter,
        order_by=("fiscal_year", "task_force__state", "task_force__name"),
        columns=[
            Column("Fiscal year", "int", 10),
            Column("State", width=8),
            Column("Task force", width=44),
            Column(FACTOR_HEADERS[0], width=28),
            *(Column(h, "int", 14) for h in FACTOR_HEADERS[1:-1]),
            Column(FACTOR_HEADERS[-1], "money", 14),
            Column("Source", width=40),
        ],
        row=lambda f: (
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
        ),
    )
)
