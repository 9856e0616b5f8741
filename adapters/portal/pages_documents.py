"""The payer's documents as PDF downloads: an invoice and the account statement,
in the language the payer reads the portal in."""

from __future__ import annotations

import re
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from adapters.documents import FontMissing, invoice_pdf, statement_pdf
from adapters.portal._web import payer, portal_of, words
from projections.documents import Documents
from projections.statements import NotInReadModels

log = structlog.get_logger("o2c.portal")
router = APIRouter(include_in_schema=False)

Payer = Annotated[dict[str, Any], Depends(payer)]


def _documents(request: Request) -> Documents:
    # A cursor of its own: requests are served on several threads.
    return Documents(portal_of(request).engine.models.con.cursor())


def _download(pdf: bytes, name: str) -> Response:
    safe = re.sub(r"[^\w.-]+", "_", name)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{safe}.pdf"'},
    )


@router.get("/invoices/{number}.pdf")
def invoice_document(request: Request, account: Payer, number: str) -> Response:
    """An invoice of the signed-in account; any other number is not found."""
    settings = portal_of(request).engine.settings
    try:
        data = _documents(request).invoice(number, account_id=account["account_id"])
        pdf = invoice_pdf(data, words(request).language, settings.pdf_font)
    except NotInReadModels:
        raise HTTPException(404) from None
    except FontMissing as missing:
        log.error("pdf_font_missing", problem=str(missing))
        raise HTTPException(503, "the PDF font is not installed") from None
    log.info("pdf_served", kind="invoice", account_id=account["account_id"])
    return _download(pdf, number)


@router.get("/statement.pdf")
def statement_document(request: Request, account: Payer) -> Response:
    """The account statement as of today: balances, aging and open items."""
    portal = portal_of(request)
    settings = portal.engine.settings
    today = portal.today()
    try:
        data = _documents(request).statement(account["customer_id"], today)
        pdf = statement_pdf(data, words(request).language, settings.pdf_font)
    except FontMissing as missing:
        log.error("pdf_font_missing", problem=str(missing))
        raise HTTPException(503, "the PDF font is not installed") from None
    log.info("pdf_served", kind="statement", account_id=account["account_id"])
    return _download(pdf, f"statement-{account['customer_id']}-{today}")
