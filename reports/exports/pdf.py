"""PDF forms built with reportlab's platypus.

Every piece of user text goes through `_text`, which escapes it before it reaches a
Paragraph: Paragraph parses markup (<img>, <a href>, <font>), and unescaped text could
make it read local files or fetch URLs.
"""

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from grants.money import format_money
from reports.exports.xlsx import ExportFile
from reports.sf425 import SF425

MARGIN = 0.6 * inch
STYLES = getSampleStyleSheet()
SMALL = ParagraphStyle("small", parent=STYLES["BodyText"], fontSize=8.5, leading=10.5)
CELL = ParagraphStyle("cell", parent=STYLES["BodyText"], fontSize=9, leading=11)
TITLE = ParagraphStyle("title", parent=STYLES["Title"], fontSize=14, leading=17, spaceAfter=4)
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
    ]
)


def _text(value, style=CELL) -> Paragraph:
    return Paragraph(escape(str(value or "")).replace("\n", "<br/>"), style)


def _footer(generated: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, 0.4 * inch, generated)
        canvas.drawRightString(LETTER[0] - MARGIN, 0.4 * inch, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def build_sf425_pdf(*, sf425: SF425, report=None, generated_by: str) -> ExportFile:
    """The SF-425 laid out like the federal form: header lines 1–9, transactions 10a–10o,
    indirect expense (11), remarks (12) and certification (13). With `report`, the
    certified numbers; without, the numbers the ledger computes now (a draft)."""
    lines = dict(sf425.lines)
    status = "Draft computed from the ledger; not certified"
    if report is not None and report.is_in:
        lines = {k: Decimal(v) for k, v in report.lines.items()}
        status = f"{report.get_status_display()}; submitted {timezone.localtime(report.submitted_at):%m/%d/%Y}"
    story = [
        Paragraph("FEDERAL FINANCIAL REPORT (SF-425)", TITLE),
        _text(f"{sf425.report_type} report · Status: {status}", SMALL),
        Spacer(1, 8),
    ]
    header = [
        ["1. Federal agency and organizational element", "Department of Justice / OJP / OJJDP"],
        ["2. Federal grant or other identifying number", sf425.award_number],
        [
            "3. Recipient organization (name and address)",
            f"{sf425.recipient}\n{sf425.recipient_address}",
        ],
        ["4a. UEI", sf425.uei],
        ["4b. EIN", sf425.ein],
        ["5. Recipient account number", ""],
        ["6. Report type", sf425.report_type],
        ["7. Basis of accounting", sf425.basis],
        [
            "8. Project/grant period",
            f"{sf425.period_start:%m/%d/%Y} to {sf425.period_end:%m/%d/%Y}",
        ],
        ["9. Reporting period end date", f"{sf425.reporting_period_end:%m/%d/%Y}"],
    ]
    story.append(
        Table(
            [[_text(a), _text(b)] for a, b in header],
            colWidths=[3.1 * inch, 4.2 * inch],
            style=GRID,
        )
    )
    story += [Spacer(1, 10), Paragraph("10. Transactions (cumulative)", STYLES["Heading4"])]
    rows = [["Line", "Item", "Amount"]]
    for number, label, _ in sf425.line_rows():
        rows.append([number, _text(label), format_money(lines[number])])
    table = Table(rows, colWidths=[0.5 * inch, 5.3 * inch, 1.5 * inch], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe1e2")),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 10),
        Paragraph("12. Remarks", STYLES["Heading4"]),
        _text(getattr(report, "remarks", "") or "None"),
    ]
    story += [Spacer(1, 8), Paragraph("13. Certification", STYLES["Heading4"])]
    if report is not None and report.is_in:
        story.append(
            _text(
                f"{report.certifier_name}, {report.certifier_title} · {report.certifier_phone} · "
                f"{report.certifier_email} · certified {timezone.localtime(report.submitted_at):%m/%d/%Y}"
            )
        )
    else:
        story.append(_text("Not certified."))
    buffer = io.BytesIO()
    generated = f"Generated {timezone.localtime():%m/%d/%Y %H:%M %Z} by {generated_by} · ICAC Grants Administration"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=0.7 * inch,
        title=f"SF-425 {sf425.award_number}",
        author="ICAC Grants",
    )
    doc.build(story, onFirstPage=_footer(generated), onLaterPages=_footer(generated))
    filename = f"SF-425-{sf425.award_number}-{sf425.reporting_period_end:%Y-%m-%d}.pdf"
    return ExportFile(filename, "application/pdf", buffer.getvalue())
