"""The PDF documents: the award, an amendment notice, a progress report and the program
summary. Each test reads the text back out of the file and checks names and amounts."""

import hashlib
import re
import shutil
import subprocess
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import ledger
from grants.audit import AuditEvent, audit_record
from grants.models import Award, Recipient, TaskForce
from grants.selectors import money_chain
from grants.services import amendment_record
from reports.exports import pdf_page
from reports.exports.award_pdf import build_amendment_pdf, build_award_pdf
from reports.exports.pdf import financial_report_document
from reports.exports.progress_pdf import build_progress_report_pdf
from reports.exports.summary_pdf import (
    ProgramSummary,
    TaskForceRow,
    build_program_summary_pdf,
    task_force_charts,
)
from reports.models import MEASURES
from reports.services import progress_submit, report_review
from tests.reports.conftest import submit
from tests.reports.prepared_helpers import fetch_prepared
from tests.reports.test_pdf import _pdf_text

D = Decimal
HOSTILE = (
    'A & B <c> <font size="40" color="red">big</font> '
    '<a href="https://evil.example/x">link</a> <img src="file:///etc/passwd"/> &amp; end'
)


def lines_of(content: bytes, tmp_path) -> list[str]:
    """The PDF's text, one string per printed line with runs of spaces collapsed."""
    text = _pdf_text(content, tmp_path)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def has_line(lines: list[str], *parts: str) -> bool:
    return any(all(part in line for part in parts) for line in lines)


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    return content


# --- The award document ------------------------------------------------------------------


def test_award_document_has_the_terms_funding_budget_and_acceptance(client, example, tmp_path):
    award = example.example
    Award.objects.filter(pk=award.pk).update(
        special_conditions="1. Submit the IDS data monthly.\n2. Attend the national training."
    )
    client.force_login(example.auditor)
    content = download(client, reverse("exports:award_pdf", args=[award.award_number]))
    lines = lines_of(content, tmp_path)
    recipient = award.recipient
    for expected in (
        ("Grant award 15PJDP-25-GK-00072-MECP",),
        ("Recipient", recipient.legal_name),
        (f"UEI {recipient.uei} · EIN {recipient.ein}",),
        ("Assistance listing (CFDA/ALN)", "16.543 Missing Children's Assistance"),
        ("Period of performance", "10/01/2024 to 09/30/2026"),
        ("Federal award amount", "$500,000.00"),
        ("Required match (non-federal)", "$50,000.00"),
        ("Total project cost", "$550,000.00"),
        ("FY2025", "ICAC Task Force Program", "$500,000.00"),
        ("A. Personnel", "$300,000.00", "$50,000.00", "$350,000.00"),
        ("B. Fringe benefits", "$0.00", "$0.00", "$0.00"),
        ("D. Equipment", "$100,000.00", "$0.00", "$100,000.00"),
        ("H. Procurement", "$82,000.00", "$0.00", "$82,000.00"),
        ("J. Indirect costs", "$18,000.00", "$0.00", "$18,000.00"),
        ("Total", "$500,000.00", "$50,000.00", "$550,000.00"),
        ("The budget's total equals the federal award amount ($500,000.00).",),
        ("The budget's total equals the required match ($50,000.00).",),
        ("1. Submit the IDS data monthly.",),
        ("2. Attend the national training.",),
        ("Accepted by gadmin_a (Gail Admin) on",),
        ("Accepted by the recipient", "gadmin_a"),
        ("Page 1 of 2",),
    ):
        assert has_line(lines, *expected), expected
    # Every category A–J has a row, in order.
    rows = [line for line in lines if re.match(r"^[A-J]\. ", line)]
    assert [r[0] for r in rows] == list("ABCDEFGHIJ")
    event = AuditEvent.objects.get(action="reports.export.downloaded")
    assert event.actor == example.auditor and event.task_force == award.task_force
    assert event.data["export"] == "award_pdf"
    assert event.data["filename"] == "award-15PJDP-25-GK-00072-MECP.pdf"
    assert event.data["file_sha256"] == hashlib.sha256(content).hexdigest()


def test_award_document_says_when_the_budget_does_not_add_up(example, tmp_path):
    award = example.example
    Award.objects.filter(pk=award.pk).update(match_required=D("60000.00"))
    award.refresh_from_db()
    lines = lines_of(build_award_pdf(award, user=example.pm), tmp_path)
    assert has_line(
        lines,
        "Warning: the budget's total ($50,000.00) differs from the required match "
        "($60,000.00) by -$10,000.00.",
    ) or has_line(lines, "Warning: the budget's total ($50,000.00) differs from the required")


