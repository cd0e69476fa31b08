"""Single audits: the federal expenditures of a recipient's own fiscal year, summed from
the ledger; the threshold in force for the year; the due date; the FAC report ID."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse as url

from budgets import ledger
from budgets.models import LedgerEntry
from budgets.services import LineInput
from compliance import services
from compliance.duties import overdue_single_audits
from compliance.models import SingleAudit
from compliance.single_audit import audit_year, audit_years, sefa
from tests import factories
from tests.budgets.ledger_helpers import draw
from tests.compliance.helpers import active_award, reverse, spend

D = Decimal


def _recipient_spending_900k(program, *, fy_month, fy_day, day):
    """Task force A's lead agency, closing its year on fy_month/fy_day, with $900,000
    of federal expenditures on `day` (worked example 7.5)."""
    recipient = program.task_force_a.lead_organization
    recipient.fiscal_year_end_month, recipient.fiscal_year_end_day = fy_month, fy_day
    recipient.save()
    appropriation = factories.make_appropriation(program.pm, fiscal_year=2024, amount="5000000.00")
    award = active_award(
        program,
        amount="900000.00",
        appropriation=appropriation,
        period_start=date(2023, 10, 1),
        period_end=date(2025, 9, 30),
        lines=[LineInput("A", D("540000.00")), LineInput("C", D("360000.00"))],
    )
    spend(program, award, "540000.00", category="A", day=day)
    spend(program, award, "360000.00", category="C", day=day)
    recipient.refresh_from_db()
    return recipient, award


def test_worked_example_a_year_under_the_2024_rule_needs_no_audit_at_900k(program):
    recipient, _ = _recipient_spending_900k(program, fy_month=9, fy_day=30, day=date(2025, 1, 15))
    year = audit_year(recipient, date(2025, 9, 30))
    assert (year.start, year.end) == (date(2024, 10, 1), date(2025, 9, 30))
    assert year.expenditures == D("900000.00")
    assert year.threshold == D("1000000")
    assert year.required is False


def test_worked_example_a_year_under_the_2014_rule_needs_one_due_nine_months_after(program):
    recipient, _ = _recipient_spending_900k(program, fy_month=6, fy_day=30, day=date(2024, 3, 15))
    year = audit_year(recipient, date(2024, 6, 30))
    assert (year.start, year.end) == (date(2023, 7, 1), date(2024, 6, 30))
    assert year.expenditures == D("900000.00")
    assert year.threshold == D("750000")
    assert year.required is True
    assert year.due_on == date(2025, 3, 31)
    assert year.overdue(date(2025, 4, 1)) is True
    assert year.overdue(date(2025, 3, 31)) is False


def test_the_due_date_is_30_days_after_the_auditors_report_when_that_is_earlier(program):
    recipient, _ = _recipient_spending_900k(program, fy_month=6, fy_day=30, day=date(2024, 3, 15))
    services.single_audit_record(
        actor=program.officer_a,
        recipient=recipient,
        fiscal_year_end=date(2024, 6, 30),
        auditor="Smith & Co CPAs",
        auditor_report_on=date(2024, 12, 16),
    )
    assert audit_year(recipient, date(2024, 6, 30)).due_on == date(2025, 1, 15)
    # A late report does not move the nine-month limit.
    services.single_audit_record(
        actor=program.officer_a,
        recipient=recipient,
        fiscal_year_end=date(2024, 6, 30),
        auditor_report_on=date(2025, 3, 20),
    )
    assert audit_year(recipient, date(2024, 6, 30)).due_on == date(2025, 3, 31)


def test_the_sefa_equals_the_ledger_for_the_year(program):
    recipient = program.task_force_a.lead_organization  # year ends June 30
    award = active_award(program)
    spend(program, award, "1000.10", day=date(2025, 1, 15))
    spend(program, award, "2500.00", category="D", day=date(2025, 6, 30))
    wrong = spend(program, award, "700.00", day=date(2025, 2, 1))
    reverse(program, wrong, day=date(2025, 2, 1))
    spend(program, award, "999.99", day=date(2025, 7, 1))  # the next fiscal year
    rows, total, passed = sefa(recipient, date(2025, 6, 30))
    # What the ledger says, entry by entry, for the same days.
    entries = LedgerEntry.objects.filter(
        award__recipient=recipient,
        kind="expenditure",
        share="federal",
        effective_date__range=(date(2024, 7, 1), date(2025, 6, 30)),
    )
    by_hand = sum(-e.amount if e.reverses_id else e.amount for e in entries)
    assert [(r.award.award_number, r.expenditures) for r in rows] == [
        (award.award_number, D("3500.10"))
    ]
    assert total == by_hand == D("3500.10")
    assert passed == D("0.00")
    assert [y.end for y in audit_years(recipient, today=date(2025, 8, 1))] == [
        date(2026, 6, 30),
        date(2025, 6, 30),
    ]


def test_years_before_the_first_threshold_on_record_are_not_audit_years(client, program):
    """The program's awards go back to 1998; the app holds the single-audit threshold
    from 12/26/2014 (2 CFR 200 Subpart F). Earlier years are left out, and the recipient
    page and the daily duty work for a recipient with an award from then."""
    recipient = program.task_force_a.lead_organization  # its year ends June 30
    appropriation = factories.make_appropriation(program.pm, fiscal_year=1999)
    factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=appropriation,
        period_start=date(1998, 10, 1),
        period_end=date(2000, 9, 30),
    )
    years = audit_years(recipient, today=date(2025, 8, 1))
    # The first year beginning on or after 12/26/2014, to the year of `today`.
    assert (years[-1].start, years[-1].end) == (date(2015, 7, 1), date(2016, 6, 30))
    assert years[-1].threshold == D("750000")
    assert years[0].end == date(2026, 6, 30)
    assert len(years) == 11
    assert overdue_single_audits(date(2025, 8, 1)) == ["Single audits overdue: 0"]
    client.force_login(program.pm)
    page = client.get(url("compliance:recipient_detail", args=[recipient.pk]))
    assert page.status_code == 200
    assert "06/30/2016" in page.content.decode()
    assert "06/30/2015" not in page.content.decode()


@pytest.mark.parametrize(
    "report_id, message",
    [
        ("2024-6-GSAFAC-0000345049", "YYYY-MM-GSAFAC-NNNNNNNNNN"),
        ("2024-06-GSAFAC-345049", "YYYY-MM-GSAFAC-NNNNNNNNNN"),
        ("2024-06-FAC-0000345049", "YYYY-MM-GSAFAC-NNNNNNNNNN"),
        (
            "2024-12-GSAFAC-0000345049",
            "names a fiscal year ending in 12/2024; this audit's year ends 06/2024",
        ),
    ],
)
def test_a_fac_report_id_in_another_form_is_refused_and_nothing_is_saved(
    program, report_id, message
):
    recipient = program.task_force_a.lead_organization
    with pytest.raises(ValidationError) as refused:
        services.single_audit_record(
            actor=program.officer_a,
            recipient=recipient,
            fiscal_year_end=date(2024, 6, 30),
            fac_report_id=report_id,
        )
    assert message in str(refused.value.message_dict["fac_report_id"])
    assert not SingleAudit.objects.exists()


def test_a_fac_report_id_is_stored_and_findings_get_a_management_decision(program):
    recipient = program.task_force_a.lead_organization
    audit = services.single_audit_record(
        actor=program.officer_a,
        recipient=recipient,
        fiscal_year_end=date(2024, 6, 30),
        auditor_report_on=date(2025, 2, 1),
        fac_report_id=" 2024-06-gsafac-0000345049",
        fac_accepted_on=date(2025, 2, 20),
    )
    assert audit.fac_report_id == "2024-06-GSAFAC-0000345049"
    with pytest.raises(ValidationError) as refused:
        services.finding_record(actor=program.officer_a, audit=audit, reference="24-1", summary="x")
    assert "such as 2024-001" in str(refused.value)
    for questioned, message in (
        ("-1.00", "The amount must be zero or more."),
        ("12.345", "12.345 has more than 2 decimal places."),
    ):
        with pytest.raises(ValidationError) as refused:
            services.finding_record(
                actor=program.officer_a,
                audit=audit,
                reference="2024-001",
                summary="Time and effort reports not signed.",
                questioned_costs=questioned,
                award=program.award_a,
            )
        assert refused.value.message_dict == {"questioned_costs": [message]}
    assert not audit.findings.exists()
    finding = services.finding_record(
        actor=program.officer_a,
        audit=audit,
        reference="2024-001",
        summary="Time and effort reports not signed.",
        questioned_costs="12,500.00",
        award=program.award_a,
    )
    assert finding.questioned_costs == D("12500.00")
    with pytest.raises(ValidationError) as refused:
        services.management_decision_record(
            actor=program.pm, finding=finding, decision="sustained", decision_on=date(2025, 4, 1)
        )
    assert "corrective action" in str(refused.value)
    finding = services.management_decision_record(
        actor=program.pm,
        finding=finding,
        decision="sustained",
        decision_on=date(2025, 4, 1),
        corrective_action="Monthly certifications signed by supervisors.",
    )
    assert (finding.decision, finding.decision_on) == ("sustained", date(2025, 4, 1))


def test_another_task_forces_officer_cannot_record_the_audit(program):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.single_audit_record(
            actor=program.officer_b,
            recipient=program.task_force_a.lead_organization,
            fiscal_year_end=date(2024, 6, 30),
        )


def _shown(years, today):
    """What the recipient's page shows of each year, latest first."""
    return [
        (
            y.end,
            y.expenditures,
            y.threshold,
            y.required and y.due_on,
            y.decision_due_on,
            y.overdue(today),
        )
        for y in years
    ]


