"""The generated demo book: reproducible, multi-currency, and a lawful ledger."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
import pytest

from domain.metrics import AgingBuckets, days_past_due
from domain.money import minor_units
from services._demo_profiles import BY_CURRENCY
from services.bulk import BulkWriter
from services.demo import BookSummary, generate_book
from services.receivables import Receivables

START = date(2024, 1, 1)
END = date(2026, 1, 1)


@dataclass
class Book:
    """A generated book in an in-memory store, with its events decoded."""

    app: Receivables
    summary: BookSummary
    progress: list[int]
    events: list[tuple[str, UUID, int, dict[str, Any]]] = field(default_factory=list)

    def of(self, name: str) -> list[tuple[UUID, dict[str, Any]]]:
        return [(oid, data) for topic, oid, _, data in self.events if topic == name]

    def aggregate(self, aggregate_id: UUID) -> Any:
        return self.app.repository.get(aggregate_id)


def make_book(invoices: int, seed: int = 7) -> Book:
    app = Receivables(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    progress: list[int] = []
    summary = generate_book(
        BulkWriter(app, batch_events=500),
        invoices=invoices,
        seed=seed,
        on_progress=progress.append,
    )
    book = Book(app, summary, progress)
    for n in app.recorder.select_notifications(start=1, limit=10**9):
        name = n.topic.split(":")[1]
        data = orjson.loads(n.state)
        oid = UUID(str(n.originator_id))
        book.events.append((name, oid, n.originator_version, data))
    return book


def without_timestamps(book: Book) -> list[tuple[str, UUID, int, dict[str, Any]]]:
    return [
        (topic, oid, version, {k: v for k, v in data.items() if k != "timestamp"})
        for topic, oid, version, data in book.events
    ]


@pytest.fixture(scope="module")
def book() -> Book:
    return make_book(300)


# Reproducibility


def test_the_same_seed_gives_the_same_events() -> None:
    """Two books from one seed and size hold the same events, bar recorded times."""
    assert without_timestamps(make_book(80, seed=3)) == without_timestamps(
        make_book(80, seed=3)
    )


def test_another_seed_gives_another_book() -> None:
    """A different seed draws a different book."""
    assert without_timestamps(make_book(60, seed=1)) != without_timestamps(
        make_book(60, seed=2)
    )


# Size and numbering


def test_the_book_has_the_invoices_asked_for_and_reports_each(book: Book) -> None:
    """The summary, the progress calls and the events all count 300 invoices."""
    assert book.summary.invoices == sum(book.progress) == 300
    assert len(book.of("Invoice.Issued")) == 300


def test_the_summary_counts_what_was_stored(book: Book) -> None:
    """Every count in the summary matches the events in the store."""
    topics = Counter(topic for topic, *_ in book.events)
    assert book.summary.as_dict() == {
        "accounts": topics["Account.Opened"],
        "invoices": topics["Invoice.Issued"],
        "payments": topics["Payment.Received"],
        "credit_memos": topics["CreditMemo.Issued"],
        "disputes": topics["Invoice.Disputed"],
        "write_offs": topics["Invoice.WrittenOff"],
        "events": len(book.events),
    }


def test_there_is_about_one_account_per_ten_invoices(book: Book) -> None:
    """300 invoices are billed to 30 accounts."""
    assert book.summary.accounts == 30


def test_a_book_can_spread_its_invoices_over_the_accounts_asked_for() -> None:
    """120 invoices over 40 accounts: 40 accounts opened, all 120 invoices billed."""
    app = Receivables(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    summary = generate_book(BulkWriter(app), invoices=120, accounts=40)
    assert (summary.accounts, summary.invoices) == (40, 120)


def test_business_numbers_are_zero_padded(book: Book) -> None:
    """Accounts read C000123, invoices INV-000000123, credit memos CM-000000123."""
    numbers = [d["number"] for _, d in book.of("Account.Opened")]
    invoices = [d["number"] for _, d in book.of("Invoice.Issued")]
    memos = [d["number"] for _, d in book.of("CreditMemo.Issued")]
    assert all(re.fullmatch(r"C\d{6}", n) for n in numbers)
    assert all(re.fullmatch(r"INV-\d{9}", n) for n in invoices)
    assert all(re.fullmatch(r"CM-\d{9}", n) for n in memos)


def test_every_event_is_caused_by_the_demo(book: Book) -> None:
    """Each event names the demo as its actor and channel, with a correlation id."""
    causes = {(d["actor"], d["channel"]) for *_, d in book.events}
    assert causes == {("demo", "demo")}
    assert all(d["correlation_id"] for *_, d in book.events)


# Countries and money


def test_customers_come_from_six_countries_or_more(book: Book) -> None:
    """The accounts span at least six countries, Japan and Kuwait among them."""
    countries = {d["country"] for _, d in book.of("Account.Opened")}
    assert len(countries) >= 6
    assert {"JP", "KW"} <= countries


def test_invoices_are_billed_in_yen_and_kuwaiti_dinar_among_others(
    book: Book,
) -> None:
    """Invoices come in at least six currencies, JPY and KWD among them."""
    currencies = {d["currency"] for _, d in book.of("Invoice.Issued")}
    assert len(currencies) >= 6
    assert {"JPY", "KWD"} <= currencies


def test_amounts_carry_the_minor_units_of_their_currency(book: Book) -> None:
    """JPY amounts have no decimals, KWD three, USD two; never more or fewer."""
    checked = 0
    for *_, data in book.events:
        for name in ("amount", "credit_limit"):
            if data.get(name) is not None:
                exponent = Decimal(data[name]).as_tuple().exponent
                assert exponent == -minor_units(data["currency"]), data
                checked += 1
    assert checked > len(book.events) // 2


def test_yen_invoices_run_from_tens_of_thousands_to_millions(book: Book) -> None:
    """A yen invoice is at least 10,000 yen and below 100 million."""
    invoices = [d for _, d in book.of("Invoice.Issued")]
    yen = [Decimal(d["amount"]) for d in invoices if d["currency"] == "JPY"]
    assert yen
    assert all(Decimal(10_000) <= amount < Decimal(100_000_000) for amount in yen)


# Ledger laws


def test_every_invoice_is_its_open_amount_plus_what_settled_it(book: Book) -> None:
    """Amount = open amount + allocations + write-off, and nothing goes below zero."""
    settled: dict[UUID, Decimal] = defaultdict(Decimal)
    for oid, data in book.of("Invoice.AllocationApplied") + book.of(
        "Invoice.WrittenOff"
    ):
        settled[oid] += Decimal(data["amount"])

    for oid, data in book.of("Invoice.Issued"):
        invoice = book.aggregate(oid)
        assert invoice.open_amount >= 0
        assert Decimal(data["amount"]) == invoice.open_amount + settled[oid]


def test_every_payment_is_its_unapplied_cash_plus_its_allocations(book: Book) -> None:
    """Amount = unapplied + allocated for each payment, unapplied never negative."""
    allocated: dict[UUID, Decimal] = defaultdict(Decimal)
    for oid, data in book.of("Payment.Allocated"):
        allocated[oid] += Decimal(data["amount"])

    for oid, data in book.of("Payment.Received"):
        payment = book.aggregate(oid)
        assert payment.unapplied_amount >= 0
        assert Decimal(data["amount"]) == payment.unapplied_amount + allocated[oid]


def test_both_sides_of_every_allocation_agree(book: Book) -> None:
    """What payments and credit memos allocated equals what invoices received."""
    given: Counter[tuple[str, str]] = Counter()
    for _, data in book.of("Payment.Allocated") + book.of("CreditMemo.Allocated"):
        given[(data["invoice_id"], data["effective_date"])] += 1
    received: Counter[tuple[str, str]] = Counter()
    for oid, data in book.of("Invoice.AllocationApplied"):
        received[(str(oid), data["effective_date"])] += 1
    assert given == received


def test_no_business_date_is_after_the_end_of_the_book(book: Book) -> None:
    """Every effective date lies between the start and start plus 24 months."""
    dates = {date.fromisoformat(d["effective_date"]) for *_, d in book.events}
    assert min(dates) >= START
    assert max(dates) <= END


def test_no_invoice_is_settled_before_it_was_issued(book: Book) -> None:
    """Allocations and write-offs are dated on or after the invoice date."""
    issued = {oid: d["issue_date"] for oid, d in book.of("Invoice.Issued")}
    for oid, data in book.of("Invoice.AllocationApplied") + book.of(
        "Invoice.WrittenOff"
    ):
        assert data["effective_date"] >= issued[oid]


# What a small book already shows


def test_some_invoices_are_paid_in_instalments(book: Book) -> None:
    """At least one invoice is settled by two or three payments."""
    payments = Counter(d["invoice_id"] for _, d in book.of("Payment.Allocated"))
    assert any(count in (2, 3) for count in payments.values())


def test_some_payments_settle_several_invoices(book: Book) -> None:
    """At least one payment is allocated to more than one invoice."""
    invoices = defaultdict(set)
    for oid, data in book.of("Payment.Allocated"):
        invoices[oid].add(data["invoice_id"])
    assert any(len(numbers) > 1 for numbers in invoices.values())


def test_some_accounts_hold_unapplied_cash(book: Book) -> None:
    """At least one payment is larger than what it settles."""
    payments = [book.aggregate(oid) for oid, _ in book.of("Payment.Received")]
    assert any(payment.unapplied_amount > 0 for payment in payments)


def test_some_credit_memos_are_applied_and_some_left_open(book: Book) -> None:
    """Credit memos both settle invoices and stay on accounts as open credit."""
    memos = [book.aggregate(oid) for oid, _ in book.of("CreditMemo.Issued")]
    assert any(memo.unapplied_amount == 0 for memo in memos)
    assert any(memo.unapplied_amount == memo.amount for memo in memos)


def test_some_disputes_are_resolved_and_some_still_open(book: Book) -> None:
    """Disputes end with a credit memo or upheld, and a few are still open."""
    outcomes = {d["outcome"] for _, d in book.of("Invoice.DisputeResolved")}
    disputed = {oid for oid, _ in book.of("Invoice.Disputed")}
    assert {"settled with a credit memo", "invoice upheld"} <= outcomes
    assert any(book.aggregate(oid).dispute_open for oid in disputed)


def test_write_offs_clear_old_small_balances(book: Book) -> None:
    """Each write-off is at least 60 days after the invoice and a small amount."""
    issued = {oid: d for oid, d in book.of("Invoice.Issued")}
    write_offs = book.of("Invoice.WrittenOff")
    assert write_offs
    for oid, data in write_offs:
        invoice = issued[oid]
        age = date.fromisoformat(data["effective_date"]) - date.fromisoformat(
            invoice["issue_date"]
        )
        small = BY_CURRENCY[data["currency"]].small
        assert age >= timedelta(days=60)
        assert Decimal(data["amount"]).scaleb(minor_units(data["currency"])) <= small


def test_open_invoices_fall_in_every_aging_bucket(book: Book) -> None:
    """At the end of the book, open invoices are current and in each overdue band."""
    buckets = AgingBuckets()
    found = set()
    for oid, _ in book.of("Invoice.Issued"):
        invoice = book.aggregate(oid)
        if invoice.open_amount > 0:
            found.add(buckets.bucket_of(days_past_due(END, invoice.due_date)))
    assert found == set(buckets.labels)
