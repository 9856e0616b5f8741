"""The invoice: its open amount, status and settled date, and what its events carry."""

from datetime import date, timedelta

import pytest

from domain.errors import (
    AllocationBeforeInvoiceDate,
    AllocationExceedsOpenAmount,
    CurrencyMismatch,
    InvalidAmount,
    InvalidDate,
    InvoiceAlreadyDisputed,
    InvoiceAlreadySettled,
    InvoiceNotDisputed,
)
from domain.invoice import Invoice
from tests.support.builders import (
    CLERK,
    ISSUED_ON,
    account,
    credit_memo,
    eur,
    invoice,
    pay,
    payment,
    usd,
)

LATER = ISSUED_ON + timedelta(days=10)


def test_a_new_invoice_is_open_for_its_whole_amount():
    """Nothing has reduced it yet, so all of it is open."""
    bill = invoice(amount=usd("100.00"))

    assert bill.open == usd("100.00")
    assert bill.status == "open"
    assert bill.settled_date is None


def test_an_invoice_amount_must_be_above_zero():
    """A zero invoice bills nothing and is refused."""
    with pytest.raises(InvalidAmount, match="above zero"):
        invoice(amount=usd("0.00"))


def test_an_invoice_cannot_fall_due_before_it_is_issued():
    """The error names both dates."""
    with pytest.raises(InvalidDate, match="2024-02-01 is before the issue date"):
        Invoice.issue(
            number="INV-9",
            account_id=account().id,
            amount=usd("10.00"),
            issue_date=ISSUED_ON,
            due_date=date(2024, 2, 1),
            delivery="email",
            cause=CLERK,
        )


def test_partial_payment_leaves_the_rest_open():
    """Paying 40.00 of 100.00 leaves 60.00 open and the invoice partially paid."""
    bill = invoice(amount=usd("100.00"))

    pay(payment(usd("40.00")), bill, usd("40.00"), LATER)

    assert bill.open == usd("60.00")
    assert bill.status == "partially_paid"
    assert bill.settled_date is None


def test_paying_the_rest_settles_the_invoice_on_the_payment_date():
    """Two instalments that add up to the amount close the invoice."""
    bill = invoice(amount=usd("100.00"))

    pay(payment(usd("40.00"), key="first"), bill, usd("40.00"), LATER)
    pay(payment(usd("60.00"), key="second"), bill, usd("60.00"), LATER + timedelta(1))

    assert bill.open == usd("0.00")
    assert bill.status == "paid"
    assert bill.settled_date == LATER + timedelta(days=1)


def test_over_allocation_raises_and_changes_nothing():
    """Allocating 120.00 to a 100.00 invoice fails; both sides stay as they were."""
    bill = invoice(amount=usd("100.00"))
    cash = payment(usd("150.00"))

    with pytest.raises(AllocationExceedsOpenAmount, match="100.00 USD open"):
        pay(cash, bill, usd("120.00"), LATER)

    assert bill.open == usd("100.00")
    assert cash.unapplied == usd("150.00")
    assert (bill.version, cash.version) == (1, 1)


def test_an_allocation_in_another_currency_than_the_invoice_raises():
    """A EUR invoice cannot be settled with dollars; it stays fully open."""
    bill = invoice(amount=eur("100.00"))
    cash = payment(usd("100.00"))

    with pytest.raises(CurrencyMismatch, match="in EUR, not USD"):
        pay(cash, bill, usd("100.00"), LATER)

    assert bill.open == eur("100.00")
    assert cash.unapplied == usd("100.00")


def test_an_allocation_dated_before_the_invoice_raises():
    """A prepayment cannot settle an invoice on a day before the invoice existed."""
    bill = invoice(amount=usd("100.00"))
    cash = payment(usd("100.00"), received_on=ISSUED_ON - timedelta(days=5))

    with pytest.raises(AllocationBeforeInvoiceDate, match="before invoice INV-1"):
        pay(cash, bill, usd("100.00"), ISSUED_ON - timedelta(days=1))

    assert bill.open == usd("100.00")


def test_an_allocation_must_be_above_zero():
    """A zero allocation would settle nothing and is refused."""
    with pytest.raises(InvalidAmount, match="above zero"):
        pay(payment(), invoice(), usd("0.00"), LATER)


