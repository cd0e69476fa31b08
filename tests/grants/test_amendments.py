"""No-cost extensions and administrative changes; the award's terms as of a date."""

import uuid
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from budgets import ledger
from budgets.balances import liquidation_end
from grants.amendments import (
    administrative_record,
    award_terms_on,
    extension_decide,
    extension_request,
)
from grants.audit import AuditEvent
from grants.models import Amendment, Award
from grants.months import add_months
from reports.calendar import reporting_calendar
from tests.budgets.ledger_helpers import activate

END = date(2026, 9, 30)  # the fixture award's period: 2024-10-01 to 2026-09-30
ASKED = date(2026, 8, 31)  # 30 days before the end: the last day to ask


@pytest.fixture
def active(program):
    program.award_a = activate(program)
    return program


def ask(p, new_end=date(2027, 3, 31), today=ASKED, actor=None):
    return extension_request(
        actor=actor or p.gadmin_a,
        award=p.award_a,
        new_end=new_end,
        reason="Trial delayed",
        today=today,
    )


def test_an_award_ending_on_a_february_28_may_be_extended_to_the_leap_day(active):
    """Twelve months on from a month's end is that month's end (grants.months)."""
    Award.objects.filter(pk=active.award_a.pk).update(period_end=date(2027, 2, 28))
    active.award_a.refresh_from_db()
    amendment = ask(active, new_end=date(2028, 2, 29), today=date(2027, 1, 15))
    assert (amendment.status, amendment.period_end_after) == ("requested", date(2028, 2, 29))
    with pytest.raises(ValidationError) as refused:
        ask(active, new_end=date(2028, 3, 1), today=date(2027, 1, 15))
    assert refused.value.message_dict == {
        "new_end": ["An extension is at most 12 months: the latest end date is 02/29/2028."]
    }


def test_an_award_ending_september_30_extended_three_months_ends_december_31(active):
    amendment = ask(active, new_end=date(2026, 12, 31))
    extension_decide(actor=active.pm, amendment=amendment, approve=True, today=date(2026, 9, 2))
    active.award_a.refresh_from_db()
    assert active.award_a.period_end == add_months(END, 3) == date(2026, 12, 31)


def test_extension_requested_then_approved_moves_the_end_date(active):
    amendment = ask(active)
    assert (amendment.status, amendment.period_end_before, amendment.period_end_after) == (
        "requested",
        END,
        date(2027, 3, 31),
    )
    active.award_a.refresh_from_db()
    assert active.award_a.period_end == END  # nothing moves until approved
    decided = extension_decide(
        actor=active.pm, amendment=amendment, approve=True, today=date(2026, 9, 2)
    )
    assert (decided.status, decided.decided_on, decided.effective_on) == (
        "approved",
        date(2026, 9, 2),
        date(2026, 9, 2),
    )
    active.award_a.refresh_from_db()
    assert active.award_a.period_end == date(2027, 3, 31)
    event = AuditEvent.objects.get(action="grants.amendment.approved")
    assert (
        event.data["before"]["period_end"] == "2026-09-30"
        and event.data["after"]["period_end"] == "2027-03-31"
    )


def test_calendar_liquidation_and_spending_follow_an_approved_extension(active):
    award = active.award_a
    final_before = [r for r in reporting_calendar(award) if r.is_final]
    assert {r.due_on for r in final_before} == {END + timedelta(days=120)}
    late_day = date(2026, 10, 15)

    def spend():
        return ledger.entry_post(
            actor=active.officer_a,
            award=award,
            kind="expenditure",
            amount="10.00",
            category="A",
            effective_date=late_day,
            idempotency_key=uuid.uuid4(),
            today=late_day,
        )

    with pytest.raises(ValidationError, match="after the period of performance ends"):
        spend()
    extension_decide(actor=active.pm, amendment=ask(active), approve=True, today=date(2026, 9, 2))
    award.refresh_from_db()
    finals = [r for r in reporting_calendar(award) if r.is_final]
    assert {(r.period_end, r.due_on) for r in finals} == {(date(2027, 3, 31), date(2027, 7, 29))}
    quarters = [
        r.period_end for r in reporting_calendar(award) if r.kind == "sf425" and not r.is_final
    ]
    assert quarters[-2:] == [date(2026, 9, 30), date(2026, 12, 31)]
    assert liquidation_end(award) == date(2027, 7, 29)
    assert spend().effective_date == late_day


