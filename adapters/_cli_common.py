"""What the CLI's commands share: the engine, dates, errors and progress bars."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from adapters.settings import Settings
from adapters.wiring import Engine, open_engine

err = Console(stderr=True, width=None if sys.stderr.isatty() else 240)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def engine(ctx: typer.Context, catch_up: bool = True) -> Iterator[Engine]:
    """The embedded engine, with its read models caught up before use."""
    settings: Settings = ctx.obj
    with open_engine(settings) as opened:
        if catch_up:
            with progress() as bar:
                behind = opened.projector.head() - opened.models.position()
                task = bar.add_task("projecting events", total=max(behind, 0))
                opened.catch_up(on_batch=lambda n: bar.advance(task, n))
        yield opened


def progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not sys.stderr.isatty(),
    )


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r} is not a date like 2013-06-30") from None


def parse_moment(text: str | None) -> datetime | None:
    """A recorded-time bound: a date (its end) or an ISO time; naive is UTC."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 23, 59, 59, 999999)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            f"--as-known-at {text!r} is not a time like 2026-12-04T16:30:00Z"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
