"""Whether a drawdown request needs a person's decision
(docs/rules/cash-and-ledger.md#cash-need).

Cash is drawn only for immediate needs and held at most `cash_on_hand_days` [V R19]. A
request is approved automatically unless one of these applies; each is written on the
request in plain words for the financial approver who decides it:

- the award requires approval of every draw (a high-risk recipient);
- the award holds excess cash now (balances.excess_cash);
- the amount is more than the award's immediate need (`immediate_need`);
- the award holds program income not yet spent, which is used before more federal cash
  is drawn (docs/rules/cash-and-ledger.md#program-income).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from budgets.balances import Balances, award_balances, excess_cash
from budgets.models import LedgerDay
from grants.models import Award
from grants.money import ZERO, MoneySum, format_money, round_money
from grants.selectors import rule_value


@dataclass(frozen=True)
class CashNeed:
    """An award's immediate need for cash on a day, and the parts it is made of."""

    uncovered: Decimal  # federal expenditures (10e) not yet covered by cash drawn (10a)
    expected: Decimal  # average daily federal expenditures × horizon_days
    in_hand: Decimal  # cash drawn beyond expenditures, plus requests not yet paid
    horizon_days: int
    lookback_days: int

    @property
    def amount(self) -> Decimal:
        return max(ZERO, self.uncovered + self.expected - self.in_hand)

    def explained(self) -> str:
        parts = (
            f"federal expenditures not yet covered by cash drawn {format_money(self.uncovered)}, "
            f"plus {self.horizon_days} days of spending at the average of the last "
            f"{self.lookback_days} days {format_money(self.expected)}"
        )
        if self.in_hand:
            parts += (
                f", less cash drawn or requested and not yet spent {format_money(self.in_hand)}"
            )
        return parts


def immediate_need(award: Award, balances: Balances, *, today: date) -> CashNeed:
    """What the award needs in cash now: expenditures already made and not yet drawn
    for, plus the spending expected over the horizon (the average daily federal
    expenditures of the lookback window, from the period's start if that is later),
    less cash already drawn or requested that no expenditure has used yet.

    `balances` are the award's balances as of `today`, with the open requests."""
    horizon = int(rule_value("cash_need_horizon_days", on=today))
    lookback = int(rule_value("cash_need_lookback_days", on=today))
    since = max(award.period_start, today - timedelta(days=lookback - 1))
    days = max((today - since).days + 1, 1)
    recent = LedgerDay.objects.filter(award=award, day__gte=since, day__lte=today).aggregate(
        t=MoneySum("federal_expenditures", default=ZERO)
    )["t"]
    spent_less_drawn = balances.federal_expenditures - balances.drawn
    return CashNeed(
        uncovered=max(ZERO, spent_less_drawn),
        expected=round_money(recent * horizon / days),
        in_hand=max(ZERO, -spent_less_drawn) + balances.pending_drawdowns,
        horizon_days=horizon,
        lookback_days=lookback,
    )


def review_reasons(award: Award, amount: Decimal, *, today: date) -> list[str]:
    """Why a request for `amount` on `today` needs a financial approver's decision;
    empty when it may be approved automatically. Call under the award lock, before the
    request is written, so the open requests counted are the others."""
    reasons = []
    if award.drawdowns_need_approval:
        reasons.append("The award requires approval of every drawdown.")
    held = excess_cash(award, today=today)
    if held:
        days = int(rule_value("cash_on_hand_days", on=today))
        reasons.append(
            f"The award holds {format_money(held)} of cash drawn more than {days} days ago "
            "and not disbursed or returned."
        )
    balances = award_balances(award, as_of=today)
    need = immediate_need(award, balances, today=today)
    if amount > need.amount:
        reasons.append(
            f"{format_money(amount)} is {format_money(amount - need.amount)} more than the "
            f"immediate need of {format_money(need.amount)} ({need.explained()})."
        )
    unspent = balances.program_income - balances.program_income_spent
    if unspent > 0:
        reasons.append(
            f"The award holds {format_money(unspent)} of program income not yet spent; "
            "program income is spent before more federal cash is drawn."
        )
    return reasons
