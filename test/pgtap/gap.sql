-- pgTAP: the gap decomposition and its monitor (src/gap/) on the demo's data against the truth the
-- generator injected, injected faults and the alerts they must raise, and bad input.
BEGIN;
SELECT plan(46);
SET LOCAL client_min_messages = warning;

----------------------------------------------------------------- the truth
SELECT lives_ok($$SELECT recon_demo_generate(7, 5000)$$, 'demo data generated (seed 7, 5,000 journeys)');
\ir ../../bench/gap/truth.sql
CREATE TEMP TABLE gap_7 AS SELECT * FROM recon.gap_decomposition;

SELECT cmp_ok((SELECT count(*) FROM gap_truth WHERE conversions <> 0), '>=', 150::bigint,
              'the truth has 150+ nonzero channel-month parts to compare');
SELECT is((SELECT count(*) FROM gap_truth_differences), 0::bigint,
          'every part of every channel and month equals the injected truth, in conversions and to the cent (seed 7)');
SELECT is((SELECT count(*) FROM gap_7 WHERE campaign_id IS NULL AND (residual <> 0 OR residual_value <> 0)), 0::bigint,
          'no residual where the generator injected nothing else');
SELECT is((SELECT count(*) FROM gap_7 WHERE campaign_id IS NULL
           AND gap <> attribution_window + view_through + modeled + identity_loss + clock + double_claims + dedup_failures + invalid + residual), 0::bigint,
          'channel rows: the parts and the residual add up to the gap');
SELECT is((SELECT count(*) FROM gap_7 WHERE campaign_id IS NULL
           AND value_gap <> attribution_window_value + view_through_value + modeled_value + identity_loss_value + clock_value
                            + double_claims_value + dedup_failures_value + invalid_value + residual_value), 0::bigint,
          '... in value too');
SELECT is((SELECT count(*) FROM gap_7 WHERE campaign_id IS NOT NULL
           AND (gap <> attribution_window + view_through + clock + double_claims + dedup_failures + invalid + modeled_or_identity_loss
                OR modeled IS NOT NULL OR identity_loss IS NOT NULL)), 0::bigint,
          'campaign rows add up with modeled and identity loss together (they carry no campaign), the split left NULL');
SELECT is((SELECT count(*) FROM (SELECT channel, period, sum(platform_conversions) FILTER (WHERE campaign_id IS NOT NULL) AS c,
                                        sum(platform_conversions) FILTER (WHERE campaign_id IS NULL) AS t
                                 FROM gap_7 GROUP BY 1, 2) x WHERE c IS DISTINCT FROM t), 0::bigint,
          'the campaigns of a channel sum to its total');
SELECT ok((SELECT bool_and(n > 0) FROM (SELECT part, count(*) FILTER (WHERE conversions <> 0) AS n FROM gap_measured
                                        WHERE part <> 'residual' GROUP BY part) p)
          AND (SELECT count(DISTINCT part) FROM gap_measured WHERE conversions <> 0) = 8,
          'all eight parts are measured somewhere');
SELECT results_eq($$SELECT channel, period, platform_conversions, crm_conversions FROM gap_7
                    WHERE campaign_id IS NULL AND channel = 'meta' AND period = '2026-03-01'$$,
                  $$SELECT 'meta'::text, '2026-03-01'::date,
                           (SELECT sum(conversions) FROM recon_truth.platform_claims
                            WHERE platform = 'meta' AND 'default' = ANY (windows) AND report_date >= '2026-03-01' AND report_date < '2026-04-01')::numeric,
                           (SELECT count(*) FROM recon_truth.journeys
                            WHERE platform = 'meta' AND kind IN ('click_conversion', 'outside_window', 'junk')
                              AND coalesce(outcome_reason, '') NOT IN ('spam', 'test', 'test order')
                              AND converted_at AT TIME ZONE (SELECT reporting_timezone FROM recon_truth.runs) >= '2026-03-01'
                              AND converted_at AT TIME ZONE (SELECT reporting_timezone FROM recon_truth.runs) < '2026-04-01')::numeric$$,
                  'Meta in March: the platform''s number and the CRM''s number are each system''s own');

