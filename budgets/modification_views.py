"""Pages for budget modifications, supplements, and an award's terms as of a date."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from budgets.balances import award_balances
from budgets.filters import BudgetChangeFilter
from budgets.modification_forms import (
    DecreaseForm,
    ModificationForm,
    SupplementForm,
    lines_form,
)
from budgets.modification_tables import BudgetChangeTable
from budgets.modifications import (
    Assessment,
    budget_modification_decide,
    budget_modification_preview,
    budget_modification_propose,
    decrease_propose,
    supplement_propose,
)
from budgets.selectors import budget_change_list_for_user
from budgets.services import budget_version_create
from budgets.terms import award_terms_as_of
from grants import access, selectors
from grants.amendment_forms import DecisionForm
from grants.amendments import award_exists_from
from grants.form_errors import add_service_errors
from grants.lookups import award_or_404, get_or_404
from grants.models import Award
from grants.money import format_money
from grants.table_pages import render_table_page


def _preview(form, budget, award: Award) -> Assessment | None:
    """The 10% rule's verdict on what is on the form, without saving anything."""
    try:
        return budget_modification_preview(
            award=award,
            lines=budget.lines(),
            scope_change=form.cleaned_data.get("scope_change", False),
            scope_description=form.cleaned_data.get("scope_description", ""),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@login_required
def propose(request, award_number: str):
    """A finance officer proposes a new budget; "Check" shows the assessment first."""
    award = award_or_404(request, award_number)
    access.require(
        access.can_propose_budget_modification(request.user, award),
        "Only the task force's finance officers propose budget modifications.",
    )
    data = request.POST if request.method == "POST" else None
    form = ModificationForm(data)
    budget = lines_form(data, award.budget_versions.current())
    section_errors = {"lines": [], "scope_description": []}
    assessment = None
    if data is not None and form.is_valid() & budget.is_valid():
        if "check" in data:
            assessment = _preview(form, budget, award)
        else:
            try:
                modification = budget_modification_propose(
                    actor=request.user,
                    award=award,
                    lines=budget.lines(),
                    justification=form.cleaned_data["justification"],
                    scope_change=form.cleaned_data["scope_change"],
                    scope_description=form.cleaned_data["scope_description"],
                )
            except ValidationError as error:
                add_service_errors(form, error, extra=section_errors)
            else:
                if modification.status == modification.Status.APPLIED:
                    messages.success(
                        request,
                        f"No prior approval needed: budget version {modification.result.number} "
                        "is now current.",
                    )
                else:
                    messages.success(
                        request, "Prior approval is needed: the request went to a program manager."
                    )
                return redirect("modifications:detail", modification.pk)
    return render(
        request,
        "budgets/modification_form.html",
        {
            "award": award,
            "form": form,
            "budget": budget,
            "budget_errors": section_errors["lines"],
            "assessment": assessment,
        },
    )


@login_required
def pre_award_budget(request, award_number: str):
    """A program manager sets (or revises) a draft award's budget before it is offered,
    e.g. for the awards a published allocation creates without one."""
    award = award_or_404(request, award_number)
    access.require(
        access.can_manage_program(request.user), "Only a program manager sets an award's budget."
    )
    data = request.POST if request.method == "POST" else None
    form = forms.Form(data)
    budget = lines_form(data, award.budget_versions.current())
    section_errors = {"lines": []}
    if data is not None and budget.is_valid():
        try:
            version = budget_version_create(
                actor=request.user,
                award=award,
                lines=budget.lines(),
                approve=True,
                note="Pre-award budget",
            )
        except ValidationError as error:
            add_service_errors(form, error, extra=section_errors)
        else:
            messages.success(request, f"Budget version {version.number} is now current.")
            return redirect(award.get_absolute_url())
    return render(
        request,
        "budgets/pre_award_budget.html",
        {"award": award, "form": form, "budget": budget, "budget_errors": section_errors["lines"]},
    )


@login_required
def supplement(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(
        access.can_propose_supplement(request.user), "Only a program manager proposes supplements."
    )
    data = request.POST if request.method == "POST" else None
    form = SupplementForm(
        data,
        appropriations=selectors.appropriation_list_for_user(user=request.user).order_by(
            "-fiscal_year", "pk"
        ),
    )
    budget = lines_form(data, award.budget_versions.current())
    section_errors = {"lines": []}
    if data is not None and form.is_valid() & budget.is_valid():
        try:
            modification = supplement_propose(
                actor=request.user,
                award=award,
                appropriation=form.cleaned_data["appropriation"],
                amount=form.cleaned_data["supplement_amount"],
                lines=budget.lines(),
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            add_service_errors(form, error, extra=section_errors)
        else:
            messages.success(
                request,
                f"Supplement of {format_money(modification.supplement_amount)} proposed; "
                "it waits for approval.",
            )
            return redirect("modifications:detail", modification.pk)
    return render(
        request,
        "budgets/supplement_form.html",
        {"award": award, "form": form, "budget": budget, "budget_errors": section_errors["lines"]},
    )


@login_required
def decrease(request, award_number: str):
    """Propose a decrease or a termination: less federal money, with the budget for the
    new total (docs/rules/deobligation.md#decreases-and-terminations)."""
    award = award_or_404(request, award_number)
    access.require(
        access.can_propose_supplement(request.user),
        "Only a program manager proposes decreases and terminations.",
    )
    data = request.POST if request.method == "POST" else None
    form = DecreaseForm(data)
    budget = lines_form(data, award.budget_versions.current())
    section_errors = {"lines": []}
    if data is not None and form.is_valid() & budget.is_valid():
        try:
            modification = decrease_propose(
                actor=request.user,
                award=award,
                amount=form.cleaned_data["decrease_amount"],
                kind=form.cleaned_data["kind"],
                lines=budget.lines(),
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            add_service_errors(form, error, extra=section_errors)
        else:
            messages.success(
                request,
                f"{modification.kind_label} of {format_money(modification.decrease_amount)} "
                "proposed; it waits for approval.",
            )
            return redirect("modifications:detail", modification.pk)
    balances = award_balances(award, as_of=date.max)
    return render(
        request,
        "budgets/decrease_form.html",
        {
            "award": award,
            "form": form,
            "budget": budget,
            "budget_errors": section_errors["lines"],
            "balances": balances,
            "most": award.federal_amount - balances.total_federal_share,
        },
    )


@login_required
def change_list(request):
    queryset = budget_change_list_for_user(user=request.user)
    filterset = BudgetChangeFilter(request.GET, queryset=queryset)
    return render_table_page(
        request,
        template="budgets/modification_list.html",
        filterset=filterset,
        table=BudgetChangeTable(filterset.qs),
        context={"export_url": reverse("exports:table", args=["budget_changes"])},
    )


@login_required
def detail(request, pk: int):
    modification = get_or_404(budget_change_list_for_user(user=request.user), pk=pk)
    base = {line.category: line for line in modification.base.lines.all()}
    replaced = {line.category: line for line in modification.replaces.lines.all()}
    proposed = {line.category: line for line in modification.lines.all()}
    rows = []
    for code in sorted(set(base) | set(replaced) | set(proposed)):
        line = proposed.get(code) or replaced.get(code) or base.get(code)
        amounts = [
            getattr(source.get(code), "federal_amount", None)
            for source in (base, replaced, proposed)
        ]
        amounts = [a if a is not None else 0 for a in amounts]
        rows.append(
            {
                "label": line.get_category_display(),
                "base": amounts[0],
                "current": amounts[1],
                "proposed": amounts[2],
                "change": amounts[2] - amounts[0],
                "non_federal": getattr(proposed.get(code), "non_federal_amount", 0),
                "narrative": getattr(proposed.get(code), "narrative", ""),
            }
        )
    user = request.user
    can_decide = (
        modification.status == modification.Status.REQUESTED
        and access.can_decide_budget_change(user, supplement=modification.changes_funding)
        and modification.requested_by_id != user.pk
    )
    return render(
        request,
        "budgets/modification_detail.html",
        {
            "modification": modification,
            "award": modification.award,
            "rows": rows,
            "can_decide": can_decide,
            "is_requester": modification.requested_by_id == user.pk,
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def decide(request, pk: int):
    modification = get_or_404(budget_change_list_for_user(user=request.user), pk=pk)
    access.require(
        access.can_decide_budget_change(request.user, supplement=modification.changes_funding)
    )
    approve = request.POST.get("decision") == "approve"
    try:
        budget_modification_decide(
            actor=request.user,
            modification=modification,
            approve=approve,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if not approve:
            messages.success(request, "Rejected; nothing changed.")
        elif modification.is_supplement:
            messages.success(
                request,
                f"Approved: {format_money(modification.amendment.amount)} added to the award, "
                "and its new budget is current.",
            )
        elif modification.is_decrease:
            messages.success(
                request,
                f"Approved: {format_money(modification.amendment.amount)} taken off the award "
                "and returned to its appropriations; its new budget is current.",
            )
        else:
            messages.success(request, "Approved: the new budget is current.")
    return redirect("modifications:detail", modification.pk)


@login_required
def terms(request, award_number: str):
    """The award's period, federal amount, funding lines and budget on a chosen day."""
    award = award_or_404(request, award_number)
    asked = request.GET.get("as_of", "")
    try:
        on = date.fromisoformat(asked) if asked else timezone.localdate()
    except ValueError:
        messages.error(request, f"“{asked}” is not a date (YYYY-MM-DD); showing today's terms.")
        on = timezone.localdate()
    return render(
        request,
        "budgets/award_terms.html",
        {
            "award": award,
            "as_of": on,
            "view": award_terms_as_of(award, on),
            "exists_from": award_exists_from(award),
        },
    )
