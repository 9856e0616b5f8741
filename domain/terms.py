"""Payment terms: how the due date follows from the issue date, and the
early-payment discount an account may be granted."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidTerms

_NET = re.compile(r"net\s*(\d+)")
_END_OF_MONTH = re.compile(r"(?:eom|end\s+of\s+month)\s*(?:\+\s*)?(\d+)?")
_DISCOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*/?\s*(\d+)(?:\s*days?)?")


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """Net N days after the issue date, or N days after the end of its month.

    ``net 30``: due 30 calendar days after the issue date. ``eom 15``: due
    15 days after the last day of the month the invoice was issued in.
    """

    net_days: int = 30
    end_of_month: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.net_days <= 365:
            raise InvalidTerms(
                f"net days must be between 0 and 365, not {self.net_days}"
            )

    @classmethod
    def parse(cls, text: str) -> PaymentTerms:
        """``net 30``, ``eom``, ``eom 15`` or ``end of month + 15``."""
        words = text.strip().lower()
        net = _NET.fullmatch(words)
        if net is not None:
            return cls(int(net[1]))
        month_end = _END_OF_MONTH.fullmatch(words)
        if month_end is not None:
            return cls(int(month_end[1] or 0), end_of_month=True)
        raise InvalidTerms(
            f"terms {text!r} are not 'net N' or 'eom N' (for example net 30, eom 15)"
        )

    def due_date(self, issue_date: date) -> date:
        start = issue_date
        if self.end_of_month:
            last = calendar.monthrange(issue_date.year, issue_date.month)[1]
            start = issue_date.replace(day=last)
        return start + timedelta(days=self.net_days)

    def __str__(self) -> str:
        if self.end_of_month:
            return f"eom {self.net_days}"
        return f"net {self.net_days}"


@dataclass(frozen=True, slots=True)
class EarlyPaymentDiscount:
    """``percent`` off when the invoice is paid within ``days`` of its issue."""

    percent: Decimal
    days: int

    def __post_init__(self) -> None:
        if not Decimal(0) < self.percent < Decimal(100):
            raise InvalidTerms(
                f"a discount must be between 0 and 100 percent, not {self.percent}"
            )
        if not 1 <= self.days <= 365:
            raise InvalidTerms(
                f"a discount's days must be between 1 and 365, not {self.days}"
            )

    @classmethod
    def parse(cls, text: str) -> EarlyPaymentDiscount:
        """``2%/10`` or ``2% 10 days``: 2 percent off within 10 days."""
        found = _DISCOUNT.fullmatch(text.strip().lower())
        if found is None:
            raise InvalidTerms(
                f"discount {text!r} is not 'P%/D' (for example 2%/10: "
                "2 percent within 10 days)"
            )
        try:
            percent = Decimal(found[1])
        except InvalidOperation:
            raise InvalidTerms(f"{found[1]!r} is not a percentage") from None
        return cls(percent, int(found[2]))

    def until(self, issue_date: date) -> date:
        """The last day a payment earns the discount."""
        return issue_date + timedelta(days=self.days)

    def __str__(self) -> str:
        return f"{self.percent}%/{self.days}"
