"""What every portal route needs, built once by the app factory."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from adapters.mail import Mailer
from adapters.portal._store import PortalStore
from adapters.portal.attachments import Attachments
from adapters.portal.auth import Csrf, Links, Sessions, SignInLink
from adapters.portal.gateway import PaymentGateway
from adapters.portal.ratelimit import RateLimit
from adapters.portal.readcache import ReadCache
from adapters.portal.settings import PortalSettings
from projections.portal import PayerViews

if TYPE_CHECKING:
    from adapters.wiring import Engine


@dataclass
class Portal:
    """The engine, the portal's own state and its ports, shared by routes.

    Commands are run one at a time, each followed by a catch-up of the read
    models, so the page that answers a command already shows its effect.
    Catching up is shared: commands stored while one request projects wait
    for the next catch-up, which takes all of them in one run. Each run drops
    what ``cache`` keeps of the accounts it changed before the command answers.
    """

    engine: Engine
    settings: PortalSettings
    store: PortalStore
    links: Links
    sessions: Sessions
    csrf: Csrf
    gateway: PaymentGateway
    mailer: Mailer
    attachments: Attachments
    public_url: str
    gateway_origin: str
    today: Callable[[], date] = date.today
    now: Callable[[], float] = time.time
    lock: threading.Lock = field(default_factory=threading.Lock)
    projecting: threading.Lock = field(default_factory=threading.Lock)
    limits: dict[str, RateLimit] = field(default_factory=dict)
    cache: ReadCache = field(default_factory=ReadCache)

    def __post_init__(self) -> None:
        self.engine.models.on_change.append(self.cache.forget)

    @property
    def views(self) -> PayerViews:
        return PayerViews(self.engine.models.con)

    def command(self, handler: str, cmd: Any) -> dict[str, Any]:
        """Run one command through the services, then catch up the read models."""
        try:
            with self.lock:
                result: dict[str, Any] = getattr(self.engine.app, handler)(cmd)
        finally:
            with self.projecting:
                self.engine.catch_up()
        return result

    def link(self, account_id: str, invoice_id: str | None = None) -> SignInLink:
        """A sign-in link for an account: for an invoice e-mail when it names
        the invoice, else for a payer who asked for one."""
        return self.links.link(
            self.public_url, account_id, invoice_id, self.settings, self.now()
        )

    def link_url(self, account_id: str, invoice_id: str | None = None) -> str:
        return self.link(account_id, invoice_id).url