def test_award_not_yet_offered_says_so(program, tmp_path):
    lines = lines_of(build_award_pdf(program.award_a, user=program.pm), tmp_path)
    assert has_line(lines, "Draft; not yet offered to the recipient.")
    assert has_line(lines, "Generated", "UTC by pm")


def test_another_task_forces_award_is_a_404(client, example):
    client.force_login(example.officer_b)
    award = example.example
    assert client.get(reverse("exports:award_pdf", args=[award.award_number])).status_code == 404
    client.force_login(example.officer_a)
    assert client.get(reverse("exports:award_pdf", args=[award.award_number])).status_code == 200
    assert not AuditEvent.objects.filter(
        action="reports.export.downloaded", actor=example.officer_b
    ).exists()


def test_award_page_links_to_its_pdfs(client, example):
    award = example.example
    amendment_record(
        actor=example.pm,
        award=award,
        kind="administrative",
        description="New POC",
        requested_on=date(2025, 1, 6),
    )
    client.force_login(example.officer_a)
    body = client.get(reverse("grants:award_detail", args=[award.award_number])).content.decode()
    assert reverse("exports:award_pdf", args=[award.award_number]) in body
    assert reverse("exports:amendment_pdf", args=[award.award_number, 1]) in body


# --- The amendment notice ----------------------------------------------------------------


def test_amendment_notice_shows_before_after_effective_date_and_approver(client, example, tmp_path):
    award = example.example
    amendment = amendment_record(
        actor=example.pm,
        award=award,
        kind="no_cost_extension",
        description="Extend the period by six months to finish the forensic lab build-out.",
        requested_on=date(2025, 6, 2),
        status="approved",
        decided_on=date(2025, 6, 20),
        effective_on=date(2025, 7, 1),
    )
    # What a decision leaves in the trail: the award's terms before and after, naming
    # the amendment, and a change to the amendment itself.
    audit_record(
        actor=example.pm,
        action="grants.award.extended",
        obj=award,
        task_force=award.task_force,
        before={"period_end": "2026-09-30", "federal_amount": "500000.00", "status": "active"},
        after={"period_end": "2027-03-31", "federal_amount": "550000.00", "status": "active"},
        data={"amendment": amendment.pk},
    )
    audit_record(
        actor=example.pm,
        action="grants.amendment.changed",
        obj=amendment,
        before={"effective_on": "2025-06-20"},
        after={"effective_on": "2025-07-01"},
    )
    # Another amendment's trail stays out of this notice.
    other = amendment_record(
        actor=example.pm,
        award=award,
        kind="administrative",
        description="New POC",
        requested_on=date(2025, 6, 3),
    )
    audit_record(
        actor=example.pm,
        action="grants.award.changed",
        obj=award,
        before={"title": "Old"},
        after={"title": "New"},
        data={"amendment": other.pk + 100},
    )
    client.force_login(example.auditor)
    content = download(client, reverse("exports:amendment_pdf", args=[award.award_number, 1]))
    lines = lines_of(content, tmp_path)
    for expected in (
        ("Notice of award modification: amendment 1",),
        ("Amendment", "No. 1: No-cost extension"),
        ("Effective date", "07/01/2025"),
        ("Approval", "Approved on 06/20/2025 by an unrecorded person."),
        ("Award: Period end", "09/30/2026", "03/31/2027"),
        ("Award: Federal amount", "$500,000.00", "$550,000.00"),
        ("Amendment: Effective on", "06/20/2025", "07/01/2025"),
        ("Kind", "No-cost extension"),
        ("Status", "Approved"),
        ("Requested on", "06/02/2025"),
        ("Description", "Extend the period by six months"),
        ("Federal award amount", "$500,000.00"),
    ):
        assert has_line(lines, *expected), expected
    assert not has_line(lines, "Award: Title")
    assert not has_line(lines, "Award: Status")  # unchanged, so not a change
    event = AuditEvent.objects.get(action="reports.export.downloaded")
    assert event.data["amendment"] == 1 and event.data["export"] == "amendment_pdf"


def test_amendment_without_changes_or_approval(example, tmp_path):
    amendment = amendment_record(
        actor=example.pm,
        award=example.example,
        kind="budget_modification",
        description="Move $5,000 from travel to equipment",
        requested_on=date(2025, 2, 1),
    )
    lines = lines_of(build_amendment_pdf(amendment, user=example.auditor), tmp_path)
    assert has_line(lines, "Approval", "Requested; not approved.")
    assert has_line(lines, "Effective date", "Not set")
    assert has_line(lines, "No before-and-after values are recorded for this amendment")


