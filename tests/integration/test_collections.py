"""Collections on each event store: the worklist, disputes worked to their end,
write-offs, and read models that rebuild the same."""

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import WriteOffNeedsAnotherApprover
from projections.collections import CollectionViews
from projections.portal import PayerViews
from services import commands as c
from tests.support.collections import issue, open_account, pay, row

JAN = date(2024, 1, 5)
AS_OF = date(2024, 4, 1)


def views(ledger):
    ledger.catch_up()
    return CollectionViews(ledger.models.con)


def promise(ledger, account, invoice, amount, by, on):
    ledger.app.promise_to_pay(
        c.PromiseToPay(
            idempotency_key=f"promise-{invoice}", account_number=account,
            invoice_numbers=[invoice], amount=Decimal(amount), currency="USD",
            promised_date=by, on=on,
        )
    )  # fmt: skip


@pytest.fixture
def book(ledger):
    """C1 owes 100.00 since January; C2 owes 100.00 since January too."""
    for number in ("C1", "C2"):
        open_account(ledger.app, number)
    issue(ledger.app, "I-1", "100.00", JAN, "C1")
    issue(ledger.app, "I-2", "100.00", JAN, "C2")
    return ledger


def test_a_broken_promise_puts_its_account_first(book):
    """Of two equal debts, the one with a broken promise ranks higher."""
    promise(book, "C2", "I-2", "100.00", date(2024, 3, 1), date(2024, 2, 20))

    first = views(book).worklist(AS_OF)[0]

    assert (first["customer_id"], first["broken_promises"]) == ("C2", 1)
    assert first["next_action"] == "call about the promise broken on 2024-03-01"


def test_a_follow_up_date_keeps_an_account_off_the_list_until_then(book):
    """C1 is back on the list on its follow-up day, with the note as action."""
    book.app.schedule_follow_up(
        c.ScheduleFollowUp(
            idempotency_key="f-1", account_number="C1",
            follow_up_on=date(2024, 4, 10), note="ask for the CFO", on=AS_OF,
        )
    )  # fmt: skip

    before = [r["customer_id"] for r in views(book).worklist(date(2024, 4, 9))]
    on_the_day = views(book).worklist(date(2024, 4, 10))

    assert before == ["C2"]
    assert {r["customer_id"]: r["next_action"] for r in on_the_day}["C1"] == (
        "follow up: ask for the CFO"
    )


def test_a_disputed_invoice_is_not_past_due_on_the_worklist(book):
    """While I-1 is disputed, C1 has nothing to chase."""
    book.app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key="d-1", invoice_number="I-1", reason="damaged", on=JAN
        )
    )

    assert [r["customer_id"] for r in views(book).worklist(AS_OF)] == ["C2"]


def test_a_call_is_in_the_timeline_with_its_collector(book):
    """The timeline line names the outcome, the note and who called."""
    book.app.log_call(
        c.LogCall(
            idempotency_key="k-1", actor="alice", account_number="C1",
            outcome="left_message", note="voicemail", on=AS_OF,
        )
    )  # fmt: skip

    assert row(
        book,
        "SELECT event_type, detail, actor FROM timeline "
        "WHERE event_type LIKE 'CollectorAction.%'",
    ) == ("CollectorAction.CallLogged", "left_message: voicemail", "alice")


def dispute(ledger, reason="damaged", on=date(2024, 3, 1)):
    ledger.app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key="d-1", invoice_number="I-1", reason=reason, on=on
        )
    )


def test_a_part_credit_resolves_the_dispute_and_lowers_the_open_amount(book):
    """A 30.00 credit memo leaves 70.00 open, and dunning may resume."""
    dispute(book)

    book.app.resolve_dispute_with_credit(
        c.ResolveDisputeWithCredit(
            idempotency_key="r-1", invoice_number="I-1", credit_memo_number="CM-1",
            amount=Decimal("30.00"), on=date(2024, 3, 8),
        )
    )  # fmt: skip

    assert row(
        book, "SELECT open_minor, dispute_open FROM invoices "
        "WHERE invoice_number = 'I-1'"
    ) == (7000, False)  # fmt: skip


def test_a_full_credit_settles_the_disputed_invoice(book):
    """Without an amount the credit memo covers all that is open."""
    dispute(book)

    book.app.resolve_dispute_with_credit(
        c.ResolveDisputeWithCredit(
            idempotency_key="r-1", invoice_number="I-1", credit_memo_number="CM-1",
            on=date(2024, 3, 8),
        )
    )  # fmt: skip

    assert row(book, "SELECT status FROM invoices WHERE invoice_number = 'I-1'") == (
        "paid",
    )


