-- model: the platform, funnel and collected tables accept valid rows and reject
-- bad ones (src/model/platform.sql, funnel.sql, collected.sql). Ends with every
-- model table empty.
SET datestyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET IntervalStyle = 'postgres';

-- Shipped reference data.
SELECT platform, display_name, report_clock, click_id_keys FROM recon.platforms ORDER BY platform COLLATE "C";
SELECT channel, platform FROM recon.channels ORDER BY channel COLLATE "C";

---------------------------------------------------------------------------
-- recon.ad_accounts: report_timezone is filled from the platform's report clock.
INSERT INTO recon.ad_accounts (platform, account_id, account_name, timezone, currency) VALUES
    ('meta',   '1010203040506070',    'US shop',  'America/New_York', 'USD'),
    ('tiktok', '7301234567890123456', 'JP shop',  'Asia/Tokyo',       'JPY'),
    ('google', '4830127765',          'DE shop',  'Europe/Berlin',    'EUR'),
    ('linkedin', '508123456',         'UK shop',  'Europe/London',    'GBP');
-- ... unless given explicitly.
INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency, report_timezone, record_source, batch_id)
VALUES ('snap', 'snap-1', 'America/Los_Angeles', 'USD', 'America/Los_Angeles', 'snap api', 'b1');
SELECT platform, account_id, timezone, currency, report_timezone, record_source, batch_id, dq_flags,
       updated_at = loaded_at AS untouched
FROM recon.ad_accounts ORDER BY platform COLLATE "C", account_id COLLATE "C";

SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('unknown platform',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('facebook', 'x1', 'UTC', 'USD')$$),
    ('abbreviation as time zone',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('meta', 'x1', 'EST', 'USD')$$),
    ('offset as time zone',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('meta', 'x1', '+03:00', 'USD')$$),
    ('lower-case time zone',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('meta', 'x1', 'america/new_york', 'USD')$$),
    ('lower-case currency',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('meta', 'x1', 'UTC', 'usd')$$),
    ('unknown currency',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('meta', 'x1', 'UTC', 'ABC')$$),
    ('missing time zone',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('meta', 'x1', NULL, 'USD')$$),
    ('empty account id',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('meta', '', 'UTC', 'USD')$$),
    ('duplicate account',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES ('meta', '1010203040506070', 'UTC', 'USD')$$),
    ('lower-case report zone',
     $$INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency, report_timezone) VALUES ('meta', 'x1', 'UTC', 'USD', 'utc')$$)
) AS t(label, sql);

-- updated_at moves on UPDATE; report_timezone stays as stored.
UPDATE recon.ad_accounts SET account_name = 'US shop (renamed)' WHERE account_id = '1010203040506070';
SELECT account_name, report_timezone, updated_at > loaded_at AS updated_at_moved
FROM recon.ad_accounts WHERE account_id = '1010203040506070';

---------------------------------------------------------------------------
-- recon.ad_delivery_daily: one row per level; ids are text (18-digit Meta ids
-- survive exactly).
INSERT INTO recon.ad_delivery_daily
    (platform, account_id, report_date, level, campaign_id, adset_id, ad_id, spend, currency,
     impressions, clicks, link_clicks, attribution_setting, action_report_time, report_timezone, pulled_at, record_source)
VALUES
    ('meta', '1010203040506070', '2026-01-05', 'campaign', '120208123456789012', '', '', 100.50, 'USD',
     10000, 250, 200, '7d_click_1d_view', 'mixed', 'America/New_York', '2026-01-06 09:00:00+00', 'meta api'),
    ('meta', '1010203040506070', '2026-01-05', 'adset', '120208123456789012', '120208123456789013', '', 100.50, 'USD',
     10000, 250, NULL, '7d_click_1d_view', 'impression', 'America/New_York', '2026-01-06 09:00:00+00', 'meta api'),
    ('meta', '1010203040506070', '2026-01-05', 'ad', '120208123456789012', '120208123456789013', '120208123456789099', 60.25, 'USD',
     6000, 150, 120, '7d_click_1d_view', 'conversion', 'America/New_York', '2026-01-06 09:00:00+00', 'meta api'),
    ('tiktok', '7301234567890123456', '2026-01-05', 'ad', '1790000000000001000', '1790000000000001010', '1790000000000001100', 5000, 'JPY',
     800, 12, NULL, NULL, NULL, 'UTC', '2026-01-06 09:00:00+00', 'tiktok api');
