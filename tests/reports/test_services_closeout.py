"""Closing an award through its closeout checklist (docs/rules/reporting-deadlines.md#closeout)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.audit import AuditEvent
from grants.models import Award
from grants.services import award_transition
from reports.models import MEASURES, FinancialReport, ProgressReport
from reports.services import award_close
from tests.budgets.ledger_helpers import activate


@pytest.fixture
def in_closeout(program):
    award = activate(program)
    return award_transition(actor=program.pm, award=award, to_status=Award.Status.IN_CLOSEOUT)


def _accepted_finals(program, award):
    filed = {
        "award": award,
        "period_end": award.period_end,
        "is_final": True,
        "status": "accepted",
        "submitted_by": program.officer_a,
        "submitted_at": timezone.now(),
    }
    FinancialReport.objects.create(
        **filed,
        lines={"10f": "0.00"},
        certifier_name="Lena Alvarez",
        certifier_title="Finance officer",
        certifier_phone="555-0100",
        certifier_email="lena@example.gov",
    )
    ProgressReport.objects.create(
        **filed, accomplishments="Closed out.", **{name: 0 for name, _ in MEASURES}
    )


def test_closing_is_refused_until_the_checklist_is_done(program, in_closeout):
    with pytest.raises(ValidationError) as refused:
        award_close(actor=program.pm, award=in_closeout)
    assert refused.value.messages == [
        "Closeout is not complete:",
        "Final SF-425 accepted, with no unliquidated obligations",
        "Final progress report accepted",
        "Remaining balance to deobligate recorded",
    ]
    in_closeout.refresh_from_db()
    assert in_closeout.status == Award.Status.IN_CLOSEOUT
    assert not AuditEvent.objects.filter(action="grants.award.closed").exists()


def test_a_complete_checklist_closes_the_award_and_says_so_in_the_audit(program, in_closeout):
    _accepted_finals(program, in_closeout)
    closed = award_close(actor=program.pm, award=in_closeout)
    assert Award.objects.get(pk=closed.pk).status == Award.Status.CLOSED
    event = AuditEvent.objects.get(action="grants.award.closed")
    assert (event.actor, event.task_force, event.object_id) == (
        program.pm,
        program.task_force_a,
        str(closed.pk),
    )
    assert (event.data["before"], event.data["after"]) == (
        {"status": "in_closeout"},
        {"status": "closed"},
    )
