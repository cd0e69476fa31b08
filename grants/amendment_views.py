"""Pages for amendments: the list, no-cost extensions and administrative changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants import access, selectors
from grants.amendment_forms import AdministrativeForm, ExtensionForm, MatchChangeForm
from grants.amendment_tables import AmendmentTable
from grants.amendments import (
    administrative_record,
    extension_decide,
    extension_limits,
    extension_request,
    extensions_approved,
    match_change_record,
)
from grants.filters import AmendmentFilter
from grants.form_errors import add_service_errors
from grants.lookups import award_or_404, get_or_404
from grants.models import Amendment
from grants.table_pages import render_table_page


@login_required
def amendment_list(request):
    # Each row links its budget change: read it with the row, not one query per row.
    amendments = selectors.amendment_list_for_user(user=request.user).select_related(
        "budget_modification"
    )
    filterset = AmendmentFilter(request.GET, queryset=amendments)
    table = AmendmentTable(filterset.qs)
    table.can_decide = access.can_decide_amendments(request.user)
    table.user_id = request.user.pk
    return render_table_page(
        request,
        template="grants/amendment_list.html",
        filterset=filterset,
        table=table,
        context={"export_url": reverse("exports:table", args=["amendments"])},
    )


@login_required
def extension(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(
        access.can_request_extension(request.user, award),
        "Only the task force's finance officers and grant administrators request extensions.",
    )
    earlier = extensions_approved(award)
    form = ExtensionForm(request.POST or None, already_extended=bool(earlier))
    if request.method == "POST" and form.is_valid():
        try:
            extension_request(
                actor=request.user,
                award=award,
                new_end=form.cleaned_data["new_end"],
                reason=form.cleaned_data["reason"],
                justification=form.cleaned_data.get("justification", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Extension requested; a program manager decides it.")
            return redirect("amendments:list")
    last_day_to_ask, latest_end = extension_limits(award, on=timezone.localdate())
    return render(
        request,
        "grants/extension_form.html",
        {
            "award": award,
            "form": form,
            "last_day_to_ask": last_day_to_ask,
            "latest_end": latest_end,
            "earlier_extensions": earlier,
        },
    )


@login_required
def administrative(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(
        access.can_record_administrative_change(request.user, award),
        "Only a program manager or the task force's grant administrator records this.",
    )
    form = AdministrativeForm(request.POST or None, recipient=award.recipient)
    if request.method == "POST" and form.is_valid():
        try:
            administrative_record(
                actor=request.user,
                award=award,
                description=form.cleaned_data["description"],
                recipient_changes=form.recipient_changes(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Administrative change recorded.")
            return redirect(award)
    return render(request, "grants/administrative_form.html", {"award": award, "form": form})


@login_required
def match_change(request, award_number: str):
    """Record the awarding agency's approved change of the required match."""
    award = award_or_404(request, award_number)
    access.require(
        access.can_manage_program(request.user),
        "Only a program manager records a change of match.",
    )
    form = MatchChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            match_change_record(
                actor=request.user,
                award=award,
                match_required=form.cleaned_data["match_required"],
                effective_on=form.cleaned_data["effective_on"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Change of match recorded.")
            return redirect(award)
    return render(request, "grants/match_change_form.html", {"award": award, "form": form})


@login_required
@require_POST
def decide(request, pk: int):
    amendment = get_or_404(selectors.amendment_list_for_user(user=request.user), pk=pk)
    access.require(
        access.can_decide_amendments(request.user), "Only a program manager decides extensions."
    )
    if amendment.kind != Amendment.Kind.NO_COST_EXTENSION:
        messages.error(request, "This amendment is decided on its budget change page.")
        return redirect("amendments:list")
    approve = request.POST.get("decision") == "approve"
    try:
        extension_decide(
            actor=request.user,
            amendment=amendment,
            approve=approve,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Extension approved: award {amendment.award} now ends {amendment.period_end_after:%m/%d/%Y}."
            if approve
            else "Extension rejected.",
        )
    return redirect("amendments:list")
