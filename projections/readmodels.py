"""The DuckDB read models: applying a run of events in one transaction."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pyarrow as pa
import structlog

from projections._batch import Batch
from projections.schema import READ_MODELS, create_statements

log = structlog.get_logger("o2c.projections")

STATUS_SQL = """
    CASE
        WHEN written_off THEN 'written_off'
        WHEN open_minor = 0 THEN 'paid'
        WHEN dispute_open THEN 'disputed'
        WHEN open_minor < amount_minor THEN 'partially_paid'
        ELSE 'open'
    END
"""


class ReadModels:
    """Invoices, balances, payments, allocations, disputes and timelines.

    Every run of events is applied in one DuckDB transaction together with the
    log position it reaches, so after a crash the models and their position
    always agree and no event is applied twice.
    """

    def __init__(self, path: Path | str, name: str = "store") -> None:
        self.path = str(path)
        self.name = name
        self.con = duckdb.connect(self.path)
        self.con.execute("SET TimeZone = 'UTC'")
        for statement in create_statements():
            self.con.execute(statement)

    def close(self) -> None:
        self.con.close()

    def position(self) -> int:
        row = self.con.execute(
            "SELECT position FROM projection_position WHERE name = ?", [self.name]
        ).fetchone()
        return 0 if row is None else int(row[0])

    def drop_all(self) -> None:
        """Empty every read model and forget the position, for a rebuild."""
        self.con.execute("BEGIN")
        for table in READ_MODELS:
            self.con.execute(f"DELETE FROM {table}")
        self.con.execute("DELETE FROM projection_position")
        self.con.execute("COMMIT")
        self.con.execute("CHECKPOINT")

    def apply(self, batch: Batch) -> None:
        if batch.count == 0:
            return
        started = time.perf_counter()
        con = self.con
        con.execute("BEGIN")
        try:
            self._apply(batch)
            con.execute("DELETE FROM projection_position WHERE name = ?", [self.name])
            con.execute(
                "INSERT INTO projection_position VALUES (?, ?)",
                [self.name, batch.last_position],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        log.debug(
            "batch_projected",
            count=batch.count,
            position=batch.last_position,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def _apply(self, batch: Batch) -> None:
        tables = batch.tables()
        registered = []
        for name, table in tables.items():
            self.con.register(f"new_{name}", table)
            registered.append(f"new_{name}")
        try:
            self._insert(tables)
            self._update_accounts(batch)
            self._update_disputes(batch)
            if "allocations" in tables:
                self._apply_allocations()
            self._refresh_status(batch)
            self._refresh_balances(batch)
        finally:
            for name in registered:
                self.con.unregister(name)

    def _insert(self, tables: dict[str, pa.Table]) -> None:
        con = self.con
        for name in ("accounts", "payments", "credit_memos", "allocations"):
            if name in tables:
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM new_{name}")
        if "invoices" in tables:
            con.execute(
                """
                INSERT INTO invoices BY NAME
                SELECT n.*, a.customer_id, a.country,
                       n.amount_minor AS open_minor, 'open' AS status,
                       false AS disputed, false AS dispute_open,
                       false AS written_off
                FROM new_invoices n JOIN accounts a USING (account_id)
                """
            )
        if "disputes" in tables:
            con.execute("INSERT INTO disputes BY NAME SELECT * FROM new_disputes")
        if "timeline" in tables:
            con.execute("INSERT INTO timeline BY NAME SELECT * FROM new_timeline")

    def _update_accounts(self, batch: Batch) -> None:
        if not batch.delivery:
            return
        changes = pa.table(
            {
                "account_id": list(batch.delivery),
                "delivery": list(batch.delivery.values()),
            }
        )
        self.con.register("delivery_changes", changes)
        self.con.execute(
            """
            UPDATE accounts SET delivery = c.delivery
            FROM delivery_changes c WHERE accounts.account_id = c.account_id
            """
        )
        self.con.unregister("delivery_changes")

    def _update_disputes(self, batch: Batch) -> None:
        con = self.con
        if batch.resolutions:
            ids = list(batch.resolutions)
            values = list(batch.resolutions.values())
            resolved = pa.table(
                {
                    "invoice_id": ids,
                    "resolved_on": pa.array([v[0] for v in values]).cast(pa.date32()),
                    "outcome": [v[1] for v in values],
                    "resolved_recorded_at": pa.array([v[2] for v in values])
                    .cast(pa.timestamp("us", tz="UTC"))
                    .cast(pa.timestamp("us")),
                }
            )
            con.register("resolved", resolved)
            con.execute(
                """
                UPDATE disputes SET resolved_on = r.resolved_on,
                    outcome = r.outcome,
                    resolved_recorded_at = r.resolved_recorded_at
                FROM resolved r
                WHERE disputes.invoice_id = r.invoice_id
                  AND disputes.resolved_on IS NULL
                """
            )
            con.unregister("resolved")
        if batch.dispute_state:
            state = pa.table(
                {
                    "invoice_id": list(batch.dispute_state),
                    "dispute_open": list(batch.dispute_state.values()),
                }
            )
            con.register("dispute_state", state)
            con.execute(
                """
                UPDATE invoices SET dispute_open = s.dispute_open,
                    disputed = invoices.disputed OR s.dispute_open
                FROM dispute_state s WHERE invoices.invoice_id = s.invoice_id
                """
            )
            con.unregister("dispute_state")

    def _apply_allocations(self) -> None:
        con = self.con
        con.execute(
            """
            UPDATE invoices SET
                open_minor = invoices.open_minor - d.total,
                written_off = invoices.written_off OR d.written_off,
                last_reduced_on = greatest(invoices.last_reduced_on, d.last_on)
            FROM (
                SELECT invoice_id, sum(amount_minor) AS total,
                       max(effective_date) AS last_on,
                       bool_or(source_kind = 'write_off') AS written_off
                FROM new_allocations GROUP BY invoice_id
            ) d
            WHERE invoices.invoice_id = d.invoice_id
            """
        )
        for table, key in (
            ("payments", "payment_id"),
            ("credit_memos", "credit_memo_id"),
        ):
            con.execute(
                f"""
                UPDATE {table} SET unapplied_minor = {table}.unapplied_minor - d.total
                FROM (
                    SELECT source_id, sum(amount_minor) AS total
                    FROM new_allocations GROUP BY source_id
                ) d
                WHERE {table}.{key} = d.source_id
                """
            )

    def _refresh_status(self, batch: Batch) -> None:
        if not batch.invoices:
            return
        self.con.register(
            "touched_invoices", pa.table({"invoice_id": list(batch.invoices)})
        )
        self.con.execute(
            f"""
            UPDATE invoices SET
                dispute_open = dispute_open AND open_minor > 0,
                settled_date = CASE WHEN open_minor = 0 THEN last_reduced_on END,
                status = {STATUS_SQL}
            WHERE invoice_id IN (SELECT invoice_id FROM touched_invoices)
            """
        )
        self.con.unregister("touched_invoices")

    def _refresh_balances(self, batch: Batch) -> None:
        con = self.con
        con.register("touched", pa.table({"account_id": sorted(batch.accounts)}))
        con.execute(
            "DELETE FROM balances WHERE account_id IN (SELECT account_id FROM touched)"
        )
        con.execute(
            """
            INSERT INTO balances BY NAME
            WITH
            open_items AS (
                SELECT account_id, currency, sum(open_minor) AS open_minor,
                       count(*) FILTER (WHERE open_minor > 0) AS open_invoices
                FROM invoices WHERE account_id IN (SELECT account_id FROM touched)
                GROUP BY ALL
            ),
            cash AS (
                SELECT account_id, currency, sum(unapplied_minor) AS cash
                FROM payments WHERE account_id IN (SELECT account_id FROM touched)
                GROUP BY ALL
            ),
            credit AS (
                SELECT account_id, currency, sum(unapplied_minor) AS credit
                FROM credit_memos
                WHERE account_id IN (SELECT account_id FROM touched)
                GROUP BY ALL
            ),
            keys AS (
                SELECT account_id, currency FROM open_items
                UNION SELECT account_id, currency FROM cash
                UNION SELECT account_id, currency FROM credit
            )
            SELECT k.account_id, k.currency,
                   coalesce(o.open_minor, 0) AS open_minor,
                   coalesce(o.open_invoices, 0) AS open_invoices,
                   coalesce(c.cash, 0) AS unapplied_cash_minor,
                   coalesce(r.credit, 0) AS unapplied_credit_minor,
                   coalesce(o.open_minor, 0) - coalesce(c.cash, 0)
                       - coalesce(r.credit, 0) AS balance_minor
            FROM keys k
            LEFT JOIN open_items o USING (account_id, currency)
            LEFT JOIN cash c USING (account_id, currency)
            LEFT JOIN credit r USING (account_id, currency)
            """
        )
        con.unregister("touched")
