"""From the invoice e-mail to paid, in a real browser: the e-mail is sent by
``o2c invoice --email`` to a real SMTP server, its link opens the portal, two
invoices are paid (one in part) with a new card typed on the sandbox gateway's
page, the statement PDF is read back, a third invoice is disputed and the
payer switches to Chinese. Every step leaves a screenshot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from adapters.portal.app import create_app
from adapters.portal.gateway import HttpGateway
from adapters.portal.settings import PortalSettings
from adapters.sandbox.app import create_sandbox
from adapters.settings import Settings
from adapters.wiring import open_engine, open_portal
from services import commands as c
from tests.support.cli import Cli
from tests.support.net import free_port
from tests.support.pdf import pdf_text

NAME = "株式会社さくら精機"
TO = "kaikake@sakura-seiki.example"
CARD = "4242 4242 4242 4242"
# Invoice number and amount in yen; A and B are paid, C is disputed.
INVOICES = {"JP-7-A": 120_000, "JP-7-B": 80_000, "JP-7-C": 50_000}


@dataclass
class Journey:
    portal_url: str
    sandbox_url: str
    link: str


def record_ledger(folder: Path) -> None:
    """A Japanese payer, billed in yen and reading English, with three invoices."""
    with open_engine(Settings(data_dir=folder)) as engine:
        engine.app.open_account(
            c.OpenAccount(
                idempotency_key="open-JP-7",
                number="JP-7",
                name=NAME,
                country="JP",
                currency="JPY",
                language="en",
                contacts=[{"role": "billing", "email": TO}],
                opened_on=date(2024, 1, 1),
            )
        )
        for number, amount in INVOICES.items():
            engine.app.issue_invoice(
                c.IssueInvoice(
                    idempotency_key=f"issue-{number}",
                    number=number,
                    account_number="JP-7",
                    amount=Decimal(amount),
                    issue_date=date(2024, 2, 1),
                )
            )


@pytest.fixture
def journey(tmp_path, smtp, live_server):
    """The invoice e-mail sent by the CLI, then the portal and the sandbox
    gateway live on loopback over the same data folder."""
    record_ledger(tmp_path)
    port = free_port()
    portal_url = f"http://127.0.0.1:{port}"
    cli = Cli(tmp_path)
    cli.env |= {
        "O2C_SMTP_HOST": smtp.host,
        "O2C_SMTP_PORT": str(smtp.port),
        "O2C_PORTAL_PUBLIC_URL": portal_url,
    }
    cli.ok("invoice", "JP-7-A", "--email")
    (mail,) = smtp.received
    assert mail.recipients == [TO]
    found = re.search(rf"{re.escape(portal_url)}/in/\S+", mail.part("text/plain"))
    assert found is not None, "the invoice e-mail carries no portal link"

    engine = open_engine(Settings(data_dir=tmp_path))
    sandbox = create_sandbox(tmp_path / "sandbox.sqlite", "journey-key", [portal_url])
    sandbox_url = live_server(sandbox)
    client = httpx.Client(base_url=sandbox_url, timeout=15)
    gateway = HttpGateway(sandbox_url, client, "journey-key")
    portal = open_portal(engine, PortalSettings(), portal_url, gateway, sandbox_url)
    live_server(create_app(portal), port=port)
    yield Journey(portal_url, sandbox_url, found.group())
    client.close()
    portal.store.close()
    engine.close()


def row(page: Page, number: str):
    return page.locator(f'table.invoices tr[data-invoice="{number}"]')


def test_a_payer_goes_from_the_invoice_email_to_paid(journey, page, shot):
    # The link opens the e-mailed invoice's payment page, signed in.
    page.goto(journey.link)
    expect(page.locator("h1")).to_have_text("Pay invoices")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator('tr[data-invoice="JP-7-A"]')).to_be_visible()
    expect(page.locator("header .who")).to_have_text(f"{NAME} (JP-7)")
    shot("01-pay-page-from-email")

    # The overview: everything owed.
    page.get_by_role("navigation").get_by_role("link", name="Overview").click()
    due = page.locator('table.balances tr[data-currency="JPY"] .total-due')
    expect(due).to_have_text("¥250,000")
    expect(page.locator("table.invoices tbody tr")).to_have_count(3)
    shot("02-overview")

    # Choose A and B, pay A in full and 30,000 of B's 80,000.
    page.get_by_label("JP-7-A", exact=True).check()
    page.get_by_label("JP-7-B", exact=True).check()
    page.get_by_role("button", name="Pay selected invoices").click()
    expect(page.locator("form tbody tr")).to_have_count(2)
    page.get_by_label("Amount to pay JP-7-B").fill("30000")
    page.get_by_label("A new card").check()
    shot("03-pay")
    page.get_by_role("button", name="Pay now").click()

    # The card is typed on the gateway's own page, on its own origin.
    page.wait_for_url(f"{journey.sandbox_url}/tokenize**")
    page.get_by_label("Card number").fill(CARD)
    page.get_by_label("Expiry (MM/YY)").fill("12/39")
    page.get_by_label("Security code").fill("123")
    shot("04-card-on-the-gateway")
    page.get_by_role("button", name="Continue").click()

    # The receipt, with what each invoice still owes and the new balance.
    page.wait_for_url(f"{journey.portal_url}/receipts/**")
    expect(page.locator(".receipt .paid")).to_have_text("¥150,000")
    expect(page.locator('tr[data-invoice="JP-7-A"] .open')).to_have_text("¥0")
    expect(page.locator('tr[data-invoice="JP-7-A"] .status')).to_have_text("Paid")
    expect(page.locator('tr[data-invoice="JP-7-B"] .open')).to_have_text("¥50,000")
    expect(page.locator('tr[data-invoice="JP-7-B"] .status')).to_have_text(
        "Partly paid"
    )
    expect(
        page.locator('table.balances tr[data-currency="JPY"] .total-due')
    ).to_have_text("¥100,000")
    shot("05-receipt")

    # The overview reads its own writes at once.
    page.get_by_role("navigation").get_by_role("link", name="Overview").click()
    expect(due).to_have_text("¥100,000")
    expect(row(page, "JP-7-A")).to_have_count(0)
    expect(row(page, "JP-7-B").locator(".open")).to_have_text("¥50,000")
    shot("06-overview-after-paying")

    # The statement PDF names the payer in Japanese and lists what is open.
    with page.expect_download() as started:
        page.locator("#statement-pdf").click()
    statement = pdf_text(Path(started.value.path()).read_bytes())
    assert NAME in statement
    assert "Account statement" in statement
    assert "JP-7-B" in statement and "JP-7-C" in statement
    assert "JP-7-A" not in statement
    assert "¥100,000" in statement

    # Dispute C, with a reason, a note and a PDF attached.
    row(page, "JP-7-C").get_by_role("link", name="Dispute").click()
    page.get_by_label("Reason").select_option("wrong_amount")
    page.get_by_label("Tell us more").fill("Billed 50,000 yen; the order was 45,000.")
    page.get_by_label(re.compile("Attachment")).set_input_files(
        {
            "name": "order.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n% order confirmation\n",
        }
    )
    shot("07-dispute")
    page.get_by_role("button", name="Send dispute").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your dispute was received; we will get back to you."
    )
    expect(row(page, "JP-7-C").locator(".status")).to_have_text("Disputed")
    disputes = page.locator("section", has=page.get_by_role("heading", name="Disputes"))
    expect(disputes.locator("tbody tr")).to_have_count(1)
    expect(disputes).to_contain_text("Wrong amount")
    expect(disputes.get_by_role("link", name="Attachment")).to_be_visible()
    shot("08-overview-disputed")

    # Switch to Simplified Chinese: the same page, in Chinese words.
    page.get_by_label("Language").select_option("zh_Hans")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("您的账户")
    expect(page.get_by_role("heading", name="未结发票")).to_be_visible()
    expect(row(page, "JP-7-C").locator(".status")).to_have_text("有争议")
    expect(row(page, "JP-7-B").locator(".status")).to_have_text("部分已付")
    expect(due).to_contain_text("100,000")
    shot("09-overview-in-chinese")
