"""A refused money attempt is an audit event (NIST SP 800-53 AU-2, AU-12): who tried
what on which award, and why it was refused, kept although the service's transaction
(and an import's around it) rolls back (grants.refusals)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from budgets import asap_import, ledger
from budgets.models import DrawdownRequest, LedgerEntry
from grants.audit import AuditEvent
from grants.refusals import refusal_audited
from tests.api.helpers import bearer
from tests.budgets.ledger_helpers import activate
from tests.budgets.test_asap_import import TODAY, ask

OVER = "$999,999.00 is $799,999.00 more than the $200,000.00 available to draw."


def refusals(action="budgets.drawdown.refused"):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_a_drawdown_over_the_balance_is_refused_and_on_record(program):
    award = activate(program)
    with pytest.raises(ValidationError):
        ledger.drawdown_request(
            actor=program.officer_a,
            award=award,
            amount=Decimal("999999.00"),
            idempotency_key=uuid.uuid4(),
            memo="Laptops",
        )
    assert DrawdownRequest.objects.count() == 0
    [event] = refusals()
    assert event.actor == program.officer_a
    assert event.task_force == program.task_force_a
    assert event.object_id == str(award.pk)
    assert event.data == {
        "attempted": "request",
        "award": "15PJDP-25-GK-00001-MECP",
        "refused": {"amount": [OVER]},
        "refused_as": "invalid",
        "given": {"amount": "999999.00", "memo": "Laptops"},
    }


def test_the_page_s_refusal_carries_the_request_id_and_address(client, program):
    activate(program)
    client.force_login(program.officer_a)
    response = client.post(
        reverse("budgets:drawdown_create", args=[program.award_a.award_number]),
        {"amount": "999999.00", "memo": "", "idempotency_key": str(uuid.uuid4())},
        HTTP_X_REQUEST_ID="req-refused-0001",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200
    assert OVER in response.content.decode()
    [event] = refusals()
    assert (event.request_id, event.source_address) == ("req-refused-0001", "203.0.113.9")
    assert event.data["refused"] == {"amount": [OVER]}


def test_an_api_refusal_stays_on_record_and_names_the_token(client, program):
    """The API runs the service inside a transaction of its own, which rolls back."""
    activate(program)
    response = client.post(
        reverse("api:award_drawdown_create", args=[program.award_a.award_number]),
        {"amount": "999999.00"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        **bearer(program.officer_a),
    )
    assert response.status_code == 400
    [event] = refusals()
    assert event.actor == program.officer_a
    assert event.data["via"] == "API token 'Test system'"
    assert event.data["refused"] == {"amount": [OVER]}


def _refused_file(program):
    """An approved request of 01/20/2025 and a file paying it on 01/15/2025: the service
    refuses the row, and the import refuses the file."""
    activate(program)
    request = ask(program, program.award_a, "2500.00", date(2025, 1, 20))
    content = (
        "Award number,Settlement date,Payment amount,ASAP control number\n"
        f"15PJDP-25-GK-00001-MECP,01/15/2025,2500.00,{request.pk}\n"
    ).encode()
    return request, asap_import.parse_payment_file("asap.csv", content, today=TODAY)


def _record_refused_file(program, request, payments):
    with pytest.raises(asap_import.ImportRefused):
        asap_import.record_payments(
            actor=program.approver,
            payments=payments,
            filename="asap.csv",
            dry_run=False,
            today=TODAY,
        )
    assert DrawdownRequest.objects.get(pk=request.pk).status == "approved"
    assert LedgerEntry.objects.filter(kind="drawdown").count() == 0
    [event] = refusals()
    assert event.actor == program.approver and event.object_id == str(request.pk)
    assert event.data["attempted"] == "mark paid"
    assert event.data["refused"] == {
        "paid_on": ["The payment date must fall between the request and today."]
    }


def test_a_refusal_inside_an_import_s_transaction_stays_on_record(program):
    request, payments = _refused_file(program)
    _record_refused_file(program, request, payments)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refusal_stays_on_record_when_the_import_really_rolls_back(committed_program):
    """Outside a test's transaction: the import's rollback is the database's."""
    program = committed_program
    request, payments = _refused_file(program)
    _record_refused_file(program, request, payments)


def test_a_service_called_by_another_records_the_refusal_once(program):
    @refusal_audited("test.inner.refused", on="award", attempted="inner")
    @transaction.atomic
    def inner(*, actor, award):
        raise ValidationError({"amount": "Too much."})

    @refusal_audited("test.outer.refused", on="award", attempted="outer")
    @transaction.atomic
    def outer(*, actor, award):
        inner(actor=actor, award=award)

    with pytest.raises(ValidationError):
        outer(actor=program.pm, award=program.award_a)
    assert list(AuditEvent.objects.filter(action__startswith="test.").values_list("action")) == [
        ("test.inner.refused",)
    ]


def _own_request(program):
    """A drawdown the award's finance officer, who is also a financial approver, asked
    for and which waits for a decision."""
    from django.contrib.auth.models import Group

    award = activate(program)
    award.drawdowns_need_approval = True
    award.save(update_fields=["drawdowns_need_approval"])
    program.officer_a.groups.add(Group.objects.get(name="Financial approver"))
    program.officer_a._icac_groups = None
    request = ledger.drawdown_request(
        actor=program.officer_a,
        award=award,
        amount=Decimal("100.00"),
        idempotency_key=uuid.uuid4(),
        today=date(2025, 1, 10),
    )
    assert request.status == "requested"
    return request


def test_approving_one_s_own_drawdown_request_is_refused_and_on_record(program):
    request = _own_request(program)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with pytest.raises(PermissionDenied) as refused:
        ledger.drawdown_approve(actor=program.officer_a, request=request, today=date(2025, 1, 10))
    assert str(refused.value) == ledger.OWN_REQUEST
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decided_at) == ("requested", None, None)
    assert LedgerEntry.objects.count() == 0
    # Exactly one event: the separation-of-duties violation, not a second "refused".
    [event] = AuditEvent.objects.filter(pk__gt=last)
    assert (event.action, event.actor, event.task_force) == (
        "budgets.drawdown.sod_violation",
        program.officer_a,
        program.task_force_a,
    )
    assert event.object_id == str(request.pk)
    assert event.data == {
        "attempted": "approve",
        "award": "15PJDP-25-GK-00001-MECP",
        "refused": {"": [ledger.OWN_REQUEST]},
        "refused_as": "not permitted",
    }


def test_a_decision_the_role_does_not_allow_is_refused_and_on_record(program):
    """A PermissionDenied inside the service (the role) is audited as its refusal."""
    activate(program)
    request = ask(program, program.award_a, "2500.00", date(2025, 1, 20))
    with pytest.raises(PermissionDenied, match="Only a financial approver decides drawdowns."):
        ledger.drawdown_reject(actor=program.pm, request=request, note="Not now")
    assert DrawdownRequest.objects.get(pk=request.pk).status == "approved"
    [event] = refusals()
    assert (event.actor, event.object_id) == (program.pm, str(request.pk))
    assert event.data == {
        "attempted": "reject",
        "award": "15PJDP-25-GK-00001-MECP",
        "refused": {"": ["Only a financial approver decides drawdowns."]},
        "refused_as": "not permitted",
        "given": {"note": "Not now"},
    }
