"""The one place where settings, event store, read models and reports meet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters import sqlite_store
from adapters.settings import Settings, postgres_parts
from projections.queries import Reports
from projections.readmodels import ReadModels
from projections.runner import StoreProjector
from services.receivables import Receivables


def store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing persistence settings for the chosen event store."""
    if settings.event_store == "postgresql":
        assert settings.postgres_dsn is not None
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_SCHEMA": settings.postgres_schema,
            **postgres_parts(settings.postgres_dsn.get_secret_value()),
        }
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(settings.event_store_path),
        "SQLITE_LOCK_TIMEOUT": "30",
        "APPLICATION_RECORDER_TOPIC": sqlite_store.TOPIC,
    }


@dataclass
class Engine:
    """An embedded o2c: the event store, its read models, kept in step."""

    settings: Settings
    app: Receivables
    models: ReadModels
    projector: StoreProjector
    reports: Reports

    def catch_up(self, **kwargs: Any) -> int:
        return self.projector.catch_up(**kwargs)

    def close(self) -> None:
        self.models.close()
        self.app.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_engine(settings: Settings) -> Engine:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = Receivables(env=store_env(settings))
    models = ReadModels(settings.read_models_path)
    projector = StoreProjector(app.recorder, models)
    return Engine(settings, app, models, projector, Reports(models.con))
