"""The payer's main path over HTTP: a link from an invoice e-mail, the
overview, paying two invoices (one in part) with a new card through the
sandbox gateway, the receipt, and a dispute."""

import re
from datetime import date

import pytest

from domain.invoice import Invoice
from tests.support.payer import issue, open_payer
from tests.support.portal import csrf_of, key_of, through_gateway


@pytest.fixture
def payer(site):
    """An account with three open USD invoices."""
    account = open_payer(site.app, "C-1", email="ap@payer.example")
    for number, amount in (
        ("INV-1", "100.00"),
        ("INV-2", "250.00"),
        ("INV-3", "40.00"),
    ):
        issue(site.app, "C-1", number, amount, issued=date(2024, 1, 5))
    site.engine.catch_up()
    return account


def invoice_id(number):
    return str(Invoice.id_for(number))


def pay_two(site, payer):
    """Sign in through INV-1's link and pay INV-1 in full and INV-2 in part."""
    link = site.portal.link_url(payer, invoice_id("INV-1"))
    landing = site.client.get(link.removeprefix("http://portal.test"))
    assert landing.url.path == "/pay"
    chosen = site.client.get(
        "/pay", params={"invoice": [invoice_id("INV-1"), invoice_id("INV-2")]}
    )
    form = {
        "csrf_token": csrf_of(chosen.text),
        "key": key_of(chosen.text),
        "invoice": [invoice_id("INV-1"), invoice_id("INV-2")],
        f"amount_{invoice_id('INV-1')}": "100.00",
        f"amount_{invoice_id('INV-2')}": "75.50",
        "method": "new_card",
        "save": "1",
    }
    sent = site.client.post("/pay", data=form, follow_redirects=False)
    assert sent.status_code == 303
    return through_gateway(site, sent.headers["location"])


def test_an_invoice_link_opens_its_payment_page_signed_in(site, payer):
    link = site.portal.link_url(payer, invoice_id("INV-2"))

    page = site.client.get(link.removeprefix("http://portal.test"))

    assert page.status_code == 200
    assert "INV-2" in page.text and "250.00" in page.text


def test_paying_two_invoices_one_in_part_shows_the_receipt_and_new_balance(site, payer):
    receipt = pay_two(site, payer)

    assert receipt.url.path.startswith("/receipts/")
    assert "$175.50" in receipt.text
    assert "$174.50" in receipt.text  # 390.00 owed before, 175.50 paid


def test_after_paying_the_overview_shows_what_is_left_open(site, payer):
    pay_two(site, payer)

    overview = site.client.get("/")

    rows = re.findall(
        r'<tr data-invoice="(INV-\d)">.*?class="open">([^<]+)<', overview.text, re.S
    )
    assert rows == [("INV-2", "$174.50"), ("INV-3", "$40.00")]


def test_the_new_card_is_saved_without_its_number(site, payer):
    pay_two(site, payer)

    methods = site.portal.views.payment_methods(payer)

    assert [(m["brand"], m["last4"], m["is_default"]) for m in methods] == [
        ("visa", "4242", True)
    ]


def test_a_dispute_with_a_reason_shows_on_the_overview(site, payer):
    pay_two(site, payer)
    form_page = site.client.get(f"/invoices/{invoice_id('INV-3')}/dispute")

    done = site.client.post(
        f"/invoices/{invoice_id('INV-3')}/dispute",
        data={
            "csrf_token": csrf_of(form_page.text),
            "key": key_of(form_page.text),
            "reason": "damaged",
            "note": "two crates broken",
        },
    )

    assert done.status_code == 200
    assert [
        (d["invoice_number"], d["status"]) for d in site.portal.views.disputes(payer)
    ] == [("INV-3", "open")]
    assert "Damaged" in done.text
