"""Money is exact to its currency's minor unit and never mixes currencies."""

import operator
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency
from domain.money import Money, minor_units

D = Decimal


@pytest.mark.parametrize(
    ("currency", "places"), [("JPY", 0), ("USD", 2), ("KWD", 3), ("EUR", 2)]
)
def test_each_currency_has_its_iso_minor_units(currency, places):
    """Yen have no minor unit, dollars two places, Kuwaiti dinars three."""
    assert minor_units(currency) == places


def test_yen_amounts_are_whole_yen():
    """A yen amount is shown and counted without decimals."""
    price = Money(D("1500"), "JPY")

    assert str(price) == "1500 JPY"
    assert price.minor == 1500


def test_dollar_amounts_are_shown_to_the_cent():
    """A dollar amount written with one place is kept as cents."""
    price = Money(D("12.5"), "USD")

    assert str(price) == "12.50 USD"
    assert price.minor == 1250


def test_dinar_amounts_are_shown_to_the_fils():
    """A Kuwaiti dinar amount keeps three places (fils)."""
    price = Money(D("7.25"), "KWD")

    assert str(price) == "7.250 KWD"
    assert price.minor == 7250


def test_zeros_beyond_the_minor_unit_are_accepted():
    """Trailing zeros add no precision, so 10.000 USD is simply 10.00 USD."""
    assert str(Money(D("10.000"), "USD")) == "10.00 USD"


@pytest.mark.parametrize(
    ("text", "currency", "places"),
    [("1.5", "JPY", 0), ("0.001", "USD", 2), ("2.0005", "KWD", 3)],
)
def test_an_amount_with_too_many_places_is_rejected(text, currency, places):
    """The error names the amount, the currency and how many places it allows."""
    with pytest.raises(InvalidAmount) as raised:
        Money(D(text), currency)

    message = str(raised.value)
    assert text in message
    assert currency in message
    assert f"({places})" in message


def test_a_float_is_never_accepted_as_an_amount():
    """Binary fractions cannot hold money exactly, so a float is refused."""
    with pytest.raises(InvalidAmount, match="Decimal"):
        Money(0.1, "USD")  # type: ignore[arg-type]


def test_adding_cents_is_exact():
    """0.10 + 0.20 is exactly 0.30, as on paper."""
    total = Money(D("0.10"), "USD") + Money(D("0.20"), "USD")

    assert total == Money(D("0.30"), "USD")


@pytest.mark.parametrize(
    "combine", [operator.add, operator.sub, operator.lt, operator.le]
)
def test_amounts_in_two_currencies_are_never_combined(combine):
    """Adding, subtracting or comparing USD with EUR needs an exchange rate."""
    with pytest.raises(CurrencyMismatch) as raised:
        combine(Money(D("10.00"), "USD"), Money(D("10.00"), "EUR"))

    assert "USD" in str(raised.value)
    assert "EUR" in str(raised.value)


@pytest.mark.parametrize("code", ["XYZ", "usd", "EURO", ""])
def test_an_unknown_currency_is_rejected(code):
    """Only ISO 4217 codes are currencies; the error repeats the bad code."""
    with pytest.raises(UnknownCurrency) as raised:
        Money(D("1"), code)

    assert repr(code) in str(raised.value)


def test_an_amount_is_read_from_text_with_a_decimal_point():
    """Parsing ``1234.5`` in USD gives 1234.50 USD."""
    assert Money.parse(" 1234.5 ", "USD") == Money(D("1234.50"), "USD")


def test_text_that_is_not_an_amount_is_rejected():
    """A comma decimal is not read as a point: the text is refused."""
    with pytest.raises(InvalidAmount, match="'12,50' is not an amount"):
        Money.parse("12,50", "EUR")


@settings(max_examples=60, deadline=None)
@given(
    units=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(["JPY", "USD", "KWD"]),
)
def test_minor_units_round_trip_exactly(units, currency):
    """An amount built from minor units gives back the same minor units."""
    amount = Money.of_minor(units, currency)

    assert amount.minor == units
    assert Money(amount.amount, currency) == amount


def test_an_amount_too_large_to_hold_is_rejected_as_an_invalid_amount():
    """10^26 dollars cannot be held to the cent; the error says it is invalid."""
    with pytest.raises(InvalidAmount):
        Money(D("1E+26"), "USD")
