"""Shared fixtures: an embedded ledger on real SQLite and DuckDB files."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.receivables import Receivables
from tests.support.ledger import Ledger, receivables_in


@pytest.fixture
def receivables(tmp_path: Path) -> Iterator[Receivables]:
    """The receivables application on a fresh SQLite event store."""
    app = receivables_in(tmp_path)
    yield app
    app.close()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """A fresh event store with its read models and projector."""
    with Ledger(tmp_path) as opened:
        yield opened
