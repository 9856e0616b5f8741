"""The invoice: what an account owes, in the currency it was issued in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import Cause, LedgerCreated, LedgerEvent, stable_id
from domain.errors import (
    AllocationBeforeInvoiceDate,
    AllocationExceedsOpenAmount,
    CurrencyMismatch,
    InvalidAmount,
    InvalidDate,
    InvalidDisputeStep,
    InvoiceAlreadyDisputed,
    InvoiceAlreadySettled,
    InvoiceNotDisputed,
    NoWriteOffRequested,
    WriteOffAlreadyRequested,
    WriteOffNeedsAnotherApprover,
)
from domain.money import Money
from domain.terms import EarlyPaymentDiscount

STATUSES = ("open", "partially_paid", "paid", "disputed", "written_off")

# The reasons a payer can pick when disputing an invoice from the portal.
DISPUTE_REASONS = (
    "not_received",
    "wrong_amount",
    "wrong_items",
    "damaged",
    "already_paid",
    "duplicate",
    "other",
)


class Invoice(Aggregate):
    """An issued invoice and everything that reduced its open amount.

    Its currency is fixed when it is issued. Allocations from payments and
    credit memos reduce the open amount; they can never take it below zero.
    """

    class Issued(LedgerCreated):
        """Version 2 adds the account's ``terms`` at issue and the early-payment
        discount they carried (``discount_percent`` until ``discount_until``)."""

        class_version = 2

        number: str
        currency: str
        amount: Decimal
        issue_date: date
        due_date: date
        delivery: str
        terms: str | None
        discount_percent: Decimal | None
        discount_until: date | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["terms"] = None
            state["discount_percent"] = None
            state["discount_until"] = None

    class AllocationApplied(LedgerEvent):
        source_id: UUID
        source_kind: str
        currency: str
        amount: Decimal

        def apply(self, aggregate: Any) -> None:
            aggregate.reduce(self.amount, self.effective_date)

    class Disputed(LedgerEvent):
        """Version 2 adds ``attachment_id``: a document the payer sent along."""

        class_version = 2

        reason: str
        note: str
        attachment_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["attachment_id"] = None

        def apply(self, aggregate: Any) -> None:
            aggregate.dispute_open = True
            aggregate.ever_disputed = True
            aggregate.dispute_in_review = False
            aggregate.dispute_assignee = None

    class DisputeResolved(LedgerEvent):
        outcome: str

        def apply(self, aggregate: Any) -> None:
            aggregate.dispute_open = False

    class DisputeAssigned(LedgerEvent):
        assignee: str

        def apply(self, aggregate: Any) -> None:
            aggregate.dispute_assignee = self.assignee

    class DisputeNoted(LedgerEvent):
        note: str

    class DisputeTakenIntoReview(LedgerEvent):
        note: str

        def apply(self, aggregate: Any) -> None:
            aggregate.dispute_in_review = True

    class DisputeRejected(LedgerEvent):
        """The dispute is closed without a credit; the payer sees why."""

        explanation: str

        def apply(self, aggregate: Any) -> None:
            aggregate.dispute_open = False

    class WriteOffRequested(LedgerEvent):
        """A write-off waits for a second staff member's approval."""

        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.write_off_request = (self.actor, self.reason)

    class Sent(LedgerEvent):
        """The invoice went to the payer; the address is kept only as a hash."""

        recipient_hash: str
        language: str

        def apply(self, aggregate: Any) -> None:
            aggregate.last_sent_on = self.effective_date

    class WrittenOff(LedgerEvent):
        currency: str
        amount: Decimal
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.written_off = True
            aggregate.reduce(self.amount, self.effective_date)

    def __init__(
        self,
        number: str,
        account_id: UUID,
        currency: str,
        amount: Decimal,
        issue_date: date,
        due_date: date,
        delivery: str,
        **_: Any,
    ) -> None:
        self.number = number
        self.account_id = account_id
        self.currency = currency
        self.amount = amount
        self.open_amount = amount
        self.issue_date = issue_date
        self.due_date = due_date
        self.delivery = delivery
        self.settled_date: date | None = None
        self.last_reduced_on: date | None = None
        self.dispute_open = False
        self.ever_disputed = False
        self.dispute_in_review = False
        self.dispute_assignee: str | None = None
        self.written_off = False
        self.write_off_request: tuple[str, str] | None = None
        self.last_sent_on: date | None = None

    @staticmethod
    def id_for(number: str) -> UUID:
        return stable_id("invoice", number)

    def reduce(self, amount: Decimal, on: date) -> None:
        """Lower the open amount; settled on the latest business date of any
        reduction once nothing is left open."""
        self.open_amount -= amount
        if self.last_reduced_on is None or on > self.last_reduced_on:
            self.last_reduced_on = on
        if self.open_amount == 0:
            self.settled_date = self.last_reduced_on
            self.dispute_open = False

    @classmethod
    def issue(
        cls,
        *,
        number: str,
        account_id: UUID,
        amount: Money,
        issue_date: date,
        due_date: date,
        delivery: str,
        cause: Cause,
        terms: str | None = None,
        discount: EarlyPaymentDiscount | None = None,
    ) -> Invoice:
        if not amount.is_positive():
            raise InvalidAmount(f"invoice amount must be above zero, not {amount}")
        if due_date < issue_date:
            raise InvalidDate(
                f"due date {due_date} is before the issue date {issue_date}"
            )
        return cls._create(
            cls.Issued,
            id=cls.id_for(number),
            number=number,
            account_id=account_id,
            currency=amount.currency,
            amount=amount.amount,
            issue_date=issue_date,
            due_date=due_date,
            delivery=delivery,
            terms=terms,
            discount_percent=None if discount is None else discount.percent,
            discount_until=None if discount is None else discount.until(issue_date),
            effective_date=issue_date,
            **cause.fields(),
        )

    @property
    def open(self) -> Money:
        return Money(self.open_amount, self.currency)

    @property
    def status(self) -> str:
        if self.written_off:
            return "written_off"
        if self.open_amount == 0:
            return "paid"
        if self.dispute_open:
            return "disputed"
        if self.open_amount < self.amount:
            return "partially_paid"
        return "open"

    def apply_allocation(
        self,
        *,
        source_id: UUID,
        source_kind: str,
        amount: Money,
        on: date,
        cause: Cause,
    ) -> None:
        self._check_can_reduce(amount, on)
        self.trigger_event(
            self.AllocationApplied,
            source_id=source_id,
            source_kind=source_kind,
            currency=self.currency,
            amount=amount.amount,
            effective_date=on,
            account_id=self.account_id,
            **cause.fields(),
        )

    def dispute(
        self,
        *,
        reason: str,
        note: str,
        on: date,
        cause: Cause,
        attachment_id: str | None = None,
    ) -> None:
        self._check_not_settled()
        self._check_not_before_issue(on, "a dispute")
        if self.dispute_open:
            raise InvoiceAlreadyDisputed(f"invoice {self.number} is already disputed")
        self.trigger_event(
            self.Disputed,
            reason=reason,
            note=note,
            attachment_id=attachment_id,
            effective_date=on,
            account_id=self.account_id,
            **cause.fields(),
        )

    def resolve_dispute(self, *, outcome: str, on: date, cause: Cause) -> None:
        if not self.dispute_open:
            raise InvoiceNotDisputed(f"invoice {self.number} has no open dispute")
        self._check_not_before_issue(on, "a resolution")
        self.trigger_event(
            self.DisputeResolved,
            outcome=outcome,
            effective_date=on,
            account_id=self.account_id,
            **cause.fields(),
        )

    # The dispute workflow ------------------------------------------------

    def assign_dispute(self, assignee: str, *, on: date, cause: Cause) -> None:
        self._check_dispute_open(on)
        if not assignee.strip():
            raise InvalidDisputeStep("a dispute is assigned to a named staff member")
        if assignee == self.dispute_assignee:
            return
        self._dispute_event(self.DisputeAssigned, on, cause, assignee=assignee)

    def note_dispute(self, note: str, *, on: date, cause: Cause) -> None:
        self._check_dispute_open(on)
        if not note.strip():
            raise InvalidDisputeStep("a note on a dispute says something")
        self._dispute_event(self.DisputeNoted, on, cause, note=note)

    def review_dispute(self, *, note: str, on: date, cause: Cause) -> None:
        self._check_dispute_open(on)
        if self.dispute_in_review:
            raise InvalidDisputeStep(
                f"the dispute of invoice {self.number} is already in review"
            )
        self._dispute_event(self.DisputeTakenIntoReview, on, cause, note=note)

    def reject_dispute(self, explanation: str, *, on: date, cause: Cause) -> None:
        """Close the dispute without a credit; the explanation goes to the payer."""
        self._check_dispute_open(on)
        if not explanation.strip():
            raise InvalidDisputeStep(
                "a rejected dispute needs the explanation the payer will read"
            )
        self._dispute_event(self.DisputeRejected, on, cause, explanation=explanation)

    def _check_dispute_open(self, on: date) -> None:
        if not self.dispute_open:
            raise InvoiceNotDisputed(f"invoice {self.number} has no open dispute")
        self._check_not_before_issue(on, "a dispute step")

    def _dispute_event(self, event: Any, on: date, cause: Cause, **fields: Any) -> None:
        self.trigger_event(
            event,
            effective_date=on,
            account_id=self.account_id,
            **fields,
            **cause.fields(),
        )

    # Write-offs ------------------------------------------------------------

    def request_write_off(self, *, reason: str, on: date, cause: Cause) -> None:
        """Ask for a write-off; another staff member approves it."""
        self._check_not_settled()
        self._check_not_before_issue(on, "a write-off request")
        if self.write_off_request is not None:
            raise WriteOffAlreadyRequested(
                f"a write-off of invoice {self.number} was already requested by "
                f"{self.write_off_request[0]}"
            )
        if not reason.strip():
            raise InvalidDisputeStep("a write-off request needs its reason")
        self._dispute_event(self.WriteOffRequested, on, cause, reason=reason)

    def approve_write_off(self, *, on: date, cause: Cause) -> None:
        """Write off what is open, as requested, when someone else approves."""
        if self.write_off_request is None:
            raise NoWriteOffRequested(
                f"nobody requested a write-off of invoice {self.number}"
            )
        requester, reason = self.write_off_request
        if cause.actor == requester:
            raise WriteOffNeedsAnotherApprover(
                f"{requester} requested the write-off of invoice {self.number}; "
                "another staff member must approve it"
            )
        self.write_off(reason=reason, on=on, cause=cause)

    def record_sent(
        self, *, recipient_hash: str, language: str, on: date, cause: Cause
    ) -> None:
        """Note that the invoice e-mail went out; a settled invoice is not sent."""
        self._check_not_settled()
        self._check_not_before_issue(on, "sending")
        self.trigger_event(
            self.Sent,
            recipient_hash=recipient_hash,
            language=language,
            effective_date=on,
            account_id=self.account_id,
            **cause.fields(),
        )

    def write_off(self, *, reason: str, on: date, cause: Cause) -> None:
        """Close what is still open; dated on or after everything that reduced it."""
        self._check_not_settled()
        self._check_not_before_issue(on, "a write-off")
        if self.last_reduced_on is not None and on < self.last_reduced_on:
            raise InvalidDate(
                f"a write-off on {on} would come before the allocation of "
                f"{self.last_reduced_on} on invoice {self.number}"
            )
        self.trigger_event(
            self.WrittenOff,
            currency=self.currency,
            amount=self.open_amount,
            reason=reason,
            effective_date=on,
            account_id=self.account_id,
            **cause.fields(),
        )

    def _check_not_settled(self) -> None:
        if self.open_amount == 0:
            raise InvoiceAlreadySettled(f"invoice {self.number} is already settled")

    def _check_not_before_issue(self, on: date, what: str = "an allocation") -> None:
        if on < self.issue_date:
            raise AllocationBeforeInvoiceDate(
                f"{what} on {on} is before invoice {self.number} was issued "
                f"({self.issue_date})"
            )

    def _check_can_reduce(self, amount: Money, on: date) -> None:
        if amount.currency != self.currency:
            raise CurrencyMismatch(
                f"invoice {self.number} is in {self.currency}, not {amount.currency}"
            )
        if not amount.is_positive():
            raise InvalidAmount(f"an allocation must be above zero, not {amount}")
        self._check_not_settled()
        if amount.amount > self.open_amount:
            raise AllocationExceedsOpenAmount(
                f"{amount} is more than the {self.open} open on invoice {self.number}"
            )
        self._check_not_before_issue(on)
