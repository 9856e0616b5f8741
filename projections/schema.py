"""The tables of the DuckDB read models.

Amounts are whole minor units (BIGINT) beside their currency code; ids are the
canonical UUID strings of the event log; ``recorded_at`` is the event's
recorded time in UTC and ``position`` its place in the log.
"""

from projections._messages import INDEXES as MESSAGE_INDEXES
from projections._messages import TABLES as MESSAGE_TABLES

TABLES = {
    "projection_position": """
        name VARCHAR NOT NULL,
        position BIGINT NOT NULL
    """,
    "accounts": """
        account_id VARCHAR NOT NULL,
        customer_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        country VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        net_days INTEGER NOT NULL,
        credit_limit VARCHAR,
        delivery VARCHAR NOT NULL,
        language VARCHAR NOT NULL,
        contacts VARCHAR NOT NULL,
        opened_on DATE NOT NULL,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        terms VARCHAR,
        end_of_month BOOLEAN,
        discount_percent VARCHAR,
        discount_days INTEGER,
        discount_reason VARCHAR,
        on_hold BOOLEAN,
        hold_type VARCHAR,
        hold_reason VARCHAR,
        time_zone VARCHAR
    """,
    "account_contacts": """
        account_id VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        email VARCHAR NOT NULL,
        address_lines VARCHAR[] NOT NULL,
        position BIGINT NOT NULL
    """,
    "invoices": """
        invoice_id VARCHAR NOT NULL,
        invoice_number VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        customer_id VARCHAR NOT NULL,
        country VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        amount_minor BIGINT NOT NULL,
        open_minor BIGINT NOT NULL,
        status VARCHAR NOT NULL,
        invoice_date DATE NOT NULL,
        due_date DATE NOT NULL,
        last_reduced_on DATE,
        settled_date DATE,
        disputed BOOLEAN NOT NULL,
        dispute_open BOOLEAN NOT NULL,
        written_off BOOLEAN NOT NULL,
        delivery VARCHAR NOT NULL,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        terms VARCHAR,
        discount_percent VARCHAR,
        discount_until DATE
    """,
    "allocations": """
        position BIGINT NOT NULL,
        invoice_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        source_kind VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        amount_minor BIGINT NOT NULL,
        effective_date DATE NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    """,
    "payments": """
        payment_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        amount_minor BIGINT NOT NULL,
        unapplied_minor BIGINT NOT NULL,
        received_on DATE NOT NULL,
        method VARCHAR NOT NULL,
        reference VARCHAR NOT NULL,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    """,
    "credit_memos": """
        credit_memo_id VARCHAR NOT NULL,
        credit_memo_number VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        amount_minor BIGINT NOT NULL,
        unapplied_minor BIGINT NOT NULL,
        issued_on DATE NOT NULL,
        reason VARCHAR NOT NULL,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    """,
    "disputes": """
        invoice_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        opened_on DATE NOT NULL,
        reason VARCHAR NOT NULL,
        note VARCHAR NOT NULL,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        resolved_on DATE,
        outcome VARCHAR,
        resolved_recorded_at TIMESTAMP,
        attachment_id VARCHAR,
        status VARCHAR,
        assignee VARCHAR,
        reviewed_on DATE,
        explanation VARCHAR
    """,
    "collector_actions": """
        position BIGINT NOT NULL,
        action_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        outcome VARCHAR,
        note VARCHAR NOT NULL,
        follow_up_on DATE,
        effective_date DATE NOT NULL,
        actor VARCHAR NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    """,
    "write_off_requests": """
        invoice_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        invoice_number VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        requested_by VARCHAR NOT NULL,
        requested_on DATE NOT NULL,
        position BIGINT NOT NULL,
        approved_by VARCHAR,
        approved_on DATE
    """,
    "staff": """
        staff_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        key_hash VARCHAR NOT NULL,
        added_on DATE NOT NULL,
        revoked_on DATE,
        position BIGINT NOT NULL
    """,
    "promises": """
        promise_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        made_on DATE NOT NULL,
        promised_date DATE NOT NULL,
        currency VARCHAR NOT NULL,
        amount_minor BIGINT NOT NULL,
        invoice_numbers VARCHAR NOT NULL,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    """,
    "promise_invoices": """
        promise_id VARCHAR NOT NULL,
        invoice_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL
    """,
    "payment_methods": """
        method_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        token VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        brand VARCHAR NOT NULL,
        last4 VARCHAR NOT NULL,
        expiry_month INTEGER,
        expiry_year INTEGER,
        is_default BOOLEAN NOT NULL,
        saved_on DATE NOT NULL,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    """,
    "effort_scores": """
        account_id VARCHAR NOT NULL,
        country VARCHAR NOT NULL,
        payment_id VARCHAR NOT NULL,
        score INTEGER NOT NULL,
        effective_date DATE NOT NULL,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    """,
    "balances": """
        account_id VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        open_minor BIGINT NOT NULL,
        open_invoices BIGINT NOT NULL,
        unapplied_cash_minor BIGINT NOT NULL,
        unapplied_credit_minor BIGINT NOT NULL,
        balance_minor BIGINT NOT NULL
    """,
    "timeline": """
        position BIGINT NOT NULL,
        account_id VARCHAR NOT NULL,
        invoice_id VARCHAR,
        aggregate_id VARCHAR NOT NULL,
        aggregate_version INTEGER NOT NULL,
        event_type VARCHAR NOT NULL,
        effective_date DATE NOT NULL,
        recorded_at TIMESTAMP NOT NULL,
        currency VARCHAR,
        amount_minor BIGINT,
        reference VARCHAR,
        detail VARCHAR,
        actor VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        correlation_id VARCHAR NOT NULL
    """,
    **MESSAGE_TABLES,
}

READ_MODELS = [name for name in TABLES if name != "projection_position"]

# The portal reads one account at a time: these keep its lookups off full scans.
INDEXED_BY_ACCOUNT = [
    "accounts",
    "account_contacts",
    "invoices",
    "payments",
    "credit_memos",
    "balances",
    "disputes",
    "collector_actions",
    "allocations",
    "promises",
]

# Columns added after a table was first released, so older files gain them.
ADDED_COLUMNS = [
    ("disputes", "attachment_id", "VARCHAR"),
    ("disputes", "status", "VARCHAR"),
    ("disputes", "assignee", "VARCHAR"),
    ("disputes", "reviewed_on", "DATE"),
    ("disputes", "explanation", "VARCHAR"),
    ("accounts", "terms", "VARCHAR"),
    ("accounts", "end_of_month", "BOOLEAN"),
    ("accounts", "discount_percent", "VARCHAR"),
    ("accounts", "discount_days", "INTEGER"),
    ("accounts", "discount_reason", "VARCHAR"),
    ("accounts", "on_hold", "BOOLEAN"),
    ("accounts", "hold_type", "VARCHAR"),
    ("accounts", "hold_reason", "VARCHAR"),
    ("accounts", "time_zone", "VARCHAR"),
    ("invoices", "terms", "VARCHAR"),
    ("invoices", "discount_percent", "VARCHAR"),
    ("invoices", "discount_until", "DATE"),
]


def create_statements() -> list[str]:
    tables = [
        f"CREATE TABLE IF NOT EXISTS {name} ({columns})"
        for name, columns in TABLES.items()
    ]
    added = [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}"
        for table, column, kind in ADDED_COLUMNS
    ]
    indexes = [
        f"CREATE INDEX IF NOT EXISTS {table}_by_account ON {table} (account_id)"
        for table in INDEXED_BY_ACCOUNT
    ]
    return tables + added + indexes + MESSAGE_INDEXES
