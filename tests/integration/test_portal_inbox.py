"""The portal inbox: portal customers read the cadence's messages there."""

from datetime import UTC, date, datetime

import pytest

from adapters.cadence.config import load
from adapters.cadence.runner import channels_for, scheduler_for
from domain.account import Account
from services import commands as c
from tests.support.payer import issue, open_payer
from tests.support.portal import sign_in

# Monday 8 January 2024, 10:00 in New York.
MONDAY = datetime(2024, 1, 8, 15, 0, tzinfo=UTC)


def prefer_portal(app, number):
    app.change_account_policies(
        c.ChangeAccountPolicies(
            idempotency_key=f"portal-{number}",
            account_number=number,
            on=date(2024, 1, 1),
            delivery="portal",
        )
    )


@pytest.fixture
def delivered(site):
    """Two portal customers, each with an invoice the cadence delivered."""
    for number in ("C-1", "C-2"):
        open_payer(site.app, number, email=f"ap@{number.lower()}.example")
        prefer_portal(site.app, number)
        issue(site.app, number, f"{number}-INV", "100.00", issued=date(2024, 1, 5))
    site.engine.catch_up()
    with channels_for(site.engine) as channels:
        scheduler = scheduler_for(site.engine, channels, load())
        try:
            scheduler.tick(MONDAY)
        finally:
            scheduler.close()
    return site


def test_a_portal_customer_reads_the_invoice_message_in_the_inbox(delivered):
    sign_in(delivered, _id("C-1"))

    page = delivered.client.get("/inbox")

    assert page.status_code == 200
    assert "Invoice C-1-INV: $100.00 due" in page.text


def test_a_payer_never_sees_another_accounts_messages(delivered):
    sign_in(delivered, _id("C-1"))

    page = delivered.client.get("/inbox")

    assert "C-2-INV" not in page.text


def test_the_inbox_asks_for_a_sign_in_first(site):
    page = site.client.get("/inbox", follow_redirects=False)

    assert page.status_code == 303 and page.headers["location"] == "/sign-in"


def _id(number):
    return str(Account.id_for(number))