def test_a_paid_invoice_takes_no_further_allocation():
    """Once nothing is open, more cash is refused as already settled."""
    bill = invoice(amount=usd("100.00"))
    pay(payment(usd("100.00")), bill, usd("100.00"), LATER)

    with pytest.raises(InvoiceAlreadySettled):
        pay(payment(usd("5.00"), key="late"), bill, usd("5.00"), LATER)


def test_a_credit_memo_reduces_the_open_amount():
    """A 25.00 credit allocated to a 100.00 invoice leaves 75.00 open."""
    bill = invoice(amount=usd("100.00"))

    pay(credit_memo(usd("25.00")), bill, usd("25.00"), LATER)

    assert bill.open == usd("75.00")
    assert bill.status == "partially_paid"


def test_settled_date_is_the_latest_business_date_of_the_reductions():
    """A reduction recorded last but dated earlier does not move the settled date."""
    bill = invoice(amount=usd("100.00"))
    march_20, march_12 = date(2024, 3, 20), date(2024, 3, 12)

    pay(payment(usd("60.00"), key="wire"), bill, usd("60.00"), march_20)
    pay(credit_memo(usd("40.00")), bill, usd("40.00"), march_12)

    assert bill.status == "paid"
    assert bill.settled_date == march_20


def test_disputing_an_invoice_marks_it_disputed():
    """A customer's dispute shows as the invoice's status."""
    bill = invoice()

    bill.dispute(reason="damaged goods", note="", on=LATER, cause=CLERK)

    assert bill.status == "disputed"
    assert bill.open == usd("100.00")


def test_resolving_a_dispute_returns_the_invoice_to_its_payment_status():
    """A partly paid invoice is partly paid again once its dispute is resolved."""
    bill = invoice(amount=usd("100.00"))
    pay(payment(usd("30.00")), bill, usd("30.00"), LATER)
    bill.dispute(reason="wrong quantity", note="", on=LATER, cause=CLERK)

    bill.resolve_dispute(outcome="customer pays", on=LATER, cause=CLERK)

    assert bill.status == "partially_paid"


def test_an_invoice_cannot_be_disputed_twice_at_once():
    """A second dispute while one is open is refused."""
    bill = invoice()
    bill.dispute(reason="damaged goods", note="", on=LATER, cause=CLERK)

    with pytest.raises(InvoiceAlreadyDisputed, match="INV-1"):
        bill.dispute(reason="again", note="", on=LATER, cause=CLERK)


def test_only_a_disputed_invoice_can_have_its_dispute_resolved():
    """Resolving without an open dispute is refused."""
    with pytest.raises(InvoiceNotDisputed, match="INV-1 has no open dispute"):
        invoice().resolve_dispute(outcome="n/a", on=LATER, cause=CLERK)


def test_a_paid_invoice_cannot_be_disputed():
    """There is nothing left to dispute on a settled invoice."""
    bill = invoice(amount=usd("100.00"))
    pay(payment(usd("100.00")), bill, usd("100.00"), LATER)

    with pytest.raises(InvoiceAlreadySettled):
        bill.dispute(reason="late complaint", note="", on=LATER, cause=CLERK)


def test_paying_a_disputed_invoice_in_full_closes_the_dispute():
    """Cash that settles the invoice ends its dispute: it shows as paid."""
    bill = invoice(amount=usd("100.00"))
    bill.dispute(reason="damaged goods", note="", on=LATER, cause=CLERK)

    pay(payment(usd("100.00")), bill, usd("100.00"), LATER)

    assert bill.status == "paid"
    assert not bill.dispute_open


def test_writing_off_closes_what_is_still_open():
    """After 30.00 of 100.00 is paid, the write-off takes the other 70.00."""
    bill = invoice(amount=usd("100.00"))
    pay(payment(usd("30.00")), bill, usd("30.00"), LATER)

    bill.write_off(reason="uncollectable", on=LATER + timedelta(days=5), cause=CLERK)

    written_off = bill.collect_events()[-1]
    assert isinstance(written_off, Invoice.WrittenOff)
    assert (written_off.amount, written_off.currency) == (usd("70.00").amount, "USD")
    assert bill.open == usd("0.00")
    assert bill.status == "written_off"
    assert bill.settled_date == LATER + timedelta(days=5)


