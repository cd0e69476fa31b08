"""Delinquency holds (docs/rules/reporting-deadlines.md#delinquency-holds): a report past due
and not filed holds the funds."""

from datetime import date

from grants.models import Hold
from reports.services import place_delinquency_holds, report_review
from tests.reports.conftest import submit


def test_a_returned_report_past_due_holds_the_funds_and_a_filed_one_does_not(example):
    award = example.example
    sf425 = submit(example, award, date(2024, 12, 31), today=date(2025, 1, 20))
    report_review(actor=example.pm, report=sf425, accept=False, comment="Line 10c is wrong.")
    placed = place_delinquency_holds(today=date(2025, 1, 31))
    assert [h.report_key for h in placed if h.award == award] == [
        "sf425:2024-12-31",
        "progress:2024-12-31",
    ]
    submit(example, award, date(2024, 12, 31), today=date(2025, 2, 1))
    assert [h.report_key for h in Hold.objects.filter(award=award, lifted_at__isnull=True)] == [
        "progress:2024-12-31"
    ]
    assert place_delinquency_holds(today=date(2025, 2, 2)) == []
