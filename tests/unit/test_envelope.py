"""The envelope the relay builds: event ids, versions, record partitions."""

import uuid

import orjson
from eventsourcing.persistence import Notification
from hypothesis import given
from hypothesis import strategies as st
from kafka.partitioner.default import DefaultPartitioner

from streams._partitions import KeyPartitions
from streams.envelope import envelope, event_id


class _Cluster:
    """Just enough cluster metadata for kafka-python's default partitioner."""

    def __init__(self, count: int) -> None:
        self.count = count

    def topics(self) -> set[str]:
        return {"events"}

    def partitions_for_topic(self, _topic: str) -> set[int]:
        return set(range(self.count))

    def available_partitions_for_topic(self, _topic: str) -> set[int]:
        return set(range(self.count))


@given(st.uuids(), st.integers(min_value=1, max_value=10**9))
def test_an_event_id_is_the_uuid5_of_its_aggregate_and_version(
    aggregate_id: uuid.UUID, version: int
) -> None:
    expected = uuid.uuid5(uuid.NAMESPACE_URL, f"o2c:{aggregate_id}:{version}")
    assert event_id(str(aggregate_id), version) == str(expected)


def test_an_event_stored_in_a_later_version_travels_with_that_version() -> None:
    """The stored version decides ``schema_version``; it is not left in ``data``."""
    stored = Notification(
        id=7,
        originator_id=uuid.UUID(int=1),
        originator_version=2,
        topic="domain.invoice:Invoice.Disputed",
        state=orjson.dumps(
            {
                "timestamp": "2024-02-20T10:00:00+00:00",
                "class_version": 2,
                "account_id": str(uuid.UUID(int=2)),
                "effective_date": "2024-02-20",
                "actor": "clerk",
                "channel": "cli",
                "correlation_id": "c-1",
                "reason": "pricing",
                "note": "",
            }
        ),
    )
    value = envelope(stored)
    assert value["schema_version"] == 2
    assert value["data"] == {"reason": "pricing", "note": ""}


@given(st.lists(st.uuids(), min_size=1, max_size=50), st.integers(1, 64))
def test_a_key_goes_to_the_partition_kafka_s_default_partitioner_picks(
    accounts: list[uuid.UUID], count: int
) -> None:
    partitions = KeyPartitions()
    cluster = _Cluster(count)
    for account in accounts + accounts:
        key = str(account).encode()
        expected = DefaultPartitioner().partition(
            "events", None, key, None, None, cluster
        )
        assert partitions.of(key, count) == expected


def test_a_new_partition_count_is_not_answered_from_the_old_one() -> None:
    partitions = KeyPartitions()
    keys = [str(uuid.uuid5(uuid.NAMESPACE_URL, str(n))).encode() for n in range(50)]
    before = [partitions.of(key, 3) for key in keys]
    after = [partitions.of(key, 7) for key in keys]
    assert max(before) < 3
    assert max(after) >= 3
