"""Throughput, memory and query times of the embedded engine on a generated book.

Writes a demo book of ``--invoices`` invoices (about 4.4 events each) into the
SQLite event store, projects it into DuckDB, rebuilds the read models from the
whole log, then times account statements, aging and monthly DSO. Each phase
runs in its own spawned process so each peak memory is that phase's alone.
Figures go to stdout, progress to stderr; nothing is asserted.

Run it from the work tree (the default size takes a long time):

    PYTHONPATH=. python benchmarks/core.py --invoices 100000
    PYTHONPATH=. python benchmarks/core.py --data-dir /tmp/book --keep
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import multiprocessing
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from adapters import logging as o2c_logging
from adapters.settings import Settings
from adapters.wiring import Engine, open_engine
from projections.statements import Statements
from services.bulk import BulkWriter
from services.demo import generate_book

GENERATION_SAMPLE = 20_000
WARM_UP_LOOKUPS = 50
REPORT_RUNS = 5
PROGRESS_EVERY = 5.0
MIB = 1024 * 1024

Result = dict[str, Any]


# Progress and measurement helpers ---------------------------------------


class Ticker:
    """Counts work done and says how far it got on stderr every few seconds."""

    def __init__(self, label: str, unit: str, total: int | None = None) -> None:
        self.label = label
        self.unit = unit
        self.total = total
        self.done = 0
        self.started = self.shown = time.monotonic()
        say(f"{label}: started")

    def __call__(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.shown < PROGRESS_EVERY:
            return

        self.shown = now
        of = "" if not self.total else f" of {self.total:,}"
        share = "" if not self.total else f" ({self.done / self.total:.0%})"
        elapsed = now - self.started
        say(f"{self.label}: {self.done:,}{of} {self.unit}{share}, {elapsed:.0f} s")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_mib() -> float:
    """This process's peak resident memory.

    ``VmHWM`` belongs to the process image, so a spawned child does not
    inherit its parent's peak the way ``ru_maxrss`` does across exec.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def files_size(folder: Path, prefix: str) -> int:
    """Bytes on disk of a database and its journal files."""
    return sum(p.stat().st_size for p in folder.glob(f"{prefix}*") if p.is_file())


def engine(options: Result) -> Engine:
    return open_engine(Settings(data_dir=Path(options["data_dir"])))


# Phases, each run in a child process ------------------------------------


class _Discarding:
    """Stands in for BulkWriter: takes the events and saves nothing."""

    saved_events = 0
    pending_events = 0

    def add(self, *aggregates: Any) -> None:
        for aggregate in aggregates:
            self.saved_events += len(aggregate.collect_events())

    def flush(self) -> None:
        pass


def generation_phase(options: Result) -> Result:
    invoices = min(options["invoices"], GENERATION_SAMPLE)
    started = time.perf_counter()
    writer: Any = _Discarding()
    summary = generate_book(writer, invoices=invoices, seed=options["seed"])
    seconds = time.perf_counter() - started
    return {"invoices": invoices, "events": summary.events, "seconds": seconds}


def import_phase(options: Result) -> Result:
    ticker = Ticker("import", "invoices", options["invoices"])
    with engine(options) as opened:
        started = time.perf_counter()
        summary = generate_book(
            BulkWriter(opened.app),
            invoices=options["invoices"],
            seed=options["seed"],
            on_progress=ticker,
        )
        seconds = time.perf_counter() - started

    store = files_size(Path(options["data_dir"]), "events.sqlite")
    return {"book": summary.as_dict(), "seconds": seconds, "store_bytes": store}


def projection_phase(options: Result) -> Result:
    with engine(options) as opened:
        behind = opened.projector.head() - opened.models.position()
        ticker = Ticker("projection", "events", behind)
        started = time.perf_counter()
        events = opened.catch_up(on_batch=ticker)
        seconds = time.perf_counter() - started

    models = files_size(Path(options["data_dir"]), "readmodels.duckdb")
    return {"events": events, "seconds": seconds, "models_bytes": models}


def rebuild_phase(options: Result) -> Result:
    with engine(options) as opened:
        ticker = Ticker("rebuild", "events", opened.projector.head())
        started = time.perf_counter()
        opened.models.drop_all()
        dropped = time.perf_counter()
        events = opened.catch_up(on_batch=ticker)
        finished = time.perf_counter()

    return {
        "events": events,
        "seconds": finished - started,
        "drop_seconds": dropped - started,
    }


def book_days(opened: Engine) -> tuple[date, date]:
    """The first and last business dates of anything in the book."""
    row = opened.models.con.execute(
        "SELECT min(effective_date), max(effective_date) FROM timeline"
    ).fetchone()
    if row is None or row[0] is None:
        raise SystemExit("the read models hold no events to report on")
    return row[0], row[1]


