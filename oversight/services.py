"""Writes of the oversight app: one function per use case, atomic, audited
(docs/rules/oversight.md)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grants import access
from grants.audit import audit_record, snapshot
from grants.duties import lock_award
from grants.models import Award, Hold, Recipient
from grants.money import checked_amount
from grants.months import add_months
from grants.refusals import record_refusal, refusals_written
from grants.services import hold_place_by_system, holds_lift_by_system
from grants.text import clean_text
from oversight import risk
from oversight.history import history_of_performance
from oversight.models import (
    OPEN_FINDING,
    Finding,
    MonitoringActivity,
    RiskReview,
    SpecialCondition,
)

# Awards a review's conditions and monitoring plan apply to: those of its fiscal year not
# yet closed.
REVIEWED_STATUSES = (
    Award.Status.DRAFT,
    Award.Status.OFFERED,
    Award.Status.ACCEPTED,
    Award.Status.ACTIVE,
)
# A plan never schedules more than this many activities of one kind on an award.
MAX_PLANNED = 12

REVIEW_FIELDS = [
    "recipient",
    "fiscal_year",
    "reviewed_on",
    "financial_stability",
    "audit_findings",
    "audit_material_weakness",
    "sam_active",
    "sam_expires_on",
    "exclusions_found",
    "sam_checked_on",
    "history_from",
    "late_reports",
    "excess_cash_holds",
    "program_holds",
    "returned_reports",
    "score",
    "computed_level",
]


def assessment_of(review: RiskReview) -> risk.Assessment:
    return risk.assess(
        financial_stability=review.financial_stability,
        audit_findings=review.audit_findings,
        audit_material_weakness=review.audit_material_weakness,
        history_events=review.history_total,
        sam_active=review.sam_active,
        exclusions_found=review.exclusions_found,
    )


@transaction.atomic
def risk_review_record(
    *,
    actor,
    recipient: Recipient,
    fiscal_year: int,
    reviewed_on: date,
    financial_stability: str,
    sam_active: bool,
    sam_checked_on: date,
    financial_notes: str = "",
    audit_findings: int = 0,
    audit_material_weakness: bool = False,
    audit_notes: str = "",
    sam_expires_on: date | None = None,
    exclusions_found: bool = False,
) -> RiskReview:
    """Record a recipient's risk review for a fiscal year, with its history of performance
    counted from the records and the level the rule computes. A program manager decides it."""
    access.require(access.can_manage_oversight(actor), "Only program managers record risk reviews.")
    Recipient.objects.select_for_update().get(pk=recipient.pk)
    errors = {}
    if RiskReview.objects.filter(recipient=recipient, fiscal_year=fiscal_year).exists():
        errors["fiscal_year"] = f"{recipient} already has a risk review for FY{fiscal_year}."
    if sam_checked_on > reviewed_on:
        errors["sam_checked_on"] = "SAM.gov is checked on or before the day of the review."
    if sam_active and sam_expires_on is not None and sam_expires_on < sam_checked_on:
        errors["sam_expires_on"] = (
            "A registration that expired before it was checked is not active: "
            "untick “SAM.gov registration active” or correct the date."
        )
    if errors:
        raise ValidationError(errors)
    history = history_of_performance(recipient, reviewed_on=reviewed_on)
    review = RiskReview(
        recipient=recipient,
        fiscal_year=fiscal_year,
        reviewed_on=reviewed_on,
        financial_stability=financial_stability,
        financial_notes=clean_text(financial_notes),
        audit_findings=audit_findings,
        audit_material_weakness=audit_material_weakness,
        audit_notes=clean_text(audit_notes),
        sam_active=sam_active,
        sam_expires_on=sam_expires_on,
        exclusions_found=exclusions_found,
        sam_checked_on=sam_checked_on,
        history_from=history.history_from,
        late_reports=history.late_reports,
        excess_cash_holds=history.excess_cash_holds,
        program_holds=history.program_holds,
        returned_reports=history.returned_reports,
        created_by=actor,
    )
    assessment = assessment_of(review)
    review.score, review.computed_level = assessment.score, assessment.level
    review.full_clean(exclude=["level", "created_by"])
    review.save()
    audit_record(
        actor=actor,
        action="oversight.risk_review.recorded",
        obj=review,
        after=snapshot(review, REVIEW_FIELDS),
    )
    return review


def refuse_recipient_staff(actor, review: RiskReview) -> None:
    """A person on the reviewed recipient's own staff never decides its review, whatever
    roles the person holds. The refusal is audited in its own transaction, before the
    decision's, so it stays on record although nothing else is written."""
    if review.recipient_id in access.recipient_ids(actor):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="oversight.risk_review.decision_refused",
                obj=review,
                data={"why": "recipient staff"},
            )
        raise PermissionDenied(
            f"You are on the staff of {review.recipient}: another program manager must "
            "decide its risk review."
        )


