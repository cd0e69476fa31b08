"""Compliance pages: thin views reading through the selectors (another task force's
record is a 404) and writing through the services (a refusal shows on its form)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from compliance import exports, selectors, services
from compliance.forms import (
    DecisionForm,
    DispositionForm,
    EquipmentForm,
    FindingForm,
    InventoryForm,
    SamRegistrationForm,
    SingleAuditForm,
    SpendingLinkForm,
    SubawardForm,
    SubrecipientForm,
)
from compliance.models import SamRegistration
from compliance.report_types import ffata_by_subaward, ffata_of
from compliance.single_audit import audit_year, audit_years, fiscal_year_ending, sefa
from grants import access
from grants.form_errors import add_service_errors
from grants.lookups import award_or_404, get_or_404
from grants.models import Award, Membership, TaskForce
from grants.money import format_money
from reports.exports.downloads import send_file


def _bound(request, cls, name: str, **kwargs):
    """The form `name` of a page with several: bound to the POST that submitted it."""
    data = request.POST if request.method == "POST" and request.POST.get("form") == name else None
    return cls(data, prefix=name, **kwargs)


def _submitted(request, form) -> bool:
    return form.is_bound and form.is_valid()


def _refuse_post(request, allowed: bool, message: str) -> None:
    """A POST by someone who may read the page but not act on it: 403."""
    if request.method == "POST" and not allowed:
        raise PermissionDenied(message)


def _officer_task_forces(user):
    return TaskForce.objects.filter(
        pk__in=access.task_force_ids(user, roles=(Membership.Role.FINANCE_OFFICER,))
    )


@login_required
def index(request):
    today = timezone.localdate()
    user = request.user
    task_forces = _officer_task_forces(user)
    _refuse_post(
        request, task_forces.exists(), "Only task force finance officers add subrecipients."
    )
    form = _bound(request, SubrecipientForm, "subrecipient", task_forces=task_forces)
    if _submitted(request, form):
        try:
            sub = services.subrecipient_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added subrecipient {sub.legal_name}.")
            return redirect("compliance:subrecipient_detail", sub.pk)
    registrations = selectors.registration_list_for_user(user=user)
    return render(
        request,
        "compliance/index.html",
        {
            "recipients": selectors.recipient_list_for_user(user=user).order_by("legal_name"),
            "subrecipients": selectors.subrecipient_list_for_user(user=user),
            "registrations": registrations,
            "today": today,
            "form": form if task_forces.exists() else None,
        },
    )


def _registration_form(request, *, recipient=None, subrecipient=None):
    form = _bound(request, SamRegistrationForm, "sam")
    if _submitted(request, form):
        try:
            services.sam_registration_record(
                actor=request.user,
                recipient=recipient,
                subrecipient=subrecipient,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"SAM.gov registration recorded: expires {form.cleaned_data['expires_on']:%m/%d/%Y}.",
            )
            return form, True
    return form, False


@login_required
def recipient_detail(request, pk: int):
    recipient = get_or_404(selectors.recipient_list_for_user(user=request.user), pk=pk)
    today = timezone.localdate()
    years = audit_years(recipient, today=today)
    _refuse_post(
        request,
        services.may_record_for_recipient(request.user, recipient),
        "Only program managers and the recipient's finance officers record its registration and audits.",
    )
    sam_form, done = _registration_form(request, recipient=recipient)
    if done:
        return redirect("compliance:recipient_detail", pk)
    audit_form = _bound(request, SingleAuditForm, "audit", year_ends=[y.end for y in years])
    if _submitted(request, audit_form):
        try:
            data = dict(
                audit_form.cleaned_data,
                fiscal_year_end=date.fromisoformat(audit_form.cleaned_data["fiscal_year_end"]),
            )
            audit = services.single_audit_record(actor=request.user, recipient=recipient, **data)
        except ValidationError as error:
            add_service_errors(audit_form, error)
        else:
            messages.success(
                request,
                f"Single audit of the year ending {audit.fiscal_year_end:%m/%d/%Y} recorded.",
            )
            return redirect("compliance:audit_detail", pk, audit.fiscal_year_end.isoformat())
    return render(
        request,
        "compliance/recipient_detail.html",
        {
            "recipient": recipient,
            "years": [(y, y.overdue(today)) for y in years],
            "today": today,
            "can_record": services.may_record_for_recipient(request.user, recipient),
            "registration": SamRegistration.objects.filter(recipient=recipient).first(),
            "sam_form": sam_form,
            "audit_form": audit_form,
        },
    )


def _year_end(recipient, fiscal_year_end: str) -> date:
    try:
        return fiscal_year_ending(recipient, date.fromisoformat(fiscal_year_end))[1]
    except ValueError:
        raise Http404("No such fiscal year.") from None


@login_required
def audit_detail(request, pk: int, fiscal_year_end: str):
    recipient = get_or_404(selectors.recipient_list_for_user(user=request.user), pk=pk)
    year = audit_year(recipient, _year_end(recipient, fiscal_year_end))
    _refuse_post(
        request,
        services.may_record_for_recipient(request.user, recipient),
        "Only program managers and the recipient's finance officers record audit findings.",
    )
    awards = Award.objects.filter(recipient=recipient)
    finding_form = _bound(request, FindingForm, "finding", awards=awards)
    if _submitted(request, finding_form):
        if year.record is None:
            finding_form.add_error(
                None, "Record the audit (its auditor or report date) before its findings."
            )
        else:
            try:
                data = finding_form.cleaned_data
                services.finding_record(
                    actor=request.user,
                    audit=year.record,
                    reference=data["reference"],
                    summary=data["summary"],
                    questioned_costs=data["questioned_costs"] or "0",
                    award=data["award"],
                )
            except ValidationError as error:
                add_service_errors(finding_form, error)
            else:
                messages.success(request, f"Finding {data['reference']} recorded.")
                return redirect("compliance:audit_detail", pk, fiscal_year_end)
    findings = list(year.record.findings.select_related("award")) if year.record else []
    decision_form = _bound(request, DecisionForm, "decision")
    if _submitted(request, decision_form):
        finding = next((f for f in findings if str(f.pk) == request.POST.get("finding")), None)
        if finding is None:
            raise Http404("No such finding.")
        try:
            services.management_decision_record(
                actor=request.user, finding=finding, **decision_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(decision_form, error)
        else:
            messages.success(
                request, f"Management decision on finding {finding.reference} recorded."
            )
            return redirect("compliance:audit_detail", pk, fiscal_year_end)
    return render(
        request,
        "compliance/audit_detail.html",
        {
            "recipient": recipient,
            "year": year,
            "awards": awards,
            "findings": findings,
            "finding_form": finding_form,
            "decision_form": decision_form,
            "can_decide": access.can_manage_program(request.user),
            "can_record": services.may_record_for_recipient(request.user, recipient),
            "today": timezone.localdate(),
        },
    )


@login_required
def sefa_page(request, pk: int, fiscal_year_end: str):
    recipient = get_or_404(selectors.recipient_list_for_user(user=request.user), pk=pk)
    end = _year_end(recipient, fiscal_year_end)
    rows, total, passed = sefa(recipient, end)
    start = fiscal_year_ending(recipient, end)[0]
    return render(
        request,
        "compliance/sefa.html",
        {
            "recipient": recipient,
            "start": start,
            "end": end,
            "rows": rows,
            "total": total,
            "passed": passed,
        },
    )


@login_required
def sefa_xlsx(request, pk: int, fiscal_year_end: str):
    recipient = get_or_404(selectors.recipient_list_for_user(user=request.user), pk=pk)
    end = _year_end(recipient, fiscal_year_end)
    return send_file(
        request,
        lambda handle: exports.write_sefa(
            handle, recipient=recipient, fiscal_year_end=end, user=request.user
        ),
        name="compliance.sefa",
        recipient=recipient.pk,
        fiscal_year_end=str(end),
    )


@login_required
def subrecipient_detail(request, pk: int):
    sub = get_or_404(selectors.subrecipient_list_for_user(user=request.user), pk=pk)
    can_record = services.officer_of(request.user, sub.task_force_id)
    _refuse_post(
        request, can_record, "Only the task force's finance officers record this registration."
    )
    sam_form, done = _registration_form(request, subrecipient=sub)
    if done:
        return redirect("compliance:subrecipient_detail", pk)
    subawards = list(selectors.subaward_list_for_user(user=request.user).filter(subrecipient=sub))
    spent = selectors.spent_by_subaward(s.pk for s in subawards)
    return render(
        request,
        "compliance/subrecipient_detail.html",
        {
            "sub": sub,
            "subawards": [(s, spent.get(s.pk)) for s in subawards],
            "registration": SamRegistration.objects.filter(subrecipient=sub).first(),
            "sam_form": sam_form,
            "can_record": can_record,
            "today": timezone.localdate(),
        },
    )


@login_required
def award_subawards(request, award_number: str):
    award = award_or_404(request, award_number)
    can_record = access.can_record_spending(request.user, award)
    _refuse_post(request, can_record, "Only the task force's finance officers record this.")
    form = _bound(
        request,
        SubawardForm,
        "subaward",
        subrecipients=selectors.subrecipient_list_for_user(user=request.user).filter(
            task_force=award.task_force
        ),
    )
    if _submitted(request, form):
        try:
            subaward = services.subaward_create(
                actor=request.user, award=award, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Subaward {subaward.agreement_number} of {format_money(subaward.amount)} recorded.",
            )
            return redirect("compliance:award_subawards", award_number)
    subawards = list(selectors.subaward_list_for_user(user=request.user).filter(award=award))
    spent = selectors.spent_by_subaward(s.pk for s in subawards)
    ffata = ffata_by_subaward(subawards)
    return render(
        request,
        "compliance/award_subawards.html",
        {
            "award": award,
            "subawards": [(s, spent.get(s.pk), ffata[s.pk]) for s in subawards],
            "room": selectors.subaward_room(award),
            "form": form if can_record else None,
        },
    )


@login_required
def subaward_detail(request, award_number: str, pk: int):
    award = award_or_404(request, award_number)
    subaward = get_or_404(
        selectors.subaward_list_for_user(user=request.user).filter(award=award), pk=pk
    )
    can_record = access.can_record_spending(request.user, award)
    _refuse_post(request, can_record, "Only the task force's finance officers record this.")
    form = _bound(request, SpendingLinkForm, "link", entries=services.spending_candidates(award))
    if _submitted(request, form):
        try:
            services.subaward_spending_link(
                actor=request.user, subaward=subaward, entry=form.cleaned_data["entry"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Spending linked to the subaward.")
            return redirect("compliance:subaward_detail", award_number, pk)
    return render(
        request,
        "compliance/subaward_detail.html",
        {
            "award": award,
            "subaward": subaward,
            "ffata": ffata_of(subaward.amount, subaward.signed_on),
            "spending": subaward.spending.select_related("entry", "entry__reversed_by"),
            "spent": services.subaward_spent(subaward),
            "form": form if can_record else None,
        },
    )


@login_required
def award_equipment(request, award_number: str):
    award = award_or_404(request, award_number)
    can_record = access.can_record_spending(request.user, award)
    _refuse_post(request, can_record, "Only the task force's finance officers record this.")
    form = _bound(request, EquipmentForm, "equipment", entries=services.equipment_entries(award))
    if _submitted(request, form):
        try:
            item = services.equipment_record(actor=request.user, award=award, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Equipment {item} recorded.")
            return redirect("compliance:award_equipment", award_number)
    items = selectors.equipment_list_for_user(user=request.user).filter(award=award)
    return render(
        request,
        "compliance/award_equipment.html",
        {"award": award, "items": items, "form": form if can_record else None},
    )


@login_required
def equipment_detail(request, award_number: str, pk: int):
    award = award_or_404(request, award_number)
    item = get_or_404(
        selectors.equipment_list_for_user(user=request.user).filter(award=award), pk=pk
    )
    can_record = access.can_record_spending(request.user, award)
    _refuse_post(request, can_record, "Only the task force's finance officers record this.")
    inventory_form = _bound(request, InventoryForm, "inventory")
    disposition_form = _bound(request, DispositionForm, "disposition")
    for form, service, done in (
        (inventory_form, services.equipment_inventory_record, "Inventory recorded."),
        (disposition_form, services.equipment_dispose, "Disposition recorded."),
    ):
        if _submitted(request, form):
            data = dict(form.cleaned_data)
            if "disposition_proceeds" in data:
                data["proceeds"] = data.pop("disposition_proceeds") or "0"
            try:
                service(actor=request.user, item=item, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("compliance:equipment_detail", award_number, pk)
    return render(
        request,
        "compliance/equipment_detail.html",
        {
            "award": award,
            "item": item,
            "inventory_form": inventory_form if can_record and not item.disposition else None,
            "disposition_form": disposition_form if can_record and not item.disposition else None,
        },
    )
