"""Payment terms: how the due date follows from the issue date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidTerms


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """Net N days: the invoice is due N calendar days after its issue date."""

    net_days: int = 30

    def __post_init__(self) -> None:
        if not 0 <= self.net_days <= 365:
            raise InvalidTerms(
                f"net days must be between 0 and 365, not {self.net_days}"
            )

    def due_date(self, issue_date: date) -> date:
        return issue_date + timedelta(days=self.net_days)

    def __str__(self) -> str:
        return f"net {self.net_days}"
