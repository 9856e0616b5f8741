"""Random but valid ledger histories for property tests, with their own arithmetic.

A plan is a list of commands that the ledger must accept in order, built while
keeping count, in whole minor units, of what each invoice still has open and
what each payment or credit memo has left. Those counts are the oracle: they
come from the plan alone, never from the product's code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from services import commands as c

PLACES = {"JPY": 0, "USD": 2, "KWD": 3}
CURRENCIES = sorted(PLACES)
START = date(2024, 1, 1)
LAST_ISSUE_DAY = 60

ACTIONS = ("payment", "credit_memo", "allocation", "dispute", "resolve", "write_off")
CASH_ONLY = ("payment", "credit_memo", "allocation")


def decimal(units: int, currency: str) -> Decimal:
    """Whole minor units as the Decimal a user would type (150 USD cents: 1.50)."""
    return Decimal(units).scaleb(-PLACES[currency])


@dataclass
class PlannedInvoice:
    number: str
    account: str
    currency: str
    amount: int
    open: int
    disputed: bool = False

    @property
    def reduced(self) -> int:
        return self.amount - self.open


@dataclass
class PlannedSource:
    """A payment (keyed by its idempotency key) or a credit memo (by number)."""

    kind: str
    key: str
    account: str
    currency: str
    amount: int
    unapplied: int


@dataclass
class Plan:
    commands: list[c.Command] = field(default_factory=list)
    accounts: dict[str, str] = field(default_factory=dict)
    invoices: dict[str, PlannedInvoice] = field(default_factory=dict)
    sources: dict[str, PlannedSource] = field(default_factory=dict)
    written_off: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return "Plan(\n" + "\n".join(f"  {cmd!r}" for cmd in self.commands) + "\n)"


@st.composite
def ledger_plans(draw: st.DrawFn, actions: tuple[str, ...] = ACTIONS) -> Plan:
    """Accounts, invoices in several currencies, then cash and collection steps."""
    plan = Plan()

    for index in range(draw(st.integers(1, 2))):
        number = f"C{index + 1}"
        currency = draw(st.sampled_from(CURRENCIES))
        plan.accounts[number] = currency
        plan.commands.append(
            c.OpenAccount(
                idempotency_key=f"open-{number}",
                number=number,
                name=f"Customer {number}",
                country="US",
                currency=currency,
                opened_on=START,
            )
        )

    for index in range(draw(st.integers(1, 3))):
        _issue(draw, plan, f"{index + 1:05d}")

    day = START + timedelta(days=LAST_ISSUE_DAY + 1)
    for step in range(draw(st.integers(1, 4))):
        day += timedelta(days=draw(st.integers(0, 20)))
        possible = [a for a in actions if _possible(plan, a)]
        if not possible:
            break
        action = draw(st.sampled_from(possible))
        _ACTION_STEPS[action](draw, plan, step, day)
    return plan


def _issue(draw: st.DrawFn, plan: Plan, number: str) -> None:
    account = draw(st.sampled_from(sorted(plan.accounts)))
    currency = draw(st.sampled_from([None, *CURRENCIES]))
    actual = currency or plan.accounts[account]
    amount = draw(st.integers(1, 10**7))
    plan.invoices[number] = PlannedInvoice(number, account, actual, amount, amount)
    plan.commands.append(
        c.IssueInvoice(
            idempotency_key=f"issue-{number}",
            number=number,
            account_number=account,
            amount=decimal(amount, actual),
            currency=currency,
            issue_date=START + timedelta(days=draw(st.integers(0, LAST_ISSUE_DAY))),
        )
    )


def _open_on(plan: Plan, account: str, currency: str) -> list[PlannedInvoice]:
    return [
        i
        for i in plan.invoices.values()
        if i.account == account and i.currency == currency and i.open > 0
    ]


def _fundable(plan: Plan) -> list[PlannedSource]:
    return [
        s
        for s in plan.sources.values()
        if s.kind == "payment"
        and s.unapplied > 0
        and _open_on(plan, s.account, s.currency)
    ]


def _possible(plan: Plan, action: str) -> bool:
    if action in ("payment", "credit_memo"):
        return True
    if action == "allocation":
        return bool(_fundable(plan))
    if action == "resolve":
        return any(i.disputed for i in plan.invoices.values())
    if action == "dispute":
        return any(i.open > 0 and not i.disputed for i in plan.invoices.values())
    return any(i.open > 0 for i in plan.invoices.values())


def _lines(
    draw: st.DrawFn, plan: Plan, source: PlannedSource, at_least_one: bool
) -> list[c.AllocationLine]:
    """Allocation lines that never exceed an invoice's open amount or the
    source's unapplied amount, and settle whole invoices now and then."""
    lines = []
    for invoice in _open_on(plan, source.account, source.currency):
        if source.unapplied == 0:
            break
        if not draw(st.booleans()) and not (at_least_one and not lines):
            continue
        ceiling = min(invoice.open, source.unapplied)
        amount = draw(st.one_of(st.just(ceiling), st.integers(1, ceiling)))
        invoice.open -= amount
        if invoice.open == 0:
            invoice.disputed = False
        source.unapplied -= amount
        lines.append(
            c.AllocationLine(
                invoice_number=invoice.number,
                amount=decimal(amount, source.currency),
            )
        )
    return lines


