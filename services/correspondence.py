"""Recording the cadence's messages: the intent before sending, the outcome after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain._events import Cause
from domain.message import Message
from services.receivables import Receivables

log = structlog.get_logger("o2c.services")


@dataclass(frozen=True)
class Draft:
    """A message the scheduler decided to send, before it is recorded."""

    account_id: str
    step: str
    delivery: str
    language: str
    keys: list[str]
    invoices: list[dict[str, Any]]
    on: date
    notice: dict[str, Any] | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of one planned message when it was tried."""

    message_id: str
    on: date
    reference: str = ""
    failure: str = ""
    retry_at: str = ""


class Correspondence:
    """The write side of the cadence, on the receivables' event store.

    A message is planned (with a claim on each of its step keys) before it
    leaves and confirmed after; a claim can be saved only once, so no step of
    an invoice is planned twice, whatever runs at the same time or again.
    """

    def __init__(self, app: Receivables, run_id: str = "scheduler") -> None:
        self.app = app
        self.cause = Cause(
            actor="scheduler", channel="scheduler", correlation_id=run_id
        )

    def plan(self, drafts: Sequence[Draft], at: str) -> list[str]:
        """Record the drafts in one transaction; their message ids.

        When another run claimed one of the keys first, the drafts are
        recorded one by one and those that clash are left out.
        """
        made = [self._message(draft, at) for draft in drafts]
        try:
            self.app.save(*(a for message, claims in made for a in (message, *claims)))
            planned = [str(message.id) for message, _ in made]
        except IntegrityError:
            planned = []
            for draft in drafts:
                message, claims = self._message(draft, at)
                try:
                    self.app.save(message, *claims)
                except IntegrityError:
                    log.info("message_already_claimed", step=draft.step)
                    continue
                planned.append(str(message.id))
        log.info("messages_planned", count=len(planned))
        return planned

    def record(self, outcomes: Sequence[Outcome], at: str) -> int:
        """Confirm sent messages and note failed attempts, in one transaction.

        A message already confirmed (its send was journaled twice) is left
        as it is. Returns how many messages changed.
        """
        changed = []
        for outcome in outcomes:
            try:
                message: Message = self.app.repository.get(UUID(outcome.message_id))
            except AggregateNotFoundError:
                continue
            if message.sent:
                continue
            if outcome.failure:
                message.fail(
                    reason=outcome.failure,
                    on=outcome.on,
                    at=at,
                    retry_at=outcome.retry_at,
                    cause=self.cause,
                )
            else:
                message.confirm(
                    reference=outcome.reference, on=outcome.on, at=at, cause=self.cause
                )
            changed.append(message)
        if changed:
            self.app.save(*changed)
        return len(changed)

    def _message(self, draft: Draft, at: str) -> tuple[Message, list[Any]]:
        return Message.plan(
            account_id=UUID(draft.account_id),
            step=draft.step,
            delivery=draft.delivery,
            language=draft.language,
            keys=draft.keys,
            invoices=draft.invoices,
            notice=draft.notice,
            on=draft.on,
            at=at,
            cause=self.cause,
        )
