"""Downloads of the PDF documents: an SF-425, the award document, an amendment notice, a
filed report (each report type's own document) and the program summary of a fiscal year.

Each reads its object through a selector scoped to the user (another task force's
award is a 404), builds the file with the plain builder an evidence pack also calls,
and sends it through reports.exports.downloads, which writes the download to the audit
trail with the file's SHA-256.

Each document also reads as a page (`as_page=True`, its URL ending in .html instead of
.pdf): the same view, so the same scoping, with the story the builder lays out shown as
HTML (reports.exports.document_html).
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from grants import access, selectors
from grants.lookups import award_or_404, get_or_404
from grants.models import FIRST_FISCAL_YEAR
from reports import report_types
from reports.calendar import find_due
from reports.exports.award_pdf import (
    amendment_pdf_filename,
    award_pdf_filename,
    build_amendment_pdf,
    build_award_pdf,
)
from reports.exports.document_html import document_view
from reports.exports.downloads import send_document
from reports.exports.pdf import sf425_document
from reports.exports.summary_pdf import build_program_summary_pdf, program_summary_pdf_filename
from reports.exports.xlsx import ExportFile
from reports.models import FinancialReport, PreparedDownload
from reports.prepared_views import ask_to_prepare
from reports.report_types import FINANCIAL_REPORT, PROGRESS_REPORT, ReportType
from reports.selectors import reports_for_user

PDF_TYPE = "application/pdf"


def _period(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404("No such reporting period.") from None


def _pdf(content: bytes, filename: str) -> ExportFile:
    return ExportFile(filename, PDF_TYPE, content)


def _answer(request, as_page: bool, build, *, name: str, **audit):
    """The document `build()` makes: as its PDF, sent and audited as a download, or as
    a page (`as_page`) linking back to the PDF."""
    if as_page:
        document = document_view(build)
        pdf_url = request.path.removesuffix(".html") + ".pdf"
        return render(request, "reports/document.html", {"document": document, "pdf_url": pdf_url})
    return send_document(request, build(), name=name, **audit)


@login_required
def sf425_pdf(request, award_number: str, period_end: str, as_page: bool = False):
    award = award_or_404(request, award_number)
    try:
        due = find_due(award, FINANCIAL_REPORT.key, date.fromisoformat(period_end))
    except ValueError:
        due = None
    if due is None:
        raise Http404("No such reporting period.")
    report = FinancialReport.objects.filter(award=award, period_end=due.period_end).first()
    return _answer(
        request,
        as_page,
        lambda: sf425_document(
            award,
            period_end=due.period_end,
            is_final=due.is_final,
            report=report,
            generated_by=request.user.get_username(),
        ),
        name="sf425_pdf",
        task_force=award.task_force,
        award=award.award_number,
        period_end=period_end,
    )


@login_required
def award_pdf(request, award_number: str, as_page: bool = False):
    award = award_or_404(request, award_number)
    return _answer(
        request,
        as_page,
        lambda: _pdf(build_award_pdf(award, user=request.user), award_pdf_filename(award)),
        name="award_pdf",
        task_force=award.task_force,
        award=award.award_number,
    )


@login_required
def amendment_pdf(request, award_number: str, number: int, as_page: bool = False):
    award = award_or_404(request, award_number)
    amendment = get_or_404(
        award.amendments.select_related("award__recipient", "award__task_force"), number=number
    )
    return _answer(
        request,
        as_page,
        lambda: _pdf(
            build_amendment_pdf(amendment, user=request.user), amendment_pdf_filename(amendment)
        ),
        name="amendment_pdf",
        task_force=award.task_force,
        award=award.award_number,
        amendment=amendment.number,
    )


def _report_pdf(
    request, report_type: ReportType, award_number: str, period_end: str, as_page: bool
):
    report = get_or_404(
        reports_for_user(user=request.user, report_type=report_type).select_related(
            "award__recipient", "award__task_force"
        ),
        award__award_number=award_number,
        period_end=_period(period_end),
    )
    return _answer(
        request,
        as_page,
        lambda: report_type.build_document(report, generated_by=request.user),
        name=f"{report_type.key}_pdf",
        task_force=report.award.task_force,
        award=award_number,
        period_end=report.period_end.isoformat(),
    )


@login_required
def progress_pdf(request, award_number: str, period_end: str, as_page: bool = False):
    return _report_pdf(request, PROGRESS_REPORT, award_number, period_end, as_page)


@login_required
def report_pdf(request, award_number: str, kind: str, period_end: str, as_page: bool = False):
    """A filed report of a type without a page of its own, as its document (a type with
    its own page links its own download)."""
    report_type = report_types.get(kind)
    if report_type is None or report_type.view:
        raise Http404("No such report.")
    return _report_pdf(request, report_type, award_number, period_end, as_page)


@login_required
def program_summary_pdf(request, fiscal_year: int, as_page: bool = False):
    access.require(access.can_view_program(request.user))
    if fiscal_year < FIRST_FISCAL_YEAR or fiscal_year not in selectors.fiscal_years_for_user(
        user=request.user
    ):
        raise Http404("No such fiscal year.")
    if not as_page:
        # The whole program's summary: prepared in the background (reports.prepared).
        return ask_to_prepare(PreparedDownload.Kind.SUMMARY, fiscal_year=fiscal_year)
    return _answer(
        request,
        as_page,
        lambda: _pdf(
            build_program_summary_pdf(fiscal_year, user=request.user),
            program_summary_pdf_filename(fiscal_year),
        ),
        name="program_summary_pdf",
        fiscal_year=fiscal_year,
    )
