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
from services.receivables import Receivables
from streams._progress import committed_position
from tests.integration.conftest import Broker
from tests.integration.test_relay import (
    in_account_order,
    pytestmark,  # noqa: F401
    read_topic,
    record_large_ledger,
)
from tests.support.cli import Cli
from tests.support.ledger import (
    POSTGRES_DSN,
    store_settings,
    tables_built_from,
    tables_in,
)
from tests.support.processes import (
    BOOK_WRITER,
    Process,
    o2c_env,
    start_in_order,
    wait_for,
)

SEED = int(os.environ.get("O2C_CHAOS_SEED", "20261204"))
# About 4.4 events per invoice in the demo book, plus a few live commands.
INVOICES = 22_500
LOAD_SECONDS = 40.0
KILLS = {"relay": 3, "projector": 3, "broker": 2}
CATCH_UP_S = 180.0


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
        script=BOOK_WRITER,
    )
    relay = Process("relay", ["relay", "--poll-interval", "0.2"], relay_env, tmp_path)
    projector = Process(
        "projector", ["project", "--from", "kafka"], replica_env, tmp_path
    )
    services = {"relay": relay, "projector": projector}
    app = Receivables(env=store_env(store))
    restarting: list[threading.Thread] = []
    try:
        start_in_order(writer, relay, projector)

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
    assert in_account_order(values, records)

    # The replica equals the read models built embedded from the store.
    embedded = tables_built_from(app.recorder, tmp_path / "embedded.duckdb")
    app.close()
    assert tables_in(replica / "readmodels.duckdb") == embedded

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
        # A span of the outage, not a wait for work: one that gave up on the
        # broker at once would have exited by its end.
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
