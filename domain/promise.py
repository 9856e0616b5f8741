"""A promise to pay: the payer's word that chosen invoices get paid by a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import Cause, LedgerCreated, stable_id
from domain.errors import CurrencyMismatch, DomainError, InvalidAmount, InvalidDate
from domain.invoice import Invoice
from domain.money import Money

PROMISE_STATUSES = ("open", "kept", "broken")


class PromiseOnSettledInvoice(DomainError):
    pass


class PromiseToPay(Aggregate):
    """An amount the payer promised to pay on chosen invoices by a date.

    The promise itself never changes: whether it was kept or broken follows
    from the allocations made to its invoices between the day it was made and
    the promised date, so it is computed by the read models as of a day.
    """

    class Made(LedgerCreated):
        promised_date: date
        currency: str
        amount: Decimal
        invoice_ids: list[str]
        invoice_numbers: list[str]

    def __init__(
        self,
        account_id: UUID,
        promised_date: date,
        currency: str,
        amount: Decimal,
        invoice_ids: list[str],
        effective_date: date,
        **_: Any,
    ) -> None:
        self.account_id = account_id
        self.promised_date = promised_date
        self.currency = currency
        self.amount = amount
        self.invoice_ids = invoice_ids
        self.made_on = effective_date

    @staticmethod
    def id_for(key: str) -> UUID:
        return stable_id("promise", key)

    @classmethod
    def make(
        cls,
        *,
        key: str,
        invoices: list[Invoice],
        amount: Money,
        promised_date: date,
        on: date,
        cause: Cause,
    ) -> PromiseToPay:
        """Promise ``amount`` on ``invoices`` (one account, one currency)."""
        if not invoices:
            raise DomainError("a promise to pay names at least one invoice")
        if not amount.is_positive():
            raise InvalidAmount(f"a promised amount must be above zero, not {amount}")
        if promised_date < on:
            raise InvalidDate(
                f"the promised date {promised_date} is before today ({on})"
            )
        account_id = invoices[0].account_id
        open_total = Money.zero(amount.currency)
        for invoice in invoices:
            if invoice.account_id != account_id:
                raise DomainError("a promise to pay covers invoices of one account")
            if invoice.currency != amount.currency:
                raise CurrencyMismatch(
                    f"invoice {invoice.number} is in {invoice.currency}, "
                    f"not {amount.currency}"
                )
            if invoice.open_amount == 0:
                raise PromiseOnSettledInvoice(
                    f"invoice {invoice.number} is already settled"
                )
            open_total = open_total + invoice.open
        if open_total < amount:
            raise InvalidAmount(
                f"{amount} is more than the {open_total} open on these invoices"
            )
        return cls._create(
            cls.Made,
            id=cls.id_for(key),
            account_id=account_id,
            promised_date=promised_date,
            currency=amount.currency,
            amount=amount.amount,
            invoice_ids=[str(invoice.id) for invoice in invoices],
            invoice_numbers=[invoice.number for invoice in invoices],
            effective_date=on,
            **cause.fields(),
        )
