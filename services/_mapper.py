"""Stores events as plain JSON objects, and reads them back with their types.

Amounts are JSON strings ("12.30"), dates ISO strings, ids canonical UUID
strings, so any consumer of the log (DuckDB, Kafka readers) reads them as they
are, without knowing this program's type tags.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from types import NoneType, UnionType
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

Converter = Callable[[Any], Any]

_CONVERTERS: dict[Any, Converter] = {
    UUID: UUID,
    Decimal: Decimal,
    date: date.fromisoformat,
    datetime: datetime.fromisoformat,
}


def _encode_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot store a {type(value).__name__} in an event")


def _converter_for(hint: Any) -> Converter | None:
    if hint in _CONVERTERS:
        return _CONVERTERS[hint]
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        members = [a for a in typing.get_args(hint) if a is not NoneType]
        if len(members) == 1 and members[0] in _CONVERTERS:
            inner = _CONVERTERS[members[0]]
            return lambda value: None if value is None else inner(value)
    return None


@cache
def _converters(cls: type) -> tuple[tuple[str, Converter], ...]:
    hints = typing.get_type_hints(cls)
    found = []
    for field in dataclasses.fields(cls):
        converter = _converter_for(hints.get(field.name))
        if converter is not None and field.name not in ("originator_id",):
            found.append((field.name, converter))
    return tuple(found)


@cache
def _topic(cls: type) -> str:
    return get_topic(cls)


class JSONMapper(Mapper[UUID]):
    """A mapper that writes events as plain JSON with orjson."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=_topic(type(domain_event)),  # type: ignore[arg-type]
            state=orjson.dumps(state, default=_encode_default),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        cls = resolve_topic(stored_event.topic)
        state: dict[str, Any] = orjson.loads(stored_event.state)

        from_version = state.pop("class_version", 1)
        class_version = getattr(cls, "class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1

        for name, convert in _converters(cls):
            if name in state:
                state[name] = convert(state[name])
        originator_id = stored_event.originator_id
        state["originator_id"] = (
            originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        )
        state["originator_version"] = stored_event.originator_version

        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event
