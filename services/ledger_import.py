"""Turning ledger rows (one invoice each, with its settlement) into events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import structlog
from eventsourcing.persistence import IntegrityError

from domain._events import Cause
from domain.account import Account
from domain.invoice import Invoice
from domain.money import Money
from domain.payment import Payment
from domain.terms import PaymentTerms
from services.bulk import BulkWriter
from services.receivables import Receivables

log = structlog.get_logger("o2c.services")

LEDGER_DISPUTE_REASON = "recorded in imported ledger"


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One validated line of a receivables ledger export."""

    line: int
    customer_id: str
    country: str
    invoice_number: str
    invoice_date: date
    due_date: date
    amount: Money
    disputed: bool
    settled_date: date | None
    paperless_date: date | None
    delivery: str


@dataclass
class ImportSummary:
    rows: int = 0
    accounts_opened: int = 0
    invoices_issued: int = 0
    payments_recorded: int = 0
    rows_already_imported: int = 0
    events: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


class LedgerImport:
    """Imports ledger rows; importing the same rows again changes nothing.

    A row opens its account the first time the customer is seen, issues its
    invoice, records a dispute when the ledger says so, and, when settled,
    records a payment allocated in full on the settled date. Every id comes
    from the row's business keys (customer id, invoice number), so a row that
    is already in the ledger is recognised and skipped.
    """

    def __init__(
        self,
        app: Receivables,
        source: str,
        net_days: int = 30,
        batch_events: int = 20_000,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.app = app
        self.source = source
        self.terms = PaymentTerms(net_days)
        self.batch_events = batch_events
        self.on_progress = on_progress
        self.known_accounts: set[Any] = set()

    def run(
        self, rows: Iterable[LedgerRow], first_seen: dict[str, date] | None = None
    ) -> ImportSummary:
        """Import the rows; ``first_seen`` gives each customer's first invoice
        date (the day its account opens) when the rows are streamed."""
        if first_seen is None:
            rows = list(rows)
            first_seen = _first_invoice_dates(rows)
        summary = ImportSummary()
        self.known_accounts = {
            Account.id_for(customer)
            for customer in first_seen
            if self.app.exists(Account.id_for(customer))
        }

        batch: list[LedgerRow] = []
        for row in rows:
            summary.rows += 1
            batch.append(row)
            if len(batch) * 4 >= self.batch_events:
                self._save_batch(batch, first_seen, summary)
                batch = []
        self._save_batch(batch, first_seen, summary)
        log.info("ledger_imported", source=self.source, **summary.as_dict())
        return summary

    def _save_batch(
        self,
        batch: list[LedgerRow],
        first_seen: dict[str, date],
        summary: ImportSummary,
    ) -> None:
        if not batch:
            return
        writer = BulkWriter(self.app, batch_events=10**12)
        opened: set[Any] = set()
        partial = ImportSummary()
        for row in batch:
            self._add_row(writer, row, first_seen, opened, partial, check=False)
        try:
            writer.flush()
        except IntegrityError:
            # Some rows are already stored: redo the batch row by row, checking.
            writer.discard()
            opened.clear()
            partial = ImportSummary()
            for row in batch:
                self._add_row(writer, row, first_seen, opened, partial, check=True)
            writer.flush()
        self.known_accounts |= opened
        for name, value in partial.as_dict().items():
            if name != "rows":
                setattr(summary, name, getattr(summary, name) + value)
        if self.on_progress is not None:
            self.on_progress(len(batch))

    def _add_row(
        self,
        writer: BulkWriter,
        row: LedgerRow,
        first_seen: dict[str, date],
        opened: set[Any],
        summary: ImportSummary,
        *,
        check: bool,
    ) -> None:
        cause = Cause(
            actor="import", channel="import", correlation_id=f"{self.source}:{row.line}"
        )
        account_id = Account.id_for(row.customer_id)
        new: list[Any] = []
        if account_id not in self.known_accounts and account_id not in opened:
            if not check or not self.app.exists(account_id):
                new.append(self._open_account(row, first_seen, cause))
                summary.accounts_opened += 1
            opened.add(account_id)

        invoice_id = Invoice.id_for(row.invoice_number)
        if check and self.app.exists(invoice_id):
            new.extend(self._settle_stored(row, cause, summary))
            if not new:
                summary.rows_already_imported += 1
            summary.events += sum(len(a._pending_events) for a in new)
            writer.add(*new)
            return

        invoice = Invoice.issue(
            number=row.invoice_number,
            account_id=account_id,
            amount=row.amount,
            issue_date=row.invoice_date,
            due_date=row.due_date,
            delivery=row.delivery,
            cause=cause,
        )
        summary.invoices_issued += 1
        if row.disputed:
            invoice.dispute(
                reason=LEDGER_DISPUTE_REASON, note="", on=row.invoice_date, cause=cause
            )
        new.append(invoice)
        if row.settled_date is not None:
            payment = Payment.receive(
                key=f"ledger-settlement:{row.invoice_number}",
                account_id=account_id,
                amount=row.amount,
                method="unknown",
                reference=row.invoice_number,
                on=row.settled_date,
                cause=cause,
            )
            payment.allocate_to(invoice, row.amount, on=row.settled_date, cause=cause)
            new.append(payment)
            summary.payments_recorded += 1
        summary.events += sum(len(a._pending_events) for a in new)
        writer.add(*new)

    def _settle_stored(
        self, row: LedgerRow, cause: Cause, summary: ImportSummary
    ) -> list[Any]:
        """A row imported before as open may come back settled: record that."""
        key = f"ledger-settlement:{row.invoice_number}"
        if row.settled_date is None or self.app.exists(Payment.id_for(key)):
            return []
        invoice = self.app.invoice(row.invoice_number)
        if invoice.open_amount == 0:
            return []
        payment = Payment.receive(
            key=key,
            account_id=invoice.account_id,
            amount=invoice.open,
            method="unknown",
            reference=row.invoice_number,
            on=row.settled_date,
            cause=cause,
        )
        payment.allocate_to(invoice, invoice.open, on=row.settled_date, cause=cause)
        summary.payments_recorded += 1
        return [invoice, payment]

    def _open_account(
        self, row: LedgerRow, first_seen: dict[str, date], cause: Cause
    ) -> Account:
        opened_on = first_seen[row.customer_id]
        paperless = row.paperless_date is not None and row.paperless_date <= opened_on
        if row.paperless_date is None:
            # Without a switch date the row's own delivery is the best guess.
            delivery = row.delivery
        else:
            delivery = "email" if paperless else "paper"
        account = Account.open(
            number=row.customer_id,
            name=row.customer_id,
            country=row.country,
            currency=row.amount.currency,
            terms=self.terms,
            credit_limit=None,
            delivery=delivery,
            language="en",
            contacts=[],
            on=opened_on,
            cause=cause,
        )
        if row.paperless_date is not None and not paperless:
            account.change_delivery("email", on=row.paperless_date, cause=cause)
        return account


def note_first_invoice(first: dict[str, date], row: LedgerRow) -> None:
    """Keep in ``first`` the earliest invoice date of the row's customer."""
    seen = first.get(row.customer_id)
    if seen is None or row.invoice_date < seen:
        first[row.customer_id] = row.invoice_date


def _first_invoice_dates(rows: Iterable[LedgerRow]) -> dict[str, date]:
    first: dict[str, date] = {}
    for row in rows:
        note_first_invoice(first, row)
    return first
