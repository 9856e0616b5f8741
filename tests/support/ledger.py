"""A ledger in a folder: an event store (SQLite, or PostgreSQL when the tests
have one) and its DuckDB read models."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from adapters.settings import Settings
from adapters.wiring import exposure_port, store_env
from projections.readmodels import ReadModels
from projections.runner import StoreProjector
from projections.schema import READ_MODELS
from services.receivables import Receivables

POSTGRES_DSN = os.environ.get("O2C_TEST_POSTGRES_DSN", "")
STORES = ["sqlite", "postgresql"]


def store_settings(store: str, folder: Path) -> Settings:
    """Settings for a fresh, empty event store of the given kind.

    PostgreSQL gets a schema of its own per test, so tests never see each
    other's events.
    """
    if store == "sqlite":
        return Settings(data_dir=folder)
    if not POSTGRES_DSN:
        pytest.skip("O2C_TEST_POSTGRES_DSN is not set (scripts/services up postgres)")
    schema = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    return Settings(
        data_dir=folder,
        event_store="postgresql",
        postgres_dsn=POSTGRES_DSN,
        postgres_schema=schema,
    )


def dump_tables(models: ReadModels) -> dict[str, list[tuple[Any, ...]]]:
    """Every read model's rows, in a fixed order, for comparing two states."""
    return {
        table: models.con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in READ_MODELS
    }


def tables_in(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of the read models in a DuckDB file, such as a replica's."""
    models = ReadModels(path)
    try:
        return dump_tables(models)
    finally:
        models.close()


def tables_built_from(recorder: Any, path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of read models built embedded, from the store, in a new file."""
    models = ReadModels(path)
    try:
        StoreProjector(recorder, models).catch_up()
        return dump_tables(models)
    finally:
        models.close()


def receivables_in(folder: Path, store: str = "sqlite") -> Receivables:
    """The receivables application on a fresh event store."""
    return Receivables(env=store_env(store_settings(store, folder)))


class Ledger:
    """The application, its read models and the projector between them.

    Given ``models``, it empties and reuses them instead of creating a DuckDB
    file: property tests run many short histories, and a new DuckDB file with
    its tables costs more than the history itself.
    """

    def __init__(
        self, folder: Path, models: ReadModels | None = None, store: str = "sqlite"
    ) -> None:
        self.app = receivables_in(folder, store)
        self.owns_models = models is None
        if models is None:
            models = ReadModels(folder / "readmodels.duckdb")
        else:
            models.drop_all()
        self.models = models
        self.projector = StoreProjector(self.app.recorder, self.models)
        self.app.exposure_of = exposure_port(self.models, self.projector)

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
        return dump_tables(self.models)

    def close(self) -> None:
        if self.owns_models:
            self.models.close()
        self.app.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
