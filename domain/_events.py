"""What every ledger event carries besides its own data: business date and cause."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

NAMESPACE = uuid.UUID("6f1c2b0e-5d0a-4c8e-9a57-0b2c3c1f7e11")


def stable_id(kind: str, key: str) -> uuid.UUID:
    """The same id for the same business key, so repeating a command finds it."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


@dataclass(frozen=True, slots=True)
class Cause:
    """Who or what made a change, through which channel, in which conversation."""

    actor: str
    channel: str
    correlation_id: str

    def fields(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "channel": self.channel,
            "correlation_id": self.correlation_id,
        }


class LedgerEvent(Aggregate.Event):
    """An event with its account, its effective (business) date and its cause.

    Every event names the account it concerns, so the log can be partitioned by
    account and read in order per account without looking anything up.
    """

    account_id: UUID
    effective_date: date
    actor: str
    channel: str
    correlation_id: str


class LedgerCreated(LedgerEvent, Aggregate.Created):
    """The first event of an aggregate, with its business date and cause."""