SELECT platform, campaign_id, adset_id, ad_id, level, spend, currency, impressions, clicks, link_clicks,
       action_report_time, report_timezone, pulled_at
FROM recon.ad_delivery_daily ORDER BY platform COLLATE "C", level COLLATE "C";
-- A default row is an ad-level row: it needs ad set and ad ids.
SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('ad level without ad set and ad ids',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, campaign_id, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'c1', 'USD', 'UTC', now(), 't')$$),
    ('campaign level with an ad set id',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, adset_id, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'campaign', 'c1', 's1', 'USD', 'UTC', now(), 't')$$),
    ('adset level with an ad id',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, adset_id, ad_id, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'adset', 'c1', 's1', 'a1', 'USD', 'UTC', now(), 't')$$),
    ('adset level without ad set id',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'adset', 'c1', 'USD', 'UTC', now(), 't')$$),
    ('unknown level',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'account', 'c1', 'USD', 'UTC', now(), 't')$$),
    ('negative spend',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, spend, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'campaign', 'c1', -0.01, 'USD', 'UTC', now(), 't')$$),
    ('negative impressions',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, impressions, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'campaign', 'c1', -1, 'USD', 'UTC', now(), 't')$$),
    ('negative link clicks',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, link_clicks, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'campaign', 'c1', -1, 'USD', 'UTC', now(), 't')$$),
    ('unknown action_report_time',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, action_report_time, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'campaign', 'c1', 'click', 'USD', 'UTC', now(), 't')$$),
    ('unknown account',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', 'no-such-account', '2026-01-06', 'campaign', 'c1', 'USD', 'UTC', now(), 't')$$),
    ('non-canonical report zone',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'campaign', 'c1', 'USD', 'Europe/london', now(), 't')$$),
    ('missing pulled_at',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, currency, report_timezone, pulled_at, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'campaign', 'c1', 'USD', 'UTC', NULL, 't')$$),
    ('missing record_source',
     $$INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, currency, report_timezone, pulled_at)
       VALUES ('meta', '1010203040506070', '2026-01-06', 'campaign', 'c1', 'USD', 'UTC', now())$$),
    ('update to negative spend',
     $$UPDATE recon.ad_delivery_daily SET spend = -spend WHERE platform = 'tiktok'$$)
) AS t(label, sql);
UPDATE recon.ad_delivery_daily SET spend = 5100 WHERE platform = 'tiktok';
SELECT spend, updated_at > loaded_at AS updated_at_moved FROM recon.ad_delivery_daily WHERE platform = 'tiktok';

---------------------------------------------------------------------------
-- recon.platform_conversions_daily: per delivery row, action type and window.
INSERT INTO recon.platform_conversions_daily
    (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
     conversions, conversion_value, currency, record_source)
VALUES
    ('meta', '1010203040506070', '2026-01-05', '120208123456789012', '120208123456789013', '120208123456789099',
     'purchase', '7d_click', 3, 299.97, 'USD', 'meta api'),
    ('meta', '1010203040506070', '2026-01-05', '120208123456789012', '120208123456789013', '120208123456789099',
     'purchase', '1d_view', 1, 99.99, 'USD', 'meta api'),
    ('meta', '1010203040506070', '2026-01-05', '120208123456789012', '', '',
     'purchase', 'default', 4.5, 449.95, 'USD', 'meta api');
