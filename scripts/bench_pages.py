"""Benchmark the main pages for each role on a large program: median and 95th percentile
server time, and the queries each page makes.

Run by hand (pytest does not collect it), on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_DEBUG=1 \\
        .venv/bin/python scripts/bench_pages.py [--awards 200] [--entries 200000]

Like scripts/bench_ledger.py (whose builders it reuses) it builds its data in a scratch
database of its own and drops it at the end; --keep keeps it (its name is printed) and
--reuse NAME measures a kept one again without building. The data: --awards active
awards of one task force through the services, one of them with --big entries
(obligations, expenditures paying them, disbursements, drawdowns, income, 5% reversed),
the rest of --entries spread over the others with the fast batch insert
(grants.bulk.insert_many: COPY), drawdown requests on every award (some open), and all
but --open awards closed, as most of a program's history is. Per-day totals are rebuilt
(budgets.ledger_days.rebuild) and the tables analyzed.

Each page is requested --runs times through the test client as the role's person; on a
shared machine the wall time varies with its load, so each line also gives the median
CPU time of this process (Python and templates) and the time its queries took. With
--explain, the slowest query of each page is shown with its plan (EXPLAIN ANALYZE).
"""

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_ledger  # noqa: E402  (sets Django up)
from django.db import OperationalError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from budgets import ledger_days  # noqa: E402

PER_PAGE = 25
TODAY = date(2025, 9, 30)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--awards", type=int, default=200)
    parser.add_argument("--entries", type=int, default=200_000, help="ledger entries in all")
    parser.add_argument("--big", type=int, default=100_000, help="entries on the one big award")
    parser.add_argument("--open", type=int, default=50, help="awards left active")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=60, help="PostgreSQL statement timeout")
    parser.add_argument("--seed", type=int, default=20241001)
    parser.add_argument("--explain", action="store_true", help="plan of each page's slowest query")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", metavar="NAME", help="measure a kept database, build nothing")
    return parser.parse_args()


def spread_entries(people, awards, total: int, rng: random.Random) -> None:
    """`total` entries over `awards` in COPY batches: cash drawn, spent and paid out."""
    from budgets.models import LedgerEntry
    from grants.bulk import insert_many

    days = (bench_ledger.PERIOD_END - bench_ledger.PERIOD_START).days
    kinds = ["drawdown"] * 3 + ["expenditure"] * 4 + ["disbursement"] * 3
    batch = []
    for n in range(total):
        kind = rng.choice(kinds)
        batch.append(
            LedgerEntry(
                award=awards[n % len(awards)],
                kind=kind,
                category="A" if kind == "expenditure" else "",
                amount=Decimal(rng.randint(100, 5_000)) / 100,
                effective_date=bench_ledger.PERIOD_START + timedelta(days=rng.randint(0, days)),
                actor=people.officer,
                idempotency_key=uuid.uuid4(),
            )
        )
        if len(batch) == 10_000:
            insert_many(LedgerEntry, batch)
            batch = []
    insert_many(LedgerEntry, batch)


def drawdown_requests(people, awards, rng: random.Random) -> None:
    """A paid request for up to ten of every award's drawdowns, and one or two requests
    still open on a third of the awards."""
    from collections import defaultdict

    from budgets.models import DrawdownRequest, LedgerEntry
    from grants.bulk import insert_many

    draws = defaultdict(list)
    for entry in LedgerEntry.objects.filter(
        kind="drawdown", reverses__isnull=True, reversed_by__isnull=True
    ).only("pk", "award_id", "amount", "effective_date"):
        if len(draws[entry.award_id]) < 10:
            draws[entry.award_id].append(entry)
    rows = []
    for i, award in enumerate(awards):
        for entry in draws[award.pk]:
            rows.append(
                DrawdownRequest(
                    award=award,
                    amount=entry.amount,
                    status="paid",
                    requested_on=entry.effective_date,
                    requested_by=people.officer,
                    decided_by=people.approver,
                    paid_by=people.approver,
                    ledger_entry=entry,
                    idempotency_key=uuid.uuid4(),
                )
            )
        for _ in range(i % 3 == 0 and 1 + i % 2):
            rows.append(
                DrawdownRequest(
                    award=award,
                    amount=Decimal(rng.randint(1_000, 90_000)) / 100,
                    requested_on=TODAY,
                    requested_by=people.officer,
                    idempotency_key=uuid.uuid4(),
                    review_reasons=["It is more than the award's immediate need."],
                )
            )
    insert_many(DrawdownRequest, rows)


