-- Meta event-level exports: Lead Ads leads (Ads Manager "Download leads"), the
-- advertiser's Conversions API payloads and its Pixel event log. All become
-- recon.conversion_signals; contact data is hashed on the way in.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('meta_lead_ads', 'csv', 'meta', 'recon.load_map_meta_events', '{conversion_signals,contact_details}',
     '{account_id,default_region}',
     'Meta Lead Ads export (Ads Manager or Leads Center "Download leads"; comma- or tab-separated, convert UTF-16 files with iconv first): id, created_time, ad, ad set, campaign and form ids (with or without their l:, ag:, as:, c:, f: prefixes), is_organic, and the form''s answers (email, phone_number with its p: prefix, full_name...). One lead_form signal per lead; a reload replaces the same lead ids.'),
    ('meta_capi_events', 'json', 'meta', 'recon.load_map_meta_events', '{conversion_signals,contact_details}',
     '{account_id,default_region,source}',
     'The advertiser''s Conversions API log: the payloads sent to /<pixel_id>/events ({"data": [{event_name, event_time (Unix seconds), event_id, action_source, event_source_url, user_data {em, ph, fbc, fbp, external_id}, custom_data {value, currency, order_id}}]}), or JSON lines of events. A reload replaces the UTC days the log covers.'),
    ('meta_pixel_events', 'csv', 'meta', 'recon.load_map_meta_events', '{conversion_signals,contact_details}',
     '{account_id,default_region,source}',
     'The advertiser''s own Pixel (browser) event log as CSV: event_name, event_time (ISO or Unix seconds), event_id, fbp, fbc, page URL, value, currency, order_id, external_id, email. A reload replaces the UTC days the log covers.');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required, pii)
SELECT f.format, x.field, x.headers, CASE WHEN f.format = 'meta_capi_events' THEN x.json_path END,
       x.required AND (f.format = 'meta_lead_ads') = x.lead, x.pii
