"""A filed report of a type without a document of its own: the report's period, due
date and review, then each of the type's fields with its value."""

from django.utils.text import capfirst

from reports import report_types
from reports.calendar import find_due
from reports.exports import pdf_page as page
from reports.exports.xlsx import ExportFile
from reports.models import FiledReport


def report_document(
    report_type: report_types.ReportType, report: FiledReport, *, generated_by
) -> ExportFile:
    award = report.award
    due = find_due(award, report_type.key, report.period_end)
    name = f"{'Final ' if report.is_final else ''}{report_type.label}"
    review = report.get_status_display()
    if report.reviewed_by is not None:
        review += f" by {page.person(report.reviewed_by)} on {page.plain(report.reviewed_at)}"
    story = [
        page.title(f"{name}, period ending {report.period_end:%m/%d/%Y}"),
        page.text(f"Award {award.award_number} · {award.task_force.name}", page.BODY),
        page.spacer(),
        page.key_value_table(
            [
                ("Award number", award.award_number),
                ("Task force", award.task_force.name),
                (
                    "Period",
                    f"{due.period_start:%m/%d/%Y} to {due.period_end:%m/%d/%Y}" if due else "—",
                ),
                ("Due", due.due_on if due is not None else "—"),
                ("Status", review),
                (
                    "Submitted",
                    f"{page.plain(report.submitted_at)} by {page.person(report.submitted_by)}",
                ),
                ("Reviewer's comment", report.review_comment or "—"),
            ]
        ),
        page.heading("As filed"),
        page.key_value_table(
            [
                (capfirst(report._meta.get_field(name).verbose_name), getattr(report, name))
                for name in report_type.fields
            ]
        ),
    ]
    content = page.render(
        story,
        document_title=f"{name} · Award {award.award_number} · "
        f"period ending {report.period_end:%m/%d/%Y}",
        user=generated_by,
    )
    filename = f"{report_type.key}-{award.award_number}-{report.period_end:%Y-%m-%d}.pdf"
    return ExportFile(filename, "application/pdf", content)
