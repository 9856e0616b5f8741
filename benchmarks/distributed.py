"""Throughput and lag of the distributed mode, on real servers started here.

Starts PostgreSQL and a single-node Kafka broker on loopback with
scripts/services (in a state folder of its own, removed at the end), then
measures side by side:

- bulk writes: a generated book of ``--events`` events saved to SQLite and to
  PostgreSQL, and commands per second through the Receivables service on each;
- the relay: each of those stores published to its own topic (the code of
  ``o2c relay``, its default batch);
- the projector: the PostgreSQL topic applied to fresh DuckDB read models (the
  code of ``o2c project --from kafka``);
- lag: commands at a steady ``--rate`` a second for ``--seconds`` against
  PostgreSQL while ``o2c relay`` and a projector run in processes of their
  own; for each invoice issued, the time from its event's recorded time to the
  commit of the read-model transaction that holds it.

Figures go to stdout as a table, progress to stderr; nothing is asserted.

    PYTHONPATH=. python benchmarks/distributed.py --events 100000 --seconds 60
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import multiprocessing
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pyarrow as pa
from eventsourcing.utils import get_topic

from adapters import logging as o2c_logging
from adapters.settings import Settings
from adapters.wiring import store_env
from benchmarks.core import machine, percentile, rate, say
from domain.invoice import Invoice
from projections.readmodels import ReadModels
from services import commands as c
from services.bulk import BulkWriter
from services.demo import generate_book
from services.receivables import Receivables
from streams.projector import KafkaProjector
from streams.relay import Relay

ROOT = Path(__file__).resolve().parents[1]
EVENTS_PER_INVOICE = 4.4  # of a generated book, about
ACCOUNTS = 200
# Events per transaction of the bulk writes, on both stores. Not the
# BulkWriter's 20,000: a transaction that large never returns from
# PostgreSQL here (psycopg's pipelined insert waits forever; 10,000 pass).
BULK_BATCH_EVENTS = 5_000
COMMANDS = 2_000
WARM_UP_S = 5.0
DRAIN_S = 60.0
ISSUED = get_topic(Invoice.Issued)
PORT_SETTINGS = ("O2C_KAFKA_PORT", "O2C_KAFKA_CONTROLLER_PORT", "O2C_PG_PORT")

Result = dict[str, Any]


# Servers and stores -----------------------------------------------------


@contextmanager
def services(folder: Path) -> Iterator[dict[str, str]]:
    """PostgreSQL and Kafka of this run's own; their O2C_ settings."""
    env = {k: v for k, v in os.environ.items() if k not in PORT_SETTINGS}
    env["O2C_SERVICES_DIR"] = str(folder)
    script = str(ROOT / "scripts" / "services")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    try:
        done = run("up")
        if done.returncode != 0:
            raise SystemExit(f"scripts/services up failed:\n{done.stderr}")
        yield dict(
            shlex.split(line)[1].split("=", 1) for line in done.stdout.splitlines()
        )
    finally:
        run("down")


