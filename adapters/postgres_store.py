"""The distributed event store: eventsourcing's PostgreSQL recorder, for any batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

TOPIC = "adapters.postgres_store:BulkPostgresRecorder"
# Up to this many events a transaction keeps the library's pipelined insert.
PIPELINED_EVENTS = 2_000


class BulkPostgresRecorder(PostgresApplicationRecorder):
    """Stores a large batch in a plain transaction rather than a pipeline.

    The library sends the table lock, the notification and the insert through
    one psycopg pipeline. With tens of thousands of events in the insert that
    pipeline was seen to stall for good (a 20,000-event import never
    returned), so a batch above ``PIPELINED_EVENTS`` runs the same statements,
    under the same table lock, one after the other in one transaction. The
    lock keeps notification ids in commit order either way.
    """

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if len(stored_events) <= PIPELINED_EVENTS:
            return super().insert_events(stored_events, **kwargs)

        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._insert_events(curs, stored_events, **kwargs)
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
