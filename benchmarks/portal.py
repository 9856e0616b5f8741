"""Latency and throughput of the payer portal under load, on a generated book.

Builds a demo book of ``--accounts`` accounts (kept in ``--data-dir`` and
reused by later runs of the same size and seed), copies it, serves the copy
with ``o2c serve`` on loopback and drives it from a second process: payers
signed in by links from the portal's own link signer read the overview page
and the invoice list at ``--rate`` requests a second, then pay at
``--pay-rate`` with stored cards, repeating some idempotency keys. Afterwards
the event store, the read models and the sandbox gateway are checked: every
accepted payment is recorded once, and none is lost or doubled.

Figures go to stdout, progress to stderr. Run it from the work tree:

    PYTHONPATH=. python benchmarks/portal.py
    PYTHONPATH=. python benchmarks/portal.py --accounts 200 --seconds 2
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx

from adapters import logging as o2c_logging
from adapters.portal._store import PortalStore
from adapters.portal.auth import Links, load_secret
from adapters.settings import Settings
from adapters.wiring import open_engine
from benchmarks import _load
from benchmarks._verify import check_payments
from benchmarks.core import Ticker, files_size, line, machine, percentile, say
from domain.money import minor_units
from services.bulk import BulkWriter
from services.demo import generate_book

ROOT = Path(__file__).resolve().parents[1]
READS = [
    ("overview page", "/"),
    ("invoice list page", "/?sort=-amount&overdue=true"),
    ("invoice list API", "/api/v1/invoices"),
]
PAYER_OPEN_UNITS = 200
LINK_MINUTES = 120
SERVER_START_SECONDS = 300

Result = dict[str, Any]


# The book ---------------------------------------------------------------


def book_folder(options: Result) -> Path:
    size = f"{options['accounts']}a-{options['invoices']}i-s{options['seed']}"
    return Path(options["data_dir"]) / f"book-{size}"


def build_book(options: Result, _: Callable[[str], None]) -> Result:
    """Generate and project the book into its folder (a child process)."""
    folder = Path(options["book"])
    ticker = Ticker("book", "invoices", options["invoices"])
    with open_engine(Settings(data_dir=folder)) as opened:
        started = time.perf_counter()
        summary = generate_book(
            BulkWriter(opened.app),
            invoices=options["invoices"],
            accounts=options["accounts"],
            seed=options["seed"],
            on_progress=ticker,
        )
        imported = time.perf_counter()
        opened.catch_up(on_batch=Ticker("projection", "events", summary.events))
        projected = time.perf_counter()
    return {
        "book": summary.as_dict(),
        "import_seconds": imported - started,
        "projection_seconds": projected - imported,
    }


def ready_book(options: Result) -> Result:
    """The book of this size and seed, built now unless a run built it before."""
    folder = book_folder(options)
    marker = folder / "book.json"
    if marker.exists():
        say(f"reusing the book in {folder}")
        return {**json.loads(marker.read_text()), "reused": True}

    shutil.rmtree(folder, ignore_errors=True)
    built = in_child(build_book, {**options, "book": str(folder)})
    built["store_bytes"] = files_size(folder, "events.sqlite")
    built["models_bytes"] = files_size(folder, "readmodels.duckdb")
    marker.write_text(json.dumps(built))
    return {**built, "reused": False}


def copy_book(options: Result) -> Path:
    """A fresh copy of the book to serve: the kept one never takes payments."""
    run = Path(tempfile.mkdtemp(prefix="run-", dir=options["data_dir"]))
    for path in book_folder(options).glob("*"):
        if path.name.startswith(("events.sqlite", "readmodels.duckdb")):
            shutil.copy2(path, run / path.name)
    return run


# Who signs in -----------------------------------------------------------


def choose_payers(run: Path, options: Result) -> Result:
    """Accounts to read as, and accounts that pay one open invoice each.

    A paying account's invoice is open for at least ``PAYER_OPEN_UNITS`` of
    its currency, so every payment of one unit fits.
    """
    rng = random.Random(options["seed"])
    con = duckdb.connect(str(run / "readmodels.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT account_id FROM accounts").fetchall()
        accounts = [r[0] for r in rows]
        candidates = con.execute(
            """
            SELECT account_id, arg_max(invoice_id, open_minor),
                   arg_max(currency, open_minor), max(open_minor)
            FROM invoices WHERE open_minor > 0 AND NOT dispute_open
            GROUP BY account_id ORDER BY account_id
            """
        ).fetchall()
        head = con.execute("SELECT max(position) FROM projection_position")
        position = int(head.fetchone()[0])
    finally:
        con.close()

    big = [
        row
        for row in candidates
        if row[3] >= PAYER_OPEN_UNITS * 10 ** minor_units(row[2])
    ]
    if not big:
        raise SystemExit(
            f"no account has an invoice open for {PAYER_OPEN_UNITS} units to pay"
        )
    readers = rng.sample(accounts, min(options["readers"], len(accounts)))
    paying = rng.sample(big, min(options["payers"], len(big)))
    targets = [
        {"account_id": a, "invoice_id": i, "currency": c, "open_minor": m}
        for a, i, c, m in paying
    ]
    return {"readers": readers, "targets": targets, "head": position}


def sign_in_links(run: Path, chosen: Result, base_url: str) -> Result:
    """Signed single-use links, made by the portal's own signer and secret."""
    store = PortalStore(run / "portal.sqlite")
    links = Links(load_secret(run), store)
    now = time.time()

    def link(account_id: str) -> str:
        return f"{base_url}/in/{links.make(account_id, None, LINK_MINUTES, now)}"

    try:
        return {
            "reader_links": [(a, link(a)) for a in chosen["readers"]],
            "targets": [
                {**t, "link": link(t["account_id"]), "amount": "1"}
                for t in chosen["targets"]
            ],
        }
    finally:
        store.close()


