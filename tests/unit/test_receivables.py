"""The Receivables service on a real SQLite store: idempotency and atomic saves."""

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import AllocationExceedsOpenAmount, CurrencyMismatch
from domain.payment import Payment
from services import commands as c
from services.receivables import IdempotencyKeyReused, NotFound, Receivables

D = Decimal
OPENED = date(2024, 1, 2)
ISSUED = date(2024, 1, 15)
PAID = date(2024, 2, 10)


def open_account(app, number="C-100", currency="USD"):
    return app.open_account(
        c.OpenAccount(
            idempotency_key=f"open-{number}",
            number=number,
            name="Acme Trading",
            country="US",
            currency=currency,
            opened_on=OPENED,
        )
    )


def issue(app, number, amount, currency=None, account="C-100"):
    return app.issue_invoice(
        c.IssueInvoice(
            idempotency_key=f"issue-{number}",
            number=number,
            account_number=account,
            amount=D(amount),
            currency=currency,
            issue_date=ISSUED,
        )
    )


def payment(key, amount, currency="USD", **allocations):
    """A payment command; ``allocations`` maps invoice numbers to amounts."""
    return c.RecordPayment(
        idempotency_key=key,
        account_number="C-100",
        amount=D(amount),
        currency=currency,
        received_on=PAID,
        allocations=[
            c.AllocationLine(invoice_number=number, amount=D(value))
            for number, value in allocations.items()
        ],
    )


@pytest.fixture
def books(receivables):
    """An account with two open dollar invoices: INV1 100.00 and INV2 50.00."""
    open_account(receivables)
    issue(receivables, "INV1", "100.00")
    issue(receivables, "INV2", "50.00")
    return receivables


def stored(app) -> int:
    return app.recorder.max_notification_id()


def test_repeating_a_command_with_its_key_returns_the_first_result(books):
    """The second call answers exactly as the first did."""
    first = books.record_payment(payment("bank-1", "120.00", INV1="100.00"))

    again = books.record_payment(payment("bank-1", "120.00", INV1="100.00"))

    assert again == first
    assert again["unapplied"] == "20.00"


def test_repeating_a_command_with_its_key_stores_no_new_event(books):
    """A repeat leaves the log as it was and pays nothing twice."""
    books.record_payment(payment("bank-1", "120.00", INV1="100.00"))
    head = stored(books)

    books.record_payment(payment("bank-1", "120.00", INV1="100.00"))

    assert stored(books) == head
    assert books.invoice("INV1").open_amount == D("0.00")


def test_repeating_an_invoice_with_its_key_issues_it_once(books):
    """Issuing INV1 again with its key returns the first answer, no error."""
    head = stored(books)

    again = issue(books, "INV1", "100.00")

    assert again["number"] == "INV1"
    assert stored(books) == head


def test_reusing_a_key_for_a_different_command_raises(books):
    """Key bank-1 first paid 120.00; the same key with 90.00 is refused."""
    books.record_payment(payment("bank-1", "120.00", INV1="100.00"))
    head = stored(books)

    with pytest.raises(IdempotencyKeyReused, match="'bank-1'"):
        books.record_payment(payment("bank-1", "90.00", INV1="90.00"))

    assert stored(books) == head
    assert books.invoice("INV1").open_amount == D("0.00")


def test_a_failing_command_stores_nothing(books):
    """Over-allocating one invoice fails the whole payment: no event at all."""
    head = stored(books)

    with pytest.raises(AllocationExceedsOpenAmount):
        books.record_payment(payment("bank-1", "200.00", INV2="150.00"))

    assert stored(books) == head
    assert not books.exists(Payment.id_for("bank-1"))
    assert books.invoice("INV2").open_amount == D("50.00")


def test_a_failure_on_a_later_line_undoes_the_earlier_lines(books):
    """INV1 is not paid when the payment's second line over-allocates INV2."""
    head = stored(books)

    with pytest.raises(AllocationExceedsOpenAmount):
        books.record_payment(payment("bank-1", "200.00", INV1="100.00", INV2="60.00"))

    assert stored(books) == head
    assert books.invoice("INV1").open_amount == D("100.00")


def test_a_failed_command_leaves_its_key_free_for_the_corrected_one(books):
    """After a refused payment, the same key with right amounts is recorded."""
    with pytest.raises(AllocationExceedsOpenAmount):
        books.record_payment(payment("bank-1", "200.00", INV2="150.00"))

    result = books.record_payment(payment("bank-1", "200.00", INV2="50.00"))

    assert result["unapplied"] == "150.00"
    assert books.invoice("INV2").status == "paid"


def test_a_command_naming_an_unknown_invoice_raises_not_found(books):
    """The error names the invoice that does not exist."""
    with pytest.raises(NotFound, match="invoice 'INV9' does not exist"):
        books.record_payment(payment("bank-1", "10.00", INV9="10.00"))


def test_an_invoice_keeps_the_currency_it_was_issued_in(receivables):
    """A EUR invoice on a USD account is still EUR when the store is read again."""
    open_account(receivables, currency="USD")
    issue(receivables, "EU-1", "80.00", currency="EUR")
    issue(receivables, "US-1", "10.00")
    receivables.close()

    reopened = Receivables(env=dict(receivables.env))

    assert reopened.invoice("EU-1").open.currency == "EUR"
    assert reopened.account("C-100").currency == "USD"
    reopened.close()


def test_an_invoice_without_a_currency_takes_the_accounts_default(receivables):
    """Issued without a currency, an invoice on a JPY account is in yen."""
    open_account(receivables, currency="JPY")

    issue(receivables, "JP-1", "12000")

    assert str(receivables.invoice("JP-1").open) == "12000 JPY"


def test_dollars_cannot_settle_an_invoice_issued_in_euros(receivables):
    """The account's currency does not stand in for the invoice's."""
    open_account(receivables, currency="USD")
    issue(receivables, "EU-1", "80.00", currency="EUR")

    with pytest.raises(CurrencyMismatch, match="in EUR, not USD"):
        receivables.record_payment(payment("bank-1", "80.00", **{"EU-1": "80.00"}))

    assert receivables.invoice("EU-1").open_amount == D("80.00")


def test_euros_received_on_a_dollar_account_settle_the_euro_invoice(receivables):
    """A EUR payment on the USD account pays the EUR invoice."""
    open_account(receivables, currency="USD")
    issue(receivables, "EU-1", "80.00", currency="EUR")

    receivables.record_payment(
        payment("bank-1", "80.00", currency="EUR", **{"EU-1": "80.00"})
    )

    assert receivables.invoice("EU-1").status == "paid"
