"""The payment gateway port, and its adapter that speaks HTTP to a gateway.

Card and bank details are typed on the gateway's own page, never on the
portal's: the portal sends the payer there, gets a token back by redirect,
then asks the gateway, server to server, what the token is and to charge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

import httpx
import structlog

from domain.money import Money

log = structlog.get_logger("o2c.gateway")

UNREACHABLE = "gateway_unreachable"


@dataclass(frozen=True)
class TokenDetails:
    """What o2c may keep of a payment method: never its number."""

    kind: str
    brand: str
    last4: str
    expiry_month: int | None
    expiry_year: int | None


@dataclass(frozen=True)
class Charge:
    """A gateway's answer: approved with its id, or refused with a reason code."""

    approved: bool
    charge_id: str
    code: str


class PaymentGateway(Protocol):
    def tokenize_url(self, kind: str, return_url: str, state: str) -> str:
        """Where the payer's browser goes to enter a card or bank account."""
        ...

    def details(self, token: str) -> TokenDetails | None:
        """The brand, last four digits and expiry behind a token."""
        ...

    def charge(self, token: str, amount: Money, key: str) -> Charge:
        """Charge a token; the same key always gives the first answer."""
        ...


class HttpGateway:
    """A gateway reached over HTTP: a browser-facing page for tokens and a
    server-to-server API with a bearer key for details and charges."""

    def __init__(self, page_url: str, client: httpx.Client, api_key: str) -> None:
        self.page_url = page_url.rstrip("/")
        self.client = client
        self.headers = {"Authorization": f"Bearer {api_key}"}

    def tokenize_url(self, kind: str, return_url: str, state: str) -> str:
        query = urlencode({"kind": kind, "return_url": return_url, "state": state})
        return f"{self.page_url}/tokenize?{query}"

    def details(self, token: str) -> TokenDetails | None:
        try:
            answer = self.client.get(f"/v1/tokens/{token}", headers=self.headers)
        except httpx.HTTPError:
            log.warning("gateway_unreachable", call="details")
            return None
        if answer.status_code != 200:
            return None
        found = answer.json()
        return TokenDetails(
            kind=str(found["kind"]),
            brand=str(found["brand"]),
            last4=str(found["last4"]),
            expiry_month=found.get("exp_month"),
            expiry_year=found.get("exp_year"),
        )

    def charge(self, token: str, amount: Money, key: str) -> Charge:
        body = {
            "token": token,
            "amount": str(amount.amount),
            "currency": amount.currency,
        }
        try:
            answer = self.client.post(
                "/v1/charges",
                json=body,
                headers={**self.headers, "Idempotency-Key": key},
            )
        except httpx.HTTPError:
            log.warning("gateway_unreachable", call="charge")
            return Charge(False, "", UNREACHABLE)
        if answer.status_code >= 500:
            return Charge(False, "", "processing_error")
        found = answer.json()
        approved = found.get("status") == "succeeded"
        return Charge(approved, str(found.get("id", "")), str(found.get("code", "")))
