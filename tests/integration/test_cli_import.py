"""The ``o2c`` command line as a user runs it: importing ledger files, recording
payments, reading reports, and rebuilding the read models.

Every command is a new process (about two seconds each), so the tests share
three sessions, each a short sequence of commands on its own data folder, and
the sessions run side by side; each test then checks one thing a session showed.
"""

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.cli import Cli, flat, rows

# The IBM layout, with good rows and one bad row of each kind.

IBM_LEDGER = """\
countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate
391,1001-ALPHA,5/1/2013,0000100001,1/4/2013,2/3/2013,48.20,No,1/17/2013,Paper,13,0
406,2002-BRAVO,3/9/2012,0000200001,1/28/2013,2/27/2013,73.15,Yes,3/5/2013,Electronic,36,6
391,1001-ALPHA,5/1/2013,0000100002,2/30/2013,3/1/2013,80.00,No,,Paper,0,0
818,3003-CHARL,2/2/2012,0000300001,7/8/2013,8/7/2013,59.40,No,,Electronic,0,0
391,1001-ALPHA,5/1/2013,0000100003,2/4/2013,3/6/2013,12;50,No,,Paper,0,0
406,2002-BRAVO,3/9/2012,0000200002,2/11/2013,3/13/2013,105.00,Maybe,,Electronic,0,0
391,1001-ALPHA,5/1/2013,0000100001,3/1/2013,3/31/2013,20.00,No,,Paper,0,0
818,,2/2/2012,0000300002,3/5/2013,4/4/2013,44.10,No,,Paper,0,0
391,1001-ALPHA,5/1/2013,0000100004,3/10/2013,4/9/2013,231.45,Yes,,Paper,0,0
818,3003-CHARL,2/2/2012,0000300003,5/20/2013,6/19/2013,1240.00,No,7/1/2013,Electronic,42,12
"""

BAD_ROWS = {
    4: ("InvoiceDate", "2/30/2013", "not a date in the format %m/%d/%Y"),
    6: ("InvoiceAmount", "12;50", "not an amount (for example 1234.50)"),
    7: ("Disputed", "Maybe", "expected one of 'Yes', 'No'"),
    8: ("invoiceNumber", "0000100001", "invoice number repeats line 2"),
    9: ("customerID", "", "a value is required"),
}
GOOD_LINES = [2, 3, 5, 10, 11]
GOOD_INVOICES = ["0000100001", "0000100004", "0000200001", "0000300001", "0000300003"]

# A German export: semicolons, decimal commas, thousands points, day.month.year.

EURO_LEDGER = """\
Kunde;Rechnung;Datum;Faellig;Betrag;Land;Strittig;Bezahlt;Versand
K-001;000123;15.01.2024;14.02.2024;1.234,50;DE;nein;20.02.2024;Papier
K-001;000124;01.02.2024;;99,90;DE;ja;;E-Mail
K-002;0042;10.02.2024;11.03.2024;12.345,67;AT;nein;;E-Mail
"""

EURO_MAPPING = """\
delimiter = ";"
decimal_separator = ","
thousands_separator = "."
date_format = "%d.%m.%Y"
currency = "EUR"
net_days = 14

[columns]
customer_id = "Kunde"
invoice_number = "Rechnung"
invoice_date = "Datum"
due_date = "Faellig"
amount = "Betrag"
country = "Land"
disputed = "Strittig"
settled_date = "Bezahlt"
delivery = "Versand"

[values]
true = ["ja"]
false = ["nein"]
delivery = { Papier = "paper", "E-Mail" = "email" }
"""

EURO_INVOICES = [
    {
        "invoice_number": "000123",
        "customer_id": "K-001",
        "country": "DE",
        "currency": "EUR",
        "invoice_date": "2024-01-15",
        "due_date": "2024-02-14",
        "amount": "1234.50",
        "open_amount": "0.00",
        "status": "paid",
        "settled_date": "2024-02-20",
        "days_to_settle": "36",
        "days_late": "6",
        "disputed": "No",
    },
    {
        "invoice_number": "000124",
        "customer_id": "K-001",
        "country": "DE",
        "currency": "EUR",
        "invoice_date": "2024-02-01",
        "due_date": "2024-02-15",
        "amount": "99.90",
        "open_amount": "99.90",
        "status": "disputed",
        "settled_date": "",
        "days_to_settle": "",
        "days_late": "",
        "disputed": "Yes",
    },
    {
        "invoice_number": "0042",
        "customer_id": "K-002",
        "country": "AT",
        "currency": "EUR",
        "invoice_date": "2024-02-10",
        "due_date": "2024-03-11",
        "amount": "12345.67",
        "open_amount": "12345.67",
        "status": "open",
        "settled_date": "",
        "days_to_settle": "",
        "days_late": "",
        "disputed": "No",
    },
]

