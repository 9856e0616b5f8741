"""Running the scheduler: its channels from the settings, a simulated clock
over business days, and the service mode that wakes periodically."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import structlog

from adapters.cadence.config import CadenceBook, load
from adapters.cadence.scheduler import Channels, PassSummary, Scheduler
from adapters.mail.messages import Mail
from adapters.mail.outbox import mailer_for
from adapters.mail.smtp import Mailer, SmtpMailer
from adapters.portal._store import PortalStore
from adapters.portal.auth import Links, load_secret
from adapters.portal.settings import PortalSettings
from adapters.wiring import Engine

log = structlog.get_logger("o2c.cadence")

DEFAULT_PORTAL = "http://127.0.0.1:8000"


@contextmanager
def channels_for(engine: Engine) -> Iterator[Channels]:
    """E-mail through ``O2C_SMTP_*`` (the outbox folder without a host),
    letters in the data folder, one-click links signed with the portal's
    secret for its public address."""
    settings = engine.settings
    portal = PortalSettings()
    secret = (
        portal.secret.get_secret_value().encode()
        if portal.secret is not None
        else load_secret(settings.data_dir)
    )
    store = PortalStore(settings.data_dir / "portal.sqlite")
    links = Links(secret, store)
    public = (portal.public_url or DEFAULT_PORTAL).rstrip("/")
    minutes = portal.link_minutes

    def link(account_id: str, invoice_id: str | None) -> tuple[str, datetime]:
        now = time.time()
        token = links.make(account_id, invoice_id, minutes, now)
        expires = datetime.fromtimestamp(now + minutes * 60, UTC)
        return f"{public}/in/{token}", expires

    mailer = mailer_for(settings)
    try:
        yield Channels(
            mail=mailer.session if isinstance(mailer, SmtpMailer) else _Each(mailer),
            letters=settings.data_dir / "letters",
            return_address="",
            link=link,
            portal_url=public,
            pdf_font=settings.pdf_font,
        )
    finally:
        store.close()


class _Each:
    """A mailer without connections (the outbox folder) as a session factory."""

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer

    def __call__(self) -> _Each:
        return self

    def send(self, message: Mail) -> None:
        self.mailer.send(message)

    def close(self) -> None:
        return None


def scheduler_for(
    engine: Engine,
    channels: Channels,
    book: CadenceBook | None = None,
    stop: threading.Event | None = None,
) -> Scheduler:
    chosen = book or load()
    channels.return_address = channels.return_address or chosen.return_address
    run_id = datetime.now(UTC).strftime("%H%M%S%f")
    return Scheduler(engine, chosen, channels, stop, run_id)


def moments(first: date, last: date, every: timedelta) -> Iterator[datetime]:
    """The simulated clock: every ``every`` from midnight UTC of ``first``
    through the end of ``last``."""
    moment = datetime.combine(first, clock_time(0), UTC)
    end = datetime.combine(last + timedelta(days=1), clock_time(0), UTC)
    while moment < end:
        yield moment
        moment += every


def run_days(
    scheduler: Scheduler,
    first: date,
    last: date,
    every: timedelta,
    on_pass: Callable[[datetime, PassSummary], None] | None = None,
) -> list[PassSummary]:
    """Passes on the simulated clock; stops early when asked to."""
    summaries = []
    for moment in moments(first, last, every):
        if scheduler.stop.is_set():
            break
        summary = scheduler.tick(moment)
        summaries.append(summary)
        if on_pass is not None:
            on_pass(moment, summary)
    return summaries


def follow(
    scheduler: Scheduler,
    interval: float,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """The service mode: a pass now, then one every ``interval`` seconds,
    until the stop event is set (SIGTERM). Returns the passes run."""
    passes = 0
    while not scheduler.stop.is_set():
        scheduler.tick(now())
        passes += 1
        scheduler.stop.wait(interval)
    log.info("scheduler_stopped", passes=passes)
    return passes
