-- load_hubspot: HubSpot contacts, deals and deal stage history into the funnel
-- layer (src/load/hubspot.sql, src/load/funnel_writer.sql, docs/loading-crm.md).
BEGIN;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET client_min_messages = warning;
\set VERBOSITY terse

-- Every column of funnel_records a load writes, in three views (loaded_at/updated_at left out).
CREATE TEMP VIEW shown_record AS
SELECT record_id, record_type, crm_system, created_at, stage, status, status_reason, closed_at, parent_record_id,
       stated_value, currency, customer_id, owner, market, record_source, batch_id, dq_flags
FROM recon.funnel_records;
CREATE TEMP VIEW shown_origin AS
SELECT record_id, channel, source, campaign_id, adset_id, ad_id, utm_source, utm_medium, utm_campaign, utm_content,
       utm_term, utm_id, fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id, fbc, fbp, external_id
FROM recon.funnel_records;
CREATE TEMP VIEW shown_contact AS
SELECT record_id, email_sha256, phone_sha256 FROM recon.funnel_records;
-- The rows of a CRM as a load leaves them, without the batch that wrote them (to compare loads).
CREATE TEMP VIEW funnel_state AS
SELECT record_id, record_type, crm_system, created_at, channel, source, campaign_id, adset_id, ad_id, utm_source,
       utm_medium, utm_campaign, utm_content, utm_term, utm_id, fbclid, gclid, gbraid, wbraid, ttclid, msclkid,
       li_fat_id, email_sha256, phone_sha256, customer_id, parent_record_id, stated_value, currency, stage, status,
       status_reason, closed_at, owner, market, record_source, dq_flags
FROM recon.funnel_records WHERE crm_system = 'hubspot';

-- The formats
SELECT format, input, mapper, writes, options FROM recon.load_formats WHERE source_system = 'hubspot' ORDER BY format;
SELECT format, field FROM recon.load_format_fields WHERE format LIKE 'hubspot%' AND pii ORDER BY 1, 2;

-- The channel rule (one function for every CRM): click id, else UTM source, else the CRM's source
SELECT case_name, recon.load_channel(gclid, NULL, NULL, fbclid, ttclid, NULL, NULL, utm_source, crm_source, detail) AS channel
FROM (VALUES ('gclid beats utm_source', 'Cj0K', NULL, NULL, 'facebook', 'Paid Social', 'Facebook'),
             ('fbclid', NULL, 'IwAR2', NULL, NULL, NULL, NULL),
             ('ttclid', NULL, NULL, 'E.C.P.x', NULL, NULL, NULL),
             ('utm_source ig', NULL, NULL, NULL, 'ig', 'Direct Traffic', NULL),
             ('utm_source adwords', NULL, NULL, NULL, 'AdWords', NULL, NULL),
             ('utm_source bing', NULL, NULL, NULL, 'bing', NULL, NULL),
             ('utm_source newsletter', NULL, NULL, NULL, 'newsletter', 'Email Marketing', NULL),
             ('PAID_SEARCH google', NULL, NULL, NULL, NULL, 'PAID_SEARCH', 'google'),
             ('Paid search, drill-down (not set)', NULL, NULL, NULL, NULL, 'Paid search', '(not set)'),
             ('Paid social Facebook', NULL, NULL, NULL, NULL, 'Paid social', 'Facebook'),
             ('ORGANIC_SEARCH', NULL, NULL, NULL, NULL, 'ORGANIC_SEARCH', 'google'),
             ('Social media Facebook', NULL, NULL, NULL, NULL, 'Social media', 'Facebook'),
             ('Direct traffic', NULL, NULL, NULL, NULL, 'Direct traffic', NULL),
             ('EMAIL_MARKETING', NULL, NULL, NULL, NULL, 'EMAIL_MARKETING', NULL),
             ('Referrals', NULL, NULL, NULL, NULL, 'Referrals', NULL),
             ('OFFLINE', NULL, NULL, NULL, NULL, 'OFFLINE', 'IMPORT'),
             ('OTHER_CAMPAIGNS', NULL, NULL, NULL, NULL, 'OTHER_CAMPAIGNS', NULL),
             ('nothing', NULL, NULL, NULL, NULL, NULL, NULL)) AS c(case_name, gclid, fbclid, ttclid, utm_source, crm_source, detail);

