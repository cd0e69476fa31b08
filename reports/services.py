"""Filing and reviewing reports, delinquency holds and closeout.

Each function runs in one transaction that locks the award, so a report and the hold
it lifts (or the closing it allows) change together.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.balances import award_balances
from budgets.deobligation import deobligate_at_closeout
from budgets.models import DrawdownRequest
from grants import access
from grants.audit import audit_record
from grants.duties import lock_award
from grants.models import Award, Hold
from grants.money import ZERO, format_money
from grants.refusals import refusal_audited
from grants.services import award_mark_closed, hold_place_for_late_report, holds_lift_for_report
from reports import comments, report_types
from reports.calendar import DueReport, find_due, reporting_calendar
from reports.models import (
    DRAFT_FIELDS,
    MEASURES,
    NARRATIVE,
    FiledReport,
    FinancialReport,
    ProgressDraft,
    ProgressReport,
    ReviewStatus,
)
from reports.report_types import FINANCIAL_REPORT, PROGRESS_REPORT, ReportType
from reports.selectors import REPORTING_STATUSES, calendar_for_awards
from reports.sf425 import compute_sf425

CERTIFIER_FIELDS = ("certifier_name", "certifier_title", "certifier_phone", "certifier_email")


def filed_periods(award: Award, report_type: ReportType) -> set[date]:
    return set(
        report_type.model.objects.filter(award=award, status__in=report_types.FILED).values_list(
            "period_end", flat=True
        )
    )


def _check_can_file(
    award: Award, report_type: ReportType, period_end: date, today: date
) -> DueReport:
    """The rules every filing obeys: a real period, ended, not filed already, in order."""
    kind = report_type.key
    due = find_due(award, kind, period_end)
    if due is None:
        raise ValidationError(
            f"{period_end:%m/%d/%Y} does not end a reporting period of award {award}."
        )
    if period_end >= today:
        raise ValidationError(
            f"The period ending {period_end:%m/%d/%Y} has not ended; its report can be filed "
            f"from {period_end + timedelta(days=1):%m/%d/%Y}."
        )
    existing = report_type.model.objects.filter(award=award, period_end=period_end).first()
    if existing is not None and existing.is_in:
        raise ValidationError(
            f"This report was already {existing.get_status_display().lower()} on {existing.submitted_at:%m/%d/%Y}."
        )
    filed = filed_periods(award, report_type)
    missing = [
        r
        for r in reporting_calendar(award)
        if r.kind == kind and r.period_end < period_end and r.period_end not in filed
    ]
    if missing:
        raise ValidationError(
            f"Reports are filed in order: file the {missing[0].label_in_sentence} first."
        )
    return due


def filing_refusal(award: Award, report_type: ReportType, period_end: date, today: date) -> str:
    """Why the report cannot be filed today, "" when it can: the rules the filing obeys,
    asked before its form is offered, so nobody fills in a form that will be refused
    (the period has not ended: from which day it can be filed; an earlier report first)."""
    try:
        _check_can_file(award, report_type, period_end, today)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def _open_filing(
    actor, award: Award, report_type: ReportType, period_end: date, today: date | None
) -> tuple[Award, DueReport, date]:
    """Start a filing: lock the award, check the person files this type of report and that
    the period can be filed now. Returns the locked award, the period and today's date."""
    award = lock_award(award.pk)
    access.require(report_type.may_file(actor, award), report_type.refusal)
    today = today or timezone.localdate()
    return award, _check_can_file(award, report_type, period_end, today), today


def _filed_at(today: date):
    """When the filing happened: now, or midday of the day the clock was set to."""
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(today, time(12)))


def _save_filing(model, award, due, actor, fields: dict, today: date):
    now = _filed_at(today)
    report = model.objects.filter(award=award, period_end=due.period_end).first()
    if report is None:
        report = model(award=award, period_end=due.period_end, submissions=0)
    for name, value in fields.items():
        setattr(report, name, value)
    report.is_final = due.is_final
    report.status = ReviewStatus.SUBMITTED
    report.submitted_by, report.submitted_at = actor, now
    report.submissions += 1
    report.reviewed_by, report.reviewed_at = None, None
    report.full_clean(exclude=["award", "submitted_by"])
    report.save()
    holds_lift_for_report(actor=actor, award=award, report_key=due.key)
    return report


