"""Money: an exact Decimal amount in one ISO 4217 currency, at its minor units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

from domain.errors import CurrencyMismatch, InvalidAmount, UnknownCurrency

# Codes that name no money a customer pays with: metals, fund units, tests.
_NOT_TENDER = {"XAU", "XAG", "XPT", "XPD", "XDR", "XXX", "XTS", "XSU", "XUA"}
_NOT_TENDER |= {"XBA", "XBB", "XBC", "XBD", "XFO", "XFU", "XRE", "XEU"}
_KNOWN = frozenset(list_currencies()) - _NOT_TENDER

# Ten trillion in a two-decimal currency: far above any invoice, and small
# enough that sums of millions of amounts stay exact in 64-bit read models.
MAX_MINOR_UNITS = 10**15


@cache
def minor_units(currency: str) -> int:
    """How many decimal places the currency's amounts carry (JPY 0, USD 2)."""
    if currency not in _KNOWN:
        raise UnknownCurrency(
            f"currency {currency!r} is not an ISO 4217 code (for example USD, JPY)"
        )
    return get_currency_precision(currency)


def check_currency(currency: str) -> str:
    """Return the code when it is a known ISO 4217 currency; raise otherwise."""
    minor_units(currency)
    return currency


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount as a whole number of minor units; it must already be exact."""
    try:
        scaled = amount.scaleb(minor_units(currency))
        whole = scaled == scaled.to_integral_value()
    except InvalidOperation:
        raise InvalidAmount(f"{amount} is too large to hold") from None
    if not whole:
        raise InvalidAmount(
            f"{amount} has more decimal places than {currency} allows "
            f"({minor_units(currency)})"
        )
    return int(scaled)


def from_minor(units: int, currency: str) -> Decimal:
    """A whole number of minor units as a Decimal with the currency's places."""
    return Decimal(units).scaleb(-minor_units(currency))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency, exact to the currency's minor unit.

    Two amounts are only added or compared when their currencies are the same;
    there is no implicit exchange rate anywhere.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        check_currency(self.currency)
        if not isinstance(self.amount, Decimal):
            raise InvalidAmount(f"amount must be a Decimal, not {self.amount!r}")
        if not self.amount.is_finite():
            raise InvalidAmount(f"amount {self.amount} is not a finite number")
        if abs(to_minor(self.amount, self.currency)) > MAX_MINOR_UNITS:
            raise InvalidAmount(
                f"{self.amount} {self.currency} is beyond the largest amount "
                f"o2c keeps ({MAX_MINOR_UNITS:,} minor units)"
            )
        quantized = self.amount.quantize(_quantum(self.currency))
        object.__setattr__(self, "amount", quantized)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Read an amount written with a point for decimals, like ``1234.50``."""
        try:
            amount = Decimal(text.strip())
        except (InvalidOperation, AttributeError):
            raise InvalidAmount(f"{text!r} is not an amount") from None
        return cls(amount, currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def of_minor(cls, units: int, currency: str) -> Money:
        return cls(from_minor(units, currency), currency)

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} with {other.currency} "
                "without an exchange rate"
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def is_positive(self) -> bool:
        return self.amount > 0

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def round_half_up(amount: Decimal, currency: str) -> Decimal:
    """Round a computed amount (a discount, a share) to the currency's places."""
    return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)
