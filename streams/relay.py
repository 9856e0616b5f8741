"""The relay: publishes the event store's log to Kafka, each event exactly once.

Each batch of events goes out in one Kafka transaction together with a record
of the store position it reaches, written to the compacted progress topic. A
``read_committed`` reader therefore sees a batch and the relay's progress
past it both or neither; a restarted relay reads that progress back and goes
on from there, whenever the previous run was stopped.
"""

from __future__ import annotations

import threading
import time

import orjson
import structlog
from eventsourcing.persistence import ApplicationRecorder, Notification
from kafka import KafkaProducer

from streams import _progress
from streams._partitions import KeyPartitions
from streams.envelope import envelope, key

log = structlog.get_logger("o2c.streams")

DEFAULT_BATCH_EVENTS = 20_000
DEFAULT_PARTITIONS = 6


class Relay:
    """Publishes new events from one event store to one Kafka topic.

    The topic is keyed by account id, so an account's events keep their store
    order. ``name`` identifies the relay: it is the producer's transactional
    id, which fences off any older run with the same name, and the key of its
    progress record. Two relays of one store to one topic must share a name.
    """

    def __init__(
        self,
        recorder: ApplicationRecorder,
        bootstrap: str,
        topic: str,
        name: str = "o2c-relay",
        partitions: int = DEFAULT_PARTITIONS,
        batch_events: int = DEFAULT_BATCH_EVENTS,
    ) -> None:
        self.recorder = recorder
        self.bootstrap = bootstrap
        self.topic = topic
        self.name = name
        self.partitions = partitions
        self.batch_events = batch_events
        self.position = 0
        self._producer: KafkaProducer | None = None
        self._partitions = KeyPartitions()

    def start(self) -> int:
        """Take over the relay's name and return the position it resumes after."""
        self.close()
        _progress.ensure_topics(self.bootstrap, self.topic, self.partitions)
        producer = KafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id=self.name,
            transactional_id=self.name,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            batch_size=512 * 1024,
        )
        # Aborts whatever transaction an earlier run left open, so the
        # progress read next is final.
        producer.init_transactions()
        self._producer = producer

        self.position = _progress.committed_position(
            self.bootstrap, self.topic, self.name
        )
        log.info(
            "relay_started", relay=self.name, topic=self.topic, position=self.position
        )
        return self.position

    def run_once(self) -> int:
        """Publish every event stored after the relay's position; return how many."""
        if self._producer is None:
            self.start()
        published = 0

        while True:
            batch = self.recorder.select_notifications(
                start=self.position + 1, limit=self.batch_events
            )
            if not batch:
                return published
            self._publish(batch)
            published += len(batch)

    def run_forever(
        self,
        stop: threading.Event,
        poll_interval: float = 0.5,
        max_interval: float = 5.0,
    ) -> int:
        """Keep publishing until ``stop`` is set; return how many were published.

        An idle store is polled less often, up to ``max_interval`` seconds
        apart; the first new event brings the interval back to the start.
        """
        published = 0
        interval = poll_interval

        while not stop.is_set():
            count = self.run_once()
            published += count
            interval = poll_interval if count else min(interval * 2, max_interval)
            stop.wait(interval)

        return published

    def lag(self) -> int:
        """How many stored events the relay has yet to publish."""
        return (self.recorder.max_notification_id() or 0) - self.position

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _publish(self, batch: list[Notification]) -> None:
        """Send one batch and the position it reaches in one transaction."""
        assert self._producer is not None
        producer = self._producer
        started = time.perf_counter()
        last = batch[-1].id

        try:
            producer.begin_transaction()
            # The relay names each record's partition itself (Kafka's own
            # choice for the key, remembered): the producer's partitioner
            # would hash every key again.
            count = len(producer.partitions_for(self.topic))
            for notification in batch:
                value = envelope(notification)
                record_key = key(value)
                producer.send(
                    self.topic,
                    orjson.dumps(value),
                    key=record_key,
                    partition=self._partitions.of(record_key, count),
                )
            producer.send(
                _progress.progress_topic(self.topic),
                _progress.encode_progress(last),
                key=self.name.encode(),
            )
            producer.commit_transaction()
        except BaseException:
            # Whether the commit landed is unknown: start over from what
            # Kafka says was committed rather than guess.
            self._abandon()
            raise

        self.position = last
        log.info(
            "relay_batch_published",
            relay=self.name,
            count=len(batch),
            first_position=batch[0].id,
            last_position=last,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            lag=self.lag(),
        )

    def _abandon(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=5)
