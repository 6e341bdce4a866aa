-- load_salesforce: Salesforce leads, opportunities and opportunity history into
-- the funnel layer (src/load/salesforce.sql, src/load/funnel_writer.sql, docs/loading-crm.md).
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
CREATE TEMP VIEW funnel_state AS
SELECT record_id, record_type, crm_system, created_at, channel, source, campaign_id, adset_id, ad_id, utm_source,
       utm_medium, utm_campaign, utm_content, utm_term, utm_id, fbclid, gclid, gbraid, wbraid, ttclid, msclkid,
       li_fat_id, email_sha256, phone_sha256, customer_id, parent_record_id, stated_value, currency, stage, status,
       status_reason, closed_at, owner, market, record_source, dq_flags
FROM recon.funnel_records WHERE crm_system = 'salesforce';

-- The formats
SELECT format, input, mapper, writes, options FROM recon.load_formats WHERE source_system = 'salesforce' ORDER BY format;
SELECT format, field FROM recon.load_format_fields WHERE format LIKE 'salesforce%' AND pii ORDER BY 1, 2;

-- Salesforce ids: 15 characters (reports) or 18 (API, Data Loader); the last 3 encode the case of the first 15
SELECT id, recon.salesforce_id18(id) AS id18, recon.load_salesforce_id_problem('record_id', id, '00Q', 'lead') AS problem
FROM unnest(ARRAY['a0D30000001n7Pi', '0019000000B98de', '00Q8c00001XbT4r', '00Q8c00001XbT4rEAF',
                  '00Q8C00001XBT4REAF', '00q8c00001xbt4reaf', '00Q8c00001XbT4rEA9', '00Q8c00001XbT4', '0068c00000Wq2LmAAJ']) id;

-- 1. Opportunities first: the leads they came from are not loaded yet
\set content `cat examples/salesforce/opportunities.csv`
\x on
SELECT * FROM regress.error_of(format('SELECT recon.load_text(%L, %L, %L, %L)', 'salesforce_opportunities', 'examples/salesforce/opportunities.csv', :'content',
                              '{"batch_id": "sf-no-zone", "pulled_at": "2026-03-10T06:00:00Z"}'));
\x off
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/salesforce/opportunities.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('salesforce_opportunities', 'examples/salesforce/opportunities.csv',
                                '{"batch_id": "sf-opps-1", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/Los_Angeles"}');
SELECT * FROM shown_record WHERE crm_system = 'salesforce' ORDER BY record_id;
SELECT * FROM shown_origin WHERE record_id IN (SELECT record_id FROM recon.funnel_records WHERE crm_system = 'salesforce') ORDER BY record_id;
SELECT * FROM shown_contact WHERE record_id IN (SELECT record_id FROM recon.funnel_records WHERE crm_system = 'salesforce') ORDER BY record_id;
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'sf-opps-1' ORDER BY line_number;

-- Reload: the same rows, every one replaced
CREATE TEMP TABLE before_reload AS SELECT * FROM funnel_state;
SELECT * FROM recon.load_text('salesforce_opportunities', 'examples/salesforce/opportunities.csv', :'content',
                              '{"batch_id": "sf-opps-2", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/Los_Angeles"}');
SELECT (SELECT count(*) FROM (SELECT * FROM funnel_state EXCEPT SELECT * FROM before_reload) a) AS new_or_changed,
       (SELECT count(*) FROM (SELECT * FROM before_reload EXCEPT SELECT * FROM funnel_state) b) AS gone;

-- 2. Leads (Data Loader): converted leads are won, closed at ConvertedDate, and give their opportunity its parent
\set content `cat examples/salesforce/leads.csv`
SELECT * FROM recon.load_text('salesforce_leads', 'examples/salesforce/leads.csv', :'content',
                              '{"batch_id": "sf-leads-1", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/Los_Angeles", "default_region": "US"}');
SELECT * FROM shown_record WHERE crm_system = 'salesforce' AND record_type = 'lead' ORDER BY record_id;
SELECT * FROM shown_origin WHERE record_id IN (SELECT record_id FROM recon.funnel_records WHERE crm_system = 'salesforce' AND record_type = 'lead') ORDER BY record_id;
SELECT * FROM shown_contact WHERE record_id IN (SELECT record_id FROM recon.funnel_records WHERE crm_system = 'salesforce' AND record_type = 'lead') ORDER BY record_id;
SELECT email_sha256 = recon_hash_identifier('olivia.martin@example.com', 'email') AS email_ok,
       phone_sha256 = recon_sha256_hex('12125550176') AS phone_ok
FROM recon.funnel_records WHERE record_id = '00Q8c00001XbTqgEAF';
SELECT crm_system, child_key, parent_key, record_source, batch_id FROM recon.load_record_links WHERE crm_system = 'salesforce' ORDER BY child_key;
-- the opportunities loaded before have their lead now
SELECT record_id, parent_record_id, dq_flags FROM recon.funnel_records WHERE crm_system = 'salesforce' AND record_type = 'opportunity' ORDER BY 1;
-- rejects: personal data masked
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'sf-leads-1' ORDER BY line_number;
SELECT count(*) AS contact_details FROM recon.contact_details;

-- Reload
DROP TABLE before_reload;
CREATE TEMP TABLE before_reload AS SELECT * FROM funnel_state;
SELECT * FROM recon.load_text('salesforce_leads', 'examples/salesforce/leads.csv', :'content',
                              '{"batch_id": "sf-leads-2", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/Los_Angeles", "default_region": "US"}');
