-- load_google: Google Ads daily reports (the UI's CSV download, the API's
-- searchStream JSON, a report segmented by conversion action) and click_view
-- (CSV and JSON) loaded, reloaded, restated and rejected row by row.
BEGIN;
\set VERBOSITY terse
SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL TimeZone = 'UTC';

-- The columns the loads write (all but loaded_at / updated_at), this suite's rows only.
CREATE TEMP VIEW accounts AS
    SELECT platform, account_id, account_name, timezone, currency, report_timezone, record_source, batch_id, dq_flags
    FROM recon.ad_accounts WHERE platform = 'google' AND batch_id LIKE 'google-%';
CREATE TEMP VIEW delivery AS
    SELECT platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
           spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time,
           report_timezone, pulled_at, record_source, batch_id, dq_flags
    FROM recon.ad_delivery_daily WHERE platform = 'google' AND batch_id LIKE 'google-%';
CREATE TEMP VIEW conversions AS
    SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
           conversions, conversion_value, currency, record_source, batch_id, dq_flags
    FROM recon.platform_conversions_daily WHERE platform = 'google' AND batch_id LIKE 'google-%';
CREATE TEMP VIEW clicks AS
    SELECT platform, click_id, clicked_at, account_id, campaign_id, adset_id, ad_id, record_source, batch_id, dq_flags
    FROM recon.ad_clicks WHERE platform = 'google' AND batch_id LIKE 'google-%';

-- The formats.
SELECT format, input, source_system, mapper, writes, skip_pattern, options
FROM recon.load_formats WHERE source_system = 'google' ORDER BY format;

-- 1. google_ads_daily: the UI download (title and date range above the header,
-- Total rows below), staged with \copy. The account is new: its zone comes from
-- the load, its currency from the file.
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/google/ad_group_report.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('google_ads_daily', 'examples/google/ad_group_report.csv',
    '{"batch_id": "google-ui-1", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York"}');
SELECT header, preamble FROM recon.load_batches WHERE batch_id = 'google-ui-1';
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'google-ui-1' ORDER BY line_number;
SELECT * FROM accounts ORDER BY account_id;
SELECT * FROM delivery ORDER BY report_date, campaign_id, adset_id;
SELECT * FROM conversions ORDER BY report_date, campaign_id, adset_id, action_type;

