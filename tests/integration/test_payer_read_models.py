"""The read models the portal reads: promises, payment methods, disputes with
attachments, languages and effort scores, projected from real stores."""

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import AllocationToAnotherAccount, InvalidAmount
from projections.portal import PayerViews
from projections.readmodels import ReadModels
from services import commands as c
from services.receivables import NotFound
from streams.envelope import envelope
from streams.projector import _as_events
from tests.support.ledger import dump_tables
from tests.support.payer import ISSUED, credit, issue, open_payer, pay


@pytest.fixture
def book(ledger):
    """Payer A with two USD invoices, payer B with one."""
    open_payer(ledger.app, "A", email="ap@a.example")
    open_payer(ledger.app, "B", email="ap@b.example")
    issue(ledger.app, "A", "INV-1", "100.00")
    issue(ledger.app, "A", "INV-2", "50.00")
    issue(ledger.app, "B", "INV-9", "70.00")
    return ledger


def views(ledger) -> PayerViews:
    ledger.catch_up()
    return PayerViews(ledger.models.con)


def promise(ledger, key, amount, by, numbers=("INV-1",), account="A"):
    return ledger.app.promise_to_pay(
        c.PromiseToPay(
            idempotency_key=key,
            account_number=account,
            invoice_numbers=list(numbers),
            amount=Decimal(amount),
            currency="USD",
            promised_date=by,
            on=date(2024, 2, 1),
        )
    )


def a_id(ledger):
    return views(ledger).account_for_email("AP@A.example")["account_id"]


def test_a_promise_is_open_until_its_date(book):
    """Nothing paid yet and the date still ahead: the promise is open."""
    promise(book, "p1", "80.00", date(2024, 3, 1))

    found = views(book).promises(a_id(book), date(2024, 2, 15))

    assert [(p["status"], p["amount_minor"]) for p in found] == [("open", 8000)]


def test_a_promise_paid_in_full_by_its_date_is_kept(book):
    """Payments on its invoices before the promised date keep the promise."""
    promise(book, "p1", "120.00", date(2024, 3, 1), ("INV-1", "INV-2"))
    pay(book.app, "A", "pay-1", date(2024, 2, 20), INV_1="100.00", INV_2="20.00")

    found = views(book).promises(a_id(book), date(2024, 4, 1))

    assert [(p["status"], p["paid_minor"]) for p in found] == [("kept", 12000)]


def test_a_promise_short_paid_past_its_date_is_broken(book):
    """Part paid when the date has passed: broken, with what was paid."""
    promise(book, "p1", "100.00", date(2024, 3, 1))
    pay(book.app, "A", "pay-1", date(2024, 2, 20), INV_1="40.00")

    found = views(book).promises(a_id(book), date(2024, 3, 2))

    assert [(p["status"], p["paid_minor"]) for p in found] == [("broken", 4000)]


def test_a_promise_cannot_name_another_accounts_invoice(book):
    """Another account's invoice is answered as if it did not exist."""
    with pytest.raises(NotFound):
        promise(book, "p1", "10.00", date(2024, 3, 1), ("INV-9",))


def test_a_promise_cannot_exceed_what_is_open(book):
    with pytest.raises(InvalidAmount):
        promise(book, "p1", "100.01", date(2024, 3, 1))


def save_method(ledger, key, token, account="A"):
    return ledger.app.save_payment_method(
        c.SavePaymentMethod(
            idempotency_key=key,
            account_number=account,
            token=token,
            kind="card",
            brand="visa",
            last4="4242",
            expiry_month=12,
            expiry_year=2030,
            on=ISSUED,
        )
    )["method_id"]


def test_the_first_saved_method_becomes_the_default(book):
    first = save_method(book, "m1", "tok_1")
    save_method(book, "m2", "tok_2")

    methods = views(book).payment_methods(a_id(book))

    assert [(m["method_id"], m["is_default"]) for m in methods][0] == (first, True)
    assert sum(m["is_default"] for m in methods) == 1


def test_removing_the_default_makes_the_newest_left_the_default(book):
    first = save_method(book, "m1", "tok_1")
    second = save_method(book, "m2", "tok_2")
    book.app.remove_payment_method(
        c.RemovePaymentMethod(
            idempotency_key="r1", account_number="A", method_id=first, on=ISSUED
        )
    )

    methods = views(book).payment_methods(a_id(book))

    assert [(m["method_id"], m["is_default"]) for m in methods] == [(second, True)]


def test_choosing_a_default_switches_it(book):
    save_method(book, "m1", "tok_1")
    second = save_method(book, "m2", "tok_2")
    book.app.choose_default_payment_method(
        c.ChooseDefaultPaymentMethod(
            idempotency_key="d1", account_number="A", method_id=second, on=ISSUED
        )
    )

    methods = views(book).payment_methods(a_id(book))

    assert [m["method_id"] for m in methods if m["is_default"]] == [second]