def store_settings(store: str, folder: Path, found: dict[str, str]) -> Settings:
    """A fresh, empty store: a SQLite file, or a PostgreSQL schema of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    if store == "sqlite":
        return Settings(data_dir=folder, event_store="sqlite")
    dsn = found["O2C_POSTGRES_DSN"]
    schema = "bench_" + uuid.uuid4().hex[:12]
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    return Settings(
        data_dir=folder,
        event_store="postgresql",
        postgres_dsn=dsn,
        postgres_schema=schema,
    )


def open_accounts(app: Receivables, count: int) -> list[str]:
    numbers = [f"B-{n}" for n in range(count)]
    for number in numbers:
        app.open_account(
            c.OpenAccount(
                idempotency_key=f"open-{number}",
                number=number,
                name=f"Bench customer {number}",
                country="US",
                currency="USD",
                opened_on=date(2024, 1, 2),
            )
        )
    return numbers


def issue(app: Receivables, account: str, number: str) -> None:
    app.issue_invoice(
        c.IssueInvoice(
            idempotency_key=f"issue-{number}",
            number=number,
            account_number=account,
            amount=Decimal("125.00"),
            issue_date=date(2024, 2, 1),
        )
    )


# Phases ----------------------------------------------------------------


def bulk_phase(settings: Settings, events: int) -> Result:
    """A generated book saved in batches; the store is kept for the relay."""
    app = Receivables(env=store_env(settings))
    try:
        started = time.perf_counter()
        invoices = max(1, math.ceil(events / EVENTS_PER_INVOICE))
        writer = BulkWriter(app, batch_events=BULK_BATCH_EVENTS)
        book = generate_book(writer, invoices=invoices, seed=7)
        seconds = time.perf_counter() - started
    finally:
        app.close()
    return {"events": book.events, "seconds": seconds}


def commands_phase(settings: Settings, count: int) -> Result:
    """Invoices issued one command at a time, each its own transaction."""
    app = Receivables(env=store_env(settings))
    try:
        accounts = open_accounts(app, ACCOUNTS)
        started = time.perf_counter()
        for n in range(count):
            issue(app, accounts[n % len(accounts)], f"C-{n}")
        seconds = time.perf_counter() - started
    finally:
        app.close()
    return {"commands": count, "seconds": seconds}


def relay_phase(settings: Settings, bootstrap: str, topic: str) -> Result:
    app = Receivables(env=store_env(settings))
    try:
        with Relay(app.recorder, bootstrap, topic, name=f"{topic}-relay") as relay:
            relay.start()
            started = time.perf_counter()
            published = relay.run_once()
            seconds = time.perf_counter() - started
    finally:
        app.close()
    return {"events": published, "seconds": seconds}


def projector_phase(folder: Path, bootstrap: str, topic: str) -> Result:
    folder.mkdir(parents=True, exist_ok=True)
    models = ReadModels(folder / "readmodels.duckdb")
    projector = KafkaProjector(models, bootstrap, topic)
    try:
        started = time.perf_counter()
        applied = projector.run_once()
        seconds = time.perf_counter() - started
    finally:
        projector.close()
        models.close()
    return {"events": applied, "seconds": seconds}


# Lag: commands in, read model out ----------------------------------------


class TimedModels(ReadModels):
    """Read models that note, for each invoice issued, when its row committed."""

    def __init__(self, path: Path, counter: Any) -> None:
        super().__init__(path)
        self.samples: list[tuple[float, float]] = []
        self.counter = counter

    def apply(self, events: pa.Table, positions: dict[str, int] | None = None) -> None:
        super().apply(events, positions)
        committed = time.time()
        topics = events.column("topic").to_pylist()
        states = events.column("state").to_pylist()
        for topic, state in zip(topics, states, strict=True):
            if topic == ISSUED:
                recorded = datetime.fromisoformat(orjson.loads(state)["timestamp"])
                self.samples.append((recorded.timestamp(), committed))
        self.counter.value = len(self.samples)


def projector_child(
    bootstrap: str, topic: str, folder: str, counter: Any, stop: Any, conn: Any
) -> None:
    """A projector of its own process: `o2c project --from kafka`, timed.

    ``counter`` tells the parent how many invoices it has applied so far.
    """
    o2c_logging.configure(log_format="console", level="warning")
    Path(folder).mkdir(parents=True, exist_ok=True)
    models = TimedModels(Path(folder) / "readmodels.duckdb", counter)
    deadline = time.monotonic() + 60
    while True:
        try:
            projector = KafkaProjector(models, bootstrap, topic)
            break
        except LookupError:
            # The relay creates the topic when it starts.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    conn.send("ready")
    projector.run_forever(stop)
    projector.close()
    models.close()
    conn.send(models.samples)
    conn.close()


def start_relay(
    settings: Settings, bootstrap: str, topic: str, log: Path, poll: float
) -> subprocess.Popen[bytes]:
    """`o2c relay` as operators run it, following the store."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "O2C_EVENT_STORE": settings.event_store,
        "O2C_DATA_DIR": str(settings.data_dir),
        "O2C_KAFKA_BOOTSTRAP": bootstrap,
        "O2C_KAFKA_TOPIC": topic,
        "O2C_LOG_FORMAT": "json",
        "O2C_LOG_LEVEL": "warning",
    }
    if settings.postgres_dsn is not None:
        env["O2C_POSTGRES_DSN"] = settings.postgres_dsn.get_secret_value()
        env["O2C_POSTGRES_SCHEMA"] = settings.postgres_schema
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "adapters.cli",
                "relay",
                "--poll-interval",
                str(poll),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def writer_child(
    settings: Settings,
    per_second: float,
    start_at: float,
    seconds: float,
    prefix: str,
    conn: Any,
) -> None:
    """Issue invoices on a fixed schedule; a late command does not catch up.

    A process of its own, as each command costs a millisecond or more of
    Python: threads of one process would queue on one core.
    """
    o2c_logging.configure(log_format="console", level="warning")
    app = Receivables(env=store_env(settings))
    accounts = [f"B-{n}" for n in range(ACCOUNTS)]
    rng = random.Random(prefix)
    step = 1.0 / per_second
    due = start_at
    until = start_at + seconds
    issued = 0
    while due < until:
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        issue(app, rng.choice(accounts), f"{prefix}-{issued}")
        issued += 1
        due = max(due + step, time.time() - step)
    app.close()
    conn.send(issued)
    conn.close()


