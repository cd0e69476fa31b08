"""The kinds of ledger entry, each declared once.

A kind says which per-day totals an entry of it moves (the columns of models.LedgerDay,
most of them SF-425 lines) and with which sign, whether it names a budget category, which
shares it may carry, how it is dated, and so which fields its form shows. Everything that
differs by kind is derived from this table: the per-day totals and the balances read from
them (ledger_days, balances), the posting rules (ledger.entry_post: which balances an entry
must fit under, how late it may be dated), the ledger form (forms.EntryForm), the database
constraints on entries (models.LedgerEntry), the SF-425 lines that are ledger totals
(reports.sf425) and the ledger sheet's totals (reports.exports.workbooks).

`check_ledgers` (reconcile.py) does not read this table: it recomputes the totals from the
entries in its own words, and tests/budgets/test_kinds.py holds the two against each other.

This module imports no model: the models are built from it. docs/adding-a-ledger-kind.md
says how to add a kind.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q


class Share(models.TextChoices):
    FEDERAL = "federal", "Federal"
    RECIPIENT = "recipient", "Recipient (match)"


@dataclass(frozen=True)
class Total:
    """One per-day total of an award's ledger: a models.LedgerDay column, signed
    (a reversal counts against it), summed into the balances."""

    name: str  # the LedgerDay column
    meaning: str
    sf425: str = ""  # the SF-425 line it is, when it is one line as it stands
    # Its total below the ledger sheet, a SUMIFS over the sheet's Kind and Share columns;
    # "" for none (a total that depends on whether an entry pays an obligation cannot be
    # written that way).
    sheet_label: str = ""
    # Where it counts in per-category sums (budgets.balances.committed_by_category).
    category_field: str = "category"
    # The accounting basis (SF-425 line 7) under which it is the line `sf425`: "accrual"
    # (an expenditure counts when incurred) or "cash" (when paid); "" for both.
    basis: str = ""

    @property
    def help_text(self) -> str:
        return f"{self.sf425}: {self.meaning}" if self.sf425 else self.meaning


TOTALS = (
    Total("drawn", "drawdowns received", "10a", "Cash receipts (10a)"),
    Total("disbursed", "disbursements", "10b", "Cash disbursements (10b)"),
    Total(
        "federal_expenditures",
        "federal share of expenditures incurred",
        "10e",
        "Federal expenditures (10e)",
        basis="accrual",
    ),
    Total(
        "recipient_expenditures",
        "recipient share of expenditures incurred",
        "10j",
        "Recipient expenditures (10j)",
        basis="accrual",
    ),
    # What was paid of the expenditures: 10e and 10j on the cash basis
    # (docs/rules/sf425.md#accounting-basis).
    Total("federal_paid", "federal share of expenditures paid", "10e", basis="cash"),
    Total("recipient_paid", "recipient share of expenditures paid", "10j", basis="cash"),
    Total("obligated", "obligations made", sheet_label="Obligations"),
    # A payment of an obligation counts against the obligation's category.
    Total(
        "liquidated",
        "expenditures paying an obligation",
        category_field="obligation__category",
    ),
    Total("program_income", "program income earned", "10l", "Program income (10l)"),
    # 10m, 10n or (cost sharing) neither, by the award's alternative (reports.sf425).
    Total(
        "program_income_spent",
        "program income expended",
        sheet_label="Program income expended (10m or 10n)",
    ),
    # Cash returned also counts against 10a (drawn); kept apart as well so excess cash
    # can tell a return of old cash from a draw of new (balances.awards_with_excess_cash).
    Total("returned", "cash returned to the federal government"),
    # Interest earned on federal cash held in advance, and what of it was sent back
    # (docs/rules/cash-and-ledger.md#interest-on-advances). Neither is an SF-425 line.
    Total("interest_earned", "interest earned on federal advances", sheet_label="Interest earned"),
    Total(
        "interest_remitted",
        "interest on federal advances remitted",
        sheet_label="Interest remitted",
    ),
    # Federal funds taken off the award (a decrease, a termination, the unspent balance
    # at closeout) and given back to the appropriation: the funds authorized (10d) are the
    # funding lines less it, so 10h falls with it and no other line moves
    # (docs/rules/deobligation.md#on-the-ledger).
    Total("deobligated", "federal funds deobligated", sheet_label="Deobligated"),
)
TOTAL_NAMES = tuple(total.name for total in TOTALS)


@dataclass(frozen=True)
class Move:
    """An entry adds its amount to a total (sign +1) or takes it off (-1); its reversal
    does the opposite. `share`, `paying` and `in_kind` narrow the move to some of the
    kind's entries."""

    total: str
    sign: int = 1
    share: str = ""  # only entries of this share ("" for any)
    paying: bool = False  # only entries that pay an earlier entry (LedgerKind.pays)
    in_kind: bool = False  # only in-kind contributions (LedgerKind.in_kind_share)

    def applies(self, share: str, paying: bool, in_kind: bool = False) -> bool:
        return (
            (not self.share or self.share == share)
            and (paying or not self.paying)
            and (in_kind or not self.in_kind)
        )


