"""docs/events.md names every event type the read models know, with its fields."""

import dataclasses
from pathlib import Path

import pytest
from eventsourcing.utils import resolve_topic

from projections._transform import EVENT_KINDS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text()
COMMON = {
    "account_id",
    "effective_date",
    "actor",
    "channel",
    "correlation_id",
    "timestamp",
    "originator_id",
    "originator_version",
    "originator_topic",
}


def documented_row(name: str) -> str:
    rows = [line for line in DOC.splitlines() if line.startswith(f"| `{name}`")]
    assert rows, f"docs/events.md has no row for {name}"
    return rows[0]


@pytest.mark.parametrize("topic", sorted(EVENT_KINDS))
def test_every_event_type_has_a_row_naming_each_of_its_fields(topic):
    """A reader of the log finds each field of each event explained."""
    cls = resolve_topic(topic)
    row = documented_row(EVENT_KINDS[topic])
    own = {f.name for f in dataclasses.fields(cls)} - COMMON

    assert [name for name in sorted(own) if f"`{name}`" not in row] == []
