"""A small book of payers, written through the Receivables commands, for the
portal's read-model and HTTP tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.account import Account
from domain.invoice import Invoice
from services import commands as c
from services.receivables import Receivables

OPENED = date(2024, 1, 1)
ISSUED = date(2024, 1, 2)


def open_payer(
    app: Receivables,
    number: str,
    *,
    email: str = "",
    country: str = "US",
    currency: str = "USD",
    language: str = "en",
) -> str:
    """Open an account with an accounts-payable contact; return its id."""
    contacts = [{"role": "accounts_payable", "email": email}] if email else []
    app.open_account(
        c.OpenAccount(
            idempotency_key=f"open-{number}",
            number=number,
            name=f"Payer {number}",
            country=country,
            currency=currency,
            language=language,
            contacts=contacts,
            opened_on=OPENED,
        )
    )
    return str(Account.id_for(number))


def issue(
    app: Receivables,
    account: str,
    number: str,
    amount: str,
    currency: str | None = None,
    issued: date = ISSUED,
) -> str:
    app.issue_invoice(
        c.IssueInvoice(
            idempotency_key=f"issue-{number}",
            number=number,
            account_number=account,
            amount=Decimal(amount),
            currency=currency,
            issue_date=issued,
        )
    )
    return str(Invoice.id_for(number))


def credit(app: Receivables, account: str, number: str, amount: str) -> Any:
    return app.issue_credit_memo(
        c.IssueCreditMemo(
            idempotency_key=f"credit-{number}",
            number=number,
            account_number=account,
            amount=Decimal(amount),
            currency="USD",
            issued_on=ISSUED,
            reason="price correction",
        )
    )


def pay(app: Receivables, account: str, key: str, on: date, **allocations: str) -> Any:
    lines = [
        c.AllocationLine(invoice_number=n.replace("_", "-"), amount=Decimal(a))
        for n, a in allocations.items()
    ]
    total = sum((line.amount for line in lines), Decimal(0))
    return app.record_payment(
        c.RecordPayment(
            idempotency_key=key,
            account_number=account,
            amount=total,
            currency="USD",
            received_on=on,
            allocations=lines,
        )
    )
