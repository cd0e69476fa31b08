import os
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from reports.calendar import find_due
from reports.exports.pdf import build_sf425_pdf
from reports.models import FinancialReport
from reports.sf425 import compute_sf425
from tests.reports.conftest import submit


def _pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is missing; .ci/run installs it")
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_sf425_pdf_carries_the_certified_numbers(client, example, tmp_path):
    award = example.example
    submit(example, award, date(2024, 12, 31))
    submit(example, award, date(2025, 3, 31))
    client.force_login(example.auditor)
    response = client.get(reverse("exports:sf425_pdf", args=[award.award_number, "2025-03-31"]))
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and content.startswith(b"%PDF-")
    text = _pdf_text(content, tmp_path)
    for expected in (
        "FEDERAL FINANCIAL REPORT (SF-425)",
        award.award_number,
        "$210,000.00",
        "$198,500.00",
        "$11,500.00",
        "$500,000.00",
        "$205,000.00",
        "$15,000.00",
        "$220,000.00",
        "$280,000.00",
        "$50,000.00",
        "$12,000.00",
        "$38,000.00",
        "$18,000.00",
        "Cash drawn 03/10 for the 04/01 payroll.",
        "Lena Alvarez",
        "Page 1",
    ):
        assert expected in text, expected
    client.force_login(example.officer_b)
    assert (
        client.get(
            reverse("exports:sf425_pdf", args=[award.award_number, "2025-03-31"])
        ).status_code
        == 404
    )


def test_hostile_text_is_shown_literally(example, tmp_path):
    award = example.example
    submit(
        example,
        award,
        date(2024, 12, 31),
        remarks='A & B <c> <img src="file:///etc/passwd"/> <a href="javascript:alert(1)">x</a> '
        + "y" * 5000,
    )
    report = FinancialReport.objects.get(award=award)
    due = find_due(award, "sf425", date(2024, 12, 31))
    export = build_sf425_pdf(
        sf425=compute_sf425(award, period_end=due.period_end, is_final=False),
        report=report,
        generated_by="test",
    )
    text = _pdf_text(export.content, tmp_path)
    assert "A & B <c> <img" in text and "root:" not in text
