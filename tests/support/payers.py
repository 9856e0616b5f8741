"""A small book of payers in China, Japan and Kuwait, for documents and mail.

Names, numbers and amounts are invented; each account has one invoice partly
paid and one untouched, so statements show several aging buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services import commands as c
from tests.support.ledger import Ledger

STATEMENT_DAY = date(2024, 6, 30)
# Net 30: on the statement day the first is 56 days past due, the second 11.
A_DAY = date(2024, 4, 5)
B_DAY = date(2024, 5, 20)


@dataclass(frozen=True)
class Payer:
    number: str
    name: str
    country: str
    currency: str
    language: str
    first: str
    second: str
    paid: str


CHINA = Payer(
    "CN-7", "上海华信贸易有限公司", "CN", "CNY", "zh", "1234567.50", "800", "850"
)
JAPAN = Payer(
    "JP-3", "株式会社山田製作所", "JP", "JPY", "ja", "1500000", "32400", "500000"
)
KUWAIT = Payer("KW-1", "Gulf Trading Co.", "KW", "KWD", "en", "1234.567", "10", "0.5")
PAYERS = (CHINA, JAPAN, KUWAIT)


def record_payers(ledger: Ledger) -> None:
    """Open each account, issue its two invoices, pay part of the first."""
    for p in PAYERS:
        ledger.app.open_account(
            c.OpenAccount(
                idempotency_key=f"open-{p.number}",
                number=p.number,
                name=p.name,
                country=p.country,
                currency=p.currency,
                language=p.language,
                opened_on=date(2024, 1, 1),
            )
        )
        for suffix, amount, day in (("A", p.first, A_DAY), ("B", p.second, B_DAY)):
            ledger.app.issue_invoice(
                c.IssueInvoice(
                    idempotency_key=f"issue-{p.number}-{suffix}",
                    number=f"{p.number}-{suffix}",
                    account_number=p.number,
                    amount=Decimal(amount),
                    issue_date=day,
                )
            )
        ledger.app.record_payment(
            c.RecordPayment(
                idempotency_key=f"pay-{p.number}",
                account_number=p.number,
                amount=Decimal(p.paid),
                currency=p.currency,
                received_on=date(2024, 5, 2),
                allocations=[
                    c.AllocationLine(
                        invoice_number=f"{p.number}-A", amount=Decimal(p.paid)
                    )
                ],
            )
        )
    ledger.catch_up()
