"""Getting in: signed single-use links, cookie sessions and CSRF tokens.

A link carries the account (and perhaps the invoice it was sent for), a
random nonce and its expiry, signed with the portal's secret. Redeeming it
records the nonce, so a second use fails. A session is a random id in an
HttpOnly cookie that names a row of the portal store; logging out deletes
the row. Every form carries a token derived from a per-browser cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer

from adapters.portal._store import PortalStore

if TYPE_CHECKING:
    from adapters.portal.settings import PortalSettings

SESSION_COOKIE = "o2c_session"
CSRF_COOKIE = "o2c_csrf"


class LinkRefused(Exception):
    """A sign-in link that is forged, expired or already used."""


class NotSignedIn(Exception):
    """The request needs a session and has none (or an expired one)."""


class CsrfRefused(Exception):
    """A form or API call came without the browser's CSRF token."""


def load_secret(data_dir: Path) -> bytes:
    """The portal's signing secret, generated once and kept in the data folder."""
    path = data_dir / "portal-secret"
    if path.exists():
        return path.read_bytes()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(secret)
    return secret


@dataclass(frozen=True)
class Visit:
    """Who a link signs in, and the invoice it opens, if any."""

    account_id: str
    invoice_id: str | None


@dataclass(frozen=True)
class SignInLink:
    """A link to send, and when it stops working."""

    url: str
    expires: datetime


class Links:
    """Signed, expiring, single-use sign-in links."""

    def __init__(self, secret: bytes, store: PortalStore) -> None:
        self.secret = secret
        self.serializer = URLSafeSerializer(secret, salt="o2c-sign-in-link")
        self.store = store

    def make(
        self, account_id: str, invoice_id: str | None, minutes: int, now: float
    ) -> str:
        payload = {
            "a": account_id,
            "i": invoice_id,
            "n": secrets.token_urlsafe(16),
            "e": int(now + minutes * 60),
        }
        return str(self.serializer.dumps(payload))

    def link(
        self,
        public_url: str,
        account_id: str,
        invoice_id: str | None,
        settings: PortalSettings,
        now: float,
    ) -> SignInLink:
        """The full link under the portal's public URL. One that opens an
        invoice (sent in its e-mail) lives longer than one a payer asked for."""
        minutes = (
            settings.link_minutes
            if invoice_id is not None
            else settings.sign_in_link_minutes
        )
        token = self.make(account_id, invoice_id, minutes, now)
        expires = datetime.fromtimestamp(now + minutes * 60, UTC)
        return SignInLink(f"{public_url.rstrip('/')}/in/{token}", expires)

    def redeem(self, token: str, now: float) -> Visit:
        """Check a link and use it up; raise LinkRefused if it cannot be used."""
        try:
            payload = self.serializer.loads(token)
        except BadSignature:
            raise LinkRefused("forged") from None
        if not isinstance(payload, dict) or payload.get("e", 0) <= now:
            raise LinkRefused("expired")
        if not self.store.use_link(str(payload["n"]), now):
            raise LinkRefused("used")
        return Visit(str(payload["a"]), payload.get("i"))


class Sessions:
    """Cookie sessions backed by the portal store, extended on every use."""

    def __init__(self, store: PortalStore, minutes: int) -> None:
        self.store = store
        self.seconds = minutes * 60

    def open(
        self, response: Response, account_id: str, now: float, https: bool
    ) -> None:
        session_id = secrets.token_urlsafe(32)
        self.store.open_session(session_id, account_id, now + self.seconds)
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            max_age=self.seconds,
            httponly=True,
            samesite="lax",
            secure=https,
            path="/",
        )

    def account(self, request: Request, now: float) -> str | None:
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            return None
        found = self.store.session(session_id, now)
        if found is None:
            return None
        account_id, expires = found
        # Extended at most once a minute, so reading a page rarely writes.
        if expires - now < self.seconds - 60:
            self.store.extend_session(session_id, now + self.seconds)
        return account_id

    def close(self, request: Request, response: Response) -> None:
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            self.store.close_session(session_id)
        response.delete_cookie(SESSION_COOKIE, path="/")


class Csrf:
    """Tokens bound to a random per-browser cookie (signed double submit)."""

    def __init__(self, secret: bytes) -> None:
        self.key = hashlib.sha256(b"o2c-csrf" + secret).digest()

    def seed(self, request: Request) -> str:
        """The browser's CSRF cookie value, or a new one the response must set."""
        seed = request.cookies.get(CSRF_COOKIE) or getattr(
            request.state, "csrf_seed", None
        )
        if not seed:
            seed = secrets.token_urlsafe(24)
            request.state.csrf_new = True
        request.state.csrf_seed = seed
        return str(seed)

    def token(self, request: Request) -> str:
        return hmac.new(self.key, self.seed(request).encode(), "sha256").hexdigest()

    def check(self, request: Request, token: str | None) -> None:
        seed = request.cookies.get(CSRF_COOKIE)
        if not seed or not token:
            raise CsrfRefused()
        expected = hmac.new(self.key, seed.encode(), "sha256").hexdigest()
        if not hmac.compare_digest(expected, token):
            raise CsrfRefused()
