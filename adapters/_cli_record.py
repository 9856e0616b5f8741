"""``o2c record``: record accounts, invoices, payments and the rest as they happen.

Every command needs ``--key``, its idempotency key: running it again with the
same key changes nothing and prints the first result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from adapters._cli_common import engine, fail, parse_day
from domain.errors import DomainError
from services import commands as c

record = typer.Typer(help="Record changes to the ledger (each with --key).")

Key = Annotated[
    str, typer.Option("--key", help="Idempotency key: a repeat changes nothing.")
]
Actor = Annotated[str, typer.Option("--actor", help="Who records this.")]
On = Annotated[str, typer.Option("--on", help="Business date (YYYY-MM-DD).")]
Allocate = Annotated[
    list[str] | None,
    typer.Option(
        "--allocate", help="INVOICE=AMOUNT to settle; repeat for several invoices."
    ),
]


def _lines(values: list[str] | None) -> list[c.AllocationLine]:
    lines = []
    for value in values or []:
        number, _, amount = value.partition("=")
        try:
            lines.append(
                c.AllocationLine(invoice_number=number.strip(), amount=amount.strip())
            )
        except ValidationError:
            raise fail(f"--allocate {value!r} is not INVOICE=AMOUNT", 2) from None
    return lines


def run_command(
    ctx: typer.Context, build: Callable[[], c.Command], handler: str
) -> None:
    try:
        command = build()
    except ValidationError as error:
        problems = "; ".join(
            f"--{'.'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}"
            if e["loc"]
            else e["msg"]
            for e in error.errors()
        )
        raise fail(problems, 2) from None
    with engine(ctx, catch_up=False) as opened:
        try:
            result: dict[str, Any] = getattr(opened.app, handler)(command)
        except DomainError as error:
            raise fail(str(error)) from None
        opened.catch_up()
    typer.echo(json.dumps(result, sort_keys=True))


def _day(text: str, option: str = "--on") -> Any:
    return parse_day(text, option)


@record.command("account")
def record_account(
    ctx: typer.Context,
    key: Key,
    number: Annotated[str, typer.Option("--number")],
    name: Annotated[str, typer.Option("--name")],
    country: Annotated[str, typer.Option("--country")],
    currency: Annotated[str, typer.Option("--currency")],
    on: On,
    net_days: Annotated[int, typer.Option("--net-days")] = 30,
    credit_limit: Annotated[str | None, typer.Option("--credit-limit")] = None,
    delivery: Annotated[str, typer.Option("--delivery")] = "email",
    language: Annotated[str, typer.Option("--language")] = "en",
    actor: Actor = "cli",
) -> None:
    """Open a customer account."""
    run_command(
        ctx,
        lambda: c.OpenAccount(
            idempotency_key=key,
            actor=actor,
            channel="cli",
            number=number,
            name=name,
            country=country,
            currency=currency.upper(),
            net_days=net_days,
            credit_limit=credit_limit,
            delivery=delivery,
            language=language,
            opened_on=_day(on),
        ),
        "open_account",
    )


@record.command("invoice")
def record_invoice(
    ctx: typer.Context,
    key: Key,
    number: Annotated[str, typer.Option("--number")],
    account: Annotated[str, typer.Option("--account")],
    amount: Annotated[str, typer.Option("--amount")],
    on: On,
    currency: Annotated[str | None, typer.Option("--currency")] = None,
    due: Annotated[str | None, typer.Option("--due")] = None,
    actor: Actor = "cli",
) -> None:
    """Issue an invoice (its currency defaults to the account's)."""
    run_command(
        ctx,
        lambda: c.IssueInvoice(
            idempotency_key=key,
            actor=actor,
            channel="cli",
            number=number,
            account_number=account,
            amount=amount,
            currency=None if currency is None else currency.upper(),
            issue_date=_day(on),
            due_date=None if due is None else _day(due, "--due"),
        ),
        "issue_invoice",
    )


@record.command("payment")
def record_payment(
    ctx: typer.Context,
    key: Key,
    account: Annotated[str, typer.Option("--account")],
    amount: Annotated[str, typer.Option("--amount")],
    currency: Annotated[str, typer.Option("--currency")],
    on: On,
    allocate: Allocate = None,
    method: Annotated[str, typer.Option("--method")] = "bank_transfer",
    reference: Annotated[str, typer.Option("--reference")] = "",
    actor: Actor = "cli",
) -> None:
    """Record a payment received, allocated to invoices or left unapplied."""
    run_command(
        ctx,
        lambda: c.RecordPayment(
            idempotency_key=key,
            actor=actor,
            channel="cli",
            account_number=account,
            amount=amount,
            currency=currency.upper(),
            received_on=_day(on),
            method=method,
            reference=reference,
            allocations=_lines(allocate),
        ),
        "record_payment",
    )


@record.command("allocation")
def record_allocation(
    ctx: typer.Context,
    key: Key,
    on: On,
    payment: Annotated[
        str | None, typer.Option("--payment", help="The payment's key.")
    ] = None,
    credit_memo: Annotated[
        str | None, typer.Option("--credit-memo", help="The credit memo's number.")
    ] = None,
    allocate: Allocate = None,
    actor: Actor = "cli",
) -> None:
    """Allocate what is left of a payment or a credit memo to invoices."""
    if (payment is None) == (credit_memo is None):
        raise fail("give either --payment KEY or --credit-memo NUMBER", 2)
    if payment is not None:
        run_command(
            ctx,
            lambda: c.AllocatePayment(
                idempotency_key=key,
                actor=actor,
                channel="cli",
                payment_key=payment,
                on=_day(on),
                allocations=_lines(allocate),
            ),
            "allocate_payment",
        )
        return
    run_command(
        ctx,
        lambda: c.AllocateCreditMemo(
            idempotency_key=key,
            actor=actor,
            channel="cli",
            credit_memo_number=credit_memo,
            on=_day(on),
            allocations=_lines(allocate),
        ),
        "allocate_credit_memo",
    )


@record.command("credit-memo")
def record_credit_memo(
    ctx: typer.Context,
    key: Key,
    number: Annotated[str, typer.Option("--number")],
    account: Annotated[str, typer.Option("--account")],
    amount: Annotated[str, typer.Option("--amount")],
    currency: Annotated[str, typer.Option("--currency")],
    reason: Annotated[str, typer.Option("--reason")],
    on: On,
    allocate: Allocate = None,
    actor: Actor = "cli",
) -> None:
    """Issue a credit memo, allocated to invoices or kept as open credit."""
    run_command(
        ctx,
        lambda: c.IssueCreditMemo(
            idempotency_key=key,
            actor=actor,
            channel="cli",
            number=number,
            account_number=account,
            amount=amount,
            currency=currency.upper(),
            reason=reason,
            issued_on=_day(on),
            allocations=_lines(allocate),
        ),
        "issue_credit_memo",
    )


@record.command("dispute")
def record_dispute(
    ctx: typer.Context,
    key: Key,
    invoice: Annotated[str, typer.Option("--invoice")],
    reason: Annotated[str, typer.Option("--reason")],
    on: On,
    note: Annotated[str, typer.Option("--note")] = "",
    actor: Actor = "cli",
) -> None:
    """Record that the customer disputes an invoice."""
    run_command(
        ctx,
        lambda: c.DisputeInvoice(
            idempotency_key=key,
            actor=actor,
            channel="cli",
            invoice_number=invoice,
            reason=reason,
            note=note,
            on=_day(on),
        ),
        "dispute_invoice",
    )


@record.command("resolution")
def record_resolution(
    ctx: typer.Context,
    key: Key,
    invoice: Annotated[str, typer.Option("--invoice")],
    outcome: Annotated[str, typer.Option("--outcome")],
    on: On,
    actor: Actor = "cli",
) -> None:
    """Resolve an invoice's open dispute."""
    run_command(
        ctx,
        lambda: c.ResolveDispute(
            idempotency_key=key,
            actor=actor,
            channel="cli",
            invoice_number=invoice,
            outcome=outcome,
            on=_day(on),
        ),
        "resolve_dispute",
    )


@record.command("write-off")
def record_write_off(
    ctx: typer.Context,
    key: Key,
    invoice: Annotated[str, typer.Option("--invoice")],
    reason: Annotated[str, typer.Option("--reason")],
    on: On,
    actor: Actor = "cli",
) -> None:
    """Write off what is still open on an invoice."""
    run_command(
        ctx,
        lambda: c.WriteOffInvoice(
            idempotency_key=key,
            actor=actor,
            channel="cli",
            invoice_number=invoice,
            reason=reason,
            on=_day(on),
        ),
        "write_off_invoice",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(record, name="record")
