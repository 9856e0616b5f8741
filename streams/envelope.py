"""The JSON envelope each event travels in outside the store (docs/events.md).

It carries the event's identity, its place in the log, its business date and
cause, and the event's own data, so a reader needs nothing else to use it.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson
from eventsourcing.persistence import Notification

ENVELOPE_VERSION = 1

_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes

_CAUSE = ("account_id", "effective_date", "actor", "channel", "correlation_id")


def event_type(topic: str) -> str:
    """``Invoice.Issued`` for the topic ``domain.invoice:Invoice.Issued``."""
    return topic.rpartition(":")[2]


def event_id(aggregate_id: str, version: int) -> str:
    """The event's id: the same for the same aggregate and version, however
    often the event is read or relayed.

    It is ``uuid5(NAMESPACE_URL, "o2c:<aggregate id>:<version>")``, computed
    straight from the SHA-1 digest: the relay makes one per event, and the
    ``uuid`` module's objects cost more than the hash itself.
    """
    name = f"o2c:{aggregate_id}:{version}".encode()
    digest = bytearray(hashlib.sha1(_URL_NAMESPACE + name).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def envelope(notification: Notification) -> dict[str, Any]:
    """The envelope of one stored event, as a plain dict ready for JSON."""
    state: dict[str, Any] = orjson.loads(notification.state)
    # The version the event was stored in, not the class's current one: the
    # data travels as stored, so its shape is that version's (events.md).
    schema_version = state.pop("class_version", 1)
    aggregate_id = str(notification.originator_id)
    version = notification.originator_version
    recorded_at = state.pop("timestamp")
    state.pop("originator_topic", None)
    cause = {name: state.pop(name, None) for name in _CAUSE}
    return {
        "envelope_version": ENVELOPE_VERSION,
        "event_id": event_id(aggregate_id, version),
        "type": event_type(notification.topic),
        "schema_version": schema_version,
        "aggregate_id": aggregate_id,
        "aggregate_version": version,
        "account_id": cause["account_id"],
        "effective_date": cause["effective_date"],
        "recorded_at": recorded_at,
        "position": notification.id,
        "actor": cause["actor"],
        "channel": cause["channel"],
        "correlation_id": cause["correlation_id"],
        "data": state,
    }


def key(notification_envelope: dict[str, Any]) -> bytes:
    """The Kafka record key: the account id, so an account's events stay in order.

    A command receipt names no account and goes by its own id; it is kept in
    the topic so the topic holds every store position.
    """
    account_id = notification_envelope["account_id"]
    if account_id is None:
        account_id = notification_envelope["aggregate_id"]
    return str(account_id).encode()
