-- Per CRM record: which platform and campaign it is credited to, what the
-- platform was told it is worth, how it ended, and the money behind it. The
-- bridge ledger, the collected layer and CRM-vs-finance all read this one
-- definition.

-- The rows of recon.bridge_records (a function so that JIT stays off: see report.sql).
CREATE FUNCTION recon.bridge_records_rows()
RETURNS TABLE (record_id text, record_type text, crm_system text, created_at timestamptz, cohort_day date,
               cohort_month date, channel text, platform text, account_id text, campaign_id text, adset_id text,
               ad_id text, credited_by text, signal_key bigint, market text, owner text, customer_id text,
               currency @extschema@.recon_currency_code, outcome text, outcome_reason text, closed_at timestamptz,
               platform_value numeric, booked numeric, expected_value numeric, invoiced numeric,
               recognized numeric, collected numeric, refunded numeric, written_off numeric,
               outstanding numeric, transactions bigint, first_paid_at timestamptz, last_money_at timestamptz)
LANGUAGE sql STABLE
SET jit = off
AS $records$
WITH settings AS MATERIALIZED (
    SELECT recon.setting('reporting_timezone') AS tz, recon.setting('reporting_currency') AS cur
),
opportunity AS (       -- opportunities, folded into the lead (or order) they came from
    SELECT o.parent_record_id AS record_id,
           CASE WHEN bool_or(o.status = 'won') THEN 'won' WHEN bool_or(o.status = 'open') THEN 'open'
                WHEN bool_or(o.status = 'lost') THEN 'lost' ELSE 'cancelled' END AS status,
           (array_agg(o.status_reason ORDER BY o.closed_at DESC NULLS LAST, o.record_id))[1] AS status_reason,
           max(o.closed_at) AS closed_at,
           sum(o.stated_value) FILTER (WHERE o.status = 'won') AS won_value,
           sum(o.stated_value) FILTER (WHERE o.status = 'open') AS open_value,
           min(o.currency) AS currency,
           (array_agg(o.owner ORDER BY o.created_at, o.record_id))[1] AS owner
    FROM recon.funnel_records o
    WHERE o.record_type = 'opportunity' AND o.parent_record_id IS NOT NULL
    GROUP BY 1
),
duplicate AS (         -- a later lead or order the matching linked to an earlier one
    SELECT DISTINCT l.left_id AS record_id
    FROM recon.match_links l JOIN recon.funnel_records d ON d.record_id = l.left_id
    WHERE l.link_type = 'record_record' AND d.record_type <> 'opportunity'
),
signal AS (            -- every signal linked to a record, with the platform it went to
    SELECT l.right_id AS record_id, l.method, s.signal_key, s.platform, s.account_id, s.campaign_id,
           s.adset_id, s.ad_id, s.value, s.currency, s.event_time
    FROM recon.match_links l
    JOIN recon.conversion_signals s ON s.signal_key = l.left_id::bigint
    WHERE l.link_type = 'signal_record'
),
money AS (             -- posted transactions per record (an opportunity's go to its lead), net of tax and
                       -- shipping, in the record's currency (another one is converted on the transaction's day)
    SELECT CASE WHEN rec.record_type = 'opportunity' AND rec.parent_record_id IS NOT NULL
                THEN rec.parent_record_id ELSE l.right_id END AS record_id,
           sum(x.net) FILTER (WHERE t.transaction_type = 'payment') AS paid,
           sum(x.net) FILTER (WHERE t.transaction_type IN ('refund', 'chargeback')) AS refunded_cash,
           sum(x.net) FILTER (WHERE t.transaction_type = 'credit_note') AS credited,
           sum(x.net) FILTER (WHERE t.transaction_type = 'invoice') AS invoiced,
           sum(x.net) FILTER (WHERE t.transaction_type = 'write_off') AS written_off,
           count(*) AS transactions,
           min(t.occurred_at) FILTER (WHERE t.transaction_type = 'payment') AS first_paid_at,
           max(t.occurred_at) AS last_money_at
    FROM recon.match_links l
    JOIN recon.finance_transactions t ON t.transaction_id = l.left_id AND t.status = 'posted'
    JOIN recon.funnel_records rec ON rec.record_id = l.right_id
    CROSS JOIN LATERAL (
        SELECT t.amount - CASE WHEN t.tax_treatment = 'inclusive' THEN t.tax_amount ELSE 0 END - t.shipping_amount AS full_net
    ) f
    CROSS JOIN LATERAL (   -- the record's share of a split transaction, rounded to the currency
        SELECT CASE WHEN l.allocated_amount IS NULL OR l.allocated_amount = t.amount OR t.amount = 0 THEN f.full_net
                    ELSE @extschema@.recon_money_round(f.full_net * l.allocated_amount / t.amount, t.currency) END AS share
    ) a
    CROSS JOIN LATERAL (
        SELECT CASE WHEN rec.currency IS NULL OR rec.currency = t.currency THEN a.share
                    ELSE @extschema@.recon_fx_amount(a.share, t.currency,
                                                     (t.occurred_at AT TIME ZONE (SELECT tz FROM settings))::date,
                                                     rec.currency) END AS net
    ) x
    WHERE l.link_type = 'record_transaction'
    GROUP BY 1
),
campaign_account AS ( -- the account a campaign runs in, for records that carry only the campaign id
    SELECT DISTINCT ON (platform, campaign_id) platform, campaign_id, account_id
    FROM recon.ad_delivery_daily ORDER BY platform, campaign_id, report_date DESC
),
base AS (
    SELECT r.*, o.status AS opp_status, o.status_reason AS opp_reason, o.closed_at AS opp_closed_at,
           o.won_value, o.open_value, o.currency AS opp_currency, o.owner AS opp_owner,
           p.platform AS own_platform, d.record_id IS NOT NULL AS linked_duplicate
    FROM recon.funnel_records r
    LEFT JOIN opportunity o ON o.record_id = r.record_id
    LEFT JOIN recon.platforms p ON p.platform = r.channel
    LEFT JOIN duplicate d ON d.record_id = r.record_id
    WHERE r.record_type IN ('lead', 'order') OR (r.record_type = 'opportunity' AND r.parent_record_id IS NULL)
),
first_signal AS (     -- per record, its first linked signal, preferring one from the record's own channel
    SELECT DISTINCT ON (s.record_id) s.*
    FROM signal s
    JOIN recon.funnel_records r ON r.record_id = s.record_id
    ORDER BY s.record_id, (s.platform = r.channel) DESC, s.event_time, s.signal_key
),
credited AS (          -- the record's own paid channel wins; else the platform of its first linked signal
    SELECT b.*, s.signal_key, s.method, s.platform AS signal_platform, s.account_id AS signal_account,
           s.campaign_id AS signal_campaign, s.adset_id AS signal_adset, s.ad_id AS signal_ad,
           s.value AS signal_value, s.currency AS signal_currency, s.event_time,
           coalesce(b.own_platform, s.platform) AS credit_platform
    FROM base b
    LEFT JOIN first_signal s ON s.record_id = b.record_id
),
classified AS (
    SELECT c.*,
           coalesce(c.currency, c.opp_currency, c.signal_currency, (SELECT cur FROM settings)) AS record_currency,
           coalesce(recon.record_invalidity(c.status_reason, c.dq_flags),
                    CASE WHEN c.linked_duplicate THEN 'duplicate' END,
                    c.opp_status, c.status) AS final_outcome
    FROM credited c
),
valued AS (
    SELECT k.*,
           -- what the platform was told the record is worth, in the record's currency
           CASE WHEN k.signal_platform IS DISTINCT FROM k.credit_platform OR k.signal_value IS NULL THEN 0
                WHEN k.signal_currency = k.record_currency THEN k.signal_value
                ELSE @extschema@.recon_fx_amount(k.signal_value, k.signal_currency,
                                                 (k.event_time AT TIME ZONE (SELECT tz FROM settings))::date, k.record_currency)
           END AS pv,
           CASE WHEN k.final_outcome = 'won' THEN coalesce(k.won_value, k.stated_value, 0) ELSE 0 END AS booked_value,
           coalesce(m.paid, 0) AS paid, coalesce(m.refunded_cash, 0) AS refunded_cash, coalesce(m.credited, 0) AS credited,
           coalesce(m.invoiced, 0) AS invoice_total, coalesce(m.written_off, 0) AS written_off_total,
           coalesce(m.transactions, 0) AS transactions, m.first_paid_at, m.last_money_at
    FROM classified k
    LEFT JOIN money m ON m.record_id = k.record_id
)
SELECT v.record_id, v.record_type, v.crm_system, v.created_at,
       (v.created_at AT TIME ZONE s.tz)::date,
       date_trunc('month', v.created_at AT TIME ZONE s.tz)::date,
       coalesce(v.credit_platform, v.channel),
       v.credit_platform,
       coalesce(CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_account END, a.account_id),
       coalesce(CASE WHEN v.own_platform IS NOT NULL THEN v.campaign_id END,
                CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_campaign END),
       coalesce(CASE WHEN v.own_platform IS NOT NULL THEN v.adset_id END,
                CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_adset END),
       coalesce(CASE WHEN v.own_platform IS NOT NULL THEN v.ad_id END,
                CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_ad END),
       CASE WHEN v.own_platform IS NOT NULL THEN 'record channel'
            WHEN v.credit_platform IS NOT NULL THEN 'signal link (' || v.method || ')' END,
       CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_key END,
       v.market, coalesce(v.opp_owner, v.owner), v.customer_id, v.record_currency,
       v.final_outcome,
       CASE WHEN v.opp_status IS NOT NULL AND v.final_outcome = v.opp_status THEN v.opp_reason ELSE v.status_reason END,
       CASE WHEN v.final_outcome = 'open' THEN NULL ELSE coalesce(v.opp_closed_at, v.closed_at) END,
       v.pv,
       v.booked_value,
       e.expected,
       e.invoiced,
       CASE WHEN v.final_outcome = 'won' THEN e.invoiced - v.refunded_cash - v.credited ELSE 0 END,
       v.paid - v.refunded_cash,
       v.refunded_cash + v.credited,
       v.written_off_total,
       CASE WHEN v.final_outcome IN ('won', 'open')
            THEN e.expected - (v.paid - v.refunded_cash) - (v.refunded_cash + v.credited) - v.written_off_total
            ELSE 0 END,
       v.transactions, v.first_paid_at, v.last_money_at