def test_extension_asked_too_late_is_refused(active):
    with pytest.raises(ValidationError) as error:
        ask(active, today=date(2026, 9, 1))
    assert error.value.messages == [
        "A no-cost extension must be requested at least 30 days before the period ends "
        "(09/30/2026); the last day to ask was 08/31/2026."
    ]
    assert not Amendment.objects.exists()


def test_extension_too_long_or_not_later_is_refused(active):
    with pytest.raises(ValidationError) as error:
        ask(active, new_end=date(2027, 10, 1))
    assert error.value.message_dict == {
        "new_end": ["An extension is at most 12 months: the latest end date is 09/30/2027."]
    }
    assert ask(active, new_end=date(2027, 9, 30)).period_end_after == date(2027, 9, 30)
    with pytest.raises(ValidationError, match="already waiting"):
        ask(active)
    with pytest.raises(ValidationError, match=r"must be after the current one \(09/30/2026\)"):
        Amendment.objects.update(status="withdrawn")
        ask(active, new_end=END)


def test_extension_requester_cannot_decide_and_outsiders_cannot_ask(active):
    for outsider in (active.officer_b, active.auditor, active.approver):
        with pytest.raises(PermissionDenied):
            ask(active, actor=outsider)
    amendment = ask(active, actor=active.officer_a)
    active.officer_a.groups.add(Group.objects.get(name="Program manager"))
    active.officer_a._icac_groups = None
    with pytest.raises(PermissionDenied, match="cannot approve or reject"):
        extension_decide(actor=active.officer_a, amendment=amendment, approve=True, today=ASKED)
    assert (
        AuditEvent.objects.filter(
            action="grants.amendment.sod_violation", actor=active.officer_a
        ).count()
        == 1
    )
    with pytest.raises(PermissionDenied):
        extension_decide(actor=active.approver, amendment=amendment, approve=True, today=ASKED)
    amendment.refresh_from_db()
    assert amendment.status == "requested"


def test_rejected_extension_changes_nothing(active):
    amendment = ask(active)
    with pytest.raises(ValidationError, match="Say why the extension is rejected"):
        extension_decide(actor=active.pm, amendment=amendment, approve=False, today=ASKED)
    extension_decide(
        actor=active.pm, amendment=amendment, approve=False, note="Not justified", today=ASKED
    )
    active.award_a.refresh_from_db()
    assert active.award_a.period_end == END
    assert Amendment.objects.get().decision_note == "Not justified"


def test_terms_as_of_before_and_after_an_extension(active):
    extension_decide(actor=active.pm, amendment=ask(active), approve=True, today=date(2026, 9, 2))
    active.award_a.refresh_from_db()
    assert award_terms_on(active.award_a, date(2026, 9, 1)).period_end == END
    assert award_terms_on(active.award_a, date(2026, 9, 2)).period_end == date(2027, 3, 31)


def test_administrative_change_updates_the_recipient_and_keeps_before_and_after(active):
    recipient = active.award_a.recipient
    old_street = recipient.street
    amendment = administrative_record(
        actor=active.gadmin_a,
        award=active.award_a,
        description="New address; new authorized representative",
        recipient_changes={"street": "1 Main St", "city": "Richmond", "zip_code": ""},
        today=date(2025, 5, 1),
    )
    recipient.refresh_from_db()
    assert (recipient.street, recipient.city) == ("1 Main St", "Richmond")
    assert amendment.status == "approved" and amendment.effective_on == date(2025, 5, 1)
    assert amendment.changes == {
        "recipient": {"street": [old_street, "1 Main St"], "city": ["", "Richmond"]}
    }
    assert amendment.decided_by is None and amendment.requested_by == active.gadmin_a
    assert (amendment.number, amendment.decided_on) == (1, date(2025, 5, 1))
    extension = ask(active)
    later = administrative_record(actor=active.pm, award=active.award_a, description="New contact")
    assert (extension.number, later.number, later.changes) == (2, 3, {})
    with pytest.raises(PermissionDenied):
        administrative_record(actor=active.officer_b, award=active.award_a, description="x")
    with pytest.raises(ValidationError, match="Say what changes"):
        administrative_record(actor=active.pm, award=active.award_a, description="  ")