def build(args, rng):
    from grants.models import Award

    start = time.perf_counter()
    people, big, others = bench_ledger.build_award(extra_awards=args.awards - 1)
    print(f"built {args.awards} awards through the services in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    with transaction.atomic():
        bench_ledger.bulk_entries(people, big, args.big, 5_000, rng)
        spread_entries(people, others, max(args.entries - args.big, 0), rng)
        drawdown_requests(people, [big, *others], rng)
        ledger_days.rebuild()
        # Most of a program's history is closed awards.
        closed = [a.pk for a in others[args.open - 1 :]]
        Award.objects.filter(pk__in=closed).update(status=Award.Status.CLOSED)
    print(f"inserted the entries and per-day totals in {time.perf_counter() - start:.0f} s")
    bench_ledger.analyze()
    return people, big


def existing():
    """The people and the big award of a kept database."""
    from types import SimpleNamespace

    from django.contrib.auth.models import User
    from django.db.models import Count

    from grants.models import Award

    people = SimpleNamespace(
        **{
            role: User.objects.get(username=f"bench-{name}")
            for role, name in (
                ("pm", "pm"),
                ("approver", "approver"),
                ("officer", "officer"),
                ("gadmin_a", "gadmin"),
            )
        }
    )
    big = Award.objects.annotate(n=Count("ledger_entries")).order_by("-n").first()
    return people, big


def auditor():
    from django.contrib.auth.models import User

    from grants import access
    from tests import factories

    found = User.objects.filter(username="bench-auditor").first()
    return found or factories.make_user("bench-auditor", groups=[access.AUDITOR])


def signed_in(user) -> Client:
    from tests.second_factor import verify_session

    client = Client()
    client.force_login(user)
    session = client.session
    verify_session(session, user)
    session.save()
    return client


def time_page(client, url, params, runs, explain: bool) -> str:
    times, cpu, sql, queries, slowest = [], [], [], 0, None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                response = client.get(url, params)
            except OperationalError as error:  # the statement timeout
                return f"no answer ({str(error).splitlines()[0]})"
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
        queries = len(captured)
        reads = [q for q in captured.captured_queries if q["sql"].startswith("SELECT")]
        slowest = max(reads, key=lambda q: float(q["time"]))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    line = (
        f"median {statistics.median(times):6.0f} ms, p95 {p95:6.0f} ms, {queries:3d} queries"
        f"; median Python CPU {statistics.median(cpu):4.0f} ms, SQL {statistics.median(sql):4.0f} ms"
        f"; slowest query {float(slowest['time']) * 1000:.0f} ms"
    )
    if explain and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            plan = "\n      ".join(row[0] for row in cursor.fetchall())
        line += f"\n    {slowest['sql'][:300]}...\n      {plan}"
    return line


def pages(people, big):
    """(role, label, url, params) for every page measured."""
    from budgets.models import LedgerEntry

    total = LedgerEntry.objects.filter(award=big).count()
    last = -(-total // PER_PAGE)
    ledger = reverse("budgets:award_ledger", args=[big.award_number])
    drawdowns = reverse("budgets:drawdown_queue")
    home = reverse("home")
    award = reverse("grants:award_detail", args=[big.award_number])
    awards = reverse("grants:award_list")
    calendar = reverse("reports:calendar")
    charts = reverse("reports:award_charts", args=[big.award_number])
    print(f"the big award: {total:,} entries, {last:,} pages of {PER_PAGE}")
    return [
        ("program manager", "dashboard", home, {}),
        ("program manager", "awards", awards, {}),
        ("program manager", "award", award, {}),
        ("program manager", "drawdown queue (every request)", drawdowns, {}),
        ("program manager", "reporting calendar", calendar, {}),
        ("financial approver", "dashboard", home, {}),
        ("financial approver", "drawdown queue (open)", drawdowns, {}),
        ("financial approver", "drawdown queue (paid)", drawdowns, {"status": "paid"}),
        ("auditor", "dashboard", home, {}),
        ("auditor", "awards", awards, {}),
        ("finance officer", "dashboard", home, {}),
        ("finance officer", "drawdown queue", drawdowns, {}),
        ("finance officer", "ledger, first page by date", ledger, {"page": 1}),
        ("finance officer", "ledger, last page by date", ledger, {"page": last}),
        ("finance officer", "ledger, first page by amount", ledger, {"sort": "-amount"}),
        (
            "finance officer",
            "ledger, last page by amount",
            ledger,
            {"sort": "-amount", "page": last},
        ),
        ("program manager", "ledger, first page by date", ledger, {"page": 1}),
        ("program manager", "ledger, as of 12/31/2024", ledger, {"as_of": "2024-12-31"}),
        ("program manager", "award charts (budget by category)", charts, {}),
    ]


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    with bench_ledger.scratch_run(keep=args.keep, reuse=args.reuse):
        people, big = existing() if args.reuse else build(args, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = '{args.timeout}s'")
        clients = {
            "program manager": signed_in(people.pm),
            "financial approver": signed_in(people.approver),
            "auditor": signed_in(auditor()),
            "finance officer": signed_in(people.officer),
        }
        from django.utils import timezone

        timezone.localdate = lambda *a, **k: TODAY  # the program's clock: its last year
        print(f"{args.runs} runs per page")
        for role, label, url, params in pages(people, big):
            client = clients[role]
            client.get(url, params)  # warm up
            print(f"{role:18} {label:32} {time_page(client, url, params, args.runs, args.explain)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
