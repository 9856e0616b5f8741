"""SQL for the collections read models: dispute workflow, collector actions,
write-off requests and staff members, from the run's staged events."""

from __future__ import annotations

# The dispute an event of an invoice belongs to: the last one opened before it.
_DISPUTE_OF_EVENT = """
    (SELECT max(d.position) FROM disputes d
     WHERE d.invoice_id = e.aggregate_id AND d.position < e.position)
"""

COLLECTIONS = [
    f"""
    UPDATE disputes SET assignee = s.assignee
    FROM (
        SELECT e.aggregate_id, {_DISPUTE_OF_EVENT} AS dispute_position,
               arg_max(e.assignee, e.position) AS assignee
        FROM ev e WHERE e.kind = 'Invoice.DisputeAssigned' GROUP BY ALL
    ) s
    WHERE disputes.invoice_id = s.aggregate_id
      AND disputes.position = s.dispute_position
    """,
    f"""
    UPDATE disputes SET status = 'in_review', reviewed_on = s.effective_date
    FROM (
        SELECT e.aggregate_id, e.effective_date,
               {_DISPUTE_OF_EVENT} AS dispute_position
        FROM ev e WHERE e.kind = 'Invoice.DisputeTakenIntoReview'
    ) s
    WHERE disputes.invoice_id = s.aggregate_id
      AND disputes.position = s.dispute_position
      AND disputes.resolved_on IS NULL
    """,
    f"""
    UPDATE disputes SET resolved_on = r.effective_date, outcome = r.outcome,
        resolved_recorded_at = r.recorded_at, status = r.status,
        explanation = r.explanation
    FROM (
        SELECT e.aggregate_id, e.effective_date, e.recorded_at,
               CASE WHEN e.kind = 'Invoice.DisputeRejected' THEN 'rejected'
                    ELSE e.outcome END AS outcome,
               CASE WHEN e.kind = 'Invoice.DisputeRejected' THEN 'rejected'
                    ELSE 'resolved' END AS status,
               e.explanation,
               {_DISPUTE_OF_EVENT} AS dispute_position
        FROM ev e
        WHERE e.kind IN ('Invoice.DisputeResolved', 'Invoice.DisputeRejected')
    ) r
    WHERE disputes.invoice_id = r.aggregate_id
      AND disputes.position = r.dispute_position
    """,
    """
    INSERT INTO collector_actions BY NAME
    SELECT position, aggregate_id AS action_id, account_id,
           CASE kind WHEN 'CollectorAction.CallLogged' THEN 'call'
                     WHEN 'CollectorAction.FollowUpScheduled' THEN 'follow_up'
                     ELSE 'escalation' END AS action,
           outcome, coalesce(note, reason, '') AS note, follow_up_on,
           effective_date, actor, recorded_at
    FROM ev WHERE kind LIKE 'CollectorAction.%'
    """,
    """
    INSERT INTO write_off_requests BY NAME
    SELECT e.aggregate_id AS invoice_id, e.account_id, i.invoice_number,
           e.reason, e.actor AS requested_by, e.effective_date AS requested_on,
           e.position
    FROM ev e JOIN invoices i ON i.invoice_id = e.aggregate_id
    WHERE e.kind = 'Invoice.WriteOffRequested'
    """,
    """
    UPDATE write_off_requests SET approved_by = w.actor,
        approved_on = w.effective_date
    FROM ev w
    WHERE w.kind = 'Invoice.WrittenOff'
      AND w.aggregate_id = write_off_requests.invoice_id
      AND w.position > write_off_requests.position
    """,
    """
    INSERT INTO staff BY NAME
    SELECT aggregate_id AS staff_id, name, role, key_hash,
           effective_date AS added_on, position
    FROM ev WHERE kind = 'StaffMember.Added'
    """,
    """
    UPDATE staff SET revoked_on = r.effective_date
    FROM ev r
    WHERE r.kind = 'StaffMember.Revoked' AND r.aggregate_id = staff.staff_id
    """,
]

# What the timeline shows as the detail of a collector's or a dispute's step.
TIMELINE_DETAIL = """
    WHEN 'CollectorAction.CallLogged'
        THEN e.outcome || coalesce(': ' || nullif(e.note, ''), '')
    WHEN 'CollectorAction.FollowUpScheduled'
        THEN e.follow_up_on::VARCHAR || coalesce(': ' || nullif(e.note, ''), '')
    WHEN 'Invoice.DisputeAssigned' THEN e.assignee
    WHEN 'Invoice.DisputeNoted' THEN e.note
    WHEN 'Invoice.DisputeTakenIntoReview' THEN nullif(e.note, '')
    WHEN 'Invoice.DisputeRejected' THEN e.explanation
"""
