"""Benchmark the XLSX exports against bare openpyxl, and the SF-425 PDF.

Run by hand (pytest does not collect it):

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_exports.py --rows 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DJANGO_DEBUG=1 \\
        .venv/bin/python scripts/bench_exports.py --rows 100000 1000000

Like the test runner, it never writes to the database DATABASE_URL names: it creates a
scratch database beside it (PostgreSQL: `test_bench_exports_<pid>`; SQLite: a temporary
file), runs the migrations, and drops it at the end, even on failure.

For each row count it bulk-inserts that many ledger entries on one award, then:
  (a) writes the ledger sheet with our code (reports.exports.workbooks.ledger_sheet and
      xlsx.write_workbook: formula-safe text, typed and formatted cells, running
      balances, SUMIFS totals, About sheet with the SHA-256) to a temporary file;
  (b) in the same run, writes the same cells with bare openpyxl write-only, the
      reference: the rows `ledger_rows` yields from the same query (values and running
      balances) appended as they are (`ws.append(row)`: no styles, no formula-safe text,
      no digest, no totals, no About sheet). The ratio is the cost of our XLSX layer.
      With --raw-query, bare openpyxl on the query's own rows is timed too;
  (c) prints rows/s of both and the ratio (target >= 0.8), and the peak memory of each
      export: tracemalloc's peak of Python allocations during the export, in a separate
      pass so tracing does not slow the timed one, and the process's peak RSS
      (resource.getrusage), target < 250 MB;
  (d) with --program, writes the whole-program auditor workbook (every sheet) too;
  (d2) with --split N, writes ours again with at most N rows a sheet (numbered sheets,
      each with its totals, and a totals sheet over them), and with --csv the ledger as
      CSV (xlsx.write_csv: quoted cells, formula starts escaped), both timed and traced;
  (e) times one SF-425 PDF (build_sf425_pdf), target < 200 ms, and the SF-425 computed
      from that ledger plus the PDF.
"""

import argparse
import gc
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ledger import scratch_run  # noqa: E402  (sets Django up)
from django.db import connection, transaction  # noqa: E402

PERIOD_START, PERIOD_END = date(2024, 10, 1), date(2026, 9, 30)
RATIO_TARGET = 0.8
MEMORY_TARGET_MB = 250
PDF_TARGET_MS = 200


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000], help="ledger rows")
    parser.add_argument("--batch", type=int, default=5_000, help="bulk_create batch size")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each writer")
    parser.add_argument(
        "--trace",
        choices=["both", "ours", "none"],
        default="both",
        help="which exports to run again under tracemalloc (slow) for their peak memory",
    )
    parser.add_argument(
        "--raw-query",
        action="store_true",
        help="also time bare openpyxl on the raw query rows (no running balances)",
    )
    parser.add_argument(
        "--program",
        action="store_true",
        help="also write the whole-program auditor workbook (every sheet) and trace it",
    )
    parser.add_argument(
        "--split", type=int, default=0, help="also write ours with at most this many rows a sheet"
    )
    parser.add_argument("--csv", action="store_true", help="also write the ledger as CSV")
    parser.add_argument("--seed", type=int, default=20241001)
    return parser.parse_args()


def build_award():
    from grants import access
    from grants.models import Membership
    from tests import factories

    task_force = factories.make_task_force("Bench ICAC Task Force", "va-bench")
    pm = factories.make_user("bench-pm", groups=[access.PROGRAM_MANAGER])
    officer = factories.make_user(
        "bench-officer", memberships=[(task_force, Membership.Role.FINANCE_OFFICER)]
    )
    appropriation = factories.make_appropriation(pm, amount="100000000.00", set_aside="0")
    award = factories.make_award(
        pm, task_force=task_force, appropriation=appropriation, amount="50000000.00"
    )
    return pm, officer, award


