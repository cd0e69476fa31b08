"""Reads of an award's terms and of its reports: what is due, the SF-425 of a period
(computed and certified) and progress reports with their measures. Each reads through
the selectors the pages use, so another task force's award is a 404."""

import base64
import json
from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api import serializers, writes
from api.views import Cursor, ScopedDetail, cursor, scoped_award, write_schema
from budgets.terms import award_terms_as_of
from grants.amendments import award_exists_from
from reports import report_types
from reports.calendar import find_due
from reports.models import FILED_IN, FinancialReport, ProgressDraft, ProgressReport, ReviewStatus
from reports.selectors import calendar_for_user, progress_reports_for_user
from reports.sf425 import LINE_LABELS, certified_amounts, compute_sf425, variance


def day_param(request, name: str, default: date | None = None) -> date | None:
    text = request.query_params.get(name)
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise exceptions.ValidationError(
            {name: [f"'{text[:40]}' is not a date: write it as YYYY-MM-DD, such as 2025-06-30."]}
        ) from None


AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="The day (YYYY-MM-DD); today by default."
)


class AwardTerms(generics.GenericAPIView):
    """The award's period, federal amount, funding lines, amendments in effect and the
    budget version in force on a day, as the award's terms page shows them."""

    serializer_class = serializers.TermsSerializer

    @extend_schema(parameters=[AS_OF])
    def get(self, request, award_number: str):
        award = scoped_award(request, award_number)
        on = day_param(request, "as_of", timezone.localdate())
        view = award_terms_as_of(award, on)
        if view is None:
            raise exceptions.ValidationError(
                {
                    "as_of": [
                        f"Award {award} did not exist on {on:%Y-%m-%d}: it has terms from "
                        f"{award_exists_from(award):%Y-%m-%d}."
                    ]
                }
            )
        return Response(self.get_serializer(view).data)


# --- Reports due --------------------------------------------------------------------

STATES = [
    "Upcoming",
    "Open for filing",
    "Overdue",
    *[label for _, label in ReviewStatus.choices],
]


def due_key(row) -> list:
    due = row.due
    return [due.due_on.isoformat(), due.award.award_number, due.kind, due.period_end.isoformat()]


def encode(key: list, before: bool) -> str:
    return base64.urlsafe_b64encode(json.dumps([before, key]).encode()).decode()


def decode(text: str) -> tuple[bool, list]:
    try:
        before, key = json.loads(base64.urlsafe_b64decode(text.encode()))
        if not isinstance(before, bool) or not (
            isinstance(key, list) and len(key) == 4 and all(isinstance(k, str) for k in key)
        ):
            raise ValueError
    except (ValueError, TypeError):
        raise exceptions.NotFound("Invalid cursor.") from None
    return before, key


class ReportDueFilter(filters.FilterSet):
    """The reporting calendar's choices, and what its columns show."""

    show = filters.ChoiceFilter(
        choices=[("all", "all"), ("open", "open")],
        help_text="open: what still needs filing, as the calendar page shows by default.",
    )
    award = filters.CharFilter(help_text="An award number.")
    kind = filters.ChoiceFilter(choices=[(t.key, t.label) for t in report_types.all_types()])
    state = filters.ChoiceFilter(choices=[(s, s) for s in STATES])
    period_end = filters.DateFilter()