FROM valued v
CROSS JOIN settings s
LEFT JOIN campaign_account a ON a.platform = v.credit_platform AND a.campaign_id = v.campaign_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN v.final_outcome = 'won' THEN v.booked_value
                -- an open record is expected to be worth its stated value, else what the platform was told
                WHEN v.final_outcome = 'open' THEN coalesce(v.open_value, v.stated_value, v.pv)
                ELSE 0 END AS expected,
           CASE WHEN v.invoice_total <> 0 THEN v.invoice_total ELSE v.paid END AS invoiced
) e
$records$;
COMMENT ON FUNCTION recon.bridge_records_rows() IS
    'Computes the rows of recon.bridge_records (JIT off: its plan''s estimated cost would trigger a compile longer than the query).';

CREATE VIEW recon.bridge_records AS SELECT * FROM recon.bridge_records_rows();
COMMENT ON VIEW recon.bridge_records IS
    'One row per CRM lead or order (an opportunity is folded into the record it came from; an opportunity without one stands alone), unique by record_id. Credit: the record''s own paid channel and campaign ids (credited_by = record channel), else the platform of its first linked signal (signal link (method)). platform_value: the value the credited platform was sent for it (its signal), in the record''s currency. outcome: invalid (spam, test), duplicate (closed as one, or linked to an earlier record), else the opportunity''s or the record''s status (won, open, lost, cancelled). Money in the record''s currency from the transactions linked to it (match_links), net of inclusive tax and shipping: booked (won value), expected_value (won: booked; open: stated value, else platform_value), invoiced (invoices, else charges), recognized (won: invoiced minus refunds and credit notes), collected (payments minus refunds and chargebacks), refunded (refunds, chargebacks, credit notes), written_off, outstanding (won or open: expected minus collected, refunded and written off).';
COMMENT ON COLUMN recon.bridge_records.cohort_month IS
    'Month of created_at in the reporting time zone: the record''s cohort.';
