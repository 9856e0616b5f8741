"""Chaos: the relay, a projector and the broker killed again and again under load.

A writer process stores about 100,000 events in a real PostgreSQL while
``o2c relay`` and ``o2c project --from kafka`` run as real processes. The
relay, the projector and the broker are each killed with SIGKILL at several
moments drawn from a seeded random stream, and started again. Once the load
is in, everything catches up, and then: every stored event is in the topic
exactly once, each account's events in store order, and the replica holds the
same read models, and gives the same reports, as an embedded build from the
store.

The seed is printed with the plan; ``O2C_CHAOS_SEED=N`` replays one.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from adapters.settings import Settings
from adapters.wiring import store_env
from projections.readmodels import ReadModels
from projections.runner import StoreProjector
from services.receivables import Receivables
from streams._progress import committed_position
from tests.integration.conftest import Broker
from tests.integration.test_relay import (
    pytestmark,  # noqa: F401
    read_topic,
    record_large_ledger,
)
from tests.support.cli import Cli
from tests.support.ledger import POSTGRES_DSN, dump_tables, store_settings
from tests.support.processes import Process, o2c_env, wait_for

SEED = int(os.environ.get("O2C_CHAOS_SEED", "20261204"))
# About 4.4 events per invoice in the demo book, plus a few live commands.
INVOICES = 22_500
LOAD_SECONDS = 40.0
KILLS = {"relay": 3, "projector": 3, "broker": 2}
CATCH_UP_S = 180.0

# Stores a demo book in batches of about 1,000 events, spread over the given
# seconds, with three ordinary commands (their receipts included) after each.
WRITER = """
import sys, time
from datetime import date
from decimal import Decimal

from adapters.logging import configure
from adapters.settings import Settings
from adapters.wiring import store_env
from services import commands as c
from services.bulk import BulkWriter
from services.demo import generate_book
from services.receivables import Receivables
from streams._progress import committed_position

invoices, seed, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
configure("json", "info")
app = Receivables(env=store_env(Settings()))
expected_flushes = invoices * 4.4 / 1000
started = time.monotonic()
flushes = 0


def live_commands_then_pause(count):
    global flushes
    flushes += 1
    number = f"LIVE-{flushes}"
    app.open_account(c.OpenAccount(
        idempotency_key=f"open-{number}", number=number, name=f"Live {flushes}",
        country="DE", currency="EUR", opened_on=date(2024, 1, 2)))
    app.issue_invoice(c.IssueInvoice(
        idempotency_key=f"issue-{number}", number=f"{number}-1",
        account_number=number, amount=Decimal("120.00"),
        issue_date=date(2024, 2, 1)))
    app.record_payment(c.RecordPayment(
        idempotency_key=f"pay-{number}", account_number=number,
        amount=Decimal("100.00"), currency="EUR", received_on=date(2024, 3, 1),
        allocations=[c.AllocationLine(
            invoice_number=f"{number}-1", amount=Decimal("100.00"))]))
    due = started + seconds * flushes / expected_flushes
    time.sleep(max(0.0, due - time.monotonic()))