class RowCursor(Cursor):
    """Cursor pages over computed rows (not a queryset): the cursor holds the sort key
    of the row it follows (or precedes), so a page stays put while rows are added."""

    def paginate_queryset(self, rows, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        text = request.query_params.get(self.cursor_query_param)
        before, key = decode(text) if text else (False, None)
        if key is None:
            start, end = 0, size
        elif before:
            end = sum(1 for r in rows if due_key(r) < key)
            start = max(0, end - size)
        else:
            start = sum(1 for r in rows if due_key(r) <= key)
            end = start + size
        shown = rows[start:end]
        url = request.build_absolute_uri()
        self.next_link = (
            replace_query_param(url, self.cursor_query_param, encode(due_key(shown[-1]), False))
            if shown and end < len(rows)
            else None
        )
        self.previous_link = (
            replace_query_param(url, self.cursor_query_param, encode(due_key(shown[0]), True))
            if shown and start > 0
            else None
        )
        return shown

    def get_next_link(self):
        return self.next_link

    def get_previous_link(self):
        return self.previous_link


class ReportsDue(generics.ListAPIView):
    """Every report the person's awards owe, with where each stands, by due date, as on
    the reporting calendar page; filters as its choices and columns."""

    serializer_class = serializers.ReportDueSerializer
    pagination_class = RowCursor
    filter_backends = [filters.DjangoFilterBackend]  # for the schema's parameters
    filterset_class = ReportDueFilter
    queryset = ProgressReport.objects.none()  # the rows are computed: see get()

    def get(self, request):
        today = timezone.localdate()
        form = ReportDueFilter(request.query_params, queryset=self.queryset).form
        if not form.is_valid():
            raise exceptions.ValidationError({k: list(v) for k, v in form.errors.items()})
        chosen = form.cleaned_data
        rows = calendar_for_user(user=request.user, today=today)
        if chosen.get("show") == "open":
            rows = [
                r
                for r in rows
                if r.needs_action and r.due.period_end < today or r.state == "Overdue"
            ]
        for name, value_of in (
            ("award", lambda r: r.due.award.award_number),
            ("kind", lambda r: r.due.kind),
            ("state", lambda r: r.state),
            ("period_end", lambda r: r.due.period_end),
        ):
            if chosen.get(name):
                rows = [r for r in rows if value_of(r) == chosen[name]]
        rows.sort(key=due_key)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- SF-425 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SF425View:
    computed: object
    computed_lines: list
    certified: object
    variance: list


def line_rows(amounts: dict) -> list[dict]:
    return [
        {"line": number, "label": label, "amount": amounts.get(number)}
        for number, label in LINE_LABELS.items()
    ]


class AwardSF425(generics.GenericAPIView):
    """The SF-425 of the reporting period ending `period_end`: the lines as the ledger
    computes them now, and as certified when the report was filed (submitted or
    accepted), as the SF-425 page shows them."""

    serializer_class = serializers.SF425Serializer

    def get(self, request, award_number: str, period_end: str):
        award = scoped_award(request, award_number)
        due = reporting_period(award, report_types.FINANCIAL_REPORT.key, period_end)
        computed = compute_sf425(award, period_end=due.period_end, is_final=due.is_final)
        report = (
            FinancialReport.objects.select_related("submitted_by")
            .filter(award=award, period_end=due.period_end, status__in=FILED_IN)
            .first()
        )
        if report is not None:
            report.certified_lines = line_rows(certified_amounts(report.lines))
        view = SF425View(
            computed=computed,
            computed_lines=line_rows(computed.lines),
            certified=report,
            variance=sorted(variance(report.lines, computed)) if report else [],
        )
        return Response(self.get_serializer(view).data)


def reporting_period(award, kind: str, period_end: str):
    try:
        day = date.fromisoformat(period_end)
    except ValueError:
        day = None
    due = find_due(award, kind, day) if day else None
    if due is None:
        raise Http404(
            f"No such reporting period: {period_end[:40]} does not end one of award {award}."
        )
    return due


# --- Progress reports -----------------------------------------------------------------


class ProgressReportFilter(filters.FilterSet):
    award = filters.CharFilter(field_name="award__award_number")
    task_force = filters.CharFilter(field_name="award__task_force__code")
    status = filters.ChoiceFilter(choices=ReviewStatus.choices)
    period_end = filters.DateFilter()

    class Meta:
        model = ProgressReport
        fields = ["award", "task_force", "status", "period_end"]


class ProgressReportList(generics.ListAPIView):
    """Progress reports filed (submitted, returned or accepted) with their ICAC
    performance measures, oldest period first, as the measures page reads them."""

    serializer_class = serializers.ProgressReportSerializer
    pagination_class = cursor("period_end", "id")
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ProgressReportFilter

    def get_queryset(self):
        return progress_reports_for_user(user=self.request.user)


class ProgressReportDetail(ScopedDetail):
    serializer_class = serializers.ProgressReportSerializer

    def get_queryset(self):
        return progress_reports_for_user(user=self.request.user)


class ProgressReportFiling(generics.GenericAPIView):
    """File the progress report of the period ending `period_end`, or file again one the
    program office returned, as the progress report page does."""

    serializer_class = serializers.ProgressReportSerializer

    @write_schema(
        serializers.ProgressReportWriteSerializer,
        serializers.ProgressReportSerializer,
        "File a progress report",
    )
    def post(self, request, award_number: str, period_end: str):
        award = scoped_award(request, award_number)
        return writes.file_progress_report(
            request, award, reporting_period(award, report_types.PROGRESS_REPORT.key, period_end)
        )


class ProgressReportDraft(generics.GenericAPIView):
    """The draft of the progress report of the period ending `period_end`: what has been
    written so far, before it is filed. PUT replaces it (the task force's staff who file
    the report; any field may still be missing); GET reads it (404 when there is none)."""

    serializer_class = serializers.ProgressDraftSerializer

    def get(self, request, award_number: str, period_end: str):
        award = scoped_award(request, award_number)
        due = reporting_period(award, report_types.PROGRESS_REPORT.key, period_end)
        draft = (
            ProgressDraft.objects.select_related("award", "updated_by")
            .filter(award=award, period_end=due.period_end)
            .first()
        )
        if draft is None:
            raise Http404(
                f"No draft is saved for the progress report of {due.period_end:%m/%d/%Y}."
            )
        return Response(self.get_serializer(draft).data)

    @write_schema(
        serializers.ProgressDraftWriteSerializer,
        serializers.ProgressDraftSerializer,
        "Save a progress report draft",
    )
    def put(self, request, award_number: str, period_end: str):
        award = scoped_award(request, award_number)
        return writes.save_progress_draft(
            request, award, reporting_period(award, report_types.PROGRESS_REPORT.key, period_end)
        )
