import uuid
from datetime import date
from decimal import Decimal

import pgtrigger
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from budgets import ledger
from grants.models import Hold
from reports.calendar import find_due
from reports.models import FinancialReport
from reports.services import place_delinquency_holds, report_review, sf425_submit
from reports.sf425 import compute_sf425, variance
from tests.reports.conftest import CERTIFIER, submit

D = Decimal


def test_worked_example_7_2_to_the_cent(example):
    award = example.example
    report = compute_sf425(award, period_end=date(2025, 3, 31), is_final=False)
    assert {k: str(v) for k, v in report.lines.items()} == {
        "10a": "210000.00",
        "10b": "198500.00",
        "10c": "11500.00",
        "10d": "500000.00",
        "10e": "205000.00",
        "10f": "15000.00",
        "10g": "220000.00",
        "10h": "280000.00",
        "10i": "50000.00",
        "10j": "12000.00",
        "10k": "38000.00",
        "10l": "0.00",
        "10m": "0.00",
        "10n": "0.00",
        "10o": "0.00",
        "11g-d": "120000.00",
        "11g-e": "18000.00",
        "11g-f": "18000.00",
    }
    # Line 11: de minimis 15% × MTDC base $120,000 = $18,000 charged, federal share $18,000.
    assert [row.as_json() for row in report.indirect] == [
        {
            "type": "De minimis",
            "rate": "15.0000",
            "from": "2024-10-01",
            "to": "2026-09-30",
            "base": "120000.00",
            "charged": "18000.00",
            "federal": "18000.00",
        }
    ]
    assert find_due(award, "sf425", date(2025, 3, 31)).due_on == date(2025, 4, 30)


def test_worked_example_indirect_costs_are_at_their_cap(example):
    """One cent more of indirect costs than 15% of the $120,000 base is refused."""
    with pytest.raises(ValidationError) as refused:
        ledger.entry_post(
            actor=example.officer_a,
            award=example.example,
            kind="expenditure",
            amount=D("0.01"),
            category="J",
            effective_date=date(2025, 3, 31),
            idempotency_key=uuid.uuid4(),
            today=date(2025, 4, 10),
        )
    assert refused.value.message_dict["amount"] == [
        "$0.01 is $0.01 more than the $0.00 of indirect costs left under the de minimis rate "
        "of 15% from 10/01/2024: 15% of the $120,000.00 MTDC base is $18,000.00, and "
        "$18,000.00 is already charged."
    ]


def test_reports_are_filed_in_order(example):
    award = example.example
    with pytest.raises(
        ValidationError, match=r"file the SF-425 financial report, period ending 12/31/2024 first"
    ):
        submit(example, award, date(2025, 3, 31))
    submit(example, award, date(2024, 12, 31))
    report = submit(example, award, date(2025, 3, 31))
    assert report.lines["10c"] == "11500.00" and report.status == "submitted"


def test_future_duplicate_and_outsider_filings_are_refused(example):
    award = example.example
    with pytest.raises(ValidationError, match="has not ended"):
        submit(example, award, date(2025, 6, 30))
    with pytest.raises(ValidationError, match="does not end a reporting period"):
        submit(example, award, date(2025, 2, 28))
    submit(example, award, date(2024, 12, 31))
    with pytest.raises(ValidationError, match="already submitted"):
        submit(example, award, date(2024, 12, 31))
    with pytest.raises(PermissionDenied):
        sf425_submit(
            actor=example.officer_b, award=award, period_end=date(2025, 3, 31), certifier=CERTIFIER
        )
    assert FinancialReport.objects.count() == 1


def test_cash_on_hand_needs_remarks(example):
    award = example.example
    submit(example, award, date(2024, 12, 31))
    with pytest.raises(ValidationError) as raised:
        submit(example, award, date(2025, 3, 31), remarks=" ")
    assert raised.value.message_dict["remarks"] == [
        "Cash on hand is $11,500.00 (line 10c): say in the remarks why it was not disbursed."
    ]


