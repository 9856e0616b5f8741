"""``o2c account set``, ``hold`` and ``release`` as a clerk types them."""

import json

import pytest

from tests.support.cli import Cli, flat


@pytest.fixture
def cli(tmp_path):
    cli = Cli(tmp_path / "data")
    cli.ok(
        "record", "account", "--key", "a-1", "--number", "ACME", "--name", "Acme",
        "--country", "DE", "--currency", "EUR", "--on", "2024-01-02",
    )  # fmt: skip
    return cli


def details(cli):
    shown = json.loads(cli.ok("account", "ACME", "--format", "json").stdout)
    return {line["field"]: line["value"] for line in shown["account"]}


def test_account_set_changes_the_policies_the_statement_shows(cli):
    """Terms, discount, limit, delivery, language and zone show on the statement."""
    cli.ok(
        "account", "set", "ACME", "--terms", "eom 15", "--discount", "2%/10",
        "--reason", "volume agreement", "--credit-limit", "5000",
        "--delivery", "paper", "--language", "de", "--time-zone", "Europe/Berlin",
        "--on", "2024-01-03",
    )  # fmt: skip

    shown = details(cli)
    assert {k: shown[k] for k in ("terms", "early_payment_discount", "time_zone")} == {
        "terms": "eom 15",
        "early_payment_discount": "2%/10",
        "time_zone": "Europe/Berlin",
    }
    assert (shown["credit_limit"], shown["delivery"]) == ("5000.00", "paper")


def test_a_contact_with_commas_in_its_address_keeps_its_lines(cli):
    """Parts split at role=, email=, name=, address=; lines at |."""
    done = cli.ok(
        "account", "set", "ACME", "--on", "2024-01-03", "--contact",
        "role=billing,email=ap@acme.example,name=Ann Lee,"
        "address=Hauptstr. 1, Hof|10115 Berlin",
    )  # fmt: skip

    assert json.loads(done.stdout)["changes"] == ["ContactSet"]
    shown = json.loads(cli.ok("account", "ACME", "--format", "json").stdout)
    assert shown["timeline"][-1]["detail"] == "billing"


def test_an_unknown_time_zone_is_refused_with_the_expected_form(cli):
    """The error says what a time zone looks like."""
    done = cli.run("account", "set", "ACME", "--time-zone", "Berlin")

    assert done.returncode == 1
    assert "not an IANA name like Asia/Tokyo" in flat(done.stderr)


def test_a_hold_and_its_release_show_on_the_statement(cli):
    """On hold shows the reason; a release clears it."""
    cli.ok("account", "hold", "ACME", "--reason", "returned mail", "--actor", "bob")
    assert details(cli)["on_hold"] == "returned mail"

    cli.ok("account", "release", "ACME", "--reason", "address fixed")

    assert details(cli)["on_hold"] == ""
