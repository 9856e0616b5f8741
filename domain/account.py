"""The customer account: who is billed, where, in which currency and language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import Cause, LedgerCreated, LedgerEvent, stable_id
from domain.account_policies import (
    check_contact,
    check_time_zone,
    credit_limit_in,
)
from domain.errors import (
    AccountAlreadyOnHold,
    AccountNotOnHold,
    DomainError,
    InvalidPolicy,
)
from domain.money import Money, check_currency
from domain.terms import EarlyPaymentDiscount, PaymentTerms

DELIVERY_CHANNELS = ("paper", "email", "portal")
HOLD_TYPES = ("credit_limit", "collector")
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

    class TermsChanged(LedgerEvent):
        """New payment terms for invoices issued from now on."""

        terms: str
        net_days: int
        end_of_month: bool

        def apply(self, aggregate: Any) -> None:
            aggregate.terms = PaymentTerms(self.net_days, self.end_of_month)

    class EarlyPaymentDiscountGranted(LedgerEvent):
        """An exception to the terms, with the reason it was granted."""

        percent: Decimal
        days: int
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.discount = EarlyPaymentDiscount(self.percent, self.days)

    class EarlyPaymentDiscountWithdrawn(LedgerEvent):
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.discount = None

    class CreditLimitChanged(LedgerEvent):
        """``credit_limit`` is null when the account has no limit."""

        currency: str
        credit_limit: Decimal | None

        def apply(self, aggregate: Any) -> None:
            aggregate.credit_limit = self.credit_limit

    class PutOnHold(LedgerEvent):
        """``hold_type`` is ``credit_limit`` when an invoice took the exposure
        (``amount``) past the limit, ``collector`` when a person decided."""

        hold_type: str
        reason: str
        currency: str | None
        amount: Decimal | None

        def apply(self, aggregate: Any) -> None:
            aggregate.on_hold = True

    class ReleasedFromHold(LedgerEvent):
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.on_hold = False

    class TimeZoneChanged(LedgerEvent):
        time_zone: str

        def apply(self, aggregate: Any) -> None:
            aggregate.time_zone = self.time_zone

    class ContactSet(LedgerEvent):
        """The contact of a role (billing, escalation), replacing the last one."""

        role: str
        name: str
        email: str
        address_lines: list[str]

        def apply(self, aggregate: Any) -> None:
            kept = [c for c in aggregate.contacts if c.get("role") != self.role]
            aggregate.contacts = [
                *kept,
                {
                    "role": self.role,
                    "name": self.name,
                    "email": self.email,
                    "address_lines": list(self.address_lines),
                },
            ]

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
        contacts: list[dict[str, Any]],
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
        self.discount: EarlyPaymentDiscount | None = None
        self.on_hold = False
        self.time_zone: str | None = None

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
        credit_limit_in(credit_limit, currency)
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

    # Policies ------------------------------------------------------------

    def change_terms(self, terms: PaymentTerms, *, on: date, cause: Cause) -> None:
        """Terms for invoices issued from ``on``; issued invoices keep theirs."""
        if terms == self.terms:
            return
        self.trigger_event(
            self.TermsChanged,
            account_id=self.id,
            terms=str(terms),
            net_days=terms.net_days,
            end_of_month=terms.end_of_month,
            effective_date=on,
            **cause.fields(),
        )

    def grant_discount(
        self, discount: EarlyPaymentDiscount, *, reason: str, on: date, cause: Cause
    ) -> None:
        """An early-payment discount is an exception: it needs its reason."""
        if not reason.strip():
            raise InvalidPolicy("an early-payment discount needs its reason")
        if discount == self.discount:
            return
        self.trigger_event(
            self.EarlyPaymentDiscountGranted,
            account_id=self.id,
            percent=discount.percent,
            days=discount.days,
            reason=reason,
            effective_date=on,
            **cause.fields(),
        )

    def withdraw_discount(self, *, reason: str, on: date, cause: Cause) -> None:
        if self.discount is None:
            return
        self.trigger_event(
            self.EarlyPaymentDiscountWithdrawn,
            account_id=self.id,
            reason=reason,
            effective_date=on,
            **cause.fields(),
        )

    def change_credit_limit(
        self, limit: Money | None, *, on: date, cause: Cause
    ) -> None:
        credit_limit_in(limit, self.currency)
        amount = None if limit is None else limit.amount
        if amount == self.credit_limit:
            return
        self.trigger_event(
            self.CreditLimitChanged,
            account_id=self.id,
            currency=self.currency,
            credit_limit=amount,
            effective_date=on,
            **cause.fields(),
        )

    def check_credit(self, exposure: Money, *, on: date, cause: Cause) -> None:
        """Put the account on hold when ``exposure`` (what is open, with a new
        invoice) passes its credit limit; limits count only their currency."""
        if self.credit_limit is None or self.on_hold:
            return
        if exposure.currency != self.currency or exposure.amount <= self.credit_limit:
            return
        limit = Money(self.credit_limit, self.currency)
        self.trigger_event(
            self.PutOnHold,
            account_id=self.id,
            hold_type="credit_limit",
            reason=f"exposure {exposure} passes the credit limit {limit}",
            currency=exposure.currency,
            amount=exposure.amount,
            effective_date=on,
            **cause.fields(),
        )

    def put_on_hold(self, *, reason: str, on: date, cause: Cause) -> None:
        """A collector's hold, with its reason."""
        if self.on_hold:
            raise AccountAlreadyOnHold(f"account {self.number} is already on hold")
        if not reason.strip():
            raise InvalidPolicy("a hold needs its reason")
        self.trigger_event(
            self.PutOnHold,
            account_id=self.id,
            hold_type="collector",
            reason=reason,
            currency=None,
            amount=None,
            effective_date=on,
            **cause.fields(),
        )

    def release_hold(self, *, reason: str, on: date, cause: Cause) -> None:
        if not self.on_hold:
            raise AccountNotOnHold(f"account {self.number} is not on hold")
        if not reason.strip():
            raise InvalidPolicy("a release from hold needs its reason")
        self.trigger_event(
            self.ReleasedFromHold,
            account_id=self.id,
            reason=reason,
            effective_date=on,
            **cause.fields(),
        )

    def change_time_zone(self, time_zone: str, *, on: date, cause: Cause) -> None:
        check_time_zone(time_zone)
        if time_zone == self.time_zone:
            return
        self.trigger_event(
            self.TimeZoneChanged,
            account_id=self.id,
            time_zone=time_zone,
            effective_date=on,
            **cause.fields(),
        )

    def set_contact(
        self,
        *,
        role: str,
        email: str,
        name: str,
        address_lines: list[str],
        on: date,
        cause: Cause,
    ) -> None:
        contact = check_contact(role, email, name, address_lines)
        if contact in self.contacts:
            return
        self.trigger_event(
            self.ContactSet,
            account_id=self.id,
            **contact,
            effective_date=on,
            **cause.fields(),
        )

    # Payment methods -------------------------------------------------------

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
