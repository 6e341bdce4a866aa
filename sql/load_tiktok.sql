-- load_tiktok: the TikTok Business API integrated report (JSON, values as
-- strings, a JPY advertiser) and the Ads Manager CSV export, loaded, reloaded,
-- restated and rejected row by row. TikTok reports its days in UTC.
BEGIN;
\set VERBOSITY terse
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL TimeZone = 'UTC';

CREATE TEMP VIEW delivery AS
    SELECT platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
           spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time,
           report_timezone, pulled_at, record_source, batch_id, dq_flags
    FROM recon.ad_delivery_daily WHERE platform = 'tiktok' AND batch_id LIKE 'tiktok-%';
CREATE TEMP VIEW conversions AS
    SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
           conversions, conversion_value, currency, record_source, batch_id, dq_flags
    FROM recon.platform_conversions_daily WHERE platform = 'tiktok' AND batch_id LIKE 'tiktok-%';

SELECT format, input, source_system, mapper, writes, skip_pattern, options
FROM recon.load_formats WHERE source_system = 'tiktok' ORDER BY format;

-- 1. tiktok_ads_daily_json, ad level. The rows do not carry the advertiser: the
-- load names it. The account's own zone is Tokyo; its report days are UTC.
\set doc `cat examples/tiktok/ad_report_api.json`
SELECT * FROM recon.load_json('tiktok_ads_daily_json', 'examples/tiktok/ad_report_api.json', :'doc'::jsonb,
    '{"batch_id": "tiktok-api-1", "pulled_at": "2026-03-10T06:00:00Z", "account_id": "7123456789012345678", "timezone": "Asia/Tokyo"}');
SELECT line_number, disposition, reasons FROM recon.load_rejects WHERE batch_id = 'tiktok-api-1' ORDER BY line_number;
SELECT platform, account_id, account_name, timezone, currency, report_timezone, record_source, batch_id, dq_flags
FROM recon.ad_accounts WHERE platform = 'tiktok' AND batch_id LIKE 'tiktok-%' ORDER BY account_id;
SELECT * FROM delivery WHERE account_id = '7123456789012345678' ORDER BY report_date, ad_id;
SELECT * FROM conversions WHERE account_id = '7123456789012345678' ORDER BY report_date, ad_id, action_type;

-- Reload, then a restated March 2 (late purchases and form submissions).
\set doc `cat examples/tiktok/ad_report_api.json`
SELECT * FROM recon.load_json('tiktok_ads_daily_json', 'examples/tiktok/ad_report_api.json', :'doc'::jsonb,
    '{"batch_id": "tiktok-api-2", "pulled_at": "2026-03-10T06:00:00Z", "account_id": "7123456789012345678"}');
\set doc `cat examples/tiktok/ad_report_api_restated.json`
SELECT * FROM recon.load_json('tiktok_ads_daily_json', 'examples/tiktok/ad_report_api_restated.json', :'doc'::jsonb,
    '{"batch_id": "tiktok-api-3", "pulled_at": "2026-03-11T06:00:00Z", "account_id": "7123456789012345678"}');
SELECT d.report_date, d.ad_id, d.spend, d.link_clicks, c.action_type, c.conversions, c.conversion_value, d.batch_id
FROM delivery d JOIN conversions c USING (account_id, report_date, campaign_id, adset_id, ad_id)
WHERE account_id = '7123456789012345678' ORDER BY 1, 2, 5;

-- An error response is a whole-file error, not a row.
SAVEPOINT s;
\set doc `cat examples/tiktok/api_error.json`
SELECT * FROM recon.load_json('tiktok_ads_daily_json', 'examples/tiktok/api_error.json', :'doc'::jsonb,
    '{"batch_id": "tiktok-err-1", "account_id": "7123456789012345678"}');
ROLLBACK TO s;
-- A known TikTok account whose report_timezone is not UTC is refused.
UPDATE recon.ad_accounts SET report_timezone = 'Asia/Tokyo' WHERE platform = 'tiktok' AND account_id = '7123456789012345678';
\set doc `cat examples/tiktok/ad_report_api_restated.json`
SELECT * FROM recon.load_json('tiktok_ads_daily_json', 'examples/tiktok/ad_report_api_restated.json', :'doc'::jsonb,
    '{"batch_id": "tiktok-err-2", "account_id": "7123456789012345678"}');
ROLLBACK TO s;

-- 2. tiktok_ads_daily_csv, ad group level, a USD advertiser; the Total row is skipped.
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/tiktok/ad_group_export.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('tiktok_ads_daily_csv', 'examples/tiktok/ad_group_export.csv',
    '{"batch_id": "tiktok-csv-1", "pulled_at": "2026-03-10T06:00:00Z", "account_id": "7298401234567890123"}');
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'tiktok-csv-1' ORDER BY line_number;
SELECT platform, account_id, account_name, timezone, currency, report_timezone, record_source, batch_id, dq_flags
FROM recon.ad_accounts WHERE platform = 'tiktok' AND account_id = '7298401234567890123';
SELECT * FROM delivery WHERE account_id = '7298401234567890123' ORDER BY report_date, adset_id;
SELECT * FROM conversions WHERE account_id = '7298401234567890123' ORDER BY report_date, adset_id, action_type;
\set content `cat examples/tiktok/ad_group_export.csv`
SELECT * FROM recon.load_text('tiktok_ads_daily_csv', 'examples/tiktok/ad_group_export.csv', :'content',
    '{"batch_id": "tiktok-csv-2", "pulled_at": "2026-03-10T06:00:00Z", "account_id": "7298401234567890123"}');
\set content `cat examples/tiktok/ad_group_export_restated.csv`
SELECT * FROM recon.load_text('tiktok_ads_daily_csv', 'examples/tiktok/ad_group_export_restated.csv', :'content',
    '{"batch_id": "tiktok-csv-3", "pulled_at": "2026-03-11T06:00:00Z", "account_id": "7298401234567890123"}');
SELECT replaced_scope FROM recon.load_batches WHERE batch_id = 'tiktok-csv-3';
SELECT d.report_date, d.adset_id, d.spend, c.action_type, c.conversions, c.conversion_value, d.batch_id
FROM delivery d JOIN conversions c USING (account_id, report_date, campaign_id, adset_id, ad_id)
WHERE account_id = '7298401234567890123' ORDER BY 1, 2, 4;

SELECT batch_id, format, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped, tables
FROM recon.load_batches WHERE batch_id LIKE 'tiktok-%' ORDER BY started_at, batch_id;
ROLLBACK;
