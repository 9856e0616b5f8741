"""Rules about business dates and keys that keep every history explainable."""

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import AllocationBeforeInvoiceDate, InvalidDate
from services import commands as c
from services.receivables import IdempotencyKeyReused
from tests.unit.test_receivables import ISSUED, PAID, issue, open_account, payment

D = Decimal


def test_a_key_used_for_an_invoice_cannot_record_a_payment(receivables):
    """An idempotency key belongs to one command, whatever its type."""
    open_account(receivables)
    issue(receivables, "INV-1", "100.00")

    with pytest.raises(IdempotencyKeyReused):
        receivables.record_payment(payment("issue-INV-1", "5.00"))


def test_an_invoice_cannot_be_dated_before_its_account_opened(receivables):
    """Issuing before the account exists would age a debt nobody owed yet."""
    open_account(receivables)

    with pytest.raises(InvalidDate, match="before account C-100 was opened"):
        receivables.issue_invoice(
            c.IssueInvoice(
                idempotency_key="early",
                number="EARLY-1",
                account_number="C-100",
                amount=D("10.00"),
                issue_date=date(2023, 12, 31),
            )
        )


def test_a_dispute_cannot_come_before_the_invoice(receivables):
    """A dispute dated before the invoice was issued is refused."""
    open_account(receivables)
    issue(receivables, "INV-1", "100.00")

    with pytest.raises(AllocationBeforeInvoiceDate, match="a dispute"):
        receivables.dispute_invoice(
            c.DisputeInvoice(
                idempotency_key="d-1",
                invoice_number="INV-1",
                reason="damaged",
                on=date(2024, 1, 5),
            )
        )


def test_a_write_off_cannot_come_before_an_allocation_it_follows(receivables):
    """A write-off dated before a payment already applied is refused."""
    open_account(receivables)
    issue(receivables, "INV-1", "100.00")
    receivables.record_payment(payment("p-1", "40.00", **{"INV-1": "40.00"}))

    with pytest.raises(InvalidDate, match="before the allocation"):
        receivables.write_off_invoice(
            c.WriteOffInvoice(
                idempotency_key="w-1",
                invoice_number="INV-1",
                reason="small balance",
                on=ISSUED,
            )
        )


def test_open_credit_can_settle_an_invoice_later(receivables):
    """A credit memo left open is allocated to an invoice issued after it."""
    open_account(receivables)
    receivables.issue_credit_memo(
        c.IssueCreditMemo(
            idempotency_key="cm-1",
            number="CM-1",
            account_number="C-100",
            amount=D("30.00"),
            currency="USD",
            issued_on=ISSUED,
            reason="returned goods",
        )
    )
    issue(receivables, "INV-2", "100.00")

    result = receivables.allocate_credit_memo(
        c.AllocateCreditMemo(
            idempotency_key="cm-1-use",
            credit_memo_number="CM-1",
            on=PAID,
            allocations=[c.AllocationLine(invoice_number="INV-2", amount=D("30.00"))],
        )
    )

    assert result["unapplied"] == "0.00"
    assert str(receivables.invoice("INV-2").open) == "70.00 USD"


def test_a_business_date_outside_the_plausible_range_is_refused():
    """Year 1 is a typing slip, not a business date."""
    with pytest.raises(ValueError, match="outside 1900-01-01"):
        c.DisputeInvoice(
            idempotency_key="k", invoice_number="X", reason="r", on=date(1, 1, 1)
        )