-- Drill-down: the evidence behind a part is the part.
SELECT is((SELECT count(*) FROM recon.gap_evidence WHERE part = 'double_claim'),
          (SELECT sum(double_claims)::bigint FROM gap_7 WHERE campaign_id IS NULL), 'double claims drill down to one evidence row each');
SELECT is((SELECT count(*) FROM recon.gap_evidence WHERE part = 'dedup_failure'),
          (SELECT count(*) FROM recon_truth.journeys WHERE pixel_capi_duplicate), 'one dedup-failure row per order Meta counted twice');
SELECT is((SELECT count(*) FROM recon.gap_evidence e
           WHERE e.part = 'dedup_failure'
             AND (cardinality(e.signal_keys) <> 2
                  OR (SELECT count(DISTINCT s.event_id) FROM recon.conversion_signals s WHERE s.signal_key = ANY (e.signal_keys)) <> 2
                  OR (SELECT count(DISTINCT s.order_id) FROM recon.conversion_signals s WHERE s.signal_key = ANY (e.signal_keys)) <> 1)),
          0::bigint, '... listing the order''s two events: one order, two event ids');
SELECT is((SELECT count(*) FROM recon.gap_evidence e JOIN recon_truth.journeys j USING (record_id)
           WHERE e.part = 'attribution_window' AND j.kind <> 'outside_window'), 0::bigint,
          'every attribution-window record is one the generator converted outside the window');

SELECT lives_ok($$SELECT recon_demo_generate(11, 2000)$$, 'another run (seed 11, 2,000 journeys)');
SELECT is((SELECT count(*) FROM gap_truth_differences), 0::bigint, '... equals its truth too');

---------------------------------------------------------- the text waterfall
SELECT is((SELECT count(*) FROM recon.gap_waterfall('meta', '2026-03-01') AS l WHERE l ~ '^(platform reports|= CRM conversions)'),
          2::bigint, 'the waterfall runs from the platform''s number to the CRM''s');
SELECT is((SELECT split_part(regexp_replace(l, '\s+', ' ', 'g'), ' ', 4) FROM recon.gap_waterfall('meta', '2026-03-01') AS l
           WHERE l LIKE '= CRM%'),
          (SELECT crm_conversions::text FROM recon.gap_decomposition WHERE channel = 'meta' AND period = '2026-03-01' AND campaign_id IS NULL),
          '... ending at the CRM''s conversions');

---------------------------------------------------------- Meta action types
SELECT is((SELECT count(*) FROM recon.platform_action_type_check WHERE flag <> 'counted_once'), 0::bigint,
          'the demo''s overlapping Meta action types (omni_purchase = purchase) are counted once, nothing flagged');
SELECT cmp_ok((SELECT count(*) FROM recon.platform_action_type_check WHERE platform = 'meta'), '>', 0::bigint, '... and there are overlaps to check');
CREATE TEMP TABLE one_meta_row AS
    SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, currency
    FROM recon.ad_delivery_daily WHERE platform = 'meta' ORDER BY report_date, ad_id LIMIT 1;
INSERT INTO recon.platform_conversions_daily (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type,
                                              attribution_window, conversions, conversion_value, currency, record_source)
SELECT r.platform, r.account_id, r.report_date, r.campaign_id, r.adset_id, r.ad_id, t.action_type, t.win, t.n, t.n * 10, r.currency, 'tap'
FROM one_meta_row r
CROSS JOIN (VALUES ('omni_purchase', '28d_click', 6), ('purchase', '28d_click', 3), ('offsite_conversion.fb_pixel_purchase', '28d_click', 3),
                   ('omni_purchase', '1d_ev', 2), ('purchase', '1d_ev', 5)) AS t(action_type, win, n);
SELECT results_eq($$SELECT attribution_window COLLATE "default", kept_action_type COLLATE "default", kept_conversions, summed_conversions, flag
                    FROM recon.platform_action_type_check WHERE flag <> 'counted_once' ORDER BY 1$$,
                  $$VALUES ('1d_ev', 'omni_purchase', 2::numeric, 7::numeric, 'superset_violated'),
                           ('28d_click', 'omni_purchase', 6::numeric, 12::numeric, 'summed_double_count')$$,
                  'an omni_purchase that is purchase + pixel purchase is a summed double count; a purchase above omni_purchase breaks the overlap');
