"""Running ``o2c`` the way a user does: a new process on one data folder."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Cli:
    """``python -m adapters.cli`` from the project root, on its own data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "O2C_DATA_DIR": str(data_dir),
        }

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """The finished command, whatever its exit code."""
        return subprocess.run(
            [sys.executable, "-m", "adapters.cli", *map(str, args)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def ok(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """The finished command; raises with its stderr unless it exited 0."""
        done = self.run(*args)
        if done.returncode != 0:
            raise AssertionError(
                f"o2c {' '.join(map(str, args))} exited {done.returncode}:\n"
                f"{done.stderr}"
            )
        return done


def rows(output: str) -> list[dict[str, str]]:
    """The records of a CSV report."""
    return list(csv.DictReader(io.StringIO(output)))


def flat(text: str) -> str:
    """Text with every run of whitespace made one space.

    Error messages are wrapped to the console's width; a user reads them as
    one sentence, and so do the tests.
    """
    return " ".join(text.split())