# The server -------------------------------------------------------------


def free_port_pair() -> int:
    """A loopback port whose next port is free too, for the sandbox gateway."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise SystemExit("no two free loopback ports next to each other")


def start_server(run: Path, port: int) -> subprocess.Popen[bytes]:
    """``o2c serve`` on the run's copy, as a user starts it.

    All load comes from one address, so the per-address sign-in limit is
    raised for the run; everything else is the default configuration.
    """
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "O2C_DATA_DIR": str(run),
        "O2C_PORTAL_SIGN_IN_PER_IP": str(10**6),
    }
    with open(run / "server.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = (run / "server.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"o2c serve exited:\n{said}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/sign-in", timeout=2)
            httpx.get(f"http://127.0.0.1:{port + 1}/docs", timeout=2)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"o2c serve did not listen on port {port}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Child processes --------------------------------------------------------


def _child(target: Callable[..., Result], options: Result, conn: Any) -> None:
    o2c_logging.configure(log_format="console", level="warning")
    result = target(options, lambda message: conn.send(("progress", message)))
    conn.send(("done", result))
    conn.close()


def in_child(
    target: Callable[..., Result],
    options: Result,
    on_progress: Callable[[str], None] = say,
) -> Result:
    """Run ``target`` in a fresh spawned interpreter; pass on its progress."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(target, options, sending))
    process.start()
    sending.close()

    try:
        while True:
            kind, value = receiving.recv()
            if kind == "done":
                break
            on_progress(value)
    except EOFError:
        process.join()
        raise SystemExit(
            f"a child process failed (exit code {process.exitcode}); its error is above"
        ) from None
    process.join()
    result: Result = value
    return result


