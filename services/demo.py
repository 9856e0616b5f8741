"""A seeded, reproducible receivables book for demos, load tests and docs.

Customers in eight countries pay on time, pay late, pay in instalments, dispute
and receive credit memos the way real payers do. The book is built with the
domain's own methods, so every rule of the ledger holds in it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any, NamedTuple

from domain._events import Cause
from domain.account import Account
from domain.credit_memo import CreditMemo
from domain.invoice import Invoice
from domain.money import Money
from domain.payment import Payment
from domain.terms import PaymentTerms
from services import _demo_profiles as p
from services.bulk import BulkWriter

INVOICES_PER_ACCOUNT = 10
MIN_ACCOUNTS = 6

# Same-day events happen in this order: a dispute is raised before it is
# credited, credited before it is resolved, resolved before the rest is paid.
DISPUTE, CREDIT, RESOLVE, PAY, WRITE_OFF = range(5)


@dataclass
class BookSummary:
    accounts: int = 0
    invoices: int = 0
    payments: int = 0
    credit_memos: int = 0
    disputes: int = 0
    write_offs: int = 0
    events: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def generate_book(
    writer: BulkWriter,
    *,
    invoices: int,
    seed: int = 7,
    start: date = date(2024, 1, 1),
    months: int = 24,
    on_progress: Callable[[int], None] | None = None,
) -> BookSummary:
    """Write a book of ``invoices`` invoices, about one account per ten.

    The same seed and size give the same events, ids, amounts and business
    dates; only the recorded times differ. Nothing is dated after ``start``
    plus ``months``. Accounts are built one at a time and handed to the
    writer, so memory stays flat however large the book is; the writer is
    flushed before returning. ``on_progress`` hears how many invoices each
    account added.
    """
    if invoices < 0 or months < 1:
        raise ValueError("invoices must be 0 or more and months 1 or more")
    rng = random.Random(seed)
    book = _Book(rng, start, p.add_months(start, months))
    accounts = max(MIN_ACCOUNTS, round(invoices / INVOICES_PER_ACCOUNT))
    already = writer.saved_events + writer.pending_events

    remaining = invoices
    for index in range(accounts):
        count = _invoice_count(rng, remaining, accounts - index)
        remaining -= count
        writer.add(*book.account(index, count))
        if on_progress is not None and count:
            on_progress(count)

    writer.flush()
    book.summary.events = writer.saved_events - already
    return book.summary


def _invoice_count(rng: random.Random, remaining: int, accounts_left: int) -> int:
    """Share what is left unevenly: some large customers, many small ones."""
    if accounts_left == 1:
        return remaining
    mean = remaining / accounts_left
    return min(remaining, round(mean * rng.lognormvariate(-0.18, 0.6)))


def _cause(key: str) -> Cause:
    return Cause(actor="demo", channel="demo", correlation_id=key)


class _Cash(NamedTuple):
    on: date
    earliest: date
    invoice: Invoice
    minor: int


@dataclass
class _Plan:
    """One account and what will happen to it, in business-date order."""

    account: Account
    country: p.Country
    profile: p.Profile
    paperless_on: date | None
    made: list[Any] = field(default_factory=list)
    actions: list[tuple[date, int, int, Callable[[], Any]]] = field(
        default_factory=list
    )
    cash: list[_Cash] = field(default_factory=list)

    def at(self, on: date, rank: int, action: Callable[[], Any]) -> None:
        self.actions.append((on, rank, len(self.actions), action))


class _Book:
    """Draws accounts and their histories from one random stream."""

    def __init__(self, rng: random.Random, start: date, end: date) -> None:
        self.rng = rng
        self.start = start
        self.end = end
        self.summary = BookSummary()
        self.numbers = {"INV": 0, "CM": 0, "PAY": 0}

    def account(self, index: int, count: int) -> list[Any]:
        """Everything of one account: opened, invoiced, paid, disputed."""
        plan = self._open(index)
        for invoice, minor in self._issue(plan, count):
            self._plan_invoice(plan, invoice, minor)
        self._plan_payments(plan)

        plan.actions.sort(key=lambda action: action[:3])
        for *_, action in plan.actions:
            action()
        return plan.made

    def _next(self, series: str) -> int:
        self.numbers[series] += 1
        return self.numbers[series]

    def _day(self, after: date, span: int) -> date:
        return after + timedelta(days=self.rng.randrange(max(span, 1)))

    def _open(self, index: int) -> _Plan:
        rng = self.rng
        country = p.country_for(rng, index)
        profile = p.profile_for(rng, index)
        number = f"C{index + 1:06d}"

        # Most customers are there when the book starts; the others join later.
        span = (self.end - self.start).days
        opened = self.start if rng.random() < 0.6 else self._day(self.start, span // 2)
        limit = None
        if rng.random() < 0.4:
            raw = p.amount_minor(rng, country) * rng.randint(5, 20)
            unit = 10 ** (len(str(raw)) - 2)
            limit = Money.of_minor(raw // unit * unit, country.currency)

        delivery = p.pick(rng, p.DELIVERY)
        account = Account.open(
            number=number,
            name=p.company_name(rng, country),
            country=country.code,
            currency=country.currency,
            terms=PaymentTerms(p.pick(rng, p.NET_DAYS)),
            credit_limit=limit,
            delivery=delivery,
            language=country.language,
            contacts=[{"role": "accounts_payable", "email": f"ap.{number}@example.com"}],
            on=opened,
            cause=_cause(number),
        )
        paperless_on = None
        if delivery == "paper" and rng.random() < 0.3:
            paperless_on = self._day(opened, (self.end - opened).days)
            channel = rng.choice(("email", "portal"))
            account.change_delivery(channel, on=paperless_on, cause=_cause(number))

        self.summary.accounts += 1
        plan = _Plan(account, country, profile, paperless_on)
        plan.made.append(account)
        return plan

    def _issue(self, plan: _Plan, count: int) -> list[tuple[Invoice, int]]:
        """The account's invoices, spread over the months after it opened."""
        rng, account = self.rng, plan.account
        span = (self.end - account.opened_on).days
        billed_in_usd = plan.country.currency != "USD" and rng.random() < 0.1
        issued = []
        for offset in sorted(rng.randrange(span) for _ in range(count)):
            on = account.opened_on + timedelta(days=offset)
            usd = billed_in_usd and rng.random() < 0.3
            country = p.COUNTRIES[0] if usd else plan.country
            minor = p.amount_minor(rng, country)
            paperless = plan.paperless_on is not None and on >= plan.paperless_on
            number = f"INV-{self._next('INV'):09d}"
            invoice = Invoice.issue(
                number=number,
                account_id=account.id,
                amount=Money.of_minor(minor, country.currency),
                issue_date=on,
                due_date=account.terms.due_date(on),
                delivery=account.delivery if paperless else "paper"
                if plan.paperless_on
                else account.delivery,
                cause=_cause(number),
            )
            plan.made.append(invoice)
            issued.append((invoice, minor))
        self.summary.invoices += count
        return issued

    def _plan_invoice(self, plan: _Plan, invoice: Invoice, minor: int) -> None:
        """Decide one invoice's fate: credits, a dispute, then its cash."""
        rng, profile = self.rng, plan.profile
        ready, left = invoice.issue_date, minor

        # A price correction or a return, credited against the invoice itself.
        if rng.random() < profile.credits:
            on = ready + timedelta(days=rng.randint(2, 20))
            credit = minor * rng.randint(5, 30) // 100
            if on <= self.end and 0 < credit < left:
                reason = rng.choice(p.CREDIT_REASONS)
                self._plan_credit(plan, on, credit, reason, invoice, applied=True)
                ready, left = on, left - credit

        # A rebate the payer has not used yet: open credit on the account.
        if rng.random() < 0.02:
            on = ready + timedelta(days=rng.randint(5, 60))
            credit = max(1, minor * rng.randint(2, 10) // 100)
            if on <= self.end:
                self._plan_credit(plan, on, credit, "volume rebate", invoice)

        if rng.random() < profile.disputes:
            outcome = self._plan_dispute(plan, invoice, ready, left)
            if outcome is None:
                return
            ready, left = outcome
        self._plan_settlement(plan, invoice, ready, left)

    def _plan_dispute(
        self, plan: _Plan, invoice: Invoice, ready: date, left: int
    ) -> tuple[date, int] | None:
        """Raise a dispute; None while it is still open at the end of the book."""
        rng = self.rng
        net = (invoice.due_date - invoice.issue_date).days
        raised = ready + timedelta(days=rng.randint(3, net + 10))
        if raised > self.end:
            return ready, left
        reason = rng.choice(p.DISPUTE_REASONS)
        key = f"dispute:{invoice.number}"
        plan.at(
            raised,
            DISPUTE,
            partial(invoice.dispute, reason=reason, note="", on=raised, cause=_cause(key)),
        )
        self.summary.disputes += 1

        resolved = raised + timedelta(days=p.days_late(rng, 20))
        if resolved > self.end or rng.random() < 0.1:
            return None
        credit = left * rng.randint(10, 60) // 100 if rng.random() < 0.5 else 0
        outcome = "invoice upheld"
        if credit:
            number = self._plan_credit(
                plan, resolved, credit, "dispute settled", invoice, applied=True
            )
            outcome, left = f"settled by credit memo {number}", left - credit
        plan.at(
            resolved,
            RESOLVE,
            partial(
                invoice.resolve_dispute, outcome=outcome, on=resolved, cause=_cause(key)
            ),
        )
        return resolved, left

    def _plan_settlement(
        self, plan: _Plan, invoice: Invoice, ready: date, left: int
    ) -> None:
        """Plan the cash for what is left: on time, late, in parts, short, never."""
        rng, profile, small = self.rng, plan.profile, plan.country.small
        if rng.random() < profile.never_pays:
            if left <= small:
                on = invoice.due_date + timedelta(days=rng.randint(120, 300))
                self._plan_write_off(plan, invoice, on, "uncollectible small balance")
            return

        net = (invoice.due_date - invoice.issue_date).days
        if rng.random() < profile.on_time:
            early = timedelta(days=rng.randint(0, net // 2))
            paid = max(ready, invoice.due_date - early)
        else:
            late = timedelta(days=p.days_late(rng, profile.late_mean))
            paid = max(ready, invoice.due_date) + late

        if rng.random() < profile.instalments:
            for _ in range(rng.randint(1, 2)):
                share = max(1, left * rng.randint(25, 50) // 100)
                self._plan_cash(plan, _Cash(paid, ready, invoice, share))
                left, ready = left - share, paid
                paid += timedelta(days=rng.randint(32, 45))
            self._plan_cash(plan, _Cash(paid, ready, invoice, left))
        elif rng.random() < profile.short_pays:
            short = max(1, min(left // 50, small // 10))
            self._plan_cash(plan, _Cash(paid, ready, invoice, left - short))
            on = paid + timedelta(days=rng.randint(60, 120))
            self._plan_write_off(plan, invoice, on, "short payment, bank charges")
        else:
            self._plan_cash(plan, _Cash(paid, ready, invoice, left))

    def _plan_cash(self, plan: _Plan, cash: _Cash) -> None:
        if cash.on <= self.end:
            plan.cash.append(cash)

    def _plan_write_off(
        self, plan: _Plan, invoice: Invoice, on: date, reason: str
    ) -> None:
        if on > self.end:
            return
        key = f"write-off:{invoice.number}"
        plan.at(
            on,
            WRITE_OFF,
            partial(invoice.write_off, reason=reason, on=on, cause=_cause(key)),
        )
        self.summary.write_offs += 1

    def _plan_credit(
        self,
        plan: _Plan,
        on: date,
        minor: int,
        reason: str,
        invoice: Invoice,
        *,
        applied: bool = False,
    ) -> str:
        """A credit memo in the invoice's currency, applied to it or left open."""
        number = f"CM-{self._next('CM'):09d}"

        def issue() -> None:
            amount = Money.of_minor(minor, invoice.currency)
            memo = CreditMemo.issue(
                number=number,
                account_id=plan.account.id,
                amount=amount,
                reason=reason,
                on=on,
                cause=_cause(number),
            )
            if applied:
                memo.allocate_to(invoice, amount, on=on, cause=_cause(number))
            plan.made.append(memo)

        plan.at(on, CREDIT, issue)
        self.summary.credit_memos += 1
        return number

    def _plan_payments(self, plan: _Plan) -> None:
        """Turn planned cash into payments: one per item, or monthly runs."""
        rng = self.rng
        runs = rng.random() < plan.profile.batches
        overpays = rng.random() < 0.15
        groups: dict[Any, list[_Cash]] = {}
        for cash in sorted(plan.cash, key=lambda c: (c.on, c.invoice.number)):
            currency = cash.invoice.currency
            key = (currency, cash.on.year, cash.on.month) if runs else len(groups)
            groups.setdefault(key, []).append(cash)

        for items in groups.values():
            on = max(min(c.on for c in items), max(c.earliest for c in items))
            settled = sum(c.minor for c in items)
            extra = 0
            if overpays and rng.random() < 0.25:
                extra = max(1, settled * rng.randint(1, 20) // 100)
            method = rng.choice(plan.country.methods)
            pay = partial(self._pay, plan, on, settled + extra, method, items)
            plan.at(on, PAY, pay)
            self.summary.payments += 1

    def _pay(
        self, plan: _Plan, on: date, minor: int, method: str, items: list[_Cash]
    ) -> None:
        key = f"demo-payment:{self._next('PAY'):09d}"
        currency = items[0].invoice.currency
        numbers = [c.invoice.number for c in items]
        reference = numbers[0] if len(numbers) == 1 else f"payment run {on:%Y-%m}"
        payment = Payment.receive(
            key=key,
            account_id=plan.account.id,
            amount=Money.of_minor(minor, currency),
            method=method,
            reference=reference,
            on=on,
            cause=_cause(key),
        )
        for cash in items:
            amount = Money.of_minor(cash.minor, currency)
            payment.allocate_to(cash.invoice, amount, on=on, cause=_cause(key))
        plan.made.append(payment)
