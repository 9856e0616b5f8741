"""``o2c staff``, ``worklist``, ``collect``, ``dispute``, ``writeoff`` and
``report disputes`` as a collector runs them."""

import json
import sqlite3

import pytest

from tests.support.cli import Cli, flat, rows


@pytest.fixture
def cli(tmp_path):
    cli = Cli(tmp_path / "data")
    cli.ok(
        "record", "account", "--key", "a-1", "--number", "ACME", "--name", "Acme",
        "--country", "US", "--currency", "USD", "--on", "2024-01-02",
    )  # fmt: skip
    for number, amount in (("I-1", "800.00"), ("I-2", "3.50")):
        cli.ok(
            "record", "invoice", "--key", f"i-{number}", "--number", number,
            "--account", "ACME", "--amount", amount, "--on", "2024-01-10",
        )  # fmt: skip
    return cli


def test_staff_add_prints_the_key_once_and_stores_only_its_hash(cli):
    """The key is on stdout; the event store never holds it."""
    done = cli.ok("staff", "add", "alice", "--role", "collector")

    key = done.stdout.rsplit(": ", 1)[1].strip()
    with sqlite3.connect(cli.data_dir / "events.sqlite") as store:
        states = b"".join(
            s for (s,) in store.execute("SELECT state FROM stored_events")
        )
    assert key.startswith("o2c_") and key.encode() not in states


def test_the_worklist_shows_the_account_with_its_next_action(cli):
    """ACME owes 803.50, 21 days past due on 1 March."""
    done = cli.ok("worklist", "--as-of", "2024-03-01", "--format", "csv")

    assert [
        (r["customer_id"], r["past_due"], r["oldest_days_past_due"], r["next_action"])
        for r in rows(done.stdout)
    ] == [("ACME", "803.50", "21", "call")]


def test_a_follow_up_takes_the_account_off_the_worklist(cli):
    """Until its follow-up date ACME is not on the list."""
    cli.ok("collect", "follow-up", "ACME", "--date", "2024-03-10", "--on", "2024-03-01")

    done = cli.ok("worklist", "--as-of", "2024-03-05", "--format", "csv")

    assert rows(done.stdout) == []


def test_small_balances_are_written_off_once(cli):
    """The 3.50 left on I-2 goes on the first run; the second run finds nothing."""
    first = cli.ok("writeoff", "small", "--as-of", "2024-03-01")
    again = cli.ok("writeoff", "small", "--as-of", "2024-03-02")

    assert json.loads(first.stdout)["written_off"] == 1
    assert json.loads(again.stdout)["written_off"] == 0


def test_the_small_balance_threshold_comes_from_the_settings(cli):
    """With USD at 1.00, 3.50 is not small."""
    cli.env["O2C_SMALL_BALANCE_THRESHOLDS"] = '{"USD": "1.00"}'

    done = cli.ok("writeoff", "small", "--as-of", "2024-03-01")

    assert json.loads(done.stdout)["written_off"] == 0


def test_the_requester_approving_a_write_off_gets_a_clear_error(cli):
    """The same actor on both steps is refused, naming the rule."""
    cli.ok("writeoff", "request", "I-1", "--reason", "insolvent", "--actor", "alice")

    done = cli.run("writeoff", "approve", "I-1", "--actor", "alice")

    assert done.returncode == 1
    assert "another staff member must approve it" in flat(done.stderr)


def test_the_disputes_report_shows_a_breached_deadline(cli):
    """Damaged goods disputed on 1 Feb are due 22 Feb: breached on 1 March."""
    cli.ok(
        "record", "dispute", "--key", "d-1", "--invoice", "I-1", "--reason",
        "damaged", "--on", "2024-02-01",
    )  # fmt: skip
    cli.ok("dispute", "assign", "I-1", "--to", "alice", "--on", "2024-02-02")

    done = cli.ok("report", "disputes", "--as-of", "2024-03-01", "--format", "csv")

    assert [
        (r["invoice_number"], r["assignee"], r["deadline"], r["breached"])
        for r in rows(done.stdout)
    ] == [("I-1", "alice", "2024-02-22", "True")]
