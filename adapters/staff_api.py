"""The staff JSON API under /api/v1/staff: the worklist, disputes and the
actions of collectors, each recorded with the calling staff member as actor.

Every call needs a staff API key (``adapters.staff_auth``); every call that
changes something needs an ``Idempotency-Key`` header and a collector's or
an admin's key. Refusals carry the rule that was broken, in words.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adapters.portal._web import portal_of
from adapters.staff_auth import Staff, Writer
from domain.errors import DomainError
from projections.collections import CollectionViews
from services import commands as c
from services.receivables import NotFound

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])

KeyHeader = Annotated[
    str, Header(alias="Idempotency-Key", min_length=8, max_length=100)
]


class Body(BaseModel):
    """A staff request body; ``on`` is the business date, today if left out."""

    model_config = ConfigDict(extra="forbid")

    on: date | None = None


class PoliciesBody(Body):
    terms: str | None = None
    discount: str | None = None
    discount_reason: str = ""
    withdraw_discount: bool = False
    credit_limit: Decimal | None = None
    remove_credit_limit: bool = False
    delivery: Literal["paper", "email", "portal"] | None = None
    language: str | None = None
    time_zone: str | None = None
    contacts: list[c.ContactChange] = Field(default_factory=list)


class ReasonBody(Body):
    reason: str


class CallBody(Body):
    outcome: str
    note: str = ""


class FollowUpBody(Body):
    follow_up_on: date
    note: str = ""


class PromiseBody(Body):
    invoice_numbers: list[str]
    amount: Decimal
    currency: str
    promised_date: date


class AssignBody(Body):
    assignee: str


class NoteBody(Body):
    note: str = ""


class RejectBody(Body):
    explanation: str


class CreditBody(Body):
    credit_memo_number: str
    amount: Decimal | None = None
    reason: str = "dispute upheld"


def _run(
    request: Request,
    member: dict[str, Any],
    key: str,
    command: type[c.Command],
    handler: str,
    body: Body,
    **fields: Any,
) -> dict[str, Any]:
    """Run a command as the staff member; domain refusals become 404 or 409."""
    portal = portal_of(request)
    values = body.model_dump(exclude={"on"}, exclude_unset=True)
    try:
        cmd = command(
            idempotency_key=f"staff:{key}",
            actor=member["name"],
            channel="staff_api",
            on=body.on or portal.today(),
            **values,
            **fields,
        )
    except ValidationError as error:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in error.errors()
        ]
        raise HTTPException(422, problems) from None
    try:
        return portal.command(handler, cmd)
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    except DomainError as error:
        raise HTTPException(409, str(error)) from None


def _views(request: Request) -> CollectionViews:
    portal = portal_of(request)
    with portal.lock:
        portal.engine.catch_up()
    return CollectionViews(portal.engine.models.con)


@router.get("/me")
def me(member: Staff) -> dict[str, Any]:
    return member


@router.get("/worklist")
def worklist(
    request: Request,
    member: Staff,
    as_of: date | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[dict[str, Any]]:
    """Accounts to work, the riskiest first, each with its next action."""
    day = as_of or portal_of(request).today()
    return _views(request).worklist(day, limit)


@router.get("/disputes")
def disputes(
    request: Request, member: Staff, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Open disputes with their age, deadline and breach, in business days."""
    return _views(request).disputes(as_of or portal_of(request).today())


# Accounts --------------------------------------------------------------


@router.patch("/accounts/{number}/policies")
def change_policies(
    request: Request, member: Writer, key: KeyHeader, number: str, body: PoliciesBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.ChangeAccountPolicies, "change_account_policies",
        body, account_number=number,
    )  # fmt: skip


@router.post("/accounts/{number}/hold")
def hold(
    request: Request, member: Writer, key: KeyHeader, number: str, body: ReasonBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.PutAccountOnHold, "put_account_on_hold", body,
        account_number=number,
    )  # fmt: skip


@router.post("/accounts/{number}/release")
def release(
    request: Request, member: Writer, key: KeyHeader, number: str, body: ReasonBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.ReleaseAccountHold, "release_account_hold", body,
        account_number=number,
    )  # fmt: skip


@router.post("/accounts/{number}/calls")
def log_call(
    request: Request, member: Writer, key: KeyHeader, number: str, body: CallBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.LogCall, "log_call", body, account_number=number
    )


@router.post("/accounts/{number}/follow-ups")
def follow_up(
    request: Request, member: Writer, key: KeyHeader, number: str, body: FollowUpBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.ScheduleFollowUp, "schedule_follow_up", body,
        account_number=number,
    )  # fmt: skip


@router.post("/accounts/{number}/escalations")
def escalate(
    request: Request, member: Writer, key: KeyHeader, number: str, body: ReasonBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.EscalateAccount, "escalate_account", body,
        account_number=number,
    )  # fmt: skip


@router.post("/accounts/{number}/promises")
def promise(
    request: Request, member: Writer, key: KeyHeader, number: str, body: PromiseBody
) -> dict[str, Any]:
    """A promise to pay the payer gave a collector, as the portal records it."""
    return _run(
        request, member, key, c.PromiseToPay, "promise_to_pay", body,
        account_number=number,
    )  # fmt: skip


# Disputes and write-offs ------------------------------------------------


@router.post("/invoices/{number}/dispute/assignee")
def assign(
    request: Request, member: Writer, key: KeyHeader, number: str, body: AssignBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.AssignDispute, "assign_dispute", body,
        invoice_number=number,
    )  # fmt: skip


@router.post("/invoices/{number}/dispute/notes")
def note(
    request: Request, member: Writer, key: KeyHeader, number: str, body: NoteBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.NoteDispute, "note_dispute", body,
        invoice_number=number,
    )  # fmt: skip


@router.post("/invoices/{number}/dispute/review")
def review(
    request: Request, member: Writer, key: KeyHeader, number: str, body: NoteBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.ReviewDispute, "review_dispute", body,
        invoice_number=number,
    )  # fmt: skip


@router.post("/invoices/{number}/dispute/credit")
def resolve_with_credit(
    request: Request, member: Writer, key: KeyHeader, number: str, body: CreditBody
) -> dict[str, Any]:
    """Resolve by a credit memo, for the whole open amount or the part given."""
    return _run(
        request, member, key, c.ResolveDisputeWithCredit,
        "resolve_dispute_with_credit", body, invoice_number=number,
    )  # fmt: skip


@router.post("/invoices/{number}/dispute/rejection")
def reject(
    request: Request, member: Writer, key: KeyHeader, number: str, body: RejectBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.RejectDispute, "reject_dispute", body,
        invoice_number=number,
    )  # fmt: skip


@router.post("/invoices/{number}/write-off/request")
def request_write_off(
    request: Request, member: Writer, key: KeyHeader, number: str, body: ReasonBody
) -> dict[str, Any]:
    return _run(
        request, member, key, c.RequestWriteOff, "request_write_off", body,
        invoice_number=number,
    )  # fmt: skip


@router.post("/invoices/{number}/write-off/approval")
def approve_write_off(
    request: Request, member: Writer, key: KeyHeader, number: str, body: Body
) -> dict[str, Any]:
    """Approve another staff member's request; approving your own is refused."""
    return _run(
        request, member, key, c.ApproveWriteOff, "approve_write_off", body,
        invoice_number=number,
    )  # fmt: skip
