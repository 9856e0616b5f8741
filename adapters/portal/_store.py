"""The portal's own small state in the data folder: sessions, used sign-in
links and payments waiting for their card to be tokenized.

None of it is ledger data: it is the web front's bookkeeping, so it lives in
an SQLite file of its own beside the event store.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL, expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS used_links (nonce TEXT PRIMARY KEY, used_at REAL);
CREATE TABLE IF NOT EXISTS pending_payments (
    state TEXT PRIMARY KEY, account_id TEXT NOT NULL, plan TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""


class PortalStore:
    """Thread-safe access to the portal's SQLite file."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=NORMAL")
        self.con.executescript(SCHEMA)
        self.lock = threading.Lock()

    def _one(self, sql: str, params: tuple[Any, ...]) -> Any:
        with self.lock:
            return self.con.execute(sql, params).fetchone()

    def _do(self, sql: str, params: tuple[Any, ...]) -> int:
        with self.lock:
            return self.con.execute(sql, params).rowcount

    def use_link(self, nonce: str, now: float) -> bool:
        """Mark a link used; False when it was used before."""
        try:
            self._do("INSERT INTO used_links VALUES (?, ?)", (nonce, now))
        except sqlite3.IntegrityError:
            return False
        return True

    def open_session(self, session_id: str, account_id: str, expires: float) -> None:
        self._do(
            "INSERT INTO sessions VALUES (?, ?, ?)", (session_id, account_id, expires)
        )

    def session(self, session_id: str, now: float) -> tuple[str, float] | None:
        """The live session's account and expiry time, or None."""
        found = self._one(
            "SELECT account_id, expires_at FROM sessions "
            "WHERE id = ? AND expires_at > ?",
            (session_id, now),
        )
        return None if found is None else (str(found[0]), float(found[1]))

    def extend_session(self, session_id: str, expires: float) -> None:
        self._do(
            "UPDATE sessions SET expires_at = ? WHERE id = ?", (expires, session_id)
        )

    def close_session(self, session_id: str) -> None:
        self._do("DELETE FROM sessions WHERE id = ?", (session_id,))

    def keep_pending(
        self, state: str, account_id: str, plan: dict[str, Any], now: float
    ) -> None:
        self._do(
            "INSERT OR REPLACE INTO pending_payments VALUES (?, ?, ?, ?)",
            (state, account_id, json.dumps(plan), now),
        )

    def pending(self, state: str, account_id: str) -> dict[str, Any] | None:
        """A waiting payment, only for the account that started it."""
        found = self._one(
            "SELECT plan FROM pending_payments WHERE state = ? AND account_id = ?",
            (state, account_id),
        )
        return None if found is None else dict(json.loads(found[0]))

    def close(self) -> None:
        self.con.close()
