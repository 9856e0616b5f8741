"""What payments and credit memos share: an amount that is allocated to invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import Cause
from domain.errors import (
    AllocationBeforeSourceDate,
    AllocationExceedsUnappliedAmount,
    AllocationToAnotherAccount,
    CurrencyMismatch,
)
from domain.invoice import Invoice
from domain.money import Money


class AllocationSource(Aggregate):
    """Money on an account that settles invoices; what is left stays unapplied."""

    KIND = ""

    account_id: UUID
    currency: str
    amount: Decimal
    unapplied_amount: Decimal

    def _start(
        self, account_id: UUID, currency: str, amount: Decimal, dated: date
    ) -> None:
        self.dated = dated
        self.account_id = account_id
        self.currency = currency
        self.amount = amount
        self.unapplied_amount = amount

    @property
    def unapplied(self) -> Money:
        return Money(self.unapplied_amount, self.currency)

    def allocate_to(
        self, invoice: Invoice, amount: Money, *, on: date, cause: Cause
    ) -> None:
        """Settle part or all of an invoice; both sides change together or not."""
        self._check_can_allocate(invoice, amount, on)
        invoice.apply_allocation(
            source_id=self.id, source_kind=self.KIND, amount=amount, on=on, cause=cause
        )
        self.trigger_event(
            self.allocated_event(),
            invoice_id=invoice.id,
            invoice_number=invoice.number,
            currency=self.currency,
            amount=amount.amount,
            account_id=self.account_id,
            effective_date=on,
            **cause.fields(),
        )

    def allocated_event(self) -> Any:
        raise NotImplementedError

    def _check_can_allocate(self, invoice: Invoice, amount: Money, on: date) -> None:
        if invoice.account_id != self.account_id:
            raise AllocationToAnotherAccount(
                f"invoice {invoice.number} belongs to another account"
            )
        if on < self.dated:
            raise AllocationBeforeSourceDate(
                f"{on} is before this {self.KIND.replace('_', ' ')} is dated "
                f"({self.dated})"
            )
        if amount.currency != self.currency:
            raise CurrencyMismatch(
                f"this {self.KIND} is in {self.currency}, not {amount.currency}"
            )
        if amount.amount > self.unapplied_amount:
            raise AllocationExceedsUnappliedAmount(
                f"{amount} is more than the {self.unapplied} left unapplied"
            )


def reduce_unapplied(aggregate: Any, amount: Decimal) -> None:
    aggregate.unapplied_amount -= amount
