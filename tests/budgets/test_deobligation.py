"""Money going back: the unspent balance deobligated at closeout, decreases and
terminations, and where the money goes (docs/rules/deobligation.md)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets.balances import award_balances
from budgets.models import BudgetModification, LedgerEntry
from budgets.modifications import budget_modification_decide, decrease_propose, supplement_propose
from budgets.services import LineInput
from grants.audit import AuditEvent
from grants.models import Amendment, Appropriation, Award, FundingReturn
from grants.selectors import (
    MoneyChain,
    appropriation_available,
    money_chain,
    money_chain_by_year,
)
from grants.services import award_transition
from reports.services import award_close
from tests import factories
from tests.budgets.ledger_helpers import activate, draw, post
from tests.reports.test_services_closeout import _accepted_finals

D = Decimal
CLOSED_ON = date(2026, 10, 15)  # the award's period ended 09/30/2026


def lines(**amounts) -> list[LineInput]:
    return [LineInput(code, D(amount)) for code, amount in amounts.items()]


@pytest.fixture
def two_lines(program):
    """Award A: $200,000 from the FY2025 appropriation (available through 09/30/2026),
    then a $50,000 supplement from FY2026's (available through 09/30/2027)."""
    award = activate(program)
    program.fy2026 = factories.make_appropriation(
        program.pm, fiscal_year=2026, amount="500000.00", set_aside="0"
    )
    request = supplement_propose(
        actor=program.pm,
        award=award,
        appropriation=program.fy2026,
        amount="50000.00",
        lines=lines(A="170000.00", C="80000.00"),
        justification="Second examiner",
        today=date(2025, 10, 15),
    )
    budget_modification_decide(
        actor=program.approver, modification=request, approve=True, today=date(2025, 10, 15)
    )
    program.award_a = Award.objects.get(pk=award.pk)
    # Each available through September 30th after its fiscal year.
    Appropriation.objects.filter(pk=program.appropriation.pk).update(
        available_until=date(2026, 9, 30)
    )
    Appropriation.objects.filter(pk=program.fy2026.pk).update(available_until=date(2027, 9, 30))
    program.appropriation.refresh_from_db()
    program.fy2026.refresh_from_db()
    return program


def close(program, today=CLOSED_ON):
    award = award_transition(actor=program.pm, award=program.award_a, to_status="in_closeout")
    _accepted_finals(program, award)
    return award_close(actor=program.pm, award=award, today=today)


def test_closeout_deobligates_the_unspent_balance_newest_funding_line_first(two_lines):
    p = two_lines
    post(p, "expenditure", "100000.00", category="A")
    post(p, "expenditure", "49999.99", category="C")
    closed = close(p)

    assert closed.status == Award.Status.CLOSED
    assert Award.objects.get(pk=closed.pk).federal_amount == D("149999.99")
    amendment = Amendment.objects.get(award=closed, kind=Amendment.Kind.DEOBLIGATION)
    assert (amendment.amount, amendment.status) == (D("100000.01"), "approved")
    # The FY2026 supplement (newest) goes back whole, the rest from FY2025's line.
    returned = {
        r.appropriation.fiscal_year: r.amount
        for r in FundingReturn.objects.filter(amendment=amendment)
    }
    assert returned == {2026: D("50000.00"), 2025: D("50000.01")}
    entry = LedgerEntry.objects.get(award=closed, kind="deobligation")
    assert (entry.amount, entry.effective_date) == (D("100000.01"), date(2026, 9, 30))
    # The final SF-425 (period ending 09/30/2026): 10d is the award after deobligation,
    # 10h zero; the day before, the award as it stood. No other line moves.
    final = award_balances(closed, as_of=date(2026, 9, 30))
    before = award_balances(closed, as_of=date(2026, 9, 29))
    assert (final.authorized, final.unobligated) == (D("149999.99"), D("0.00"))
    assert (before.authorized, before.unobligated) == (D("250000.00"), D("100000.01"))
    assert (final.federal_expenditures, final.drawn, final.unliquidated) == (
        D("149999.99"),
        D("0.00"),
        D("0.00"),
    )
    assert AuditEvent.objects.filter(action="budgets.award.deobligated", actor=p.pm).count() == 1
    assert AuditEvent.objects.filter(action="grants.award.funds_returned").count() == 1


