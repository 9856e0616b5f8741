"""``o2c relay`` and ``o2c project``: the log to Kafka and back into read models."""

from __future__ import annotations

import signal
import threading
from enum import StrEnum
from typing import Annotated

import typer

from adapters._cli_common import engine, fail
from adapters.settings import Settings
from adapters.wiring import store_env
from projections.readmodels import ReadModels
from services.receivables import Receivables


def _stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM, so a batch under way can finish."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


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
            start = running.start()
            count = (
                running.run_once()
                if once
                else running.run_forever(stop, poll_interval=poll_interval)
            )
            if count:
                typer.echo(
                    f"published {count} events to {settings.kafka_topic} "
                    f"(positions {start + 1} to {running.position})"
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

    from streams.projector import KafkaProjector

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    models = ReadModels(settings.read_models_path)
    stop = _stop_on_signals()
    try:
        projector = KafkaProjector(
            models, settings.kafka_bootstrap, settings.kafka_topic
        )
    except LookupError as error:
        models.close()
        raise fail(str(error)) from None
    try:
        count = projector.run_once() if once else projector.run_forever(stop)
    finally:
        projector.close()
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

    if settings.read_models_path.exists():
        models = ReadModels(settings.read_models_path)
        positions = models.positions()
        models.close()
        for name, position in sorted(positions.items()):
            behind = f", {head - position} behind" if name == "store" else ""
            lines.append((f"read models ({name})", f"at {position}{behind}"))
    else:
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
