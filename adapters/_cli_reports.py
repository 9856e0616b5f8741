"""``o2c report``, ``o2c account``, ``o2c invoice`` and ``o2c rebuild``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from adapters._cli_common import (
    engine,
    fail,
    parse_day,
    parse_moment,
    progress,
    views,
)
from adapters._cli_documents import checked_language, write_invoice, write_statement
from adapters._cli_send import send_invoice
from adapters._render import Format, print_report, print_sections
from projections._format import Report
from projections.portal import PayerViews
from projections.statements import NotInReadModels, Statements

reports = typer.Typer(help="Reports from the read models.")

FormatOption = Annotated[
    Format | None,
    typer.Option("--format", help="table, csv or json [default: table on a terminal]"),
]
KnownAtOption = Annotated[
    str | None,
    typer.Option(
        "--as-known-at",
        help="Answer from the events recorded up to this time (ISO, UTC if no zone).",
    ),
]

LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--language",
        help="Language of the PDF: en, zh_Hans or ja [default: the account's]",
    ),
]


class AgingGroup(StrEnum):
    customer = "customer"
    country = "country"
    currency = "currency"


class DsoGroup(StrEnum):
    country = "country"


class Period(StrEnum):
    month = "month"


@reports.command("invoices")
def report_invoices(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Business date (YYYY-MM-DD).")
    ] = None,
    as_known_at: KnownAtOption = None,
    fmt: FormatOption = None,
) -> None:
    """Every invoice with its open amount, status and settlement days."""
    day = parse_day(as_of, "--as-of")
    moment = parse_moment(as_known_at)
    with views(ctx) as opened:
        print_report(opened.reports.invoices(day, moment), fmt)


@reports.command("aging")
def report_aging(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help="Business date (YYYY-MM-DD).")],
    by: Annotated[AgingGroup, typer.Option("--by")] = AgingGroup.customer,
    as_known_at: KnownAtOption = None,
    fmt: FormatOption = None,
) -> None:
    """Open amounts by days past due, per customer, country or currency."""
    day = parse_day(as_of, "--as-of")
    assert day is not None
    moment = parse_moment(as_known_at)
    with views(ctx) as opened:
        print_report(opened.reports.aging(day, by.value, moment), fmt)


@reports.command("dso")
def report_dso(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    period: Annotated[Period, typer.Option("--period")] = Period.month,
    by: Annotated[DsoGroup | None, typer.Option("--by")] = None,
    as_known_at: KnownAtOption = None,
    fmt: FormatOption = None,
) -> None:
    """DSO, countback DSO, best possible DSO, ADD and CEI per currency and month."""
    first = parse_day(start, "--from")
    last = parse_day(end, "--to")
    assert first is not None and last is not None
    if last < first:
        raise fail(f"--to {end} is before --from {start}", 2)
    moment = parse_moment(as_known_at)
    with views(ctx) as opened:
        report = opened.reports.dso(first, last, by is not None, moment)
        print_report(report, fmt)


@reports.command("experience")
def report_experience(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """Customer effort score (1 hard to 7 easy) by month and country: how many
    payers answered after paying, their mean score, how many found it easy
    (5 or more)."""
    with views(ctx) as opened:
        rows = PayerViews(opened.models.con).effort_by_month_and_country()
        columns = ["month", "country", "answers", "mean_score", "easy"]
        report = Report(
            columns,
            [[row[name] for name in columns] for row in rows],
            title="Customer effort score",
        )
        print_report(report, fmt)


def account_statement(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The account (customer) id.")],
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    as_known_at: KnownAtOption = None,
    fmt: FormatOption = None,
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", help="Write the statement as a PDF to this file."),
    ] = None,
    language: LanguageOption = None,
) -> None:
    """An account's statement: details, open items, balances, timeline."""
    day = parse_day(as_of, "--as-of")
    moment = parse_moment(as_known_at)
    language = checked_language(language)
    with views(ctx) as opened:
        if pdf is not None:
            write_statement(ctx, opened, customer_id, pdf, language, day, moment)
            return
        try:
            sections = Statements(opened.models.con).account(customer_id, day, moment)
        except NotInReadModels as error:
            raise fail(str(error)) from None
        print_sections(sections, fmt)


def invoice_history(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The invoice number.")],
    as_known_at: KnownAtOption = None,
    fmt: FormatOption = None,
    pdf: Annotated[
        Path | None,
        typer.Option("--pdf", help="Write the invoice as it stands as a PDF."),
    ] = None,
    language: LanguageOption = None,
    email: Annotated[
        bool,
        typer.Option(
            "--email",
            help="E-mail the invoice (PDF and payment link) to the billing contact.",
        ),
    ] = False,
    again: Annotated[
        bool,
        typer.Option("--again", help="With --email: send even if it was sent before."),
    ] = False,
) -> None:
    """An invoice and its whole event history, or its PDF, or its e-mail."""
    moment = parse_moment(as_known_at)
    language = checked_language(language)
    if pdf is not None and moment is not None:
        raise fail("--pdf shows the invoice as it stands; leave out --as-known-at", 2)
    if email and (pdf is not None or moment is not None):
        raise fail("--email sends the invoice; leave out --pdf and --as-known-at", 2)
    if again and not email:
        raise fail("--again goes with --email", 2)
    if email:
        send_invoice(ctx, number, again, language)
        return
    with views(ctx) as opened:
        if pdf is not None:
            write_invoice(ctx, opened, number, pdf, language)
            return
        try:
            sections = Statements(opened.models.con).invoice(number, moment)
        except NotInReadModels as error:
            raise fail(str(error)) from None
        print_sections(sections, fmt)


def rebuild(ctx: typer.Context) -> None:
    """Drop every read model and rebuild it from the event store."""
    with engine(ctx, catch_up=False, existing=True) as opened, progress() as bar:
        opened.models.drop_all()
        task = bar.add_task("rebuilding", total=opened.projector.head())
        count = opened.catch_up(on_batch=lambda n: bar.advance(task, n))
    typer.echo(f"rebuilt the read models from {count} events")


def register(app: typer.Typer) -> None:
    app.add_typer(reports, name="report")
    app.command("invoice")(invoice_history)
    app.command("rebuild")(rebuild)
