"""The declaration of ledger kinds (budgets.kinds) against check_ledgers' independent
recomputation (budgets.reconcile), kind by kind: a kind added to one and not the other,
or counted differently, fails here."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from budgets import ledger_days, reconcile
from budgets.forms import EntryForm
from budgets.kinds import KINDS, TOTAL_NAMES
from budgets.models import LedgerDay, LedgerEntry

DAY = date(2025, 1, 15)


def _entry(program, code: str, share: str, **fields) -> LedgerEntry:
    """An entry written as the posting services write one (ledger._write_entry), without
    their rules: what is counted where is the question here, not what may be posted."""
    kind = KINDS[code]
    entry = LedgerEntry.objects.create(
        award=program.award_a,
        kind=code,
        category="A" if kind.needs_category else "",
        share=share,
        amount=Decimal("100.00"),
        effective_date=DAY,
        actor=program.officer_a,
        idempotency_key=uuid.uuid4(),
        **fields,
    )
    ledger_days.add_entry(entry)
    return entry


def _day_totals() -> dict[str, Decimal]:
    row = LedgerDay.objects.filter(day=DAY).values(*TOTAL_NAMES).first() or {}
    return {name: row.get(name, Decimal("0.00")) for name in TOTAL_NAMES}


CASES = [
    pytest.param(code, share, pays, id=f"{code}-{share}{'-paying' if pays else ''}")
    for code, kind in KINDS.items()
    for share in kind.shares
    for pays in ((False, True) if kind.pays else (False,))
    # A share taken from the entry paid is federal unless the entry pays something.
    if pays or not kind.share_of_paid or share == "federal"
]


def _recomputed(entries) -> dict[str, Decimal]:
    totals = reconcile._python_totals(entries)
    assert set(totals) <= set(TOTAL_NAMES), "check_ledgers counts a total no day keeps"
    return {name: totals[name] for name in TOTAL_NAMES}


@pytest.mark.parametrize("code,share,pays", CASES)
def test_check_ledgers_counts_every_kind_as_the_declaration_does(program, code, share, pays):
    kind = KINDS[code]
    link = {}
    if pays:  # the earlier entry it pays: of its share, where the share is the paid one's
        link[kind.pays] = _entry(program, kind.pays, share if kind.share_of_paid else "federal")
    before = _day_totals()

    # The totals the declaration wrote for the entry, and those check_ledgers recomputes.
    entry = _entry(program, code, share, **link)
    written = {name: total - before[name] for name, total in _day_totals().items()}
    assert written == _recomputed([entry])
    assert any(written.values()), f"{code} moves no total"

    # Its reversal takes back exactly what it added.
    reversal = _entry(program, code, share, reverses=entry, **link)
    assert _day_totals() == before
    assert not any(_recomputed([entry, reversal]).values())

    # The same totals summed in SQL from the entries (ledger_days.LINE_SUMS), and the
    # check itself, comparing the database's totals with its own day by day.
    LedgerDay.objects.all().delete()
    assert ledger_days.rebuild() == 1
    assert _day_totals() == before
    disagreements = [
        str(problem)
        for problem in reconcile.reconcile_award(program.award_a)
        if "disagree" in problem.message or "database says" in problem.message
    ]
    assert disagreements == []


def test_the_day_totals_are_the_declared_totals(db):
    assert reconcile.DAY_TOTALS == TOTAL_NAMES
    assert tuple(ledger_days.LINE_SUMS) == TOTAL_NAMES


@pytest.mark.parametrize("code", [code for code, kind in KINDS.items() if kind.recorded])
def test_each_recorded_kind_has_the_form_its_declaration_says(db, code):
    kind = KINDS[code]
    form = EntryForm(kind=code)
    assert [name for name in form.fields if name != "idempotency_key"] == list(kind.form_fields)
    assert form.fields["effective_date"].label == kind.date_label
    if "share" in form.fields:
        assert [value for value, _ in form.fields["share"].choices] == list(kind.shares)
