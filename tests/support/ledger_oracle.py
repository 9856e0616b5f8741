"""Receivables figures for the IBM AR ledger, recomputed from the written definitions.

This module is an independent re-computation: it reads the CSV with nothing
but the standard library and follows the definitions in the metrics contract,
never the product's code, so the product's reports can be checked against it.
"""

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d90_plus")


@dataclass(frozen=True)
class LedgerRow:
    """One invoice of the ledger, as the file states it."""

    invoice_number: str
    customer_id: str
    country: str
    invoice_date: date
    due_date: date
    amount: Decimal
    disputed: bool
    settled_date: date | None
    file_days_to_settle: int
    file_days_late: int


@dataclass(frozen=True)
class MonthRow:
    """The period figures of one calendar month, rounded as reports show them."""

    period_start: date
    period_end: date
    credit_sales: Decimal
    ar_begin: Decimal
    ar_end: Decimal
    current_ar_end: Decimal
    dso: Decimal | None
    dso_countback: Decimal | None
    best_possible_dso: Decimal | None
    add: Decimal | None
    cei: Decimal | None


# Reading the file


def parse_day(text: str) -> date:
    """A month/day/year date without leading zeros, such as 1/2/2013."""
    return datetime.strptime(text, "%m/%d/%Y").date()


def read_ledger(path: Path) -> list[LedgerRow]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [_row(record) for record in csv.DictReader(handle)]


def _row(record: dict[str, str]) -> LedgerRow:
    settled = record["SettledDate"]

    return LedgerRow(
        invoice_number=record["invoiceNumber"],
        customer_id=record["customerID"],
        country=record["countryCode"],
        invoice_date=parse_day(record["InvoiceDate"]),
        due_date=parse_day(record["DueDate"]),
        amount=Decimal(record["InvoiceAmount"]),
        disputed=record["Disputed"] == "Yes",
        settled_date=parse_day(settled) if settled else None,
        file_days_to_settle=int(record["DaysToSettle"]),
        file_days_late=int(record["DaysLate"]),
    )


# Per invoice


def days_to_settle(row: LedgerRow) -> int | None:
    if row.settled_date is None:
        return None
    return (row.settled_date - row.invoice_date).days


def days_late(row: LedgerRow) -> int | None:
    if row.settled_date is None:
        return None
    return max(0, (row.settled_date - row.due_date).days)


def is_open(row: LedgerRow, day: date) -> bool:
    """Issued by the end of `day` and not yet settled on it."""
    issued = row.invoice_date <= day
    unsettled = row.settled_date is None or row.settled_date > day
    return issued and unsettled


def receivables(rows: Iterable[LedgerRow], day: date) -> Decimal:
    """AR(D): the total open at the end of `day`."""
    return sum((row.amount for row in rows if is_open(row, day)), ZERO)


# Calendar months


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def previous_month(first_day: date) -> date:
    return month_start(first_day - timedelta(days=1))


def months(first: date, last: date) -> list[date]:
    """The first day of every month from the one holding `first` to `last`'s."""
    starts = []
    current = month_start(first)

    while current <= last:
        starts.append(current)
        current = month_end(current) + timedelta(days=1)

    return starts


def days_in(first_day: date) -> int:
    return (month_end(first_day) - first_day).days + 1


# Ratios


def round_half_up(value: Fraction) -> Decimal:
    """Two decimals, a tie going away from zero."""
    hundredths = abs(value) * 100
    whole = int(hundredths)
    if hundredths - whole >= Fraction(1, 2):
        whole += 1

    sign = -1 if value < 0 else 1
    return (Decimal(sign * whole) / 100).quantize(CENT)


def _ratio(numerator: Decimal, denominator: Decimal) -> Fraction | None:
    if denominator == 0:
        return None
    return Fraction(numerator) / Fraction(denominator)


def _rounded(value: Fraction | None) -> Decimal | None:
    return None if value is None else round_half_up(value)


# Period figures


def credit_sales(rows: Iterable[LedgerRow], first: date, last: date) -> Decimal:
    issued = (row.amount for row in rows if first <= row.invoice_date <= last)
    return sum(issued, ZERO)