-- Lead status: lost for unqualified ones (the reason in recon's words for spam)
SELECT s, recon.load_lead_status(s, NULL) AS status, recon.load_status_reason(NULL, s) AS status_reason
FROM unnest(ARRAY['NEW', 'Open', 'In Progress', 'OPEN_DEAL', 'UNQUALIFIED', 'Bad fit', 'BAD_TIMING', 'Spam']) s;

-- Deal status: the CRM's closed/won flags when exported, else the stage name
SELECT stage, is_closed, is_won, recon.load_deal_status(stage, is_closed, is_won) AS status
FROM (VALUES ('closedwon', NULL::boolean, NULL::boolean), ('Closed won', NULL, NULL), ('Closed lost', NULL, NULL),
             ('contractsent', NULL, NULL), ('Won - signed', true, true), ('Lost - no budget', true, false),
             ('Closed won', false, NULL)) AS d(stage, is_closed, is_won);

-- A file with local times needs the portal's zone; unknown options and unreadable values are refused
\set content `cat examples/hubspot/contacts.csv`
\x on
SELECT * FROM regress.error_of(format('SELECT recon.load_text(%L, %L, %L, %L)', 'hubspot_contacts', 'examples/hubspot/contacts.csv', :'content',
                                      '{"batch_id": "hs-no-zone", "pulled_at": "2026-03-10T06:00:00Z"}'));
SELECT * FROM regress.error_of(format('SELECT recon.load_text(%L, %L, %L, %L)', 'hubspot_contacts', 'examples/hubspot/contacts.csv', :'content',
                                      '{"batch_id": "hs-bad", "timezone": "America/New_York", "currency": "USD"}'));
SELECT * FROM regress.error_of(format('SELECT recon.load_text(%L, %L, %L, %L)', 'hubspot_contacts', 'examples/hubspot/contacts.csv', :'content',
                                      '{"batch_id": "hs-bad", "timezone": "America/New_York", "default_region": "Atlantis"}'));
\x off

-- 1. Contacts -> leads
SELECT * FROM recon.load_text('hubspot_contacts', 'examples/hubspot/contacts.csv', :'content',
                              '{"batch_id": "hs-contacts-1", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York", "default_region": "US"}');
SELECT * FROM shown_record WHERE crm_system = 'hubspot' ORDER BY record_id;
SELECT * FROM shown_origin WHERE record_id IN (SELECT record_id FROM recon.funnel_records WHERE crm_system = 'hubspot') ORDER BY record_id;
SELECT * FROM shown_contact WHERE record_id IN (SELECT record_id FROM recon.funnel_records WHERE crm_system = 'hubspot') ORDER BY record_id;
-- the digests are Meta's: email trimmed and lower-cased, phone in E.164 digits (national numbers with the row's country, else default_region)
SELECT record_id, email_sha256 = recon_hash_identifier('james.obrien@example.com', 'email') AS email_ok,
       phone_sha256 = recon_sha256_hex('14155550134') AS phone_ok
FROM recon.funnel_records WHERE record_id = '101234567802';
SELECT phone_sha256 = recon_sha256_hex('16465550199') AS default_region_phone_ok FROM recon.funnel_records WHERE record_id = '101234567808';
-- rejects: names, email and phone masked (sha256 of the value as written): keep_pii was not given
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'hs-contacts-1' ORDER BY line_number;
SELECT count(*) AS contact_details FROM recon.contact_details;

