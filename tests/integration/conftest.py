"""Fixtures for tests that need a real Kafka broker, started by scripts/services,
and a small ledger of payers for documents and mail."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.ledger import Ledger
from tests.support.payers import record_payers

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "services"
PORT_SETTINGS = ("O2C_KAFKA_PORT", "O2C_KAFKA_CONTROLLER_PORT", "O2C_PG_PORT")


@pytest.fixture(scope="module")
def bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Kafka broker of this module's own, started and stopped by the script."""
    env = {k: v for k, v in os.environ.items() if k not in PORT_SETTINGS}
    env["O2C_SERVICES_DIR"] = str(tmp_path_factory.mktemp("services") / "state")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    try:
        done = run("up", "kafka")
        assert done.returncode == 0, done.stderr
        exports = dict(
            shlex.split(line)[1].split("=", 1) for line in done.stdout.splitlines()
        )
        yield exports["O2C_KAFKA_BOOTSTRAP"]
    finally:
        run("down")


@pytest.fixture(scope="module")
def payers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    """A ledger on SQLite holding the payers of ``tests.support.payers``."""
    with Ledger(tmp_path_factory.mktemp("payers")) as ledger:
        record_payers(ledger)
        yield ledger


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Any]:
    """The portal and its sandbox gateway over a fresh ledger in a folder."""
    from tests.support.portal import open_site

    opened = open_site(tmp_path)
    yield opened
    opened.close()
