"""Formulas for receivables metrics: settlement days, aging, DSO, ADD, CEI, turnover.

Every ratio is worked out exactly and rounded once, half up, to two decimals.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from itertools import pairwise

Exact = Decimal | Fraction | int

_CENT = Decimal("0.01")


def round_ratio(value: Exact) -> Decimal:
    """Round an exact ratio to two decimals, half up (away from zero on a tie).

    This is the only rounding a metric goes through, so a figure never carries
    the error of an intermediate step.
    """
    if isinstance(value, float):
        raise TypeError(f"a ratio must be exact (Decimal or Fraction), got {value!r}")
    exact = Fraction(value)

    # Only the third decimal decides a half-up rounding to two, so cutting the
    # exact value to thousandths, toward zero, loses nothing that matters.
    thousandths = int(exact * 1000)
    cut = Decimal(f"{thousandths}E-3")

    enough_digits = Context(prec=len(str(abs(thousandths))) + 1)
    rounded = cut.quantize(_CENT, rounding=ROUND_HALF_UP, context=enough_digits)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def days_to_settle(invoice_date: date, settled_date: date) -> int:
    """Calendar days from the invoice date to the day it was settled."""
    return (settled_date - invoice_date).days


def days_late(due_date: date, settled_date: date) -> int:
    """Calendar days a settlement came after the due date; 0 when on time."""
    return max(0, (settled_date - due_date).days)


def days_past_due(as_of: date, due_date: date) -> int:
    """Calendar days from the due date to `as_of`; negative before it falls due."""
    return (as_of - due_date).days


@dataclass(frozen=True)
class AgingBuckets:
    """Where an open invoice sits in an aging report, by its days past due.

    Nothing past due is `current`; each upper bound closes a bucket that opens
    the day after the previous one (`d1_30`, `d31_60`, ...); whatever lies
    beyond the last bound falls in `d{last}_plus`.
    """

    upper_bounds: tuple[int, ...] = (30, 60, 90)

    def __post_init__(self) -> None:
        bounds = tuple(self.upper_bounds)
        object.__setattr__(self, "upper_bounds", bounds)

        whole_days = all(type(bound) is int for bound in bounds)
        rising = all(lower < upper for lower, upper in pairwise(bounds))
        if not bounds or not whole_days or not rising or bounds[0] < 1:
            raise ValueError(
                "aging bucket upper_bounds must be whole days, the first at "
                f"least 1 and each above the one before, got {bounds!r}"
            )

    @property
    def labels(self) -> tuple[str, ...]:
        """Every bucket's label, from `current` to the oldest."""
        uppers = self.upper_bounds
        lowers = (1, *(upper + 1 for upper in uppers[:-1]))
        ranges = (f"d{lo}_{hi}" for lo, hi in zip(lowers, uppers, strict=True))
        return ("current", *ranges, f"d{uppers[-1]}_plus")

    def bucket_of(self, days_past_due: int) -> str:
        """The label of the bucket an invoice this many days past due sits in."""
        labels = self.labels
        if days_past_due <= 0:
            return labels[0]

        for label, upper in zip(labels[1:-1], self.upper_bounds, strict=True):
            if days_past_due <= upper:
                return label
        return labels[-1]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a calendar month."""
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, 1), date(year, month, last_day)


def months_between(start: date, end: date) -> list[tuple[date, date]]:
    """Whole calendar months, oldest first, from the one holding `start` to the
    one holding `end`, each as its first and last day."""
    if start > end:
        raise ValueError(f"start {start} must be on or before end {end}")

    months = []
    first_day = start.replace(day=1)
    while first_day <= end:
        month = month_bounds(first_day.year, first_day.month)
        months.append(month)
        first_day = month[1] + timedelta(days=1)
    return months


def days_in_period(first_day: date, last_day: date) -> int:
    """How many days a period counts, both ends included."""
    return (last_day - first_day).days + 1


def dso(ar_end: Decimal, credit_sales: Decimal, days: int) -> Decimal | None:
    """Days sales outstanding by the period method: the receivables at the end
    of a period, as days of that period's credit sales. None without sales."""
    exact = _days_of_sales(ar_end, credit_sales, days)
    return None if exact is None else round_ratio(exact)


def best_possible_dso(
    current_ar_end: Decimal, credit_sales: Decimal, days: int
) -> Decimal | None:
    """The DSO the period would show if nothing were past due: only the
    receivables not yet due, as days of credit sales. None without sales."""
    exact = _days_of_sales(current_ar_end, credit_sales, days)
    return None if exact is None else round_ratio(exact)


def average_days_delinquent(
    ar_end: Decimal, current_ar_end: Decimal, credit_sales: Decimal, days: int
) -> Decimal | None:
    """DSO minus best possible DSO: the days of sales held up by late payers.

    Both are taken exact and the difference is rounded once; subtracting two
    rounded figures could be a cent off. None without sales.
    """
    outstanding = _days_of_sales(ar_end, credit_sales, days)
    best = _days_of_sales(current_ar_end, credit_sales, days)
    if outstanding is None or best is None:
        return None

    return round_ratio(outstanding - best)


def collection_effectiveness_index(
    ar_begin: Decimal, credit_sales: Decimal, ar_end: Decimal, current_ar_end: Decimal
) -> Decimal | None:
    """What was collected in a period, as a percentage of what could have been:
    everything owed during it except what was not yet due at its end. None
    when nothing could have been collected."""
    owed_in_period = Fraction(ar_begin) + Fraction(credit_sales)
    collected = owed_in_period - Fraction(ar_end)
    collectible = owed_in_period - Fraction(current_ar_end)
    if collectible == 0:
        return None

    return round_ratio(collected / collectible * 100)


def countback_dso(
    ar_end: Decimal, months: Iterable[tuple[Decimal, int]]
) -> Decimal | None:
    """Days sales outstanding by the countback method.

    `months` holds each calendar month's credit sales and length in days,
    starting with the period's own month and going back one month at a time.
    Whole months are counted while the receivables still left cover their
    sales; the first month they do not cover adds its share of days, and the
    count stops. None when the history runs out first, or when the month where
    it stops had no sales.
    """
    remaining = Fraction(ar_end)
    days_counted = Fraction(0)

    for credit_sales, days in months:
        if remaining == 0:
            break

        sales = Fraction(credit_sales)
        if remaining >= sales:
            remaining -= sales
            days_counted += days
            continue

        if sales == 0:
            return None
        return round_ratio(days_counted + remaining / sales * days)

    # Only receivables fully explained by the history give a figure.
    return round_ratio(days_counted) if remaining == 0 else None


def receivables_turnover(
    credit_sales: Decimal, ar_begin: Decimal, ar_end: Decimal
) -> Decimal | None:
    """How many times the average receivables were turned into sales in a
    period. None when the average receivables are zero."""
    average_ar = (Fraction(ar_begin) + Fraction(ar_end)) / 2
    if average_ar == 0:
        return None

    return round_ratio(Fraction(credit_sales) / average_ar)


def _days_of_sales(
    amount: Decimal, credit_sales: Decimal, days: int
) -> Fraction | None:
    if credit_sales == 0:
        return None

    return Fraction(amount) / Fraction(credit_sales) * days