-- Reload: the same rows, every one replaced
CREATE TEMP TABLE before_reload AS SELECT * FROM funnel_state;
SELECT * FROM recon.load_text('hubspot_contacts', 'examples/hubspot/contacts.csv', :'content',
                              '{"batch_id": "hs-contacts-2", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York", "default_region": "US"}');
SELECT (SELECT count(*) FROM (SELECT * FROM funnel_state EXCEPT SELECT * FROM before_reload) a) AS new_or_changed,
       (SELECT count(*) FROM (SELECT * FROM before_reload EXCEPT SELECT * FROM funnel_state) b) AS gone;

-- 2. Deals -> opportunities, through the \copy path
\set content `cat examples/hubspot/deals.csv`
-- (amounts without a currency column need the currency option)
\x on
SELECT * FROM regress.error_of(format('SELECT recon.load_text(%L, %L, %L, %L)', 'hubspot_deals', 'deals-without-currency.csv',
                              E'Record ID,Deal Stage,Amount,Create Date\n301234567899,Closed won,900,2026-03-02 09:30',
                              '{"batch_id": "hs-no-currency", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York"}'));
\x off
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/hubspot/deals.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('hubspot_deals', 'examples/hubspot/deals.csv',
                                '{"batch_id": "hs-deals-1", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York"}');
SELECT * FROM shown_record WHERE crm_system = 'hubspot' AND record_type = 'opportunity' ORDER BY record_id;
SELECT * FROM shown_origin WHERE record_id IN (SELECT record_id FROM recon.funnel_records WHERE crm_system = 'hubspot' AND record_type = 'opportunity') ORDER BY record_id;
SELECT * FROM shown_contact WHERE record_id IN (SELECT record_id FROM recon.funnel_records WHERE crm_system = 'hubspot' AND record_type = 'opportunity') ORDER BY record_id;
SELECT crm_system, child_key, parent_key, record_source, batch_id FROM recon.load_record_links WHERE crm_system = 'hubspot' ORDER BY child_key;
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'hs-deals-1' ORDER BY line_number;

-- Reload
DROP TABLE before_reload;
CREATE TEMP TABLE before_reload AS SELECT * FROM funnel_state;
SELECT * FROM recon.load_text('hubspot_deals', 'examples/hubspot/deals.csv', :'content',
                              '{"batch_id": "hs-deals-2", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York"}');
SELECT (SELECT count(*) FROM (SELECT * FROM funnel_state EXCEPT SELECT * FROM before_reload) a) AS new_or_changed,
       (SELECT count(*) FROM (SELECT * FROM before_reload EXCEPT SELECT * FROM funnel_state) b) AS gone;

-- 3. Deal stage history
\set content `cat examples/hubspot/deal_stage_history.csv`
SELECT * FROM recon.load_text('hubspot_deal_stage_history', 'examples/hubspot/deal_stage_history.csv', :'content',
                              '{"batch_id": "hs-history-1", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York"}');
SELECT record_id, stage, entered_at, exited_at, record_source, batch_id, dq_flags
FROM recon.funnel_stage_history WHERE record_id LIKE '3012%' ORDER BY record_id, entered_at, stage;
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'hs-history-1' ORDER BY line_number;
-- Reload: each deal's history replaced whole by the same entries
CREATE TEMP TABLE history_before AS SELECT record_id, stage, entered_at, exited_at FROM recon.funnel_stage_history;
SELECT * FROM recon.load_text('hubspot_deal_stage_history', 'examples/hubspot/deal_stage_history.csv', :'content',
                              '{"batch_id": "hs-history-2", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York"}');
SELECT (SELECT count(*) FROM (SELECT record_id, stage, entered_at, exited_at FROM recon.funnel_stage_history EXCEPT SELECT * FROM history_before) a) AS new_or_changed,
       (SELECT count(*) FROM (SELECT * FROM history_before EXCEPT SELECT record_id, stage, entered_at, exited_at FROM recon.funnel_stage_history) b) AS gone;

