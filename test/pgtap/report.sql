-- pgTAP: the first report (src/report/report.sql) on a small demo run (seed 7,
-- scale 400, reporting zone America/New_York): its shape, its agreement with the
-- generator's truth, and how it follows the settings. Each read of the report
-- takes about a second, so the default-settings report is read once into temp tables.
BEGIN;
SELECT plan(32);

DO $$
BEGIN
    PERFORM recon.set_setting('reporting_timezone', 'America/New_York', 'pgTAP report suite');
    PERFORM recon_demo_generate(7, 400);
END $$;
CREATE TEMP TABLE layers AS SELECT * FROM recon.report_layers;
CREATE TEMP TABLE channel_month AS SELECT * FROM recon.report_channel_month;

------------------------------------------------------------------- shape
SELECT cmp_ok((SELECT count(*)::int FROM channel_month), '>=', 30, 'the report has rows for many channels and months');
SELECT is((SELECT count(*)::int FROM channel_month), (SELECT count(DISTINCT (channel, month))::int FROM channel_month),
          'report_channel_month has one row per channel and month');
SELECT set_eq($$SELECT DISTINCT channel::text FROM channel_month$$,
              ARRAY['meta', 'google', 'tiktok', 'linkedin', 'organic', 'direct'],
              '... for the four platforms and the organic and direct records');
SELECT is((SELECT count(*)::int FROM channel_month WHERE month <> date_trunc('month', month)::date), 0, 'months are first days');
-- Its columns are report_layers pivoted: unpivot them and compare.
SELECT set_eq(
    $$SELECT channel::text, month, maturity, metric, value,
             CASE WHEN metric IN ('crm_conversions', 'collected_revenue') THEN records END FROM layers$$,
    $$SELECT channel::text, month, maturity, m.metric, m.value, m.records
      FROM channel_month r
      CROSS JOIN LATERAL (VALUES ('spend', r.spend, NULL::bigint), ('platform_conversions', r.platform_conversions, NULL),
                                 ('platform_conversion_value', r.platform_value, NULL), ('crm_conversions', r.crm_valid, r.crm_records),
                                 ('crm_won', r.crm_won, NULL), ('booked_value', r.booked_value, NULL),
                                 ('collected_revenue', r.collected_revenue, r.paid_records)) AS m(metric, value, records)
      WHERE m.value IS NOT NULL$$,
    'report_channel_month is report_layers pivoted (values, CRM and paid record counts, maturity)');
SELECT is((SELECT count(*)::int FROM layers WHERE metric IN ('crm_conversions', 'collected_revenue') AND records IS NULL), 0,
          '... and the CRM and collected layers carry their record counts');
SELECT is_empty($$SELECT layer, metric FROM layers EXCEPT SELECT layer, metric FROM recon.report_legend$$,
                'every layer and metric of report_layers is in recon.report_legend');
SELECT set_eq($$SELECT DISTINCT metric FROM layers$$, $$SELECT metric FROM recon.report_legend$$,
              '... and every metric of the legend is in the report');
SELECT is((SELECT count(*)::int FROM recon.report_legend WHERE source IS NULL OR clock IS NULL OR question IS NULL), 0,
          'every metric of the legend names its source, clock and question');

---------------------------------------------------------- platform layer
SELECT set_eq($$SELECT channel::text, sum(value) FROM layers WHERE metric = 'platform_conversions' GROUP BY 1$$,
              $$SELECT platform, sum(conversions)::numeric FROM recon_truth.platform_claims WHERE 'default' = ANY (windows) GROUP BY 1$$,
              'platform conversions per channel are the truth''s default-window claims');
SELECT set_eq($$SELECT channel::text, month, value FROM layers WHERE metric = 'platform_conversions' AND value <> 0$$,
              $$SELECT platform, date_trunc('month', report_date)::date, sum(conversions)::numeric
                FROM recon_truth.platform_claims WHERE 'default' = ANY (windows) GROUP BY 1, 2$$,
              '... month by month (by the platform''s report day)');
