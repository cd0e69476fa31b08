"""Budget modifications under the 10% rule and supplements
(docs/rules/award-lifecycle-and-budgets.md#budget-modifications,
docs/rules/worked-examples.md#budget-modification)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from budgets import ledger
from budgets.models import BudgetModification, BudgetVersion
from budgets.modifications import (
    assess,
    budget_modification_decide,
    budget_modification_propose,
    supplement_propose,
)
from budgets.services import LineInput
from budgets.terms import award_terms_as_of
from grants import access
from grants.audit import AuditEvent
from grants.models import Amendment, Appropriation, AwardFunding
from tests import factories
from tests.budgets.ledger_helpers import activate

D = Decimal
TODAY = date(2025, 11, 3)  # simplified acquisition threshold $350,000 in force
# docs/rules/worked-examples.md#budget-modification: a $500,000 award.
V1 = {"A": "200000.00", "C": "20000.00", "D": "80000.00", "E": "60000.00", "I": "140000.00"}


def lines(amounts: dict[str, str]) -> list[LineInput]:
    return [LineInput(code, D(amount)) for code, amount in amounts.items()]


def moved(amounts: dict[str, str], source: str, target: str, amount: str) -> dict[str, str]:
    result = {code: D(value) for code, value in amounts.items()}
    result[source] = result.get(source, D(0)) - D(amount)
    result[target] = result.get(target, D(0)) + D(amount)
    return {code: str(value) for code, value in result.items()}


@pytest.fixture
def big(program):
    """An active $500,000 award of task force A, budget V1."""
    appropriation = factories.make_appropriation(program.pm, fiscal_year=2025, amount="2000000.00")
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=appropriation,
        amount="500000.00",
        lines=lines(V1),
    )
    program.big = activate(program, award)
    program.big_appropriation = appropriation
    return program


def propose(p, amounts, **kw):
    kw.setdefault("today", TODAY)
    return budget_modification_propose(actor=p.officer_a, award=p.big, lines=lines(amounts), **kw)


def current_federal(award) -> dict[str, Decimal]:
    version = award.budget_versions.get(status="approved")
    return {
        line.category: line.federal_amount for line in version.lines.all() if line.federal_amount
    }


def test_worked_example_7_3(big):
    """$30,000 Equipment → Personnel applies at once; then $25,000 Supplies → Travel makes
    $55,000 against the agency's budget, above $50,000: a GAM; $5,000 into Construction
    needs one regardless of size."""
    v2 = moved(V1, "D", "A", "30000.00")
    first = propose(big, v2, justification="Second investigator")
    assert first.status == BudgetModification.Status.APPLIED
    assert (first.cumulative_transfer, first.transfer_limit) == (D("30000.00"), D("50000.00"))
    assert first.transfer_share == D("0.06")
    assert first.needs_approval is False and first.amendment is None
    assert first.result.number == 2 and first.result.status == "approved"
    assert first.result.agency_approved is False
    assert BudgetVersion.objects.get(award=big.big, number=1).status == "superseded"
    assert current_federal(big.big)["A"] == D("230000.00")

    v3 = moved(v2, "E", "C", "25000.00")
    second = propose(big, v3, justification="Regional trainings")
    assert second.status == BudgetModification.Status.REQUESTED
    assert second.base.number == 1  # the agency's last approved budget, not version 2
    assert second.cumulative_transfer == D("55000.00")
    assert second.transfer_share == D("0.11")
    assert second.exceeds_transfer_limit is True and second.needs_approval is True
    assert second.amendment.kind == Amendment.Kind.BUDGET_MODIFICATION
    assert second.amendment.status == Amendment.Status.REQUESTED
    assert current_federal(big.big)["C"] == D("20000.00")  # nothing applied yet
    applied = AuditEvent.objects.get(action="budgets.modification.applied").data
    assert applied["after"]["version"] == 2 and applied["after"]["lines"]["A"][0] == "230000.00"
    assert applied["cumulative_transfer"] == "30000.00" and "amendment" not in applied
    requested = AuditEvent.objects.get(action="budgets.modification.requested").data
    assert "version" not in requested["after"] and requested["after"]["lines"]["C"][0] == "45000.00"
    assert requested["amendment"] == second.amendment.number
    assert requested["cumulative_transfer"] == "55000.00" and requested["needs_approval"] is True

    construction = assess(
        award=big.big, lines=lines(moved(v2, "I", "F", "5000.00")), scope_change=False, on=TODAY
    )
    assert construction.cumulative_transfer == D("35000.00")
    assert construction.exceeds_transfer_limit is False
    assert construction.new_categories == ["F"]
    assert construction.needs_approval is True
    assert construction.reasons == [
        "F. Construction had no federal budget in the last approved version."
    ]


def test_approval_writes_the_version_and_becomes_the_new_base(big):
    request = propose(big, moved(V1, "E", "C", "55000.00"))
    decided = budget_modification_decide(
        actor=big.pm, modification=request, approve=True, today=TODAY
    )
    assert decided.status == "approved" and decided.decided_by == big.pm
    assert decided.result.number == 2 and decided.result.agency_approved is True
    assert decided.result.approved_by == big.pm
    assert decided.amendment.status == "approved" and decided.amendment.effective_on == TODAY
    assert current_federal(big.big)["C"] == D("75000.00")
    # The next small change is measured against the version just approved.
    small = propose(big, moved(moved(V1, "E", "C", "55000.00"), "A", "I", "1000.00"))
    assert small.base == decided.result and small.cumulative_transfer == D("1000.00")
    assert small.status == "applied"
    actions = list(
        AuditEvent.objects.filter(action__startswith="budgets.modification").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "budgets.modification.applied",
        "budgets.modification.approved",
        "budgets.modification.requested",
    ]


def test_rejection_changes_nothing_and_needs_a_reason(big):
    request = propose(big, moved(V1, "I", "F", "5000.00"))
    with pytest.raises(ValidationError, match="Say why the request is rejected"):
        budget_modification_decide(actor=big.pm, modification=request, approve=False, today=TODAY)
    rejected = budget_modification_decide(
        actor=big.pm,
        modification=request,
        approve=False,
        note="Construction is not allowable",
        today=TODAY,
    )
    assert rejected.status == "rejected" and rejected.result is None
    assert rejected.amendment.status == "rejected"
    assert current_federal(big.big) == {k: D(v) for k, v in V1.items()}
    assert big.big.budget_versions.count() == 1


def test_scope_change_needs_approval_and_a_description(big):
    with pytest.raises(ValidationError, match="Describe the change of scope"):
        propose(big, moved(V1, "A", "C", "100.00"), scope_change=True)
    request = propose(
        big,
        moved(V1, "A", "C", "100.00"),
        scope_change=True,
        scope_description="Add a prevention programme",
    )
    assert request.status == "requested"
    assert request.scope_change and request.scope_description == "Add a prevention programme"


def test_the_threshold_in_force_decides_whether_the_10_percent_rule_applies(program):
    """A $300,000 award: above the $250,000 threshold in September 2025, below the
    $350,000 one from October 2025."""
    appropriation = factories.make_appropriation(program.pm, fiscal_year=2025, amount="2000000.00")
    award = activate(
        program,
        factories.make_award(
            program.pm,
            task_force=program.task_force_a,
            appropriation=appropriation,
            amount="300000.00",
            lines=lines({"A": "200000.00", "C": "100000.00"}),
        ),
    )
    transfer = lines({"A": "140000.00", "C": "160000.00"})  # 20%
    before = assess(award=award, lines=transfer, scope_change=False, on=date(2025, 9, 30))
    after = assess(award=award, lines=transfer, scope_change=False, on=date(2025, 10, 1))
    assert (
        before.simplified_acquisition_threshold == D("250000.00") and before.exceeds_transfer_limit
    )
    assert (
        after.simplified_acquisition_threshold == D("350000.00")
        and not after.exceeds_transfer_limit
    )
    applied = budget_modification_propose(
        actor=program.officer_a, award=award, lines=transfer, today=date(2025, 10, 1)
    )
    assert applied.status == "applied" and applied.cumulative_transfer == D("60000.00")


def test_a_budget_that_does_not_add_up_is_refused(big):
    bad = dict(V1, A="199999.99")
    with pytest.raises(
        ValidationError,
        match=r"The federal lines add up to \$499,999.99, but the award is \$500,000.00: \$0.01 short",
    ):
        propose(big, bad)
    assert not BudgetModification.objects.exists()


def test_an_unchanged_budget_is_refused(big):
    with pytest.raises(ValidationError, match="The proposed budget is the same as the current one"):
        propose(big, V1)


def test_only_the_task_forces_finance_officers_propose(big):
    for person in (big.officer_b, big.pm, big.gadmin_a, big.auditor):
        with pytest.raises(PermissionDenied):
            budget_modification_propose(
                actor=person, award=big.big, lines=lines(moved(V1, "A", "C", "1.00")), today=TODAY
            )
    assert not BudgetModification.objects.exists()


def test_one_request_waits_at_a_time(big):
    propose(big, moved(V1, "I", "F", "5000.00"))
    with pytest.raises(ValidationError, match="already waiting for approval"):
        propose(big, moved(V1, "A", "C", "100.00"))


def test_the_requester_cannot_approve_whatever_roles_they_hold(big):
    """A finance officer who is also a program manager proposes, then tries to approve."""
    big.officer_a.groups.add(Group.objects.get(name=access.PROGRAM_MANAGER))
    big.officer_a._icac_groups = None
    request = propose(big, moved(V1, "I", "F", "5000.00"))
    for approve in (True, False):
        with pytest.raises(PermissionDenied, match="cannot approve or reject"):
            budget_modification_decide(
                actor=big.officer_a, modification=request, approve=approve, note="x", today=TODAY
            )
    request.refresh_from_db()
    assert request.status == "requested" and request.decided_by is None
    assert big.big.budget_versions.count() == 1
    refusals = AuditEvent.objects.filter(action="budgets.modification.sod_violation")
    assert [(e.actor, e.data["attempted"]) for e in refusals.order_by("pk")] == [
        (big.officer_a, "approve"),
        (big.officer_a, "reject"),
    ]


def test_the_database_refuses_a_self_decision(big):
    request = propose(big, moved(V1, "I", "F", "5000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetModification.objects.filter(pk=request.pk).update(decided_by=request.requested_by)
    with pytest.raises(IntegrityError), transaction.atomic():
        Amendment.objects.filter(pk=request.amendment_id).update(decided_by=request.requested_by)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetModification.objects.create(
            award=big.big,
            status="requested",
            replaces=request.replaces,
            base=request.base,
            award_amount=D("1.00"),
            cumulative_transfer=D("0"),
            transfer_limit=D("0"),
            transfer_pct=D("10"),
            simplified_acquisition_threshold=D("0"),
            needs_approval=True,
            requested_by=big.officer_a,
            requested_on=TODAY,
        )  # a second open request


def test_only_a_program_manager_decides_a_modification(big):
    request = propose(big, moved(V1, "I", "F", "5000.00"))
    for person in (big.approver, big.auditor, big.officer_b):
        with pytest.raises(PermissionDenied):
            budget_modification_decide(
                actor=person, modification=request, approve=True, today=TODAY
            )


def test_approval_is_refused_when_the_budget_changed_meanwhile(big):
    request = propose(big, moved(V1, "I", "F", "5000.00"))
    from budgets.services import version_write

    # Another version became current meanwhile (written as the services write it).
    version_write(
        award=big.big,
        lines=lines(moved(V1, "A", "C", "10.00")),
        created_by=big.pm,
        approved_by=big.pm,
    )
    with pytest.raises(
        ValidationError,
        match=r"The budget changed since this was proposed \(version 2 is now current\)",
    ):
        budget_modification_decide(actor=big.pm, modification=request, approve=True, today=TODAY)


def _spend(p, category, day=date(2025, 11, 3)):
    return ledger.entry_post(
        actor=p.officer_a,
        award=p.big,
        kind="expenditure",
        amount="100.00",
        category=category,
        effective_date=day,
        idempotency_key=uuid.uuid4(),
        today=day,
    )


def test_spending_follows_the_current_version(big):
    """Construction becomes spendable once approved; Other costs, moved to zero, refuse."""
    with pytest.raises(ValidationError, match="F. Construction has no approved federal budget"):
        _spend(big, "F")
    request = propose(big, {**moved(V1, "I", "F", "5000.00"), "I": "0.00", "A": "335000.00"})
    budget_modification_decide(actor=big.pm, modification=request, approve=True, today=TODAY)
    assert _spend(big, "F").category == "F"
    with pytest.raises(ValidationError, match="I. Other costs has no approved federal budget"):
        _spend(big, "I")


# --- Supplements ---------------------------------------------------------------------


def supplement(p, amount="100000.00", **kw):
    kw.setdefault("today", date(2025, 3, 1))
    new = dict(V1, A=str(D(V1["A"]) + D(amount)))
    return supplement_propose(
        actor=p.pm,
        award=p.big,
        appropriation=kw.pop("appropriation", p.big_appropriation),
        amount=amount,
        lines=lines(kw.pop("amounts", new)),
        justification="Second forensic lab",
        **kw,
    )


def test_supplement_adds_funding_and_a_budget_when_approved(big):
    request = supplement(big)
    assert request.status == "requested" and request.needs_approval
    assert request.amendment.kind == "supplement" and request.amendment.amount == D("100000.00")
    big.big.refresh_from_db()
    assert big.big.federal_amount == D("500000.00")  # nothing until approved
    approved = budget_modification_decide(
        actor=big.approver, modification=request, approve=True, today=date(2025, 3, 1)
    )
    big.big.refresh_from_db()
    assert big.big.federal_amount == D("600000.00")
    line = AwardFunding.objects.get(amendment=approved.amendment)
    assert (line.amount, line.appropriation) == (D("100000.00"), big.big_appropriation)
    assert approved.result.number == 2 and sum(
        x.federal_amount for x in approved.result.lines.all()
    ) == D("600000.00")
    assert (
        AuditEvent.objects.filter(action="grants.award.supplemented", actor=big.approver).count()
        == 1
    )


def test_supplement_notice_shows_the_federal_amount_before_and_after(big, tmp_path):
    from reports.exports.award_pdf import build_amendment_pdf
    from tests.reports.test_pdf_documents import has_line, lines_of

    request = supplement(big)
    approved = budget_modification_decide(
        actor=big.approver, modification=request, approve=True, today=date(2025, 3, 1)
    )
    lines = lines_of(build_amendment_pdf(approved.amendment, user=big.pm), tmp_path)
    assert has_line(lines, "Award: Federal amount", "$500,000.00", "$600,000.00")


def test_supplement_larger_than_what_is_left_is_refused(big):
    # $2,000,000 less $100,000 set aside less $500,000 awarded = $1,400,000 left.
    with pytest.raises(
        ValidationError,
        match=r"has \$1,400,000.00 left after set-asides and earlier awards; the supplement asks for \$1,400,000.01, \$0.01 too much",
    ):
        supplement(big, amount="1400000.01")
    assert not Amendment.objects.exists()


def test_supplement_checked_again_under_the_lock_at_approval(big):
    request = supplement(big, amount="1400000.00")
    factories.make_award(
        big.pm, task_force=big.task_force_b, appropriation=big.big_appropriation, amount="1.00"
    )
    with pytest.raises(
        ValidationError,
        match=r"\$1,399,999.00 left after set-asides and earlier awards; this award asks for \$1,400,000.00, \$1.00 too much",
    ):
        budget_modification_decide(
            actor=big.approver, modification=request, approve=True, today=date(2025, 3, 1)
        )
    request.refresh_from_db()
    big.big.refresh_from_db()
    assert request.status == "requested" and big.big.federal_amount == D("500000.00")


def test_supplement_budget_must_add_up_to_the_new_total(big):
    with pytest.raises(
        ValidationError, match=r"the award with the supplement is \$600,000.00: \$100,000.00 short"
    ):
        supplement(big, amounts=V1)
    with pytest.raises(ValidationError) as refused:
        supplement(big, amounts=dict(V1, A="350000.00"))
    assert refused.value.message_dict["lines"] == [
        "The federal lines add up to $650,000.00, but the award with the supplement is "
        "$600,000.00: $50,000.00 too much."
    ]
    assert not BudgetModification.objects.exists()


def test_supplement_by_requester_refused_and_only_program_office_decides(big):
    request = supplement(big)
    with pytest.raises(PermissionDenied):
        budget_modification_decide(actor=big.pm, modification=request, approve=True)
    with pytest.raises(PermissionDenied):
        budget_modification_decide(actor=big.officer_a, modification=request, approve=True)
    assert AuditEvent.objects.filter(
        action="budgets.modification.sod_violation", actor=big.pm
    ).exists()


def test_terms_as_of_a_date_before_and_after_a_supplement(big):
    request = supplement(big)
    budget_modification_decide(
        actor=big.approver, modification=request, approve=True, today=date(2025, 3, 1)
    )
    big.big.refresh_from_db()
    before = award_terms_as_of(big.big, date(2025, 2, 28))
    after = award_terms_as_of(big.big, date(2025, 3, 1))
    assert before.terms.federal_amount == D("500000.00") and len(before.terms.funding_lines) == 1
    assert before.budget.number == 1 and before.budget.federal_total == D("500000.00")
    assert after.terms.federal_amount == D("600000.00") and len(after.terms.funding_lines) == 2
    assert after.budget.number == 2 and after.budget.federal_total == D("600000.00")
    assert [a.kind for a in after.terms.amendments_in_effect] == ["supplement"]
    assert before.terms.amendments_in_effect == []
    # The day before the award existed (recorded later, so its period's first day) it had
    # no terms: nothing is shown as if its first terms applied.
    assert award_terms_as_of(big.big, date(2024, 10, 1)).terms.federal_amount == D("500000.00")
    assert award_terms_as_of(big.big, date(2024, 9, 30)) is None


def test_no_approval_once_the_award_is_in_closeout(big):
    from grants.services import award_transition

    request = supplement(big)
    with pytest.raises(ValidationError) as raised:
        award_transition(actor=big.pm, award=big.big, to_status="in_closeout")
    assert raised.value.messages == [
        "Decide the requests still waiting before closeout: amendment 1 (supplement)."
    ]
    # Had the award moved to closeout anyway, approving is refused; rejecting is not.
    type(big.big).objects.filter(pk=big.big.pk).update(status="in_closeout")
    with pytest.raises(ValidationError, match="is in closeout; only accepted and active"):
        budget_modification_decide(
            actor=big.approver, modification=request, approve=True, today=date(2025, 3, 1)
        )
    big.big.refresh_from_db()
    assert big.big.federal_amount == D("500000.00")
    assert not AwardFunding.objects.filter(amendment=request.amendment).exists()
    rejected = budget_modification_decide(
        actor=big.approver, modification=request, approve=False, note="Award closing"
    )
    assert rejected.status == "rejected"


def test_a_category_cannot_go_below_what_is_spent_or_owed_in_it(big):
    spend = dict(
        actor=big.officer_a, award=big.big, category="D", idempotency_key=None, today=TODAY
    )
    ledger.entry_post(
        **{**spend, "idempotency_key": uuid.uuid4()},
        kind="expenditure",
        amount=D("45000.00"),
        effective_date=date(2025, 2, 3),
    )
    ledger.entry_post(
        **{**spend, "idempotency_key": uuid.uuid4()},
        kind="obligation",
        amount=D("15000.00"),
        effective_date=date(2025, 2, 4),
    )
    # Equipment has $80,000: $45,000 spent and $15,000 owed. Moving $20,000 out is fine
    # (4% of the award); $20,000.01 would leave spending unbudgeted.
    with pytest.raises(ValidationError) as raised:
        propose(big, moved(V1, "D", "A", "20000.01"))
    assert raised.value.message_dict["lines"] == [
        "D. Equipment: $59,999.99 is below the $60,000.00 already spent or obligated in it."
    ]
    assert BudgetModification.objects.count() == 0
    assert propose(big, moved(V1, "D", "A", "20000.00")).status == "applied"


def test_sf425_authorized_follows_a_supplement_from_its_effective_day(big):
    from budgets.balances import award_balances

    request = supplement(big)
    budget_modification_decide(
        actor=big.approver, modification=request, approve=True, today=date(2025, 3, 1)
    )
    before, after = (
        award_balances(big.big, as_of=day).authorized
        for day in (date(2025, 2, 28), date(2025, 3, 1))
    )
    assert (before, after) == (D("500000.00"), D("600000.00"))
    # A federal expenditure dated before the supplement fits under the $500,000 then in force.
    with pytest.raises(ValidationError) as raised:
        ledger.entry_post(
            actor=big.officer_a,
            award=big.big,
            kind="expenditure",
            category="A",
            amount=D("500000.01"),
            effective_date=date(2025, 2, 3),
            idempotency_key=uuid.uuid4(),
            today=TODAY,
        )
    assert raised.value.message_dict["amount"] == [
        "$500,000.01 is $0.01 more than the $500,000.00 of federal funds not yet spent or "
        "obligated on 02/03/2025."
    ]


def test_a_lower_match_needs_prior_approval_whatever_the_transfer(program):
    appropriation = factories.make_appropriation(program.pm, fiscal_year=2025, amount="900000.00")
    base = [LineInput("A", D("60000.00"), D("20000.00")), LineInput("C", D("40000.00"))]
    award = activate(
        program,
        factories.make_award(
            program.pm,
            task_force=program.task_force_a,
            appropriation=appropriation,
            amount="100000.00",
            lines=base,
        ),
    )
    lower = [LineInput("A", D("60000.00"), D("19999.99")), LineInput("C", D("40000.00"))]
    request = budget_modification_propose(
        actor=program.officer_a, award=award, lines=lower, justification="x", today=TODAY
    )
    assert request.status == "requested" and request.match_reduced
    assert request.cumulative_transfer == D("0.00")  # no federal money moved
    assessment = assess(award=award, lines=lower, scope_change=False, on=TODAY)
    assert assessment.reasons == [
        "The recipient's share falls from $20,000.00 to $19,999.99: a change in cost sharing."
    ]


def test_available_to_draw_counts_a_supplement_only_from_its_effective_day(big):
    request = supplement(big)
    budget_modification_decide(
        actor=big.approver, modification=request, approve=True, today=date(2025, 3, 1)
    )

    def draw(amount, today):
        return ledger.drawdown_request(
            actor=big.officer_a,
            award=big.big,
            amount=D(amount),
            idempotency_key=uuid.uuid4(),
            today=today,
        )

    with pytest.raises(ValidationError) as raised:
        draw("500000.01", date(2025, 2, 28))
    assert raised.value.message_dict["amount"] == [
        "$500,000.01 is $0.01 more than the $500,000.00 available to draw."
    ]
    assert draw("500000.01", date(2025, 3, 1)).amount == D("500000.01")


def test_a_supplement_is_not_funded_from_money_that_expired_before_its_approval(big):
    Appropriation.objects.filter(pk=big.big_appropriation.pk).update(
        available_until=date(2025, 3, 31)
    )
    request = supplement(big)  # proposed while the money is available
    with pytest.raises(ValidationError) as raised:
        budget_modification_decide(
            actor=big.approver, modification=request, approve=True, today=date(2025, 4, 1)
        )
    assert "was available for new awards until 03/31/2025" in raised.value.messages[0]
    big.big.refresh_from_db()
    assert big.big.federal_amount == D("500000.00")
