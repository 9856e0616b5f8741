"""``o2c relay``: publish the event store's log to Kafka, each event once."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from adapters._cli_common import fail
from adapters.settings import Settings
from adapters.wiring import store_env
from services.receivables import Receivables


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
    ] = 5_000,
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
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
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


def register(app: typer.Typer) -> None:
    app.command("relay")(relay)