@dataclass(frozen=True)
class Limit:
    """A balance that must not go below zero on any day: an entry that lowers it must fit
    under its lowest value from the entry's date on (balances.lowest_from)."""

    name: str  # its key in balances.lowest_from
    terms: dict[str, int]  # the balance as signed per-day totals
    # Counted down from the federal funds awarded (the funding lines in force; 10d is
    # that less what was deobligated, which the balance's terms take off).
    of_authorized: bool
    what: str  # how a refused amount names it
    reversal_refused: str  # why a reversal that would break it is refused

    def change(self, moved: dict[str, int]) -> int:
        """How an entry moving `moved` changes the balance: below zero lowers it."""
        return sum(sign * self.terms.get(total, 0) for total, sign in moved.items())


# Invariant 2 (docs/architecture.md#ledger-invariants): federal expenditures plus
# unliquidated obligations within what is authorized.
UNOBLIGATED = Limit(
    "unobligated",
    {"federal_expenditures": -1, "obligated": -1, "liquidated": 1, "deobligated": -1},
    of_authorized=True,
    what="of federal funds not yet spent or obligated",
    reversal_refused="Reversing {amount} would take federal spending and obligations "
    "beyond the funds authorized (only {low} is unobligated{on_day}).",
)
# Invariant 7: cash on hand never below zero.
CASH_ON_HAND = Limit(
    "cash_on_hand",
    {"drawn": 1, "disbursed": -1},
    of_authorized=False,
    what="of federal cash on hand",
    reversal_refused="Returning {amount} would leave cash on hand below zero "
    "(only {low} is on hand{on_day}).",
)
# Program income is spent only once earned (docs/rules/cash-and-ledger.md#program-income).
PROGRAM_INCOME_UNSPENT = Limit(
    "program_income_unspent",
    {"program_income": 1, "program_income_spent": -1},
    of_authorized=False,
    what="of program income earned and not yet spent",
    reversal_refused="Reversing {amount} would leave more program income spent than earned "
    "(only {low} is unspent{on_day}).",
)
# No more interest remitted than was earned (docs/rules/cash-and-ledger.md#interest-on-advances).
INTEREST_UNREMITTED = Limit(
    "interest_unremitted",
    {"interest_earned": 1, "interest_remitted": -1},
    of_authorized=False,
    what="of interest earned and not yet remitted",
    reversal_refused="Reversing {amount} of interest earned would leave more remitted than "
    "earned (only {low} is earned and not remitted{on_day}).",
)
# Invariant 1: no more drawn than authorized (10a within 10d), on every day: a payment
# dated in the past, a later deobligation, and a returned drawdown's reversal all fit.
UNDRAWN = Limit(
    "undrawn",
    {"drawn": -1, "deobligated": -1},
    of_authorized=True,
    what="of the funds authorized not yet drawn",
    reversal_refused="Reversing {amount} would leave more drawn than authorized "
    "(only {low} is undrawn{on_day}).",
)
LIMITS = (UNOBLIGATED, CASH_ON_HAND, PROGRAM_INCOME_UNSPENT, INTEREST_UNREMITTED, UNDRAWN)

# The totals also kept per budget category (models.LedgerCategoryDay): spending by share
# (budget against actual, the indirect cost base) and what the unobligated balance counts
# against the funds authorized (balances.committed_by_category, the 10% transfer rule).
CATEGORY_TOTALS = tuple(
    total.name
    for total in TOTALS
    if total.name in {"federal_expenditures", "recipient_expenditures", *UNOBLIGATED.terms}
)


class InKindBasis(models.TextChoices):
    """How a third-party in-kind contribution to the match is valued (2 CFR 200.306(e)
    to (i); docs/rules/cash-and-ledger.md#in-kind-match)."""

    VOLUNTEER_SERVICES = "volunteer_services", "Volunteer services, at rates paid for similar work"
    DONATED_SERVICES = (
        "donated_services",
        "Employee services donated by another employer, at the employee's regular rate",
    )
    DONATED_SUPPLIES = "donated_supplies", "Donated supplies, at fair market value"
    DONATED_EQUIPMENT = (
        "donated_equipment",
        "Donated equipment or buildings, at fair market value",
    )
    DONATED_SPACE = "donated_space", "Donated use of space, at fair rental value"
    LOANED_EQUIPMENT = "loaned_equipment", "Loaned equipment, at fair rental value"