@refusal_audited("reports.sf425.refused", on="award", attempted="certify")
@transaction.atomic
def sf425_submit(
    *,
    actor,
    award: Award,
    period_end: date,
    remarks: str = "",
    certifier: dict,
    today: date | None = None,
) -> FinancialReport:
    """Certify and submit the SF-425 the ledger computes for a period."""
    award, due, today = _open_filing(actor, award, FINANCIAL_REPORT, period_end, today)
    sf425 = compute_sf425(award, period_end=period_end, is_final=due.is_final)
    if due.is_final and sf425.lines["10f"] != ZERO:
        raise ValidationError(
            f"A final report cannot show unliquidated obligations: line 10f is {format_money(sf425.lines['10f'])}. "
            "Pay or reverse them first."
        )
    remarks = (remarks or "").strip()
    if sf425.cash_on_hand > ZERO and not remarks:
        raise ValidationError(
            {
                "remarks": f"Cash on hand is {format_money(sf425.cash_on_hand)} (line 10c): say in the remarks why it was not disbursed."
            }
        )
    missing = [name for name in CERTIFIER_FIELDS if not (certifier.get(name) or "").strip()]
    if missing:
        raise ValidationError({name: "The certification needs this." for name in missing})
    report = _save_filing(
        FinancialReport,
        award,
        due,
        actor,
        today=today,
        fields={
            "lines": sf425.as_json(),
            "remarks": remarks,
            **{k: certifier[k].strip() for k in CERTIFIER_FIELDS},
        },
    )
    audit_record(
        actor=actor,
        action="reports.sf425.submitted",
        obj=report,
        task_force=award.task_force,
        after={
            "period_end": str(period_end),
            "lines": report.lines,
            "remarks": remarks,
            "submission": report.submissions,
        },
    )
    return report


@transaction.atomic
def progress_submit(
    *,
    actor,
    award: Award,
    period_end: date,
    narrative: dict,
    measures: dict,
    today: date | None = None,
) -> ProgressReport:
    award, due, today = _open_filing(actor, award, PROGRESS_REPORT, period_end, today)
    if not (narrative.get("accomplishments") or "").strip():
        raise ValidationError(
            {"accomplishments": "Describe what the task force accomplished in the period."}
        )
    errors = {}
    for name, label in MEASURES:
        value = measures.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = f"{label}: enter a whole number, 0 or more."
    if errors:
        raise ValidationError(errors)
    report = _save_filing(
        ProgressReport,
        award,
        due,
        actor,
        today=today,
        fields={
            "accomplishments": narrative["accomplishments"].strip(),
            "challenges": (narrative.get("challenges") or "").strip(),
            "next_steps": (narrative.get("next_steps") or "").strip(),
            **{name: measures[name] for name, _ in MEASURES},
        },
    )
    # The draft it was written from has served: filed and gone together.
    ProgressDraft.objects.filter(award=award, period_end=period_end).delete()
    audit_record(
        actor=actor,
        action="reports.progress.submitted",
        obj=report,
        task_force=award.task_force,
        after={"period_end": str(period_end), "measures": {n: measures[n] for n, _ in MEASURES}},
    )
    return report


MEASURE_MAX = 10_000_000
NARRATIVE_MAX = 10_000


