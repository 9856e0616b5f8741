"""Plain text forms of amounts and dates shared by every report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.money import minor_units


def money(units: int | None, currency: str) -> str:
    """Minor units as a decimal amount with the currency's places (``55.94``).

    Plain integer arithmetic: reports format millions of amounts.
    """
    if units is None:
        return ""
    places = minor_units(currency)
    if places == 0:
        return str(int(units))
    whole, part = divmod(abs(int(units)), 10**places)
    sign = "-" if units < 0 else ""
    return f"{sign}{whole}.{part:0{places}d}"


def iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def ratio(value: Decimal | None) -> str:
    return "" if value is None else str(value)


@dataclass
class Report:
    """A report's column names and rows of plain values, ready to print."""

    columns: list[str]
    rows: list[list[Any]]
    title: str = ""

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]