def test_a_settled_invoice_cannot_be_written_off():
    """There is nothing left to write off on a paid invoice."""
    bill = invoice(amount=usd("100.00"))
    pay(payment(usd("100.00")), bill, usd("100.00"), LATER)

    with pytest.raises(InvoiceAlreadySettled):
        bill.write_off(reason="uncollectable", on=LATER, cause=CLERK)


def test_a_write_off_cannot_be_dated_before_the_invoice():
    """A write-off dated before the issue date is refused."""
    with pytest.raises(AllocationBeforeInvoiceDate):
        invoice().write_off(
            reason="uncollectable", on=ISSUED_ON - timedelta(days=1), cause=CLERK
        )


# What every event carries

EVENT_TYPES = [
    "Account.Opened",
    "Account.DeliveryPreferenceChanged",
    "Invoice.Issued",
    "Invoice.AllocationApplied",
    "Invoice.Disputed",
    "Invoice.DisputeResolved",
    "Invoice.WrittenOff",
    "Payment.Received",
    "Payment.Allocated",
    "CreditMemo.Issued",
    "CreditMemo.Allocated",
]


def a_whole_history():
    """An account and every kind of event it and its invoices can record."""
    customer = account()
    customer.change_delivery("paper", on=ISSUED_ON, cause=CLERK)
    bill = invoice(amount=usd("100.00"), owner=customer)
    cash = payment(usd("50.00"), owner=customer)
    memo = credit_memo(usd("10.00"), owner=customer)

    pay(cash, bill, usd("50.00"), LATER)
    pay(memo, bill, usd("10.00"), LATER)
    bill.dispute(reason="damaged goods", note="photo sent", on=LATER, cause=CLERK)
    bill.resolve_dispute(outcome="credit granted", on=LATER, cause=CLERK)
    bill.write_off(reason="uncollectable", on=LATER, cause=CLERK)

    aggregates = (customer, bill, cash, memo)
    return customer, [event for each in aggregates for event in each.collect_events()]


def test_a_whole_history_holds_every_kind_of_event():
    """The history the next tests inspect leaves no event type out."""
    _, events = a_whole_history()

    assert sorted({type(e).__qualname__ for e in events}) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_names_its_account_business_date_and_cause(event_type):
    """Account id, effective date, actor, channel and correlation id are on it."""
    customer, events = a_whole_history()
    chosen = [e for e in events if type(e).__qualname__ == event_type]

    assert chosen
    for event in chosen:
        assert event.account_id == customer.id
        assert isinstance(event.effective_date, date)
        assert (event.actor, event.channel, event.correlation_id) == (
            CLERK.actor,
            CLERK.channel,
            CLERK.correlation_id,
        )


def test_a_dispute_stored_before_attachments_reads_back_without_one():
    """A version 1 Disputed event is upcast: its attachment is None."""
    from eventsourcing.persistence import JSONTranscoder, StoredEvent
    from eventsourcing.utils import get_topic

    from services._mapper import JSONMapper

    state = (
        b'{"account_id": "6f1c2b0e-5d0a-4c8e-9a57-0b2c3c1f7e11",'
        b' "effective_date": "2024-03-05", "actor": "cli", "channel": "cli",'
        b' "correlation_id": "d-1", "timestamp": "2024-03-05T10:00:00+00:00",'
        b' "reason": "short delivery", "note": ""}'
    )
    stored = StoredEvent(
        originator_id="6f1c2b0e-5d0a-4c8e-9a57-0b2c3c1f7e12",
        originator_version=2,
        topic=get_topic(Invoice.Disputed),
        state=state,
    )

    event = JSONMapper(transcoder=JSONTranscoder()).to_domain_event(stored)

    assert (event.reason, event.attachment_id) == ("short delivery", None)


def test_sending_an_invoice_records_the_day_it_went_out():
    bill = invoice(amount=usd("100.00"))

    bill.record_sent(recipient_hash="abc123", language="en", on=LATER, cause=CLERK)

    assert bill.last_sent_on == LATER
    assert bill.collect_events()[-1].recipient_hash == "abc123"


def test_a_settled_invoice_is_not_sent():
    bill = invoice(amount=usd("100.00"))
    pay(payment(amount=usd("100.00")), bill, usd("100.00"), LATER)

    with pytest.raises(InvoiceAlreadySettled):
        bill.record_sent(recipient_hash="abc", language="en", on=LATER, cause=CLERK)
