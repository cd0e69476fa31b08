"""Each PDF document reads as a page with the same figures: every amount, date and count
the PDF prints (pdftotext) is on its page, as many times, and the page says nothing
the PDF does not; the page is scoped like its PDF, and linked from where the PDF is."""

import re
from collections import Counter
from datetime import date
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.services import amendment_record
from reports.models import MEASURES, ProgressReport
from tests.reports.conftest import submit
from tests.reports.prepared_helpers import fetch_prepared
from tests.reports.report_type_helpers import declare_amendment_reports
from tests.reports.test_pdf import _pdf_text

# What a reader checks a copy against: amounts, dates, percentages and counts.
FIGURES = re.compile(
    r"-?\$[\d,]+\.\d\d|\b\d\d/\d\d/\d{4}\b|\b\d+(?:\.\d+)?%|(?<![\w$.,/-])\d[\d,]*(?![\w.,/-])"
)


def _figures(text: str) -> Counter:
    return Counter(FIGURES.findall(text))


def _pdf_figures(client, url, tmp_path) -> tuple[str, Counter]:
    # The program summary's PDF is prepared in the background (reports.prepared).
    large = url.startswith("/exports/program-summary/")
    response = fetch_prepared(client, url) if large else client.get(url)
    assert response.status_code == 200, url
    text = _pdf_text(b"".join(response.streaming_content), tmp_path)
    # The page's header band and footer (generated when, by whom, page N of M) are the
    # PDF's own; the page is generated on each visit.
    body = "\n".join(
        line
        for line in text.splitlines()
        if not re.search(
            r"Generated \d{4}-\d\d-\d\d|Page \d+ of \d+|^\s*ICAC Task Force Program", line
        )
    )
    return text, _figures(body)


