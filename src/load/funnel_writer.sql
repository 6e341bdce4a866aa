-- What the CRM loaders (HubSpot, Salesforce) share: the channel rule, CRM
-- statuses and times, the relationships an export names (a deal's contact, the
-- lead an opportunity was converted from), and the writers of funnel_records
-- and funnel_stage_history (docs/loading-crm.md). Records are upserted by id: a
-- newer export of a record replaces it, a reload rewrites the same rows.

-- The relationships CRM exports name, kept so that either side may load first.
CREATE TABLE recon.load_record_links (
    crm_system     text COLLATE "C" NOT NULL,
    child_key      text COLLATE "C" NOT NULL,
    parent_key     text COLLATE "C" NOT NULL,
    record_source  text COLLATE "C" NOT NULL,
    batch_id       text COLLATE "C",
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (crm_system, child_key)
);
COMMENT ON TABLE recon.load_record_links IS
    'The parent a CRM export names for a record: a HubSpot deal''s first associated contact (from the deals export), the Salesforce lead converted into an opportunity (from the leads export, ConvertedOpportunityId). Keys are record ids as loaded (with the load''s id_prefix; Salesforce ids in their 18-character form, so 15- and 18-character spellings meet). Whichever side loads last sets funnel_records.parent_record_id; a child whose named parent is not loaded is flagged unknown_parent.';
SELECT pg_catalog.pg_extension_config_dump('recon.load_record_links', '');

