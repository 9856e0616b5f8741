"""Dispute deadlines: each reason code has its resolution time in business days.

Business days are Monday to Friday; Saturdays and Sundays are skipped. Public
holidays are not known to o2c and count as business days.
"""

from __future__ import annotations

from datetime import date, timedelta

# Business days to resolve a dispute, by the reason the payer gave. A reason
# that is not one of these codes (free text from the CLI) gets ``other``'s.
RESOLUTION_DAYS = {
    "not_received": 5,
    "already_paid": 5,
    "duplicate": 5,
    "wrong_amount": 10,
    "wrong_items": 10,
    "damaged": 15,
    "other": 20,
}


def resolution_days(reason: str) -> int:
    return RESOLUTION_DAYS.get(reason, RESOLUTION_DAYS["other"])


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


def add_business_days(start: date, days: int) -> date:
    """The ``days``-th business day after ``start`` (``start`` itself not counted)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end``; 0 if none."""
    if end <= start:
        return 0
    whole_weeks, rest = divmod((end - start).days, 7)
    count = whole_weeks * 5
    for offset in range(1, rest + 1):
        if is_business_day(start + timedelta(days=whole_weeks * 7 + offset)):
            count += 1
    return count


def deadline(opened_on: date, reason: str) -> date:
    """The last business day to resolve a dispute opened on ``opened_on``."""
    return add_business_days(opened_on, resolution_days(reason))
