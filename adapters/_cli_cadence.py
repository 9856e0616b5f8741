"""``o2c scheduler`` and ``o2c comms``: the cadence that runs itself, and
previews and announcements of its messages."""

from __future__ import annotations

import signal
import threading
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from adapters._cli_common import engine, fail, parse_day, progress
from adapters._cli_documents import checked_language
from adapters._render import console
from adapters.cadence.compose import Payer, UnknownStep, compose
from adapters.cadence.config import CadenceFileError, load
from adapters.cadence.runner import (
    DEFAULT_PORTAL,
    channels_for,
    follow,
    moments,
    run_days,
    scheduler_for,
)
from adapters.cadence.scheduler import PassSummary
from adapters.languages import LANGUAGES
from domain.account import Account
from domain.cadence import ANNOUNCEMENT, STEPS
from projections.cadence import CadenceViews
from projections.portal import PayerViews

scheduler_app = typer.Typer(help="The dunning cadence's scheduler.")
comms_app = typer.Typer(help="The cadence's messages: preview and announce.")


def _moment(text: str | None) -> datetime | None:
    """A simulated moment: a date (its midnight, UTC) or an ISO time."""
    if text is None:
        return None
    if len(text) == 10:
        day = parse_day(text, "--as-of")
        assert day is not None
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            f"--as-of {text!r} is not a date or time like 2024-03-01T10:00Z", 2
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stop_on_sigterm() -> threading.Event:
    """An event SIGTERM (and Ctrl-C) sets: the pass finishes its message and ends."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


@scheduler_app.command("run")
def run(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Simulated clock: from this date (or ISO time, UTC if no zone).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Simulated clock: through this business date."),
    ] = None,
    every: Annotated[
        int,
        typer.Option("--every", min=1, max=24, help="Hours between simulated passes."),
    ] = 1,
    follow_: Annotated[
        bool,
        typer.Option("--follow", help="Keep running: a pass every --interval."),
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=1, help="Seconds between passes.")
    ] = 300,
) -> None:
    """Send what is due: now, over simulated days, or as a service (--follow)."""
    start = _moment(as_of)
    last = parse_day(until, "--until")
    if follow_ and (start or last):
        raise fail("--follow runs on the real clock; leave out --as-of and --until", 2)
    stop = _stop_on_sigterm()
    try:
        book = load()
    except CadenceFileError as error:
        raise fail(str(error)) from None
    with engine(ctx) as opened, channels_for(opened) as channels:
        scheduler = scheduler_for(opened, channels, book, stop)
        try:
            if follow_:
                follow(scheduler, interval)
                return
            if start is None and last is None:
                _print([scheduler.tick(datetime.now(UTC))])
                return
            first = start.date() if start else date.today()
            last = last or first
            if last < first:
                raise fail(f"--until {last} is before --as-of {first}", 2)
            if start is not None and len(as_of or "") > 10:
                summaries = [scheduler.tick(start)]
                first += timedelta(days=1)
            else:
                summaries = []
            step = timedelta(hours=every)
            total = sum(1 for _ in moments(first, last, step))
            with progress() as bar:
                task = bar.add_task("running the cadence", total=total)
                summaries += run_days(
                    scheduler, first, last, step, lambda *_: bar.advance(task)
                )
            _print(summaries)
        finally:
            scheduler.close()


def _print(summaries: list[PassSummary]) -> None:
    sent: dict[str, int] = {}
    for summary in summaries:
        for channel, count in summary.sent.items():
            sent[channel] = sent.get(channel, 0) + count
    planned = sum(s.planned for s in summaries)
    failed = sum(s.failed for s in summaries)
    letters = [p for s in summaries for p in s.letters]
    by_channel = ", ".join(f"{c} {n}" for c, n in sorted(sent.items())) or "none"
    typer.echo(
        f"{len(summaries)} passes: {planned} planned, sent {by_channel}, "
        f"{failed} failed attempts"
    )
    for path in letters:
        typer.echo(f"letters: {path}")
    if any(s.stopped for s in summaries):
        typer.echo("stopped on request; unsent messages wait for the next run")


@scheduler_app.command("status")
def status(ctx: typer.Context) -> None:
    """Messages by status and channel, and those waiting to be retried."""
    with engine(ctx, existing=True) as opened:
        views = CadenceViews(opened.models.con)
        rows = views.status()
        failing = views.failing()
    out = console()
    if not rows:
        out.print("no messages yet")
        return
    for row in rows:
        out.print(
            f"{row['status']:8} {row['delivery']:7} {row['messages']:>8} messages "
            f"{row['attempts']:>8} attempts",
            highlight=False,
        )
    for row in failing:
        out.print(
            f"retry {row['customer_id']} {row['step']} by {row['delivery']}: "
            f"attempt {row['attempts']} failed, next at {row['retry_at']} "
            f"({row['last_error']})",
            markup=False,
            highlight=False,
        )


@comms_app.command("preview")
def preview(
    ctx: typer.Context,
    step: Annotated[str, typer.Argument(help=f"One of {', '.join(STEPS)}.")],
    account: Annotated[str, typer.Argument(help="The account number.")],
    invoice: Annotated[
        str | None, typer.Option("--invoice", help="Speak of this invoice only.")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option("--language", help="en, zh_Hans or ja [default: the account's]"),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Business date [default: today].")
    ] = None,
    html: Annotated[bool, typer.Option("--html", help="Print the HTML part.")] = False,
) -> None:
    """Render a step's message for an account, as it would be sent."""
    day = parse_day(on, "--on") or date.today()
    kind = step.split("@", 1)[0]
    if kind not in STEPS or kind == ANNOUNCEMENT:
        raise fail(f"step {step!r} is not one of {', '.join(STEPS[:-1])}", 2)
    if kind == "promise_broken" and "@" not in step:
        step = f"{step}@{day.isoformat()}"
    with engine(ctx, existing=True) as opened:
        views = PayerViews(opened.models.con)
        account_id = str(Account.id_for(account))
        found = views.account(account_id)
        if found is None:
            raise fail(f"no account {account!r} in the ledger")
        invoices = _invoices(views, account_id, invoice)
    payer = Payer(
        account_id,
        found["name"],
        found["country"],
        checked_language(language) or found["language"],
    )
    link = f"{DEFAULT_PORTAL}/in/(a signed one-click link, made when it is sent)"
    expires = datetime.now(UTC) + timedelta(days=14)
    try:
        message = compose(step, payer, invoices, day, link, expires)
    except UnknownStep as error:
        raise fail(str(error)) from None
    typer.echo(f"Subject: {message.subject}\n")
    typer.echo(message.html if html else message.text)