def lookups_phase(options: Result) -> Result:
    with engine(options) as opened:
        _, last = book_days(opened)
        rows = opened.models.con.execute(
            "SELECT customer_id FROM accounts ORDER BY customer_id"
        ).fetchall()
        customers = [row[0] for row in rows]
        rng = random.Random(options["seed"])
        count = options["lookups"]
        if count <= len(customers):
            picked = rng.sample(customers, count)
        else:
            picked = rng.choices(customers, k=count)
        statements = Statements(opened.models.con)

        for customer in rng.choices(customers, k=WARM_UP_LOOKUPS):
            statements.account(customer, today=last)

        ticker = Ticker("statements", "lookups", count)
        timings = []
        for customer in picked:
            started = time.perf_counter_ns()
            statement = statements.account(customer, today=last)
            elapsed = time.perf_counter_ns() - started
            timings.append((elapsed, customer, len(statement["timeline"].rows)))
            ticker(1)

    _, customer, timeline = max(timings)
    return {
        "ms": [t[0] / 1e6 for t in timings],
        "slowest": customer,
        "slowest_timeline": timeline,
    }


def reports_phase(options: Result) -> Result:
    with engine(options) as opened:
        first, last = book_days(opened)
        reports = opened.reports
        cases: dict[str, Callable[[], Any]] = {
            "aging by customer": lambda: reports.aging(last, by="customer"),
            "aging by currency": lambda: reports.aging(last, by="currency"),
            "monthly DSO": lambda: reports.dso(first, last, by_country=False),
            "monthly DSO by country": lambda: reports.dso(first, last, by_country=True),
        }
        ticker = Ticker("reports", "runs", len(cases) * REPORT_RUNS)
        times: dict[str, list[float]] = {}
        rows: dict[str, int] = {}
        for name, run in cases.items():
            times[name] = []
            for _ in range(REPORT_RUNS):
                started = time.perf_counter()
                report = run()
                times[name].append(time.perf_counter() - started)
                ticker(1)
            rows[name] = len(report.rows)

    return {"first": first, "last": last, "times": times, "rows": rows}


PHASES: dict[str, Callable[[Result], Result]] = {
    "generation": generation_phase,
    "import": import_phase,
    "projection": projection_phase,
    "rebuild": rebuild_phase,
    "lookups": lookups_phase,
    "reports": reports_phase,
}


def _child(name: str, options: Result, conn: Any) -> None:
    o2c_logging.configure(log_format="console", level="warning")
    result = PHASES[name](options)
    result["peak_mib"] = peak_mib()
    conn.send(result)
    conn.close()


