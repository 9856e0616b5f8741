"""Fixtures for tests in a real browser: the system Chromium under Playwright,
pages that take screenshots, a live server for an ASGI app, and SMTP.

Screenshots go to ``$O2C_SCREENSHOTS`` (a folder per test), or to the test
run's temporary folder when it is not set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer, only_loopback

Shot = Callable[[str], Path]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium, one for the whole run."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"no browser at {CHROMIUM}: install Debian's chromium package "
            "(scripts/test does, as root)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page whose requests stay on loopback."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("**/*", only_loopback)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("O2C_SCREENSHOTS")
    if configured:
        return Path(configured)
    return tmp_path_factory.getbasetemp() / "screenshots"


@pytest.fixture
def shot(page: Page, screenshots: Path, request: pytest.FixtureRequest) -> Shot:
    """``shot("02-paid")`` saves the whole page as PNG and returns its path."""
    folder = screenshots / re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def live_server() -> Iterator[Callable[..., str]]:
    """``live_server(app)`` serves an ASGI app on loopback and returns its URL
    (``port=`` picks the port); every server started this way stops when the
    test ends."""
    started: list[LiveServer] = []

    def serve(app: Any, port: int | None = None) -> str:
        server = LiveServer(app, port=port).start()
        started.append(server)
        return server.url

    yield serve
    for server in started:
        server.stop()
