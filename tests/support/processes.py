"""o2c commands run as real, long-lived processes that tests stop and kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[2]

# Stores a demo book (INVOICES SEED SECONDS) in the event store its O2C_
# settings name: batches of about 1,000 events spread over the seconds, with
# three ordinary commands (their receipts included) after each batch.
BOOK_WRITER = """
import sys, time
from datetime import date
from decimal import Decimal

from adapters.logging import configure
from adapters.settings import Settings
from adapters.wiring import store_env
from services import commands as c
from services.bulk import BulkWriter
from services.demo import generate_book
from services.receivables import Receivables

invoices, seed, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
configure("json", "info")
app = Receivables(env=store_env(Settings()))
expected_flushes = invoices * 4.4 / 1000
started = time.monotonic()
flushes = 0


def live_commands_then_pause(count):
    global flushes
    flushes += 1
    number = f"LIVE-{flushes}"
    app.open_account(c.OpenAccount(
        idempotency_key=f"open-{number}", number=number, name=f"Live {flushes}",
        country="DE", currency="EUR", opened_on=date(2024, 1, 2)))
    app.issue_invoice(c.IssueInvoice(
        idempotency_key=f"issue-{number}", number=f"{number}-1",
        account_number=number, amount=Decimal("120.00"),
        issue_date=date(2024, 2, 1)))
    app.record_payment(c.RecordPayment(
        idempotency_key=f"pay-{number}", account_number=number,
        amount=Decimal("100.00"), currency="EUR", received_on=date(2024, 3, 1),
        allocations=[c.AllocationLine(
            invoice_number=f"{number}-1", amount=Decimal("100.00"))]))
    due = started + seconds * flushes / expected_flushes
    time.sleep(max(0.0, due - time.monotonic()))


generate_book(
    BulkWriter(app, batch_events=1000, on_flush=live_commands_then_pause),
    invoices=invoices, seed=seed,
)
print("stored", app.recorder.max_notification_id(), flush=True)
app.close()
"""


def o2c_env(**settings: str) -> dict[str, str]:
    """The test run's environment with only the given ``O2C_`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2C_")}
    env["PYTHONPATH"] = str(ROOT)
    env["O2C_LOG_FORMAT"] = "json"
    env["O2C_LOG_LEVEL"] = "info"
    env.update({f"O2C_{name.upper()}": value for name, value in settings.items()})
    return env


class Process:
    """One command (``o2c ARGS`` or a Python script) that a test can restart.

    Everything it writes, across restarts, goes to ``<name>.log`` in
    ``folder``, so a failing test can show what each run said.
    """

    def __init__(
        self,
        name: str,
        args: list[str],
        env: Mapping[str, str],
        folder: Path,
        script: str | None = None,
    ) -> None:
        self.name = name
        self.command = (
            [sys.executable, "-c", script, *args]
            if script is not None
            else [sys.executable, "-m", "adapters.cli", *args]
        )
        self.env = dict(env)
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        assert not self.running(), f"{self.name} is already running"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def kill(self) -> None:
        """SIGKILL, and wait until it is gone."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM, and the exit code once it has stopped."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def cleanup(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The JSON log lines written so far, only those of ``name`` if given."""
        found = []
        if not self.log.exists():
            return found
        for line in self.log.read_bytes().splitlines():
            if not line.startswith(b"{"):
                continue
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a line cut short by SIGKILL
            if name is None or event.get("event") == name:
                found.append(event)
        return found

    def output(self, last: int = 60) -> str:
        """The last lines of the log, for a failure message."""
        if not self.log.exists():
            return f"({self.name} wrote nothing)"
        lines = self.log.read_text(errors="replace").splitlines()[-last:]
        return f"--- {self.log} ---\n" + "\n".join(lines)


def wait_for(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    interval: float = 0.1,
    watched: tuple[Process, ...] = (),
) -> None:
    """Poll until ``condition`` holds; fail naming ``what`` after ``timeout``.

    A process in ``watched`` that exits meanwhile fails it at once.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        for process in watched:
            code = process.returncode()
            assert code is None, (
                f"{process.name} exited with {code} while waiting for {what}\n"
                + process.output()
            )
        assert time.monotonic() < deadline, f"timed out waiting for {what}" + "".join(
            "\n" + p.output() for p in watched
        )
        time.sleep(interval)


def start_in_order(writer: Process, relay: Process, projector: Process) -> None:
    """Start the load and the relay, then the projector once the relay has
    published a batch (a projector fails on a topic that does not exist)."""
    writer.start()
    relay.start()
    wait_for(
        lambda: bool(relay.events("relay_batch_published")),
        60,
        "the relay's first batch",
        watched=(writer, relay),
    )
    projector.start()
