"""Paying from the portal: once per key, nothing changed by a decline, credit
first when asked, and no card number anywhere o2c writes or shows."""

import re
import sqlite3
from datetime import date

import pytest
from structlog.testing import capture_logs

from domain.invoice import Invoice
from services import commands as c
from tests.support.payer import credit, issue, open_payer
from tests.support.portal import (
    DECLINED_CARD,
    csrf_of,
    key_of,
    sandbox_token,
    sign_in,
    through_gateway,
)


def invoice_id(number):
    return str(Invoice.id_for(number))


@pytest.fixture
def payer(site):
    account = open_payer(site.app, "C-1", email="ap@payer.example")
    issue(site.app, "C-1", "INV-1", "100.00", issued=date(2024, 1, 5))
    issue(site.app, "C-1", "INV-2", "60.00", issued=date(2024, 1, 5))
    sign_in(site, account)
    return account


def stored_method(site, card="4242424242424242"):
    token = sandbox_token(site, card)
    saved = site.app.save_payment_method(
        c.SavePaymentMethod(
            idempotency_key=f"save-{token}",
            account_number="C-1",
            token=token,
            kind="card",
            brand="visa",
            last4=card[-4:],
            on=date(2024, 2, 1),
        )
    )
    site.engine.catch_up()
    return saved["method_id"]


def pay_form(site, amounts, **extra):
    site.engine.catch_up()
    page = site.client.get("/pay", params={"invoice": list(amounts)})
    form = {
        "csrf_token": csrf_of(page.text),
        "key": key_of(page.text),
        "invoice": list(amounts),
        **{f"amount_{i}": a for i, a in amounts.items()},
        **extra,
    }
    return form


def open_amounts(site, payer):
    site.engine.catch_up()
    rows = site.portal.views.invoices(payer)
    return {i["invoice_number"]: i["open_minor"] for i in rows}


def test_the_same_form_sent_twice_pays_once(site, payer):
    method = stored_method(site)
    form = pay_form(site, {invoice_id("INV-1"): "100.00"}, method=method)

    first = site.client.post("/pay", data=form, follow_redirects=False)
    second = site.client.post("/pay", data=form, follow_redirects=False)

    assert first.headers["location"] == second.headers["location"]
    assert len(site.portal.views.payments(payer)) == 1


def test_the_same_api_key_twice_pays_once(site, payer):
    method = stored_method(site)
    csrf = site.client.get("/api/v1/session").json()["csrf_token"]
    body = {
        "lines": [{"invoice_id": invoice_id("INV-2"), "amount": "20.00"}],
        "method_id": method,
    }
    headers = {"Idempotency-Key": "retry-me-1", "X-CSRF-Token": csrf}

    first = site.client.post("/api/v1/payments", json=body, headers=headers)
    second = site.client.post("/api/v1/payments", json=body, headers=headers)

    assert first.json()["payment_id"] == second.json()["payment_id"]
    assert open_amounts(site, payer)["INV-2"] == 4000


def test_a_declined_card_changes_nothing(site, payer):
    before = site.app.recorder.max_notification_id()
    form = pay_form(site, {invoice_id("INV-1"): "100.00"}, method="new_card", save="1")
    sent = site.client.post("/pay", data=form, follow_redirects=False)

    page = through_gateway(site, sent.headers["location"], DECLINED_CARD)

    assert "declined" in page.text
    assert site.app.recorder.max_notification_id() == before
    assert open_amounts(site, payer) == {"INV-1": 10000, "INV-2": 6000}


def test_a_declined_stored_card_shows_the_reason_in_plain_words(site, payer):
    method = stored_method(site, DECLINED_CARD.replace(" ", ""))
    form = pay_form(site, {invoice_id("INV-1"): "10.00"}, method=method)

    page = site.client.post("/pay", data=form)

    assert page.status_code == 400
    assert "Nothing was charged and nothing changed" in page.text


def test_an_amount_above_what_is_open_is_refused(site, payer):
    method = stored_method(site)
    form = pay_form(site, {invoice_id("INV-2"): "60.01"}, method=method)

    page = site.client.post("/pay", data=form)

    assert "at most what is open on invoice INV-2" in page.text
    assert site.portal.views.payments(payer) == []


def test_open_credit_is_applied_before_the_card_is_charged(site, payer):
    credit(site.app, "C-1", "CM-1", "30.00")
    method = stored_method(site)
    form = pay_form(
        site, {invoice_id("INV-1"): "100.00"}, method=method, apply_credits="1"
    )

    receipt = site.client.post("/pay", data=form)

    assert "$70.00" in receipt.text
    assert open_amounts(site, payer) == {"INV-2": 6000}
    assert site.portal.views.credits(payer) == []


def test_credit_that_covers_everything_charges_nothing(site, payer):
    credit(site.app, "C-1", "CM-1", "80.00")
    form = pay_form(site, {invoice_id("INV-2"): "60.00"}, apply_credits="1")

    page = site.client.post("/pay", data=form)

    assert "settled with your open credit" in page.text
    assert site.portal.views.payments(payer) == []


CARD = "4111 1111 1111 1111"
CARD_DIGITS = re.compile(r"4111[ -]?1111[ -]?1111[ -]?1111")


def test_card_numbers_typed_anywhere_never_reach_logs_events_or_pages(site, payer):
    """A card number in every field: the portal's forms, the API, and the
    gateway's page; none of it is logged, stored or shown by o2c."""
    pages = []
    with capture_logs() as logs:
        pages.append(site.client.get("/", params={"q": CARD}).text)
        form = pay_form(site, {invoice_id("INV-1"): CARD}, method="new_card")
        pages.append(site.client.post("/pay", data=form).text)
        form = pay_form(site, {invoice_id("INV-1"): "5.00"}, method="new_card")
        sent = site.client.post("/pay", data=form, follow_redirects=False)
        pages.append(through_gateway(site, sent.headers["location"], CARD).text)
        page = site.client.get(f"/invoices/{invoice_id('INV-2')}/dispute")
        done = site.client.post(
            f"/invoices/{invoice_id('INV-2')}/dispute",
            data={
                "csrf_token": csrf_of(page.text),
                "key": key_of(page.text),
                "reason": "other",
                "note": f"card {CARD} was charged twice",
            },
        )
        pages.append(done.text)
        csrf = site.client.get("/api/v1/session").json()["csrf_token"]
        answer = site.client.post(
            f"/api/v1/invoices/{invoice_id('INV-1')}/disputes",
            json={"reason": "other", "note": CARD},
            headers={"Idempotency-Key": "card-note-1", "X-CSRF-Token": csrf},
        )
        pages.append(answer.text)
        pages.append(site.client.get("/api/v1/overview").text)
        pages.append(
            site.browser()
            .post("/sign-in", data={"email": CARD, "csrf_token": "x"})
            .text
        )

    with sqlite3.connect(site.engine.settings.event_store_path) as db:
        events = " ".join(
            str(row[0]) for row in db.execute("SELECT state FROM stored_events")
        )
    assert not CARD_DIGITS.search(events)
    assert not CARD_DIGITS.search(str(logs))
    assert not any(CARD_DIGITS.search(page) for page in pages)
