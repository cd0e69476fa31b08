"""Pages of the oversight app: thin, reading through the selectors and writing through
the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants import access
from grants.form_errors import add_service_errors
from grants.lookups import award_or_404, get_or_404
from oversight import selectors, services
from oversight.forms import (
    ActivityDoneForm,
    ActivityForm,
    ClearForm,
    CloseFindingForm,
    ConditionForm,
    DecisionForm,
    FindingForm,
    PlanForm,
    RiskReviewForm,
)
from oversight.models import OPEN_FINDING, MonitoringActivity, SpecialCondition


@login_required
def overview(request):
    """Risk reviews (program office and auditors), then the open conditions, open
    findings and planned monitoring the person may read."""
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "oversight/overview.html",
        {
            "reviews": selectors.review_list_for_user(user=user)[:200],
            "sees_reviews": access.can_view_risk_reviews(user),
            "can_manage": access.can_manage_oversight(user),
            "conditions": selectors.conditions_for_user(user=user).filter(
                status=SpecialCondition.Status.OPEN
            ),
            "findings": selectors.findings_for_user(user=user).filter(status__in=OPEN_FINDING),
            "activities": selectors.activities_for_user(user=user).filter(
                status=MonitoringActivity.Status.PLANNED
            )[:100],
            "today": today,
        },
    )


@login_required
def review_create(request):
    access.require(
        access.can_manage_oversight(request.user), "Only program managers record risk reviews."
    )
    form = RiskReviewForm(
        request.POST or None, recipients=selectors.recipients_for_review(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = services.risk_review_record(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Risk review recorded: the rule computes {review.get_computed_level_display().lower()} risk.",
            )
            return redirect(review)
    return render(request, "oversight/review_form.html", {"form": form})


@login_required
def review_detail(request, pk: int):
    review = get_or_404(selectors.review_list_for_user(user=request.user), pk=pk)
    assessment = services.assessment_of(review)
    form = None
    refusal = ""
    if review.status == review.Status.DRAFT and access.can_manage_oversight(request.user):
        form = DecisionForm(
            request.POST or None,
            proposed=assessment.proposed,
            initial={"level": review.computed_level},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.risk_review_decide(
                    actor=request.user,
                    review=review,
                    level=data["level"],
                    level_reason=data["level_reason"],
                    signature=data["signature"],
                    condition_keys=tuple(data.get("conditions") or ()),
                    clear_by=data.get("clear_by"),
                )
            except PermissionDenied as error:
                refusal = str(error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Risk review decided and signed.")
                return redirect(review)
        if not access.can_decide_risk_review(request.user, review.recipient_id):
            refusal = refusal or (
                f"You are on the staff of {review.recipient}: another program manager must "
                "decide its risk review."
            )
    elif request.method == "POST":
        raise PermissionDenied("This review is not waiting for your decision.")
    return render(
        request,
        "oversight/review_detail.html",
        {
            "review": review,
            "assessment": assessment,
            "form": form,
            "refusal": refusal,
            "conditions": review.conditions.select_related("award"),
            "activities": review.activities.select_related("award"),
        },
        status=403 if refusal and request.method == "POST" else 200,
    )


def _award_page(request, award, *, condition_form=None, activity_form=None, status=200):
    user = request.user
    can_manage = access.can_manage_oversight(user)
    conditions = list(award.special_condition_records.select_related("cleared_by", "review"))
    clearable = access.special_conditions_to_clear(user, conditions)
    for condition in conditions:
        condition.may_clear = condition.is_open and condition.pk in clearable
    return render(
        request,
        "oversight/award.html",
        {
            "award": award,
            "conditions": conditions,
            "activities": award.monitoring_activities.prefetch_related("findings"),
            "open_findings": selectors.open_findings_for_award(award=award),
            "reviews": selectors.review_list_for_user(user=user).filter(
                recipient_id=award.recipient_id
            ),
            "can_manage": can_manage,
            "can_submit_plan": access.can_submit_corrective_action(user, award),
            "condition_form": condition_form or ConditionForm(),
            "activity_form": activity_form or ActivityForm(),
            "clear_form": ClearForm(),
            "done_form": ActivityDoneForm(),
            "finding_form": FindingForm(),
            "plan_form": PlanForm(),
            "close_form": CloseFindingForm(),
        },
        status=status,
    )


@login_required
def award_oversight(request, award_number: str):
    return _award_page(request, award_or_404(request, award_number))


@login_required
@require_POST
def condition_create(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(
        access.can_manage_oversight(request.user),
        "Only program managers impose special conditions.",
    )
    form = ConditionForm(request.POST)
    if form.is_valid():
        try:
            services.condition_impose(actor=request.user, award=award, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Special condition imposed.")
            return redirect("oversight:award", award.award_number)
    return _award_page(request, award, condition_form=form, status=400)


@login_required
@require_POST
def activity_create(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(
        access.can_manage_oversight(request.user), "Only program managers plan monitoring."
    )
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            services.activity_plan(actor=request.user, award=award, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Monitoring planned.")
            return redirect("oversight:award", award.award_number)
    return _award_page(request, award, activity_form=form, status=400)


def _problems(form, errors) -> str:
    """Each problem, after the label of the field it concerns."""
    return " ".join(
        (f"{form.fields[field].label}: " if field in form.fields else "") + " ".join(found)
        for field, found in errors.items()
    )


def _row_action(request, award, form_class, act, done: str):
    """A form on one row of the award page (clear a condition, record a visit, a plan):
    a refusal comes back as a message above the page, naming what was wrong."""
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was changed. {_problems(form, form.errors)}")
        return redirect("oversight:award", award.award_number)
    try:
        act(**form.cleaned_data)
    except ValidationError as error:
        problems = (
            error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        )
        messages.error(request, f"Nothing was changed. {_problems(form, problems)}")
    else:
        messages.success(request, done)
    return redirect("oversight:award", award.award_number)


@login_required
@require_POST
def condition_clear(request, award_number: str, number: int):
    award = award_or_404(request, award_number)
    condition = get_or_404(award.special_condition_records.all(), number=number)
    access.require(
        access.can_clear_special_condition(request.user, condition),
        f"Only a {condition.get_clearer_role_display().lower()} outside the recipient clears "
        "this condition.",
    )
    return _row_action(
        request,
        award,
        ClearForm,
        lambda note: services.condition_clear(actor=request.user, condition=condition, note=note),
        f"Special condition {number} cleared.",
    )


@login_required
@require_POST
def activity_done(request, award_number: str, pk: int):
    award = award_or_404(request, award_number)
    activity = get_or_404(award.monitoring_activities.all(), pk=pk)
    access.require(
        access.can_manage_oversight(request.user), "Only program managers record monitoring."
    )
    return _row_action(
        request,
        award,
        ActivityDoneForm,
        lambda done_on, summary: services.activity_complete(
            actor=request.user, activity=activity, done_on=done_on, summary=summary
        ),
        f"{activity.get_kind_display()} recorded as done.",
    )


@login_required
@require_POST
def finding_create(request, award_number: str, pk: int):
    award = award_or_404(request, award_number)
    activity = get_or_404(award.monitoring_activities.all(), pk=pk)
    access.require(
        access.can_manage_oversight(request.user), "Only program managers record findings."
    )
    return _row_action(
        request,
        award,
        FindingForm,
        lambda **data: services.finding_record(actor=request.user, activity=activity, **data),
        "Finding recorded.",
    )


@login_required
@require_POST
def finding_plan(request, award_number: str, pk: int):
    award = award_or_404(request, award_number)
    finding = get_or_404(award.monitoring_findings.all(), pk=pk)
    access.require(
        access.can_submit_corrective_action(request.user, award),
        "The recipient's finance officers and grant administrators submit corrective action plans.",
    )
    return _row_action(
        request,
        award,
        PlanForm,
        lambda corrective_action: services.finding_submit_plan(
            actor=request.user, finding=finding, corrective_action=corrective_action
        ),
        "Corrective action plan submitted.",
    )


@login_required
@require_POST
def finding_close(request, award_number: str, pk: int):
    award = award_or_404(request, award_number)
    finding = get_or_404(award.monitoring_findings.all(), pk=pk)
    access.require(
        access.can_manage_oversight(request.user), "Only program managers close findings."
    )
    return _row_action(
        request,
        award,
        CloseFindingForm,
        lambda resolution: services.finding_close(
            actor=request.user, finding=finding, resolution=resolution
        ),
        "Finding closed.",
    )
