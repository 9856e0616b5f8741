"""The invoice PDF: who owes what, by when, and what has been applied."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from adapters.documents._fonts import text_font
from adapters.documents._layout import Page
from adapters.languages import words_for
from projections.documents import InvoiceDocument


def invoice_pdf(
    invoice: InvoiceDocument, language: str | None = None, font: Path | None = None
) -> bytes:
    """The invoice in ``language`` (the payer's own when None), as PDF bytes."""
    payer = invoice.payer
    words = words_for(language or payer.language, payer.country)
    page = Page(text_font(font), words)
    cur = invoice.currency

    def status(code: str) -> str:
        return words(f"status.{code}")

    facts = [
        (words("document.bill_to"), payer.name),
        (words("document.customer_id"), payer.customer_id),
        (words("document.invoice_number"), invoice.invoice_number),
        (words("document.invoice_date"), words.day(invoice.invoice_date)),
        (words("document.due_date"), words.day(invoice.due_date)),
        (words("document.terms"), words("document.net_days", days=payer.net_days)),
        (words("document.currency"), cur),
        (words("document.amount"), words.money(invoice.amount_minor, cur)),
        (words("document.status"), status(invoice.status)),
    ]
    if invoice.settled_date is not None:
        facts.append((words("document.settled_date"), words.day(invoice.settled_date)))
    story: list[Flowable] = [page.fields(facts)]

    if invoice.applied:
        rows = [
            [
                words.day(line.on),
                words(f"source.{line.source_kind}"),
                words.money(line.amount_minor, cur),
            ]
            for line in invoice.applied
        ]
        header = [
            words("document.applied_date"),
            words("document.applied_kind"),
            words("document.amount"),
        ]
        story += [
            page.text(words("document.applied"), page.heading),
            page.grid(header, rows, figures_from=2, shares=[0.3, 0.4, 0.3]),
        ]

    due = words.money(invoice.open_minor, cur)
    story += [
        Spacer(1, 6 * mm),
        page.text(f"{words('document.amount_due')}: {due}", page.heading),
    ]
    title = words("document.invoice_title", number=invoice.invoice_number)
    return page.render(title, story)
