"""The dunning schedule policy: which step of a cadence an invoice has reached.

Pure rules over dates. The scheduler asks them, in set-based SQL that mirrors
them, for a million invoices at a time; the tests hold the two to the same
answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from domain.errors import DomainError

# The steps that follow an invoice from its issue to its final notice; each
# one found supersedes those before it.
CHAIN = ("invoice", "courtesy", "due", "dunning_1", "dunning_2", "dunning_3", "final")
# Steps answering something that happened to an invoice or an account.
RESPONSES = ("thanks", "promise_broken", "dispute_raised", "dispute_resolved")
ANNOUNCEMENT = "announcement"
STEPS = (*CHAIN, *RESPONSES, ANNOUNCEMENT)
# The steps that speak of money owed: they carry a link to pay.
ASKS_FOR_MONEY = frozenset(
    {"invoice", "courtesy", "due", "dunning_1", "dunning_2", "dunning_3", "final"}
    | {"promise_broken"}
)
SATURDAY = 5


class InvalidCadence(DomainError):
    """A cadence whose steps would not run in order."""


@dataclass(frozen=True, slots=True)
class Cadence:
    """When each step of one customer segment goes out, in days from the due date.

    ``recent_days`` bounds the answers to events (thanks, acknowledgements,
    a broken promise's follow-up): an event older than that when first seen
    is not answered, so a first run does not thank for last year's payments.
    """

    segment: str = "default"
    courtesy_days_before: int = 5
    dunning_days_after: tuple[int, ...] = (7, 21, 45)
    final_days_after: int = 60
    recent_days: int = 7

    def __post_init__(self) -> None:
        offsets = [o for _, o in self.offsets()]
        if len(self.dunning_days_after) != 3:
            raise InvalidCadence(
                f"segment {self.segment}: dunning_days_after needs three steps, "
                f"not {len(self.dunning_days_after)}"
            )
        if offsets != sorted(set(offsets)) or self.courtesy_days_before < 1:
            raise InvalidCadence(
                f"segment {self.segment}: the courtesy reminder must come before "
                "the due date and each dunning step after the one before it, "
                "ending with the final notice"
            )
        if self.recent_days < 1:
            raise InvalidCadence(f"segment {self.segment}: recent_days must be 1+")

    def offsets(self) -> list[tuple[str, int]]:
        """The dated steps after the invoice itself, as days from the due date."""
        first, second, third = self.dunning_days_after
        return [
            ("courtesy", -self.courtesy_days_before),
            ("due", 0),
            ("dunning_1", first),
            ("dunning_2", second),
            ("dunning_3", third),
            ("final", self.final_days_after),
        ]


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """What the policy needs to know of an invoice on a business date."""

    issue_date: date
    due_date: date
    open_minor: int
    dispute_open: bool = False
    promise_open: bool = False
    covered_by_credit: bool = False


def chain_step(cadence: Cadence, invoice: InvoiceFacts, on: date) -> str | None:
    """The step of the chain the invoice has reached on ``on``, or None.

    Paid invoices reach none; disputed, promised and credit-covered ones no
    reminder (their invoice itself is still delivered). Only the latest step
    reached counts: one missed while the invoice was paused or the scheduler
    stopped is never sent late.
    """
    if on < invoice.issue_date or invoice.open_minor <= 0:
        return None
    reached = "invoice"
    for step, offset in cadence.offsets():
        day = invoice.due_date + timedelta(days=offset)
        if invoice.issue_date < day <= on:
            reached = step
    paused = invoice.dispute_open or invoice.promise_open or invoice.covered_by_credit
    return None if paused and reached != "invoice" else reached


def is_recent(happened: date | None, on: date, cadence: Cadence) -> bool:
    """Whether an event on ``happened`` is still to be answered on ``on``."""
    if happened is None:
        return False
    return happened <= on and (on - happened).days < cadence.recent_days


def next_business_day(day: date) -> date:
    """The first weekday after ``day`` (public holidays are not known)."""
    following = day + timedelta(days=1)
    while following.weekday() >= SATURDAY:
        following += timedelta(days=1)
    return following


def promise_follow_up_day(promised_date: date) -> date:
    """A promise unpaid at the end of its date is followed up the next business day."""
    return next_business_day(promised_date)


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """When a customer may hear from us, in the customer's own local time."""

    start: time = time(9)
    end: time = time(17)
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise InvalidCadence(
                f"working hours must start before they end ({self.start}-{self.end})"
            )

    def open_at(self, local: datetime) -> bool:
        """Whether a local wall-clock time falls in the working hours."""
        wall = local.time().replace(tzinfo=None)
        return local.weekday() in self.weekdays and self.start <= wall < self.end
