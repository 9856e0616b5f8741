"""Checks a card or bank account the way a gateway does, and decides what the
sandbox answers for it: the test numbers that decline or fail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# The last four digits decide what a charge does, on cards and accounts alike.
OUTCOMES = {
    "0002": "card_declined",
    "9995": "insufficient_funds",
    "0119": "processing_error",
}

BRANDS = (
    (re.compile(r"^4"), "visa"),
    (re.compile(r"^(5[1-5]|2[2-7])"), "mastercard"),
    (re.compile(r"^3[47]"), "amex"),
    (re.compile(r"^(6011|65)"), "discover"),
    (re.compile(r"^35"), "jcb"),
    (re.compile(r"^62"), "unionpay"),
)


class Refused(ValueError):
    """The details are not valid; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Checked:
    kind: str
    brand: str
    last4: str
    exp_month: int | None
    exp_year: int | None
    outcome: str


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def check_card(number: str, expiry: str, cvc: str, today: date) -> Checked:
    digits = re.sub(r"[ -]", "", number)
    if not digits.isdigit() or not 12 <= len(digits) <= 19 or not luhn_ok(digits):
        raise Refused("number", "The card number is not valid.")
    brand = next((name for rule, name in BRANDS if rule.match(digits)), "card")
    found = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", expiry)
    if found is None or not 1 <= int(found[1]) <= 12:
        raise Refused("expiry", "The expiry date must look like MM/YY.")
    month, year = int(found[1]), int(found[2])
    year = year + 2000 if year < 100 else year
    if (year, month) < (today.year, today.month):
        raise Refused("expiry", "The card has expired.")
    wanted = 4 if brand == "amex" else 3
    if not cvc.isdigit() or len(cvc) != wanted:
        raise Refused("cvc", f"The security code has {wanted} digits.")
    outcome = OUTCOMES.get(digits[-4:], "approved")
    return Checked("card", brand, digits[-4:], month, year, outcome)


def check_iban(iban: str) -> Checked:
    text = re.sub(r"\s", "", iban).upper()
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", text) is None:
        raise Refused("iban", "The IBAN is not valid.")
    moved = text[4:] + text[:4]
    number = "".join(str(int(char, 36)) for char in moved)
    if int(number) % 97 != 1:
        raise Refused("iban", "The IBAN is not valid.")
    outcome = OUTCOMES.get(text[-4:], "approved")
    return Checked("bank_account", text[:2], text[-4:], None, None, outcome)
