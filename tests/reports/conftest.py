"""The award of docs/rules/worked-examples.md#sf-425-for-a-quarter with its ledger, and
filing its SF-425s."""

import signal
import uuid
from datetime import date
from decimal import Decimal

import pytest

from budgets import ledger
from budgets.services import LineInput
from grants.indirect_rates import rate_agreement_record
from reports.services import sf425_submit
from tests import factories
from tests.budgets.ledger_helpers import activate, second_approver

D = Decimal
CERTIFIER = {
    "certifier_name": "Lena Alvarez",
    "certifier_title": "Finance officer",
    "certifier_phone": "555-0100",
    "certifier_email": "lena@example.gov",
}


@pytest.fixture(autouse=True)
def _signal_handlers_restored():
    """`manage.py db_worker` run in-process installs its own SIGINT/SIGTERM/SIGQUIT handlers and,
    in --batch mode, leaves them: put the test run's back, so Ctrl-C still stops it."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def example(program):
    """The award of the SF-425 worked example: $500,000 with a $50,000 match."""
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="500000.00",
        number="15PJDP-25-GK-00072-MECP",
        match_required=D("50000.00"),
        lines=[
            LineInput("A", D("300000.00"), D("50000.00")),
            LineInput("D", D("100000.00")),
            LineInput("H", D("82000.00")),
            LineInput("J", D("18000.00")),
        ],
    )
    activate(program, award)
    award.refresh_from_db()
    rate_agreement_record(
        actor=program.pm,
        recipient=award.recipient,
        rate_type="de_minimis",
        effective_from=date(2024, 10, 1),
    )
    officer, approver = program.officer_a, program.approver

    def post(kind, amount, day, **fields):
        return ledger.entry_post(
            actor=officer,
            award=award,
            kind=kind,
            amount=D(amount),
            effective_date=day,
            idempotency_key=uuid.uuid4(),
            today=date(2025, 4, 10),
            **fields,
        )

    for amount, day in (("120000.00", date(2024, 12, 15)), ("90000.00", date(2025, 3, 10))):
        request = ledger.drawdown_request(
            actor=officer, award=award, amount=D(amount), idempotency_key=uuid.uuid4(), today=day
        )
        if request.status == request.Status.REQUESTED:  # an advance: above the need
            request = ledger.drawdown_approve(actor=second_approver(), request=request, today=day)
        ledger.drawdown_mark_paid(actor=approver, request=request, today=day)
    post("disbursement", "118500.00", date(2024, 12, 20))
    post("disbursement", "80000.00", date(2025, 3, 14))
    # The MTDC base: $108,000 + $12,000 of personnel; the equipment is not in it.
    post("expenditure", "108000.00", date(2025, 3, 1), category="A")
    post("expenditure", "79000.00", date(2025, 3, 1), category="D")
    post("expenditure", "12000.00", date(2025, 3, 1), category="A", share="recipient")
    post(
        "expenditure",
        "18000.00",
        date(2025, 3, 1),
        category="J",
        memo="De minimis 15% of $120,000 MTDC",
    )
    post("obligation", "15000.00", date(2025, 2, 1), category="H")
    program.example = award
    return program


def submit(program, award, period_end, **kwargs):
    kwargs.setdefault("remarks", "Cash drawn 03/10 for the 04/01 payroll.")
    return sf425_submit(
        actor=program.officer_a,
        award=award,
        period_end=period_end,
        certifier=CERTIFIER,
        today=kwargs.pop("today", date(2025, 4, 10)),
        **kwargs,
    )
