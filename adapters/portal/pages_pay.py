"""Pages for paying: choose invoices and amounts, the gateway's round trip,
the receipt, and the effort question after it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.logging import redact_card_numbers
from adapters.portal._web import new_key, payer, portal_of, render
from adapters.portal.context import Portal
from adapters.portal.paying import (
    KEY_PATTERN,
    Method,
    PaymentProblem,
    Plan,
    UnknownInvoice,
    first_answer,
    pay,
    plan_payment,
)
from domain.money import from_minor
from services import commands as c

router = APIRouter(include_in_schema=False)

Payer = Annotated[dict[str, Any], Depends(payer)]
NEW_METHODS = {"new_card": "card", "new_bank": "bank_account"}


def _pay_form(
    request: Request,
    account: dict[str, Any],
    invoice_ids: list[str],
    problem: PaymentProblem | None = None,
    amounts: dict[str, str] | None = None,
) -> Response:
    portal = portal_of(request)
    invoices = portal.views.invoices_by_id(account["account_id"], invoice_ids)
    if len(invoices) != len(set(invoice_ids)):
        raise HTTPException(404)
    for invoice in invoices:
        invoice["open_amount"] = str(
            from_minor(invoice["open_minor"], invoice["currency"])
        )
    return render(
        request,
        "pay.html",
        400 if problem else 200,
        invoices=invoices,
        amounts={k: redact_card_numbers(v) for k, v in (amounts or {}).items()},
        credits=portal.views.credits(account["account_id"]),
        methods=portal.views.payment_methods(account["account_id"]),
        key=new_key(),
        problem=problem,
    )


@router.get("/pay", response_class=HTMLResponse)
def pay_page(request: Request, account: Payer) -> Response:
    chosen = request.query_params.getlist("invoice")
    if not chosen:
        return RedirectResponse("/", status_code=303)
    return _pay_form(request, account, chosen[:100])


@router.post("/pay")
async def pay_submit(request: Request) -> Response:
    form = await request.form()
    return _pay_submitted(request, {k: str(v) for k, v in form.multi_items()}, form)


def _pay_submitted(request: Request, fields: dict[str, str], form: Any) -> Response:
    portal = portal_of(request)
    portal.csrf.check(request, fields.get("csrf_token"))
    account = payer(request)
    invoice_ids = [str(v) for v in form.getlist("invoice")][:100]
    key = fields.get("key", "")
    if KEY_PATTERN.fullmatch(key) is None:
        raise HTTPException(400, "the form's key is missing")
    amounts = {i: fields.get(f"amount_{i}", "") for i in invoice_ids}
    first = first_answer(portal, account["account_id"], key)
    if first is not None:
        return _receipt_redirect(first)

    try:
        plan = plan_payment(
            portal, account["account_id"], amounts, fields.get("apply_credits") == "1"
        )
        method_choice = fields.get("method", "")
        if method_choice in NEW_METHODS and plan.charge_minor > 0:
            return _to_gateway(portal, account, plan, key, method_choice, fields)
        method = _stored_method(portal, account, method_choice)
        result = pay(portal, account, plan, key, method)
    except UnknownInvoice:
        raise HTTPException(404) from None
    except PaymentProblem as problem:
        return _pay_form(request, account, invoice_ids, problem, amounts)
    return _receipt_redirect(result)


def _stored_method(
    portal: Portal, account: dict[str, Any], method_id: str
) -> Method | None:
    for found in portal.views.payment_methods(account["account_id"]):
        if found["method_id"] == method_id:
            return Method(found["token"], found["kind"], found["brand"], found["last4"])
    return None


def _to_gateway(
    portal: Portal,
    account: dict[str, Any],
    plan: Plan,
    key: str,
    choice: str,
    fields: dict[str, str],
) -> Response:
    """Keep the plan, then send the browser to the gateway's own page."""
    kept = {"plan": plan.as_dict(), "key": key, "save": fields.get("save") == "1"}
    portal.store.keep_pending(key, account["account_id"], kept, portal.now())
    target = portal.gateway.tokenize_url(
        NEW_METHODS[choice], f"{portal.public_url}/pay/return", key
    )
    return RedirectResponse(target, status_code=303)


@router.get("/pay/return")
def gateway_return(
    request: Request,
    account: Payer,
    state: str,
    token: str = "",
    error: str = "",
) -> Response:
    """The gateway sends the payer back with a token: charge it, then save it."""
    portal = portal_of(request)
    pending = portal.store.pending(state, account["account_id"])
    if pending is None:
        raise HTTPException(404)
    plan = Plan.of(pending["plan"])
    invoice_ids = [line["invoice_id"] for line in plan.lines]
    amounts = {line["invoice_id"]: _plain(line, plan) for line in plan.lines}
    details = portal.gateway.details(token) if token and not error else None
    if details is None:
        problem = PaymentProblem("cancelled" if error else "processing_error")
        return _pay_form(request, account, invoice_ids, problem, amounts)

    method = Method(token, details.kind, details.brand, details.last4)
    try:
        result = pay(portal, account, plan, pending["key"], method)
    except PaymentProblem as problem:
        return _pay_form(request, account, invoice_ids, problem, amounts)
    if pending["save"]:
        _save_method(portal, account, state, token, details)
    return _receipt_redirect(result)


def _plain(line: dict[str, Any], plan: Plan) -> str:
    return str(from_minor(line["minor"], plan.currency))


def _save_method(
    portal: Portal, account: dict[str, Any], state: str, token: str, details: Any
) -> None:
    portal.command(
        "save_payment_method",
        c.SavePaymentMethod(
            idempotency_key=f"portal-method:{account['account_id']}:{state}",
            account_number=account["customer_id"],
            token=token,
            kind=details.kind,
            brand=details.brand,
            last4=details.last4,
            expiry_month=details.expiry_month,
            expiry_year=details.expiry_year,
            on=portal.today(),
            actor=f"payer:{account['customer_id']}",
            channel="portal",
        ),
    )


def _receipt_redirect(result: dict[str, Any]) -> Response:
    payment_id = result.get("payment_id")
    if not payment_id:
        return RedirectResponse("/?notice=settled_by_credit", status_code=303)
    return RedirectResponse(f"/receipts/{payment_id}", status_code=303)


@router.get("/receipts/{payment_id}", response_class=HTMLResponse)
def receipt(request: Request, account: Payer, payment_id: str) -> Response:
    portal = portal_of(request)
    found = portal.views.payment(account["account_id"], payment_id)
    if found is None:
        raise HTTPException(404)
    balances = portal.views.balances(account["account_id"], portal.today())
    return render(
        request, "receipt.html", payment=found, balances=balances, key=new_key()
    )


@router.post("/effort")
def effort(
    request: Request,
    account: Payer,
    payment_id: Annotated[str, Form(max_length=64)],
    score: Annotated[int, Form(ge=1, le=7)],
    key: Annotated[str, Form(max_length=100)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    portal = portal_of(request)
    portal.csrf.check(request, csrf_token)
    if portal.views.payment(account["account_id"], payment_id) is None:
        raise HTTPException(404)
    portal.command(
        "give_effort_score",
        c.GiveEffortScore(
            idempotency_key=f"portal-effort:{account['account_id']}:{payment_id}",
            account_number=account["customer_id"],
            score=score,
            payment_id=payment_id,
            on=portal.today(),
            actor=f"payer:{account['customer_id']}",
            channel="portal",
        ),
    )
    return RedirectResponse("/?notice=ces_thanks", status_code=303)
