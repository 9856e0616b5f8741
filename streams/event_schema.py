"""Writes docs/schema/event-envelope.schema.json from the event classes.

The event classes are the one source of truth: each type and schema version
gets a ``data`` definition from the class's annotated fields. Run
``.venv/bin/python -m streams.event_schema`` after adding or changing an
event; ``--check`` only says whether the committed file is current.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import sys
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, DomainEvent

from streams._schema_envelope import CAUSES, DESCRIPTION, SHARED, envelope_properties
from streams._schema_fields import field_schema, ref

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "docs" / "schema" / "event-envelope.schema.json"
REGENERATE = ".venv/bin/python -m streams.event_schema"

# Fields the envelope carries beside ``data``, or that the store keeps itself.
ENVELOPE_OWN = frozenset(
    {
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
)

# The fields of versions the classes have moved past. Their events stay in the
# topic as stored, so their definitions stay; a new version of a type adds its
# previous one here.
RETIRED_VERSIONS: dict[tuple[str, int], dict[str, Any]] = {
    ("Invoice.Issued", 1): {
        "number": str,
        "currency": str,
        "amount": Decimal,
        "issue_date": date,
        "due_date": date,
        "delivery": str,
    },
    ("Invoice.Disputed", 1): {"reason": str, "note": str},
}


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


def data_hints(cls: type[DomainEvent]) -> dict[str, Any]:
    """The annotated types of the fields that travel in the envelope's ``data``."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    return {name: hints[name] for name in names if name not in ENVELOPE_OWN}


def cause_kind(cls: type[DomainEvent]) -> str:
    """Which of the envelope's cause definitions an event's envelope meets."""
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    if "account_id" in fields:
        return "ledgerCause"
    if "effective_date" in fields:
        return "staffCause"
    return "noCause"


def versions(classes: list[type[DomainEvent]]) -> dict[tuple[str, int], Any]:
    """The data fields of every (type, version) pair, oldest version first."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for cls in classes:
        name, current = event_type(cls), schema_version(cls)
        for version in range(1, current):
            if (name, version) not in RETIRED_VERSIONS:
                raise LookupError(
                    f"{name} version {version} is not in RETIRED_VERSIONS of "
                    "streams/event_schema.py; add the fields it had"
                )
            found[(name, version)] = RETIRED_VERSIONS[(name, version)]
        found[(name, current)] = data_hints(cls)
    unknown = set(RETIRED_VERSIONS) - set(found)
    if unknown:
        raise LookupError(f"RETIRED_VERSIONS names types the code lacks: {unknown}")
    return found


def data_definition(name: str, version: int, hints: dict[str, Any]) -> Any:
    return {
        "title": f"{name}, version {version}",
        "type": "object",
        "required": list(hints),
        "additionalProperties": False,
        "properties": {
            field: field_schema(name, field, hint) for field, hint in hints.items()
        },
    }


def build() -> dict[str, Any]:
    """The whole schema, as the committed file must hold it."""
    classes = defined_event_classes()
    types = [event_type(cls) for cls in classes]
    fields = versions(classes)

    by_cause: dict[str, list[str]] = {kind: [] for kind in CAUSES}
    for cls in classes:
        by_cause[cause_kind(cls)].append(event_type(cls))
    causes = [
        {"if": {"properties": {"type": {"enum": names}}}, "then": ref(kind)}
        for kind, names in by_cause.items()
        if names
    ]

    branches: dict[str, Any] = {}
    definitions: dict[str, Any] = {}
    for (name, version), hints in fields.items():
        target = f"{name}.v{version}"
        branches[f"branch.{target}"] = {
            "properties": {
                "type": {"const": name},
                "schema_version": {"const": version},
                "data": ref(target),
            }
        }
        definitions[target] = data_definition(name, version, hints)

    dispatch = {
        "description": "One branch per event type and schema version: `data` "
        "must match that version's definition. A new version of a type adds a "
        "branch and keeps the old ones, since old events stay in the topic as "
        "they were stored.",
        "oneOf": [ref(branch) for branch in branches],
    }
    properties = envelope_properties(types)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:o2c:schema:event-envelope:1",
        "title": "o2c event envelope",
        "description": DESCRIPTION,
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
        "allOf": [*causes, ref("dataByTypeAndVersion")],
        "$defs": {
            "dataByTypeAndVersion": dispatch,
            **branches,
            **definitions,
            **CAUSES,
            **SHARED,
        },
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if SCHEMA_PATH.read_text() == text:
            return 0
        print(f"{SCHEMA_PATH} is out of date; run {REGENERATE}", file=sys.stderr)
        return 1
    SCHEMA_PATH.write_text(text)
    print(f"wrote {SCHEMA_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
