"""Sending an invoice's e-mail to the account's billing contact, once: the
invoice PDF attached and the signed link that opens its payment page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import structlog

from adapters.documents import invoice_pdf
from adapters.mail import Mailer, invoice_mail, recipient_hash
from adapters.portal.auth import SignInLink
from adapters.wiring import Engine
from domain.errors import DomainError, InvoiceAlreadySettled
from projections.documents import Documents
from projections.portal import PayerViews
from services import commands as c

log = structlog.get_logger()

# Makes the link for an account and the invoice it opens.
LinkMaker = Callable[[str, str], SignInLink]


class NoBillingContact(DomainError):
    """The account has no contact with an e-mail address to send invoices to."""


@dataclass(frozen=True)
class Sending:
    """What became of a request to send: ``sent`` is False when the invoice
    had gone out already (on ``sent_on``) and nothing was sent again."""

    number: str
    account_number: str
    sent: bool
    sent_on: date | None


class InvoiceEmails:
    """Sends invoice e-mails and records each as ``Invoice.Sent``.

    An invoice goes out once: asking again sends nothing unless ``again`` is
    given. The e-mail is handed to the mailer before the event is recorded,
    so a mail server that refuses it leaves the invoice unsent.
    """

    def __init__(
        self,
        engine: Engine,
        links: LinkMaker,
        mailer: Mailer,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.engine = engine
        self.links = links
        self.mailer = mailer
        self.today = today

    def send(
        self, number: str, again: bool = False, language: str | None = None
    ) -> Sending:
        """Send the invoice in the account's language unless ``language`` names
        another (``NotInReadModels`` if there is no such invoice)."""
        con = self.engine.models.con
        data = Documents(con).invoice(number)
        payer = data.payer
        invoice = self.engine.app.invoice(number)
        sent_on = invoice.last_sent_on
        if sent_on is not None and not again:
            log.info("invoice_mail_skipped", invoice=number, sent_on=str(sent_on))
            return Sending(number, payer.customer_id, False, sent_on)
        if data.open_minor == 0:
            raise InvoiceAlreadySettled(
                f"invoice {number} is {data.status.replace('_', ' ')}: "
                "nothing is due, so no invoice e-mail goes out"
            )
        to = PayerViews(con).billing_contact(payer.account_id)
        if to is None:
            raise NoBillingContact(
                f"account {payer.customer_id} has no contact with an e-mail "
                "address; record one with the account's contacts"
            )

        link = self.links(payer.account_id, str(invoice.id))
        pdf = invoice_pdf(data, language, self.engine.settings.pdf_font)
        mail = invoice_mail(data, to, link.url, link.expires, pdf, language)
        self.mailer.send(mail)

        today = self.today()
        key = f"invoice-mail:{number}"
        self.engine.app.record_invoice_sent(
            c.RecordInvoiceSent(
                idempotency_key=f"{key}:{uuid.uuid4().hex}" if again else key,
                invoice_number=number,
                recipient_hash=recipient_hash(to),
                language=mail.language,
                on=today,
                channel="email",
            )
        )
        self.engine.catch_up()
        return Sending(number, payer.customer_id, True, today)
