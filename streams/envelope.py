"""The JSON envelope each event travels in outside the store (docs/events.md).

It carries the event's identity, its place in the log, its business date and
cause, and the event's own data, so a reader needs nothing else to use it.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from eventsourcing.persistence import Notification

ENVELOPE_VERSION = 1

# An event is identified by its aggregate and version, so its id is stable
# however often it is read or relayed.
_EVENT_IDS = uuid.UUID("0d7d52a3-4f53-4a59-9b8a-5c1f2f6f5f0e")

_CAUSE = ("account_id", "effective_date", "actor", "channel", "correlation_id")


def event_type(topic: str) -> str:
    """``Invoice.Issued`` for the topic ``domain.invoice:Invoice.Issued``."""
    return topic.rpartition(":")[2]


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
        "event_id": str(
            uuid.uuid5(
                uuid.NAMESPACE_URL,
                f"o2c:{aggregate_id}:{notification.originator_version}",
            )
        ),
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
