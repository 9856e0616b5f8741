"""A small ledger that stores at least one event of every type the domain has.

For tests of what leaves the store (the envelope, its JSON Schema, the topic):
each event type is made through the same command or aggregate method that
makes it in production, with invented accounts, invoices and amounts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.settings import Settings
from adapters.wiring import store_env
from domain._events import Cause
from domain.account import Account
from services import commands as c
from services.receivables import Receivables
from streams.envelope import envelope
from tests.support.every_event_collections import (
    record_cadence_events,
    record_collections_events,
    record_policy_events,
    record_portal_events,
)


def every_event_envelopes(folder: Path) -> list[dict[str, Any]]:
    """The envelopes of that ledger, stored in a SQLite store in ``folder``."""
    app = Receivables(env=store_env(Settings(data_dir=folder)))
    try:
        record_every_event_type(app)
        notifications = app.recorder.select_notifications(start=1, limit=10_000)
    finally:
        app.close()
    return [envelope(n) for n in notifications]


def record_every_event_type(app: Receivables) -> None:
    """Three accounts in three currencies and every kind of change to them."""
    record_ledger_events(app)
    record_policy_events(app)
    record_portal_events(app)
    record_collections_events(app)
    record_cadence_events(app)


def record_ledger_events(app: Receivables) -> None:
    """Accounts E-1 and E-2, their invoices, payments and credit memos."""
    app.open_account(
        c.OpenAccount(
            idempotency_key="open-E-1",
            number="E-1",
            name="Evergreen Tools",
            country="US",
            currency="USD",
            credit_limit=Decimal("5000.00"),
            contacts=[{"name": "Ada Park", "email": "ada@example.com"}],
            opened_on=date(2024, 1, 2),
            actor="clerk@example.com",
            channel="cli",
            correlation_id="schema-test",
        )
    )
    app.open_account(
        c.OpenAccount(
            idempotency_key="open-E-2",
            number="E-2",
            name="Kiyomizu Trading",
            country="JP",
            currency="JPY",
            delivery="paper",
            language="ja",
            opened_on=date(2024, 1, 3),
        )
    )
    for number, account, amount in (
        ("EI-1", "E-1", "100.00"),
        ("EI-2", "E-1", "250.50"),
        ("EI-3", "E-1", "40.00"),
        ("EI-4", "E-2", "120000"),
    ):
        app.issue_invoice(
            c.IssueInvoice(
                idempotency_key=f"issue-{number}",
                number=number,
                account_number=account,
                amount=Decimal(amount),
                issue_date=date(2024, 1, 15),
            )
        )
    # A payment allocated when received and again later.
    app.record_payment(
        c.RecordPayment(
            idempotency_key="pay-E-1",
            account_number="E-1",
            amount=Decimal("200.00"),
            currency="USD",
            received_on=date(2024, 2, 1),
            reference="remittance 77",
            allocations=[
                c.AllocationLine(invoice_number="EI-1", amount=Decimal("100.00"))
            ],
        )
    )
    app.allocate_payment(
        c.AllocatePayment(
            idempotency_key="alloc-E-1",
            payment_key="pay-E-1",
            on=date(2024, 2, 5),
            allocations=[
                c.AllocationLine(invoice_number="EI-2", amount=Decimal("50.00"))
            ],
        )
    )
    # A credit memo allocated when issued and again later.
    app.issue_credit_memo(
        c.IssueCreditMemo(
            idempotency_key="memo-E-1",
            number="ECM-1",
            account_number="E-2",
            amount=Decimal("30000"),
            currency="JPY",
            issued_on=date(2024, 2, 3),
            reason="damaged goods",
            allocations=[
                c.AllocationLine(invoice_number="EI-4", amount=Decimal("10000"))
            ],
        )
    )
    app.allocate_credit_memo(
        c.AllocateCreditMemo(
            idempotency_key="alloc-ECM-1",
            credit_memo_number="ECM-1",
            on=date(2024, 2, 10),
            allocations=[
                c.AllocationLine(invoice_number="EI-4", amount=Decimal("5000"))
            ],
        )
    )
    app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key="dispute-EI-2",
            invoice_number="EI-2",
            reason="pricing",
            note="quoted 200.00",
            on=date(2024, 2, 20),
        )
    )
    app.resolve_dispute(
        c.ResolveDispute(
            idempotency_key="resolve-EI-2",
            invoice_number="EI-2",
            outcome="customer pays in full",
            on=date(2024, 3, 1),
        )
    )
    app.write_off_invoice(
        c.WriteOffInvoice(
            idempotency_key="write-off-EI-3",
            invoice_number="EI-3",
            reason="uncollectable",
            on=date(2024, 6, 30),
        )
    )
    # No command changes a delivery preference; imports and the demo call the
    # aggregate, as here.
    account: Account = app.repository.get(Account.id_for("E-2"))
    account.change_delivery(
        "portal",
        on=date(2024, 4, 1),
        cause=Cause(actor="import", channel="import", correlation_id="ledger.csv:9"),
    )
    app.save(account)
