"""Shared fixtures: a ledger on each real event store, with DuckDB read models.

Tests that take ``receivables`` or ``ledger`` run once on SQLite and once on
PostgreSQL (the latter when ``O2C_TEST_POSTGRES_DSN`` names a server).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.receivables import Receivables
from tests.support.ledger import STORES, Ledger, receivables_in
from tests.support.smtp import SmtpServer


@pytest.fixture(params=STORES)
def receivables(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Receivables]:
    """The receivables application on a fresh event store."""
    app = receivables_in(tmp_path, request.param)
    yield app
    app.close()


@pytest.fixture(params=STORES)
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """A fresh event store with its read models and projector."""
    with Ledger(tmp_path, store=request.param) as opened:
        yield opened


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that keeps every message it receives."""
    server = SmtpServer().start()
    yield server
    server.stop()