_LOWERS: dict[tuple, tuple] = {}


@dataclass(frozen=True)
class LedgerKind:
    """One kind of entry: what it moves and what it needs. docs/adding-a-ledger-kind.md
    says what each field decides."""

    code: str  # stored in LedgerEntry.kind: never change one in use
    label: str
    moves: tuple[Move, ...]
    shares: tuple[str, ...] = (Share.FEDERAL,)  # the shares it may carry; the first is the default
    needs_category: bool = False  # names a budget category (A–J) with an approved budget
    # The kind of earlier entry an entry of this kind may pay, "" for none: an expenditure
    # pays (liquidates) an obligation, a disbursement pays an expenditure. The
    # LedgerEntry field of the same name holds the entry paid.
    pays: str = ""
    share_of_paid: bool = False  # takes its share from the entry it pays, not from the form
    recorded: bool = True  # recorded on the ledger form (False: enters by its own workflow)
    needs_reason: bool = False  # the memo is required, and the form asks for it as a reason
    date_label: str = "Date"  # what the form calls the effective date
    # The last day it may be dated: the end of the period of performance, or of the
    # liquidation period (docs/rules/cash-and-ledger.md#date-rules). A payment of an
    # obligation may always be dated to the end of the liquidation period. No entry is
    # dated in the future.
    until_liquidation: bool = False
    # Its form asks for a date paid, and a date given records the entry's payment in full
    # that day, as a disbursement paying it (ledger.entry_post): nobody types it twice.
    paid_on: bool = False
    # The share whose entries may be an in-kind contribution rather than cash, valued on
    # a basis (InKindBasis) and described ("" for none): the recipient's match may be met
    # in kind, federal spending never (docs/rules/cash-and-ledger.md#in-kind-match).
    in_kind_share: str = ""

    def moved(
        self, share: str, paying: bool, sign: int = 1, *, in_kind: bool = False
    ) -> dict[str, int]:
        """The totals one entry moves, with their signs (sign=-1: its reversal)."""
        return {
            move.total: sign * move.sign
            for move in self.moves
            if move.applies(share, paying, in_kind)
        }

    def lowers(self, share: str, paying: bool, sign: int = 1) -> tuple[Limit, ...]:
        """The balances an entry (sign=-1: its reversal) lowers, so must fit under."""
        # Asked for every entry a ledger import checks: worked out once per question.
        key = (self.code, share, paying, sign)
        if key not in _LOWERS:
            moved = self.moved(share, paying, sign)
            _LOWERS[key] = tuple(limit for limit in LIMITS if limit.change(moved) < 0)
        return _LOWERS[key]

    @property
    def form_fields(self) -> tuple[str, ...]:
        """The fields its form (forms.EntryForm) shows, in their order there."""
        return (
            "effective_date",
            "amount",
            *(("category",) if self.needs_category else ()),
            *(("share",) if len(self.shares) > 1 and not self.share_of_paid else ()),
            *((self.pays,) if self.pays else ()),
            *(("paid_on",) if self.paid_on else ()),
            *(("in_kind_basis", "in_kind_description") if self.in_kind_share else ()),
            "memo",
        )

    def condition(self, move: Move, fields: set[str] | None = None) -> Q | None:
        """The entries of this kind that `move` counts, as SQL. Given the entry model's
        `fields` (a data migration's historical model), None for a move that reads a
        field the model does not have yet: no entry could be counted by it then."""
        where = {"kind": self.code}
        if move.share:
            where["share"] = move.share
        if move.paying:
            where[f"{self.pays}__isnull"] = False
        read = {*(f"{self.pays}",) * move.paying, *("in_kind_basis",) * move.in_kind}
        if fields is not None and not read <= fields:
            return None
        return Q(**where) & ~Q(in_kind_basis="") if move.in_kind else Q(**where)