def _page_figures(client, url) -> tuple[str, Counter, Counter]:
    """The page, every figure of its document, and those outside the tables of its
    charts (whose amounts the PDF draws as bars, not as text)."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    article = page.split('data-testid="document">', 1)[1].split("</article>", 1)[0]

    def text(html: str) -> str:
        return unescape(re.sub(r"<[^>]+>", " ", html))

    without_charts = re.sub(r'<table[^>]*data-chart="1".*?</table>', " ", article, flags=re.S)
    return page, _figures(text(article)), _figures(text(without_charts))


def _same(client, pdf_url, tmp_path) -> str:
    html_url = pdf_url.removesuffix(".pdf") + ".html"
    pdf_text, in_pdf = _pdf_figures(client, pdf_url, tmp_path)
    page, on_page, outside_charts = _page_figures(client, html_url)
    assert in_pdf, pdf_text
    # The header band repeats the document's title on each page of the PDF.
    repeated = _title_figures(page)
    only_in_pdf = Counter({k: n for k, n in (in_pdf - on_page).items() if k not in repeated})
    assert not only_in_pdf, f"only in the PDF: {only_in_pdf}"
    assert not outside_charts - in_pdf, f"only on the page: {outside_charts - in_pdf}"
    assert f'href="{pdf_url}"' in page
    return page


def _title_figures(page: str) -> set[str]:
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    return set(FIGURES.findall(unescape(title)))


@pytest.mark.django_db
def test_the_sf425_page_carries_the_certified_figures_of_its_pdf(client, example, tmp_path):
    award = example.example
    submit(example, award, date(2024, 12, 31))
    submit(example, award, date(2025, 3, 31))
    client.force_login(example.auditor)
    pdf_url = reverse("exports:sf425_pdf", args=[award.award_number, "2025-03-31"])
    page = _same(client, pdf_url, tmp_path)
    for expected in ("$210,000.00", "$198,500.00", "$11,500.00", "$280,000.00", "Lena Alvarez"):
        assert expected in page, expected
    detail = client.get(reverse("reports:sf425_detail", args=[award.award_number, "2025-03-31"]))
    assert f'href="{pdf_url.removesuffix(".pdf")}.html"' in detail.content.decode()
    client.force_login(example.officer_b)
    assert client.get(pdf_url.removesuffix(".pdf") + ".html").status_code == 404


@pytest.mark.django_db
def test_the_award_document_and_an_amendment_notice_read_as_pages(client, example, tmp_path):
    award = example.example
    amendment = amendment_record(
        actor=example.pm,
        award=award,
        kind="administrative",
        description="New authorized representative",
        requested_on=date(2025, 1, 6),
    )
    client.force_login(example.officer_a)
    page = _same(client, reverse("exports:award_pdf", args=[award.award_number]), tmp_path)
    assert "$500,000.00" in page and "$300,000.00" in page
    _same(
        client,
        reverse("exports:amendment_pdf", args=[award.award_number, amendment.number]),
        tmp_path,
    )
    detail = client.get(reverse("grants:award_detail", args=[award.award_number])).content.decode()
    assert reverse("exports:award_html", args=[award.award_number]) in detail
    assert reverse("exports:amendment_html", args=[award.award_number, amendment.number]) in detail
    client.force_login(example.officer_b)
    assert client.get(reverse("exports:award_html", args=[award.award_number])).status_code == 404


@pytest.mark.django_db
def test_a_progress_report_and_a_report_of_a_declared_type_read_as_pages(
    client, program, tmp_path, monkeypatch
):
    award = program.award_a
    counts = {field: 11 * (i + 1) for i, (field, _) in enumerate(MEASURES)}
    ProgressReport.objects.create(
        award=award,
        period_end=date(2024, 12, 31),
        status="submitted",
        submitted_by=program.officer_a,
        submitted_at=timezone.now(),
        accomplishments="Trained 40 officers in 3 counties",
        **counts,
    )
    client.force_login(program.pm)
    pdf_url = reverse("exports:progress_pdf", args=[award.award_number, "2024-12-31"])
    page = _same(client, pdf_url, tmp_path)
    assert f">{max(counts.values()):,}<" in page
    detail = client.get(reverse("reports:progress_detail", args=[award.award_number, "2024-12-31"]))
    assert reverse("exports:progress_html", args=[award.award_number, "2024-12-31"]) in (
        detail.content.decode()
    )

    declare_amendment_reports(monkeypatch)
    amendment_record(
        actor=program.pm,
        award=award,
        kind="administrative",
        description="New authorized representative",
        requested_on=date(2025, 1, 6),
    )
    ProgressReport.objects.create(
        award=award,
        period_end=date(2025, 1, 6),
        status="submitted",
        submitted_by=program.officer_a,
        submitted_at=timezone.now(),
        accomplishments="Moved the lab to 12 Main Street",
        **counts,
    )
    _same(
        client,
        reverse("reports:report_pdf", args=[award.award_number, "amendment", "2025-01-06"]),
        tmp_path,
    )
    client.force_login(program.officer_b)
    assert client.get(pdf_url.removesuffix(".pdf") + ".html").status_code == 404


@pytest.mark.django_db
def test_the_program_summary_reads_as_a_page_for_the_program_office_only(client, example, tmp_path):
    fiscal_year = example.appropriation.fiscal_year
    client.force_login(example.pm)
    pdf_url = reverse("exports:program_summary_pdf", args=[fiscal_year])
    page = _same(client, pdf_url, tmp_path)
    chart = re.sub(r"<[^>]+>|\s+", " ", page.split('data-chart="1"')[-1].split("</table>")[0])
    # Task force A: $210,000.00 drawn of $700,000.00 awarded; the largest award first.
    assert re.search(
        r"Drawn\s+Awarded\s+VA Alpha ICAC Task Force\s+\$210,000\.00\s+\$700,000\.00\s+MD Bravo",
        chart,
    )
    home = client.get(reverse("home") + f"?fy={fiscal_year}").content.decode()
    client.force_login(example.officer_a)
    assert client.get(pdf_url.removesuffix(".pdf") + ".html").status_code == 403
    assert home  # the dashboard answered (its link is checked in the accessibility walk)
