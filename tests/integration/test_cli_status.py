"""``o2c status`` as an operator reads it."""

from tests.support.cli import Cli


def test_status_shows_the_store_head_and_read_models_caught_up(tmp_path):
    """After a recorded change the read models stand at the store's head."""
    cli = Cli(tmp_path / "data")
    cli.ok(
        "record", "account", "--key", "a-1", "--number", "ACME", "--name", "Acme",
        "--country", "DE", "--currency", "EUR", "--on", "2024-01-02",
    )  # fmt: skip

    done = cli.ok("status")

    assert "head position 2" in done.stdout
    assert "read models (store)  at 2, 0 behind" in done.stdout


def test_status_of_an_empty_folder_says_there_is_nothing(tmp_path):
    """A folder without a ledger is reported as such, not as an error."""
    done = Cli(tmp_path / "empty").ok("status")

    assert "event store  none in" in done.stdout