SELECT is((SELECT count(*) FROM recon.alerts WHERE watch = 'action_types' AND channel = 'meta'), 2::bigint, '... and both are alerts');
DELETE FROM recon.platform_conversions_daily WHERE record_source = 'tap';

------------------------------------------------------------------ bad input
SELECT throws_ok($$SELECT * FROM recon.gap_decomposition_rows('fortnight')$$, '22023', NULL, 'an unknown period grain is refused (22023)');
SELECT throws_ok($$SELECT * FROM recon.ratio_monitor_rows('month')$$, '22023', NULL, 'the monitor watches weeks and days only (22023)');
SELECT throws_ok($$SELECT * FROM recon.gap_waterfall('bing', '2026-03-01')$$, 'P0002', NULL, 'a waterfall for nothing: P0002');
SELECT throws_ok($$SELECT * FROM recon.gap_waterfall('meta', '2026-03-01', 'month', 5)$$, '22023', NULL, 'a 5-character waterfall is refused');
SELECT throws_ok($$SELECT recon.set_setting('monitor_threshold', '0.5')$$, '22023', NULL, 'a monitor threshold below 1 is refused');
SELECT throws_ok($$SELECT recon.set_setting('monitor_baseline_periods', '4.5')$$, '22023', NULL, 'a fractional baseline is refused');
SELECT is(recon.set_setting('monitor_min_sample', ' 25 '), '25', 'a monitor setting is stored canonical');
-- A channel with conversions but no spend, a period with no CRM conversions, an unknown attribution setting.
INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency, record_source)
VALUES ('microsoft', 'ms-1', 'America/Los_Angeles', 'USD', 'tap');
INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, spend, currency, report_timezone,
                                     pulled_at, record_source)
VALUES ('microsoft', 'ms-1', '2026-03-05', 'campaign', 'ms-c', 0, 'USD', 'America/Los_Angeles', '2026-03-06', 'tap');
INSERT INTO recon.platform_conversions_daily (platform, account_id, report_date, campaign_id, action_type, attribution_window,
                                              conversions, conversion_value, currency, record_source)
VALUES ('microsoft', 'ms-1', '2026-03-05', 'ms-c', 'purchase', 'default', 4, 400, 'USD', 'tap');
SELECT results_eq($$SELECT ratio, view_through, identity_loss, residual, notes FROM recon.gap_decomposition
                    WHERE channel = 'microsoft' AND campaign_id IS NULL$$,
                  $$VALUES (NULL::numeric, NULL::numeric, NULL::numeric, NULL::numeric,
                            ARRAY['no CRM conversions in the period: ratio undefined', 'no spend reported',
                                  'view-through unknown: the attribution setting is unset or its click-window breakdown is not loaded'])$$,
                  'no spend, no CRM conversions, no attribution setting: NULL ratio and parts, each with its reason');
SELECT is((SELECT gap FROM recon.gap_decomposition WHERE channel = 'microsoft' AND campaign_id IS NULL), 4::numeric,
          '... while the gap itself is still defined');
UPDATE recon.ad_delivery_daily SET attribution_setting = '30d_click' WHERE platform = 'microsoft';
SELECT is((SELECT view_through FROM recon.gap_decomposition WHERE channel = 'microsoft' AND campaign_id IS NULL), 0::numeric,
          'a click-only attribution setting has no view-through');
SELECT is((SELECT status FROM recon.ratio_monitor WHERE watch = 'ratio' AND channel = 'microsoft' AND period_grain = 'week'),
          'undefined', 'the monitor calls an undefined ratio undefined, not an alert');
-- A second account of the channel reporting in another currency: the monitor still has one row per
-- channel and period (the materialized copy's key), counting both accounts' conversions.
INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency, record_source)
VALUES ('microsoft', 'ms-2', 'Europe/Berlin', 'EUR', 'tap');
INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, spend, currency, report_timezone,
                                     pulled_at, record_source)
VALUES ('microsoft', 'ms-2', '2026-03-05', 'campaign', 'ms-e', 0, 'EUR', 'Europe/Berlin', '2026-03-06', 'tap');
INSERT INTO recon.platform_conversions_daily (platform, account_id, report_date, campaign_id, action_type, attribution_window,
                                              conversions, conversion_value, currency, record_source)
