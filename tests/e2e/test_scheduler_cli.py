"""``o2c scheduler run`` as an operator runs it: a process killed mid-run and
started again, and the service mode stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from adapters.wiring import open_engine
from tests.support.cadence import open_book, sent_messages, settings_for
from tests.support.cli import ROOT, Cli

RUN = (
    "scheduler",
    "run",
    "--as-of",
    "2024-01-01",
    "--until",
    "2024-03-15",
    "--every",
    "3",
)


@pytest.fixture
def book(tmp_path, smtp):
    """The cadence's book of payers in a data folder, and a CLI sending to smtp."""
    with open_engine(settings_for(tmp_path, smtp.port)) as engine:
        open_book(engine)
    cli = Cli(tmp_path)
    cli.env |= {
        "O2C_SMTP_HOST": "127.0.0.1",
        "O2C_SMTP_PORT": str(smtp.port),
        "O2C_MAIL_FROM": "ar@o2c.example",
    }
    return cli


def start(cli: Cli, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", *args],
        cwd=ROOT,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_a_scheduler_killed_mid_run_and_restarted_sends_each_message_once(book, smtp):
    """SIGKILL twice while e-mails are going out; the third run finishes.

    Nothing is lost, and nothing is sent twice except, at most, the one
    e-mail the server accepted in the instant before a kill, before the
    scheduler could journal it: SMTP gives a sender no way to ask whether a
    message it lost track of arrived (docs/collections-cadence.md).
    """
    in_flight = set()
    for received_before_kill in (4, 12):
        process = start(book, *RUN)
        wait_for(
            lambda n=received_before_kill, p=process: (
                len(smtp.received) >= n or p.poll() is not None
            )
        )
        assert process.poll() is None, "the run ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        in_flight.add(smtp.received[-1].message["X-O2C-Message"])
    book.ok(*RUN)

    with open_engine(settings_for(book.data_dir, smtp.port)) as engine:
        engine.catch_up()
        sent = sent_messages(engine)
        # In the order they were planned: a message journaled before a kill
        # is confirmed after the restart, on the same business day as others.
        gb = [
            step
            for (step,) in engine.models.con.execute(
                "SELECT step FROM messages WHERE status = 'sent'"
                " AND invoices LIKE '%GB-1-A%' ORDER BY planned_at"
            ).fetchall()
        ]
    received = Counter(m.message["X-O2C-Message"] for m in smtp.received)
    emailed = {m["message_id"] for m in sent if m["delivery"] == "email"}
    doubled = {key for key, count in received.items() if count > 1}
    assert set(received) == emailed
    assert set(received.values()) <= {1, 2}
    assert doubled <= in_flight
    assert gb == ["invoice", "courtesy", "due", "dunning_1", "dunning_2"]


def test_sigterm_ends_the_service_mode_with_exit_code_zero(book):
    process = start(
        book, "--verbose", "scheduler", "run", "--follow", "--interval", "1"
    )
    lines: list[str] = []

    def passed() -> bool:
        line = process.stderr.readline() if process.stderr else ""
        lines.append(line)
        return "cadence_pass" in line or process.poll() is not None

    wait_for(passed, 60)
    os.kill(process.pid, signal.SIGTERM)

    assert process.wait(timeout=30) == 0
