"""``o2c demo --serve``, ``o2c link`` and ``o2c report experience`` as a user
runs them: new processes on a data folder, the portal on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date

import httpx
import pytest

from adapters.settings import Settings
from adapters.wiring import open_engine
from services import commands as c
from tests.support.cli import ROOT, Cli, rows
from tests.support.payer import open_payer


def free_port_pair() -> int:
    """A port whose next port is free too (the sandbox gateway takes it)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return int(port)
    raise RuntimeError("no two free ports next to each other")


@pytest.fixture
def demo_served(tmp_path):
    """``o2c demo --serve`` running, and the lines it printed by then."""
    port = free_port_pair()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "O2C_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "demo", "--invoices", "200", "--serve"]
        + ["--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        links = []
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("http://"):
                links.append(line.split())
            if len(links) == 1:
                break
        _wait_listening(port)
        yield port, links
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/sign-in", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"the portal never listened on port {port}")


def test_demo_serve_prints_links_that_open_a_payers_overview(demo_served):
    port, links = demo_served
    url, account_id = links[0]

    with httpx.Client(follow_redirects=True) as browser:
        page = browser.get(url)

    assert url.startswith(f"http://127.0.0.1:{port}/in/")
    assert page.status_code == 200
    assert page.url.path == "/"
    assert len(account_id) == 36


def test_o2c_link_prints_a_link_for_an_invoice(tmp_path):
    cli = Cli(tmp_path)
    cli.ok(
        "record",
        "account",
        "--key",
        "a-1",
        "--number",
        "ACME",
        "--name",
        "Acme",
        "--country",
        "DE",
        "--currency",
        "EUR",
        "--on",
        "2024-01-02",
    )
    cli.ok(
        "record",
        "invoice",
        "--key",
        "i-1",
        "--number",
        "INV-1",
        "--account",
        "ACME",
        "--amount",
        "10.00",
        "--on",
        "2024-01-05",
    )

    done = cli.ok("link", "ACME", "--invoice", "INV-1")

    assert done.stdout.startswith("http://127.0.0.1:8000/in/")


def test_report_experience_gives_scores_by_month_and_country(tmp_path):
    with open_engine(Settings(data_dir=tmp_path)) as engine:
        open_payer(engine.app, "C-1", country="JP", currency="JPY", language="ja")
        for key, score in (("e-1", 6), ("e-2", 3)):
            engine.app.give_effort_score(
                c.GiveEffortScore(
                    idempotency_key=key,
                    account_number="C-1",
                    score=score,
                    payment_id=key,
                    on=date(2024, 5, 2),
                )
            )

    done = Cli(tmp_path).ok("report", "experience", "--format", "csv")

    assert rows(done.stdout) == [
        {
            "month": "2024-05",
            "country": "JP",
            "answers": "2",
            "mean_score": "4.50",
            "easy": "1",
        }
    ]
