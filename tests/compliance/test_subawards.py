"""Subawards to affiliate agencies: within what the award has left for subawards, their
spending linked to the ledger, and the FFATA report they owe at $30,000 or more."""

import re
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse as django_reverse

from budgets.services import LineInput
from compliance import services
from compliance.models import FfataReport, Subaward
from compliance.single_audit import sefa
from grants.audit import AuditEvent
from grants.models import Award, Hold
from reports import report_types
from reports.calendar import reporting_calendar
from reports.models import Reminder
from reports.reminders import send_reminders
from reports.services import report_submit
from tests import factories
from tests.compliance.helpers import active_award, reverse, spend

D = Decimal


@pytest.fixture
def affiliate(program):
    return _affiliate(program)


def _affiliate(program):
    return services.subrecipient_create(
        actor=program.officer_a,
        task_force=program.task_force_a,
        legal_name="Town of Alpha Police",
        uei="M7HJK2LQ9P1A",
    )


def _subaward(program, award, affiliate, amount, signed_on=date(2025, 3, 14), number="SA-1"):
    return services.subaward_create(
        actor=program.officer_a,
        award=award,
        subrecipient=affiliate,
        agreement_number=number,
        amount=amount,
        signed_on=signed_on,
        purpose="Affiliate investigations",
    )


@pytest.mark.parametrize(
    "uei", ["M7HJK2LQ9P1", "M7HJK2LQ9P1AB", "07HJK2LQ9P1A", "M7HJK2LQ9POA", "m7hjk2lq9p1a!"]
)
def test_a_uei_not_of_12_valid_characters_is_refused(program, uei):
    with pytest.raises(ValidationError) as refused:
        services.subrecipient_create(
            actor=program.officer_a, task_force=program.task_force_a, legal_name="X", uei=uei
        )
    assert "A UEI is 12 characters" in str(refused.value.message_dict["uei"])


def test_a_subaward_above_what_the_award_has_left_is_refused_with_the_numbers(program, affiliate):
    award = active_award(program)  # $50,000 for subawards
    _subaward(program, award, affiliate, "45000.00")
    with pytest.raises(ValidationError) as refused:
        _subaward(program, award, affiliate, "5000.01", number="SA-2")
    assert refused.value.message_dict["amount"] == [
        "$5,000.01 is $0.01 more than the award has left for subawards: $50,000.00 approved "
        "for subawards (category G) less $45,000.00 already subawarded leaves $5,000.00."
    ]
    assert Subaward.objects.count() == 1
    _subaward(program, award, affiliate, "5000.00", number="SA-2")


def test_spending_is_linked_ledger_entries_within_the_subaward_and_on_the_sefa(program, affiliate):
    award = active_award(program)
    subaward = _subaward(program, award, affiliate, "30000.00")
    first = spend(program, award, "20000.00", category="G", day=date(2025, 4, 1))
    second = spend(program, award, "12000.00", category="G", day=date(2025, 5, 1))
    services.subaward_spending_link(actor=program.officer_a, subaward=subaward, entry=first)
    with pytest.raises(ValidationError) as refused:
        services.subaward_spending_link(actor=program.officer_a, subaward=subaward, entry=second)
    assert refused.value.message_dict == {
        "entry": [
            "This $12,000.00 would bring the subaward's spending to $32,000.00, more than its "
            "$30,000.00."
        ]
    }
    personnel = spend(program, award, "100.00", category="A", day=date(2025, 5, 1))
    with pytest.raises(ValidationError) as refused:
        services.subaward_spending_link(actor=program.officer_a, subaward=subaward, entry=personnel)
    assert refused.value.message_dict == {
        "entry": [
            "Choose a federal category G (subawards) expenditure of this award that is not "
            "reversed and not yet linked to a subaward."
        ]
    }
    assert services.subaward_spent(subaward) == D("20000.00")  # the first link only
    rows, total, passed = sefa(program.task_force_a.lead_organization, date(2025, 6, 30))
    assert (total, passed) == (D("32100.00"), D("20000.00"))
    reverse(program, first, day=date(2025, 4, 1))
    assert services.subaward_spent(subaward) == D("0.00")


def test_a_subaward_of_30000_owes_a_ffata_report_by_the_end_of_the_next_month(program, affiliate):
    award = active_award(program)
    _subaward(program, award, affiliate, "45000.00", signed_on=date(2025, 3, 14))
    _subaward(
        program, award, affiliate, "5000.00", signed_on=date(2025, 5, 2), number="SA-2"
    )  # exempt
    due = [r for r in reporting_calendar(Award.objects.get(pk=award.pk)) if r.kind == "ffata"]
    assert [(r.period_start, r.period_end, r.due_on) for r in due] == [
        (date(2025, 3, 1), date(2025, 3, 31), date(2025, 4, 30))
    ]
    assert due[0].label == "FFATA subaward report, period ending 03/31/2025"


