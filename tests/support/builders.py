"""Aggregates in a known state for domain tests, built through their own methods."""

from datetime import date, timedelta
from decimal import Decimal

from domain._events import Cause
from domain.account import Account
from domain.credit_memo import CreditMemo
from domain.invoice import Invoice
from domain.money import Money
from domain.payment import Payment
from domain.terms import PaymentTerms

CLERK = Cause(actor="clerk@example.com", channel="test", correlation_id="corr-1")
ISSUED_ON = date(2024, 3, 1)


def usd(text: str) -> Money:
    return Money(Decimal(text), "USD")


def eur(text: str) -> Money:
    return Money(Decimal(text), "EUR")


def account(number: str = "C-100", currency: str = "USD") -> Account:
    return Account.open(
        number=number,
        name="Acme Trading",
        country="US",
        currency=currency,
        terms=PaymentTerms(30),
        credit_limit=None,
        delivery="email",
        language="en",
        contacts=[],
        on=ISSUED_ON - timedelta(days=30),
        cause=CLERK,
    )


def invoice(
    number: str = "INV-1",
    amount: Money | None = None,
    issued_on: date = ISSUED_ON,
    owner: Account | None = None,
) -> Invoice:
    owner = owner or account()
    return Invoice.issue(
        number=number,
        account_id=owner.id,
        amount=amount or usd("100.00"),
        issue_date=issued_on,
        due_date=issued_on + timedelta(days=30),
        delivery="email",
        cause=CLERK,
    )


def payment(
    amount: Money | None = None,
    key: str = "bank-line-1",
    received_on: date = ISSUED_ON + timedelta(days=10),
    owner: Account | None = None,
) -> Payment:
    owner = owner or account()
    return Payment.receive(
        key=key,
        account_id=owner.id,
        amount=amount or usd("100.00"),
        method="bank_transfer",
        reference="remittance 1",
        on=received_on,
        cause=CLERK,
    )


def credit_memo(
    amount: Money | None = None,
    number: str = "CM-1",
    issued_on: date = ISSUED_ON + timedelta(days=5),
    owner: Account | None = None,
) -> CreditMemo:
    owner = owner or account()
    return CreditMemo.issue(
        number=number,
        account_id=owner.id,
        amount=amount or usd("10.00"),
        reason="price correction",
        on=issued_on,
        cause=CLERK,
    )


def pay(source: Payment | CreditMemo, target: Invoice, amount: Money, on: date) -> None:
    """Allocate part of a payment or credit memo to an invoice on a date."""
    source.allocate_to(target, amount, on=on, cause=CLERK)
