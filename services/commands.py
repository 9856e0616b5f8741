"""Commands from outside: pydantic models, each carrying its idempotency key."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal

from babel import Locale, UnknownLocaleError
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


class Command(BaseModel):
    """A request to change the ledger, safe to repeat with the same key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    idempotency_key: str = Field(min_length=1, max_length=200)
    actor: str = "system"
    channel: str = "api"
    correlation_id: str = ""

    @model_validator(mode="after")
    def _business_dates_are_plausible(self) -> Command:
        for name, value in self:
            if isinstance(value, date) and not EARLIEST <= value <= LATEST:
                raise ValueError(f"{name} {value} is outside {EARLIEST} to {LATEST}")
        return self


class OpenAccount(Command):
    number: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    country: str
    currency: str = Field(min_length=3, max_length=3)
    net_days: int = Field(default=30, ge=0, le=365)
    credit_limit: Decimal | None = Field(default=None, ge=0)
    delivery: str = "email"
    language: str = "en"
    contacts: list[dict[str, str]] = Field(default_factory=list)
    opened_on: date

    @field_validator("country")
    @classmethod
    def _country_code(cls, code: str) -> str:
        if re.fullmatch(r"[A-Z]{2}|\d{3}", code) is None:
            raise ValueError(
                f"{code!r} is not an ISO 3166 country code (DE, JP, or numeric 276)"
            )
        return code

    @field_validator("language")
    @classmethod
    def _known_language(cls, code: str) -> str:
        return language_code(code)


def language_code(code: str) -> str:
    """A language babel knows (``en``, ``de``, ``ja``, ``zh_Hans``)."""
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ValueError(
            f"{code!r} is not a language code (for example en, de, ja, zh)"
        ) from None
    return code


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


class AllocateCreditMemo(Command):
    credit_memo_number: str
    on: date
    allocations: list[AllocationLine] = Field(min_length=1)


class IssueCreditMemo(Command):
    number: str = Field(min_length=1, max_length=64)
    account_number: str
    amount: Decimal
    currency: str
    issued_on: date
    reason: str = Field(min_length=1)
    allocations: list[AllocationLine] = Field(default_factory=list)


class DisputeInvoice(Command):
    """``account_number``, when given, must own the invoice (portal requests)."""

    invoice_number: str
    reason: str = Field(min_length=1)
    note: str = ""
    on: date
    account_number: str | None = None
    attachment_id: str | None = Field(default=None, max_length=64)


class RecordInvoiceSent(Command):
    """The invoice e-mail went to a contact, named only by a hash of the address."""

    invoice_number: str
    recipient_hash: str = Field(min_length=1, max_length=64)
    language: str
    on: date


class ResolveDispute(Command):
    invoice_number: str
    outcome: str = Field(min_length=1)
    on: date


class WriteOffInvoice(Command):
    invoice_number: str
    reason: str = Field(min_length=1)
    on: date


class PromiseToPay(Command):
    account_number: str
    invoice_numbers: list[str] = Field(min_length=1, max_length=100)
    amount: Decimal
    currency: str = Field(min_length=3, max_length=3)
    promised_date: date
    on: date


class SavePaymentMethod(Command):
    account_number: str
    token: str = Field(min_length=1, max_length=200)
    kind: Literal["card", "bank_account"]
    brand: str = Field(max_length=40)
    last4: str = Field(pattern=r"^\d{4}$")
    expiry_month: int | None = Field(default=None, ge=1, le=12)
    expiry_year: int | None = Field(default=None, ge=2000, le=2999)
    on: date


class ChooseDefaultPaymentMethod(Command):
    account_number: str
    method_id: str
    on: date


class RemovePaymentMethod(Command):
    account_number: str
    method_id: str
    on: date


class ChangeLanguage(Command):
    account_number: str
    language: str
    on: date


class GiveEffortScore(Command):
    account_number: str
    score: int = Field(ge=1, le=7)
    payment_id: str
    on: date


