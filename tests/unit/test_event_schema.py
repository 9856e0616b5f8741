"""The JSON Schema of the topic's values covers every event the code defines.

Adding an event type, a version or a field without writing it into
docs/schema/event-envelope.schema.json fails here; so does a schema entry
for an event the code no longer has. Real envelopes of a stored ledger are
checked against it too (the Kafka round trip is in tests/integration).
"""

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from adapters.settings import Settings
from adapters.wiring import store_env
from services.receivables import Receivables
from streams.envelope import envelope
from tests.support.event_schema import (
    ROOT,
    branches,
    data_definition,
    data_fields,
    defined_event_classes,
    event_type,
    schema,
    schema_version,
    validator,
)
from tests.support.every_event import record_every_event_type

EVENT_CLASSES = defined_event_classes()


@pytest.fixture(scope="module")
def stored_envelopes(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The envelopes of a ledger that has every event type, from a SQLite store."""
    folder = tmp_path_factory.mktemp("every-event")
    app = Receivables(env=store_env(Settings(data_dir=folder)))
    try:
        record_every_event_type(app)
        notifications = app.recorder.select_notifications(start=1, limit=10_000)
    finally:
        app.close()
    return [envelope(n) for n in notifications]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema())


def test_the_domain_defines_the_event_types_this_test_knows_of() -> None:
    """A guard that the discovery below finds events at all."""
    names = {event_type(cls) for cls in EVENT_CLASSES}
    assert {"Account.Opened", "Invoice.Issued", "CommandReceipt.Recorded"} <= names
    assert not any(name.endswith((".Event", ".Created")) for name in names)


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=event_type)
def test_every_event_class_has_a_branch_for_its_type_and_version(cls: type) -> None:
    assert (event_type(cls), schema_version(cls)) in branches(), (
        f"{event_type(cls)} version {schema_version(cls)} is not in "
        "docs/schema/event-envelope.schema.json"
    )
    assert event_type(cls) in schema()["properties"]["type"]["enum"]


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=event_type)
def test_each_event_s_data_definition_lists_exactly_its_fields(cls: type) -> None:
    definition = data_definition(event_type(cls), schema_version(cls))
    assert set(definition["properties"]) == data_fields(cls)
    assert set(definition["required"]) == data_fields(cls)
    assert definition["additionalProperties"] is False


def test_the_schema_names_no_event_type_the_code_lacks() -> None:
    defined = {event_type(cls) for cls in EVENT_CLASSES}
    assert set(schema()["properties"]["type"]["enum"]) == defined
    # Older versions of a type may stay; a type that is gone may not.
    assert {name for name, _ in branches()} == defined


def test_docs_events_md_points_to_the_schema_and_names_every_type() -> None:
    text = (ROOT / "docs" / "events.md").read_text()
    assert "schema/event-envelope.schema.json" in text
    for cls in EVENT_CLASSES:
        assert f"`{event_type(cls)}`" in text, f"{event_type(cls)} not in events.md"


def test_the_ledger_fixture_stores_every_event_type(
    stored_envelopes: list[dict[str, Any]],
) -> None:
    seen = {value["type"] for value in stored_envelopes}
    assert seen == {event_type(cls) for cls in EVENT_CLASSES}


def test_every_stored_event_s_envelope_validates(
    stored_envelopes: list[dict[str, Any]],
) -> None:
    check = validator()
    for value in stored_envelopes:
        errors = [e.message for e in check.iter_errors(value)]
        assert not errors, f"{value['type']} at {value['position']}: {errors}"


BREAKAGES = [
    pytest.param(lambda v: v["data"].update(amount=100.0), id="amount-as-number"),
    pytest.param(lambda v: v["data"].pop("due_date"), id="missing-field"),
    pytest.param(lambda v: v["data"].update(colour="red"), id="undocumented-field"),
    pytest.param(lambda v: v.update(type="Invoice.Reissued"), id="unknown-type"),
    pytest.param(lambda v: v.update(schema_version=2), id="unknown-version"),
    pytest.param(lambda v: v.update(account_id=None), id="ledger-event-no-account"),
    pytest.param(lambda v: v.update(effective_date="15/01/2024"), id="date-not-iso"),
    pytest.param(lambda v: v.update(aggregate_id="not-a-uuid"), id="bad-id"),
    pytest.param(lambda v: v.update(extra=1), id="undocumented-envelope-field"),
]


@pytest.mark.parametrize("change", BREAKAGES)
def test_a_value_that_breaks_the_contract_does_not_validate(
    stored_envelopes: list[dict[str, Any]], change: Any
) -> None:
    issued = next(v for v in stored_envelopes if v["type"] == "Invoice.Issued")
    broken = copy.deepcopy(issued)
    change(broken)
    assert not validator().is_valid(broken)
