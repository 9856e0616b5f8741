"""The embedded event store: the eventsourcing SQLite recorder, inserting in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

TOPIC = "adapters.sqlite_store:BulkSQLiteRecorder"
CACHE_KIB = 256 * 1024


class BulkSQLiteRecorder(SQLiteApplicationRecorder):
    """Inserts a transaction's events with one ``executemany``.

    The library inserts row by row to learn each row's id. Inside the write
    transaction no other writer can add rows, so the ids of a batch are the
    last ``n`` ids, read once after the insert.
    """

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        params = [
            (
                s.originator_id.hex
                if isinstance(s.originator_id, UUID)
                else s.originator_id,
                s.originator_version,
                s.topic,
                s.state,
            )
            for s in stored_events
        ]
        # Ids are random, so each insert lands on a random page of the primary
        # key: a large page cache keeps a big store's index in memory.
        c.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        c.executemany(self.insert_events_statement, params)
        c.execute(self.select_max_notification_id_statement)
        last = int(c.fetchone()[0])
        return list(range(last - len(params) + 1, last + 1))
