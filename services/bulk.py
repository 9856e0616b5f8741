"""Saving many new aggregates in few transactions, for imports and generated books."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from eventsourcing.application import Application

log = structlog.get_logger("o2c.services")

DEFAULT_BATCH_EVENTS = 20_000


class BulkWriter:
    """Collects aggregates with pending events and saves them in batches.

    Each batch is one transaction of the event store, so a batch is stored
    whole or not at all. ``on_flush`` hears how many events each batch held.
    """

    def __init__(
        self,
        app: Application[Any],
        batch_events: int = DEFAULT_BATCH_EVENTS,
        on_flush: Callable[[int], None] | None = None,
    ) -> None:
        self.app = app
        self.batch_events = batch_events
        self.on_flush = on_flush
        self.pending: list[Any] = []
        self.pending_events = 0
        self.saved_events = 0

    def add(self, *aggregates: Any) -> None:
        for aggregate in aggregates:
            self.pending.append(aggregate)
            self.pending_events += len(aggregate._pending_events)
        if self.pending_events >= self.batch_events:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        count = self.pending_events
        # New aggregates only: their events go straight to the event store,
        # skipping the per-object checks of Application.save.
        events = [e for aggregate in self.pending for e in aggregate.collect_events()]
        self.app.recorder.insert_events(
            [self.app.mapper.to_stored_event(e) for e in events]
        )
        self.pending.clear()
        self.pending_events = 0
        self.saved_events += count
        log.debug("batch_saved", count=count)
        if self.on_flush is not None:
            self.on_flush(count)

    def discard(self) -> None:
        """Forget what is pending, after a batch failed and will be redone."""
        self.pending.clear()
        self.pending_events = 0
