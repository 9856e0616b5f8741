"""SQL that turns a run of stored events into read-model rows, inside DuckDB.

Events arrive as an Arrow table (position, topic, aggregate_id, version,
state as JSON text). DuckDB parses the JSON and writes every table with set
operations, so no event is handled one by one in Python.
"""

from __future__ import annotations

from babel.numbers import get_currency_precision, list_currencies
from eventsourcing.utils import get_topic

from domain.account import Account
from domain.collector_action import CollectorAction
from domain.credit_memo import CreditMemo
from domain.invoice import Invoice
from domain.payment import Payment
from domain.promise import PromiseToPay
from domain.staff import StaffMember
from projections import _collections, _policies
from projections._messages import MESSAGE_KINDS
from projections._messages import STATEMENTS as MESSAGE_STATEMENTS

EVENT_KINDS = {
    get_topic(cls): name
    for cls, name in [
        (Account.Opened, "Account.Opened"),
        (Account.DeliveryPreferenceChanged, "Account.DeliveryPreferenceChanged"),
        (Invoice.Issued, "Invoice.Issued"),
        (Invoice.AllocationApplied, "Invoice.AllocationApplied"),
        (Invoice.Disputed, "Invoice.Disputed"),
        (Invoice.DisputeResolved, "Invoice.DisputeResolved"),
        (Invoice.WrittenOff, "Invoice.WrittenOff"),
        (Invoice.Sent, "Invoice.Sent"),
        (Payment.Received, "Payment.Received"),
        (Payment.Allocated, "Payment.Allocated"),
        (CreditMemo.Issued, "CreditMemo.Issued"),
        (CreditMemo.Allocated, "CreditMemo.Allocated"),
        (Account.LanguageChanged, "Account.LanguageChanged"),
        (Account.PaymentMethodSaved, "Account.PaymentMethodSaved"),
        (Account.DefaultPaymentMethodChosen, "Account.DefaultPaymentMethodChosen"),
        (Account.PaymentMethodRemoved, "Account.PaymentMethodRemoved"),
        (Account.EffortScoreGiven, "Account.EffortScoreGiven"),
        (PromiseToPay.Made, "PromiseToPay.Made"),
        (Account.TermsChanged, "Account.TermsChanged"),
        (Account.EarlyPaymentDiscountGranted, "Account.EarlyPaymentDiscountGranted"),
        (
            Account.EarlyPaymentDiscountWithdrawn,
            "Account.EarlyPaymentDiscountWithdrawn",
        ),
        (Account.CreditLimitChanged, "Account.CreditLimitChanged"),
        (Account.PutOnHold, "Account.PutOnHold"),
        (Account.ReleasedFromHold, "Account.ReleasedFromHold"),
        (Account.TimeZoneChanged, "Account.TimeZoneChanged"),
        (Account.ContactSet, "Account.ContactSet"),
        (Invoice.DisputeAssigned, "Invoice.DisputeAssigned"),
        (Invoice.DisputeNoted, "Invoice.DisputeNoted"),
        (Invoice.DisputeTakenIntoReview, "Invoice.DisputeTakenIntoReview"),
        (Invoice.DisputeRejected, "Invoice.DisputeRejected"),
        (Invoice.WriteOffRequested, "Invoice.WriteOffRequested"),
        (CollectorAction.CallLogged, "CollectorAction.CallLogged"),
        (CollectorAction.FollowUpScheduled, "CollectorAction.FollowUpScheduled"),
        (CollectorAction.Escalated, "CollectorAction.Escalated"),
        (StaffMember.Added, "StaffMember.Added"),
        (StaffMember.Revoked, "StaffMember.Revoked"),
    ]
} | MESSAGE_KINDS


def currency_scales() -> list[tuple[str, int]]:
    """Each ISO 4217 code with 10 to the power of its minor units."""
    return [(code, 10 ** get_currency_precision(code)) for code in list_currencies()]


