"""Guards of an account's policies: time zone, contacts, discount, credit and hold."""

from datetime import date
from decimal import Decimal

import pytest

from domain.account import Account
from domain.errors import AccountAlreadyOnHold, AccountNotOnHold, InvalidPolicy
from domain.money import Money
from domain.terms import EarlyPaymentDiscount, PaymentTerms
from tests.support.builders import CLERK, account, usd

ON = date(2024, 3, 5)


def test_a_time_zone_must_be_an_iana_name():
    """A city without its region is refused, naming the expected form."""
    with pytest.raises(InvalidPolicy, match="IANA name like Asia/Tokyo"):
        account().change_time_zone("Tokyo", on=ON, cause=CLERK)


def test_a_time_zone_cannot_point_outside_the_zone_database():
    """A path in place of a zone name is refused."""
    with pytest.raises(InvalidPolicy):
        account().change_time_zone("../../etc/passwd", on=ON, cause=CLERK)


def test_a_contact_role_is_billing_or_escalation():
    """An unknown role is refused with the roles there are."""
    with pytest.raises(InvalidPolicy, match="billing, escalation"):
        account().set_contact(
            role="ceo",
            email="a@b.example",
            name="",
            address_lines=[],
            on=ON,
            cause=CLERK,
        )


def test_a_contact_needs_an_email_or_an_address():
    """A contact nobody can reach is refused."""
    with pytest.raises(InvalidPolicy, match="e-mail or a postal address"):
        account().set_contact(
            role="billing",
            email="",
            name="Ann",
            address_lines=[],
            on=ON,
            cause=CLERK,
        )


def test_a_contact_of_a_role_replaces_the_previous_one():
    """Setting the billing contact twice leaves one billing contact."""
    customer = account()
    for email in ("old@acme.example", "new@acme.example"):
        customer.set_contact(
            role="billing",
            email=email,
            name="",
            address_lines=[],
            on=ON,
            cause=CLERK,
        )

    billing = [c for c in customer.contacts if c["role"] == "billing"]
    assert [c["email"] for c in billing] == ["new@acme.example"]


def test_a_discount_is_granted_only_with_a_reason():
    """An exception to the terms without its reason is refused."""
    with pytest.raises(InvalidPolicy, match="needs its reason"):
        account().grant_discount(
            EarlyPaymentDiscount(Decimal(2), 10), reason=" ", on=ON, cause=CLERK
        )


def test_unchanged_terms_record_nothing():
    """Setting the terms the account already has is not a change."""
    customer = account()
    customer.collect_events()

    customer.change_terms(PaymentTerms(30), on=ON, cause=CLERK)

    assert customer.collect_events() == []


def test_a_credit_limit_in_another_currency_is_refused():
    """A dollar account's limit is in dollars."""
    with pytest.raises(InvalidPolicy, match="account currency USD"):
        account().change_credit_limit(Money(Decimal(100), "EUR"), on=ON, cause=CLERK)


def limited(limit: str) -> Account:
    customer = account()
    customer.change_credit_limit(usd(limit), on=ON, cause=CLERK)
    return customer


def test_exposure_past_the_credit_limit_puts_the_account_on_hold():
    """An invoice that takes what is owed past the limit holds the account."""
    customer = limited("1000.00")

    customer.check_credit(usd("1000.01"), on=ON, cause=CLERK)

    assert customer.on_hold
    held = customer.collect_events()[-1]
    assert (held.hold_type, held.amount) == ("credit_limit", Decimal("1000.01"))


def test_exposure_at_the_credit_limit_keeps_the_account_open():
    """Reaching the limit exactly is still within it."""
    customer = limited("1000.00")

    customer.check_credit(usd("1000.00"), on=ON, cause=CLERK)

    assert not customer.on_hold


def test_a_hold_twice_is_refused():
    """A collector cannot put an account on hold that already is."""
    customer = account()
    customer.put_on_hold(reason="bankruptcy filed", on=ON, cause=CLERK)

    with pytest.raises(AccountAlreadyOnHold):
        customer.put_on_hold(reason="again", on=ON, cause=CLERK)


def test_releasing_an_account_not_on_hold_is_refused():
    """There is nothing to release on an open account."""
    with pytest.raises(AccountNotOnHold):
        account().release_hold(reason="paid", on=ON, cause=CLERK)
