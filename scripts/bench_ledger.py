"""Benchmark the ledger: posting throughput and the cost of computing balances.

Run by hand (pytest does not collect it):

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_ledger.py [--entries 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_DEBUG=1 \\
        .venv/bin/python scripts/bench_ledger.py

It never touches the database DATABASE_URL names: like the test runner, it creates a
scratch database beside it (PostgreSQL: `test_bench_ledger_<pid>`; SQLite: a temporary
file), runs the migrations there, and drops it at the end, even on failure.

What it measures, on one active award built through the services:
  (a) posting throughput through `entry_post`, each post its own transaction;
  (b) `award_balances` with --entries ledger rows bulk-inserted for that award (and their
      per-day totals rebuilt): 20 runs, min/median/max, and the query plan of the
      aggregate over the per-day totals (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY
      PLAN on SQLite), whether the (award, day) index is used; and, for reference, the
      same sums taken over the entries themselves, which the per-day totals replace;
  (c) posting throughput again with that many entries on the award (each post checks
      the lowest balances from its date on under the award lock).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from budgets import ledger_days  # noqa: E402

INDEX = "budgets_ledger_day_unique"
PERIOD_START, PERIOD_END = date(2024, 10, 1), date(2026, 9, 30)
TODAY = PERIOD_END
REPORT_DAY = date(2025, 12, 31)  # a quarter end, as an SF-425 asks for
TARGET_MS = 50


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000, help="ledger rows to bulk-insert")
    parser.add_argument("--posts", type=int, default=2_000, help="entry_post calls for throughput")
    parser.add_argument(
        "--posts-large", type=int, default=200, help="entry_post calls once the ledger is large"
    )
    parser.add_argument("--runs", type=int, default=20, help="award_balances runs to time")
    parser.add_argument("--batch", type=int, default=5_000, help="bulk_create batch size")
    parser.add_argument(
        "--other-entries",
        type=int,
        default=0,
        help="rows to spread over other awards first, so the award filter is selective",
    )
    parser.add_argument("--other-awards", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20241001)
    return parser.parse_args()


def vendor() -> str:
    return connection.vendor


def scratch_database(prefix: str = "bench_ledger"):
    """Point the test-database name at a scratch name of our own, never the real one
    and never the name the test suite uses, then create it (with the migrations)."""
    real = connection.settings_dict["NAME"]
    test = connection.settings_dict.setdefault("TEST", {})
    if vendor() == "sqlite":
        handle, path = tempfile.mkstemp(prefix=f"{prefix}_", suffix=".sqlite3")
        os.close(handle)
        os.unlink(path)
        test["NAME"] = path
    else:
        test["NAME"] = f"test_{prefix}_{os.getpid()}"
    assert str(test["NAME"]) != str(real), "refusing to benchmark in the real database"
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    return old_name, test["NAME"]


@contextmanager
def scratch_run(prefix: str = "bench_ledger", *, keep: bool = False, reuse: str | None = None):
    """A benchmark's database: a scratch one made with the migrations on entry and dropped
    on the way out, even on failure (kept with `keep`), or `reuse`, a kept one measured
    again as it is. Prints which one and yields its name."""
    # Builders make a few users; PBKDF2 would only slow the set-up down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment(debug=False)
    try:
        if reuse:
            connection.close()
            connection.settings_dict["NAME"] = reuse
            print(f"database: {vendor()} (the kept database {reuse}, measured as it is)")
            yield reuse
            return
        old_name, scratch = scratch_database(prefix)
        try:
            kept = ", kept at the end" if keep else "; the real one is untouched"
            print(f"database: {vendor()} (scratch database {scratch}{kept})")
            yield scratch
        finally:
            if not keep:
                connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
    finally:
        teardown_test_environment()


def build_award(extra_awards: int = 0):
    """Personas, an appropriation and one active award, through the services (and
    `extra_awards` more, active too, to hold other awards' entries)."""
    from budgets.services import LineInput
    from grants import access
    from grants.models import Membership
    from tests import factories
    from tests.budgets.ledger_helpers import activate

    task_force = factories.make_task_force("Bench ICAC Task Force", "va-bench")
    pm = factories.make_user("bench-pm", groups=[access.PROGRAM_MANAGER])
    people = SimpleNamespace(
        pm=pm,
        approver=factories.make_user("bench-approver", groups=[access.FINANCIAL_APPROVER]),
        officer=factories.make_user(
            "bench-officer", memberships=[(task_force, Membership.Role.FINANCE_OFFICER)]
        ),
        gadmin_a=factories.make_user(
            "bench-gadmin", memberships=[(task_force, Membership.Role.GRANT_ADMINISTRATOR)]
        ),
    )
    appropriation = factories.make_appropriation(pm, amount="100000000.00", set_aside="0")
    award = factories.make_award(
        pm,
        task_force=task_force,
        appropriation=appropriation,
        amount="50000000.00",
        lines=[
            LineInput("A", Decimal("30000000.00"), Decimal("5000000.00"), "Investigators"),
            LineInput("C", Decimal("20000000.00"), Decimal("0.00"), "Training travel"),
        ],
    )
    award = activate(people, award)
    award.refresh_from_db()
    others = []
    for _ in range(extra_awards):
        other = factories.make_award(
            pm, task_force=task_force, appropriation=appropriation, amount="100000.00"
        )
        others.append(activate(people, other))
    return people, award, others


def draw_cash(people, award, amount: str, second: str = "bench-approver-2") -> None:
    """Cash received on the first day: requested, approved by one financial approver
    (`second`, made here) when it is more than the award's immediate need, and its
    payment recorded by another."""
    from budgets import ledger
    from grants import access
    from tests import factories

    request = ledger.drawdown_request(
        actor=people.officer,
        award=award,
        amount=Decimal(amount),
        idempotency_key=uuid.uuid4(),
        today=PERIOD_START,
    )
    if request.status == request.Status.REQUESTED:
        approver = factories.make_user(second, groups=[access.FINANCIAL_APPROVER])
        request = ledger.drawdown_approve(actor=approver, request=request, today=PERIOD_START)
    ledger.drawdown_mark_paid(actor=people.approver, request=request, today=PERIOD_START)


def posting_throughput(people, award, count: int, kinds: tuple[str, ...] | None = None) -> float:
    """entry_post calls per second, each its own transaction (no outer atomic)."""
    from budgets import ledger

    plans = {
        "expenditure": dict(kind="expenditure", category="A"),
        "obligation": dict(kind="obligation", category="C"),
        "recipient": dict(kind="expenditure", category="A", share="recipient"),
        "disbursement": dict(kind="disbursement"),
        "program_income": dict(kind="program_income"),
    }
    plan = [plans[k] for k in (kinds or plans)]
    assert connection.get_autocommit() and not connection.in_atomic_block
    start = time.perf_counter()
    for i in range(count):
        ledger.entry_post(
            actor=people.officer,
            award=award,
            amount=Decimal("1.00"),
            effective_date=PERIOD_START + timedelta(days=i % 700),
            idempotency_key=uuid.uuid4(),
            today=TODAY,
            **plan[i % len(plan)],
        )
    return count / (time.perf_counter() - start)


def bulk_entries(people, award, total: int, batch: int, rng: random.Random) -> None:
    """`total` rows on the award: obligations first (so expenditures can pay them), then
    a mix of kinds, then reversals of a sample of them (5%)."""
    from budgets.models import LedgerEntry

    days = (PERIOD_END - PERIOD_START).days

    def entry(kind, **fields):
        if kind in ("obligation", "expenditure"):
            fields.setdefault("category", rng.choice("AC"))
        return LedgerEntry(
            award=award,
            kind=kind,
            amount=Decimal(rng.randint(100, 50_000)) / 100,
            effective_date=fields.pop(
                "effective_date", PERIOD_START + timedelta(days=rng.randint(0, days))
            ),
            actor=people.officer,
            idempotency_key=uuid.uuid4(),
            **fields,
        )

    reversals = total // 20
    obligations_n = (total - reversals) * 15 // 100
    rest = total - reversals - obligations_n
    created: list[LedgerEntry] = []
    obligations = [entry("obligation") for _ in range(obligations_n)]
    for i in range(0, len(obligations), batch):
        created += LedgerEntry.objects.bulk_create(obligations[i : i + batch])
    kinds = (
        ["expenditure"] * 25
        + ["paying"] * 10
        + ["recipient"] * 10
        + ["disbursement"] * 30
        + ["drawdown"] * 15
        + ["program_income"] * 10
    )
    pending: list[LedgerEntry] = []
    for _ in range(rest):
        kind = rng.choice(kinds)
        if kind == "paying":
            pending.append(entry("expenditure", obligation=rng.choice(obligations)))
        elif kind == "recipient":
            pending.append(entry("expenditure", category="A", share="recipient"))
        else:
            pending.append(entry(kind))
        if len(pending) == batch:
            created += LedgerEntry.objects.bulk_create(pending)
            pending = []
    if pending:
        created += LedgerEntry.objects.bulk_create(pending)
    pending = []
    for original in rng.sample(created, reversals):
        later = min(PERIOD_END, original.effective_date + timedelta(days=rng.randint(0, 90)))
        pending.append(
            LedgerEntry(
                award=award,
                kind=original.kind,
                category=original.category,
                share=original.share,
                amount=original.amount,
                effective_date=later,
                actor=people.officer,
                idempotency_key=uuid.uuid4(),
                obligation_id=original.obligation_id,
                reverses=original,
                memo="bench reversal",
            )
        )
        if len(pending) == batch:
            LedgerEntry.objects.bulk_create(pending)
            pending = []
    if pending:
        LedgerEntry.objects.bulk_create(pending)


def analyze() -> None:
    with connection.cursor() as cursor:
        if vendor() == "postgresql":
            # VACUUM sets the visibility map, which index-only scans need; it cannot run
            # in a transaction block, and we are in autocommit here.
            cursor.execute("VACUUM ANALYZE budgets_ledgerentry")
            cursor.execute("VACUUM ANALYZE budgets_ledgerday")
            cursor.execute("ANALYZE budgets_drawdownrequest")
        else:
            cursor.execute("ANALYZE")


def time_balances(award, as_of: date, runs: int) -> list[float]:
    from budgets.balances import award_balances

    award_balances(award, as_of=as_of)  # warm caches and the connection
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        award_balances(award, as_of=as_of)
        times.append((time.perf_counter() - start) * 1000)
    return times


def aggregate_sql(award, as_of: date) -> str:
    """The SQL of the aggregate inside award_balances (budgets.balances.ledger_sums)."""
    from budgets.balances import award_balances

    with CaptureQueriesContext(connection) as captured:
        award_balances(award, as_of=as_of)
    sums = [q["sql"] for q in captured.captured_queries if "budgets_ledgerday" in q["sql"]]
    assert len(sums) == 1, captured.captured_queries
    return sums[0]


def time_sql(sql: str, runs: int) -> list[float]:
    """The aggregate alone, through a raw cursor: no ORM query building."""
    times = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchall()
        for _ in range(runs):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return times


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if vendor() == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    if vendor() == "postgresql":
        return "\n".join(row[0] for row in rows)
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def ledger_indexes() -> list[str]:
    with connection.cursor() as cursor:
        if vendor() == "postgresql":
            cursor.execute(
                "SELECT indexname || ': ' || indexdef FROM pg_indexes "
                "WHERE tablename = 'budgets_ledgerday' ORDER BY indexname"
            )
        else:
            cursor.execute(
                "SELECT name || ': ' || COALESCE(sql, '(automatic)') FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = 'budgets_ledgerday' ORDER BY name"
            )
        return [row[0] for row in cursor.fetchall()]


def summary(label: str, times: list[float]) -> str:
    return (
        f"{label}: min {min(times):.1f} ms, median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms ({len(times)} runs)"
    )


def report_balances(award, runs: int, entries: int, label: str = "") -> float:
    db = vendor()
    for as_of, what in ((REPORT_DAY, f"as_of={REPORT_DAY}"), (date.max, "as_of=date.max")):
        times = time_balances(award, as_of, runs)
        print(summary(f"award_balances{label} ({db}, {entries:,} entries, {what})", times))
        if as_of == date.max:
            median_max = statistics.median(times)
    sql = aggregate_sql(award, REPORT_DAY)
    print(
        summary(
            f"ledger aggregate SQL alone{label} ({db}, as_of={REPORT_DAY})", time_sql(sql, runs)
        )
    )
    plan = explain(sql)
    print(f"\nquery plan of the ledger aggregate{label} ({db}, as_of={REPORT_DAY}):")
    print("  " + plan.replace("\n", "\n  "))
    print(f"\nindex {INDEX} used{label} ({db}): {'yes' if INDEX in plan else 'no'}")
    return median_max


def report_entry_sums(award, runs: int, entries: int) -> None:
    """For reference: the same line sums taken over the entries themselves."""
    from budgets.ledger_days import LINE_SUMS
    from budgets.models import LedgerEntry

    query = LedgerEntry.objects.filter(award=award, effective_date__lte=REPORT_DAY)
    sql, params = query.values("award").annotate(**LINE_SUMS).query.sql_with_params()
    with connection.cursor() as cursor:
        sql = cursor.mogrify(sql, params) if vendor() == "postgresql" else None
    if sql is None:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            query.aggregate(**LINE_SUMS)
            times.append((time.perf_counter() - start) * 1000)
    else:
        times = time_sql(sql, runs)
    print(
        summary(
            f"reference: the line sums over the {entries:,} entries themselves ({vendor()})", times
        )
    )


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    db = vendor()
    with scratch_run():
        if db == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                print(f"server version: {cursor.fetchone()[0]}")
        people, award, others = build_award(args.other_awards if args.other_entries else 0)
        if args.other_entries:
            start = time.perf_counter()
            with transaction.atomic():
                share = args.other_entries // len(others)
                for other in others:
                    bulk_entries(people, other, share, args.batch, rng)
                ledger_days.rebuild([other.pk for other in others])
            print(
                f"other awards ({db}): {share * len(others):,} entries over {len(others)} awards "
                f"in {time.perf_counter() - start:.1f} s"
            )
        draw_cash(people, award, "1000000.00")  # cash on hand for the disbursements

        rate = posting_throughput(people, award, args.posts)
        print(
            f"posting throughput ({db}): {rate:.0f} entries/s "
            f"({args.posts:,} entry_post calls, each its own transaction, small ledger)"
        )

        start = time.perf_counter()
        with transaction.atomic():
            bulk_entries(people, award, args.entries, args.batch, rng)
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        with transaction.atomic():
            days = ledger_days.rebuild([award.pk])
        print(
            f"per-day totals rebuilt ({db}): {days:,} days in {time.perf_counter() - start:.1f} s"
        )
        analyze()
        from budgets.models import LedgerEntry

        total = LedgerEntry.objects.filter(award=award).count()
        print(
            f"bulk insert ({db}): {args.entries:,} entries in {elapsed:.1f} s; "
            f"{total:,} entries on the award"
        )
        print("indexes on budgets_ledgerday:")
        for line in ledger_indexes():
            print(f"  {line}")
        print()
        median = report_balances(award, args.runs, total)
        report_entry_sums(award, args.runs, total)
        if db == "postgresql":
            verdict = "met" if median < TARGET_MS else "missed"
            print(f"target (< {TARGET_MS} ms on postgresql, as_of=date.max median): {verdict}")

        # Only kinds the random bulk history cannot have used up: it may leave no cash on
        # hand or no unobligated funds, and a refused post measures nothing.
        rate = posting_throughput(
            people, award, args.posts_large, kinds=("recipient", "program_income")
        )
        print(
            f"\nposting throughput ({db}, {total:,} entries on the award): {rate:.0f} entries/s "
            f"({args.posts_large:,} entry_post calls: recipient-share spending and program income)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
