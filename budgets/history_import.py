"""Importing the program's past awards with their final figures, so the dashboard, the
money chain and the exports cover the program since FY1998
(docs/rules/award-lifecycle-and-budgets.md#past-awards).

Each row becomes a closed award made by the services a person's award goes through, so
every rule holds: award_create_with_budget (the award number, the period, the funding
from that year's appropriation within what is left of it), award_activate_past (the
acceptance happened before the system), ledger.final_figures_post (the cash drawn and the
expenditures paid, on the period's last day), closeout (the unspent balance deobligated
and given back to the appropriation), then closed. The whole file is imported or nothing;
the dry run imports it in a transaction it rolls back. An award number already present is
"already imported" when its figures equal the row's, and an error otherwise.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from budgets import ledger
from budgets.balances import award_balances, ledger_sums
from budgets.deobligation import deobligate_at_closeout
from budgets.models import Category
from budgets.services import LineInput, award_create_with_budget
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
from grants import access
from grants.audit import audit_record
from grants.duties import lock_award
from grants.models import (
    Appropriation,
    Award,
    FundingReturn,
    TaskForce,
    award_number_fiscal_year,
    normalize_award_number,
)
from grants.money import ZERO, MoneySum, format_money
from grants.refusals import refusals_kept
from grants.services import (
    FundingRequest,
    award_activate_past,
    award_mark_closed,
    award_transition,
)

MAX_ROWS = 5000
# The appropriation a year's awards come from when the year has several.
PROGRAM_APPROPRIATION = "ICAC Task Force Program"
BUDGET_NARRATIVE = "Past award: its budget by category is not on file; the whole award is here."

COLUMNS = {
    "award_number": ("Award number", "Award"),
    "task_force": ("Recipient", "Task force", "Task force code"),
    "fiscal_year": ("Fiscal year", "FY"),
    "period_start": ("Period start", "Project period start"),
    "period_end": ("Period end", "Project period end"),
    "federal_amount": ("Federal amount", "Award amount"),
    "appropriation": ("Appropriation", "Appropriation fiscal year"),
    "expended": ("Final federal expenditures", "Federal expenditures", "Drawn", "Final drawn"),
    "deobligated": ("Deobligated", "Deobligated at close", "Amount deobligated"),
    "title": ("Title",),
}
REQUIRED = (
    "award_number",
    "task_force",
    "fiscal_year",
    "period_start",
    "period_end",
    "federal_amount",
    "expended",
    "deobligated",
)
LIMITS = Limits(max_rows=MAX_ROWS)


@dataclass(frozen=True)
class PastAward:
    """One row of the file, read."""

    row: int
    award_number: str
    task_force: TaskForce
    fiscal_year: int
    period_start: date
    period_end: date
    federal_amount: object  # Decimal
    appropriation: Appropriation
    expended: object
    deobligated: object
    title: str
    columns: tuple = ()

    def cell(self, name: str) -> tuple[str, str]:
        return dict(self.columns).get(name, ("", ""))


@dataclass
class HistoryResult:
    imported: list[PastAward] = field(default_factory=list)
    already_imported: list[PastAward] = field(default_factory=list)


def _money(value, *, allow_zero: bool):
    amount = cell_amount(value, positive=False)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError(
            "the amount must be zero or more" if allow_zero else "the amount must be more than zero"
        )
    return amount


def _year(value) -> int:
    text = str(value).strip().upper().removeprefix("FY").strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit() or not 1998 <= int(text) <= 2100:
        raise ValueError(f"“{str(value).strip()}” is not a fiscal year from 1998 on")
    return int(text)


def _task_force(value, task_forces: list[TaskForce]) -> TaskForce:
    wanted = " ".join(str(value).split()).lower()
    for task_force in task_forces:
        if wanted in (task_force.code.lower(), task_force.name.lower()):
            return task_force
    # Or the recipient by its legal name: the task force it leads.
    led = [t for t in task_forces if t.lead_organization.legal_name.lower() == wanted]
    if len(led) == 1:
        return led[0]
    raise ValueError(
        f"no task force has the code or name “{str(value).strip()}”, nor a lead agency of that name"
    )


def _appropriation(year: int) -> Appropriation:
    found = list(Appropriation.objects.filter(fiscal_year=year).order_by("pk"))
    if len(found) > 1:
        found = [a for a in found if a.name == PROGRAM_APPROPRIATION] or found
    if not found:
        raise ValueError(
            f"no FY{year} appropriation is recorded; a program manager records it on the "
            "Appropriations page before the import"
        )
    if len(found) > 1:
        raise ValueError(
            f"FY{year} has {len(found)} appropriations and none is named “{PROGRAM_APPROPRIATION}”"
        )
    return found[0]


def parse_history_file(name: str, content: bytes) -> list[PastAward]:
    """The past awards of an uploaded file, or ImportRefused listing every bad cell."""
    table = read_table(
        name,
        content,
        columns=Columns(headers=COLUMNS, required=REQUIRED, noun="awards"),
        limits=LIMITS,
    )
    columns = table.where
    where = tuple(table.where.items())
    task_forces = list(TaskForce.objects.select_related("lead_organization").order_by("pk"))
    appropriations: dict[int, Appropriation | str] = {}
    errors: list[CellError] = []
    parsed: list[PastAward] = []
    seen: dict[str, int] = {}
    for number, row in table.rows:
        failed = len(errors)

        def error(name: str, message: str, number=number) -> None:
            letter, title = dict(where)[name]
            errors.append(CellError(number, letter, title, message))

        def cell(name: str, row=row):
            return row.get(name)

        values: dict = {}
        for name in REQUIRED:
            if blank(cell(name)):
                error(name, f"the {dict(where)[name][1].lower()} is empty.")
        if not blank(cell("award_number")):
            number_text = normalize_award_number(str(cell("award_number")))
            if award_number_fiscal_year(number_text) is None:
                error(
                    "award_number",
                    f"“{number_text}” is not a DOJ award number (such as "
                    "15PJDP-24-GK-01234-MECP, 2018-MC-FX-K060 or 98-MC-CX-K003).",
                )
            elif number_text in seen:
                error(
                    "award_number",
                    f"{number_text} appears again (first on row {seen[number_text]}).",
                )
            else:
                seen[number_text] = number
                values["award_number"] = number_text
        if not blank(cell("task_force")):
            try:
                values["task_force"] = _task_force(cell("task_force"), task_forces)
            except ValueError as problem:
                error("task_force", f"{problem}.")
        if not blank(cell("fiscal_year")):
            try:
                values["fiscal_year"] = _year(cell("fiscal_year"))
            except ValueError as problem:
                error("fiscal_year", f"{problem}.")
        if "fiscal_year" in values and "award_number" in values:
            named = award_number_fiscal_year(values["award_number"])
            if named != values["fiscal_year"]:
                error(
                    "fiscal_year",
                    f"FY{values['fiscal_year']} is not the year award number "
                    f"{values['award_number']} names (FY{named}).",
                )
        for name in ("period_start", "period_end"):
            if not blank(cell(name)):
                try:
                    values[name] = cell_date(cell(name))
                except ValueError as problem:
                    error(name, f"{problem}.")
        if "period_start" in values and "period_end" in values:
            if values["period_end"] < values["period_start"]:
                error("period_end", "the period ends before it starts.")
        for name in ("federal_amount", "expended", "deobligated"):
            if not blank(cell(name)):
                try:
                    values[name] = _money(cell(name), allow_zero=name != "federal_amount")
                except ValueError as problem:
                    error(name, f"{problem}.")
        if {"federal_amount", "expended", "deobligated"} <= values.keys():
            total = values["expended"] + values["deobligated"]
            if total != values["federal_amount"]:
                error(
                    "deobligated",
                    f"final federal expenditures {format_money(values['expended'])} plus "
                    f"deobligated {format_money(values['deobligated'])} is {format_money(total)}, "
                    f"not the federal amount {format_money(values['federal_amount'])}: a closed "
                    "award spent or gave back every dollar.",
                )
        year = None
        if not blank(cell("appropriation")):
            try:
                year = _year(cell("appropriation"))
            except ValueError as problem:
                error("appropriation", f"{problem}.")
        elif "fiscal_year" in values:
            year = values["fiscal_year"]
        if year is not None:
            if year not in appropriations:
                try:
                    appropriations[year] = _appropriation(year)
                except ValueError as problem:
                    appropriations[year] = f"{problem}."
            if isinstance(appropriations[year], str):
                error(
                    "appropriation" if "appropriation" in columns else "fiscal_year",
                    appropriations[year],
                )
            else:
                values["appropriation"] = appropriations[year]
        title = "" if blank(cell("title")) else " ".join(str(cell("title")).split())
        if len(errors) == failed:
            parsed.append(
                PastAward(
                    row=number,
                    title=title
                    or f"FY{values['fiscal_year']} Internet Crimes Against Children Task Force Program",
                    columns=where,
                    **values,
                )
            )
    if errors:
        raise ImportRefused(errors)
    if not parsed:
        raise file_refused("The file has no awards under its header.")
    return parsed


# --- Importing ---------------------------------------------------------------------------


def _recorded_figures(award: Award) -> dict:
    funding = award.funding_lines.all()
    sums = ledger_sums(award)
    returned = FundingReturn.objects.filter(funding_line__award=award).aggregate(
        t=MoneySum("amount", default=ZERO)
    )["t"]
    return {
        "task force": award.task_force.code,
        "period start": award.period_start,
        "period end": award.period_end,
        "federal amount": funding.aggregate(t=MoneySum("amount", default=ZERO))["t"].quantize(ZERO),
        "appropriation": sorted({f"FY{line.appropriation.fiscal_year}" for line in funding}),
        "final federal expenditures": sums["federal_expenditures"],
        "deobligated": returned.quantize(ZERO),
        "status": award.status,
    }


def _file_figures(past: PastAward) -> dict:
    return {
        "task force": past.task_force.code,
        "period start": past.period_start,
        "period end": past.period_end,
        "federal amount": past.federal_amount,
        "appropriation": [f"FY{past.appropriation.fiscal_year}"],
        "final federal expenditures": past.expended,
        "deobligated": past.deobligated,
        "status": Award.Status.CLOSED,
    }


def _shown(value) -> str:
    if isinstance(value, date):
        return f"{value:%m/%d/%Y}"
    if isinstance(value, list):
        return ", ".join(value)
    if hasattr(value, "quantize"):
        return format_money(value)
    return str(value)


def _differences(award: Award, past: PastAward) -> list[str]:
    recorded, wanted = _recorded_figures(award), _file_figures(past)
    return [
        f"{name} {_shown(recorded[name])} (the file says {_shown(wanted[name])})"
        for name in wanted
        if recorded[name] != wanted[name]
    ]


# Posts a past award's ledger entry by entry in place of its final figures in one day: it
# is called with the award, active, under its lock, and posts through the rule-checked
# batch path (budgets.ledger_batch); its federal expenditures must come to the file's.
LedgerBuilder = Callable[[Award, PastAward], None]


def _import_one(actor, past: PastAward, today: date, ledger_of: LedgerBuilder | None) -> Award:
    award = award_create_with_budget(
        actor=actor,
        lines=[LineInput(Category.OTHER, past.federal_amount, ZERO, BUDGET_NARRATIVE)],
        award_number=past.award_number,
        title=past.title,
        task_force=past.task_force,
        period_start=past.period_start,
        period_end=past.period_end,
        funding=[FundingRequest(past.appropriation.pk, past.federal_amount)],
        ug_version=Award.UniformGuidance.in_force_on(past.period_start),
        # A past award is under the program of the money that paid for it (a Recovery
        # Act award under 16.800).
        assistance_listing=past.appropriation.assistance_listing,
        # Made when its period began: the appropriation must have been available then.
        today=past.period_start,
    )
    award = award_activate_past(actor=actor, award=award, today=today)
    award = lock_award(award.pk)
    if ledger_of is not None:
        ledger_of(award, past)
        spent = ledger_sums(award)["federal_expenditures"]
        if spent != past.expended:
            raise ValidationError(
                {
                    "amount": f"The ledger posted comes to {format_money(spent)} of federal "
                    f"expenditures, not the {format_money(past.expended)} of the file."
                }
            )
        _check_settled(award)
    elif past.expended > ZERO:
        ledger.final_figures_post(
            actor=actor, award=award, expended=past.expended, on=past.period_end, today=today
        )
    award = award_transition(actor=actor, award=award, to_status=Award.Status.IN_CLOSEOUT)
    award = lock_award(award.pk)
    deobligate_at_closeout(actor=actor, award=award, today=past.period_end)
    return award_mark_closed(actor=actor, award=lock_award(award.pk))


def _check_settled(award: Award) -> None:
    """A past award closes as the closeout checklist would let it (reports.services): no
    federal cash on hand (10c: drawn less disbursed) and no unliquidated obligations
    (10f), as the one-day final figures guarantee by drawing, spending and paying alike."""
    balances = award_balances(award, as_of=date.max)
    problems = []
    if balances.cash_on_hand != ZERO:
        problems.append(
            f"{format_money(balances.cash_on_hand)} of federal cash on hand "
            f"({format_money(balances.drawn)} drawn, {format_money(balances.disbursed)} disbursed)"
        )
    if balances.unliquidated != ZERO:
        problems.append(f"{format_money(balances.unliquidated)} of unliquidated obligations")
    if problems:
        raise ValidationError(
            {
                "amount": f"The ledger posted leaves {' and '.join(problems)}: a closed award has none."
            }
        )


# Service errors by field, and the column that holds what they are about.
FIELD_COLUMNS = {
    "award_number": "award_number",
    "period_start": "period_start",
    "period_end": "period_end",
    "funding": "appropriation",
    "effective_date": "period_end",
    "paid_on": "period_end",
    "amount": "expended",
    "decrease_amount": "deobligated",
}


def _refusal(past: PastAward, problem: Exception) -> list[CellError]:
    if isinstance(problem, PermissionDenied):
        return [CellError(past.row, "", "", str(problem) or "You may not import past awards.")]
    found = []
    for name, messages in getattr(problem, "message_dict", {"": problem.messages}).items():
        column = FIELD_COLUMNS.get(name, "")
        if column == "appropriation" and not past.cell("appropriation")[0]:
            column = "fiscal_year"
        letter, title = past.cell(column) if column else ("", "")
        found.extend(CellError(past.row, letter, title, message) for message in messages)
    return found


def import_history(
    *,
    actor,
    awards: list[PastAward],
    filename: str,
    dry_run: bool,
    today: date | None = None,
    ledger_of: LedgerBuilder | None = None,
) -> HistoryResult:
    """Import every past award of the file or none (ImportRefused naming each row the
    services refuse). A dry run does the same and rolls it back. `ledger_of`, when given,
    posts each award's ledger in detail instead of its final figures in one day."""
    access.require(access.can_manage_program(actor), "Only a program manager imports past awards.")
    today = today or timezone.localdate()
    result = HistoryResult()
    errors: list[CellError] = []
    # The services' refusals stay on record, written after the rollback.
    with refusals_kept(), transaction.atomic():
        numbers = [past.award_number for past in awards]
        existing = {
            award.award_number: award
            for award in Award.objects.filter(Q(award_number__in=numbers)).select_related(
                "task_force"
            )
        }
        for past in awards:
            award = existing.get(past.award_number)
            if award is not None:
                differences = _differences(award, past)
                if differences:
                    letter, title = past.cell("award_number")
                    errors.append(
                        CellError(
                            past.row,
                            letter,
                            title,
                            f"award {past.award_number} is already recorded with other figures: "
                            + "; ".join(differences)
                            + ".",
                        )
                    )
                else:
                    result.already_imported.append(past)
                continue
            try:
                with transaction.atomic():
                    _import_one(actor, past, today, ledger_of)
            except (PermissionDenied, ValidationError) as problem:
                errors.extend(_refusal(past, problem))
            else:
                result.imported.append(past)
        if errors:
            raise ImportRefused(errors)
        if dry_run:
            transaction.set_rollback(True)
        elif result.imported:
            audit_record(
                actor=actor,
                action="budgets.history_import.imported",
                data={
                    "filename": filename,
                    "imported": [p.award_number for p in result.imported],
                    "already_imported": [p.award_number for p in result.already_imported],
                },
            )
    return result
