"""Balances computed from the ledger: the SF-425 transaction lines
(docs/rules/sf425.md#transaction-lines), what may still be drawn, budget against actual,
and excess cash on hand.

Every number is a sum over ledger entries dated on or before the day asked about, so
any balance can be reproduced as of a past date. A reversal counts negatively from its
own date. The SF-425 lines are summed from the per-day totals (ledger_days).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from django.db import connection
from django.db.models import Count, Q, QuerySet

from budgets.kinds import LIMITS, TOTALS, UNOBLIGATED, Limit, moving
from budgets.ledger_days import LINE_SUMS, LINES, signed_sum
from budgets.models import Category, DrawdownRequest, LedgerCategoryDay, LedgerDay, LedgerEntry
from grants.amendments import match_required_on
from grants.models import Award, AwardFunding, Recipient
from grants.money import CENT, ZERO, MoneySum
from grants.selectors import rule_value


@dataclass(frozen=True)
class Balances:
    """An award's money as of one day. Line numbers are the SF-425's."""

    as_of: date
    authorized: Decimal  # 10d
    drawn: Decimal  # 10a
    disbursed: Decimal  # 10b
    federal_expenditures: Decimal  # 10e
    unliquidated: Decimal  # 10f
    match_required: Decimal  # 10i
    recipient_expenditures: Decimal  # 10j
    program_income: Decimal  # 10l
    program_income_spent: Decimal  # 10m or 10n, by the award's alternative
    pending_drawdowns: Decimal
    # Every per-day total summed (ledger_sums), the named ones above among them.
    totals: dict[str, Decimal] = field(default_factory=dict, repr=False)

    @property
    def cash_on_hand(self) -> Decimal:  # 10c
        return self.drawn - self.disbursed

    @property
    def total_federal_share(self) -> Decimal:  # 10g: spent plus still owed
        return self.federal_expenditures + self.unliquidated

    @property
    def unobligated(self) -> Decimal:  # 10h
        return self.authorized - self.total_federal_share

    @property
    def match_remaining(self) -> Decimal:  # 10k
        return self.match_required - self.recipient_expenditures

    @property
    def unexpended_program_income(self) -> Decimal:  # 10o
        return self.program_income - self.program_income_spent

    def on_basis(self, basis: str) -> dict[str, Decimal]:
        """SF-425 10e, 10f and 10j on an accounting basis ("accrual" or "cash",
        docs/rules/sf425.md#accounting-basis). Spent plus still owed (10g) is the same on
        either: what the cash basis does not count as spent yet (incurred, not paid) it
        counts as owed."""
        lines = {total.sf425: self.totals[total.name] for total in TOTALS if total.basis == basis}
        return {
            "10e": lines["10e"],
            "10f": self.total_federal_share - lines["10e"],
            "10j": lines["10j"],
        }

    @property
    def available_to_draw(self) -> Decimal:
        """Authorized less what is drawn and what is requested but not yet paid."""
        return self.authorized - self.drawn - self.pending_drawdowns


def funding_in_force(day: date) -> Q:
    # The award's own funding lines, and those of supplements in effect by `day`.
    return Q(amendment__isnull=True) | Q(amendment__effective_on__lte=day)


def authorized_on(award: Award, day: date) -> Decimal:
    """Federal funds awarded on a day, the funding lines in force: a supplement counts
    from the day it takes effect, so a report for an earlier quarter shows the amount then
    in force. The funds authorized (SF-425 10d, Balances.authorized) are this less what
    the ledger deobligated by then (docs/rules/deobligation.md#on-the-ledger)."""
    return (
        AwardFunding.objects.filter(funding_in_force(day), award=award)
        .aggregate(t=MoneySum("amount", default=ZERO))["t"]
        .quantize(CENT)
    )


def ledger_sums(award: Award, *, as_of: date | None = None) -> dict[str, Decimal]:
    """The award's signed totals per line, over the entries dated on or before `as_of`
    (all entries without it), read from the per-day totals (models.LedgerDay)."""
    params = [award.pk] if as_of is None else [award.pk, as_of]
    with connection.cursor() as cursor:
        cursor.execute(_sums_sql(dated=as_of is not None), params)
        row = cursor.fetchone()
    return {
        line: (Decimal(int(cents)) / 100).quantize(CENT)
        for line, cents in zip(LINES, row, strict=True)
    }


@cache
def _sums_sql(*, dated: bool) -> str:
    """ledger_sums's query, written once: every rule of every entry posted asks for
    these sums, and the ORM took longer to compile the fifteen sums than the database
    to answer them. It sums whole cents, as grants.money.MoneySum does on SQLite, so the
    totals are exact on either database."""
    meta = LedgerDay._meta
    sums = [f"COALESCE(SUM(ROUND({meta.get_field(line).column} * 100)), 0)" for line in LINES]
    award, day = meta.get_field("award").column, meta.get_field("day").column
    where = f"{award} = %s" + (f" AND {day} <= %s" if dated else "")
    return f"SELECT {', '.join(sums)} FROM {meta.db_table} WHERE {where}"


def award_balances(award: Award, *, as_of: date) -> Balances:
    """The award's balances as of the end of `as_of`.

    Pending drawdowns are the requests still open now: a request's decision history is
    not dated into the past.
    """
    return balances_from_sums(award, ledger_sums(award, as_of=as_of), as_of=as_of)


def balances_from_sums(award: Award, sums: dict[str, Decimal], *, as_of: date) -> Balances:
    """The balances of award_balances from the ledger's totals through `as_of` (sums as
    ledger_sums gives them), however they were summed."""
    pending = (
        DrawdownRequest.objects.filter(award=award, status__in=DrawdownRequest.OPEN)
        .aggregate(t=MoneySum("amount", default=ZERO))["t"]
        .quantize(CENT)
    )
    return Balances(
        as_of=as_of,
        authorized=authorized_on(award, as_of) - sums["deobligated"],
        drawn=sums["drawn"],
        disbursed=sums["disbursed"],
        federal_expenditures=sums["federal_expenditures"],
        unliquidated=sums["obligated"] - sums["liquidated"],
        match_required=match_required_on(award, as_of),
        recipient_expenditures=sums["recipient_expenditures"],
        program_income=sums["program_income"],
        program_income_spent=sums["program_income_spent"],
        pending_drawdowns=pending,
        totals=sums,
    )


@dataclass(frozen=True)
class Low:
    amount: Decimal  # the lowest balance on any day from the day asked about on
    day: date  # the first day it is that low
    latest: Decimal  # the balance after every entry


def lowest_from(award: Award, *, since: date) -> dict[str, Low]:
    """The lowest value of each limited balance (budgets.kinds.LIMITS: cash on hand, 10c,
    the unobligated balance, 10h, interest earned not yet remitted...) on any day from
    `since` on, and where each first reached that low, by the limit's name.

    A back-dated entry changes the balance of every day after its date, not just
    today's; and a later reversal can leave today higher than a day in between. So an
    entry dated `since` must fit under the lowest balance of any day from `since` on.
    Two queries: the totals before `since`, then the per-day totals from it on."""
    totals = ledger_sums(award, as_of=since - timedelta(days=1))
    by_day = LedgerDay.objects.filter(award=award, day__gte=since).order_by("day").values()
    # Supplements raise the authorized amount from the day they take effect.
    authorized = authorized_on(award, since)
    raises = list(
        AwardFunding.objects.filter(award=award, amendment__effective_on__gt=since)
        .values("amendment__effective_on")
        .annotate(t=MoneySum("amount", default=ZERO))
        .order_by("amendment__effective_on")
        .values_list("amendment__effective_on", "t")
    )

    def value(limit: Limit) -> Decimal:
        start = authorized if limit.of_authorized else ZERO
        return start + sum((sign * totals[total] for total, sign in limit.terms.items()), ZERO)

    lows: dict[str, tuple[Decimal, date]] = {}

    def consider(day: date) -> None:
        for limit in LIMITS:
            balance = value(limit)
            if limit.name not in lows or balance < lows[limit.name][0]:
                lows[limit.name] = (balance, day)

    days = list(by_day)
    if not days or days[0]["day"] != since:
        consider(since)  # the end of `since` itself, when nothing else is dated that day
    for day in days:
        for line in LINES:
            totals[line] += day[line]
        while raises and raises[0][0] <= day["day"]:
            authorized += raises.pop(0)[1]
        consider(day["day"])
    authorized += sum((amount for _, amount in raises), ZERO)  # raised after the last entry
    return {limit.name: Low(*lows[limit.name], latest=value(limit)) for limit in LIMITS}


def unpaid(entry: LedgerEntry) -> Decimal:
    """What of one obligation or expenditure is not yet paid: its amount less the
    entries paying it, net of their reversals (zero once it is reversed)."""
    if hasattr(entry, "reversed_by"):
        return ZERO
    if entry.in_kind_basis:  # given, not paid: it counts as paid the day it is given
        return ZERO
    payments = entry.liquidations if entry.kind == LedgerEntry.Kind.OBLIGATION else entry.payments
    return entry.amount - payments.aggregate(t=signed_sum(Q()))["t"]


def liquidation_end(award: Award) -> date:
    """The last day to pay obligations and draw final funds
    (docs/rules/cash-and-ledger.md#liquidation)."""
    days = int(rule_value("liquidation_days", on=award.period_end))
    return award.period_end + timedelta(days=days)


# The awards whose recipients may hold federal cash: drawn, not yet settled at closeout.
CASH_STATUSES = (Award.Status.ACTIVE, Award.Status.IN_CLOSEOUT)


def excess_cash(award: Award, *, today: date) -> Decimal:
    """Cash drawn more than the rule's days ago and still not disbursed
    (docs/rules/cash-and-ledger.md#excess-cash)."""
    found = awards_with_excess_cash(Award.objects.filter(pk=award.pk), today=today)
    return found[0][1] if found else ZERO


def awards_with_excess_cash(awards: QuerySet[Award], *, today: date) -> list[tuple[Award, Decimal]]:
    """Every award in `awards` holding cash past the rule's days, in one query.

    Cash is spent or returned oldest first: what was drawn (net of returns) by the
    cutoff, less everything disbursed to date, less what was returned after the cutoff
    (docs/rules/cash-and-ledger.md#excess-cash), and never more than the cash on hand.

    Only awards that can still hold federal cash are summed (active or in closeout): a
    closed award's cash was settled at closeout, and the years of closed awards would
    otherwise be summed day by day on every dashboard."""
    cutoff = today - timedelta(days=int(rule_value("cash_on_hand_days", on=today)))
    awards = awards.filter(status__in=CASH_STATUSES)
    rows = (
        LedgerDay.objects.filter(award__in=awards)
        .values("award")
        .annotate(
            old_draws=MoneySum("drawn", filter=Q(day__lte=cutoff), default=ZERO),
            gone=MoneySum("disbursed", filter=Q(day__lte=today), default=ZERO)
            + MoneySum("returned", filter=Q(day__gt=cutoff, day__lte=today), default=ZERO),
            held=MoneySum("drawn", filter=Q(day__lte=today), default=ZERO)
            - MoneySum("disbursed", filter=Q(day__lte=today), default=ZERO),
        )
        .order_by()
    )
    # Never more than the cash held: a drawdown reversed after the cutoff (its cash sent
    # back) lowers what is held, though it is not a `returned` total.
    excess = {
        r["award"]: min(r["old_draws"] - r["gone"], r["held"]).quantize(CENT)
        for r in rows
        if min(r["old_draws"] - r["gone"], r["held"]) > 0
    }
    found = awards.filter(pk__in=excess).select_related("task_force").order_by("award_number")
    return [(award, excess[award.pk]) for award in found]


@dataclass(frozen=True)
class BudgetActual:
    category: str
    label: str
    budget_federal: Decimal
    budget_non_federal: Decimal
    spent_federal: Decimal
    spent_non_federal: Decimal

    @property
    def remaining_federal(self) -> Decimal:
        return self.budget_federal - self.spent_federal

    @property
    def share_spent(self) -> Decimal | None:
        if not self.budget_federal:
            return None
        return (self.spent_federal * 100 / self.budget_federal).quantize(Decimal("0.1"))


def budget_versus_actual(award: Award, *, as_of: date) -> list[BudgetActual]:
    """Per category: the current approved budget against expenditures to `as_of`."""
    lines = {line.category: line for line in award.budget_versions.lines_in_force()}
    # From the per-category totals (a row per day and category, not every entry); a
    # category counts as spent in once an expenditure moved it on some day.
    spent = {
        row["category"]: row
        for row in LedgerCategoryDay.objects.filter(award=award, day__lte=as_of)
        .exclude(category="")
        .values("category")
        .annotate(
            federal=MoneySum("federal_expenditures", default=ZERO),
            recipient=MoneySum("recipient_expenditures", default=ZERO),
            spending_days=Count(
                "pk", filter=~Q(federal_expenditures=0) | ~Q(recipient_expenditures=0)
            ),
        )
        .filter(spending_days__gt=0)
        .order_by()
    }
    result = []
    for code, label in Category.choices:
        line, actual = lines.get(code), spent.get(code)
        if line is None and actual is None:
            continue
        result.append(
            BudgetActual(
                category=code,
                label=label,
                budget_federal=line.federal_amount if line else ZERO,
                budget_non_federal=line.non_federal_amount if line else ZERO,
                spent_federal=actual["federal"] if actual else ZERO,
                spent_non_federal=actual["recipient"] if actual else ZERO,
            )
        )
    return result


def committed_by_category(award: Award) -> dict[str, Decimal]:
    """Per budget category, the federal money already committed in it: expenditures
    plus what is still owed on its obligations (an obligation's payments count against
    the obligation's category). A budget cannot go below this."""
    committed: dict[str, Decimal] = {}
    # Committed is what the unobligated balance (10h) counts against the authorized,
    # summed from the per-category totals (models.LedgerCategoryDay).
    terms = UNOBLIGATED.terms
    for row in (
        LedgerCategoryDay.objects.filter(award=award)
        .values("category")
        .annotate(**{total: MoneySum(total, default=ZERO) for total in terms})
        .order_by()
    ):
        committed[row["category"]] = -sum((sign * row[t] for t, sign in terms.items()), ZERO)
    return {category: total.quantize(CENT) for category, total in committed.items() if total}


def period_elapsed_share(award: Award, *, as_of: date) -> Decimal:
    """The share of the period of performance that has passed, in percent."""
    total = (award.period_end - award.period_start).days + 1
    passed = min(max((as_of - award.period_start).days + 1, 0), total)
    return (Decimal(passed) * 100 / Decimal(total)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class MatchMet:
    """The recipient's share required against what it has met, cash and in kind
    (docs/rules/cash-and-ledger.md#in-kind-match)."""

    as_of: date
    required: Decimal  # 10i, in force on `as_of`
    cash: Decimal
    in_kind: Decimal
    in_kind_by_basis: dict[str, Decimal]  # InKindBasis label -> amount

    @property
    def met(self) -> Decimal:  # 10j
        return self.cash + self.in_kind

    @property
    def remaining(self) -> Decimal:
        return max(self.required - self.met, ZERO)

    @property
    def is_met(self) -> bool:
        return self.met >= self.required


def match_met(award: Award, *, as_of: date) -> MatchMet:
    """The match required on `as_of` and the recipient's share of expenditures to that
    day (SF-425 10j on the recipient's basis: incurred, or on the cash basis paid), cash
    apart from in-kind contributions (by valuation basis)."""
    # The in-kind contributions are read from the entries (budgets_ledger_in_kind_idx
    # holds only them); the rest of the match is the day totals less them.
    rows = (
        LedgerEntry.objects.filter(
            moving("recipient_expenditures"),
            ~Q(in_kind_basis=""),
            award=award,
            effective_date__lte=as_of,
        )
        .values("in_kind_basis")
        .annotate(t=LINE_SUMS["recipient_expenditures"])
        .order_by("in_kind_basis")
    )
    by_basis = {row["in_kind_basis"]: row["t"].quantize(CENT) for row in rows}
    sums = ledger_sums(award, as_of=as_of)
    cash = sums["recipient_expenditures"] - sum(by_basis.values(), ZERO)
    if award.recipient.accounting_basis == Recipient.Basis.CASH:
        # Paid match: payments of cash match, and in kind on the day it is given.
        cash = sums["recipient_paid"] - sum(by_basis.values(), ZERO)
    labels = dict(LedgerEntry._meta.get_field("in_kind_basis").choices)
    return MatchMet(
        as_of=as_of,
        required=match_required_on(award, as_of),
        cash=cash,
        in_kind=sum(by_basis.values(), ZERO),
        in_kind_by_basis={labels[basis]: amount for basis, amount in by_basis.items() if amount},
    )