-- The ad platform a source text names (utm_source, a drill-down, a lead source).
CREATE FUNCTION recon.load_platform_named(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN lower(raw) ~ '\m(google|adwords)\M' THEN 'google'
        WHEN lower(raw) ~ '\m(facebook|fb|ig|instagram|meta)\M' THEN 'meta'
        WHEN lower(raw) ~ '\mtiktok\M' THEN 'tiktok'
        WHEN lower(raw) ~ '\mlinkedin\M' THEN 'linkedin'
        WHEN lower(raw) ~ '\m(bing|microsoft)\M' THEN 'microsoft' END
$$;
COMMENT ON FUNCTION recon.load_platform_named(text) IS
    'The ad platform a source text names as a word: google or adwords -> google; facebook, fb, ig, instagram, meta -> meta; tiktok; linkedin; bing or microsoft -> microsoft (case-insensitive, facebook.com counts, google_organic does not). NULL otherwise.';

-- A CRM source or status as a key: internal value or label alike ("Paid social" -> PAID_SOCIAL).
CREATE FUNCTION recon.load_crm_key(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT upper(btrim(regexp_replace(raw, '[^A-Za-z0-9]+', '_', 'g'), '_'))
$$;
COMMENT ON FUNCTION recon.load_crm_key(text) IS
    'A CRM picklist value as a key, so that internal values and labels compare alike: runs of anything but letters and digits become one underscore, upper case (Paid social -> PAID_SOCIAL, Closed - Not Converted -> CLOSED_NOT_CONVERTED).';

-- A funnel record's channel from its click ids, UTM source and the CRM's own source.
CREATE FUNCTION recon.load_channel(gclid text, gbraid text, wbraid text, fbclid text, ttclid text, msclkid text,
                                   li_fat_id text, utm_source text, crm_source text, crm_source_detail text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        CASE WHEN coalesce(gclid, gbraid, wbraid) IS NOT NULL THEN 'google'
             WHEN fbclid IS NOT NULL THEN 'meta'
             WHEN ttclid IS NOT NULL THEN 'tiktok'
             WHEN msclkid IS NOT NULL THEN 'microsoft'
             WHEN li_fat_id IS NOT NULL THEN 'linkedin' END,
        recon.load_platform_named(utm_source),
        CASE recon.load_crm_key(crm_source)
             WHEN 'ORGANIC_SEARCH' THEN 'organic' WHEN 'SOCIAL_MEDIA' THEN 'organic' WHEN 'ORGANIC_SOCIAL' THEN 'organic'
             WHEN 'ORGANIC' THEN 'organic' WHEN 'SEO' THEN 'organic'
             WHEN 'DIRECT_TRAFFIC' THEN 'direct' WHEN 'DIRECT' THEN 'direct'
             WHEN 'EMAIL_MARKETING' THEN 'email' WHEN 'EMAIL' THEN 'email' WHEN 'NEWSLETTER' THEN 'email'
             WHEN 'REFERRALS' THEN 'referral' WHEN 'REFERRAL' THEN 'referral' WHEN 'AI_REFERRALS' THEN 'referral'
             WHEN 'PARTNER_REFERRAL' THEN 'referral' WHEN 'EMPLOYEE_REFERRAL' THEN 'referral'
             WHEN 'EXTERNAL_REFERRAL' THEN 'referral' WHEN 'WORD_OF_MOUTH' THEN 'referral'
             WHEN 'PAID_SEARCH' THEN recon.load_platform_named(crm_source_detail)
             WHEN 'PAID_SOCIAL' THEN recon.load_platform_named(crm_source_detail)
             ELSE recon.load_platform_named(crm_source) END,
        'unknown')
$$;
COMMENT ON FUNCTION recon.load_channel(text, text, text, text, text, text, text, text, text, text) IS
    'The channel of a CRM record, first rule that applies: (1) a click id: gclid, gbraid or wbraid -> google, fbclid -> meta, ttclid -> tiktok, msclkid -> microsoft, li_fat_id -> linkedin; (2) the UTM source naming a platform (recon.load_platform_named: facebook, fb, ig, instagram, meta -> meta; google, adwords -> google; tiktok; linkedin; bing, microsoft -> microsoft); (3) the CRM''s source, internal value or label (HubSpot Original Source, Salesforce LeadSource; "Paid social" reads as PAID_SOCIAL): ORGANIC_SEARCH, SOCIAL_MEDIA -> organic; DIRECT_TRAFFIC -> direct; EMAIL_MARKETING -> email; REFERRALS (and Partner/Employee/External Referral, Word of mouth) -> referral; PAID_SEARCH and PAID_SOCIAL -> the platform the drill-down (crm_source_detail) names, else unknown; any other source naming a platform (Google AdWords, Facebook) -> that platform; OFFLINE, OTHER_CAMPAIGNS, Web and the rest -> unknown; (4) unknown.';

-- A value of a landing-page URL parameter recon_parse_click_ids does not read (HubSpot's hsa_cam, hsa_grp, hsa_ad).
CREATE FUNCTION recon.load_url_param(url text, name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif((regexp_match(url, '[?&#]' || name || '=([^&#]*)'))[1], '')
$$;
COMMENT ON FUNCTION recon.load_url_param(text, text) IS
    'The raw value of a query parameter of a URL (first occurrence), NULL when absent or empty. Used for HubSpot''s ad tracking parameters hsa_cam, hsa_grp and hsa_ad (campaign, ad group, ad ids), which recon_parse_click_ids does not read.';

-- Yes/no cells: true/false, 1/0, yes/no.
CREATE FUNCTION recon.load_bool(raw text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN lower(btrim(raw)) IN ('true', 't', '1', 'yes', 'y') THEN true
                WHEN lower(btrim(raw)) IN ('false', 'f', '0', 'no', 'n') THEN false END
$$;
COMMENT ON FUNCTION recon.load_bool(text) IS
    'A yes/no cell: true, t, 1, yes, y -> true; false, f, 0, no, n -> false (case-insensitive); NULL when blank or anything else.';

-- A CRM time: ISO (2026-03-01 10:15, 2026-03-01T10:15:00.000+0000) or the load's style (report exports: 3/1/2026, 10:15 AM).
CREATE FUNCTION recon.load_crm_time(raw text, zone text, style text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(@extschema@.recon_parse_timestamp(raw, zone, 'iso'), @extschema@.recon_parse_timestamp(raw, zone, style))
$$;
COMMENT ON FUNCTION recon.load_crm_time(text, text, text) IS
    'An instant from a CRM export cell: ISO first (2026-03-01 10:15, 2026-03-01T10:15:00.000+0000, 2026-03-01), else the load''s date_style (mdy by default: Salesforce report exports write 3/1/2026, 10:15 AM). Times without an offset and dates are local to zone. NULL when blank or malformed.';

-- The zone of a CRM file's local times; raises when it has some and the load gives none.
CREATE FUNCTION recon.load_crm_timezone(options jsonb, fields text[], system_hint text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    f text;
    example text;
    style text := coalesce(options ->> 'date_style', 'mdy');
BEGIN
    IF options ? 'timezone' THEN
        RETURN options ->> 'timezone';
    END IF;
    FOREACH f IN ARRAY fields LOOP
        EXECUTE format($q$SELECT %1$I FROM pg_temp.recon_load_rows
                          WHERE problem IS NULL AND recon.load_crm_time(%1$I, 'UTC', $1) IS NOT NULL
                            AND btrim(%1$I) !~* '\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|UTC|GMT|[+-]\d\d(:?\d\d)?)$'
                          ORDER BY line_number LIMIT 1$q$, f)
            INTO example USING style;
        IF example IS NOT NULL THEN
            RAISE EXCEPTION 'the % column holds local times or dates (%), and the load gives no timezone', f, quote_literal(example)
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Pass {"timezone": "<IANA zone>"}: ' || system_hint;
        END IF;
    END LOOP;
    RETURN 'UTC';   -- every time carries its offset: the zone changes nothing
END $$;
COMMENT ON FUNCTION recon.load_crm_timezone(jsonb, text[], text) IS
    'The zone a CRM load reads local times and dates in: the timezone option; else UTC when no cell of the given fields holds a local time or a date (every time has an offset); else raises 22023 naming the column and an example, with system_hint saying which zone the system writes.';

-- The default country of phone numbers (default_region option), checked.
CREATE FUNCTION recon.load_default_region(options jsonb) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    region text := @extschema@.recon_normalize_country(options ->> 'default_region');
BEGIN
    IF options ? 'default_region' AND region IS NULL THEN
        RAISE EXCEPTION 'default_region % is not a country recon reads', quote_literal(options ->> 'default_region')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use an ISO 3166 code such as US, DE or GB.';
    END IF;
    RETURN region;
END $$;
COMMENT ON FUNCTION recon.load_default_region(jsonb) IS
    'The country (ISO 3166-1 alpha-2, lower case) in the default_region option, for phone numbers written without a country code on rows without a Country; NULL when absent; 22023 when unreadable.';

-- A lead's status from its CRM status (HubSpot Lead Status, Salesforce Status) and conversion.
CREATE FUNCTION recon.load_lead_status(status text, is_converted boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN is_converted OR (is_converted IS NULL AND recon.load_crm_key(status) = 'CLOSED_CONVERTED') THEN 'won'
                WHEN recon.load_crm_key(status) ~ '^(CLOSED|UNQUALIFIED|DISQUALIFIED|BAD_FIT|BAD_TIMING|JUNK|SPAM|DUPLICATE|TEST)'
                THEN 'lost'
                ELSE 'open' END
$$;
COMMENT ON FUNCTION recon.load_lead_status(text, boolean) IS
    'won for a converted lead (Salesforce IsConverted, or Status Closed - Converted when the file has no IsConverted): its outcome is then its opportunity''s; lost when the status (internal value or label) starts with Closed (Closed - Not Converted), Unqualified, Disqualified, Bad fit, Bad timing, Junk, Spam, Duplicate or Test; else open.';

-- Why a lead was lost: the file's reason, else its status; spam, duplicate and test in recon's words.
CREATE FUNCTION recon.load_status_reason(reason text, status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN recon.load_crm_key(coalesce(nullif(btrim(reason), ''), status)) ~ '(SPAM|JUNK)' THEN 'spam'
                WHEN recon.load_crm_key(coalesce(nullif(btrim(reason), ''), status)) ~ 'DUPLICATE' THEN 'duplicate'
                WHEN recon.load_crm_key(coalesce(nullif(btrim(reason), ''), status)) ~ '(^|_)TEST' THEN 'test'
                ELSE coalesce(nullif(btrim(reason), ''), nullif(btrim(status), '')) END
$$;
COMMENT ON FUNCTION recon.load_status_reason(text, text) IS
    'The status_reason of a closed lead: the file''s reason column when filled, else the status as written; spam (also junk), duplicate or test when it says so, in the words recon.record_invalidity reads.';

-- A deal's or opportunity's status from its stage and the CRM's closed/won flags.
CREATE FUNCTION recon.load_deal_status(stage text, is_closed boolean, is_won boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN is_won THEN 'won'
                WHEN is_closed THEN 'lost'
                WHEN NOT is_closed THEN 'open'
                ELSE CASE replace(recon.load_crm_key(stage), '_', '')
                          WHEN 'CLOSEDWON' THEN 'won' WHEN 'WON' THEN 'won'
                          WHEN 'CLOSEDLOST' THEN 'lost' WHEN 'LOST' THEN 'lost'
                          ELSE 'open' END END
$$;
COMMENT ON FUNCTION recon.load_deal_status(text, boolean, boolean) IS
    'won or lost from the CRM''s flags when the file has them (Salesforce IsWon/IsClosed, HubSpot Is Closed Won/Is Deal Closed?: closed and not won is lost); else from the stage: closedwon, Closed won, Closed Won -> won; closedlost, Closed lost -> lost; any other stage -> open.';

-- The ids a record key may be stored under: Salesforce ids in their 18- or 15-character form.
CREATE FUNCTION recon.load_id_spellings(crm_system text, key text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN crm_system = 'salesforce' AND length(key) >= 18 THEN ARRAY[key, left(key, -3)] ELSE ARRAY[key] END
$$;
COMMENT ON FUNCTION recon.load_id_spellings(text, text) IS
    'The record ids a link or history key may match in funnel_records: for Salesforce the 18-character id and its first 15 characters (reports export 15, the API and Data Loader 18), otherwise the key itself.';

-- An instant as reject reasons write it, whatever the session's DateStyle and TimeZone.
CREATE FUNCTION recon.load_instant_text(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
COMMENT ON FUNCTION recon.load_instant_text(timestamptz) IS
    'An instant in UTC as ISO 8601 text (2026-03-10T06:00:00Z), for reject reasons that must not depend on the session''s DateStyle or TimeZone.';

-- The session's staging tables of a CRM load, filled by the mappers.
CREATE FUNCTION recon.load_funnel_staging() RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_records;
    CREATE TEMP TABLE recon_load_records (
        line_number bigint PRIMARY KEY, reasons text[] NOT NULL DEFAULT '{}',
        record_id text, record_key text, record_type text, created_at timestamptz, created_raw text,
        source text, source_detail text, landing_url text, campaign_id text, adset_id text, ad_id text,
        utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text, utm_id text,
        fbclid text, gclid text, gbraid text, wbraid text, ttclid text, msclkid text, li_fat_id text,
        email text, phone text, first_name text, last_name text, country text, customer_id text,
        parent_ref text, child_ref text, amount_raw text, stated_value numeric, currency_raw text,
        stage text, status text, status_reason text, closed_at timestamptz, close_field text, close_raw text,
        last_modified timestamptz, owner text, dq_flags text[] NOT NULL DEFAULT '{}');
    DROP TABLE IF EXISTS pg_temp.recon_load_history;
    CREATE TEMP TABLE recon_load_history (
        line_number bigint PRIMARY KEY, reasons text[] NOT NULL DEFAULT '{}',
        record_key text, stage text, entered_at timestamptz);
END $$;
COMMENT ON FUNCTION recon.load_funnel_staging() IS
    'Creates (or empties) the session''s pg_temp.recon_load_records (one typed row per CRM record: ids, raw contact data, country, click ids and landing URL, source and drill-down, parent_ref/child_ref, amount raw and typed, currency as written, stage, status, closed_at given with its field and raw text, last_modified, reasons) and pg_temp.recon_load_history (record_key, stage, entered_at, reasons), which the CRM mappers fill for recon.load_write_funnel_records and recon.load_write_stage_history.';

-- Write the records typed into pg_temp.recon_load_records: upsert by record id, links, contact details.
CREATE FUNCTION recon.load_write_funnel_records(batch text, source_file text, options jsonb, crm text, links text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    pulled timestamptz := coalesce((options ->> 'pulled_at')::timestamptz, now());
    zone text := coalesce(options ->> 'timezone', 'UTC');
    region text := recon.load_default_region(options);
    rejected bigint;
    skipped bigint;
    replaced bigint;
    written bigint;
    kept bigint := 0;
    linked bigint := 0;
BEGIN
    IF links IS NOT NULL AND links NOT IN ('child', 'parent') THEN
        RAISE EXCEPTION 'links % is not known', links USING ERRCODE = 'invalid_parameter_value', HINT = 'Use child, parent or NULL.';
    END IF;
    IF options ->> 'currency' IS NULL
       AND EXISTS (SELECT 1 FROM pg_temp.recon_load_records WHERE amount_raw IS NOT NULL)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_records WHERE currency_raw IS NOT NULL) THEN
        RAISE EXCEPTION 'this % file has amounts but no currency', crm
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Export the currency column (HubSpot Deal currency code, Salesforce CurrencyIsoCode) or pass {"currency": "<ISO 4217>"}: the company currency.';
    END IF;

    -- Everything a record derives: URL values, channel, digests, market, closing time, money reasons.
    DROP TABLE IF EXISTS pg_temp.recon_load_funnel;
    CREATE TEMP TABLE recon_load_funnel AS
    SELECT r.line_number, r.record_id, r.record_key, r.record_type, r.created_at, r.created_raw,
           recon.load_channel(coalesce(r.gclid, u.gclid), coalesce(r.gbraid, u.gbraid), coalesce(r.wbraid, u.wbraid),
                              coalesce(r.fbclid, u.fbclid), coalesce(r.ttclid, u.ttclid), coalesce(r.msclkid, u.msclkid),
                              coalesce(r.li_fat_id, u.li_fat_id), coalesce(r.utm_source, u.utm_source),
                              r.source, r.source_detail) AS channel,
           r.source,
           coalesce(r.campaign_id, recon_normalize_platform_id(recon.load_url_param(r.landing_url, 'hsa_cam'))) AS campaign_id,
           coalesce(r.adset_id, recon_normalize_platform_id(recon.load_url_param(r.landing_url, 'hsa_grp'))) AS adset_id,
           coalesce(r.ad_id, recon_normalize_platform_id(recon.load_url_param(r.landing_url, 'hsa_ad'))) AS ad_id,
           coalesce(r.utm_source, u.utm_source) AS utm_source, coalesce(r.utm_medium, u.utm_medium) AS utm_medium,
           coalesce(r.utm_campaign, u.utm_campaign) AS utm_campaign, coalesce(r.utm_content, u.utm_content) AS utm_content,
           coalesce(r.utm_term, u.utm_term) AS utm_term, coalesce(r.utm_id, u.utm_id) AS utm_id,
           coalesce(r.fbclid, u.fbclid) AS fbclid, coalesce(r.gclid, u.gclid) AS gclid,
           coalesce(r.gbraid, u.gbraid) AS gbraid, coalesce(r.wbraid, u.wbraid) AS wbraid,
           coalesce(r.ttclid, u.ttclid) AS ttclid, coalesce(r.msclkid, u.msclkid) AS msclkid,
           coalesce(r.li_fat_id, u.li_fat_id) AS li_fat_id,
           c.email_sha256, c.phone_sha256,
           r.email, r.phone, r.first_name, r.last_name, r.customer_id, r.parent_ref, r.child_ref,
           r.stated_value, upper(btrim(coalesce(r.currency_raw, options ->> 'currency'))) AS currency,
           r.stage, r.status, CASE WHEN r.status IN ('lost', 'cancelled') THEN r.status_reason END AS status_reason,
           CASE WHEN r.status = 'open' THEN NULL
                -- a close date without a time on the day the record was created: closed when created
                WHEN r.close_raw !~ '\d:\d\d' AND r.closed_at < r.created_at
                     AND (r.closed_at AT TIME ZONE zone)::date = (r.created_at AT TIME ZONE zone)::date THEN r.created_at
                ELSE coalesce(r.closed_at, r.last_modified, pulled) END AS closed_at,
           r.status <> 'open' AND r.closed_at IS NULL AS closed_assumed,
           r.owner, upper(@extschema@.recon_normalize_country(r.country)) AS market,
           r.dq_flags
             || CASE WHEN r.status <> 'open' AND r.closed_at IS NULL THEN '{closed_at_assumed}'::text[] ELSE '{}' END
             || CASE WHEN r.email IS NOT NULL AND c.email_sha256 IS NULL THEN '{email_unusable}'::text[] ELSE '{}' END
             || CASE WHEN r.phone IS NOT NULL AND c.phone_sha256 IS NULL THEN '{phone_unusable}'::text[] ELSE '{}' END
             || coalesce(u.flags, '{}') AS dq_flags,
           r.reasons || array_remove(ARRAY[
               recon.load_bad('bad_amount', 'amount', r.amount_raw, r.stated_value),
               CASE WHEN r.stated_value < 0 THEN 'bad_amount: amount ' || quote_literal(r.amount_raw) || ' is negative' END,
               recon.load_bad_currency('currency', r.currency_raw),
               recon.load_bad_precision('amount', r.stated_value, upper(btrim(coalesce(r.currency_raw, options ->> 'currency')))),
               CASE WHEN r.stated_value IS NOT NULL AND coalesce(r.currency_raw, options ->> 'currency') IS NULL
                    THEN 'missing: currency (the row has an amount)' END], NULL) AS reasons
    FROM pg_temp.recon_load_records r
    CROSS JOIN LATERAL (SELECT @extschema@.recon_hash_identifier(r.email, 'email', 'meta', k.country) AS email_sha256,
                               @extschema@.recon_hash_identifier(r.phone, 'phone', 'meta', k.country) AS phone_sha256
                        FROM (SELECT coalesce(@extschema@.recon_normalize_country(r.country), region) AS country) k) c
    LEFT JOIN LATERAL @extschema@.recon_parse_click_ids(r.landing_url) u ON r.landing_url IS NOT NULL;

    -- Rules that need the stored records or the whole file.
    UPDATE pg_temp.recon_load_funnel t
       SET reasons = t.reasons || x.more
      FROM (SELECT n.line_number,
                   array_remove(ARRAY[
                       CASE WHEN n.closed_at < n.created_at THEN
                           CASE WHEN n.closed_assumed
                                THEN format('close_before_create: the record is %s without a close date (taken as %s) before its create date %L',
                                            n.status, recon.load_instant_text(n.closed_at), n.created_raw)
                                ELSE format('close_before_create: %s %L is before the create date %L',
                                            r.close_field, r.close_raw, n.created_raw) END END,
                       CASE WHEN f.record_id IS NOT NULL AND (f.crm_system <> crm OR f.record_type <> n.record_type)
                            THEN format('id_conflict: record id %L is already a %s %s in recon.funnel_records (give one of the loads an id_prefix)',
                                        n.record_id, f.crm_system, f.record_type) END,
                       CASE WHEN n.first_line <> n.line_number
                            THEN format('duplicate_row: record id %L is also on line %s', n.record_id, n.first_line) END], NULL) AS more
            FROM (SELECT *, min(line_number) OVER (PARTITION BY record_id) AS first_line
                  FROM pg_temp.recon_load_funnel WHERE cardinality(reasons) = 0) n
            JOIN pg_temp.recon_load_records r USING (line_number)
            LEFT JOIN recon.funnel_records f ON f.record_id = n.record_id) x
     WHERE t.line_number = x.line_number AND cardinality(x.more) > 0;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_funnel WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_funnel WHERE cardinality(reasons) > 0;

    -- An export pulled before the one that wrote a record does not overwrite it.
    skipped := recon.load_set_aside(batch, source_file, 'skipped', format($q$
        SELECT t.line_number, ARRAY[format('stale: record %%s was written by batch %%s, pulled %%s, after this export (pulled %%s)',
                                           t.record_id, b.batch_id, recon.load_instant_text(b.pulled_at),
                                           recon.load_instant_text(%L::timestamptz))] AS reasons
        FROM pg_temp.recon_load_funnel t
        JOIN recon.funnel_records f ON f.record_id = t.record_id
        JOIN recon.load_batches b ON b.batch_id = f.batch_id
        WHERE b.pulled_at > %L::timestamptz$q$, pulled, pulled));
    DELETE FROM pg_temp.recon_load_funnel t WHERE NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_rows r WHERE r.line_number = t.line_number);

    -- A record still closed the same way keeps the closing time an earlier load assumed.
    UPDATE pg_temp.recon_load_funnel t SET closed_at = f.closed_at
      FROM recon.funnel_records f
     WHERE t.closed_assumed AND f.record_id = t.record_id AND f.status = t.status AND f.closed_at IS NOT NULL;

    SELECT count(*) INTO replaced FROM pg_temp.recon_load_funnel t JOIN recon.funnel_records f USING (record_id);
    INSERT INTO recon.funnel_records AS f
        (record_id, record_type, crm_system, created_at, channel, source, campaign_id, adset_id, ad_id,
         utm_source, utm_medium, utm_campaign, utm_content, utm_term, utm_id, fbclid, gclid, gbraid, wbraid,
         ttclid, msclkid, li_fat_id, email_sha256, phone_sha256, customer_id, stated_value, currency,
         stage, status, status_reason, closed_at, owner, market, record_source, batch_id, dq_flags)
    SELECT record_id, record_type, crm, created_at, channel, source, campaign_id, adset_id, ad_id,
           utm_source, utm_medium, utm_campaign, utm_content, utm_term, utm_id, fbclid, gclid, gbraid, wbraid,
           ttclid, msclkid, li_fat_id, email_sha256, phone_sha256, customer_id, stated_value,
           currency, stage, status, status_reason, closed_at, owner, market,
           source_file, batch, dq_flags
    FROM pg_temp.recon_load_funnel ORDER BY line_number
    ON CONFLICT (record_id) DO UPDATE SET
        created_at = excluded.created_at, channel = excluded.channel, source = excluded.source,
        campaign_id = excluded.campaign_id, adset_id = excluded.adset_id, ad_id = excluded.ad_id,
        utm_source = excluded.utm_source, utm_medium = excluded.utm_medium, utm_campaign = excluded.utm_campaign,
        utm_content = excluded.utm_content, utm_term = excluded.utm_term, utm_id = excluded.utm_id,
        fbclid = excluded.fbclid, gclid = excluded.gclid, gbraid = excluded.gbraid, wbraid = excluded.wbraid,
        ttclid = excluded.ttclid, msclkid = excluded.msclkid, li_fat_id = excluded.li_fat_id,
        email_sha256 = excluded.email_sha256, phone_sha256 = excluded.phone_sha256, customer_id = excluded.customer_id,
        stated_value = excluded.stated_value, currency = excluded.currency, stage = excluded.stage,
        status = excluded.status, status_reason = excluded.status_reason, closed_at = excluded.closed_at,
        owner = excluded.owner, market = excluded.market, record_source = excluded.record_source,
        batch_id = excluded.batch_id,
        -- unknown_parent is the links' to say (below)
        dq_flags = excluded.dq_flags || CASE WHEN 'unknown_parent' = ANY (f.dq_flags) THEN '{unknown_parent}'::text[] ELSE '{}' END;
    GET DIAGNOSTICS written = ROW_COUNT;

    IF coalesce((options ->> 'keep_pii')::boolean, false) THEN
        kept := recon.load_keep_contacts('funnel', batch, source_file, $q$
            SELECT record_id, email, phone, first_name, last_name FROM pg_temp.recon_load_funnel ORDER BY line_number$q$);
    END IF;

    -- Relationships: the file restates those it names (a deal's contact, a lead's opportunity).
    DROP TABLE IF EXISTS pg_temp.recon_load_touched;
    CREATE TEMP TABLE recon_load_touched (child_key text);
    IF links = 'child' THEN
        WITH gone AS (DELETE FROM recon.load_record_links l USING pg_temp.recon_load_funnel t
                      WHERE l.crm_system = crm AND l.child_key = t.record_key RETURNING l.child_key)
        INSERT INTO pg_temp.recon_load_touched SELECT child_key FROM gone;
        INSERT INTO recon.load_record_links (crm_system, child_key, parent_key, record_source, batch_id)
        SELECT crm, record_key, parent_ref, source_file, batch FROM pg_temp.recon_load_funnel WHERE parent_ref IS NOT NULL;
        GET DIAGNOSTICS linked = ROW_COUNT;
        INSERT INTO pg_temp.recon_load_touched SELECT record_key FROM pg_temp.recon_load_funnel;
    ELSIF links = 'parent' THEN
        WITH gone AS (DELETE FROM recon.load_record_links l USING pg_temp.recon_load_funnel t
                      WHERE l.crm_system = crm AND l.parent_key = t.record_key RETURNING l.child_key)
        INSERT INTO pg_temp.recon_load_touched SELECT child_key FROM gone;
        -- several leads converted into one opportunity: the earliest created is its parent
        INSERT INTO recon.load_record_links AS l (crm_system, child_key, parent_key, record_source, batch_id)
        SELECT DISTINCT ON (child_ref) crm, child_ref, record_key, source_file, batch
        FROM pg_temp.recon_load_funnel WHERE child_ref IS NOT NULL
        ORDER BY child_ref, created_at, line_number
        ON CONFLICT (crm_system, child_key) DO UPDATE
            SET parent_key = excluded.parent_key, record_source = excluded.record_source,
                batch_id = excluded.batch_id, loaded_at = now();
        GET DIAGNOSTICS linked = ROW_COUNT;
        INSERT INTO pg_temp.recon_load_touched SELECT child_ref FROM pg_temp.recon_load_funnel WHERE child_ref IS NOT NULL;
    END IF;
    -- records of this file at either end of a link stored earlier
    INSERT INTO pg_temp.recon_load_touched
    SELECT l.child_key FROM recon.load_record_links l JOIN pg_temp.recon_load_funnel t
        ON l.crm_system = crm AND l.parent_key = t.record_key
    UNION ALL
    SELECT l.child_key FROM recon.load_record_links l JOIN pg_temp.recon_load_funnel t
        ON l.crm_system = crm AND l.child_key = t.record_key;

    -- (spellings are unnested and joined: a join on = ANY (...) cannot hash)
    UPDATE recon.funnel_records c
       SET parent_record_id = x.parent_id,
           dq_flags = array_remove(c.dq_flags, 'unknown_parent')
                      || CASE WHEN x.parent_key IS NOT NULL AND x.parent_id IS NULL THEN '{unknown_parent}'::text[] ELSE '{}' END
      FROM (SELECT DISTINCT ON (k.child_key) k.child_key, l.parent_key, p.record_id AS parent_id
            FROM (SELECT DISTINCT child_key FROM pg_temp.recon_load_touched) k
            LEFT JOIN recon.load_record_links l ON l.crm_system = crm AND l.child_key = k.child_key
            LEFT JOIN LATERAL unnest(recon.load_id_spellings(crm, l.parent_key)) AS ps(record_id) ON true
            LEFT JOIN recon.funnel_records p ON p.record_id = ps.record_id AND p.crm_system = crm AND p.record_type = 'lead'
            ORDER BY k.child_key, p.record_id IS NULL, p.record_id = l.parent_key DESC) x
      CROSS JOIN LATERAL unnest(recon.load_id_spellings(crm, x.child_key)) AS cs(record_id)
     WHERE c.record_id = cs.record_id AND c.crm_system = crm AND c.record_type <> 'lead'
       AND (c.parent_record_id IS DISTINCT FROM x.parent_id
            OR ('unknown_parent' = ANY (c.dq_flags)) IS DISTINCT FROM (x.parent_key IS NOT NULL AND x.parent_id IS NULL));

    RETURN jsonb_build_object('rejected', rejected, 'skipped', skipped, 'replaced', replaced,
                              'scope', jsonb_build_object('crm_system', crm, 'replaced_by', 'record_id',
                                                          'record_types', (SELECT jsonb_agg(DISTINCT record_type) FROM pg_temp.recon_load_funnel)),
                              'tables', jsonb_build_object('funnel_records', written)
                                        || CASE WHEN links IS NOT NULL THEN jsonb_build_object('load_record_links', linked) ELSE '{}' END
                                        || CASE WHEN kept > 0 THEN jsonb_build_object('contact_details', kept) ELSE '{}' END);
END $$;
COMMENT ON FUNCTION recon.load_write_funnel_records(text, text, jsonb, text, text) IS
    'The writer every CRM record loader shares. Reads pg_temp.recon_load_records (recon.load_funnel_staging); fills click ids and UTM values from the landing URL where the file has no column (and campaign, ad set, ad ids from HubSpot''s hsa_cam, hsa_grp, hsa_ad), derives the channel (recon.load_channel), hashes email and phone for Meta with the row''s Country or the default_region option, and the market from the country; a closed record without a close date is closed at its last-modified time, else at pulled_at (dq_flags closed_at_assumed; kept by later loads while its status stays), a date-only close on its creation day at its creation time. Rejects bad, negative or too precise amounts, unknown currencies, a close before the create date, an id already used by another CRM or record type, a record id twice in the file; skips (stale) a record a later-pulled export wrote; upserts the rest by record_id (replaced = those that existed), the raw contact data into recon.contact_details only with keep_pii. links: child (the file names each record''s parent: parent_ref) or parent (it names the record each one became: child_ref) restates recon.load_record_links; then sets parent_record_id of every child whose link this load touched (unknown_parent when the named parent is not loaded).';

-- Write the stage entries typed into pg_temp.recon_load_history: the history of each record in the file, replaced whole.
CREATE FUNCTION recon.load_write_stage_history(batch text, source_file text, options jsonb, crm text) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    rejected bigint;
    skipped bigint;
    replaced bigint;
    written bigint;
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_entries;
    CREATE TEMP TABLE recon_load_entries AS
    SELECT h.line_number, h.record_key, f.record_id, h.stage, h.entered_at,
           h.reasons || array_remove(ARRAY[
               CASE WHEN h.record_key IS NOT NULL AND f.record_id IS NULL
                    THEN format('unknown_record: %L is not a %s record in recon.funnel_records (load its deals or opportunities first)',
                                h.record_key, crm) END], NULL) AS reasons
    FROM pg_temp.recon_load_history h
    LEFT JOIN (SELECT DISTINCT ON (line_number) h2.line_number, f.record_id
               FROM pg_temp.recon_load_history h2
               CROSS JOIN LATERAL unnest(recon.load_id_spellings(crm, h2.record_key)) AS sp(record_id)
               JOIN recon.funnel_records f ON f.record_id = sp.record_id AND f.crm_system = crm
               ORDER BY h2.line_number, f.record_id = h2.record_key DESC) f USING (line_number);
    -- A history is replaced whole: a record with a rejected entry keeps the history it had.
    UPDATE pg_temp.recon_load_entries e
       SET reasons = ARRAY[format('incomplete_history: line(s) %s of the same record were rejected; a history is replaced only whole', x.lines)]
      FROM (SELECT record_id, string_agg(line_number::text, ', ' ORDER BY line_number) AS lines
            FROM pg_temp.recon_load_entries WHERE cardinality(reasons) > 0 AND record_id IS NOT NULL GROUP BY 1) x
     WHERE e.record_id = x.record_id AND cardinality(e.reasons) = 0;
    -- A row stated twice is rejected once; the history stays whole.
    UPDATE pg_temp.recon_load_entries e
       SET reasons = e.reasons || format('duplicate_row: same record, stage and time as line %s', d.first_line)
      FROM (SELECT line_number, min(line_number) OVER (PARTITION BY record_id, stage, entered_at) AS first_line
            FROM pg_temp.recon_load_entries WHERE cardinality(reasons) = 0) d
     WHERE e.line_number = d.line_number AND d.first_line <> d.line_number;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_entries WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_entries WHERE cardinality(reasons) > 0;

    -- Rows that change something else (amount, close date) leave the stage as it was: no new entry.
    skipped := recon.load_set_aside(batch, source_file, 'skipped', $q$
        SELECT line_number, ARRAY[format('unchanged_stage: %s stays in %s (line %s)', record_id, stage, previous_line)] AS reasons
        FROM (SELECT *, lag(stage) OVER w AS previous_stage, lag(line_number) OVER w AS previous_line
              FROM pg_temp.recon_load_entries WINDOW w AS (PARTITION BY record_id ORDER BY entered_at, line_number)) e
        WHERE stage = previous_stage$q$);
    DELETE FROM pg_temp.recon_load_entries e WHERE NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_rows r WHERE r.line_number = e.line_number);

    DELETE FROM recon.funnel_stage_history h WHERE h.record_id IN (SELECT record_id FROM pg_temp.recon_load_entries);
    GET DIAGNOSTICS replaced = ROW_COUNT;
    INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, exited_at, record_source, batch_id)
    SELECT record_id, stage, entered_at,
           lead(entered_at) OVER (PARTITION BY record_id ORDER BY entered_at, line_number), source_file, batch
    FROM pg_temp.recon_load_entries ORDER BY record_id, entered_at, line_number;
    GET DIAGNOSTICS written = ROW_COUNT;

    RETURN jsonb_build_object('rejected', rejected, 'skipped', skipped, 'replaced', replaced,
                              'scope', jsonb_build_object('crm_system', crm, 'replaced_by', 'record_id',
                                                          'records', (SELECT count(DISTINCT record_id) FROM pg_temp.recon_load_entries)),
                              'tables', jsonb_build_object('funnel_stage_history', written));
END $$;
COMMENT ON FUNCTION recon.load_write_stage_history(text, text, jsonb, text) IS
    'The writer of CRM stage histories (HubSpot deal stage history, Salesforce OpportunityHistory). Reads pg_temp.recon_load_history (line_number, reasons, record_key, stage, entered_at); finds each record in funnel_records (Salesforce: either id length), rejecting entries of records not loaded, duplicates (record, stage, time) and every entry of a record one of whose entries was rejected (a history is replaced only whole); skips an entry that repeats the stage before it (unchanged_stage: an amount or close-date change); then deletes the stored history of every record in the file and writes its entries, exited_at = the next entry''s entered_at.';
