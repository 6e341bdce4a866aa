-- load_linkedin: the Marketing API's adAnalytics (pivot CAMPAIGN, daily) and the
-- Campaign Manager CSV export, loaded, reloaded, restated and rejected row by row.
-- LinkedIn reports its days in UTC, at campaign level here.
BEGIN;
\set VERBOSITY terse
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL TimeZone = 'UTC';

CREATE TEMP VIEW delivery AS
    SELECT platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
           spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time,
           report_timezone, pulled_at, record_source, batch_id, dq_flags
    FROM recon.ad_delivery_daily WHERE platform = 'linkedin' AND batch_id LIKE 'linkedin-%';
CREATE TEMP VIEW conversions AS
    SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
           conversions, conversion_value, currency, record_source, batch_id, dq_flags
    FROM recon.platform_conversions_daily WHERE platform = 'linkedin' AND batch_id LIKE 'linkedin-%';

SELECT format, input, source_system, mapper, writes, skip_pattern, options
FROM recon.load_formats WHERE source_system = 'linkedin' ORDER BY format;

-- 1. linkedin_ads_daily_json: the rows name neither the account nor its currency.
-- The account is given as a URN; the cost, a float printed in decimal, is kept to
-- the micro.
\set doc `cat examples/linkedin/campaign_analytics_api.json`
SELECT * FROM recon.load_json('linkedin_ads_daily_json', 'examples/linkedin/campaign_analytics_api.json', :'doc'::jsonb,
    '{"batch_id": "linkedin-api-1", "pulled_at": "2026-03-10T06:00:00Z", "account_id": "urn:li:sponsoredAccount:508771234", "currency": "USD"}');
SELECT line_number, disposition, reasons FROM recon.load_rejects WHERE batch_id = 'linkedin-api-1' ORDER BY line_number;
SELECT platform, account_id, account_name, timezone, currency, report_timezone, record_source, batch_id, dq_flags
FROM recon.ad_accounts WHERE platform = 'linkedin' AND batch_id LIKE 'linkedin-%' ORDER BY account_id;
SELECT * FROM delivery WHERE account_id = '508771234' ORDER BY report_date, campaign_id;
SELECT * FROM conversions WHERE account_id = '508771234' ORDER BY report_date, campaign_id, action_type;

-- Reload (the account is known now: no currency needed), then March 2 restated.
\set doc `cat examples/linkedin/campaign_analytics_api.json`
SELECT * FROM recon.load_json('linkedin_ads_daily_json', 'examples/linkedin/campaign_analytics_api.json', :'doc'::jsonb,
    '{"batch_id": "linkedin-api-2", "pulled_at": "2026-03-10T06:00:00Z", "account_id": "508771234"}');
\set doc `cat examples/linkedin/campaign_analytics_api_restated.json`
SELECT * FROM recon.load_json('linkedin_ads_daily_json', 'examples/linkedin/campaign_analytics_api_restated.json', :'doc'::jsonb,
    '{"batch_id": "linkedin-api-3", "pulled_at": "2026-03-11T06:00:00Z", "account_id": "508771234"}');
SELECT d.report_date, d.campaign_id, d.spend, c.action_type, c.conversions, c.conversion_value, d.batch_id
FROM delivery d JOIN conversions c USING (account_id, report_date, campaign_id, adset_id, ad_id)
WHERE account_id = '508771234' ORDER BY 1, 2, 4;

-- Without the account the rows cannot be placed.
SAVEPOINT s;
SELECT * FROM recon.load_json('linkedin_ads_daily_json', 'examples/linkedin/campaign_analytics_api_restated.json', :'doc'::jsonb,
    '{"batch_id": "linkedin-err-1"}');
ROLLBACK TO s;

-- 2. linkedin_ads_daily_csv: Campaign Manager's export (three lines above the
-- header, US dates), EUR account named by the load.
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/linkedin/campaign_performance.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('linkedin_ads_daily_csv', 'examples/linkedin/campaign_performance.csv',
    '{"batch_id": "linkedin-csv-1", "pulled_at": "2026-03-10T06:00:00Z", "account_id": "508123789", "date_style": "mdy"}');
SELECT preamble FROM recon.load_batches WHERE batch_id = 'linkedin-csv-1';
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'linkedin-csv-1' ORDER BY line_number;
SELECT platform, account_id, account_name, timezone, currency, report_timezone, record_source, batch_id, dq_flags
FROM recon.ad_accounts WHERE platform = 'linkedin' AND account_id = '508123789';
SELECT * FROM delivery WHERE account_id = '508123789' ORDER BY report_date, campaign_id;
SELECT * FROM conversions WHERE account_id = '508123789' ORDER BY report_date, campaign_id, action_type;
\set content `cat examples/linkedin/campaign_performance.csv`
SELECT * FROM recon.load_text('linkedin_ads_daily_csv', 'examples/linkedin/campaign_performance.csv', :'content',
    '{"batch_id": "linkedin-csv-2", "pulled_at": "2026-03-10T06:00:00Z", "account_id": "508123789", "date_style": "mdy"}');
\set content `cat examples/linkedin/campaign_performance_restated.csv`
SELECT * FROM recon.load_text('linkedin_ads_daily_csv', 'examples/linkedin/campaign_performance_restated.csv', :'content',
    '{"batch_id": "linkedin-csv-3", "pulled_at": "2026-03-11T06:00:00Z", "account_id": "508123789", "date_style": "mdy"}');
SELECT replaced_scope FROM recon.load_batches WHERE batch_id = 'linkedin-csv-3';
SELECT d.report_date, d.campaign_id, d.spend, c.action_type, c.conversions, c.conversion_value, d.batch_id
FROM delivery d LEFT JOIN conversions c USING (account_id, report_date, campaign_id, adset_id, ad_id)
WHERE account_id = '508123789' ORDER BY 1, 2, 4;

SELECT batch_id, format, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped, tables
FROM recon.load_batches WHERE batch_id LIKE 'linkedin-%' ORDER BY started_at, batch_id;
ROLLBACK;
