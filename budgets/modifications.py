"""Budget modifications under the 10% rule, and supplements
(docs/rules/award-lifecycle-and-budgets.md#budget-modifications;
docs/decisions/0004-budget-transfers.md).

A finance officer proposes a new budget. It is compared with the budget the awarding
agency last approved:

- cumulative transfer = the sum, over categories A–J, of the federal amounts moved out of
  a category (proposed below the base). The proposal and the base both add up to the
  award, so this equals the sum of increases and half the sum of absolute changes;
  counting decreases keeps it a transfer for a supplement too, whose new money is not
  one;
- prior approval is needed when the award is above the simplified acquisition threshold
  in force and the cumulative transfer exceeds the rule's share (10%) of the award; when
  a category that had no federal money gets some; or when the scope changes.

Without those the new budget applies at once, as an approved version the agency did not
review (so the next proposal is still measured against the agency's). Otherwise a GAM is
opened and a program manager (never the proposer) decides; approval writes the version.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.balances import award_balances, committed_by_category, liquidation_end
from budgets.ledger import deobligation_post
from budgets.models import BudgetModification, BudgetVersion, Category, ProposedLine
from budgets.services import (
    LineInput,
    check_budget_adds_up,
    clean_lines,
    lines_create,
    lines_snapshot,
    version_write,
)
from grants import access
from grants.amendments import (
    OWN_DECISION,
    amendment_close,
    amendment_open,
    check_open_for_amendments,
    supplement_check_available,
    supplement_fund,
)
from grants.audit import audit_record
from grants.duties import decided_by_another, lock_award
from grants.models import Amendment, Appropriation, Award
from grants.money import ZERO, format_money, parse_money, round_money, sentence
from grants.refusals import refusal_audited
from grants.selectors import rule_value
from grants.text import clean_text

PERCENT = Decimal(100)


@dataclass(frozen=True)
class LineChange:
    category: str
    base: Decimal
    current: Decimal
    proposed: Decimal

    @property
    def label(self) -> str:
        return Category(self.category).label

    @property
    def change(self) -> Decimal:
        return self.proposed - self.base


@dataclass(frozen=True)
class Assessment:
    """What the 10% rule says about a proposed budget."""

    award_amount: Decimal
    base: BudgetVersion
    current: BudgetVersion
    cumulative_transfer: Decimal
    transfer_pct: Decimal
    transfer_limit: Decimal
    simplified_acquisition_threshold: Decimal
    exceeds_transfer_limit: bool
    new_categories: list[str]
    scope_change: bool
    match_before: Decimal = ZERO  # non-federal total of the agency-approved budget
    match_proposed: Decimal = ZERO
    is_supplement: bool = False
    is_decrease: bool = False
    changes: list[LineChange] = field(default_factory=list)

    @property
    def above_threshold(self) -> bool:
        return self.award_amount > self.simplified_acquisition_threshold

    @property
    def transfer_share(self) -> Decimal:
        return self.cumulative_transfer / self.award_amount if self.award_amount else ZERO

    @property
    def match_reduced(self) -> bool:
        return self.match_proposed < self.match_before

    @property
    def needs_approval(self) -> bool:
        return (
            self.is_supplement
            or self.is_decrease
            or self.exceeds_transfer_limit
            or bool(self.new_categories)
            or self.scope_change
            or self.match_reduced
        )

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.is_supplement:
            reasons.append("A supplement adds federal funds; the awarding agency approves it.")
        if self.is_decrease:
            reasons.append(
                "A decrease or termination takes federal funds off the award; the awarding "
                "agency approves it."
            )
        if self.exceeds_transfer_limit:
            reasons.append(
                f"Cumulative transfers of {format_money(self.cumulative_transfer)} are more "
                f"than {self.transfer_pct.normalize():f}% of the award "
                f"({format_money(self.transfer_limit)})."
            )
        for code in self.new_categories:
            reasons.append(
                f"{Category(code).label} had no federal budget in the last approved version."
            )
        if self.scope_change:
            reasons.append("The change alters the project's scope or objectives.")
        if self.match_reduced:
            reasons.append(
                f"The recipient's share falls from {format_money(self.match_before)} to "
                f"{format_money(self.match_proposed)}: a change in cost sharing."
            )
        return reasons


def assess(
    *,
    award: Award,
    lines: list[LineInput],
    scope_change: bool,
    on: date,
    supplement_amount: Decimal | None = None,
    decrease: bool = False,
) -> Assessment:
    """Compare `lines` with the agency's last approved budget under the rules in force
    on `on`. Reads only; `budget_modification_propose` calls it again under the lock."""
    base, current = award.budget_versions.agency_base(), award.budget_versions.current()
    if base is None or current is None:
        raise ValidationError("This award has no approved budget to modify.")
    before, now = base.federal_amounts(), current.federal_amounts()
    proposed = {line.category: line.federal_amount for line in lines}
    changes = [
        LineChange(code, before.get(code, ZERO), now.get(code, ZERO), proposed.get(code, ZERO))
        for code in Category.values
        if before.get(code) or now.get(code) or proposed.get(code)
    ]
    transfer = sum((max(ZERO, c.base - c.proposed) for c in changes), ZERO)
    pct = rule_value("budget_transfer_pct", on=on)
    threshold = rule_value("simplified_acquisition_threshold", on=on)
    amount = award.federal_amount
    return Assessment(
        award_amount=amount,
        base=base,
        current=current,
        cumulative_transfer=transfer,
        transfer_pct=pct,
        transfer_limit=round_money(amount * pct / PERCENT),
        simplified_acquisition_threshold=round_money(threshold),
        # Exact comparison: no rounding decides whether approval is needed.
        exceeds_transfer_limit=amount > threshold and transfer * PERCENT > amount * pct,
        new_categories=[c.category for c in changes if not c.base and c.proposed],
        scope_change=scope_change,
        match_before=sum((line.non_federal_amount for line in base.lines.all()), ZERO),
        match_proposed=sum((line.non_federal_amount for line in lines), ZERO),
        is_supplement=supplement_amount is not None,
        is_decrease=decrease,
        changes=changes,
    )


def _check_changed(lines: list[LineInput], current: BudgetVersion) -> None:
    def key(items):
        return {
            (i.category, i.federal_amount, i.non_federal_amount)
            for i in items
            if i.federal_amount or i.non_federal_amount
        }

    if key(lines) == key(current.lines.all()):
        raise ValidationError({"lines": "The proposed budget is the same as the current one."})


def _create(
    *, award: Award, actor, lines, assessment: Assessment, today: date, status: str, **fields
) -> BudgetModification:
    modification = BudgetModification.objects.create(
        award=award,
        status=status,
        replaces=assessment.current,
        base=assessment.base,
        award_amount=assessment.award_amount,
        cumulative_transfer=assessment.cumulative_transfer,
        transfer_limit=assessment.transfer_limit,
        transfer_pct=assessment.transfer_pct,
        simplified_acquisition_threshold=assessment.simplified_acquisition_threshold,
        exceeds_transfer_limit=assessment.exceeds_transfer_limit,
        new_categories="".join(assessment.new_categories),
        scope_change=assessment.scope_change,
        match_reduced=assessment.match_reduced,
        needs_approval=assessment.needs_approval,
        requested_by=actor,
        requested_on=today,
        **fields,
    )
    lines_create(ProposedLine, lines, modification=modification)
    return modification


def _assessment_data(assessment: Assessment) -> dict:
    return {
        "cumulative_transfer": str(assessment.cumulative_transfer),
        "transfer_limit": str(assessment.transfer_limit),
        "base_version": assessment.base.number,
        "needs_approval": assessment.needs_approval,
        "reasons": assessment.reasons,
    }


def _check_covers_commitments(award: Award, lines: list[LineInput]) -> None:
    """No category's federal budget may fall below what is already spent or obligated in
    it: the spending would stand unbudgeted, and open obligations could not be paid."""
    proposed = {line.category: line.federal_amount for line in lines}
    short = [
        f"{Category(category).label}: {format_money(proposed.get(category, ZERO))} is below the "
        f"{format_money(committed)} already spent or obligated in it."
        for category, committed in sorted(committed_by_category(award).items())
        if proposed.get(category, ZERO) < committed
    ]
    if short:
        raise ValidationError({"lines": short})


def _check_no_open_request(award: Award) -> None:
    if award.budget_modifications.filter(status=BudgetModification.Status.REQUESTED).exists():
        raise ValidationError(
            "A budget change for this award is already waiting for approval; it must be "
            "decided first."
        )


def _checked_proposal(
    *, award: Award, lines: list[LineInput], scope_change: bool, scope_description: str, today
) -> tuple[list[LineInput], str, Assessment]:
    """Every rule a proposed budget must pass, then its assessment. Shared by the proposal
    (under the award lock) and its preview, so that Check and Submit agree."""
    lines = clean_lines(lines)
    check_budget_adds_up(award=award, lines=lines)
    _check_covers_commitments(award, lines)
    scope_description = clean_text(scope_description)
    if scope_change and not scope_description:
        raise ValidationError({"scope_description": "Describe the change of scope."})
    _check_no_open_request(award)
    assessment = assess(award=award, lines=lines, scope_change=scope_change, on=today)
    _check_changed(lines, assessment.current)
    return lines, scope_description, assessment


def budget_modification_preview(
    *,
    award: Award,
    lines: list[LineInput],
    scope_change: bool = False,
    scope_description: str = "",
    today: date | None = None,
) -> Assessment:
    """What proposing `lines` would meet: the same refusals, or the 10% rule's verdict.
    Reads only."""
    return _checked_proposal(
        award=award,
        lines=lines,
        scope_change=scope_change,
        scope_description=scope_description,
        today=today or timezone.localdate(),
    )[2]


@refusal_audited(
    "budgets.modification.refused", on="award", attempted="propose a budget modification"
)
@transaction.atomic
def budget_modification_propose(
    *,
    actor,
    award: Award,
    lines: list[LineInput],
    justification: str = "",
    scope_change: bool = False,
    scope_description: str = "",
    today: date | None = None,
) -> BudgetModification:
    """Propose a new budget. Applied at once when the 10% rule needs no prior approval;
    otherwise sent to a program manager as a budget-modification GAM."""
    award = lock_award(award.pk)
    access.require(
        access.can_propose_budget_modification(actor, award),
        "Only the task force's finance officers propose budget modifications.",
    )
    check_open_for_amendments(award)
    today = today or timezone.localdate()
    lines, scope_description, assessment = _checked_proposal(
        award=award,
        lines=lines,
        scope_change=scope_change,
        scope_description=scope_description,
        today=today,
    )
    justification = clean_text(justification)
    # Applied at once (a new version) or waiting for approval (a budget-modification GAM):
    # either way the same modification record and one audit event named for its status.
    if assessment.needs_approval:
        outcome = {
            "status": BudgetModification.Status.REQUESTED,
            "amendment": amendment_open(
                award=award,
                kind=Amendment.Kind.BUDGET_MODIFICATION,
                description=justification or "Budget modification",
                requested_by=actor,
                requested_on=today,
            ),
        }
    else:
        outcome = {
            "status": BudgetModification.Status.APPLIED,
            "result": version_write(
                award=award,
                lines=lines,
                created_by=actor,
                approved_by=None,
                note="Budget modification (no prior approval needed)",
                effective_on=today,
                agency_approved=False,
            ),
        }
    modification = _create(
        award=award,
        actor=actor,
        lines=lines,
        assessment=assessment,
        today=today,
        justification=justification,
        scope_description=scope_description,
        **outcome,
    )
    after, data = {"lines": lines_snapshot(lines)}, _assessment_data(assessment)
    if modification.result:
        after["version"] = modification.result.number
    if modification.amendment:
        data["amendment"] = modification.amendment.number
    audit_record(
        actor=actor,
        action=f"budgets.modification.{modification.status}",
        obj=modification,
        task_force=award.task_force,
        after=after,
        data=data,
    )
    return modification


def _positive(value, field_name: str) -> Decimal:
    try:
        return parse_money(value, positive=True)
    except ValueError as error:
        raise ValidationError({field_name: sentence(error)}) from None


@refusal_audited("budgets.modification.refused", on="award", attempted="propose a supplement")
@transaction.atomic
def supplement_propose(
    *,
    actor,
    award: Award,
    appropriation: Appropriation,
    amount,
    lines: list[LineInput],
    justification: str,
    today: date | None = None,
) -> BudgetModification:
    """Propose a supplement: more federal funds from an appropriation, with the budget
    they pay for (adding up to the award plus the supplement). A financial approver or
    another program manager approves it; the appropriation is checked again then."""
    award = lock_award(award.pk)
    access.require(
        access.can_propose_supplement(actor), "Only a program manager proposes supplements."
    )
    check_open_for_amendments(award)
    today = today or timezone.localdate()
    amount = _positive(amount, "supplement_amount")
    justification = clean_text(justification)
    if not justification:
        raise ValidationError({"justification": "Say what the supplement pays for."})
    supplement_check_available(appropriation=appropriation, amount=amount)
    lines = clean_lines(lines)
    check_budget_adds_up(award=award, lines=lines, supplement=amount)
    _check_covers_commitments(award, lines)
    _check_no_open_request(award)
    assessment = assess(
        award=award, lines=lines, scope_change=False, on=today, supplement_amount=amount
    )
    amendment = amendment_open(
        award=award,
        kind=Amendment.Kind.SUPPLEMENT,
        description=justification,
        requested_by=actor,
        requested_on=today,
        amount=amount,
        appropriation=appropriation,
    )
    modification = _create(
        award=award,
        actor=actor,
        lines=lines,
        assessment=assessment,
        today=today,
        status=BudgetModification.Status.REQUESTED,
        amendment=amendment,
        supplement_amount=amount,
        appropriation=appropriation,
        justification=justification,
    )
    audit_record(
        actor=actor,
        action="budgets.supplement.requested",
        obj=modification,
        task_force=award.task_force,
        after={
            "amount": str(amount),
            "appropriation": appropriation.pk,
            "lines": lines_snapshot(lines),
        },
        data={"amendment": amendment.number},
    )
    return modification


def decrease_refusal(award: Award, amount: Decimal) -> str:
    """Why `amount` cannot come off the award, or "": never below what is already spent
    and obligated (10g), nor by more than the award. Read under the award lock."""
    balances = award_balances(award, as_of=date.max)
    committed = balances.total_federal_share
    if amount > award.federal_amount:
        return (
            f"{format_money(amount)} is {format_money(amount - award.federal_amount)} more "
            f"than the award's {format_money(award.federal_amount)}."
        )
    if award.federal_amount - amount < committed:
        return (
            f"A decrease of {format_money(amount)} would leave the award at "
            f"{format_money(award.federal_amount - amount)}, "
            f"{format_money(committed - (award.federal_amount - amount))} below the "
            f"{format_money(committed)} already spent and obligated "
            f"({format_money(balances.federal_expenditures)} spent, "
            f"{format_money(balances.unliquidated)} obligated and not yet paid): at most "
            f"{format_money(award.federal_amount - committed)} can come off."
        )
    return ""


DECREASE_KINDS = (Amendment.Kind.DECREASE, Amendment.Kind.TERMINATION)


@refusal_audited("budgets.modification.refused", on="award", attempted="propose a decrease")
@transaction.atomic
def decrease_propose(
    *,
    actor,
    award: Award,
    amount,
    lines: list[LineInput],
    justification: str,
    kind: str = Amendment.Kind.DECREASE,
    today: date | None = None,
) -> BudgetModification:
    """Propose a decrease, or a termination in part or whole (2 CFR 200.340): less federal
    money, with the budget for the new total, never below what is already spent and
    obligated. Another person of the program office approves it; the amounts are checked
    again then, under the lock (docs/rules/deobligation.md#decreases-and-terminations)."""
    award = lock_award(award.pk)
    access.require(
        access.can_propose_supplement(actor),
        "Only a program manager proposes decreases and terminations.",
    )
    check_open_for_amendments(award)
    today = today or timezone.localdate()
    if kind not in DECREASE_KINDS:
        raise ValidationError({"kind": "Choose a decrease or a termination."})
    amount = _positive(amount, "decrease_amount")
    justification = clean_text(justification)
    if not justification:
        raise ValidationError(
            {
                "justification": "Say why the award is decreased."
                if kind == Amendment.Kind.DECREASE
                else "Give the reason for the termination (2 CFR 200.340(a)) and, for a "
                "partial termination, the portion terminated."
            }
        )
    refusal = decrease_refusal(award, amount)
    if refusal:
        raise ValidationError({"decrease_amount": refusal})
    lines = clean_lines(lines)
    check_budget_adds_up(award=award, lines=lines, decrease=amount)
    _check_covers_commitments(award, lines)
    _check_no_open_request(award)
    assessment = assess(award=award, lines=lines, scope_change=False, on=today, decrease=True)
    amendment = amendment_open(
        award=award,
        kind=kind,
        description=justification,
        requested_by=actor,
        requested_on=today,
        amount=amount,
    )
    modification = _create(
        award=award,
        actor=actor,
        lines=lines,
        assessment=assessment,
        today=today,
        status=BudgetModification.Status.REQUESTED,
        amendment=amendment,
        decrease_amount=amount,
        justification=justification,
    )
    audit_record(
        actor=actor,
        action=f"budgets.{kind}.requested",
        obj=modification,
        task_force=award.task_force,
        after={"amount": str(amount), "lines": lines_snapshot(lines)},
        data={"amendment": amendment.number},
    )
    return modification


@refusal_audited("budgets.modification.refused", on="modification", attempted="decide")
@decided_by_another(
    "modification", action="budgets.modification.sod_violation", message=OWN_DECISION
)
@transaction.atomic
def budget_modification_decide(
    *,
    actor,
    modification: BudgetModification,
    approve: bool,
    note: str = "",
    today: date | None = None,
) -> BudgetModification:
    """Approve (the proposed budget becomes the current version; a supplement's funds are
    added) or reject (nothing changes) a request. Never by the person who made it."""
    today = today or timezone.localdate()
    award = lock_award(modification.award_id)
    modification = BudgetModification.objects.select_related("amendment").get(pk=modification.pk)
    access.require(
        access.can_decide_budget_change(actor, supplement=modification.changes_funding),
        "Only a financial approver or a program manager decides supplements, decreases "
        "and terminations."
        if modification.changes_funding
        else "Only a program manager decides budget modifications.",
    )
    if modification.requested_by_id == actor.pk:  # re-read under the lock
        raise PermissionDenied(OWN_DECISION)
    if modification.status != BudgetModification.Status.REQUESTED:
        raise ValidationError(f"This request is {modification.get_status_display().lower()}.")
    note = clean_text(note)
    action = (
        "supplement"
        if modification.is_supplement
        else modification.amendment.kind
        if modification.is_decrease
        else "modification"
    )
    if not approve:
        if not note:
            raise ValidationError({"note": "Say why the request is rejected."})
        modification.status = BudgetModification.Status.REJECTED
    else:
        # Rejecting stays possible once the award moves to closeout; approving does not.
        check_open_for_amendments(award)
        current = award.budget_versions.current()
        if current is None or current.pk != modification.replaces_id:
            raise ValidationError(
                f"The budget changed since this was proposed (version "
                f"{current.number if current else '—'} is now current); reject it and propose again."
            )
        if modification.is_decrease:
            # Spending may have grown since the proposal: checked again under the lock.
            refusal = decrease_refusal(award, modification.decrease_amount)
            if refusal:
                raise ValidationError({"decrease_amount": refusal})
        lines = list(modification.lines.all())
        _check_covers_commitments(award, lines)  # spending may have moved since the proposal
        if modification.is_supplement:
            modification.amendment.decided_by = actor  # the funding audit names the decider
            supplement_fund(award=award, amendment=modification.amendment, on=today)
        if modification.is_decrease:
            modification.amendment.decided_by = actor  # the audit names the decider
            deobligation_post(
                actor=actor,
                award=award,
                amendment=modification.amendment,
                on=min(today, liquidation_end(award)),
            )
        check_budget_adds_up(award=award, lines=lines)
        modification.result = version_write(
            award=award,
            lines=lines,
            created_by=modification.requested_by,
            approved_by=actor,
            note=f"{modification.kind_label} "
            f"{modification.pk}, amendment {modification.amendment.number}",
            effective_on=today,
            agency_approved=True,
        )
        modification.status = BudgetModification.Status.APPROVED
    modification.decided_by, modification.decided_on = actor, today
    modification.decision_note = note
    modification.save(
        update_fields=["status", "decided_by", "decided_on", "decision_note", "result"]
    )
    amendment_close(
        amendment=modification.amendment,
        approve=approve,
        decided_by=actor,
        decided_on=today,
        note=note,
    )
    audit_record(
        actor=actor,
        action=f"budgets.{action}.{'approved' if approve else 'rejected'}",
        obj=modification,
        task_force=award.task_force,
        before={"status": BudgetModification.Status.REQUESTED},
        after={
            "status": modification.status,
            "version": modification.result.number if modification.result else None,
        },
        data={"note": note, "amendment": modification.amendment.number},
    )
    return modification