def test_every_year_of_a_recipient_costs_the_same_queries_as_three(client, program, pin_today):
    """The years' expenditures, thresholds, records and due dates are read for all years
    at once, not three queries a year: on the recipient's page too."""
    recipient, _ = _recipient_spending_900k(program, fy_month=6, fy_day=30, day=date(2024, 3, 15))
    award = active_award(program)
    spend(program, award, "1000.10", day=date(2025, 6, 30))  # the year's last day
    spend(program, award, "0.01", day=date(2025, 7, 1))
    services.single_audit_record(
        actor=program.officer_a,
        recipient=recipient,
        fiscal_year_end=date(2024, 6, 30),
        auditor_report_on=date(2024, 12, 16),
        fac_report_id="2024-06-GSAFAC-0000345049",
        fac_accepted_on=date(2025, 1, 10),
    )
    client.force_login(program.auditor)
    page = url("compliance:recipient_detail", args=[recipient.pk])
    counts, shown, pages = [], [], []
    for today in (date(2025, 8, 1), date(2031, 8, 1)):
        with CaptureQueriesContext(connection) as queries:
            shown.append(_shown(audit_years(recipient, today=today), today))
        counts.append(len(queries))
        pin_today(today)
        client.get(page)  # the session's first read of the day settles
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        pages.append(len(queries))
    # The first award, the rules, the audits recorded and the expenditures of every year.
    assert counts == [4, 4]
    assert pages == [11, 11]
    nothing = D("0.00")
    assert shown[0] == [
        (date(2026, 6, 30), D("0.01"), D("1000000"), False, None, False),
        # A year beginning before 10/01/2024 keeps the 2014 threshold.
        (date(2025, 6, 30), D("1000.10"), D("750000"), False, None, False),
        # Due 30 days after the auditor's report; management decisions six months after
        # the FAC accepted it.
        (
            date(2024, 6, 30),
            D("900000.00"),
            D("750000"),
            date(2025, 1, 15),
            date(2025, 7, 10),
            False,
        ),
    ]
    assert shown[1][-3:] == shown[0]
    assert [row[0] for row in shown[1][:6]] == [date(year, 6, 30) for year in range(2032, 2026, -1)]
    assert {row[1:] for row in shown[1][:6]} == {(nothing, D("1000000"), False, None, False)}


def test_a_cash_basis_recipient_counts_a_payment_in_the_year_it_is_paid(program):
    recipient = program.task_force_a.lead_organization  # year ends June 30
    recipient.accounting_basis = "cash"
    recipient.save()
    award = active_award(program)
    incurred = spend(program, award, "2500.00", day=date(2025, 6, 30))
    draw(program, "2500.00", award=award, day=date(2025, 6, 30))
    ledger.entry_post(
        actor=program.officer_a,
        award=award,
        kind="disbursement",
        amount=D("2500.00"),
        effective_date=date(2025, 7, 1),
        idempotency_key=uuid.uuid4(),
        expenditure=incurred,
    )
    years = audit_years(recipient, today=date(2025, 8, 1))
    assert [(y.end, y.expenditures) for y in years] == [
        (date(2026, 6, 30), D("2500.00")),
        (date(2025, 6, 30), D("0.00")),
    ]
    assert audit_year(recipient, date(2025, 6, 30)).expenditures == D("0.00")