FROM (VALUES ('meta_lead_ads'), ('meta_capi_events'), ('meta_pixel_events')) AS f(format)
CROSS JOIN (VALUES
    -- field,        CSV header spellings,                               JSON path,                 required, lead form field, pii
    ('lead_id',      ARRAY['id', 'lead id', 'leadgen id', 'leadgen_id'],  NULL::text[],              true,  true,  false),
    ('created_time', ARRAY['created_time', 'created time'],               NULL,                      true,  true,  false),
    ('ad_id',        ARRAY['ad_id', 'ad id'],                             NULL,                      false, true,  false),
    ('adset_id',     ARRAY['adset_id', 'ad set id', 'adset id'],          NULL,                      false, true,  false),
    ('campaign_id',  ARRAY['campaign_id', 'campaign id'],                 NULL,                      false, true,  false),
    ('is_organic',   ARRAY['is_organic', 'is organic'],                   NULL,                      false, true,  false),
    ('full_name',    ARRAY['full_name', 'full name'],                     NULL,                      false, true,  true),
    ('first_name',   ARRAY['first_name', 'first name'],                   ARRAY['user_data', 'fn'],  false, true,  true),
    ('last_name',    ARRAY['last_name', 'last name'],                     ARRAY['user_data', 'ln'],  false, true,  true),
    ('email',        ARRAY['email', 'e-mail', 'work_email', 'em'],        ARRAY['user_data', 'em'],  false, true,  true),
    ('phone',        ARRAY['phone_number', 'phone', 'ph'],                ARRAY['user_data', 'ph'],  false, true,  true),
    ('country',      ARRAY['country'],                                    ARRAY['user_data', 'country'], false, true, false),
    ('event_name',   ARRAY['event_name', 'event name', 'event'],          ARRAY['event_name'],       true,  false, false),
    ('event_time',   ARRAY['event_time', 'event time', 'timestamp'],      ARRAY['event_time'],       true,  false, false),
    ('event_id',     ARRAY['event_id', 'event id', 'eventid'],            ARRAY['event_id'],         false, false, false),
    ('action_source', ARRAY['action_source', 'action source'],            ARRAY['action_source'],    false, false, false),
    ('page_url',     ARRAY['event_source_url', 'page_url', 'page url', 'url'], ARRAY['event_source_url'], false, false, false),
    ('fbc',          ARRAY['fbc', '_fbc'],                                ARRAY['user_data', 'fbc'], false, false, false),
    ('fbp',          ARRAY['fbp', '_fbp'],                                ARRAY['user_data', 'fbp'], false, false, false),
    ('external_id',  ARRAY['external_id', 'external id'],                 ARRAY['user_data', 'external_id'], false, false, false),
    ('value',        ARRAY['value'],                                      ARRAY['custom_data', 'value'], false, false, false),
    ('currency',     ARRAY['currency'],                                   ARRAY['custom_data', 'currency'], false, false, false),
    ('order_id',     ARRAY['order_id', 'order id', 'transaction_id'],     ARRAY['custom_data', 'order_id'], false, false, false)
) AS x(field, headers, json_path, required, lead, pii);
-- (every format has every field, so one mapper reads them all; a lead form requires the form's
-- columns, an event log the event's)

INSERT INTO recon.load_format_fields (format, field) VALUES ('meta_lead_ads', 'extra');

-- An id from a Lead Ads export: without the type prefix (l:, ag:, as:, c:, f:) Meta adds so spreadsheets keep it text.
CREATE FUNCTION recon.load_meta_lead_id(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(regexp_replace(btrim(raw), '^[a-z]{1,3}:', ''), '')
$$;
COMMENT ON FUNCTION recon.load_meta_lead_id(text) IS
    'An id or phone number from a Meta Lead Ads export without the prefix Meta writes to keep it text in spreadsheets (l:, ag:, as:, c:, f:, p:).';

-- The Meta events mapper: lead forms, Conversions API payloads and Pixel logs.
CREATE FUNCTION recon.load_map_meta_events(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    fmt text := (SELECT format FROM recon.load_batches WHERE batch_id = batch);
    is_lead boolean := fmt = 'meta_lead_ads';
    signal_source text := coalesce(options ->> 'source', CASE fmt WHEN 'meta_lead_ads' THEN 'lead_form'
                                                                  WHEN 'meta_capi_events' THEN 'capi' ELSE 'pixel' END);
    zone text := coalesce(options ->> 'timezone', 'UTC');
    style text := coalesce(options ->> 'date_style', 'iso');
    region text := options ->> 'default_region';
BEGIN
    IF signal_source NOT IN ('pixel', 'capi', 'offline_upload', 'lead_form', 'app_sdk') THEN
        RAISE EXCEPTION 'source % is not a signal source', signal_source
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use pixel, capi, offline_upload, lead_form or app_sdk.';
    END IF;
    DROP TABLE IF EXISTS pg_temp.recon_load_signals;
    CREATE TEMP TABLE recon_load_signals AS
    SELECT r.line_number,
           array_remove(ARRAY[
               CASE WHEN is_lead THEN recon.load_missing('id', r.lead_id) END,
               CASE WHEN is_lead THEN recon.load_bad_id('id', recon.load_meta_lead_id(r.lead_id)) END,
               recon.load_missing(CASE WHEN is_lead THEN 'created_time' ELSE 'event_time' END, t.time_raw),
               recon.load_bad('bad_date', CASE WHEN is_lead THEN 'created_time' ELSE 'event_time' END, t.time_raw, t.event_time),
               CASE WHEN NOT is_lead THEN recon.load_missing('event_name', r.event_name) END,
               recon.load_bad_id('ad_id', recon.load_meta_lead_id(r.ad_id)),
               recon.load_bad_id('adset_id', recon.load_meta_lead_id(r.adset_id)),
               recon.load_bad_id('campaign_id', recon.load_meta_lead_id(r.campaign_id)),
               recon.load_bad('bad_amount', 'value', r.value, t.value),
               recon.load_bad_currency('currency', r.currency),
               CASE WHEN t.value IS NOT NULL AND r.currency IS NULL THEN 'missing: currency (the event has a value)' END,
               recon.load_bad_precision('value', t.value, upper(btrim(r.currency)))
           ], NULL) AS reasons,
           'meta'::text AS platform, nullif(regexp_replace(options ->> 'account_id', '^act_', ''), '') AS account_id,
           signal_source AS source,
           CASE WHEN is_lead THEN recon.load_meta_lead_id(r.lead_id) ELSE r.event_id END AS event_id,
           CASE WHEN is_lead THEN 'Lead' ELSE r.event_name END AS event_name,
           t.event_time,
           coalesce(recon_click_id(r.page_url, 'fbclid'), (recon_parse_fbc(r.fbc)).fbclid) AS fbclid,
           NULL::text AS gclid, NULL::text AS gbraid, NULL::text AS wbraid, NULL::text AS ttclid,
           NULL::text AS msclkid, NULL::text AS li_fat_id,
           nullif(btrim(r.fbc), '') AS fbc, nullif(btrim(r.fbp), '') AS fbp,
           recon.load_first_json_value(r.external_id) AS external_id,
           t.email_sha256, t.phone_sha256,
           t.value, r.currency, nullif(btrim(r.order_id), '') AS order_id,
           CASE WHEN is_lead THEN recon.load_meta_lead_id(r.lead_id) END AS lead_id,
           CASE WHEN NOT t.organic THEN recon.load_meta_lead_id(r.campaign_id) END AS campaign_id,
           CASE WHEN NOT t.organic THEN recon.load_meta_lead_id(r.adset_id) END AS adset_id,
           CASE WHEN NOT t.organic THEN recon.load_meta_lead_id(r.ad_id) END AS ad_id,
           array_remove(ARRAY[
               CASE WHEN t.organic THEN 'organic' END,
               CASE WHEN t.email IS NOT NULL AND t.email_sha256 IS NULL THEN 'email_unusable' END,
               CASE WHEN t.phone IS NOT NULL AND t.phone_sha256 IS NULL THEN 'phone_unusable' END], NULL) AS dq_flags,
           t.email AS email_raw, t.phone AS phone_raw,
           coalesce(r.first_name, split_part(btrim(r.full_name), ' ', 1)) AS first_name_raw,
           coalesce(r.last_name, nullif(regexp_replace(btrim(r.full_name), '^\S+\s*', ''), '')) AS last_name_raw
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (
        SELECT coalesce(r.created_time, r.event_time) AS time_raw,
               CASE WHEN coalesce(r.created_time, r.event_time) ~ '^\s*\d{9,}(\.\d+)?\s*$'
                    THEN recon_parse_timestamp(coalesce(r.created_time, r.event_time), zone, 'epoch')
                    ELSE recon_parse_timestamp(coalesce(r.created_time, r.event_time), zone, style) END AS event_time,
               recon_parse_decimal(r.value, coalesce(options ->> 'decimal_mark', '.')) AS value,
               recon.load_first_json_value(r.email) AS email,
               recon.load_meta_lead_id(recon.load_first_json_value(r.phone)) AS phone,
               coalesce(lower(btrim(r.is_organic)) IN ('true', '1', 'yes'), false) AS organic
        OFFSET 0   -- parse once, not once per use
    ) t0
    CROSS JOIN LATERAL (   -- hash once: the digests are stored and tell whether a value was usable
        SELECT t0.*, recon_hash_identifier(t0.email, 'email', 'meta') AS email_sha256,
               recon_hash_identifier(t0.phone, 'phone', 'meta', coalesce(r.country, region)) AS phone_sha256
        OFFSET 0
    ) t;
    RETURN recon.load_write_signals(batch, source_file, options, CASE WHEN is_lead THEN 'lead_id' ELSE 'day_range' END);
END $$;
COMMENT ON FUNCTION recon.load_map_meta_events(text, text, jsonb) IS
    'Mapper of meta_lead_ads, meta_capi_events and meta_pixel_events: one conversion signal per row (source lead_form, capi or pixel, or the source option). Times: Unix seconds when the value is a number, else the date_style (times without an offset are in the timezone option, default UTC). Email and phone are hashed per Meta''s rules (digests pass through; the phone''s region comes from a country column or the default_region option); fbclid comes from the page URL or the fbc cookie. Rejects rows without an id or time, with mangled ad ids, a bad value or an unknown currency; organic leads keep no ad ids and are flagged organic.';
