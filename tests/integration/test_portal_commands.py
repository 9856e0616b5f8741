"""Commands from many portal requests at once: each request's answer is
already in the read models, though the catch-ups after them are shared."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from domain.account import Account
from services import commands as c
from tests.support.payer import open_payer


def test_payments_recorded_at_once_are_each_readable_when_answered(site):
    """Twenty payments from eight threads: each thread reads its own at once."""
    open_payer(site.app, "P-1", email="ap@p1.example")
    account_id = str(Account.id_for("P-1"))

    def record(index: int) -> bool:
        answer = site.portal.command(
            "record_payment",
            c.RecordPayment(
                idempotency_key=f"at-once-{index}",
                account_number="P-1",
                amount=Decimal("5.00"),
                currency="USD",
                received_on=date(2024, 3, 1),
            ),
        )
        return site.portal.views.payment(account_id, answer["payment_id"]) is not None

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(record, range(20)))

    assert seen == [True] * 20
    assert len(site.portal.views.payments(account_id)) == 20