def test_unknown_amendment_and_other_task_force_are_404(client, example):
    award = example.example
    client.force_login(example.auditor)
    assert (
        client.get(reverse("exports:amendment_pdf", args=[award.award_number, 9])).status_code
        == 404
    )
    amendment_record(
        actor=example.pm,
        award=award,
        kind="administrative",
        description="x",
        requested_on=date(2025, 1, 6),
    )
    url = reverse("exports:amendment_pdf", args=[award.award_number, 1])
    client.force_login(example.officer_a)  # the award's own task force: the notice
    assert client.get(url).status_code == 200
    client.force_login(example.officer_b)
    assert client.get(url).status_code == 404


# --- The progress report -----------------------------------------------------------------


def _file_progress(example, **narrative):
    measures = {name: (i + 1) * 7 for i, (name, _) in enumerate(MEASURES)}
    measures["training_attendees"] = 1234
    return progress_submit(
        actor=example.officer_a,
        award=example.example,
        period_end=date(2024, 12, 31),
        narrative={
            "accomplishments": "Opened 40 investigations.\nTrained 3 affiliates.",
            "challenges": "Backlog of devices.",
            "next_steps": "",
            **narrative,
        },
        measures=measures,
        today=date(2025, 1, 20),
    )


def test_progress_report_pdf_has_every_measure_and_the_narrative(client, example, tmp_path):
    report = _file_progress(example)
    client.force_login(example.approver)
    url = reverse("exports:progress_pdf", args=[example.example.award_number, "2024-12-31"])
    lines = lines_of(download(client, url), tmp_path)
    assert has_line(lines, "Progress report, period ending 12/31/2024")
    assert has_line(lines, "Reporting period", "10/01/2024 to 12/31/2024")
    assert has_line(lines, "Status", "Submitted")
    assert has_line(lines, "Submitted", "by officer_a")
    for i, (name, label) in enumerate(MEASURES):
        value = "1,234" if name == "training_attendees" else str((i + 1) * 7)
        assert has_line(lines, label, value), label
    assert has_line(lines, "Opened 40 investigations.")
    assert has_line(lines, "Trained 3 affiliates.")
    assert has_line(lines, "Backlog of devices.")
    assert has_line(lines, "Next steps") and has_line(lines, "None reported.")
    # The progress page links to it.
    client.force_login(example.officer_a)
    page = client.get(
        reverse("reports:progress_detail", args=[report.award.award_number, "2024-12-31"])
    )
    assert url in page.content.decode()


def test_progress_pdf_of_an_unfiled_period_or_other_task_force_is_404(client, example):
    award = example.example.award_number
    client.force_login(example.auditor)
    assert (
        client.get(reverse("exports:progress_pdf", args=[award, "2024-12-31"])).status_code == 404
    )
    assert (
        client.get(reverse("exports:progress_pdf", args=[award, "not-a-date"])).status_code == 404
    )
    _file_progress(example)
    client.force_login(example.officer_b)
    assert (
        client.get(reverse("exports:progress_pdf", args=[award, "2024-12-31"])).status_code == 404
    )


# --- The program summary -----------------------------------------------------------------


def test_program_summary_totals_equal_the_dashboard(client, example, tmp_path):
    client.force_login(example.auditor)
    dashboard = client.get(reverse("home") + "?fy=2025").content.decode()
    # The dashboard has it prepared in the background; the file is the same as the PDF's own address gives.
    assert 'data-testid="prepare-summary-2025"' in dashboard
    summary_url = reverse("exports:program_summary_pdf", args=[2025])
    # Its address offers it to prepare in the background, as the dashboard's button does.
    pdf = b"".join(fetch_prepared(client, summary_url).streaming_content)
    assert pdf.startswith(b"%PDF-")
    lines = lines_of(pdf, tmp_path)
    chain = money_chain(user=example.auditor, fiscal_year=2025)
    everything = money_chain(user=example.auditor)
    # The program fixture: $1,000,000 appropriated, $100,000 set aside, three awards.
    assert (chain.appropriated, chain.set_aside, chain.awarded) == (
        D("1000000.00"),
        D("100000.00"),
        D("900000.00"),
    )
    for label, year, every in (
        ("Appropriated", chain.appropriated, everything.appropriated),
        ("Set aside", chain.set_aside, everything.set_aside),
        (
            "Available for task-force awards",
            chain.available_to_award,
            everything.available_to_award,
        ),
        ("Awarded", chain.awarded, everything.awarded),
        ("of which in draft awards", chain.awarded_in_draft, everything.awarded_in_draft),
        ("Not yet awarded", chain.not_yet_awarded, everything.not_yet_awarded),
    ):
        money = pdf_page.plain(year)
        assert money in dashboard and has_line(lines, label, money, pdf_page.plain(every)), label
    assert has_line(lines, "Total", "$1,000,000.00", "$100,000.00", "$900,000.00", "$0.00")
    # Awarded and drawn by task force: Alpha has two awards ($200,000 + $500,000), $210,000 drawn.
    assert has_line(lines, "VA", "Alpha ICAC Task Force", "2", "$700,000.00", "$210,000.00", "30%")
    assert has_line(lines, "MD", "Bravo ICAC Task Force", "1", "$200,000.00", "$0.00", "0%")
    assert has_line(lines, "2 task forces", "3", "$900,000.00", "$210,000.00", "23%")
    assert has_line(lines, "Appropriated by fiscal year (FY2025 in dark blue)")
    assert has_line(lines, "Awarded", "Drawn")
    event = AuditEvent.objects.get(action="reports.export.downloaded")
    assert event.data["fiscal_year"] == 2025 and event.data["export"] == "prepared_summary"


