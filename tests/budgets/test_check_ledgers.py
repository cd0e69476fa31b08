from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from budgets.models import LedgerEntry
from tests.budgets.ledger_helpers import activate, draw, post


def test_check_ledgers_passes_then_names_the_broken_award(program):
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "1000.00")
    post(program, "disbursement", "400.00")
    out = StringIO()
    call_command("check_ledgers", stdout=out)
    assert "2 awards checked" in out.getvalue()

    # Corrupt a posted entry behind the services' back, as a bad migration might.
    LedgerEntry.objects.filter(kind="disbursement").update(amount=Decimal("1400.00"))
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("check_ledgers", stdout=StringIO(), stderr=err)
    assert "15PJDP-25-GK-00001-MECP: cash on hand is negative: -$400.00" in err.getvalue()
