"""Large batches into the PostgreSQL event store."""

from __future__ import annotations

from pathlib import Path

from services.bulk import BulkWriter
from services.demo import generate_book
from tests.support.ledger import receivables_in


def test_a_batch_of_tens_of_thousands_of_events_is_stored_whole(
    tmp_path: Path,
) -> None:
    """One transaction of over 20,000 events is stored, with gapless ids."""
    app = receivables_in(tmp_path, "postgresql")
    try:
        writer = BulkWriter(app, batch_events=10**9)
        generate_book(writer, invoices=6_000, seed=3)
        writer.flush()

        stored = app.recorder.select_notifications(start=1, limit=10**6)
        assert writer.saved_events > 20_000
        assert [n.id for n in stored] == list(range(1, writer.saved_events + 1))
    finally:
        app.close()