VALUES ('microsoft', 'ms-2', '2026-03-05', 'ms-e', 'purchase', 'default', 3, 300, 'EUR', 'tap');
SELECT is((SELECT count(DISTINCT currency) FROM recon.gap_decomposition WHERE channel = 'microsoft' AND campaign_id IS NULL),
          2::bigint, 'the gap of a channel with accounts in two currencies has a row per currency');
SELECT results_eq($$SELECT count(*), sum(sample) FILTER (WHERE value IS NOT NULL), bool_and(status = 'undefined')
                    FROM recon.ratio_monitor WHERE watch = 'ratio' AND channel = 'microsoft' AND period_grain = 'week'
                    GROUP BY period$$,
                  $$VALUES (1::bigint, NULL::numeric, true)$$,
                  '... and the monitor one row per period, as the key of its materialized copy requires');

------------------------------------------------------------- injected faults
SELECT is((SELECT count(*) FROM recon.alerts WHERE watch IN ('ratio', 'feed') AND channel <> 'microsoft'), 0::bigint,
          'on clean demo data nothing alerts');
DELETE FROM recon.platform_conversions_daily WHERE record_source = 'tap';
DELETE FROM recon.ad_delivery_daily WHERE record_source = 'tap';
DELETE FROM recon.ad_accounts WHERE record_source = 'tap';
SELECT lives_ok($$SELECT recon_demo_generate(7, 40000, '{"dedup_break": {"platform": "meta", "from": "2026-03-04"},
                                                         "modeled_change": {"platform": "google", "from": "2026-03-11", "share": 0.8},
                                                         "feed_stop": {"platform": "linkedin", "from": "2026-04-15"}}')$$,
                'faults injected: Meta Pixel/CAPI dedup breaks from March 4, Google models conversions from March 11, LinkedIn''s feed stops April 15');
CREATE TEMP TABLE alerts_1 AS SELECT * FROM recon.alerts;
SELECT cmp_ok((SELECT min(period) FROM alerts_1 WHERE channel = 'meta' AND period_grain = 'week' AND moved_part = 'dedup_failures'),
          '<=', '2026-03-09'::date, 'the dedup break alerts by the first complete week after it starts (March 9), naming dedup_failures');
SELECT cmp_ok((SELECT min(period) FROM alerts_1 WHERE channel = 'google' AND period_grain = 'week' AND moved_part = 'modeled'),
          '<=', '2026-03-16'::date, 'the modeling change alerts by the first complete week after it starts (March 16), naming modeled');
SELECT is((SELECT min(period) FROM alerts_1 WHERE channel = 'linkedin' AND moved_part = 'feed_stopped'),
          '2026-04-15'::date, 'the stopped feed alerts on its first missing day');
SELECT is((SELECT count(*) FROM alerts_1 WHERE channel = 'tiktok'), 0::bigint, 'nothing alerts on the unchanged control channel (TikTok)');
SELECT is((SELECT count(*) FROM alerts_1 WHERE channel IN ('meta', 'google') AND watch = 'ratio'
           AND period + CASE period_grain WHEN 'week' THEN 6 ELSE 0 END < CASE channel WHEN 'meta' THEN date '2026-03-04' ELSE '2026-03-11' END), 0::bigint,
          '... nor on the faulted channels before their faults');

SELECT lives_ok($$SELECT recon_demo_generate(7, 40000, '{"consent_loss": {"platform": "google", "from": "2026-03-11"}}')$$,
                'consent-banner loss of Google click ids from March 11');
CREATE TEMP TABLE alerts_2 AS SELECT * FROM recon.alerts;
SELECT cmp_ok((SELECT min(period) FROM alerts_2 WHERE channel = 'google' AND period_grain = 'week' AND moved_part = 'identity_loss'),
          '<=', '2026-03-16'::date, 'the consent loss alerts by the first complete week after it starts (March 16), naming identity_loss');
SELECT is((SELECT count(*) FROM alerts_2 WHERE channel IN ('meta', 'tiktok')), 0::bigint,
          'nothing alerts on the unchanged control channels (Meta, TikTok)');
SELECT throws_ok($$SELECT recon_demo_generate(7, 100, '{"dedup_break": {"platform": "tiktok", "from": "2026-03-04"}}')$$,
                 '22023', NULL, 'a dedup break needs Pixel and CAPI: only Meta');

SELECT * FROM finish();
ROLLBACK;
