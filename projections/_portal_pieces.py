"""The parts of a payer's overview as SQL, each readable alone or all at once.

A piece is a query over the account's own rows (``my_<table>``, see
``mine``) and the order of its rows. ``PayerViews`` runs one piece per call;
``overview_query`` gathers every piece of the overview into one statement,
each as a list of row structs, so a page costs one query instead of seven.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    """Rows of one kind: the tables read, the query, and the rows' order."""

    tables: tuple[str, ...]
    select: str
    order: str


def mine(*tables: str) -> str:
    """A ``WITH`` clause naming the account's rows of each table ``my_<table>``.

    DuckDB answers from a table's ``account_id`` index only when that equality
    is the scan's one filter; any other condition turns the lookup into a scan
    of the whole table. Materialized, these rows are found by the index first
    and the rest of the query works on them alone.
    """
    found = [
        f"my_{table} AS MATERIALIZED "
        f"(SELECT * FROM {table} WHERE account_id = $account)"
        for table in dict.fromkeys(tables)
    ]
    return "WITH " + ", ".join(found)


def alone(piece: Piece) -> str:
    """The piece as a statement of its own."""
    return f"{mine(*piece.tables)} {piece.select} ORDER BY {piece.order}"


INVOICE_COLUMNS = """
    invoice_id, invoice_number, currency, amount_minor, open_minor, status,
    invoice_date, due_date, settled_date, dispute_open
"""


def invoices(where: str, order: str) -> Piece:
    """The account's invoices that meet ``where``, in ``order``."""
    return Piece(
        ("invoices",),
        f"SELECT {INVOICE_COLUMNS} FROM my_invoices WHERE {where}",
        order,
    )


BALANCES = Piece(
    ("balances", "invoices"),
    """
    SELECT b.currency, b.open_minor, b.open_invoices,
           b.unapplied_cash_minor, b.unapplied_credit_minor,
           b.balance_minor, coalesce(o.overdue_minor, 0) AS overdue_minor
    FROM my_balances b LEFT JOIN (
        SELECT currency, sum(open_minor) AS overdue_minor
        FROM my_invoices
        WHERE open_minor > 0 AND due_date < $day
        GROUP BY currency
    ) o USING (currency)
    """,
    "currency",
)

CREDITS = Piece(
    ("credit_memos", "payments"),
    """
    SELECT * FROM (
        SELECT 'credit_memo' AS source_kind, credit_memo_id AS source_id,
               credit_memo_number AS reference, currency,
               unapplied_minor, issued_on AS dated, position
        FROM my_credit_memos WHERE unapplied_minor > 0
        UNION ALL
        SELECT 'payment', payment_id, reference, currency, unapplied_minor,
               received_on, position
        FROM my_payments WHERE unapplied_minor > 0
    )
    """,
    "source_kind, dated, position",
)

PAYMENTS = Piece(
    ("payments",),
    """
    SELECT payment_id, currency, amount_minor, unapplied_minor,
           received_on, method, reference
    FROM my_payments
    """,
    "received_on DESC, position DESC",
)

DISPUTES = Piece(
    ("disputes", "invoices"),
    """
    SELECT d.invoice_id, i.invoice_number, d.opened_on, d.reason,
           d.note, d.resolved_on, d.outcome, d.attachment_id,
           d.explanation,
           CASE WHEN d.resolved_on IS NULL AND i.dispute_open
                THEN 'open'
                WHEN d.status = 'rejected' THEN 'rejected'
                ELSE 'resolved' END AS status
    FROM my_disputes d JOIN my_invoices i USING (invoice_id)
    """,
    "d.opened_on DESC, d.position DESC",
)

# A promise is kept once allocations (not write-offs) to its invoices, dated
# from the day it was made to the promised date, reach its amount; broken
# when the promised date has passed without that; open until then.
PROMISES = Piece(
    ("promises", "promise_invoices", "allocations"),
    """
    SELECT p.promise_id, p.made_on, p.promised_date, p.currency,
           p.amount_minor, p.invoice_numbers,
           coalesce(paid.paid_minor, 0) AS paid_minor,
           CASE
               WHEN coalesce(paid.paid_minor, 0) >= p.amount_minor
                   THEN 'kept'
               WHEN p.promised_date < $day THEN 'broken'
               ELSE 'open'
           END AS status
    FROM my_promises p LEFT JOIN (
        SELECT p.promise_id, sum(a.amount_minor) AS paid_minor
        FROM my_promises p
        JOIN my_promise_invoices pi USING (promise_id)
        JOIN my_allocations a ON a.invoice_id = pi.invoice_id
        WHERE a.source_kind <> 'write_off'
          AND a.effective_date BETWEEN p.made_on AND p.promised_date
          AND a.effective_date <= $day
        GROUP BY p.promise_id
    ) paid USING (promise_id)
    """,
    "p.promised_date DESC, p.position DESC",
)


def overview_query(pieces: dict[str, Piece]) -> str:
    """One statement answering every piece: a column per piece, holding its
    rows in order as a list of structs (NULL when it has none).

    Each row is ranked by the piece's own order where its query can still see
    every column that order names, then gathered by that rank.
    """
    tables = [table for piece in pieces.values() for table in piece.tables]
    columns = [
        "(SELECT list(struct_pack(*COLUMNS(* EXCLUDE (_rank))) ORDER BY _rank) "
        f"FROM ({_ranked(piece)})) AS {name}"
        for name, piece in pieces.items()
    ]
    return f"{mine(*tables)} SELECT " + ", ".join(columns)


def _ranked(piece: Piece) -> str:
    select = piece.select.strip()
    assert select.startswith("SELECT "), select
    rank = f"row_number() OVER (ORDER BY {piece.order}) AS _rank"
    return f"SELECT {rank}, {select.removeprefix('SELECT ')}"
