"""Creating an award with its funding and first budget, in one form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from budgets.forms import BudgetLinesForm
from budgets.services import award_create_with_budget
from grants import access, selectors
from grants.forms import AwardForm, FundingFormSet
from grants.services import FundingRequest
from grants.views import add_service_errors


@login_required
def award_create(request):
    access.require(access.can_manage_program(request.user))
    data = request.POST if request.method == "POST" else None
    appropriations = selectors.appropriation_list_for_user(user=request.user).order_by(
        "-fiscal_year", "pk"
    )
    form = AwardForm(
        data, task_forces=selectors.task_force_list_for_user(user=request.user)
    )
    funding = FundingFormSet(
        data, prefix="funding", form_kwargs={"appropriations": appropriations}
    )
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