def _draft_values(data: dict) -> dict:
    """The draft's fields checked for type only: text for the narrative, a whole number
    0 or more (or nothing yet) for each measure. Completeness waits for submission."""
    unknown = sorted(set(data) - set(DRAFT_FIELDS))
    if unknown:
        raise ValidationError({name: f"A progress report has no field {name}." for name in unknown})
    values, errors = {}, {}
    for name in NARRATIVE:
        text = data.get(name) or ""
        if not isinstance(text, str):
            errors[name] = "Enter text."
        elif len(text) > NARRATIVE_MAX:
            errors[name] = f"Keep this to {NARRATIVE_MAX:,} characters (it has {len(text):,})."
        values[name] = text.strip() if isinstance(text, str) else ""
    for name, label in MEASURES:
        value = data.get(name)
        if value in (None, ""):
            value = None
        elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MEASURE_MAX:
            errors[name] = f"{label}: enter a whole number, 0 or more."
        values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def progress_draft_save(
    *, actor, award: Award, period_end: date, data: dict
) -> tuple[ProgressDraft, bool]:
    """Keep what has been written of a progress report so far, replacing the period's
    draft. Whoever files the report may save its draft, for any period whose report is
    still to be filed (before the period ends too): not one already submitted or
    accepted. Returns the draft and whether it is new."""
    award = lock_award(award.pk)
    access.require(PROGRESS_REPORT.may_file(actor, award), PROGRESS_REPORT.refusal)
    if find_due(award, PROGRESS_REPORT.key, period_end) is None:
        raise ValidationError(
            f"{period_end:%m/%d/%Y} does not end a reporting period of award {award}."
        )
    report = ProgressReport.objects.filter(award=award, period_end=period_end).first()
    if report is not None and report.is_in:
        raise ValidationError(
            f"This report was already {report.get_status_display().lower()} on "
            f"{report.submitted_at:%m/%d/%Y}: there is nothing left to draft."
        )
    values = _draft_values(data)
    draft, created = ProgressDraft.objects.update_or_create(
        award=award,
        period_end=period_end,
        defaults={"data": values, "updated_by": actor, "updated_at": timezone.now()},
    )
    audit_record(
        actor=actor,
        action="reports.progress.draft_saved",
        obj=draft,
        task_force=award.task_force,
        after={"period_end": str(period_end), **values},
    )
    return draft, created


@transaction.atomic
def report_submit(
    *,
    actor,
    award: Award,
    report_type: ReportType,
    period_end: date,
    fields: dict,
    today: date | None = None,
) -> FiledReport:
    """File a report of a type with no filing rules beyond its model's: the shared filing
    page's service. `fields` are the type's `fields`, as its form cleaned them."""
    award, due, today = _open_filing(actor, award, report_type, period_end, today)
    report = _save_filing(
        report_type.model,
        award,
        due,
        actor,
        today=today,
        fields={name: fields[name] for name in report_type.fields},
    )
    audit_record(
        actor=actor,
        action=f"reports.{report_type.key}.submitted",
        obj=report,
        task_force=award.task_force,
        after={
            "period_end": str(period_end),
            **{name: str(fields[name]) for name in report_type.fields},
            "submission": report.submissions,
        },
    )
    return report


@refusal_audited("reports.report.refused", on="report", attempted="review")
@transaction.atomic
def report_review(*, actor, report: FiledReport, accept: bool, comment: str = ""):
    """The program office accepts a submitted report or returns it with comments."""
    lock_award(report.award_id)
    access.require(access.can_manage_program(actor), "Only program managers review reports.")
    report = type(report).objects.get(pk=report.pk)
    if report.status != ReviewStatus.SUBMITTED:
        raise ValidationError(
            f"This report is {report.get_status_display().lower()}, not waiting for review."
        )
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": "Say what needs correcting."})
    report.status = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
    report.reviewed_by, report.reviewed_at, report.review_comment = actor, timezone.now(), comment
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    if not accept:
        comments.start_thread(actor=actor, report=report, reason=comment)
    kind = report_types.for_model(type(report)).key
    audit_record(
        actor=actor,
        action=f"reports.{kind}.{'accepted' if accept else 'returned'}",
        obj=report,
        task_force=report.award.task_force,
        after={"status": report.status, "comment": comment},
    )
    return report


