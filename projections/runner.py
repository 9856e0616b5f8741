"""Keeping the read models current from the event store's notification log."""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog
from eventsourcing.persistence import ApplicationRecorder

from projections._batch import Batch
from projections.readmodels import ReadModels

log = structlog.get_logger("o2c.projections")

DEFAULT_BATCH = 50_000


class StoreProjector:
    """Reads new events from the store, in order, into the read models.

    The position reached is kept in DuckDB with the rows it produced, so
    ``catch_up`` can be called at any time, by any process, and applies each
    event exactly once.
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
            notifications = self.recorder.select_notifications(
                start=position + 1, limit=self.batch_size, stop=until
            )
            if not notifications:
                break
            batch = Batch()
            for n in notifications:
                batch.add(
                    n.id, n.topic, str(n.originator_id), n.originator_version, n.state
                )
            self.models.apply(batch)
            position = batch.last_position
            applied += batch.count
            if on_batch is not None:
                on_batch(batch.count)
        if applied:
            log.info(
                "projections_caught_up",
                count=applied,
                position=position,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return applied
