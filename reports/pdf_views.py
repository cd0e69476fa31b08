"""Downloads of the PDF documents: the award document, an amendment notice, a filed
report (each report type's own document) and the program summary of a fiscal year.

Each reads its object through a selector scoped to the user (another task force's
award is a 404), builds the file with the plain builder an evidence pack also calls,
and writes the download to the audit trail with the file's SHA-256.
"""

import hashlib
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404

from grants import access, selectors
from grants.lookups import award_or_404, get_or_404
from grants.models import FIRST_FISCAL_YEAR
from reports import report_types
from reports.export_views import audited_download
from reports.exports.award_pdf import (
    amendment_pdf_filename,
    award_pdf_filename,
    build_amendment_pdf,
    build_award_pdf,
)
from reports.exports.summary_pdf import build_program_summary_pdf, program_summary_pdf_filename
from reports.exports.xlsx import ExportFile
from reports.report_types import PROGRESS_REPORT, ReportType
from reports.selectors import reports_for_user


def _period(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404("No such reporting period.") from None


def _download(request, content: bytes, filename: str, *, export: str, task_force=None, **data):
    return audited_download(
        request,
        ExportFile(filename, "application/pdf", content),
        name=export,
        task_force=task_force,
        **data,
        sha256=hashlib.sha256(content).hexdigest(),
    )


@login_required
def award_pdf(request, award_number: str):
    award = award_or_404(request, award_number)
    return _download(
        request,
        build_award_pdf(award, user=request.user),
        award_pdf_filename(award),
        export="award_pdf",
        task_force=award.task_force,
        award=award.award_number,
    )


@login_required
def amendment_pdf(request, award_number: str, number: int):
    award = award_or_404(request, award_number)
    amendment = get_or_404(
        award.amendments.select_related("award__recipient", "award__task_force"), number=number
    )
    return _download(
        request,
        build_amendment_pdf(amendment, user=request.user),
        amendment_pdf_filename(amendment),
        export="amendment_pdf",
        task_force=award.task_force,
        award=award.award_number,
        amendment=amendment.number,
    )


def _report_pdf(request, report_type: ReportType, award_number: str, period_end: str):
    report = get_or_404(
        reports_for_user(user=request.user, report_type=report_type).select_related(
            "award__recipient", "award__task_force"
        ),
        award__award_number=award_number,
        period_end=_period(period_end),
    )
    document = report_type.build_document(report, generated_by=request.user)
    return _download(
        request,
        document.content,
        document.filename,
        export=f"{report_type.key}_pdf",
        task_force=report.award.task_force,
        award=award_number,
        period_end=report.period_end.isoformat(),
    )


@login_required
def progress_pdf(request, award_number: str, period_end: str):
    return _report_pdf(request, PROGRESS_REPORT, award_number, period_end)


@login_required
def report_pdf(request, award_number: str, kind: str, period_end: str):
    """A filed report of a type without a page of its own, as its document (a type with
    its own page links its own download)."""
    report_type = report_types.get(kind)
    if report_type is None or report_type.view:
        raise Http404("No such report.")
    return _report_pdf(request, report_type, award_number, period_end)


@login_required
def program_summary_pdf(request, fiscal_year: int):
    access.require(access.can_view_program(request.user))
    if fiscal_year < FIRST_FISCAL_YEAR or fiscal_year not in selectors.fiscal_years_for_user(
        user=request.user
    ):
        raise Http404("No such fiscal year.")
    return _download(
        request,
        build_program_summary_pdf(fiscal_year, user=request.user),
        program_summary_pdf_filename(fiscal_year),
        export="program_summary_pdf",
        fiscal_year=fiscal_year,
    )
