"""Matching a payments file from ASAP (the Treasury's payment system) to drawdown
requests, and recording the payments it shows (docs/rules/cash-and-ledger.md#asap-payments).

A payment matches an approved, unpaid request of the same award for the same amount: the
request its control number names when it names one, otherwise the oldest such request
made on or before the payment's settlement date. Each match is recorded through
ledger.drawdown_mark_paid, dated the settlement date, so every rule of a payment recorded
by hand holds (separation of duties, the date between the request and today, the funds
authorized as of that day). The whole file is recorded or nothing: the dry run records
every match in a transaction it then rolls back, so it refuses exactly what recording
would refuse.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from budgets import ledger
from budgets.models import DrawdownRequest
from budgets.upload_rows import (
    CellError,
    Columns,
    ImportRefused,
    Limits,
    blank,
    cell_amount,
    cell_date,
    file_refused,
    read_table,
)
from grants.audit import audit_record
from grants.duties import lock_award
from grants.models import Award, award_number_fiscal_year, normalize_award_number
from grants.money import format_money
from grants.refusals import refusals_kept

MAX_ROWS = 5000

# Field -> the headers that name it (matching ignores case and punctuation).
COLUMNS = {
    "award_number": ("Award number", "Award", "Grant number", "Account ID"),
    "paid_on": ("Payment date", "Settlement date", "Date paid", "Paid on"),
    "amount": ("Amount", "Payment amount", "Amount paid"),
    "control": (
        "ASAP control number",
        "Control number",
        "Request number",
        "Request ID",
        "ASAP request number",
    ),
}
REQUIRED = ("award_number", "paid_on", "amount")
LIMITS = Limits(max_rows=MAX_ROWS)


@dataclass(frozen=True)
class Payment:
    """One row of the file, read."""

    row: int
    award: Award | None  # None: no award has the number; listed without a request
    paid_on: date
    amount: object  # Decimal
    control: str = ""
    award_number: str = ""
    reason: str = ""  # why it has no request, when that is not "none matched"
    # Where its cells are, to name them in a refusal.
    columns: tuple = ()

    def cell(self, name: str) -> tuple[str, str]:
        return dict(self.columns).get(name, ("", ""))


@dataclass
class Matching:
    matched: list[tuple[Payment, DrawdownRequest]] = field(default_factory=list)
    already_recorded: list[tuple[Payment, DrawdownRequest]] = field(default_factory=list)
    without_request: list[Payment] = field(default_factory=list)
    requests_without_payment: list[DrawdownRequest] = field(default_factory=list)


def _control(value) -> str:
    if blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:60]


def parse_payment_file(name: str, content: bytes, *, today: date | None = None) -> list[Payment]:
    """The payments of an uploaded ASAP file, or ImportRefused listing every bad cell.
    A well-formed award number no award has is a payment listed without a request."""
    today = today or timezone.localdate()
    table = read_table(
        name,
        content,
        columns=Columns(headers=COLUMNS, required=REQUIRED, noun="payments"),
        limits=LIMITS,
    )
    where = tuple(table.where.items())
    awards = {}
    errors: list[CellError] = []
    payments: list[Payment] = []
    for number, row in table.rows:

        def error(name: str, message: str, number=number) -> None:
            errors.append(table.error(number, name, message))

        values = {}
        raw = row["award_number"]
        award_number = normalize_award_number("" if blank(raw) else str(raw))
        if not award_number:
            error("award_number", "the award number is empty.")
        elif award_number_fiscal_year(award_number) is None:
            error(
                "award_number",
                f"“{award_number}” is not a DOJ award number (such as 15PJDP-24-GK-01234-MECP "
                "or 2018-MC-FX-K060).",
            )
        else:
            if award_number not in awards:
                awards[award_number] = Award.objects.filter(award_number=award_number).first()
            values["award"] = awards[award_number]
        raw = row["paid_on"]
        if blank(raw):
            error("paid_on", "the payment date is empty.")
        else:
            try:
                paid_on = cell_date(raw)
            except ValueError as problem:
                error("paid_on", f"{problem}.")
            else:
                if paid_on > today:
                    error("paid_on", f"{paid_on:%m/%d/%Y} is in the future.")
                else:
                    values["paid_on"] = paid_on
        raw = row["amount"]
        if blank(raw):
            error("amount", "the amount is empty.")
        else:
            try:
                values["amount"] = cell_amount(raw)
            except ValueError as problem:
                error("amount", f"{problem}.")
        control = _control(row.get("control"))
        if len(values) == 3:
            reason = "" if values["award"] else f"no award has the number {award_number}."
            payments.append(
                Payment(
                    number,
                    control=control,
                    columns=where,
                    award_number=award_number,
                    reason=reason,
                    **values,
                )
            )
    if errors:
        raise ImportRefused(errors)
    if not payments:
        raise file_refused("The file has no payments under its header.")
    return payments


def _named_by_control(payment: Payment, candidates: list[DrawdownRequest]):
    digits = re.sub(r"^[A-Za-z#\- ]+", "", payment.control)
    if not digits.isdigit():
        return None
    return next((r for r in candidates if r.pk == int(digits)), None)


def match_payments(payments: list[Payment]) -> Matching:
    """Pair each payment with the request it pays (read only; recording re-reads under
    the award locks)."""
    awards = {p.award.pk for p in payments if p.award}
    approved = list(
        DrawdownRequest.objects.filter(status=DrawdownRequest.Status.APPROVED, award_id__in=awards)
        .select_related("award", "award__task_force", "decided_by")
        .order_by("requested_on", "pk")
    )
    paid = list(
        DrawdownRequest.objects.filter(status=DrawdownRequest.Status.PAID, award_id__in=awards)
        .select_related("award", "ledger_entry")
        .order_by("requested_on", "pk")
    )
    result = Matching()
    taken: set[int] = set()
    for payment in payments:
        if payment.award is None:
            result.without_request.append(payment)
            continue
        open_ones = [
            r
            for r in approved
            if r.pk not in taken and r.award_id == payment.award.pk and r.amount == payment.amount
        ]
        request = _named_by_control(payment, open_ones) if payment.control else None
        if request is None:
            request = next((r for r in open_ones if r.requested_on <= payment.paid_on), None)
        if request is not None:
            taken.add(request.pk)
            result.matched.append((payment, request))
            continue
        recorded = [
            r
            for r in paid
            if r.pk not in taken
            and r.award_id == payment.award.pk
            and r.amount == payment.amount
            and r.ledger_entry.effective_date == payment.paid_on
        ]
        request = (_named_by_control(payment, recorded) if payment.control else None) or next(
            iter(recorded), None
        )
        if request is not None:
            taken.add(request.pk)
            result.already_recorded.append((payment, request))
        else:
            result.without_request.append(payment)
    # Only the awards in the file: a payments file covers some awards, not the program.
    result.requests_without_payment = [r for r in approved if r.pk not in taken]
    return result


# The service's refusals, in the words a row of the file gives the person importing it.
ROW_WORDING = {
    ledger.OWN_APPROVAL: "You approved this drawdown, so you cannot also record its payment.",
}


def _refusal(payment: Payment, request: DrawdownRequest, problem: Exception) -> CellError:
    if isinstance(problem, PermissionDenied):
        return CellError(
            payment.row,
            "",
            "",
            f"{ROW_WORDING.get(str(problem), problem)} Drawdown request {request.pk} of award {request.award} "
            f"({format_money(request.amount)}) must be recorded by another financial approver.",
        )
    by_field = getattr(problem, "error_dict", {})
    column, header = payment.cell("paid_on" if "paid_on" in by_field else "amount")
    if not by_field:
        column, header = "", ""
    return CellError(payment.row, column, header, " ".join(problem.messages))


def record_payments(
    *,
    actor,
    payments: list[Payment],
    filename: str,
    dry_run: bool,
    today: date | None = None,
) -> Matching:
    """Record every matched payment, dated its settlement date, or none (ImportRefused
    naming each row the services refuse). A dry run does the same and rolls it back.
    The services' refusals stay on record, written after the rollback."""
    with refusals_kept(), transaction.atomic():
        matching = match_payments(payments)
        # Every award the file pays, locked first and in one order: recording a payment
        # writes an audit event, which holds the audit chain's head until the end, and a
        # posting elsewhere takes its award's lock before the head; locking an award only
        # after the head is held could deadlock with it.
        for award_id in sorted({request.award_id for _, request in matching.matched}):
            lock_award(award_id)
        errors: list[CellError] = []
        for payment, request in matching.matched:
            try:
                ledger.drawdown_mark_paid(
                    actor=actor, request=request, paid_on=payment.paid_on, today=today
                )
            except (PermissionDenied, ValidationError) as problem:
                errors.append(_refusal(payment, request, problem))
        if errors:
            raise ImportRefused(errors)
        if dry_run:
            transaction.set_rollback(True)
        elif matching.matched:
            audit_record(
                actor=actor,
                action="budgets.asap_import.recorded",
                data={
                    "filename": filename,
                    "recorded": [r.pk for _, r in matching.matched],
                    "already_recorded": [r.pk for _, r in matching.already_recorded],
                    "without_request": [p.row for p in matching.without_request],
                },
            )
    return matching
