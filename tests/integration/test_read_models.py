"""Read models on real SQLite and DuckDB files, for histories projected in one run."""

from contextlib import suppress
from datetime import date
from decimal import Decimal

from domain.errors import DomainError
from projections.queries import Reports
from services import commands as c


def open_account(ledger, number="C1"):
    ledger.app.open_account(
        c.OpenAccount(
            idempotency_key=f"open-{number}",
            number=number,
            name="Acme Trading",
            country="US",
            currency="USD",
            opened_on=date(2024, 1, 1),
        )
    )


def issue(ledger, number, amount):
    ledger.app.issue_invoice(
        c.IssueInvoice(
            idempotency_key=f"issue-{number}",
            number=number,
            account_number="C1",
            amount=Decimal(amount),
            issue_date=date(2024, 1, 2),
        )
    )


def dispute(ledger, key, day):
    ledger.app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key=key, invoice_number="INV1", reason="damaged", on=day
        )
    )


def resolve(ledger, key, day):
    ledger.app.resolve_dispute(
        c.ResolveDispute(
            idempotency_key=key, invoice_number="INV1", outcome="upheld", on=day
        )
    )


def shown_invoice(ledger):
    return Reports(ledger.models.con).invoices().records()[0]


def test_a_dispute_opened_and_resolved_in_one_run_still_marks_the_invoice(ledger):
    """Projected together, the dispute and its resolution leave disputed Yes."""
    open_account(ledger)
    issue(ledger, "INV1", "100.00")
    dispute(ledger, "dispute-1", date(2024, 2, 1))
    resolve(ledger, "resolve-1", date(2024, 2, 5))

    ledger.catch_up()

    assert ledger.models.con.execute(
        "SELECT disputed, dispute_open, status FROM invoices"
    ).fetchall() == [(True, False, "open")]
    assert shown_invoice(ledger)["disputed"] == "Yes"


def test_a_dispute_raised_again_in_the_run_that_resolves_the_first_stays_open(
    ledger,
):
    """The second dispute is open, whatever run resolved the first one."""
    open_account(ledger)
    issue(ledger, "INV1", "100.00")
    dispute(ledger, "dispute-1", date(2024, 2, 1))
    ledger.catch_up()
    resolve(ledger, "resolve-1", date(2024, 2, 5))
    dispute(ledger, "dispute-2", date(2024, 2, 9))

    ledger.catch_up()

    assert ledger.models.con.execute(
        "SELECT opened_on, resolved_on FROM disputes ORDER BY opened_on"
    ).fetchall() == [
        (date(2024, 2, 1), date(2024, 2, 5)),
        (date(2024, 2, 9), None),
    ]
    assert shown_invoice(ledger)["status"] == "disputed"


def test_an_absurd_amount_never_stops_later_invoices_reaching_the_reports(ledger):
    """A fat-fingered 10^17 USD invoice is refused or projected; INV2 shows."""
    open_account(ledger)
    with suppress(DomainError):
        issue(ledger, "INV1", "100000000000000000.00")
    issue(ledger, "INV2", "5.00")

    ledger.catch_up()

    shown = Reports(ledger.models.con).invoices().records()
    assert "INV2" in [row["invoice_number"] for row in shown]
