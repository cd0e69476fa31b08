"""The SF-425 as a PDF, laid out like the federal form, on the shared page
(`pdf_page`). The other documents live beside it: award_pdf, progress_pdf, summary_pdf.
"""

from django.utils import timezone
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether

from reports.exports import pdf_page as page
from reports.exports.xlsx import ExportFile
from reports.models import FinancialReport
from reports.sf425 import (
    INDIRECT_TOTALS,
    SF425,
    certified_sf425,
    compute_sf425,
)


def _indirect_table(rows, totals) -> list:
    """Line 11: a row per rate with its base, amount charged and federal share, and the
    totals (11g); or a note for a report filed before its rows were kept."""
    if rows is None:
        return [page.text("Line 11's rates were not kept with this report when it was filed.")]
    body = [
        (
            row.rate_type,
            f"{row.rate.normalize():f}%",
            f"{row.period_from:%m/%d/%Y}",
            f"{row.period_to:%m/%d/%Y}",
            row.base,
            row.amount_charged,
            row.federal_share,
        )
        for row in rows
    ] or [("None in force", "", "", "", None, None, None)]
    return [
        page.grid_table(
            ["a. Type", "b. Rate", "c. From", "To", "d. Base", "e. Charged", "f. Federal share"],
            body,
            # "f. Federal share" on one line in DejaVu Sans Bold.
            widths=[1.1 * inch, 0.7 * inch, 0.9 * inch, 0.9 * inch, 1.2 * inch, 1.2 * inch]
            + [page.FRAME_WIDTH - 6.0 * inch],
            right_columns=[1, 4, 5, 6],
            footer=["g. Totals", "", "", "", *totals],
            dense=True,
        )
    ]


def build_sf425_pdf(*, sf425: SF425, report=None, generated_by) -> ExportFile:
    """The SF-425 laid out like the federal form: header lines 1–9, transactions 10a–10o,
    indirect expense (11), remarks (12) and certification (13), with the numbers of
    `sf425`: those `report` certified (sf425_document picks them) or, for a period not
    filed, those the ledger computes now (a draft). `generated_by`: a user or a name."""
    lines = sf425.lines
    indirect = sf425.indirect
    status = "Draft computed from the ledger; not certified"
    certified = report is not None and report.is_in
    if certified:
        status = (
            f"{report.get_status_display()}; submitted "
            f"{timezone.localtime(report.submitted_at):%m/%d/%Y}"
        )
    story = [
        page.title("FEDERAL FINANCIAL REPORT (SF-425)"),
        page.text(f"{sf425.report_type} report · Status: {status}", page.SMALL),
        page.spacer(),
        page.key_value_table(
            [
                (
                    "1. Federal agency and organizational element",
                    "Department of Justice / OJP / OJJDP",
                ),
                ("2. Federal grant or other identifying number", sf425.award_number),
                (
                    "3. Recipient organization (name and address)",
                    f"{sf425.recipient}\n{sf425.recipient_address}",
                ),
                ("4a. UEI", sf425.uei),
                ("4b. EIN", sf425.ein),
                ("5. Recipient account number", ""),
                ("6. Report type", sf425.report_type),
                ("7. Basis of accounting", sf425.basis),
                (
                    "8. Project/grant period",
                    f"{sf425.period_start:%m/%d/%Y} to {sf425.period_end:%m/%d/%Y}",
                ),
                ("9. Reporting period end date", sf425.reporting_period_end),
            ],
            label_width=3.45 * inch,  # each label on one line
            dense=True,
        ),
        page.heading("10. Transactions (cumulative)"),
        page.grid_table(
            ["Line", "Item", "Amount"],
            [
                (number, label, lines[number])
                for number, label, _ in sf425.line_rows()
                if number not in INDIRECT_TOTALS  # printed as line 11's totals row
            ],
            widths=[0.5 * inch, page.FRAME_WIDTH - 2.0 * inch, 1.5 * inch],
            right_columns=[2],
            dense=True,
        ),
        page.heading("11. Indirect expense"),
        *_indirect_table(indirect, [lines[number] for number in INDIRECT_TOTALS]),
    ]
    if certified:
        certification = page.text(
            f"{report.certifier_name}, {report.certifier_title} · {report.certifier_phone} · "
            f"{report.certifier_email} · certified "
            f"{timezone.localtime(report.submitted_at):%m/%d/%Y}",
            page.BODY,
        )
    else:
        certification = page.text("Not certified.", page.BODY)
    # The certification signs the remarks above it: never a page of its own. (Remarks
    # longer than a page still break; the certification then follows their last line.)
    story.append(
        KeepTogether(
            [
                page.heading("12. Remarks"),
                page.text(getattr(report, "remarks", "") or "None", page.BODY),
                page.heading("13. Certification"),
                certification,
            ]
        )
    )
    content = page.render(
        story,
        document_title=f"Federal Financial Report (SF-425) · Award {sf425.award_number} · "
        f"period ending {sf425.reporting_period_end:%m/%d/%Y}",
        user=generated_by,
    )
    filename = f"SF-425-{sf425.award_number}-{sf425.reporting_period_end:%Y-%m-%d}.pdf"
    return ExportFile(filename, "application/pdf", content)


def sf425_document(
    award, *, period_end, is_final: bool, report: FinancialReport | None, generated_by
) -> ExportFile:
    """The SF-425 of a period: as certified once its report is filed (the report's own
    lines, not today's, and the ledger is not read: an evidence pack prints hundreds);
    otherwise, a report returned for correction included, the draft the ledger computes
    now."""
    if report is not None and report.is_in:
        sf425 = certified_sf425(report)
    else:
        sf425 = compute_sf425(award, period_end=period_end, is_final=is_final)
    return build_sf425_pdf(sf425=sf425, report=report, generated_by=generated_by)


def financial_report_document(report: FinancialReport, *, generated_by) -> ExportFile:
    """A filed SF-425's entry in evidence packs (sf425_document)."""
    return sf425_document(
        report.award,
        period_end=report.period_end,
        is_final=report.is_final,
        report=report,
        generated_by=generated_by,
    )
