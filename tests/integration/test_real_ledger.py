"""The CLI's reports on IBM's real AR ledger, checked against an independent oracle."""

import csv
import io
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support import ledger_oracle as oracle

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT.parent / "shared/data/ibm-ar/ar-ledger.csv"

if not LEDGER.exists():
    pytest.skip(f"the IBM AR ledger is not at {LEDGER}", allow_module_level=True)

CURRENCY = "USD"
FIRST_MONTH = date(2012, 1, 1)
LAST_DAY = date(2013, 12, 31)
DSO_RANGE = ["--from", "2012-01-01", "--to", "2013-12-31", "--period", "month"]
AGING_DATES = ["2012-06-30", "2013-03-15", "2013-12-31", "2014-01-05"]
AGING_GROUPS = ["currency", "customer", "country"]
BUCKET_COLUMNS = [*oracle.BUCKETS, "total"]
RATIO_COLUMNS = ["dso", "dso_countback", "best_possible_dso", "add", "cei"]
AMOUNT_COLUMNS = ["credit_sales", "ar_begin", "ar_end", "current_ar_end"]


class Cli:
    """Runs `python -m adapters.cli` the way a user would, on one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "O2C_DATA_DIR": str(data_dir),
        }

    def run(self, *args: str) -> bytes:
        """The command's standard output; fails the test when it exits non-zero."""
        done = subprocess.run(
            [sys.executable, "-m", "adapters.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            timeout=900,
        )

        assert done.returncode == 0, (
            f"o2c {' '.join(args)} exited {done.returncode}:\n"
            f"{done.stderr.decode(errors='replace')}"
        )
        return done.stdout

    def import_ledger(self) -> None:
        self.run("import", "ibm-ar", str(LEDGER), "--currency", CURRENCY)


def report_commands() -> dict[str, list[str]]:
    """Every report the tests read, by a name that says which it is."""
    commands = {
        "invoices": ["report", "invoices"],
        "dso": ["report", "dso", *DSO_RANGE],
        "dso by country": ["report", "dso", *DSO_RANGE, "--by", "country"],
    }
    for day in AGING_DATES:
        for group in AGING_GROUPS:
            aging = ["report", "aging", "--as-of", day, "--by", group]
            commands[f"aging by {group} as of {day}"] = aging

    return {name: [*args, "--format", "csv"] for name, args in commands.items()}


def run_reports(cli: Cli) -> dict[str, bytes]:
    return {name: cli.run(*args) for name, args in report_commands().items()}


def rows_of(output: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output.decode("utf-8"))))


def money(amount: Decimal) -> str:
    return str(amount.quantize(oracle.CENT))


def shown(value: object) -> str:
    """A value as a CSV report shows it: missing values are empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return money(value)
    return str(value)


@pytest.fixture(scope="module")
def ledger() -> list[oracle.LedgerRow]:
    return oracle.read_ledger(LEDGER)


@pytest.fixture(scope="module")
def file_invoices(ledger: list[oracle.LedgerRow]) -> dict[str, oracle.LedgerRow]:
    return {row.invoice_number: row for row in ledger}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A fresh o2c data folder holding the ledger, imported once."""
    o2c = Cli(tmp_path_factory.mktemp("o2c-data"))
    o2c.import_ledger()
    return o2c


@pytest.fixture(scope="module")
def reports(cli: Cli) -> dict[str, bytes]:
    """Every report's output right after the first import."""
    return run_reports(cli)


@pytest.fixture(scope="module")
def invoices(reports: dict[str, bytes]) -> dict[str, dict[str, str]]:
    return {row["invoice_number"]: row for row in rows_of(reports["invoices"])}


# Invoices


def test_every_invoice_keeps_its_number_with_leading_zeros(invoices, file_invoices):
    """The report lists exactly the file's invoice numbers, leading zeros kept."""
    assert sorted(invoices) == sorted(file_invoices)


