"""Reading a receivables ledger export (CSV) through a mapping of its columns.

A mapping is a small TOML file that names the columns, the date format, the
delimiter, the decimal separator and the currency, so any export can be read.
Every problem is reported with its line, column, value and reason.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.errors import DomainError
from domain.money import Money, check_currency
from services.ledger_import import LedgerRow, note_first_invoice

PRESETS = Path(__file__).parent / "presets"

REQUIRED = ("customer_id", "invoice_number", "invoice_date", "amount")


class Columns(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str
    invoice_number: str
    invoice_date: str
    amount: str
    due_date: str | None = None
    country: str | None = None
    currency: str | None = None
    disputed: str | None = None
    settled_date: str | None = None
    paperless_date: str | None = None
    delivery: str | None = None


class Values(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    true: list[str] = Field(default_factory=lambda: ["Yes", "yes", "Y", "true", "1"])
    false: list[str] = Field(
        default_factory=lambda: ["No", "no", "N", "false", "0", ""]
    )
    delivery: dict[str, str] = Field(default_factory=dict)


class Mapping(BaseModel):
    """How the columns of one export map onto a ledger row."""

    model_config = ConfigDict(extra="forbid")

    columns: Columns
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    decimal_separator: str = Field(default=".", min_length=1, max_length=1)
    thousands_separator: str = Field(default="", max_length=1)
    date_format: str = "%Y-%m-%d"
    currency: str = "USD"
    net_days: int = Field(default=30, ge=0, le=365)
    default_country: str = ""
    encoding: str = "utf-8-sig"
    values: Values = Field(default_factory=Values)

    @model_validator(mode="after")
    def _separators_differ(self) -> Mapping:
        if self.thousands_separator and (
            self.thousands_separator == self.decimal_separator
        ):
            raise ValueError(
                "thousands_separator and decimal_separator must differ "
                f"(both are {self.decimal_separator!r})"
            )
        return self

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, code: str) -> str:
        try:
            return check_currency(code.upper())
        except DomainError as error:
            raise ValueError(str(error)) from None

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise MappingError(f"cannot read mapping {path}: {error}") from None
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in error.errors()
            )
            raise MappingError(f"mapping {path} is not valid: {problems}") from None

    @classmethod
    def preset(cls, name: str) -> Mapping:
        return cls.load(PRESETS / f"{name}.toml")


class MappingError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one line of the file cannot be imported."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}, value {self.value!r}: " + (
            self.reason
        )


@dataclass
class Checked:
    """What a first pass over the file found, before anything is imported."""

    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    first_invoice: dict[str, date] = field(default_factory=dict)

    @property
    def good_rows(self) -> int:
        return self.rows - len(self.bad_lines)


class LedgerFile:
    """A CSV export read twice: once to check every line, once to import."""

    def __init__(self, path: Path, mapping: Mapping) -> None:
        self.path = path
        self.mapping = mapping
        check_currency(mapping.currency)

    def _records(self) -> Iterator[tuple[int, dict[str, str]]]:
        line = 1
        try:
            with self.path.open(encoding=self.mapping.encoding, newline="") as handle:
                reader = csv.DictReader(handle, delimiter=self.mapping.delimiter)
                if reader.fieldnames is None:
                    raise MappingError(f"{self.path} is empty: it has no header line")
                self._check_header(reader.fieldnames)
                for record in reader:
                    line = reader.line_num
                    yield line, record
        except UnicodeDecodeError:
            raise MappingError(
                f"{self.path}: after line {line} the file is not "
                f"{self.mapping.encoding}; set encoding in the mapping "
                '(for example encoding = "latin-1")'
            ) from None
        except csv.Error as error:
            raise MappingError(f"{self.path}: line {line}: {error}") from None

    def _check_header(self, header: list[str]) -> None:
        wanted = {k: v for k, v in self.mapping.columns.model_dump().items() if v}
        missing = [
            f"{col} ({name})" for name, col in wanted.items() if col not in header
        ]
        if missing:
            raise MappingError(
                f"{self.path}: line 1 (header) lacks the mapped column(s) "
                f"{', '.join(missing)}; it has {', '.join(header)}"
            )

    def check(self) -> Checked:
        """Read every line; list every problem; import nothing."""
        checked = Checked()
        seen: dict[str, int] = {}
        for line, record in self._records():
            checked.rows += 1
            row, problems = self._parse(line, record)
            if row is not None:
                first = seen.setdefault(row.invoice_number, line)
                if first != line:
                    problems.append(
                        RowProblem(
                            line,
                            self.mapping.columns.invoice_number,
                            row.invoice_number,
                            f"invoice number repeats line {first}",
                        )
                    )
            if problems:
                checked.problems.extend(problems)
                checked.bad_lines.add(line)
                continue
            assert row is not None
            note_first_invoice(checked.first_invoice, row)
        return checked

    def rows(
        self, skip: set[int] | frozenset[int] = frozenset()
    ) -> Iterator[LedgerRow]:
        for line, record in self._records():
            if line in skip:
                continue
            row, problems = self._parse(line, record)
            if row is not None and not problems:
                yield row

    def raw(self, lines: set[int]) -> Iterator[tuple[int, dict[str, str]]]:
        for line, record in self._records():
            if line in lines:
                yield line, record

    def _parse(
        self, line: int, record: dict[str, str]
    ) -> tuple[LedgerRow | None, list[RowProblem]]:
        if None in record:
            extra = record[None]  # type: ignore[index]
            return None, [
                RowProblem(line, "(row)", str(extra), "more fields than the header")
            ]
        if None in record.values():
            return None, [RowProblem(line, "(row)", "", "fewer fields than the header")]
        parser = _RowParser(self.mapping, line, record)
        row = parser.parse()
        return row, parser.problems


class _RowParser:
    def __init__(self, mapping: Mapping, line: int, record: dict[str, str]) -> None:
        self.m = mapping
        self.cols = mapping.columns
        self.line = line
        self.record = record
        self.problems: list[RowProblem] = []

    def _value(self, field_name: str) -> tuple[str | None, str]:
        column = getattr(self.cols, field_name)
        if column is None:
            return None, ""
        value = self.record.get(column)
        return column, ("" if value is None else value.strip())

    def _fail(self, column: str | None, value: str, reason: str) -> None:
        self.problems.append(RowProblem(self.line, column or "?", value, reason))

    def text(self, field_name: str, required: bool) -> str:
        column, value = self._value(field_name)
        if required and not value:
            self._fail(column, value, "a value is required")
        return value

    def day(self, field_name: str, required: bool) -> date | None:
        column, value = self._value(field_name)
        if not value:
            if required:
                self._fail(column, value, "a date is required")
            return None
        try:
            return _parse_date(value, self.m.date_format)
        except ValueError:
            self._fail(column, value, f"not a date in the format {self.m.date_format}")
            return None

    def amount(self, currency: str) -> Money | None:
        column, value = self._value("amount")
        text = value
        if self.m.thousands_separator:
            text = text.replace(self.m.thousands_separator, "")
        text = text.replace(self.m.decimal_separator, ".")
        try:
            money = Money(Decimal(text), currency)
        except (InvalidOperation, DomainError) as error:
            sep = self.m.decimal_separator
            reason = (
                str(error)
                if isinstance(error, DomainError)
                else f"not an amount (for example 1234{sep}50)"
            )
            self._fail(column, value, reason)
            return None
        if not money.is_positive():
            self._fail(column, value, "an invoice amount must be above zero")
            return None
        return money

    def flag(self) -> bool:
        column, value = self._value("disputed")
        if column is None:
            return False
        if value in self.m.values.true:
            return True
        if value in self.m.values.false:
            return False
        allowed = ", ".join(repr(v) for v in self.m.values.true + self.m.values.false)
        self._fail(column, value, f"expected one of {allowed}")
        return False

    def delivery(self) -> str:
        column, value = self._value("delivery")
        if column is None or not value:
            return "email"
        if value in self.m.values.delivery:
            return self.m.values.delivery[value]
        if value in ("paper", "email", "portal"):
            return value
        known = ", ".join(repr(v) for v in self.m.values.delivery) or "paper, email"
        self._fail(column, value, f"expected one of {known}")
        return "email"

    def currency(self) -> str:
        column, value = self._value("currency")
        if column is None or not value:
            return self.m.currency
        try:
            return check_currency(value.upper())
        except DomainError as error:
            self._fail(column, value, str(error))
            return self.m.currency

    def parse(self) -> LedgerRow | None:
        customer = self.text("customer_id", required=True)
        number = self.text("invoice_number", required=True)
        country = self.text("country", required=False) or self.m.default_country
        issued = self.day("invoice_date", required=True)
        due = self.day("due_date", required=False)
        settled = self.day("settled_date", required=False)
        paperless = self.day("paperless_date", required=False)
        amount = self.amount(self.currency())
        disputed = self.flag()
        delivery = self.delivery()
        if issued is not None and due is None:
            due = issued + timedelta(days=self.m.net_days)
        if issued is not None and due is not None and due < issued:
            column, value = self._value("due_date")
            self._fail(column, value, f"due date is before the invoice date {issued}")
        if issued is not None and settled is not None and settled < issued:
            column, value = self._value("settled_date")
            self._fail(
                column, value, f"settled date is before the invoice date {issued}"
            )
        if self.problems or issued is None or due is None or amount is None:
            return None
        return LedgerRow(
            line=self.line,
            customer_id=customer,
            country=country,
            invoice_number=number,
            invoice_date=issued,
            due_date=due,
            amount=amount,
            disputed=disputed,
            settled_date=settled,
            paperless_date=paperless,
            delivery=delivery,
        )


@lru_cache(maxsize=65536)
def _parse_date(value: str, fmt: str) -> date:
    return datetime.strptime(value, fmt).date()


def write_rejects(path: Path, ledger: LedgerFile, checked: Checked) -> int:
    """Write each rejected line with its reasons to a CSV; return how many."""
    reasons: dict[int, list[str]] = {}
    for problem in checked.problems:
        reasons.setdefault(problem.line, []).append(
            f"{problem.column}: {problem.reason}"
        )
    written = 0
    if path.resolve() == ledger.path.resolve():
        raise MappingError(f"--rejects {path} is the file being imported")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer: csv.DictWriter[str] | None = None
        for line, record in ledger.raw(set(reasons)):
            if writer is None:
                writer = csv.DictWriter(
                    handle, fieldnames=["line", *record.keys(), "problems"]
                )
                writer.writeheader()
            writer.writerow(
                {"line": line, **record, "problems": "; ".join(reasons[line])}
            )
            written += 1
    return written
