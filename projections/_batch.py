"""Sorting a run of decoded events into columns, one set per read-model table."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import orjson
import pyarrow as pa
from eventsourcing.utils import get_topic

from domain.account import Account
from domain.credit_memo import CreditMemo
from domain.invoice import Invoice
from domain.money import to_minor
from domain.payment import Payment

TOPICS = {
    get_topic(cls): name
    for cls, name in [
        (Account.Opened, "Account.Opened"),
        (Account.DeliveryPreferenceChanged, "Account.DeliveryPreferenceChanged"),
        (Invoice.Issued, "Invoice.Issued"),
        (Invoice.AllocationApplied, "Invoice.AllocationApplied"),
        (Invoice.Disputed, "Invoice.Disputed"),
        (Invoice.DisputeResolved, "Invoice.DisputeResolved"),
        (Invoice.WrittenOff, "Invoice.WrittenOff"),
        (Payment.Received, "Payment.Received"),
        (Payment.Allocated, "Payment.Allocated"),
        (CreditMemo.Issued, "CreditMemo.Issued"),
        (CreditMemo.Allocated, "CreditMemo.Allocated"),
    ]
}


def minor(amount: str, currency: str) -> int:
    return to_minor(Decimal(amount), currency)


class Batch:
    """The rows that a run of events adds to, or changes in, the read models."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, list[Any]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.delivery: dict[str, str] = {}
        self.dispute_state: dict[str, bool] = {}
        self.resolutions: dict[str, tuple[str, str, str]] = {}
        self.open_disputes: dict[str, dict[str, Any]] = {}
        self.accounts: set[str] = set()
        self.invoices: set[str] = set()
        self.last_position = 0
        self.count = 0

    def add(
        self,
        position: int,
        topic: str,
        aggregate_id: str,
        version: int,
        state: bytes,
    ) -> None:
        self.last_position = position
        self.count += 1
        kind = TOPICS.get(topic)
        if kind is None:
            return
        data = orjson.loads(state)
        self.accounts.add(data["account_id"])
        if kind.startswith("Invoice."):
            self.invoices.add(aggregate_id)
        getattr(self, "_" + kind.replace(".", "_"))(position, aggregate_id, data)
        self._timeline(position, aggregate_id, version, kind, data)

    def _append(self, table: str, **values: Any) -> None:
        columns = self.rows[table]
        for name, value in values.items():
            columns[name].append(value)

    def _Account_Opened(self, position: int, aggregate_id: str, d: dict) -> None:
        self._append(
            "accounts",
            account_id=aggregate_id,
            customer_id=d["number"],
            name=d["name"],
            country=d["country"],
            currency=d["currency"],
            net_days=d["net_days"],
            credit_limit=d["credit_limit"],
            delivery=d["delivery"],
            language=d["language"],
            contacts=orjson.dumps(d["contacts"]).decode(),
            opened_on=d["effective_date"],
            position=position,
            recorded_at=d["timestamp"],
        )

    def _Account_DeliveryPreferenceChanged(
        self, position: int, aggregate_id: str, d: dict
    ) -> None:
        self.delivery[aggregate_id] = d["delivery"]

    def _Invoice_Issued(self, position: int, aggregate_id: str, d: dict) -> None:
        self._append(
            "invoices",
            invoice_id=aggregate_id,
            invoice_number=d["number"],
            account_id=d["account_id"],
            currency=d["currency"],
            amount_minor=minor(d["amount"], d["currency"]),
            invoice_date=d["issue_date"],
            due_date=d["due_date"],
            delivery=d["delivery"],
            position=position,
            recorded_at=d["timestamp"],
        )

    def _Invoice_AllocationApplied(
        self, position: int, aggregate_id: str, d: dict
    ) -> None:
        self._allocation(position, aggregate_id, d["source_kind"], d["source_id"], d)

    def _Invoice_WrittenOff(self, position: int, aggregate_id: str, d: dict) -> None:
        self._allocation(position, aggregate_id, "write_off", aggregate_id, d)

    def _allocation(
        self, position: int, invoice_id: str, kind: str, source_id: str, d: dict
    ) -> None:
        self._append(
            "allocations",
            position=position,
            invoice_id=invoice_id,
            account_id=d["account_id"],
            source_kind=kind,
            source_id=source_id,
            currency=d["currency"],
            amount_minor=minor(d["amount"], d["currency"]),
            effective_date=d["effective_date"],
            recorded_at=d["timestamp"],
        )

    def _Invoice_Disputed(self, position: int, aggregate_id: str, d: dict) -> None:
        row = {
            "invoice_id": aggregate_id,
            "account_id": d["account_id"],
            "opened_on": d["effective_date"],
            "reason": d["reason"],
            "note": d["note"],
            "position": position,
            "recorded_at": d["timestamp"],
            "resolved_on": None,
            "outcome": None,
            "resolved_recorded_at": None,
        }
        self.open_disputes[aggregate_id] = row
        self._append("disputes", **row)
        self.dispute_state[aggregate_id] = True

    def _Invoice_DisputeResolved(
        self, position: int, aggregate_id: str, d: dict
    ) -> None:
        resolution = (d["effective_date"], d["outcome"], d["timestamp"])
        if aggregate_id in self.open_disputes:
            # Opened in this same run: close the row before it is written.
            index = self.rows["disputes"]["position"].index(
                self.open_disputes.pop(aggregate_id)["position"]
            )
            columns = self.rows["disputes"]
            columns["resolved_on"][index] = resolution[0]
            columns["outcome"][index] = resolution[1]
            columns["resolved_recorded_at"][index] = resolution[2]
        else:
            self.resolutions[aggregate_id] = resolution
        self.dispute_state[aggregate_id] = False

    def _Payment_Received(self, position: int, aggregate_id: str, d: dict) -> None:
        amount = minor(d["amount"], d["currency"])
        self._append(
            "payments",
            payment_id=aggregate_id,
            account_id=d["account_id"],
            currency=d["currency"],
            amount_minor=amount,
            unapplied_minor=amount,
            received_on=d["effective_date"],
            method=d["method"],
            reference=d["reference"],
            position=position,
            recorded_at=d["timestamp"],
        )

    def _Payment_Allocated(self, position: int, aggregate_id: str, d: dict) -> None:
        """Seen from the invoice side too; the unapplied amount follows from it."""

    def _CreditMemo_Issued(self, position: int, aggregate_id: str, d: dict) -> None:
        amount = minor(d["amount"], d["currency"])
        self._append(
            "credit_memos",
            credit_memo_id=aggregate_id,
            credit_memo_number=d["number"],
            account_id=d["account_id"],
            currency=d["currency"],
            amount_minor=amount,
            unapplied_minor=amount,
            issued_on=d["effective_date"],
            reason=d["reason"],
            position=position,
            recorded_at=d["timestamp"],
        )

    def _CreditMemo_Allocated(self, position: int, aggregate_id: str, d: dict) -> None:
        """Seen from the invoice side too; the unapplied amount follows from it."""

    def _timeline(
        self, position: int, aggregate_id: str, version: int, kind: str, d: dict
    ) -> None:
        currency = d.get("currency")
        amount = d.get("amount")
        if kind.startswith("Invoice."):
            invoice_id: str | None = aggregate_id
            reference = None
        else:
            invoice_id = d.get("invoice_id")
            reference = d.get("number") or d.get("reference") or d.get("invoice_number")
        detail = (
            d.get("reason")
            or d.get("outcome")
            or d.get("method")
            or d.get("source_kind")
            or d.get("delivery")
        )
        self._append(
            "timeline",
            position=position,
            account_id=d["account_id"],
            invoice_id=invoice_id,
            aggregate_id=aggregate_id,
            aggregate_version=version,
            event_type=kind,
            effective_date=d["effective_date"],
            recorded_at=d["timestamp"],
            currency=currency,
            amount_minor=None if amount is None else minor(amount, currency),
            reference=reference if reference is not None else d.get("number"),
            detail=detail,
            actor=d["actor"],
            channel=d["channel"],
            correlation_id=d["correlation_id"],
        )

    def tables(self) -> dict[str, pa.Table]:
        """Arrow tables of the new rows, with dates and times typed."""
        return {name: _to_arrow(columns) for name, columns in self.rows.items()}


_DATE_COLUMNS = {
    "opened_on",
    "invoice_date",
    "due_date",
    "effective_date",
    "received_on",
    "issued_on",
    "resolved_on",
}
_TIME_COLUMNS = {"recorded_at", "resolved_recorded_at"}


def _to_arrow(columns: dict[str, list[Any]]) -> pa.Table:
    arrays = {}
    for name, values in columns.items():
        if name in _DATE_COLUMNS:
            arrays[name] = pa.array(values, pa.string()).cast(pa.date32())
        elif name in _TIME_COLUMNS:
            stamps = pa.array(values, pa.string()).cast(pa.timestamp("us", tz="UTC"))
            arrays[name] = stamps.cast(pa.timestamp("us"))
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)
