-- report: the first report puts the platform, CRM and collected numbers side
-- by side per channel and month, each labelled; it follows the settings and
-- fails loudly when a currency cannot be converted. Uses the demo run (seed 42,
-- scale 2000) left by demo_generator.

SELECT layer, metric, source, question FROM recon.report_legend ORDER BY position;

SELECT channel, month, maturity, spend, platform_conversions, platform_value, crm_records, crm_valid,
       crm_won, booked_value, paid_records, collected_revenue
FROM recon.report_channel_month
WHERE month IN ('2026-03-01', '2026-06-01')
ORDER BY channel COLLATE "C", month;

-- Every metric the report shows is in the legend, and vice versa.
SELECT metric FROM (SELECT DISTINCT metric FROM recon.report_layers) m
FULL JOIN recon.report_legend l USING (metric)
WHERE m.metric IS NULL OR l.metric IS NULL;

-- The platform number is the truth's default-window claims (one action type
-- per family: Meta's omni_purchase duplicate rows are not added).
SELECT r.channel, r.platform_conversions, t.claims, r.platform_conversions = t.claims AS matches_truth
FROM (SELECT channel, sum(value) AS platform_conversions FROM recon.report_layers
      WHERE metric = 'platform_conversions' GROUP BY 1) r
JOIN (SELECT platform AS channel, sum(conversions) AS claims FROM recon_truth.platform_claims
      WHERE 'default' = ANY (windows) GROUP BY 1) t USING (channel)
ORDER BY channel COLLATE "C";

-- The CRM number counts valid leads and orders; the records column counts all of them.
SELECT sum(value) AS valid, sum(records) AS records,
       (SELECT count(*) FROM recon.funnel_records WHERE record_type IN ('lead', 'order')) AS all_leads_and_orders,
       (SELECT count(*) FROM recon.funnel_records WHERE record_type IN ('lead', 'order')
          AND coalesce(status_reason, '') NOT IN ('spam', 'test', 'test order', 'duplicate')) AS valid_leads_and_orders
FROM recon.report_layers WHERE metric = 'crm_conversions';

-- Collected revenue equals the truth's, converted per transaction day (within a cent per day of rounding).
SELECT abs(r.collected - t.collected) < 0.01 * t.days AS collected_matches_truth
FROM (SELECT sum(value) AS collected FROM recon.report_layers WHERE metric = 'collected_revenue') r,
     (SELECT sum(recon_fx_amount(revenue_amount, currency, (occurred_at AT TIME ZONE 'America/New_York')::date)) AS collected,
             count(DISTINCT (currency, (occurred_at AT TIME ZONE 'America/New_York')::date)) AS days
      FROM recon.finance_transactions WHERE status = 'posted') t;

-- Another overlapping Meta action type changes nothing: omni_purchase still wins.
BEGIN;
INSERT INTO recon.platform_conversions_daily
    (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
     conversions, conversion_value, currency, record_source)
SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, 'offsite_conversion.fb_pixel_purchase',
       attribution_window, conversions + 100, conversion_value, currency, 'regression'
FROM recon.platform_conversions_daily WHERE platform = 'meta' AND action_type = 'purchase';
SELECT sum(value) AS meta_platform_conversions FROM recon.report_layers
WHERE channel = 'meta' AND metric = 'platform_conversions';
ROLLBACK;
SELECT sum(value) AS meta_platform_conversions FROM recon.report_layers
WHERE channel = 'meta' AND metric = 'platform_conversions';

-- Money unlinked to any lead or order is shown, under channel unknown.
BEGIN;
INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, customer_id, record_source)
VALUES ('pay-unlinked-1', 'payment', '2026-03-10 15:00+00', 250.00, 'USD', 'CUS-walk-in', 'regression');
SELECT channel, month, metric, value, records FROM recon.report_layers WHERE channel = 'unknown';
ROLLBACK;

-- A reporting currency without rates fails loudly instead of showing wrong numbers.
SELECT recon.set_setting('reporting_currency', 'CHF', 'regression: no CHF rates loaded');
SELECT regress.sqlstate_of('SELECT count(*) FROM recon.report_channel_month') AS report_in_chf;
SELECT recon.set_setting('reporting_currency', 'USD', 'regression');

-- Maturity: with a 30-day last maturity point, May becomes mature too.
SELECT recon.set_setting('maturity_days', '{7,30}', 'regression');
SELECT month, maturity FROM recon.report_channel_month WHERE channel = 'meta' ORDER BY month;
DELETE FROM recon.settings WHERE name = 'maturity_days';
