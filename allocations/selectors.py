"""Reads of allocation scenarios and factor data, scoped to the person asking.

Only the program office and auditors see them (grants.access.can_view_allocations)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from allocations.models import AllocationLine, AllocationRun, FactorData
from grants import access
from grants.models import Appropriation, Award, TaskForce
from grants.money import MAX_DIGITS, ZERO, MoneySum
from grants.selectors import RuleBook, appropriation_list_for_user

# The statute's minimums, as dated rule values (grants migration 0002).
MINIMUM_RULES = {
    "min_formula_pct": "formula_share_min_pct",
    "min_floor_pct": "formula_floor_pct",
    "min_match_pct": "need_based_match_pct",
}


def statutory_minimums(fiscal_year: int) -> dict[str, Decimal]:
    """The formula share, floor and match minimums for a fiscal year's funds: the values
    in force on the year's last day (a year's funds go out during it; FY2009's went out
    after the PROTECT Act of 2008-10-13). Before the statute there is no minimum."""
    book = RuleBook(list(MINIMUM_RULES.values()))
    result = {}
    for name, key in MINIMUM_RULES.items():
        try:
            result[name] = book.value(key, on=date(fiscal_year, 9, 30))
        except LookupError:
            result[name] = Decimal("0")
    return result


def run_list_for_user(*, user) -> QuerySet[AllocationRun]:
    if not access.can_view_allocations(user):
        return AllocationRun.objects.none()
    return AllocationRun.objects.select_related(
        "appropriation", "created_by", "published_by"
    ).annotate(match_total=MoneySum("lines__match_required", default=ZERO))


def _money_expression(expression):
    return ExpressionWrapper(
        expression, output_field=DecimalField(max_digits=MAX_DIGITS + 4, decimal_places=2)
    )


def prior_year_awarded(fiscal_year: int, task_force_field: str = "task_force"):
    """Per row: the federal amount of the task force's awards of the year before."""
    summed = (
        Award.objects.filter(task_force=OuterRef(task_force_field), fiscal_year=fiscal_year - 1)
        .order_by()
        .values("task_force")
        .annotate(total=MoneySum("federal_amount"))
        .values("total")
    )
    return Coalesce(Subquery(summed), ZERO)


def line_list_for_run(*, run: AllocationRun) -> QuerySet[AllocationLine]:
    """A run's lines with last year's award and the change from it. The run comes from
    run_list_for_user, so the person may see it."""
    return (
        run.lines.select_related("task_force", "award")
        .annotate(prior_year=prior_year_awarded(run.fiscal_year))
        .annotate(change=_money_expression(F("total") - F("prior_year")))
        .annotate(formula_total=_money_expression(F("floor_amount") + F("formula_amount")))
    )


def factor_list_for_user(*, user) -> QuerySet[FactorData]:
    if not access.can_view_allocations(user):
        return FactorData.objects.none()
    return FactorData.objects.select_related("task_force", "updated_by")


def task_forces_without_factors(fiscal_year: int) -> QuerySet[TaskForce]:
    return TaskForce.objects.exclude(allocation_factors__fiscal_year=fiscal_year)


def appropriations_for_allocation(*, user) -> QuerySet[Appropriation]:
    """Appropriations a scenario may allocate, with what is left of each."""
    if not access.can_view_allocations(user):
        return Appropriation.objects.none()
    return appropriation_list_for_user(user=user).order_by("-fiscal_year", "pk")


def allocation_fiscal_years(*, user) -> list[int]:
    if not access.can_view_allocations(user):
        return []
    years = set(Appropriation.objects.values_list("fiscal_year", flat=True))
    years |= set(FactorData.objects.values_list("fiscal_year", flat=True))
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class ComparisonRow:
    task_force: TaskForce
    prior_year: Decimal
    cells: list[AllocationLine | None]  # one per compared run


def compare_runs(*, user, runs: list[AllocationRun], state: str = "") -> list[ComparisonRow]:
    """Per task force, each run's line side by side with last year's award. The runs must
    be of one fiscal year and come from run_list_for_user."""
    if not runs or not access.can_view_allocations(user):
        return []
    fiscal_year = runs[0].fiscal_year
    by_run = [{line.task_force_id: line for line in run.lines.all()} for run in runs]
    task_forces = TaskForce.objects.annotate(prior_year=prior_year_awarded(fiscal_year, "pk"))
    if state:
        task_forces = task_forces.filter(state__iexact=state.strip())
    rows = []
    for task_force in task_forces.order_by("state", "name"):
        cells = [lines.get(task_force.pk) for lines in by_run]
        if any(cells):
            rows.append(ComparisonRow(task_force, task_force.prior_year, cells))
    return rows
