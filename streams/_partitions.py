"""Which partition of the topic each record key goes to, as Kafka would pick it."""

from __future__ import annotations

from kafka.partitioner.default import murmur2

# Forget the remembered keys past this many, so memory stays bounded.
_LIMIT = 200_000


class KeyPartitions:
    """The partition of each key, remembered per key.

    It is the choice of Kafka's default partitioner (murmur2 of the key, the
    same hash in the Java client and in kafka-python), so records keyed alike
    by any producer land together. The hash is pure Python and costs several
    microseconds a record; an account's key recurs on each of its events, so
    each is hashed once while the partition count stays the same.
    """

    def __init__(self) -> None:
        self._count = 0
        self._known: dict[bytes, int] = {}

    def of(self, key: bytes, count: int) -> int:
        if count != self._count or len(self._known) >= _LIMIT:
            self._known.clear()
            self._count = count
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = (murmur2(key) & 0x7FFFFFFF) % count
        return found
