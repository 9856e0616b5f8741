"""The portal benchmark, run at a tiny size so it keeps working as the portal
changes: it serves a book, drives it from a second process and checks that
no payment was lost or doubled."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.cli import ROOT


def test_the_portal_benchmark_measures_a_small_book_and_keeps_every_payment(
    tmp_path,
):
    """Every figure is printed, and the payments check finds none lost or doubled."""
    done = subprocess.run(
        [sys.executable, "benchmarks/portal.py", "--accounts", "60"]
        + ["--invoices", "240", "--readers", "10", "--payers", "4"]
        + ["--rate", "20", "--seconds", "1", "--pay-rate", "10", "--serial", "5"]
        + ["--pay-seconds", "2", "--repeat-share", "0.3"]
        + ["--data-dir", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    figures = {line.split("  ")[0]: line for line in done.stdout.splitlines() if line}
    for name in ("overview page p99", "invoice list API p99", "payments rate"):
        assert name in figures
    assert "0 lost, 0 doubled" in figures["payments kept"]
    assert "open amounts fell by the same" in done.stdout
