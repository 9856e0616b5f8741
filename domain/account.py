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
PAYMENT_METHOD_KINDS = ("card", "bank_account")
EFFORT_SCORES = range(1, 8)


class InvalidDeliveryPreference(DomainError):
    pass


class UnknownPaymentMethod(DomainError):
    pass


class InvalidPaymentMethod(DomainError):
    pass


class InvalidEffortScore(DomainError):
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

    class LanguageChanged(LedgerEvent):
        language: str

        def apply(self, aggregate: Any) -> None:
            aggregate.language = self.language

    class PaymentMethodSaved(LedgerEvent):
        """A card or bank account, kept as the gateway's token and what a payer
        needs to recognise it; never its number."""

        method_id: str
        token: str
        kind: str
        brand: str
        last4: str
        expiry_month: int | None
        expiry_year: int | None

        def apply(self, aggregate: Any) -> None:
            aggregate.payment_methods[self.method_id] = self.token

    class DefaultPaymentMethodChosen(LedgerEvent):
        method_id: str

        def apply(self, aggregate: Any) -> None:
            aggregate.default_method = self.method_id

    class PaymentMethodRemoved(LedgerEvent):
        method_id: str

        def apply(self, aggregate: Any) -> None:
            aggregate.payment_methods.pop(self.method_id, None)
            if aggregate.default_method == self.method_id:
                aggregate.default_method = None

    class EffortScoreGiven(LedgerEvent):
        """The payer's answer to "how easy was it?", 1 (hard) to 7 (easy)."""

        score: int
        payment_id: str

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
        self.payment_methods: dict[str, str] = {}
        self.default_method: str | None = None

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

    def change_language(self, language: str, *, on: date, cause: Cause) -> None:
        if language == self.language:
            return
        self.trigger_event(
            self.LanguageChanged,
            account_id=self.id,
            language=language,
            effective_date=on,
            **cause.fields(),
        )

    @staticmethod
    def method_id_for(token: str) -> str:
        return stable_id("payment_method", token).hex[:16]

    def save_payment_method(
        self,
        *,
        token: str,
        kind: str,
        brand: str,
        last4: str,
        expiry: tuple[int, int] | None,
        on: date,
        cause: Cause,
    ) -> str:
        """Keep a tokenized method; the first one saved becomes the default."""
        if kind not in PAYMENT_METHOD_KINDS:
            raise InvalidPaymentMethod(
                f"kind must be one of {', '.join(PAYMENT_METHOD_KINDS)}, not {kind!r}"
            )
        if len(last4) != 4 or not last4.isdigit():
            raise InvalidPaymentMethod("last4 must be the last four digits")
        method_id = self.method_id_for(token)
        if method_id in self.payment_methods:
            return method_id
        month, year = expiry if expiry is not None else (None, None)
        self.trigger_event(
            self.PaymentMethodSaved,
            account_id=self.id,
            method_id=method_id,
            token=token,
            kind=kind,
            brand=brand,
            last4=last4,
            expiry_month=month,
            expiry_year=year,
            effective_date=on,
            **cause.fields(),
        )
        if self.default_method is None:
            self.choose_default_method(method_id, on=on, cause=cause)
        return method_id

    def choose_default_method(self, method_id: str, *, on: date, cause: Cause) -> None:
        self._check_has_method(method_id)
        if method_id == self.default_method:
            return
        self.trigger_event(
            self.DefaultPaymentMethodChosen,
            account_id=self.id,
            method_id=method_id,
            effective_date=on,
            **cause.fields(),
        )

    def remove_payment_method(self, method_id: str, *, on: date, cause: Cause) -> None:
        """Forget a method; when it was the default, the newest left takes over."""
        self._check_has_method(method_id)
        was_default = method_id == self.default_method
        self.trigger_event(
            self.PaymentMethodRemoved,
            account_id=self.id,
            method_id=method_id,
            effective_date=on,
            **cause.fields(),
        )
        if was_default and self.payment_methods:
            newest = list(self.payment_methods)[-1]
            self.choose_default_method(newest, on=on, cause=cause)

    def token_of(self, method_id: str) -> str:
        self._check_has_method(method_id)
        return self.payment_methods[method_id]

    def give_effort_score(
        self, score: int, *, payment_id: str, on: date, cause: Cause
    ) -> None:
        if score not in EFFORT_SCORES:
            raise InvalidEffortScore(f"the score must be 1 to 7, not {score}")
        self.trigger_event(
            self.EffortScoreGiven,
            account_id=self.id,
            score=score,
            payment_id=payment_id,
            effective_date=on,
            **cause.fields(),
        )

    def _check_has_method(self, method_id: str) -> None:
        if method_id not in self.payment_methods:
            raise UnknownPaymentMethod(
                f"account {self.number} has no payment method {method_id!r}"
            )