def _new_source(draw: st.DrawFn, plan: Plan, kind: str, key: str) -> PlannedSource:
    account = draw(st.sampled_from(sorted(plan.accounts)))
    owed = sorted({i.currency for i in _open_on_account(plan, account)})
    currency = draw(st.sampled_from(owed or [plan.accounts[account]]))
    amount = draw(st.integers(1, 10**7))
    source = PlannedSource(kind, key, account, currency, amount, amount)
    plan.sources[key] = source
    return source


def _open_on_account(plan: Plan, account: str) -> list[PlannedInvoice]:
    return [i for i in plan.invoices.values() if i.account == account and i.open]


def _payment(draw: st.DrawFn, plan: Plan, step: int, day: date) -> None:
    source = _new_source(draw, plan, "payment", f"bank-{step}")
    plan.commands.append(
        c.RecordPayment(
            idempotency_key=source.key,
            account_number=source.account,
            amount=decimal(source.amount, source.currency),
            currency=source.currency,
            received_on=day,
            allocations=_lines(draw, plan, source, at_least_one=False),
        )
    )


def _credit_memo(draw: st.DrawFn, plan: Plan, step: int, day: date) -> None:
    source = _new_source(draw, plan, "credit_memo", f"CM-{step}")
    plan.commands.append(
        c.IssueCreditMemo(
            idempotency_key=f"memo-{step}",
            number=source.key,
            account_number=source.account,
            amount=decimal(source.amount, source.currency),
            currency=source.currency,
            issued_on=day,
            reason="price correction",
            allocations=_lines(draw, plan, source, at_least_one=False),
        )
    )


def _allocation(draw: st.DrawFn, plan: Plan, step: int, day: date) -> None:
    source = draw(st.sampled_from(_fundable(plan)))
    plan.commands.append(
        c.AllocatePayment(
            idempotency_key=f"allocate-{step}",
            payment_key=source.key,
            on=day,
            allocations=_lines(draw, plan, source, at_least_one=True),
        )
    )


def _dispute(draw: st.DrawFn, plan: Plan, step: int, day: date) -> None:
    candidates = [i for i in plan.invoices.values() if i.open > 0 and not i.disputed]
    invoice = draw(st.sampled_from(candidates))
    invoice.disputed = True
    plan.commands.append(
        c.DisputeInvoice(
            idempotency_key=f"dispute-{step}",
            invoice_number=invoice.number,
            reason="damaged goods",
            on=day,
        )
    )


def _resolve(draw: st.DrawFn, plan: Plan, step: int, day: date) -> None:
    invoice = draw(st.sampled_from([i for i in plan.invoices.values() if i.disputed]))
    invoice.disputed = False
    plan.commands.append(
        c.ResolveDispute(
            idempotency_key=f"resolve-{step}",
            invoice_number=invoice.number,
            outcome="customer pays",
            on=day,
        )
    )


def _write_off(draw: st.DrawFn, plan: Plan, step: int, day: date) -> None:
    invoice = draw(st.sampled_from([i for i in plan.invoices.values() if i.open > 0]))
    plan.written_off[invoice.currency] = (
        plan.written_off.get(invoice.currency, 0) + invoice.open
    )
    invoice.open = 0
    invoice.disputed = False
    plan.commands.append(
        c.WriteOffInvoice(
            idempotency_key=f"write-off-{step}",
            invoice_number=invoice.number,
            reason="uncollectable",
            on=day,
        )
    )


_ACTION_STEPS = {
    "payment": _payment,
    "credit_memo": _credit_memo,
    "allocation": _allocation,
    "dispute": _dispute,
    "resolve": _resolve,
    "write_off": _write_off,
}


def run(app: object, command: c.Command) -> dict[str, object]:
    """Send a command to the Receivables handler that serves its type."""
    handler = _HANDLERS[type(command)]
    return getattr(app, handler)(command)  # type: ignore[no-any-return]


_HANDLERS = {
    c.OpenAccount: "open_account",
    c.IssueInvoice: "issue_invoice",
    c.RecordPayment: "record_payment",
    c.AllocatePayment: "allocate_payment",
    c.IssueCreditMemo: "issue_credit_memo",
    c.DisputeInvoice: "dispute_invoice",
    c.ResolveDispute: "resolve_dispute",
    c.WriteOffInvoice: "write_off_invoice",
}
