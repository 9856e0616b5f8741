"""A payment received from a customer, allocated to one or many invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain._events import Cause, LedgerCreated, LedgerEvent, stable_id
from domain._source import AllocationSource, reduce_unapplied
from domain.errors import InvalidAmount
from domain.money import Money


class Payment(AllocationSource):
    """Cash received on an account, identified by its idempotency key.

    A payment may settle several invoices, each in full or in part; whatever
    it does not settle stays on the account as unapplied cash.
    """

    KIND = "payment"

    class Received(LedgerCreated):
        currency: str
        amount: Decimal
        method: str
        reference: str

    class Allocated(LedgerEvent):
        invoice_id: UUID
        invoice_number: str
        currency: str
        amount: Decimal

        def apply(self, aggregate: Any) -> None:
            reduce_unapplied(aggregate, self.amount)

    def __init__(
        self,
        account_id: UUID,
        currency: str,
        amount: Decimal,
        method: str,
        reference: str,
        effective_date: date,
        **_: Any,
    ) -> None:
        self._start(account_id, currency, amount, effective_date)
        self.method = method
        self.reference = reference
        self.received_on = effective_date

    @staticmethod
    def id_for(key: str) -> UUID:
        return stable_id("payment", key)

    @classmethod
    def receive(
        cls,
        *,
        key: str,
        account_id: UUID,
        amount: Money,
        method: str,
        reference: str,
        on: date,
        cause: Cause,
    ) -> Payment:
        if not amount.is_positive():
            raise InvalidAmount(f"a payment must be above zero, not {amount}")
        return cls._create(
            cls.Received,
            id=cls.id_for(key),
            account_id=account_id,
            currency=amount.currency,
            amount=amount.amount,
            method=method,
            reference=reference,
            effective_date=on,
            **cause.fields(),
        )

    def allocated_event(self) -> Any:
        return self.Allocated