def _ffata_cells(client, program, award) -> dict[str, str]:
    """The subaward list's FFATA column, by agreement number, as the finance officer reads it."""
    client.force_login(program.officer_a)
    page = client.get(django_reverse("compliance:award_subawards", args=[award.award_number]))
    rows = re.findall(
        r'<th scope="row" data-label="Agreement"><a [^>]*>([^<]+)</a>.*?'
        r'data-testid="ffata">([^<]+)</td>',
        page.content.decode(),
    )
    return {number: text.strip() for number, text in rows}


def test_the_threshold_is_read_on_the_date_signed(client, program, affiliate):
    award = active_award(
        program, lines=[LineInput("A", D("100000.00")), LineInput("G", D("100000.00"))]
    )
    _subaward(program, award, affiliate, "29999.99", signed_on=date(2025, 3, 14))
    _subaward(program, award, affiliate, "30000.00", signed_on=date(2025, 3, 20), number="SA-2")
    events = report_types.get("ffata").schedule.events([award])
    assert [(e.period_end, e.occurred_on) for e in events] == [
        (date(2025, 3, 31), date(2025, 3, 20))
    ]
    # The list and the audit trail say the same as the schedule.
    assert _ffata_cells(client, program, award) == {
        "SA-1": "Exempt: under $30,000.00",
        "SA-2": "Due 04/30/2025 ($30,000.00 or more)",
    }
    reportable = AuditEvent.objects.filter(action="compliance.subaward.created").order_by("pk")
    assert [e.data["after"]["ffata_reportable"] for e in reportable] == [False, True]


def test_before_11_12_2020_the_threshold_was_25000(client, program, affiliate):
    fy2020 = factories.make_appropriation(program.pm, fiscal_year=2020, set_aside="0")
    award = active_award(
        program,
        appropriation=fy2020,
        period_start=date(2019, 10, 1),
        period_end=date(2021, 9, 30),
        lines=[LineInput("A", D("100000.00")), LineInput("G", D("100000.00"))],
    )
    _subaward(program, award, affiliate, "25000.00", signed_on=date(2020, 11, 11))
    _subaward(program, award, affiliate, "24999.99", signed_on=date(2020, 10, 5), number="SA-2")
    _subaward(program, award, affiliate, "25000.00", signed_on=date(2020, 11, 12), number="SA-3")
    events = report_types.get("ffata").schedule.events([award])
    assert [(e.period_end, e.occurred_on) for e in events] == [
        (date(2020, 11, 30), date(2020, 11, 11))
    ]
    assert _ffata_cells(client, program, award) == {
        "SA-1": "Due 12/31/2020 ($25,000.00 or more)",
        "SA-2": "Exempt: under $25,000.00",
        "SA-3": "Exempt: under $30,000.00",
    }


def test_a_late_ffata_report_is_reminded_holds_funds_and_filing_lifts_the_hold(
    program, affiliate, django_capture_on_commit_callbacks
):
    award = active_award(program)
    _subaward(program, award, affiliate, "45000.00", signed_on=date(2025, 3, 14))
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=date(2025, 4, 16))
    assert Reminder.objects.filter(report_key="ffata:2025-03-31", stage="14_days").exists()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=date(2025, 5, 1))
    hold = Hold.objects.get(award=award, report_key="ffata:2025-03-31", lifted_at__isnull=True)
    assert hold.reason.startswith(
        "FFATA subaward report, period ending 03/31/2025 was due 04/30/2025"
    )
    report_submit(
        actor=program.officer_a,
        award=award,
        report_type=report_types.get("ffata"),
        period_end=date(2025, 3, 31),
        fields={"reported_on": date(2025, 5, 1), "confirmation": "SAM-FFATA-000123"},
        today=date(2025, 5, 1),
    )
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert FfataReport.objects.get(award=award).confirmation == "SAM-FFATA-000123"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_subawards_at_once_cannot_both_take_the_last_of_the_room(committed_program):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    program = committed_program
    affiliate = _affiliate(program)
    award = active_award(program)
    results = []

    def make(number):
        try:
            _subaward(program, award, affiliate, "30000.00", number=number)
            results.append("made")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=make, args=(f"SA-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["made", "refused"]
    assert Subaward.objects.filter(award=award).count() == 1