generate_book(
    BulkWriter(app, batch_events=1000, on_flush=live_commands_then_pause),
    invoices=invoices, seed=seed,
)
print("stored", app.recorder.max_notification_id(), flush=True)
app.close()
"""


def chaos_plan(rng: random.Random) -> list[tuple[float, str]]:
    """When to kill what: each target once in each of as many equal slices of
    the load, at a random moment of the slice, so kills land at different
    points of the run."""
    plan = []
    for target, kills in KILLS.items():
        span = LOAD_SECONDS / kills
        for n in range(kills):
            plan.append((round(rng.uniform(n * span + 1.0, (n + 1) * span), 2), target))
    return sorted(plan)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Settings]:
    """A fresh PostgreSQL schema for the event store."""
    if not POSTGRES_DSN:
        pytest.skip("O2C_TEST_POSTGRES_DSN is not set (scripts/services up postgres)")
    yield store_settings("postgresql", tmp_path / "embedded")


def test_kills_of_relay_projector_and_broker_lose_and_double_nothing(
    broker: Broker, store: Settings, tmp_path: Path
) -> None:
    """Killed and restarted under load, then caught up: the topic holds each
    event once in account order, and the replica equals the embedded build."""
    rng = random.Random(SEED)
    plan = chaos_plan(rng)
    print(f"chaos seed {SEED}: {plan}")
    topic = f"o2c.chaos.{uuid.uuid4().hex[:8]}"
    replica = tmp_path / "replica"
    on_store = {
        "event_store": "postgresql",
        "postgres_dsn": POSTGRES_DSN,
        "postgres_schema": store.postgres_schema,
    }
    kafka = {"kafka_bootstrap": broker.bootstrap, "kafka_topic": topic}
    relay_env = o2c_env(data_dir=str(tmp_path / "relay"), **on_store, **kafka)
    replica_env = o2c_env(data_dir=str(replica), **kafka)
    writer = Process(
        "writer",
        [str(INVOICES), str(SEED), str(LOAD_SECONDS)],
        o2c_env(data_dir=str(tmp_path / "writer"), **on_store),
        tmp_path,
        script=WRITER,
    )
    relay = Process("relay", ["relay", "--poll-interval", "0.2"], relay_env, tmp_path)
    projector = Process(
        "projector", ["project", "--from", "kafka"], replica_env, tmp_path
    )
    services = {"relay": relay, "projector": projector}
    app = Receivables(env=store_env(store))
    restarting: list[threading.Thread] = []
    try:
        writer.start()
        relay.start()
        wait_for(
            lambda: bool(relay.events("relay_batch_published")),
            60,
            "the relay's first batch",
            watched=(relay, writer),
        )
        projector.start()

        started = time.monotonic()
        for moment, target in plan:
            time.sleep(max(0.0, started + moment - time.monotonic()))
            for name, service in services.items():
                code = service.returncode()
                assert code is None, f"{name} exited with {code}\n{service.output()}"
            if target == "broker":
                # The broker comes back in the background, taking seconds:
                # the relay and projector may be killed while it is down.
                for thread in restarting:
                    thread.join()
                broker.kill()
                pause = rng.uniform(0.0, 2.0)
                restart = threading.Thread(
                    target=lambda pause=pause: (time.sleep(pause), broker.restart())
                )
                restart.start()
                restarting.append(restart)
            else:
                services[target].kill()
                time.sleep(rng.uniform(0.0, 1.5))
                services[target].start()
            print(f"{time.monotonic() - started:6.1f} s: killed {target}")

        for thread in restarting:
            thread.join()
        assert broker.alive(), "the broker did not come back"
        assert writer.wait(timeout=CATCH_UP_S) == 0, writer.output()
        head = app.recorder.max_notification_id() or 0
        assert head >= 95_000  # about 100,000, as the seed draws the book

        # The services outlived the chaos and catch up by themselves.
        wait_for(
            lambda: committed_position(broker.bootstrap, topic, "o2c-relay") >= head,
            CATCH_UP_S,
            f"the relay to publish up to position {head}",
            interval=1.0,
            watched=(relay, projector),
        )
        assert relay.terminate() == 0, relay.output()
        assert relay.events("relay_stopped")[-1]["position"] == head
        relayed = Cli(tmp_path / "relay")
        relayed.env = relay_env
        done = relayed.ok("relay", "--once")
        assert f"nothing new after position {head}" in done.stdout

        records = sorted(read_topic(broker.bootstrap, topic), key=_place)
        ends: dict[int, int] = {}
        for record in records:
            ends[record.partition] = record.offset + 1
        wait_for(
            lambda: _projected(projector, ends),
            CATCH_UP_S,
            "the projector to apply every record",
            interval=0.5,
            watched=(projector,),
        )
        assert projector.terminate() == 0, projector.output()
    finally:
        for thread in restarting:
            thread.join()
        for process in (writer, relay, projector):
            process.cleanup()

    replicated = Cli(replica)
    replicated.env = replica_env
    done = replicated.ok("project", "--from", "kafka", "--once")
    assert "applied 0 events" in done.stdout

    # Every stored event in the topic once, each account's in store order.
    values = [orjson.loads(record.value) for record in records]
    assert len(values) == head
    assert sorted(v["position"] for v in values) == list(range(1, head + 1))
    assert len({v["event_id"] for v in values}) == head
    per_key: dict[bytes, list[int]] = defaultdict(list)
    partitions: dict[bytes, set[int]] = defaultdict(set)
    for record, value in zip(records, values, strict=True):
        per_key[record.key].append(value["position"])
        partitions[record.key].add(record.partition)
    assert all(len(found) == 1 for found in partitions.values())
    assert all(positions == sorted(positions) for positions in per_key.values())

    # The replica equals the read models built embedded from the store.
    embedded = ReadModels(tmp_path / "embedded.duckdb")
    StoreProjector(app.recorder, embedded).catch_up()
    from_kafka = ReadModels(replica / "readmodels.duckdb")
    try:
        assert dump_tables(from_kafka) == dump_tables(embedded)
    finally:
        from_kafka.close()
        embedded.close()
        app.close()

    # And so do the reports: one from the replica folder, one embedded.
    embedded_cli = Cli(tmp_path / "embedded-cli")
    embedded_cli.env = o2c_env(data_dir=str(tmp_path / "embedded-cli"), **on_store)
    for report in (
        ["report", "aging", "--as-of", "2025-06-30", "--by", "country"],
        ["report", "dso", "--from", "2024-01-01", "--to", "2025-12-31"],
    ):
        args = [*report, "--format", "csv"]
        assert replicated.ok(*args).stdout == embedded_cli.ok(*args).stdout


def _place(record: Any) -> tuple[int, int]:
    return record.partition, record.offset


def _projected(projector: Process, ends: dict[int, int]) -> bool:
    """Whether the projector has stored, in each partition, the offset after
    its last record: as logged with a batch, or on start (a kill may fall
    between a batch's commit and its log line)."""
    reached: dict[int, int] = defaultdict(int)
    for event in projector.events():
        if event.get("event") in ("kafka_batch_projected", "kafka_projector_started"):
            for name, offset in event["offsets"].items():
                partition = int(name.rsplit(":", 1)[1])
                reached[partition] = max(reached[partition], offset)
    return all(reached[p] >= end for p, end in ends.items())


def test_a_relay_and_projector_started_while_the_broker_is_down_wait_for_it(
    broker: Broker, tmp_path: Path
) -> None:
    """Restarted by a supervisor during a broker outage, they wait, not exit."""
    store = tmp_path / "store"
    store.mkdir()
    app = Receivables(env=store_env(Settings(data_dir=store)))
    record_large_ledger(app, accounts=100)
    topic = f"o2c.outage.{uuid.uuid4().hex[:8]}"
    kafka = {"kafka_bootstrap": broker.bootstrap, "kafka_topic": topic}
    relay_env = o2c_env(data_dir=str(store), **kafka)
    relayed = Cli(store)
    relayed.env = relay_env
    relayed.ok("relay", "--once")
    record_large_ledger(app, accounts=100, first=100)
    head = app.recorder.max_notification_id() or 0
    relay = Process("relay", ["relay"], relay_env, tmp_path)
    projector = Process(
        "projector",
        ["project", "--from", "kafka"],
        o2c_env(data_dir=str(tmp_path / "replica"), **kafka),
        tmp_path,
    )
    try:
        broker.kill()
        relay.start()
        projector.start()
        time.sleep(3)
        assert relay.running(), relay.output()
        assert projector.running(), projector.output()
        broker.restart()

        wait_for(
            lambda: committed_position(broker.bootstrap, topic, "o2c-relay") == head,
            90,
            f"the relay to publish up to position {head}",
            interval=0.5,
            watched=(relay, projector),
        )
        records = read_topic(broker.bootstrap, topic)
        ends = {r.partition: r.offset + 1 for r in sorted(records, key=_place)}
        wait_for(
            lambda: _projected(projector, ends),
            90,
            "the projector to apply every record",
            interval=0.5,
            watched=(relay, projector),
        )
        assert relay.terminate() == 0, relay.output()
        assert projector.terminate() == 0, projector.output()
    finally:
        if not broker.alive():
            broker.restart()
        relay.cleanup()
        projector.cleanup()
        app.close()
    assert len(records) == head