-- 4. A newer export (pulled two days later): contacts and deals moved on
\set content `cat examples/hubspot/contacts_restated.csv`
SELECT recon.set_setting('store_raw_contacts', 'true', 'test: raw contacts kept') AS store_raw_contacts;
SELECT * FROM recon.load_text('hubspot_contacts', 'examples/hubspot/contacts_restated.csv', :'content',
                              '{"batch_id": "hs-contacts-3", "pulled_at": "2026-03-12T06:00:00Z", "timezone": "America/New_York", "default_region": "US", "keep_pii": true}');
SELECT * FROM shown_record WHERE batch_id = 'hs-contacts-3' ORDER BY record_id;
-- the deal whose contact was unknown has its parent now
SELECT record_id, parent_record_id, dq_flags FROM recon.funnel_records WHERE record_id = '301234567804';
-- keep_pii: the raw contact data is kept, beside the digests
SELECT layer, record_key, email, phone, first_name, last_name, record_source, batch_id FROM recon.contact_details ORDER BY record_key;

\set content `cat examples/hubspot/deals_restated.csv`
SELECT * FROM recon.load_text('hubspot_deals', 'examples/hubspot/deals_restated.csv', :'content',
                              '{"batch_id": "hs-deals-3", "pulled_at": "2026-03-12T06:00:00Z", "timezone": "America/New_York"}');
SELECT * FROM shown_record WHERE batch_id = 'hs-deals-3' ORDER BY record_id;
SELECT crm_system, child_key, parent_key, batch_id FROM recon.load_record_links WHERE batch_id = 'hs-deals-3' ORDER BY child_key;

\set content `cat examples/hubspot/deal_stage_history_restated.csv`
SELECT * FROM recon.load_text('hubspot_deal_stage_history', 'examples/hubspot/deal_stage_history_restated.csv', :'content',
                              '{"batch_id": "hs-history-3", "pulled_at": "2026-03-12T06:00:00Z", "timezone": "America/New_York"}');
SELECT record_id, stage, entered_at, exited_at, batch_id FROM recon.funnel_stage_history WHERE record_id = '301234567801' ORDER BY entered_at;

-- An older export loaded late does not undo the newer one: its records are skipped as stale
\set content `cat examples/hubspot/deals.csv`
SELECT * FROM recon.load_text('hubspot_deals', 'examples/hubspot/deals.csv', :'content',
                              '{"batch_id": "hs-deals-old", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/New_York"}');
SELECT line_number, disposition, reasons FROM recon.load_rejects WHERE batch_id = 'hs-deals-old' AND disposition = 'skipped' ORDER BY line_number;
SELECT record_id, stage, status, batch_id FROM recon.funnel_records WHERE record_id IN ('301234567801', '301234567805') ORDER BY 1;

-- An id another CRM or record type already uses is refused; id_prefix keeps two portals apart
SAVEPOINT s;
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source)
VALUES ('hs-101234567801', 'order', 'shop', '2026-03-01', 'placed', 'test');
\set content `cat examples/hubspot/contacts_restated.csv`
SELECT * FROM recon.load_text('hubspot_contacts', 'examples/hubspot/contacts_restated.csv', :'content',
                              '{"batch_id": "hs-prefixed", "pulled_at": "2026-03-12T06:00:00Z", "timezone": "America/New_York", "id_prefix": "hs-"}');
SELECT line_number, reasons FROM recon.load_rejects WHERE batch_id = 'hs-prefixed';
SELECT record_id, record_type, stage FROM recon.funnel_records WHERE batch_id = 'hs-prefixed' ORDER BY 1;
ROLLBACK TO s;

-- What every load recorded: rows read = loaded + rejected + skipped
SELECT batch_id, format, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped, tables, replaced_scope
FROM recon.load_batches WHERE format LIKE 'hubspot%' ORDER BY started_at, batch_id;
ROLLBACK;
