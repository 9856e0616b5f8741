"""A credit memo: an amount the company owes back, used to settle invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain._events import Cause, LedgerCreated, LedgerEvent, stable_id
from domain._source import AllocationSource, reduce_unapplied
from domain.errors import InvalidAmount
from domain.money import Money


class CreditMemo(AllocationSource):
    """A credit granted to an account (a return, a price correction, a dispute).

    It lowers the period's credit sales on its date, and settles invoices when
    it is allocated to them; the rest stays on the account as open credit.
    """

    KIND = "credit_memo"

    class Issued(LedgerCreated):
        number: str
        currency: str
        amount: Decimal
        reason: str

    class Allocated(LedgerEvent):
        invoice_id: UUID
        invoice_number: str
        currency: str
        amount: Decimal

        def apply(self, aggregate: Any) -> None:
            reduce_unapplied(aggregate, self.amount)

    def __init__(
        self,
        number: str,
        account_id: UUID,
        currency: str,
        amount: Decimal,
        reason: str,
        effective_date: date,
        **_: Any,
    ) -> None:
        self._start(account_id, currency, amount, effective_date)
        self.number = number
        self.reason = reason
        self.issued_on = effective_date

    @staticmethod
    def id_for(number: str) -> UUID:
        return stable_id("credit_memo", number)

    @classmethod
    def issue(
        cls,
        *,
        number: str,
        account_id: UUID,
        amount: Money,
        reason: str,
        on: date,
        cause: Cause,
    ) -> CreditMemo:
        if not amount.is_positive():
            raise InvalidAmount(f"a credit memo must be above zero, not {amount}")
        return cls._create(
            cls.Issued,
            id=cls.id_for(number),
            number=number,
            account_id=account_id,
            currency=amount.currency,
            amount=amount.amount,
            reason=reason,
            effective_date=on,
            **cause.fields(),
        )

    def allocated_event(self) -> Any:
        return self.Allocated
