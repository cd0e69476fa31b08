"""A believable money history for some demo awards, posted through the services with
their clock set to each day: monthly spending by category, indirect costs at the lead
agency's rate, obligations paid off, quarterly reimbursement drawdowns paying the
quarter's expenditures, a reversal, and one award left holding cash."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User

from budgets import ledger
from budgets.models import DrawdownRequest, LedgerEntry
from demo.indirect import indirect_to_charge
from grants.models import Award, Membership
from grants.money import ZERO, round_money

# Share of each monthly budget spent, month by month: spending is uneven.
MONTHLY_PATTERN = [
    Decimal(x) for x in ("0.92", "1.04", "0.97", "1.08", "0.88", "1.01", "1.10", "0.95")
]
MONTHLY_CATEGORIES = ("A", "B", "C", "E", "I")
NAMESPACE = uuid.UUID("3b0d6a5e-8f1c-4c7a-9a51-6f0c2d9e1b44")


def _key(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _month_ends(start: date, end: date):
    day = start
    while True:
        nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        month_end = nxt - timedelta(days=1)
        if month_end > end:
            return
        yield month_end
        day = nxt


def finance_officer(award: Award) -> User:
    membership = award.task_force.memberships.filter(role=Membership.Role.FINANCE_OFFICER).first()
    if membership:
        return membership.user
    user, created = User.objects.get_or_create(
        username=f"fo.{award.task_force.code}",
        defaults={
            "first_name": "Finance",
            "last_name": "Officer",
            "email": f"fo.{award.task_force.code}@example.gov",
        },
    )
    if created:
        user.set_unusable_password()
        user.save()
    Membership.objects.create(
        user=user, task_force=award.task_force, role=Membership.Role.FINANCE_OFFICER
    )
    return user


def post_history(
    award: Award,
    *,
    approver: User,
    today: date,
    leave_excess_cash: bool = False,
    with_reversal: bool = False,
    with_program_income: bool = False,
    with_interest: bool = False,
) -> int:
    """Post the award's history up to `today`; returns the number of entries."""
    if LedgerEntry.objects.filter(award=award).exists():
        return 0
    officer = finance_officer(award)
    lines = {line.category: line.federal_amount for line in award.budget_versions.lines_in_force()}
    months = list(_month_ends(award.period_start, min(award.period_end, today)))
    period_months = len(list(_month_ends(award.period_start, award.period_end)))

    def post(kind, amount, day, n, **fields):
        return ledger.entry_post(
            actor=officer,
            award=award,
            kind=kind,
            amount=amount,
            effective_date=day,
            idempotency_key=_key(award.pk, kind, day, n),
            today=today,
            **fields,
        )

    # Equipment and the forensics contractor are obligated early and paid in instalments.
    obligations = []
    for n, category in enumerate(("D", "H")):
        if lines.get(category) and months:
            day = award.period_start + timedelta(days=20 + 15 * n)
            obligations.append(
                post(
                    "obligation",
                    round_money(lines[category] * Decimal("0.8")),
                    day,
                    n,
                    category=category,
                    memo="Purchase order" if category == "D" else "Contract signed",
                )
            )
    quarter_spent, quarter_expenditures = ZERO, []
    indirect_charged = ZERO
    for i, month_end in enumerate(months):
        spent = ZERO
        for n, category in enumerate(MONTHLY_CATEGORIES):
            if not lines.get(category):
                continue
            amount = round_money(
                lines[category] / period_months * MONTHLY_PATTERN[(i + n) % len(MONTHLY_PATTERN)]
            )
            expenditure = post(
                "expenditure",
                amount,
                month_end,
                n,
                category=category,
                memo=f"{month_end:%B %Y} {dict(A='payroll', B='fringe', C='travel', E='supplies', I='other costs')[category]}",
            )
            quarter_expenditures.append(expenditure)
            spent += amount
        for n, obligation in enumerate(obligations):
            if i in (2, 5, 8):  # instalments on the obligations
                instalment = round_money(obligation.amount / 3)
                remaining = obligation.amount - sum(
                    (e.amount for e in obligation.liquidations.all()), ZERO
                )
                if i == 8:
                    instalment = remaining
                if instalment > 0:
                    expenditure = post(
                        "expenditure",
                        instalment,
                        month_end,
                        10 + n,
                        category=obligation.category,
                        obligation=obligation,
                        memo=f"Instalment on {obligation.memo.lower()}",
                    )
                    quarter_expenditures.append(expenditure)
                    spent += instalment
        if with_program_income and i == 3:
            post(
                "program_income",
                Decimal("2500.00"),
                month_end,
                0,
                memo="Training registration fees",
            )
        if with_program_income and i == 5:
            # All of it spent before the quarter's draw: program income goes first.
            for n, (amount, memo) in enumerate(
                (("1800.00", "Forensic software licences"), ("700.00", "Training materials"))
            ):
                post(
                    "program_income_spent",
                    Decimal(amount),
                    month_end,
                    n,
                    memo=f"{memo}, from registration fees",
                )
        if with_reversal and i == 1:
            duplicate = post(
                "expenditure",
                Decimal("1234.56"),
                month_end,
                99,
                category="C",
                memo="Conference registration (entered twice)",
            )
            ledger.entry_reverse(
                actor=officer,
                entry=duplicate,
                reason="Entered twice; the first entry stands",
                idempotency_key=_key(award.pk, "reverse", month_end),
                effective_date=month_end,
            )
        # Indirect costs last, once the month's direct costs (and any correction) are in
        # the base: what the rate allows, within the category J budget.
        if lines.get("J"):
            indirect = indirect_to_charge(award, month_end, lines["J"] - indirect_charged)
            if indirect > 0:
                expenditure = post(
                    "expenditure",
                    indirect,
                    month_end,
                    20,
                    category="J",
                    memo=f"{month_end:%B %Y} indirect costs",
                )
                quarter_expenditures.append(expenditure)
                indirect_charged += indirect
                spent += indirect
        quarter_spent += spent
        if month_end.month in (12, 3, 6, 9) and quarter_spent > 0:
            # Quarterly reimbursement: draw what the quarter cost; the cash pays the
            # quarter's expenditures, which the general fund had carried.
            request = ledger.drawdown_request(
                actor=officer,
                award=award,
                amount=quarter_spent,
                idempotency_key=_key(award.pk, "draw", month_end),
                today=month_end,
                memo=f"Reimbursement, quarter ending {month_end:%m/%d/%Y}",
            )
            ledger.drawdown_mark_paid(actor=approver, request=request, today=month_end)
            for expenditure in quarter_expenditures:
                post(
                    "disbursement",
                    expenditure.amount,
                    month_end,
                    f"pays-{expenditure.pk}",
                    expenditure=expenditure,
                    memo="Reimbursed general fund",
                )
            quarter_spent, quarter_expenditures = ZERO, []
    if with_interest and months:
        _post_interest(months, post)
    if leave_excess_cash:
        day = today - timedelta(days=20)
        request = ledger.drawdown_request(
            actor=officer,
            award=award,
            amount=Decimal("25000.00"),
            idempotency_key=_key(award.pk, "excess", day),
            today=day,
            memo="Advance for a training event",
        )
        ledger.drawdown_mark_paid(actor=approver, request=request, today=day)
        post(
            "disbursement",
            Decimal("9000.00"),
            day + timedelta(days=3),
            0,
            memo="Training venue deposit",
        )
    return LedgerEntry.objects.filter(award=award).count()


