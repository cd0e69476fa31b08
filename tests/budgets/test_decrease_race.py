"""Decreases racing each other and racing spending: the award row lock makes them queue,
so an award never goes below what is spent and obligated, and what goes back to the
appropriation is counted once. Needs PostgreSQL (docs/rules/deobligation.md)."""

import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections

from budgets import ledger
from budgets.balances import award_balances
from budgets.models import BudgetModification, LedgerEntry
from budgets.modifications import budget_modification_decide, decrease_propose
from budgets.services import LineInput
from grants import access
from grants.models import Award, FundingReturn, Membership
from grants.money import ZERO, MoneySum
from grants.services import award_transition
from tests import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
D = Decimal
TODAY = date(2025, 3, 1)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock behaviour is tested on PostgreSQL (the CI's second leg)")
    ContentType.objects.clear_cache()


def _active_award(n: int):
    """A $200,000 award (A $120,000, C $80,000) with $50,000 spent in Personnel."""
    pm = factories.make_user(f"pm-dec-{n}", groups=[access.PROGRAM_MANAGER])
    task_force = factories.make_task_force(f"Decrease {n} ICAC Task Force", f"va-dec-{n}")
    admin = factories.make_user(
        f"gadmin-dec-{n}", memberships=[(task_force, Membership.Role.GRANT_ADMINISTRATOR)]
    )
    officer = factories.make_user(
        f"officer-dec-{n}", memberships=[(task_force, Membership.Role.FINANCE_OFFICER)]
    )
    appropriation = factories.make_appropriation(pm)
    award = factories.make_award(pm, task_force=task_force, appropriation=appropriation)
    award_transition(actor=pm, award=award, to_status=Award.Status.OFFERED)
    award_transition(
        actor=admin,
        award=award,
        to_status=Award.Status.ACCEPTED,
        terms_accepted=True,
        typed_name="Gail Admin",
    )
    award = award_transition(actor=pm, award=award, to_status=Award.Status.ACTIVE)
    _spend(officer, award, "50000.00", "A")
    return pm, officer, award


def _spend(officer, award, amount, category):
    return ledger.entry_post(
        actor=User.objects.get(pk=officer.pk),
        award=Award.objects.get(pk=award.pk),
        kind="expenditure",
        amount=amount,
        category=category,
        effective_date=TODAY,
        idempotency_key=uuid.uuid4(),
        today=TODAY,
    )


def _propose(pm, award, amount, c_after):
    return decrease_propose(
        actor=User.objects.get(pk=pm.pk),
        award=Award.objects.get(pk=award.pk),
        amount=amount,
        lines=[LineInput("A", D("120000.00")), LineInput("C", D(c_after))],
        justification="Travel no longer needed",
        today=TODAY,
    )


def _race(*attempts) -> list[str]:
    """Run the attempts at once; each returns its outcome."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def run(attempt) -> None:
        try:
            barrier.wait()
            outcomes.append(attempt())
        except ValidationError as error:
            outcomes.append(f"refused: {' '.join(error.messages)}")
        except Exception as error:  # noqa: BLE001  any other error is a failure of the test
            outcomes.append(f"error: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_decreases_of_one_award_at_once_only_one_waits(postgres_only):
    pm, _, award = _active_award(1)
    other_pm = factories.make_user("pm-dec-1b", groups=[access.PROGRAM_MANAGER])
    outcomes = _race(
        lambda: _propose(pm, award, "80000.00", "0.00") and "proposed",
        lambda: _propose(other_pm, award, "80000.00", "0.00") and "proposed",
    )
    assert sorted(outcomes) == [
        "proposed",
        "refused: A budget change for this award is already waiting for approval; it must "
        "be decided first.",
    ]
    assert BudgetModification.objects.filter(award=award, status="requested").count() == 1


def test_two_decreases_returning_money_to_one_appropriation_both_count(postgres_only):
    """Two awards of one appropriation, each decreased by $80,000.00 at the same moment:
    both approvals lock the appropriation in turn and both amounts come back."""
    approver = factories.make_user("approver-dec", groups=[access.FINANCIAL_APPROVER])
    pm, _, first = _active_award(2)
    appropriation = first.funding_lines.get().appropriation
    task_force = factories.make_task_force("Decrease 3 ICAC Task Force", "va-dec-3")
    admin = factories.make_user(
        "gadmin-dec-3", memberships=[(task_force, Membership.Role.GRANT_ADMINISTRATOR)]
    )
    second = factories.make_award(pm, task_force=task_force, appropriation=appropriation)
    award_transition(actor=pm, award=second, to_status=Award.Status.OFFERED)
    award_transition(
        actor=admin,
        award=second,
        to_status=Award.Status.ACCEPTED,
        terms_accepted=True,
        typed_name="Gail Admin",
    )
    award_transition(actor=pm, award=second, to_status=Award.Status.ACTIVE)
    requests = [_propose(pm, a, "80000.00", "0.00") for a in (first, second)]

    def approve(request):
        budget_modification_decide(
            actor=User.objects.get(pk=approver.pk),
            modification=request,
            approve=True,
            today=TODAY,
        )
        return "approved"

    outcomes = _race(*[(lambda r=r: approve(r)) for r in requests])
    assert outcomes == ["approved", "approved"]
    returned = FundingReturn.objects.filter(appropriation=appropriation).aggregate(
        t=MoneySum("amount", default=ZERO)
    )["t"]
    assert returned == D("160000.00")
    assert sorted(Award.objects.values_list("federal_amount", flat=True)) == [
        D("120000.00"),
        D("120000.00"),
    ]


def test_a_decrease_against_a_concurrent_expenditure_never_goes_below_the_spending(
    postgres_only,
):
    """$200,000 with $50,000 spent; a decrease to exactly $50,000 is approved while a
    finance officer spends $0.01 more: whichever is second is refused."""
    approver = factories.make_user("approver-dec-4", groups=[access.FINANCIAL_APPROVER])
    pm, officer, award = _active_award(4)
    request = decrease_propose(
        actor=pm,
        award=award,
        amount="150000.00",
        lines=[LineInput("A", D("50000.00")), LineInput("C", D("0.00"))],
        justification="Program scaled back",
        today=TODAY,
    )

    def approve():
        budget_modification_decide(
            actor=User.objects.get(pk=approver.pk),
            modification=request,
            approve=True,
            today=TODAY,
        )
        return "decreased"

    def spend():
        _spend(officer, award, "0.01", "A")
        return "spent"

    outcomes = _race(approve, spend)
    award = Award.objects.get(pk=award.pk)
    balances = award_balances(award, as_of=date.max)
    assert len(outcomes) == 2 and not any(o.startswith("error") for o in outcomes), outcomes
    assert sum(o in ("decreased", "spent") for o in outcomes) == 1, outcomes
    if "decreased" in outcomes:
        assert award.federal_amount == D("50000.00")
        assert balances.federal_expenditures == D("50000.00")
        assert LedgerEntry.objects.filter(award=award, kind="deobligation").count() == 1
    else:
        assert award.federal_amount == D("200000.00")
        assert balances.federal_expenditures == D("50000.01")
        assert not FundingReturn.objects.exists()
    assert balances.unobligated >= ZERO
