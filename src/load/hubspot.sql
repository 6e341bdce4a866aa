-- HubSpot: contacts and deals exports (CRM > Export, CSV) and a deal stage
-- history (one row per stage a deal entered). Contacts become leads, deals
-- opportunities whose parent is their first associated contact; both are
-- upserted by Record ID (docs/loading-crm.md).

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('hubspot_contacts', 'csv', 'hubspot', 'recon.load_map_hubspot_contacts',
     '{funnel_records,contact_details}', '{id_prefix,default_region}',
     'HubSpot contacts export (Contacts > Export, CSV; labels or internal names as headers): Record ID, names, Email, Phone Number, Create Date (portal time zone), Lifecycle Stage, Lead Status, Original Source and its drill-downs, Google ad click id, Facebook click id, First Page Seen, Country. One lead per contact.'),
    ('hubspot_deals', 'csv', 'hubspot', 'recon.load_map_hubspot_deals',
     '{funnel_records,load_record_links}', '{id_prefix,currency}',
     'HubSpot deals export (Deals > Export, CSV): Record ID, Deal Stage, Amount, Deal currency code, Create Date, Close Date, Associated Contact IDs (the first is the deal''s lead), Closed Lost Reason, optionally Is Closed Won / Is Deal Closed?. One opportunity per deal.'),
    ('hubspot_deal_stage_history', 'csv', 'hubspot', 'recon.load_map_hubspot_deal_stage_history',
     '{funnel_stage_history}', '{id_prefix}',
     'HubSpot deal stage history, one row per stage a deal entered (from the dealstage property history of the CRM API, or a report of deal stage changes): Deal ID, Deal Stage, Entered At. The history of every deal in the file replaces the one stored.');

INSERT INTO recon.load_format_fields (format, field, headers, required, pii) VALUES
    ('hubspot_contacts', 'record_id',       ARRAY['record id', 'contact id', 'hs_object_id', 'vid'], true, false),
    ('hubspot_contacts', 'first_name',      ARRAY['first name', 'firstname'], false, true),
    ('hubspot_contacts', 'last_name',       ARRAY['last name', 'lastname'], false, true),
    ('hubspot_contacts', 'email',           ARRAY['email', 'email address'], false, true),
    ('hubspot_contacts', 'phone',           ARRAY['phone number', 'phone', 'mobile phone number', 'mobilephone'], false, true),
    ('hubspot_contacts', 'create_date',     ARRAY['create date', 'createdate', 'created date'], true, false),
    ('hubspot_contacts', 'last_modified',   ARRAY['last modified date', 'lastmodifieddate'], false, false),
    ('hubspot_contacts', 'lifecycle_stage', ARRAY['lifecycle stage', 'lifecyclestage'], true, false),
    ('hubspot_contacts', 'lead_status',     ARRAY['lead status', 'hs_lead_status'], false, false),
    ('hubspot_contacts', 'original_source', ARRAY['original source', 'original source type', 'hs_analytics_source'], false, false),
    ('hubspot_contacts', 'drill_down_1',    ARRAY['original source drill-down 1', 'hs_analytics_source_data_1'], false, false),
    ('hubspot_contacts', 'drill_down_2',    ARRAY['original source drill-down 2', 'hs_analytics_source_data_2'], false, false),
    ('hubspot_contacts', 'gclid',           ARRAY['google ad click id', 'hs_google_click_id'], false, false),
    ('hubspot_contacts', 'fbclid',          ARRAY['facebook click id', 'hs_facebook_click_id'], false, false),
    ('hubspot_contacts', 'landing_url',     ARRAY['first page seen', 'hs_analytics_first_url', 'landing page( url)?', 'first url'], false, false),
    ('hubspot_contacts', 'utm_source',      ARRAY['utm[ _]source'], false, false),
    ('hubspot_contacts', 'utm_medium',      ARRAY['utm[ _]medium'], false, false),
    ('hubspot_contacts', 'utm_campaign',    ARRAY['utm[ _]campaign'], false, false),
    ('hubspot_contacts', 'utm_content',     ARRAY['utm[ _]content'], false, false),
    ('hubspot_contacts', 'utm_term',        ARRAY['utm[ _]term'], false, false),
    ('hubspot_contacts', 'country',         ARRAY['country', 'country/region'], false, false),
    ('hubspot_contacts', 'owner',           ARRAY['contact owner', 'hubspot_owner_id'], false, false),
    ('hubspot_contacts', 'company_ids',     ARRAY['associated company ids?', 'associatedcompanyid'], false, false),
    ('hubspot_deals', 'record_id',          ARRAY['record id', 'deal id', 'hs_object_id'], true, false),
    ('hubspot_deals', 'deal_stage',         ARRAY['deal stage', 'dealstage'], true, false),
    ('hubspot_deals', 'amount',             ARRAY['amount'], false, false),
    ('hubspot_deals', 'currency',           ARRAY['deal currency code', 'deal_currency_code', 'currency'], false, false),
    ('hubspot_deals', 'create_date',        ARRAY['create date', 'createdate'], true, false),
    ('hubspot_deals', 'close_date',         ARRAY['close date', 'closedate'], false, false),
    ('hubspot_deals', 'last_modified',      ARRAY['last modified date', 'hs_lastmodifieddate'], false, false),
    ('hubspot_deals', 'is_won',             ARRAY['is closed won', 'hs_is_closed_won'], false, false),
    ('hubspot_deals', 'is_closed',          ARRAY['is deal closed\??', 'hs_is_closed'], false, false),
    ('hubspot_deals', 'lost_reason',        ARRAY['closed lost reason', 'closed_lost_reason'], false, false),
    ('hubspot_deals', 'contact_ids',        ARRAY['associated contact ids?'], false, false),
    ('hubspot_deals', 'company_ids',        ARRAY['associated company ids?'], false, false),
    ('hubspot_deals', 'original_source',    ARRAY['original source type', 'original source', 'hs_analytics_source'], false, false),
    ('hubspot_deals', 'drill_down_1',       ARRAY['original source drill-down 1', 'hs_analytics_source_data_1'], false, false),
    ('hubspot_deals', 'owner',              ARRAY['deal owner', 'hubspot_owner_id'], false, false),
    ('hubspot_deal_stage_history', 'record_id',  ARRAY['deal id', 'record id', 'deal record id', 'object id', 'objectid'], true, false),
    ('hubspot_deal_stage_history', 'stage',      ARRAY['deal stage', 'stage', 'dealstage', 'value'], true, false),
    ('hubspot_deal_stage_history', 'entered_at', ARRAY['entered at', 'date entered', 'entered stage at', 'timestamp', 'changed at'], true, false);

