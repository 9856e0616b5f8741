"""The documented JSON Schema of the topic's values, and the events it must cover."""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
from functools import cache
from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, DomainEvent
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "schema" / "event-envelope.schema.json"

# Fields the envelope carries beside ``data``, or that the store keeps itself.
ENVELOPE_OWN = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "account_id",
    "effective_date",
    "actor",
    "channel",
    "correlation_id",
}


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def validator() -> Draft202012Validator:
    """Checks formats too (uuid, date), not only types and patterns."""
    return Draft202012Validator(
        schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def defined_event_classes() -> list[type[DomainEvent]]:
    """Every event class declared in an aggregate of the domain or the services.

    The library gives each aggregate class its own ``Event`` and ``Created``
    bases; those are never stored and are left out.
    """
    for package in ("domain", "services"):
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__):
            importlib.import_module(f"{package}.{info.name}")

    found: dict[str, type[DomainEvent]] = {}
    pending = list(Aggregate.__subclasses__())
    while pending:
        aggregate = pending.pop()
        pending.extend(aggregate.__subclasses__())
        if not aggregate.__module__.startswith(("domain.", "services.")):
            continue
        for name, value in vars(aggregate).items():
            if (
                isinstance(value, type)
                and issubclass(value, DomainEvent)
                and not hasattr(Aggregate, name)
            ):
                found[value.__qualname__] = value
    return [found[name] for name in sorted(found)]


def event_type(cls: type[DomainEvent]) -> str:
    """The envelope's ``type`` of an event class: ``Invoice.Issued``."""
    return cls.__qualname__


def schema_version(cls: type[DomainEvent]) -> int:
    return int(getattr(cls, "class_version", 1))


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
