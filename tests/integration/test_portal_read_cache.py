"""The portal's overview, read in one query and kept per account: the same
rows as its separate reads, and never older than the last catch-up."""

from datetime import date
from decimal import Decimal

from projections.portal import PayerViews
from services import commands as c
from tests.support.payer import credit, issue, open_payer, pay
from tests.support.portal import sign_in
from tests.support.two_payers import fill


def separate_reads(shown: PayerViews, account_id: str, day: date, **kw):
    return {
        "open_invoices": shown.invoices(
            account_id,
            sort=kw.get("sort", "due"),
            search=kw.get("search", ""),
            currency=kw.get("currency", ""),
            overdue_on=day if kw.get("overdue") else None,
        ),
        "closed_invoices": shown.invoices(account_id, closed=True, sort="-due"),
        "balances": shown.balances(account_id, day),
        "credits": shown.credits(account_id),
        "payments": shown.payments(account_id),
        "disputes": shown.disputes(account_id),
        "promises": shown.promises(account_id, day),
    }


def test_the_one_query_overview_gives_the_rows_of_the_separate_reads(ledger):
    app = ledger.app
    account = open_payer(app, "A", email="ap@a.example")
    open_payer(app, "B", email="ap@b.example")
    for number, amount in (("INV-1", "100.00"), ("INV-2", "50.00"), ("INV-3", "7")):
        issue(app, "A", number, amount, issued=date(2024, 1, 5))
    issue(app, "B", "INV-9", "70.00")
    pay(app, "A", "pay-1", date(2024, 2, 1), INV_2="50.00", INV_1="10.00")
    credit(app, "A", "CM-1", "20.00")
    app.promise_to_pay(
        c.PromiseToPay(
            idempotency_key="promise-1",
            account_number="A",
            invoice_numbers=["INV-1"],
            amount=Decimal("40.00"),
            currency="USD",
            promised_date=date(2024, 3, 1),
            on=date(2024, 2, 1),
        )
    )
    app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key="dispute-1",
            invoice_number="INV-3",
            account_number="A",
            reason="damaged",
            on=date(2024, 2, 2),
        )
    )
    ledger.catch_up()
    shown = PayerViews(ledger.models.con)
    filters = [{}, {"sort": "-amount", "overdue": True}, {"search": "inv-1"}]

    for day in (date(2024, 2, 10), date(2024, 4, 1)):
        for kw in filters:
            together = shown.overview(account, day, **kw)
            assert together == separate_reads(shown, account, day, **kw)
    assert all(shown.overview(account, date(2024, 2, 10)).values())


def test_the_overview_shows_a_payment_made_outside_the_portal_once_projected(site):
    mine = fill(site, "A", "ap@a.example")
    theirs = fill(site, "B", "ap@b.example")
    sign_in(site, mine.account)
    before = site.client.get("/api/v1/overview").json()
    assert site.client.get("/api/v1/overview").json() == before
    hits = site.portal.cache.hits
    assert hits >= 1
    site.portal.cache.read(theirs.account, "probe", lambda: "kept")

    pay(site.app, "A", "pay-outside", date(2024, 2, 20), A_1="25.00")
    site.engine.catch_up()
    after = site.client.get("/api/v1/overview").json()

    assert len(after["payments"]) == len(before["payments"]) + 1
    assert after["balances"] != before["balances"]
    assert site.portal.cache.read(theirs.account, "probe", lambda: "read") == "kept"


def test_a_run_of_events_names_the_accounts_it_changed(ledger):
    heard = []
    ledger.models.on_change.append(heard.append)
    a = open_payer(ledger.app, "A", email="ap@a.example")
    b = open_payer(ledger.app, "B", email="ap@b.example")
    ledger.catch_up()
    issue(ledger.app, "B", "INV-9", "70.00")
    ledger.catch_up()

    assert heard == [frozenset({a, b}), frozenset({b})]
