"""The DuckDB read models: applying a run of events in one transaction."""

from __future__ import annotations

import time
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

    def apply(self, events: pa.Table) -> None:
        """Apply events (see ``events_table``) that follow the stored position."""
        if events.num_rows == 0:
            return
        started = time.perf_counter()
        last = events.column("position")[-1].as_py()
        con = self.con
        con.execute("BEGIN")
        try:
            con.register("new_events", events)
            con.execute(sql.STAGE)
            for statement in sql.INSERTS + sql.UPDATES:
                con.execute(statement)
            con.execute("DELETE FROM projection_position WHERE name = ?", [self.name])
            con.execute(
                "INSERT INTO projection_position VALUES (?, ?)", [self.name, last]
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("new_events")
        log.debug(
            "batch_projected",
            count=events.num_rows,
            position=last,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
