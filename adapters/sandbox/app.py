"""The sandbox gateway as its own ASGI app: a tokenization page for browsers
and a small charges API for servers, like a real payment service.

It keeps tokens and charges in an SQLite file; never the card number, only
what a charge on it will do (see ``cards.OUTCOMES``).
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
import threading
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from adapters.sandbox.cards import Refused, check_card, check_iban

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, kind TEXT, brand TEXT, last4 TEXT,
    exp_month INTEGER, exp_year INTEGER, outcome TEXT
);
CREATE TABLE IF NOT EXISTS charges (
    key TEXT PRIMARY KEY, id TEXT, token TEXT, amount TEXT, currency TEXT,
    status TEXT, code TEXT
);
"""

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


class _Ledger:
    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.con.executescript(SCHEMA)
        self.lock = threading.Lock()

    def query(self, sql: str, params: tuple[Any, ...]) -> Any:
        with self.lock:
            return self.con.execute(sql, params).fetchone()


def create_sandbox(path: Path, api_key: str, return_origins: list[str]) -> FastAPI:
    """The sandbox gateway; it redirects only back to ``return_origins``."""
    app = FastAPI(title="o2c sandbox gateway", docs_url=None, redoc_url=None)
    ledger = _Ledger(path)
    origins = [o.rstrip("/") for o in return_origins]

    def csp(response: Response) -> Response:
        targets = " ".join(origins)
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; "
            f"form-action 'self' {targets}; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def check_return(return_url: str) -> None:
        parts = urlsplit(return_url)
        if f"{parts.scheme}://{parts.netloc}" not in origins:
            raise HTTPException(400, "return_url is not a registered origin")

    def page(request: Request, **context: Any) -> Response:
        shown = TEMPLATES.TemplateResponse(request, "tokenize.html", context)
        return csp(shown)

    @app.get("/tokenize", response_class=HTMLResponse)
    def tokenize_page(
        request: Request, return_url: str, state: str, kind: str = "card"
    ) -> Response:
        check_return(return_url)
        cancel = f"{return_url}?{urlencode({'state': state, 'error': 'cancelled'})}"
        return page(
            request,
            kind=kind,
            return_url=return_url,
            state=state,
            cancel=cancel,
            error="",
            field="",
        )

    @app.post("/tokenize")
    def tokenize(
        request: Request,
        return_url: Annotated[str, Form()],
        state: Annotated[str, Form()],
        kind: Annotated[str, Form()] = "card",
        number: Annotated[str, Form()] = "",
        expiry: Annotated[str, Form()] = "",
        cvc: Annotated[str, Form()] = "",
        iban: Annotated[str, Form()] = "",
    ) -> Response:
        check_return(return_url)
        try:
            if kind == "bank_account":
                checked = check_iban(iban)
            else:
                checked = check_card(number, expiry, cvc, date.today())
        except Refused as refused:
            cancel = f"{return_url}?{urlencode({'state': state, 'error': 'cancelled'})}"
            return page(
                request,
                kind=kind,
                return_url=return_url,
                state=state,
                cancel=cancel,
                error=str(refused),
                field=refused.field,
            )
        token = "tok_" + secrets.token_urlsafe(18)
        ledger.query(
            "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                token,
                checked.kind,
                checked.brand,
                checked.last4,
                checked.exp_month,
                checked.exp_year,
                checked.outcome,
            ),
        )
        target = f"{return_url}?{urlencode({'token': token, 'state': state})}"
        return csp(RedirectResponse(target, status_code=303))

    def authorized(authorization: str | None) -> None:
        expected = f"Bearer {api_key}"
        if authorization is None or not hmac.compare_digest(authorization, expected):
            raise HTTPException(401, "a valid API key is required")

    # The server-to-server calls run on the event loop, not in the worker
    # threads: served in the portal's process, they must not wait behind the
    # portal requests that are waiting for them.
    @app.get("/v1/tokens/{token}")
    async def token_details(
        token: str, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        authorized(authorization)
        found = ledger.query(
            "SELECT kind, brand, last4, exp_month, exp_year FROM tokens "
            "WHERE token = ?",
            (token,),
        )
        if found is None:
            raise HTTPException(404, "no such token")
        names = ("kind", "brand", "last4", "exp_month", "exp_year")
        return dict(zip(names, found, strict=True))

    @app.post("/v1/charges")
    async def charge(
        body: dict[str, str],
        idempotency_key: Annotated[str, Header()],
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, str]:
        authorized(authorization)
        first = ledger.query(
            "SELECT id, status, code FROM charges WHERE key = ?", (idempotency_key,)
        )
        if first is not None:
            return {"id": first[0], "status": first[1], "code": first[2]}
        found = ledger.query(
            "SELECT outcome FROM tokens WHERE token = ?", (body.get("token", ""),)
        )
        try:
            amount = Decimal(body.get("amount", ""))
        except InvalidOperation:
            raise HTTPException(422, "amount is not a number") from None
        if found is None or amount <= 0:
            raise HTTPException(422, "unknown token or amount not above zero")
        outcome = found[0]
        status = "succeeded" if outcome == "approved" else "failed"
        charge_id = "ch_" + secrets.token_urlsafe(12)
        ledger.query(
            "INSERT OR IGNORE INTO charges VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                idempotency_key,
                charge_id,
                body["token"],
                str(amount),
                body.get("currency", ""),
                status,
                outcome,
            ),
        )
        stored = ledger.query(
            "SELECT id, status, code FROM charges WHERE key = ?", (idempotency_key,)
        )
        return {"id": stored[0], "status": stored[1], "code": stored[2]}

    return app
