"""``--pdf`` of ``o2c account`` and ``o2c invoice``: the documents a payer gets."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import structlog
import typer
from babel import Locale, UnknownLocaleError

from adapters._cli_common import Views, fail
from adapters.documents import FontMissing, invoice_pdf, statement_pdf
from adapters.languages import LANGUAGES
from adapters.settings import Settings
from projections.documents import Documents
from projections.statements import NotInReadModels

log = structlog.get_logger()


def checked_language(code: str | None) -> str | None:
    """The ``--language`` value when babel knows it; the payer's when None."""
    if code is None:
        return None
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise fail(
            f"--language {code!r} is not a language code "
            f"(o2c writes {', '.join(LANGUAGES)})",
            2,
        ) from None
    return code


def write_statement(
    ctx: typer.Context,
    opened: Views,
    customer_id: str,
    target: Path,
    language: str | None,
    as_of: date | None,
    known_at: datetime | None,
) -> None:
    """Write the account's statement as of ``as_of`` (today when None)."""
    settings: Settings = ctx.obj
    documents = Documents(opened.models.con)
    try:
        data = documents.statement(customer_id, as_of or date.today(), as_of, known_at)
        pdf = statement_pdf(data, language, settings.pdf_font)
    except (NotInReadModels, FontMissing) as error:
        raise fail(str(error)) from None
    _write(target, pdf, "statement", data.payer.account_id)


def write_invoice(
    ctx: typer.Context,
    opened: Views,
    number: str,
    target: Path,
    language: str | None,
) -> None:
    """Write the invoice as it stands now."""
    settings: Settings = ctx.obj
    try:
        data = Documents(opened.models.con).invoice(number)
        pdf = invoice_pdf(data, language, settings.pdf_font)
    except (NotInReadModels, FontMissing) as error:
        raise fail(str(error)) from None
    _write(target, pdf, "invoice", data.payer.account_id)


def _write(target: Path, pdf: bytes, kind: str, account_id: str) -> None:
    try:
        target.write_bytes(pdf)
    except OSError as error:
        raise fail(f"cannot write --pdf {target}: {error.strerror or error}") from None
    log.info("pdf_written", kind=kind, account_id=account_id, size=len(pdf))
    typer.echo(f"wrote the {kind} to {target} ({len(pdf)} bytes)")
