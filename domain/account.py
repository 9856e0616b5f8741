"""The customer account: who is billed, where, in which currency and language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import Cause, LedgerCreated, LedgerEvent, stable_id
from domain.errors import DomainError
from domain.money import Money, check_currency
from domain.terms import PaymentTerms

DELIVERY_CHANNELS = ("paper", "email", "portal")


class InvalidDeliveryPreference(DomainError):
    pass


def _check_delivery(delivery: str) -> str:
    if delivery not in DELIVERY_CHANNELS:
        raise InvalidDeliveryPreference(
            f"delivery must be one of {', '.join(DELIVERY_CHANNELS)}, not {delivery!r}"
        )
    return delivery


class Account(Aggregate):
    """A customer account, identified by its account number.

    The currency here is only the default for new invoices: each invoice keeps
    the currency it was issued in, whatever later happens to this default.
    """

    class Opened(LedgerCreated):
        number: str
        name: str
        country: str
        currency: str
        net_days: int
        credit_limit: Decimal | None
        delivery: str
        language: str
        contacts: list[dict[str, str]]

    class DeliveryPreferenceChanged(LedgerEvent):
        delivery: str

        def apply(self, aggregate: Any) -> None:
            aggregate.delivery = self.delivery

    def __init__(
        self,
        number: str,
        name: str,
        country: str,
        currency: str,
        net_days: int,
        credit_limit: Decimal | None,
        delivery: str,
        language: str,
        contacts: list[dict[str, str]],
        effective_date: date,
        **_: Any,
    ) -> None:
        self.number = number
        self.name = name
        self.country = country
        self.currency = currency
        self.terms = PaymentTerms(net_days)
        self.credit_limit = credit_limit
        self.delivery = delivery
        self.language = language
        self.contacts = contacts
        self.opened_on = effective_date

    @staticmethod
    def id_for(number: str) -> UUID:
        return stable_id("account", number)

    @classmethod
    def open(
        cls,
        *,
        number: str,
        name: str,
        country: str,
        currency: str,
        terms: PaymentTerms,
        credit_limit: Money | None,
        delivery: str,
        language: str,
        contacts: list[dict[str, str]],
        on: date,
        cause: Cause,
    ) -> Account:
        check_currency(currency)
        _check_delivery(delivery)
        if credit_limit is not None and credit_limit.currency != currency:
            raise DomainError(
                f"credit limit must be in the account currency {currency}, "
                f"not {credit_limit.currency}"
            )
        account_id = cls.id_for(number)
        return cls._create(
            cls.Opened,
            id=account_id,
            account_id=account_id,
            number=number,
            name=name,
            country=country,
            currency=currency,
            net_days=terms.net_days,
            credit_limit=None if credit_limit is None else credit_limit.amount,
            delivery=delivery,
            language=language,
            contacts=contacts,
            effective_date=on,
            **cause.fields(),
        )

    def change_delivery(self, delivery: str, *, on: date, cause: Cause) -> None:
        _check_delivery(delivery)
        if delivery == self.delivery:
            return
        self.trigger_event(
            self.DeliveryPreferenceChanged,
            account_id=self.id,
            delivery=delivery,
            effective_date=on,
            **cause.fields(),
        )