def test_program_summary_is_for_the_program_office_and_known_years(client, program):
    client.force_login(program.officer_a)
    assert client.get(reverse("exports:program_summary_pdf", args=[2025])).status_code == 403
    assert (
        reverse("exports:program_summary_pdf", args=[2025])
        not in client.get(reverse("home") + "?fy=2025").content.decode()
    )
    client.force_login(program.pm)
    assert client.get(reverse("exports:program_summary_pdf", args=[2019])).status_code == 404
    assert client.get(reverse("exports:program_summary_pdf", args=[1990])).status_code == 404


def test_sixty_one_task_forces_split_into_sorted_charts_on_one_scale():
    rows = [
        TaskForceRow(
            f"Task force {i:02d} Internet Crimes Against Children Task Force",
            "VA",
            1,
            D(100000 + i * 1000),
            D(i * 500),
        )
        for i in range(61)
    ]
    summary = ProgramSummary(2025, date(2025, 5, 1), None, None, [], [], rows)
    charts = task_force_charts(summary)
    assert len(charts) == 2
    first = charts[0].contents[0]
    second = charts[1].contents[0]
    assert (
        len(first.categoryAxis.categoryNames) == 31 and len(second.categoryAxis.categoryNames) == 30
    )
    # Largest at the top: the chart's last category is drawn highest.
    assert first.categoryAxis.categoryNames[-1] == "VA  Task force 60 ICAC Task Force"
    assert second.categoryAxis.categoryNames[0] == "VA  Task force 00 ICAC Task Force"
    assert first.valueAxis.valueMax == second.valueAxis.valueMax == 200000
    assert (first.valueAxis.valueMin, first.valueAxis.valueStep) == (0, 50000)
    assert first.valueAxis.labelTextFormat(150000) == "$150K"
    assert second.valueAxis.labelTextFormat(1_500_000) == "$1.5M"
    # Every label fits in the space left of the bars.
    assert all(len(name) <= 44 for name in first.categoryAxis.categoryNames)


# --- Markup in user text prints literally --------------------------------------------------


def test_markup_in_user_text_prints_literally_in_every_document(example, tmp_path):
    award = example.example
    Award.objects.filter(pk=award.pk).update(special_conditions=HOSTILE, title=HOSTILE[:200])
    Recipient.objects.filter(pk=award.recipient_id).update(legal_name="Smith & <b>Jones</b>")
    TaskForce.objects.filter(pk=award.task_force_id).update(name="Alpha & <i>Omega</i> Task Force")
    award.refresh_from_db()
    amendment = amendment_record(
        actor=example.pm,
        award=award,
        kind="administrative",
        description=HOSTILE,
        requested_on=date(2025, 1, 6),
    )
    report = _file_progress(example, accomplishments=HOSTILE, challenges="<br/><br/>x\x1b\x07y")
    documents = {
        "award": build_award_pdf(award, user=example.pm),
        "amendment": build_amendment_pdf(amendment, user=example.pm),
        "progress": build_progress_report_pdf(report, user=example.pm),
        "summary": build_program_summary_pdf(2025, user=example.pm),
    }
    for name, content in documents.items():
        text = " ".join(_pdf_text(content, tmp_path).split())
        assert "Alpha & <i>Omega</i> Task Force" in text, name
        if name != "summary":
            assert 'A & B <c> <font size="40" color="red">big</font>' in text, name
            assert '<img src="file:///etc/passwd"/> &amp; end' in text, name
        assert "root:" not in text, name
        # No link annotation: the <a href> did not become one.
        assert b"/Annots" not in content and b"/URI" not in content, name
    assert "Smith & <b>Jones</b>" in _pdf_text(documents["award"], tmp_path)
    assert "<br/><br/>xy" in _pdf_text(documents["progress"], tmp_path)