SELECT is(recon.set_setting('platform_report_window', '7d_click', 'pgTAP: click-through only'), '7d_click', 'report the 7-day click window');
CREATE TEMP TABLE meta_7d AS SELECT sum(value) AS n FROM recon.report_layers WHERE channel = 'meta' AND metric = 'platform_conversions';
SELECT is((SELECT n FROM meta_7d),
          (SELECT sum(conversions)::numeric FROM recon_truth.platform_claims WHERE platform = 'meta' AND '7d_click' = ANY (windows)),
          'with platform_report_window 7d_click, Meta''s conversions are the truth''s 7-day click claims');
SELECT cmp_ok((SELECT n FROM meta_7d), '<', (SELECT sum(value) FROM layers WHERE channel = 'meta' AND metric = 'platform_conversions'),
              '... fewer than its default window (7-day click + 1-day view)');
DELETE FROM recon.settings WHERE name = 'platform_report_window';

---------------------------------------------------------- collected layer
SELECT is(recon.set_setting('reporting_currency', 'EUR', 'pgTAP: report in euros'), 'EUR', 'report in euros');
CREATE TEMP TABLE collected_eur AS SELECT sum(value) AS eur FROM recon.report_layers WHERE metric = 'collected_revenue';
-- The same money converted independently: per original currency and transaction day in New York.
CREATE TEMP TABLE collected_by_day AS
    SELECT currency::text, (occurred_at AT TIME ZONE 'America/New_York')::date AS day, sum(revenue_amount) AS revenue
    FROM recon.finance_transactions WHERE status = 'posted' GROUP BY 1, 2;
SELECT isnt((SELECT eur FROM collected_eur), (SELECT sum(value) FROM layers WHERE metric = 'collected_revenue'),
            'reporting_currency EUR changes the collected revenue');
SELECT cmp_ok((SELECT abs(c.eur - sum(recon_fx_amount(d.revenue, d.currency, d.day, 'EUR'))) FROM collected_eur c, collected_by_day d GROUP BY c.eur),
              '<=', (SELECT 0.01 * count(*) FROM collected_by_day),
              '... to the posted revenue converted to EUR at each transaction day''s rate (within a cent per currency and day)');
SELECT cmp_ok(abs((SELECT sum(value) FROM layers WHERE metric = 'collected_revenue')
                  - (SELECT sum(recon_fx_amount(revenue, currency, day, 'USD')) FROM collected_by_day)),
              '<=', (SELECT 0.01 * count(*) FROM collected_by_day),
              '... as the USD report equals it converted to USD');
SELECT is(recon.set_setting('reporting_currency', 'CHF', 'pgTAP: a currency without rates'), 'CHF', 'report in Swiss francs');
SELECT throws_ok($$SELECT * FROM recon.report_channel_month$$, 'P0002', NULL,
                 'a reporting currency without FX rates (CHF) fails the report with P0002 instead of showing wrong numbers');
DELETE FROM recon.settings WHERE name = 'reporting_currency';

------------------------------------------------------------------ maturity
SELECT results_eq($$SELECT month, maturity FROM channel_month WHERE channel = 'meta' AND month >= '2026-04-01' ORDER BY month$$,
                  $$VALUES ('2026-04-01'::date, 'mature'), ('2026-05-01', 'incomplete'), ('2026-06-01', 'incomplete'),
                           ('2026-07-01', 'incomplete'), ('2026-08-01', 'incomplete')$$,
                  'with maturity points up to 90 days, April is the last mature month (data as of mid-August)');
SELECT is((SELECT count(DISTINCT maturity)::int FROM channel_month GROUP BY month ORDER BY 1 DESC LIMIT 1), 1,
          'every channel of a month has the same maturity');
