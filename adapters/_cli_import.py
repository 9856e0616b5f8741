"""``o2c import``: load a ledger export, whole or (--skip-bad) its good rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adapters._cli_common import engine, err, fail, progress
from adapters.ledger_csv import LedgerFile, Mapping, MappingError, write_rejects
from domain.errors import DomainError
from domain.money import check_currency
from services.ledger_import import LedgerImport

imports = typer.Typer(help="Import a receivables ledger from a file.")

CurrencyOption = Annotated[
    str | None,
    typer.Option("--currency", help="Currency of the amounts (ISO 4217 code)."),
]
SkipBadOption = Annotated[
    bool,
    typer.Option(
        "--skip-bad", help="Import the good rows; write the bad ones to a CSV."
    ),
]
RejectsOption = Annotated[
    Path | None,
    typer.Option("--rejects", help="Where --skip-bad writes the rejected rows."),
]


@imports.command("ibm-ar")
def import_ibm_ar(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The IBM sample AR ledger (CSV).")],
    currency: CurrencyOption = None,
    skip_bad: SkipBadOption = False,
    rejects: RejectsOption = None,
) -> None:
    """Import the IBM accounts-receivable sample ledger (a preset mapping)."""
    run_import(ctx, file, Mapping.preset("ibm-ar"), currency, skip_bad, rejects)


@imports.command("csv")
def import_csv(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A ledger export, one invoice a line.")],
    mapping: Annotated[
        Path, typer.Option("--mapping", help="TOML file naming columns and formats.")
    ],
    currency: CurrencyOption = None,
    skip_bad: SkipBadOption = False,
    rejects: RejectsOption = None,
) -> None:
    """Import any CSV ledger export, read through a mapping file."""
    try:
        loaded = Mapping.load(mapping)
    except MappingError as error:
        raise fail(str(error), 2) from None
    run_import(ctx, file, loaded, currency, skip_bad, rejects)


def run_import(
    ctx: typer.Context,
    file: Path,
    mapping: Mapping,
    currency: str | None,
    skip_bad: bool,
    rejects: Path | None,
) -> None:
    if currency is not None:
        try:
            check_currency(currency.upper())
        except DomainError as error:
            raise fail(f"--currency: {error}", 2) from None
        mapping = mapping.model_copy(update={"currency": currency.upper()})
    if not file.is_file():
        raise fail(f"{file} is not a readable file", 2)
    try:
        ledger = LedgerFile(file, mapping)
        with progress() as bar:
            bar.add_task(f"checking {file.name}", total=None)
            checked = ledger.check()
    except (MappingError, ValueError, DomainError) as error:
        raise fail(str(error), 2) from None

    if checked.problems and not skip_bad:
        for problem in checked.problems:
            err.print(str(problem), highlight=False, markup=False)
        raise fail(
            f"{len(checked.bad_lines)} of {checked.rows} rows are bad; "
            "nothing was imported (use --skip-bad to import the good rows)"
        )
    if checked.problems:
        target = rejects or Path(f"{file.stem}.rejects.csv")
        try:
            count = write_rejects(target, ledger, checked)
        except MappingError as error:
            raise fail(str(error), 2) from None
        except OSError as error:
            raise fail(
                f"cannot write --rejects {target}: {error.strerror}", 2
            ) from None
        err.print(f"{count} bad rows written to {target}", highlight=False)

    with engine(ctx, catch_up=False) as opened, progress() as bar:
        task = bar.add_task(f"importing {file.name}", total=checked.good_rows)
        importer = LedgerImport(
            opened.app,
            source=file.name,
            net_days=mapping.net_days,
            on_progress=lambda n: bar.advance(task, n),
        )
        summary = importer.run(
            ledger.rows(skip=checked.bad_lines), checked.first_invoice
        )
        behind = opened.projector.head() - opened.models.position()
        projecting = bar.add_task("projecting events", total=behind)
        opened.catch_up(on_batch=lambda n: bar.advance(projecting, n))

    typer.echo(
        f"imported {file.name}: {summary.rows} rows, "
        f"{summary.accounts_opened} accounts opened, "
        f"{summary.invoices_issued} invoices issued, "
        f"{summary.payments_recorded} payments recorded, "
        f"{summary.rows_already_imported} rows already in the ledger, "
        f"{summary.events} events"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(imports, name="import")
