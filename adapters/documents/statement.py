"""The account statement PDF: balances, aging and open items per currency."""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Flowable

from adapters.documents._fonts import text_font
from adapters.documents._layout import Page
from adapters.languages import Words, words_for
from projections.documents import StatementDocument


def statement_pdf(
    statement: StatementDocument,
    language: str | None = None,
    font: Path | None = None,
) -> bytes:
    """The statement in ``language`` (the payer's own when None), as PDF bytes."""
    payer = statement.payer
    words = words_for(language or payer.language, payer.country)
    page = Page(text_font(font), words)

    story: list[Flowable] = [
        page.fields(
            [
                (words("document.bill_to"), payer.name),
                (words("document.customer_id"), payer.customer_id),
                (words("document.statement_date"), words.day(statement.on)),
                (
                    words("document.terms"),
                    words("document.net_days", days=payer.net_days),
                ),
            ]
        ),
        page.text(words("document.balances"), page.heading),
        _balances(page, words, statement),
    ]
    if statement.aging:
        story += [
            page.text(words("document.aging"), page.heading),
            _aging(page, words, statement),
        ]
    story.append(page.text(words("document.open_items"), page.heading))
    if statement.open_items:
        story.append(_open_items(page, words, statement))
    else:
        story.append(page.text(words("document.no_open_items")))
    return page.render(words("document.statement_title"), story)


def _balances(page: Page, words: Words, statement: StatementDocument) -> Flowable:
    header = [
        words("document.currency"),
        words("document.open_total"),
        words("document.unapplied_cash"),
        words("document.open_credit"),
        words("document.balance"),
    ]
    rows = []
    for b in statement.balances:
        figures = (
            b.open_minor,
            b.unapplied_cash_minor,
            b.open_credit_minor,
            b.balance_minor,
        )
        rows.append([b.currency, *(words.money(v, b.currency) for v in figures)])
    return page.grid(header, rows, figures_from=1, shares=[0.12, *[0.22] * 4])


def _aging(page: Page, words: Words, statement: StatementDocument) -> Flowable:
    labels = [label for label, _ in statement.aging[0].buckets]
    header = [
        words("document.currency"),
        *(bucket_name(words, label) for label in labels),
        words("document.total"),
    ]
    rows = [
        [
            row.currency,
            *(words.money(v, row.currency) for _, v in row.buckets),
            words.money(row.total_minor, row.currency),
        ]
        for row in statement.aging
    ]
    share = 0.92 / (len(labels) + 1)
    return page.grid(
        header, rows, figures_from=1, shares=[0.08, *[share] * (len(labels) + 1)]
    )


def _open_items(page: Page, words: Words, statement: StatementDocument) -> Flowable:
    header = [
        words("document.invoice_number"),
        words("document.invoice_date"),
        words("document.due_date"),
        words("document.status"),
        words("document.amount"),
        words("document.open_amount"),
        words("document.days_past_due"),
    ]
    rows = [
        [
            item.invoice_number,
            words.day(item.invoice_date),
            words.day(item.due_date),
            words(f"status.{item.status}"),
            words.money(item.amount_minor, item.currency),
            words.money(item.open_minor, item.currency),
            str(max(item.days_past_due, 0)),
        ]
        for item in statement.open_items
    ]
    shares = [0.15, 0.13, 0.13, 0.13, 0.17, 0.17, 0.12]
    return page.grid(header, rows, figures_from=4, shares=shares)


def bucket_name(words: Words, label: str) -> str:
    """``d31_60`` as "31–60 days", ``d90_plus`` as "Over 90 days"."""
    if label == "current":
        return words("aging.current")
    low, high = label[1:].split("_")
    if high == "plus":
        return words("aging.beyond", low=low)
    return words("aging.range", low=low, high=high)
