"""The oversight pages: who sees what, forms and their refusals."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight import services
from oversight.models import MonitoringActivity, RiskReview, SpecialCondition
from tests.oversight.conftest import record_review

NUMBER = "15PJDP-25-GK-00001-MECP"


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


def _finding(program):
    activity = services.activity_plan(
        actor=program.pm, award=program.award_a, kind="site_visit", planned_on=date(2025, 2, 1)
    )
    services.activity_complete(
        actor=program.pm,
        activity=activity,
        done_on=date(2025, 2, 3),
        summary="Visited.",
        today=date(2025, 2, 3),
    )
    return services.finding_record(
        actor=program.pm,
        activity=activity,
        text="Inventory of laptops not kept.",
        cap_due_on=date(2025, 3, 1),
    )


def test_a_program_manager_records_a_review_and_sees_the_computed_level(client, program):
    client.force_login(program.pm)
    response = client.post(
        reverse("oversight:review_create"),
        {
            "recipient": program.award_a.recipient_id,
            "fiscal_year": "2025",
            "reviewed_on": "2025-01-10",
            "financial_stability": "serious",
            "audit_findings": "1",
            "sam_checked_on": "2025-01-09",
        },
    )
    review = RiskReview.objects.get()
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    page = client.get(review.get_absolute_url()).content.decode()
    # Serious concerns (3) + a finding (1) + SAM.gov not active (2): 6 points, high.
    assert "6 point(s): <strong>High risk</strong>" in page
    assert "Decide and sign" in page


def test_a_review_form_with_problems_says_which_and_records_nothing(client, program):
    client.force_login(program.pm)
    response = client.post(
        reverse("oversight:review_create"),
        {
            "recipient": program.award_a.recipient_id,
            "fiscal_year": "2025",
            "reviewed_on": "2025-01-10",
            "financial_stability": "sound",
            "sam_active": "on",
            "sam_checked_on": "2025-01-12",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page
    assert "SAM.gov checked on: SAM.gov is checked on or before the day of the review." in page
    assert not RiskReview.objects.exists()


def test_the_recipients_own_staff_is_refused_the_decision(client, program, pm_on_recipient_staff):
    review = record_review(program)
    client.force_login(pm_on_recipient_staff)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "another program manager must decide its risk review" in page
    assert "Decide and sign</button>" not in page
    response = client.post(review.get_absolute_url(), {"level": "low", "signature": "pm_staff_a"})
    assert response.status_code == 403
    assert "another program manager must decide its risk review" in response.content.decode()
    assert RiskReview.objects.get().status == "draft"


def test_a_program_manager_decides_and_signs(client, program):
    review = record_review(program)
    client.force_login(program.pm)
    response = client.post(review.get_absolute_url(), {"level": "low", "signature": "pm"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.level, review.signature) == ("decided", "low", "pm")
    assert "signed “pm”" in client.get(review.get_absolute_url()).content.decode()


def test_risk_reviews_are_not_for_task_force_staff(client, program):
    review = record_review(program)
    assert _page(client, program.officer_a, review.get_absolute_url()).status_code == 404
    assert _page(client, program.auditor, review.get_absolute_url()).status_code == 200
    overview = _page(client, program.officer_a, reverse("oversight:overview")).content.decode()
    assert 'data-testid="reviews"' not in overview


def test_another_task_forces_award_is_a_404(client, program):
    assert (
        _page(client, program.officer_b, reverse("oversight:award", args=[NUMBER])).status_code
        == 404
    )
    client.force_login(program.officer_b)
    response = client.post(
        reverse("oversight:finding_plan", args=[NUMBER, 1]), {"corrective_action": "x"}
    )
    assert response.status_code == 404


def test_a_condition_without_text_is_refused_on_the_page(client, program):
    client.force_login(program.pm)
    response = client.post(
        reverse("oversight:condition_create", args=[NUMBER]),
        {
            "text": "",
            "withholds_funds": "on",
            "clearer_role": "Program manager",
            "clear_by": "2099-01-31",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page
    assert "Condition: Write the condition: what the recipient must do." in page
    assert not SpecialCondition.objects.exists()


def test_the_recipients_own_staff_is_refused_a_condition_on_its_award(
    client, program, pm_on_recipient_staff
):
    client.force_login(pm_on_recipient_staff)
    response = client.post(
        reverse("oversight:condition_create", args=[NUMBER]),
        {
            "text": "Quarterly inventory",
            "clearer_role": "Program manager",
            "clear_by": "2099-01-31",
        },
    )
    assert response.status_code == 403
    assert (
        f"You are on the staff of {program.award_a.recipient}: another program manager must "
        "impose its special conditions."
    ) in response.content.decode()
    assert not SpecialCondition.objects.exists()


def test_a_visit_after_the_awards_period_is_refused_on_the_page(client, program):
    client.force_login(program.pm)
    response = client.post(
        reverse("oversight:activity_create", args=[NUMBER]),
        {"kind": "site_visit", "planned_on": "2026-10-01"},
    )
    assert response.status_code == 400
    assert (
        "Planned on: Plan it within the award&#x27;s period, 10/01/2024 to 09/30/2026."
        in response.content.decode()
    )
    assert not MonitoringActivity.objects.exists()


def test_the_recipient_reads_its_conditions_and_findings_but_changes_none(client, program):
    services.condition_impose(
        actor=program.pm,
        award=program.award_a,
        text="Quarterly inventory reports.",
        withholds_funds=False,
        clearer_role="Program manager",
        clear_by=date(2099, 1, 31),
    )
    _finding(program)
    page = _page(
        client, program.officer_a, reverse("oversight:award", args=[NUMBER])
    ).content.decode()
    assert "Quarterly inventory reports." in page and "Inventory of laptops not kept." in page
    assert "Impose the condition" not in page and "Clear condition 1" not in page
    assert "Submit the plan" in page
    response = client.post(
        reverse("oversight:condition_create", args=[NUMBER]),
        {"text": "x", "clearer_role": "Program manager", "clear_by": "2099-01-31"},
    )
    assert response.status_code == 403
    assert "Only program managers impose special conditions." in response.content.decode()
    assert list(SpecialCondition.objects.values_list("text", flat=True)) == [
        "Quarterly inventory reports."
    ]
    auditor_page = _page(
        client, program.auditor, reverse("oversight:award", args=[NUMBER])
    ).content.decode()
    assert "Submit the plan" not in auditor_page and "Impose the condition" not in auditor_page


def test_the_award_page_shows_open_findings(client, program):
    _finding(program)
    page = _page(
        client, program.officer_a, reverse("grants:award_detail", args=[NUMBER])
    ).content.decode()
    assert 'data-testid="award-open-findings"' in page
    assert (
        "Inventory of laptops not kept.: open: corrective action plan due, plan due 03/01/2025"
        in page
    )


def test_a_plan_submitted_without_text_is_refused_with_a_message(client, program):
    finding = _finding(program)
    client.force_login(program.gadmin_a)
    response = client.post(
        reverse("oversight:finding_plan", args=[NUMBER, finding.pk]),
        {"corrective_action": " "},
        follow=True,
    )
    assert (
        "Nothing was changed. Corrective action plan: Describe the corrective actions and their dates."
        in (response.content.decode())
    )
    finding.refresh_from_db()
    assert finding.status == "open"


@pytest.mark.django_db
def test_the_daily_run_prints_the_oversight_lines(program):
    _finding(program)
    out = StringIO()
    call_command("send_reminders", today=date(2025, 3, 5), stdout=out, stderr=StringIO())
    assert f"Corrective action plans overdue: 1\n  {NUMBER}: finding" in out.getvalue()


def test_a_decision_with_conditions_due_before_the_review_is_shown_and_changes_nothing(
    client, program
):
    review = record_review(program, sam_active=False)
    client.force_login(program.pm)
    response = client.post(
        review.get_absolute_url(),
        {"level": "moderate", "signature": "pm", "conditions": ["sam"], "clear_by": "2025-01-02"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page
    assert (
        "Conditions to be cleared by: The due date 01/02/2025 is before the review of 01/10/2025."
        in page
    )
    review.refresh_from_db()
    assert review.status == "draft"
    assert not SpecialCondition.objects.exists()


def _impose(program, number: int) -> None:
    """Condition `number`: odd ones cleared by a program manager, even ones by a
    financial approver."""
    services.condition_impose(
        actor=program.pm,
        award=program.award_a,
        text=f"Condition text {number}.",
        withholds_funds=False,
        clearer_role="Program manager" if number % 2 else "Financial approver",
        clear_by=date(2099, 1, 31),
    )


@pytest.mark.parametrize("role", ["pm", "approver", "pm_on_recipient_staff"])
def test_the_award_page_costs_the_same_queries_for_one_condition_and_six(
    client, program, pm_on_recipient_staff, role
):
    """Who may clear each condition is decided from one read of the person's task
    forces, not a membership query a row."""
    program.pm_on_recipient_staff = pm_on_recipient_staff
    client.force_login(getattr(program, role))
    url = reverse("oversight:award", args=[NUMBER])
    counts = []
    for numbers in ((1,), (2, 3, 4, 5, 6)):
        for number in numbers:
            _impose(program, number)
        client.get(url)  # the session's first read of the day settles
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        counts.append(len(queries))
    assert counts == [10, 10]
    assert all(f"Condition text {number}." in page for number in range(1, 7))
    buttons = re.findall(r"Clear condition (\d+)</button>", page)
    assert (
        buttons
        == {
            "pm": ["1", "3", "5"],
            "approver": ["2", "4", "6"],
            # The recipient's own staff clears none, whatever their role.
            "pm_on_recipient_staff": [],
        }[role]
    )
