"""The budget-change and amendment pages as people use them."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from budgets.models import BudgetModification
from budgets.modifications import (
    budget_modification_decide,
    budget_modification_propose,
    supplement_propose,
)
from budgets.terms import award_terms_as_of
from grants.amendments import extension_decide, extension_request
from grants.audit import AuditEvent
from grants.models import Amendment, Award
from tests import factories
from tests.budgets.ledger_helpers import activate
from tests.budgets.test_modifications import V1, lines, moved

D = Decimal


@pytest.fixture
def big(program):
    appropriation = factories.make_appropriation(program.pm, fiscal_year=2025, amount="2000000.00")
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=appropriation,
        amount="500000.00",
        lines=lines(V1),
        number="15PJDP-25-GK-00500-MECP",
    )
    program.big = activate(program, award)
    program.big_appropriation = appropriation
    return program


def workbook(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def grid(amounts: dict[str, str]) -> dict[str, str]:
    return {f"budget-federal_{code}": value for code, value in amounts.items()}


def test_check_shows_the_assessment_and_saves_nothing(client, big):
    client.force_login(big.officer_a)
    url = reverse("modifications:propose", args=[big.big.award_number])
    data = {**grid(moved(V1, "E", "C", "55000.00")), "justification": "Trainings", "check": "1"}
    body = client.post(url, data).content.decode()
    assert "Prior approval needed" in body
    assert 'data-testid="cumulative-transfer">$55,000.00<' in body
    assert 'data-testid="transfer-share">11.00%<' in body
    assert "Cumulative transfers of $55,000.00 are more than 10% of the award ($50,000.00)." in body
    assert not BudgetModification.objects.exists()


def test_check_refuses_what_submit_would_refuse(client, big):
    client.force_login(big.officer_a)
    url = reverse("modifications:propose", args=[big.big.award_number])
    unchanged = client.post(url, {**grid(V1), "justification": "None", "check": "1"})
    body = unchanged.content.decode()
    assert "The proposed budget is the same as the current one." in body
    assert "No prior approval needed" not in body and "Prior approval needed" not in body
    data = {**grid(moved(V1, "E", "C", "5000.00")), "justification": "Trainings", "check": "1"}
    body = client.post(url, {**data, "scope_change": "on"}).content.decode()
    assert "Describe the change of scope." in body
    assert not BudgetModification.objects.exists()


def test_check_refuses_a_budget_that_does_not_add_up_as_submit_would(client, big):
    client.force_login(big.officer_a)
    url = reverse("modifications:propose", args=[big.big.award_number])
    short = dict(V1, A="199999.99")
    body = client.post(url, {**grid(short), "justification": "x", "check": "1"}).content.decode()
    assert "$0.01 short" in body
    assert "No prior approval needed" not in body and "Prior approval needed" not in body


def test_submitting_a_small_transfer_applies_it(client, big):
    client.force_login(big.officer_a)
    url = reverse("modifications:propose", args=[big.big.award_number])
    response = client.post(
        url,
        {**grid(moved(V1, "D", "A", "30000.00")), "justification": "Investigator", "submit": "1"},
        follow=True,
    )
    assert "No prior approval needed: budget version 2 is now current." in response.content.decode()
    assert big.big.budget_versions.get(status="approved").number == 2


def test_a_budget_that_does_not_add_up_shows_the_difference(client, big):
    client.force_login(big.officer_a)
    url = reverse("modifications:propose", args=[big.big.award_number])
    body = client.post(
        url, {**grid(dict(V1, A="200000.01")), "justification": "x", "submit": "1"}
    ).content.decode()
    assert (
        "The federal lines add up to $500,000.01, but the award is $500,000.00: $0.01 too much."
        in body
    )
    assert not BudgetModification.objects.exists()


def test_another_task_forces_officer_gets_404_and_pm_403(client, big):
    url = reverse("modifications:propose", args=[big.big.award_number])
    client.force_login(big.officer_b)
    assert (
        client.post(
            url, {**grid(moved(V1, "D", "A", "1.00")), "justification": "x", "submit": "1"}
        ).status_code
        == 404
    )
    client.force_login(big.pm)
    assert client.get(url).status_code == 403
    assert not BudgetModification.objects.exists()


def test_requester_approving_through_the_page_is_refused_and_audited(client, big):
    big.officer_a.groups.add(Group.objects.get(name="Program manager"))
    client.force_login(big.officer_a)
    client.post(
        reverse("modifications:propose", args=[big.big.award_number]),
        {**grid(moved(V1, "I", "F", "5000.00")), "justification": "Lab build-out", "submit": "1"},
    )
    request = BudgetModification.objects.get()
    detail = client.get(reverse("modifications:detail", args=[request.pk])).content.decode()
    assert "you made this request" in detail and 'value="approve"' not in detail
    response = client.post(
        reverse("modifications:decide", args=[request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "requested"
    assert (
        AuditEvent.objects.filter(
            action="budgets.modification.sod_violation", actor=big.officer_a
        ).count()
        == 1
    )


def test_program_manager_approves_on_the_detail_page(client, big):
    client.force_login(big.officer_a)
    client.post(
        reverse("modifications:propose", args=[big.big.award_number]),
        {**grid(moved(V1, "I", "F", "5000.00")), "justification": "Lab", "submit": "1"},
    )
    request = BudgetModification.objects.get()
    client.force_login(big.pm)
    page = client.get(reverse("modifications:detail", args=[request.pk])).content.decode()
    assert "F. Construction had no federal budget" not in page  # reasons are listed as facts
    assert "New categories with federal money: F. Construction." in page
    response = client.post(
        reverse("modifications:decide", args=[request.pk]), {"decision": "approve"}, follow=True
    )
    assert "Approved: the new budget is current." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "approved" and request.result.number == 2


def test_budget_changes_xlsx_holds_the_scoped_rows_with_numbers(client, big):
    client.force_login(big.officer_a)
    client.post(
        reverse("modifications:propose", args=[big.big.award_number]),
        {
            **grid(moved(V1, "E", "C", "55000.00")),
            "justification": '=HYPERLINK("x")',
            "submit": "1",
        },
    )
    sheet = workbook(
        client.get(reverse("exports:table", args=["budget_changes"]) + "?status=requested")
    )["Budget changes"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Award number"] == big.big.award_number
    assert (
        row["Cumulative transfer"] == 55000
        and sheet.cell(2, header.index("Cumulative transfer") + 1).number_format == "#,##0.00"
    )
    assert row["Share of award (%)"] == "11.00" and row["Needs approval"] == "Yes"
    assert row["Justification"] == '=HYPERLINK("x")'
    cell = sheet.cell(2, header.index("Justification") + 1)
    assert (cell.data_type, cell.quotePrefix) == ("s", True)  # text as typed, never a formula
    client.force_login(big.officer_b)
    other = workbook(client.get(reverse("exports:table", args=["budget_changes"])))[
        "Budget changes"
    ]
    assert other.max_row == 1  # header only: another task force's rows are not there
    assert (
        AuditEvent.objects.filter(
            action="reports.export.downloaded", data__export="budget_changes"
        ).count()
        == 2
    )


def test_terms_page_before_and_after_a_supplement(client, big):
    request = supplement_propose(
        actor=big.pm,
        award=big.big,
        appropriation=big.big_appropriation,
        amount="100000.00",
        lines=lines(dict(V1, A="300000.00")),
        justification="Second lab",
        today=date(2025, 3, 1),
    )
    budget_modification_decide(
        actor=big.approver, modification=request, approve=True, today=date(2025, 3, 1)
    )
    client.force_login(big.officer_a)
    url = reverse("modifications:terms", args=[big.big.award_number])
    before = client.get(url + "?as_of=2025-02-28").content.decode()
    after = client.get(url + "?as_of=2025-03-01").content.decode()
    assert 'data-testid="federal-amount">$500,000.00<' in before
    assert 'data-testid="budget-version">Version 1,' in before
    assert 'data-testid="federal-amount">$600,000.00<' in after
    assert 'data-testid="budget-version">Version 2,' in after
    assert "Amendment 1 (effective 03/01/2025)" in after
    wrong = client.get(url + "?as_of=2025-02-30").content.decode()
    assert "“2025-02-30” is not a date (YYYY-MM-DD); showing today&#x27;s terms." in wrong


def test_terms_page_before_the_award_existed_says_so(client, big):
    """Recorded now for a period from 10/01/2024: it has terms from that day, none before."""
    client.force_login(big.officer_a)
    url = reverse("modifications:terms", args=[big.big.award_number])
    before = client.get(url + "?as_of=2024-09-30").content.decode()
    assert (
        f"Award {big.big.award_number} did not exist on 09/30/2024: it has terms from "
        "10/01/2024. Choose that day or a later one."
    ) in before
    assert 'data-testid="federal-amount"' not in before
    assert 'data-testid="budget-version"' not in before
    first_day = client.get(url + "?as_of=2024-10-01").content.decode()
    assert 'data-testid="federal-amount">$500,000.00<' in first_day
    assert 'data-testid="before-award"' not in first_day


def test_terms_before_an_award_recorded_ahead_of_its_period_start_on_its_recording(big):
    """An award recorded before its period starts has terms from the day it was recorded."""
    Award.objects.filter(pk=big.big.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2024, 9, 15, 12)),
    )
    big.big.refresh_from_db()
    assert award_terms_as_of(big.big, date(2024, 9, 14)) is None
    assert award_terms_as_of(big.big, date(2024, 9, 15)).terms.period_start == date(2024, 10, 1)


def test_extension_page_refuses_a_late_request_and_lists_amendments(client, big):
    Award.objects.filter(pk=big.big.pk).update(period_end=timezone.localdate() + timedelta(days=10))
    client.force_login(big.gadmin_a)
    url = reverse("amendments:extension", args=[big.big.award_number])
    body = client.post(url, {"new_end": "2030-01-01", "reason": "Trial delayed"}).content.decode()
    assert "A no-cost extension must be requested at least 30 days before the period ends" in body
    assert not Amendment.objects.exists()


def test_program_manager_decides_an_extension_from_the_list(client, big):
    amendment = extension_request(
        actor=big.gadmin_a,
        award=big.big,
        new_end=date(2027, 3, 31),
        reason="Trial delayed",
        today=date(2026, 8, 1),
    )
    client.force_login(big.pm)
    page = client.get(reverse("amendments:list")).content.decode()
    assert "End 09/30/2026 → 03/31/2027" in page and 'value="approve"' in page
    client.post(reverse("amendments:decide", args=[amendment.pk]), {"decision": "approve"})
    big.big.refresh_from_db()
    assert big.big.period_end == date(2027, 3, 31)
    sheet = workbook(client.get(reverse("exports:table", args=["amendments"])))["Amendments"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Status"] == "Approved" and row["End after"].date() == date(2027, 3, 31)


def test_a_second_extension_needs_a_justification_the_approver_reads(client, big):
    today = timezone.localdate()
    Award.objects.filter(pk=big.big.pk).update(period_end=today + timedelta(days=100))
    first = extension_request(
        actor=big.gadmin_a, award=big.big, new_end=today + timedelta(days=200), reason="Trial"
    )
    extension_decide(actor=big.pm, amendment=first, approve=True)
    client.force_login(big.gadmin_a)
    url = reverse("amendments:extension", args=[big.big.award_number])
    form = client.get(url).content.decode()
    assert 'data-testid="earlier-extensions"' in form and 'name="justification"' in form
    new_end = (today + timedelta(days=300)).isoformat()
    refused = client.post(url, {"new_end": new_end, "reason": "Trial moved again"})
    body = refused.content.decode()
    assert "another extension needs a written justification" in body
    assert 'usa-label--error" for="id_justification"' in body
    assert Amendment.objects.count() == 1
    client.post(
        url,
        {
            "new_end": new_end,
            "reason": "Trial moved again",
            "justification": "The court set the trial for next spring; the lab work follows it.",
        },
    )
    assert Amendment.objects.count() == 2
    client.force_login(big.pm)
    page = client.get(reverse("amendments:list")).content.decode()
    assert "<strong>Why:</strong> Trial moved again" in page
    assert (
        "<strong>Justification for a further extension:</strong> The court set the trial for "
        "next spring; the lab work follows it."
    ) in page


def test_amendment_list_links_each_budget_change_without_a_query_per_row(client, big):
    def request_and_reject():
        modification = budget_modification_propose(
            actor=big.officer_a, award=big.big, lines=lines(moved(V1, "E", "C", "55000.00"))
        )
        budget_modification_decide(
            actor=big.pm, modification=modification, approve=False, note="Not now"
        )
        return modification

    client.force_login(big.pm)
    first = request_and_reject()
    with CaptureQueriesContext(connection) as one_row:
        page = client.get(reverse("amendments:list")).content.decode()
    assert page.count(reverse("modifications:detail", args=[first.pk])) == 1
    more = [request_and_reject() for _ in range(2)]
    with CaptureQueriesContext(connection) as three_rows:
        page = client.get(reverse("amendments:list")).content.decode()
    for modification in (first, *more):
        assert page.count(reverse("modifications:detail", args=[modification.pk])) == 1

    # (Each row's actions template re-runs the context processors; only the budget-change
    # reads are counted here.)
    def budget_change_reads(queries):
        return [q for q in queries if "budgets_budgetmodification" in q["sql"]]

    assert len(budget_change_reads(three_rows)) == len(budget_change_reads(one_row)) == 1
