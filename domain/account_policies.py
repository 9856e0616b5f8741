"""Checks of the policies a customer account carries: time zone, contacts and
credit limit."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidPolicy
from domain.money import Money

CONTACT_ROLES = ("billing", "escalation")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*")


def check_time_zone(name: str) -> str:
    """An IANA time zone name such as ``Europe/Berlin`` or ``Asia/Tokyo``."""
    if _ZONE.fullmatch(name) is None:
        raise InvalidPolicy(f"time zone {name!r} is not an IANA name like Asia/Tokyo")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidPolicy(
            f"time zone {name!r} is not an IANA name like Asia/Tokyo"
        ) from None
    return name


def check_contact(
    role: str, email: str, name: str, address_lines: list[str]
) -> dict[str, Any]:
    """A contact as the account keeps it: its role, name, e-mail and the postal
    address lines a paper letter shows in its window."""
    if role not in CONTACT_ROLES:
        raise InvalidPolicy(
            f"contact role must be one of {', '.join(CONTACT_ROLES)}, not {role!r}"
        )
    if email and _EMAIL.fullmatch(email) is None:
        raise InvalidPolicy(f"the {role} contact's e-mail {email!r} is not an address")
    if not email and not address_lines:
        raise InvalidPolicy(f"the {role} contact needs an e-mail or a postal address")
    if len(address_lines) > 6:
        raise InvalidPolicy("a postal address has at most 6 lines")
    return {
        "role": role,
        "name": name,
        "email": email,
        "address_lines": list(address_lines),
    }


def credit_limit_in(limit: Money | None, currency: str) -> Money | None:
    """The limit, which must be in the account currency and not below zero."""
    if limit is None:
        return None
    if limit.currency != currency:
        raise InvalidPolicy(
            f"credit limit must be in the account currency {currency}, "
            f"not {limit.currency}"
        )
    if limit.amount < 0:
        raise InvalidPolicy(f"credit limit must not be below zero, not {limit}")
    return limit
