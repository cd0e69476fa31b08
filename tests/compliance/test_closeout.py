"""A single audit's finding with questioned costs keeps its award from closing until the
management decision on it is recorded (compliance.closeout, 2 CFR 200.521)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from compliance import services
from grants.audit import AuditEvent
from grants.models import Award
from grants.services import award_transition
from reports.services import award_close, closeout_checklist
from tests.budgets.ledger_helpers import activate
from tests.reports.test_services_closeout import _accepted_finals

LABEL = "Single audit findings with questioned costs decided"


@pytest.fixture
def ready_to_close(program):
    """Award A in closeout with its final reports accepted: nothing else keeps it open."""
    award = activate(program)
    award = award_transition(actor=program.pm, award=award, to_status=Award.Status.IN_CLOSEOUT)
    _accepted_finals(program, award)
    return award


def _finding(program, award, questioned: str, reference="2024-001"):
    audit = services.single_audit_record(
        actor=program.officer_a,
        recipient=program.task_force_a.lead_organization,
        fiscal_year_end=date(2024, 6, 30),
        auditor_report_on=date(2025, 2, 1),
        fac_report_id="2024-06-GSAFAC-0000345049",
        fac_accepted_on=date(2025, 2, 20),
    )
    return services.finding_record(
        actor=program.officer_a,
        audit=audit,
        reference=reference,
        summary="Time and effort reports not signed.",
        questioned_costs=questioned,
        award=award,
    )


def test_undecided_questioned_costs_keep_the_award_open(program, ready_to_close):
    finding = _finding(program, ready_to_close, "12,500.00")
    [item] = [i for i in closeout_checklist(ready_to_close) if i.label == LABEL]
    assert (item.done, item.blocks, item.detail) == (
        False,
        True,
        "1 without a management decision, $12,500.00 questioned",
    )
    with pytest.raises(ValidationError) as refused:
        award_close(actor=program.pm, award=ready_to_close)
    assert refused.value.messages == ["Closeout is not complete:", LABEL]
    assert Award.objects.get(pk=ready_to_close.pk).status == Award.Status.IN_CLOSEOUT
    refusal = AuditEvent.objects.get(action="grants.award.refused")
    assert (refusal.actor, refusal.data["attempted"]) == (program.pm, "close")

    services.management_decision_record(
        actor=program.pm, finding=finding, decision="not_sustained", decision_on=date(2025, 4, 1)
    )
    [item] = [i for i in closeout_checklist(ready_to_close) if i.label == LABEL]
    assert (item.done, item.detail) == (True, "None undecided")
    award_close(actor=program.pm, award=ready_to_close)
    assert Award.objects.get(pk=ready_to_close.pk).status == Award.Status.CLOSED


def test_a_finding_without_questioned_costs_does_not_keep_the_award_open(program, ready_to_close):
    _finding(program, ready_to_close, "0")
    award_close(actor=program.pm, award=ready_to_close)
    assert Award.objects.get(pk=ready_to_close.pk).status == Award.Status.CLOSED
