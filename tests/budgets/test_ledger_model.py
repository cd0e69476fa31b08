"""The ledger services against a plain-Python model of the money, step by random step.

Hypothesis drives one active award through random sequences of obligations,
expenditures (federal, paying an obligation or not, and recipient share, in cash or in
kind), disbursements, interest earned on advances and its remittance, drawdown requests
and their decisions, reversals and holds, with good and deliberately
bad amounts. Before each call the model decides whether the service should accept or
refuse; the test asserts the service agreed, that a refusal wrote nothing, and after
every step that the balances the service computes from the ledger equal the model's
(docs/architecture.md#ledger-invariants, 1-3).

Each example works inside its own savepoint, rolled back in `teardown`, so the examples
share the one test database that the `db` fixture opened.

Entries may be back-dated, so the limits hold on every day, not only today: the model
takes the lowest balance on any day from an entry's date on, and the invariants check
the balances as of every date the machine uses.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from budgets import ledger
from budgets.balances import award_balances, match_met, unpaid
from budgets.models import DrawdownRequest, LedgerEntry
from budgets.services import LineInput
from grants import access
from grants.audit import AuditEvent
from grants.models import Award, Hold, Membership
from grants.money import MAX_AMOUNT
from grants.services import hold_lift, hold_place
from tests import factories
from tests.budgets.ledger_helpers import activate

D = Decimal
ZERO = D("0.00")
CENT = D("0.01")

AUTHORIZED = D("10000.00")
# Category A has a recipient (non-federal) budget, C only a federal one, D none at all.
BUDGET = [
    LineInput("A", D("6000.00"), D("2500.00"), "Investigators"),
    LineInput("C", D("4000.00"), ZERO, "Training travel"),
]
FEDERAL_CATEGORIES = {"A", "C"}
RECIPIENT_CATEGORIES = {"A"}

# The factory's period of performance is 2024-10-01..2026-09-30. The services' clock
# (`today=`) is the last day of it, so every date below is in the past for them.
PERIOD_START = date(2024, 10, 1)
TODAY = date(2026, 9, 30)
GOOD_DATES = [
    date(2024, 10, 1),
    date(2025, 1, 15),
    date(2025, 3, 31),
    date(2025, 9, 30),
    date(2026, 1, 15),
    date(2026, 6, 30),
    date(2026, 9, 30),
]
BAD_DATES = [date(2024, 9, 30), date(2026, 10, 1)]  # before the period; after "today"

# An amount is a Decimal, or a token resolved against the model's headroom for the
# rule at hand: exactly what is left, or one cent more.
EXACT, OVER = "exact", "over"
BAD_AMOUNTS = [D("0"), D("0.00"), D("-0.01"), D("-5.00"), D("1.001"), D("0.005")]
small = st.decimals(min_value=CENT, max_value=D("50.00"), places=2)
amounts = st.one_of(
    small,
    small,
    st.decimals(min_value=CENT, max_value=D("4000.00"), places=2),
    st.just(EXACT),
    st.just(OVER),
    st.sampled_from(BAD_AMOUNTS),
)
dates = st.sampled_from(GOOD_DATES + GOOD_DATES + BAD_DATES)
# Mostly the two financial approvers; sometimes the finance officer, who may not decide.
deciders = st.sampled_from(["approver", "approver2", "approver", "approver2", "officer"])

REQUESTED, APPROVED, REJECTED, PAID = (s.value for s in DrawdownRequest.Status)
# The finance officer ("officer") makes every request, so when they try to decide one the
# service refuses it as a separation-of-duties violation, and keeps that on record.
SOD_VIOLATION = "budgets.drawdown.sod_violation"
OPEN = (REQUESTED, APPROVED)


def often(data, label: str) -> bool:
    """True three times in four (st.booleans() and small integers lean to False/0)."""
    return data.draw(st.sampled_from([True, True, True, False]), label=label)


def valid_amount(amount: D) -> bool:
    return amount > 0 and amount == amount.quantize(CENT) and amount <= MAX_AMOUNT


def good_date(day: date) -> bool:
    return PERIOD_START <= day <= TODAY


@dataclass
class Entry:
    pk: int
    kind: str
    share: str
    amount: D
    day: date
    obligation: int | None = None
    expenditure: int | None = None  # the expenditure a disbursement pays
    reverses: int | None = None
    reversed: bool = False
    in_kind: bool = False

    @property
    def signed(self) -> D:
        return -self.amount if self.reverses else self.amount


@dataclass
class Request:
    pk: int
    amount: D
    status: str
    requested_on: date
    decided_by: str | None = None  # persona name


def make_people() -> SimpleNamespace:
    """The personas, a task force and an appropriation: made once per test run and
    shared by every example (each example makes its own award)."""
    task_force = factories.make_task_force("Stateful ICAC Task Force", "va-stateful")
    other = factories.make_task_force("Other ICAC Task Force", "md-other", "MD")
    pm = factories.make_user("pm", groups=[access.PROGRAM_MANAGER])
    fo = Membership.Role.FINANCE_OFFICER
    return SimpleNamespace(
        task_force=task_force,
        appropriation=factories.make_appropriation(pm),
        gadmin=factories.make_user(
            "gadmin", memberships=[(task_force, Membership.Role.GRANT_ADMINISTRATOR)]
        ),
        users={
            "pm": pm,
            "approver": factories.make_user("approver", groups=[access.FINANCIAL_APPROVER]),
            "approver2": factories.make_user("approver2", groups=[access.FINANCIAL_APPROVER]),
            "officer": factories.make_user("officer", memberships=[(task_force, fo)]),
            "outsider": factories.make_user("outsider", memberships=[(other, fo)]),
        },
    )


class LedgerMachine(RuleBasedStateMachine):
    people: SimpleNamespace | None = None  # set by the test function

    def __init__(self):
        super().__init__()
        self.atomic = None
        self.award = None
        self.entries: dict[int, Entry] = {}
        self.requests: dict[int, Request] = {}
        self.holds: dict[int, bool] = {}  # hold pk -> active
        self.last_post = None  # (kwargs, entry pk) of the last accepted entry_post

    # --- set-up and tear-down -------------------------------------------------------

    @initialize(
        need_approval=st.booleans(),
        opening_draw=st.sampled_from([ZERO, D("2500.00")]),
        open_request=st.sampled_from([ZERO, D("500.00")]),
        opening_obligation=st.booleans(),
    )
    def set_up_award(self, need_approval, opening_draw, open_request, opening_obligation):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        people = self.people
        self.users = people.users
        pm = self.users["pm"]
        award = factories.make_award(
            pm,
            task_force=people.task_force,
            appropriation=people.appropriation,
            amount=AUTHORIZED,
            lines=BUDGET,
        )
        award = activate(SimpleNamespace(pm=pm, gadmin_a=people.gadmin), award)
        Award.objects.filter(pk=award.pk).update(drawdowns_need_approval=need_approval)
        award.refresh_from_db()
        self.award = award
        self.need_approval = need_approval
        if opening_draw:
            # Some examples start with cash on hand, so disbursements and the return of
            # a drawdown come up early (the money still moves through the services)...
            day = GOOD_DATES[1]
            request = ledger.drawdown_request(
                actor=self.users["officer"],
                award=award,
                amount=opening_draw,
                idempotency_key=uuid.uuid4(),
                today=day,
            )
            # An advance with no spending yet is above the immediate need: it waits.
            waited = request.status == REQUESTED
            if waited:
                request = ledger.drawdown_approve(
                    actor=self.users["approver"], request=request, today=TODAY
                )
            request = ledger.drawdown_mark_paid(
                actor=self.users["approver2"], request=request, today=day
            )
            self.requests[request.pk] = Request(
                request.pk, opening_draw, PAID, day, "approver" if waited else None
            )
            self.record(request.ledger_entry)
            # Part of the cash is paid out: the drawdown can no longer be returned whole.
            self.post(None, kind="disbursement", amount=D("100.00"), effective_date=day)
        if open_request:
            # ...and some with a request waiting for a decision or for its cash.
            day = GOOD_DATES[2]
            request = ledger.drawdown_request(
                actor=self.users["officer"],
                award=award,
                amount=open_request,
                idempotency_key=uuid.uuid4(),
                today=day,
            )
            self.requests[request.pk] = Request(request.pk, open_request, request.status, day)
        if opening_obligation:
            # An obligation partly paid: it cannot be reversed while the payment stands.
            self.post(
                None,
                kind="obligation",
                amount=D("1000.00"),
                category="C",
                effective_date=GOOD_DATES[1],
            )
            obligation = LedgerEntry.objects.get(pk=max(self.entries))
            self.post(
                None,
                kind="expenditure",
                amount=D("400.00"),
                category="C",
                effective_date=GOOD_DATES[2],
                obligation=obligation,
            )

    def teardown(self):
        if self.atomic is not None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
            self.atomic = None

    # --- the model ------------------------------------------------------------------

    def total(self, as_of: date, **match) -> D:
        return sum(
            (
                e.signed
                for e in self.entries.values()
                if e.day <= as_of and all(getattr(e, k) == v for k, v in match.items())
            ),
            ZERO,
        )

    def liquidated(self, as_of: date) -> D:
        return sum(
            (
                e.signed
                for e in self.entries.values()
                if e.day <= as_of and e.kind == "expenditure" and e.obligation
            ),
            ZERO,
        )

    def model(self, as_of: date = date.max) -> dict[str, D]:
        drawn = self.total(as_of, kind="drawdown") - self.total(as_of, kind="cash_returned")
        disbursed = self.total(as_of, kind="disbursement", share="federal")
        federal = self.total(as_of, kind="expenditure", share="federal")
        unliquidated = self.total(as_of, kind="obligation") - self.liquidated(as_of)
        pending = sum((r.amount for r in self.requests.values() if r.status in OPEN), ZERO)
        return {
            "drawn": drawn,
            "disbursed": disbursed,
            "cash_on_hand": drawn - disbursed,
            "federal_expenditures": federal,
            "recipient_expenditures": self.total(as_of, kind="expenditure", share="recipient"),
            "unliquidated": unliquidated,
            "unobligated": AUTHORIZED - federal - unliquidated,
            "pending_drawdowns": pending,
            "available_to_draw": AUTHORIZED - drawn - pending,
            "program_income": self.total(as_of, kind="program_income"),
            "program_income_spent": self.total(as_of, kind="program_income_spent"),
            "interest_unremitted": self.total(as_of, kind="interest_earned")
            - self.total(as_of, kind="interest_remitted"),
        }

    def paid(self, share: str, as_of: date = date.max) -> D:
        """Expenditures of `share` paid (10e or 10j on the cash basis); an in-kind
        contribution counts as paid on the day it is given."""
        return sum(
            (
                e.signed
                for e in self.entries.values()
                if e.day <= as_of
                and e.share == share
                and (
                    (e.kind == "disbursement" and e.expenditure)
                    or (e.kind == "expenditure" and e.in_kind)
                )
            ),
            ZERO,
        )

    def lowest(self, name: str, since: date) -> D:
        """The lowest balance at the end of any day from `since` on: what an entry dated
        `since` must fit under."""
        days = {since} | {e.day for e in self.entries.values() if e.day >= since}

        def balance(day: date) -> D:
            m = self.model(as_of=day)
            return (
                m["program_income"] - m["program_income_spent"]
                if name == "program_income_unspent"
                else m[name]
            )

        return min(balance(day) for day in days)

    def remaining(self, paid: Entry) -> D:
        """What of an obligation or an expenditure is not yet paid (nothing of an in-kind
        contribution, given rather than paid)."""
        if paid.reversed or paid.in_kind:
            return ZERO
        payments = sum(
            (e.signed for e in self.entries.values() if paid.pk in (e.obligation, e.expenditure)),
            ZERO,
        )
        return paid.amount - payments

    def on_hold(self) -> bool:
        return any(self.holds.values())

    @staticmethod
    def resolve(choice, headroom: D) -> D:
        if choice == EXACT:
            return headroom
        if choice == OVER:
            return headroom + CENT
        return choice

    def db_state(self):
        """Everything a refused call must leave as it was."""
        return (
            LedgerEntry.objects.count(),
            sorted(DrawdownRequest.objects.values_list("pk", "status")),
            sorted(Hold.objects.values_list("pk", "lifted_at")),
        )

    def attempt(self, refusal, call, *, audited: str | None = None):
        """Call the service. `refusal` is None when the model says it must accept, else
        the exception class it must refuse with. A refusal writes nothing but one audit
        event: the one named by `audited` (a requester deciding their own drawdown), or
        else the service's refusal event, saying which refusal it was (grants.refusals).
        Returns the service's result, or None."""
        before = self.db_state()
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            result = call()
        except (ValidationError, PermissionDenied) as error:
            assert refusal is not None, f"the service refused what the model allows: {error!r}"
            assert isinstance(error, refusal), f"expected {refusal.__name__}, got {error!r}"
            assert self.db_state() == before, "a refused call wrote something"
            events = list(AuditEvent.objects.filter(pk__gt=last_event).order_by("pk"))
            actions = [event.action for event in events]
            if audited:
                assert actions == [audited], f"a refused call audited {actions}"
            else:
                refused_as = "invalid" if isinstance(error, ValidationError) else "not permitted"
                assert len(events) == 1 and actions[0].endswith(".refused"), (
                    f"a refused call audited {actions}"
                )
                assert events[0].data["refused_as"] == refused_as
            return None
        assert refusal is None, f"the service accepted what the model refuses ({refusal.__name__})"
        return result

    def record(self, entry: LedgerEntry) -> None:
        self.entries[entry.pk] = Entry(
            pk=entry.pk,
            kind=entry.kind,
            share=entry.share,
            amount=entry.amount,
            day=entry.effective_date,
            obligation=entry.obligation_id,
            expenditure=entry.expenditure_id,
            reverses=entry.reverses_id,
            in_kind=bool(entry.in_kind_basis),
        )
        if entry.reverses_id:
            self.entries[entry.reverses_id].reversed = True

    def post(self, refusal, **fields):
        kwargs = dict(
            actor=self.users["officer"],
            award=self.award,
            idempotency_key=uuid.uuid4(),
            today=TODAY,
            **fields,
        )
        entry = self.attempt(refusal, lambda: ledger.entry_post(**kwargs))
        if entry is not None:
            assert (entry.kind, entry.amount, entry.effective_date) == (
                fields["kind"],
                fields["amount"],
                fields["effective_date"],
            )
            self.record(entry)
            self.last_post = (kwargs, entry.pk)
            if fields.get("paid_on"):  # its payment, written with it
                payment = LedgerEntry.objects.get(expenditure=entry)
                assert (payment.kind, payment.amount, payment.effective_date, payment.share) == (
                    "disbursement",
                    entry.amount,
                    fields["paid_on"],
                    entry.share,
                )
                self.record(payment)

    # --- rules: spending ------------------------------------------------------------

    def post_federal(self, kind, choice, category, day):
        """An obligation, or an expenditure paying none: both must fit under what is
        neither spent nor obligated on every day from `day` on (invariant 2)."""
        headroom = self.lowest("unobligated", day)
        amount = self.resolve(choice, headroom)
        ok = (
            valid_amount(amount)
            and category in FEDERAL_CATEGORIES
            and good_date(day)
            and amount <= headroom
        )
        self.post(
            None if ok else ValidationError,
            kind=kind,
            amount=amount,
            category=category,
            effective_date=day,
        )

    @rule(choice=amounts, category=st.sampled_from(["A", "C", "D"]), day=dates)
    def post_obligation(self, choice, category, day):
        self.post_federal("obligation", choice, category, day)

    @rule(choice=amounts, category=st.sampled_from(["A", "C", "D"]), day=dates)
    def post_federal_expenditure(self, choice, category, day):
        self.post_federal("expenditure", choice, category, day)

    @rule(choice=amounts, category=st.sampled_from(["A", "C"]), day=dates, paid_on=dates)
    def post_paid_federal_expenditure(self, choice, category, day, paid_on):
        """An expenditure typed with its date paid: it must fit under the unobligated
        balance from the day incurred, and its payment under the cash on hand from the
        day paid, which is neither before the day incurred nor a bad date."""
        headroom = self.lowest("unobligated", day)
        amount = self.resolve(choice, headroom)
        ok = (
            valid_amount(amount)
            and category in FEDERAL_CATEGORIES
            and good_date(day)
            and amount <= headroom
            and good_date(paid_on)
            and paid_on >= day
            and amount <= self.lowest("cash_on_hand", paid_on)
        )
        self.post(
            None if ok else ValidationError,
            kind="expenditure",
            amount=amount,
            category=category,
            effective_date=day,
            paid_on=paid_on,
        )

    @precondition(lambda self: any(e.kind == "expenditure" for e in self.entries.values()))
    @rule(data=st.data(), choice=amounts, day=dates, unpaid_only=st.booleans())
    def pay_expenditure(self, data, choice, day, unpaid_only):
        """A disbursement paying an expenditure, later: mostly one not yet paid in full,
        sometimes any (reversed, a reversal, paid in full: all refused). Its share is the
        expenditure's; federal money must be on hand from its date on."""
        candidates = [
            e
            for e in self.entries.values()
            if e.kind == "expenditure"
            and (not unpaid_only or (not e.reverses and self.remaining(e) > 0))
        ]
        if not candidates:
            candidates = [e for e in self.entries.values() if e.kind == "expenditure"]
        expenditure = data.draw(st.sampled_from(sorted(candidates, key=lambda e: e.pk)))
        headroom = ZERO if expenditure.reverses else self.remaining(expenditure)
        if expenditure.share == "federal":
            headroom = min(headroom, self.lowest("cash_on_hand", day))
        amount = self.resolve(choice, headroom)
        ok = (
            valid_amount(amount)
            and not expenditure.reverses
            and not expenditure.reversed
            and good_date(day)
            and expenditure.day <= day
            and amount <= headroom
        )
        self.post(
            None if ok else ValidationError,
            kind="disbursement",
            amount=amount,
            effective_date=day,
            expenditure=LedgerEntry.objects.get(pk=expenditure.pk),
        )

    @precondition(lambda self: any(e.kind == "obligation" for e in self.entries.values()))
    @rule(
        data=st.data(),
        choice=amounts,
        category=st.sampled_from(["A", "C", "D"]),
        day=dates,
        open_only=st.booleans(),
    )
    def pay_obligation(self, data, choice, category, day, open_only):
        """A federal expenditure paying an obligation: mostly an open one, sometimes any
        obligation or reversal of one (reversed, fully paid: all must be refused)."""
        candidates = [
            e
            for e in self.entries.values()
            if e.kind == "obligation"
            and (not open_only or (not e.reverses and self.remaining(e) > 0))
        ]
        if not candidates:
            candidates = [e for e in self.entries.values() if e.kind == "obligation"]
        obligation = data.draw(st.sampled_from(sorted(candidates, key=lambda e: e.pk)))
        headroom = ZERO if obligation.reverses else self.remaining(obligation)
        amount = self.resolve(choice, headroom)
        ok = (
            valid_amount(amount)
            and category in FEDERAL_CATEGORIES
            and not obligation.reverses
            and good_date(day)
            and obligation.day <= day
            and amount <= headroom
        )
        self.post(
            None if ok else ValidationError,
            kind="expenditure",
            amount=amount,
            category=category,
            effective_date=day,
            obligation=LedgerEntry.objects.get(pk=obligation.pk),
        )

    @rule(
        choice=amounts,
        category=st.sampled_from(["A", "C"]),
        day=dates,
        paid_on=st.one_of(st.none(), dates),
    )
    def post_recipient_expenditure(self, choice, category, day, paid_on):
        """Match spending: bounded by nothing but a non-federal budget in its category;
        paid (if it says so) with the recipient's money, not before it is incurred."""
        amount = self.resolve(choice, D("100.00"))
        ok = (
            valid_amount(amount)
            and category in RECIPIENT_CATEGORIES
            and good_date(day)
            and (paid_on is None or (good_date(paid_on) and paid_on >= day))
        )
        self.post(
            None if ok else ValidationError,
            kind="expenditure",
            amount=amount,
            category=category,
            share="recipient",
            effective_date=day,
            paid_on=paid_on,
        )

    @rule(
        choice=amounts,
        category=st.sampled_from(["A", "C"]),
        day=dates,
        share=st.sampled_from(["recipient", "recipient", "federal"]),
        basis=st.sampled_from(["volunteer_services", "donated_space", "goodwill"]),
        description=st.sampled_from(["Reserve deputies, 40 hours at $30", " "]),
    )
    def post_in_kind_match(self, choice, category, day, share, basis, description):
        """Match met in kind: only the recipient's share, on a known basis, described;
        bounded, like cash match, by nothing but a non-federal budget in its category."""
        amount = self.resolve(choice, D("100.00"))
        ok = (
            valid_amount(amount)
            and share == "recipient"
            and category in RECIPIENT_CATEGORIES
            and basis != "goodwill"
            and description.strip()
            and good_date(day)
        )
        self.post(
            None if ok else ValidationError,
            kind="expenditure",
            amount=amount,
            category=category,
            share=share,
            effective_date=day,
            in_kind_basis=basis,
            in_kind_description=description,
        )

    @rule(choice=amounts, day=dates)
    def post_interest_earned(self, choice, day):
        """Interest earned on cash held: bounded by nothing, dated in the period."""
        amount = self.resolve(choice, D("25.00"))
        ok = valid_amount(amount) and good_date(day)
        self.post(
            None if ok else ValidationError,
            kind="interest_earned",
            amount=amount,
            effective_date=day,
        )

    @rule(choice=amounts, day=dates, reason=st.sampled_from(["ACH trace 0421", " "]))
    def post_interest_remitted(self, choice, day, reason):
        """No more remitted than earned, on every day from its date on, with a reason."""
        headroom = self.lowest("interest_unremitted", day)
        amount = self.resolve(choice, headroom)
        ok = valid_amount(amount) and good_date(day) and amount <= headroom and reason.strip()
        self.post(
            None if ok else ValidationError,
            kind="interest_remitted",
            amount=amount,
            effective_date=day,
            memo=reason,
        )

    @rule(choice=amounts, day=dates)
    def post_disbursement(self, choice, day):
        cash = self.lowest("cash_on_hand", day)
        amount = self.resolve(choice, cash)
        ok = valid_amount(amount) and good_date(day) and amount <= cash
        self.post(
            None if ok else ValidationError, kind="disbursement", amount=amount, effective_date=day
        )

    @rule(choice=amounts, day=dates)
    def post_program_income(self, choice, day):
        """Income earned by the project: any valid amount, dated to the liquidation end."""
        amount = self.resolve(choice, D("100.00"))
        ok = valid_amount(amount) and good_date(day)
        self.post(
            None if ok else ValidationError,
            kind="program_income",
            amount=amount,
            effective_date=day,
        )

    @rule(choice=amounts, day=dates)
    def post_program_income_spent(self, choice, day):
        """Program income is spent only once earned, on every day from its date on."""
        unspent = self.lowest("program_income_unspent", day)
        amount = self.resolve(choice, unspent)
        ok = valid_amount(amount) and good_date(day) and amount <= unspent
        self.post(
            None if ok else ValidationError,
            kind="program_income_spent",
            amount=amount,
            effective_date=day,
        )

    @rule(choice=amounts, day=dates, reason=st.sampled_from(["Not needed within 10 days", " "]))
    def post_cash_returned(self, choice, day, reason):
        """Cash sent back lowers cash on hand, so it must fit under it on every day from
        its date on, like a disbursement; it also needs a reason."""
        cash = self.lowest("cash_on_hand", day)
        amount = self.resolve(choice, cash)
        ok = valid_amount(amount) and good_date(day) and amount <= cash and reason.strip()
        self.post(
            None if ok else ValidationError,
            kind="cash_returned",
            amount=amount,
            effective_date=day,
            memo=reason,
        )

    @rule(choice=amounts)
    def outsider_cannot_post(self, choice):
        """Another task force's finance officer is refused before anything is looked at."""
        self.attempt(
            PermissionDenied,
            lambda: ledger.entry_post(
                actor=self.users["outsider"],
                award=self.award,
                kind="expenditure",
                amount=self.resolve(choice, D("1.00")),
                category="A",
                effective_date=GOOD_DATES[1],
                idempotency_key=uuid.uuid4(),
                today=TODAY,
            ),
        )

    @precondition(lambda self: self.last_post is not None)
    @rule(change=st.booleans())
    def resubmit_last_post(self, change):
        """The same idempotency key again: the first entry back, or a conflict."""
        kwargs, pk = self.last_post
        if change:
            kwargs = {**kwargs, "amount": kwargs["amount"] + CENT}
        again = self.attempt(
            ledger.IdempotencyConflict if change else None, lambda: ledger.entry_post(**kwargs)
        )
        if not change:
            assert again.pk == pk

    # --- rules: drawdowns -----------------------------------------------------------

    @rule(choice=amounts, day=st.sampled_from(GOOD_DATES))
    def request_drawdown(self, choice, day):
        available = self.model()["available_to_draw"]
        amount = self.resolve(choice, available)
        ok = valid_amount(amount) and not self.on_hold() and amount <= available
        request = self.attempt(
            None if ok else ValidationError,
            lambda: ledger.drawdown_request(
                actor=self.users["officer"],
                award=self.award,
                amount=amount,
                idempotency_key=uuid.uuid4(),
                today=day,
            ),
        )
        if request is not None:
            # Whether the amount is within the immediate need is tested with exact
            # amounts in test_cash_need; here: a request waits exactly when it says why,
            # and always when the award requires approval of every draw.
            expected = REQUESTED if request.review_reasons else APPROVED
            flagged = "The award requires approval of every drawdown." in request.review_reasons
            assert flagged == self.need_approval
            assert (request.status, request.amount, request.requested_on) == (expected, amount, day)
            self.requests[request.pk] = Request(request.pk, amount, expected, day)

    def any_request(self, *statuses: str) -> bool:
        return any(r.status in statuses for r in self.requests.values())

    def pick_request(self, data, *statuses: str) -> Request:
        """Mostly a request the rule can act on; sometimes any request at all, which
        the service must refuse unless it happens to be in the right status too."""
        requests = sorted(self.requests.values(), key=lambda r: r.pk)
        wanted = [r for r in requests if r.status in statuses]
        if wanted and often(data, "an actionable request"):
            requests = wanted
        return data.draw(st.sampled_from(requests), label="request")

    @precondition(lambda self: self.any_request(REQUESTED))
    @rule(data=st.data(), actor=deciders)
    def approve_drawdown(self, data, actor):
        request = self.pick_request(data, REQUESTED)
        if actor == "officer":
            refusal = PermissionDenied
        elif request.status != REQUESTED or self.on_hold():
            refusal = ValidationError
        else:
            refusal = None
        result = self.attempt(
            refusal,
            lambda: ledger.drawdown_approve(
                actor=self.users[actor],
                request=DrawdownRequest.objects.get(pk=request.pk),
                today=TODAY,
            ),
            audited=SOD_VIOLATION if actor == "officer" else None,
        )
        if result is not None:
            request.status, request.decided_by = APPROVED, actor

    @precondition(lambda self: self.any_request(*OPEN))
    @rule(data=st.data(), actor=deciders, note=st.sampled_from(["Cash not needed yet", "  "]))
    def reject_drawdown(self, data, actor, note):
        request = self.pick_request(data, *OPEN)
        if actor == "officer":
            refusal = PermissionDenied
        elif request.status not in OPEN or not note.strip():
            refusal = ValidationError
        else:
            refusal = None
        result = self.attempt(
            refusal,
            lambda: ledger.drawdown_reject(
                actor=self.users[actor],
                request=DrawdownRequest.objects.get(pk=request.pk),
                note=note,
            ),
            audited=SOD_VIOLATION if actor == "officer" else None,
        )
        if result is not None:
            request.status, request.decided_by = REJECTED, actor

    @precondition(lambda self: self.any_request(APPROVED))
    @rule(data=st.data())
    def mark_drawdown_paid(self, data):
        """Payment is recorded on `day` (the service's today and default paid_on).
        The service does not look at holds here: cash already sent is recorded."""
        request = self.pick_request(data, APPROVED)
        if often(data, "an approver who did not approve it"):
            actor = "approver2" if request.decided_by == "approver" else "approver"
        else:
            actor = data.draw(deciders, label="actor")
        days = [d for d in GOOD_DATES if d >= request.requested_on]
        if not often(data, "paid on or after the request"):
            days = GOOD_DATES
        day = data.draw(st.sampled_from(days), label="day")
        if actor == "officer":
            refusal = PermissionDenied
        elif request.status != APPROVED:
            refusal = ValidationError
        elif request.decided_by == actor:
            refusal = PermissionDenied
        elif day < request.requested_on:
            refusal = ValidationError
        else:
            refusal = None
        result = self.attempt(
            refusal,
            lambda: ledger.drawdown_mark_paid(
                actor=self.users[actor],
                request=DrawdownRequest.objects.get(pk=request.pk),
                today=day,
            ),
            audited=SOD_VIOLATION if actor == "officer" else None,
        )
        if result is not None:
            assert result.ledger_entry.amount == request.amount
            assert result.ledger_entry.effective_date == day
            request.status = PAID
            self.record(result.ledger_entry)

    # --- rules: reversals and holds -------------------------------------------------

    def live_payments(self, paid: Entry) -> list[Entry]:
        return [
            e
            for e in self.entries.values()
            if paid.pk in (e.obligation, e.expenditure) and not e.reverses and not e.reversed
        ]

    def protected(self) -> list[Entry]:
        """Live entries whose reversal a rule refuses: an obligation or expenditure that
        payments still stand against, a drawdown larger than the cash on hand, interest
        earned larger than what of it is not yet remitted."""
        model = self.model()
        cash, unremitted = model["cash_on_hand"], model["interest_unremitted"]
        return [
            e
            for e in sorted(self.entries.values(), key=lambda e: e.pk)
            if not e.reverses
            and not e.reversed
            and (
                (e.kind in ("obligation", "expenditure") and self.live_payments(e))
                or (e.kind == "drawdown" and e.amount > cash)
                or (e.kind == "interest_earned" and e.amount > unremitted)
            )
        ]

    def reverse(self, entry: Entry, day: date, reason: str) -> None:
        ok = (
            bool(reason)
            and not entry.reverses
            and not entry.reversed
            and day >= entry.day
            and not (entry.kind in ("obligation", "expenditure") and self.live_payments(entry))
            and not (entry.kind == "drawdown" and entry.amount > self.lowest("cash_on_hand", day))
            and not (
                entry.kind == "program_income"
                and entry.amount > self.lowest("program_income_unspent", day)
            )
            and not (
                entry.kind == "interest_earned"
                and entry.amount > self.lowest("interest_unremitted", day)
            )
        )
        reversal = self.attempt(
            None if ok else ValidationError,
            lambda: ledger.entry_reverse(
                actor=self.users["officer"],
                entry=LedgerEntry.objects.get(pk=entry.pk),
                reason=reason,
                idempotency_key=uuid.uuid4(),
                effective_date=day,
            ),
        )
        if reversal is not None:
            assert (reversal.reverses_id, reversal.kind, reversal.amount) == (
                entry.pk,
                entry.kind,
                entry.amount,
            )
            self.record(reversal)

    @precondition(lambda self: self.entries)
    @rule(
        data=st.data(),
        day=st.sampled_from(GOOD_DATES),
        reason=st.sampled_from(["Entered in error", ""]),
    )
    def reverse_entry(self, data, day, reason):
        """Mostly an entry not yet reversed; sometimes a reversal or a reversed entry."""
        entries = sorted(self.entries.values(), key=lambda e: e.pk)
        live = [e for e in entries if not e.reverses and not e.reversed]
        if not live or not often(data, "a live entry"):
            live = entries
        self.reverse(data.draw(st.sampled_from(live), label="entry"), day, reason)

    @precondition(lambda self: self.protected())
    @rule(data=st.data())
    def reverse_a_protected_entry(self, data):
        """Whenever the state has one, try the reversals the rules must refuse."""
        entry = data.draw(st.sampled_from(self.protected()), label="entry")
        self.reverse(entry, TODAY, "Entered in error")

    @precondition(lambda self: not self.on_hold())
    @rule()
    def place_hold(self):
        hold = self.attempt(
            None,
            lambda: hold_place(
                actor=self.users["pm"], award=self.award, reason="Single audit finding open"
            ),
        )
        self.holds[hold.pk] = True

    @precondition(lambda self: self.on_hold())
    @rule(data=st.data())
    def lift_hold(self, data):
        active = sorted(pk for pk, on in self.holds.items() if on)
        if not active or not often(data, "an active hold"):
            active = sorted(self.holds)
        pk = data.draw(st.sampled_from(active), label="hold")
        lifted = self.attempt(
            None if self.holds[pk] else ValidationError,
            lambda: hold_lift(
                actor=self.users["pm"], hold=Hold.objects.get(pk=pk), reason="Finding closed"
            ),
        )
        if lifted is not None:
            self.holds[pk] = False

    # --- invariants -----------------------------------------------------------------

    @invariant()
    def balances_equal_the_model_and_keep_the_rules(self):
        # One invariant, not two: award_balances costs most of each step's time.
        if self.award is None:
            return
        b = award_balances(self.award, as_of=date.max)
        expected = self.model()
        interest = b.totals["interest_earned"] - b.totals["interest_remitted"]
        actual = {
            name: interest if name == "interest_unremitted" else getattr(b, name)
            for name in expected
        }
        assert actual == expected
        assert interest >= 0
        assert (b.totals["federal_paid"], b.totals["recipient_paid"]) == (
            self.paid("federal"),
            self.paid("recipient"),
        )
        # The match met splits 10j into cash and in kind.
        in_kind = sum(
            (e.signed for e in self.entries.values() if e.in_kind),
            ZERO,
        )
        met = match_met(self.award, as_of=date.max)
        assert (met.in_kind, met.cash + met.in_kind) == (in_kind, b.recipient_expenditures)
        assert b.authorized == AUTHORIZED
        assert b.drawn + b.pending_drawdowns <= b.authorized  # invariant 1
        assert b.cash_on_hand >= 0
        assert b.unobligated >= 0  # invariant 2
        assert b.available_to_draw >= 0

    @invariant()
    def obligations_and_expenditures_never_overpaid(self):
        if self.award is None:
            return
        obligations = LedgerEntry.objects.filter(
            award=self.award, kind__in=("obligation", "expenditure"), reverses__isnull=True
        ).select_related("reversed_by")
        for obligation in obligations:
            remaining = unpaid(obligation)
            assert remaining >= 0
            assert remaining == self.remaining(self.entries[obligation.pk])

    @invariant()
    def requests_match_the_model(self):
        if self.award is None:
            return
        actual = dict(DrawdownRequest.objects.filter(award=self.award).values_list("pk", "status"))
        assert actual == {pk: r.status for pk, r in self.requests.items()}

    @invariant()
    def balances_hold_as_of_every_date(self):
        """SF-425 reports read the balances as of a period end, not as of today, so
        back-dated entries and reversals dated after their entry must keep the rules on
        every date too."""
        if self.award is None:
            return
        for day in GOOD_DATES:
            b = award_balances(self.award, as_of=day)
            expected = self.model(as_of=day)
            for name in ("drawn", "disbursed", "federal_expenditures", "unliquidated"):
                assert getattr(b, name) == expected[name], f"{name} as of {day}"
            assert b.cash_on_hand >= 0, f"cash on hand {b.cash_on_hand} as of {day}"
            assert b.unobligated >= 0, f"unobligated {b.unobligated} as of {day}"


SETTINGS = settings()  # the profile's (tests/conftest.py): quick locally, full in CI


def test_ledger_services_agree_with_the_model(db):
    LedgerMachine.people = make_people()
    try:
        run_state_machine_as_test(LedgerMachine, settings=SETTINGS)
    finally:
        LedgerMachine.people = None
