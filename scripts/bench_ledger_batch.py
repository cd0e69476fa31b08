"""Benchmark the ledger import engine (budgets.ledger_batch.post_batch).

Run by hand (pytest does not collect it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_DEBUG=1 \\
        .venv/bin/python scripts/bench_ledger_batch.py [--rows 10000]

Like scripts/bench_ledger.py (whose builders it uses) it never touches the database
DATABASE_URL names: it creates a scratch database beside it, runs the migrations there
and drops it at the end.

On one active award built through the services, with cash drawn, it generates --rows
valid rows of a year's spending (obligations, expenditures paying them, expenditures
paid on a date, disbursements paying expenditures, program income earned and spent,
match in cash and in kind; some back-dated), then times post_batch with dry_run=True
and with dry_run=False, printing entries per second (of wall time, and of this process's
CPU time, the steadier figure on a shared machine) and the number of queries of each,
and runs check_ledgers on the result. The target: 1,000 entries a second or more on
PostgreSQL for the real post.
"""

import argparse
import io
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from bench_ledger import build_award, draw_cash, scratch_run, vendor
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

START = date(2024, 10, 1)
TODAY = date(2026, 9, 30)
TARGET = 1_000  # entries a second, PostgreSQL, real post


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the batch")
    parser.add_argument(
        "--baseline",
        type=int,
        default=300,
        help="of the same rows, how many to post one by one through entry_post, on a "
        "second award, for comparison (0: none)",
    )
    return parser.parse_args()


def make_rows(count: int):
    """`count` valid rows, 20 to a cycle, one cycle every few days over a year."""
    from budgets.ledger_batch import BatchRow

    rows = []
    cycles = -(-count // 20)
    for c in range(cycles):
        day = START + timedelta(days=c * 365 // cycles)
        # One cycle in four has its plain expenditures back-dated up to three weeks.
        back = day - timedelta(days=21 if c % 4 == 3 else 0)
        back = max(back, START)
        n = len(rows)

        def add(reference, kind, amount, on, c=c, **fields):
            rows.append(
                BatchRow(
                    line=len(rows) + 2,
                    reference=f"{reference}-{c}",
                    kind=kind,
                    amount=Decimal(amount),
                    effective_date=on,
                    **fields,
                )
            )

        for o in range(2):
            add(f"PO{o}", "obligation", "400.00", day, category="C")
            for e in range(2):
                add(f"PO{o}E{e}", "expenditure", "150.00", day, category="C", pays=f"PO{o}-{c}")
        for p in range(4):
            add(
                f"PD{p}", "expenditure", "50.00", day, category="A", paid_on=day + timedelta(days=2)
            )
        for e in range(3):
            add(f"EX{e}", "expenditure", "40.00", back, category="A")
        for e in range(3):
            add(f"DB{e}", "disbursement", "40.00", day + timedelta(days=1), pays=f"EX{e}-{c}")
        add("PI", "program_income", "100.00", day)
        add("PS", "program_income_spent", "50.00", day + timedelta(days=1))
        add(
            "MK",
            "expenditure",
            "75.00",
            day,
            category="A",
            share="recipient",
            in_kind_basis="volunteer_services",
            in_kind_description="Three hours of a volunteer examiner at $25",
        )
        add("MC", "expenditure", "60.00", back, category="A", share="recipient")
        assert len(rows) - n == 20
    return rows[:count]


def one_by_one(people, award, rows) -> float:
    """The rows through entry_post, each its own transaction: entries a second."""
    from budgets import ledger
    from budgets.kinds import KINDS
    from budgets.ledger_batch import import_key

    posted, count = {}, 0
    start = time.perf_counter()
    for row in rows:
        pays = KINDS[row.kind].pays
        posted[row.reference] = ledger.entry_post(
            actor=people.officer,
            award=award,
            kind=row.kind,
            amount=row.amount,
            effective_date=row.effective_date,
            idempotency_key=import_key(award, row.reference),
            category=row.category,
            share=row.share,
            memo=row.memo,
            paid_on=row.paid_on,
            in_kind_basis=row.in_kind_basis,
            in_kind_description=row.in_kind_description,
            reference=row.reference,
            today=TODAY,
            **({pays: posted[row.pays]} if row.pays else {}),
        )
        count += 2 if row.paid_on else 1
    return count / (time.perf_counter() - start)


def second_award(people, award):
    """Another active award of the same task force, with cash, for the baseline."""
    from budgets.services import LineInput
    from tests import factories
    from tests.budgets.ledger_helpers import activate

    other = factories.make_award(
        people.pm,
        task_force=award.task_force,
        appropriation=award.funding_lines.first().appropriation,
        amount="1000000.00",
        lines=[
            LineInput("A", Decimal("600000.00"), Decimal("100000.00")),
            LineInput("C", Decimal("400000.00")),
        ],
    )
    other = activate(people, other)
    other.refresh_from_db()
    draw_cash(people, other, "100000.00", second="bench-approver-3")
    return other


def timed(people, award, rows, dry_run: bool):
    from budgets.ledger_batch import post_batch

    with CaptureQueriesContext(connection) as queries:
        start, cpu = time.perf_counter(), time.process_time()
        result = post_batch(
            actor=people.officer,
            award=award,
            rows=rows,
            dry_run=dry_run,
            today=TODAY,
            via="Benchmark import",
        )
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu
    if result.errors:
        for error in result.errors[:10]:
            print(f"  line {error.line} {error.field}: {error.message}")
        raise SystemExit("the benchmark's rows were refused")
    return result, elapsed, cpu, len(queries)


def main() -> int:
    args = parse_args()
    db = vendor()
    with scratch_run():
        people, award, _ = build_award()
        draw_cash(people, award, "1000000.00")
        rows = make_rows(args.rows)

        for dry_run in (True, False):
            result, elapsed, cpu, queries = timed(people, award, rows, dry_run)
            entries = len(result.posted)
            print(
                f"post_batch dry_run={dry_run} ({db}): {len(rows):,} rows, {entries:,} entries "
                f"in {elapsed:.2f} s = {entries / elapsed:,.0f} entries/s "
                f"({len(rows) / elapsed:,.0f} rows/s), {queries} queries; "
                f"{cpu:.2f} s CPU of this process = {entries / cpu:,.0f} entries/s of CPU"
            )
        if db == "postgresql":
            verdict = "met" if entries / elapsed >= TARGET else "missed"
            print(f"target (>= {TARGET:,} entries/s on postgresql, real post): {verdict}")

        again, elapsed, _cpu, queries = timed(people, award, rows, False)
        print(
            f"the same file again: {len(again.already_posted):,} rows already posted, "
            f"{len(again.posted)} entries posted, in {elapsed:.2f} s, {queries} queries"
        )
        if args.baseline:
            rate = one_by_one(people, second_award(people, award), rows[: args.baseline])
            print(
                f"baseline ({db}): the first {args.baseline:,} rows through entry_post one by "
                f"one (each its own transaction): {rate:,.0f} entries/s"
            )
        out = io.StringIO()
        call_command("check_ledgers", stdout=out, stderr=out)
        print("check_ledgers:", out.getvalue().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
