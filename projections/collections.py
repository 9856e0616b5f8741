"""The collector's read side: the ranked worklist, the disputes report, small
balances to write off, and staff members by key."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from domain import disputes as rules
from projections._format import Report, iso, money
from projections.queries import LATEST, invoice_state_sql

# How the worklist scores risk, 0 to 100 (docs/collections.md):
# age 30 x min(oldest days past due, 120) / 120; amount 30 x the account's
# place among past-due amounts of its currency (cume_dist, 1 for the largest);
# broken promises 25 x min(broken, 2) / 2; on hold 15.
WORKLIST = f"""
WITH state AS ({invoice_state_sql()}),
owed AS (
    SELECT account_id, customer_id, currency, sum(open_minor) AS open_minor,
           sum(open_minor) FILTER (WHERE due_date < $as_of AND NOT dispute_open)
               AS past_due_minor,
           max($as_of - due_date) FILTER (WHERE due_date < $as_of
                                          AND NOT dispute_open) AS oldest_days
    FROM state WHERE open_minor > 0 GROUP BY ALL
),
paid AS (
    SELECT p.promise_id, sum(a.amount_minor) AS paid_minor
    FROM promises p
    JOIN promise_invoices pi USING (promise_id)
    JOIN allocations a ON a.invoice_id = pi.invoice_id
    WHERE a.source_kind <> 'write_off'
      AND a.effective_date BETWEEN p.made_on AND p.promised_date
      AND a.effective_date <= $as_of
    GROUP BY p.promise_id
),
promise_state AS (
    SELECT p.account_id, p.promised_date,
           CASE WHEN coalesce(paid.paid_minor, 0) >= p.amount_minor THEN 'kept'
                WHEN p.promised_date < $as_of THEN 'broken'
                ELSE 'open' END AS status
    FROM promises p LEFT JOIN paid USING (promise_id)
    WHERE p.made_on <= $as_of
),
promised AS (
    SELECT account_id,
           count(*) FILTER (WHERE status = 'broken') AS broken,
           max(promised_date) FILTER (WHERE status = 'broken') AS last_broken,
           min(promised_date) FILTER (WHERE status = 'open') AS open_until
    FROM promise_state GROUP BY ALL
),
acted AS (
    SELECT account_id,
           max(effective_date) FILTER (WHERE action = 'call') AS last_call,
           arg_max(follow_up_on, position) FILTER (WHERE action = 'follow_up')
               AS follow_up_on,
           arg_max(note, position) FILTER (WHERE action = 'follow_up')
               AS follow_up_note,
           max(effective_date) FILTER (WHERE action = 'escalation')
               AS escalated_on
    FROM collector_actions WHERE effective_date <= $as_of GROUP BY ALL
),
scored AS (
    SELECT o.*, a.name, coalesce(a.on_hold, false) AS on_hold,
           coalesce(p.broken, 0) AS broken, p.last_broken, p.open_until,
           c.last_call, c.follow_up_on, c.follow_up_note, c.escalated_on,
           round(
               30 * least(o.oldest_days, 120) / 120
               + 30 * cume_dist() OVER (PARTITION BY o.currency
                                        ORDER BY o.past_due_minor)
               + 25 * least(coalesce(p.broken, 0), 2) / 2
               + CASE WHEN a.on_hold THEN 15 ELSE 0 END
           )::INTEGER AS risk
    FROM owed o
    JOIN accounts a USING (account_id)
    LEFT JOIN promised p USING (account_id)
    LEFT JOIN acted c USING (account_id)
    WHERE o.past_due_minor > 0
)
SELECT *,
    CASE
        WHEN follow_up_on <= $as_of
             AND follow_up_on >= coalesce(last_call, DATE '1900-01-01')
            THEN 'follow up' || coalesce(': ' || nullif(follow_up_note, ''), '')
        WHEN last_broken >= coalesce(last_call, DATE '1900-01-01')
            THEN 'call about the promise broken on ' || last_broken::VARCHAR
        WHEN open_until IS NOT NULL
            THEN 'wait for the promise of ' || open_until::VARCHAR
        WHEN oldest_days > 60 AND escalated_on IS NULL THEN 'escalate'
        ELSE 'call'
    END AS next_action
FROM scored
WHERE follow_up_on IS NULL OR follow_up_on <= $as_of
   OR follow_up_on < coalesce(last_call, DATE '1900-01-01')
