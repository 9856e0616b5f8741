"""What the cadence reads: accounts reachable now, steps due, messages to send,
the scheduler's status and each payer's portal inbox."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from projections import _cadence_sql as sql


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class CadenceViews:
    """Set-based questions over the read models for the scheduler.

    ``reachable`` must come first: it fixes, for one moment, which accounts
    are in their working hours, their local business date and their segment;
    ``due`` and ``pending`` read from it.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def places(self) -> tuple[list[str], list[str]]:
        """The countries of all accounts, and the time zones some accounts name."""
        countries = [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT country FROM accounts"
            ).fetchall()
        ]
        zones: list[str] = []
        if self._has_time_zones():
            zones = [
                r[0]
                for r in self.con.execute(
                    "SELECT DISTINCT time_zone FROM accounts "
                    "WHERE time_zone IS NOT NULL AND time_zone <> ''"
                ).fetchall()
            ]
        return countries, zones

    def reachable(
        self, inputs: dict[str, pa.Table], medium_from: int, large_from: int
    ) -> int:
        """Fix the accounts in working hours now; how many there are."""
        for name, table in inputs.items():
            self.con.register(name, table)
        own_zone = "nullif(a.time_zone, '')" if self._has_time_zones() else "NULL"
        self.con.execute(
            sql.ACCOUNTS.format(own_zone=own_zone),
            {"medium": medium_from, "large": large_from},
        )
        found = self.con.execute("SELECT count(*) FROM cadence_accounts").fetchall()
        return int(found[0][0])

    def segment_accounts(self, segment: str) -> list[dict[str, Any]]:
        """The reachable accounts of one segment, with what addressing needs."""
        return _records(
            self.con.execute(
                """
                SELECT c.account_id, c.customer_id, c.delivery, c.language,
                       c.day, a.contacts
                FROM cadence_accounts c JOIN accounts a USING (account_id)
                WHERE c.segment = $segment ORDER BY c.customer_id
                """,
                {"segment": segment},
            )
        )

    def due(self) -> pa.Table:
        """One row per message due: account, step, local day, delivery,
        language, contacts, its step keys and the invoices it speaks of."""
        self.con.execute(sql.DUE)
        return self.con.sql(sql.GROUPED).to_arrow_table()

    def pending(self, now: datetime) -> list[dict[str, Any]]:
        """Planned or failed messages of reachable accounts, due to be tried."""
        rows = _records(self.con.execute(sql.PENDING, {"now": now}))
        for row in rows:
            row["invoices"] = json.loads(row["invoices"])
            row["notice"] = json.loads(row["notice"]) if row["notice"] else None
            row["contacts"] = json.loads(row["contacts"])
        return rows

    def status(self) -> list[dict[str, Any]]:
        """Messages by status and channel, with attempts made."""
        return _records(
            self.con.execute(
                """
                SELECT status, delivery, count(*) AS messages,
                       sum(attempts) AS attempts, min(retry_at) AS next_retry
                FROM messages GROUP BY ALL ORDER BY ALL
                """
            )
        )

    def failing(self, limit: int = 20) -> list[dict[str, Any]]:
        """Messages whose last attempt failed, oldest first."""
        return _records(
            self.con.execute(
                """
                SELECT m.message_id, a.customer_id, m.step, m.delivery,
                       m.attempts, m.retry_at, m.last_error
                FROM messages m JOIN accounts a USING (account_id)
                WHERE m.status = 'failed'
                ORDER BY m.position LIMIT $limit
                """,
                {"limit": limit},
            )
        )

    def counts(self, since: str | None = None) -> list[dict[str, Any]]:
        """Sent messages by step kind and channel."""
        return _records(
            self.con.execute(
                """
                SELECT split_part(step, '@', 1) AS step, delivery,
                       count(*) AS messages
                FROM messages
                WHERE status = 'sent' AND ($since IS NULL OR sent_on >= $since)
                GROUP BY ALL ORDER BY ALL
                """,
                {"since": since},
            )
        )

    def sent_on(self, day: date) -> list[dict[str, Any]]:
        """Messages sent on a business date, with the invoices they named."""
        rows = _records(
            self.con.execute(
                """
                SELECT m.step, m.delivery, m.invoices, a.customer_id
                FROM messages m JOIN accounts a USING (account_id)
                WHERE m.status = 'sent' AND m.sent_on = $day
                ORDER BY m.position
                """,
                {"day": day},
            )
        )
        for row in rows:
            row["invoices"] = json.loads(row["invoices"])
        return rows

    def inbox(self, account_id: str) -> list[dict[str, Any]]:
        """The portal messages sent to one account, newest first."""
        rows = _records(
            self.con.execute(
                """
                SELECT message_id, step, language, business_date, sent_at,
                       invoices, notice
                FROM messages
                WHERE account_id = $account AND delivery = 'portal'
                  AND status = 'sent'
                ORDER BY sent_at DESC, position DESC
                """,
                {"account": account_id},
            )
        )
        for row in rows:
            row["invoices"] = json.loads(row["invoices"])
            row["notice"] = json.loads(row["notice"]) if row["notice"] else None
        return rows

    def _has_time_zones(self) -> bool:
        found = self.con.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'accounts' AND column_name = 'time_zone'"
        ).fetchall()
        return bool(found[0][0])
