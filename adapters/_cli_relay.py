"""``o2c relay`` and ``o2c project``: the log to Kafka and back into read models."""

from __future__ import annotations

import signal
import threading
from enum import StrEnum
from typing import Annotated

import duckdb
import typer

from adapters._cli_common import engine, fail
from adapters.logging import configure
from adapters.settings import Settings
from adapters.wiring import store_env
from projections.readmodels import ReadModels
from services.receivables import Receivables


def _stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM, so a batch under way can finish.

    The first signal asks for a clean stop; a second one ends the process at
    once, as it would without this handler (nothing is half-done either way:
    a batch is one transaction).
    """
    stop = threading.Event()
    signals = (signal.SIGINT, signal.SIGTERM)

    def handle(*_: object) -> None:
        stop.set()
        for each in signals:
            signal.signal(each, signal.SIG_DFL)

    for signum in signals:
        signal.signal(signum, handle)
    return stop


def _log_batches(settings: Settings) -> None:
    """Services log each batch: info level unless a level was asked for."""
    if "log_level" not in settings.model_fields_set:
        configure(settings.log_format, "info")


def relay(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Publish up to the store's head and exit.")
    ] = False,
    name: Annotated[
        str, typer.Option("--name", help="The relay's name and transactional id.")
    ] = "o2c-relay",
    partitions: Annotated[
        int, typer.Option("--partitions", min=1, help="Partitions of a new topic.")
    ] = 6,
    batch_events: Annotated[
        int, typer.Option("--batch-events", min=1, help="Events per transaction.")
    ] = 20_000,
    poll_interval: Annotated[
        float, typer.Option("--poll-interval", min=0.05, help="Seconds between polls.")
    ] = 0.5,
) -> None:
    """Publish new events to the Kafka topic, keyed by account, exactly once."""
    settings: Settings = ctx.obj
    if not settings.kafka_bootstrap:
        raise fail("O2C_KAFKA_BOOTSTRAP is not set (host:port of a Kafka broker)", 2)

    # Imported here: the embedded commands never need a Kafka client.
    from streams.relay import Relay

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _log_batches(settings)
    app = Receivables(env=store_env(settings))
    stop = _stop_on_signals()
    try:
        with Relay(
            app.recorder,
            settings.kafka_bootstrap,
            settings.kafka_topic,
            name=name,
            partitions=partitions,
            batch_events=batch_events,
        ) as running:
            if once:
                running.start()
                count = running.run_once(stop)
            else:
                # Started inside, and again whenever Kafka fails: a broker
                # that is down now delays the relay, it does not stop it.
                count = running.run_forever(stop, poll_interval=poll_interval)
            if count:
                typer.echo(
                    f"published {count} events to {settings.kafka_topic}, "
                    f"up to position {running.position}"
                )
            else:
                typer.echo(f"nothing new after position {running.position}")
    finally:
        app.close()


class Source(StrEnum):
    store = "store"
    kafka = "kafka"


def project(
    ctx: typer.Context,
    source: Annotated[
        Source, typer.Option("--from", help="Where the events come from.")
    ] = Source.store,
    once: Annotated[
        bool, typer.Option("--once", help="Apply what is there now, then exit.")
    ] = False,
) -> None:
    """Bring the read models in the data folder up to date with the events."""
    settings: Settings = ctx.obj
    if source is Source.store:
        with engine(ctx, catch_up=False, existing=True) as opened:
            count = opened.catch_up()
        typer.echo(f"applied {count} events from the store")
        return
    if not settings.kafka_bootstrap:
        raise fail("O2C_KAFKA_BOOTSTRAP is not set (host:port of a Kafka broker)", 2)

    from streams.projector import KafkaProjector, connect

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _log_batches(settings)
    models = ReadModels(settings.read_models_path)
    stop = _stop_on_signals()
    bootstrap, topic = settings.kafka_bootstrap, settings.kafka_topic
    count = 0
    try:
        # A running projector waits for a broker that is down; --once fails.
        projector = (
            KafkaProjector(models, bootstrap, topic)
            if once
            else connect(models, bootstrap, topic, stop)
        )
        if projector is not None:
            try:
                run = projector.run_once if once else projector.run_forever
                count = run(stop)
            finally:
                projector.close()
    except LookupError as error:
        raise fail(str(error)) from None
    finally:
        models.close()
    typer.echo(f"applied {count} events from {settings.kafka_topic}")


def status(ctx: typer.Context) -> None:
    """Where each part stands: store head, read-model positions, relay, lag."""
    settings: Settings = ctx.obj
    lines: list[tuple[str, str]] = []
    head = 0
    has_store = settings.event_store == "postgresql" or (
        settings.event_store_path.exists()
    )
    if has_store:
        app = Receivables(env=store_env(settings))
        head = app.recorder.max_notification_id() or 0
        app.close()
        lines.append(("event store", f"{settings.event_store}, head position {head}"))
    else:
        lines.append(("event store", f"none in {settings.data_dir}"))

    positions: dict[str, int] | None = None
    if settings.read_models_path.exists():
        try:
            models = ReadModels(settings.read_models_path)
        except duckdb.IOException:
            lines.append(("read models", "in use by another o2c process (o2c serve?)"))
        else:
            positions = models.positions()
            models.close()
    if positions is not None:
        for name, position in sorted(positions.items()):
            behind = f", {head - position} behind" if name == "store" else ""
            lines.append((f"read models ({name})", f"at {position}{behind}"))
    elif not settings.read_models_path.exists():
        lines.append(("read models", f"none in {settings.data_dir}"))

    if settings.kafka_bootstrap:
        from streams._progress import committed_position

        relayed = committed_position(
            settings.kafka_bootstrap, settings.kafka_topic, "o2c-relay"
        )
        lag = f", {head - relayed} behind" if has_store else ""
        lines.append(("relay (o2c-relay)", f"published up to {relayed}{lag}"))

    width = max(len(name) for name, _ in lines)
    for name, text in lines:
        typer.echo(f"{name:<{width}}  {text}")


def register(app: typer.Typer) -> None:
    app.command("relay")(relay)
    app.command("project")(project)
    app.command("status")(status)