def test_extension_not_approved_once_the_award_is_in_closeout(active):
    amendment = ask(active)
    type(active.award_a).objects.filter(pk=active.award_a.pk).update(status="in_closeout")
    with pytest.raises(ValidationError, match="is in closeout; only accepted and active"):
        extension_decide(actor=active.pm, amendment=amendment, approve=True, today=date(2026, 9, 2))
    active.award_a.refresh_from_db()
    assert active.award_a.period_end == date(2026, 9, 30)


def test_an_award_made_before_the_2024_revision_comes_under_it_when_amended(program):
    from tests import factories

    older = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        period_start=date(2023, 10, 1),
        amount="1000.00",
    )
    assert older.ug_version == "2014"
    program.award_a = activate(program, older)
    amendment = ask(program)
    assert older.__class__.objects.get(pk=older.pk).ug_version == "2014"  # asking changes nothing
    extension_decide(actor=program.pm, amendment=amendment, approve=True, today=ASKED)
    older.refresh_from_db()
    assert older.ug_version == "2024"
    event = AuditEvent.objects.get(action="grants.award.guidance_changed")
    assert (event.data["before"], event.data["after"]) == (
        {"ug_version": "2014"},
        {"ug_version": "2024"},
    )
    assert program.award_b.ug_version == "2024"  # made from 2024-10-01 on


# --- A second extension (docs/rules/award-lifecycle-and-budgets.md#second-extensions) ---

SECOND_ASKED = date(2027, 2, 28)  # 31 days before the first extension's end, 03/31/2027


def _extended_once(p):
    first = ask(p)
    extension_decide(actor=p.pm, amendment=first, approve=True, today=date(2026, 9, 2))
    p.award_a.refresh_from_db()
    return first


def test_a_second_extension_without_justification_is_refused_and_nothing_changes(active):
    _extended_once(active)
    events = AuditEvent.objects.count()
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            extension_request(
                actor=active.gadmin_a,
                award=active.award_a,
                new_end=date(2027, 9, 30),
                reason="Trial delayed again",
                justification=blank,
                today=SECOND_ASKED,
            )
        assert refused.value.message_dict == {
            "justification": [
                "This award was already extended (amendment 1, to 03/31/2027): another "
                "extension needs a written justification saying why the work could not be "
                "finished in the time already added."
            ]
        }
    assert Amendment.objects.count() == 1 and AuditEvent.objects.count() == events
    active.award_a.refresh_from_db()
    assert active.award_a.period_end == date(2027, 3, 31)


def test_a_second_extension_with_justification_is_requested_and_approved(active):
    _extended_once(active)
    second = extension_request(
        actor=active.gadmin_a,
        award=active.award_a,
        new_end=date(2027, 9, 30),
        reason="Trial delayed again",
        justification="The court moved the trial to June 2027; the forensic lab is needed until then.",
        today=SECOND_ASKED,
    )
    assert second.justification.startswith("The court moved the trial")
    requested = AuditEvent.objects.filter(action="grants.amendment.requested").order_by("pk").last()
    assert requested.data["after"]["justification"] == second.justification
    extension_decide(actor=active.pm, amendment=second, approve=True, today=date(2027, 3, 2))
    active.award_a.refresh_from_db()
    assert active.award_a.period_end == date(2027, 9, 30)


def test_a_first_extension_needs_no_justification(active):
    assert ask(active).justification == ""


def test_an_unjustified_request_approved_after_a_first_extension_is_refused(active):
    """A request without justification (recorded before the rule, as older data is) on an
    award extended since: approving it needs the justification."""
    first = _extended_once(active)
    unjustified = Amendment.objects.create(
        award=active.award_a,
        number=2,
        kind=Amendment.Kind.NO_COST_EXTENSION,
        description="Trial delayed again",
        requested_on=SECOND_ASKED,
        requested_by=active.gadmin_a,
        period_end_before=first.period_end_after,
        period_end_after=date(2027, 9, 30),
    )
    with pytest.raises(ValidationError, match="needs a written justification: reject it"):
        extension_decide(
            actor=active.pm, amendment=unjustified, approve=True, today=date(2027, 3, 2)
        )
    active.award_a.refresh_from_db()
    assert active.award_a.period_end == date(2027, 3, 31)