def place_delinquency_holds(*, today: date | None = None) -> list[Hold]:
    """Hold the funds of every award with a report past due, of the types whose
    lateness holds funds (docs/rules/reporting-deadlines.md#delinquency-holds)."""
    today = today or timezone.localdate()
    placed = []
    awards = Award.objects.filter(status__in=REPORTING_STATUSES)
    for row in calendar_for_awards(awards, today=today):
        due = row.due
        if row.is_filed or due.due_on >= today or not due.report_type.holds_funds:
            continue
        hold = hold_place_for_late_report(
            award=due.award,
            report_key=due.key,
            placed_by="place_delinquency_holds",
            reason=f"{due.label} was due {due.due_on:%m/%d/%Y} and has not been submitted",
        )
        if hold:
            placed.append(hold)
    return placed


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    detail: str
    # False for an item that only warns: it is shown, but closing does not wait for it.
    blocks: bool = True


# Items the apps built on this one add to every closeout checklist (oversight's monitoring
# findings): functions of the award returning ChecklistItems, registered from their
# AppConfig.ready, so this app never imports them.
CHECKLIST_EXTENSIONS: list = []


def register_checklist_items(provider) -> None:
    if provider not in CHECKLIST_EXTENSIONS:
        CHECKLIST_EXTENSIONS.append(provider)


def checklist_blockers(checklist: list[ChecklistItem]) -> list[ChecklistItem]:
    """The items closing the award waits for."""
    return [item for item in checklist if item.blocks and not item.done]


def closeout_checklist(award: Award) -> list[ChecklistItem]:
    """What closeout needs (docs/rules/reporting-deadlines.md#closeout), each with where it
    stands, then the items registered by other apps."""
    return _ledger_and_report_items(award) + [
        item for provider in CHECKLIST_EXTENSIONS for item in provider(award)
    ]


def _ledger_and_report_items(award: Award) -> list[ChecklistItem]:
    final_ffr = FinancialReport.objects.filter(award=award, is_final=True).first()
    final_progress = ProgressReport.objects.filter(award=award, is_final=True).first()
    balances = award_balances(award, as_of=date.max)
    open_draws = DrawdownRequest.objects.filter(
        award=award, status__in=DrawdownRequest.OPEN
    ).count()
    unobligated = balances.unobligated
    return [
        ChecklistItem(
            "Final SF-425 accepted, with no unliquidated obligations",
            bool(
                final_ffr
                and final_ffr.status == ReviewStatus.ACCEPTED
                and final_ffr.lines.get("10f") == "0.00"
            ),
            final_ffr.get_status_display() if final_ffr else "Not filed",
        ),
        ChecklistItem(
            "Final progress report accepted",
            bool(final_progress and final_progress.status == ReviewStatus.ACCEPTED),
            final_progress.get_status_display() if final_progress else "Not filed",
        ),
        ChecklistItem(
            "Final drawdown made and no cash left on hand",
            open_draws == 0 and balances.cash_on_hand == ZERO,
            f"{open_draws} request(s) open; cash on hand {format_money(balances.cash_on_hand)}",
        ),
        ChecklistItem(
            "Remaining balance to deobligate recorded",
            bool(final_ffr and final_ffr.status == ReviewStatus.ACCEPTED),
            f"{format_money(unobligated)} to deobligate",
        ),
        ChecklistItem(
            "Match met",
            balances.recipient_expenditures >= balances.match_required,
            f"{format_money(balances.recipient_expenditures)} of {format_money(balances.match_required)}",
        ),
    ]


@refusal_audited("grants.award.refused", on="award", attempted="close")
@transaction.atomic
def award_close(*, actor, award: Award, today: date | None = None) -> Award:
    award = lock_award(award.pk)
    access.require(access.can_manage_program(actor))
    missing = [item.label for item in checklist_blockers(closeout_checklist(award))]
    if missing:
        raise ValidationError(["Closeout is not complete:"] + missing)
    # The unspent balance goes back to its appropriations as the award closes
    # (docs/rules/deobligation.md#at-closeout).
    deobligate_at_closeout(actor=actor, award=award, today=today or timezone.localdate())
    return award_mark_closed(actor=actor, award=award)
