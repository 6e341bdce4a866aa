-- recon demo: generate the ground-truth dataset and print the first report.
-- Run by scripts/run-demo (make demo) with psql variables :seed and :scale.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;

CREATE EXTENSION recon;
SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'demo: the business reports on New York time') \g /dev/null
SELECT recon.set_setting('reporting_currency', 'USD', 'demo: group reporting currency') \g /dev/null
SELECT recon.install_default_contract('demo: standard recon KPIs') \g /dev/null

\echo
\echo '== 1. Demo data (seed' :seed', scale' :scale 'journeys): Meta + TikTok shops, Google + LinkedIn lead gen, a CRM, finance'
\timing on
SELECT table_name, rows_written FROM recon_demo_generate(:seed, :scale);
\timing off

\echo
\echo '== 2. Does the data agree with its recorded truth?'
SELECT check_name, CASE WHEN passed THEN 'ok' ELSE 'FAILED' END AS result, coalesce(detail, '') AS detail
FROM recon.demo_verify();

\echo
\echo '== 3. What each number is (recon.report_legend)'
SELECT layer, metric, source, clock, question FROM recon.report_legend ORDER BY position;

\echo
\echo '== 4. Platform vs CRM vs finance, per channel and month (money in USD, days in America/New_York)'
\echo '   platform = what the ad platform claims; crm = what happened to the leads and orders; collected = what finance received'
SELECT channel, to_char(month, 'YYYY-MM') AS month, maturity,
       round(spend) AS spend,
       platform_conversions::bigint AS "platform conv",
       round(platform_value) AS "platform value",
       crm_valid AS "crm valid", crm_won AS "crm won", round(booked_value) AS booked,
       paid_records AS paid, round(collected_revenue) AS collected
FROM recon.report_channel_month
WHERE month < '2026-07-01'
ORDER BY channel, month;

\echo
\echo '== 5. The whole period per channel: the three numbers side by side'
SELECT channel,
       round(sum(spend)) AS spend,
       sum(platform_conversions)::bigint AS "platform conv",
       sum(crm_valid) AS "crm valid",
       sum(paid_records) AS "paid",
       round(sum(platform_value) / nullif(sum(spend), 0), 2) AS "platform ROAS",
       round(sum(collected_revenue) / nullif(sum(spend), 0), 2) AS "collected ROAS",
       round(sum(platform_conversions) / nullif(sum(crm_valid), 0), 2) AS "platform/CRM"
FROM recon.report_channel_month
GROUP BY channel
ORDER BY sum(spend) DESC NULLS LAST, channel;

\echo
\echo '== 6. The joins behind the numbers: CALL recon.run_matching(), links by layer pair and method, match rate'
\echo '   exact ids first, then hashed contacts, CRM relationships, manual decisions, inferred (Fellegi-Sunter)'
SET client_min_messages = warning;
CALL recon.run_matching();
RESET client_min_messages;
SELECT link_type AS "layer pair", entity AS "counted side", method,
       sum(records) AS records, round(100 * sum(records)::numeric / sum(sum(records)) OVER (PARTITION BY link_type, entity), 1) AS "% of side"
FROM recon.match_coverage
GROUP BY link_type, entity, method
ORDER BY link_type, entity, method = 'unmatched', sum(records) DESC;
\echo 'Every signal and every payment is linked. Unmatched records are normal where nothing is owed: records'
\echo 'with no payment yet (open leads, cancelled orders), records no signal announced (organic, direct),'
\echo 'and, for record_record and signal_signal, records and signals without a duplicate.'
\echo 'recon.unmatched_exceptions lists what is not normal; docs/matching.md explains the methods.'

\echo
\echo '== 7. The bridge: from what each platform claims to what finance collected (recon_bridge, USD)'
\echo '   per channel, mature cohorts (every record older than the last maturity point) apart from incomplete ones'
WITH cohorts AS (          -- one state per channel and cohort month, labelled by its own maturity
    SELECT channel, cohort_month,
           recon_bridge_partial(line, amount_reporting, quantity, reporting_currency, record_at, as_of, maturity_days) AS s
    FROM recon.bridge_ledger GROUP BY 1, 2
), merged AS (
    SELECT channel, (recon_bridge_result(s)).maturity AS cohorts, recon_bridge_result(recon_bridge_merge(s)) AS b
    FROM cohorts GROUP BY 1, 2
)
SELECT channel, cohorts, round((b).platform_value) AS platform, round((b).unmatched) AS unmatched,
       round((b).invalid_duplicate) AS "invalid/dup", round((b).lost_cancelled) AS "lost/canc",
       round((b).value_difference) AS "value diff", round((b).refunds) AS refunds, round((b).written_off) AS "written off",
       round((b).timing) AS timing, (b).residual, round((b).collected) AS collected, (b).match_rate AS "match rate"
