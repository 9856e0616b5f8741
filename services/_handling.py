"""What every command handler shares: reading aggregates, idempotency receipts
and saving all that a command changed in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper

from domain._events import Cause
from domain.account import Account
from domain.errors import DomainError
from domain.invoice import Invoice
from services import commands as c
from services._idempotency import CommandReceipt, fingerprint
from services._mapper import JSONMapper

log = structlog.get_logger("o2c.services")


class NotFound(DomainError):
    """A command names an account, invoice or payment the ledger does not have."""


class IdempotencyKeyReused(DomainError):
    """The same idempotency key came back with a different command."""


class CommandHandling(Application[UUID]):
    """The event store of o2c and the one way commands are run against it.

    Each command is checked against the aggregates it touches and saved in one
    transaction with a receipt of its idempotency key; repeating the key
    returns the first result and writes nothing.
    """

    name = "o2c"

    def construct_mapper(self) -> Mapper[UUID]:
        return JSONMapper(transcoder=self.construct_transcoder())

    # Reading aggregates -------------------------------------------------

    def account(self, number: str) -> Account:
        return self._get(Account.id_for(number), f"account {number!r}")

    def invoice(self, number: str) -> Invoice:
        return self._get(Invoice.id_for(number), f"invoice {number!r}")

    def _get(self, aggregate_id: UUID, what: str) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{what} does not exist") from None

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether any event was stored for the aggregate (one cheap lookup)."""
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def handled(self, key: str) -> dict[str, Any] | None:
        """The first result of the command with this key, or None if none ran."""
        try:
            receipt: CommandReceipt = self.repository.get(CommandReceipt.id_for(key))
        except AggregateNotFoundError:
            return None
        return dict(receipt.result)

    def _once(
        self,
        cmd: c.Command,
        handle: Callable[[], tuple[list[Any], dict[str, Any]]],
    ) -> dict[str, Any]:
        """Run a command unless its key was handled; save all it changed at once."""
        name = type(cmd).__name__
        # What was asked, not who asked: a retry by another clerk is a repeat.
        payload = name + cmd.model_dump_json(
            exclude={"actor", "channel", "correlation_id"}
        )
        receipt_id = CommandReceipt.id_for(cmd.idempotency_key)

        first = self._receipt(receipt_id, payload)
        if first is not None:
            log.info("command_repeated", command=name, key=cmd.idempotency_key)
            return first

        aggregates, result = handle()
        receipt = CommandReceipt.record(
            name, cmd.idempotency_key, fingerprint(payload), result
        )
        try:
            self.save(*aggregates, receipt)
        except IntegrityError:
            # Another process handled the same key first: answer as it did.
            first = self._receipt(receipt_id, payload)
            if first is None:
                raise
            return first
        log.info("command_handled", command=name, key=cmd.idempotency_key)
        return result

    def _receipt(self, receipt_id: UUID, payload: str) -> dict[str, Any] | None:
        try:
            receipt: CommandReceipt = self.repository.get(receipt_id)
        except AggregateNotFoundError:
            return None
        if receipt.fingerprint != fingerprint(payload):
            raise IdempotencyKeyReused(
                f"idempotency key {receipt.key!r} was already used for a "
                f"different {receipt.command} command"
            )
        return dict(receipt.result)


def _cause(cmd: c.Command) -> Cause:
    return Cause(
        actor=cmd.actor,
        channel=cmd.channel,
        correlation_id=cmd.correlation_id or cmd.idempotency_key,
    )