-- Reloading the same file replaces what it wrote with the same rows.
\set content `cat examples/google/ad_group_report.csv`
SELECT * FROM recon.load_text('google_ads_daily', 'examples/google/ad_group_report.csv', :'content',
    '{"batch_id": "google-ui-2", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT report_date, campaign_id, adset_id, spend, impressions, clicks, batch_id FROM delivery ORDER BY 1, 2, 3;

-- A restated day: late conversions of March 3 came in; March 1 and 2 stay.
\set content `cat examples/google/ad_group_report_restated.csv`
SELECT * FROM recon.load_text('google_ads_daily', 'examples/google/ad_group_report_restated.csv', :'content',
    '{"batch_id": "google-ui-3", "pulled_at": "2026-03-11T06:00:00Z"}');
SELECT replaced_scope FROM recon.load_batches WHERE batch_id = 'google-ui-3';
SELECT report_date, campaign_id, adset_id, action_type, conversions, conversion_value, batch_id
FROM conversions ORDER BY 1, 2, 3;

-- 2. google_ads_daily_json: a searchStream response (two batches of results),
-- camelCase, int64 as strings, cost in micros kept to the micro.
\set doc `cat examples/google/campaign_api.json`
SELECT * FROM recon.load_json('google_ads_daily_json', 'examples/google/campaign_api.json', :'doc'::jsonb,
    '{"batch_id": "google-api-1", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "Europe/Berlin"}');
SELECT line_number, disposition, reasons FROM recon.load_rejects WHERE batch_id = 'google-api-1' ORDER BY line_number;
SELECT * FROM accounts WHERE account_id = '7291048365';
SELECT * FROM delivery WHERE account_id = '7291048365' ORDER BY report_date, campaign_id;
SELECT * FROM conversions WHERE account_id = '7291048365' ORDER BY report_date, campaign_id;
\set doc `cat examples/google/campaign_api.json`
SELECT * FROM recon.load_json('google_ads_daily_json', 'examples/google/campaign_api.json', :'doc'::jsonb,
    '{"batch_id": "google-api-2", "pulled_at": "2026-03-10T06:00:00Z"}');
\set doc `cat examples/google/campaign_api_restated.json`
SELECT * FROM recon.load_json('google_ads_daily_json', 'examples/google/campaign_api_restated.json', :'doc'::jsonb,
    '{"batch_id": "google-api-3", "pulled_at": "2026-03-11T06:00:00Z"}');
SELECT d.report_date, d.campaign_id, d.spend, d.clicks, c.conversions, c.conversion_value, d.batch_id
FROM delivery d JOIN conversions c USING (account_id, report_date, campaign_id, adset_id, ad_id)
WHERE account_id = '7291048365' ORDER BY 1, 2;

-- 3. Segmented by conversion action: the action rows of one day and campaign
-- repeat its delivery and fold into one delivery row; a segment row without
-- cost (Google writes --) cannot carry the day's spend.
\set content `cat examples/google/campaign_by_conversion_action.csv`
SELECT * FROM recon.load_text('google_ads_daily', 'examples/google/campaign_by_conversion_action.csv', :'content',
    '{"batch_id": "google-ca-1", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT line_number, disposition, reasons FROM recon.load_rejects WHERE batch_id = 'google-ca-1' ORDER BY line_number;
SELECT report_date, level, campaign_id, spend, impressions, clicks FROM delivery WHERE batch_id = 'google-ca-1' ORDER BY 1, 3;
SELECT report_date, campaign_id, action_type, conversions, conversion_value FROM conversions WHERE batch_id = 'google-ca-1' ORDER BY 1, 2, 3;

-- 4. google_click_view_csv: a GAQL export. gclids are case-sensitive (the first
-- two differ in one letter's case); clicks are dated at midnight of their day in
-- the account's zone (America/New_York, known from the report).
\set content `cat examples/google/click_view.csv`
SELECT * FROM recon.load_text('google_click_view_csv', 'examples/google/click_view.csv', :'content',
    '{"batch_id": "google-clicks-1", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT line_number, disposition, reasons FROM recon.load_rejects WHERE batch_id = 'google-clicks-1' ORDER BY line_number;
SELECT * FROM clicks ORDER BY clicked_at, click_id;
\set content `cat examples/google/click_view.csv`
SELECT * FROM recon.load_text('google_click_view_csv', 'examples/google/click_view.csv', :'content',
    '{"batch_id": "google-clicks-2", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT left(click_id, 20) AS click_id, clicked_at, batch_id FROM clicks ORDER BY clicked_at, click_id;

-- 5. google_click_view_json restates March 2 and 3. Before it, the landing page
-- captured one of its gclids with the exact time (no account), and another click
-- of March 2 with its exact time: the day-level rows of March 2-3 are replaced,
-- the captured ones keep their time.
INSERT INTO recon.ad_clicks (platform, click_id, clicked_at, account_id, record_source, batch_id) VALUES
    ('google', 'Cj0KCQiA5mV8Xc2Nq7Rt4Ws1Kb9Ly3Hd6Jf0Gp-ZaUe_TiOoYrPw2Sx8Qn4Mv7Bc1Fz5Dg3Hk6BwE', '2026-03-02 14:23:05-05', NULL, 'landing_page', 'google-landing'),
    ('google', 'Cj0KCQiA3zZ9Yx8Wv7Ut6Sr5Qp4On3Ml2Kj1Ih-GfEd_CbAaBbCcDdEeFfGgHhIiJjKkLlMm0BwE', '2026-03-02 09:12:44-05', '5128843071', 'landing_page', 'google-landing');
\set doc `cat examples/google/click_view_api.json`
SELECT * FROM recon.load_json('google_click_view_json', 'examples/google/click_view_api.json', :'doc'::jsonb,
    '{"batch_id": "google-clicks-3", "pulled_at": "2026-03-11T06:00:00Z"}');
SELECT replaced_scope FROM recon.load_batches WHERE batch_id = 'google-clicks-3';
SELECT left(click_id, 20) AS click_id, clicked_at, account_id, campaign_id, adset_id, ad_id, record_source, batch_id, dq_flags
FROM clicks ORDER BY clicked_at, click_id;

-- Whole-file errors: a click file of an account recon does not know, without a zone;
-- a UI report without a Customer ID column and no account_id option.
SAVEPOINT s;
SELECT * FROM recon.load_text('google_click_view_csv', 'x.csv',
    E'click_view.gclid,segments.date,customer.id\nCj0KCQiAabc,2026-03-01,1112223334', '{"batch_id": "google-err-1"}');
ROLLBACK TO s;
SELECT * FROM recon.load_text('google_ads_daily', 'y.csv',
    E'Day,Campaign ID,Cost\n2026-03-01,21034567891,1.00', '{"batch_id": "google-err-2"}');
ROLLBACK TO s;

-- The summaries of this suite's loads.
SELECT batch_id, format, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped, tables
FROM recon.load_batches WHERE batch_id LIKE 'google-%' ORDER BY started_at, batch_id;
ROLLBACK;
