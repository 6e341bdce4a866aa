-- load_meta: Meta's exports loaded from examples/meta: Insights as the Marketing
-- API returns it (JSON) and as Ads Manager exports it (CSV), Lead Ads leads, and
-- the advertiser's Conversions API and Pixel logs.
\set VERBOSITY terse
SET DateStyle = ISO;
SET TimeZone = 'UTC';
BEGIN;
-- Start from empty platform tables (earlier suites leave the demo's data); ROLLBACK restores them.
TRUNCATE recon.platform_conversions_daily, recon.ad_delivery_daily, recon.ad_clicks, recon.conversion_signals, recon.ad_accounts;

-- 1. Insights, API JSON: per-window values are strings inside actions/action_values;
-- "value" is the account's setting (window default). A row from a spreadsheet round trip
-- (1.20208123456789E+17) and a 7-day row (time_increment missing) are rejected.
\set doc `cat examples/meta/insights_api.json`
SELECT * FROM recon.load_json('meta_insights_json', 'examples/meta/insights_api.json', :'doc'::jsonb,
    '{"timezone": "America/New_York", "batch_id": "meta-api-1", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT platform, account_id, account_name, timezone, currency, report_timezone, record_source, batch_id, dq_flags
FROM recon.ad_accounts WHERE platform = 'meta';
SELECT platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
       spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time, report_timezone,
       pulled_at, record_source, batch_id, dq_flags
FROM recon.ad_delivery_daily WHERE platform = 'meta' ORDER BY report_date, ad_id;
SELECT report_date, ad_id, action_type, attribution_window, conversions, conversion_value, currency, batch_id
FROM recon.platform_conversions_daily WHERE platform = 'meta' ORDER BY report_date, ad_id, action_type, attribution_window;
SELECT line_number, disposition, reasons, left(raw, 60) AS raw FROM recon.load_rejects WHERE batch_id = 'meta-api-1' ORDER BY 1;

-- Loading the same file again changes nothing but the batch: the rows it covers are replaced.
CREATE TEMP TABLE meta_before AS
    SELECT report_date, ad_id, spend, impressions, clicks FROM recon.ad_delivery_daily WHERE platform = 'meta';
SELECT rows_read, rows_loaded, rows_replaced, rows_rejected, tables
FROM recon.load_json('meta_insights_json', 'examples/meta/insights_api.json', :'doc'::jsonb, '{"batch_id": "meta-api-2"}');
SELECT count(*) AS rows_now, count(*) FILTER (WHERE batch_id = 'meta-api-2') AS from_reload,
       (SELECT count(*) FROM (SELECT report_date, ad_id, spend, impressions, clicks FROM recon.ad_delivery_daily WHERE platform = 'meta'
                              EXCEPT SELECT * FROM meta_before) d) AS rows_that_differ
FROM recon.ad_delivery_daily WHERE platform = 'meta';

-- 2. Insights, Ads Manager CSV (loaded through \copy): byte order mark, "Amount spent (USD)",
-- a quoted comma in the campaign name, per-window comparison columns, Excel's
-- scientific notation, a bad date, a bad amount, an unknown currency, a short row.
-- Ads Manager reports on the impression clock. It replaces the API rows of 03-01 to 03-03.
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/meta/ads_manager.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('meta_insights_csv', 'examples/meta/ads_manager.csv',
    '{"account_id": "act_1010203040506070", "batch_id": "meta-csv-1", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT report_date, ad_id, ad_name, campaign_name, spend, impressions, link_clicks, attribution_setting, action_report_time, batch_id
FROM recon.ad_delivery_daily WHERE platform = 'meta' ORDER BY report_date, ad_id;
SELECT report_date, ad_id, action_type, attribution_window, conversions, conversion_value
FROM recon.platform_conversions_daily WHERE batch_id = 'meta-csv-1' ORDER BY 1, 2, 3, 4;
SELECT line_number, disposition, reasons FROM recon.load_rejects WHERE batch_id = 'meta-csv-1' ORDER BY 1;

-- Meta restated 03-02 and 03-03 (one more purchase each, Video B's spend now readable):
-- those two days are replaced, 03-01 stays as loaded.
\set content `cat examples/meta/ads_manager_restated.csv`
SELECT rows_read, rows_loaded, rows_replaced, rows_rejected, tables
FROM recon.load_text('meta_insights_csv', 'examples/meta/ads_manager_restated.csv', :'content',
    '{"account_id": "1010203040506070", "batch_id": "meta-csv-2"}');
SELECT replaced_scope FROM recon.load_batches WHERE batch_id = 'meta-csv-2';
SELECT d.report_date, d.ad_id, d.spend, d.batch_id, c.conversions, c.conversion_value
FROM recon.ad_delivery_daily d
LEFT JOIN recon.platform_conversions_daily c USING (platform, account_id, report_date, campaign_id, adset_id, ad_id)
WHERE d.platform = 'meta' AND coalesce(c.attribution_window, 'default') = 'default'
ORDER BY 1, 2;

-- 3. Lead Ads (tab-separated, ids with Meta's l:/ag:/as:/c: prefixes, p: phones): one
-- lead_form signal per lead, email and phone hashed, an organic lead without ad ids.
\set content `cat examples/meta/lead_ads.tsv`
SELECT * FROM recon.load_text('meta_lead_ads', 'examples/meta/lead_ads.tsv', :'content',
    '{"account_id": "1010203040506070", "batch_id": "meta-leads-1"}');
SELECT platform, account_id, source, event_id, event_name, event_time, fbclid, fbc, fbp, external_id,
       email_sha256, phone_sha256, value, currency, order_id, lead_id, campaign_id, adset_id, ad_id,
       record_source, batch_id, dq_flags
FROM recon.conversion_signals WHERE source = 'lead_form' ORDER BY event_time;
-- Personal data never reaches the rejects table unless the load keeps it: masked cell by cell,
-- or the whole row when its cells cannot be told apart.
SELECT line_number, reasons, raw !~ '@' AS no_email_in_raw, raw ~ 'sha256:' AS masked FROM recon.load_rejects
WHERE batch_id = 'meta-leads-1' ORDER BY 1;
SELECT count(*) AS raw_contacts_kept FROM recon.contact_details;
-- keep_pii is refused while the setting store_raw_contacts is false (the default): nothing is written.
\set VERBOSITY terse
SAVEPOINT before_pii;
SELECT rows_loaded FROM recon.load_text('meta_lead_ads', 'examples/meta/lead_ads.tsv', :'content',
    '{"account_id": "1010203040506070", "batch_id": "meta-leads-2", "keep_pii": true}');
ROLLBACK TO before_pii;
\set VERBOSITY default
SELECT recon.set_setting('store_raw_contacts', 'true', 'test: raw contacts kept') AS store_raw_contacts;
-- With keep_pii the raw contacts are kept (recon.contact_details); reloading replaces the same leads.
SELECT rows_loaded, rows_replaced, rows_rejected, tables
FROM recon.load_text('meta_lead_ads', 'examples/meta/lead_ads.tsv', :'content',
    '{"account_id": "1010203040506070", "batch_id": "meta-leads-2", "keep_pii": true}');
SELECT layer, record_key, email, phone, first_name, last_name, batch_id FROM recon.contact_details ORDER BY record_key;
SELECT count(*) AS lead_signals FROM recon.conversion_signals WHERE source = 'lead_form';
SELECT line_number, raw ~ 'sha256:' AS masked FROM recon.load_rejects WHERE batch_id = 'meta-leads-2' ORDER BY 1;

-- 4. Conversions API payloads (Unix seconds, em as an array of digests or a raw address,
-- currency in lower case) and 5. the Pixel log (ISO times and Unix seconds mixed):
-- duplicates are kept (the browser and server copies of ORD-10001 are what dedup checks).
\set doc `cat examples/meta/capi_events.json`
SELECT * FROM recon.load_json('meta_capi_events', 'examples/meta/capi_events.json', :'doc'::jsonb,
    '{"account_id": "1010203040506070", "batch_id": "meta-capi-1", "default_region": "US"}');
SELECT line_number, reasons FROM recon.load_rejects WHERE batch_id = 'meta-capi-1' ORDER BY 1;
\set content `cat examples/meta/pixel_log.csv`
SELECT * FROM recon.load_text('meta_pixel_events', 'examples/meta/pixel_log.csv', :'content',
    '{"account_id": "1010203040506070", "batch_id": "meta-pixel-1"}');
SELECT line_number, reasons FROM recon.load_rejects WHERE batch_id = 'meta-pixel-1' ORDER BY 1;
SELECT source, event_id, event_name, event_time, fbclid, fbc, fbp, external_id, email_sha256, phone_sha256,
       value, currency, order_id, batch_id
FROM recon.conversion_signals WHERE source IN ('capi', 'pixel') ORDER BY event_time, source;

-- A log reloaded replaces the UTC days it covers; the other source's rows stay.
SELECT rows_loaded, rows_replaced
FROM recon.load_json('meta_capi_events', 'examples/meta/capi_events.json', :'doc'::jsonb, '{"account_id": "1010203040506070", "batch_id": "meta-capi-2"}');
SELECT replaced_scope FROM recon.load_batches WHERE batch_id = 'meta-capi-2';
SELECT source, count(*) AS signals FROM recon.conversion_signals GROUP BY 1 ORDER BY 1;
SELECT regress.sqlstate_of($$SELECT recon.load_json('meta_capi_events', 'x.json', '{"data": []}', '{"source": "server"}')$$) AS bad_source;

-- Every batch adds up.
SELECT batch_id, format, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped,
       rows_read = rows_loaded + rows_rejected + rows_skipped AS adds_up
FROM recon.load_batches WHERE batch_id LIKE 'meta-%' ORDER BY started_at, batch_id;
ROLLBACK;