def _invoices(
    views: PayerViews, account_id: str, number: str | None
) -> list[dict[str, Any]]:
    rows = views.invoices(account_id)
    if number is not None:
        everything = rows + views.invoices(account_id, closed=True)
        rows = [r for r in everything if r["invoice_number"] == number]
    if number is not None and not rows:
        raise fail(f"the account has no invoice {number!r}")
    return [
        {
            "number": r["invoice_number"],
            "currency": r["currency"],
            "amount_minor": r["amount_minor"],
            "open_minor": r["open_minor"],
            "due_date": r["due_date"].isoformat(),
        }
        for r in rows
    ]


@comms_app.command("announce")
def announce(
    ctx: typer.Context,
    notice: Annotated[
        Path,
        typer.Argument(
            help="TOML file: name, then [en], [zh_Hans], [ja] subject/body."
        ),
    ],
    segment: Annotated[
        str, typer.Option("--segment", help="Send to the accounts of this segment.")
    ] = "default",
    on: Annotated[
        str | None, typer.Option("--on", help="Business date [default: today].")
    ] = None,
) -> None:
    """Plan a business update or policy notice for every account of a segment;
    the scheduler sends it in each account's working hours."""
    day = parse_day(on, "--on") or date.today()
    content = _notice(notice)
    try:
        book = load()
        book.segment(segment)
    except CadenceFileError as error:
        raise fail(str(error)) from None
    with engine(ctx, existing=True) as opened, channels_for(opened) as channels:
        scheduler = scheduler_for(opened, channels, book)
        try:
            planned = scheduler.announce(content, segment, day)
        finally:
            scheduler.close()
    typer.echo(f"planned {planned} messages of {content['name']!r} to {segment}")


def _notice(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise fail(f"cannot read the notice {path}: {error}", 2) from None
    name = str(data.get("name", "")).strip()
    if not name or "/" in name or "@" in name:
        raise fail(f"{path}: name must be a short word, like holiday-hours-2024", 2)
    missing = [
        lang
        for lang in LANGUAGES
        if not isinstance(data.get(lang), dict)
        or not data[lang].get("subject")
        or not data[lang].get("body")
    ]
    if missing:
        raise fail(f"{path}: [{'], ['.join(missing)}] need a subject and a body", 2)
    return {"name": name, **{lang: data[lang] for lang in LANGUAGES}}


def register(app: typer.Typer) -> None:
    app.add_typer(scheduler_app, name="scheduler")
    app.add_typer(comms_app, name="comms")