def test_every_invoice_carries_the_files_amount_and_disputed_flag(
    invoices, file_invoices
):
    """Each invoice's amount and disputed flag are the file's."""
    shown_by_report = {
        number: (row["amount"], row["disputed"]) for number, row in invoices.items()
    }
    in_file = {
        number: (money(row.amount), "Yes" if row.disputed else "No")
        for number, row in file_invoices.items()
    }

    assert shown_by_report == in_file


def test_every_invoice_carries_the_files_customer_country_and_dates(
    invoices, file_invoices
):
    """Each invoice's customer, country, currency and dates are the file's."""
    columns = ["customer_id", "country", "currency", "invoice_date", "due_date"]
    shown_by_report = {
        number: tuple(row[column] for column in columns)
        for number, row in invoices.items()
    }
    in_file = {
        number: (
            row.customer_id,
            row.country,
            CURRENCY,
            shown(row.invoice_date),
            shown(row.due_date),
        )
        for number, row in file_invoices.items()
    }

    assert shown_by_report == in_file


def test_every_invoice_is_paid_in_full_on_the_files_settled_date(
    invoices, file_invoices
):
    """Each invoice is paid, nothing is left open, and it settled on the file's date."""
    shown_by_report = {
        number: (row["status"], row["open_amount"], row["settled_date"])
        for number, row in invoices.items()
    }
    in_file = {
        number: ("paid", "0.00", shown(row.settled_date))
        for number, row in file_invoices.items()
    }

    assert shown_by_report == in_file


def test_every_invoice_shows_the_files_days_to_settle_and_days_late(
    invoices, file_invoices
):
    """Each invoice's days to settle and days late are the file's."""
    shown_by_report = {
        number: (row["days_to_settle"], row["days_late"])
        for number, row in invoices.items()
    }
    in_file = {
        number: (str(row.file_days_to_settle), str(row.file_days_late))
        for number, row in file_invoices.items()
    }

    assert shown_by_report == in_file


# Monthly DSO and CEI


def _figures(row: dict[str, str], columns: list[str]) -> dict[str, str]:
    return {column: row[column] for column in columns}


def _expected_figures(month: oracle.MonthRow, columns: list[str]) -> dict[str, str]:
    return {column: shown(getattr(month, column)) for column in columns}


def _overall_by_month(output: bytes, columns: list[str]) -> dict[tuple, dict]:
    return {
        (row["currency"], row["period_start"], row["period_end"]): (
            _figures(row, columns)
        )
        for row in rows_of(output)
    }


def _expected_overall(ledger, columns: list[str]) -> dict[tuple, dict]:
    return {
        (CURRENCY, shown(month.period_start), shown(month.period_end)): (
            _expected_figures(month, columns)
        )
        for month in oracle.monthly(ledger, FIRST_MONTH, LAST_DAY)
    }


def _by_country_and_month(output: bytes, columns: list[str]) -> dict[tuple, dict]:
    return {
        (row["country"], row["currency"], row["period_start"]): _figures(row, columns)
        for row in rows_of(output)
    }


def _expected_by_country(ledger, columns: list[str]) -> dict[tuple, dict]:
    by_country = oracle.monthly_by_country(ledger, FIRST_MONTH, LAST_DAY)
    return {
        (country, CURRENCY, shown(month.period_start)): (
            _expected_figures(month, columns)
        )
        for country, months in by_country.items()
        for month in months
    }


def test_monthly_sales_and_receivables_equal_the_oracle(reports, ledger):
    """Each month's credit sales, AR and current AR equal the oracle's."""
    got = _overall_by_month(reports["dso"], AMOUNT_COLUMNS)

    assert got == _expected_overall(ledger, AMOUNT_COLUMNS)


def test_monthly_dso_countback_best_possible_add_and_cei_equal_the_oracle(
    reports, ledger
):
    """Each month's DSO, countback, best possible DSO, ADD and CEI are the oracle's."""
    got = _overall_by_month(reports["dso"], RATIO_COLUMNS)

    assert got == _expected_overall(ledger, RATIO_COLUMNS)


def test_monthly_sales_and_receivables_by_country_equal_the_oracle(reports, ledger):
    """Per country, each month's credit sales and receivables equal the oracle's."""
    got = _by_country_and_month(reports["dso by country"], AMOUNT_COLUMNS)

    assert got == _expected_by_country(ledger, AMOUNT_COLUMNS)