def test_a_dispute_keeps_its_reason_note_and_attachment(book):
    book.app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key="d1",
            invoice_number="INV-2",
            account_number="A",
            reason="damaged",
            note="crate broken",
            attachment_id="att-1",
            on=date(2024, 1, 10),
        )
    )
    shown = views(book)

    found = shown.disputes(a_id(book))

    assert [(d["invoice_number"], d["reason"], d["status"]) for d in found] == [
        ("INV-2", "damaged", "open")
    ]
    assert shown.attachment_of(a_id(book), "att-1")


def test_a_dispute_for_another_accounts_invoice_is_not_found(book):
    with pytest.raises(NotFound):
        book.app.dispute_invoice(
            c.DisputeInvoice(
                idempotency_key="d1",
                invoice_number="INV-9",
                account_number="A",
                reason="damaged",
                on=date(2024, 1, 10),
            )
        )


def test_a_language_change_becomes_the_accounts_language(book):
    book.app.change_language(
        c.ChangeLanguage(
            idempotency_key="l1", account_number="A", language="ja", on=ISSUED
        )
    )

    assert views(book).account(a_id(book))["language"] == "ja"


def test_effort_scores_are_counted_by_month_and_country(book):
    for key, score in (("e1", 7), ("e2", 4)):
        book.app.give_effort_score(
            c.GiveEffortScore(
                idempotency_key=key,
                account_number="A",
                score=score,
                payment_id=key,
                on=date(2024, 2, 3),
            )
        )

    rows = views(book).effort_by_month_and_country()

    assert [(r["month"], r["country"], r["answers"], r["easy"]) for r in rows] == [
        ("2024-02", "US", 2, 1)
    ]


def settle(ledger, key, credits, amount, allocations, account="A"):
    return ledger.app.settle_invoices(
        c.SettleInvoices(
            idempotency_key=key,
            account_number=account,
            currency="USD",
            credits=credits,
            amount=Decimal(amount),
            method="card",
            allocations=[
                c.AllocationLine(invoice_number=n, amount=Decimal(a))
                for n, a in allocations
            ],
            on=date(2024, 2, 1),
        )
    )


def test_settling_applies_the_credit_before_the_payment(book):
    """A 30.00 credit and a 70.00 payment settle a 100.00 invoice together."""
    memo = credit(book.app, "A", "CM-1", "30.00")["credit_memo_id"]
    use = c.CreditUse(
        source_kind="credit_memo",
        source_id=memo,
        invoice_number="INV-1",
        amount=Decimal("30.00"),
    )

    settle(book, "s1", [use], "70.00", [("INV-1", "70.00")])
    shown = views(book)

    invoice = shown.invoices(a_id(book), closed=True)[0]
    assert (invoice["invoice_number"], invoice["status"]) == ("INV-1", "paid")
    assert shown.credits(a_id(book)) == []


def test_settling_with_another_accounts_credit_is_refused(book):
    """B's credit memo cannot settle A's invoice."""
    memo = credit(book.app, "B", "CM-9", "30.00")["credit_memo_id"]
    use = c.CreditUse(
        source_kind="credit_memo",
        source_id=memo,
        invoice_number="INV-1",
        amount=Decimal("30.00"),
    )

    with pytest.raises(NotFound):
        settle(book, "s1", [use], "0", [])


def test_settling_another_accounts_invoice_is_refused(book):
    with pytest.raises(AllocationToAnotherAccount):
        settle(book, "s1", [], "70.00", [("INV-9", "70.00")])


def test_rebuilding_gives_the_same_payer_read_models(book):
    """Promises, methods, disputes and scores rebuild row for row."""
    promise(book, "p1", "50.00", date(2024, 3, 1))
    first = save_method(book, "m1", "tok_1")
    save_method(book, "m2", "tok_2")
    book.app.remove_payment_method(
        c.RemovePaymentMethod(
            idempotency_key="r1", account_number="A", method_id=first, on=ISSUED
        )
    )
    pay(book.app, "A", "pay-1", date(2024, 2, 20), INV_1="40.00")
    book.catch_up()
    before = book.tables()

    book.rebuild()

    assert book.tables() == before


def test_payer_events_read_from_their_kafka_envelopes_project_the_same(book, tmp_path):
    """The Kafka path (envelope, then back to rows) builds the same tables."""
    promise(book, "p1", "50.00", date(2024, 3, 1))
    save_method(book, "m1", "tok_1")
    book.app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key="d1",
            invoice_number="INV-2",
            reason="damaged",
            attachment_id="att-1",
            on=date(2024, 1, 10),
        )
    )
    book.catch_up()
    notifications = book.app.recorder.select_notifications(start=1, limit=10_000)
    replica = ReadModels(tmp_path / "replica.duckdb")

    replica.apply(_as_events([envelope(n) for n in notifications]), {"kafka": 1})

    assert dump_tables(replica) == book.tables()