FROM merged ORDER BY (b).platform_value DESC, channel, cohorts;
\echo '   Meta, mature cohorts, as a waterfall (recon_bridge_steps): each line moves the running total'
WITH cohorts AS (
    SELECT cohort_month, recon_bridge_partial(line, amount_reporting, quantity, reporting_currency, record_at, as_of, maturity_days) AS s
    FROM recon.bridge_ledger WHERE channel = 'meta' GROUP BY 1
), bridge AS (
    SELECT recon_bridge_result(recon_bridge_merge(s)) AS b FROM cohorts WHERE (recon_bridge_result(s)).maturity = 'mature'
)
SELECT st.line, to_char(st.amount, 'FM999,999,990') AS amount, to_char(st.running_total, 'FM999,999,990') AS "running total",
       st.records, repeat('#', greatest(round(st.running_total / max(st.running_total) OVER () * 40)::integer, 0)) AS "running total, scaled"
FROM bridge, recon_bridge_steps(bridge.b) st ORDER BY st.step;

\echo
\echo 'Cohorts marked incomplete are younger than the last maturity point (90 days) in the data; do not compare them'
\echo 'with mature ones.'

\echo
\echo '== 8. The gap, decomposed: platform conversions minus CRM conversions, in named parts (recon.gap_decomposition)'
\echo '   per channel, the simulated months (January to June); each part in conversions, the ratio is platform / CRM'
SELECT channel, to_char(period, 'YYYY-MM') AS month, platform_conversions::bigint AS platform, crm_conversions::bigint AS crm,
       gap::bigint, view_through::bigint AS "view-through", modeled::bigint, identity_loss::bigint AS "identity loss",
       double_claims::bigint AS "double claims", dedup_failures::bigint AS "dedup fail", invalid::bigint,
       clock::bigint, attribution_window::bigint AS "attr window", residual::bigint, ratio
FROM recon.gap_decomposition
WHERE campaign_id IS NULL AND period < '2026-07-01'
ORDER BY channel, period;
\echo '   Meta, March 2026, as a text waterfall (recon.gap_waterfall): from the platform''s number to the CRM''s'
SELECT recon.gap_waterfall('meta', '2026-03-01') AS "meta, 2026-03";
\echo '   Each part drills down to its records and signals: recon.gap_evidence, e.g. the Pixel/CAPI pairs Meta counted twice'
SELECT e.record_id, to_char(e.platform_day, 'YYYY-MM-DD') AS "booked on", s.source, s.event_id,
       to_char(s.event_time AT TIME ZONE 'America/New_York', 'YYYY-MM-DD HH24:MI:SS') AS "event time (New York)"
FROM (SELECT * FROM recon.gap_evidence WHERE part = 'dedup_failure' ORDER BY record_id LIMIT 2) e
JOIN recon.conversion_signals s ON s.signal_key = ANY (e.signal_keys)
ORDER BY e.record_id, s.event_time;
\echo '   Every part equals what the generator injected (recon_truth), per channel and month: test/pgtap/gap.sql.'

\echo
\echo '== 9. The monitor: the platform-to-CRM ratio per channel and week against its robust baseline (recon.alerts)'
SELECT count(*) FILTER (WHERE status = 'ok') AS "weeks ok", count(*) FILTER (WHERE status = 'alert') AS alerts,
       count(*) FILTER (WHERE status NOT IN ('ok', 'alert')) AS "not judged (not live, immature, small, no baseline)"
FROM recon.ratio_monitor WHERE watch = 'ratio' AND period_grain = 'week';
\echo '   On this clean data nothing alerts. The same demo again, with a fault: Meta''s Pixel and Conversions API'
\echo '   event ids stop matching from 2026-03-04 (recon_demo_generate(..., faults => ''{"dedup_break": ...}''))'
SET client_min_messages = warning;
SELECT count(*) AS tables FROM recon_demo_generate(:seed, :scale, '{"dedup_break": {"platform": "meta", "from": "2026-03-04"}}') \g /dev/null
RESET client_min_messages;
SELECT severity, period_grain AS grain, to_char(period, 'YYYY-MM-DD') AS period, channel, moved_part AS "part that moved", message
FROM recon.alerts ORDER BY period, channel LIMIT 6;
\echo
\echo 'The gap between the columns is what recon explains: recon_truth.journeys records why, and every part above'
\echo 'is checked against it. docs/gap.md defines each part, its clock and its evidence.'
