"""Indirect cost rate agreements: recording them, overlap, the de minimis rate by date
(docs/rules/indirect-costs.md#rate-agreements)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from grants.audit import AuditEvent
from grants.indirect_rates import rate_agreement_record, rate_period_on
from grants.models import IndirectRateAgreement

D = Decimal


def record(program, actor=None, **fields):
    fields.setdefault("recipient", program.task_force_a.lead_organization)
    return rate_agreement_record(actor=actor or program.pm, **fields)


def provisional(program, **fields):
    return record(
        program,
        rate_type="provisional",
        rate=D("26.5"),
        effective_from=fields.pop("effective_from", date(2025, 7, 1)),
        effective_to=fields.pop("effective_to", date(2026, 6, 30)),
        cognizant_agency="U.S. Department of Justice",
        signed_on=date(2025, 6, 12),
        **fields,
    )


def test_de_minimis_rate_is_the_rule_value_of_the_day(program):
    """A de minimis agreement across 2024-10-01 charges 10% up to 09/30 and 15% from 10/01."""
    recipient = program.task_force_a.lead_organization
    record(program, rate_type="de_minimis", effective_from=date(2024, 7, 1))
    before = rate_period_on(recipient, date(2024, 9, 30))
    after = rate_period_on(recipient, date(2024, 10, 1))
    assert (before.rate, before.start, before.end) == (D("10"), date(2024, 7, 1), date(2024, 9, 30))
    assert (after.rate, after.start, after.end) == (D("15"), date(2024, 10, 1), date.max)
    assert rate_period_on(recipient, date(2024, 6, 30)) is None


def test_negotiated_rate_is_recorded_with_its_reference_and_audited(program):
    agreement = provisional(program)
    assert str(agreement).endswith("Provisional rate 26.5% from 2025-07-01")
    period = rate_period_on(agreement.recipient, date(2026, 6, 30))
    assert period.rate == D("26.500") and period.agreement == agreement
    assert rate_period_on(agreement.recipient, date(2026, 7, 1)) is None
    event = AuditEvent.objects.get(action="grants.indirect_rate.recorded")
    assert event.actor == program.pm and event.task_force == program.task_force_a
    assert event.data["after"]["rate"] == "26.500"
    assert event.data["after"]["cognizant_agency"] == "U.S. Department of Justice"


def test_overlapping_agreements_are_refused_and_nothing_changes(program):
    record(program, rate_type="de_minimis", effective_from=date(2024, 7, 1))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        provisional(program)
    assert refused.value.message_dict == {
        "effective_from": [
            "These dates overlap the de minimis rate from 07/01/2024; a recipient has one "
            "indirect cost rate on any day."
        ]
    }
    assert IndirectRateAgreement.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_an_agreement_may_follow_one_that_ended(program):
    provisional(program, effective_from=date(2024, 7, 1), effective_to=date(2025, 6, 30))
    with pytest.raises(ValidationError, match="overlap the provisional rate of 26.5% from "):
        provisional(program, effective_from=date(2025, 6, 30), effective_to=None)
    provisional(program, effective_from=date(2025, 7, 1), effective_to=None)
    assert IndirectRateAgreement.objects.count() == 2


def test_each_type_needs_what_it_needs(program):
    with pytest.raises(ValidationError) as refused:
        record(program, rate_type="final", effective_from=date(2025, 7, 1))
    assert refused.value.message_dict == {
        "rate": ["Enter the negotiated rate, a percentage above zero."],
        "cognizant_agency": ["Name the cognizant agency that negotiated the rate."],
        "signed_on": ["Enter the date the agreement was signed."],
    }
    with pytest.raises(ValidationError) as refused:
        record(program, rate_type="de_minimis", rate=D("15"), effective_from=date(2025, 7, 1))
    assert list(refused.value.message_dict) == ["rate"]
    with pytest.raises(ValidationError, match="No de minimis rate is in force on 01/01/2010"):
        record(program, rate_type="de_minimis", effective_from=date(2010, 1, 1))
    assert not IndirectRateAgreement.objects.exists()


def test_only_program_staff_record_rates(program):
    with pytest.raises(PermissionDenied):
        record(
            program,
            actor=program.officer_a,
            rate_type="de_minimis",
            effective_from=date(2025, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        record(
            program, actor=program.auditor, rate_type="de_minimis", effective_from=date(2025, 1, 1)
        )
    record(program, actor=program.approver, rate_type="de_minimis", effective_from=date(2025, 1, 1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint: PostgreSQL")
def test_the_database_refuses_overlap_too(program):
    recipient = program.task_force_a.lead_organization
    fields = dict(recipient=recipient, rate_type="de_minimis", recorded_by=program.pm)
    IndirectRateAgreement.objects.create(effective_from=date(2024, 7, 1), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndirectRateAgreement.objects.create(effective_from=date(2025, 7, 1), **fields)
