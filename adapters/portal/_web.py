"""What the page and API routes share: the portal, the signed-in payer, the
payer's words, and rendering a template."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from adapters.languages import NAMES, from_header
from adapters.portal.auth import NotSignedIn
from adapters.portal.context import Portal
from adapters.portal.i18n import PortalWords, portal_words
from domain.invoice import DISPUTE_REASONS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
LANGUAGE_COOKIE = "o2c_lang"


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


def payer(request: Request) -> dict[str, Any]:
    """The signed-in payer's account; NotSignedIn without a live session."""
    portal = portal_of(request)
    account_id = portal.sessions.account(request, portal.now())
    if account_id is None:
        raise NotSignedIn()
    account = portal.cache.read(
        account_id, "account", lambda: portal.views.account(account_id)
    )
    if account is None:
        raise NotSignedIn()
    request.state.account = account
    return account


def words(request: Request) -> PortalWords:
    """The signed-in payer's language, else the browser's choice."""
    account = getattr(request.state, "account", None)
    if account is not None:
        return portal_words(account["language"] or "", account["country"])
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in NAMES:
        return portal_words(chosen)
    return portal_words(from_header(request.headers.get("accept-language", "")))


def new_key() -> str:
    """A fresh idempotency key for one rendering of a form."""
    return uuid.uuid4().hex


def render(
    request: Request, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    portal = portal_of(request)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": words(request),
            "csrf": portal.csrf.token(request),
            "account": getattr(request.state, "account", None),
            "languages": NAMES,
            "reasons": DISPUTE_REASONS,
            "page_key": new_key(),
            "max_mb": portal.attachments.max_bytes // 2**20,
            **context,
        },
        status_code=status,
    )
    return response
