"""Who is calling the staff API: an API key, sent as ``Authorization: Bearer KEY``
or ``X-API-Key: KEY``, looked up by its hash among staff members not revoked."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import Depends, Header, HTTPException, Request

from adapters.portal._web import portal_of
from domain.staff import WRITING_ROLES
from projections.collections import CollectionViews
from services.staff import hash_key

log = structlog.get_logger("o2c.staff")


def _key_of(authorization: str | None, api_key: str | None) -> str | None:
    if api_key:
        return api_key.strip()
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return None


def staff_member(
    request: Request,
    authorization: Annotated[str | None, Header(max_length=300)] = None,
    api_key: Annotated[str | None, Header(alias="X-API-Key", max_length=300)] = None,
) -> dict[str, Any]:
    """The staff member behind the request's key; 401 without a valid one."""
    key = _key_of(authorization, api_key)
    if not key:
        raise HTTPException(
            401,
            "an API key is required: Authorization: Bearer KEY or X-API-Key: KEY",
            headers={"WWW-Authenticate": "Bearer"},
        )
    portal = portal_of(request)
    with portal.lock:
        portal.engine.catch_up()
        found = CollectionViews(portal.engine.models.con).staff_by_key_hash(
            hash_key(key)
        )
    if found is None:
        log.info("staff_key_refused")
        raise HTTPException(
            401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"}
        )
    return found


Staff = Annotated[dict[str, Any], Depends(staff_member)]


def staff_writer(member: Staff) -> dict[str, Any]:
    """A staff member whose role may change things; the auditor only reads."""
    if member["role"] not in WRITING_ROLES:
        raise HTTPException(
            403, f"the {member['role']} role reads only; this call changes the ledger"
        )
    return member


Writer = Annotated[dict[str, Any], Depends(staff_writer)]