SELECT campaign_id, adset_id, ad_id, action_type, attribution_window, conversions, conversion_value, currency
FROM recon.platform_conversions_daily ORDER BY ad_id COLLATE "C", attribution_window COLLATE "C";
SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('no such delivery row',
     $$INSERT INTO recon.platform_conversions_daily (platform, account_id, report_date, campaign_id, action_type, attribution_window, currency, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-04', '120208123456789012', 'purchase', '7d_click', 'USD', 't')$$),
    ('negative conversions',
     $$INSERT INTO recon.platform_conversions_daily (platform, account_id, report_date, campaign_id, action_type, attribution_window, conversions, currency, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-05', '120208123456789012', 'lead', '7d_click', -1, 'USD', 't')$$),
    ('same window twice',
     $$INSERT INTO recon.platform_conversions_daily (platform, account_id, report_date, campaign_id, action_type, attribution_window, currency, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-05', '120208123456789012', 'purchase', 'default', 'USD', 't')$$),
    ('missing currency',
     $$INSERT INTO recon.platform_conversions_daily (platform, account_id, report_date, campaign_id, action_type, attribution_window, currency, record_source)
       VALUES ('meta', '1010203040506070', '2026-01-05', '120208123456789012', 'lead', '7d_click', NULL, 't')$$)
) AS t(label, sql);
UPDATE recon.platform_conversions_daily SET conversions = 5 WHERE attribution_window = 'default';
SELECT conversions, updated_at > loaded_at AS updated_at_moved
FROM recon.platform_conversions_daily WHERE attribution_window = 'default';

---------------------------------------------------------------------------
-- recon.conversion_signals: duplicates are kept on purpose.
INSERT INTO recon.conversion_signals
    (platform, account_id, source, event_id, event_name, event_time, fbclid, email_sha256, value, currency, order_id, record_source)
VALUES
    ('meta', '1010203040506070', 'pixel', 'ord-1', 'Purchase', '2026-01-05 14:00:00+00', 'IwAR2abc',
     encode(sha256('a@example.com'), 'hex'), 99.99, 'USD', 'ord-1', 'pixel export'),
    ('meta', '1010203040506070', 'capi', 'ord-1', 'Purchase', '2026-01-05 14:00:01+00', 'IwAR2abc',
     encode(sha256('a@example.com'), 'hex'), 99.99, 'USD', 'ord-1', 'capi log'),
    ('tiktok', NULL, 'offline_upload', NULL, 'CompletePayment', '2026-01-05 03:00:00+00', NULL,
     NULL, NULL, NULL, NULL, 'offline csv');
SELECT signal_key > 0 AS has_key, platform, source, event_id, event_name, event_time, length(email_sha256) AS hash_len,
       value, currency, order_id
FROM recon.conversion_signals ORDER BY event_time;
SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('unhashed email',
     $$INSERT INTO recon.conversion_signals (platform, source, event_name, event_time, email_sha256, record_source)
       VALUES ('meta', 'capi', 'Lead', now(), 'a@example.com', 't')$$),
    ('upper-case hex hash',
     $$INSERT INTO recon.conversion_signals (platform, source, event_name, event_time, email_sha256, record_source)
       VALUES ('meta', 'capi', 'Lead', now(), upper(encode(sha256('a@example.com'), 'hex')), 't')$$),
    ('63-character phone hash',
     $$INSERT INTO recon.conversion_signals (platform, source, event_name, event_time, phone_sha256, record_source)
       VALUES ('meta', 'capi', 'Lead', now(), substr(encode(sha256('+15551234567'), 'hex'), 2), 't')$$),
    ('unknown source',
     $$INSERT INTO recon.conversion_signals (platform, source, event_name, event_time, record_source)
       VALUES ('meta', 'server', 'Lead', now(), 't')$$),
    ('unknown platform',
     $$INSERT INTO recon.conversion_signals (platform, source, event_name, event_time, record_source)
       VALUES ('myspace', 'pixel', 'Lead', now(), 't')$$),
    ('value without currency',
     $$INSERT INTO recon.conversion_signals (platform, source, event_name, event_time, value, record_source)
       VALUES ('meta', 'pixel', 'Purchase', now(), 10, 't')$$),
    ('explicit signal_key',
     $$INSERT INTO recon.conversion_signals (signal_key, platform, source, event_name, event_time, record_source)
       VALUES (42, 'meta', 'pixel', 'Lead', now(), 't')$$)
) AS t(label, sql);
UPDATE recon.conversion_signals SET dq_flags = '{pixel_capi_pair}' WHERE order_id = 'ord-1';
SELECT source, dq_flags, updated_at > loaded_at AS updated_at_moved
FROM recon.conversion_signals WHERE order_id = 'ord-1' ORDER BY source COLLATE "C";

---------------------------------------------------------------------------
-- recon.funnel_records and recon.funnel_stage_history.
INSERT INTO recon.funnel_records
    (record_id, record_type, crm_system, created_at, channel, campaign_id, gclid, email_sha256,
     stated_value, currency, stage, status, closed_at, record_source)
VALUES
    ('L-1', 'lead', 'hubspot', '2026-01-05 15:00:00+00', 'google', '21045678000', 'Cj0KCQ', encode(sha256('b@example.com'), 'hex'),
     NULL, NULL, 'new', 'open', NULL, 'crm export'),
    ('O-1', 'order', 'shopify', '2026-01-05 14:00:00+00', 'meta', '120208123456789012', NULL, NULL,
     99.99, 'USD', 'paid', 'won', '2026-01-05 14:00:00+00', 'shop export'),
    ('L-2', 'lead', 'hubspot', '2026-01-06 10:00:00+00', 'organic', NULL, NULL, NULL,
     NULL, NULL, 'disqualified', 'lost', '2026-01-07 10:00:00+00', 'crm export');
-- An opportunity created from a lead (parent checked at commit).
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, parent_record_id, stated_value, currency,
                                  stage, record_source)
VALUES ('OPP-1', 'opportunity', 'hubspot', '2026-01-08 10:00:00+00', 'L-1', 5000, 'EUR', 'proposal', 'crm export');
SELECT record_id, record_type, channel, campaign_id, stated_value, currency, stage, status, closed_at, parent_record_id
FROM recon.funnel_records ORDER BY record_id COLLATE "C";
SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('unknown channel',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, stage, record_source)
       VALUES ('X-1', 'lead', 'hubspot', now(), 'facebook', 'new', 't')$$),
    ('channel spelled Meta',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, stage, record_source)
       VALUES ('X-1', 'lead', 'hubspot', now(), 'Meta', 'new', 't')$$),
    ('won without closed_at',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, status, record_source)
       VALUES ('X-1', 'order', 'shopify', now(), 'paid', 'won', 't')$$),
    ('open with closed_at',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, status, closed_at, record_source)
       VALUES ('X-1', 'lead', 'hubspot', now(), 'new', 'open', now(), 't')$$),
    ('closed before created',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, status, closed_at, record_source)
       VALUES ('X-1', 'lead', 'hubspot', '2026-01-05', 'lost', 'lost', '2026-01-04', 't')$$),
    ('unknown status',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, status, closed_at, record_source)
       VALUES ('X-1', 'lead', 'hubspot', now(), 'new', 'pending', now(), 't')$$),
    ('unknown record_type',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source)
       VALUES ('X-1', 'deal', 'hubspot', now(), 'new', 't')$$),
    ('value without currency',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, stated_value, record_source)
       VALUES ('X-1', 'order', 'shopify', now(), 'new', 10, 't')$$),
    ('unhashed email',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, email_sha256, record_source)
       VALUES ('X-1', 'lead', 'hubspot', now(), 'new', 'b@example.com', 't')$$),
    ('empty record_id',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source)
       VALUES ('', 'lead', 'hubspot', now(), 'new', 't')$$),
    ('duplicate record_id',
     $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source)
       VALUES ('L-1', 'lead', 'hubspot', now(), 'new', 't')$$),
    ('unknown parent record',
     $$SET CONSTRAINTS ALL IMMEDIATE;
       INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, parent_record_id, record_source)
       VALUES ('X-1', 'opportunity', 'hubspot', now(), 'new', 'NO-SUCH-LEAD', 't')$$)
) AS t(label, sql);
-- A status change: closing the record needs closed_at; updated_at moves.
SELECT regress.sqlstate_of($$UPDATE recon.funnel_records SET status = 'won' WHERE record_id = 'L-1'$$) AS won_without_closed_at;
UPDATE recon.funnel_records SET status = 'won', stage = 'customer', closed_at = '2026-01-20 12:00:00+00' WHERE record_id = 'L-1';
SELECT record_id, status, stage, closed_at, updated_at > loaded_at AS updated_at_moved
FROM recon.funnel_records WHERE record_id = 'L-1';

INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, exited_at, record_source) VALUES
    ('L-1', 'new', '2026-01-05 15:00:00+00', '2026-01-06 09:00:00+00', 'crm export'),
    ('L-1', 'qualified', '2026-01-06 09:00:00+00', '2026-01-20 12:00:00+00', 'crm export'),
    ('L-1', 'customer', '2026-01-20 12:00:00+00', NULL, 'crm export');
SELECT record_id, stage, entered_at, exited_at, exited_at - entered_at AS time_in_stage
FROM recon.funnel_stage_history ORDER BY entered_at;
SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('exited before entered',
     $$INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, exited_at, record_source)
       VALUES ('L-2', 'new', '2026-01-06 10:00:00+00', '2026-01-06 09:59:59+00', 't')$$),
    ('unknown record',
     $$INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, record_source)
       VALUES ('NO-SUCH', 'new', '2026-01-06 10:00:00+00', 't')$$),
    ('same stage entry twice',
     $$INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, record_source)
       VALUES ('L-1', 'new', '2026-01-05 15:00:00+00', 't')$$)
) AS t(label, sql);
UPDATE recon.funnel_stage_history SET exited_at = '2026-01-21 00:00:00+00' WHERE stage = 'customer';
SELECT stage, updated_at > loaded_at AS updated_at_moved FROM recon.funnel_stage_history WHERE stage = 'customer';
-- Deleting a record deletes its history.
DELETE FROM recon.funnel_records WHERE record_id = 'OPP-1';
DELETE FROM recon.funnel_records WHERE record_id = 'L-1';
SELECT count(*) AS history_rows_left FROM recon.funnel_stage_history;

