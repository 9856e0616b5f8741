"""A message of the cadence to one account: planned, tried, sent.

The intent is recorded before anything leaves, and the send is confirmed
after, so a restart knows which messages are still to go. Each dunning step
of each invoice is claimed once, by a ``StepClaim`` whose id follows from
its key: a second message for the same step cannot be saved.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import Cause, LedgerCreated, LedgerEvent, stable_id
from domain.account import DELIVERY_CHANNELS
from domain.cadence import STEPS
from domain.errors import DomainError


class InvalidMessage(DomainError):
    pass


class MessageAlreadySent(DomainError):
    pass


def step_key(customer_id: str, invoice_number: str, step: str) -> str:
    """The idempotency key of one step for one invoice of one account."""
    return f"{customer_id}/{invoice_number}/{step}"


class StepClaim(Aggregate):
    """The claim of one step's key by the message that carries it."""

    class Claimed(LedgerCreated):
        key: str
        message_id: UUID

    def __init__(self, key: str, message_id: UUID, **_: Any) -> None:
        self.key = key
        self.message_id = message_id

    @staticmethod
    def id_for(key: str) -> UUID:
        return stable_id("step", key)


class Message(Aggregate):
    """One message to one account, by one channel, in one language.

    ``invoices`` are the facts it speaks of as they stood when it was planned
    (number, currency, open amount in minor units, due date); ``notice`` is
    the subject and body of an announcement per language. Nothing secret is
    kept: the sign-in link is made only when the message is sent.
    """

    class Planned(LedgerCreated):
        step: str
        delivery: str
        language: str
        keys: list[str]
        invoices: list[dict[str, Any]]
        notice: dict[str, Any] | None
        happened_at: str

    class AttemptFailed(LedgerEvent):
        attempt: int
        reason: str
        happened_at: str
        retry_at: str

        def apply(self, aggregate: Any) -> None:
            aggregate.attempts = self.attempt

    class Sent(LedgerEvent):
        """The message left: handed to the SMTP server, printed into a letter
        batch, or put in the portal inbox."""

        attempt: int
        reference: str
        happened_at: str

        def apply(self, aggregate: Any) -> None:
            aggregate.sent = True

    def __init__(
        self, account_id: UUID, step: str, delivery: str, keys: list[str], **_: Any
    ) -> None:
        self.account_id = account_id
        self.step = step
        self.delivery = delivery
        self.keys = keys
        self.attempts = 0
        self.sent = False

    @staticmethod
    def id_for(keys: list[str], on: date) -> UUID:
        return stable_id("message", f"{on.isoformat()}|{'|'.join(sorted(keys))}")

    @classmethod
    def plan(
        cls,
        *,
        account_id: UUID,
        step: str,
        delivery: str,
        language: str,
        keys: list[str],
        invoices: list[dict[str, Any]],
        notice: dict[str, Any] | None,
        on: date,
        at: str,
        cause: Cause,
    ) -> tuple[Message, list[StepClaim]]:
        """The message and the claims of its keys, to be saved together."""
        kind = step.split("@", 1)[0]
        if kind not in STEPS:
            raise InvalidMessage(f"step must be one of {', '.join(STEPS)}, not {step}")
        if delivery not in DELIVERY_CHANNELS:
            raise InvalidMessage(f"delivery {delivery!r} is not a channel")
        if not keys:
            raise InvalidMessage("a message names at least one step key")
        message_id = cls.id_for(keys, on)
        message = cls._create(
            cls.Planned,
            id=message_id,
            account_id=account_id,
            step=step,
            delivery=delivery,
            language=language,
            keys=keys,
            invoices=invoices,
            notice=notice,
            happened_at=at,
            effective_date=on,
            **cause.fields(),
        )
        claims = [
            StepClaim._create(
                StepClaim.Claimed,
                id=StepClaim.id_for(key),
                key=key,
                message_id=message_id,
                account_id=account_id,
                effective_date=on,
                **cause.fields(),
            )
            for key in keys
        ]
        return message, claims

    def fail(
        self, *, reason: str, on: date, at: str, retry_at: str, cause: Cause
    ) -> None:
        self._check_not_sent()
        self.trigger_event(
            self.AttemptFailed,
            attempt=self.attempts + 1,
            reason=reason,
            happened_at=at,
            retry_at=retry_at,
            account_id=self.account_id,
            effective_date=on,
            **cause.fields(),
        )

    def confirm(self, *, reference: str, on: date, at: str, cause: Cause) -> None:
        self._check_not_sent()
        self.trigger_event(
            self.Sent,
            attempt=self.attempts + 1,
            reference=reference,
            happened_at=at,
            account_id=self.account_id,
            effective_date=on,
            **cause.fields(),
        )

    def _check_not_sent(self) -> None:
        if self.sent:
            raise MessageAlreadySent(f"message {self.id} was already sent")
