-- pgTAP: the bridge on the demo's data equals the truth the generator injected,
-- per campaign and cohort month, to the cent (src/bridge/records.sql, ledger.sql).
BEGIN;
SELECT plan(19);
SET LOCAL client_min_messages = warning;

SELECT lives_ok($$SELECT recon_demo_generate(7, 5000)$$, 'demo data generated (seed 7, 5,000 journeys)');
CALL recon.run_matching();
\ir ../../bench/bridge/truth.sql

SELECT cmp_ok((SELECT count(*) FROM bridge_truth), '>=', 100::bigint, 'the truth covers 100+ campaign cohorts');
SELECT is((SELECT count(*) FROM bridge_truth_differences), 0::bigint,
          'every line and count of every campaign cohort equals the truth (seed 7)');
SELECT is((SELECT count(*) FROM bridge_measured WHERE residual <> 0), 0::bigint,
          'no residual where the generator injected nothing else');
SELECT ok((SELECT bool_and(unmatched < 0) AND bool_or(value_difference > 0) AND bool_or(refunds < 0)
                  AND bool_or(written_off < 0) AND bool_or(timing < 0) AND bool_or(invalid_duplicate < 0)
           FROM (SELECT sum(unmatched) AS unmatched, sum(value_difference) AS value_difference, sum(refunds) AS refunds,
                        sum(written_off) AS written_off, sum(timing) AS timing, sum(invalid_duplicate) AS invalid_duplicate
                 FROM bridge_measured GROUP BY currency) c),
          'the lines are not vacuous: every currency has unmatched claims, and refunds, write-offs, timing, invalid records and value differences occur');

-- The ledger's whole: records once each, all posted money once.
SELECT is((SELECT count(*) FROM recon.bridge_records), (SELECT count(DISTINCT record_id) FROM recon.bridge_records),
          'bridge_records has one row per record');
SELECT is((SELECT count(*) FROM (SELECT entry_key, line FROM recon.bridge_ledger GROUP BY 1, 2 HAVING count(*) > 1) d),
          0::bigint, 'entry_key and line identify a ledger row');
SELECT is((SELECT sum(amount) FROM recon.bridge_ledger WHERE line = 'collected' AND currency = 'EUR'),
          (SELECT sum(revenue_amount) FROM recon.finance_transactions WHERE currency = 'EUR'),
          'collected in the ledger = every posted EUR payment minus refunds, once');
SELECT throws_ok($$SELECT recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days) FROM recon.bridge_ledger$$,
                 '22023', NULL, 'bridging all currencies in original amounts is refused');
SELECT is((SELECT count(*) FROM (SELECT (recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days)).*
                                   FROM recon.bridge_ledger GROUP BY currency) b WHERE residual <> 0),
          0::bigint, 'the whole business per original currency: residual zero');
SELECT ok((SELECT abs(residual) <= 0.01 * collected_records FROM (
               SELECT (recon_bridge(line, amount_reporting, quantity, reporting_currency, record_at, as_of, maturity_days)).*
               FROM recon.bridge_ledger) b),
          'in the reporting currency the residual is only FX rounding: at most a cent per record with money');
SELECT is((SELECT array_agg(DISTINCT maturity ORDER BY maturity) FROM bridge_measured), '{incomplete,mature}',
          'old cohorts are mature, the last ones incomplete');
SELECT is((SELECT count(*) FROM bridge_measured WHERE maturity = 'mature' AND cohort_month >= '2026-06-01'), 0::bigint,
          'no cohort younger than 90 days at as_of (2026-08-13) is called mature');

SELECT is((SELECT count(*) FROM (SELECT channel, platform, account_id, campaign_id, cohort_month FROM recon.bridge_campaign_month
                                  GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1) d), 0::bigint,
          'bridge_campaign_month: one row per channel, platform, account, campaign and cohort month');
SELECT is((SELECT sum(collected) FROM recon.bridge_campaign_month),
          (SELECT sum(amount_reporting) FROM recon.bridge_ledger WHERE line = 'collected'),
          'bridge_campaign_month holds every collected amount of the ledger');

-- Materialized and frozen: recon_refresh() copies the bridge and freezes its closed months.
SELECT lives_ok('SELECT recon_refresh()', 'recon_refresh() materializes the bridge');
SELECT is((SELECT count(*) FROM (SELECT * FROM recon.mv_bridge_campaign_month
                                 EXCEPT SELECT * FROM recon.bridge_campaign_month) d), 0::bigint,
          'mv_bridge_campaign_month is bridge_campaign_month');
SELECT ok((SELECT count(*) > 0 AND bool_and(f.value = b.value)
           FROM recon.frozen_figures f JOIN recon.bridge_figures b USING (subject, period, metric)
           WHERE f.source = 'bridge'),
          'the bridge''s closed months are frozen at their refreshed values');

-- A second seed and scale.
SELECT recon_demo_generate(11, 2000);
CALL recon.run_matching();
SELECT is((SELECT count(*) FROM bridge_truth_differences), 0::bigint,
          'every line and count equals the truth (seed 11, 2,000 journeys)');

SELECT * FROM finish();
ROLLBACK;