def test_returned_money_is_available_again_only_while_its_appropriation_is(two_lines):
    p = two_lines
    post(p, "expenditure", "149999.99", category="A")
    close(p)
    # FY2025's period of availability ended 09/30/2026: its $50,000.01 is expired.
    # FY2025: $1,000,000 - $100,000 set aside - $400,000 awarded = $500,000.00.
    assert appropriation_available(p.appropriation, on=CLOSED_ON) == D("500000.00")
    assert appropriation_available(p.appropriation, on=date(2026, 9, 30)) == D("550000.01")
    # FY2026: $500,000 - $50,000 awarded + $50,000.00 back, available through 09/30/2027.
    assert appropriation_available(p.fy2026, on=CLOSED_ON) == D("500000.00")
    assert appropriation_available(p.fy2026, on=date(2027, 10, 1)) == D("450000.00")


@pytest.mark.parametrize(
    "on, expired, cancelled, not_yet_awarded",
    [
        # Both appropriations available: everything returned can be awarded again.
        (date(2026, 9, 30), "0.00", "0.00", "1050000.01"),
        # FY2025 expired the day after 09/30/2026.
        (CLOSED_ON, "50000.01", "0.00", "1000000.00"),
        # FY2026 expired too after 09/30/2027.
        (date(2027, 10, 1), "100000.01", "0.00", "950000.00"),
        # FY2025's account closes on 09/30 of the fifth fiscal year after FY2026: 2031.
        (date(2031, 9, 29), "100000.01", "0.00", "950000.00"),
        (date(2031, 9, 30), "50000.00", "50000.01", "950000.00"),
        # And FY2026's on 09/30/2032.
        (date(2032, 9, 30), "0.00", "100000.01", "950000.00"),
    ],
)
def test_the_money_chain_adds_up_in_every_state_after_closeout(
    two_lines, on, expired, cancelled, not_yet_awarded
):
    p = two_lines
    post(p, "expenditure", "149999.99", category="A")
    close(p)
    chain = money_chain(user=p.pm, on=on)
    assert (chain.appropriated, chain.set_aside, chain.awarded, chain.deobligated) == (
        D("1500000.00"),
        D("100000.00"),
        D("450000.00"),
        D("100000.01"),
    )
    assert (chain.expired, chain.cancelled, chain.not_yet_awarded) == (
        D(expired),
        D(cancelled),
        D(not_yet_awarded),
    )
    assert chain.appropriated == (
        chain.set_aside
        + chain.awarded
        - chain.deobligated
        + chain.expired
        + chain.cancelled
        + chain.not_yet_awarded
    )
    # What is left to award is what each appropriation says it has left, added up.
    assert chain.not_yet_awarded == appropriation_available(
        p.appropriation, on=on
    ) + appropriation_available(p.fy2026, on=on)
    # The FY2026 column holds only its own appropriation.
    year = money_chain(user=p.pm, fiscal_year=2026, on=on)
    assert year.deobligated == D("50000.00")
    # Every year at once gives each year's chain, expired and cancelled included.
    by_year = money_chain_by_year(user=p.pm, on=on)
    assert by_year == {2025: money_chain(user=p.pm, fiscal_year=2025, on=on), 2026: year}
    # The years add up to every year's chain (the dashboard's "all years").
    assert MoneyChain.total(by_year.values()) == chain


def test_closeout_is_refused_while_obligations_are_unliquidated(program):
    award = activate(program)
    post(program, "expenditure", "50000.00", category="A")
    post(program, "obligation", "10000.00", category="A")
    program.award_a = award
    award = award_transition(actor=program.pm, award=award, to_status="in_closeout")
    _accepted_finals(program, award)  # accepted before the obligation was noticed
    with pytest.raises(ValidationError) as refused:
        award_close(actor=program.pm, award=award, today=CLOSED_ON)
    assert refused.value.messages == [
        "Award 15PJDP-25-GK-00001-MECP still has $10,000.00 of unliquidated obligations: "
        "pay them or reverse them before its unspent balance ($140,000.00) is deobligated."
    ]
    award.refresh_from_db()
    assert (award.status, award.federal_amount) == ("in_closeout", D("200000.00"))
    assert not Amendment.objects.filter(award=award).exists()
    assert not FundingReturn.objects.exists()
    assert not LedgerEntry.objects.filter(kind="deobligation").exists()


