"""Monthly DSO, countback DSO, best possible DSO, ADD and CEI per currency."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from domain import metrics
from projections._format import Report, iso, money, ratio

COLUMNS = [
    "currency",
    "period_start",
    "period_end",
    "credit_sales",
    "ar_begin",
    "ar_end",
    "current_ar_end",
    "dso",
    "dso_countback",
    "best_possible_dso",
    "add",
    "cei",
]


def monthly_dso(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    by_country: bool,
    known_at: datetime,
) -> Report:
    """One row per currency (and country) and calendar month from start to end.

    The database sums amounts per currency and day; the ratios come from the
    pure formulas in ``domain.metrics`` so each has one definition.
    """
    keys = ["country", "currency"] if by_country else ["currency"]
    params = {"known_at": known_at}
    periods = metrics.months_between(start, end)
    first = con.execute(
        "SELECT min(invoice_date) FROM invoices WHERE recorded_at <= $known_at",
        params,
    ).fetchone()
    columns = (["country"] if by_country else []) + COLUMNS
    if first is None or first[0] is None:
        return Report(columns, [], title="DSO")
    history_start = first[0].replace(day=1)

    sales = _monthly_sales(con, keys, params)
    groups = sorted({key for key, _ in sales})
    asked = sorted({day for s, e in periods for day in (s - timedelta(days=1), e)})
    ar = _ar_on_days(con, keys, asked, params)
    current = _current_ar(con, keys, [e for _, e in periods], params)

    rows = []
    for group in groups:
        currency = group[-1]
        for s, e in periods:
            credit_sales = sales.get((group, s), 0)
            ar_begin = ar.get((group, s - timedelta(days=1)), 0)
            ar_end = ar.get((group, e), 0)
            current_end = current.get((group, e), 0)
            days = metrics.days_in_period(s, e)
            history = _months_back(sales, group, s, history_start)
            figures = [
                metrics.dso(Decimal(ar_end), Decimal(credit_sales), days),
                metrics.countback_dso(Decimal(ar_end), history),
                metrics.best_possible_dso(
                    Decimal(current_end), Decimal(credit_sales), days
                ),
                metrics.average_days_delinquent(
                    Decimal(ar_end), Decimal(current_end), Decimal(credit_sales), days
                ),
                metrics.collection_effectiveness_index(
                    Decimal(ar_begin),
                    Decimal(credit_sales),
                    Decimal(ar_end),
                    Decimal(current_end),
                ),
            ]
            rows.append(
                [
                    *group,
                    iso(s),
                    iso(e),
                    money(credit_sales, currency),
                    money(ar_begin, currency),
                    money(ar_end, currency),
                    money(current_end, currency),
                    *(ratio(f) for f in figures),
                ]
            )
    return Report(columns, rows, title="DSO by month")


def _months_back(
    sales: dict[tuple[tuple[str, ...], date], int],
    group: tuple[str, ...],
    month: date,
    history_start: date,
) -> list[tuple[Decimal, int]]:
    """Credit sales and days of each month from ``month`` back to the first."""
    history = []
    while month >= history_start:
        last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        history.append((Decimal(sales.get((group, month), 0)), last.day))
        month = (month - timedelta(days=1)).replace(day=1)
    return history


def _monthly_sales(
    con: duckdb.DuckDBPyConnection, keys: list[str], params: dict[str, Any]
) -> dict[tuple[tuple[str, ...], date], int]:
    """Invoices issued less credit memos dated, per group and calendar month."""
    invoice_keys = ", ".join(f"i.{k}" for k in keys)
    memo_keys = ", ".join("a.country" if k == "country" else "c.currency" for k in keys)
    rows = con.execute(
        f"""
        SELECT {invoice_keys}, date_trunc('month', i.invoice_date)::DATE,
               sum(i.amount_minor)
        FROM invoices i WHERE i.recorded_at <= $known_at GROUP BY ALL
        UNION ALL
        SELECT {memo_keys}, date_trunc('month', c.issued_on)::DATE,
               -sum(c.amount_minor)
        FROM credit_memos c JOIN accounts a USING (account_id)
        WHERE c.recorded_at <= $known_at GROUP BY ALL
        """,
        params,
    ).fetchall()
    sales: dict[tuple[tuple[str, ...], date], int] = defaultdict(int)
    for row in rows:
        group = tuple(row[: len(keys)])
        sales[(group, row[len(keys)])] += int(row[-1])
    return dict(sales)


def _ar_on_days(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    days: list[date],
    params: dict[str, Any],
) -> dict[tuple[tuple[str, ...], date], int]:
    """AR at the end of each asked day: issued so far less reduced so far."""
    plain = ", ".join(keys)
    aliased = ", ".join(f"i.{k}" for k in keys)
    on = " AND ".join(f"q.{k} = r.{k}" for k in keys)
    con.register("asked_days", pa.table({"day": pa.array(days, pa.date32())}))
    rows = con.execute(
        f"""
        WITH flows AS (
            SELECT {plain}, invoice_date AS day, amount_minor AS delta
            FROM invoices WHERE recorded_at <= $known_at
            UNION ALL
            SELECT {aliased}, a.effective_date, -a.amount_minor
            FROM allocations a JOIN invoices i USING (invoice_id)
            WHERE a.recorded_at <= $known_at AND i.recorded_at <= $known_at
        ),
        daily AS (SELECT {plain}, day, sum(delta) AS delta FROM flows GROUP BY ALL),
        running AS (
            SELECT {plain}, day,
                   sum(delta) OVER (PARTITION BY {plain} ORDER BY day) AS ar
            FROM daily
        ),
        asked AS (
            SELECT g.*, d.day FROM (SELECT DISTINCT {plain} FROM daily) g
            CROSS JOIN asked_days d
        )
        SELECT {", ".join(f"q.{k}" for k in keys)}, q.day, coalesce(r.ar, 0)
        FROM asked q ASOF LEFT JOIN running r ON {on} AND q.day >= r.day
        """,
        params,
    ).fetchall()
    con.unregister("asked_days")
    return {(tuple(r[: len(keys)]), r[len(keys)]): int(r[-1]) for r in rows}


def _current_ar(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    days: list[date],
    params: dict[str, Any],
) -> dict[tuple[tuple[str, ...], date], int]:
    """Open at the end of each asked day on invoices not yet past due."""
    aliased = ", ".join(f"i.{k}" for k in keys)
    plain = ", ".join(keys)
    con.register("period_ends", pa.table({"day": pa.array(days, pa.date32())}))
    rows = con.execute(
        f"""
        WITH due_ahead AS (
            SELECT i.invoice_id, {aliased}, i.amount_minor, p.day
            FROM invoices i JOIN period_ends p
              ON i.invoice_date <= p.day AND i.due_date >= p.day
            WHERE i.recorded_at <= $known_at
        ),
        reduced AS (
            SELECT d.invoice_id, d.day, sum(a.amount_minor) AS reduced
            FROM due_ahead d JOIN allocations a
              ON a.invoice_id = d.invoice_id AND a.effective_date <= d.day
            WHERE a.recorded_at <= $known_at
            GROUP BY ALL
        )
        SELECT {plain}, day, sum(amount_minor - coalesce(reduced, 0))
        FROM due_ahead LEFT JOIN reduced USING (invoice_id, day)
        GROUP BY ALL
        """,
        params,
    ).fetchall()
    con.unregister("period_ends")
    return {(tuple(r[: len(keys)]), r[len(keys)]): int(r[-1]) for r in rows}
