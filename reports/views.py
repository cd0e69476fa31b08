"""The dashboard and the reporting pages."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.mfa_stepup import step_up_required
from budgets.balances import awards_with_excess_cash
from grants import access, selectors
from grants.form_errors import add_service_errors
from grants.lookups import award_or_404, get_or_404
from grants.models import AuditChainHead, Award, TaskForce
from reports import comments, report_types, services
from reports.calendar import find_due, report_url
from reports.forms import CommentForm, ReviewForm
from reports.models import FILED_IN, MEASURES, FinancialReport, ProgressDraft, ReviewStatus
from reports.report_types import FINANCIAL_REPORT, PROGRESS_REPORT, ReportType
from reports.selectors import (
    calendar_for_awards,
    calendar_for_user,
    progress_reports_for_user,
    reports_for_user,
)
from reports.sf425 import (
    INDIRECT_TOTALS,
    certified_amounts,
    certified_indirect,
    compute_sf425,
    variance,
)
from reports.tables import CALENDAR_PER_PAGE, CalendarTable
from reports.worklist import default_fiscal_year, worklist_for_user


@login_required
def home(request):
    """What waits for the person (reports.worklist), then the fiscal year's money and
    awards, on the year where their work is unless they chose another."""
    user = request.user
    today = timezone.localdate()
    years = selectors.fiscal_years_for_user(user=user)
    try:
        chosen = int(request.GET.get("fy", ""))
    except ValueError:
        chosen = default_fiscal_year(user=user, years=years, today=today)
    context = {"years": years, "chosen_year": chosen, "audit_head": AuditChainHead.current()}
    work = context["work"] = worklist_for_user(user=user, today=today)
    context["budget_lists"] = [
        (work.supplements, "supplements", "Supplements waiting", work.totals.get("supplements")),
        (
            work.budget_changes,
            "budget-changes",
            "Budget changes to decide",
            work.totals.get("budget-changes"),
        ),
    ]
    if access.can_view_program(user):
        # The year's chain and every year's from one reading of the chains by year.
        chains = selectors.money_chain_by_year(user=user, on=today)
        context["year_chain"] = chains.get(chosen) or selectors.MoneyChain.empty(chosen)
        context["all_chain"] = selectors.MoneyChain.total(chains.values())
        context["first_year"] = years[-1] if years else None
    context["excess_cash"] = (
        work.excess_cash
        if work.excess_cash is not None
        else awards_with_excess_cash(selectors.award_list_for_user(user=user), today=today)
    )
    context["cash_days"] = int(selectors.rule_value("cash_on_hand_days", on=today))
    awards = selectors.award_list_for_user(user=user).filter(fiscal_year=chosen)
    context["awards"] = awards.order_by("task_force__state", "task_force__name")[:100]
    context["award_count"] = awards.count()
    return render(request, "reports/home.html", context)


# --- Reporting -----------------------------------------------------------------------


def _period(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404("No such reporting period.") from None


@login_required
def award_reports(request, award_number: str):
    """The award's reports tab: its calendar, variances against certified numbers, and
    the closeout checklist."""
    award = award_or_404(request, award_number)
    today = timezone.localdate()
    rows = calendar_for_awards(Award.objects.filter(pk=award.pk), today=today)
    variances = []
    for report in FinancialReport.objects.filter(award=award, status__in=FILED_IN):
        now = compute_sf425(award, period_end=report.period_end, is_final=report.is_final)
        diff = variance(report.lines, now)
        if diff:
            variances.append((report, sorted(diff.items())))
    checklist = (
        services.closeout_checklist(award) if award.status == Award.Status.IN_CLOSEOUT else None
    )
    return render(
        request,
        "reports/award_reports.html",
        {
            "award": award,
            "rows": rows,
            "variances": variances,
            "checklist": checklist,
            "can_close": checklist is not None
            and access.can_manage_program(request.user)
            and not services.checklist_blockers(checklist),
            # The report types this person files for the award.
            "files": [t.key for t in report_types.all_types() if t.may_file(request.user, award)],
        },
    )


def _review_context(request, report, comment_form=None):
    return {
        "thread": comments.thread_of(report) if report is not None else [],
        "can_comment": report is not None and comments.may_comment(request.user, report),
        "comment_form": comment_form or CommentForm(),
        "review_form": ReviewForm(),
        "can_review": access.can_manage_program(request.user)
        and report is not None
        and report.status == ReviewStatus.SUBMITTED,
    }


def _filing(request, award_number: str, period_end: str, report_type: ReportType):
    """The award, the reporting period `period_end` ends, the report filed for it (or
    None), whether the person may file it: they file this type of report and nobody has
    filed it yet, or the program office returned it; and, when they may, why it cannot
    be filed today ("" when it can), said instead of offering the form."""
    award = award_or_404(request, award_number)
    due = find_due(award, report_type.key, _period(period_end))
    if due is None:
        raise Http404("No such reporting period.")
    report = report_type.model.objects.filter(award=award, period_end=due.period_end).first()
    can_file = report_type.may_file(request.user, award) and (report is None or report.is_returned)
    not_yet = (
        services.filing_refusal(award, report_type, due.period_end, timezone.localdate())
        if can_file
        else ""
    )
    return award, due, report, can_file, not_yet


def _file(request, form, due, *, allowed: bool, submit) -> bool:
    """Handle a filing POST: refuse if not `allowed` (nobody files a report twice), then
    `submit(cleaned_data)`; True once filed, False with the reasons on the form."""
    access.require(allowed, due.report_type.refusal.removesuffix(".") + ", and only once.")
    if not form.is_valid():
        return False
    try:
        submit(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, f"Submitted the {due.label_in_sentence}.")
    return True


def _certifier(user) -> dict:
    """The certifier, prefilled from the signed-in person: their name and email, and the
    title and phone they gave on the last SF-425 they certified."""
    last = (
        FinancialReport.objects.filter(submitted_by=user)
        .order_by("-submitted_at", "-pk")
        .values("certifier_title", "certifier_phone")
        .first()
    ) or {}
    return {
        "certifier_name": user.get_full_name() or user.get_username(),
        "certifier_email": user.email,
        **last,
    }


@login_required
@step_up_required()  # certifying the SF-425 is its POST
def sf425_detail(request, award_number: str, period_end: str):
    award, due, report, can_file, not_yet = _filing(
        request, award_number, period_end, FINANCIAL_REPORT
    )
    form = FINANCIAL_REPORT.form_class()(
        request.POST or None,
        initial={name: getattr(report, name) for name in ("remarks", *services.CERTIFIER_FIELDS)}
        if report
        else _certifier(request.user),
    )
    if request.method == "POST" and _file(
        request,
        form,
        due,
        allowed=can_file,
        submit=lambda data: services.sf425_submit(
            actor=request.user,
            award=award,
            period_end=due.period_end,
            remarks=data["remarks"],
            certifier=data,
        ),
    ):
        return redirect("reports:sf425_detail", award.award_number, period_end)
    computed = compute_sf425(award, period_end=due.period_end, is_final=due.is_final)
    certified = certified_rows = None
    if report is not None and report.is_in:
        amounts = certified_amounts(report.lines)
        certified = [(number, label, amounts[number]) for number, label, _ in computed.line_rows()]
        certified_rows = certified_indirect(report.lines)
    return render(
        request,
        "reports/sf425_detail.html",
        {
            "award": award,
            "due": due,
            "report": report,
            "sf425": computed,
            "certified": certified,
            "indirect_rows": computed.indirect if certified is None else certified_rows,
            "indirect_totals": [
                (computed.lines if certified is None else amounts)[number]
                for number in INDIRECT_TOTALS
            ],
            "variance": variance(report.lines, computed)
            if report is not None and report.is_in
            else {},
            "form": form,
            "can_file": can_file,
            "not_yet": not_yet,
            **_review_context(request, report),
        },
    )


def _save_draft(request, form, award, due, *, allowed: bool) -> bool:
    """Handle "Save draft": keep what was typed, whatever is still blank; True once kept,
    False with the reasons on the form (a measure that is not a whole number)."""
    access.require(allowed, due.report_type.refusal.removesuffix(".") + ", and only once.")
    if not form.is_valid():
        return False
    try:
        services.progress_draft_save(
            actor=request.user, award=award, period_end=due.period_end, data=form.draft()
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, f"Saved a draft of the {due.label_in_sentence}.")
    return True


@login_required
def progress_detail(request, award_number: str, period_end: str):
    award, due, report, can_file, not_yet = _filing(
        request, award_number, period_end, PROGRESS_REPORT
    )
    initial = {}
    if report is not None:
        initial = {name: getattr(report, name) for name, _ in MEASURES}
        initial.update(
            accomplishments=report.accomplishments,
            challenges=report.challenges,
            next_steps=report.next_steps,
        )
    # What was written so far and not filed yet: it is what the form shows.
    draft = ProgressDraft.objects.filter(award=award, period_end=due.period_end).first()
    if draft is not None and can_file:
        initial = draft.data
    saving = request.method == "POST" and "save_draft" in request.POST
    form = PROGRESS_REPORT.form_class()(request.POST or None, initial=initial, draft=saving)
    if saving and _save_draft(request, form, award, due, allowed=can_file):
        return redirect("reports:progress_detail", award.award_number, period_end)
    if (
        request.method == "POST"
        and not saving
        and _file(
            request,
            form,
            due,
            allowed=can_file,
            submit=lambda data: services.progress_submit(
                actor=request.user,
                award=award,
                period_end=due.period_end,
                narrative=form.narrative(),
                measures=form.measures(),
            ),
        )
    ):
        return redirect("reports:progress_detail", award.award_number, period_end)
    measures = [(label, getattr(report, name)) for name, label in MEASURES] if report else []
    return render(
        request,
        "reports/progress_detail.html",
        {
            "award": award,
            "due": due,
            "report": report,
            "form": form,
            "can_file": can_file,
            "not_yet": not_yet,
            "measures": measures,
            "draft": draft if can_file else None,
            **_review_context(request, report),
        },
    )


def _report_type_or_404(kind: str) -> ReportType:
    report_type = report_types.get(kind)
    if report_type is None:
        raise Http404("No such report.")
    return report_type


@login_required
def report_detail(request, award_number: str, kind: str, period_end: str):
    """The filing page of a report type without a page of its own: the form of its
    fields, then the report as filed, and the program office's review."""
    report_type = _report_type_or_404(kind)
    if report_type.view:
        raise Http404("No such report.")
    award, due, report, can_file, not_yet = _filing(request, award_number, period_end, report_type)
    form = report_type.form_class()(
        request.POST or None,
        initial={name: getattr(report, name) for name in report_type.fields} if report else {},
    )
    if request.method == "POST" and _file(
        request,
        form,
        due,
        allowed=can_file,
        submit=lambda data: services.report_submit(
            actor=request.user,
            award=award,
            report_type=report_type,
            period_end=due.period_end,
            fields=data,
        ),
    ):
        return redirect(due.get_absolute_url())
    filed = []
    if report is not None:
        filed = [
            (report._meta.get_field(name).verbose_name, getattr(report, name))
            for name in report_type.fields
        ]
    return render(
        request,
        "reports/report_detail.html",
        {
            "award": award,
            "due": due,
            "report": report,
            "filed": filed,
            "pdf_url": report_type.pdf_url(award.award_number, due.period_end),
            "html_url": report_type.html_url(award.award_number, due.period_end),
            "form": form,
            "can_file": can_file,
            "not_yet": not_yet,
            **_review_context(request, report),
        },
    )