# --- Decreases and terminations --------------------------------------------------------


@pytest.fixture
def spent(program):
    """Award A ($200,000: A $120,000, C $80,000) with $50,000 spent and $30,000 obligated
    in Personnel: $80,000 committed."""
    program.award_a = activate(program)
    post(program, "expenditure", "50000.00", category="A")
    program.obligation = post(program, "obligation", "30000.00", category="A")
    return program


def decrease(p, amount, kind="decrease", **budget):
    return decrease_propose(
        actor=p.pm,
        award=p.award_a,
        amount=amount,
        kind=kind,
        lines=lines(**(budget or {"A": "80000.00", "C": str(D("120000.00") - D(amount))})),
        justification="Vacant investigator position not filled",
        today=date(2025, 3, 1),
    )


def approve(p, request, actor=None):
    return budget_modification_decide(
        actor=actor or p.approver, modification=request, approve=True, today=date(2025, 3, 1)
    )


def test_an_approved_decrease_lowers_the_award_and_returns_the_money(spent):
    request = decrease(spent, "100000.00")
    assert request.status == "requested" and request.needs_approval
    assert request.amendment.kind == "decrease" and request.amendment.amount == D("100000.00")
    assert Award.objects.get(pk=spent.award_a.pk).federal_amount == D("200000.00")
    approve(spent, request)
    award = Award.objects.get(pk=spent.award_a.pk)
    assert award.federal_amount == D("100000.00")
    balances = award_balances(award, as_of=date(2025, 3, 1))
    assert (balances.authorized, balances.unobligated) == (D("100000.00"), D("20000.00"))
    assert award_balances(award, as_of=date(2025, 2, 28)).authorized == D("200000.00")
    assert award.budget_versions.current().federal_amounts() == {
        "A": D("80000.00"),
        "C": D("20000.00"),
    }
    (returned,) = FundingReturn.objects.all()
    assert (returned.appropriation, returned.amount) == (spent.appropriation, D("100000.00"))
    assert appropriation_available(spent.appropriation, on=date(2025, 3, 1)) == D("600000.00")
    assert AuditEvent.objects.filter(action="budgets.decrease.approved").count() == 1
    assert AuditEvent.objects.filter(action="budgets.ledger.deobligation_posted").count() == 1


def test_a_decrease_below_what_is_spent_and_obligated_is_refused_with_the_amounts(spent):
    with pytest.raises(ValidationError) as refused:
        decrease(spent, "120000.01", A="79999.99", C="0.00")
    assert refused.value.message_dict["decrease_amount"] == [
        "A decrease of $120,000.01 would leave the award at $79,999.99, $0.01 below the "
        "$80,000.00 already spent and obligated ($50,000.00 spent, $30,000.00 obligated and "
        "not yet paid): at most $120,000.00 can come off."
    ]
    assert not BudgetModification.objects.exists() and not Amendment.objects.exists()
    # Exactly what is spent and obligated is allowed: a termination leaving only that.
    request = decrease(spent, "120000.00", kind="termination", A="80000.00", C="0.00")
    approve(spent, request)
    award = Award.objects.get(pk=spent.award_a.pk)
    assert award.federal_amount == D("80000.00")
    assert award_balances(award, as_of=date(2025, 3, 1)).unobligated == D("0.00")
    assert Amendment.objects.get().get_kind_display() == "Termination"


def test_a_decrease_below_the_cash_drawn_is_refused_until_the_excess_is_returned(spent):
    # $150,000 drawn in advance of spending: taking $100,000 off would leave $100,000
    # authorized and $150,000 drawn (invariant 1).
    draw(spent, "150000.00", day=date(2025, 2, 10))
    request = decrease(spent, "100000.00")
    with pytest.raises(ValidationError) as refused:
        approve(spent, request)
    assert refused.value.message_dict["decrease_amount"] == [
        "Taking $100,000.00 off the award would leave less authorized than the cash already "
        "drawn (only $50,000.00 is undrawn): the task force returns the excess cash first."
    ]
    assert Award.objects.get(pk=spent.award_a.pk).federal_amount == D("200000.00")


