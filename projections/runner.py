"""Keeping the read models current from the event store's notification log."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyarrow as pa
import structlog
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from projections.readmodels import ReadModels, events_table

log = structlog.get_logger("o2c.projections")

DEFAULT_BATCH = 100_000


def read_after(
    recorder: ApplicationRecorder, position: int, limit: int, until: int | None
) -> pa.Table:
    """The next stored events after ``position``, in store order."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _read_sqlite(recorder, position, limit, until)
    notifications = recorder.select_notifications(
        start=position + 1, limit=limit, stop=until
    )
    return events_table(
        [n.id for n in notifications],
        [n.topic for n in notifications],
        [str(n.originator_id) for n in notifications],
        [n.originator_version for n in notifications],
        [n.state for n in notifications],
    )


def _read_sqlite(
    recorder: SQLiteApplicationRecorder, position: int, limit: int, until: int | None
) -> pa.Table:
    # The same rows select_notifications returns, read as plain columns: the
    # read models need no event objects, only their stored JSON.
    statement = (
        "SELECT rowid, topic, originator_id, originator_version, state "
        f"FROM {recorder.events_table_name} WHERE rowid > ? "
    )
    params: list[int] = [position]
    if until is not None:
        statement += "AND rowid <= ? "
        params.append(until)
    statement += "ORDER BY rowid LIMIT ?"
    params.append(limit)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    if not rows:
        return events_table([], [], [], [], [])
    columns = list(zip(*rows, strict=True))
    return events_table(*(list(c) for c in columns))


class StoreProjector:
    """Reads new events from the store, in order, into the read models.

    The position reached is kept in DuckDB with the rows it produced, so
    ``catch_up`` can be called at any time and applies each event once.
    """

    def __init__(
        self,
        recorder: ApplicationRecorder,
        models: ReadModels,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        self.recorder = recorder
        self.models = models
        self.batch_size = batch_size

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def catch_up(
        self,
        until: int | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Apply every event after the stored position; return how many."""
        started = time.perf_counter()
        applied = 0
        position = self.models.position()
        while True:
            events = read_after(self.recorder, position, self.batch_size, until)
            if events.num_rows == 0:
                break
            self.models.apply(events)
            position = events.column("position")[-1].as_py()
            applied += events.num_rows
            if on_batch is not None:
                on_batch(events.num_rows)
        if applied:
            log.info(
                "projections_caught_up",
                count=applied,
                position=position,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return applied
