"""An account's statement and an invoice's history, read by point lookups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from domain import metrics
from projections._format import Report, iso, money
from projections.queries import END_OF_TIME, invoice_state_sql, naive_utc

TIMELINE_COLUMNS = [
    "position",
    "effective_date",
    "recorded_at",
    "event",
    "reference",
    "amount",
    "currency",
    "detail",
    "actor",
    "channel",
]


class NotInReadModels(LookupError):
    """The account or invoice asked for is not in the read models."""


class Statements:
    """Statements for one account and histories for one invoice."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def account(
        self,
        customer_id: str,
        as_of: date | None = None,
        known_at: datetime | None = None,
        today: date | None = None,
    ) -> dict[str, Report]:
        """Details, open items, balance per currency and the timeline.

        Without ``as_of`` or ``known_at`` it reads the current tables; with
        either it rebuilds the figures from the dated facts.
        """
        moment = naive_utc(known_at)
        params = {"as_of": as_of or END_OF_TIME, "known_at": moment}
        found = self.account_row(customer_id, moment)
        account_id = found[0]
        details = Report(
            ["field", "value"],
            [
                ["customer_id", found[1]],
                ["name", found[2]],
                ["country", found[3]],
                ["currency", found[4]],
                ["terms", found[10] or f"net {found[5]}"],
                ["early_payment_discount", found[11] or ""],
                ["credit_limit", found[6] or ""],
                ["on_hold", found[12] or ""],
                ["delivery", found[7]],
                ["language", found[8]],
                ["time_zone", found[13] or ""],
                ["opened_on", iso(found[9])],
            ],
            title=f"Account {found[1]}",
        )
        current = as_of is None and known_at is None
        reference_day = as_of or today or date.today()
        items = self._open_items(account_id, params, current, reference_day)
        balances = self._balances(account_id, params, current)
        timeline = self._timeline("account_id", account_id, params)
        return {
            "account": details,
            "open_items": items,
            "balances": balances,
            "timeline": timeline,
        }

    def account_row(self, customer_id: str, known_at: datetime) -> tuple[Any, ...]:
        """The account's id, customer id, name, country, currency, net days,
        credit limit, delivery, language, opening day, terms, discount, hold
        (its reason, or nothing) and time zone."""
        found = self.con.execute(
            """
            SELECT account_id, customer_id, name, country, currency, net_days,
                   credit_limit, delivery, language, opened_on, terms,
                   discount_percent || '%/' || discount_days,
                   CASE WHEN on_hold THEN hold_reason END, time_zone
            FROM accounts WHERE customer_id = $customer AND recorded_at <= $known_at
            """,
            {"customer": customer_id, "known_at": known_at},
        ).fetchone()
        if found is None:
            raise NotInReadModels(f"no account {customer_id!r} in the ledger")
        return found

    def open_item_rows(
        self, account_id: str, params: dict[str, Any], current: bool
    ) -> list[tuple[Any, ...]]:
        """Number, currency, invoice and due dates, amount, open amount (minor
        units) and status of each open invoice, the oldest due first."""
        source = (
            "invoices"
            if current
            else f"({invoice_state_sql('AND i.account_id = $account')})"
        )
        return self.con.execute(
            f"""
            SELECT invoice_number, currency, invoice_date, due_date, amount_minor,
                   open_minor, status
            FROM {source}
            WHERE account_id = $account AND open_minor > 0
            ORDER BY due_date, invoice_number
            """,
            {**params, "account": account_id}
            if not current
            else {"account": account_id},
        ).fetchall()

    def _open_items(
        self, account_id: str, params: dict[str, Any], current: bool, day: date
    ) -> Report:
        out = []
        rows = self.open_item_rows(account_id, params, current)
        for number, cur, issued, due, amount, open_, status in rows:
            out.append(
                [
                    number,
                    cur,
                    iso(issued),
                    iso(due),
                    money(amount, cur),
                    money(open_, cur),
                    status,
                    metrics.days_past_due(day, due),
                ]
            )
        columns = [
            "invoice_number",
            "currency",
            "invoice_date",
            "due_date",
            "amount",
            "open_amount",
            "status",
            "days_past_due",
        ]
        return Report(columns, out, title=f"Open items as of {day.isoformat()}")

    def balance_rows(
        self, account_id: str, params: dict[str, Any], current: bool
    ) -> list[tuple[Any, ...]]:
        """Currency, open, unapplied cash, open credit and balance (minor units)."""
        if current:
            return self.con.execute(
                """
                SELECT currency, open_minor, unapplied_cash_minor,
                       unapplied_credit_minor, balance_minor
                FROM balances WHERE account_id = $account ORDER BY currency
                """,
                {"account": account_id},
            ).fetchall()
        return self.con.execute(
            f"""
            WITH open_items AS (
                SELECT currency, sum(open_minor) AS open_minor
                FROM ({invoice_state_sql("AND i.account_id = $account")})
                GROUP BY currency
            ),
            applied AS (
                SELECT source_id, sum(amount_minor) AS used FROM allocations
                WHERE account_id = $account AND effective_date <= $as_of
                  AND recorded_at <= $known_at
                GROUP BY source_id
            ),
            sources AS (
                SELECT currency, amount_minor - coalesce(used, 0) AS cash,
                       0 AS credit
                FROM payments p LEFT JOIN applied a
                  ON a.source_id = p.payment_id
                WHERE account_id = $account AND received_on <= $as_of
                  AND recorded_at <= $known_at
                UNION ALL
                SELECT currency, 0, amount_minor - coalesce(used, 0)
                FROM credit_memos c LEFT JOIN applied a
                  ON a.source_id = c.credit_memo_id
                WHERE account_id = $account AND issued_on <= $as_of
                  AND recorded_at <= $known_at
            ),
            unapplied AS (
                SELECT currency, sum(cash) AS cash, sum(credit) AS credit
                FROM sources GROUP BY currency
            )
            SELECT currency, coalesce(o.open_minor, 0), coalesce(u.cash, 0),
                   coalesce(u.credit, 0),
                   coalesce(o.open_minor, 0) - coalesce(u.cash, 0)
                       - coalesce(u.credit, 0)
            FROM open_items o FULL JOIN unapplied u USING (currency)
            ORDER BY currency
            """,
            {**params, "account": account_id},
        ).fetchall()

    def _balances(
        self, account_id: str, params: dict[str, Any], current: bool
    ) -> Report:
        rows = self.balance_rows(account_id, params, current)
        out = [[cur, *(money(v, cur) for v in values)] for cur, *values in rows]
        columns = ["currency", "open", "unapplied_cash", "open_credit", "balance"]
        return Report(columns, out, title="Balance per currency")

    def invoice(
        self, number: str, known_at: datetime | None = None
    ) -> dict[str, Report]:
        """The invoice as it stands and every event of its history."""
        params = {"as_of": END_OF_TIME, "known_at": naive_utc(known_at)}
        found = self.con.execute(
            f"""
            SELECT invoice_id, invoice_number, customer_id, currency, amount_minor,
                   open_minor, status, invoice_date, due_date, settled_date
            FROM ({invoice_state_sql("AND i.invoice_number = $number")})
            """,
            {**params, "number": number},
        ).fetchone()
        if found is None:
            raise NotInReadModels(f"no invoice {number!r} in the ledger")
        invoice_id, _, customer, cur = found[:4]
        summary = Report(
            ["field", "value"],
            [
                ["invoice_number", found[1]],
                ["customer_id", customer],
                ["currency", cur],
                ["amount", money(found[4], cur)],
                ["open_amount", money(found[5], cur)],
                ["status", found[6]],
                ["invoice_date", iso(found[7])],
                ["due_date", iso(found[8])],
                ["settled_date", iso(found[9])],
            ],
            title=f"Invoice {number}",
        )
        history = self._timeline("aggregate_id", invoice_id, params, everything=True)
        history.title = "History (effective date and recorded time side by side)"
        return {"invoice": summary, "history": history}

    def _timeline(
        self,
        column: str,
        value: str,
        params: dict[str, Any],
        everything: bool = False,
    ) -> Report:
        # The invoice side of an allocation repeats the payment side on an
        # account's timeline; an invoice's own history keeps it.
        skip = "" if everything else "AND event_type <> 'Invoice.AllocationApplied'"
        rows = self.con.execute(
            f"""
            SELECT position, effective_date, recorded_at, event_type, reference,
                   amount_minor, currency, detail, actor, channel
            FROM timeline
            WHERE {column} = $value AND recorded_at <= $known_at
              AND effective_date <= $as_of {skip}
            ORDER BY {"position" if everything else "effective_date, position"}
            """,
            {**params, "value": value},
        ).fetchall()
        out = []
        for position, eff, rec, kind, ref, amount, cur, detail, actor, channel in rows:
            out.append(
                [
                    position,
                    iso(eff),
                    rec.isoformat(sep=" ", timespec="microseconds"),
                    kind,
                    ref or "",
                    "" if amount is None else money(amount, cur),
                    cur or "",
                    detail or "",
                    actor,
                    channel,
                ]
            )
        return Report(TIMELINE_COLUMNS, out, title="Timeline")
