"""A semi-annual progress report as filed: period, review status, every ICAC performance
measure with its value, and the narrative."""

from reportlab.lib.units import inch

from reports.calendar import find_due
from reports.exports import pdf_page as page
from reports.exports.xlsx import ExportFile
from reports.models import MEASURES, ProgressReport
from reports.report_types import PROGRESS_REPORT


def build_progress_report_pdf(report: ProgressReport, *, user) -> bytes:
    award = report.award
    due = find_due(award, PROGRESS_REPORT.key, report.period_end)
    period = (
        f"{due.period_start:%m/%d/%Y} to {due.period_end:%m/%d/%Y}"
        if due is not None
        else f"Ending {report.period_end:%m/%d/%Y}"
    )
    review = report.get_status_display()
    if report.reviewed_by is not None:
        review += f" by {page.person(report.reviewed_by)} on {page.plain(report.reviewed_at)}"
    name = "Final progress report" if report.is_final else "Progress report"
    story = [
        page.title(f"{name}, period ending {report.period_end:%m/%d/%Y}"),
        page.text(f"Award {award.award_number} · {award.task_force.name}", page.BODY),
        page.spacer(),
        page.key_value_table(
            [
                ("Award number", award.award_number),
                ("Recipient", f"{award.recipient.legal_name} (UEI {award.recipient.uei})"),
                ("Task force", award.task_force.name),
                ("Reporting period", period),
                ("Due", due.due_on if due is not None else "—"),
                ("Status", review),
                (
                    "Submitted",
                    f"{page.plain(report.submitted_at)} by {page.person(report.submitted_by)}"
                    + (f" (submission {report.submissions})" if report.submissions > 1 else ""),
                ),
                ("Reviewer's comment", report.review_comment or "—"),
            ]
        ),
        page.heading("ICAC performance measures"),
        page.grid_table(
            ["Measure", "Value"],
            [(label, f"{getattr(report, field):,}") for field, label in MEASURES],
            widths=[page.FRAME_WIDTH - 1.4 * inch, 1.4 * inch],
            right_columns=[1],
            dense=True,  # short answers then fit on the first page with the measures
        ),
        page.heading("Accomplishments"),
        page.text(report.accomplishments or "None reported.", page.BODY),
        page.heading("Challenges"),
        page.text(report.challenges or "None reported.", page.BODY),
        page.heading("Next steps"),
        page.text(report.next_steps or "None reported.", page.BODY),
    ]
    return page.render(
        story,
        document_title=f"{name} · Award {award.award_number} · "
        f"period ending {report.period_end:%m/%d/%Y}",
        user=user,
    )


def progress_report_pdf_filename(report: ProgressReport) -> str:
    return f"progress-{report.award.award_number}-{report.period_end:%Y-%m-%d}.pdf"


def progress_report_document(report: ProgressReport, *, generated_by) -> ExportFile:
    """The progress report's document: its download and its entry in evidence packs."""
    return ExportFile(
        filename=progress_report_pdf_filename(report),
        content_type="application/pdf",
        content=build_progress_report_pdf(report, user=generated_by),
    )