def test_each_page_renders_to_an_image(example, tmp_path):
    """Every document rasterises (poppler parses it) and carries "Page N of M"."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    content = build_program_summary_pdf(2025, user=example.auditor)
    path = tmp_path / "summary.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    text = _pdf_text(content, tmp_path)
    assert len(pages) >= 2
    assert f"Page {len(pages)} of {len(pages)}" in text and "Page 1 of" in text


def test_markup_safe_escapes_and_drops_control_characters():
    assert pdf_page.markup_safe('x\x00<a href="u">&\x1b\ny') == 'x&lt;a href="u"&gt;&amp;<br/>y'
    assert pdf_page.markup_safe(D("1234.5")) == "$1,234.50"
    assert pdf_page.markup_safe(date(2025, 7, 1)) == "07/01/2025"


def test_an_evidence_pack_prints_the_filed_report(example, tmp_path):
    """The builder an evidence pack calls: a filed SF-425 in, the PDF out."""
    report = submit(example, example.example, date(2024, 12, 31))
    content = financial_report_document(report, generated_by=example.auditor).content
    lines = lines_of(content, tmp_path)
    assert has_line(lines, "10a", "Cash receipts", "$120,000.00")
    assert has_line(lines, "10d", "$500,000.00")
    # Line 11: the de minimis rate in force, with nothing in its base by 12/31/2024.
    assert has_line(lines, "De minimis", "15%", "10/01/2024", "$0.00 $0.00 $0.00")
    assert has_line(lines, "Generated", "UTC by auditor", "Page 1 of 1")


def test_a_filed_report_prints_as_certified_and_a_returned_one_as_the_ledger_now(example, tmp_path):
    """A payment dated into the period after filing changes the ledger, not the certified
    report's document; once the report is returned, its document is the draft."""
    report = submit(example, example.example, date(2024, 12, 31))
    ledger.entry_post(
        actor=example.officer_a,
        award=example.example,
        kind="disbursement",
        amount=D("1000.00"),
        effective_date=date(2024, 12, 28),
        idempotency_key=uuid.uuid4(),
        today=date(2025, 4, 11),
    )
    lines = lines_of(financial_report_document(report, generated_by="auditor").content, tmp_path)
    assert has_line(lines, "Quarterly report", "Status: Submitted; submitted")
    assert has_line(
        lines, "2. Federal grant or other identifying number", "15PJDP-25-GK-00072-MECP"
    )
    assert has_line(lines, "9. Reporting period end date", "12/31/2024")
    assert has_line(lines, "10b", "Cash disbursements", "$118,500.00")
    assert has_line(lines, "Lena Alvarez, Finance officer")

    returned = report_review(actor=example.pm, report=report, accept=False, comment="Line 10b.")
    lines = lines_of(financial_report_document(returned, generated_by="auditor").content, tmp_path)
    assert has_line(lines, "Draft computed from the ledger; not certified")
    assert has_line(lines, "10b", "Cash disbursements", "$119,500.00")
    assert has_line(lines, "Not certified.")


def test_text_longer_than_a_page_breaks_across_pages(example, tmp_path):
    """A table row may be taller than a page; without splitting, layout would fail."""
    description = " ".join(f"w{i}" for i in range(6000)) + " " + "x" * 3000 + " THE-END"
    amendment = amendment_record(
        actor=example.pm,
        award=example.example,
        kind="administrative",
        description=description,
        requested_on=date(2025, 1, 6),
    )
    text = _pdf_text(build_amendment_pdf(amendment, user=example.pm), tmp_path)
    assert "THE-END" in text and "w5999" in text
    assert int(re.search(r"Page 1 of (\d+)", text).group(1)) > 1


def test_award_document_accepts_a_match_above_the_required_one(example, tmp_path):
    award = example.example
    Award.objects.filter(pk=award.pk).update(match_required=D("40000.00"))
    award.refresh_from_db()
    lines = lines_of(build_award_pdf(award, user=example.pm), tmp_path)
    assert not has_line(lines, "Warning")
    assert has_line(lines, "The budget's total ($50,000.00) meets the required match")
