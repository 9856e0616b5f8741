"""SIGTERM stops ``o2c relay`` and ``o2c project --from kafka`` cleanly.

Each runs as a real process with work still to do. The signal lets the batch
under way finish and commit; the process logs where it stopped and exits 0;
what it committed is exactly what it published or applied; a restart goes on
from there, losing and repeating nothing.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import orjson

from adapters.settings import Settings
from adapters.wiring import store_env
from projections._transform import EVENT_KINDS
from projections.readmodels import ReadModels
from services.receivables import Receivables
from streams._progress import committed_position
from tests.integration.test_relay import (
    pytestmark,  # noqa: F401
    read_topic,
    record_large_ledger,
)
from tests.support.cli import Cli
from tests.support.ledger import tables_built_from, tables_in
from tests.support.processes import (
    BOOK_WRITER,
    Process,
    o2c_env,
    start_in_order,
    wait_for,
)


def positions_in(bootstrap: str, topic: str) -> list[int]:
    records = read_topic(bootstrap, topic)
    return sorted(orjson.loads(r.value)["position"] for r in records)


def store_in(folder: Path) -> Receivables:
    folder.mkdir()
    return Receivables(env=store_env(Settings(data_dir=folder)))


def test_sigterm_stops_the_relay_after_its_batch_and_a_restart_goes_on(
    bootstrap: str, tmp_path: Path
) -> None:
    """Mid-run, the relay commits its batch, says where it stopped, exits 0."""
    store = tmp_path / "store"
    app = store_in(store)
    record_large_ledger(app, accounts=3_000)
    head = app.recorder.max_notification_id() or 0
    app.close()
    topic = f"o2c.stop.{uuid.uuid4().hex[:8]}"
    env = o2c_env(data_dir=str(store), kafka_bootstrap=bootstrap, kafka_topic=topic)
    relay = Process("relay", ["relay", "--batch-events", "500"], env, tmp_path)
    try:
        relay.start()
        wait_for(
            lambda: len(relay.events("relay_batch_published")) >= 3,
            60,
            "three batches",
            interval=0.02,
            watched=(relay,),
        )
        assert relay.terminate(timeout=30) == 0, relay.output()
    finally:
        relay.cleanup()

    stopped = relay.events("relay_stopped")[-1]["position"]
    assert 0 < stopped < head, "the signal did not land mid-run"
    assert relay.events("relay_batch_published")[-1]["last_position"] == stopped
    assert committed_position(bootstrap, topic, "o2c-relay") == stopped
    assert positions_in(bootstrap, topic) == list(range(1, stopped + 1))

    cli = Cli(store)
    cli.env = env
    done = cli.ok("relay", "--once")
    assert f"published {head - stopped} events" in done.stdout
    assert positions_in(bootstrap, topic) == list(range(1, head + 1))


def test_sigterm_stops_the_projector_after_its_batch_and_a_restart_goes_on(
    bootstrap: str, tmp_path: Path
) -> None:
    """Mid-stream, the projector commits its batch with its offsets, exits 0."""
    store = tmp_path / "store"
    replica = tmp_path / "replica"
    app = store_in(store)
    topic = f"o2c.stop.{uuid.uuid4().hex[:8]}"
    kafka = {"kafka_bootstrap": bootstrap, "kafka_topic": topic}
    relay_env = o2c_env(data_dir=str(store), **kafka)
    replica_env = o2c_env(data_dir=str(replica), **kafka)
    # Events keep coming while the projector is stopped.
    writer = Process(
        "writer",
        ["3000", "13", "15"],
        o2c_env(data_dir=str(store)),
        tmp_path,
        script=BOOK_WRITER,
    )
    relay = Process("relay", ["relay", "--poll-interval", "0.1"], relay_env, tmp_path)
    projector = Process(
        "projector", ["project", "--from", "kafka"], replica_env, tmp_path
    )
    try:
        start_in_order(writer, relay, projector)
        wait_for(
            lambda: len(projector.events("kafka_batch_projected")) >= 2,
            60,
            "two projected batches",
            interval=0.02,
            watched=(writer, relay, projector),
        )
        assert writer.running(), "the load ended before the signal"
        assert projector.terminate(timeout=30) == 0, projector.output()
        assert writer.wait(timeout=120) == 0, writer.output()
        assert relay.terminate(timeout=30) == 0, relay.output()
    finally:
        for process in (writer, relay, projector):
            process.cleanup()
    head = app.recorder.max_notification_id() or 0

    stopped = projector.events("kafka_projector_stopped")[-1]["offsets"]
    models = ReadModels(replica / "readmodels.duckdb")
    try:
        assert models.positions() == stopped
        rows = models.con.execute("SELECT position FROM timeline").fetchall()
        applied = [position for (position,) in rows]
    finally:
        models.close()
    # Every ledger event below the stored offsets is applied, once; none above.
    # (Command receipts travel in the topic too but make no rows.)
    taken = [
        orjson.loads(record.value)
        for record in read_topic(bootstrap, topic)
        if record.offset < stopped.get(f"kafka:{topic}:{record.partition}", 0)
    ]
    kinds = set(EVENT_KINDS.values())
    below = [value["position"] for value in taken if value["type"] in kinds]
    assert 0 < len(applied) < head, "the signal did not land mid-stream"
    assert sorted(applied) == sorted(below)

    relayed = Cli(store)
    relayed.env = relay_env
    relayed.ok("relay", "--once")
    replicated = Cli(replica)
    replicated.env = replica_env
    done = replicated.ok("project", "--from", "kafka", "--once")
    assert f"applied {head - len(taken)} events" in done.stdout

    embedded = tables_built_from(app.recorder, tmp_path / "embedded.duckdb")
    app.close()
    assert tables_in(replica / "readmodels.duckdb") == embedded
