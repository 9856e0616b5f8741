"""Pages for getting in and out, the overview, the language and stored methods."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.languages import NAMES
from adapters.logging import redact_card_numbers
from adapters.mail import Mail, sign_in_mail
from adapters.portal._web import (
    LANGUAGE_COOKIE,
    new_key,
    payer,
    portal_of,
    render,
    words,
)
from adapters.portal.auth import LinkRefused
from adapters.portal.projected import overview
from adapters.portal.ratelimit import RateLimit
from services import commands as c

log = structlog.get_logger("o2c.portal")
router = APIRouter(include_in_schema=False)

Payer = Annotated[dict[str, Any], Depends(payer)]


def _limit(request: Request, name: str, key: str) -> bool:
    portal = portal_of(request)
    settings = portal.settings
    limit = portal.limits.get(name)
    if limit is None:
        per = settings.sign_in_per_ip if name == "ip" else settings.sign_in_per_address
        limit = portal.limits[name] = RateLimit(per, settings.rate_window_seconds)
    return limit.allow(key)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request) -> Response:
    return render(request, "sign_in.html", notice=request.query_params.get("notice"))


@router.post("/sign-in", response_class=HTMLResponse)
def request_link(
    request: Request,
    background: BackgroundTasks,
    email: Annotated[str, Form(max_length=320)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Send a link when the address is known; answer the same either way."""
    portal = portal_of(request)
    portal.csrf.check(request, csrf_token)
    if not _limit(request, "ip", client_ip(request)):
        raise HTTPException(429)

    address = email.strip().lower()
    minutes = portal.settings.sign_in_link_minutes
    if _limit(request, "address", address):
        found = portal.views.account_for_email(address)
        if found is not None:
            background.add_task(
                portal.mailer.send, _sign_in_mail(request, found, address)
            )
    log.info("sign_in_link_requested")
    return render(request, "sign_in.html", sent=True, minutes=minutes)


def _sign_in_mail(request: Request, found: dict[str, Any], address: str) -> Mail:
    """The link e-mail, in the language the asker reads the page in."""
    link = portal_of(request).link(found["account_id"])
    return sign_in_mail(
        found["account_id"],
        found["name"],
        address,
        link.url,
        link.expires,
        words(request).language,
        found["country"],
    )


@router.get("/in/{token}")
def redeem_link(request: Request, token: str) -> Response:
    """Use a link once: open a session, then the invoice it was sent for."""
    portal = portal_of(request)
    if not _limit(request, "ip", client_ip(request)):
        raise HTTPException(429)
    try:
        visit = portal.links.redeem(token, portal.now())
    except LinkRefused as refused:
        log.info("sign_in_link_refused", reason=str(refused))
        return render(request, "sign_in.html", 400, refused=True)
    if portal.views.account(visit.account_id) is None:
        return render(request, "sign_in.html", 400, refused=True)

    target = "/"
    if visit.invoice_id is not None:
        invoice = portal.views.invoice(visit.account_id, visit.invoice_id)
        if invoice is not None and invoice["open_minor"] > 0:
            target = f"/pay?invoice={visit.invoice_id}"
    response = RedirectResponse(target, status_code=303)
    https = request.url.scheme == "https"
    portal.sessions.open(response, visit.account_id, portal.now(), https)
    log.info("signed_in", account_id=visit.account_id)
    return response


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    portal = portal_of(request)
    portal.csrf.check(request, csrf_token)
    response = RedirectResponse("/sign-in?notice=signed_out", status_code=303)
    portal.sessions.close(request, response)
    return response


@router.get("/", response_class=HTMLResponse)
def overview_page(
    request: Request,
    account: Payer,
    sort: str = "due",
    q: str = "",
    currency: str = "",
    overdue: bool = False,
    notice: str = "",
) -> Response:
    portal = portal_of(request)
    shown = overview(portal, account["account_id"], sort, q, currency, overdue)
    known = {"dispute_sent", "promise_sent", "settled_by_credit", "ces_thanks"}
    return render(
        request,
        "overview.html",
        notice=notice if notice in known else "",
        filters={
            "sort": sort,
            "q": redact_card_numbers(q),
            "currency": currency,
            "overdue": overdue,
        },
        **shown,
    )


@router.post("/language")
def change_language(
    request: Request,
    account: Payer,
    language: Annotated[str, Form()],
    key: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    portal = portal_of(request)
    portal.csrf.check(request, csrf_token)
    if language not in NAMES:
        raise HTTPException(404)
    portal.command(
        "change_language",
        c.ChangeLanguage(
            idempotency_key=f"portal-language:{account['account_id']}:{key[:64]}",
            account_number=account["customer_id"],
            language=language,
            on=portal.today(),
            actor=f"payer:{account['customer_id']}",
            channel="portal",
        ),
    )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, language, samesite="lax", httponly=True)
    return response


@router.get("/methods", response_class=HTMLResponse)
def methods_page(request: Request, account: Payer) -> Response:
    methods = portal_of(request).views.payment_methods(account["account_id"])
    return render(request, "methods.html", methods=methods, key=new_key())


def _own_method(request: Request, account: dict[str, Any], method_id: str) -> None:
    methods = portal_of(request).views.payment_methods(account["account_id"])
    if method_id not in {m["method_id"] for m in methods}:
        raise HTTPException(404)


@router.post("/methods/{method_id}/default")
def choose_default(
    request: Request,
    account: Payer,
    method_id: str,
    key: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return _method_step(
        request, account, method_id, key, csrf_token,
        "choose_default_payment_method", c.ChooseDefaultPaymentMethod, "default",
    )  # fmt: skip


@router.post("/methods/{method_id}/remove")
def remove_method(
    request: Request,
    account: Payer,
    method_id: str,
    key: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return _method_step(
        request, account, method_id, key, csrf_token,
        "remove_payment_method", c.RemovePaymentMethod, "remove",
    )  # fmt: skip


def _method_step(
    request: Request,
    account: dict[str, Any],
    method_id: str,
    key: str,
    csrf_token: str,
    handler: str,
    command: type[c.ChooseDefaultPaymentMethod] | type[c.RemovePaymentMethod],
    step: str,
) -> Response:
    """One change to one of the payer's own stored payment methods."""
    portal = portal_of(request)
    portal.csrf.check(request, csrf_token)
    _own_method(request, account, method_id)
    portal.command(
        handler,
        command(
            idempotency_key=f"portal-{step}:{account['account_id']}:{key[:64]}",
            account_number=account["customer_id"],
            method_id=method_id,
            on=portal.today(),
            actor=f"payer:{account['customer_id']}",
            channel="portal",
        ),
    )
    return RedirectResponse("/methods", status_code=303)
