"""``o2c account``: an account's statement, and ``o2c account set`` to change
its policies (terms, discount, credit limit, delivery, language, time zone,
contacts) and ``hold``/``release`` to put it on hold or take it off."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated, Any

import click
import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from adapters._cli_common import fail, parse_day
from adapters._cli_record import run_command
from adapters._cli_reports import account_statement
from services import commands as c

_CONTACT_KEYS = ("role", "email", "name", "address")
_CONTACT_SPLIT = re.compile(r",(?=\s*(?:" + "|".join(_CONTACT_KEYS) + r")=)")


class _StatementUnlessCommand(TyperGroup):
    """``o2c account C-1`` stays the statement of C-1; ``o2c account set C-1``
    and the other subcommands are commands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] != "--help":
            args = ["show", *args]
        return super().parse_args(ctx, args)


account = typer.Typer(
    cls=_StatementUnlessCommand,
    help="An account's statement (o2c account ID), or change its policies.",
    no_args_is_help=True,
)
account.command("show")(account_statement)

AccountArg = Annotated[str, typer.Argument(help="The account (customer) id.")]
Key = Annotated[
    str | None,
    typer.Option("--key", help="Idempotency key [default: a new one each run]"),
]
Actor = Annotated[
    str, typer.Option("--actor", envvar="O2C_ACTOR", help="Who makes the change.")
]
On = Annotated[
    str | None, typer.Option("--on", help="Business date (YYYY-MM-DD) [default: today]")
]


def contact_change(text: str) -> c.ContactChange:
    """``role=billing,email=ap@example.com,name=Ann Lee,address=Line 1|Line 2``."""
    fields: dict[str, Any] = {}
    for part in _CONTACT_SPLIT.split(text):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in _CONTACT_KEYS:
            raise fail(
                f"--contact {text!r}: each part is one of "
                f"{', '.join(k + '=...' for k in _CONTACT_KEYS)}",
                2,
            )
        if name == "address":
            fields["address_lines"] = [
                line.strip() for line in value.split("|") if line.strip()
            ]
        else:
            fields[name] = value.strip()
    try:
        return c.ContactChange(**fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise fail(f"--contact {text!r}: {problems}", 2) from None


def business_day(on: str | None) -> date:
    return parse_day(on, "--on") or date.today()


def new_key(key: str | None) -> str:
    return key or f"cli-{uuid.uuid4().hex}"


def run_step(
    ctx: typer.Context,
    command: type[c.Command],
    handler: str,
    key: str | None,
    actor: str,
    on: str | None,
    **fields: object,
) -> None:
    """Run a staff command given from the command line on its business day."""
    run_command(
        ctx,
        lambda: command(
            idempotency_key=new_key(key),
            actor=actor,
            channel="cli",
            on=business_day(on),
            **fields,
        ),
        handler,
    )


@account.command("set")
def account_set(
    ctx: typer.Context,
    number: AccountArg,
    terms: Annotated[
        str | None, typer.Option("--terms", help="net N, or eom N (end of month + N)")
    ] = None,
    discount: Annotated[
        str | None,
        typer.Option("--discount", help="Early-payment discount P%/D, e.g. 2%/10."),
    ] = None,
    no_discount: Annotated[
        bool, typer.Option("--no-discount", help="Withdraw the discount.")
    ] = False,
    reason: Annotated[
        str, typer.Option("--reason", help="Why the discount is granted or withdrawn.")
    ] = "",
    credit_limit: Annotated[
        str | None,
        typer.Option("--credit-limit", help="In the account currency."),
    ] = None,
    no_credit_limit: Annotated[
        bool, typer.Option("--no-credit-limit", help="Take the limit away.")
    ] = False,
    delivery: Annotated[
        str | None, typer.Option("--delivery", help="portal, email or paper")
    ] = None,
    language: Annotated[str | None, typer.Option("--language")] = None,
    time_zone: Annotated[
        str | None, typer.Option("--time-zone", help="IANA name, e.g. Asia/Tokyo.")
    ] = None,
    contact: Annotated[
        list[str] | None,
        typer.Option(
            "--contact",
            help="role=billing|escalation,email=...,name=...,address=Line 1|Line 2",
        ),
    ] = None,
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Change an account's policies; each change is an event in its timeline."""
    contacts = [contact_change(text) for text in contact or []]
    run_step(
        ctx,
        c.ChangeAccountPolicies,
        "change_account_policies",
        key,
        actor,
        on,
        account_number=number,
        terms=terms,
        discount=discount,
        discount_reason=reason,
        withdraw_discount=no_discount,
        credit_limit=credit_limit,
        remove_credit_limit=no_credit_limit,
        delivery=delivery,
        language=language,
        time_zone=time_zone,
        contacts=contacts,
    )


Reason = Annotated[str, typer.Option("--reason", help="Why; the timeline shows it.")]


@account.command("hold")
def account_hold(
    ctx: typer.Context,
    number: AccountArg,
    reason: Reason,
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Put an account on hold."""
    run_step(
        ctx,
        c.PutAccountOnHold,
        "put_account_on_hold",
        key,
        actor,
        on,
        account_number=number,
        reason=reason,
    )


@account.command("release")
def account_release(
    ctx: typer.Context,
    number: AccountArg,
    reason: Reason,
    on: On = None,
    key: Key = None,
    actor: Actor = "cli",
) -> None:
    """Take an account off hold."""
    run_step(
        ctx,
        c.ReleaseAccountHold,
        "release_account_hold",
        key,
        actor,
        on,
        account_number=number,
        reason=reason,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(account, name="account")