def risk_review_decide(
    *,
    actor,
    review: RiskReview,
    level: str,
    signature: str,
    level_reason: str = "",
    condition_keys: tuple[str, ...] = (),
    clear_by: date | None = None,
    today: date | None = None,
) -> RiskReview:
    refuse_recipient_staff(actor, review)
    return _decide(
        actor=actor,
        review=review,
        level=level,
        signature=signature,
        level_reason=level_reason,
        condition_keys=condition_keys,
        clear_by=clear_by,
        today=today or timezone.localdate(),
    )


@transaction.atomic
def _decide(*, actor, review, level, signature, level_reason, condition_keys, clear_by, today):
    """Decide and sign the level; impose the chosen proposed conditions and plan the
    monitoring its frequency gives on each of the recipient's awards of the year."""
    access.require(access.can_manage_oversight(actor), "Only program managers decide risk reviews.")
    awards = list(
        Award.objects.select_for_update()
        .filter(
            recipient_id=review.recipient_id,
            fiscal_year=review.fiscal_year,
            status__in=REVIEWED_STATUSES,
        )
        .order_by("pk")
    )
    review = RiskReview.objects.select_for_update().get(pk=review.pk)
    if review.status == RiskReview.Status.DECIDED:
        raise ValidationError("This risk review is already decided.")
    errors = {}
    if level not in RiskReview.Level.values:
        errors["level"] = "Choose low, moderate or high."
    level_reason = clean_text(level_reason)
    if level != review.computed_level and not level_reason:
        errors["level_reason"] = (
            f"The rule computes {review.get_computed_level_display().lower()}: say why the "
            "decided level differs."
        )
    signature = clean_text(signature)
    full_name = actor.get_full_name().strip()
    if not signature:
        errors["signature"] = "Type your full name to sign the decision."
    elif full_name and signature.casefold() != full_name.casefold():
        errors["signature"] = f"Type your full name as your account has it: {full_name}."
    proposed = {c.key: c for c in assessment_of(review).proposed}
    unknown = [key for key in condition_keys if key not in proposed]
    if unknown:
        errors["conditions"] = "Choose among the conditions the review proposes."
    if condition_keys:
        if clear_by is None:
            errors["clear_by"] = "Say by when the conditions must be cleared."
        elif clear_by < review.reviewed_on:
            errors["clear_by"] = (
                f"The due date {clear_by:%m/%d/%Y} is before the review of "
                f"{review.reviewed_on:%m/%d/%Y}."
            )
        elif clear_by < today:
            errors["clear_by"] = (
                f"The due date {clear_by:%m/%d/%Y} is before today, {today:%m/%d/%Y}."
            )

    if errors:
        raise ValidationError(errors)
    before = snapshot(review, ["status", "level"])
    desk, site = risk.frequency_for(level)
    review.status, review.level, review.level_reason = (
        RiskReview.Status.DECIDED,
        level,
        level_reason,
    )
    review.desk_review_months, review.site_visit_months = desk, site
    review.decided_by, review.decided_at, review.signature = actor, timezone.now(), signature
    review.save()
    audit_record(
        actor=actor,
        action="oversight.risk_review.decided",
        obj=review,
        before=before,
        after={
            **snapshot(
                review,
                ["status", "level", "level_reason", "desk_review_months", "site_visit_months"],
            ),
            "signature": signature,
            "computed_level": review.computed_level,
        },
    )
    for award in awards:
        for key in condition_keys:
            c = proposed[key]
            _impose(
                actor=actor,
                award=award,
                text=c.text,
                withholds_funds=c.withholds_funds,
                clearer_role=c.clearer_role,
                clear_by=clear_by,
                imposed_on=today,
                review=review,
            )
        _plan(actor=actor, award=award, review=review, start=review.reviewed_on)
    return review