def lag_phase(
    options: Result, found: dict[str, str], folder: Path, store: str
) -> Result:
    folder = folder / f"lag-{store}"
    settings = store_settings(store, folder / "store", found)
    app = Receivables(env=store_env(settings))
    open_accounts(app, ACCOUNTS)
    topic = f"bench-lag-{uuid.uuid4().hex[:8]}"
    relay = start_relay(
        settings,
        found["O2C_KAFKA_BOOTSTRAP"],
        topic,
        folder / "relay.log",
        options["relay_poll"],
    )

    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    applied = context.Value("q", 0)
    receiving, sending = context.Pipe(duplex=False)
    projector = context.Process(
        target=projector_child,
        args=(
            found["O2C_KAFKA_BOOTSTRAP"],
            topic,
            str(folder / "lag-replica"),
            applied,
            stop,
            sending,
        ),
    )
    projector.start()
    sending.close()
    try:
        if not receiving.poll(90) or receiving.recv() != "ready":
            raise SystemExit("the projector did not start; see above")

        # Warm up, then measure: only invoices recorded in the window count.
        writers = options["writers"]
        start_at = time.time() + 1.0
        window_start = start_at + WARM_UP_S
        say(
            f"lag on {store}: {options['rate']:,} commands/s "
            f"for {options['seconds']:.0f} s after {WARM_UP_S:.0f} s of warm-up, "
            f"{writers} writer processes"
        )
        pipes = []
        children = []
        for w in range(writers):
            got, give = context.Pipe(duplex=False)
            child = context.Process(
                target=writer_child,
                args=(
                    settings,
                    options["rate"] / writers,
                    start_at,
                    WARM_UP_S + options["seconds"],
                    f"L{w}",
                    give,
                ),
            )
            child.start()
            give.close()
            pipes.append(got)
            children.append(child)
        total = sum(pipe.recv() for pipe in pipes)
        for child in children:
            child.join()
        window_end = time.time()

        # Let the relay and the projector finish what was issued.
        say(f"lag on {store}: {total:,} commands issued; draining")
        deadline = time.monotonic() + DRAIN_S
        while applied.value < total and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        samples: list[tuple[float, float]] = []
        try:
            if receiving.poll(DRAIN_S):
                samples = receiving.recv()
        except EOFError:
            say("lag: the projector ended without its figures; see above")
        projector.join(timeout=30)
        relay.send_signal(signal.SIGTERM)
        relay.wait(timeout=60)
        app.close()

    lags = sorted(
        (done - recorded) * 1000
        for recorded, done in samples
        if window_start <= recorded <= window_end
    )
    return {
        "commands": total,
        "window_seconds": window_end - window_start,
        "measured": len(lags),
        "lags_ms": lags,
        "applied": len(samples),
        "issued": total,
    }


# Printing and the run ---------------------------------------------------


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def row(name: str, goal: str, measured: str, met: bool | None) -> None:
    verdict = "" if met is None else ("met" if met else "NOT MET")
    print(f"{name:<42}{goal:<20}{measured:<44}{verdict}", flush=True)


def throughput(figure: Result, key: str = "events") -> tuple[float, str]:
    per_second = rate(figure[key], figure["seconds"])
    unit = "events" if key == "events" else key
    return per_second, (
        f"{per_second:,.0f} {unit}/s ({figure[key]:,} in {figure['seconds']:.1f} s)"
    )


