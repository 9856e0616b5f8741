"""A small book for collections tests: one dollar account and its invoices,
recorded through the services as a clerk would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services import commands as c

OPENED = date(2024, 1, 2)


def open_account(app: Any, number: str = "C1", currency: str = "USD") -> None:
    app.open_account(
        c.OpenAccount(
            idempotency_key=f"open-{number}",
            number=number,
            name=f"Customer {number}",
            country="US",
            currency=currency,
            opened_on=OPENED,
            contacts=[{"role": "accounts_payable", "email": f"ap@{number}.example"}],
        )
    )


def issue(
    app: Any, number: str, amount: str, on: date, account: str = "C1"
) -> dict[str, Any]:
    result: dict[str, Any] = app.issue_invoice(
        c.IssueInvoice(
            idempotency_key=f"issue-{number}",
            number=number,
            account_number=account,
            amount=Decimal(amount),
            issue_date=on,
        )
    )
    return result


def pay(app: Any, key: str, on: date, account: str = "C1", **lines: str) -> None:
    """A dollar payment allocated as ``lines`` (invoice number to amount)."""
    app.record_payment(
        c.RecordPayment(
            idempotency_key=key,
            account_number=account,
            amount=sum(Decimal(v) for v in lines.values()),
            currency="USD",
            received_on=on,
            allocations=[
                c.AllocationLine(invoice_number=n, amount=Decimal(v))
                for n, v in lines.items()
            ],
        )
    )


def set_policies(app: Any, key: str, on: date, account: str = "C1", **changes: Any):
    return app.change_account_policies(
        c.ChangeAccountPolicies(
            idempotency_key=key, account_number=account, on=on, **changes
        )
    )


def row(ledger: Any, sql: str, *params: Any) -> tuple[Any, ...]:
    ledger.catch_up()
    found = ledger.models.con.execute(sql, list(params)).fetchone()
    assert found is not None, sql
    return tuple(found)
