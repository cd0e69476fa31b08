"""An award's terms as of a day: period, federal amount, funding lines (grants) and the
budget version then in force (here, because budgets build on grants)."""

from dataclasses import dataclass
from datetime import date

from budgets.models import BudgetVersion
from grants.amendments import Terms, award_exists_from, award_terms_on
from grants.models import Award
from grants.money import ZERO, MoneySum


@dataclass(frozen=True)
class TermsWithBudget:
    terms: Terms
    budget: BudgetVersion | None


def budget_version_on(award: Award, on: date) -> BudgetVersion | None:
    """The approved version that governed the award on a day: the latest to take effect
    on or before it. Versions from before effective dates were kept count from their
    approval."""
    versions = (
        award.budget_versions.exclude(status=BudgetVersion.Status.DRAFT)
        .prefetch_related("lines")
        .annotate(
            federal_total=MoneySum("lines__federal_amount", default=ZERO),
            non_federal_total=MoneySum("lines__non_federal_amount", default=ZERO),
        )
        .order_by("-number")
    )
    for version in versions:
        start = version.effective_on or version.approved_at.date()
        if start <= on:
            return version
    return None


def award_terms_as_of(award: Award, on: date) -> TermsWithBudget | None:
    """The terms in force on a day, or None before the award existed: it had no terms
    then, and its first ones must not be shown as if they were."""
    if on < award_exists_from(award):
        return None
    return TermsWithBudget(award_terms_on(award, on), budget_version_on(award, on))
