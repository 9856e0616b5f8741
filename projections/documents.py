"""What an invoice PDF and an account statement PDF show, as plain data read
from the read models by point lookups; amounts stay whole minor units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

from domain import metrics
from projections.queries import END_OF_TIME, LATEST, naive_utc
from projections.statements import NotInReadModels, Statements


@dataclass(frozen=True)
class Payer:
    """The account a document is addressed to."""

    account_id: str
    customer_id: str
    name: str
    country: str
    currency: str
    net_days: int
    language: str


@dataclass(frozen=True)
class OpenItem:
    invoice_number: str
    currency: str
    invoice_date: date
    due_date: date
    amount_minor: int
    open_minor: int
    status: str
    days_past_due: int


@dataclass(frozen=True)
class Balance:
    currency: str
    open_minor: int
    unapplied_cash_minor: int
    open_credit_minor: int
    balance_minor: int


@dataclass(frozen=True)
class AgingRow:
    """One currency's open amount by aging bucket, oldest last."""

    currency: str
    buckets: tuple[tuple[str, int], ...]
    total_minor: int


@dataclass(frozen=True)
class StatementDocument:
    payer: Payer
    on: date
    open_items: tuple[OpenItem, ...]
    aging: tuple[AgingRow, ...]
    balances: tuple[Balance, ...]


@dataclass(frozen=True)
class Applied:
    """Part of an invoice settled by a payment, a credit memo or a write-off."""

    on: date
    source_kind: str
    amount_minor: int


@dataclass(frozen=True)
class InvoiceDocument:
    payer: Payer
    invoice_number: str
    currency: str
    amount_minor: int
    open_minor: int
    status: str
    invoice_date: date
    due_date: date
    settled_date: date | None
    applied: tuple[Applied, ...]


class Documents:
    """Reads the data of one statement or one invoice for rendering.

    Lookups may be scoped to an account id, so that a payer's request for
    another account's invoice finds nothing.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.statements = Statements(con)

    def statement(
        self,
        customer_id: str,
        on: date,
        as_of: date | None = None,
        known_at: datetime | None = None,
        buckets: metrics.AgingBuckets | None = None,
    ) -> StatementDocument:
        """The account's open items, aging and balances at the end of ``on``.

        Without ``as_of`` or ``known_at`` the figures are the current ones;
        with either they are rebuilt from the dated facts, as the text
        statement does.
        """
        moment = naive_utc(known_at)
        payer = _payer(self.statements.account_row(customer_id, moment))
        params = {"as_of": as_of or END_OF_TIME, "known_at": moment}
        current = as_of is None and known_at is None
        rows = self.statements.open_item_rows(payer.account_id, params, current)
        items = tuple(_open_item(row, on) for row in rows)
        balances = self.statements.balance_rows(payer.account_id, params, current)
        return StatementDocument(
            payer=payer,
            on=on,
            open_items=items,
            aging=aging(items, buckets or metrics.AgingBuckets()),
            balances=tuple(Balance(*row) for row in balances),
        )

    def invoice(self, number: str, account_id: str | None = None) -> InvoiceDocument:
        """The invoice as it stands now and what has been applied to it."""
        scope = "" if account_id is None else "AND account_id = $account"
        found = self.con.execute(
            f"""
            SELECT invoice_id, customer_id, currency, amount_minor, open_minor,
                   status, invoice_date, due_date, settled_date
            FROM invoices WHERE invoice_number = $number {scope}
            """,
            {"number": number}
            | ({} if account_id is None else {"account": account_id}),
        ).fetchone()
        if found is None:
            raise NotInReadModels(f"no invoice {number!r} in the ledger")
        invoice_id, customer_id, cur, amount, open_, status, *dates = found
        rows = self.con.execute(
            """
            SELECT effective_date, source_kind, amount_minor FROM allocations
            WHERE invoice_id = $invoice ORDER BY effective_date, position
            """,
            {"invoice": invoice_id},
        ).fetchall()
        payer = _payer(self.statements.account_row(customer_id, LATEST))
        applied = tuple(Applied(*row) for row in rows)
        issued, due, settled = dates
        return InvoiceDocument(
            payer, number, cur, amount, open_, status, issued, due, settled, applied
        )


def aging(
    items: tuple[OpenItem, ...], buckets: metrics.AgingBuckets
) -> tuple[AgingRow, ...]:
    """Open amounts per currency and bucket, every bucket shown even when 0."""
    sums: dict[str, dict[str, int]] = {}
    for item in items:
        per_bucket = sums.setdefault(item.currency, dict.fromkeys(buckets.labels, 0))
        per_bucket[buckets.bucket_of(item.days_past_due)] += item.open_minor
    return tuple(
        AgingRow(currency, tuple(per_bucket.items()), sum(per_bucket.values()))
        for currency, per_bucket in sorted(sums.items())
    )


def _open_item(row: tuple[Any, ...], on: date) -> OpenItem:
    number, cur, issued, due, amount, open_, status = row
    days = metrics.days_past_due(on, due)
    return OpenItem(number, cur, issued, due, amount, open_, status, days)


def _payer(row: tuple[Any, ...]) -> Payer:
    account_id, customer_id, name, country, currency, net_days = row[:6]
    return Payer(
        account_id, customer_id, name, country, currency, net_days, language=row[8]
    )
