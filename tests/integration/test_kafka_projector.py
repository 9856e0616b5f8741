"""Read models fed from Kafka, on a real broker, equal those built embedded."""

from __future__ import annotations

import uuid
from pathlib import Path

from adapters.settings import Settings
from adapters.wiring import store_env
from projections.readmodels import ReadModels
from projections.runner import StoreProjector
from services.bulk import BulkWriter
from services.demo import generate_book
from services.receivables import Receivables
from streams.projector import KafkaProjector
from streams.relay import Relay
from tests.integration.test_relay import pytestmark  # noqa: F401
from tests.support.ledger import dump_tables


def book(folder: Path, invoices: int, seed: int = 3) -> Receivables:
    app = Receivables(env=store_env(Settings(data_dir=folder)))
    generate_book(BulkWriter(app), invoices=invoices, seed=seed)
    return app


def embedded(app: Receivables, folder: Path) -> ReadModels:
    models = ReadModels(folder / "embedded.duckdb")
    StoreProjector(app.recorder, models).catch_up()
    return models


def replica(folder: Path, name: str, bootstrap: str, topic: str) -> ReadModels:
    models = ReadModels(folder / f"{name}.duckdb")
    projector = KafkaProjector(models, bootstrap, topic)
    projector.run_once()
    projector.close()
    return models


def test_a_replica_fed_from_kafka_equals_the_embedded_read_models(bootstrap, tmp_path):
    """Every read-model table matches, row for row, the one built from the store."""
    topic = f"o2c.test.{uuid.uuid4().hex[:8]}"
    app = book(tmp_path, invoices=300)
    with Relay(app.recorder, bootstrap, topic, name=topic) as relay:
        relay.run_once()

    from_kafka = replica(tmp_path, "kafka", bootstrap, topic)

    assert dump_tables(from_kafka) == dump_tables(embedded(app, tmp_path))


def test_two_replicas_end_in_the_same_state(bootstrap, tmp_path):
    """Two projectors reading the same topic hold identical read models."""
    topic = f"o2c.test.{uuid.uuid4().hex[:8]}"
    app = book(tmp_path, invoices=200, seed=5)
    with Relay(app.recorder, bootstrap, topic, name=topic) as relay:
        relay.run_once()

    first = replica(tmp_path, "first", bootstrap, topic)
    second = replica(tmp_path, "second", bootstrap, topic)

    assert dump_tables(first) == dump_tables(second)


def test_a_replica_goes_on_from_its_offsets_without_applying_twice(bootstrap, tmp_path):
    """Stopped after part of the log, a replica resumes and ends like a fresh one."""
    topic = f"o2c.test.{uuid.uuid4().hex[:8]}"
    app = book(tmp_path, invoices=150, seed=9)
    half = (app.recorder.max_notification_id() or 0) // 2
    with Relay(app.recorder, bootstrap, topic, name=topic, batch_events=half) as relay:
        relay.start()
        relay._publish(app.recorder.select_notifications(start=1, limit=half))
        resumed = replica(tmp_path, "resumed", bootstrap, topic)
        relay.run_once()

    projector = KafkaProjector(resumed, bootstrap, topic)
    projector.run_once()
    projector.close()

    assert dump_tables(resumed) == dump_tables(embedded(app, tmp_path))
