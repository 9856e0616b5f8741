"""``o2c invoice NUMBER --email`` run as a user runs it, to a real SMTP server."""

import re

import pytest

from adapters.settings import Settings
from adapters.wiring import open_engine
from tests.support.cli import Cli, flat
from tests.support.net import free_port
from tests.support.payer import issue, open_payer
from tests.support.pdf import pdf_text

PORTAL_URL = "http://127.0.0.1:8123"
TO = "ap@mingzhu.example"


@pytest.fixture
def cli(tmp_path, smtp):
    """The CLI on a ledger with a Chinese payer, mailing through ``smtp``."""
    with open_engine(Settings(data_dir=tmp_path)) as engine:
        open_payer(engine.app, "CN-1", email=TO, country="CN", language="zh")
        issue(engine.app, "CN-1", "CN-1-A", "1200.50")
        open_payer(engine.app, "NO-MAIL")
        issue(engine.app, "NO-MAIL", "NO-MAIL-A", "10.00")
    runner = Cli(tmp_path)
    runner.env |= {
        "O2C_SMTP_HOST": smtp.host,
        "O2C_SMTP_PORT": str(smtp.port),
        "O2C_PORTAL_PUBLIC_URL": PORTAL_URL,
    }
    return runner


def test_the_invoice_email_reaches_the_billing_contact_in_their_language(cli, smtp):
    cli.ok("invoice", "CN-1-A", "--email")

    (got,) = smtp.received
    assert got.recipients == [TO]
    assert got.message["Subject"].startswith("发票 CN-1-A")


def test_the_email_carries_a_signed_link_under_the_portal_url(cli, smtp):
    cli.ok("invoice", "CN-1-A", "--email")

    text = smtp.received[0].part("text/plain")
    assert re.search(rf"{PORTAL_URL}/in/[\w.-]+", text)


def test_the_email_carries_the_invoice_pdf(cli, smtp):
    cli.ok("invoice", "CN-1-A", "--email")

    (attached,) = smtp.received[0].message.iter_attachments()
    assert attached.get_filename() == "CN-1-A.pdf"
    assert "发票 CN-1-A" in pdf_text(attached.get_content())


def test_sending_twice_sends_once(cli, smtp):
    cli.ok("invoice", "CN-1-A", "--email")

    second = cli.ok("invoice", "CN-1-A", "--email")

    assert len(smtp.received) == 1
    assert "already" in second.stdout


def test_again_sends_it_once_more(cli, smtp):
    cli.ok("invoice", "CN-1-A", "--email")

    cli.ok("invoice", "CN-1-A", "--email", "--again")

    assert len(smtp.received) == 2


def test_the_sending_shows_in_the_invoice_history(cli):
    cli.ok("invoice", "CN-1-A", "--email")

    history = cli.ok("invoice", "CN-1-A", "--format", "csv").stdout

    assert "Invoice.Sent" in history


def test_a_mail_server_that_is_down_leaves_the_invoice_unsent(cli, smtp):
    cli.env["O2C_SMTP_PORT"] = str(free_port())
    failed = cli.run("invoice", "CN-1-A", "--email")
    cli.env["O2C_SMTP_PORT"] = str(smtp.port)

    cli.ok("invoice", "CN-1-A", "--email")

    assert failed.returncode == 1
    assert "cannot send the invoice e-mail" in flat(failed.stderr)
    assert len(smtp.received) == 1


def test_an_account_without_an_address_is_named_in_the_error(cli):
    failed = cli.run("invoice", "NO-MAIL-A", "--email")

    assert failed.returncode == 1
    assert "account NO-MAIL has no contact with an e-mail address" in flat(
        failed.stderr
    )


def test_without_an_smtp_host_the_email_is_written_to_the_outbox(cli, smtp):
    del cli.env["O2C_SMTP_HOST"]

    cli.ok("invoice", "CN-1-A", "--email")

    assert len(list((cli.data_dir / "outbox").glob("*.eml"))) == 1
    assert smtp.received == []
