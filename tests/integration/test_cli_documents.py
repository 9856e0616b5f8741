"""``o2c account --pdf`` and ``o2c invoice --pdf`` run as a user runs them."""

from pathlib import Path

import pytest

from tests.support.cli import Cli, flat
from tests.support.ledger import Ledger
from tests.support.payers import CHINA, JAPAN, record_payers
from tests.support.pdf import pdf_text


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The CLI on a data folder that holds the payers' ledger."""
    folder = tmp_path_factory.mktemp("data")
    with Ledger(folder) as ledger:
        record_payers(ledger)
    return Cli(folder)


def test_account_pdf_writes_the_statement_in_the_payers_language(cli, tmp_path):
    target = tmp_path / "statement.pdf"

    cli.ok("account", CHINA.number, "--pdf", target, "--as-of", "2024-06-30")

    text = pdf_text(target.read_bytes())
    assert "对账单" in text
    assert CHINA.name in text


def test_invoice_pdf_is_written_in_the_language_asked_for(cli, tmp_path):
    target = tmp_path / "invoice.pdf"

    cli.ok("invoice", "JP-3-A", "--pdf", target, "--language", "en")

    text = pdf_text(target.read_bytes())
    assert "Invoice JP-3-A" in text
    assert JAPAN.name in text
    assert "1,000,000" in text


def test_a_missing_pdf_font_stops_the_command_naming_the_font(cli, tmp_path):
    cli.env["O2C_PDF_FONT"] = "/nowhere/cjk.ttf"
    try:
        done = cli.run("invoice", "CN-7-A", "--pdf", tmp_path / "x.pdf")
    finally:
        del cli.env["O2C_PDF_FONT"]

    assert done.returncode == 1
    assert "O2C_PDF_FONT /nowhere/cjk.ttf" in flat(done.stderr)
    assert not Path(tmp_path / "x.pdf").exists()


def test_a_language_babel_does_not_know_is_refused(cli, tmp_path):
    done = cli.run(
        "account", CHINA.number, "--pdf", tmp_path / "x.pdf", "--language", "qq"
    )

    assert done.returncode == 2
    assert "--language 'qq' is not a language code" in flat(done.stderr)