def test_a_decrease_is_checked_again_when_approved(spent):
    request = decrease(spent, "120000.00", A="80000.00", C="0.00")
    post(spent, "expenditure", "0.01", category="C")
    with pytest.raises(ValidationError, match=r"\$0.01 below the \$80,000.01 already spent"):
        approve(spent, request)
    request.refresh_from_db()
    award = Award.objects.get(pk=spent.award_a.pk)
    assert request.status == "requested" and award.federal_amount == D("200000.00")
    assert not FundingReturn.objects.exists()
    assert not LedgerEntry.objects.filter(kind="deobligation").exists()


def test_a_decrease_budget_must_add_up_to_the_new_total(spent):
    with pytest.raises(ValidationError) as refused:
        decrease(spent, "100000.00", A="80000.00", C="40000.00")
    assert refused.value.message_dict["lines"] == [
        "The federal lines add up to $120,000.00, but the award after the decrease is "
        "$100,000.00: $20,000.00 too much."
    ]


def test_the_proposer_never_approves_a_decrease(spent):
    request = decrease(spent, "10000.00")
    with pytest.raises(PermissionDenied):
        approve(spent, request, actor=spent.pm)
    assert AuditEvent.objects.filter(
        action="budgets.modification.sod_violation", actor=spent.pm
    ).exists()
    with pytest.raises(PermissionDenied):
        decrease_propose(
            actor=spent.officer_a,
            award=spent.award_a,
            amount="1.00",
            lines=lines(A="120000.00", C="79999.00"),
            justification="x",
        )


def test_after_a_decrease_spending_fits_under_the_new_total(spent):
    approve(spent, decrease(spent, "100000.00"))
    with pytest.raises(ValidationError, match=r"\$20,000.01 is \$0.01 more than the \$20,000.00"):
        post(spent, "expenditure", "20000.01", category="C", day=date(2025, 3, 2))


# --- Pages -------------------------------------------------------------------------------


def test_the_decrease_page_refuses_too_much_with_the_amounts_and_changes_nothing(client, spent):
    from django.urls import reverse

    client.force_login(spent.pm)
    url = reverse("modifications:decrease", args=[spent.award_a.award_number])
    page = client.get(url).content.decode()
    assert 'so at most <strong data-testid="most-off">$120,000.00</strong> can come off' in page
    response = client.post(
        url,
        {
            "kind": "decrease",
            "decrease_amount": "120000.01",
            "justification": "Vacancy",
            "budget-federal_A": "79999.99",
            "budget-non_federal_A": "0.00",
            "budget-federal_C": "0.00",
            "budget-non_federal_C": "0.00",
        },
    )
    assert response.status_code == 200
    assert "$0.01 below the $80,000.00 already spent and obligated" in response.content.decode()
    assert not BudgetModification.objects.exists()


def test_the_award_page_shows_what_each_funding_line_gave_back(client, spent):
    approve(spent, decrease(spent, "100000.00"))
    client.force_login(spent.officer_a)
    page = client.get(spent.award_a.get_absolute_url()).content.decode()
    table = page[page.index('data-testid="funding-lines"') :]
    table = table[: table.index("</table>")]
    cell = '<td data-label="{}" class="text-right text-tabular">{}</td>'
    shown = (
        ("Awarded", "$200,000.00"),
        ("Given back", "$100,000.00"),
        ("On the award", "$100,000.00"),
    )
    assert "".join(cell.format(*pair) for pair in shown) in table


def test_the_amendment_list_and_notice_say_what_a_decrease_took_off(client, spent, tmp_path):
    from django.urls import reverse

    from reports.exports.award_pdf import build_amendment_pdf
    from tests.reports.test_pdf_documents import has_line, lines_of

    approved = approve(spent, decrease(spent, "100000.00"))
    client.force_login(spent.pm)
    page = client.get(reverse("amendments:list")).content.decode()
    assert "−$100,000.00 back to its appropriations" in page
    notice = lines_of(build_amendment_pdf(approved.amendment, user=spent.pm), tmp_path)
    assert has_line(notice, "Award: Federal amount", "$200,000.00", "$100,000.00")
