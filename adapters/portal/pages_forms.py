"""Pages for disputing an invoice and promising to pay, and the attachments
a dispute carries."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from adapters.logging import redact_card_numbers
from adapters.portal._web import new_key, payer, portal_of, render
from adapters.portal.attachments import AttachmentRefused
from adapters.portal.paying import KEY_PATTERN
from domain.errors import DomainError
from domain.invoice import DISPUTE_REASONS
from domain.money import Money
from services import commands as c

router = APIRouter(include_in_schema=False)

Payer = Annotated[dict[str, Any], Depends(payer)]


def _open_invoice(request: Request, account: dict[str, Any], invoice_id: str) -> Any:
    found = portal_of(request).views.invoice(account["account_id"], invoice_id)
    if found is None:
        raise HTTPException(404)
    return found


def _checked_key(key: str) -> str:
    if KEY_PATTERN.fullmatch(key) is None:
        raise HTTPException(400, "the form's key is missing")
    return key


@router.get("/invoices/{invoice_id}/dispute", response_class=HTMLResponse)
def dispute_page(request: Request, account: Payer, invoice_id: str) -> Response:
    invoice = _open_invoice(request, account, invoice_id)
    return render(request, "dispute.html", invoice=invoice, key=new_key())


@router.post("/invoices/{invoice_id}/dispute")
async def dispute_submit(
    request: Request,
    invoice_id: str,
    reason: Annotated[str, Form()],
    key: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
    attachment: UploadFile | None = None,
) -> Response:
    portal = portal_of(request)
    portal.csrf.check(request, csrf_token)
    account = payer(request)
    invoice = _open_invoice(request, account, invoice_id)
    if reason not in DISPUTE_REASONS:
        raise HTTPException(422, "unknown reason")

    attachment_id = None
    if attachment is not None and attachment.filename:
        data = await attachment.read(portal.attachments.max_bytes + 1)
        try:
            attachment_id = portal.attachments.keep(account["account_id"], data)
        except AttachmentRefused as refused:
            return render(
                request,
                "dispute.html",
                400,
                invoice=invoice,
                key=new_key(),
                problem=refused.code,
            )
    portal.command(
        "dispute_invoice",
        c.DisputeInvoice(
            idempotency_key=f"portal-dispute:{account['account_id']}:"
            f"{_checked_key(key)}",
            invoice_number=invoice["invoice_number"],
            account_number=account["customer_id"],
            reason=reason,
            note=redact_card_numbers(note),
            attachment_id=attachment_id,
            on=portal.today(),
            actor=f"payer:{account['customer_id']}",
            channel="portal",
        ),
    )
    return RedirectResponse("/?notice=dispute_sent", status_code=303)


@router.get("/attachments/{attachment_id}")
def attachment_file(request: Request, account: Payer, attachment_id: str) -> Response:
    """An attachment, only to the account whose dispute carries it."""
    portal = portal_of(request)
    found = portal.attachments.find(account["account_id"], attachment_id)
    if found is None or not portal.views.attachment_of(
        account["account_id"], attachment_id
    ):
        raise HTTPException(404)
    path, kind = found
    return FileResponse(
        path,
        media_type=kind,
        content_disposition_type="attachment",
        filename=f"attachment-{attachment_id[:8]}",
    )


@router.get("/promise", response_class=HTMLResponse)
def promise_page(request: Request, account: Payer) -> Response:
    chosen = request.query_params.getlist("invoice")[:100]
    invoices = portal_of(request).views.invoices_by_id(account["account_id"], chosen)
    if not chosen or len(invoices) != len(set(chosen)):
        raise HTTPException(404)
    return render(request, "promise.html", invoices=invoices, key=new_key())


@router.post("/promise")
async def promise_submit(request: Request) -> Response:
    form = await request.form()
    portal = portal_of(request)
    portal.csrf.check(request, str(form.get("csrf_token", "")))
    account = payer(request)
    chosen = [str(v) for v in form.getlist("invoice")][:100]
    invoices = portal.views.invoices_by_id(account["account_id"], chosen)
    if not chosen or len(invoices) != len(set(chosen)):
        raise HTTPException(404)

    problem = _promise_problem(portal.today(), invoices, form)
    if problem is not None:
        return render(
            request,
            "promise.html",
            400,
            invoices=invoices,
            key=new_key(),
            problem=problem,
        )
    currency = invoices[0]["currency"]
    portal.command(
        "promise_to_pay",
        c.PromiseToPay(
            idempotency_key=f"portal-promise:{account['account_id']}:"
            f"{_checked_key(str(form.get('key', '')))}",
            account_number=account["customer_id"],
            invoice_numbers=[i["invoice_number"] for i in invoices],
            amount=Money.parse(str(form.get("amount", "")), currency).amount,
            currency=currency,
            promised_date=date.fromisoformat(str(form.get("promised_date"))),
            on=portal.today(),
            actor=f"payer:{account['customer_id']}",
            channel="portal",
        ),
    )
    return RedirectResponse("/?notice=promise_sent", status_code=303)


def _promise_problem(today: date, invoices: list[Any], form: Any) -> str | None:
    """The message key of what is wrong with a promise form, or None."""
    if len({i["currency"] for i in invoices}) > 1:
        return "err_currency"
    try:
        promised = date.fromisoformat(str(form.get("promised_date", "")))
    except ValueError:
        return "err_promise_date"
    if not today <= promised <= date(2999, 12, 31):
        return "err_promise_date"
    try:
        minor = Money.parse(str(form.get("amount", "")), invoices[0]["currency"]).minor
    except DomainError:
        return "err_amount"
    if not 0 < minor <= sum(i["open_minor"] for i in invoices):
        return "err_amount"
    return None