def _plan(*, actor, award: Award, review: RiskReview, start: date) -> list[MonitoringActivity]:
    planned = []
    for kind, months in (
        (MonitoringActivity.Kind.DESK_REVIEW, review.desk_review_months),
        (MonitoringActivity.Kind.SITE_VISIT, review.site_visit_months),
    ):
        if not months:
            continue
        first = max(start, award.period_start)
        day, n = add_months(first, months), 0
        # A site visit at least once in the period when the level calls for visits.
        if kind == MonitoringActivity.Kind.SITE_VISIT and day > award.period_end:
            day = award.period_end
        while day <= award.period_end and n < MAX_PLANNED:
            planned.append(
                MonitoringActivity(award=award, review=review, kind=kind, planned_on=day)
            )
            n += 1
            day = add_months(first, months * (n + 1))
    MonitoringActivity.objects.bulk_create(planned)
    if planned:
        audit_record(
            actor=actor,
            action="oversight.monitoring.planned",
            obj=award,
            task_force=award.task_force,
            after={
                "review": review.pk,
                "activities": [
                    f"{a.get_kind_display()} {a.planned_on.isoformat()}" for a in planned
                ],
            },
        )
    return planned


def _impose(
    *, actor, award, text, withholds_funds, clearer_role, clear_by, imposed_on, review=None
) -> SpecialCondition:
    """Runs inside the caller's transaction, which holds the award lock."""
    number = (
        award.special_condition_records.order_by("-number").values_list("number", flat=True).first()
        or 0
    ) + 1
    condition = SpecialCondition(
        award=award,
        number=number,
        review=review,
        text=text,
        withholds_funds=withholds_funds,
        clearer_role=clearer_role,
        clear_by=clear_by,
        imposed_on=imposed_on,
        imposed_by=actor,
    )
    condition.full_clean(exclude=["hold"])
    condition.save()
    if withholds_funds:
        condition.hold = hold_place_by_system(
            award=award,
            cause=Hold.Cause.SPECIAL_CONDITION,
            reason=f"Special condition {number} is not cleared: {text}"[:500],
            placed_by=f"special condition {number}",
            report_key=_hold_key(condition),
        )
        condition.save(update_fields=["hold"])
    audit_record(
        actor=actor,
        action="oversight.condition.imposed",
        obj=condition,
        task_force=award.task_force,
        after=snapshot(
            condition,
            ["award", "number", "text", "withholds_funds", "clearer_role", "clear_by", "review"],
        ),
    )
    return condition


def _hold_key(condition: SpecialCondition) -> str:
    # The hold's report_key names the condition, so clearing one lifts its own hold only.
    return f"condition-{condition.number}"


def refuse_own_recipient(actor, award: Award, *, action: str, attempted: str, message: str):
    """A person on the staff of the award's recipient never imposes its conditions or
    plans its monitoring, whatever roles the person holds (as for its risk review). The
    refusal is kept aside and written when the enclosing `refusals_kept()` block ends,
    after the service's transaction has rolled back (grants.refusals)."""
    if award.recipient_id in access.recipient_ids(actor):
        refusal = PermissionDenied(message)
        record_refusal(actor=actor, action=action, obj=award, attempted=attempted, reasons=refusal)
        raise refusal


@refusals_written
@transaction.atomic
def condition_impose(
    *,
    actor,
    award: Award,
    text: str,
    withholds_funds: bool,
    clearer_role: str,
    clear_by: date | None,
    today: date | None = None,
) -> SpecialCondition:
    """A special condition placed on an award by a program manager outside its
    recipient: with its text, the role that clears it and a clear-by date from today,
    on an award not closed, and not twice while the first is open."""
    access.require(
        access.can_manage_oversight(actor), "Only program managers impose special conditions."
    )
    award = lock_award(award.pk)
    refuse_own_recipient(
        actor,
        award,
        action="oversight.condition.refused",
        attempted="impose a special condition",
        message=f"You are on the staff of {award.recipient}: another program manager must "
        "impose its special conditions.",
    )
    today = today or timezone.localdate()
    text = clean_text(text)
    errors = {}
    if award.status == Award.Status.CLOSED:
        raise ValidationError(f"Award {award} is closed: no condition can be imposed on it.")
    if not text:
        errors["text"] = "Write the condition: what the recipient must do."
    else:
        # A second submission of the same form would impose it, and hold funds, twice.
        same = award.special_condition_records.filter(
            text=text, status=SpecialCondition.Status.OPEN
        ).first()
        if same is not None:
            errors["text"] = f"Special condition {same.number} already says this and is open."
    if clearer_role not in SpecialCondition.ClearerRole.values:
        errors["clearer_role"] = "Choose who clears the condition."
    if clear_by is None:
        errors["clear_by"] = "Say by when the condition must be cleared."
    elif clear_by < today:
        errors["clear_by"] = f"The due date {clear_by:%m/%d/%Y} is before today, {today:%m/%d/%Y}."
    if errors:
        raise ValidationError(errors)
    return _impose(
        actor=actor,
        award=award,
        text=text,
        withholds_funds=withholds_funds,
        clearer_role=clearer_role,
        clear_by=clear_by,
        imposed_on=today,
    )


