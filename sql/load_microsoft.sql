-- load_microsoft: the Microsoft Advertising daily ad group performance report
-- (preamble, quoted cells, M/D/YYYY days, copyright footer) loaded, reloaded,
-- restated and rejected row by row.
BEGIN;
\set VERBOSITY terse
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL TimeZone = 'UTC';

SELECT format, input, source_system, mapper, writes, skip_pattern, options
FROM recon.load_formats WHERE source_system = 'microsoft' ORDER BY format;

-- The account is new and the load gives no zone: Microsoft's default, Pacific
-- time, flagged timezone_defaulted. The report was pulled on March 3, whose data
-- is still coming in (Last Completed Available Day: 3/2/2026): flagged.
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/microsoft/ad_group_performance.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('microsoft_ads_daily', 'examples/microsoft/ad_group_performance.csv',
    '{"batch_id": "microsoft-1", "pulled_at": "2026-03-10T06:00:00Z", "date_style": "mdy"}');
SELECT header, preamble FROM recon.load_batches WHERE batch_id = 'microsoft-1';
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'microsoft-1' ORDER BY line_number;
SELECT platform, account_id, account_name, timezone, currency, report_timezone, record_source, batch_id, dq_flags
FROM recon.ad_accounts WHERE platform = 'microsoft' AND batch_id LIKE 'microsoft-%';
SELECT platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
       spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time,
       report_timezone, pulled_at, record_source, batch_id, dq_flags
FROM recon.ad_delivery_daily WHERE platform = 'microsoft' AND batch_id LIKE 'microsoft-%' ORDER BY report_date, campaign_id, adset_id;
SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
       conversions, conversion_value, currency, record_source, batch_id, dq_flags
FROM recon.platform_conversions_daily WHERE platform = 'microsoft' AND batch_id LIKE 'microsoft-%' ORDER BY report_date, campaign_id, adset_id;

-- Reloading the same file: the same rows, each replaced once.
\set content `cat examples/microsoft/ad_group_performance.csv`
SELECT * FROM recon.load_text('microsoft_ads_daily', 'examples/microsoft/ad_group_performance.csv', :'content',
    '{"batch_id": "microsoft-2", "pulled_at": "2026-03-10T06:00:00Z", "date_style": "mdy"}');
SELECT report_date, adset_id, spend, impressions, clicks, batch_id, dq_flags
FROM recon.ad_delivery_daily WHERE platform = 'microsoft' AND batch_id LIKE 'microsoft-%' ORDER BY 1, 2;

-- The next day's report restates March 3, now complete: its rows replace the
-- partial ones (and the ad group that had not spent yet appears).
\set content `cat examples/microsoft/ad_group_performance_restated.csv`
SELECT * FROM recon.load_text('microsoft_ads_daily', 'examples/microsoft/ad_group_performance_restated.csv', :'content',
    '{"batch_id": "microsoft-3", "pulled_at": "2026-03-11T06:00:00Z", "date_style": "mdy"}');
SELECT replaced_scope FROM recon.load_batches WHERE batch_id = 'microsoft-3';
SELECT d.report_date, d.adset_id, d.spend, d.clicks, c.conversions, c.conversion_value, d.batch_id, d.dq_flags
FROM recon.ad_delivery_daily d
LEFT JOIN recon.platform_conversions_daily c USING (platform, account_id, report_date, campaign_id, adset_id, ad_id)
WHERE d.platform = 'microsoft' AND d.batch_id LIKE 'microsoft-%' ORDER BY 1, 2;

-- The US export without date_style: its days do not read as ISO dates.
SAVEPOINT s;
\set content `cat examples/microsoft/ad_group_performance_restated.csv`
SELECT rows_read, rows_loaded, rows_rejected FROM recon.load_text('microsoft_ads_daily', 'examples/microsoft/ad_group_performance_restated.csv', :'content',
    '{"batch_id": "microsoft-4", "pulled_at": "2026-03-11T06:00:00Z"}');
SELECT line_number, reasons FROM recon.load_rejects WHERE batch_id = 'microsoft-4' ORDER BY line_number;
ROLLBACK TO s;

SELECT batch_id, format, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped, tables
FROM recon.load_batches WHERE batch_id LIKE 'microsoft-%' ORDER BY started_at, batch_id;
ROLLBACK;
