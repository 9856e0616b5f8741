"""SQL that keeps the cadence's read models: messages, their step keys, and
the portal inbox (the messages sent by the portal channel)."""

from __future__ import annotations

from eventsourcing.utils import get_topic

from domain.message import Message

MESSAGE_KINDS = {
    get_topic(cls): name
    for cls, name in [
        (Message.Planned, "Message.Planned"),
        (Message.AttemptFailed, "Message.AttemptFailed"),
        (Message.Sent, "Message.Sent"),
    ]
}

TABLES = {
    "messages": """
        message_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        step VARCHAR NOT NULL,
        delivery VARCHAR NOT NULL,
        language VARCHAR NOT NULL,
        business_date DATE NOT NULL,
        planned_at TIMESTAMP NOT NULL,
        invoices VARCHAR NOT NULL,
        notice VARCHAR,
        status VARCHAR NOT NULL,
        attempts INTEGER NOT NULL,
        retry_at TIMESTAMP,
        last_error VARCHAR,
        sent_on DATE,
        sent_at TIMESTAMP,
        reference VARCHAR,
        position BIGINT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    """,
    "message_keys": """
        key VARCHAR NOT NULL,
        message_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL
    """,
}

INDEXES = [
    "CREATE INDEX IF NOT EXISTS messages_by_account ON messages (account_id)",
    "CREATE INDEX IF NOT EXISTS messages_by_id ON messages (message_id)",
]

_UTC = "::TIMESTAMPTZ::TIMESTAMP"

STATEMENTS = [
    f"""
    INSERT INTO messages BY NAME
    SELECT aggregate_id AS message_id, account_id, step, delivery, language,
           effective_date AS business_date, happened_at{_UTC} AS planned_at,
           invoices::VARCHAR AS invoices, notice::VARCHAR AS notice,
           'planned' AS status, 0 AS attempts, position, recorded_at
    FROM ev WHERE kind = 'Message.Planned'
    """,
    """
    INSERT INTO message_keys BY NAME
    SELECT unnest(keys::VARCHAR[]) AS key, aggregate_id AS message_id, account_id
    FROM ev WHERE kind = 'Message.Planned'
    """,
    f"""
    UPDATE messages SET status = 'failed', attempts = f.attempt,
        last_error = f.reason, retry_at = f.retry_at{_UTC}
    FROM (
        SELECT aggregate_id, max(attempt) AS attempt,
               arg_max(reason, position) AS reason,
               arg_max(retry_at, position) AS retry_at
        FROM ev WHERE kind = 'Message.AttemptFailed' GROUP BY ALL
    ) f
    WHERE messages.message_id = f.aggregate_id
    """,
    f"""
    UPDATE messages SET status = 'sent', attempts = s.attempt,
        sent_on = s.effective_date, sent_at = s.happened_at{_UTC},
        reference = s.reference, retry_at = NULL
    FROM (
        SELECT aggregate_id, attempt, effective_date, happened_at, reference
        FROM ev WHERE kind = 'Message.Sent'
    ) s
    WHERE messages.message_id = s.aggregate_id
    """,
]