-- A HubSpot record id as recon stores it: its digits (Excel's 1.51E+11 does not read), after the load's id_prefix.
CREATE FUNCTION recon.load_hubspot_id(raw text, options jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(options ->> 'id_prefix', '') || @extschema@.recon_normalize_platform_id(raw)
$$;
COMMENT ON FUNCTION recon.load_hubspot_id(text, jsonb) IS
    'A HubSpot record id as stored: the id''s digits (recon_normalize_platform_id: blanks, quotes, a trailing .0 removed; NULL for a mangled 1.51E+11) after the id_prefix option.';

-- The first id of a HubSpot association cell (351;352): the one recon uses.
CREATE FUNCTION recon.load_hubspot_first_id(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(btrim(split_part(raw, ';', 1)), '')
$$;
COMMENT ON FUNCTION recon.load_hubspot_first_id(text) IS
    'The first id of a HubSpot association cell, as written (Associated Contact IDs 351;352 -> 351); NULL when blank. Only it is used, and only it is checked.';

CREATE FUNCTION recon.load_map_hubspot_contacts(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['create_date', 'last_modified'],
                                         'HubSpot exports times in the portal''s time zone (Settings > Account defaults).');
    style text := coalesce(options ->> 'date_style', 'mdy');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_records
        (line_number, reasons, record_id, record_key, record_type, created_at, created_raw, source, source_detail,
         landing_url, gclid, fbclid, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
         email, phone, first_name, last_name, country, customer_id, stage, status, status_reason, last_modified, owner)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_bad_id('record_id', r.record_id),
               recon.load_missing('create_date', r.create_date),
               recon.load_bad('bad_date', 'create_date', r.create_date, t.created_at),
               recon.load_bad('bad_date', 'last_modified', r.last_modified, t.last_modified),
               recon.load_missing('lifecycle_stage', r.lifecycle_stage),
               recon.load_bad_id('associated_company_ids', recon.load_hubspot_first_id(r.company_ids))], NULL),
           recon.load_hubspot_id(r.record_id, options), recon.load_hubspot_id(r.record_id, options), 'lead',
           t.created_at, r.create_date, r.original_source, concat_ws(' ', r.drill_down_1, r.drill_down_2),
           r.landing_url, r.gclid, r.fbclid, r.utm_source, r.utm_medium, r.utm_campaign, r.utm_content, r.utm_term,
           r.email, r.phone, r.first_name, r.last_name, r.country,
           recon_normalize_platform_id(recon.load_hubspot_first_id(r.company_ids)),
           btrim(r.lifecycle_stage), t.status,
           recon.load_status_reason(NULL, r.lead_status), t.last_modified, r.owner
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.create_date, zone, style) AS created_at,
                               recon.load_crm_time(r.last_modified, zone, style) AS last_modified,
                               recon.load_lead_status(r.lead_status, NULL) AS status) t;
    RETURN recon.load_write_funnel_records(batch, source_file, options, 'hubspot');