class PhaseClock:
    """Server CPU and load average between the load generator's messages."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.marks: list[tuple[str, float, float, float]] = []

    def __call__(self, message: str) -> None:
        say(message)
        name = message.split(":", 1)[0]
        load = os.getloadavg()[0]
        self.marks.append((name, time.monotonic(), cpu_seconds(self.pid), load))

    def shares(self) -> dict[str, tuple[float, float]]:
        """Per phase: the server's CPU use (1.0 is one core) and the load;
        called once the load has ended, while the server still runs."""
        ended = [*self.marks[1:], ("end", time.monotonic(), cpu_seconds(self.pid), 0)]
        return {
            name: ((cpu_b - cpu_a) / max(t_b - t_a, 1e-9), load)
            for (name, t_a, cpu_a, load), (_, t_b, cpu_b, _) in zip(
                self.marks, ended, strict=True
            )
        }


# Printing ---------------------------------------------------------------


def latency_line(name: str, phase: Result, cpu: float, load: float) -> None:
    ms = phase["ms"] or [0.0]
    achieved = phase["answered"] / phase["wall"]
    late = phase["late_ms"] or [0.0]
    line(
        name,
        f"{phase['requests']:>6,} due, {phase['shed']:,} shed, {achieved:>6.1f}/s "
        f"answered  p50 {percentile(ms, 0.5):>7.1f}  p95 {percentile(ms, 0.95):>7.1f}"
        f"  p99 {percentile(ms, 0.99):>7.1f}  max {ms[-1]:>7.1f} ms  "
        f"errors {phase['errors']}  sent late p99 {percentile(late, 0.99):.1f} ms  "
        f"CPU: server {cpu:.0%}, load generator "
        f"{phase['client_cpu'] / phase['wall']:.0%}; load average {load:.1f}",
    )


def goals(options: Result, results: Result, checked: Result) -> list[tuple[Any, ...]]:
    """Each goal beside what was measured; a phase that shed or failed
    requests misses its goal whatever its percentiles."""
    rows = []
    for name, _ in READS:
        phase = results["phases"][name]
        p99 = percentile(phase["ms"] or [0.0], 0.99)
        achieved = phase["answered"] / phase["wall"]
        met = p99 < 50 and achieved >= 0.95 * options["rate"]
        rows.append(
            (
                f"{name} p99",
                f"< 50 ms at {options['rate']:g}/s",
                f"{p99:,.1f} ms at {achieved:.0f}/s",
                met and phase["errors"] == phase["shed"] == 0,
            )
        )
    payments = results["payments"]
    rate = payments["answered"] / payments["wall"]
    wanted = options["pay_rate"]
    rows.append(
        ("payments rate", f">= {wanted:g}/s", f"{rate:.1f}/s", rate >= 0.95 * wanted)
    )
    sound = checked["lost"] == 0 and checked["doubled"] == 0
    found = f"{checked['lost']} lost, {checked['doubled']} doubled"
    rows.append(("payments kept", "none lost or doubled", found, sound))
    return rows


def print_goals(rows: list[tuple[Any, ...]]) -> None:
    print()
    print(f"{'figure':<26}{'goal':<24}{'measured':<28}result")
    for name, goal, measured, met in rows:
        print(f"{name:<26}{goal:<24}{measured:<28}{'met' if met else 'NOT MET'}")


# The run ----------------------------------------------------------------


def measure(options: Result) -> bool:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"o2c portal benchmark, {now}, {machine()}", flush=True)
    print(f"load average at start {os.getloadavg()[0]:.1f}", flush=True)

    built = ready_book(options)
    book = built["book"]
    line(
        "book",
        f"{book['accounts']:,} accounts, {book['invoices']:,} invoices, "
        f"{book['payments']:,} payments, {book['events']:,} events (seed "
        f"{options['seed']}); "
        + (
            "reused"
            if built["reused"]
            else f"import {built['import_seconds']:.0f} s, "
            f"projection {built['projection_seconds']:.0f} s"
        ),
    )

    run = copy_book(options)
    try:
        return _serve_and_load(run, options)
    finally:
        if options["keep"]:
            say(f"the served copy is kept in {run}")
        else:
            shutil.rmtree(run, ignore_errors=True)


def _serve_and_load(run: Path, options: Result) -> bool:
    chosen = choose_payers(run, options)
    port = free_port_pair()
    base_url = f"http://127.0.0.1:{port}"
    links = sign_in_links(run, chosen, base_url)
    say(f"starting o2c serve on {base_url}")
    server = start_server(run, port)
    clock = PhaseClock(server.pid)
    try:
        load = {**options, **links, "base_url": base_url, "reads": READS}
        results = in_child(_load.run, load, clock)
        shares = clock.shares()
    finally:
        stop_server(server)
    said = (run / "server.log").read_text(errors="replace")
    cached = [text for text in said.splitlines() if text.startswith("read cache:")]
    line("portal read cache", cached[-1] if cached else "not reported")

    line(
        "sessions",
        f"{len(chosen['readers']):,} readers and {len(chosen['targets']):,} payers "
        f"signed in ({results['sign_in_seconds']:.1f} s); a card stored for each "
        f"payer ({results['setup_seconds']:.1f} s)",
    )
    for name, _ in READS:
        serial = results["serial"][name]
        line(
            f"{name}, one at a time",
            f"{len(serial):>6,} requests  p50 {percentile(serial, 0.5):.1f}  "
            f"p99 {percentile(serial, 0.99):.1f} ms",
        )
        latency_line(name, results["phases"][name], *shares[name])
    latency_line("payments", results["payments"], *shares["payments"])

    results["head"] = chosen["head"]
    checked = check_payments(run, links["targets"], results)
    for label, text in checked["lines"]:
        line(label, text)
    print_goals(goals(options, results, checked))
    return bool(checked["lost"] == 0 and checked["doubled"] == 0)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Latency and throughput of the payer portal under load."
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument(
        "--invoices", type=int, help="invoices in the book (default: 3 per account)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=200, help="reads a second")
    parser.add_argument("--seconds", type=float, default=30, help="per read phase")
    parser.add_argument("--pay-rate", type=float, default=100)
    parser.add_argument("--pay-seconds", type=float, default=20)
    parser.add_argument(
        "--serial", type=int, default=100, help="requests one at a time per read"
    )
    parser.add_argument("--readers", type=int, default=1000, help="signed-in readers")
    parser.add_argument("--payers", type=int, default=100, help="signed-in payers")
    parser.add_argument(
        "--repeat-share",
        type=float,
        default=0.05,
        help="share of payment requests that repeat an earlier key",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "o2c-portal-bench",
        help="folder of the books kept between runs (a copy is served)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the served copy")
    options = parser.parse_args(argv)
    if options.invoices is None:
        options.invoices = 3 * options.accounts
    if min(options.accounts, options.readers, options.payers, options.serial) < 1:
        parser.error("--accounts, --readers, --payers and --serial must be 1 or more")
    if min(options.rate, options.seconds, options.pay_rate, options.pay_seconds) <= 0:
        parser.error("rates and durations must be above zero")
    return options


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    options.data_dir.mkdir(parents=True, exist_ok=True)
    sound = measure({**vars(options), "data_dir": str(options.data_dir)})
    if not sound:
        raise SystemExit("payments were lost or doubled")


if __name__ == "__main__":
    main()
