"""``o2c simulate``: the cadence over the demo book on a simulated clock.

Each day new invoices are issued, payers act on what they planned (pay,
promise, dispute), collectors resolve disputes, and the scheduler runs its
passes; every message sent may make a payer plan a response, drawn from a
seeded stream, so the same seed gives the same quarter.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from adapters.cadence.runner import run_days
from adapters.cadence.scheduler import Scheduler
from domain.errors import DomainError
from domain.money import from_minor
from projections.cadence import CadenceViews
from services import _payer_responses as payers
from services import commands as c

ISSUES_PER_ACCOUNT_DAY = 1 / 30
ACTOR = {"actor": "simulation", "channel": "simulation"}


@dataclass
class Outcome:
    """What the simulated days came to."""

    first: date
    last: date
    actions: Counter[str] = field(default_factory=Counter)
    disputes_resolved: int = 0


class Simulation:
    """Drives payers, collectors and the scheduler through simulated days."""

    def __init__(self, scheduler: Scheduler, seed: int = 7, every_hours: int = 3):
        self.scheduler = scheduler
        self.app = scheduler.engine.app
        self.con = scheduler.engine.models.con
        self.rng = random.Random(seed)
        self.seed = seed
        self.every = timedelta(hours=every_hours)
        self.planned: dict[date, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.busy: set[str] = set()
        self.serial = 0

    def run(
        self, first: date, days: int, on_day: Callable[[date], None] | None = None
    ) -> Outcome:
        outcome = Outcome(first, first + timedelta(days=days - 1))
        views = CadenceViews(self.con)
        for offset in range(days):
            day = first + timedelta(days=offset)
            self._issue(day, outcome)
            for action, facts in self.planned.pop(day, []):
                self._act(action, facts, day, outcome)
            run_days(self.scheduler, day, day, self.every)
            for message in views.sent_on(day):
                self._respond(message, day)
            if on_day is not None:
                on_day(day)
        return outcome

    def _command(self, handler: str, **values: Any) -> bool:
        self.serial += 1
        key = f"simulation-{self.seed}-{self.serial}"
        kind = {
            "issue_invoice": c.IssueInvoice,
            "record_payment": c.RecordPayment,
            "promise_to_pay": c.PromiseToPay,
            "dispute_invoice": c.DisputeInvoice,
            "resolve_dispute": c.ResolveDispute,
            "issue_credit_memo": c.IssueCreditMemo,
        }[handler]
        try:
            getattr(self.app, handler)(kind(idempotency_key=key, **ACTOR, **values))
        except (DomainError, ValueError):
            return False
        return True

    def _issue(self, day: date, outcome: Outcome) -> None:
        accounts = self.con.execute(
            """
            SELECT a.customer_id, a.currency, median(i.amount_minor)::BIGINT
            FROM accounts a JOIN invoices i USING (account_id)
            GROUP BY ALL ORDER BY a.customer_id
            """
        ).fetchall()
        for customer_id, currency, typical in accounts:
            if self.rng.random() >= ISSUES_PER_ACCOUNT_DAY:
                continue
            minor = max(1, round(typical * self.rng.lognormvariate(0, 0.3)))
            number = f"SIM-{self.seed}-{self.serial + 1:06d}"
            if self._command(
                "issue_invoice",
                number=number,
                account_number=customer_id,
                amount=from_minor(minor, currency),
                currency=currency,
                issue_date=day,
            ):
                outcome.actions["invoice issued"] += 1
        self.scheduler.engine.catch_up()

    def _respond(self, message: dict[str, Any], day: date) -> None:
        step = message["step"].split("@", 1)[0]
        customer = message["customer_id"]
        profile = payers.profile_of(customer, self.seed)
        for invoice in message["invoices"]:
            if invoice["number"] in self.busy or invoice["open_minor"] <= 0:
                continue
            answer = payers.respond(self.rng, profile, step, day)
            if answer is None:
                continue
            self.busy.add(invoice["number"])
            facts = {"customer": customer, "invoice": invoice, "answer": answer}
            self.planned[answer.on].append((answer.action, facts))

    def _act(
        self, action: str, facts: dict[str, Any], day: date, outcome: Outcome
    ) -> None:
        invoice = facts["invoice"]
        number, customer = invoice["number"], facts["customer"]
        open_now = self._open(number)
        if open_now <= 0:
            self.busy.discard(number)
            return
        amount = from_minor(open_now, invoice["currency"])
        if action == "pay":
            self.busy.discard(number)
            if self._pay(customer, number, amount, invoice["currency"], day):
                outcome.actions["paid"] += 1
        elif action == "promise":
            self._promise(facts, amount, day, outcome)
        elif action == "dispute":
            reason = "price differs from the purchase order"
            if self._command(
                "dispute_invoice", invoice_number=number, reason=reason, on=day
            ):
                outcome.actions["disputed"] += 1
                on, share = payers.resolution(self.rng, day)
                self.planned[on].append(("resolve", {**facts, "share": share}))
        elif action == "resolve":
            self._resolve(facts, amount, day, outcome)
        self.scheduler.engine.catch_up()

    def _promise(
        self, facts: dict[str, Any], amount: Decimal, day: date, outcome: Outcome
    ) -> None:
        invoice, answer = facts["invoice"], facts["answer"]
        if self._command(
            "promise_to_pay",
            account_number=facts["customer"],
            invoice_numbers=[invoice["number"]],
            amount=amount,
            currency=invoice["currency"],
            promised_date=answer.until,
            on=day,
        ):
            outcome.actions["promised"] += 1
            if answer.kept:
                span = (answer.until - day).days
                pay_on = day + timedelta(days=self.rng.randint(0, span))
                self.planned[pay_on].append(("pay", facts))
                return
            outcome.actions["promise broken"] += 1
        self.busy.discard(invoice["number"])

    def _resolve(
        self, facts: dict[str, Any], amount: Decimal, day: date, outcome: Outcome
    ) -> None:
        invoice = facts["invoice"]
        number, currency = invoice["number"], invoice["currency"]
        share = Decimal(str(facts["share"]))
        credit = (amount * share).quantize(amount)
        verdict = "credited" if credit > 0 else "rejected"
        self._command("resolve_dispute", invoice_number=number, outcome=verdict, on=day)
        if credit > 0:
            self._command(
                "issue_credit_memo",
                number=f"SIM-CM-{self.seed}-{self.serial + 1:06d}",
                account_number=facts["customer"],
                amount=credit,
                currency=currency,
                issued_on=day,
                reason="dispute settled",
                allocations=[c.AllocationLine(invoice_number=number, amount=credit)],
            )
        outcome.disputes_resolved += 1
        self.busy.discard(number)

    def _pay(
        self, customer: str, number: str, amount: Decimal, currency: str, day: date
    ) -> bool:
        return self._command(
            "record_payment",
            account_number=customer,
            amount=amount,
            currency=currency,
            received_on=day,
            allocations=[c.AllocationLine(invoice_number=number, amount=amount)],
        )

    def _open(self, number: str) -> int:
        self.scheduler.engine.catch_up()
        found = self.con.execute(
            "SELECT open_minor FROM invoices WHERE invoice_number = $n", {"n": number}
        ).fetchall()
        return int(found[0][0]) if found else 0
