from datetime import date
from decimal import Decimal
from io import StringIO

import pgtrigger
import pytest
from django.core.management import CommandError, call_command

from budgets import ledger_days
from budgets.balances import award_balances
from budgets.models import LedgerDay, LedgerEntry
from tests.budgets.ledger_helpers import activate, draw, post

APPEND_ONLY = "budgets.LedgerEntry:ledger_entry_append_only"


def test_check_ledgers_passes_then_names_the_broken_award(program):
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "1000.00")
    post(program, "disbursement", "400.00")
    out = StringIO()
    call_command("check_ledgers", stdout=out)
    assert "2 awards checked" in out.getvalue()

    # Corrupt a posted entry behind the services' back, as a bad migration might (on
    # PostgreSQL past the trigger that refuses it, grants.protected).
    with pgtrigger.ignore(APPEND_ONLY):
        LedgerEntry.objects.filter(kind="disbursement").update(amount=Decimal("1400.00"))
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("check_ledgers", stdout=StringIO(), stderr=err)
    assert (
        "15PJDP-25-GK-00001-MECP: cash on hand is negative on 01/15/2025: -$400.00"
        in err.getvalue()
    )
    # The balances are read from the per-day totals, which still hold the posted $400.
    assert (
        "15PJDP-25-GK-00001-MECP: day totals for 01/15/2025 disagree with the entries: "
        "disbursed $400.00 (entries: $1,400.00)" in err.getvalue()
    )
    assert award_balances(program.award_a, as_of=date.max).disbursed == Decimal("400.00")


def test_day_totals_rebuilt_from_the_entries_agree(program):
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "1000.00", day=date(2025, 1, 10))
    post(program, "disbursement", "400.00", day=date(2025, 1, 15))
    posted = list(LedgerDay.objects.order_by("day").values_list("day", "drawn", "disbursed"))
    assert posted == [
        (date(2025, 1, 10), Decimal("1000.00"), Decimal("0.00")),
        (date(2025, 1, 15), Decimal("0.00"), Decimal("400.00")),
    ]
    LedgerDay.objects.all().delete()
    assert ledger_days.rebuild() == 2
    assert (
        list(LedgerDay.objects.order_by("day").values_list("day", "drawn", "disbursed")) == posted
    )
    call_command("check_ledgers", stdout=StringIO())


def test_check_ledgers_finds_a_past_day_below_zero(program):
    # Today's totals are fine ($600 on hand), but on 01/15/2025 the $400 was paid out
    # before the $1,000 drawdown dated 01/20/2025 had arrived.
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "1000.00", day=date(2025, 1, 10))
    post(program, "disbursement", "400.00", day=date(2025, 1, 15))
    with pgtrigger.ignore(APPEND_ONLY):
        LedgerEntry.objects.filter(kind="drawdown").update(effective_date=date(2025, 1, 20))
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("check_ledgers", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines()[-1] == (
        "15PJDP-25-GK-00001-MECP: cash on hand is negative on 01/15/2025: -$400.00"
    )
