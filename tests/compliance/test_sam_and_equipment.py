"""SAM.gov registrations hold drawdowns while lapsed and remind before they expire;
equipment is at or above the threshold of its award's terms, paid by category
D spending, counted every two years, disposed of at closeout."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import ledger
from budgets.services import LineInput
from compliance import duties, services
from compliance.models import EquipmentItem, SamReminder
from grants.models import Hold
from tests import factories
from tests.compliance.helpers import active_award, spend

D = Decimal
TODAY = date(2025, 6, 2)


def _draw(program, award, amount="1000.00"):
    return ledger.drawdown_request(
        actor=program.officer_a,
        award=award,
        amount=D(amount),
        idempotency_key=uuid.uuid4(),
        today=TODAY,
    )


def test_a_lapsed_registration_refuses_a_drawdown_with_its_reason_and_renewal_allows_it(program):
    award = active_award(program)
    recipient = award.recipient
    services.sam_registration_record(
        actor=program.pm, recipient=recipient, expires_on=date(2025, 5, 31), today=TODAY
    )
    with pytest.raises(ValidationError) as refused:
        _draw(program, award)
    assert (
        f"The SAM.gov registration of {recipient.legal_name} lapsed on 05/31/2025; drawdowns resume when "
        "its renewal is recorded" in str(refused.value)
    )
    services.sam_registration_record(
        actor=program.officer_a, recipient=recipient, expires_on=date(2026, 5, 31), today=TODAY
    )
    assert _draw(program, award).amount == D("1000.00")
    assert not Hold.objects.filter(award=award, cause="sam_lapsed", lifted_at__isnull=True).exists()


def test_a_drawdown_the_day_after_expiry_is_refused_before_the_daily_run_holds(program):
    award = active_award(program)
    recipient = award.recipient
    # Recorded while still active: no hold yet, and none placed until the next daily run.
    services.sam_registration_record(
        actor=program.pm, recipient=recipient, expires_on=date(2025, 6, 1), today=date(2025, 5, 1)
    )
    assert not Hold.objects.filter(award=award, cause="sam_lapsed").exists()
    with pytest.raises(ValidationError) as refused:
        _draw(program, award)  # 06/02/2025: the registration lapsed yesterday
    assert str(refused.value) == (
        f"['Drawdowns are on hold for award {award}: The SAM.gov registration of "
        f"{recipient.legal_name} lapsed on 06/01/2025; drawdowns resume when its renewal "
        "is recorded.']"
    )
    # Once the daily run has placed the hold, the reason is still given once.
    duties.run_daily(TODAY)
    with pytest.raises(ValidationError) as again:
        _draw(program, award)
    assert str(again.value) == str(refused.value)


def test_the_daily_run_holds_at_expiry_and_reminds_at_60_and_30_days(program):
    award = active_award(program)
    recipient = award.recipient
    services.sam_registration_record(
        actor=program.pm, recipient=recipient, expires_on=date(2025, 8, 1), today=TODAY
    )
    assert duties.run_daily(date(2025, 6, 1))[1] == "SAM.gov reminders sent: 0"
    lines = duties.run_daily(date(2025, 6, 2))  # 60 days before
    assert lines[1] == "SAM.gov reminders sent: 1"
    assert duties.run_daily(date(2025, 6, 3))[1] == "SAM.gov reminders sent: 0"
    assert duties.run_daily(date(2025, 7, 2))[1] == "SAM.gov reminders sent: 1"  # 30 days
    assert sorted(SamReminder.objects.values_list("days_before", flat=True)) == [30, 60]
    assert program.officer_a.email in mail.outbox[0].to
    assert program.officer_b.email not in mail.outbox[0].to
    assert (
        mail.outbox[0].subject
        == f"SAM.gov registration of {recipient.legal_name} expires 08/01/2025"
    )
    assert duties.run_daily(date(2025, 8, 1))[0] == "SAM.gov holds placed: 0, lifted: 0"
    assert duties.run_daily(date(2025, 8, 2))[0] == "SAM.gov holds placed: 1, lifted: 0"
    assert Hold.objects.get(award=award, cause="sam_lapsed").lifted_at is None


def test_a_subrecipients_registration_is_recorded_by_its_task_force_only(program):
    from django.core.exceptions import PermissionDenied

    sub = services.subrecipient_create(
        actor=program.officer_a,
        task_force=program.task_force_a,
        legal_name="Town",
        uei="M7HJK2LQ9P1A",
    )
    with pytest.raises(PermissionDenied):
        services.sam_registration_record(
            actor=program.officer_b, subrecipient=sub, expires_on=date(2026, 1, 1)
        )
    registration = services.sam_registration_record(
        actor=program.officer_a, subrecipient=sub, expires_on=date(2026, 1, 1)
    )
    assert registration.entity_name == "Town"


def _item(program, award, entry, cost, bought, tag="T-1"):
    return services.equipment_record(
        actor=program.officer_a,
        award=award,
        entry=entry,
        description="Forensic workstation",
        tag=tag,
        unit_cost=cost,
        acquired_on=bought,
        location="Lab",
    )


def test_equipment_below_the_threshold_of_the_award_s_terms_is_refused(program):
    # Made under the 2014 text: $5,000, even for an item bought after the 2024 revision.
    older = active_award(program, period_start=date(2024, 7, 1))
    assert older.ug_version == "2014"
    entry = spend(program, older, "9000.00", category="D", day=date(2024, 10, 1))
    assert _item(program, older, entry, "9000.00", date(2024, 10, 1)).unit_cost == D("9000.00")
    # Made under the 2024 revision: $10,000.
    newer = active_award(program, period_start=date(2024, 10, 1), amount="200000.00")
    assert newer.ug_version == "2024"
    later = spend(program, newer, "9999.99", category="D", day=date(2024, 10, 1))
    with pytest.raises(ValidationError) as refused:
        _item(program, newer, later, "9999.99", date(2024, 10, 1), tag="T-2")
    assert refused.value.message_dict["unit_cost"] == [
        "An item costing $9,999.99 bought on 10/01/2024 is below the equipment threshold of "
        f"award {newer}'s terms (2 CFR 200 (2024 revision)), $10,000.00 per unit "
        "(2 CFR 200.1): it is a supply (category E), not equipment."
    ]
    assert EquipmentItem.objects.count() == 1


def test_equipment_is_paid_by_category_d_spending_and_counted_every_two_years(program):
    award = active_award(program)
    personnel = spend(program, award, "12000.00", category="A", day=date(2025, 1, 15))
    with pytest.raises(ValidationError) as refused:
        _item(program, award, personnel, "12000.00", date(2025, 1, 15))
    assert "category D (equipment) expenditure" in str(refused.value)
    entry = spend(program, award, "12000.00", category="D", day=date(2025, 1, 15))
    item = _item(program, award, entry, "12000.00", date(2025, 1, 15))
    assert (
        duties.equipment_due(date(2027, 1, 15))[0] == "Equipment due for its physical inventory: 0"
    )
    assert (
        duties.equipment_due(date(2027, 1, 16))[0] == "Equipment due for its physical inventory: 1"
    )
    services.equipment_inventory_record(
        actor=program.officer_a,
        item=item,
        counted_on=date(2026, 12, 1),
        condition="Good",
        location="Lab 2",
        today=date(2027, 1, 10),
    )
    assert (
        duties.equipment_due(date(2027, 1, 16))[0] == "Equipment due for its physical inventory: 0"
    )
    item = services.equipment_dispose(
        actor=program.officer_a,
        item=item,
        disposition="kept",
        disposed_on=date(2026, 12, 2),
        today=date(2027, 1, 10),
    )
    assert item.get_disposition_display() == "Kept for the project or other federal programs"


def test_send_reminders_prints_the_compliance_duties(program):
    from io import StringIO

    from django.core.management import call_command

    award = active_award(program)
    services.sam_registration_record(
        actor=program.pm,
        recipient=award.recipient,
        expires_on=date(2025, 5, 31),
        today=date(2025, 5, 1),
    )
    out = StringIO()
    call_command("send_reminders", "--today", "2025-06-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert "SAM.gov holds placed: 1, lifted: 0" in lines
    assert "Single audits overdue: 0" in lines
    assert "Equipment due for its physical inventory: 0" in lines


def _registered(program, n: int) -> None:
    """Recipient n with an active award of task force A, whose registration lapsed on
    05/31/2025 (its award is held); recipient n + 100 whose registration expires on
    07/15/2025, and subrecipient n of task force A whose registration expires on
    07/02/2025 (each due a reminder on 06/02/2025)."""
    for number, expires_on in ((n, date(2025, 5, 31)), (n + 100, date(2025, 7, 15))):
        recipient = factories.make_recipient(f"Agency {number}")
        active_award(
            program,
            recipient=recipient,
            amount="10000.00",
            lines=[LineInput("A", D("10000.00"), D("0.00"), "Investigators")],
        )
        services.sam_registration_record(
            actor=program.pm, recipient=recipient, expires_on=expires_on, today=TODAY
        )
    sub = services.subrecipient_create(
        actor=program.officer_a,
        task_force=program.task_force_a,
        legal_name=f"Town {n}",
        uei=f"M7HJK2LQ9P{n:02d}",
    )
    services.sam_registration_record(
        actor=program.officer_a, subrecipient=sub, expires_on=date(2025, 7, 2), today=TODAY
    )


def test_the_daily_run_costs_the_same_queries_for_one_registration_of_each_kind_and_five(
    program,
):
    """Registrations are read with their reminders, people and holds in grouped
    queries, not a query or more each."""
    counts, first_runs = [], []
    for numbers in ((1,), (2, 3, 4, 5)):
        for n in numbers:
            _registered(program, n)
        first_runs.append(duties.run_daily(TODAY))
        with CaptureQueriesContext(connection) as queries:
            lines = duties.run_daily(TODAY)
        counts.append(len(queries))
        assert lines == [
            "SAM.gov holds placed: 0, lifted: 0",
            "SAM.gov reminders sent: 0",
            "Single audits overdue: 0",
            "Equipment due for its physical inventory: 0",
            "Equipment awaiting its disposition at closeout: 0",
        ]
    assert counts == [13, 13]
    assert first_runs[0][:4] == [
        "SAM.gov holds placed: 0, lifted: 0",
        "SAM.gov reminders sent: 2",
        "  SAM.gov registration of Town 1 expires 07/02/2025 (30-day reminder to 2)",
        "  SAM.gov registration of Agency 101 expires 07/15/2025 (60-day reminder to 2)",
    ]
    assert first_runs[1][1] == "SAM.gov reminders sent: 8"
    # Task force A's finance officer (its awards and subrecipients) and the program manager.
    assert set(SamReminder.objects.values_list("recipients", flat=True)) == {
        "officer_a@example.gov, pm@example.gov"
    }
    assert Hold.objects.filter(cause="sam_lapsed", lifted_at__isnull=True).count() == 5
    # Run as of a day before they lapsed, the run finds the five holds out of step.
    assert duties.run_daily(date(2025, 5, 30))[0] == "SAM.gov holds placed: 0, lifted: 5"
    assert not Hold.objects.filter(cause="sam_lapsed", lifted_at__isnull=True).exists()
