"""Benchmark the award ledger page's server time, first to last page.

Run by hand (pytest does not collect it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_DEBUG=1 \\
        .venv/bin/python scripts/bench_ledger_page.py [--entries 20000]

Like scripts/bench_ledger.py (whose builders it reuses) it works in a scratch database
of its own, created and dropped around the run. It bulk-inserts --entries entries on one
award, rebuilds their per-day totals (budgets.ledger_days.rebuild) and times the ledger
page (budgets.views.award_ledger, through the test client as the award's finance
officer) on its first, middle and last page, in ledger order and by every column the
table sorts on, each way: the median of --runs requests and the number of queries each
made, then the slowest of them all. On PostgreSQL a statement timeout (--timeout
seconds) stops a page that would not answer.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_ledger  # noqa: E402  (sets Django up)
from django.db import OperationalError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from budgets import ledger_days  # noqa: E402

PER_PAGE = 25


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=int, default=120, help="PostgreSQL statement timeout")
    parser.add_argument("--seed", type=int, default=20241001)
    return parser.parse_args()


def time_page(client, url, params, runs) -> tuple[float, str]:
    """The median time in ms (infinite when the page did not answer), and how to say it."""
    times, cpu, in_queries, queries = [], [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                response = client.get(url, params)
            except OperationalError as error:  # the statement timeout
                return float("inf"), f"no answer ({str(error).splitlines()[0]})"
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        queries = len(captured)
        in_queries.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    median = statistics.median(times)
    return median, (
        f"median {median:.0f} ms ({statistics.median(cpu):.0f} ms CPU here, "
        f"{statistics.median(in_queries):.0f} ms in queries), {queries} queries"
    )


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    db = connection.vendor
    with bench_ledger.scratch_run():
        people, award, _ = bench_ledger.build_award()
        with transaction.atomic():
            bench_ledger.bulk_entries(people, award, args.entries, 5_000, rng)
            ledger_days.rebuild([award.pk])
        bench_ledger.analyze()
        if db == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = '{args.timeout}s'")
        from budgets.models import LedgerEntry

        total = LedgerEntry.objects.filter(award=award).count()
        last = -(-total // PER_PAGE)
        print(f"{total:,} entries on the award, {last} pages of {PER_PAGE}")
        client = Client()
        client.force_login(people.officer)
        from tests.second_factor import verify_session

        session = client.session
        verify_session(session, people.officer)
        session.save()
        url = reverse("budgets:award_ledger", args=[award.award_number])
        table = client.get(url).context["table"]  # warms up, and says how it sorts
        sorts = [""] + [
            way + column.name for column in table.columns if column.orderable for way in ("", "-")
        ]
        pages = (("first", 1), ("middle", last // 2), ("last", last))
        slowest = (0.0, "")
        for sort in sorts:
            for where, page in pages:
                label = f"{where} page, " + (f"sorted by {sort}" if sort else "in ledger order")
                median, said = time_page(client, url, {"page": page, "sort": sort}, args.runs)
                print(f"{label}: {said}")
                slowest = max(slowest, (median, label))
        print(f"slowest of {len(sorts) * len(pages)} pages: {slowest[1]}, {slowest[0]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
