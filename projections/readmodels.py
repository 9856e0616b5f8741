"""The DuckDB read models: applying a run of events in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import structlog

from projections import _transform as sql
from projections.schema import READ_MODELS, create_statements

log = structlog.get_logger("o2c.projections")

EVENTS_SCHEMA = pa.schema(
    [
        ("position", pa.int64()),
        ("topic", pa.string()),
        ("aggregate_id", pa.string()),
        ("version", pa.int64()),
        ("state", pa.string()),
    ]
)


def events_table(
    positions: list[int],
    topics: list[str],
    aggregate_ids: list[str],
    versions: list[int],
    states: list[bytes],
) -> pa.Table:
    """Stored events as the Arrow table that ``ReadModels.apply`` takes."""
    return pa.table(
        [
            pa.array(positions, pa.int64()),
            pa.array(topics, pa.string()),
            pa.array(aggregate_ids, pa.string()),
            pa.array(versions, pa.int64()),
            pa.array(states, pa.binary()).cast(pa.string()),
        ],
        schema=EVENTS_SCHEMA,
    )


class ReadModels:
    """Invoices, balances, payments, allocations, disputes and timelines.

    Every run of events is applied in one DuckDB transaction together with the
    log position it reaches, so the models and their position always agree
    and no event is applied twice, whatever stops the process.
    """

    def __init__(
        self, path: Path | str, name: str = "store", memory_limit: str = "512MB"
    ) -> None:
        self.path = str(path)
        self.name = name
        # Told after each commit which accounts' rows may have changed (None:
        # any of them), so readers can drop what they keep of those accounts.
        self.on_change: list[Callable[[frozenset[str] | None], None]] = []
        # DuckDB spills to disk past its memory limit, so a million-invoice
        # book projects in bounded memory.
        self.con = duckdb.connect(
            self.path, config={"memory_limit": memory_limit, "threads": 2}
        )
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        for statement in create_statements() + sql.SETUP:
            self.con.execute(statement)
        kinds = pa.table(
            {
                "topic": list(sql.EVENT_KINDS),
                "kind": list(sql.EVENT_KINDS.values()),
            }
        )
        codes, scales = zip(*sql.currency_scales(), strict=True)
        currencies = pa.table({"code": list(codes), "scale": list(scales)})
        for table, rows in (("event_kinds", kinds), ("currency_scales", currencies)):
            self.con.register("new_rows", rows)
            self.con.execute(f"INSERT INTO {table} SELECT * FROM new_rows")
            self.con.unregister("new_rows")

    def close(self) -> None:
        self.con.close()

    def position(self) -> int:
        return self.positions().get(self.name, 0)

    def positions(self) -> dict[str, int]:
        """Every position kept: the store's, or one per Kafka partition."""
        rows = self.con.execute("SELECT name, position FROM projection_position")
        return {name: int(position) for name, position in rows.fetchall()}

    def drop_all(self) -> None:
        """Empty every read model and forget the position, for a rebuild."""
        self.con.execute("BEGIN")
        for table in READ_MODELS:
            self.con.execute(f"DELETE FROM {table}")
        self.con.execute("DELETE FROM projection_position")
        self.con.execute("COMMIT")
        self.con.execute("CHECKPOINT")
        self._changed(None)

    def apply(self, events: pa.Table, positions: dict[str, int] | None = None) -> None:
        """Apply events (see ``events_table``) that follow the stored positions.

        ``positions`` are what the run reaches, by name (a Kafka partition's
        offset, say); by default the store position of the run's last event.
        They are written in the same transaction as the rows.
        """
        if events.num_rows == 0:
            return
        started = time.perf_counter()
        last = events.column("position")[-1].as_py()
        reached = positions if positions is not None else {self.name: last}
        con = self.con
        con.execute("BEGIN")
        try:
            con.register("new_events", events)
            con.execute(sql.STAGE)
            for statement in sql.INSERTS + sql.UPDATES:
                con.execute(statement)
            for name, position in reached.items():
                con.execute("DELETE FROM projection_position WHERE name = ?", [name])
                con.execute(
                    "INSERT INTO projection_position VALUES (?, ?)", [name, position]
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("new_events")
        if self.on_change:
            self._changed(self._accounts_changed())
        log.debug(
            "batch_projected",
            count=events.num_rows,
            position=last,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def _accounts_changed(self) -> frozenset[str] | None:
        """The accounts the last run's events name: every event names its
        account (an account's own events by their aggregate too), and every
        row a run writes or recomputes is of an account its events name. None
        when an event other than a staff member's names no account."""
        found = self.con.execute(sql.ACCOUNTS_CHANGED).fetchall()
        if any(account_id is None for (account_id,) in found):
            return None
        return frozenset(account_id for (account_id,) in found)

    def _changed(self, accounts: frozenset[str] | None) -> None:
        for listener in self.on_change:
            listener(accounts)
