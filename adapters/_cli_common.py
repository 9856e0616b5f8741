"""What the CLI's commands share: the engine, dates, errors and progress bars."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
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
from projections.queries import Reports
from projections.readmodels import ReadModels
from services.commands import EARLIEST, LATEST

err = Console(stderr=True, width=None if sys.stderr.isatty() else 240)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error for the user; the caller raises what it returns."""
    err.print("[red]error:[/red] ", end="", highlight=False)
    err.print(message, markup=False, highlight=False)
    return typer.Exit(code)


def _unopenable(folder: Path, error: duckdb.IOException) -> typer.Exit:
    """Say why the read models in ``folder`` could not be opened."""
    if "lock" in str(error).lower():
        return fail(f"another o2c command is using {folder}; run this one when it ends")
    return fail(f"cannot open the read models in {folder}: {error}")


@contextmanager
def engine(
    ctx: typer.Context, catch_up: bool = True, existing: bool = False
) -> Iterator[Engine]:
    """The engine, with its read models caught up before use.

    ``existing`` is for commands that only read: they refuse a data folder
    that holds no ledger rather than answer from an empty one.
    """
    settings: Settings = ctx.obj
    folder = settings.data_dir
    if folder.exists() and not folder.is_dir():
        raise fail(f"--data-dir {folder} is a file, not a folder", 2)
    local_store = settings.event_store == "sqlite"
    if existing and local_store and not settings.event_store_path.exists():
        raise fail(
            f"no ledger in {folder}: import or record something first, "
            "or name the folder with --data-dir",
            2,
        )
    try:
        opened = open_engine(settings)
    except duckdb.IOException as error:
        raise _unopenable(folder, error) from None
    except OSError as error:
        raise fail(f"cannot use {folder}: {error.strerror or error}") from None
    with opened:
        behind = opened.projector.head() - opened.models.position()
        if catch_up and behind > 0:
            with progress() as bar:
                task = bar.add_task("projecting events", total=behind)
                opened.catch_up(on_batch=lambda n: bar.advance(task, n))
        yield opened


@dataclass
class Views:
    """Read models and their reports, for commands that only read."""

    models: ReadModels
    reports: Reports


@contextmanager
def views(ctx: typer.Context) -> Iterator[Views]:
    """The read models, caught up from the event store when there is one.

    A folder that holds only read models (a replica fed from Kafka by
    ``o2c project --from kafka``) is read as it stands.
    """
    settings: Settings = ctx.obj
    local_store = settings.event_store == "sqlite"
    replica_only = (
        local_store
        and not settings.event_store_path.exists()
        and settings.read_models_path.is_file()
    )
    if not replica_only:
        with engine(ctx, existing=True) as opened:
            yield Views(opened.models, opened.reports)
        return
    try:
        models = ReadModels(settings.read_models_path)
    except duckdb.IOException as error:
        raise _unopenable(settings.data_dir, error) from None
    try:
        yield Views(models, Reports(models.con))
    finally:
        models.close()


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
        day = date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r} is not a date like 2013-06-30", 2) from None
    if not EARLIEST <= day <= LATEST:
        raise fail(f"{option} {text} is outside {EARLIEST} to {LATEST}", 2)
    return day


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
            f"--as-known-at {text!r} is not a time like 2026-12-04T16:30:00Z", 2
        ) from None
    if not EARLIEST <= moment.date() <= LATEST:
        raise fail(f"--as-known-at {text} is outside {EARLIEST} to {LATEST}", 2)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
