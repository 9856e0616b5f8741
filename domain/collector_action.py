"""What a collector did about an account: a call, a follow-up date, an escalation."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import Cause, LedgerCreated, stable_id
from domain.errors import DomainError, InvalidDate

CALL_OUTCOMES = (
    "reached",
    "no_answer",
    "left_message",
    "wrong_number",
    "promised",
    "disputed",
    "refused",
)


class InvalidCollectorAction(DomainError):
    pass


class CollectorAction(Aggregate):
    """One action, recorded once under its idempotency key; it never changes.

    Each names its account, so the account's timeline and the worklist show
    it with the collector who took it.
    """

    class CallLogged(LedgerCreated):
        outcome: str
        note: str

    class FollowUpScheduled(LedgerCreated):
        follow_up_on: date
        note: str

    class Escalated(LedgerCreated):
        reason: str

    def __init__(self, account_id: UUID, effective_date: date, **_: Any) -> None:
        self.account_id = account_id
        self.taken_on = effective_date

    @staticmethod
    def id_for(key: str) -> UUID:
        return stable_id("collector_action", key)

    @classmethod
    def log_call(
        cls, *, key: str, account_id: UUID, outcome: str, note: str, on: date,
        cause: Cause,
    ) -> CollectorAction:  # fmt: skip
        if outcome not in CALL_OUTCOMES:
            raise InvalidCollectorAction(
                f"outcome must be one of {', '.join(CALL_OUTCOMES)}, not {outcome!r}"
            )
        return cls._take(
            cls.CallLogged, key, account_id, on, cause, outcome=outcome, note=note
        )

    @classmethod
    def schedule_follow_up(
        cls, *, key: str, account_id: UUID, follow_up_on: date, note: str, on: date,
        cause: Cause,
    ) -> CollectorAction:  # fmt: skip
        if follow_up_on < on:
            raise InvalidDate(
                f"the follow-up date {follow_up_on} is before today ({on})"
            )
        return cls._take(
            cls.FollowUpScheduled, key, account_id, on, cause,
            follow_up_on=follow_up_on, note=note,
        )  # fmt: skip

    @classmethod
    def escalate(
        cls, *, key: str, account_id: UUID, reason: str, on: date, cause: Cause
    ) -> CollectorAction:
        if not reason.strip():
            raise InvalidCollectorAction("an escalation needs its reason")
        return cls._take(cls.Escalated, key, account_id, on, cause, reason=reason)

    @classmethod
    def _take(
        cls, event: Any, key: str, account_id: UUID, on: date, cause: Cause,
        **fields: Any,
    ) -> CollectorAction:  # fmt: skip
        return cls._create(
            event,
            id=cls.id_for(key),
            account_id=account_id,
            effective_date=on,
            **fields,
            **cause.fields(),
        )
