"""The recipient's share (match): in-kind contributions, the match required as of a
report's date, and the match met against it (docs/rules/cash-and-ledger.md#in-kind-match,
docs/rules/award-lifecycle-and-budgets.md#match-changes)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from budgets import ledger, reconcile
from budgets.balances import award_balances, match_met
from budgets.forms import EntryForm
from budgets.models import LedgerEntry
from budgets.services import LineInput
from grants.amendments import match_change_record, match_required_on
from grants.audit import AuditEvent
from grants.models import Amendment, Award, Recipient
from reports.sf425 import compute_sf425
from tests import factories
from tests.budgets.ledger_helpers import activate, reverse_entry

D = Decimal
TODAY = date(2025, 12, 31)
VOLUNTEERS = "Reserve deputies, 120 hours at $31.50, the county's rate for the same work"


@pytest.fixture
def matched(program):
    """A $400,000 award requiring $100,000 of match, budgeted in categories A and E."""
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="400000.00",
        match_required=D("100000.00"),
        lines=[
            LineInput("A", D("300000.00"), D("80000.00")),
            LineInput("E", D("100000.00"), D("20000.00")),
        ],
    )
    program.matched = activate(program, award)
    return program


def spend(program, amount, day=date(2025, 2, 14), **fields):
    fields.setdefault("category", "A")
    fields.setdefault("share", "recipient")
    return ledger.entry_post(
        actor=program.officer_a,
        award=program.matched,
        kind="expenditure",
        amount=amount,
        effective_date=day,
        idempotency_key=uuid.uuid4(),
        today=TODAY,
        **fields,
    )


def test_match_may_be_met_in_kind_with_its_basis_and_description(matched):
    entry = spend(
        matched,
        "3780.00",
        in_kind_basis="volunteer_services",
        in_kind_description=VOLUNTEERS,
    )
    entry.refresh_from_db()
    assert (entry.share, entry.in_kind_basis, entry.in_kind_description) == (
        "recipient",
        "volunteer_services",
        VOLUNTEERS,
    )
    spend(matched, "12000.00")  # cash match
    spend(
        matched,
        "2400.00",
        category="E",
        in_kind_basis="donated_space",
        in_kind_description="Interview room donated by the county, 12 months at $200",
    )
    met = match_met(matched.matched, as_of=TODAY)
    assert (met.required, met.cash, met.in_kind, met.met, met.remaining, met.is_met) == (
        D("100000.00"),
        D("12000.00"),
        D("6180.00"),
        D("18180.00"),
        D("81820.00"),
        False,
    )
    assert met.in_kind_by_basis == {
        "Volunteer services, at rates paid for similar work": D("3780.00"),
        "Donated use of space, at fair rental value": D("2400.00"),
    }
    # In kind counts on 10j like cash; the check of the ledgers agrees.
    assert award_balances(matched.matched, as_of=TODAY).recipient_expenditures == D("18180.00")
    assert reconcile.reconcile_award(matched.matched) == []
    event = (
        AuditEvent.objects.filter(action="budgets.ledger.expenditure_posted").order_by("pk").first()
    )
    assert event.data["after"]["in_kind_basis"] == "volunteer_services"


def test_the_match_is_met_once_cash_and_in_kind_reach_the_required_amount(matched):
    spend(matched, "60000.00")
    spend(
        matched,
        "40000.00",
        category="E",
        in_kind_basis="donated_equipment",
        in_kind_description="Forensic workstation donated by a university, appraised value",
    )
    met = match_met(matched.matched, as_of=TODAY)
    assert (met.met, met.remaining, met.is_met) == (D("100000.00"), D("0.00"), True)


@pytest.mark.parametrize(
    "fields,field,message",
    [
        (
            {"share": "federal", "in_kind_basis": "donated_supplies"},
            "in_kind_basis",
            "Federal funds are spent in cash: only the recipient (match) share may be an "
            "in-kind contribution.",
        ),
        (
            {"in_kind_basis": "donated_supplies", "in_kind_description": "  "},
            "in_kind_description",
            "Say what was contributed and how its value was reached.",
        ),
        (
            {"in_kind_basis": "goodwill"},
            "in_kind_basis",
            "Choose a valuation basis from the list.",
        ),
        (
            {"in_kind_description": "Laptops from a local business"},
            "in_kind_basis",
            "Choose how the in-kind contribution is valued, or clear its description.",
        ),
        (
            {"in_kind_basis": "donated_supplies", "paid_on": date(2025, 2, 20)},
            "paid_on",
            "An in-kind contribution is given, not paid: leave the date paid empty.",
        ),
    ],
)
def test_bad_in_kind_input_is_refused_and_changes_nothing(matched, fields, field, message):
    fields = {"in_kind_description": "Ten donated laptops at $450, retail price", **fields}
    if fields.get("share") == "federal":
        fields["category"] = "A"
    count, events = LedgerEntry.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        spend(matched, "4500.00", **fields)
    assert refused.value.message_dict[field] == [message]
    # Nothing is written but the refusal's own event (grants.refusals).
    assert (LedgerEntry.objects.count(), AuditEvent.objects.count()) == (count, events + 1)
    assert AuditEvent.objects.first().action == "budgets.ledger_entry.refused"


def test_the_database_refuses_federal_in_kind_and_undescribed_in_kind(matched):
    base = dict(
        award=matched.matched,
        kind="expenditure",
        category="A",
        amount=D("10.00"),
        effective_date=date(2025, 2, 14),
        actor=matched.officer_a,
    )
    for fields in (
        {"share": "federal", "in_kind_basis": "donated_supplies", "in_kind_description": "x"},
        {"share": "recipient", "in_kind_basis": "donated_supplies", "in_kind_description": ""},
        {"share": "recipient", "in_kind_basis": "", "in_kind_description": "cash with a story"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(**base, **fields, idempotency_key=uuid.uuid4())
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            **{**base, "kind": "disbursement", "category": ""},
            share="federal",
            in_kind_basis="donated_space",
            in_kind_description="x",
            idempotency_key=uuid.uuid4(),
        )


def test_reversing_an_in_kind_contribution_mirrors_it(matched):
    entry = spend(
        matched,
        "900.00",
        in_kind_basis="volunteer_services",
        in_kind_description=VOLUNTEERS,
    )
    reversal = reverse_entry(matched, entry, effective_date=date(2025, 3, 1), today=TODAY)
    assert (reversal.in_kind_basis, reversal.in_kind_description) == (
        "volunteer_services",
        VOLUNTEERS,
    )
    assert match_met(matched.matched, as_of=TODAY).in_kind == D("0.00")


def test_the_expenditure_form_offers_in_kind_and_the_ledger_shows_it(matched, client, pin_today):
    form = EntryForm(kind="expenditure")
    assert [value for value, _ in form.fields["in_kind_basis"].choices][:2] == [
        "",
        "volunteer_services",
    ]
    pin_today(TODAY)
    client.force_login(matched.officer_a)
    url = reverse("budgets:entry_create", args=[matched.matched.award_number, "expenditure"])
    response = client.post(
        url,
        {
            "idempotency_key": str(uuid.uuid4()),
            "effective_date": "2025-02-14",
            "amount": "1,200.00",
            "category": "A",
            "share": "federal",
            "in_kind_basis": "donated_space",
            "in_kind_description": "Office space",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "only the recipient (match) share may be an in-kind contribution" in page
    assert not LedgerEntry.objects.filter(award=matched.matched).exists()
    response = client.post(
        url,
        {
            "idempotency_key": str(uuid.uuid4()),
            "effective_date": "2025-02-14",
            "amount": "1,200.00",
            "category": "A",
            "share": "recipient",
            "in_kind_basis": "donated_space",
            "in_kind_description": "Office space, 6 months at $200 fair rent",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("budgets:award_ledger", args=[matched.matched.award_number]))
    text = page.content.decode()
    assert (
        "Recipient (match), in kind: Donated use of space, at fair rental value "
        "(Office space, 6 months at $200 fair rent)" in text
    )
    panel = text[text.index('data-testid="match-met"') :]
    assert "$1,200.00" in panel[: panel.index("</table>")]


def test_the_award_page_shows_the_match_met_against_required(matched, client, pin_today):
    pin_today(TODAY)
    spend(matched, "25000.00")
    spend(
        matched,
        "5000.00",
        in_kind_basis="volunteer_services",
        in_kind_description=VOLUNTEERS,
    )
    client.force_login(matched.gadmin_a)
    page = client.get(matched.matched.get_absolute_url()).content.decode()
    panel = page[page.index('data-testid="match-met"') :]
    panel = panel[: panel.index("</table>")]
    for expected in ("$100,000.00", "$25,000.00", "$5,000.00", "$30,000.00", "$70,000.00"):
        assert expected in panel
    assert "Not yet met" in panel


# --- The match required as of a date --------------------------------------------------


def test_sf425_10i_is_the_match_in_force_at_the_period_end(matched):
    spend(matched, "30000.00", day=date(2025, 3, 1))
    amendment = match_change_record(
        actor=matched.pm,
        award=matched.matched,
        match_required="75000.00",
        description="Cost share reduced after the county's budget cut (GAM 7)",
        effective_on=date(2025, 5, 20),
        today=TODAY,
    )
    award = Award.objects.get(pk=matched.matched.pk)
    assert award.match_required == D("75000.00")
    assert amendment.changes == {"match_required": ["100000.00", "75000.00"]}
    march = compute_sf425(award, period_end=date(2025, 3, 31), is_final=False).lines
    june = compute_sf425(award, period_end=date(2025, 6, 30), is_final=False).lines
    assert (march["10i"], march["10j"], march["10k"]) == (
        D("100000.00"),
        D("30000.00"),
        D("70000.00"),
    )
    assert (june["10i"], june["10j"], june["10k"]) == (
        D("75000.00"),
        D("30000.00"),
        D("45000.00"),
    )
    # A second change: each period keeps the amount then in force.
    match_change_record(
        actor=matched.pm,
        award=award,
        match_required="80000.00",
        description="Cost share partly restored (GAM 9)",
        effective_on=date(2025, 10, 1),
        today=TODAY,
    )
    award.refresh_from_db()
    assert [
        match_required_on(award, day)
        for day in (date(2025, 3, 31), date(2025, 5, 20), date(2025, 9, 30), date(2025, 10, 1))
    ] == [D("100000.00"), D("75000.00"), D("75000.00"), D("80000.00")]
    assert match_met(award, as_of=date(2025, 3, 31)).required == D("100000.00")
    event = AuditEvent.objects.filter(action="grants.award.match_changed").order_by("pk").first()
    assert (event.data["before"], event.data["after"]) == (
        {"match_required": "100000.00"},
        {"match_required": "75000.00"},
    )


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"match_required": "-1.00"}, "match_required", "Enter an amount of zero or more."),
        ({"match_required": "1.001"}, "match_required", "1.001 has more than 2 decimal places."),
        (
            {"match_required": "100000.00"},
            "match_required",
            "The award already requires $100,000.00 of match.",
        ),
        ({"description": " "}, "description", "Say why the match changes."),
        ({"effective_on": date(2026, 1, 1)}, "effective_on", "01/01/2026 is in the future."),
        (
            {"effective_on": date(2024, 9, 30)},
            "effective_on",
            "A change of match takes effect on or after 10/01/2024 (the period's start or "
            "the last change of match).",
        ),
    ],
)
def test_a_bad_change_of_match_changes_nothing(matched, fields, field, message):
    kwargs = (
        dict(
            actor=matched.pm,
            award=matched.matched,
            match_required="75000.00",
            description="Cost share reduced (GAM 7)",
            effective_on=date(2025, 5, 20),
            today=TODAY,
        )
        | fields
    )
    with pytest.raises(ValidationError) as refused:
        match_change_record(**kwargs)
    assert refused.value.message_dict[field] == [message]
    award = Award.objects.get(pk=matched.matched.pk)
    assert award.match_required == D("100000.00")
    assert not Amendment.objects.filter(award=award).exists()
    assert not AuditEvent.objects.filter(action="grants.award.match_changed").exists()


def test_only_a_program_manager_changes_the_match(matched):
    with pytest.raises(PermissionDenied):
        match_change_record(
            actor=matched.officer_a,
            award=matched.matched,
            match_required="0.00",
            description="We would rather not",
            effective_on=date(2025, 5, 20),
            today=TODAY,
        )
    assert Award.objects.get(pk=matched.matched.pk).match_required == D("100000.00")


def test_a_program_manager_records_a_change_of_match_on_its_page(matched, client, pin_today):
    pin_today(TODAY)
    client.force_login(matched.pm)
    url = reverse("amendments:match_change", args=[matched.matched.award_number])
    assert (
        "Record a change of match"
        in client.get(matched.matched.get_absolute_url()).content.decode()
    )
    refused = client.post(
        url,
        {"match_required": "75,000.00", "effective_on": "2026-02-01", "description": "GAM 7"},
    )
    assert refused.status_code == 200
    assert "02/01/2026 is in the future." in refused.content.decode()
    assert Award.objects.get(pk=matched.matched.pk).match_required == D("100000.00")
    done = client.post(
        url,
        {"match_required": "75,000.00", "effective_on": "2025-05-20", "description": "GAM 7"},
    )
    assert done.status_code == 302
    award = Award.objects.get(pk=matched.matched.pk)
    assert award.match_required == D("75000.00")
    assert compute_sf425(award, period_end=date(2025, 3, 31), is_final=False).lines["10i"] == D(
        "100000.00"
    )
    listing = client.get(reverse("amendments:list")).content.decode()
    assert "Match $100,000.00 → $75,000.00" in listing


def test_in_kind_counts_on_10j_from_the_day_given_on_the_cash_basis(matched):
    """Given, not paid: on the cash basis an in-kind contribution counts when given, and
    no payment of it can be recorded."""
    Recipient.objects.filter(pk=matched.matched.recipient_id).update(accounting_basis="cash")
    spend(matched, "5000.00")  # cash match incurred, not yet paid
    in_kind = spend(
        matched,
        "900.00",
        in_kind_basis="volunteer_services",
        in_kind_description=VOLUNTEERS,
    )
    award = Award.objects.get(pk=matched.matched.pk)
    lines = compute_sf425(award, period_end=date(2025, 3, 31), is_final=False).lines
    assert (lines["10j"], lines["10k"]) == (D("900.00"), D("99100.00"))
    count = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        ledger.entry_post(
            actor=matched.officer_a,
            award=award,
            kind="disbursement",
            amount="900.00",
            effective_date=date(2025, 2, 20),
            expenditure=in_kind,
            idempotency_key=uuid.uuid4(),
            today=TODAY,
        )
    assert refused.value.message_dict["expenditure"] == [
        "That expenditure is an in-kind contribution, given rather than paid: it takes no payment."
    ]
    assert LedgerEntry.objects.count() == count
    assert reconcile.reconcile_award(award) == []


def test_on_the_cash_basis_match_met_counts_cash_match_once_paid(matched):
    Recipient.objects.filter(pk=matched.matched.recipient_id).update(accounting_basis="cash")
    spend(matched, "5000.00")  # incurred, not paid
    spend(matched, "3000.00", paid_on=date(2025, 2, 20))
    spend(matched, "900.00", in_kind_basis="donated_space", in_kind_description="Office")
    award = Award.objects.get(pk=matched.matched.pk)
    met = match_met(award, as_of=TODAY)
    assert (met.cash, met.in_kind, met.met) == (D("3000.00"), D("900.00"), D("3900.00"))
    assert met.met == compute_sf425(award, period_end=TODAY, is_final=False).lines["10j"]
