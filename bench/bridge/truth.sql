-- The bridge the demo's truth implies, per campaign and cohort month, computed
-- from recon_truth (what the generator simulated), not from the loaded tables.
-- Used by test/pgtap/bridge_truth.sql and bench/bridge.sql.
CREATE OR REPLACE VIEW bridge_truth AS
WITH run AS (SELECT reporting_timezone FROM recon_truth.runs LIMIT 1),
journey AS (           -- journeys whose CRM record carries the campaign (a click that reached the CRM)
    SELECT j.campaign_id, j.currency,
           date_trunc('month', j.converted_at AT TIME ZONE run.reporting_timezone)::date AS cohort_month,
           CASE j.platform WHEN 'google' THEN 150 WHEN 'linkedin' THEN 200 ELSE j.stated_value END AS v,
           j.is_spam OR j.is_test AS invalid, j.outcome, j.collected_revenue, j.written_off,
           CASE j.refund_kind WHEN 'none' THEN 0 WHEN 'partial' THEN j.refund_amount ELSE j.stated_value END AS refunds,
           CASE WHEN j.outcome = 'open' AND j.record_type = 'lead' AND j.opportunity_id IS NULL
                THEN CASE j.platform WHEN 'google' THEN 150 WHEN 'linkedin' THEN 200 ELSE j.stated_value END
                ELSE j.stated_value END AS expected
    FROM recon_truth.journeys j CROSS JOIN run
    WHERE j.record_id IS NOT NULL AND j.kind IN ('click_conversion', 'outside_window', 'junk')
),
records AS (
    SELECT campaign_id, cohort_month, min(currency) AS currency,
           sum(v) AS matched_value, count(*) AS matched_records,
           coalesce(sum(v) FILTER (WHERE invalid), 0) AS invalid_duplicate,
           count(*) FILTER (WHERE invalid) AS invalid_duplicate_records,
           coalesce(sum(v) FILTER (WHERE NOT invalid AND outcome IN ('lost', 'cancelled')), 0) AS lost_cancelled,
           count(*) FILTER (WHERE NOT invalid AND outcome IN ('lost', 'cancelled')) AS lost_cancelled_records,
           coalesce(sum(expected - v) FILTER (WHERE NOT invalid AND outcome IN ('won', 'open')), 0) AS value_difference,
           count(*) FILTER (WHERE NOT invalid AND outcome = 'won') AS won_records,
           coalesce(sum(refunds) FILTER (WHERE NOT invalid AND outcome IN ('won', 'open')), 0) AS refunds,
           coalesce(sum(written_off) FILTER (WHERE NOT invalid AND outcome IN ('won', 'open')), 0) AS written_off,
           coalesce(sum(expected - collected_revenue - refunds - written_off)
                    FILTER (WHERE NOT invalid AND outcome IN ('won', 'open')), 0) AS timing,
           sum(collected_revenue) AS collected,
           coalesce(sum(expected) FILTER (WHERE NOT invalid AND outcome = 'won'), 0) AS booked
    FROM journey GROUP BY 1, 2
),
claims AS (            -- what the platform reports in its default window, by report month
    SELECT campaign_id, date_trunc('month', report_date)::date AS cohort_month, min(currency) AS currency,
           sum(value) AS platform_value, sum(conversions) AS platform_conversions
    FROM recon_truth.platform_claims WHERE 'default' = ANY (windows)
    GROUP BY 1, 2
)
SELECT campaign_id, cohort_month, coalesce(r.currency, c.currency) AS currency,
       coalesce(c.platform_value, 0) AS platform_value,
       coalesce(r.matched_value, 0) - coalesce(c.platform_value, 0) AS unmatched,
       -coalesce(r.invalid_duplicate, 0) AS invalid_duplicate,
       -coalesce(r.lost_cancelled, 0) AS lost_cancelled,
       coalesce(r.value_difference, 0) AS value_difference,
       -coalesce(r.refunds, 0) AS refunds,
       -coalesce(r.written_off, 0) AS written_off,
       -coalesce(r.timing, 0) AS timing,
       coalesce(r.collected, 0) AS collected,
       coalesce(c.platform_conversions, 0) AS platform_conversions,
       coalesce(r.matched_records, 0) AS matched_records,
       coalesce(r.invalid_duplicate_records, 0) AS invalid_duplicate_records,
       coalesce(r.lost_cancelled_records, 0) AS lost_cancelled_records,
       coalesce(r.won_records, 0) AS won_records,
       coalesce(r.booked, 0) AS booked
FROM records r FULL JOIN claims c USING (campaign_id, cohort_month);

-- The same lines from recon_bridge over the loaded data and the matching's links.
CREATE OR REPLACE VIEW bridge_measured AS
SELECT campaign_id, cohort_month, (recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days)).*
FROM recon.bridge_ledger
WHERE campaign_id IS NOT NULL
GROUP BY 1, 2;

-- Every line and count that differs, per campaign and cohort (empty when the bridge equals the truth).
CREATE OR REPLACE VIEW bridge_truth_differences AS
SELECT coalesce(t.campaign_id, m.campaign_id) AS campaign_id, coalesce(t.cohort_month, m.cohort_month) AS cohort_month,
       d.line, d.truth, d.measured
FROM bridge_truth t
FULL JOIN bridge_measured m USING (campaign_id, cohort_month)
CROSS JOIN LATERAL (VALUES
    ('platform_value', t.platform_value, m.platform_value), ('unmatched', t.unmatched, m.unmatched),
    ('invalid_duplicate', t.invalid_duplicate, m.invalid_duplicate), ('lost_cancelled', t.lost_cancelled, m.lost_cancelled),
    ('value_difference', t.value_difference, m.value_difference), ('refunds', t.refunds, m.refunds),
    ('written_off', t.written_off, m.written_off), ('timing', t.timing, m.timing),
    ('residual', 0, m.residual), ('collected', t.collected, m.collected),
    ('platform_conversions', t.platform_conversions, m.platform_conversions),
    ('matched_records', t.matched_records, m.matched_records),
    ('invalid_duplicate_records', t.invalid_duplicate_records, m.invalid_duplicate_records),
    ('lost_cancelled_records', t.lost_cancelled_records, m.lost_cancelled_records),
    ('won_records', t.won_records, m.won_records), ('booked', t.booked, m.booked)
) AS d(line, truth, measured)
WHERE d.truth IS DISTINCT FROM d.measured;
