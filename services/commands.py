"""Commands from outside: pydantic models, each carrying its idempotency key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class Command(BaseModel):
    """A request to change the ledger, safe to repeat with the same key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    idempotency_key: str = Field(min_length=1, max_length=200)
    actor: str = "system"
    channel: str = "api"
    correlation_id: str = ""


class OpenAccount(Command):
    number: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=1, max_length=8)
    currency: str = Field(min_length=3, max_length=3)
    net_days: int = Field(default=30, ge=0, le=365)
    credit_limit: Decimal | None = None
    delivery: str = "email"
    language: str = "en"
    contacts: list[dict[str, str]] = Field(default_factory=list)
    opened_on: date


class IssueInvoice(Command):
    number: str = Field(min_length=1, max_length=64)
    account_number: str
    amount: Decimal
    currency: str | None = None
    issue_date: date
    due_date: date | None = None
    delivery: str | None = None


class AllocationLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    invoice_number: str
    amount: Decimal


class RecordPayment(Command):
    account_number: str
    amount: Decimal
    currency: str
    received_on: date
    method: str = "bank_transfer"
    reference: str = ""
    allocations: list[AllocationLine] = Field(default_factory=list)


class AllocatePayment(Command):
    payment_key: str
    on: date
    allocations: list[AllocationLine] = Field(min_length=1)


class IssueCreditMemo(Command):
    number: str = Field(min_length=1, max_length=64)
    account_number: str
    amount: Decimal
    currency: str
    issued_on: date
    reason: str
    allocations: list[AllocationLine] = Field(default_factory=list)


class DisputeInvoice(Command):
    invoice_number: str
    reason: str
    note: str = ""
    on: date


class ResolveDispute(Command):
    invoice_number: str
    outcome: str
    on: date


class WriteOffInvoice(Command):
    invoice_number: str
    reason: str
    on: date
