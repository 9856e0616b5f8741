"""Receipts of handled commands, so a repeated key returns the first result."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import stable_id


class CommandReceipt(Aggregate):
    """The record that a command with a given idempotency key was handled.

    It is saved in the same transaction as the command's own events, so either
    both exist or neither does.
    """

    class Recorded(Aggregate.Created):
        command: str
        key: str
        fingerprint: str
        result: dict[str, Any]

    def __init__(
        self, command: str, key: str, fingerprint: str, result: dict[str, Any]
    ) -> None:
        self.command = command
        self.key = key
        self.fingerprint = fingerprint
        self.result = result

    @staticmethod
    def id_for(key: str) -> UUID:
        """One receipt per key, whatever the command: a key is never reused."""
        return stable_id("command", key)

    @classmethod
    def record(
        cls, command: str, key: str, fingerprint: str, result: dict[str, Any]
    ) -> CommandReceipt:
        return cls._create(
            cls.Recorded,
            id=cls.id_for(key),
            command=command,
            key=key,
            fingerprint=fingerprint,
            result=result,
        )


def fingerprint(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()