---------------------------------------------------------------------------
-- recon.finance_transactions: amounts are positive; cash_amount and
-- revenue_amount carry the sign and leave out tax and shipping.
INSERT INTO recon.finance_transactions
    (transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount, fee_amount,
     tax_treatment, order_id, invoice_id, customer_id, record_source)
VALUES
    ('T-1', 'payment',     'posted',  '2026-01-05 14:05:00+00', 119.00, 'EUR', 19.00, 0,    3.20, 'inclusive', 'O-1', NULL, NULL, 'stripe'),
    ('T-2', 'payment',     'posted',  '2026-01-05 14:06:00+00', 110.00, 'EUR', 10.00, 5.00, 0,    'inclusive', 'O-2', NULL, NULL, 'stripe'),
    ('T-3', 'payment',     'posted',  '2026-01-05 14:07:00+00', 100.00, 'USD', 8.00,  0,    0,    'exclusive', 'O-3', NULL, NULL, 'stripe'),
    ('T-4', 'refund',      'posted',  '2026-01-09 10:00:00+00', 59.50,  'EUR', 9.50,  0,    0,    'inclusive', 'O-1', NULL, NULL, 'stripe'),
    ('T-5', 'chargeback',  'posted',  '2026-01-19 10:00:00+00', 110.00, 'EUR', 10.00, 5.00, 15.00, 'inclusive', 'O-2', NULL, NULL, 'stripe'),
    ('T-6', 'invoice',     'posted',  '2026-01-05 00:00:00+00', 5000,   'EUR', 0,     0,    0,    'exempt',    NULL, 'INV-1', 'C-1', 'erp'),
    ('T-7', 'payment',     'pending', '2026-01-06 00:00:00+00', 5000,   'EUR', 0,     0,    0,    'exempt',    NULL, 'INV-1', NULL, 'erp'),
    ('T-8', 'payment',     'failed',  '2026-01-06 00:00:00+00', 25,     'EUR', 0,     0,    0,    'inclusive', 'O-4', NULL, NULL, 'stripe'),
    ('T-9', 'credit_note', 'posted',  '2026-01-07 00:00:00+00', 500,    'EUR', 0,     0,    0,    'exempt',    NULL, 'INV-1', NULL, 'erp'),
    ('T-10', 'write_off',  'posted',  '2026-03-31 00:00:00+00', 4500,   'EUR', 0,     0,    0,    'exempt',    NULL, 'INV-1', NULL, 'erp'),
    ('T-11', 'payment',    'reversed','2026-01-06 00:00:00+00', 10,     'JPY', 0,     0,    0,    'inclusive', 'O-5', NULL, NULL, 'stripe');
-- A refund may point at the payment it reverses (checked at commit).
INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, parent_transaction_id, record_source)
VALUES ('T-12', 'refund', '2026-01-10 00:00:00+00', 10, 'EUR', 'T-1', 'stripe');
SELECT transaction_id, transaction_type, status, amount, currency, tax_amount, shipping_amount, fee_amount, tax_treatment,
       cash_amount, revenue_amount