SELECT is(recon.set_setting('maturity_days', '{7,30}', 'pgTAP: 30 days'), '{7,30}', 'maturity points 7 and 30 days');
SELECT results_eq($$SELECT month, maturity FROM recon.report_channel_month WHERE channel = 'meta' AND month >= '2026-04-01' ORDER BY month$$,
                  $$VALUES ('2026-04-01'::date, 'mature'), ('2026-05-01', 'mature'), ('2026-06-01', 'mature'),
                           ('2026-07-01', 'incomplete'), ('2026-08-01', 'incomplete')$$,
                  'with a last maturity point of 30 days, May and June become mature');
DELETE FROM recon.settings WHERE name = 'maturity_days';

---------------------------------------------------------- helpers of the report
SELECT results_eq($$SELECT (recon.action_type_family(a)).* FROM unnest(ARRAY['omni_purchase', 'purchase',
                    'offsite_conversion.fb_pixel_purchase']) WITH ORDINALITY AS t(a, n) ORDER BY n$$,
                  $$VALUES ('purchase', 1), ('purchase', 2), ('purchase', 3)$$,
                  'omni_purchase, purchase and offsite_conversion.fb_pixel_purchase are one family, in that order of preference');
SELECT results_eq($$SELECT (recon.action_type_family(a)).* FROM unnest(ARRAY['lead', 'leadgen_grouped', 'link_click']) AS a$$,
                  $$VALUES ('lead', 1), ('lead', 2), ('link_click', 9)$$,
                  'leads form their own family; an unknown action type is its own family, last in preference');
SELECT is(recon.data_as_of(),
          greatest((SELECT max(occurred_at) FROM recon.finance_transactions), (SELECT max(created_at) FROM recon.funnel_records),
                   (SELECT max(report_date::timestamp AT TIME ZONE report_timezone) FROM recon.ad_delivery_daily)),
          'recon.data_as_of() is the latest transaction, CRM record or start of a delivery day (in its report zone)');
SELECT cmp_ok(recon.data_as_of(), '>=', (SELECT max(occurred_at) FROM recon.finance_transactions), '... not before the last transaction');
SELECT cmp_ok(recon.data_as_of(), '>=', (SELECT max(created_at) FROM recon.funnel_records), '... nor before the last CRM record');
SET LOCAL TimeZone = 'UTC';
CREATE TEMP TABLE as_of_by_zone AS SELECT 'UTC' AS zone, recon.data_as_of() AS as_of;
SET LOCAL TimeZone = 'Pacific/Honolulu';
INSERT INTO as_of_by_zone SELECT 'Pacific/Honolulu', recon.data_as_of();
SET LOCAL TimeZone = 'Asia/Tokyo';
INSERT INTO as_of_by_zone SELECT 'Asia/Tokyo', recon.data_as_of();
RESET TimeZone;
SELECT is((SELECT count(DISTINCT as_of)::int FROM as_of_by_zone), 1,
          'recon.data_as_of() is the same moment whatever the session''s time zone');
-- ... and so is maturity: the data ends on 2026-08-13 in New York (as_of is midnight UTC), so
-- July plus a 13-day point is just mature there, whatever the session's zone.
SELECT is(recon.set_setting('maturity_days', '{13}', 'pgTAP: 13 days'), '{13}', 'a single maturity point of 13 days');
SET LOCAL TimeZone = 'UTC';
CREATE TEMP TABLE july AS SELECT 'UTC' AS zone, maturity FROM recon.report_channel_month WHERE channel = 'meta' AND month = '2026-07-01';
SET LOCAL TimeZone = 'America/Los_Angeles';
INSERT INTO july SELECT 'America/Los_Angeles', maturity FROM recon.report_channel_month WHERE channel = 'meta' AND month = '2026-07-01';
RESET TimeZone;
SELECT set_eq($$SELECT zone, maturity FROM july$$, $$VALUES ('UTC', 'mature'), ('America/Los_Angeles', 'mature')$$,
              'a cohort''s maturity does not depend on the session''s time zone');
DELETE FROM recon.settings WHERE name = 'maturity_days';

SELECT * FROM finish();
ROLLBACK;