def test_a_rejection_shows_its_explanation_to_the_payer(book):
    """The portal's dispute list carries the status and the explanation."""
    dispute(book)
    book.app.reject_dispute(
        c.RejectDispute(
            idempotency_key="x-1", invoice_number="I-1",
            explanation="Delivery was signed for without remarks.",
            on=date(2024, 3, 8),
        )
    )  # fmt: skip
    account_id = row(book, "SELECT account_id FROM accounts WHERE customer_id='C1'")

    shown = PayerViews(book.models.con).disputes(account_id[0])

    assert (shown[0]["status"], shown[0]["explanation"]) == (
        "rejected",
        "Delivery was signed for without remarks.",
    )


def test_the_disputes_report_counts_business_days_and_breaches(book):
    """Opened Friday 1 March for damage: due 22 March; on 27 March 3 days over."""
    dispute(book)
    book.app.assign_dispute(
        c.AssignDispute(
            idempotency_key="a-1", invoice_number="I-1", assignee="alice",
            on=date(2024, 3, 4),
        )
    )  # fmt: skip

    found = views(book).disputes(date(2024, 3, 27))

    assert [
        {k: r[k] for k in ("assignee", "deadline", "age_business_days", "breached")}
        for r in found
    ] == [
        {
            "assignee": "alice",
            "deadline": "2024-03-22",
            "age_business_days": 18,
            "breached": True,
        }
    ]
    assert found[0]["business_days_over"] == 3


def test_the_disputes_report_leaves_out_disputes_resolved_by_then(book):
    """A dispute rejected before the report's date is not open on it."""
    dispute(book)
    book.app.reject_dispute(
        c.RejectDispute(
            idempotency_key="x-1", invoice_number="I-1", explanation="no",
            on=date(2024, 3, 8),
        )
    )  # fmt: skip

    assert views(book).disputes(date(2024, 3, 7))[0]["invoice_number"] == "I-1"
    assert views(book).disputes(date(2024, 3, 8)) == []


def request_write_off(ledger, actor="alice"):
    ledger.app.request_write_off(
        c.RequestWriteOff(
            idempotency_key="w-1", actor=actor, invoice_number="I-1",
            reason="customer insolvent", on=AS_OF,
        )
    )  # fmt: skip


def approve(ledger, actor):
    ledger.app.approve_write_off(
        c.ApproveWriteOff(
            idempotency_key=f"w-ok-{actor}", actor=actor, invoice_number="I-1",
            on=AS_OF,
        )
    )  # fmt: skip


def test_a_write_off_approved_by_another_staff_member_closes_the_invoice(book):
    """The request and the approval are both in the read models with their actors."""
    request_write_off(book)

    approve(book, "bob")

    assert row(book, "SELECT requested_by, approved_by FROM write_off_requests") == (
        "alice",
        "bob",
    )
    assert row(book, "SELECT status FROM invoices WHERE invoice_number='I-1'") == (
        "written_off",
    )


def test_approving_your_own_write_off_changes_nothing(book):
    """The refusal leaves the invoice open and records no event."""
    request_write_off(book)
    before = book.head()

    with pytest.raises(WriteOffNeedsAnotherApprover):
        approve(book, "alice")

    assert book.head() == before


def test_small_balances_below_their_currency_threshold_are_found(book):
    """0.40 left on I-1 is below USD 5.00; I-2's 100.00 is not."""
    pay(book.app, "bank-1", date(2024, 2, 1), account="C1", **{"I-1": "99.60"})

    found = views(book).small_balances(AS_OF, {"USD": 500, "JPY": 500})

    assert found == [
        {
            "invoice_number": "I-1",
            "currency": "USD",
            "open_amount": "0.40",
            "threshold": "5.00",
        }
    ]


def test_collections_read_models_rebuild_the_same(book):
    """Calls, follow-ups, disputes, requests and staff replay to equal tables."""
    from services.staff import hash_key

    book.app.add_staff_member(
        c.AddStaffMember(
            idempotency_key="s-1", name="alice", role="collector",
            key_hash=hash_key("k"), on=JAN,
        )
    )  # fmt: skip
    dispute(book)
    book.app.review_dispute(
        c.ReviewDispute(idempotency_key="v-1", invoice_number="I-1", on=AS_OF)
    )
    book.app.escalate_account(
        c.EscalateAccount(
            idempotency_key="e-1", account_number="C2", reason="legal", on=AS_OF
        )
    )
    request_write_off(book)
    book.catch_up()
    before = book.tables()

    book.rebuild()

    assert book.tables() == before
