"""The set-based SQL of the cadence: which accounts are reachable now, and
which steps their invoices have reached (``domain.cadence`` in SQL).

Inputs the scheduler registers as Arrow tables:
``cadence_rules`` (priority, segment, countries, deliveries, sizes,
languages, recent_days), ``cadence_steps`` (segment, step, day_offset),
``country_zones`` (country, zone) and ``zone_clock`` (zone, local_date, open).
"""

ACCOUNTS = """
CREATE OR REPLACE TEMP TABLE cadence_accounts AS
WITH issued AS (
    SELECT account_id, count(*) AS issued FROM invoices GROUP BY account_id
),
sized AS (
    SELECT a.account_id, a.customer_id, a.country, a.delivery, a.language,
           CASE WHEN coalesce(s.issued, 0) >= $large THEN 'large'
                WHEN coalesce(s.issued, 0) >= $medium THEN 'medium'
                ELSE 'small' END AS size,
           coalesce({own_zone}, cz.zone, 'UTC') AS zone
    FROM accounts a
    LEFT JOIN issued s USING (account_id)
    LEFT JOIN country_zones cz ON cz.country = a.country
),
segmented AS (
    SELECT s.account_id, arg_min(r.segment, r.priority) AS segment
    FROM sized s, cadence_rules r
    WHERE (r.countries IS NULL OR list_contains(r.countries, s.country))
      AND (r.deliveries IS NULL OR list_contains(r.deliveries, s.delivery))
      AND (r.sizes IS NULL OR list_contains(r.sizes, s.size))
      AND (r.languages IS NULL OR list_contains(r.languages, s.language))
    GROUP BY s.account_id
)
SELECT s.*, g.segment, r.recent_days, z.local_date AS day
FROM sized s
JOIN segmented g USING (account_id)
JOIN cadence_rules r ON r.segment = g.segment
JOIN zone_clock z ON z.zone = s.zone AND z.open
"""

