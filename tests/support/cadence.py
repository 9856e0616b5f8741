"""A small book of payers for the cadence, and a quarter of scheduler passes.

Six accounts in four languages and three channels, opened before the
quarter; what they do during it (pay, dispute, promise) is a script of
dated actions applied before each day's passes. Names and amounts are
invented.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.cadence.config import load
from adapters.cadence.runner import channels_for, run_days, scheduler_for
from adapters.cadence.scheduler import Scheduler
from adapters.settings import Settings
from adapters.wiring import Engine, open_engine
from services import commands as c

START = date(2024, 1, 1)
END = date(2024, 3, 30)
EVERY = timedelta(hours=2)


@dataclass(frozen=True)
class Customer:
    number: str
    name: str
    country: str
    currency: str
    language: str
    delivery: str
    email: str


GB = Customer("GB-1", "Ashford Foods Ltd", "GB", "GBP", "en", "email", "ap@gb1.example")
CN = Customer(
    "CN-1", "上海华信贸易有限公司", "CN", "CNY", "zh", "email", "ap@cn1.example"
)
JP = Customer(
    "JP-1", "株式会社山田製作所", "JP", "JPY", "ja", "email", "ap@jp1.example"
)
DE = Customer("DE-1", "Müller Logistik GmbH", "DE", "EUR", "de", "paper", "")
US = Customer(
    "US-1", "Summit Supply Inc.", "US", "USD", "en", "portal", "ap@us1.example"
)
CREDITED = Customer(
    "GB-2", "Kingsley Wholesale plc", "GB", "GBP", "en", "email", "ap@gb2.example"
)
CUSTOMERS = (GB, CN, JP, DE, US, CREDITED)
DE_ADDRESS = ["Hafenstraße 12", "20457 Hamburg", "Germany"]

# Invoice number, account, amount, issue date (net 30).
INVOICES = [
    ("GB-1-A", GB, "1000.00", date(2024, 1, 2)),
    ("GB-1-D", GB, "250.00", date(2024, 1, 2)),
    ("GB-1-B", GB, "500.00", date(2024, 1, 2)),
    ("GB-1-C", GB, "300.00", date(2024, 1, 10)),
    ("CN-1-A", CN, "8000.00", date(2024, 1, 5)),
    ("JP-1-A", JP, "150000", date(2024, 1, 15)),
    ("JP-1-B", JP, "50000", date(2024, 2, 1)),
    ("DE-1-A", DE, "2000.00", date(2024, 1, 8)),
    ("US-1-A", US, "700.00", date(2024, 1, 3)),
    ("GB-2-A", CREDITED, "400.00", date(2024, 1, 3)),
]
PAID_ON = date(2024, 1, 20)
DISPUTED_ON, RESOLVED_ON = date(2024, 2, 15), date(2024, 3, 1)
CN_PROMISED_ON, CN_PROMISED_FOR = date(2024, 2, 6), date(2024, 2, 16)
JP_PROMISED_ON, JP_PROMISED_FOR, JP_PAID_ON = (
    date(2024, 2, 10),
    date(2024, 2, 20),
    date(2024, 2, 19),
)


def _key(*parts: object) -> str:
    return "cadence-" + "-".join(str(p) for p in parts)


def open_book(engine: Engine) -> None:
    """The accounts and their invoices, before the quarter starts."""
    app = engine.app
    for who in CUSTOMERS:
        contacts = [{"role": "billing", "email": who.email}] if who.email else []
        app.open_account(
            c.OpenAccount(
                idempotency_key=_key("open", who.number),
                number=who.number,
                name=who.name,
                country=who.country,
                currency=who.currency,
                language=who.language,
                delivery=who.delivery,
                contacts=contacts,
                opened_on=date(2023, 11, 1),
            )
        )
    app.change_account_policies(
        c.ChangeAccountPolicies(
            idempotency_key=_key("address", DE.number),
            account_number=DE.number,
            on=date(2023, 11, 1),
            contacts=[
                c.ContactChange(
                    role="billing", name="Buchhaltung", address_lines=DE_ADDRESS
                )
            ],
        )
    )
    for number, who, amount, issued in INVOICES:
        app.issue_invoice(
            c.IssueInvoice(
                idempotency_key=_key("issue", number),
                number=number,
                account_number=who.number,
                amount=Decimal(amount),
                issue_date=issued,
            )
        )
    app.issue_credit_memo(
        c.IssueCreditMemo(
            idempotency_key=_key("credit", CREDITED.number),
            number="GB-2-CM",
            account_number=CREDITED.number,
            amount=Decimal("400.00"),
            currency="GBP",
            issued_on=date(2024, 1, 3),
            reason="returned goods",
        )
    )
    engine.catch_up()


def _pay(app: Any, who: Customer, number: str, amount: str, on: date) -> None:
    app.record_payment(
        c.RecordPayment(
            idempotency_key=_key("pay", number),
            account_number=who.number,
            amount=Decimal(amount),
            currency=who.currency,
            received_on=on,
            allocations=[
                c.AllocationLine(invoice_number=number, amount=Decimal(amount))
            ],
        )
    )


def _promise(app: Any, who: Customer, number: str, amount: str, on: date, by: date):
    app.promise_to_pay(
        c.PromiseToPay(
            idempotency_key=_key("promise", number),
            account_number=who.number,
            invoice_numbers=[number],
            amount=Decimal(amount),
            currency=who.currency,
            promised_date=by,
            on=on,
        )
    )


def script() -> dict[date, list[Callable[[Any], None]]]:
    """What the payers and collectors do, by business date."""
    dispute = c.DisputeInvoice(
        idempotency_key=_key("dispute", "GB-1-C"),
        invoice_number="GB-1-C",
        reason="wrong_amount",
        on=DISPUTED_ON,
    )
    resolve = c.ResolveDispute(
        idempotency_key=_key("resolve", "GB-1-C"),
        invoice_number="GB-1-C",
        outcome="rejected: the price is the one agreed",
        on=RESOLVED_ON,
    )
    return {
        PAID_ON: [lambda app: _pay(app, GB, "GB-1-B", "500.00", PAID_ON)],
        DISPUTED_ON: [lambda app: app.dispute_invoice(dispute)],
        RESOLVED_ON: [lambda app: app.resolve_dispute(resolve)],
        CN_PROMISED_ON: [
            lambda app: _promise(
                app, CN, "CN-1-A", "8000.00", CN_PROMISED_ON, CN_PROMISED_FOR
            )
        ],
        JP_PROMISED_ON: [
            lambda app: _promise(
                app, JP, "JP-1-A", "150000", JP_PROMISED_ON, JP_PROMISED_FOR
            )
        ],
        JP_PAID_ON: [lambda app: _pay(app, JP, "JP-1-A", "150000", JP_PAID_ON)],
    }


def settings_for(folder: Path, smtp_port: int) -> Settings:
    return Settings(
        data_dir=folder,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        mail_from="billing@o2c.example",
    )


@contextmanager
def cadence(folder: Path, smtp_port: int) -> Iterator[Scheduler]:
    """A scheduler over the ledger in ``folder``, sending to ``smtp_port``."""
    settings = settings_for(folder, smtp_port)
    with open_engine(settings) as engine, channels_for(engine) as channels:
        scheduler = scheduler_for(engine, channels, load())
        try:
            yield scheduler
        finally:
            scheduler.close()


def run_quarter(scheduler: Scheduler) -> None:
    """Every day of the quarter: the day's actions, then its passes."""
    actions = script()
    day = START
    while day <= END:
        for action in actions.get(day, []):
            action(scheduler.engine.app)
        run_days(scheduler, day, day, EVERY)
        day += timedelta(days=1)


def sent_messages(engine: Engine) -> list[dict[str, Any]]:
    """Every message sent, with its account number, step, day and invoices."""
    rows = engine.models.con.execute(
        """
        SELECT a.customer_id, m.step, m.delivery, m.language, m.sent_on,
               m.invoices, m.message_id, m.reference
        FROM messages m JOIN accounts a USING (account_id)
        WHERE m.status = 'sent' ORDER BY m.sent_on, a.customer_id, m.step
        """
    ).fetchall()
    return [
        {
            "customer": r[0],
            "step": r[1],
            "delivery": r[2],
            "language": r[3],
            "sent_on": r[4],
            "invoices": [i["number"] for i in json.loads(r[5])],
            "message_id": r[6],
            "reference": r[7],
        }
        for r in rows
    ]
