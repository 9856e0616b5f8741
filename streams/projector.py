"""The Kafka-fed projector: read models built from the event topic.

Each replica reads every partition of the topic with ``read_committed`` and
keeps, in its own DuckDB file, the offset reached in each partition, written
in the same transaction as the rows those records produced. On start it seeks
to those offsets, so a replica stopped at any moment goes on without losing or
repeating an event, and one started from an empty file catches up from the
beginning of the topic.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import orjson
import structlog
from kafka import KafkaConsumer, TopicPartition

from projections._transform import EVENT_KINDS
from projections.readmodels import ReadModels, events_table

log = structlog.get_logger("o2c.streams")

# The envelope names an event by its type; the read models by its topic.
_TOPICS = {kind: topic for topic, kind in EVENT_KINDS.items()}
_CAUSE = ("account_id", "effective_date", "actor", "channel", "correlation_id")


def offset_name(topic: str, partition: int) -> str:
    return f"kafka:{topic}:{partition}"


class KafkaProjector:
    """Applies the event topic to one replica of the read models."""

    def __init__(
        self,
        models: ReadModels,
        bootstrap: str,
        topic: str,
        batch_records: int = 20_000,
    ) -> None:
        self.models = models
        self.topic = topic
        self.batch_records = batch_records
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            client_id="o2c-projector",
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            max_poll_records=batch_records,
        )
        self.partitions = self._assign()

    def _assign(self) -> list[TopicPartition]:
        numbers = self.consumer.partitions_for_topic(self.topic)
        if not numbers:
            raise LookupError(f"Kafka has no topic {self.topic!r}; run o2c relay")
        partitions = [TopicPartition(self.topic, n) for n in sorted(numbers)]
        self.consumer.assign(partitions)

        stored = self.models.positions()
        for partition in partitions:
            offset = stored.get(offset_name(self.topic, partition.partition))
            if offset is None:
                self.consumer.seek_to_beginning(partition)
            else:
                self.consumer.seek(partition, offset)
        return partitions

    def run_once(self) -> int:
        """Apply everything committed up to now in every partition, then stop."""
        ends = self.consumer.end_offsets(self.partitions)
        applied = 0
        while any(self.consumer.position(p) < ends[p] for p in self.partitions):
            applied += self._poll()
        return applied

    def run_forever(self, stop: threading.Event) -> int:
        applied = 0
        while not stop.is_set():
            applied += self._poll()
        return applied

    def _poll(self) -> int:
        started = time.perf_counter()
        batches = self.consumer.poll(timeout_ms=500, max_records=self.batch_records)
        records = [record for batch in batches.values() for record in batch]
        if not records:
            return 0

        envelopes = sorted(
            (orjson.loads(record.value) for record in records),
            key=lambda envelope: envelope["position"],
        )
        reached = {
            offset_name(self.topic, partition.partition): batch[-1].offset + 1
            for partition, batch in batches.items()
            if batch
        }
        self.models.apply(_as_events(envelopes), reached)

        log.info(
            "kafka_batch_projected",
            count=len(envelopes),
            offsets=reached,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return len(envelopes)

    def close(self) -> None:
        self.consumer.close()


def _as_events(envelopes: list[dict[str, Any]]) -> Any:
    """Envelopes as the stored-event table the read models take."""
    states = []
    for envelope in envelopes:
        state = dict(envelope["data"])
        state.update({name: envelope[name] for name in _CAUSE})
        state["timestamp"] = envelope["recorded_at"]
        states.append(orjson.dumps(state))
    return events_table(
        [e["position"] for e in envelopes],
        [_TOPICS.get(e["type"], e["type"]) for e in envelopes],
        [e["aggregate_id"] for e in envelopes],
        [e["aggregate_version"] for e in envelopes],
        states,
    )
