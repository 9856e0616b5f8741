"""An embedded ledger in a folder: the SQLite event store and its DuckDB read models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from projections.readmodels import ReadModels
from projections.runner import StoreProjector
from projections.schema import READ_MODELS
from services.receivables import Receivables


def receivables_in(folder: Path) -> Receivables:
    """The receivables application on an SQLite event store file in ``folder``."""
    return Receivables(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(folder / "events.sqlite"),
        }
    )


class Ledger:
    """The application, its read models and the projector between them.

    Given ``models``, it empties and reuses them instead of creating a DuckDB
    file: property tests run many short histories, and a new DuckDB file with
    its tables costs more than the history itself.
    """

    def __init__(self, folder: Path, models: ReadModels | None = None) -> None:
        self.app = receivables_in(folder)
        self.owns_models = models is None
        if models is None:
            models = ReadModels(folder / "readmodels.duckdb")
        else:
            models.drop_all()
        self.models = models
        self.projector = StoreProjector(self.app.recorder, self.models)

    def head(self) -> int:
        """The position of the last event stored."""
        return self.app.recorder.max_notification_id() or 0

    def catch_up(self) -> int:
        return self.projector.catch_up()

    def rebuild(self) -> int:
        """Drop every read model and apply the whole log again, in one go."""
        self.models.drop_all()
        return self.projector.catch_up()

    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every read model's rows, in a fixed order, for comparing two states."""
        return {
            table: self.models.con.execute(
                f"SELECT * FROM {table} ORDER BY ALL"
            ).fetchall()
            for table in READ_MODELS
        }

    def close(self) -> None:
        if self.owns_models:
            self.models.close()
        self.app.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
