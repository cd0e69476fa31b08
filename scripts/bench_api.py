"""Benchmark API reads: a 100-row page of ledger entries, awards and drawdown requests.

Run by hand (pytest does not collect it):

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_api.py [--entries 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_DEBUG=1 \\
        .venv/bin/python scripts/bench_api.py

Like scripts/bench_ledger.py (whose builders it uses), it never touches the database
DATABASE_URL names: it creates a scratch database beside it, runs the migrations there,
and drops it at the end, even on failure.

On one active award with --entries ledger rows (bulk-inserted, per-day totals rebuilt),
--awards more awards and --drawdowns drawdown requests, it times GET of a 100-row page of
each list through django.test.Client with a finance officer's API token (--runs requests:
median and p95 of the time in the app, from the request to the rendered response), and
counts the queries of the first page and of a deep page reached by following `next`.
Target: under 50 ms, and the same queries on every page whatever the list's length.
"""

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_ledger  # noqa: E402  (sets up Django)
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from budgets import ledger_days  # noqa: E402

TARGET_MS = 50
PAGE = 100


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000, help="ledger rows on the award")
    parser.add_argument("--awards", type=int, default=150, help="more awards of the task force")
    parser.add_argument("--drawdowns", type=int, default=2_000, help="drawdown requests")
    parser.add_argument("--runs", type=int, default=50, help="requests timed per list")
    parser.add_argument("--seed", type=int, default=20241001)
    return parser.parse_args()


def more_awards(people, award, count: int) -> None:
    from tests import factories

    for _ in range(count):
        factories.make_award(
            people.pm,
            task_force=award.task_force,
            appropriation=award.funding_lines.first().appropriation,
            amount="100000.00",
        )


def drawdowns(people, award, count: int) -> None:
    from budgets.models import DrawdownRequest

    DrawdownRequest.objects.bulk_create(
        DrawdownRequest(
            award=award,
            amount=Decimal("10.00"),
            requested_on=bench_ledger.PERIOD_START + timedelta(days=n % 700),
            requested_by=people.officer,
            idempotency_key=uuid.uuid4(),
            status=DrawdownRequest.Status.REJECTED,
            decision_note="bench",
        )
        for n in range(count)
    )


def token_header(user) -> dict:
    from tests.api.helpers import bearer

    return bearer(user)


def measure(client, url: str, headers: dict, runs: int) -> tuple[float, float]:
    client.get(url, **headers)  # warm the connection and caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def queries(client, url: str, headers: dict) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return len(captured), response.json()


def deep_page(client, url: str, headers: dict, pages: int) -> str:
    """The `next` link `pages` pages on, or the last one there is."""
    for _ in range(pages):
        body = client.get(url, **headers).json()
        if not body["next"]:
            break
        url = body["next"]
    return url


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_read": "1000000/min", "api_write": "1000000/min"},
    }
    db = bench_ledger.vendor()
    with bench_ledger.scratch_run():
        people, award, _ = bench_ledger.build_award()
        start = time.perf_counter()
        with transaction.atomic():
            bench_ledger.bulk_entries(people, award, args.entries, 5_000, rng)
            ledger_days.rebuild([award.pk])
            drawdowns(people, award, args.drawdowns)
        more_awards(people, award, args.awards)
        bench_ledger.analyze()
        print(
            f"data: {args.entries:,} ledger entries, {args.awards + 1} awards, "
            f"{args.drawdowns:,} drawdown requests in {time.perf_counter() - start:.1f} s"
        )
        client = Client()
        headers = token_header(people.officer)
        lists = {
            "ledger entries": reverse("api:award_ledger", args=[award.award_number]),
            "awards": reverse("api:awards"),
            "drawdown requests": reverse("api:drawdowns"),
        }
        worst = 0.0
        growing = []
        for name, url in lists.items():
            url = f"{url}?page_size={PAGE}"
            median, p95 = measure(client, url, headers, args.runs)
            first, body = queries(client, url, headers)
            assert len(body["results"]) == PAGE, f"{name}: fewer than {PAGE} rows"
            deep_url = deep_page(client, url, headers, 50)
            deep, _ = queries(client, deep_url, headers)
            deep_median, deep_p95 = measure(client, deep_url, headers, args.runs)
            print(
                f"{name:18} page 1: median {median:6.1f} ms, p95 {p95:6.1f} ms, "
                f"{first} queries | deep page: median {deep_median:6.1f} ms, "
                f"p95 {deep_p95:6.1f} ms, {deep} queries"
            )
            worst = max(worst, median, deep_median)
            if deep != first:
                growing.append(name)
        verdict = "met" if worst < TARGET_MS and not growing else "missed"
        print(
            f"target (< {TARGET_MS} ms median, queries constant across pages) on {db}: {verdict}"
            + (f"; queries differ on: {', '.join(growing)}" if growing else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