def test_monthly_dso_and_cei_by_country_equal_the_oracle(reports, ledger):
    """Per country, each month's DSO figures and CEI equal the oracle's."""
    got = _by_country_and_month(reports["dso by country"], RATIO_COLUMNS)

    assert got == _expected_by_country(ledger, RATIO_COLUMNS)


# Aging


def _aging_table(output: bytes, group: str) -> dict[tuple, dict[str, str]]:
    """Rows with something in them, keyed by their group and currency."""
    rows = rows_of(output)
    table = {}

    for row in rows:
        buckets = _figures(row, BUCKET_COLUMNS)
        if all(Decimal(amount) == 0 for amount in buckets.values()):
            continue
        table[_aging_key(group, row[group], row["currency"])] = buckets

    return table


def _aging_key(group: str, name: str, currency: str) -> tuple[str, ...]:
    return (currency,) if group == "currency" else (name, currency)


def _expected_aging(table: dict[str, dict[str, Decimal]], group: str) -> dict:
    return {
        _aging_key(group, name, CURRENCY): {
            column: money(amount) for column, amount in buckets.items()
        }
        for name, buckets in table.items()
    }


def _first_column_named(output: bytes, group: str) -> bytes:
    """The report with its group column renamed to `group`, whatever it is called."""
    header, _, body = output.partition(b"\n")
    columns = header.decode("utf-8").strip().split(",")
    columns[0] = group
    return ",".join(columns).encode("utf-8") + b"\n" + body


@pytest.mark.parametrize("as_of", AGING_DATES)
def test_aging_adds_up_to_the_receivables_open_that_day(reports, ledger, as_of):
    """The aging buckets of all currencies add up to AR at the end of the as-of date."""
    rows = rows_of(reports[f"aging by currency as of {as_of}"])
    aged = sum(
        (Decimal(row[column]) for row in rows for column in oracle.BUCKETS),
        Decimal("0.00"),
    )

    assert money(aged) == money(oracle.receivables(ledger, date.fromisoformat(as_of)))


@pytest.mark.parametrize("as_of", AGING_DATES)
def test_aging_by_currency_equals_the_oracle(reports, ledger, as_of):
    """Overall aging buckets per currency equal the oracle's."""
    output = reports[f"aging by currency as of {as_of}"]
    expected = oracle.aging(ledger, date.fromisoformat(as_of))

    assert _aging_table(output, "currency") == _expected_aging(expected, "currency")


@pytest.mark.parametrize("as_of", AGING_DATES)
def test_aging_by_country_equals_the_oracle(reports, ledger, as_of):
    """Aging buckets per country equal the oracle's."""
    report = reports[f"aging by country as of {as_of}"]
    output = _first_column_named(report, "country")
    expected = oracle.aging_by_country(ledger, date.fromisoformat(as_of))

    assert _aging_table(output, "country") == _expected_aging(expected, "country")


@pytest.mark.parametrize("as_of", AGING_DATES)
def test_aging_by_customer_equals_the_oracle(reports, ledger, as_of):
    """Aging buckets per customer equal the oracle's."""
    report = reports[f"aging by customer as of {as_of}"]
    output = _first_column_named(report, "customer")
    expected = oracle.aging_by_customer(ledger, date.fromisoformat(as_of))

    assert _aging_table(output, "customer") == _expected_aging(expected, "customer")


# Replays


def test_importing_the_same_file_again_changes_nothing(cli, reports):
    """A second import of the same ledger leaves the invoices report byte for byte."""
    cli.import_ledger()

    assert cli.run(*report_commands()["invoices"]) == reports["invoices"]


def test_rebuilding_the_read_models_gives_the_same_reports(cli, reports):
    """After a rebuild the invoices, aging and DSO reports are byte-identical."""
    cli.run("rebuild")
    rebuilt = run_reports(cli)

    changed = [name for name in reports if rebuilt[name] != reports[name]]
    assert changed == []
