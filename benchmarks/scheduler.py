"""How fast the scheduler decides a day's messages and sends e-mails.

Deciding: the read-model rows of ``--invoices`` open invoices (and one
account per ten) are written straight into DuckDB through Arrow, not
through events: building them through the event store would take about an
hour on this machine and measures the projection, which benchmarks/core.py
already does. The decision then runs exactly as in a pass: the accounts
reachable at the moment (every zone is opened for the benchmark, the worst
case), each open invoice's step, the answers to events, grouping by account.
It is timed twice: a first run, when nothing was ever sent, and a steady
day, when yesterday's steps were already sent.

Sending: ``--emails`` cadence e-mails are composed and sent over reused SMTP
connections to aiosmtpd running in its own process on loopback.

    PYTHONPATH=. .venv/bin/python benchmarks/scheduler.py
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from adapters.cadence.clock import inputs
from adapters.cadence.compose import Payer, compose
from adapters.cadence.config import load
from adapters.cadence.scheduler import in_lanes
from adapters.mail.messages import Mail
from adapters.mail.smtp import SmtpMailer
from adapters.settings import Settings
from projections.cadence import CadenceViews
from projections.schema import create_statements
from tests.support.net import free_port

DAY = date(2025, 6, 4)
COUNTRIES = [("US", "USD"), ("JP", "JPY"), ("DE", "EUR"), ("GB", "GBP"), ("CN", "CNY")]


def build(con: duckdb.DuckDBPyConnection, invoices: int, seed: int) -> None:
    """Accounts and open invoices as read-model rows, inserted through Arrow."""
    rng = random.Random(seed)
    for statement in create_statements():
        con.execute(statement)
    accounts = max(1, invoices // 10)
    countries = [COUNTRIES[i % len(COUNTRIES)] for i in range(accounts)]
    deliveries = [rng.choice(("email", "email", "paper", "portal")) for _ in countries]
    account_ids = [f"acct-{i:07d}" for i in range(accounts)]
    con.register(
        "new_accounts",
        pa.table(
            {
                "account_id": account_ids,
                "customer_id": [f"C{i:07d}" for i in range(accounts)],
                "name": [f"Customer {i}" for i in range(accounts)],
                "country": [c for c, _ in countries],
                "currency": [cur for _, cur in countries],
                "net_days": [30] * accounts,
                "delivery": deliveries,
                "language": ["en"] * accounts,
                "contacts": ['[{"role": "billing", "email": "ap@example.com"}]']
                * accounts,
                "opened_on": [date(2024, 1, 1)] * accounts,
                "position": list(range(accounts)),
                "recorded_at": [datetime(2025, 1, 1)] * accounts,
            }
        ),
    )
    con.execute("INSERT INTO accounts BY NAME SELECT * FROM new_accounts")
    owner = [rng.randrange(accounts) for _ in range(invoices)]
    issued = [DAY - timedelta(days=rng.randint(0, 140)) for _ in range(invoices)]
    amounts = [rng.randint(100_00, 50_000_00) for _ in range(invoices)]
    con.register(
        "new_invoices",
        pa.table(
            {
                "invoice_id": [f"inv-{i:08d}" for i in range(invoices)],
                "invoice_number": [f"INV-{i:08d}" for i in range(invoices)],
                "account_id": [account_ids[o] for o in owner],
                "customer_id": [f"C{o:07d}" for o in owner],
                "country": [countries[o][0] for o in owner],
                "currency": [countries[o][1] for o in owner],
                "amount_minor": amounts,
                "open_minor": amounts,
                "status": ["open"] * invoices,
                "invoice_date": issued,
                "due_date": [d + timedelta(days=30) for d in issued],
                "disputed": [False] * invoices,
                "dispute_open": [False] * invoices,
                "written_off": [False] * invoices,
                "delivery": [deliveries[o] for o in owner],
                "position": list(range(invoices)),
                "recorded_at": [datetime(2025, 1, 1)] * invoices,
            }
        ),
    )
    con.execute("INSERT INTO invoices BY NAME SELECT * FROM new_invoices")


def decide(views: CadenceViews, day: date) -> tuple[float, int]:
    """Seconds to decide every reachable account's messages, and how many."""
    book = load()
    started = time.perf_counter()
    countries, zones = views.places()
    feeds = inputs(
        book, datetime.combine(day, datetime.min.time(), UTC), countries, zones
    )
    clock = feeds["zone_clock"]
    feeds["zone_clock"] = pa.table(
        {
            "zone": clock.column("zone"),
            "local_date": [day] * clock.num_rows,
            "open": [True] * clock.num_rows,
        }
    )
    views.reachable(feeds, book.medium_from, book.large_from)
    due = views.due()
    return time.perf_counter() - started, due.num_rows


def mark_sent(con: duckdb.DuckDBPyConnection) -> None:
    """Record every step just decided as sent, as a day of passes would."""
    con.execute(
        "INSERT INTO message_keys SELECT key, 'm-' || key, account_id FROM cadence_due"
    )


def bench_decide(invoices: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(
            str(Path(folder) / "bench.duckdb"),
            config={"memory_limit": "1GB", "threads": 2},
        )
        con.execute("SET TimeZone = 'UTC'")
        started = time.perf_counter()
        build(con, invoices, seed)
        print(f"read models built through Arrow: {time.perf_counter() - started:.1f} s")
        views = CadenceViews(con)
        first, messages = decide(views, DAY - timedelta(days=1))
        print(
            f"first run ({invoices:,} open invoices): {first:.2f} s, "
            f"{messages:,} messages due"
        )
        mark_sent(con)
        steady, messages = decide(views, DAY)
        print(
            f"steady day ({invoices:,} open invoices): {steady:.2f} s, "
            f"{messages:,} messages due"
        )
        con.close()


def bench_send(count: int) -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        mailer = SmtpMailer(
            Settings(
                smtp_host="127.0.0.1",
                smtp_port=port,
                mail_from="ar@o2c.example",
                smtp_timeout=30,
            )
        )
        payer = Payer("acct-1", "Fox Ltd", "GB", "en")
        invoice = {
            "number": "INV-1",
            "currency": "GBP",
            "amount_minor": 120_00,
            "open_minor": 120_00,
            "due_date": "2025-05-01",
        }

        def lane(numbers: list[int]) -> None:
            with mailer.session() as session:
                for n in numbers:
                    message = compose(
                        "dunning_1",
                        payer,
                        [invoice],
                        DAY,
                        f"http://127.0.0.1:8000/in/token-{n}",
                    )
                    session.send(
                        Mail(
                            "cadence.dunning_1",
                            "acct-1",
                            f"ap{n}@example.com",
                            "en",
                            message.subject,
                            message.text,
                            message.html,
                        )
                    )

        for connections in (1, 4):
            started = time.perf_counter()
            in_lanes(list(range(count)), connections, lane)
            seconds = time.perf_counter() - started
            print(
                f"sent {count:,} e-mails over {connections} reused connection(s): "
                f"{seconds:.1f} s, {count / seconds:,.0f} a second (composing included)"
            )
        sample = min(count, 500)
        started = time.perf_counter()
        for n in range(sample):
            mailer.send(
                Mail(
                    "cadence.due",
                    "acct-1",
                    f"ap{n}@example.com",
                    "en",
                    "Due",
                    "text",
                    "<p>html</p>",
                )
            )
        seconds = time.perf_counter() - started
        print(
            f"for comparison, one connection per e-mail: {sample / seconds:,.0f} "
            "a second"
        )
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )
    bench_decide(args.invoices, args.seed)
    bench_send(args.emails)


if __name__ == "__main__":
    main()
