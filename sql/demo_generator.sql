-- demo_generator: recon_demo_generate writes a deterministic ground-truth
-- dataset whose tables agree with its recorded truth; bad input is refused
-- before anything is written.

SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'regression');

-- Bad input: clear errors, nothing written.
SELECT regress.sqlstate_of('SELECT * FROM recon_demo_generate(1, -5)') AS negative_scale;
SELECT regress.sqlstate_of('SELECT * FROM recon_demo_generate(1, 0)') AS zero_scale;
SELECT regress.sqlstate_of('SELECT * FROM recon_demo_generate(1, 10000001)') AS too_large;
SELECT regress.sqlstate_of('SELECT * FROM recon_demo_generate(NULL, 10)') AS null_seed;
SELECT regress.sqlstate_of('SELECT * FROM recon_demo_generate(1, NULL)') AS null_scale;
SELECT count(*) AS journeys_after_refusals FROM recon_truth.journeys;

-- A small run: rows per table.
SELECT * FROM recon_demo_generate(42, 2000);
SELECT seed, scale, period_start, period_end, to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS as_of_utc,
       reporting_timezone FROM recon_truth.runs;

-- The data agrees with its truth, check by check.
SELECT check_name, passed, detail FROM recon.demo_verify();

-- The injected causes, counted from the truth.
SELECT kind, count(*) AS journeys, count(record_id) AS with_record,
       count(*) FILTER (WHERE platform_claimed) AS claimed,
       count(*) FILTER (WHERE clock_shift) AS clock_shift,
       count(*) FILTER (WHERE double_claimed_by IS NOT NULL) AS double_claimed,
       count(*) FILTER (WHERE pixel_capi_duplicate) AS dedup_failures
FROM recon_truth.journeys GROUP BY kind ORDER BY kind COLLATE "C";
SELECT outcome, refund_kind, count(*) FROM recon_truth.journeys
GROUP BY 1, 2 ORDER BY outcome COLLATE "C", refund_kind COLLATE "C";
SELECT currency, count(*) AS journeys, sum(collected_revenue) AS collected FROM recon_truth.journeys
GROUP BY 1 ORDER BY 1;

-- Platform ids keep their full precision (18-digit Meta, 19-digit TikTok) as text.
SELECT platform, min(length(ad_id)) AS id_digits, min(ad_id) COLLATE "C" AS first_ad_id
FROM recon.ad_delivery_daily GROUP BY platform ORDER BY platform COLLATE "C";
-- Zero-decimal JPY: TikTok spend and values are whole yen.
SELECT count(*) FILTER (WHERE spend <> trunc(spend)) AS fractional_yen_spend
FROM recon.ad_delivery_daily WHERE currency = 'JPY';
-- Weekday FX rates only: weekends rely on the staleness rule.
SELECT quote_currency, count(*) AS rates, count(*) FILTER (WHERE extract(isodow FROM rate_date) > 5) AS weekend_rates
FROM recon.fx_rates GROUP BY 1 ORDER BY quote_currency COLLATE "C";

-- Same seed and scale, same data: recon.demo_fingerprint() digests every table
-- (load timestamps and generated keys excluded); run again, compare.
CREATE TABLE regress.first_digest AS SELECT * FROM recon.demo_fingerprint();
SELECT count(*) AS rows FROM recon_demo_generate(42, 2000);
SELECT a.table_name, a.digest = b.digest AS same_data_again
FROM regress.first_digest a JOIN recon.demo_fingerprint() b USING (table_name) ORDER BY table_name COLLATE "C";
-- ... whatever the session's time zone.
SET TimeZone = 'Asia/Tokyo';
SELECT count(*) AS rows FROM recon_demo_generate(42, 2000);
RESET TimeZone;
SELECT a.table_name, a.digest = b.digest AS same_data_in_tokyo_session
FROM regress.first_digest a JOIN recon.demo_fingerprint() b USING (table_name) ORDER BY table_name COLLATE "C";
SELECT count(*) AS rows FROM recon_demo_generate(43, 2000);
SELECT a.table_name, a.digest <> b.digest AS other_seed_differs
FROM regress.first_digest a JOIN recon.demo_fingerprint() b USING (table_name)
WHERE a.table_name NOT IN ('recon.ad_accounts', 'recon.fx_rates') ORDER BY table_name COLLATE "C";

-- A refused or rolled-back run leaves the loaded run untouched.
SELECT regress.sqlstate_of('SELECT * FROM recon_demo_generate(44, -1)') AS refused;
BEGIN;
SELECT count(*) AS rows FROM recon_demo_generate(45, 100);
ROLLBACK;
SELECT seed, scale FROM recon_truth.runs;

-- The bulk load gives back every key, index and foreign key it took away.
SELECT count(*) FILTER (WHERE contype = 'f') AS foreign_keys, count(*) FILTER (WHERE contype = 'p') AS primary_keys
FROM pg_constraint WHERE connamespace IN ('recon'::regnamespace, 'recon_truth'::regnamespace);
SELECT indexrelid::regclass AS index FROM pg_index
WHERE indrelid IN ('recon.conversion_signals'::regclass, 'recon.funnel_records'::regclass,
                   'recon.finance_transactions'::regclass, 'recon.funnel_stage_history'::regclass)
ORDER BY indexrelid::regclass::text COLLATE "C";

-- The checks can fail: tamper with the data inside a transaction.
BEGIN;
DELETE FROM recon.finance_transactions
WHERE transaction_id = (SELECT min(transaction_id) COLLATE "C" FROM recon.finance_transactions WHERE transaction_type = 'refund');
UPDATE recon.platform_conversions_daily SET conversions = conversions + 1
WHERE (platform, account_id, report_date, ad_id, action_type, attribution_window) =
      (SELECT platform, account_id, report_date, ad_id, action_type, attribution_window
       FROM recon.platform_conversions_daily WHERE platform = 'google' AND attribution_window = 'default'
       ORDER BY report_date, ad_id COLLATE "C" LIMIT 1);
SELECT check_name FROM recon.demo_verify() WHERE NOT passed ORDER BY check_name COLLATE "C";
ROLLBACK;
SELECT count(*) FILTER (WHERE passed) AS passed, count(*) AS checks FROM recon.demo_verify();

-- Leave seed 42 loaded for the report test.
SELECT count(*) AS rows FROM recon_demo_generate(42, 2000);
