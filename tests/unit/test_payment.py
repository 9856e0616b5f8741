"""Payments and credit memos: settling invoices and keeping what is left unapplied."""

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.errors import (
    AllocationBeforeSourceDate,
    AllocationExceedsUnappliedAmount,
    AllocationToAnotherAccount,
    CurrencyMismatch,
    InvalidAmount,
)
from domain.money import Money
from tests.support.builders import (
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


def test_a_payment_settles_several_invoices():
    """One 250.00 payment pays a 100.00 and a 150.00 invoice in full."""
    first = invoice("INV-1", usd("100.00"))
    second = invoice("INV-2", usd("150.00"))
    cash = payment(usd("250.00"))

    pay(cash, first, usd("100.00"), LATER)
    pay(cash, second, usd("150.00"), LATER)

    assert (first.status, second.status) == ("paid", "paid")
    assert cash.unapplied == usd("0.00")


def test_a_payment_settles_the_part_of_each_invoice_the_payer_chooses():
    """30.00 to one invoice and 45.50 to another leaves each partly open."""
    first = invoice("INV-1", usd("100.00"))
    second = invoice("INV-2", usd("150.00"))
    cash = payment(usd("75.50"))

    pay(cash, first, usd("30.00"), LATER)
    pay(cash, second, usd("45.50"), LATER)

    assert first.open == usd("70.00")
    assert second.open == usd("104.50")
    assert cash.unapplied == usd("0.00")


def test_what_a_payment_does_not_settle_stays_unapplied():
    """Paying 100.00 on a 60.00 invoice leaves 40.00 of cash unapplied."""
    bill = invoice(amount=usd("60.00"))
    cash = payment(usd("100.00"))

    pay(cash, bill, usd("60.00"), LATER)

    assert cash.unapplied == usd("40.00")


def test_allocation_beyond_the_payments_unapplied_amount_raises():
    """A 50.00 payment cannot give 30.00 twice; the second invoice stays open."""
    first = invoice("INV-1", usd("100.00"))
    second = invoice("INV-2", usd("100.00"))
    cash = payment(usd("50.00"))
    pay(cash, first, usd("30.00"), LATER)

    with pytest.raises(AllocationExceedsUnappliedAmount, match="20.00 USD left"):
        pay(cash, second, usd("30.00"), LATER)

    assert second.open == usd("100.00")
    assert cash.unapplied == usd("20.00")


def test_an_allocation_in_another_currency_than_the_payment_raises():
    """Euros cannot be taken out of a dollar payment."""
    bill = invoice(amount=eur("100.00"))
    cash = payment(usd("100.00"))

    with pytest.raises(CurrencyMismatch, match="in USD, not EUR"):
        pay(cash, bill, eur("100.00"), LATER)

    assert bill.open == eur("100.00")
    assert cash.unapplied == usd("100.00")


def test_a_payment_cannot_settle_another_accounts_invoice():
    """Cash received on one account never pays another customer's invoice."""
    theirs = invoice(amount=usd("100.00"), owner=account("C-200"))
    cash = payment(usd("100.00"), owner=account("C-100"))

    with pytest.raises(AllocationToAnotherAccount, match="belongs to another account"):
        pay(cash, theirs, usd("100.00"), LATER)

    assert theirs.open == usd("100.00")


def test_an_allocation_dated_before_the_payment_was_received_raises():
    """Cash received on the 11th cannot have settled anything on the 10th."""
    bill = invoice(amount=usd("100.00"))
    cash = payment(usd("100.00"), received_on=LATER)

    with pytest.raises(AllocationBeforeSourceDate, match="before this payment"):
        pay(cash, bill, usd("100.00"), LATER - timedelta(days=1))

    assert bill.open == usd("100.00")
    assert cash.unapplied == usd("100.00")


def test_a_payment_must_be_above_zero():
    """A zero payment records no cash and is refused."""
    with pytest.raises(InvalidAmount, match="above zero"):
        payment(usd("0.00"))


def test_a_payment_keeps_the_currency_it_was_received_in():
    """Yen received on a dollar account stay whole yen, unapplied."""
    cash = payment(Money(Decimal("5000"), "JPY"), owner=account(currency="USD"))

    assert cash.unapplied == Money(Decimal("5000"), "JPY")


def test_a_credit_memo_settles_invoices_like_cash():
    """A 40.00 credit pays 15.00 on one invoice and 25.00 on another."""
    first = invoice("INV-1", usd("100.00"))
    second = invoice("INV-2", usd("25.00"))
    memo = credit_memo(usd("40.00"))

    pay(memo, first, usd("15.00"), LATER)
    pay(memo, second, usd("25.00"), LATER)

    assert first.open == usd("85.00")
    assert second.status == "paid"
    assert memo.unapplied == usd("0.00")


def test_a_credit_memo_not_allocated_stays_as_open_credit():
    """An unallocated credit is owed back to the customer in full."""
    memo = credit_memo(usd("40.00"))

    assert memo.unapplied == usd("40.00")


def test_a_credit_memo_cannot_give_more_than_it_holds():
    """A 10.00 credit cannot settle 12.00."""
    bill = invoice(amount=usd("100.00"))
    memo = credit_memo(usd("10.00"))

    with pytest.raises(AllocationExceedsUnappliedAmount):
        pay(memo, bill, usd("12.00"), LATER)

    assert bill.open == usd("100.00")
