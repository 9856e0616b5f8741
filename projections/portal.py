"""What a payer sees in the portal, read by point lookups on one account.

Every method takes the signed-in account's id and filters by it first, so a
row of another account is never returned, whatever other id is asked for.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import duckdb

SORTS = {
    "due": "due_date, invoice_number",
    "-due": "due_date DESC, invoice_number",
    "number": "invoice_number",
    "-number": "invoice_number DESC",
    "amount": "open_minor, invoice_number",
    "-amount": "open_minor DESC, invoice_number",
    "issued": "invoice_date, invoice_number",
    "-issued": "invoice_date DESC, invoice_number",
}

_INVOICE_COLUMNS = """
    invoice_id, invoice_number, currency, amount_minor, open_minor, status,
    invoice_date, due_date, settled_date, dispute_open
"""


def _mine(*tables: str) -> str:
    """A ``WITH`` clause naming the account's rows of each table ``my_<table>``.

    DuckDB answers from a table's ``account_id`` index only when that equality
    is the scan's one filter; any other condition turns the lookup into a scan
    of the whole table. Materialized, these rows are found by the index first
    and the rest of the query works on them alone.
    """
    found = [
        f"my_{table} AS MATERIALIZED "
        f"(SELECT * FROM {table} WHERE account_id = $account)"
        for table in tables
    ]
    return "WITH " + ", ".join(found)


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _record(cursor: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    found = _records(cursor)
    return found[0] if found else None


class PayerViews:
    """The portal's reads; each call uses a cursor of its own (thread-safe)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def _run(self, sql: str, params: dict[str, Any]) -> duckdb.DuckDBPyConnection:
        return self.con.cursor().execute(sql, params)

    def account(self, account_id: str) -> dict[str, Any] | None:
        return _record(
            self._run(
                """
                SELECT account_id, customer_id, name, country, currency, language,
                       net_days
                FROM accounts WHERE account_id = $account
                """,
                {"account": account_id},
            )
        )

    def account_for_email(self, email: str) -> dict[str, Any] | None:
        """The account whose contacts hold this address (case ignored)."""
        return _record(
            self._run(
                """
                SELECT account_id, customer_id, name, country, language
                FROM accounts
                WHERE list_contains(
                    list_transform(
                        json_extract_string(contacts, '$[*].email'),
                        lambda x: lower(x)),
                    lower($email))
                ORDER BY customer_id LIMIT 1
                """,
                {"email": email},
            )
        )

    def billing_contact(self, account_id: str) -> str | None:
        """The e-mail address the account's invoices go to, if it has one."""
        found = self._run(
            "SELECT contacts FROM accounts WHERE account_id = $account",
            {"account": account_id},
        ).fetchone()
        return None if found is None else billing_address(json.loads(found[0]))

    def invoices(
        self,
        account_id: str,
        *,
        closed: bool = False,
        sort: str = "due",
        search: str = "",
        currency: str = "",
        overdue_on: date | None = None,
    ) -> list[dict[str, Any]]:
        """Open (or closed) invoices, searched by number, filtered and sorted."""
        order = SORTS.get(sort, SORTS["due"])
        where = "open_minor = 0" if closed else "open_minor > 0"
        params: dict[str, Any] = {"account": account_id}
        if search:
            where += " AND contains(lower(invoice_number), lower($search))"
            params["search"] = search
        if currency:
            where += " AND currency = $currency"
            params["currency"] = currency
        if overdue_on is not None:
            where += " AND due_date < $day"
            params["day"] = overdue_on
        return _records(
            self._run(
                f"""
                {_mine("invoices")}
                SELECT {_INVOICE_COLUMNS} FROM my_invoices
                WHERE {where}
                ORDER BY {order}
                """,
                params,
            )
        )

    def invoice(self, account_id: str, invoice_id: str) -> dict[str, Any] | None:
        return _record(
            self._run(
                f"""
                {_mine("invoices")}
                SELECT {_INVOICE_COLUMNS} FROM my_invoices
                WHERE invoice_id = $invoice
                """,
                {"account": account_id, "invoice": invoice_id},
            )
        )

    def invoices_by_id(
        self, account_id: str, invoice_ids: list[str]
    ) -> list[dict[str, Any]]:
        """The account's invoices among these ids; others' ids are left out."""
        return _records(
            self._run(
                f"""
                {_mine("invoices")}
                SELECT {_INVOICE_COLUMNS} FROM my_invoices
                WHERE list_contains($ids, invoice_id)
                ORDER BY due_date, invoice_number
                """,
                {"account": account_id, "ids": invoice_ids},
            )
        )

    def balances(self, account_id: str, day: date) -> list[dict[str, Any]]:
        """Per currency: open, overdue, unapplied cash, open credit, balance."""
        return _records(
            self._run(
                f"""
                {_mine("balances", "invoices")}
                SELECT b.currency, b.open_minor, b.open_invoices,
                       b.unapplied_cash_minor, b.unapplied_credit_minor,
                       b.balance_minor, coalesce(o.overdue_minor, 0) AS overdue_minor
                FROM my_balances b LEFT JOIN (
                    SELECT currency, sum(open_minor) AS overdue_minor
                    FROM my_invoices
                    WHERE open_minor > 0 AND due_date < $day
                    GROUP BY currency
                ) o USING (currency)
                ORDER BY b.currency
                """,
                {"account": account_id, "day": day},
            )
        )

    def credits(self, account_id: str) -> list[dict[str, Any]]:
        """Open credit memos, then payments with cash left, oldest first."""
        return _records(
            self._run(
                f"""
                {_mine("credit_memos", "payments")}
                SELECT 'credit_memo' AS source_kind, credit_memo_id AS source_id,
                       credit_memo_number AS reference, currency,
                       unapplied_minor, issued_on AS dated, position
                FROM my_credit_memos WHERE unapplied_minor > 0
                UNION ALL
                SELECT 'payment', payment_id, reference, currency, unapplied_minor,
                       received_on, position
                FROM my_payments WHERE unapplied_minor > 0
                ORDER BY source_kind, dated, position
                """,
                {"account": account_id},
            )
        )

    def payments(self, account_id: str) -> list[dict[str, Any]]:
        return _records(
            self._run(
                """
                SELECT payment_id, currency, amount_minor, unapplied_minor,
                       received_on, method, reference
                FROM payments WHERE account_id = $account
                ORDER BY received_on DESC, position DESC
                """,
                {"account": account_id},
            )
        )

    def payment(self, account_id: str, payment_id: str) -> dict[str, Any] | None:
        found = _record(
            self._run(
                f"""
                {_mine("payments")}
                SELECT payment_id, currency, amount_minor, unapplied_minor,
                       received_on, method, reference
                FROM my_payments WHERE payment_id = $payment
                """,
                {"account": account_id, "payment": payment_id},
            )
        )
        if found is not None:
            found["allocations"] = _records(
                self._run(
                    f"""
                    {_mine("allocations", "invoices")}
                    SELECT i.invoice_id, i.invoice_number, a.amount_minor,
                           i.open_minor, i.status
                    FROM my_allocations a JOIN my_invoices i USING (invoice_id)
                    WHERE a.source_id = $payment
                    ORDER BY a.position
                    """,
                    {"account": account_id, "payment": payment_id},
                )
            )
        return found

    def disputes(self, account_id: str) -> list[dict[str, Any]]:
        return _records(
            self._run(
                f"""
                {_mine("disputes", "invoices")}
                SELECT d.invoice_id, i.invoice_number, d.opened_on, d.reason,
                       d.note, d.resolved_on, d.outcome, d.attachment_id,
                       d.explanation,
                       CASE WHEN d.resolved_on IS NULL AND i.dispute_open
                            THEN 'open'
                            WHEN d.status = 'rejected' THEN 'rejected'
                            ELSE 'resolved' END AS status
                FROM my_disputes d JOIN my_invoices i USING (invoice_id)
                ORDER BY d.opened_on DESC, d.position DESC
                """,
                {"account": account_id},
            )
        )

    def attachment_of(self, account_id: str, attachment_id: str) -> bool:
        """Whether a dispute of this account carries this attachment."""
        found = self._run(
            f"""
            {_mine("disputes")}
            SELECT 1 FROM my_disputes WHERE attachment_id = $attachment
            """,
            {"account": account_id, "attachment": attachment_id},
        ).fetchone()
        return found is not None

    def promises(self, account_id: str, day: date) -> list[dict[str, Any]]:
        """Promises with what was paid toward them and their status on ``day``.

        A promise is kept once allocations (not write-offs) to its invoices,
        dated from the day it was made to the promised date, reach its
        amount; broken when the promised date has passed without that; open
        until then.
        """
        return _records(
            self._run(
                f"""
                {_mine("promises", "promise_invoices", "allocations")},
                paid AS (
                    SELECT p.promise_id, sum(a.amount_minor) AS paid_minor
                    FROM my_promises p
                    JOIN my_promise_invoices pi USING (promise_id)
                    JOIN my_allocations a ON a.invoice_id = pi.invoice_id
                    WHERE a.source_kind <> 'write_off'
                      AND a.effective_date BETWEEN p.made_on AND p.promised_date
                      AND a.effective_date <= $day
                    GROUP BY p.promise_id
                )
                SELECT p.promise_id, p.made_on, p.promised_date, p.currency,
                       p.amount_minor, p.invoice_numbers,
                       coalesce(paid.paid_minor, 0) AS paid_minor,
                       CASE
                           WHEN coalesce(paid.paid_minor, 0) >= p.amount_minor
                               THEN 'kept'
                           WHEN p.promised_date < $day THEN 'broken'
                           ELSE 'open'
                       END AS status
                FROM my_promises p LEFT JOIN paid USING (promise_id)
                ORDER BY p.promised_date DESC, p.position DESC
                """,
                {"account": account_id, "day": day},
            )
        )

    def payment_methods(self, account_id: str) -> list[dict[str, Any]]:
        """Stored methods, default first; the token stays on the server."""
        return _records(
            self._run(
                """
                SELECT method_id, kind, brand, last4, expiry_month, expiry_year,
                       is_default, token
                FROM payment_methods WHERE account_id = $account
                ORDER BY is_default DESC, position DESC
                """,
                {"account": account_id},
            )
        )

    def effort_by_month_and_country(self) -> list[dict[str, Any]]:
        """Customer effort score: answers and mean score by month and country."""
        return _records(
            self._run(
                """
                SELECT strftime(effective_date, '%Y-%m') AS month, country,
                       count(*) AS answers,
                       CAST(avg(score) AS DECIMAL(6, 2)) AS mean_score,
                       count(*) FILTER (WHERE score >= 5) AS easy
                FROM effort_scores GROUP BY ALL ORDER BY month, country
                """,
                {},
            )
        )

    def sample_payers(self, limit: int = 6) -> list[dict[str, Any]]:
        """One account with open invoices per country, for demo sign-in links."""
        return _records(
            self._run(
                """
                SELECT country, arg_min(account_id, customer_id) AS account_id
                FROM accounts
                WHERE account_id IN (
                    SELECT account_id FROM invoices WHERE open_minor > 0
                )
                GROUP BY country ORDER BY country LIMIT $limit
                """,
                {"limit": limit},
            )
        )


# Contact roles an invoice goes to, in order of preference.
BILLING_ROLES = ("billing", "accounts_payable")


def billing_address(contacts: list[dict[str, str]]) -> str | None:
    """The address an invoice goes to: the first billing or accounts-payable
    contact with an e-mail address, else the first contact with one."""
    with_email = [c for c in contacts if c.get("email")]
    for role in BILLING_ROLES:
        for contact in with_email:
            if contact.get("role") == role:
                return contact["email"]
    return with_email[0]["email"] if with_email else None
