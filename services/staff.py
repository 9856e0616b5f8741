"""Staff access: adding staff members with a role and an API key, revoking them.

The key is made here and shown once; the store keeps only its SHA-256 hash, so
a copy of the log or of the read models opens no door.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from domain.errors import DomainError
from domain.staff import StaffMember
from services import commands as c
from services._handling import CommandHandling, NotFound, _cause

KEY_PREFIX = "o2c_"


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class StaffAccess(CommandHandling):
    """Staff members and their keys, as events of their own aggregates."""

    def add_staff_member(self, cmd: c.AddStaffMember) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            if self.exists(StaffMember.id_for(cmd.name)):
                raise DomainError(f"staff member {cmd.name!r} already exists")
            member = StaffMember.add(
                name=cmd.name,
                role=cmd.role,
                key_hash=cmd.key_hash,
                on=cmd.on,
                cause=_cause(cmd),
            )
            result = {"staff_id": str(member.id), "name": cmd.name, "role": cmd.role}
            return [member], result

        return self._once(cmd, handle)

    def revoke_staff_member(self, cmd: c.RevokeStaffMember) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            member = self.staff_member(cmd.name)
            member.revoke(reason=cmd.reason, on=cmd.on, cause=_cause(cmd))
            return [member], {"staff_id": str(member.id), "revoked": True}

        return self._once(cmd, handle)

    def staff_member(self, name: str) -> StaffMember:
        found = self._get(StaffMember.id_for(name), f"staff member {name!r}")
        if not isinstance(found, StaffMember):
            raise NotFound(f"staff member {name!r} does not exist")
        return found
