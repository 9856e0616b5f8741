"""The documented JSON Schema of the topic's values, and the events it must cover."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

from eventsourcing.domain import DomainEvent
from jsonschema import Draft202012Validator

from streams.event_schema import (
    ENVELOPE_OWN,
    ROOT,
    SCHEMA_PATH,
    defined_event_classes,
    event_type,
    schema_version,
)

__all__ = ["ROOT", "defined_event_classes", "event_type", "schema_version"]


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def validator() -> Draft202012Validator:
    """Checks formats too (uuid, date), not only types and patterns."""
    return Draft202012Validator(
        schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def data_fields(cls: type[DomainEvent]) -> set[str]:
    """The fields of the class that travel in the envelope's ``data``."""
    return {f.name for f in dataclasses.fields(cls)} - ENVELOPE_OWN  # type: ignore[arg-type]


def data_definition(type_name: str, version: int) -> dict[str, Any]:
    return schema()["$defs"][f"{type_name}.v{version}"]  # type: ignore[no-any-return]


def branches() -> set[tuple[str, int]]:
    """The (type, schema version) pairs the schema has a ``data`` branch for."""
    defs = schema()["$defs"]
    found = set()
    for branch in defs["dataByTypeAndVersion"]["oneOf"]:
        target = defs[branch["$ref"].removeprefix("#/$defs/")]["properties"]
        found.add((target["type"]["const"], target["schema_version"]["const"]))
    return found
