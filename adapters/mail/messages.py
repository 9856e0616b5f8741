"""The e-mails o2c sends a payer, composed from Jinja2 templates in the
payer's language: a text part, an HTML alternative and any attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from adapters.languages import Words, words_for
from projections.documents import InvoiceDocument

_templates = Environment(
    loader=PackageLoader("adapters.mail", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",)),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    """One e-mail to one payer contact, ready for a ``Mailer``.

    ``kind`` and ``account_id`` name it in logs, where the address never
    appears.
    """

    kind: str
    account_id: str
    to: str
    language: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = field(default=())
    headers: tuple[tuple[str, str], ...] = field(default=())


def invoice_mail(
    invoice: InvoiceDocument,
    to: str,
    link: str,
    expires: datetime,
    pdf: bytes,
    language: str | None = None,
) -> Mail:
    """The invoice e-mail: what is due and when, the one-click link that
    opens its payment page signed in, and the invoice PDF attached."""
    payer = invoice.payer
    words = words_for(language or payer.language, payer.country)
    facts = {
        "number": invoice.invoice_number,
        "amount": words.money(invoice.open_minor, invoice.currency),
        "due": words.day(invoice.due_date),
    }
    pdf_name = f"{invoice.invoice_number}.pdf"
    return _compose(
        "invoice",
        words,
        payer.account_id,
        to,
        subject=words("mail.invoice_subject", **facts),
        attachments=(Attachment(pdf_name, "application/pdf", pdf),),
        name=payer.name,
        facts=facts,
        link=link,
        expires=words.moment(expires),
    )


def sign_in_mail(
    account_id: str,
    name: str,
    to: str,
    link: str,
    expires: datetime,
    language: str,
    country: str = "",
) -> Mail:
    """The sign-in link a payer asked for by e-mail address."""
    words = words_for(language, country)
    return _compose(
        "sign_in",
        words,
        account_id,
        to,
        subject=words("mail.sign_in_subject"),
        name=name,
        link=link,
        expires=words.moment(expires),
    )


def _compose(
    kind: str,
    words: Words,
    account_id: str,
    to: str,
    subject: str,
    attachments: tuple[Attachment, ...] = (),
    **context: object,
) -> Mail:
    values = {"t": words, "lang": words.language.replace("_", "-"), **context}
    return Mail(
        kind=kind,
        account_id=account_id,
        to=to,
        language=words.language,
        subject=subject,
        text=_templates.get_template(f"{kind}.txt").render(values),
        html=_templates.get_template(f"{kind}.html").render(values),
        attachments=attachments,
    )