def add_entries(award, officer, count: int, batch: int, rng: random.Random) -> float:
    """`count` more ledger rows, generated a batch at a time (never all in memory)."""
    from budgets import ledger_days
    from budgets.models import LedgerEntry

    kinds = [
        ("expenditure", "A", "federal"),
        ("expenditure", "C", "federal"),
        ("expenditure", "A", "recipient"),
        ("obligation", "C", "federal"),
        ("drawdown", "", "federal"),
        ("disbursement", "", "federal"),
        ("program_income", "", "federal"),
    ]
    days = (PERIOD_END - PERIOD_START).days
    start = time.perf_counter()
    with transaction.atomic():
        done = 0
        while done < count:
            rows = []
            for i in range(done, min(count, done + batch)):
                kind, category, share = rng.choice(kinds)
                rows.append(
                    LedgerEntry(
                        award=award,
                        kind=kind,
                        category=category,
                        share=share,
                        amount=Decimal(rng.randint(100, 5_000_000)) / 100,
                        effective_date=PERIOD_START + timedelta(days=rng.randint(0, days)),
                        actor=officer,
                        idempotency_key=uuid.uuid4(),
                        # Now and then a memo a spreadsheet would run as a formula.
                        memo="=1+1" if i % 1000 == 0 else f"Invoice {i:07d}, vendor {i % 97}",
                    )
                )
            LedgerEntry.objects.bulk_create(rows)
            done += len(rows)
        # Entries written around the posting services: their per-day totals, which the
        # SF-425 reads, are recomputed as any bulk load must (docs/decisions/0005).
        ledger_days.rebuild([award.pk])
    return time.perf_counter() - start


def write_ours(award, handle) -> int:
    from budgets.models import LedgerEntry
    from reports.exports.workbooks import ledger_sheet
    from reports.exports.xlsx import write_workbook

    sheet = ledger_sheet(LedgerEntry.objects.filter(award=award))
    write_workbook(
        handle,
        sheets=[sheet],
        about={"Export": "Ledger benchmark", "Exported by": "bench"},
    )
    return sheet.row_count


def split_writer(max_rows: int):
    """Ours with a lower row limit, so the ledger goes on numbered sheets."""

    def write_split(award, handle) -> int:
        from budgets.models import LedgerEntry
        from reports.exports.workbooks import ledger_sheet
        from reports.exports.xlsx import write_workbook

        sheet = ledger_sheet(LedgerEntry.objects.filter(award=award))
        write_workbook(handle, sheets=[sheet], about={"Export": "bench"}, max_rows=max_rows)
        return sheet.row_count

    return write_split


def write_csv_ledger(award, handle) -> int:
    from budgets.models import LedgerEntry
    from reports.exports.workbooks import ledger_sheet
    from reports.exports.xlsx import write_csv

    return write_csv(handle, ledger_sheet(LedgerEntry.objects.filter(award=award)))


def write_reference(award, handle) -> int:
    """The same cells with bare openpyxl write-only: the rows ledger_rows yields from the
    same query (values, running balances), appended as they are, no styles, no checks."""
    from openpyxl import Workbook

    from budgets.models import LedgerEntry
    from reports.exports.workbooks import LEDGER_COLUMNS, ledger_rows

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Ledger")
    ws.append([c.header for c in LEDGER_COLUMNS])
    count = 0
    for row in ledger_rows(LedgerEntry.objects.filter(award=award)):
        ws.append(row)
        count += 1
    wb.save(handle)
    return count


def write_raw_query(award, handle) -> int:
    """For information: the query's own 13 columns, without the running balances."""
    from openpyxl import Workbook

    from budgets.models import LedgerEntry
    from reports.exports.workbooks import LEDGER_FIELDS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Ledger")
    rows = (
        LedgerEntry.objects.filter(award=award)
        .order_by("award__award_number", "effective_date", "pk")
        .values_list(*LEDGER_FIELDS)
    )
    count = 0
    for row in rows.iterator(chunk_size=2000):
        # openpyxl refuses time-zone-aware datetimes; that is all this one does.
        ws.append(row[:-1] + (row[-1].replace(tzinfo=None),))
        count += 1
    wb.save(handle)
    return count


def program_writer(user):
    """The whole-program auditor workbook (every sheet), as the program manager gets it."""

    def write_program(award, handle) -> int:
        from reports.exports.workbooks import Selection, selection_about, selection_sheets
        from reports.exports.xlsx import write_workbook

        selection = Selection()
        sheets = selection_sheets(user=user, selection=selection)
        write_workbook(handle, sheets=sheets, about=selection_about(user=user, selection=selection))
        return next(s.row_count for s in sheets if s.title == "Ledger")

    return write_program


def timed(writer, award) -> tuple[float, int, int]:
    """(seconds, rows, bytes) of one run of `writer` into a temporary file."""
    gc.collect()
    with tempfile.TemporaryFile() as handle:
        start = time.perf_counter()
        rows = writer(award, handle)
        seconds = time.perf_counter() - start
        size = handle.tell()
    return seconds, rows, size


