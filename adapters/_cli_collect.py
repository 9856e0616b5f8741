"""``o2c staff``, ``o2c worklist`` and ``o2c collect``: staff keys, the ranked
list of accounts to work, and what a collector records after working one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from adapters._cli_account import Actor, Key, On, run_step
from adapters._cli_common import fail, parse_day, views
from adapters._cli_reports import FormatOption
from adapters._render import print_report
from projections.collections import CollectionViews
from services import commands as c
from services.staff import hash_key, new_api_key

staff = typer.Typer(help="Staff members and their API keys.", no_args_is_help=True)
collect = typer.Typer(
    help="Record what a collector did: calls, follow-ups, escalations, promises.",
    no_args_is_help=True,
)

AccountArg = Annotated[str, typer.Argument(help="The account (customer) id.")]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Business date (YYYY-MM-DD) [default: today]"),
]


@staff.command("add")
def staff_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name their actions carry.")],
    role: Annotated[str, typer.Option("--role", help="collector, admin or auditor")],
    on: On = None,
    actor: Actor = "cli",
) -> None:
    """Add a staff member and print their API key, once: only its hash is kept."""
    key = new_api_key()
    run_step(
        ctx,
        c.AddStaffMember,
        "add_staff_member",
        None,
        actor,
        on,
        name=name,
        role=role,
        key_hash=hash_key(key),
    )
    typer.echo(f"API key for {name} (shown once, keep it safe): {key}")


@staff.command("revoke")
def staff_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option("--reason")],
    on: On = None,
    actor: Actor = "cli",
) -> None:
    """Revoke a staff member's key; their name stays in the log."""
    run_step(
        ctx,
        c.RevokeStaffMember,
        "revoke_staff_member",
        None,
        actor,
        on,
        name=name,
        reason=reason,
    )


@staff.command("list")
def staff_list(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """Staff members, their roles, and when a key was revoked."""
    with views(ctx) as opened:
        print_report(CollectionViews(opened.models.con).staff(), fmt)


def worklist(
    ctx: typer.Context,
    as_of: AsOf = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 50,
    fmt: FormatOption = None,
) -> None:
    """Accounts with amounts past due, the riskiest first, with the next action."""
    day = parse_day(as_of, "--as-of") or date.today()
    with views(ctx) as opened:
        report = CollectionViews(opened.models.con).worklist_report(day, limit)
        print_report(report, fmt)


@collect.command("call")
def collect_call(
    ctx: typer.Context,
    account: AccountArg,
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="reached, no_answer, left_message, wrong_number, promised, "
            "disputed or refused",
        ),
    ],
    note: Annotated[str, typer.Option("--note")] = "",
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Log a call to an account, with its outcome."""
    run_step(
        ctx,
        c.LogCall,
        "log_call",
        key,
        actor,
        on,
        account_number=account,
        outcome=outcome,
        note=note,
    )


@collect.command("follow-up")
def collect_follow_up(
    ctx: typer.Context,
    account: AccountArg,
    date_: Annotated[str, typer.Option("--date", help="When to come back to it.")],
    note: Annotated[str, typer.Option("--note")] = "",
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Set a follow-up date: the account leaves the worklist until then."""
    follow_up_on = parse_day(date_, "--date")
    run_step(
        ctx,
        c.ScheduleFollowUp,
        "schedule_follow_up",
        key,
        actor,
        on,
        account_number=account,
        follow_up_on=follow_up_on,
        note=note,
    )


@collect.command("escalate")
def collect_escalate(
    ctx: typer.Context,
    account: AccountArg,
    reason: Annotated[str, typer.Option("--reason")],
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Escalate an account (to a manager, a lawyer, an agency), with the reason."""
    run_step(
        ctx,
        c.EscalateAccount,
        "escalate_account",
        key,
        actor,
        on,
        account_number=account,
        reason=reason,
    )


@collect.command("promise")
def collect_promise(
    ctx: typer.Context,
    account: AccountArg,
    invoice: Annotated[list[str], typer.Option("--invoice", help="Repeat for more.")],
    amount: Annotated[str, typer.Option("--amount")],
    currency: Annotated[str, typer.Option("--currency")],
    by: Annotated[str, typer.Option("--by", help="The promised date.")],
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Record a promise to pay the payer gave on a call."""
    promised = parse_day(by, "--by")
    try:
        promised_amount = Decimal(amount)
    except ArithmeticError:
        raise fail(f"--amount {amount!r} is not an amount like 120.50", 2) from None
    run_step(
        ctx,
        c.PromiseToPay,
        "promise_to_pay",
        key,
        actor,
        on,
        account_number=account,
        invoice_numbers=invoice,
        amount=promised_amount,
        currency=currency.upper(),
        promised_date=promised,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(staff, name="staff")
    app.add_typer(collect, name="collect")
    app.command("worklist")(worklist)
