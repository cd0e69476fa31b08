"""Pages for appropriations, task forces and awards. Thin: check access, call a
selector or a service, render. Objects outside the person's scope are 404s."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants import access, selectors, services
from grants import indirect_rates as indirect_rates_service
from grants.amendments import OPEN_FOR_AMENDMENTS, funding_line_balances
from grants.confirmations import confirmation_for
from grants.filters import AppropriationFilter, AwardFilter, TaskForceFilter
from grants.form_errors import add_service_errors
from grants.forms import AcceptanceForm, AppropriationForm, HoldForm, IndirectRateForm
from grants.lookups import award_or_404, get_or_404
from grants.models import Award, AwardFunding, Hold, RuleValue, SetAside
from grants.money import ZERO, MoneySum
from grants.table_pages import paginate, render_table_page
from grants.tables import AppropriationTable, AwardTable, TaskForceTable

# --- Appropriations ------------------------------------------------------------------


@login_required
def appropriation_list(request):
    access.require(access.can_view_program(request.user))
    queryset = selectors.appropriation_list_for_user(user=request.user)
    filterset = AppropriationFilter(request.GET, queryset=queryset)
    return render_table_page(
        request,
        template="grants/appropriation_list.html",
        filterset=filterset,
        table=AppropriationTable(filterset.qs),
        context={"export_url": reverse("exports:table", args=["appropriations"])},
    )


@login_required
def appropriation_detail(request, pk: int):
    appropriation = get_or_404(selectors.appropriation_list_for_user(user=request.user), pk=pk)
    funding = (
        AwardFunding.objects.filter(appropriation=appropriation)
        .filter(access.task_force_scope(request.user, field="award__task_force"))
        .select_related("award", "award__task_force")
        .order_by("award__award_number")
    )
    return render(
        request,
        "grants/appropriation_detail.html",
        {
            "appropriation": appropriation,
            "set_asides": sorted(
                appropriation.set_asides.all(), key=lambda s: SetAside.Kind.values.index(s.kind)
            ),
            "funding_lines": funding,
            "available": selectors.appropriation_available(appropriation),
        },
    )


@login_required
def appropriation_create(request):
    access.require(access.can_manage_program(request.user))
    form = AppropriationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appropriation = services.appropriation_create(
                actor=request.user,
                fiscal_year=data["fiscal_year"],
                name=data["name"],
                source=data["source"],
                source_status=data["source_status"],
                amount=data["amount"],
                available_from=data["available_from"],
                available_until=data["available_until"],
                public_law=data["public_law"],
                notes=data["notes"],
                set_asides=form.set_asides(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recorded {appropriation}.")
            return redirect(appropriation)
    return render(request, "grants/appropriation_form.html", {"form": form})


# --- Task forces ---------------------------------------------------------------------


@login_required
def task_force_list(request):
    queryset = selectors.task_force_list_for_user(user=request.user)
    filterset = TaskForceFilter(request.GET, queryset=queryset)
    return render_table_page(
        request,
        template="grants/task_force_list.html",
        filterset=filterset,
        table=TaskForceTable(filterset.qs),
        context={"export_url": reverse("exports:table", args=["task_forces"])},
    )


@login_required
def task_force_detail(request, code: str):
    task_force = get_or_404(selectors.task_force_list_for_user(user=request.user), code=code)
    awards = AwardTable(
        selectors.award_list_for_user(user=request.user).filter(task_force=task_force),
        exclude=("task_force",),
    )
    paginate(request, awards)
    return render(
        request,
        "grants/task_force_detail.html",
        {
            "task_force": task_force,
            "recipient": task_force.lead_organization,
            "table": awards,
        },
    )


# --- Indirect cost rates --------------------------------------------------------------


@login_required
def indirect_rates(request, uei: str):
    """A recipient's indirect cost rate agreements, and the form to record one."""
    recipient = get_or_404(selectors.recipient_list_for_user(user=request.user), uei=uei)
    can_record = access.can_record_indirect_rates(request.user)
    form = IndirectRateForm(request.POST or None)
    if request.method == "POST":
        access.require(can_record, "Only program managers and financial approvers record rates.")
        if form.is_valid():
            try:
                indirect_rates_service.rate_agreement_record(
                    actor=request.user, recipient=recipient, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Rate agreement recorded.")
                return redirect("grants:indirect_rates", recipient.uei)
    return render(
        request,
        "grants/indirect_rates.html",
        {
            "recipient": recipient,
            "agreements": recipient.indirect_rate_agreements.select_related("recorded_by"),
            "task_forces": selectors.task_force_list_for_user(user=request.user).filter(
                lead_organization=recipient
            ),
            "de_minimis": RuleValue.objects.filter(key=indirect_rates_service.DE_MINIMIS_KEY),
            "can_record": can_record,
            "form": form,
        },
    )


# --- Awards --------------------------------------------------------------------------


@login_required
def award_list(request):
    queryset = selectors.award_list_for_user(user=request.user)
    filterset = AwardFilter(
        request.GET,
        queryset=queryset,
        task_forces=selectors.task_force_list_for_user(user=request.user),
    )
    return render_table_page(
        request,
        template="grants/award_list.html",
        filterset=filterset,
        table=AwardTable(filterset.qs),
        context={"export_url": reverse("exports:table", args=["awards"])},
    )


@login_required
def award_detail(request, award_number: str):
    award = award_or_404(request, award_number)
    # The budget lives in the budgets app, which builds on this one; the page reads it
    # through the award's reverse relation rather than importing that app.
    versions = list(
        award.budget_versions.select_related("created_by", "approved_by")
        .prefetch_related("lines")
        .annotate(
            federal_total=MoneySum("lines__federal_amount", default=ZERO),
            non_federal_total=MoneySum("lines__non_federal_amount", default=ZERO),
        )
        .order_by("-number")
    )
    holds = list(selectors.hold_list_for_award(award=award))
    user = request.user
    # Closing goes through the closeout checklist on the reports tab.
    next_statuses = [
        Award.Status(s)
        for s in sorted(Award.TRANSITIONS[Award.Status(award.status)] - {Award.Status.CLOSED})
        if (
            access.can_accept_award(user, award)
            if s == Award.Status.ACCEPTED
            else access.can_manage_program(user)
        )
    ]
    return render(
        request,
        "grants/award_detail.html",
        {
            "award": award,
            # Oldest first, each with what of it went back (docs/rules/deobligation.md).
            "funding_lines": list(reversed(funding_line_balances(award))),
            "budget_versions": versions,
            "current_budget": next((v for v in versions if v.is_current), None),
            "holds": holds,
            "active_holds": [h for h in holds if h.is_active],
            # Monitoring findings are the oversight app's, built on this one: read through
            # the reverse relation, like the budget above.
            "open_findings": list(award.monitoring_findings.exclude(status="closed")),
            "amendments": award.amendments.select_related("requested_by", "decided_by"),
            "next_statuses": next_statuses,
            "period_ended": award.period_end < timezone.localdate(),
            "can_manage": access.can_manage_program(user),
            "hold_form": HoldForm(),
            "can_propose_budget": access.can_propose_budget_modification(user, award),
            "can_propose_supplement": access.can_propose_supplement(user),
            "can_request_extension": access.can_request_extension(user, award),
            "can_record_administrative": access.can_record_administrative_change(user, award),
            "open_for_amendments": OPEN_FOR_AMENDMENTS,
        },
    )


# The steps a person takes from the award page; closing goes through the closeout checklist.
PERSON_STEPS = {
    Award.Status.OFFERED,
    Award.Status.DRAFT,
    Award.Status.ACCEPTED,
    Award.Status.ACTIVE,
    Award.Status.IN_CLOSEOUT,
}


@login_required
def award_transition(request, award_number: str, to_status: str):
    """A lifecycle step cannot be undone, so GET says what it will do with the award's
    amounts and dates, and only the POST of that page takes it (grants.services)."""
    award = award_or_404(request, award_number)
    if to_status not in PERSON_STEPS:
        raise Http404("No such step.")
    to_status = Award.Status(to_status)
    if to_status == Award.Status.ACCEPTED:
        access.require(access.can_accept_award(request.user, award))
        form = AcceptanceForm(request.POST if request.method == "POST" else None, award=award)
    else:
        access.require(access.can_manage_program(request.user))
        form = None
    allowed = to_status in Award.TRANSITIONS[Award.Status(award.status)]
    problem = (
        ""
        if allowed
        else (
            f"Award {award} is {award.get_status_display().lower()}; it cannot become "
            f"{to_status.label.lower()}."
        )
    )
    if request.method == "POST" and allowed:
        # The form only carries what was typed; the service decides whether it suffices.
        fields = form.cleaned_data if form is not None and form.is_valid() else {}
        try:
            services.award_transition(
                actor=request.user,
                award=award,
                to_status=to_status,
                terms_accepted=bool(fields.get("terms_accepted")),
                typed_name=fields.get("typed_name", ""),
            )
        except ValidationError as error:
            if form is not None and hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                problem = " ".join(error.messages)
        else:
            award.refresh_from_db()
            messages.success(request, f"{award} is now {award.get_status_display().lower()}.")
            return redirect(award)
    return render(
        request,
        "grants/award_transition.html",
        {
            "award": award,
            "to_status": to_status,
            "confirmation": confirmation_for(award, to_status),
            "form": form,
            "problem": problem,
            "allowed": allowed,
        },
    )


@login_required
@require_POST
def hold_place(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(access.can_manage_program(request.user))
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.hold_place(actor=request.user, award=award, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Hold placed. Drawdowns are refused until it is lifted.")
    else:
        messages.error(request, "Say why the hold is placed.")
    return redirect(award)


@login_required
@require_POST
def hold_lift(request, award_number: str, hold_id: int):
    award = award_or_404(request, award_number)
    access.require(access.can_manage_program(request.user))
    hold = get_object_or_404(Hold, pk=hold_id, award=award)
    try:
        services.hold_lift(actor=request.user, hold=hold, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Hold lifted.")
    return redirect(award)


@login_required
@require_POST
def award_drawdown_approval(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(access.can_manage_program(request.user))
    required = request.POST.get("required") == "1"
    try:
        services.award_set_drawdown_approval(
            actor=request.user,
            award=award,
            required=required,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Drawdowns on this award now wait for a financial approver."
            if required
            else "Drawdowns on this award are approved automatically again.",
        )
    return redirect(award)


# --- Search --------------------------------------------------------------------------


@login_required
def search(request):
    """The header's search box: what of the person's scope matches."""
    query = request.GET.get("q", "")
    results = selectors.search_for_user(user=request.user, query=query)
    return render(
        request,
        "grants/search.html",
        {"results": results, "search_query": results.query, "too_short": len(results.query) < 2},
    )
