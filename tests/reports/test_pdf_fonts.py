"""Names outside Latin-1 print in every PDF: the text reads back exactly, and every font
the files use is embedded (a reader without the font would otherwise substitute one, or
print blanks)."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from grants.models import Award, Recipient, TaskForce
from grants.services import amendment_record
from reports.exports.award_pdf import build_amendment_pdf, build_award_pdf
from reports.exports.pdf import financial_report_document
from reports.exports.progress_pdf import build_progress_report_pdf
from reports.exports.summary_pdf import build_program_summary_pdf
from reports.services import sf425_submit
from tests.reports.conftest import CERTIFIER, submit
from tests.reports.test_pdf import _pdf_text
from tests.reports.test_pdf_documents import _file_progress

VIETNAMESE = "Nguyễn Văn Đức"
POLISH = "Łódź Cyber Unit"
QUOTES = "Zoë ‘quoted’ — dash"
RUPEE = "₹ 1,200 received"
GREEK = "Αθηνά Παπαδοπούλου"
CYRILLIC = "Ольга Иванова"
RECIPIENT = f"{POLISH} of {VIETNAMESE}"
MEMO = f"{QUOTES}; {RUPEE}; {GREEK}; {CYRILLIC}."


def _flat(content: bytes, tmp_path) -> str:
    """The PDF's text with runs of white space collapsed (a long line may wrap)."""
    return " ".join(_pdf_text(content, tmp_path).split())


def _fonts(content: bytes, tmp_path) -> list[tuple[str, str]]:
    """(font name, "yes"/"no" embedded) for each font `pdffonts` lists."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    header, rule, *rows = out
    emb = header.index("emb")
    return [(row.split()[0], row[emb : emb + 3].strip()) for row in rows if row.strip()]


@pytest.fixture
def named(example):
    """The example award with a recipient, a task force and people named outside Latin-1."""
    award = example.example
    Recipient.objects.filter(pk=award.recipient_id).update(
        legal_name=RECIPIENT, street="ul. Piotrkowska 104", city="Łódź"
    )
    TaskForce.objects.filter(pk=award.task_force_id).update(name=f"{GREEK} Task Force")
    Award.objects.filter(pk=award.pk).update(special_conditions=MEMO)
    get_user_model().objects.filter(username="gadmin_a").update(
        first_name="Văn Đức", last_name="Nguyễn"
    )
    get_user_model().objects.filter(username="pm").update(first_name="Ольга", last_name="Иванова")
    award.refresh_from_db()
    return example


def test_names_and_memo_round_trip_through_the_sf425(named, tmp_path):
    # A certified report's row is fixed once filed: the certifier is named at filing.
    report = sf425_submit(
        actor=named.officer_a,
        award=named.example,
        period_end=date(2024, 12, 31),
        remarks=MEMO,
        certifier={**CERTIFIER, "certifier_name": VIETNAMESE, "certifier_title": GREEK},
        today=date(2025, 4, 10),
    )
    text = _flat(financial_report_document(report, generated_by=named.auditor).content, tmp_path)
    for expected in (RECIPIENT, "ul. Piotrkowska 104, Łódź", MEMO, f"{VIETNAMESE}, {GREEK}"):
        assert expected in text, expected
    assert "■" not in text and "\ufffd" not in text


def test_names_and_memo_round_trip_through_the_award_document(named, tmp_path):
    text = _flat(build_award_pdf(named.example, user=named.pm), tmp_path)
    for expected in (
        RECIPIENT,
        f"{GREEK} Task Force",
        MEMO,
        "Văn Đức Nguyễn (gadmin_a)",
    ):
        assert expected in text, expected


def test_every_document_embeds_every_font_it_uses(named, tmp_path):
    award = named.example
    report = submit(named, award, date(2024, 12, 31), remarks=MEMO)
    amendment = amendment_record(
        actor=named.pm,
        award=award,
        kind="administrative",
        description=MEMO,
        requested_on=date(2025, 1, 6),
    )
    documents = {
        "SF-425": financial_report_document(report, generated_by=named.auditor).content,
        "award": build_award_pdf(award, user=named.pm),
        "amendment": build_amendment_pdf(amendment, user=named.pm),
        "progress report": build_progress_report_pdf(
            _file_progress(named, accomplishments=MEMO), user=named.pm
        ),
        "program summary": build_program_summary_pdf(2025, user=named.pm),
    }
    for name, content in documents.items():
        fonts = _fonts(content, tmp_path)
        assert fonts, name
        assert all(embedded == "yes" for _, embedded in fonts), (name, fonts)
        # One family, regular and bold, and no built-in font named in passing.
        assert {font.split("+")[-1] for font, _ in fonts} <= {"DejaVuSans", "DejaVuSans-Bold"}, (
            name,
            fonts,
        )
        assert GREEK in _flat(content, tmp_path), name


# --- Layout in the wider font --------------------------------------------------------------


def _page_of(text: str, needle: str) -> int:
    """The 1-based page `needle` is printed on (pdftotext ends each page with a form feed)."""
    return next(i for i, page in enumerate(text.split("\f"), start=1) if needle in page)


def test_the_sf425_is_one_page_with_its_certification(named, tmp_path):
    report = submit(named, named.example, date(2024, 12, 31), remarks=MEMO)
    text = _pdf_text(
        financial_report_document(report, generated_by=named.auditor).content, tmp_path
    )
    assert "Page 1 of 1" in text
    assert "13. Certification" in text and "Lena Alvarez, Finance officer" in text


def test_the_certification_stays_on_the_page_of_the_remarks(named, tmp_path):
    """Remarks too long for the rest of the first page take the certification with them:
    the certification never stands alone on a page."""
    remarks = "\n".join(f"Line {i} of the remarks, {GREEK}." for i in range(1, 13))
    report = submit(named, named.example, date(2024, 12, 31), remarks=remarks)
    text = _pdf_text(
        financial_report_document(report, generated_by=named.auditor).content, tmp_path
    )
    assert "Page 1 of 2" in text
    assert _page_of(text, "12. Remarks") == _page_of(text, "13. Certification") == 2
    assert _page_of(text, "Line 12 of the remarks") == _page_of(text, "Lena Alvarez") == 2


def test_large_amounts_stay_on_one_line(named, tmp_path):
    """DejaVu Sans is wider than Helvetica: an amount in the hundreds of millions is set
    smaller rather than wrapped across two lines of its cell."""
    from reports.exports import pdf_page

    table = pdf_page.grid_table(
        ["Item", "Amount"],
        [("Appropriated", D("412345678.90"))],
        widths=[2 * 72, 1.1 * 72],  # at 9 points the bold total needs 1.3 inches
        right_columns=[1],
        footer=["Total", D("-412345678.90")],
    )
    content = pdf_page.render([table], document_title="Amounts", user="test")
    lines = [" ".join(line.split()) for line in _pdf_text(content, tmp_path).splitlines()]
    assert "Appropriated $412,345,678.90" in lines
    assert "Total -$412,345,678.90" in lines
