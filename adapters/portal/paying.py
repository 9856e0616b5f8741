"""Paying invoices: a plan (open credit first, then what to charge), a charge
through the gateway, then one command that settles everything at once.

Nothing is written before the gateway approves, so a declined or failed
charge changes nothing. The payer's idempotency key names the charge and the
command alike: a retried request gets the first answer and pays once.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import asdict, dataclass, field
from typing import Any

import structlog

from adapters.portal.context import Portal
from domain.errors import DomainError
from domain.money import Money, from_minor
from services import commands as c

log = structlog.get_logger("o2c.portal")

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,100}$")

# One payment per key at a time: a double click waits for the first answer.
_key_locks: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
_guard = threading.Lock()


def _lock_for(key: str) -> Any:
    with _guard:
        lock = _key_locks.get(key)
        if lock is None:
            lock = threading.Lock()
            _key_locks[key] = lock
        return lock


class PaymentProblem(Exception):
    """Why a payment was not made, as a message key for the payer's language."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


class UnknownInvoice(LookupError):
    """An invoice id the signed-in account does not have."""


@dataclass
class Plan:
    """Amounts in minor units of one currency."""

    currency: str
    lines: list[dict[str, Any]]
    credits: list[dict[str, Any]] = field(default_factory=list)
    charge_minor: int = 0

    @classmethod
    def of(cls, data: dict[str, Any]) -> Plan:
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_payment(
    portal: Portal, account_id: str, chosen: dict[str, str], apply_credits: bool
) -> Plan:
    """Check the chosen invoices and amounts and decide what credit covers."""
    if not chosen:
        raise PaymentProblem("err_choose")
    invoices = portal.views.invoices_by_id(account_id, list(chosen))
    if len(invoices) != len(chosen):
        raise UnknownInvoice()
    if len({invoice["currency"] for invoice in invoices}) > 1:
        raise PaymentProblem("err_currency")

    currency = invoices[0]["currency"]
    lines = []
    for invoice in invoices:
        minor = _minor(chosen[invoice["invoice_id"]], currency)
        if minor is None or not 0 < minor <= invoice["open_minor"]:
            raise PaymentProblem("err_amount", number=invoice["invoice_number"])
        lines.append(
            {
                "invoice_id": invoice["invoice_id"],
                "invoice_number": invoice["invoice_number"],
                "minor": minor,
            }
        )

    plan = Plan(currency, lines)
    if apply_credits:
        _use_credits(plan, portal.views.credits(account_id))
    plan.charge_minor = sum(line["minor"] for line in plan.lines) - sum(
        use["minor"] for use in plan.credits
    )
    return plan


def _minor(text: str, currency: str) -> int | None:
    try:
        return Money.parse(text, currency).minor
    except DomainError:
        return None


def _use_credits(plan: Plan, sources: list[dict[str, Any]]) -> None:
    left = {line["invoice_number"]: line["minor"] for line in plan.lines}
    for source in sources:
        if source["currency"] != plan.currency:
            continue
        available = source["unapplied_minor"]
        for number, owed in left.items():
            used = min(available, owed)
            if used <= 0:
                continue
            plan.credits.append(
                {
                    "source_kind": source["source_kind"],
                    "source_id": source["source_id"],
                    "invoice_number": number,
                    "minor": used,
                }
            )
            left[number] -= used
            available -= used


@dataclass(frozen=True)
class Method:
    """How the rest is charged: a gateway token and what the payer sees of it."""

    token: str
    kind: str
    brand: str
    last4: str


def command_key(account_id: str, key: str) -> str:
    return f"portal-pay:{account_id}:{key}"


def first_answer(portal: Portal, account_id: str, key: str) -> dict[str, Any] | None:
    """What a payment with this key answered, if it was made already."""
    return portal.engine.app.handled(command_key(account_id, key))


def pay(
    portal: Portal, account: dict[str, Any], plan: Plan, key: str, method: Method | None
) -> dict[str, Any]:
    """Charge what credit does not cover and settle the invoices; once per key."""
    full_key = command_key(account["account_id"], key)
    with _lock_for(full_key):
        return _pay_once(portal, account, plan, full_key, method)


def _pay_once(
    portal: Portal,
    account: dict[str, Any],
    plan: Plan,
    full_key: str,
    method: Method | None,
) -> dict[str, Any]:
    first = portal.engine.app.handled(full_key)
    if first is not None:
        return first

    reference = ""
    if plan.charge_minor > 0:
        if method is None:
            raise PaymentProblem("err_method")
        amount = Money(from_minor(plan.charge_minor, plan.currency), plan.currency)
        charge = portal.gateway.charge(method.token, amount, full_key)
        log.info(
            "payment_charged",
            account_id=account["account_id"],
            approved=charge.approved,
            code=charge.code,
        )
        if not charge.approved:
            raise PaymentProblem(charge.code or "processing_error")
        reference = f"{method.brand} {method.last4} {charge.charge_id}"

    settle = _settle_command(account, plan, full_key, method, reference, portal)
    try:
        return portal.command("settle_invoices", settle)
    except DomainError:
        if plan.charge_minor == 0:
            raise PaymentProblem("err_rejected") from None
        # The money is taken: keep it on the account as unapplied cash.
        log.warning("payment_left_unapplied", account_id=account["account_id"])
        kept = c.RecordPayment(
            idempotency_key=full_key,
            account_number=account["customer_id"],
            amount=settle.amount,
            currency=plan.currency,
            received_on=settle.on,
            method=settle.method,
            reference=reference,
            actor=settle.actor,
            channel="portal",
        )
        return portal.command("record_payment", kept)


def _settle_command(
    account: dict[str, Any],
    plan: Plan,
    key: str,
    method: Method | None,
    reference: str,
    portal: Portal,
) -> c.SettleInvoices:
    currency = plan.currency
    credits = [
        c.CreditUse(
            source_kind=use["source_kind"],
            source_id=use["source_id"],
            invoice_number=use["invoice_number"],
            amount=from_minor(use["minor"], currency),
        )
        for use in plan.credits
    ]
    covered: dict[str, int] = {}
    for use in plan.credits:
        number = use["invoice_number"]
        covered[number] = covered.get(number, 0) + use["minor"]
    rest = {
        line["invoice_number"]: line["minor"] - covered.get(line["invoice_number"], 0)
        for line in plan.lines
    }
    allocations = [
        c.AllocationLine(invoice_number=number, amount=from_minor(minor, currency))
        for number, minor in rest.items()
        if minor > 0
    ]
    return c.SettleInvoices(
        idempotency_key=key,
        account_number=account["customer_id"],
        currency=currency,
        credits=credits,
        amount=from_minor(plan.charge_minor, currency),
        method=method.kind if method is not None else "credit",
        reference=reference,
        allocations=allocations,
        on=portal.today(),
        actor=f"payer:{account['customer_id']}",
        channel="portal",
    )
