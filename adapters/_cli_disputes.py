"""``o2c dispute``, ``o2c writeoff`` and ``o2c report disputes``: the dispute
workflow, write-offs approved by a second person, and small balances."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from adapters._cli_account import Actor, Key, On, run_step
from adapters._cli_common import engine, fail, parse_day, views
from adapters._cli_reports import FormatOption, reports
from adapters._render import print_report
from domain.errors import DomainError
from domain.writeoff import thresholds_in_minor
from projections.collections import CollectionViews
from services import commands as c

dispute = typer.Typer(help="Work a disputed invoice to its resolution.")
writeoff = typer.Typer(help="Write off what cannot be collected.")

InvoiceArg = Annotated[str, typer.Argument(help="The invoice number.")]


@dispute.command("assign")
def dispute_assign(
    ctx: typer.Context,
    invoice: InvoiceArg,
    to: Annotated[str, typer.Option("--to", help="The staff member who works it.")],
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Assign an invoice's open dispute."""
    run_step(
        ctx, c.AssignDispute, "assign_dispute", key, actor, on,
        invoice_number=invoice, assignee=to,
    )  # fmt: skip


@dispute.command("note")
def dispute_note(
    ctx: typer.Context,
    invoice: InvoiceArg,
    note: Annotated[str, typer.Option("--note")],
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Add a note to an invoice's open dispute."""
    run_step(
        ctx, c.NoteDispute, "note_dispute", key, actor, on,
        invoice_number=invoice, note=note,
    )  # fmt: skip


@dispute.command("review")
def dispute_review(
    ctx: typer.Context,
    invoice: InvoiceArg,
    note: Annotated[str, typer.Option("--note")] = "",
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Take an invoice's dispute into review."""
    run_step(
        ctx, c.ReviewDispute, "review_dispute", key, actor, on,
        invoice_number=invoice, note=note,
    )  # fmt: skip


@dispute.command("credit")
def dispute_credit(
    ctx: typer.Context,
    invoice: InvoiceArg,
    credit_memo: Annotated[str, typer.Option("--credit-memo", help="Its number.")],
    amount: Annotated[
        str | None,
        typer.Option("--amount", help="Part of the open amount [default: all of it]"),
    ] = None,
    reason: Annotated[str, typer.Option("--reason")] = "dispute upheld",
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Resolve a dispute by a credit memo allocated to the invoice."""
    run_step(
        ctx, c.ResolveDisputeWithCredit, "resolve_dispute_with_credit", key, actor,
        on, invoice_number=invoice, credit_memo_number=credit_memo,
        amount=None if amount is None else Decimal(amount), reason=reason,
    )  # fmt: skip


@dispute.command("reject")
def dispute_reject(
    ctx: typer.Context,
    invoice: InvoiceArg,
    explanation: Annotated[
        str, typer.Option("--explanation", help="Shown to the payer in the portal.")
    ],
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Reject a dispute; dunning resumes for the invoice."""
    run_step(
        ctx, c.RejectDispute, "reject_dispute", key, actor, on,
        invoice_number=invoice, explanation=explanation,
    )  # fmt: skip


@writeoff.command("request")
def writeoff_request(
    ctx: typer.Context,
    invoice: InvoiceArg,
    reason: Annotated[str, typer.Option("--reason")],
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Ask for a write-off of what is open; another staff member approves it."""
    run_step(
        ctx, c.RequestWriteOff, "request_write_off", key, actor, on,
        invoice_number=invoice, reason=reason,
    )  # fmt: skip


@writeoff.command("approve")
def writeoff_approve(
    ctx: typer.Context,
    invoice: InvoiceArg,
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Approve a write-off someone else requested; it is written off at once."""
    run_step(
        ctx, c.ApproveWriteOff, "approve_write_off", key, actor, on,
        invoice_number=invoice,
    )  # fmt: skip


@writeoff.command("small")
def writeoff_small(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help="Business date of the run.")],
    actor: Actor = "small-balance-run",
) -> None:
    """Write off open amounts past due below each currency's threshold
    (O2C_SMALL_BALANCE_THRESHOLDS); running it again writes off nothing twice."""
    day = parse_day(as_of, "--as-of")
    assert day is not None
    try:
        limits = thresholds_in_minor(ctx.obj.small_balance_thresholds)
    except DomainError as error:
        raise fail(f"O2C_SMALL_BALANCE_THRESHOLDS: {error}", 2) from None
    written = 0
    with engine(ctx) as opened:
        found = CollectionViews(opened.models.con).small_balances(day, limits)
        for item in found:
            opened.app.write_off_invoice(
                c.WriteOffInvoice(
                    idempotency_key=f"small-balance:{item['invoice_number']}",
                    actor=actor,
                    channel="cli",
                    invoice_number=item["invoice_number"],
                    reason=f"small balance below {item['threshold']} "
                    f"{item['currency']}",
                    on=day,
                )
            )
            written += 1
        opened.catch_up()
    typer.echo(json.dumps({"written_off": written, "as_of": day.isoformat()}))


def report_disputes(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Business date (YYYY-MM-DD) [default: today]"),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Open disputes: age and deadline in business days (Monday to Friday),
    and whether the deadline is breached."""
    day = parse_day(as_of, "--as-of") or date.today()
    with views(ctx) as opened:
        print_report(CollectionViews(opened.models.con).disputes_report(day), fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(dispute, name="dispute")
    app.add_typer(writeoff, name="writeoff")
    reports.command("disputes")(report_disputes)
