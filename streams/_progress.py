"""The relay's topics, and the position it last committed to its progress topic."""

from __future__ import annotations

import time
from typing import Any

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import TopicAlreadyExistsError

from streams import RECONNECT

# How far back from the end of the progress partition the first look goes; it
# grows fourfold until a record of the relay turns up or the start is reached.
_FIRST_WINDOW = 16
_READ_TIMEOUT_S = 60.0


def progress_topic(topic: str) -> str:
    return f"{topic}.relay-progress"


def ensure_topics(bootstrap: str, topic: str, partitions: int) -> None:
    """Create the event topic and its progress topic unless they exist.

    The event topic is a log kept forever; the progress topic is compacted
    down to each relay's latest position, in one partition.
    """
    wanted = {
        topic: {
            "num_partitions": partitions,
            "replication_factor": 1,
            "configs": {"retention.ms": "-1"},
        },
        progress_topic(topic): {
            "num_partitions": 1,
            "replication_factor": 1,
            "configs": {"cleanup.policy": "compact"},
        },
    }
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="o2c-relay-admin", **RECONNECT
    )
    try:
        missing = {
            name: spec
            for name, spec in wanted.items()
            if name not in set(admin.list_topics())
        }
        if not missing:
            return
        try:
            admin.create_topics(missing, wait_for_metadata=True)
        except TopicAlreadyExistsError:
            # Another relay created them between our look and our request.
            admin.wait_for_topics(list(missing))
    finally:
        admin.close()


def encode_progress(position: int) -> bytes:
    return orjson.dumps({"position": position})


def committed_position(bootstrap: str, topic: str, name: str) -> int:
    """The store position in the relay's last committed progress record, or 0.

    Only committed transactions count: the consumer reads ``read_committed``,
    so a batch whose transaction never finished leaves no trace here. Call it
    after the relay's producer has run ``init_transactions``, which ends any
    transaction a previous run left open; until then the end of the partition
    would stay behind that transaction.
    """
    partition = TopicPartition(progress_topic(topic), 0)
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id=f"{name}-progress",
        isolation_level="read_committed",
        enable_auto_commit=False,
        group_id=None,
        **RECONNECT,
    )
    try:
        consumer.assign([partition])
        first = consumer.beginning_offsets([partition])[partition]
        end = consumer.end_offsets([partition])[partition]
        window = _FIRST_WINDOW
        start = end
        while start > first:
            start = max(first, end - window)
            found = _last_of(consumer, partition, start, end, name.encode())
            if found is not None:
                return int(found["position"])
            window *= 4
        return 0
    finally:
        consumer.close()


def _last_of(
    consumer: KafkaConsumer, partition: TopicPartition, start: int, end: int, key: bytes
) -> dict[str, Any] | None:
    """The value of the last record with ``key`` between two offsets, if any."""
    consumer.seek(partition, start)
    deadline = time.monotonic() + _READ_TIMEOUT_S
    found = None

    while consumer.position(partition) < end:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"reading {partition.topic} took over {_READ_TIMEOUT_S:.0f} s; "
                "is the broker reachable?"
            )
        batches = consumer.poll(timeout_ms=500)
        for record in batches.get(partition, []):
            if record.offset < end and record.key == key:
                found = orjson.loads(record.value)

    return found
