"""The SF-425 Federal Financial Report, computed from the ledger (docs/rules/sf425.md).

Lines 10a–10o are cumulative from the start of the award to the period end; nothing is
typed in. Header lines 1–9 come from the award and its recipient. Line 11 lists each
indirect cost rate in force during the award with its base, amount charged and federal
share (budgets.indirect.indirect_lines); its totals (11g) are amounts like the others.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from budgets.balances import award_balances
from budgets.indirect import IndirectLine, indirect_lines
from budgets.kinds import TOTALS
from grants.models import Award, Recipient
from grants.money import ZERO

LINE_LABELS = {
    "10a": "Cash receipts",
    "10b": "Cash disbursements",
    "10c": "Cash on hand (10a − 10b)",
    "10d": "Total federal funds authorized",
    "10e": "Federal share of expenditures",
    "10f": "Federal share of unliquidated obligations",
    "10g": "Total federal share (10e + 10f)",
    "10h": "Unobligated balance of federal funds (10d − 10g)",
    "10i": "Total recipient share required",
    "10j": "Recipient share of expenditures",
    "10k": "Remaining recipient share to be provided (10i − 10j)",
    "10l": "Total federal program income earned",
    "10m": "Program income expended in accordance with the deduction alternative",
    "10n": "Program income expended in accordance with the addition alternative",
    "10o": "Unexpended program income (10l − 10m − 10n)",
    "11g-d": "Indirect expense totals: base",
    "11g-e": "Indirect expense totals: amount charged (rate × base)",
    "11g-f": "Indirect expense totals: federal share",
}
INDIRECT_TOTALS = ("11g-d", "11g-e", "11g-f")
# Where a certified report keeps its line 11 rows, beside the amounts of LINE_LABELS.
INDIRECT_ROWS = "11a-f"


@dataclass(frozen=True)
class SF425:
    award_number: str
    recipient: str
    recipient_address: str
    uei: str
    ein: str
    report_type: str
    basis: str
    period_start: date
    period_end: date
    reporting_period_end: date
    # Amounts by line; a certified report's (certified_sf425) is None where it had no
    # such line, and its line 11 rows None when they were not kept with it.
    lines: dict[str, Decimal | None]
    indirect: tuple[IndirectLine, ...] | None = ()

    def line_rows(self) -> list[tuple[str, str, Decimal]]:
        return [(number, LINE_LABELS[number], self.lines[number]) for number in LINE_LABELS]

    @property
    def cash_on_hand(self) -> Decimal:
        return self.lines["10c"]

    def as_json(self) -> dict:
        """What a submitted report keeps: each line's amount as a string, and the line 11
        rows under INDIRECT_ROWS."""
        return {number: str(amount) for number, amount in self.lines.items()} | {
            INDIRECT_ROWS: [row.as_json() for row in self.indirect]
        }


def _program_income(
    award: Award, earned: Decimal, spent: Decimal, recipient_share: Decimal
) -> dict[str, Decimal]:
    """Lines 10l, 10m, 10n (and 10j under cost sharing) by the award's alternative
    (docs/rules/sf425.md#program-income): spent under the deduction alternative is 10m,
    under the addition alternative 10n; used for cost sharing it is part of the
    recipient's share (10j) and not reported as federal program income (10l)."""
    alternative = Award.ProgramIncomeAlternative
    if award.program_income_alternative == alternative.COST_SHARING:
        return {"10l": earned - spent, "10m": ZERO, "10n": ZERO, "10j": recipient_share + spent}
    deduction = award.program_income_alternative == alternative.DEDUCTION
    return {
        "10l": earned,
        "10m": spent if deduction else ZERO,
        "10n": ZERO if deduction else spent,
    }


def compute_sf425(award: Award, *, period_end: date, is_final: bool) -> SF425:
    b = award_balances(award, as_of=period_end)
    # Line 7: the recipient's basis decides when an expenditure counts, incurred or paid
    # (docs/rules/sf425.md#accounting-basis).
    basis = Recipient.Basis(award.recipient.accounting_basis)
    # Line 11 on the date incurred whatever the basis (docs/rules/indirect-costs.md#sf-425-line-11).
    indirect = tuple(indirect_lines(award, as_of=period_end))
    # The lines that are ledger totals as they stand (budgets.kinds.TOTALS), on the basis.
    ledger = {
        total.sf425: b.totals[total.name] for total in TOTALS if total.sf425 and not total.basis
    } | b.on_basis(basis)
    ledger |= _program_income(award, b.program_income, b.program_income_spent, ledger["10j"])
    given = {
        "10c": b.cash_on_hand,
        "10d": b.authorized,
        "10g": b.total_federal_share,
        "10h": b.unobligated,
        "10i": b.match_required,
        "10k": b.match_required - ledger["10j"],
        "10o": ledger["10l"] - ledger["10m"] - ledger["10n"],
        "11g-d": sum((row.base for row in indirect), ZERO),
        "11g-e": sum((row.amount_charged for row in indirect), ZERO),
        "11g-f": sum((row.federal_share for row in indirect), ZERO),
    } | ledger
    lines = {number: given[number] for number in LINE_LABELS}
    return SF425(
        **_header(award, period_end=period_end, is_final=is_final), lines=lines, indirect=indirect
    )


def certified_sf425(report) -> SF425:
    """A submitted report's SF-425 as its certifier signed it: lines 1–9 from the award,
    the amounts and line 11's rows as the report kept them (None for what it did not
    keep). The ledger is not read: an evidence pack prints hundreds of these."""
    return SF425(
        **_header(report.award, period_end=report.period_end, is_final=report.is_final),
        lines=certified_amounts(report.lines),
        indirect=certified_indirect(report.lines),
    )


def _header(award: Award, *, period_end: date, is_final: bool) -> dict:
    """Lines 1–9: the award, its recipient and the reporting period."""
    recipient = award.recipient
    return {
        "award_number": award.award_number,
        "recipient": recipient.legal_name,
        "recipient_address": recipient.address,
        "uei": recipient.uei,
        "ein": recipient.ein,
        "report_type": "Final" if is_final else "Quarterly",
        "basis": Recipient.Basis(recipient.accounting_basis).label,
        "period_start": award.period_start,
        "period_end": award.period_end,
        "reporting_period_end": period_end,
    }


def variance(certified: dict[str, str], current: SF425) -> dict[str, tuple[Decimal, Decimal]]:
    """Lines whose recomputed value differs from what was certified: (certified, now)."""
    return {
        number: (Decimal(certified[number]), amount)
        for number, amount in current.lines.items()
        if number in certified and Decimal(certified[number]) != amount
    }


def certified_indirect(certified: dict) -> tuple[IndirectLine, ...] | None:
    """The line 11 rows a submitted report kept, or None for a report filed before
    they were kept with it."""
    rows = certified.get(INDIRECT_ROWS)
    if rows is None:
        return None
    return tuple(
        IndirectLine(
            rate_type=row["type"],
            rate=Decimal(row["rate"]),
            period_from=date.fromisoformat(row["from"]),
            period_to=date.fromisoformat(row["to"]),
            base=Decimal(row["base"]),
            amount_charged=Decimal(row["charged"]),
            federal_share=Decimal(row["federal"]),
        )
        for row in rows
    )


def certified_amounts(certified: dict) -> dict[str, Decimal | None]:
    """A submitted report's amounts by line; None for a line the report did not have
    when it was filed."""
    return {
        number: Decimal(certified[number]) if number in certified else None
        for number in LINE_LABELS
    }