FROM recon.finance_transactions ORDER BY length(transaction_id), transaction_id COLLATE "C";
SELECT currency, sum(cash_amount) AS cash, sum(revenue_amount) AS revenue
FROM recon.finance_transactions GROUP BY currency ORDER BY currency COLLATE "C";
SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('negative refund amount',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, record_source)
       VALUES ('X-1', 'refund', now(), -10, 'EUR', 'O-1', 't')$$),
    ('no link key',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, record_source)
       VALUES ('X-1', 'payment', now(), 10, 'EUR', 't')$$),
    ('tax + shipping over amount',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, tax_amount, shipping_amount, order_id, record_source)
       VALUES ('X-1', 'payment', now(), 10, 'EUR', 8, 3, 'O-1', 't')$$),
    ('negative tax',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, tax_amount, order_id, record_source)
       VALUES ('X-1', 'payment', now(), 10, 'EUR', -1, 'O-1', 't')$$),
    ('negative fee',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, fee_amount, order_id, record_source)
       VALUES ('X-1', 'payment', now(), 10, 'EUR', -1, 'O-1', 't')$$),
    ('unknown transaction_type',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, record_source)
       VALUES ('X-1', 'sale', now(), 10, 'EUR', 'O-1', 't')$$),
    ('unknown status',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, status, occurred_at, amount, currency, order_id, record_source)
       VALUES ('X-1', 'payment', 'settled', now(), 10, 'EUR', 'O-1', 't')$$),
    ('unknown tax_treatment',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, tax_treatment, order_id, record_source)
       VALUES ('X-1', 'payment', now(), 10, 'EUR', 'included', 'O-1', 't')$$),
    ('lower-case currency',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, record_source)
       VALUES ('X-1', 'payment', now(), 10, 'eur', 'O-1', 't')$$),
    ('writing cash_amount',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, cash_amount, record_source)
       VALUES ('X-1', 'payment', now(), 10, 'EUR', 'O-1', 10, 't')$$),
    ('empty transaction_id',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, record_source)
       VALUES ('', 'payment', now(), 10, 'EUR', 'O-1', 't')$$),
    ('duplicate transaction_id',
     $$INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, record_source)
       VALUES ('T-1', 'payment', now(), 10, 'EUR', 'O-1', 't')$$),
    ('unknown parent transaction',
     $$SET CONSTRAINTS ALL IMMEDIATE;
       INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, parent_transaction_id, record_source)
       VALUES ('X-1', 'refund', now(), 10, 'EUR', 'NO-SUCH', 't')$$)
) AS t(label, sql);
-- Generated columns follow an UPDATE (a pending payment posts); updated_at moves.
UPDATE recon.finance_transactions SET status = 'posted' WHERE transaction_id = 'T-7';
SELECT transaction_id, status, cash_amount, revenue_amount, updated_at > loaded_at AS updated_at_moved
FROM recon.finance_transactions WHERE transaction_id = 'T-7';

---------------------------------------------------------------------------
-- Deleting a delivery row deletes its platform conversions.
DELETE FROM recon.ad_delivery_daily WHERE level = 'ad' AND platform = 'meta';
SELECT attribution_window FROM recon.platform_conversions_daily ORDER BY attribution_window COLLATE "C";

-- Clean up for the suites that follow.
DELETE FROM recon.finance_transactions;
DELETE FROM recon.funnel_stage_history;
DELETE FROM recon.funnel_records;
DELETE FROM recon.conversion_signals;
DELETE FROM recon.platform_conversions_daily;
DELETE FROM recon.ad_delivery_daily;
DELETE FROM recon.ad_accounts;
SELECT (SELECT count(*) FROM recon.ad_accounts) + (SELECT count(*) FROM recon.ad_delivery_daily)
     + (SELECT count(*) FROM recon.platform_conversions_daily) + (SELECT count(*) FROM recon.conversion_signals)
     + (SELECT count(*) FROM recon.funnel_records) + (SELECT count(*) FROM recon.funnel_stage_history)
     + (SELECT count(*) FROM recon.finance_transactions) AS rows_left;
