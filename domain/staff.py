"""A staff member: who may use the staff API, in which role, by which key."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain._events import Cause, stable_id
from domain.errors import DomainError

# collector: works accounts and disputes; admin: the same, and more to come;
# auditor: reads everything and changes nothing.
STAFF_ROLES = ("collector", "admin", "auditor")
WRITING_ROLES = ("collector", "admin")


class InvalidStaffMember(DomainError):
    pass


class StaffMemberRevoked(DomainError):
    pass


class StaffEvent(Aggregate.Event):
    """A staff event: business date and cause, but no account."""

    effective_date: date
    actor: str
    channel: str
    correlation_id: str


class StaffMember(Aggregate):
    """A person with an API key. Only the key's hash is ever kept.

    Revoking is final: the key stops working and the name stays taken, so the
    log never shows two people behind one actor name.
    """

    class Added(StaffEvent, Aggregate.Created):
        name: str
        role: str
        key_hash: str

    class Revoked(StaffEvent):
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.revoked = True

    def __init__(self, name: str, role: str, key_hash: str, **_: Any) -> None:
        self.name = name
        self.role = role
        self.key_hash = key_hash
        self.revoked = False

    @staticmethod
    def id_for(name: str) -> UUID:
        return stable_id("staff", name.casefold())

    @classmethod
    def add(
        cls, *, name: str, role: str, key_hash: str, on: date, cause: Cause
    ) -> StaffMember:
        if role not in STAFF_ROLES:
            raise InvalidStaffMember(
                f"role must be one of {', '.join(STAFF_ROLES)}, not {role!r}"
            )
        if not name.strip() or name != name.strip():
            raise InvalidStaffMember(f"name {name!r} must not be blank or padded")
        if len(key_hash) != 64:
            raise InvalidStaffMember("the key hash must be a SHA-256 hex digest")
        return cls._create(
            cls.Added,
            id=cls.id_for(name),
            name=name,
            role=role,
            key_hash=key_hash,
            effective_date=on,
            **cause.fields(),
        )

    def revoke(self, *, reason: str, on: date, cause: Cause) -> None:
        if self.revoked:
            raise StaffMemberRevoked(f"{self.name}'s key is already revoked")
        self.trigger_event(
            self.Revoked, reason=reason, effective_date=on, **cause.fields()
        )