def _post_interest(months: list[date], post) -> None:
    """Interest earned on the advance account each quarter, part of it remitted
    (docs/rules/cash-and-ledger.md#interest-on-advances)."""
    earned = ZERO
    for n, month_end in enumerate(m for m in months if m.month in (12, 3, 6, 9)):
        amount = Decimal("212.40") + n * Decimal("17.15")
        post("interest_earned", amount, month_end, 30 + n, memo="Interest on the advance account")
        earned += amount
    if earned > Decimal("100.00"):
        post(
            "interest_remitted",
            Decimal("100.00"),
            months[-1],
            40,
            memo="Remitted to the Payment Management System, ACH trace 0714",
        )


def post_match(award: Award, *, today: date) -> None:
    """Match met in cash and in kind on an award that requires one
    (docs/rules/cash-and-ledger.md#in-kind-match)."""
    if LedgerEntry.objects.filter(award=award, share=LedgerEntry.Share.RECIPIENT).exists():
        return
    match_lines = {
        line.category: line.non_federal_amount
        for line in award.budget_versions.lines_in_force()
        if line.non_federal_amount
    }
    day = min(today, award.period_end)
    if not match_lines or day < award.period_start:
        return
    category, officer = min(match_lines), finance_officer(award)
    for n, (share, fields) in enumerate(
        [
            (Decimal("0.30"), {"paid_on": day, "memo": "County-funded analyst salary (match)"}),
            (
                Decimal("0.08"),
                {
                    "in_kind_basis": "volunteer_services",
                    "in_kind_description": "Reserve deputies' hours at the sheriff's office "
                    "rate for the same work",
                    "memo": "Volunteer hours (match)",
                },
            ),
        ]
    ):
        ledger.entry_post(
            actor=officer,
            award=award,
            kind="expenditure",
            amount=round_money(match_lines[category] * share),
            effective_date=day,
            category=category,
            share=LedgerEntry.Share.RECIPIENT,
            idempotency_key=_key(award.pk, "match", n),
            today=today,
            **fields,
        )


def pending_request(award: Award, *, today: date) -> None:
    """Leave a request in the financial approver's queue."""
    if award.drawdown_requests.filter(status=DrawdownRequest.Status.REQUESTED).exists():
        return
    Award.objects.filter(pk=award.pk).update(drawdowns_need_approval=True)
    award.refresh_from_db()
    ledger.drawdown_request(
        actor=finance_officer(award),
        award=award,
        amount=Decimal("18500.00"),
        idempotency_key=_key(award.pk, "pending", today),
        today=today,
        memo="Overtime for a multi-agency operation",
    )
