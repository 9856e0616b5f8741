"""What a payer sees in the portal, read by point lookups on one account.

Every method takes the signed-in account's id and filters by it first, so a
row of another account is never returned, whatever other id is asked for.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import duckdb

from projections import _portal_pieces as pieces
from projections._portal_pieces import BALANCES, CREDITS, DISPUTES, PAYMENTS, PROMISES

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

    def _piece(
        self, piece: pieces.Piece, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return _records(self._run(pieces.alone(piece), params))

    def overview(
        self,
        account_id: str,
        day: date,
        *,
        sort: str = "due",
        search: str = "",
        currency: str = "",
        overdue: bool = False,
    ) -> dict[str, list[dict[str, Any]]]:
        """Everything the overview shows, read in one query: open invoices
        (as ``invoices`` filters them, overdue meaning due before ``day``),
        closed ones latest due first, balances, credits, payments, disputes
        and promises on ``day``."""
        open_piece, params = _invoices(
            False, sort, search, currency, day if overdue else None
        )
        found = self._run(
            _overview_sql(open_piece),
            {**params, "account": account_id, "day": day},
        ).fetchone()
        rows = found if found is not None else (None,) * len(OVERVIEW)
        return {
            name: list(part or []) for name, part in zip(OVERVIEW, rows, strict=True)
        }

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
        piece, params = _invoices(closed, sort, search, currency, overdue_on)
        return self._piece(piece, {"account": account_id, **params})

    def invoice(self, account_id: str, invoice_id: str) -> dict[str, Any] | None:
        return _record(
            self._run(
                f"""
                {pieces.mine("invoices")}
                SELECT {pieces.INVOICE_COLUMNS} FROM my_invoices
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
                {pieces.mine("invoices")}
                SELECT {pieces.INVOICE_COLUMNS} FROM my_invoices
                WHERE list_contains($ids, invoice_id)
                ORDER BY due_date, invoice_number
                """,
                {"account": account_id, "ids": invoice_ids},
            )
        )

    def balances(self, account_id: str, day: date) -> list[dict[str, Any]]:
        """Per currency: open, overdue, unapplied cash, open credit, balance."""
        return self._piece(BALANCES, {"account": account_id, "day": day})

    def credits(self, account_id: str) -> list[dict[str, Any]]:
        """Open credit memos, then payments with cash left, oldest first."""
        return self._piece(CREDITS, {"account": account_id})

    def payments(self, account_id: str) -> list[dict[str, Any]]:
        return self._piece(PAYMENTS, {"account": account_id})

    def payment(self, account_id: str, payment_id: str) -> dict[str, Any] | None:
        found = _record(
            self._run(
                f"""
                {pieces.mine("payments")}
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
                    {pieces.mine("allocations", "invoices")}
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
        return self._piece(DISPUTES, {"account": account_id})

    def attachment_of(self, account_id: str, attachment_id: str) -> bool:
        """Whether a dispute of this account carries this attachment."""
        found = self._run(
            f"""
            {pieces.mine("disputes")}
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
        return self._piece(PROMISES, {"account": account_id, "day": day})

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


def _invoices(
    closed: bool, sort: str, search: str, currency: str, overdue_on: date | None
) -> tuple[pieces.Piece, dict[str, Any]]:
    """The invoices piece for these filters, and the parameters it takes."""
    where = "open_minor = 0" if closed else "open_minor > 0"
    params: dict[str, Any] = {}
    if search:
        where += " AND contains(lower(invoice_number), lower($search))"
        params["search"] = search
    if currency:
        where += " AND currency = $currency"
        params["currency"] = currency
    if overdue_on is not None:
        where += " AND due_date < $day"
        params["day"] = overdue_on
    return pieces.invoices(where, SORTS.get(sort, SORTS["due"])), params


# The overview's parts, in the order its one query returns them.
OVERVIEW = (
    "open_invoices",
    "closed_invoices",
    "balances",
    "credits",
    "payments",
    "disputes",
    "promises",
)


def _overview_sql(open_invoices: pieces.Piece) -> str:
    closed = pieces.invoices("open_minor = 0", SORTS["-due"])
    parts = [open_invoices, closed, BALANCES, CREDITS, PAYMENTS, DISPUTES, PROMISES]
    return pieces.overview_query(dict(zip(OVERVIEW, parts, strict=True)))


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
