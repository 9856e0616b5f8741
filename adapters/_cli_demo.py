"""``o2c demo``: generate a seeded global book, project it, show its headlines."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer
from rich.table import Table

from adapters._cli_common import engine, fail, progress
from adapters._cli_serve import serve_engine
from adapters._render import console
from adapters.portal.context import Portal
from adapters.wiring import Engine
from services.bulk import BulkWriter
from services.demo import generate_book


def demo(
    ctx: typer.Context,
    invoices: Annotated[
        int, typer.Option("--invoices", min=1, help="How many invoices to generate.")
    ] = 2_000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same book.")] = 7,
    months: Annotated[int, typer.Option("--months", min=1, max=120)] = 24,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the portal on the book.")
    ] = False,
    port: Annotated[
        int, typer.Option("--port", min=1, max=65534, help="Portal port with --serve.")
    ] = 8000,
) -> None:
    """Generate a reproducible book in the data folder and print its headlines."""
    start = date(2024, 1, 1)
    with engine(ctx, catch_up=False) as opened:
        _generate(ctx, opened, invoices, seed, start, months)
        if serve:
            serve_engine(opened, "127.0.0.1", port, _print_links)


def _print_links(portal: Portal) -> None:
    """One sign-in link a line, each followed by its account id."""
    for payer in portal.views.sample_payers():
        url = portal.link_url(payer["account_id"])
        typer.echo(f"{url} {payer['account_id']}")


def _generate(
    ctx: typer.Context,
    opened: Engine,
    invoices: int,
    seed: int,
    start: date,
    months: int,
) -> None:
    if opened.projector.head() > 0:
        raise fail(
            f"{opened.settings.data_dir} already holds a ledger; "
            "choose an empty folder with --data-dir"
        )
    with progress() as bar:
        task = bar.add_task("generating the book", total=invoices)
        writer = BulkWriter(opened.app)
        summary = generate_book(
            writer,
            invoices=invoices,
            seed=seed,
            start=start,
            months=months,
            on_progress=lambda n: bar.advance(task, n),
        )
        projecting = bar.add_task("projecting events", total=summary.events)
        opened.catch_up(on_batch=lambda n: bar.advance(projecting, n))

    end = _month_end(start, months)
    last_month = end.replace(day=1)
    aging = opened.reports.aging(end, by="currency")
    dso = opened.reports.dso(last_month, end)

    out = console()
    counts = Table(title=f"Demo book (seed {seed})", title_justify="left")
    for name in ("accounts", "invoices", "payments", "credit_memos", "disputes"):
        counts.add_column(name.replace("_", " "), justify="right")
    counts.add_row(
        *(
            str(getattr(summary, n))
            for n in ("accounts", "invoices", "payments", "credit_memos", "disputes")
        )
    )
    out.print(counts)
    out.print(_table(f"Aging as of {end.isoformat()}", aging.columns, aging.rows))
    keep = ["currency", "credit_sales", "ar_end", "dso", "dso_countback", "add"]
    index = [dso.columns.index(c) for c in keep]
    rows = [[row[i] for i in index] for row in dso.rows]
    out.print(_table(f"DSO for {last_month:%B %Y}", keep, rows))
    out.print(
        f"data in {ctx.obj.data_dir}; try: o2c report aging --as-of "
        f"{end.isoformat()} --by country"
    )


def _table(title: str, columns: list[str], rows: list[list[object]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column == "currency" else "right")
    for row in rows:
        table.add_row(*(str(v) for v in row))
    return table


def _month_end(start: date, months: int) -> date:
    year = start.year + (start.month - 1 + months) // 12
    month = (start.month - 1 + months) % 12 + 1
    return date(year, month, 1) - timedelta(days=1)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