@login_required
@require_POST
def report_review(request, kind: str, report_id: int):
    report_type = _report_type_or_404(kind)
    report = get_or_404(reports_for_user(user=request.user, report_type=report_type), pk=report_id)
    access.require(access.can_manage_program(request.user), "Only program managers review reports.")
    form = ReviewForm(request.POST)
    form.is_valid()
    accept = request.POST.get("decision") == "accept"
    try:
        services.report_review(
            actor=request.user,
            report=report,
            accept=accept,
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Report accepted."
            if accept
            else "Report returned to the task force with your comments.",
        )
    return redirect(report_url(report.award.award_number, kind, report.period_end))


@login_required
@require_POST
def report_comment(request, kind: str, report_id: int):
    """Add a comment to a returned report's thread."""
    report_type = _report_type_or_404(kind)
    report = get_or_404(reports_for_user(user=request.user, report_type=report_type), pk=report_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comments.comment_add(actor=request.user, report=report, body=form.cleaned_data["body"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Comment added.")
    else:
        messages.error(request, "Comment not added: " + " ".join(form.errors["body"]))
    return redirect(report_url(report.award.award_number, kind, report.period_end) + "#thread")


@login_required
@require_POST
def award_close(request, award_number: str):
    award = award_or_404(request, award_number)
    access.require(access.can_manage_program(request.user))
    try:
        services.award_close(actor=request.user, award=award)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Award {award} is closed.")
    return redirect("reports:award_reports", award.award_number)


def calendar_rows(*, user, params, today: date) -> tuple[list, str, str]:
    """The reports the calendar page lists as its query string chooses (the page and its
    download): the rows, which ones ("open" or "all") and in which order."""
    rows = calendar_for_user(user=user, today=today)
    show = params.get("show", "open")
    if show == "open":
        rows = [
            r for r in rows if r.needs_action and r.due.period_end < today or r.state == "Overdue"
        ]
    sort = params.get("sort", "lateness")
    if sort == "due":
        rows.sort(key=lambda r: (r.due.due_on, r.due.award.award_number))
    else:
        rows.sort(key=lambda r: (-r.days_late, r.due.due_on, r.due.award.award_number))
    return rows, show, sort


@login_required
def reporting_calendar_page(request):
    """What is due, overdue and done: the task force's own, or every task force's for
    the program office, latest first."""
    today = timezone.localdate()
    rows, show, sort = calendar_rows(user=request.user, params=request.GET, today=today)
    table = CalendarTable(rows)
    RequestConfig(request, paginate={"per_page": CALENDAR_PER_PAGE}).configure(table)
    return render(
        request,
        "reports/calendar.html",
        {"rows": rows, "table": table, "show": show, "sort": sort, "today": today},
    )


@dataclass(frozen=True)
class MeasuresShown:
    """What the measures page shows: one period's reports side by side, or one task
    force's over time, as its query string chooses."""

    periods: list[date]
    task_forces: QuerySet
    task_force: TaskForce | None
    chosen: date | None
    rows: QuerySet


def measures_shown(*, user, params) -> MeasuresShown:
    """The measures page's choice and rows (the page and its download)."""
    reports = progress_reports_for_user(user=user).filter(status__in=FILED_IN)
    periods = sorted(set(reports.values_list("period_end", flat=True)), reverse=True)
    task_forces = selectors.task_force_list_for_user(user=user).order_by("state", "name")
    task_force = (
        task_forces.filter(code=params["task_force"]).first() if params.get("task_force") else None
    )
    chosen = None
    if task_force is not None:
        rows = reports.filter(award__task_force=task_force).order_by("period_end")
    else:
        chosen = (
            _period(params["period"]) if params.get("period") else (periods[0] if periods else None)
        )
        rows = reports.filter(period_end=chosen).order_by(
            "award__task_force__state", "award__task_force__name"
        )
    return MeasuresShown(periods, task_forces, task_force, chosen, rows)


@login_required
def measures_page(request):
    """ICAC performance measures: task forces side by side for one period, or one task
    force over time."""
    shown = measures_shown(user=request.user, params=request.GET)
    periods, task_forces, task_force = shown.periods, shown.task_forces, shown.task_force
    chosen, rows = shown.chosen, shown.rows
    columns = list(MEASURES)
    table = [(r, [getattr(r, name) for name, _ in columns]) for r in rows]
    totals = [sum(values[i] for _, values in table) for i in range(len(columns))] if table else []
    # Each value beside its measure's name: on a phone the table stacks, a row per value.
    labels = [label for _, label in columns]
    labelled = [(r, list(zip(labels, values, strict=True))) for r, values in table]
    return render(
        request,
        "reports/measures.html",
        {
            "periods": periods,
            "chosen": chosen,
            "columns": columns,
            "table": table,
            "labelled": labelled,
            "totals": totals,
            "labelled_totals": list(zip(labels, totals, strict=False)),
            "task_forces": task_forces,
            "task_force": task_force,
        },
    )
