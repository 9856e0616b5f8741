"""The ``o2c`` command line: import ledgers, record changes, ask for reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from eventsourcing.persistence import OperationalError
from pydantic import ValidationError
from pydantic_settings.exceptions import SettingsError

from adapters import (
    _cli_account,
    _cli_cadence,
    _cli_collect,
    _cli_demo,
    _cli_disputes,
    _cli_import,
    _cli_record,
    _cli_relay,
    _cli_reports,
    _cli_serve,
    _cli_simulate,
)
from adapters.logging import configure
from adapters.settings import Settings

app = typer.Typer(
    help="o2c: an event-sourced receivables ledger with read models and reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="O2C_DATA_DIR",
            help="Folder of the event store and read models [default: ./o2c-data]",
        ),
    ] = None,
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Log one JSON event per line to stderr.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log each unit of work.")
    ] = False,
) -> None:
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"O2C_{'_'.join(str(p) for p in e['loc']).upper() or 'SETTINGS'}: "
            f"{e['msg']}"
            for e in error.errors()
        )
        typer.echo(f"error: bad setting: {problems}", err=True)
        raise typer.Exit(2) from None
    except SettingsError as error:
        # Raised before validation, when a value cannot even be parsed.
        field = str(error).split('"')[1] if '"' in str(error) else "settings"
        typer.echo(
            f"error: bad setting: O2C_{field.upper()}: cannot be read "
            "(see docs/operations.md and docs/collections.md for its format)",
            err=True,
        )
        raise typer.Exit(2) from None
    if data_dir is not None:
        settings.data_dir = data_dir
    if log_json:
        settings.log_format = "json"
    if verbose:
        settings.log_level = "info"
    configure(settings.log_format, settings.log_level)
    ctx.obj = settings


@app.command("config")
def show_config(ctx: typer.Context) -> None:
    """Print the effective settings, with secrets masked."""
    for name, value in ctx.obj.shown().items():
        typer.echo(f"{name}={value}")


_cli_import.register(app)
_cli_reports.register(app)
_cli_account.register(app)
_cli_collect.register(app)
_cli_disputes.register(app)
_cli_record.register(app)
_cli_demo.register(app)
_cli_relay.register(app)
_cli_serve.register(app)
_cli_cadence.register(app)
_cli_simulate.register(app)


def main() -> None:
    try:
        app()
    except OperationalError as error:
        typer.echo(f"error: the event store cannot be reached: {error}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