SETUP = [
    "CREATE OR REPLACE TEMP TABLE event_kinds (topic VARCHAR, kind VARCHAR)",
    "CREATE OR REPLACE TEMP TABLE currency_scales (code VARCHAR, scale DECIMAL(38, 0))",
]

# Every field any event type carries; each event's JSON is parsed once.
FIELDS = {
    "account_id": "VARCHAR",
    "effective_date": "DATE",
    "timestamp": "VARCHAR",
    "actor": "VARCHAR",
    "channel": "VARCHAR",
    "correlation_id": "VARCHAR",
    "number": "VARCHAR",
    "name": "VARCHAR",
    "country": "VARCHAR",
    "currency": "VARCHAR",
    "net_days": "INTEGER",
    "credit_limit": "VARCHAR",
    "delivery": "VARCHAR",
    "language": "VARCHAR",
    "contacts": "JSON",
    "amount": "VARCHAR",
    "issue_date": "DATE",
    "due_date": "DATE",
    "source_id": "VARCHAR",
    "source_kind": "VARCHAR",
    "reason": "VARCHAR",
    "note": "VARCHAR",
    "outcome": "VARCHAR",
    "method": "VARCHAR",
    "reference": "VARCHAR",
    "invoice_id": "VARCHAR",
    "invoice_number": "VARCHAR",
    "attachment_id": "VARCHAR",
    "promised_date": "DATE",
    "invoice_ids": "JSON",
    "invoice_numbers": "JSON",
    "method_id": "VARCHAR",
    "token": "VARCHAR",
    "kind": "VARCHAR",
    "brand": "VARCHAR",
    "last4": "VARCHAR",
    "expiry_month": "INTEGER",
    "expiry_year": "INTEGER",
    "score": "INTEGER",
    "payment_id": "VARCHAR",
    "terms": "VARCHAR",
    "end_of_month": "BOOLEAN",
    "discount_percent": "VARCHAR",
    "discount_until": "DATE",
    "percent": "VARCHAR",
    "days": "INTEGER",
    "hold_type": "VARCHAR",
    "time_zone": "VARCHAR",
    "role": "VARCHAR",
    "email": "VARCHAR",
    "address_lines": "JSON",
    "assignee": "VARCHAR",
    "explanation": "VARCHAR",
    "follow_up_on": "DATE",
    "key_hash": "VARCHAR",
    "step": "VARCHAR",
    "keys": "JSON",
    "invoices": "JSON",
    "notice": "JSON",
    "attempt": "INTEGER",
    "happened_at": "VARCHAR",
    "retry_at": "VARCHAR",
}

# Event fields whose names the staged table uses for something else.
_RENAMED = {"kind": "method_kind"}

_COLUMNS = ", ".join(
    f"n.d.{name} AS {_RENAMED.get(name, name)}"
    for name in FIELDS
    if name not in ("timestamp", "amount")
)
_STRUCTURE = "{" + ", ".join(f'"{k}": "{v}"' for k, v in FIELDS.items()) + "}"

STAGE = f"""
CREATE OR REPLACE TEMP TABLE ev AS
SELECT n.position, k.kind, n.aggregate_id::UUID::VARCHAR AS aggregate_id,
       n.version, {_COLUMNS},
       n.d.timestamp::TIMESTAMPTZ::TIMESTAMP AS recorded_at,
       CAST(n.d.amount::DECIMAL(38, 6) * s.scale AS BIGINT) AS amount_minor
FROM (
    SELECT *, json_transform(state, '{_STRUCTURE}') AS d FROM new_events
) n
JOIN event_kinds k USING (topic)
LEFT JOIN currency_scales s ON s.code = n.d.currency
"""

_DETAIL = f"CASE e.kind {_policies.TIMELINE_DETAIL} {_collections.TIMELINE_DETAIL} END"

