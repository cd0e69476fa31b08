"""A returned report's thread: the program manager's reason for returning it starts it,
the task force answers, the program manager replies; each comment is an audit event,
shown on the report's page to those who read the award, and nobody else."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from grants.audit import AuditEvent
from reports.comments import comment_add, thread_of
from reports.models import MEASURES, ReportComment
from reports.services import progress_submit, report_review
from tests.budgets.ledger_helpers import activate

PERIOD = date(2024, 12, 31)
REASON = "The arrests count does not match the case log; please check it."
ANSWER = "Corrected: two arrests were counted twice. Resubmitting today."


@pytest.fixture
def filed(program):
    activate(program)
    program.report = progress_submit(
        actor=program.gadmin_a,
        award=program.award_a,
        period_end=PERIOD,
        narrative={
            "accomplishments": "Opened 12 investigations.",
            "challenges": "",
            "next_steps": "",
        },
        measures={name: 1 for name, _ in MEASURES},
        today=date(2025, 1, 25),
    )
    return program


@pytest.fixture
def returned(filed):
    report_review(actor=filed.pm, report=filed.report, accept=False, comment=REASON)
    return filed


def page(client, user, program):
    client.force_login(user)
    url = reverse("reports:progress_detail", args=[program.award_a.award_number, "2024-12-31"])
    return client.get(url)


def comment_url(program):
    return reverse("reports:report_comment", args=["progress", program.report.pk])


def test_returning_a_report_starts_its_thread_with_the_reason(returned):
    [first] = thread_of(returned.report)
    assert (first.author, first.body, first.starts_return) == (returned.pm, REASON, True)


def test_officer_answers_and_the_program_manager_replies_on_the_page(client, returned):
    client.force_login(returned.officer_a)
    response = client.post(comment_url(returned), {"body": ANSWER}, follow=True)
    assert "Comment added." in response.content.decode()
    client.force_login(returned.pm)
    client.post(comment_url(returned), {"body": "Thank you; accepted once resubmitted."})
    assert [(c.author.username, c.body) for c in thread_of(returned.report)] == [
        ("pm", REASON),
        ("officer_a", ANSWER),
        ("pm", "Thank you; accepted once resubmitted."),
    ]
    body = page(client, returned.auditor, returned).content.decode()
    thread = body[body.index('data-testid="comment-thread"') :]
    assert thread.index("returned the report for correction") < thread.index(
        ANSWER.replace("'", "&#x27;")
    )
    assert "Thank you; accepted once resubmitted." in thread
    # Auditors read the thread; they have no form to write in it.
    assert 'data-testid="comment-form"' not in body


def test_each_comment_is_an_audit_event(returned):
    comment = comment_add(actor=returned.officer_a, report=returned.report, body=ANSWER)
    event = AuditEvent.objects.get(action="reports.progress.commented")
    assert (event.actor, event.task_force, event.object_id) == (
        returned.officer_a,
        returned.task_force_a,
        str(returned.report.pk),
    )
    assert event.data == {"comment": comment.pk, "body": ANSWER, "status": "returned"}
    # The reason that started the thread is in the return's own event.
    returned_event = AuditEvent.objects.get(action="reports.progress.returned")
    assert returned_event.data["after"]["comment"] == REASON


def test_another_task_force_gets_404_and_sees_no_thread(client, returned):
    client.force_login(returned.officer_b)
    assert client.post(comment_url(returned), {"body": "Hello"}).status_code == 404
    assert page(client, returned.officer_b, returned).status_code == 404
    assert ReportComment.objects.count() == 1


def test_auditor_and_financial_approver_may_not_comment(client, returned):
    for user in (returned.auditor, returned.approver):
        client.force_login(user)
        assert client.post(comment_url(returned), {"body": "A remark"}).status_code == 403
    assert ReportComment.objects.count() == 1


def test_no_thread_before_the_report_is_returned(client, filed):
    with pytest.raises(PermissionDenied):
        comment_add(actor=filed.officer_a, report=filed.report, body=ANSWER)
    body = page(client, filed.officer_a, filed).content.decode()
    assert 'data-testid="comment-thread"' not in body


def test_an_empty_comment_is_refused_and_nothing_is_kept(client, returned):
    with pytest.raises(ValidationError) as caught:
        comment_add(actor=returned.officer_a, report=returned.report, body="   ")
    assert caught.value.messages == ["Write the comment."]
    client.force_login(returned.officer_a)
    response = client.post(comment_url(returned), {"body": ""}, follow=True)
    assert "Comment not added: This field is required." in response.content.decode()
    assert ReportComment.objects.count() == 1
    assert not AuditEvent.objects.filter(action="reports.progress.commented").exists()