@transaction.atomic
def condition_clear(*, actor, condition: SpecialCondition, note: str) -> SpecialCondition:
    """Clear a condition; the system lifts the hold it kept on the award's funds."""
    award = lock_award(condition.award_id)
    condition = SpecialCondition.objects.select_related("award").get(pk=condition.pk)
    if not access.can_clear_special_condition(actor, condition):
        raise PermissionDenied(
            f"Only a {condition.get_clearer_role_display().lower()} outside the recipient "
            "clears this condition."
        )
    if not condition.is_open:
        raise ValidationError("This condition is already cleared.")
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": "Say how the condition was met."})
    condition.status = SpecialCondition.Status.CLEARED
    condition.cleared_by, condition.cleared_at, condition.clearing_note = (
        actor,
        timezone.now(),
        note,
    )
    condition.save(update_fields=["status", "cleared_by", "cleared_at", "clearing_note"])
    audit_record(
        actor=actor,
        action="oversight.condition.cleared",
        obj=condition,
        task_force=award.task_force,
        after={"status": condition.status, "note": note},
    )
    if condition.withholds_funds:
        holds_lift_by_system(
            actor=actor,
            award=award,
            cause=Hold.Cause.SPECIAL_CONDITION,
            report_key=_hold_key(condition),
            lift_reason=f"Special condition {condition.number} cleared",
        )
    return condition


@refusals_written
@transaction.atomic
def activity_plan(*, actor, award: Award, kind: str, planned_on: date | None) -> MonitoringActivity:
    """A desk review or site visit planned by hand by a program manager outside the
    award's recipient: within the award's period, on an award not closed, and not twice
    on one day."""
    access.require(access.can_manage_oversight(actor), "Only program managers plan monitoring.")
    award = lock_award(award.pk)
    refuse_own_recipient(
        actor,
        award,
        action="oversight.activity.refused",
        attempted="plan monitoring",
        message=f"You are on the staff of {award.recipient}: another program manager must "
        "plan its monitoring.",
    )
    if award.status == Award.Status.CLOSED:
        raise ValidationError(f"Award {award} is closed: no monitoring is planned on it.")
    errors = {}
    if kind not in MonitoringActivity.Kind.values:
        errors["kind"] = "Choose a desk review or a site visit."
    if planned_on is None:
        errors["planned_on"] = "Say when it is planned."
    elif not award.period_start <= planned_on <= award.period_end:
        # As a decided review's plan: monitoring of the award falls within its period.
        errors["planned_on"] = (
            f"Plan it within the award's period, {award.period_start:%m/%d/%Y} to "
            f"{award.period_end:%m/%d/%Y}."
        )
    elif (
        kind in MonitoringActivity.Kind.values
        and award.monitoring_activities.filter(
            kind=kind, planned_on=planned_on, status=MonitoringActivity.Status.PLANNED
        ).exists()
    ):
        label = MonitoringActivity.Kind(kind).label.lower()
        errors["planned_on"] = f"A {label} is already planned on {planned_on:%m/%d/%Y}."
    if errors:
        raise ValidationError(errors)
    activity = MonitoringActivity.objects.create(award=award, kind=kind, planned_on=planned_on)
    audit_record(
        actor=actor,
        action="oversight.activity.planned",
        obj=activity,
        task_force=award.task_force,
        after=snapshot(activity, ["award", "kind", "planned_on"]),
    )
    return activity


