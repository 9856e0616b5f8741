"""A running portal for HTTP tests: the app over a real SQLite store and DuckDB
read models, the sandbox gateway reached through the real HTTP adapter, and a
mailer that keeps what it would send."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from adapters.mail import Mail
from adapters.portal.app import create_app
from adapters.portal.context import Portal
from adapters.portal.gateway import HttpGateway
from adapters.portal.settings import PortalSettings
from adapters.sandbox.app import create_sandbox
from adapters.settings import Settings
from adapters.wiring import Engine, open_engine, open_portal

PORTAL = "http://portal.test"
SANDBOX = "http://sandbox.test"
TODAY = date(2024, 3, 1)
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


@dataclass
class KeptMail:
    """A mailer port that keeps each e-mail instead of sending it."""

    sent: list[Mail] = field(default_factory=list)

    def send(self, message: Mail) -> None:
        self.sent.append(message)

    def link(self, index: int = 0) -> str:
        """The portal link in the text of a kept e-mail."""
        found = re.search(r"http://portal\.test/in/\S+", self.sent[index].text)
        assert found is not None, "the e-mail carries no portal link"
        return found.group()


class Clock:
    """Seconds that only move when a test moves them."""

    def __init__(self) -> None:
        self.seconds = 1_700_000_000.0

    def __call__(self) -> float:
        return self.seconds


@dataclass
class Site:
    engine: Engine
    portal: Portal
    client: TestClient
    gateway: TestClient
    mail: KeptMail
    clock: Clock

    @property
    def app(self) -> Any:
        return self.engine.app

    def browser(self) -> TestClient:
        """Another browser on the same portal, with cookies of its own."""
        return TestClient(self.client.app, base_url=PORTAL)

    def close(self) -> None:
        self.portal.store.close()
        self.engine.close()


def open_site(folder: Path, **portal_settings: Any) -> Site:
    engine = open_engine(Settings(data_dir=folder))
    sandbox = create_sandbox(folder / "sandbox.sqlite", "test-key", [PORTAL])
    gateway_client = TestClient(sandbox, base_url=SANDBOX)
    gateway = HttpGateway(SANDBOX, gateway_client, "test-key")
    mail = KeptMail()
    settings = PortalSettings(**portal_settings)
    portal = open_portal(engine, settings, PORTAL, gateway, SANDBOX, mailer=mail)
    clock = Clock()
    portal.now = clock
    portal.today = lambda: TODAY
    client = TestClient(create_app(portal), base_url=PORTAL)
    return Site(engine, portal, client, gateway_client, mail, clock)


def sign_in(site: Site, account_id: str, client: TestClient | None = None) -> Any:
    """Open a fresh sign-in link for the account in a browser."""
    browser = client or site.client
    site.engine.catch_up()
    path = urlsplit(site.portal.link_url(account_id)).path
    return browser.get(path)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, "the page has no CSRF token"
    return found[1]


def key_of(page: str) -> str:
    found = re.search(r'name="key" value="([0-9a-f]{32})"', page)
    assert found is not None, "the page has no idempotency key"
    return found[1]


def through_gateway(site: Site, redirect: str, card: str = GOOD_CARD) -> Any:
    """Type a card on the sandbox's page and follow it back to the portal."""
    query = parse_qs(urlsplit(redirect).query)
    page = site.gateway.get(redirect.removeprefix(SANDBOX))
    assert page.status_code == 200
    typed = site.gateway.post(
        "/tokenize",
        data={
            "return_url": query["return_url"][0],
            "state": query["state"][0],
            "kind": query["kind"][0],
            "number": card,
            "expiry": "12/39",
            "cvc": "123",
        },
        follow_redirects=False,
    )
    assert typed.status_code == 303, typed.text
    return site.client.get(typed.headers["location"].removeprefix(PORTAL))


def sandbox_token(site: Site, card: str = GOOD_CARD) -> str:
    """A token for a card, straight from the sandbox's tokenization page."""
    typed = site.gateway.post(
        "/tokenize",
        data={
            "return_url": f"{PORTAL}/pay/return",
            "state": "s",
            "kind": "card",
            "number": card,
            "expiry": "12/39",
            "cvc": "123",
        },
        follow_redirects=False,
    )
    return parse_qs(urlsplit(typed.headers["location"]).query)["token"][0]