def run_phase(name: str, options: Result) -> Result:
    """Run one phase in a fresh spawned interpreter and return its figures."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(name, options, sending))
    process.start()
    sending.close()

    try:
        result: Result = receiving.recv()
    except EOFError:
        process.join()
        raise SystemExit(
            f"the {name} phase failed (exit code {process.exitcode}); "
            "its error is above"
        ) from None
    process.join()
    return result


# Printing ---------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as info:
            names = [
                line.split(":", 1)[1].strip() for line in info if "model name" in line
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass

    memory = "unknown memory"
    try:
        with open("/proc/meminfo") as info:
            total = next(line for line in info if line.startswith("MemTotal:"))
        memory = f"{int(total.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        pass

    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("duckdb", "eventsourcing")
    )
    return (
        f"{platform.machine()} {cpu or 'unknown CPU'}, {os.cpu_count()} CPUs, "
        f"{memory}, Python {platform.python_version()}, {versions}"
    )


def rate(events: int, seconds: float) -> float:
    return events / seconds if seconds > 0 else 0.0


def line(label: str, text: str) -> None:
    print(f"{label:<26}{text}", flush=True)


def throughput(label: str, events: int, seconds: float, extra: str) -> None:
    line(
        label,
        f"{events:>11,} events {seconds:>9.1f} s {rate(events, seconds):>9,.0f} "
        f"events/s  {extra}",
    )


def percentile(sorted_ms: list[float], share: float) -> float:
    """The value below which ``share`` of the timings fall (nearest rank)."""
    rank = max(1, math.ceil(share * len(sorted_ms)))
    return sorted_ms[rank - 1]


def goals(figures: Result) -> list[tuple[str, str, str, bool]]:
    """Each figure beside its goal: name, goal, measured, met."""
    imported = rate(figures["events"], figures["import"]["seconds"])
    rebuilt = rate(figures["rebuild"]["events"], figures["rebuild"]["seconds"])
    rows = [
        ("import", ">= 50,000 events/s", f"{imported:,.0f} events/s", imported >= 5e4),
        ("rebuild", ">= 100,000 events/s", f"{rebuilt:,.0f} events/s", rebuilt >= 1e5),
    ]
    for phase in ("import", "projection", "rebuild", "lookups", "reports"):
        peak = figures[phase]["peak_mib"]
        rows.append(
            (f"peak memory, {phase}", "< 1,024 MiB", f"{peak:,.0f} MiB", peak < 1024)
        )
    p99 = figures["p99"]
    rows.append(("statement p99", "< 5 ms", f"{p99:.2f} ms", p99 < 5))
    for name, seconds in figures["reports"]["times"].items():
        median = statistics.median(seconds)
        rows.append((f"{name} (median)", "< 1 s", f"{median:.3f} s", median < 1))
    return rows


def print_goals(rows: list[tuple[str, str, str, bool]]) -> None:
    print()
    print(f"{'figure':<34}{'goal':<22}{'measured':<20}result")
    for name, goal, measured, met in rows:
        print(f"{name:<34}{goal:<22}{measured:<20}{'met' if met else 'NOT MET'}")


# The run ----------------------------------------------------------------


def measure(options: Result) -> None:
    figures: Result = {}
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"o2c core benchmark, {now}, {machine()}", flush=True)

    generated = run_phase("generation", options)
    imported = figures["import"] = run_phase("import", options)
    book = imported["book"]
    figures["events"] = events = book["events"]
    line(
        "book",
        f"{book['invoices']:>11,} invoices, {book['accounts']:,} accounts, "
        f"{book['payments']:,} payments, {book['credit_memos']:,} credit memos, "
        f"{events:,} events (seed {options['seed']})",
    )
    generation_rate = rate(generated["events"], generated["seconds"])
    throughput(
        "import",
        events,
        imported["seconds"],
        f"peak {imported['peak_mib']:,.0f} MiB  "
        f"store {imported['store_bytes'] / MIB:,.1f} MiB",
    )
    throughput(
        "  generation only",
        generated["events"],
        generated["seconds"],
        f"sample of {generated['invoices']:,} invoices",
    )
    generating = rate(events, generation_rate)
    throughput(
        "  saving (the rest)",
        events,
        max(imported["seconds"] - generating, 0.0),
        f"import less about {generating:,.1f} s of generation",
    )

    projected = figures["projection"] = run_phase("projection", options)
    throughput(
        "projection (catch-up)",
        projected["events"],
        projected["seconds"],
        f"peak {projected['peak_mib']:,.0f} MiB  "
        f"read models {projected['models_bytes'] / MIB:,.1f} MiB",
    )
    rebuilt = figures["rebuild"] = run_phase("rebuild", options)
    throughput(
        "rebuild (drop + replay)",
        rebuilt["events"],
        rebuilt["seconds"],
        f"peak {rebuilt['peak_mib']:,.0f} MiB  drop {rebuilt['drop_seconds']:.1f} s",
    )

    looked = figures["lookups"] = run_phase("lookups", options)
    ms = sorted(looked["ms"])
    figures["p99"] = percentile(ms, 0.99)
    line(
        "statement lookups",
        f"{len(ms):>11,} lookups  p50 {percentile(ms, 0.5):.2f} ms  "
        f"p95 {percentile(ms, 0.95):.2f} ms  p99 {figures['p99']:.2f} ms  "
        f"max {ms[-1]:.2f} ms ({looked['slowest']}, "
        f"{looked['slowest_timeline']:,} timeline rows)  "
        f"peak {looked['peak_mib']:,.0f} MiB",
    )

    reported = figures["reports"] = run_phase("reports", options)
    line(
        "reports",
        f"as of {reported['last']}, DSO {reported['first']} to {reported['last']}, "
        f"{REPORT_RUNS} runs each  peak {reported['peak_mib']:,.0f} MiB",
    )
    for name, seconds in reported["times"].items():
        line(
            f"  {name}",
            f"median {statistics.median(seconds):>7.3f} s  "
            f"min {min(seconds):>7.3f} s  {reported['rows'][name]:>9,} rows",
        )

    print_goals(goals(figures))


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Import, projection, memory and query figures of o2c."
    )
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="an empty folder for the book, never removed "
        "(default: a fresh temporary folder, removed at the end)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--lookups", type=int, default=2000)
    options = parser.parse_args(argv)
    if options.invoices < 1 or options.lookups < 1:
        parser.error("--invoices and --lookups must be 1 or more")
    if options.data_dir is not None and any(options.data_dir.glob("*")):
        parser.error(f"--data-dir {options.data_dir} is not empty")
    return options


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    temporary = options.data_dir is None
    folder = (
        Path(tempfile.mkdtemp(prefix="o2c-bench-")) if temporary else options.data_dir
    )
    folder.mkdir(parents=True, exist_ok=True)

    try:
        measure({**vars(options), "data_dir": str(folder)})
    finally:
        if temporary and not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            say(f"the book is kept in {folder}")


if __name__ == "__main__":
    main()