@transaction.atomic
def activity_complete(
    *,
    actor,
    activity: MonitoringActivity,
    done_on: date | None,
    summary: str,
    today: date | None = None,
) -> MonitoringActivity:
    access.require(access.can_manage_oversight(actor), "Only program managers record monitoring.")
    award = lock_award(activity.award_id)
    activity = MonitoringActivity.objects.get(pk=activity.pk)
    today = today or timezone.localdate()
    summary = clean_text(summary)
    errors = {}
    if activity.status != MonitoringActivity.Status.PLANNED:
        raise ValidationError(
            f"This {activity.get_kind_display().lower()} is already {activity.get_status_display().lower()}."
        )
    if done_on is None:
        errors["done_on"] = "Say when it was done."
    elif done_on > today:
        errors["done_on"] = "It cannot be done after today."
    if not summary:
        errors["summary"] = "Summarize what was reviewed."
    if errors:
        raise ValidationError(errors)
    activity.status, activity.done_on, activity.summary, activity.recorded_by = (
        MonitoringActivity.Status.DONE,
        done_on,
        summary,
        actor,
    )
    activity.save()
    audit_record(
        actor=actor,
        action="oversight.activity.done",
        obj=activity,
        task_force=award.task_force,
        after=snapshot(activity, ["status", "done_on", "summary"]),
    )
    return activity


@transaction.atomic
def finding_record(
    *,
    actor,
    activity: MonitoringActivity,
    text: str,
    cap_due_on: date | None,
    questioned_amount="0",
) -> Finding:
    access.require(access.can_manage_oversight(actor), "Only program managers record findings.")
    award = lock_award(activity.award_id)
    activity = MonitoringActivity.objects.get(pk=activity.pk)
    text = clean_text(text)
    errors = {}
    if activity.status != MonitoringActivity.Status.DONE:
        errors["__all__"] = "Record the activity as done before its findings."
    if not text:
        errors["text"] = "Describe the finding."
    if cap_due_on is None:
        errors["cap_due_on"] = "Say when the corrective action plan is due."
    elif activity.done_on and cap_due_on < activity.done_on:
        errors["cap_due_on"] = (
            f"The due date {cap_due_on:%m/%d/%Y} is before the {activity.get_kind_display().lower()} "
            f"of {activity.done_on:%m/%d/%Y}."
        )
    try:
        amount = checked_amount(questioned_amount or "0", "questioned_amount", allow_zero=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(
        activity=activity,
        award=award,
        text=text,
        questioned_amount=amount,
        cap_due_on=cap_due_on,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="oversight.finding.recorded",
        obj=finding,
        task_force=award.task_force,
        after=snapshot(finding, ["activity", "text", "questioned_amount", "cap_due_on"]),
    )
    return finding


@transaction.atomic
def finding_submit_plan(*, actor, finding: Finding, corrective_action: str) -> Finding:
    """The recipient's corrective action plan for a finding."""
    award = lock_award(finding.award_id)
    access.require(
        access.can_submit_corrective_action(actor, award),
        "The recipient's finance officers and grant administrators submit corrective action plans.",
    )
    finding = Finding.objects.get(pk=finding.pk)
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError("This finding is closed.")
    corrective_action = clean_text(corrective_action)
    if not corrective_action:
        raise ValidationError(
            {"corrective_action": "Describe the corrective actions and their dates."}
        )
    finding.corrective_action, finding.status = corrective_action, Finding.Status.PLAN_SUBMITTED
    finding.plan_submitted_by, finding.plan_submitted_at = actor, timezone.now()
    finding.save()
    audit_record(
        actor=actor,
        action="oversight.finding.plan_submitted",
        obj=finding,
        task_force=award.task_force,
        after={"corrective_action": corrective_action},
    )
    return finding


@transaction.atomic
def finding_close(*, actor, finding: Finding, resolution: str) -> Finding:
    access.require(access.can_manage_oversight(actor), "Only program managers close findings.")
    award = lock_award(finding.award_id)
    finding = Finding.objects.get(pk=finding.pk)
    if finding.status not in OPEN_FINDING:
        raise ValidationError("This finding is already closed.")
    resolution = clean_text(resolution)
    if not resolution:
        raise ValidationError({"resolution": "Say how the finding was resolved."})
    finding.status, finding.resolution = Finding.Status.CLOSED, resolution
    finding.closed_by, finding.closed_at = actor, timezone.now()
    finding.save()
    audit_record(
        actor=actor,
        action="oversight.finding.closed",
        obj=finding,
        task_force=award.task_force,
        after={"status": finding.status, "resolution": resolution},
    )
    return finding
