"""Writes to budgets. Each function runs in one transaction that locks the award."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.models import BudgetLine, BudgetVersion, Category
from grants import access
from grants.audit import audit_record
from grants.models import Award
from grants.money import ZERO, format_money, parse_money
from grants.refusals import refusal_audited
from grants.services import award_create


@dataclass(frozen=True)
class LineInput:
    category: str
    federal_amount: Decimal = ZERO
    non_federal_amount: Decimal = ZERO
    narrative: str = ""


def clean_lines(lines: list[LineInput]) -> list[LineInput]:
    cleaned, seen = [], set()
    for line in lines:
        if line.category not in Category.values:
            raise ValidationError({"lines": f"{line.category!r} is not a budget category (A–J)."})
        if line.category in seen:
            raise ValidationError({"lines": f"Category {line.category} appears twice."})
        seen.add(line.category)
        amounts = []
        for name in ("federal_amount", "non_federal_amount"):
            try:
                amount = parse_money(getattr(line, name))
            except ValueError as error:
                raise ValidationError(
                    {
                        "lines": f"{Category(line.category).label}, {name.replace('_', '-')}: {error}."
                    }
                ) from None
            if amount < 0:
                raise ValidationError(
                    {"lines": f"{Category(line.category).label}: amounts cannot be negative."}
                )
            amounts.append(amount)
        if amounts[0] or amounts[1] or line.narrative.strip():
            cleaned.append(LineInput(line.category, amounts[0], amounts[1], line.narrative.strip()))
    return cleaned


def check_budget_adds_up(
    *,
    award: Award,
    lines: list[LineInput],
    supplement: Decimal = ZERO,
    decrease: Decimal = ZERO,
) -> None:
    """An approved budget's federal lines add up exactly to the award's federal amount
    (plus, for a proposed supplement's budget, the supplement; less, for a proposed
    decrease's, the decrease)."""
    expected = award.federal_amount + supplement - decrease
    total = sum((line.federal_amount for line in lines), ZERO)
    if total != expected:
        difference = total - expected
        award_is = (
            "the award with the supplement is"
            if supplement
            else "the award after the decrease is"
            if decrease
            else "the award is"
        )
        raise ValidationError(
            {
                "lines": f"The federal lines add up to {format_money(total)}, but {award_is} "
                f"{format_money(expected)}: {format_money(abs(difference))} "
                f"{'too much' if difference > 0 else 'short'}."
            }
        )


def _next_version_number(award: Award) -> int:
    # Under the award lock, so two writers cannot take the same number.
    last = award.budget_versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def version_write(
    *,
    award: Award,
    lines: list[LineInput],
    created_by,
    approved_by,
    note: str = "",
    effective_on: date | None = None,
    agency_approved: bool = True,
) -> BudgetVersion:
    """Write an approved version and supersede the current one. The caller holds the
    award lock, has checked permission and that the lines add up, and audits."""
    number = _next_version_number(award)
    award.budget_versions.filter(status=BudgetVersion.Status.APPROVED).update(
        status=BudgetVersion.Status.SUPERSEDED
    )
    version = BudgetVersion.objects.create(
        award=award,
        number=number,
        status=BudgetVersion.Status.APPROVED,
        note=note,
        created_by=created_by,
        approved_by=approved_by,
        approved_at=timezone.now(),
        # The first budget governs from the award's start; later ones from their approval.
        effective_on=effective_on or (award.period_start if number == 1 else timezone.localdate()),
        agency_approved=agency_approved,
    )
    lines_create(BudgetLine, lines, version=version)
    return version


def lines_create(model, lines: list[LineInput], **parent) -> None:
    """Write budget lines as rows of `model` (a version's BudgetLine or a modification's
    ProposedLine), each tied to `parent`."""
    model.objects.bulk_create(
        model(
            **parent,
            category=line.category,
            federal_amount=line.federal_amount,
            non_federal_amount=line.non_federal_amount,
            narrative=line.narrative,
        )
        for line in lines
    )


def lines_snapshot(lines) -> dict[str, list[str]]:
    """Budget lines as the audit trail keeps them: category -> [federal, non-federal]."""
    return {
        line.category: [str(line.federal_amount), str(line.non_federal_amount)] for line in lines
    }


@refusal_audited("budgets.budget.refused", on="award", attempted="create a budget version")
@transaction.atomic
def budget_version_create(
    *, actor, award: Award, lines: list[LineInput], approve: bool, note: str = ""
) -> BudgetVersion:
    """Add a budget version to an award before it is offered. When approved it becomes
    the current budget and the one it replaces is kept as superseded. Once the award is
    offered, its budget changes only through a budget modification (the 10% rule)."""
    access.require(access.can_manage_program(actor))
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.DRAFT:
        raise ValidationError(
            f"Award {award} is {award.get_status_display().lower()}; its budget now changes "
            "through a budget modification."
        )
    lines = clean_lines(lines)
    if approve:
        check_budget_adds_up(award=award, lines=lines)
        version = version_write(
            award=award, lines=lines, created_by=actor, approved_by=actor, note=note
        )
    else:
        number = _next_version_number(award)
        version = BudgetVersion.objects.create(
            award=award,
            number=number,
            status=BudgetVersion.Status.DRAFT,
            note=note,
            created_by=actor,
        )
        lines_create(BudgetLine, lines, version=version)
    audit_record(
        actor=actor,
        action="budgets.version.approved" if approve else "budgets.version.drafted",
        obj=version,
        task_force=award.task_force,
        after={"number": version.number, "status": version.status, "lines": lines_snapshot(lines)},
    )
    return version


@transaction.atomic
def award_create_with_budget(*, actor, lines: list[LineInput], **award_fields) -> Award:
    """Create a draft award, its funding lines and its first approved budget, together:
    if any rule fails, nothing is saved."""
    award = award_create(actor=actor, **award_fields)
    budget_version_create(
        actor=actor, award=award, lines=lines, approve=True, note="Initial budget"
    )
    return award