def test_late_report_holds_funds_until_submitted(example):
    award = example.example
    assert place_delinquency_holds(today=date(2025, 1, 30)) == []  # due today: not late yet
    placed = place_delinquency_holds(today=date(2025, 1, 31))
    assert [h.reason for h in placed if h.award == award] == [
        "SF-425 financial report, period ending 12/31/2024 was due 01/30/2025 and has not been submitted",
        "Progress report, period ending 12/31/2024 was due 01/30/2025 and has not been submitted",
    ]
    assert place_delinquency_holds(today=date(2025, 2, 1)) == []  # one hold per report
    with pytest.raises(
        ValidationError,
        match="Drawdowns are on hold .*SF-425 financial report, period ending 12/31/2024 was due",
    ):
        ledger.drawdown_request(
            actor=example.officer_a,
            award=award,
            amount=D("1.00"),
            idempotency_key=uuid.uuid4(),
            today=date(2025, 2, 1),
        )
    submit(example, award, date(2024, 12, 31), today=date(2025, 2, 1))
    active = Hold.objects.filter(award=award, lifted_at__isnull=True)
    assert [h.report_key for h in active] == ["progress:2024-12-31"]


def test_return_and_resubmit_keeps_the_new_numbers(example):
    award = example.example
    report = submit(example, award, date(2024, 12, 31))
    with pytest.raises(ValidationError, match="Say what needs correcting"):
        report_review(actor=example.pm, report=report, accept=False)
    report_review(actor=example.pm, report=report, accept=False, comment="Disbursements look low")
    ledger.entry_post(
        actor=example.officer_a,
        award=award,
        kind="disbursement",
        amount=D("1500.00"),
        effective_date=date(2024, 12, 30),
        idempotency_key=uuid.uuid4(),
        today=date(2025, 4, 10),
    )
    again = submit(example, award, date(2024, 12, 31))
    assert (again.pk, again.status, again.submissions, again.lines["10b"]) == (
        report.pk,
        "submitted",
        2,
        "120000.00",
    )
    report_review(actor=example.pm, report=again, accept=True)
    again.refresh_from_db()
    assert again.status == "accepted"


def test_entries_dated_back_show_as_variance(example):
    award = example.example
    report = submit(example, award, date(2024, 12, 31))
    ledger.entry_post(
        actor=example.officer_a,
        award=award,
        kind="expenditure",
        amount=D("250.00"),
        category="A",
        effective_date=date(2024, 12, 5),
        idempotency_key=uuid.uuid4(),
        today=date(2025, 4, 10),
    )
    now = compute_sf425(award, period_end=date(2024, 12, 31), is_final=False)
    assert variance(report.lines, now) == {
        "10e": (D("0.00"), D("250.00")),
        "10g": (D("0.00"), D("250.00")),
        "10h": (D("500000.00"), D("499750.00")),
        # Personnel is in the MTDC base: 15% of it (de minimis) may now be charged.
        "11g-d": (D("0.00"), D("250.00")),
        "11g-e": (D("0.00"), D("37.50")),
    }


def _indirect_table(client, award, period_end):
    page = client.get(reverse("reports:sf425_detail", args=[award.award_number, period_end]))
    html = page.content.decode()
    start = html.index('data-testid="sf425-indirect"')
    return " ".join(html[start : html.index("</table>", start)].split())


def test_sf425_page_shows_line_11_as_computed_then_as_certified(client, example):
    award = example.example
    client.force_login(example.officer_a)
    table = _indirect_table(client, award, "2025-03-31")
    for text in ("De minimis", "15%", "10/01/2024", "09/30/2026", "$120,000.00", "$18,000.00"):
        assert text in table, text
    assert "g. Totals" in table
    submit(example, award, date(2024, 12, 31))
    report = submit(example, award, date(2025, 3, 31))
    assert report.lines["11a-f"][0]["base"] == "120000.00"
    assert report.lines["11g-e"] == "18000.00"
    assert "$120,000.00" in _indirect_table(client, award, "2025-03-31")


def test_a_report_filed_before_line_11_rows_were_kept_says_so(client, example):
    award = example.example
    report = submit(example, award, date(2024, 12, 31))
    old = {k: v for k, v in report.lines.items() if not k.startswith("11")} | {"11": "0.00"}
    # As such a report was stored (past the trigger that keeps certified lines fixed).
    with pgtrigger.ignore("reports.FinancialReport:sf425_certified_lines_fixed"):
        FinancialReport.objects.filter(pk=report.pk).update(lines=old)
    client.force_login(example.auditor)
    page = client.get(reverse("reports:sf425_detail", args=[award.award_number, "2024-12-31"]))
    assert "rates were not kept with this report" in page.content.decode()
    pdf = client.get(reverse("exports:sf425_pdf", args=[award.award_number, "2024-12-31"]))
    assert pdf.status_code == 200