KINDS: dict[str, LedgerKind] = {
    kind.code: kind
    for kind in (
        LedgerKind(
            "obligation",
            "Obligation",
            moves=(Move("obligated"),),
            needs_category=True,
            date_label="Date obligated",
        ),
        LedgerKind(
            "expenditure",
            "Expenditure",
            moves=(
                Move("federal_expenditures", share=Share.FEDERAL),
                Move("recipient_expenditures", share=Share.RECIPIENT),
                Move("liquidated", paying=True),
                # An in-kind contribution is given, not paid: it counts as provided (10j
                # on the cash basis) on the day it is given.
                Move("recipient_paid", share=Share.RECIPIENT, in_kind=True),
            ),
            shares=(Share.FEDERAL, Share.RECIPIENT),
            needs_category=True,
            pays="obligation",
            date_label="Date incurred",
            paid_on=True,
            in_kind_share=Share.RECIPIENT,
        ),
        # Cash paid out. Federal cash paid is 10b, whether it pays an expenditure or not
        # (a payroll run covering several, an advance to a subrecipient); paying an
        # expenditure also counts it as paid (10e/10j on the cash basis). A payment of a
        # match expenditure is the recipient's money: it is no federal disbursement.
        # docs/rules/cash-and-ledger.md#paid
        LedgerKind(
            "disbursement",
            "Disbursement",
            moves=(
                Move("disbursed", share=Share.FEDERAL),
                Move("federal_paid", share=Share.FEDERAL, paying=True),
                Move("recipient_paid", share=Share.RECIPIENT, paying=True),
            ),
            shares=(Share.FEDERAL, Share.RECIPIENT),
            pays="expenditure",
            share_of_paid=True,
            date_label="Date paid out",
            until_liquidation=True,
        ),
        # Cash arrives when a drawdown request is marked paid (ledger.drawdown_mark_paid).
        LedgerKind(
            "drawdown",
            "Drawdown received",
            moves=(Move("drawn"),),
            recorded=False,
            until_liquidation=True,
        ),
        LedgerKind(
            "program_income",
            "Program income",
            moves=(Move("program_income"),),
            date_label="Date earned",
            until_liquidation=True,
        ),
        # Program income used on the project, under the award's alternative
        # (docs/rules/cash-and-ledger.md#program-income).
        LedgerKind(
            "program_income_spent",
            "Program income spent",
            moves=(Move("program_income_spent"),),
            date_label="Date spent",
            until_liquidation=True,
        ),
        # Cash drawn and not needed, sent back (docs/rules/cash-and-ledger.md#excess-cash):
        # 10a and cash on hand go down by it.
        LedgerKind(
            "cash_returned",
            "Cash returned",
            moves=(Move("drawn", sign=-1), Move("returned")),
            date_label="Date returned",
            until_liquidation=True,
            needs_reason=True,
        ),
        # Interest earned on federal cash held before it is paid out, and its annual
        # remittance (docs/rules/cash-and-ledger.md#interest-on-advances): what is
        # remitted never exceeds what was earned.
        LedgerKind(
            "interest_earned",
            "Interest earned",
            moves=(Move("interest_earned"),),
            date_label="Date earned",
            until_liquidation=True,
        ),
        LedgerKind(
            "interest_remitted",
            "Interest remitted",
            moves=(Move("interest_remitted"),),
            date_label="Date remitted",
            until_liquidation=True,
            needs_reason=True,
        ),
        # Federal funds given back (docs/rules/deobligation.md#on-the-ledger): entered by
        # an approved decrease or termination, and at closeout; never on the form. It
        # lowers the unobligated balance, so it never takes more than is unspent and
        # unobligated.
        LedgerKind(
            "deobligation",
            "Deobligation",
            moves=(Move("deobligated"),),
            recorded=False,
            date_label="Date deobligated",
            until_liquidation=True,
        ),
    )
}

EntryKind = models.TextChoices(
    "EntryKind",
    [(code.upper(), (code, kind.label)) for code, kind in KINDS.items()],
    module=__name__,
)


def counted(terms: dict[str, int], sign: int, fields: set[str] | None = None) -> Q | None:
    """The entries that move the signed sum of totals `terms` in the direction of `sign`
    (+1: add to it, -1: take from it), as SQL; None when no kind does. A reversal counts
    the other way (ledger_days.SIGNED_AMOUNT). `fields`: as LedgerKind.condition."""
    conditions = [
        condition
        for kind in KINDS.values()
        for move in kind.moves
        if move.sign * terms.get(move.total, 0) == sign
        and (condition := kind.condition(move, fields)) is not None
    ]
    return reduce(or_, conditions) if conditions else None


def moving(*totals: str) -> Q:
    """The entries that move any of `totals`, either way, as SQL."""
    return reduce(
        or_,
        [
            kind.condition(move)
            for kind in KINDS.values()
            for move in kind.moves
            if move.total in totals
        ],
    )


def either(words: list[str]) -> str:
    """'a, b or c'."""
    return " or ".join(filter(None, [", ".join(words[:-1]), words[-1]]))