class CreditUse(BaseModel):
    """Open credit (a credit memo, or cash a payment left unapplied) to apply."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_kind: Literal["credit_memo", "payment"]
    source_id: str
    invoice_number: str
    amount: Decimal


class SettleInvoices(Command):
    """A payer settles invoices: open credit first, then a new payment.

    Both happen in one transaction, so a failure leaves nothing half done.
    """

    account_number: str
    currency: str = Field(min_length=3, max_length=3)
    credits: list[CreditUse] = Field(default_factory=list)
    amount: Decimal
    method: str
    reference: str = ""
    allocations: list[AllocationLine] = Field(default_factory=list)
    on: date


class ContactChange(BaseModel):
    """The contact of a role; it replaces the role's previous contact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["billing", "escalation"]
    email: str = Field(default="", max_length=254)
    name: str = Field(default="", max_length=200)
    address_lines: list[str] = Field(default_factory=list, max_length=6)


class ChangeAccountPolicies(Command):
    """Any of an account's policies, changed together; each change is an event.

    ``credit_limit`` sets a limit and ``remove_credit_limit`` takes it away;
    ``discount`` (``2%/10``) needs ``discount_reason``.
    """

    account_number: str
    on: date
    terms: str | None = Field(default=None, max_length=40)
    discount: str | None = Field(default=None, max_length=40)
    discount_reason: str = Field(default="", max_length=500)
    withdraw_discount: bool = False
    credit_limit: Decimal | None = Field(default=None, ge=0)
    remove_credit_limit: bool = False
    delivery: Literal["paper", "email", "portal"] | None = None
    language: str | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    contacts: list[ContactChange] = Field(default_factory=list, max_length=10)

    @field_validator("language")
    @classmethod
    def _known_language(cls, code: str | None) -> str | None:
        return None if code is None else language_code(code)

    @model_validator(mode="after")
    def _asks_for_a_change(self) -> ChangeAccountPolicies:
        changes = self.model_dump(
            exclude={
                "idempotency_key",
                "actor",
                "channel",
                "correlation_id",
                "account_number",
                "on",
                "discount_reason",
            }
        )
        if not any(value not in (None, False, []) for value in changes.values()):
            raise ValueError("name at least one policy to change")
        if self.credit_limit is not None and self.remove_credit_limit:
            raise ValueError("set a credit limit or remove it, not both")
        if self.discount is not None and self.withdraw_discount:
            raise ValueError("grant a discount or withdraw it, not both")
        return self


class PutAccountOnHold(Command):
    account_number: str
    reason: str = Field(min_length=1, max_length=500)
    on: date


class ReleaseAccountHold(Command):
    account_number: str
    reason: str = Field(min_length=1, max_length=500)
    on: date


class AddStaffMember(Command):
    name: str = Field(min_length=1, max_length=100)
    role: Literal["collector", "admin", "auditor"]
    key_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    on: date


class RevokeStaffMember(Command):
    name: str
    reason: str = Field(min_length=1, max_length=500)
    on: date


class LogCall(Command):
    account_number: str
    outcome: str
    note: str = Field(default="", max_length=2000)
    on: date


class ScheduleFollowUp(Command):
    account_number: str
    follow_up_on: date
    note: str = Field(default="", max_length=2000)
    on: date


class EscalateAccount(Command):
    account_number: str
    reason: str = Field(min_length=1, max_length=2000)
    on: date


class AssignDispute(Command):
    invoice_number: str
    assignee: str = Field(min_length=1, max_length=100)
    on: date


class NoteDispute(Command):
    invoice_number: str
    note: str = Field(min_length=1, max_length=2000)
    on: date


class ReviewDispute(Command):
    invoice_number: str
    note: str = Field(default="", max_length=2000)
    on: date


class RejectDispute(Command):
    """``explanation`` is shown to the payer in the portal."""

    invoice_number: str
    explanation: str = Field(min_length=1, max_length=2000)
    on: date


class ResolveDisputeWithCredit(Command):
    """A credit memo for ``amount`` (the whole open amount when not given),
    allocated to the disputed invoice, resolves its dispute."""

    invoice_number: str
    credit_memo_number: str = Field(min_length=1, max_length=64)
    amount: Decimal | None = Field(default=None, gt=0)
    reason: str = Field(default="dispute upheld", min_length=1, max_length=500)
    on: date


class RequestWriteOff(Command):
    invoice_number: str
    reason: str = Field(min_length=1, max_length=500)
    on: date


class ApproveWriteOff(Command):
    invoice_number: str
    on: date