# The missing invoice_number and the misspelt "amout" must both be named.

BROKEN_MAPPING = """\
delimiter = ";"

[columns]
customer_id = "Kunde"
invoice_date = "Datum"
amout = "Betrag"
"""

UNKNOWN_CURRENCY_MAPPING = EURO_MAPPING.replace('currency = "EUR"', 'currency = "EURO"')

CSV = ("--format", "csv")
REBUILT_REPORTS = {
    "invoices": ("report", "invoices", *CSV),
    "aging": ("report", "aging", "--as-of", "2013-08-31", *CSV),
    "dso": ("report", "dso", "--from", "2013-01-01", "--to", "2013-07-31", *CSV),
    "account statement": ("account", "1001-ALPHA", *CSV),
}


@dataclass
class Session:
    """What each command of a session printed, by a name for the step."""

    folder: Path
    steps: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def out(self, step: str) -> str:
        return self.steps[step].stdout

    def err(self, step: str) -> str:
        return flat(self.steps[step].stderr)


def ibm_session(folder: Path) -> Session:
    """A bad file refused, its good rows imported with --skip-bad, a rebuild."""
    session, cli = Session(folder), Cli(folder / "data")
    ledger, rejects = folder / "ar-ledger.csv", folder / "rejects.csv"
    ledger.write_text(IBM_LEDGER, encoding="utf-8")
    steps = session.steps

    steps["strict import"] = cli.run("import", "ibm-ar", ledger)
    steps["skip-bad import"] = cli.ok(
        "import", "ibm-ar", ledger, "--skip-bad", "--rejects", rejects
    )
    session.notes["rejects"] = rejects.read_text(encoding="utf-8")

    for name, args in REBUILT_REPORTS.items():
        steps[f"{name} before rebuild"] = cli.ok(*args)
    steps["rebuild"] = cli.ok("rebuild")
    for name, args in REBUILT_REPORTS.items():
        steps[f"{name} after rebuild"] = cli.ok(*args)
    return session


def euro_session(folder: Path) -> Session:
    """A mapped EUR export imported twice, read as known before, then paid."""
    session, cli = Session(folder), Cli(folder / "data")
    ledger, mapping = folder / "export.csv", folder / "mapping.toml"
    ledger.write_text(EURO_LEDGER, encoding="utf-8")
    mapping.write_text(EURO_MAPPING, encoding="utf-8")
    steps = session.steps

    before = datetime.now(UTC).replace(microsecond=0)
    session.notes["before import"] = before.strftime("%Y-%m-%dT%H:%M:%SZ")
    steps["import"] = cli.ok("import", "csv", ledger, "--mapping", mapping)
    steps["invoices"] = cli.ok("report", "invoices", *CSV)
    steps["import again"] = cli.ok("import", "csv", ledger, "--mapping", mapping)
    steps["invoices again"] = cli.ok("report", "invoices", *CSV)
    steps["invoices as known before"] = cli.ok(
        "report", "invoices", "--as-known-at", session.notes["before import"], *CSV
    )

    steps["record invoice"] = cli.ok(
        "record", "invoice", "--key", "erp-0043", "--number", "0043",
        "--account", "K-002", "--amount", "80.00", "--on", "2024-03-01",
    )  # fmt: skip
    steps["record payment"] = cli.ok(
        "record", "payment", "--key", "bank-2024-03-15-1", "--account", "K-002",
        "--amount", "13000.00", "--currency", "EUR", "--on", "2024-03-15",
        "--allocate", "0042=12345.67", "--allocate", "0043=50.00",
    )  # fmt: skip
    steps["account"] = cli.ok("account", "K-002", "--format", "json")
    steps["invoice"] = cli.ok("invoice", "0043", "--format", "json")
    return session


def mapping_errors_session(folder: Path) -> Session:
    """Two mapping files a user got wrong."""
    session, cli = Session(folder), Cli(folder / "data")
    ledger = folder / "export.csv"
    ledger.write_text(EURO_LEDGER, encoding="utf-8")

    for step, text in [
        ("broken mapping", BROKEN_MAPPING),
        ("unknown currency", UNKNOWN_CURRENCY_MAPPING),
    ]:
        mapping = folder / f"{step.replace(' ', '-')}.toml"
        mapping.write_text(text, encoding="utf-8")
        session.steps[step] = cli.run("import", "csv", ledger, "--mapping", mapping)
    return session


