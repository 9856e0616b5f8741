"""Reports read from the DuckDB read models, as of a business date and as known
at a moment of the log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import duckdb

from domain import metrics
from projections._dso import monthly_dso
from projections._format import Report, money
from projections._format import iso as _iso

END_OF_TIME = date(9999, 12, 31)
LATEST = datetime(9999, 12, 31, 23, 59, 59)

INVOICE_COLUMNS = [
    "invoice_number",
    "customer_id",
    "country",
    "currency",
    "invoice_date",
    "due_date",
    "amount",
    "open_amount",
    "status",
    "settled_date",
    "days_to_settle",
    "days_late",
    "disputed",
]

GROUPS = {"customer": "customer_id", "country": "country", "currency": "currency"}


def invoice_state_sql(where: str = "") -> str:
    """Every invoice as it stood at the end of business day $as_of, built only
    from events recorded at or before $known_at."""
    return f"""
        WITH reduced AS (
            SELECT invoice_id, sum(amount_minor) AS reduced_minor,
                   max(effective_date) AS last_on,
                   bool_or(source_kind = 'write_off') AS written_off
            FROM allocations
            WHERE effective_date <= $as_of AND recorded_at <= $known_at
            GROUP BY invoice_id
        ),
        dispute AS (
            SELECT invoice_id,
                   bool_or(resolved_on IS NULL OR resolved_on > $as_of
                           OR resolved_recorded_at > $known_at) AS still_open
            FROM disputes
            WHERE opened_on <= $as_of AND recorded_at <= $known_at
            GROUP BY invoice_id
        ),
        state AS (
            SELECT i.invoice_id, i.invoice_number, i.account_id, i.customer_id,
                   i.country, i.currency, i.invoice_date, i.due_date,
                   i.amount_minor,
                   i.amount_minor - coalesce(r.reduced_minor, 0) AS open_minor,
                   r.last_on, coalesce(r.written_off, false) AS written_off,
                   coalesce(d.still_open, false) AS dispute_open,
                   d.invoice_id IS NOT NULL AS disputed
            FROM invoices i
            LEFT JOIN reduced r USING (invoice_id)
            LEFT JOIN dispute d USING (invoice_id)
            WHERE i.invoice_date <= $as_of AND i.recorded_at <= $known_at {where}
        )
        SELECT *,
            CASE WHEN open_minor = 0 THEN last_on END AS settled_date,
            CASE
                WHEN open_minor = 0 AND written_off THEN 'written_off'
                WHEN open_minor = 0 THEN 'paid'
                WHEN dispute_open THEN 'disputed'
                WHEN open_minor < amount_minor THEN 'partially_paid'
                ELSE 'open'
            END AS status
        FROM state
    """


def _params(as_of: date | None, known_at: datetime | None) -> dict[str, Any]:
    return {"as_of": as_of or END_OF_TIME, "known_at": naive_utc(known_at)}


def naive_utc(moment: datetime | None) -> datetime:
    """The log's recorded times are UTC without a zone; a naive input is UTC."""
    if moment is None:
        return LATEST
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


class Reports:
    """Read-only questions about the ledger, answered from the read models."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def invoices(
        self, as_of: date | None = None, known_at: datetime | None = None
    ) -> Report:
        rows = self.con.execute(
            f"""
            SELECT invoice_number, customer_id, country, currency, invoice_date,
                   due_date, amount_minor, open_minor, status, settled_date,
                   disputed
            FROM ({invoice_state_sql()})
            ORDER BY invoice_number
            """,
            _params(as_of, known_at),
        ).fetchall()
        out = []
        for r in rows:
            number, customer, country, cur, issued, due, amount, open_, status = r[:9]
            settled, disputed = r[9], r[10]
            # A write-off closes an invoice without anyone paying it.
            paid = settled is not None and status == "paid"
            out.append(
                [
                    number,
                    customer,
                    country,
                    cur,
                    _iso(issued),
                    _iso(due),
                    money(amount, cur),
                    money(open_, cur),
                    status,
                    _iso(settled),
                    "" if not paid else metrics.days_to_settle(issued, settled),
                    "" if not paid else metrics.days_late(due, settled),
                    "Yes" if disputed else "No",
                ]
            )
        return Report(INVOICE_COLUMNS, out, title="Invoices")

    def aging(
        self,
        as_of: date,
        by: str = "customer",
        known_at: datetime | None = None,
        buckets: metrics.AgingBuckets | None = None,
    ) -> Report:
        buckets = buckets or metrics.AgingBuckets()
        group = GROUPS[by]
        keys = ["currency"] if group == "currency" else [group, "currency"]
        sums = ",\n".join(
            f"sum(open_minor) FILTER (WHERE bucket = '{label}') AS {label}"
            for label in buckets.labels
        )
        rows = self.con.execute(
            f"""
            SELECT {", ".join(keys)}, {sums}, sum(open_minor) AS total
            FROM (
                SELECT *, {_bucket_sql(buckets)} AS bucket
                FROM ({invoice_state_sql()})
                WHERE open_minor > 0
            )
            GROUP BY ALL ORDER BY ALL
            """,
            _params(as_of, known_at),
        ).fetchall()
        out = []
        for r in rows:
            cur = r[len(keys) - 1]
            amounts = [money(v or 0, cur) for v in r[len(keys) :]]
            out.append([*r[: len(keys)], *amounts])
        columns = ["currency"] if by == "currency" else [by, "currency"]
        columns += [*buckets.labels, "total"]
        return Report(columns, out, title=f"Aging as of {as_of.isoformat()}")

    def dso(
        self,
        start: date,
        end: date,
        by_country: bool = False,
        known_at: datetime | None = None,
    ) -> Report:
        return monthly_dso(self.con, start, end, by_country, naive_utc(known_at))


def _bucket_sql(buckets: metrics.AgingBuckets) -> str:
    """The bucket of each invoice by days past due, as AgingBuckets defines it."""
    labels = buckets.labels
    parts = ["CASE WHEN $as_of - due_date <= 0 THEN 'current'"]
    for bound, label in zip(buckets.upper_bounds, labels[1:], strict=False):
        parts.append(f"WHEN $as_of - due_date <= {bound} THEN '{label}'")
    parts.append(f"ELSE '{labels[-1]}' END")
    return " ".join(parts)


def exposure(con: duckdb.DuckDBPyConnection, account_id: str, currency: str) -> int:
    """What an account owes in a currency, in minor units: its open invoices
    less its open credit and unapplied cash (the balances read model)."""
    found = con.execute(
        "SELECT balance_minor FROM balances WHERE account_id = ? AND currency = ?",
        [account_id, currency],
    ).fetchone()
    return 0 if found is None else int(found[0])
