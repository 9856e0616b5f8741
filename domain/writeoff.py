"""Small balances: what is left open below a threshold per currency is not
worth chasing, and is written off without a second approval."""

from __future__ import annotations

from decimal import Decimal

from domain.errors import InvalidPolicy
from domain.money import Money, check_currency, to_minor

# The default table; operators change it with O2C_SMALL_BALANCE_THRESHOLDS.
SMALL_BALANCE_THRESHOLDS = {
    "USD": Decimal("5.00"),
    "EUR": Decimal("5.00"),
    "GBP": Decimal("5.00"),
    "CHF": Decimal("5.00"),
    "CAD": Decimal("5.00"),
    "AUD": Decimal("5.00"),
    "JPY": Decimal("500"),
    "CNY": Decimal("30.00"),
}


def thresholds_in_minor(table: dict[str, Decimal]) -> dict[str, int]:
    """Each currency's threshold in minor units; amounts strictly below it go."""
    out = {}
    for currency, amount in table.items():
        check_currency(currency)
        if amount < 0:
            raise InvalidPolicy(
                f"the small-balance threshold of {currency} must not be below "
                f"zero, not {amount}"
            )
        out[currency] = to_minor(Money(amount, currency).amount, currency)
    return out
