"""``o2c simulate``: a quarter of the cadence over the demo book, on a
simulated clock, with payers who respond."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer
from rich.table import Table

from adapters._cli_common import engine, progress
from adapters._render import console
from adapters.cadence.runner import channels_for, scheduler_for
from adapters.cadence.simulation import Simulation
from adapters.wiring import Engine
from projections.cadence import CadenceViews
from services.bulk import BulkWriter
from services.demo import generate_book

BOOK_START = date(2024, 1, 1)
BOOK_MONTHS = 24


class _Quiet:
    """The simulation's mail server: messages are counted, none leaves."""

    def send(self, message: object) -> None:
        return None

    def close(self) -> None:
        return None


def simulate(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, max=366)] = 90,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same run.")] = 7,
    invoices: Annotated[
        int, typer.Option("--invoices", min=1, help="Demo book size when empty.")
    ] = 2_000,
    every: Annotated[
        int, typer.Option("--every", min=1, max=24, help="Hours between passes.")
    ] = 3,
) -> None:
    """Run the cadence over the demo book for some days and report the results.

    An empty data folder first gets the demo book (as ``o2c demo`` makes it);
    the days start after the book's last business date. E-mails are counted,
    not sent; paper letters are written to the data folder.
    """
    with engine(ctx) as opened, channels_for(opened) as channels:
        if opened.projector.head() == 0:
            _demo(opened, invoices, seed)
        first = _after_book(opened)
        channels.mail = _Quiet
        scheduler = scheduler_for(opened, channels)
        try:
            with progress() as bar:
                task = bar.add_task("simulating days", total=days)
                outcome = Simulation(scheduler, seed, every).run(
                    first, days, lambda _: bar.advance(task)
                )
        finally:
            scheduler.close()
        _report(opened, outcome.first, outcome.last, outcome)


def _demo(opened: Engine, invoices: int, seed: int) -> None:
    with progress() as bar:
        task = bar.add_task("generating the demo book", total=invoices)
        generate_book(
            BulkWriter(opened.app),
            invoices=invoices,
            seed=seed,
            start=BOOK_START,
            months=BOOK_MONTHS,
            on_progress=lambda n: bar.advance(task, n),
        )
        opened.catch_up()


def _after_book(opened: Engine) -> date:
    found = opened.models.con.execute(
        "SELECT max(effective_date) FROM timeline"
    ).fetchall()
    last = found[0][0] or date.today()
    return last + timedelta(days=1)


def _report(opened: Engine, first: date, last: date, outcome: object) -> None:
    out = console()
    counts = CadenceViews(opened.models.con).counts(first.isoformat())
    channels = sorted({r["delivery"] for r in counts})
    table = Table(title=f"Messages sent {first} to {last}", title_justify="left")
    table.add_column("step")
    for channel in channels:
        table.add_column(channel, justify="right")
    steps = sorted({r["step"] for r in counts})
    for step in steps:
        found = {r["delivery"]: r["messages"] for r in counts if r["step"] == step}
        table.add_row(step, *(str(found.get(c, 0)) for c in channels))
    out.print(table)

    actions = getattr(outcome, "actions", {})
    resolved = getattr(outcome, "disputes_resolved", 0)
    summary = ", ".join(f"{name} {n}" for name, n in sorted(actions.items()))
    out.print(f"payers and collectors: {summary}; disputes resolved {resolved}")

    month_start = date(first.year, first.month, 1)
    dso = opened.reports.dso(month_start, last)
    keep = ["period_start", "currency", "credit_sales", "ar_end", "dso", "add"]
    index = [dso.columns.index(c) for c in keep]
    months = Table(title="DSO and ADD by month", title_justify="left")
    for column in keep:
        months.add_column(column, justify="left" if column == "currency" else "right")
    for row in dso.rows:
        months.add_row(*(str(row[i]) for i in index))
    out.print(months)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
