"""Pages for formula allocations. Thin: check access, call a selector or a service,
render. Task-force staff see none of these pages (grants.access.can_view_allocations)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.mfa_stepup import step_up_required
from allocations import selectors, services
from allocations.filters import FactorFilter, LineFilter, RunFilter
from allocations.forms import CompareForm, FactorDataForm, FactorImportForm, RunForm, WaiverForm
from allocations.formula import FACTOR_LABELS
from allocations.imports import ImportRefused, parse_factor_file
from allocations.models import AllocationRun, FactorData
from allocations.tables import CompareTable, FactorTable, LineTable, RunTable
from grants import access
from grants.form_errors import add_service_errors
from grants.lookups import get_or_404
from grants.selectors import task_force_list_for_user
from grants.table_pages import render_table_page


def _require_view(user) -> None:
    access.require(access.can_view_allocations(user))


@login_required
def run_list(request):
    _require_view(request.user)
    filterset = RunFilter(request.GET, queryset=selectors.run_list_for_user(user=request.user))
    return render_table_page(
        request,
        template="allocations/run_list.html",
        filterset=filterset,
        table=RunTable(filterset.qs),
        context={
            "export_url": reverse("exports:table", args=["allocation_runs"]),
            "can_manage": access.can_manage_allocations(request.user),
        },
    )


@login_required
def run_create(request):
    access.require(access.can_manage_allocations(request.user))
    copy_of = None
    if request.GET.get("copy"):
        copy_of = (
            selectors.run_list_for_user(user=request.user)
            .filter(pk=request.GET["copy"] if request.GET["copy"].isdigit() else 0)
            .first()
        )
    form = RunForm(
        request.POST or None,
        appropriations=selectors.appropriations_for_allocation(user=request.user),
        copy_of=copy_of,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.run_create(
                actor=request.user,
                appropriation=data["appropriation"],
                name=data["name"],
                pool=data["pool"],
                formula_pct=data["formula_pct"],
                floor_pct=data["floor_pct"],
                match_pct=data["match_pct"],
                floor_mode=data["floor_mode"],
                weights=form.weights(),
                period_start=data["period_start"],
                period_end=data["period_end"],
                notes=data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Computed scenario “{run.name}” for FY{run.fiscal_year}.")
            return redirect(run)
    return render(request, "allocations/run_form.html", {"form": form})


@login_required
def run_detail(request, pk: int):
    run = get_or_404(selectors.run_list_for_user(user=request.user), pk=pk)
    filterset = LineFilter(request.GET, queryset=selectors.line_list_for_run(run=run))
    can_manage = access.can_manage_allocations(request.user)
    waiver_form = None
    if can_manage and run.status == AllocationRun.Status.DRAFT:
        waiver_form = WaiverForm(
            task_forces=task_force_list_for_user(user=request.user).filter(
                pk__in=run.lines.filter(match_waived=False).values("task_force")
            )
        )
    # A year's allocation is published once: say so rather than offer a refused button.
    published_for_year = (
        selectors.run_list_for_user(user=request.user)
        .filter(fiscal_year=run.fiscal_year, status=AllocationRun.Status.PUBLISHED)
        .exclude(pk=run.pk)
        .first()
    )
    return render_table_page(
        request,
        template="allocations/run_detail.html",
        filterset=filterset,
        table=LineTable(filterset.qs),
        context={
            "run": run,
            "published_for_year": published_for_year,
            "export_url": reverse("exports:table", args=["allocation_run", run.pk]),
            "can_manage": can_manage,
            "waiver_form": waiver_form,
            "weights": [(label, run.weights[f]) for f, label in FACTOR_LABELS.items()],
        },
    )


@login_required
@require_POST
@step_up_required(back=lambda request, pk: reverse("allocations:run_detail", args=[pk]))
def run_publish(request, pk: int):
    run = get_or_404(selectors.run_list_for_user(user=request.user), pk=pk)
    access.require(
        access.can_manage_allocations(request.user),
        "Only a program manager can publish an allocation.",
    )
    try:
        run = services.run_publish(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Published “{run.name}”: {run.lines.count()} draft awards created for "
            f"FY{run.fiscal_year}.",
        )
    return redirect(run)


@login_required
@require_POST
def run_waive(request, pk: int):
    run = get_or_404(selectors.run_list_for_user(user=request.user), pk=pk)
    access.require(access.can_manage_allocations(request.user))
    form = WaiverForm(request.POST, task_forces=task_force_list_for_user(user=request.user))
    if not form.is_valid():
        messages.error(request, "Choose a task force and say why its match is waived.")
        return redirect(run)
    try:
        line = services.run_waive_match(
            actor=request.user,
            run=run,
            task_force=form.cleaned_data["task_force"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Match waived for {line.task_force}.")
    return redirect(run)


def compare_form(*, user, params):
    """The scenarios the compare page puts side by side, as its query string chooses (the
    page and its download): the form, the scenarios and the rows."""
    years = selectors.allocation_fiscal_years(user=user)
    runs = selectors.run_list_for_user(user=user)
    data = params.copy()
    if not data.get("fiscal_year") and years:
        # The latest year that has a scenario, else the latest year.
        with_runs = runs.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
        data["fiscal_year"] = str(with_runs or years[0])
    try:
        year = int(data.get("fiscal_year", 0))
    except ValueError:
        year = 0
    form = CompareForm(data, years=years, runs=runs.filter(fiscal_year=year).order_by("pk"))
    chosen, rows = [], []
    if form.is_valid():
        chosen = list(form.cleaned_data["runs"]) or list(form.fields["runs"].queryset)
        rows = selectors.compare_runs(user=user, runs=chosen, state=form.cleaned_data["state"])
    return form, chosen, rows


@login_required
def compare(request):
    _require_view(request.user)
    form, runs, rows = compare_form(user=request.user, params=request.GET)
    table = CompareTable.build(rows, runs)
    return render(
        request,
        "allocations/compare.html",
        {
            "form": form,
            "runs": runs,
            "table": table,
            "export_url": reverse("exports:table", args=["allocation_comparison"]),
        },
    )


@login_required
def factor_list(request):
    _require_view(request.user)
    filterset = FactorFilter(
        request.GET, queryset=selectors.factor_list_for_user(user=request.user)
    )
    can_manage = access.can_manage_allocations(request.user)
    return render_table_page(
        request,
        template="allocations/factor_list.html",
        filterset=filterset,
        table=FactorTable(filterset.qs, can_edit=can_manage),
        context={
            "export_url": reverse("exports:table", args=["allocation_factors"]),
            "can_manage": can_manage,
        },
    )


@login_required
def factor_edit(request, fiscal_year: int, code: str):
    access.require(access.can_manage_allocations(request.user))
    task_force = get_or_404(task_force_list_for_user(user=request.user), code=code)
    existing = FactorData.objects.filter(task_force=task_force, fiscal_year=fiscal_year).first()
    initial = {}
    if existing is not None:
        initial = {name: getattr(existing, name) for name in services.FACTOR_FIELDS}
    form = FactorDataForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.factor_data_set(
                actor=request.user,
                task_force=task_force,
                fiscal_year=fiscal_year,
                values=form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved FY{fiscal_year} factor data for {task_force}.")
            return redirect(f"{reverse('allocations:factor_list')}?fiscal_year={fiscal_year}")
    return render(
        request,
        "allocations/factor_form.html",
        {"form": form, "task_force": task_force, "fiscal_year": fiscal_year, "existing": existing},
    )


@login_required
def factor_import(request):
    access.require(access.can_manage_allocations(request.user))
    form = FactorImportForm(request.POST or None, request.FILES or None)
    cell_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fiscal_year = form.cleaned_data["fiscal_year"]
        try:
            rows = parse_factor_file(upload.name, upload.read())
            created, updated = services.factor_data_import(
                actor=request.user, fiscal_year=fiscal_year, rows=rows, filename=upload.name
            )
        except ImportRefused as refused:
            cell_errors = [str(e) for e in refused.errors]
        except ValidationError as error:
            cell_errors = error.messages
        else:
            messages.success(
                request,
                f"Imported FY{fiscal_year} factor data: {created} task forces added, "
                f"{updated} updated.",
            )
            return redirect(f"{reverse('allocations:factor_list')}?fiscal_year={fiscal_year}")
    return render(
        request, "allocations/factor_import.html", {"form": form, "cell_errors": cell_errors}
    )
