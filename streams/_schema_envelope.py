"""The hand-kept part of the topic's JSON Schema: the envelope around ``data``.

streams/event_schema.py adds the list of types, the cause each kind of event
carries, and one ``data`` branch per event type and schema version.
"""

from __future__ import annotations

from typing import Any

from domain.account import DELIVERY_CHANNELS
from streams._schema_fields import NULL, ref
from streams.envelope import ENVELOPE_VERSION

DESCRIPTION = (
    "The value of every record in o2c's event topic: one stored event in its "
    f"JSON envelope (envelope_version {ENVELOPE_VERSION}). The event's own fields "
    "are in `data`, whose shape is decided by `type` and `schema_version`. Prose "
    "and field meanings: docs/events.md. Built by streams/envelope.py; generated "
    "by streams/event_schema.py from the event classes."
)

DATE_TIME_PATTERN = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?"
    "(Z|[+-][0-9]{2}:[0-9]{2})$"
)


def envelope_properties(types: list[str]) -> dict[str, Any]:
    """The envelope's fields; ``types`` are every event type the code defines."""
    nullable_uuid = {"anyOf": [ref("uuid"), NULL]}
    return {
        "envelope_version": {
            "description": "Version of this envelope's own shape.",
            "const": ENVELOPE_VERSION,
        },
        "event_id": {
            "description": "UUID 5 of the aggregate id and version: the same "
            "event always has the same id.",
            **ref("uuid"),
        },
        "type": {"description": "Aggregate and verb in the past tense.", "enum": types},
        "schema_version": {
            "description": "Version of the event type's data, as stored.",
            "type": "integer",
            "minimum": 1,
        },
        "aggregate_id": ref("uuid"),
        "aggregate_version": {
            "description": "1 for the aggregate's first event, then one more for each.",
            "type": "integer",
            "minimum": 1,
        },
        "account_id": {
            "description": "The account the event concerns; null for command "
            "receipts and staff events.",
            **nullable_uuid,
        },
        "effective_date": {
            "description": "The business date; null only for command receipts.",
            "anyOf": [ref("date"), NULL],
        },
        "recorded_at": {
            "description": "When the command was handled, ISO 8601 with its UTC "
            "offset.",
            **ref("dateTime"),
        },
        "position": {
            "description": "The event's place in the store's log; each position "
            "is in the topic once.",
            "type": "integer",
            "minimum": 1,
        },
        "actor": {"type": ["string", "null"]},
        "channel": {"type": ["string", "null"]},
        "correlation_id": {"type": ["string", "null"]},
        "data": {"type": "object"},
    }


def _cause(description: str, account: Any, business_date: Any, who: Any) -> Any:
    return {
        "description": description,
        "properties": {
            "account_id": account,
            "effective_date": business_date,
            "actor": who,
            "channel": who,
            "correlation_id": who,
        },
    }


CAUSES = {
    "ledgerCause": _cause(
        "A ledger event names its account, business date and cause.",
        ref("uuid"),
        ref("date"),
        {"type": "string"},
    ),
    "staffCause": _cause(
        "A staff event has a business date and cause but concerns no account.",
        NULL,
        ref("date"),
        {"type": "string"},
    ),
    "noCause": _cause(
        "A command receipt has no account, business date or cause of its own.",
        NULL,
        NULL,
        NULL,
    ),
}

SHARED = {
    "uuid": {
        "description": "A UUID in canonical lowercase form.",
        "type": "string",
        "format": "uuid",
        "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    },
    "date": {
        "type": "string",
        "format": "date",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    },
    "dateTime": {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN},
    "currency": {
        "description": "An ISO 4217 code.",
        "type": "string",
        "pattern": "^[A-Z]{3}$",
    },
    "amount": {
        "description": "A decimal string with exactly the currency's minor units: "
        '"55.94" USD, "120000" JPY, "1.250" KWD.',
        "type": "string",
        "pattern": "^[0-9]+(\\.[0-9]+)?$",
    },
    "decimal": {
        "description": 'A decimal string such as "2.5"; never a JSON number.',
        "type": "string",
        "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
    },
    "delivery": {"enum": list(DELIVERY_CHANNELS)},
}