def print_lag(store: str, lag: Result, wanted: int) -> None:
    ms = lag["lags_ms"]
    name = f"lag, command to read model, {store}"
    if not ms:
        row(name, "p99 < 1 s", "no invoice measured", False)
        return
    p50, p95, p99 = (percentile(ms, share) for share in (0.5, 0.95, 0.99))
    text = f"p50 {p50:,.0f} ms  p95 {p95:,.0f} ms  p99 {p99:,.0f} ms"
    row(name, "p99 < 1 s", text, p99 < 1000)
    achieved = lag["measured"] / lag["window_seconds"]
    row(
        "  at (commands/s, issued in the window)",
        f"{wanted:,} commands/s",
        f"{achieved:,.0f} over {lag['window_seconds']:.0f} s, max {ms[-1]:,.0f} ms"
        + ("" if lag["applied"] >= lag["issued"] else ", some never applied"),
        achieved >= 0.95 * wanted,
    )


def measure(options: Result, folder: Path) -> None:
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("kafka-python", "psycopg")
    )
    print(f"o2c distributed benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"{machine()}, {versions}")
    print(f"start: {load()}", flush=True)

    with services(folder / "services") as found:
        bootstrap = found["O2C_KAFKA_BOOTSTRAP"]
        figures: Result = {}
        stores = {
            name: store_settings(name, folder / f"bulk-{name}", found)
            for name in ("sqlite", "postgresql")
        }
        for name, settings in stores.items():
            say(f"bulk: {options['events']:,} events into {name}")
            figures[f"bulk {name}"] = bulk_phase(settings, options["events"])
            say(f"commands: {COMMANDS:,} invoices issued on {name}")
            figures[f"commands {name}"] = commands_phase(
                store_settings(name, folder / f"commands-{name}", found), COMMANDS
            )
        topics = {}
        for name, settings in stores.items():
            topics[name] = f"bench-{name}-{uuid.uuid4().hex[:8]}"
            say(f"relay: the {name} store to Kafka")
            figures[f"relay {name}"] = relay_phase(settings, bootstrap, topics[name])
        say("projector: the PostgreSQL topic into DuckDB")
        figures["projector"] = projector_phase(
            folder / "replica", bootstrap, topics["postgresql"]
        )
        for name in options["lag_stores"]:
            figures[f"lag {name}"] = lag_phase(options, found, folder, name)

    print(f"end: {load()}")
    print()
    row("figure", "goal", "measured", None)
    for name in ("sqlite", "postgresql"):
        per_second, text = throughput(figures[f"relay {name}"])
        row(
            f"relay, {name} store to Kafka",
            ">= 30,000 events/s",
            text,
            per_second >= 30_000,
        )
    per_second, text = throughput(figures["projector"])
    row("projector, Kafka to DuckDB", ">= 50,000 events/s", text, per_second >= 50_000)

    for name in options["lag_stores"]:
        print_lag(name, figures[f"lag {name}"], options["rate"])

    for name in ("sqlite", "postgresql"):
        _, text = throughput(figures[f"commands {name}"], "commands")
        row(f"commands through Receivables, {name}", "", text, None)
    for name in ("sqlite", "postgresql"):
        _, text = throughput(figures[f"bulk {name}"])
        row(f"bulk writes, {name}", "", text, None)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Relay, projector, lag and store figures of o2c's distributed mode."
    )
    parser.add_argument(
        "--events",
        type=int,
        default=100_000,
        help="events in each generated store (default 100,000)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=60.0,
        help="length of the steady-rate lag run (default 60)",
    )
    parser.add_argument(
        "--rate",
        type=int,
        default=1_000,
        help="commands a second during the lag run (default 1,000)",
    )
    parser.add_argument(
        "--writers",
        type=int,
        default=2,
        help="processes issuing those commands (default 2)",
    )
    parser.add_argument(
        "--lag-stores",
        nargs="+",
        choices=("sqlite", "postgresql"),
        default=["sqlite", "postgresql"],
        help="event stores the lag run is made on, one after the other",
    )
    parser.add_argument(
        "--relay-poll",
        type=float,
        default=0.1,
        help="o2c relay --poll-interval in the lag run (default 0.1)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args(argv)
    if min(options.events, options.rate, options.writers) < 1 or options.seconds <= 0:
        parser.error("--events, --seconds, --rate and --writers must be positive")
    return options


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    o2c_logging.configure(log_format="console", level="warning")
    folder = Path(tempfile.mkdtemp(prefix="o2c-dist-bench-"))
    try:
        measure(vars(options), folder)
    finally:
        if options.keep:
            say(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
