"""Two payers with something of every kind, so a test can ask for one
payer's ids while signed in as the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.invoice import Invoice
from services import commands as c
from tests.support.payer import issue, open_payer, pay
from tests.support.portal import Site


@dataclass
class Ids:
    account: str
    invoice: str
    invoice_number: str
    payment: str
    method: str
    attachment: str
    state: str


def fill(site: Site, number: str, email: str) -> Ids:
    """An account with an open invoice, a payment, a stored method, a dispute
    with an attachment and a payment waiting for the gateway."""
    app = site.app
    account = open_payer(app, number, email=email)
    issue(app, number, f"{number}-1", "100.00", issued=date(2024, 1, 5))
    issue(app, number, f"{number}-2", "80.00", issued=date(2024, 1, 5))
    payment = pay(
        app, number, f"pay-{number}", date(2024, 2, 1), **{f"{number}_2": "10.00"}
    )
    method = app.save_payment_method(
        c.SavePaymentMethod(
            idempotency_key=f"method-{number}",
            account_number=number,
            token=f"tok_{number}",
            kind="card",
            brand="visa",
            last4="4242",
            expiry_month=1,
            expiry_year=2040,
            on=date(2024, 2, 1),
        )
    )["method_id"]
    attachment = site.portal.attachments.keep(account, b"%PDF-1.4 evidence")
    app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key=f"dispute-{number}",
            invoice_number=f"{number}-2",
            account_number=number,
            reason="damaged",
            attachment_id=attachment,
            on=date(2024, 2, 2),
        )
    )
    state = f"state{number}pending"
    site.portal.store.keep_pending(
        state,
        account,
        {"plan": {"currency": "USD", "lines": []}, "key": state, "save": False},
        site.clock(),
    )
    site.engine.catch_up()
    return Ids(
        account=account,
        invoice=str(Invoice.id_for(f"{number}-1")),
        invoice_number=f"{number}-1",
        payment=payment["payment_id"],
        method=method,
        attachment=attachment,
        state=state,
    )
