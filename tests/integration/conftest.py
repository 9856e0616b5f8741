"""Fixtures for tests that need a real Kafka broker, started by scripts/services,
and a small ledger of payers for documents and mail."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.ledger import Ledger
from tests.support.payers import record_payers

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "services"
PORT_SETTINGS = ("O2C_KAFKA_PORT", "O2C_KAFKA_CONTROLLER_PORT", "O2C_PG_PORT")
STARTED = b"Kafka Server started"
START_TIMEOUT_S = 120.0


class Broker:
    """The broker scripts/services started, which a test may kill and restart.

    A restart runs the very command line the script ran, so the broker comes
    back on the same ports with the same configuration and log folder: what
    it held before the kill is still there.
    """

    def __init__(self, bootstrap: str, state: Path) -> None:
        self.bootstrap = bootstrap
        self.state = state / "kafka"
        self.command = self._cmdline(self.pid())
        self._children: list[subprocess.Popen[bytes]] = []

    def pid(self) -> int:
        return int((self.state / "pid").read_text().strip())

    def alive(self) -> bool:
        try:
            status = Path(f"/proc/{self.pid()}/status").read_text()
        except (OSError, ValueError):
            return False
        return "\nState:\tZ" not in status

    @staticmethod
    def _cmdline(pid: int) -> list[str]:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        return [part.decode() for part in raw.split(b"\0") if part]

    def kill(self) -> None:
        """SIGKILL the broker and wait until it is gone."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        for child in self._children:
            if child.pid == pid:
                child.wait(timeout=30)
        deadline = time.monotonic() + 30
        while self.alive():
            assert time.monotonic() < deadline, f"broker {pid} outlived SIGKILL"
            time.sleep(0.05)

    def restart(self) -> None:
        """Start the broker again on its data, and wait until it serves."""
        assert not self.alive(), "restart() needs a broker that is down"
        log = self.state / "kafka.log"
        started_before = log.read_bytes().count(STARTED)
        with log.open("ab") as out:
            child = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.state,
            )
        self._children.append(child)
        (self.state / "pid").write_text(f"{child.pid}\n")
        host, port = self.bootstrap.rsplit(":", 1)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert child.poll() is None, f"the broker exited on restart; see {log}"
            if log.read_bytes().count(STARTED) > started_before and _answers(
                host, int(port)
            ):
                return
            assert time.monotonic() < deadline, f"broker did not restart; see {log}"
            time.sleep(0.2)

    def reap(self) -> None:
        """Collect restarted brokers once scripts/services has stopped them."""
        for child in self._children:
            if child.poll() is None:
                child.kill()
            child.wait()


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A Kafka broker of this module's own, started and stopped by the script."""
    env = {k: v for k, v in os.environ.items() if k not in PORT_SETTINGS}
    state = tmp_path_factory.mktemp("services") / "state"
    env["O2C_SERVICES_DIR"] = str(state)

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

    handle = None
    try:
        done = run("up", "kafka")
        assert done.returncode == 0, done.stderr
        exports = dict(
            shlex.split(line)[1].split("=", 1) for line in done.stdout.splitlines()
        )
        handle = Broker(exports["O2C_KAFKA_BOOTSTRAP"], state)
        yield handle
    finally:
        run("down")
        if handle is not None:
            handle.reap()


@pytest.fixture(scope="module")
def bootstrap(broker: Broker) -> str:
    """host:port of this module's broker."""
    return broker.bootstrap


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
