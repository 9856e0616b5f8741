"""Printing reports as a terminal table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

from projections._format import Report

_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def pick(fmt: Format | None) -> Format:
    """Table on a terminal, CSV when the output goes to a file or a pipe."""
    if fmt is not None:
        return fmt
    return Format.table if sys.stdout.isatty() else Format.csv


def print_report(report: Report, fmt: Format | None) -> None:
    chosen = pick(fmt)
    if chosen is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(report.columns)
        writer.writerows(report.rows)
    elif chosen is Format.json:
        json.dump(
            report.records(), sys.stdout, indent=1, default=str, ensure_ascii=False
        )
        sys.stdout.write("\n")
    else:
        console().print(as_table(report))


def print_sections(sections: dict[str, Report], fmt: Format | None) -> None:
    """Several reports under one heading each (an account statement)."""
    chosen = pick(fmt)
    if chosen is Format.json:
        payload = {name: r.records() for name, r in sections.items()}
        json.dump(payload, sys.stdout, indent=1, default=str, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    for index, (name, report) in enumerate(sections.items()):
        if chosen is Format.csv:
            if index:
                sys.stdout.write("\n")
            sys.stdout.write(f"# {name}\n")
            print_report(report, Format.csv)
        else:
            console().print(as_table(report))


def as_table(report: Report) -> Table:
    table = Table(title=report.title or None, title_justify="left")
    for index, column in enumerate(report.columns):
        numeric = _numeric(row[index] for row in report.rows)
        table.add_column(column, justify="right" if numeric else "left")
    for row in report.rows:
        table.add_row(*(_cell(v) for v in row))
    if not report.rows:
        table.caption = "nothing to show"
    return table


def _numeric(values: Iterable[Any]) -> bool:
    """Right-align a column whose every value is a number (amounts, days)."""
    seen = [str(v) for v in values if v not in (None, "")]
    return bool(seen) and all(_NUMBER.fullmatch(v) for v in seen)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def console() -> Console:
    """The terminal's width on a terminal; wide enough for any report elsewhere."""
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 240)