def current_receivables(rows: Iterable[LedgerRow], day: date) -> Decimal:
    """The part of AR(D) on invoices due on or after D."""
    current = (row.amount for row in rows if is_open(row, day) and row.due_date >= day)
    return sum(current, ZERO)


def countback_dso(
    ar_end: Decimal,
    period_start: date,
    sales_of: Callable[[date], Decimal],
    history_start: date,
) -> Fraction | None:
    """Days of the latest months' own sales that ar_end still covers."""
    left = Fraction(ar_end)
    days = Fraction(0)
    month = period_start

    while left != 0:
        if month < history_start:
            return None

        sales = Fraction(sales_of(month))
        if left >= sales:
            left -= sales
            days += days_in(month)
        elif sales == 0:
            return None
        else:
            return days + left / sales * days_in(month)

        month = previous_month(month)

    return days


def month_row(rows: list[LedgerRow], first_day: date, history_start: date) -> MonthRow:
    last_day = month_end(first_day)
    n = days_in(first_day)

    def sales_of(month: date) -> Decimal:
        return credit_sales(rows, month, month_end(month))

    sales = sales_of(first_day)
    ar_begin = receivables(rows, first_day - timedelta(days=1))
    ar_end = receivables(rows, last_day)
    current = current_receivables(rows, last_day)

    dso = _ratio(ar_end, sales)
    best = _ratio(current, sales)
    add = None if dso is None or best is None else (dso - best) * n
    cei = _ratio(ar_begin + sales - ar_end, ar_begin + sales - current)
    countback = countback_dso(ar_end, first_day, sales_of, history_start)

    return MonthRow(
        period_start=first_day,
        period_end=last_day,
        credit_sales=sales,
        ar_begin=ar_begin,
        ar_end=ar_end,
        current_ar_end=current,
        dso=_rounded(None if dso is None else dso * n),
        dso_countback=_rounded(countback),
        best_possible_dso=_rounded(None if best is None else best * n),
        add=_rounded(add),
        cei=_rounded(None if cei is None else cei * 100),
    )


def monthly(rows: list[LedgerRow], first: date, last: date) -> list[MonthRow]:
    """Every month from `first` to `last` over all of `rows`."""
    history_start = month_start(min(row.invoice_date for row in rows))
    return [month_row(rows, start, history_start) for start in months(first, last)]


def monthly_by_country(
    rows: list[LedgerRow], first: date, last: date
) -> dict[str, list[MonthRow]]:
    """Every month per country; history still starts at the ledger's first month."""
    history_start = month_start(min(row.invoice_date for row in rows))
    by_country = _grouped(rows, lambda row: row.country)

    return {
        country: [
            month_row(group, start, history_start) for start in months(first, last)
        ]
        for country, group in by_country.items()
    }


# Aging


def bucket_of(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "d1_30"
    if days_past_due <= 60:
        return "d31_60"
    if days_past_due <= 90:
        return "d61_90"
    return "d90_plus"


def aging(
    rows: Iterable[LedgerRow],
    as_of: date,
    group_of: Callable[[LedgerRow], str] = lambda row: "",
) -> dict[str, dict[str, Decimal]]:
    """Open amounts as of a day per group and bucket, with a `total` per group.

    Only groups with something open appear.
    """
    table: dict[str, dict[str, Decimal]] = {}

    for row in rows:
        if not is_open(row, as_of):
            continue
        columns = table.setdefault(group_of(row), _empty_buckets())
        columns[bucket_of((as_of - row.due_date).days)] += row.amount
        columns["total"] += row.amount

    return table


def aging_by_customer(
    rows: Iterable[LedgerRow], as_of: date
) -> dict[str, dict[str, Decimal]]:
    return aging(rows, as_of, lambda row: row.customer_id)


def aging_by_country(
    rows: Iterable[LedgerRow], as_of: date
) -> dict[str, dict[str, Decimal]]:
    return aging(rows, as_of, lambda row: row.country)


def _empty_buckets() -> dict[str, Decimal]:
    return {column: ZERO for column in (*BUCKETS, "total")}


def _grouped(
    rows: Iterable[LedgerRow], key: Callable[[LedgerRow], str]
) -> dict[str, list[LedgerRow]]:
    groups: dict[str, list[LedgerRow]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return dict(groups)
