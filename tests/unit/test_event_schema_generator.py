"""The schema file is generated from the event classes and keeps old versions.

streams/event_schema.py writes docs/schema/event-envelope.schema.json; these
tests hold the committed file to it, and check what the generator cannot read
from the classes: the fields of versions the classes have moved past.
"""

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from streams import event_schema
from streams._schema_fields import UnmappedType, field_schema
from tests.support.event_schema import (
    branches,
    data_fields,
    defined_event_classes,
    event_type,
    schema_version,
    validator,
)
from tests.support.every_event import every_event_envelopes

CLASSES = {event_type(cls): cls for cls in defined_event_classes()}


@pytest.fixture(scope="module")
def stored_envelopes(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return every_event_envelopes(tmp_path_factory.mktemp("every-event"))


def first(envelopes: list[dict[str, Any]], type_name: str) -> dict[str, Any]:
    return copy.deepcopy(next(v for v in envelopes if v["type"] == type_name))


def test_the_committed_schema_is_what_the_generator_writes() -> None:
    committed = event_schema.SCHEMA_PATH.read_text()
    assert committed == event_schema.render(), (
        "docs/schema/event-envelope.schema.json is out of date with the event "
        f"classes; regenerate it with {event_schema.REGENERATE}"
    )


def test_the_check_mode_reports_a_stale_file_without_writing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "event-envelope.schema.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(event_schema, "SCHEMA_PATH", stale)

    assert event_schema.main(["--check"]) == 1
    assert "python -m streams.event_schema" in capsys.readouterr().err
    assert stale.read_text() == "{}\n"


@pytest.mark.parametrize("cls", CLASSES.values(), ids=list(CLASSES))
def test_every_earlier_version_of_a_type_keeps_its_branch(cls: type) -> None:
    for version in range(1, schema_version(cls) + 1):
        assert (event_type(cls), version) in branches()


@pytest.mark.parametrize(
    ("name", "version"),
    list(event_schema.RETIRED_VERSIONS),
    ids=[f"{n}.v{v}" for n, v in event_schema.RETIRED_VERSIONS],
)
def test_a_retired_version_s_fields_upcast_to_the_current_ones(
    name: str, version: int
) -> None:
    """The hand-kept fields of an old version are the ones its upcaster expects."""
    cls = CLASSES[name]
    state = dict.fromkeys(event_schema.RETIRED_VERSIONS[(name, version)], "x")
    for step in range(version, schema_version(cls)):
        getattr(cls, f"upcast_v{step}_v{step + 1}")(state)
    assert set(state) == data_fields(cls)


@pytest.mark.parametrize(
    ("name", "added"),
    [
        ("Invoice.Issued", ("terms", "discount_percent", "discount_until")),
        ("Invoice.Disputed", ("attachment_id",)),
    ],
)
def test_an_event_stored_in_version_1_still_validates(
    stored_envelopes: list[dict[str, Any]], name: str, added: tuple[str, ...]
) -> None:
    old = first(stored_envelopes, name)
    for field in added:
        old["data"].pop(field)
    old["schema_version"] = 1
    assert validator().is_valid(old)

    old["schema_version"] = 2
    assert not validator().is_valid(old)


def test_a_staff_event_names_no_account_but_has_a_business_date(
    stored_envelopes: list[dict[str, Any]],
) -> None:
    added = first(stored_envelopes, "StaffMember.Added")
    assert added["account_id"] is None
    assert validator().is_valid(added)

    with_account = first(stored_envelopes, "StaffMember.Added")
    with_account["account_id"] = first(stored_envelopes, "Account.Opened")["account_id"]
    assert not validator().is_valid(with_account)
    added["effective_date"] = None
    assert not validator().is_valid(added)


def test_a_stored_discount_percent_travels_as_a_decimal_string(
    stored_envelopes: list[dict[str, Any]],
) -> None:
    granted = first(stored_envelopes, "Account.EarlyPaymentDiscountGranted")
    assert granted["data"]["percent"] == "2"
    granted["data"]["percent"] = 2.0
    assert not validator().is_valid(granted)


def test_a_field_type_with_no_schema_names_the_event_and_field() -> None:
    with pytest.raises(UnmappedType, match="Invoice.Issued.weight"):
        field_schema("Invoice.Issued", "weight", complex)


def test_an_optional_field_admits_null_and_keeps_its_overlay() -> None:
    amount = field_schema("Account.PutOnHold", "amount", Decimal | None)
    assert amount == {"anyOf": [{"$ref": "#/$defs/amount"}, {"type": "null"}]}
