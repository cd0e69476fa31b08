"""Pages for budgets, the ledger and drawdowns."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.mfa_stepup import step_up_required
from budgets import asap_import, kept_uploads, ledger
from budgets import history_import as past_awards
from budgets.balances import (
    award_balances,
    budget_versus_actual,
    excess_cash,
    period_elapsed_share,
)
from budgets.cash_need import immediate_need
from budgets.filters import DrawdownFilter, LedgerFilter
from budgets.forms import (
    BudgetLinesForm,
    DrawdownForm,
    EntryForm,
    HistoryFileForm,
    PaymentFileForm,
    ReverseForm,
)
from budgets.kinds import KINDS
from budgets.models import Category, DrawdownRequest, LedgerEntry
from budgets.overrun import transfers
from budgets.selectors import (
    drawdown_list_for_user,
    open_obligations,
    unpaid_expenditures,
)
from budgets.services import award_create_with_budget
from budgets.tables import DrawdownTable, LedgerTable
from grants import access, selectors
from grants.form_errors import add_service_errors
from grants.forms import AwardForm, FundingFormSet
from grants.lookups import award_or_404, get_or_404
from grants.money import format_money
from grants.selectors import active_holds, rule_value
from grants.services import FundingRequest
from grants.table_pages import render_table_page


@login_required
def award_create(request):
    access.require(access.can_manage_program(request.user))
    data = request.POST if request.method == "POST" else None
    appropriations = selectors.appropriation_list_for_user(user=request.user).order_by(
        "-fiscal_year", "pk"
    )
    form = AwardForm(data, task_forces=selectors.task_force_list_for_user(user=request.user))
    funding = FundingFormSet(data, prefix="funding", form_kwargs={"appropriations": appropriations})
    budget = BudgetLinesForm(data, prefix="budget")
    section_errors = {"funding": [], "lines": []}
    if data is not None and form.is_valid() & funding.is_valid() & budget.is_valid():
        lines = [
            FundingRequest(f.cleaned_data["appropriation"].pk, f.cleaned_data["amount"])
            for f in funding
            if f.cleaned_data.get("appropriation")
        ]
        fields = form.cleaned_data
        try:
            award = award_create_with_budget(
                actor=request.user,
                lines=budget.lines(),
                award_number=fields["award_number"],
                title=fields["title"],
                task_force=fields["task_force"],
                period_start=fields["period_start"],
                period_end=fields["period_end"],
                match_required=fields["match_required"],
                program_income_alternative=fields["program_income_alternative"],
                special_conditions=fields["special_conditions"],
                ug_version=fields["ug_version"],
                funding=lines,
            )
        except ValidationError as error:
            add_service_errors(form, error, extra=section_errors)
        else:
            messages.success(request, f"Created draft award {award} with its budget.")
            return redirect(award)
    return render(
        request,
        "budgets/award_form.html",
        {
            "form": form,
            "funding": funding,
            "budget": budget,
            "funding_errors": section_errors["funding"],
            "budget_errors": section_errors["lines"],
        },
    )


# --- The ledger --------------------------------------------------------------------


def _as_of(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def award_ledger(request, award_number: str):
    """Balances as of a chosen day, budget against actual, and the ledger."""
    award = award_or_404(request, award_number)
    as_of = _as_of(request)
    # The bare entries: the table reads its page's rows through ledger_for_award.
    entries = LedgerEntry.objects.filter(award=award)
    filterset = LedgerFilter(request.GET, queryset=entries)
    table = LedgerTable(filterset.qs)
    table.can_reverse = access.can_record_spending(request.user, award)
    # The rows' links name the award from here, not by reading it once per row.
    table.award = award
    today = timezone.localdate()
    balances = award_balances(award, as_of=as_of)
    moved = transfers(award, on=today)
    basis = award.recipient.accounting_basis
    return render_table_page(
        request,
        template="budgets/award_ledger.html",
        filterset=filterset,
        table=table,
        context={
            "award": award,
            "as_of": as_of,
            "balances": balances,
            # The SF-425 lines that depend on the recipient's basis of accounting.
            "basis": award.recipient.get_accounting_basis_display().lower(),
            "on_basis": balances.on_basis(basis),
            "budget_rows": budget_versus_actual(award, as_of=as_of),
            "elapsed": period_elapsed_share(award, as_of=as_of),
            "transfers": moved,
            "transfer_rows": [
                (Category(code).label, amount) for code, amount in moved.over.items()
            ],
            "excess_cash": excess_cash(award, today=today),
            "cash_days": int(rule_value("cash_on_hand_days", on=today)),
            "can_record": table.can_reverse,
            "entry_kinds": ledger.RECORDABLE_KINDS,
            "active_holds": list(active_holds(award=award)),
            "export_url": reverse("exports:table", args=["ledger", award.award_number]),
        },
    )


@login_required
def entry_create(request, award_number: str, kind: str):
    award = award_or_404(request, award_number)
    access.require(
        access.can_record_spending(request.user, award),
        "Only the task force's finance officers record spending.",
    )
    if kind not in ledger.RECORDABLE_KINDS:
        raise Http404("No such kind of entry.")
    expenditures = unpaid_expenditures(award=award)
    # "Record payment" on an expenditure's row opens this form with it chosen.
    paying = expenditures.filter(pk=request.GET.get("expenditure") or None).first()
    form = EntryForm(
        request.POST or None,
        kind=kind,
        obligations=open_obligations(award=award),
        expenditures=expenditures,
        initial={"expenditure": paying, "amount": paying.unpaid if paying else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = ledger.entry_post(
                actor=request.user,
                award=award,
                kind=kind,
                amount=data["amount"],
                effective_date=data["effective_date"],
                idempotency_key=data["idempotency_key"],
                category=data.get("category", ""),
                share=data.get("share") or LedgerEntry.Share.FEDERAL,
                memo=data.get("memo", ""),
                paid_on=data.get("paid_on"),
                obligation=data.get("obligation"),
                expenditure=data.get("expenditure"),
                in_kind_basis=data.get("in_kind_basis", ""),
                in_kind_description=data.get("in_kind_description", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Recorded {entry.get_kind_display().lower()} #{entry.pk} of {format_money(entry.amount)}.",
            )
            return redirect("budgets:award_ledger", award.award_number)
    return render(
        request,
        "budgets/entry_form.html",
        {
            "award": award,
            "form": form,
            "kind_label": LedgerEntry.Kind(kind).label,
            "names_category": KINDS[kind].needs_category,
            "balances": award_balances(award, as_of=timezone.localdate()),
        },
    )


@login_required
def entry_reverse(request, award_number: str, entry_id: int):
    award = award_or_404(request, award_number)
    access.require(
        access.can_record_spending(request.user, award),
        "Only the task force's finance officers reverse entries.",
    )
    entry = get_object_or_404(LedgerEntry, pk=entry_id, award=award)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.entry_reverse(
                actor=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Reversed {entry.get_kind_display().lower()} #{entry.pk}.")
            return redirect("budgets:award_ledger", award.award_number)
    return render(
        request, "budgets/entry_reverse.html", {"award": award, "entry": entry, "form": form}
    )


# --- Drawdowns -----------------------------------------------------------------------


@login_required
def drawdown_create(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(
        access.can_record_spending(request.user, award),
        "Only the task force's finance officers request drawdowns.",
    )
    form = DrawdownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drawdown = ledger.drawdown_request(
                actor=request.user,
                award=award,
                amount=form.cleaned_data["amount"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                memo=form.cleaned_data["memo"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            waits = " ".join(drawdown.review_reasons)
            messages.success(
                request,
                f"Requested {format_money(drawdown.amount)}: {drawdown.get_status_display().lower()}."
                + (f" It waits for a financial approver: {waits}" if waits else ""),
            )
            return redirect("budgets:award_ledger", award.award_number)
    today = timezone.localdate()
    balances = award_balances(award, as_of=today)
    return render(
        request,
        "budgets/drawdown_form.html",
        {
            "award": award,
            "form": form,
            "balances": balances,
            "need": immediate_need(award, balances, today=today),
            "active_holds": list(active_holds(award=award)),
        },
    )


@login_required
def drawdown_queue(request):
    queryset = drawdown_list_for_user(user=request.user)
    if "status" not in request.GET and access.can_decide_drawdowns(request.user):
        queryset = queryset.filter(status__in=DrawdownRequest.OPEN)
    filterset = DrawdownFilter(request.GET, queryset=queryset)
    today = timezone.localdate()
    table = DrawdownTable(filterset.qs)
    table.can_decide = access.can_decide_drawdowns(request.user)
    table.today, table.cash_days = today, int(rule_value("cash_on_hand_days", on=today))
    return render_table_page(
        request,
        template="budgets/drawdown_queue.html",
        filterset=filterset,
        table=table,
        context={"export_url": reverse("exports:table", args=["drawdowns"])},
    )


@login_required
@require_POST
@step_up_required(back="budgets:drawdown_queue")
def drawdown_decide(request, drawdown_id: int, action: str):
    drawdown = get_or_404(drawdown_list_for_user(user=request.user), pk=drawdown_id)
    access.require(
        access.can_decide_drawdowns(request.user), "Only a financial approver decides drawdowns."
    )
    note = request.POST.get("note", "")
    try:
        if action == "approve":
            ledger.drawdown_approve(actor=request.user, request=drawdown, note=note)
        elif action == "reject":
            ledger.drawdown_reject(actor=request.user, request=drawdown, note=note)
        elif action == "paid":
            ledger.drawdown_mark_paid(actor=request.user, request=drawdown)
        else:
            raise Http404("No such action.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Drawdown of {format_money(drawdown.amount)} for {drawdown.award}: {action}."
        )
    return redirect("budgets:drawdown_queue")


# --- ASAP payments -------------------------------------------------------------------
# Each import is uploaded and checked, then reviewed as a dry run of the kept file, then
# acted on by the review page's POST (budgets.kept_uploads).


def _require_payments_recorder(request) -> None:
    access.require(
        access.can_decide_drawdowns(request.user),
        "Only a financial approver records drawdown payments.",
    )


ASAP_PAYMENTS = kept_uploads.KeptImport(
    purpose=kept_uploads.Purpose.ASAP_PAYMENTS,
    form=PaymentFileForm,
    parse=asap_import.parse_payment_file,
    act=lambda payments, **how: asap_import.record_payments(payments=payments, **how),
    refused=asap_import.ImportRefused,
    template="budgets/asap_payment_import.html",
    result_name="matching",
    done_message=lambda matching, filename: (
        f"Recorded {_counted(len(matching.matched), 'payment')} from {filename}."
    ),
    page="budgets:asap_payment_import",
    review="budgets:asap_payment_review",
)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


@login_required
@step_up_required(back="budgets:asap_payment_import")
def asap_payment_import(request):
    """Upload an ASAP payments file; a file that reads is kept and its dry run shown."""
    _require_payments_recorder(request)
    return kept_uploads.upload(request, ASAP_PAYMENTS)


@login_required
@step_up_required(
    back=lambda request, sha256: reverse("budgets:asap_payment_review", args=[sha256])
)
def asap_payment_review(request, sha256: str):
    """What the kept file matches (a dry run, GET), then recording it (POST)."""
    _require_payments_recorder(request)
    return kept_uploads.review(request, sha256, ASAP_PAYMENTS)


# --- Past awards ---------------------------------------------------------------------


def _require_history_importer(request) -> None:
    access.require(
        access.can_manage_program(request.user), "Only a program manager imports past awards."
    )


PAST_AWARDS = kept_uploads.KeptImport(
    purpose=kept_uploads.Purpose.PAST_AWARDS,
    form=HistoryFileForm,
    parse=past_awards.parse_history_file,
    act=lambda awards, **how: past_awards.import_history(awards=awards, **how),
    refused=past_awards.ImportRefused,
    template="budgets/history_import.html",
    result_name="result",
    done_message=lambda result, filename: (
        f"Imported {_counted(len(result.imported), 'past award')} from {filename}."
    ),
    page="budgets:history_import",
    review="budgets:history_import_review",
)


@login_required
@step_up_required(back="budgets:history_import")
def history_import(request):
    """Upload past awards with their final figures; a file that reads is kept and its
    dry run shown."""
    _require_history_importer(request)
    return kept_uploads.upload(request, PAST_AWARDS)


@login_required
@step_up_required(
    back=lambda request, sha256: reverse("budgets:history_import_review", args=[sha256])
)
def history_import_review(request, sha256: str):
    """What the kept file would import (a dry run, GET), then importing it (POST)."""
    _require_history_importer(request)
    return kept_uploads.review(request, sha256, PAST_AWARDS)
