"""The JSON API under /api/v1: the same reads and commands as the pages.

It uses the session cookie of the pages; every call that changes something
carries the ``X-CSRF-Token`` header (from ``GET /api/v1/session``) and an
``Idempotency-Key`` header, and repeating a key repeats the first answer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from adapters.logging import redact_card_numbers
from adapters.portal._web import payer, portal_of
from adapters.portal.paying import (
    KEY_PATTERN,
    Method,
    PaymentProblem,
    UnknownInvoice,
    first_answer,
    pay,
    plan_payment,
)
from adapters.portal.projected import overview
from domain.money import from_minor
from services import commands as c

router = APIRouter(prefix="/api/v1", tags=["payer"])

Payer = Annotated[dict[str, Any], Depends(payer)]
KeyHeader = Annotated[
    str, Header(alias="Idempotency-Key", min_length=8, max_length=100)
]
CsrfHeader = Annotated[str, Header(alias="X-CSRF-Token", max_length=200)]

_AMOUNT_FIELDS = {
    "amount_minor": "amount",
    "open_minor": "open_amount",
    "unapplied_minor": "unapplied",
    "balance_minor": "balance",
    "overdue_minor": "overdue",
    "unapplied_cash_minor": "unapplied_cash",
    "unapplied_credit_minor": "open_credit",
    "paid_minor": "paid",
}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A read-model row as JSON: amounts as decimal strings, never the token."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in ("token", "position"):
            continue
        if name in _AMOUNT_FIELDS and "currency" in row:
            out[_AMOUNT_FIELDS[name]] = str(from_minor(value, row["currency"]))
        elif isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, list):
            out[name] = [_plain(item) for item in value]
        else:
            out[name] = value
    return out


def _checked(request: Request, csrf: str, key: str) -> None:
    portal_of(request).csrf.check(request, csrf)
    if KEY_PATTERN.fullmatch(key) is None:
        raise HTTPException(422, "Idempotency-Key must be 8 to 100 of A-Z a-z 0-9 _ -")


def _cause(account: dict[str, Any]) -> dict[str, str]:
    return {"actor": f"payer:{account['customer_id']}", "channel": "api"}


class Session(BaseModel):
    account_id: str
    customer_id: str
    name: str
    language: str
    csrf_token: str


@router.get("/session", response_model=Session)
def session(request: Request, account: Payer) -> dict[str, Any]:
    """Who is signed in, and the CSRF token for calls that change something."""
    return {
        **{k: account[k] for k in ("account_id", "customer_id", "name", "language")},
        "csrf_token": portal_of(request).csrf.token(request),
    }


@router.get("/overview")
def account_overview(request: Request, account: Payer) -> dict[str, Any]:
    """Balances per currency, open and closed invoices, credits, payments,
    disputes and promises with their status."""
    shown = overview(portal_of(request), account["account_id"])
    return {
        name: [_plain(row) for row in rows] if isinstance(rows, list) else rows
        for name, rows in shown.items()
        if name != "currencies"
    }


@router.get("/invoices")
def invoices(
    request: Request,
    account: Payer,
    state: Literal["open", "closed"] = "open",
    sort: Literal[
        "due", "-due", "number", "-number", "amount", "-amount", "issued", "-issued"
    ] = "due",
    q: Annotated[str, Field(max_length=64)] = "",
    currency: Annotated[str, Field(max_length=3)] = "",
) -> list[dict[str, Any]]:
    rows = portal_of(request).views.invoices(
        account["account_id"],
        closed=state == "closed",
        sort=sort,
        search=q[:64],
        currency=currency[:3],
    )
    return [_plain(row) for row in rows]


@router.get("/invoices/{invoice_id}")
def invoice(request: Request, account: Payer, invoice_id: str) -> dict[str, Any]:
    found = portal_of(request).views.invoice(account["account_id"], invoice_id)
    if found is None:
        raise HTTPException(404, "no such invoice")
    return _plain(found)


@router.get("/payments")
def payments(request: Request, account: Payer) -> list[dict[str, Any]]:
    return [_plain(r) for r in portal_of(request).views.payments(account["account_id"])]


@router.get("/payments/{payment_id}")
def payment(request: Request, account: Payer, payment_id: str) -> dict[str, Any]:
    found = portal_of(request).views.payment(account["account_id"], payment_id)
    if found is None:
        raise HTTPException(404, "no such payment")
    currency = found["currency"]
    found["allocations"] = [{**a, "currency": currency} for a in found["allocations"]]
    return _plain(found)


@router.get("/disputes")
def disputes(request: Request, account: Payer) -> list[dict[str, Any]]:
    return [_plain(r) for r in portal_of(request).views.disputes(account["account_id"])]


@router.get("/promises")
def promises(request: Request, account: Payer) -> list[dict[str, Any]]:
    portal = portal_of(request)
    rows = portal.views.promises(account["account_id"], portal.today())
    return [_plain(r) for r in rows]


@router.get("/payment-methods")
def payment_methods(request: Request, account: Payer) -> list[dict[str, Any]]:
    rows = portal_of(request).views.payment_methods(account["account_id"])
    return [_plain(r) for r in rows]


class PayLine(BaseModel):
    invoice_id: str = Field(max_length=64)
    amount: Decimal = Field(gt=0, max_digits=20)


class PaymentRequest(BaseModel):
    lines: list[PayLine] = Field(min_length=1, max_length=100)
    apply_credits: bool = False
    method_id: str | None = Field(default=None, max_length=64)


@router.post("/payments", status_code=201)
def make_payment(
    request: Request,
    account: Payer,
    body: PaymentRequest,
    key: KeyHeader,
    csrf: CsrfHeader,
) -> Any:
    """Pay invoices with a stored method (new ones come from the gateway's
    page); open credit first when asked. 402 when the gateway refuses."""
    _checked(request, csrf, key)
    portal = portal_of(request)
    first = first_answer(portal, account["account_id"], key)
    if first is not None:
        return first
    chosen = {line.invoice_id: str(line.amount) for line in body.lines}
    methods = portal.views.payment_methods(account["account_id"])
    method = next((m for m in methods if m["method_id"] == body.method_id), None)
    if body.method_id is not None and method is None:
        raise HTTPException(404, "no such payment method")
    chosen_method = (
        None
        if method is None
        else Method(method["token"], method["kind"], method["brand"], method["last4"])
    )
    try:
        plan = plan_payment(portal, account["account_id"], chosen, body.apply_credits)
        result = pay(portal, account, plan, key, chosen_method)
    except UnknownInvoice:
        raise HTTPException(404, "no such invoice") from None
    except PaymentProblem as problem:
        status = 402 if problem.code in _REFUSALS else 422
        return JSONResponse({"detail": problem.code}, status_code=status)
    return result


_REFUSALS = {"card_declined", "insufficient_funds", "processing_error"}


class DisputeRequest(BaseModel):
    reason: Literal[
        "not_received",
        "wrong_amount",
        "wrong_items",
        "damaged",
        "already_paid",
        "duplicate",
        "other",
    ]
    note: str = Field(default="", max_length=2000)


@router.post("/invoices/{invoice_id}/disputes", status_code=201)
def dispute(
    request: Request,
    account: Payer,
    invoice_id: str,
    body: DisputeRequest,
    key: KeyHeader,
    csrf: CsrfHeader,
) -> dict[str, Any]:
    _checked(request, csrf, key)
    portal = portal_of(request)
    found = portal.views.invoice(account["account_id"], invoice_id)
    if found is None:
        raise HTTPException(404, "no such invoice")
    return portal.command(
        "dispute_invoice",
        c.DisputeInvoice(
            idempotency_key=f"api-dispute:{account['account_id']}:{key}",
            invoice_number=found["invoice_number"],
            account_number=account["customer_id"],
            reason=body.reason,
            note=redact_card_numbers(body.note),
            on=portal.today(),
            **_cause(account),
        ),
    )


class PromiseRequest(BaseModel):
    invoice_ids: list[str] = Field(min_length=1, max_length=100)
    amount: Decimal = Field(gt=0, max_digits=20)
    promised_date: date


@router.post("/promises", status_code=201)
def promise(
    request: Request,
    account: Payer,
    body: PromiseRequest,
    key: KeyHeader,
    csrf: CsrfHeader,
) -> dict[str, Any]:
    _checked(request, csrf, key)
    portal = portal_of(request)
    found = portal.views.invoices_by_id(account["account_id"], body.invoice_ids)
    if len(found) != len(set(body.invoice_ids)):
        raise HTTPException(404, "no such invoice")
    return portal.command(
        "promise_to_pay",
        c.PromiseToPay(
            idempotency_key=f"api-promise:{account['account_id']}:{key}",
            account_number=account["customer_id"],
            invoice_numbers=[i["invoice_number"] for i in found],
            amount=body.amount,
            currency=found[0]["currency"],
            promised_date=body.promised_date,
            on=portal.today(),
            **_cause(account),
        ),
    )


def _method_command(
    request: Request, account: dict[str, Any], method_id: str, kind: str, key: str
) -> dict[str, Any]:
    portal = portal_of(request)
    methods = portal.views.payment_methods(account["account_id"])
    if method_id not in {m["method_id"] for m in methods}:
        raise HTTPException(404, "no such payment method")
    command = (
        c.ChooseDefaultPaymentMethod if kind == "default" else c.RemovePaymentMethod
    )
    handler = (
        "choose_default_payment_method"
        if kind == "default"
        else "remove_payment_method"
    )
    return portal.command(
        handler,
        command(
            idempotency_key=f"api-method-{kind}:{account['account_id']}:{key}",
            account_number=account["customer_id"],
            method_id=method_id,
            on=portal.today(),
            **_cause(account),
        ),
    )


@router.post("/payment-methods/{method_id}/default")
def choose_default(
    request: Request, account: Payer, method_id: str, key: KeyHeader, csrf: CsrfHeader
) -> dict[str, Any]:
    _checked(request, csrf, key)
    return _method_command(request, account, method_id, "default", key)


@router.delete("/payment-methods/{method_id}")
def remove_method(
    request: Request, account: Payer, method_id: str, key: KeyHeader, csrf: CsrfHeader
) -> dict[str, Any]:
    _checked(request, csrf, key)
    return _method_command(request, account, method_id, "remove", key)


class EffortRequest(BaseModel):
    payment_id: str = Field(max_length=64)
    score: int = Field(ge=1, le=7)


@router.post("/effort-scores", status_code=201)
def effort(
    request: Request,
    account: Payer,
    body: EffortRequest,
    key: KeyHeader,
    csrf: CsrfHeader,
) -> dict[str, Any]:
    _checked(request, csrf, key)
    portal = portal_of(request)
    if portal.views.payment(account["account_id"], body.payment_id) is None:
        raise HTTPException(404, "no such payment")
    return portal.command(
        "give_effort_score",
        c.GiveEffortScore(
            idempotency_key=f"api-effort:{account['account_id']}:{key}",
            account_number=account["customer_id"],
            score=body.score,
            payment_id=body.payment_id,
            on=portal.today(),
            **_cause(account),
        ),
    )


class LanguageRequest(BaseModel):
    language: Literal["en", "zh_Hans", "ja"]


@router.put("/language")
def language(
    request: Request,
    account: Payer,
    body: LanguageRequest,
    key: KeyHeader,
    csrf: CsrfHeader,
) -> dict[str, Any]:
    _checked(request, csrf, key)
    portal = portal_of(request)
    return portal.command(
        "change_language",
        c.ChangeLanguage(
            idempotency_key=f"api-language:{account['account_id']}:{key}",
            account_number=account["customer_id"],
            language=body.language,
            on=portal.today(),
            **_cause(account),
        ),
    )