END $$;
COMMENT ON FUNCTION recon.load_map_hubspot_contacts(text, text, jsonb) IS
    'Mapper of hubspot_contacts: one lead per contact, stage = Lifecycle Stage as written (internal value or label), status lost when Lead Status is Unqualified, Bad fit, Bad timing (or Spam, Junk, Duplicate, Test: the reason), else open; customer_id = the first associated company. Rejects rows without a Record ID or Create Date, with a mangled or invalid id, a bad date or no lifecycle stage. Times are the portal''s (timezone option, required when the file has times without an offset).';

CREATE FUNCTION recon.load_map_hubspot_deals(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['create_date', 'close_date', 'last_modified'],
                                         'HubSpot exports times in the portal''s time zone (Settings > Account defaults).');
    style text := coalesce(options ->> 'date_style', 'mdy');
    mark text := coalesce(options ->> 'decimal_mark', '.');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_records
        (line_number, reasons, record_id, record_key, record_type, created_at, created_raw, source, source_detail,
         customer_id, parent_ref, amount_raw, stated_value, currency_raw, stage, status, status_reason,
         closed_at, close_field, close_raw, last_modified, owner)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_bad_id('record_id', r.record_id),
               recon.load_missing('create_date', r.create_date),
               recon.load_bad('bad_date', 'create_date', r.create_date, t.created_at),
               recon.load_bad('bad_date', 'close_date', r.close_date, t.closed_at),
               recon.load_bad('bad_date', 'last_modified', r.last_modified, t.last_modified),
               recon.load_missing('deal_stage', r.deal_stage),
               recon.load_bad('bad_value', 'is_won', r.is_won, recon.load_bool(r.is_won)),
               recon.load_bad('bad_value', 'is_closed', r.is_closed, recon.load_bool(r.is_closed)),
               recon.load_bad_id('associated_contact_ids', recon.load_hubspot_first_id(r.contact_ids)),
               recon.load_bad_id('associated_company_ids', recon.load_hubspot_first_id(r.company_ids))], NULL),
           recon.load_hubspot_id(r.record_id, options), recon.load_hubspot_id(r.record_id, options), 'opportunity',
           t.created_at, r.create_date, r.original_source, r.drill_down_1,
           recon_normalize_platform_id(recon.load_hubspot_first_id(r.company_ids)),
           recon.load_hubspot_id(recon.load_hubspot_first_id(r.contact_ids), options),
           r.amount, recon_parse_decimal(r.amount, mark), r.currency, btrim(r.deal_stage), t.status,
           CASE WHEN t.status = 'lost' THEN nullif(btrim(r.lost_reason), '') END,
           t.closed_at, 'close_date', r.close_date, t.last_modified, r.owner
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.create_date, zone, style) AS created_at,
                               recon.load_crm_time(r.close_date, zone, style) AS closed_at,
                               recon.load_crm_time(r.last_modified, zone, style) AS last_modified,
                               recon.load_deal_status(r.deal_stage, recon.load_bool(r.is_closed), recon.load_bool(r.is_won)) AS status) t;
    RETURN recon.load_write_funnel_records(batch, source_file, options, 'hubspot', 'child');
END $$;
COMMENT ON FUNCTION recon.load_map_hubspot_deals(text, text, jsonb) IS
    'Mapper of hubspot_deals: one opportunity per deal, stage = Deal Stage as written, status won/lost from Is Closed Won / Is Deal Closed? when exported, else from the stage (closedwon, Closed won; closedlost, Closed lost), closed_at = Close Date for won and lost deals, status_reason = Closed Lost Reason, stated_value = Amount in Deal currency code (else the currency option), customer_id = the first associated company; the first associated contact is the deal''s parent (recon.load_record_links). Rejects rows without id, stage or create date, with a mangled id (the deal''s or an associated one), a bad date, amount or yes/no value, or an unknown currency.';

CREATE FUNCTION recon.load_map_hubspot_deal_stage_history(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['entered_at'],
                                         'HubSpot exports times in the portal''s time zone (Settings > Account defaults).');
    style text := coalesce(options ->> 'date_style', 'mdy');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_history (line_number, reasons, record_key, stage, entered_at)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_bad_id('record_id', r.record_id),
               recon.load_missing('stage', r.stage),
               recon.load_missing('entered_at', r.entered_at),
               recon.load_bad('bad_date', 'entered_at', r.entered_at, t.entered_at)], NULL),
           recon.load_hubspot_id(r.record_id, options), btrim(r.stage), t.entered_at
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.entered_at, zone, style) AS entered_at) t;
    RETURN recon.load_write_stage_history(batch, source_file, options, 'hubspot');
END $$;
COMMENT ON FUNCTION recon.load_map_hubspot_deal_stage_history(text, text, jsonb) IS
    'Mapper of hubspot_deal_stage_history: one stage entry per row (deal id, stage as written, entered at), written by recon.load_write_stage_history: the history of each deal in the file replaces the stored one, exited_at = the deal''s next entry.';
