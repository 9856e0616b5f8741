"""The one place where settings, event store, read models and reports meet."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from adapters import postgres_store, sqlite_store
from adapters.mail import Mailer, mailer_for
from adapters.portal._store import PortalStore
from adapters.portal.attachments import Attachments
from adapters.portal.auth import Csrf, Links, Sessions, load_secret
from adapters.portal.context import Portal
from adapters.portal.gateway import PaymentGateway
from adapters.portal.readcache import ReadCache
from adapters.portal.settings import PortalSettings
from adapters.settings import Settings, postgres_parts
from domain.money import from_minor
from projections.queries import Reports, exposure
from projections.readmodels import ReadModels
from projections.runner import StoreProjector
from services.policies import Exposure
from services.receivables import Receivables


def store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing persistence settings for the chosen event store."""
    if settings.event_store == "postgresql":
        assert settings.postgres_dsn is not None
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_SCHEMA": settings.postgres_schema,
            "APPLICATION_RECORDER_TOPIC": postgres_store.TOPIC,
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
    app.exposure_of = exposure_port(models, projector)
    return Engine(settings, app, models, projector, Reports(models.con))


def exposure_port(models: ReadModels, projector: StoreProjector) -> Exposure:
    """The credit check's view of what an account owes, from read models
    caught up with every event stored before the command."""

    def exposure_of(account_id: UUID, currency: str) -> Decimal:
        projector.catch_up()
        return from_minor(exposure(models.con, str(account_id), currency), currency)

    return exposure_of


def open_links(engine: Engine, portal: PortalSettings) -> Links:
    """The portal's sign-in links, signed with its secret (``O2C_PORTAL_SECRET``,
    else the one kept in the data folder) and spent in its store."""
    folder = engine.settings.data_dir
    secret = (
        portal.secret.get_secret_value().encode()
        if portal.secret is not None
        else load_secret(folder)
    )
    return Links(secret, PortalStore(folder / "portal.sqlite"))


def open_portal(
    engine: Engine,
    portal: PortalSettings,
    public_url: str,
    gateway: PaymentGateway,
    gateway_origin: str,
    mailer: Mailer | None = None,
) -> Portal:
    """The portal's context over an open engine: its own store and secret in
    the data folder, the gateway and the mailer."""
    folder = engine.settings.data_dir
    links = open_links(engine, portal)
    secret, store = links.secret, links.store
    return Portal(
        engine=engine,
        settings=portal,
        store=store,
        links=links,
        sessions=Sessions(store, portal.session_minutes),
        csrf=Csrf(secret),
        gateway=gateway,
        mailer=mailer or mailer_for(engine.settings),
        attachments=Attachments(folder / "attachments", portal.attachment_max_bytes),
        public_url=public_url.rstrip("/"),
        gateway_origin=gateway_origin.rstrip("/"),
        cache=ReadCache(portal.read_cache_accounts),
    )