def traced_peak_mb(writer, award) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as handle:
            writer(award, handle)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def max_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_pdf(award, runs: int = 10) -> tuple[list[float], list[float]]:
    from reports.exports.pdf import build_sf425_pdf
    from reports.sf425 import compute_sf425

    period_end = date(2025, 12, 31)
    sf425 = compute_sf425(award, period_end=period_end, is_final=False)
    build_sf425_pdf(sf425=sf425, generated_by="bench")  # fonts and caches warm
    render, both = [], []
    for _ in range(runs):
        start = time.perf_counter()
        build_sf425_pdf(sf425=sf425, generated_by="bench")
        render.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        build_sf425_pdf(
            sf425=compute_sf425(award, period_end=period_end, is_final=False),
            generated_by="bench",
        )
        both.append((time.perf_counter() - start) * 1000)
    return render, both


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    db = connection.vendor
    with scratch_run("bench_exports"):
        pm, officer, award = build_award()
        total = 0
        for target in sorted(args.rows):
            seconds = add_entries(award, officer, target - total, args.batch, rng)
            print(
                f"\n== {target:,} ledger rows ({db}); inserted {target - total:,} in {seconds:.1f} s"
            )
            total = target
            if db == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE budgets_ledgerentry")
            rss_before = max_rss_mb()
            results = {"ours": [], "reference": []}
            writers = [("reference", write_reference), ("ours", write_ours)]
            if args.raw_query:
                results["raw query"] = []
                writers.append(("raw query", write_raw_query))
            for _ in range(args.repeat):
                for name, writer in writers:
                    seconds, rows, size = timed(writer, award)
                    assert rows == target, (name, rows, target)
                    results[name].append(seconds)
                    print(
                        f"  {name:9}: {rows / seconds:9,.0f} rows/s ({seconds:.2f} s, "
                        f"{size / 1e6:.1f} MB file)"
                    )
            best = {name: min(times) for name, times in results.items()}
            ratio = best["reference"] / best["ours"]
            print(
                f"  best of {args.repeat}: ours {target / best['ours']:,.0f} rows/s, reference "
                f"{target / best['reference']:,.0f} rows/s, ratio {ratio:.2f} "
                f"(target >= {RATIO_TARGET}: {'met' if ratio >= RATIO_TARGET else 'missed'})"
            )
            print(
                f"  peak RSS of the process: {max_rss_mb():.0f} MB "
                f"(before the exports: {rss_before:.0f} MB; target < {MEMORY_TARGET_MB} MB: "
                f"{'met' if max_rss_mb() < MEMORY_TARGET_MB else 'missed'})"
            )
            traced = {"both": writers[:2], "ours": writers[1:2], "none": []}[args.trace]
            for name, writer in traced:
                peak = traced_peak_mb(writer, award)
                print(f"  tracemalloc peak during the export, {name}: {peak:.1f} MB")
            extra = []
            if args.split:
                extra.append((f"ours, {args.split:,} rows a sheet", split_writer(args.split)))
            if args.csv:
                extra.append(("CSV (write_csv)", write_csv_ledger))
            for name, writer in extra:
                seconds, rows, size = timed(writer, award)
                assert rows == target, (name, rows, target)
                print(
                    f"  {name}: {rows / seconds:,.0f} rows/s ({seconds:.2f} s, "
                    f"{size / 1e6:.1f} MB file, ratio to reference "
                    f"{best['reference'] / seconds:.2f})"
                )
                if args.trace != "none":
                    peak = traced_peak_mb(writer, award)
                    print(f"  tracemalloc peak, {name}: {peak:.1f} MB")
            if args.program:
                seconds, rows, size = timed(program_writer(pm), award)
                print(
                    f"  whole-program workbook (every sheet): {seconds:.1f} s, "
                    f"{size / 1e6:.1f} MB file, ledger {rows / seconds:,.0f} rows/s"
                )
                if args.trace != "none":
                    peak = traced_peak_mb(program_writer(pm), award)
                    print(f"  tracemalloc peak, whole-program workbook: {peak:.1f} MB")
                print(f"  peak RSS of the process: {max_rss_mb():.0f} MB")
            render, both = time_pdf(award)
            median = statistics.median(render)
            print(
                f"  SF-425 PDF (build_sf425_pdf): median {median:.1f} ms, max {max(render):.1f} ms "
                f"(target < {PDF_TARGET_MS} ms: {'met' if median < PDF_TARGET_MS else 'missed'})"
            )
            print(
                f"  SF-425 computed from {target:,} ledger rows + PDF: median "
                f"{statistics.median(both):.1f} ms, max {max(both):.1f} ms"
            )
        return 0


if __name__ == "__main__":
    sys.exit(main())