ORDER BY risk DESC, oldest_days DESC, past_due_minor DESC, customer_id, currency
LIMIT $limit
"""

WORKLIST_COLUMNS = [
    "rank",
    "customer_id",
    "name",
    "currency",
    "past_due",
    "open",
    "oldest_days_past_due",
    "broken_promises",
    "on_hold",
    "last_call",
    "risk",
    "next_action",
]

DISPUTE_COLUMNS = [
    "invoice_number",
    "customer_id",
    "currency",
    "open_amount",
    "reason",
    "status",
    "assignee",
    "opened_on",
    "age_business_days",
    "deadline",
    "breached",
    "business_days_over",
]


class CollectionViews:
    """Read-only answers for collectors, from the DuckDB read models."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def worklist(self, as_of: date, limit: int = 50) -> list[dict[str, Any]]:
        """Accounts with amounts past due, the riskiest first, each with its
        next action; an account with a follow-up date still ahead is left out
        until that day."""
        cursor = self.con.execute(
            WORKLIST, {"as_of": as_of, "known_at": LATEST, "limit": limit}
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return [
            {
                "rank": rank,
                "customer_id": r["customer_id"],
                "name": r["name"],
                "currency": r["currency"],
                "past_due": money(r["past_due_minor"], r["currency"]),
                "open": money(r["open_minor"], r["currency"]),
                "oldest_days_past_due": r["oldest_days"],
                "broken_promises": r["broken"],
                "on_hold": r["on_hold"],
                "last_call": iso(r["last_call"]),
                "risk": r["risk"],
                "next_action": r["next_action"],
            }
            for rank, r in enumerate(rows, start=1)
        ]

    def worklist_report(self, as_of: date, limit: int = 50) -> Report:
        rows = self.worklist(as_of, limit)
        return Report(
            WORKLIST_COLUMNS,
            [[row[c] for c in WORKLIST_COLUMNS] for row in rows],
            title=f"Worklist as of {as_of.isoformat()}",
        )

    def disputes(self, as_of: date) -> list[dict[str, Any]]:
        """Disputes open at the end of ``as_of``, with their age and deadline in
        business days; the longest breached first."""
        found = self.con.execute(
            """
            SELECT i.invoice_number, a.customer_id, i.currency, i.open_minor,
                   d.reason, d.assignee, d.opened_on,
                   coalesce(d.reviewed_on <= $as_of, false) AS in_review
            FROM disputes d
            JOIN invoices i USING (invoice_id)
            JOIN accounts a ON a.account_id = d.account_id
            WHERE d.opened_on <= $as_of
              AND (d.resolved_on IS NULL OR d.resolved_on > $as_of)
            """,
            {"as_of": as_of},
        ).fetchall()
        out = []
        for number, customer, cur, open_, reason, assignee, opened, review in found:
            due = rules.deadline(opened, reason)
            out.append(
                {
                    "invoice_number": number,
                    "customer_id": customer,
                    "currency": cur,
                    "open_amount": money(open_, cur),
                    "reason": reason,
                    "status": "in_review" if review else "open",
                    "assignee": assignee or "",
                    "opened_on": opened.isoformat(),
                    "age_business_days": rules.business_days_between(opened, as_of),
                    "deadline": due.isoformat(),
                    "breached": as_of > due,
                    "business_days_over": rules.business_days_between(due, as_of),
                }
            )
        out.sort(
            key=lambda r: (-r["business_days_over"], r["deadline"], r["invoice_number"])
        )
        return out

    def disputes_report(self, as_of: date) -> Report:
        rows = self.disputes(as_of)
        return Report(
            DISPUTE_COLUMNS,
            [[row[c] for c in DISPUTE_COLUMNS] for row in rows],
            title=f"Open disputes as of {as_of.isoformat()}",
        )

    def small_balances(
        self, as_of: date, thresholds: dict[str, int]
    ) -> list[dict[str, Any]]:
        """Open invoices past due whose open amount (minor units) is above zero
        and below their currency's threshold, not disputed, and not reduced
        after ``as_of``."""
        if not thresholds:
            return []
        found = self.con.execute(
            """
            SELECT i.invoice_number, i.currency, i.open_minor, t.below
            FROM invoices i
            JOIN (SELECT unnest($codes) AS code, unnest($limits) AS below) t
              ON t.code = i.currency
            WHERE i.open_minor > 0 AND i.open_minor < t.below
              AND i.due_date < $as_of AND NOT i.dispute_open
              AND coalesce(i.last_reduced_on, i.invoice_date) <= $as_of
            ORDER BY i.invoice_number
            """,
            {
                "codes": list(thresholds),
                "limits": list(thresholds.values()),
                "as_of": as_of,
            },
        ).fetchall()
        return [
            {
                "invoice_number": number,
                "currency": cur,
                "open_amount": money(open_, cur),
                "threshold": money(below, cur),
            }
            for number, cur, open_, below in found
        ]

    def staff_by_key_hash(self, key_hash: str) -> dict[str, Any] | None:
        """The staff member whose unrevoked key has this hash."""
        found = self.con.execute(
            "SELECT staff_id, name, role FROM staff "
            "WHERE key_hash = ? AND revoked_on IS NULL",
            [key_hash],
        ).fetchone()
        if found is None:
            return None
        return {"staff_id": found[0], "name": found[1], "role": found[2]}

    def staff(self) -> Report:
        rows = self.con.execute(
            "SELECT name, role, added_on, revoked_on FROM staff ORDER BY name"
        ).fetchall()
        return Report(
            ["name", "role", "added_on", "revoked_on"],
            [[n, r, iso(a), iso(v)] for n, r, a, v in rows],
            title="Staff",
        )
