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
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import AuthorizationError, KafkaError, ProducerFencedError

from streams import RECONNECT, _progress
from streams._partitions import KeyPartitions
from streams.envelope import envelope, key

log = structlog.get_logger("o2c.streams")

DEFAULT_BATCH_EVENTS = 20_000
DEFAULT_PARTITIONS = 6
# How long ``run_once`` waits for its last transaction to become readable.
VISIBLE_TIMEOUT_S = 60.0
# What a running relay outlives by starting over: the broker gone, a lost
# connection, a transaction the broker gave up on. Not another relay that
# took over its name, nor a broker that refuses it: those end the run.
RETRYABLE = (KafkaError, OSError)
FATAL = (ProducerFencedError, AuthorizationError)


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
        # The last offset written to each partition by a committed batch.
        self._written: dict[TopicPartition, int] = {}
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
            **RECONNECT,
        )
        try:
            # Aborts whatever transaction an earlier run left open, so the
            # progress read next is final.
            producer.init_transactions()
        except BaseException:
            producer.close(timeout=5)
            raise
        self._producer = producer

        self.position = _progress.committed_position(
            self.bootstrap, self.topic, self.name
        )
        log.info(
            "relay_started", relay=self.name, topic=self.topic, position=self.position
        )
        return self.position

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Publish every event stored after the relay's position; return how many.

        It returns once what it published can be read: see ``_await_visible``.
        When ``stop`` is set it returns after the batch under way.
        """
        published = self._publish_new(stop)
        if published:
            self._await_visible()
        if stop is not None and stop.is_set():
            self._stopped(published)
        return published

    def run_forever(
        self,
        stop: threading.Event,
        poll_interval: float = 0.5,
        max_interval: float = 5.0,
    ) -> int:
        """Keep publishing until ``stop`` is set; return how many were published.

        An idle store is polled less often, up to ``max_interval`` seconds
        apart; the first new event brings the interval back to the start.
        When Kafka fails (the broker is down, say) the relay starts over from
        the progress Kafka committed, after a pause that grows the same way.
        Once ``stop`` is set it finishes the batch under way and returns.
        """
        published = 0
        interval = poll_interval

        while not stop.is_set():
            try:
                count = self._publish_new(stop)
            except RETRYABLE as error:
                if _fatal(error):
                    raise
                self._abandon()
                interval = min(max(interval * 2, 1.0), max_interval)
                log.warning(
                    "relay_retrying",
                    relay=self.name,
                    position=self.position,
                    error=repr(error),
                    retry_in_s=interval,
                )
                stop.wait(interval)
                continue
            published += count
            interval = poll_interval if count else min(interval * 2, max_interval)
            stop.wait(interval)

        self._stopped(published)
        return published

    def _publish_new(self, stop: threading.Event | None) -> int:
        """Publish batch after batch up to the store's head, or until stopped."""
        if self._producer is None:
            self.start()
        published = 0

        while stop is None or not stop.is_set():
            batch = self.recorder.select_notifications(
                start=self.position + 1, limit=self.batch_events
            )
            if not batch:
                break
            self._publish(batch)
            published += len(batch)
        return published

    def _stopped(self, published: int) -> None:
        log.info(
            "relay_stopped",
            relay=self.name,
            position=self.position,
            published=published,
        )

    def _await_visible(self, timeout: float = VISIBLE_TIMEOUT_S) -> None:
        """Wait until ``read_committed`` readers can read every committed batch.

        ``commit_transaction`` returns once the broker has decided to commit;
        the markers that end the transaction in each partition follow a moment
        later, and until then a partition's readable end (its last stable
        offset) stays before the batch. A ``--once`` reader started right
        after ``--once`` publishing would stop short of it.
        """
        if not self._written:
            return
        wanted = dict(self._written)
        consumer = KafkaConsumer(
            bootstrap_servers=self.bootstrap,
            client_id=f"{self.name}-visibility",
            isolation_level="read_committed",
            enable_auto_commit=False,
            group_id=None,
            **RECONNECT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                ends = consumer.end_offsets(list(wanted))
                if all(ends[tp] > offset for tp, offset in wanted.items()):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"published events were not readable within {timeout:.0f} s"
                    )
                time.sleep(0.02)
        finally:
            consumer.close()
        for tp, offset in wanted.items():
            if self._written.get(tp) == offset:
                del self._written[tp]

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
            sent = []
            for notification in batch:
                value = envelope(notification)
                record_key = key(value)
                sent.append(
                    producer.send(
                        self.topic,
                        orjson.dumps(value),
                        key=record_key,
                        partition=self._partitions.of(record_key, count),
                    )
                )
            sent.append(
                producer.send(
                    _progress.progress_topic(self.topic),
                    _progress.encode_progress(last),
                    key=self.name.encode(),
                )
            )
            producer.commit_transaction()
        except BaseException:
            # Whether the commit landed is unknown: start over from what
            # Kafka says was committed rather than guess.
            self._abandon()
            raise

        self.position = last
        for future in sent:
            written = future.value
            tp = TopicPartition(written.topic, written.partition)
            self._written[tp] = max(self._written.get(tp, -1), written.offset)
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


def _fatal(error: BaseException) -> bool:
    """Whether the error, or the one kafka-python wrapped in it, is in FATAL."""
    return isinstance(error, FATAL) or any(isinstance(a, FATAL) for a in error.args)