INSERTS = [
    """
    INSERT INTO accounts BY NAME
    SELECT aggregate_id AS account_id, number AS customer_id,
           name AS name, country AS country, currency,
           (net_days)::INTEGER AS net_days,
           'net ' || net_days::VARCHAR AS terms, false AS end_of_month,
           false AS on_hold,
           credit_limit AS credit_limit, delivery AS delivery,
           language AS language, contacts::VARCHAR AS contacts,
           effective_date AS opened_on, position, recorded_at
    FROM ev WHERE kind = 'Account.Opened'
    """,
    """
    UPDATE accounts SET delivery = c.delivery
    FROM (
        SELECT aggregate_id, arg_max(delivery, position) AS delivery
        FROM ev WHERE kind = 'Account.DeliveryPreferenceChanged' GROUP BY ALL
    ) c
    WHERE accounts.account_id = c.aggregate_id
    """,
    """
    INSERT INTO account_contacts BY NAME
    SELECT aggregate_id AS account_id, c.role, coalesce(c.name, '') AS name,
           coalesce(c.email, '') AS email,
           coalesce(c.address_lines, []::VARCHAR[]) AS address_lines, position
    FROM (
        SELECT aggregate_id, position,
               unnest(from_json(contacts, '[{"role": "VARCHAR",
                   "name": "VARCHAR", "email": "VARCHAR",
                   "address_lines": ["VARCHAR"]}]')) AS c
        FROM ev WHERE kind = 'Account.Opened'
    )
    """,
    """
    INSERT INTO invoices BY NAME
    SELECT e.aggregate_id AS invoice_id, e.number AS invoice_number,
           e.account_id, a.customer_id, a.country, e.currency, e.amount_minor,
           e.amount_minor AS open_minor, 'open' AS status,
           e.terms, e.discount_percent, e.discount_until,
           (e.issue_date)::DATE AS invoice_date,
           (e.due_date)::DATE AS due_date,
           false AS disputed, false AS dispute_open, false AS written_off,
           e.delivery AS delivery, e.position, e.recorded_at
    FROM ev e JOIN accounts a USING (account_id)
    WHERE e.kind = 'Invoice.Issued'
    """,
    """
    INSERT INTO payments BY NAME
    SELECT aggregate_id AS payment_id, account_id, currency, amount_minor,
           amount_minor AS unapplied_minor, effective_date AS received_on,
           method AS method, reference AS reference,
           position, recorded_at
    FROM ev WHERE kind = 'Payment.Received'
    """,
    """
    INSERT INTO credit_memos BY NAME
    SELECT aggregate_id AS credit_memo_id, number AS credit_memo_number,
           account_id, currency, amount_minor, amount_minor AS unapplied_minor,
           effective_date AS issued_on, reason AS reason,
           position, recorded_at
    FROM ev WHERE kind = 'CreditMemo.Issued'
    """,
    """
    CREATE OR REPLACE TEMP TABLE new_allocations AS
    SELECT position, aggregate_id AS invoice_id, account_id,
           CASE WHEN kind = 'Invoice.WrittenOff' THEN 'write_off'
                ELSE source_kind END AS source_kind,
           CASE WHEN kind = 'Invoice.WrittenOff' THEN aggregate_id
                ELSE source_id END AS source_id,
           currency, amount_minor, effective_date, recorded_at
    FROM ev WHERE kind IN ('Invoice.AllocationApplied', 'Invoice.WrittenOff')
    """,
    "INSERT INTO allocations BY NAME SELECT * FROM new_allocations",
    """
    INSERT INTO disputes BY NAME
    SELECT aggregate_id AS invoice_id, account_id, effective_date AS opened_on,
           reason AS reason, note AS note, position,
           recorded_at, attachment_id, 'open' AS status
    FROM ev WHERE kind = 'Invoice.Disputed'
    """,
    *_collections.COLLECTIONS,
    """
    UPDATE accounts SET language = c.language
    FROM (
        SELECT aggregate_id, arg_max(language, position) AS language
        FROM ev WHERE kind = 'Account.LanguageChanged' GROUP BY ALL
    ) c
    WHERE accounts.account_id = c.aggregate_id
    """,
    *_policies.ACCOUNT_POLICIES,
    """
    INSERT INTO promises BY NAME
    SELECT aggregate_id AS promise_id, account_id, effective_date AS made_on,
           promised_date, currency, amount_minor,
           array_to_string(invoice_numbers::VARCHAR[], ', ') AS invoice_numbers,
           position, recorded_at
    FROM ev WHERE kind = 'PromiseToPay.Made'
    """,
    """
    INSERT INTO promise_invoices BY NAME
    SELECT aggregate_id AS promise_id,
           unnest(invoice_ids::VARCHAR[]) AS invoice_id, account_id
    FROM ev WHERE kind = 'PromiseToPay.Made'
    """,
    """
    INSERT INTO payment_methods BY NAME
    SELECT method_id, account_id, token, method_kind AS kind, brand, last4,
           expiry_month, expiry_year, false AS is_default,
           effective_date AS saved_on, position, recorded_at
    FROM ev WHERE kind = 'Account.PaymentMethodSaved'
    """,
    """
    DELETE FROM payment_methods p USING ev r
    WHERE r.kind = 'Account.PaymentMethodRemoved'
      AND r.account_id = p.account_id AND r.method_id = p.method_id
      AND r.position > p.position
    """,
    """
    UPDATE payment_methods SET is_default = payment_methods.method_id = c.method_id
    FROM (
        SELECT account_id, arg_max(method_id, position) AS method_id
        FROM ev WHERE kind = 'Account.DefaultPaymentMethodChosen' GROUP BY ALL
    ) c
    WHERE payment_methods.account_id = c.account_id
    """,
    """
    INSERT INTO effort_scores BY NAME
    SELECT e.account_id, a.country, e.payment_id, e.score, e.effective_date,
           e.position, e.recorded_at
    FROM ev e JOIN accounts a USING (account_id)
    WHERE e.kind = 'Account.EffortScoreGiven'
    """,
    f"""
    INSERT INTO timeline BY NAME
    SELECT e.position, e.account_id,
           CASE WHEN e.kind LIKE 'Invoice.%' THEN e.aggregate_id
                ELSE e.invoice_id END AS invoice_id,
           e.aggregate_id, e.version AS aggregate_version, e.kind AS event_type,
           e.effective_date, e.recorded_at, e.currency, e.amount_minor,
           coalesce(e.number, e.invoice_number,
                    i.invoice_number, nullif(e.reference, ''))
               AS reference,
           coalesce({_DETAIL}, e.reason, e.outcome, e.method,
                    e.source_kind, e.step, e.delivery, e.language, e.method_kind,
                    e.score::VARCHAR) AS detail,
           e.actor AS actor, e.channel AS channel,
           e.correlation_id AS correlation_id
    FROM ev e
    LEFT JOIN invoices i
      ON e.kind LIKE 'Invoice.%' AND i.invoice_id = e.aggregate_id
    WHERE e.account_id IS NOT NULL
    """,
    *MESSAGE_STATEMENTS,
]

