"""Builders for ledger tests: an active award with money moving on it."""

import uuid
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from budgets import ledger
from grants import access
from grants.models import Award
from grants.services import award_transition
from tests import factories


def activate(program, award: Award | None = None) -> Award:
    award = award or program.award_a
    award = award_transition(actor=program.pm, award=award, to_status=Award.Status.OFFERED)
    award = award_transition(
        actor=program.gadmin_a,
        award=award,
        to_status=Award.Status.ACCEPTED,
        terms_accepted=True,
        typed_name="Gail Admin",
    )
    return award_transition(actor=program.pm, award=award, to_status=Award.Status.ACTIVE)


def post(program, kind, amount, day=date(2025, 1, 15), **fields):
    fields.setdefault("category", "A" if kind in ("obligation", "expenditure") else "")
    return ledger.entry_post(
        actor=program.officer_a,
        award=program.award_a,
        kind=kind,
        amount=amount,
        effective_date=day,
        idempotency_key=uuid.uuid4(),
        **fields,
    )


def reverse_entry(program, entry, reason="Entered in error", **fields):
    """Reverse `entry` as task force A's finance officer (dated today unless
    effective_date= says otherwise)."""
    return ledger.entry_reverse(
        actor=program.officer_a,
        entry=entry,
        reason=reason,
        idempotency_key=uuid.uuid4(),
        **fields,
    )


def second_approver():
    """A financial approver other than `program.approver`, for a request that waits for
    a decision: whoever approves it cannot also record its payment."""
    user = User.objects.filter(username="approver_2").first()
    return user or factories.make_user("approver_2", groups=[access.FINANCIAL_APPROVER])


def draw(program, amount, *, paid=True, award=None, day=date(2025, 1, 10)):
    """Request (and unless paid=False, receive) cash on `day`. A request above the
    award's immediate need waits for an approver (budgets.cash_need); to receive it, a
    second financial approver approves it first."""
    request = ledger.drawdown_request(
        actor=program.officer_a,
        award=award or program.award_a,
        amount=Decimal(amount),
        idempotency_key=uuid.uuid4(),
        today=day,
    )
    if paid:
        if request.status == request.Status.REQUESTED:
            request = ledger.drawdown_approve(actor=second_approver(), request=request, today=day)
        request = ledger.drawdown_mark_paid(actor=program.approver, request=request, today=day)
    return request


# Interest on advances: the clock inside the liquidation period (it ends 01/28/2027).
INTEREST_TODAY = date(2026, 12, 31)


def earn(program, amount, day, **fields):
    fields.setdefault("today", INTEREST_TODAY)
    return post(program, "interest_earned", amount, day, **fields)


def remit(program, amount, day, memo="Remitted to the Treasury, ACH trace 0421", **fields):
    fields.setdefault("today", INTEREST_TODAY)
    return post(program, "interest_remitted", amount, day, memo=memo, **fields)