SELECT (SELECT count(*) FROM (SELECT * FROM funnel_state EXCEPT SELECT * FROM before_reload) a) AS new_or_changed,
       (SELECT count(*) FROM (SELECT * FROM before_reload EXCEPT SELECT * FROM funnel_state) b) AS gone;

-- 3. A leads report (labels as headers, 15-character ids, local times in m/d/y): the 15-character
--    Converted Opportunity ID finds the opportunity stored with its 18-character id
\set content `cat examples/salesforce/leads_report.csv`
\x on
SELECT * FROM regress.error_of(format('SELECT recon.load_text(%L, %L, %L, %L)', 'salesforce_leads', 'examples/salesforce/leads_report.csv', :'content',
                              '{"batch_id": "sf-report-no-zone", "pulled_at": "2026-03-10T06:00:00Z"}'));
\x off
SELECT recon.set_setting('store_raw_contacts', 'true', 'test: raw contacts kept') AS store_raw_contacts;
SELECT * FROM recon.load_text('salesforce_leads', 'examples/salesforce/leads_report.csv', :'content',
                              '{"batch_id": "sf-report-1", "pulled_at": "2026-03-10T06:00:00Z", "timezone": "America/Los_Angeles", "keep_pii": true}');
SELECT * FROM shown_record WHERE batch_id = 'sf-report-1' ORDER BY record_id;
SELECT record_id, parent_record_id FROM recon.funnel_records WHERE record_id = '0068c00000Wq2NoAAJ';
-- keep_pii: the raw contact data is kept
SELECT layer, record_key, email, phone, first_name, last_name, record_source, batch_id FROM recon.contact_details ORDER BY record_key;

-- 4. Newer exports (pulled two days later)
\set content `cat examples/salesforce/leads_restated.csv`
SELECT * FROM recon.load_text('salesforce_leads', 'examples/salesforce/leads_restated.csv', :'content',
                              '{"batch_id": "sf-leads-3", "pulled_at": "2026-03-12T06:00:00Z", "timezone": "America/Los_Angeles", "default_region": "US"}');
SELECT * FROM shown_record WHERE batch_id = 'sf-leads-3' ORDER BY record_id;
-- Grace Lee was converted into the existing renewal opportunity: it has a parent now
SELECT record_id, parent_record_id FROM recon.funnel_records WHERE record_id = '0068c00000Wq2PqAAJ';

\set content `cat examples/salesforce/opportunities_restated.csv`
SELECT * FROM recon.load_text('salesforce_opportunities', 'examples/salesforce/opportunities_restated.csv', :'content',
                              '{"batch_id": "sf-opps-3", "pulled_at": "2026-03-12T06:00:00Z", "timezone": "America/Los_Angeles"}');
SELECT * FROM shown_record WHERE batch_id = 'sf-opps-3' ORDER BY record_id;

-- 5. Opportunity history
\set content `cat examples/salesforce/opportunity_history.csv`
SELECT * FROM recon.load_text('salesforce_opportunity_history', 'examples/salesforce/opportunity_history.csv', :'content',
                              '{"batch_id": "sf-history-1", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT record_id, stage, entered_at, exited_at, record_source, batch_id, dq_flags
FROM recon.funnel_stage_history WHERE record_id LIKE '006%' ORDER BY record_id, entered_at, stage;
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'sf-history-1' ORDER BY line_number;
CREATE TEMP TABLE history_before AS SELECT record_id, stage, entered_at, exited_at FROM recon.funnel_stage_history;
SELECT * FROM recon.load_text('salesforce_opportunity_history', 'examples/salesforce/opportunity_history.csv', :'content',
                              '{"batch_id": "sf-history-2", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT (SELECT count(*) FROM (SELECT record_id, stage, entered_at, exited_at FROM recon.funnel_stage_history EXCEPT SELECT * FROM history_before) a) AS new_or_changed,
       (SELECT count(*) FROM (SELECT * FROM history_before EXCEPT SELECT record_id, stage, entered_at, exited_at FROM recon.funnel_stage_history) b) AS gone;
\set content `cat examples/salesforce/opportunity_history_restated.csv`
SELECT * FROM recon.load_text('salesforce_opportunity_history', 'examples/salesforce/opportunity_history_restated.csv', :'content',
                              '{"batch_id": "sf-history-3", "pulled_at": "2026-03-12T06:00:00Z"}');
SELECT record_id, stage, entered_at, exited_at, batch_id FROM recon.funnel_stage_history WHERE record_id = '0068c00000Wq2MnAAJ' ORDER BY entered_at;

-- What the funnel reads: each lead with its opportunity's outcome (recon.bridge_records folds it in)
SELECT l.record_id AS lead, l.stage AS lead_stage, l.status AS lead_status, o.record_id AS opportunity, o.stage, o.status,
       o.stated_value, o.currency
FROM recon.funnel_records l JOIN recon.funnel_records o ON o.parent_record_id = l.record_id
WHERE l.crm_system = 'salesforce' ORDER BY l.record_id;

-- What every load recorded: rows read = loaded + rejected + skipped
SELECT batch_id, format, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped, tables
FROM recon.load_batches WHERE format LIKE 'salesforce%' ORDER BY started_at, batch_id;
ROLLBACK;
