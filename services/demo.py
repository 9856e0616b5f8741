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
from typing import Any

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
    accounts: int | None = None,
    seed: int = 7,
    start: date = date(2024, 1, 1),
    months: int = 24,
    on_progress: Callable[[int], None] | None = None,
) -> BookSummary:
    """Write a book of ``invoices`` invoices, about one account per ten
    unless ``accounts`` says how many accounts share them.

    The same seed and size give the same events, ids, amounts and business
    dates; only the recorded times differ. Nothing is dated after ``start``
    plus ``months``. Accounts are built one at a time and handed to the
    writer, so memory stays flat however large the book is; the writer is
    flushed before returning. ``on_progress`` hears how many invoices each
    account added.
    """
    if invoices < 0 or months < 1 or (accounts is not None and accounts < 1):
        raise ValueError("invoices must be 0 or more, accounts and months 1 or more")
    rng = random.Random(seed)
    book = _Book(rng, start, p.add_months(start, months))
    if accounts is None:
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
    cash: list[tuple[p.Cash, Invoice]] = field(default_factory=list)

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
            story = p.invoice_story(
                self.rng,
                plan.profile,
                p.BY_CURRENCY[invoice.currency].small,
                (invoice.issue_date, invoice.due_date, minor),
                end=self.end,
            )
            self._schedule(plan, invoice, story)
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
        limit = p.credit_limit(rng, country)
        credit_limit = (
            None if limit is None else Money.of_minor(limit, country.currency)
        )
        delivery = p.pick(rng, p.DELIVERY)
        email = f"ap.{number.lower()}@example.com"
        account = Account.open(
            number=number,
            name=p.company_name(rng, country),
            country=country.code,
            currency=country.currency,
            terms=PaymentTerms(p.pick(rng, p.NET_DAYS)),
            credit_limit=credit_limit,
            delivery=delivery,
            language=country.language,
            contacts=[{"role": "accounts_payable", "email": email}],
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
            country = p.BY_CURRENCY["USD"] if usd else plan.country
            minor = p.amount_minor(rng, country)
            before_change = plan.paperless_on is not None and on < plan.paperless_on
            number = f"INV-{self._next('INV'):09d}"
            invoice = Invoice.issue(
                number=number,
                account_id=account.id,
                amount=Money.of_minor(minor, country.currency),
                issue_date=on,
                due_date=account.terms.due_date(on),
                delivery="paper" if before_change else account.delivery,
                cause=_cause(number),
            )
            plan.made.append(invoice)
            issued.append((invoice, minor))
        self.summary.invoices += count
        return issued

    def _schedule(self, plan: _Plan, invoice: Invoice, story: p.Story) -> None:
        """Put one invoice's story on the account's calendar."""
        cause = _cause(invoice.number)
        for credit in story.credits:
            self._plan_credit(plan, invoice, credit)
        if story.disputed is not None:
            on, reason = story.disputed
            dispute = partial(invoice.dispute, reason=reason, note="")
            plan.at(on, DISPUTE, partial(dispute, on=on, cause=cause))
            self.summary.disputes += 1
        if story.resolved is not None:
            on, outcome = story.resolved
            resolve = partial(invoice.resolve_dispute, outcome=outcome)
            plan.at(on, RESOLVE, partial(resolve, on=on, cause=cause))
        if story.write_off is not None:
            on, reason = story.write_off
            write_off = partial(invoice.write_off, reason=reason)
            plan.at(on, WRITE_OFF, partial(write_off, on=on, cause=cause))
            self.summary.write_offs += 1
        plan.cash.extend((cash, invoice) for cash in story.cash)

    def _plan_credit(self, plan: _Plan, invoice: Invoice, credit: p.Credit) -> None:
        """A credit memo in the invoice's currency, applied to it or left open."""
        number = f"CM-{self._next('CM'):09d}"

        def issue() -> None:
            amount = Money.of_minor(credit.minor, invoice.currency)
            cause = _cause(number)
            memo = CreditMemo.issue(
                number=number,
                account_id=plan.account.id,
                amount=amount,
                reason=credit.reason,
                on=credit.on,
                cause=cause,
            )
            if credit.applied:
                memo.allocate_to(invoice, amount, on=credit.on, cause=cause)
            plan.made.append(memo)

        plan.at(credit.on, CREDIT, issue)
        self.summary.credit_memos += 1

    def _plan_payments(self, plan: _Plan) -> None:
        """Turn planned cash into payments: one per invoice, or monthly runs.

        A payer who pays in runs sends one payment a month for everything it
        settles in that month, dated when the last of it can be paid.
        """
        rng = self.rng
        runs = rng.random() < plan.profile.runs
        overpays = rng.random() < 0.15
        groups: dict[Any, list[tuple[p.Cash, Invoice]]] = {}
        for cash, invoice in sorted(plan.cash, key=lambda c: (c[0].on, c[1].number)):
            month = (invoice.currency, cash.on.year, cash.on.month)
            key = month if runs else len(groups)
            groups.setdefault(key, []).append((cash, invoice))

        for items in groups.values():
            on = max(min(c.on for c, _ in items), max(c.earliest for c, _ in items))
            settled = sum(c.minor for c, _ in items)
            extra = 0
            if overpays and rng.random() < 0.25:
                extra = max(1, settled * rng.randint(1, 20) // 100)
            method = rng.choice(plan.country.methods)
            pay = partial(self._pay, plan, on, settled + extra, method, items)
            plan.at(on, PAY, pay)
            self.summary.payments += 1

    def _pay(
        self,
        plan: _Plan,
        on: date,
        minor: int,
        method: str,
        items: list[tuple[p.Cash, Invoice]],
    ) -> None:
        key = f"demo-payment:{self._next('PAY'):09d}"
        cause = _cause(key)
        first = items[0][1]
        currency = first.currency
        payment = Payment.receive(
            key=key,
            account_id=plan.account.id,
            amount=Money.of_minor(minor, currency),
            method=method,
            reference=first.number if len(items) == 1 else f"run {on:%Y-%m}",
            on=on,
            cause=cause,
        )
        for cash, invoice in items:
            amount = Money.of_minor(cash.minor, currency)
            payment.allocate_to(invoice, amount, on=on, cause=cause)
        plan.made.append(payment)
