"""SQL that keeps each account's policies (terms, discount, credit limit, hold,
time zone, contacts) on its ``accounts`` row, from the run's staged events.

For every policy the last event of the run decides, so a run of any length
gives the same row as applying its events one by one.
"""

from __future__ import annotations


def _latest(kinds: str, fields: str) -> str:
    """Per account, a struct of ``fields`` from its last event of ``kinds``."""
    return f"""
        SELECT aggregate_id, arg_max({{{fields}}}, position) AS p
        FROM ev WHERE kind IN ({kinds}) GROUP BY ALL
    """


ACCOUNT_POLICIES = [
    f"""
    UPDATE accounts SET terms = c.p.terms, net_days = c.p.net_days,
        end_of_month = c.p.end_of_month
    FROM ({
        _latest(
            "'Account.TermsChanged'",
            "'terms': terms, 'net_days': net_days, 'end_of_month': end_of_month",
        )
    }) c
    WHERE accounts.account_id = c.aggregate_id
    """,
    f"""
    UPDATE accounts SET discount_percent = c.p.percent,
        discount_days = c.p.days, discount_reason = c.p.reason
    FROM ({
        _latest(
            "'Account.EarlyPaymentDiscountGranted', "
            "'Account.EarlyPaymentDiscountWithdrawn'",
            "'percent': percent, 'days': days, "
            "'reason': CASE WHEN percent IS NOT NULL THEN reason END",
        )
    }) c
    WHERE accounts.account_id = c.aggregate_id
    """,
    f"""
    UPDATE accounts SET credit_limit = c.p.credit_limit
    FROM ({_latest("'Account.CreditLimitChanged'", "'credit_limit': credit_limit")}) c
    WHERE accounts.account_id = c.aggregate_id
    """,
    f"""
    UPDATE accounts SET on_hold = c.p.on_hold, hold_type = c.p.hold_type,
        hold_reason = c.p.reason
    FROM ({
        _latest(
            "'Account.PutOnHold', 'Account.ReleasedFromHold'",
            "'on_hold': kind = 'Account.PutOnHold', 'hold_type': hold_type, "
            "'reason': CASE WHEN kind = 'Account.PutOnHold' THEN reason END",
        )
    }) c
    WHERE accounts.account_id = c.aggregate_id
    """,
    f"""
    UPDATE accounts SET time_zone = c.p.time_zone
    FROM ({_latest("'Account.TimeZoneChanged'", "'time_zone': time_zone")}) c
    WHERE accounts.account_id = c.aggregate_id
    """,
    """
    CREATE OR REPLACE TEMP TABLE new_contacts AS
    SELECT aggregate_id AS account_id, role,
           arg_max({'name': name, 'email': email,
                    'lines': from_json(address_lines, '["VARCHAR"]')},
                   position) AS c,
           max(position) AS position
    FROM ev WHERE kind = 'Account.ContactSet' GROUP BY ALL
    """,
    """
    DELETE FROM account_contacts USING new_contacts n
    WHERE account_contacts.account_id = n.account_id
      AND account_contacts.role = n.role
    """,
    """
    INSERT INTO account_contacts BY NAME
    SELECT account_id, role, c.name AS name, c.email AS email,
           c.lines AS address_lines, position
    FROM new_contacts
    """,
    # The contacts column keeps the shape the portal reads: a JSON list.
    """
    UPDATE accounts SET contacts = c.contacts
    FROM (
        SELECT account_id,
               to_json(list({'role': role, 'name': name, 'email': email,
                             'address_lines': address_lines}
                            ORDER BY role))::VARCHAR AS contacts
        FROM account_contacts
        WHERE account_id IN (SELECT account_id FROM new_contacts)
        GROUP BY ALL
    ) c
    WHERE accounts.account_id = c.account_id
    """,
]

# What the timeline shows as the detail of a policy change.
TIMELINE_DETAIL = """
        WHEN 'Account.TermsChanged' THEN e.terms
        WHEN 'Account.EarlyPaymentDiscountGranted'
            THEN e.percent || '%/' || e.days || ': ' || e.reason
        WHEN 'Account.CreditLimitChanged'
            THEN coalesce(e.credit_limit || ' ' || e.currency, 'no limit')
        WHEN 'Account.TimeZoneChanged' THEN e.time_zone
        WHEN 'Account.ContactSet' THEN e.role
"""