# One row per invoice and step due: the chain step each open, unpaused
# invoice has reached, and the answers to recent events.
DUE = """
CREATE OR REPLACE TEMP TABLE cadence_due AS
WITH
promised AS (
    SELECT DISTINCT pi.invoice_id
    FROM promises p
    JOIN promise_invoices pi USING (promise_id)
    JOIN cadence_accounts c ON c.account_id = p.account_id
    WHERE p.made_on <= c.day AND c.day <= p.promised_date
),
covered AS (
    SELECT account_id, currency FROM balances WHERE balance_minor <= 0
),
chain AS (
    SELECT i.account_id, i.invoice_id, i.invoice_number, i.currency,
           i.amount_minor, i.open_minor, i.invoice_date, i.due_date,
           c.customer_id, c.segment, c.day, c.day - i.due_date AS days,
           i.dispute_open OR p.invoice_id IS NOT NULL OR v.account_id IS NOT NULL
               AS paused
    FROM invoices i JOIN cadence_accounts c USING (account_id)
    LEFT JOIN promised p USING (invoice_id)
    LEFT JOIN covered v ON v.account_id = i.account_id AND v.currency = i.currency
    WHERE i.open_minor > 0 AND i.invoice_date <= c.day
),
reached AS (
    SELECT h.*, s.step AS reached_step, s.day_offset
    FROM chain h ASOF LEFT JOIN cadence_steps s
      ON h.segment = s.segment AND h.days >= s.day_offset
),
chain_due AS (
    SELECT account_id, invoice_id, invoice_number, currency, amount_minor,
           open_minor, due_date, customer_id, day,
           CASE WHEN reached_step IS NULL OR due_date + day_offset <= invoice_date
                THEN 'invoice' ELSE reached_step END AS step
    FROM reached
    WHERE NOT paused OR reached_step IS NULL OR due_date + day_offset <= invoice_date
),
recent AS (
    SELECT i.account_id, i.invoice_id, i.invoice_number, i.currency,
           i.amount_minor, i.open_minor, i.due_date, i.status,
           i.settled_date, i.dispute_open, c.customer_id, c.day, c.recent_days
    FROM invoices i JOIN cadence_accounts c USING (account_id)
),
thanks AS (
    SELECT * EXCLUDE (status, settled_date, dispute_open, recent_days),
           'thanks' AS step
    FROM recent
    WHERE status = 'paid' AND settled_date <= day
      AND day - settled_date < recent_days
),
disputed AS (
    SELECT r.* EXCLUDE (status, settled_date, dispute_open, recent_days),
           'dispute_raised@' || strftime(d.opened_on, '%Y-%m-%d') AS step
    FROM disputes d JOIN recent r USING (invoice_id)
    WHERE d.opened_on <= r.day AND r.day - d.opened_on < r.recent_days
    UNION ALL
    SELECT r.* EXCLUDE (status, settled_date, dispute_open, recent_days),
           'dispute_resolved@' || strftime(d.resolved_on, '%Y-%m-%d') AS step
    FROM disputes d JOIN recent r USING (invoice_id)
    WHERE d.resolved_on <= r.day AND r.day - d.resolved_on < r.recent_days
),
follow_ups AS (
    SELECT p.*, c.day, c.recent_days,
           p.promised_date + CASE dayofweek(p.promised_date)
               WHEN 5 THEN 3 WHEN 6 THEN 2 ELSE 1 END AS follow_up_on
    FROM promises p JOIN cadence_accounts c USING (account_id)
),
unkept AS (
    SELECT f.promise_id, f.account_id, f.day, f.promised_date
    FROM follow_ups f
    WHERE f.follow_up_on <= f.day AND f.day - f.follow_up_on < f.recent_days
      AND f.amount_minor > (
          SELECT coalesce(sum(a.amount_minor), 0)
          FROM promise_invoices q JOIN allocations a USING (invoice_id)
          WHERE q.promise_id = f.promise_id AND a.source_kind <> 'write_off'
            AND a.effective_date BETWEEN f.made_on AND f.promised_date
      )
),
broken AS (
    SELECT r.* EXCLUDE (status, settled_date, dispute_open, recent_days),
           'promise_broken@' || strftime(u.promised_date, '%Y-%m-%d') AS step
    FROM unkept u
    JOIN promise_invoices q USING (promise_id)
    JOIN recent r ON r.invoice_id = q.invoice_id
    WHERE r.open_minor > 0 AND NOT r.dispute_open
      AND r.invoice_id NOT IN (SELECT invoice_id FROM promised)
),
candidates AS (
    SELECT * FROM chain_due
    UNION ALL BY NAME SELECT * FROM thanks
    UNION ALL BY NAME SELECT * FROM disputed
    UNION ALL BY NAME SELECT * FROM broken
)
SELECT DISTINCT ON (key) *
FROM (
    SELECT *, customer_id || '/' || invoice_number || '/' || step AS key
    FROM candidates
) c
WHERE NOT EXISTS (SELECT 1 FROM message_keys k WHERE k.key = c.key)
"""

# Several invoices of one account due the same step on the same day are one
# message.
GROUPED = """
SELECT d.account_id, d.step, d.day, a.delivery, a.language, a.contacts,
       list(d.key ORDER BY d.invoice_number) AS keys,
       list({
           'number': d.invoice_number, 'currency': d.currency,
           'amount_minor': d.amount_minor, 'open_minor': d.open_minor,
           'due_date': strftime(d.due_date, '%Y-%m-%d')
       } ORDER BY d.invoice_number) AS invoices
FROM cadence_due d JOIN accounts a USING (account_id)
GROUP BY d.account_id, d.step, d.day, a.delivery, a.language, a.contacts
ORDER BY d.account_id, d.step
"""

PENDING = """
SELECT m.message_id, m.account_id, m.step, m.delivery, m.language,
       m.business_date, m.invoices, m.notice, m.attempts, c.day,
       a.customer_id, a.name, a.country, a.contacts
FROM messages m
JOIN cadence_accounts c USING (account_id)
JOIN accounts a USING (account_id)
WHERE m.status <> 'sent' AND (m.retry_at IS NULL OR m.retry_at <= $now)
ORDER BY m.position
"""
