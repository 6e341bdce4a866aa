-- pgTAP: the layer views (src/layers/*.sql) on a demo run (seed 7, 3,000 journeys,
-- reporting zone America/New_York, matched): funnel counts per campaign agree with
-- the generator's truth, the platform numbers with the report, the collected money
-- with the bridge ledger, CRM versus finance with the truth's write-offs; the
-- diagnosis never judges on too little data; every view is unique on its key.
BEGIN;
SELECT plan(26);
SET LOCAL client_min_messages = warning;

DO $$
BEGIN
    PERFORM recon.set_setting('reporting_timezone', 'America/New_York', 'pgTAP layers suite');
    PERFORM recon_demo_generate(7, 3000);
    PERFORM recon.apply_ladder_preset('services', 'crm', 'pgTAP: the demo CRM');
    PERFORM recon.apply_ladder_preset('ecommerce', 'shop', 'pgTAP: the demo shop');
END $$;
CALL recon.run_matching();

-- Read each view once.
CREATE TEMP TABLE platform AS SELECT * FROM recon.platform_performance;
CREATE TEMP TABLE funnel AS SELECT * FROM recon.funnel_performance;
CREATE TEMP TABLE stages AS SELECT * FROM recon.funnel_stage_conversion;
CREATE TEMP TABLE reasons AS SELECT * FROM recon.funnel_reasons;
CREATE TEMP TABLE cohorts AS SELECT * FROM recon.collected_performance;
CREATE TEMP TABLE cash AS SELECT * FROM recon.collected_cash_period;
CREATE TEMP TABLE two AS SELECT * FROM recon.roas_two_numbers;
CREATE TEMP TABLE crm_fin AS SELECT * FROM recon.crm_finance_records;
CREATE TEMP TABLE diagnosis AS SELECT * FROM recon.campaign_diagnosis_steps;
CREATE TEMP TABLE ledger AS SELECT * FROM recon.bridge_ledger;
CREATE TEMP TABLE report AS SELECT * FROM recon.report_channel_month;
-- The truth per campaign: the journeys whose CRM record carries the campaign (a click the CRM kept).
CREATE TEMP TABLE truth AS
    SELECT campaign_id, count(*) AS records, count(*) FILTER (WHERE NOT is_spam AND NOT is_test) AS valid,
           count(*) FILTER (WHERE outcome = 'won') AS won, count(*) FILTER (WHERE outcome IN ('lost', 'cancelled')
                                                                            AND NOT is_spam AND NOT is_test) AS lost_or_cancelled
    FROM recon_truth.journeys
    WHERE record_id IS NOT NULL AND kind IN ('click_conversion', 'outside_window', 'junk')
    GROUP BY campaign_id;

------------------------------------------------------------------- funnel
SELECT set_eq($$SELECT campaign_id, sum(records)::bigint AS records, sum(valid)::bigint AS valid, sum(won)::bigint AS won FROM funnel WHERE campaign_id <> '' GROUP BY 1$$,
              $$SELECT campaign_id, records, valid, won FROM truth$$,
              'records, valid records and wins per campaign are the truth''s');
SELECT set_eq($$SELECT campaign_id, sum(lost + cancelled)::bigint FROM funnel WHERE campaign_id <> '' GROUP BY 1$$,
              $$SELECT campaign_id, lost_or_cancelled FROM truth$$,
              '... and so are the valid records lost or cancelled (spam and tests count as invalid)');
SELECT is((SELECT sum(records) FROM funnel)::bigint,
          (SELECT count(*) FROM recon.funnel_records WHERE record_type IN ('lead', 'order')),
          'the funnel counts every lead and order once');
SELECT is((SELECT count(*)::int FROM funnel WHERE valid > records OR contacted > valid OR qualified > contacted OR won > valid), 0,
          'each step counts at most the records of the step before');
SELECT is((SELECT count(*)::int FROM funnel WHERE ladder = 'ecommerce' AND (qualified IS NOT NULL OR qualification_rate IS NOT NULL)), 0,
          'ladders without a qualified step show no qualification rate (NULL, not 0)');
SELECT set_eq($$SELECT DISTINCT maturity FROM funnel WHERE month >= '2026-05-01'$$, ARRAY['incomplete'],
              'cohorts from May on are incomplete (the last maturity point is 90 days)');
SELECT is((SELECT count(*)::int FROM stages s JOIN funnel f USING (channel, campaign_id, month, ladder)
           WHERE s.step = 'won' AND s.reached <> f.won), 0,
          'the records reaching the won step are the funnel''s wins');
SELECT is((SELECT count(*)::int FROM stages s JOIN recon.ladder_steps p ON p.ladder = s.ladder AND p.step = s.previous_step
           WHERE s.from_previous > 1 AND s.layer = 'crm' AND p.layer = 'crm'), 0,
          'from one crm step to the next, no step reaches more records than the one before');
SELECT is((SELECT sum(records) FROM reasons WHERE outcome = 'invalid')::bigint,
          (SELECT sum(invalid) FROM funnel)::bigint, 'the reasons add up to the funnel''s invalid records');
SELECT set_eq($$SELECT DISTINCT reason FROM reasons WHERE outcome = 'lost'$$,
              ARRAY['competitor', 'no budget', 'not qualified', 'no response'], 'lost records carry the CRM''s reasons');

------------------------------------------------------------------- platform and the two numbers
SELECT set_eq($$SELECT platform, month, sum(conversions) FROM platform GROUP BY 1, 2$$,
              $$SELECT channel, month, platform_conversions FROM report WHERE platform_conversions IS NOT NULL$$,
              'platform conversions per platform and month are the report''s');
SELECT is((SELECT count(*)::int FROM (SELECT platform, month, sum(spend_reporting) AS spend, sum(days) AS days FROM platform GROUP BY 1, 2) p
           JOIN report r ON r.channel = p.platform AND r.month = p.month
           WHERE abs(p.spend - r.spend) > 0.01 * p.days), 0,
          'spend per platform and month is the report''s (within a cent per campaign-day of rounding)');
SELECT is((SELECT count(*)::int FROM (SELECT platform, month, sum(spend) AS spend, sum(platform_value) AS value FROM two GROUP BY 1, 2) t
           JOIN (SELECT platform, month, sum(spend_reporting) AS spend, sum(value_reporting) AS value FROM platform GROUP BY 1, 2) p
             USING (platform, month)
           WHERE t.spend <> p.spend OR t.value <> p.value), 0,
          'the two-number view''s spend and platform value are the platform layer''s');
SELECT is((SELECT count(*)::int FROM (SELECT platform, month, sum(collected) AS collected FROM two GROUP BY 1, 2) t
           FULL JOIN (SELECT channel AS platform, cohort_month AS month, sum(amount_reporting) AS collected FROM ledger
                      WHERE line = 'collected' AND channel IN (SELECT platform FROM recon.platforms) GROUP BY 1, 2) l
             USING (platform, month)
           WHERE t.collected IS DISTINCT FROM coalesce(l.collected, 0)), 0,
          'its collected money per platform and cohort month is the bridge ledger''s, to the cent');
SELECT is((SELECT count(*)::int FROM two WHERE spend > 0 AND (platform_roas <> round(platform_value / spend, 4)
                                                          OR collected_roas <> round(collected / spend, 4))), 0,
          'both ROAS divide by the same spend');
SELECT is((SELECT count(*)::int FROM two WHERE platform_number NOT LIKE 'platform (%' OR collected_number NOT LIKE 'finance: %'), 0,
          'every row labels whose number each ROAS is');

------------------------------------------------------------------- collected
SELECT is((SELECT sum(collected) FROM cohorts), (SELECT sum(amount_reporting) FROM ledger WHERE line = 'collected'),
          'collected by cohort, unlinked money included, adds up to the ledger''s collected');
SELECT ok((SELECT bool_or(cohorts > 1) FROM cash), 'the cash of a month comes from several cohorts');
SELECT cmp_ok(abs((SELECT sum(collected) FROM cash)
                  - (SELECT sum(recon_fx_amount(revenue_amount, currency, (occurred_at AT TIME ZONE 'America/New_York')::date))
                     FROM recon.finance_transactions WHERE status = 'posted')),
              '<=', (SELECT 0.01 * count(*) FROM recon.finance_transactions WHERE status = 'posted'),
              'cash by period adds up to every posted transaction converted at its day (within a cent each)');
SELECT is((SELECT count(*)::int FROM cohorts WHERE paid_records > records OR won > records), 0, 'paid and won records are records of the cohort');

------------------------------------------------------------------- CRM versus finance
SELECT is((SELECT sum(booked) FROM crm_fin), (SELECT sum(amount_reporting) FROM ledger WHERE line = 'booked'),
          'CRM versus finance books what the ledger books');
SELECT set_eq($$SELECT record_id FROM crm_fin WHERE 'written off' = ANY (mismatches)$$,
              $$SELECT record_id FROM recon_truth.journeys WHERE written_off > 0$$,
              'the records flagged written off are the truth''s write-offs');
SELECT set_eq($$SELECT record_id FROM crm_fin WHERE 'refunded' = ANY (mismatches)$$,
              $$SELECT record_id FROM recon_truth.journeys WHERE refund_amount > 0 AND record_type = 'order'$$,
              'the records flagged refunded are the truth''s refunded orders');

------------------------------------------------------------------- diagnosis
SELECT is_empty($$SELECT * FROM diagnosis WHERE status IN ('on benchmark', 'below benchmark', 'bottleneck', 'no benchmark')
                  AND denominator < 30$$,
                'no rule is judged on fewer than 30 records');
SELECT is_empty($$SELECT * FROM diagnosis WHERE basis = 'all cohorts' AND rule <> 'platform_to_valid'$$,
                'only the platform rule is judged on immature cohorts');

------------------------------------------------------------------- keys
SELECT is((SELECT count(*)::int FROM (
               SELECT count(*) FROM (SELECT 1 FROM platform GROUP BY platform, account_id, campaign_id, month HAVING count(*) > 1) d
               UNION ALL SELECT count(*) FROM (SELECT 1 FROM funnel GROUP BY channel, campaign_id, month, ladder HAVING count(*) > 1) d
               UNION ALL SELECT count(*) FROM (SELECT 1 FROM stages GROUP BY channel, campaign_id, month, ladder, step HAVING count(*) > 1) d
               UNION ALL SELECT count(*) FROM (SELECT 1 FROM reasons GROUP BY channel, campaign_id, month, ladder, outcome, reason HAVING count(*) > 1) d
               UNION ALL SELECT count(*) FROM (SELECT 1 FROM cohorts GROUP BY channel, campaign_id, month HAVING count(*) > 1) d
               UNION ALL SELECT count(*) FROM (SELECT 1 FROM cash GROUP BY channel, campaign_id, month HAVING count(*) > 1) d
               UNION ALL SELECT count(*) FROM (SELECT 1 FROM two GROUP BY platform, campaign_id, month HAVING count(*) > 1) d
               UNION ALL SELECT count(*) FROM (SELECT 1 FROM crm_fin GROUP BY record_id HAVING count(*) > 1) d
               UNION ALL SELECT count(*) FROM (SELECT 1 FROM diagnosis GROUP BY channel, campaign_id, ladder, rule HAVING count(*) > 1) d
           ) k(n) WHERE n > 0), 0,
          'every view is unique on the key its comment names');

SELECT * FROM finish();
ROLLBACK;