UPDATES = [
    # Recomputed from every allocation so far, not adjusted by the run's
    # share: the log may hold an invoice's allocation before the payment
    # that made it, and a run may end between the two.
    """
    UPDATE invoices SET
        open_minor = invoices.amount_minor - d.total,
        written_off = d.written_off,
        last_reduced_on = d.last_on
    FROM (
        SELECT invoice_id, sum(amount_minor) AS total,
               max(effective_date) AS last_on,
               bool_or(source_kind = 'write_off') AS written_off
        FROM allocations
        WHERE invoice_id IN (SELECT invoice_id FROM new_allocations)
        GROUP BY invoice_id
    ) d
    WHERE invoices.invoice_id = d.invoice_id
    """,
    """
    UPDATE payments SET unapplied_minor = payments.amount_minor - d.total
    FROM (
        SELECT source_id, sum(amount_minor) AS total FROM allocations
        WHERE source_kind = 'payment' AND source_id IN (
            SELECT source_id FROM new_allocations
            UNION SELECT aggregate_id FROM ev WHERE kind = 'Payment.Received'
        )
        GROUP BY source_id
    ) d
    WHERE payments.payment_id = d.source_id
    """,
    """
    UPDATE credit_memos
    SET unapplied_minor = credit_memos.amount_minor - d.total
    FROM (
        SELECT source_id, sum(amount_minor) AS total FROM allocations
        WHERE source_kind = 'credit_memo' AND source_id IN (
            SELECT source_id FROM new_allocations
            UNION SELECT aggregate_id FROM ev WHERE kind = 'CreditMemo.Issued'
        )
        GROUP BY source_id
    ) d
    WHERE credit_memos.credit_memo_id = d.source_id
    """,
    # The last dispute event of the run decides whether a dispute is open.
    """
    UPDATE invoices SET dispute_open = s.dispute_open,
        disputed = invoices.disputed OR s.ever_disputed
    FROM (
        SELECT aggregate_id,
               arg_max(kind = 'Invoice.Disputed', position) AS dispute_open,
               bool_or(kind = 'Invoice.Disputed') AS ever_disputed
        FROM ev WHERE kind IN ('Invoice.Disputed', 'Invoice.DisputeResolved',
                               'Invoice.DisputeRejected')
        GROUP BY aggregate_id
    ) s
    WHERE invoices.invoice_id = s.aggregate_id
    """,
    """
    UPDATE invoices SET
        dispute_open = dispute_open AND open_minor > 0,
        settled_date = CASE WHEN open_minor = 0 THEN last_reduced_on END,
        status = CASE
            WHEN written_off AND open_minor = 0 THEN 'written_off'
            WHEN open_minor = 0 THEN 'paid'
            WHEN dispute_open AND open_minor > 0 THEN 'disputed'
            WHEN open_minor < amount_minor THEN 'partially_paid'
            ELSE 'open'
        END
    WHERE invoice_id IN (
        SELECT aggregate_id FROM ev WHERE kind LIKE 'Invoice.%'
    )
    """,
    """
    CREATE OR REPLACE TEMP TABLE touched AS
    SELECT account_id FROM ev UNION SELECT account_id FROM new_allocations
    """,
    "DELETE FROM balances WHERE account_id IN (SELECT account_id FROM touched)",
    """
    INSERT INTO balances BY NAME
    WITH
    open_items AS (
        SELECT account_id, currency, sum(open_minor) AS open_minor,
               count(*) FILTER (WHERE open_minor > 0) AS open_invoices
        FROM invoices WHERE account_id IN (SELECT account_id FROM touched)
        GROUP BY ALL
    ),
    cash AS (
        SELECT account_id, currency, sum(unapplied_minor) AS cash
        FROM payments WHERE account_id IN (SELECT account_id FROM touched)
        GROUP BY ALL
    ),
    credit AS (
        SELECT account_id, currency, sum(unapplied_minor) AS credit
        FROM credit_memos WHERE account_id IN (SELECT account_id FROM touched)
        GROUP BY ALL
    ),
    keys AS (
        SELECT account_id, currency FROM open_items
        UNION SELECT account_id, currency FROM cash
        UNION SELECT account_id, currency FROM credit
    )
    SELECT k.account_id, k.currency,
           coalesce(o.open_minor, 0) AS open_minor,
           coalesce(o.open_invoices, 0) AS open_invoices,
           coalesce(c.cash, 0) AS unapplied_cash_minor,
           coalesce(r.credit, 0) AS unapplied_credit_minor,
           coalesce(o.open_minor, 0) - coalesce(c.cash, 0) - coalesce(r.credit, 0)
               AS balance_minor
    FROM keys k
    LEFT JOIN open_items o USING (account_id, currency)
    LEFT JOIN cash c USING (account_id, currency)
    LEFT JOIN credit r USING (account_id, currency)
    """,
]

# The accounts whose rows a run may have changed; a NULL when an event that
# may concern an account names none.
ACCOUNTS_CHANGED = """
SELECT account_id FROM ev WHERE kind NOT LIKE 'StaffMember.%'
UNION SELECT aggregate_id FROM ev WHERE kind LIKE 'Account.%'
UNION SELECT account_id FROM new_allocations
"""
