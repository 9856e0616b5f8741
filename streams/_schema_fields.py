"""How an event field's Python type reads in the topic's JSON Schema.

The mapper stores amounts as decimal strings, dates as ISO strings and ids as
canonical UUID strings (services/_mapper.py); the schema says so per field.
What a type cannot tell (a currency code, a closed list of words) comes from
the overlays below, whose lists are the domain's own constants.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.account import HOLD_TYPES, PAYMENT_METHOD_KINDS
from domain.account_policies import CONTACT_ROLES
from domain.collector_action import CALL_OUTCOMES
from domain.credit_memo import CreditMemo
from domain.payment import Payment
from domain.staff import STAFF_ROLES

JSONSchema = dict[str, Any]

NULL: JSONSchema = {"type": "null"}
SHA256_HEX: JSONSchema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}


def ref(name: str) -> JSONSchema:
    return {"$ref": f"#/$defs/{name}"}


_PLAIN: dict[Any, JSONSchema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
    Decimal: ref("decimal"),
    date: ref("date"),
    datetime: ref("dateTime"),
    UUID: ref("uuid"),
    Any: {},
}

# A field's meaning wherever it appears: one word per concept across events.
BY_NAME: dict[str, JSONSchema] = {
    "amount": ref("amount"),
    "credit_limit": ref("amount"),
    "currency": ref("currency"),
    "delivery": ref("delivery"),
    "number": {"type": "string", "minLength": 1},
    "source_kind": {"enum": [Payment.KIND, CreditMemo.KIND]},
    "kind": {"enum": list(PAYMENT_METHOD_KINDS)},
    "hold_type": {"enum": list(HOLD_TYPES)},
    "last4": {"type": "string", "pattern": "^[0-9]{4}$"},
    "expiry_month": {"type": "integer", "minimum": 1, "maximum": 12},
    "net_days": {"type": "integer", "minimum": 0, "maximum": 365},
    "score": {"type": "integer", "minimum": 1, "maximum": 7},
    "invoice_ids": {"type": "array", "items": ref("uuid")},
    "happened_at": ref("dateTime"),
    "retry_at": ref("dateTime"),
    "key_hash": SHA256_HEX,
    "fingerprint": SHA256_HEX,
}

# Where one name means different things in different events.
BY_EVENT_FIELD: dict[str, JSONSchema] = {
    "Account.ContactSet.role": {"enum": list(CONTACT_ROLES)},
    "StaffMember.Added.role": {"enum": list(STAFF_ROLES)},
    "CollectorAction.CallLogged.outcome": {"enum": list(CALL_OUTCOMES)},
    "CommandReceipt.Recorded.key": {"type": "string", "minLength": 1},
}

DESCRIPTIONS: dict[str, str] = {
    "Account.Opened.number": "The customer id, the account's business key.",
    "Account.Opened.currency": "Default currency for new invoices.",
    "Account.Opened.net_days": "Payment terms: due this many days after issue.",
    "Account.Opened.credit_limit": "In the account currency, or null for none.",
    "Invoice.Issued.currency": "Fixed for the invoice's life.",
    "Invoice.AllocationApplied.source_id": "The payment or credit memo allocated.",
    "Invoice.WrittenOff.amount": "What was still open.",
    "CommandReceipt.Recorded.command": "The command's name, e.g. IssueInvoice.",
    "CommandReceipt.Recorded.key": "The idempotency key.",
    "CommandReceipt.Recorded.fingerprint": "SHA-256 of the command, hex.",
    "CommandReceipt.Recorded.result": "What the command answered.",
}


class UnmappedType(TypeError):
    """A field's type has no JSON Schema here yet; add it to ``_PLAIN``."""


def field_schema(event_type: str, name: str, hint: Any) -> JSONSchema:
    """The schema of one ``data`` field of ``event_type``, typed ``hint``."""
    key = f"{event_type}.{name}"
    members = _union_members(hint)
    known = [m for m in members if m is not type(None)]
    overlay = BY_EVENT_FIELD.get(key) or BY_NAME.get(name)
    if overlay is None:
        out = _of_type(key, hint)
    elif len(known) < len(members):
        out = {"anyOf": [overlay, NULL]}
    else:
        out = dict(overlay)

    if key in DESCRIPTIONS:
        out = {"description": DESCRIPTIONS[key], **out}
    return out


def _union_members(hint: Any) -> list[Any]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return list(typing.get_args(hint))
    return [hint]


def _of_type(where: str, hint: Any) -> JSONSchema:
    members = _union_members(hint)
    if len(members) > 1:
        return {"anyOf": [_of_type(where, m) for m in members]}
    if hint is type(None):
        return dict(NULL)
    if hint in _PLAIN:
        return dict(_PLAIN[hint])

    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin is list or (origin is tuple and args[1:] == (...,)):
        return {"type": "array", "items": _of_type(where, args[0])}
    if origin is dict and args[0] is str:
        values = _of_type(where, args[1])
        if not values:
            return {"type": "object"}
        return {"type": "object", "additionalProperties": values}
    raise UnmappedType(f"{where}: no JSON Schema for the type {hint!r}")
