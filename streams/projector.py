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
from kafka.errors import KafkaError

from projections._transform import EVENT_KINDS
from projections.readmodels import ReadModels, events_table
from streams import RECONNECT

log = structlog.get_logger("o2c.streams")

# The envelope names an event by its type; the read models by its topic.
_TOPICS = {kind: topic for topic, kind in EVENT_KINDS.items()}
_CAUSE = ("account_id", "effective_date", "actor", "channel", "correlation_id")
# What a projector waits out when it starts: the broker down or unreachable.
RETRYABLE = (KafkaError, OSError)


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
            **RECONNECT,
        )
        try:
            self.partitions = self._assign()
        except BaseException:
            self.consumer.close()
            raise
        log.info("kafka_projector_started", topic=topic, offsets=self.offsets())

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

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Apply everything committed up to now in every partition, then stop.

        When ``stop`` is set it returns after the batch under way.
        """
        ends = self.consumer.end_offsets(self.partitions)
        applied = 0
        while any(self.consumer.position(p) < ends[p] for p in self.partitions):
            if stop is not None and stop.is_set():
                self._stopped(applied)
                break
            applied += self._poll()
        return applied

    def run_forever(self, stop: threading.Event) -> int:
        """Apply records as they come until ``stop`` is set; return how many.

        A batch under way when ``stop`` is set is applied and committed first;
        the next run starts from the offsets stored with it.
        """
        applied = 0
        while not stop.is_set():
            applied += self._poll()
        self._stopped(applied)
        return applied

    def _stopped(self, applied: int) -> None:
        log.info(
            "kafka_projector_stopped",
            topic=self.topic,
            applied=applied,
            offsets=self.offsets(),
        )

    def offsets(self) -> dict[str, int]:
        """The offsets stored with the read models, one per partition."""
        prefix = offset_name(self.topic, 0)[:-1]
        return {
            name: offset
            for name, offset in self.models.positions().items()
            if name.startswith(prefix)
        }

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
            first_position=envelopes[0]["position"],
            last_position=envelopes[-1]["position"],
            offsets=reached,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return len(envelopes)

    def close(self) -> None:
        self.consumer.close()


def connect(
    models: ReadModels,
    bootstrap: str,
    topic: str,
    stop: threading.Event,
    max_interval: float = 5.0,
) -> KafkaProjector | None:
    """A projector as soon as Kafka answers; None if ``stop`` is set first.

    A projector started while the broker is down (restarted by a supervisor
    after a crash, say) waits for it instead of exiting.
    """
    interval = 0.5
    while not stop.is_set():
        try:
            return KafkaProjector(models, bootstrap, topic)
        except RETRYABLE as error:
            log.warning(
                "kafka_projector_retrying",
                topic=topic,
                error=repr(error),
                retry_in_s=interval,
            )
            stop.wait(interval)
            interval = min(interval * 2, max_interval)
    return None


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
