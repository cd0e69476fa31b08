"""Benchmark the demo at national scale (load_demo --national).

Run by hand (pytest does not collect it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_DEBUG=1 \\
        .venv/bin/python scripts/bench_national.py [--scale 1.0]

Like scripts/bench_ledger.py it never touches the database DATABASE_URL names: it creates
a scratch database beside it, runs the migrations there and drops it at the end.

It runs load_demo --national (with --national-scale), then check_ledgers and
verify_audit, and prints the wall time, the CPU time of this process and (PostgreSQL on
this machine) of its database server process, the entries and awards made, and the rates.
The target: the whole demo at scale 1 (about a million entries) in under ten minutes on
two cores with PostgreSQL. On a shared machine the CPU times are the steadier figures.
"""

import argparse
import io
import os
import sys
import time

from bench_ledger import scratch_run, vendor
from django.core.management import call_command
from django.db import connection

TARGET_SECONDS = 600


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="load_demo --national-scale")
    return parser.parse_args()


def server_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL server process, when it runs here."""
    if vendor() != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    args = parse_args()
    from budgets.models import LedgerEntry
    from grants.models import Award

    db = vendor()
    with scratch_run():
        server_before = server_cpu()
        wall, cpu = time.perf_counter(), time.process_time()
        call_command("load_demo", national=True, national_scale=args.scale, verbosity=1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        server = server_cpu()
        entries, awards = LedgerEntry.objects.count(), Award.objects.count()
        print(
            f"load_demo --national --national-scale {args.scale} ({db}): {awards:,} awards, "
            f"{entries:,} ledger entries in {wall:,.0f} s wall, {cpu:,.0f} s CPU of this "
            f"process"
            + (f", {server - server_before:,.0f} s CPU of the database server" if server else "")
        )
        print(f"  {entries / wall:,.0f} entries/s and {awards / wall:,.1f} awards/s of wall time")
        if args.scale == 1.0 and db == "postgresql":
            verdict = "met" if wall < TARGET_SECONDS else "missed"
            print(f"target (under {TARGET_SECONDS} s wall on postgresql): {verdict}")
        for command in ("check_ledgers", "verify_audit"):
            out = io.StringIO()
            started = time.perf_counter()
            call_command(command, stdout=out, stderr=out)
            last = out.getvalue().strip().splitlines()[-1]
            print(f"{command} ({time.perf_counter() - started:,.0f} s): {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