SESSIONS: dict[str, Callable[[Path], Session]] = {
    "ibm": ibm_session,
    "euro": euro_session,
    "mapping-errors": mapping_errors_session,
}


@pytest.fixture(scope="module")
def sessions(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Future[Session]]]:
    """Every session, started at once; a test waits only for the one it reads."""
    workers = min(len(SESSIONS), max(2, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield {
            name: pool.submit(run, tmp_path_factory.mktemp(name))
            for name, run in SESSIONS.items()
        }


@pytest.fixture(scope="module")
def ibm(sessions: dict[str, Future[Session]]) -> Session:
    return sessions["ibm"].result()


@pytest.fixture(scope="module")
def euro(sessions: dict[str, Future[Session]]) -> Session:
    return sessions["euro"].result()


@pytest.fixture(scope="module")
def mapping_errors(sessions: dict[str, Future[Session]]) -> Session:
    return sessions["mapping-errors"].result()


# A file with bad rows


def test_a_file_with_bad_rows_exits_non_zero_saying_nothing_was_imported(ibm):
    """The summary counts the bad rows and says the ledger was left alone."""
    assert ibm.steps["strict import"].returncode != 0
    assert "5 of 10 rows are bad; nothing was imported" in ibm.err("strict import")


def test_a_file_with_bad_rows_imports_nothing(ibm):
    """Not even its good rows reach the ledger: the next run finds none of them."""
    summary = ibm.out("skip-bad import")

    assert "3 accounts opened, 5 invoices issued" in summary
    assert "0 rows already in the ledger" in summary


@pytest.mark.parametrize("line", sorted(BAD_ROWS))
def test_each_bad_row_is_listed_by_line_column_value_and_reason(ibm, line):
    """The user can find and fix each bad row from the message alone."""
    column, value, reason = BAD_ROWS[line]

    expected = f"line {line}, column {column}, value {value!r}: {reason}"
    assert expected in ibm.err("strict import")


def test_good_rows_are_not_listed_as_bad(ibm):
    """Only the bad lines are named."""
    listed = ibm.err("strict import")

    assert [line for line in GOOD_LINES if f"line {line}," in listed] == []


def test_skip_bad_imports_the_good_rows(ibm):
    """The five good invoices are in the ledger, leading zeros and all."""
    imported = rows(ibm.out("invoices before rebuild"))

    assert [r["invoice_number"] for r in imported] == GOOD_INVOICES
    assert "5 invoices issued" in ibm.out("skip-bad import")


def test_skip_bad_writes_the_rejects_with_their_line_numbers(ibm):
    """The rejects file lists each bad line, its columns, and what is wrong."""
    rejected = rows(ibm.notes["rejects"])

    assert [int(r["line"]) for r in rejected] == sorted(BAD_ROWS)
    assert [r["problems"] for r in rejected] == [
        f"{column}: {reason}" for column, _, reason in BAD_ROWS.values()
    ]
    assert "5 bad rows written to" in ibm.err("skip-bad import")


def test_an_ibm_row_is_read_with_its_dispute_and_settlement(ibm):
    """A disputed invoice settled late shows paid, 36 days to settle, 6 late."""
    imported = {
        r["invoice_number"]: r for r in rows(ibm.out("invoices before rebuild"))
    }

    assert imported["0000200001"] == {
        "invoice_number": "0000200001",
        "customer_id": "2002-BRAVO",
        "country": "406",
        "currency": "USD",
        "invoice_date": "2013-01-28",
        "due_date": "2013-02-27",
        "amount": "73.15",
        "open_amount": "0.00",
        "status": "paid",
        "settled_date": "2013-03-05",
        "days_to_settle": "36",
        "days_late": "6",
        "disputed": "Yes",
    }


# A mapped export


def test_a_mapped_export_is_read_with_its_delimiter_decimal_comma_and_dates(euro):
    """Semicolons, 1.234,50 and 15.01.2024 become the invoices a user expects."""
    assert rows(euro.out("invoices")) == EURO_INVOICES


def test_leading_zeros_in_invoice_numbers_are_kept(euro):
    """Invoice 0042 stays 0042, not 42."""
    numbers = [r["invoice_number"] for r in rows(euro.out("invoices"))]

    assert numbers == ["000123", "000124", "0042"]


def test_importing_the_same_file_again_finds_every_row_already_in_the_ledger(euro):
    """The second run adds nothing and says so."""
    summary = euro.out("import again")

    assert "3 rows already in the ledger" in summary
    assert "0 invoices issued" in summary
    assert summary.rstrip().endswith("0 events")


def test_importing_the_same_file_again_leaves_the_reports_byte_identical(euro):
    """The invoice report reads the same, byte for byte, after the second run."""
    assert euro.out("invoices again") == euro.out("invoices")


def test_invoices_as_known_before_the_import_shows_nothing(euro):
    """Asked as known at a moment before the import, the ledger was empty."""
    assert rows(euro.out("invoices")) != []
    assert rows(euro.out("invoices as known before")) == []


def test_a_mapping_missing_a_required_column_names_it(mapping_errors):
    """The error names columns.invoice_number and exits with usage code 2."""
    assert mapping_errors.steps["broken mapping"].returncode == 2
    assert "columns.invoice_number: Field required" in mapping_errors.err(
        "broken mapping"
    )


def test_a_mapping_with_an_unknown_column_key_names_it(mapping_errors):
    """A misspelt key is reported, not silently ignored."""
    assert "columns.amout: Extra inputs are not permitted" in mapping_errors.err(
        "broken mapping"
    )


def test_a_mapping_with_an_unknown_currency_is_a_clear_error(mapping_errors):
    """The user reads one error line naming the currency, not a traceback."""
    done = mapping_errors.steps["unknown currency"]

    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "error:" in done.stderr
    assert "'EURO'" in done.stderr


# Recording as things happen


def test_a_recorded_invoice_takes_the_accounts_currency(euro):
    """Invoice 0043, recorded without a currency on a EUR account, is in EUR."""
    summary = json.loads(euro.out("invoice"))["invoice"]

    assert {"field": "currency", "value": "EUR"} in summary


def test_a_payment_on_two_invoices_prints_its_unapplied_cash(euro):
    """13000.00 less 12345.67 and 50.00 leaves 604.33 unapplied."""
    assert json.loads(euro.out("record payment"))["unapplied"] == "604.33"


def test_a_payment_on_two_invoices_shows_in_the_account_balance(euro):
    """K-002 owes 30.00 on 0043 and holds 604.33 of cash: a balance of -574.33."""
    statement = json.loads(euro.out("account"))

    assert statement["balances"] == [
        {
            "currency": "EUR",
            "open": "30.00",
            "unapplied_cash": "604.33",
            "open_credit": "0.00",
            "balance": "-574.33",
        }
    ]
    assert [i["invoice_number"] for i in statement["open_items"]] == ["0043"]


def test_a_payment_shows_in_the_invoice_history(euro):
    """Invoice 0043's history: issued for 80.00, then 50.00 from the payment."""
    shown = json.loads(euro.out("invoice"))

    history = [
        (e["event"], e["amount"], e["currency"], e["channel"]) for e in shown["history"]
    ]
    assert history == [
        ("Invoice.Issued", "80.00", "EUR", "cli"),
        ("Invoice.AllocationApplied", "50.00", "EUR", "cli"),
    ]
    assert {"field": "open_amount", "value": "30.00"} in shown["invoice"]
    assert {"field": "status", "value": "partially_paid"} in shown["invoice"]


# Rebuilding


@pytest.mark.parametrize("report", list(REBUILT_REPORTS))
def test_a_rebuild_gives_byte_identical_reports(ibm, report):
    """Dropping the read models and replaying the store changes no byte."""
    before = ibm.out(f"{report} before rebuild")

    assert len(before.splitlines()) > 1
    assert ibm.out(f"{report} after rebuild") == before


def test_a_mapping_with_one_separator_for_decimals_and_thousands_is_refused(
    tmp_path,
):
    """Reading 99,99 as 9999 would be silent and wrong, so the mapping is refused."""
    mapping = tmp_path / "same.toml"
    mapping.write_text(
        'decimal_separator = ","\nthousands_separator = ","\n'
        "[columns]\ncustomer_id = 'c'\ninvoice_number = 'n'\n"
        "invoice_date = 'd'\namount = 'a'\n",
        encoding="utf-8",
    )
    export = tmp_path / "export.csv"
    export.write_text('c,n,d,a\nX,1,2024-01-01,"99,99"\n', encoding="utf-8")

    done = Cli(tmp_path / "data").run("import", "csv", export, "--mapping", mapping)

    assert done.returncode == 2
    assert "must differ" in " ".join(done.stderr.split())


def test_reports_on_a_folder_without_a_ledger_say_so(tmp_path):
    """A mistyped --data-dir is an error, not an empty report."""
    done = Cli(tmp_path / "nowhere").run("report", "invoices")

    assert done.returncode == 2
    assert "no ledger in" in " ".join(done.stderr.split())
