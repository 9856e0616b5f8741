"""The portal inbox: the cadence's messages to payers who chose the portal."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from adapters.cadence.compose import Payer, compose
from adapters.portal._web import payer, portal_of, render, words
from projections.cadence import CadenceViews

router = APIRouter(include_in_schema=False)


@router.get("/inbox", response_class=HTMLResponse)
def inbox(
    request: Request, account: Annotated[dict[str, Any], Depends(payer)]
) -> Response:
    """Every portal message sent to the signed-in account, newest first, in
    the language the payer reads the portal in."""
    portal = portal_of(request)
    language = words(request).language
    who = Payer(account["account_id"], account["name"], account["country"], language)
    rows = CadenceViews(portal.engine.models.con).inbox(account["account_id"])
    messages = [
        compose(
            row["step"],
            who,
            row["invoices"],
            row["business_date"] or date.today(),
            notice=row["notice"],
        )
        for row in rows
    ]
    return render(request, "inbox.html", messages=zip(rows, messages, strict=True))
