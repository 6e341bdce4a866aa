-- Salesforce: leads, opportunities and opportunity history, as Data Loader or
-- the API write them (API names: Id, CreatedDate 2026-03-01T10:15:00.000+0000)
-- or as report exports label them (Lead ID, Created Date 3/1/2026, 10:15 AM).
-- A converted lead names its opportunity (ConvertedOpportunityId): whichever
-- loads last links the two (docs/loading-crm.md).

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('salesforce_leads', 'csv', 'salesforce', 'recon.load_map_salesforce_leads',
     '{funnel_records,contact_details,load_record_links}', '{id_prefix,default_region,currency}',
     'Salesforce leads (Data Loader / API field names, or a leads report exported as details only): Id, FirstName, LastName, Email, Phone, LeadSource, Status, CreatedDate, IsConverted, ConvertedDate, ConvertedOpportunityId, ConvertedAccountId, CurrencyIsoCode, Country, GCLID__c and UTM fields when the org has them. One lead per row.'),
    ('salesforce_opportunities', 'csv', 'salesforce', 'recon.load_map_salesforce_opportunities',
     '{funnel_records}', '{id_prefix,currency}',
     'Salesforce opportunities (Data Loader / API names or report labels): Id, AccountId, StageName, Amount, CurrencyIsoCode, CloseDate, IsClosed, IsWon, CreatedDate, LeadSource, Loss_Reason__c. One opportunity per row; its parent is the lead converted into it.'),
    ('salesforce_opportunity_history', 'csv', 'salesforce', 'recon.load_map_salesforce_opportunity_history',
     '{funnel_stage_history}', '{id_prefix}',
     'Salesforce OpportunityHistory (Data Loader / API, or an Opportunity History report): OpportunityId, StageName, CreatedDate, Amount, CloseDate; a row that changes only the amount or close date is no stage entry. The history of every opportunity in the file replaces the one stored.');

INSERT INTO recon.load_format_fields (format, field, headers, required, pii) VALUES
    ('salesforce_leads', 'record_id',          ARRAY['id', 'lead id'], true, false),
    ('salesforce_leads', 'first_name',         ARRAY['firstname', 'first name'], false, true),
    ('salesforce_leads', 'last_name',          ARRAY['lastname', 'last name'], false, true),
    ('salesforce_leads', 'email',              ARRAY['email'], false, true),
    ('salesforce_leads', 'phone',              ARRAY['phone', 'mobilephone', 'mobile'], false, true),
    ('salesforce_leads', 'lead_source',        ARRAY['leadsource', 'lead source'], false, false),
    ('salesforce_leads', 'status',             ARRAY['status', 'lead status'], true, false),
    ('salesforce_leads', 'status_reason',      ARRAY['(unqualified|disqualified)_reason__c', '(unqualified|disqualified) reason'], false, false),
    ('salesforce_leads', 'create_date',        ARRAY['createddate', 'created date', 'create date'], true, false),
    ('salesforce_leads', 'last_modified',      ARRAY['lastmodifieddate', 'last modified date'], false, false),
    ('salesforce_leads', 'is_converted',       ARRAY['isconverted', 'converted'], false, false),
    ('salesforce_leads', 'converted_date',     ARRAY['converteddate', 'converted date'], false, false),
    ('salesforce_leads', 'converted_opportunity_id', ARRAY['convertedopportunityid', 'converted opportunity id'], false, false),
    ('salesforce_leads', 'converted_account_id', ARRAY['convertedaccountid', 'converted account id'], false, false),
    ('salesforce_leads', 'gclid',              ARRAY['gclid(__c)?', 'google click id'], false, false),
    ('salesforce_leads', 'fbclid',             ARRAY['fbclid(__c)?'], false, false),
    ('salesforce_leads', 'landing_url',        ARRAY['landing_page(_url)?__c', 'landing page( url)?'], false, false),
    ('salesforce_leads', 'utm_source',         ARRAY['utm_source(__c)?', 'utm source'], false, false),
    ('salesforce_leads', 'utm_medium',         ARRAY['utm_medium(__c)?', 'utm medium'], false, false),
    ('salesforce_leads', 'utm_campaign',       ARRAY['utm_campaign(__c)?', 'utm campaign'], false, false),
    ('salesforce_leads', 'utm_content',        ARRAY['utm_content(__c)?', 'utm content'], false, false),
    ('salesforce_leads', 'utm_term',           ARRAY['utm_term(__c)?', 'utm term'], false, false),
    ('salesforce_leads', 'currency',           ARRAY['currencyisocode', 'lead currency', 'currency'], false, false),
    ('salesforce_leads', 'country',            ARRAY['country', 'countrycode', 'country code'], false, false),
    ('salesforce_leads', 'owner',              ARRAY['ownerid', 'lead owner', 'owner id'], false, false),
    ('salesforce_opportunities', 'record_id',  ARRAY['id', 'opportunity id'], true, false),
    ('salesforce_opportunities', 'account_id', ARRAY['accountid', 'account id'], false, false),
    ('salesforce_opportunities', 'stage',      ARRAY['stagename', 'stage'], true, false),
    ('salesforce_opportunities', 'amount',     ARRAY['amount'], false, false),
    ('salesforce_opportunities', 'currency',   ARRAY['currencyisocode', 'opportunity currency', 'currency'], false, false),
    ('salesforce_opportunities', 'close_date', ARRAY['closedate', 'close date'], false, false),
    ('salesforce_opportunities', 'is_closed',  ARRAY['isclosed', 'closed'], false, false),
    ('salesforce_opportunities', 'is_won',     ARRAY['iswon', 'won'], false, false),
    ('salesforce_opportunities', 'create_date', ARRAY['createddate', 'created date'], true, false),
    ('salesforce_opportunities', 'last_modified', ARRAY['lastmodifieddate', 'last modified date'], false, false),
    ('salesforce_opportunities', 'lead_source', ARRAY['leadsource', 'lead source'], false, false),
    ('salesforce_opportunities', 'loss_reason', ARRAY['loss_reason__c', 'loss reason', 'reason_lost__c', 'closed lost reason'], false, false),
    ('salesforce_opportunities', 'owner',      ARRAY['ownerid', 'opportunity owner', 'owner id'], false, false),
    ('salesforce_opportunity_history', 'record_id',  ARRAY['opportunityid', 'opportunity id'], true, false),
    ('salesforce_opportunity_history', 'stage',      ARRAY['stagename', 'stage', 'to stage'], true, false),
    ('salesforce_opportunity_history', 'entered_at', ARRAY['createddate', 'created date', 'edit date'], true, false),
    ('salesforce_opportunity_history', 'amount',     ARRAY['amount'], false, false),
    ('salesforce_opportunity_history', 'close_date', ARRAY['closedate', 'close date'], false, false);

-- One character of a Salesforce id's checksum: the case of a 5-character chunk.
CREATE FUNCTION recon.salesforce_id_chunk_case(chunk text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
                  1 + reverse(translate(chunk, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
                                               '11111111111111111111111111000000000000000000000000000000000000'))::bit(5)::integer, 1)
$$;
COMMENT ON FUNCTION recon.salesforce_id_chunk_case(text) IS
    'The checksum character of 5 characters of a Salesforce id: a bit per upper-case letter, the first character the lowest bit, as an index into A-Z, 0-5 (a0D30 -> E).';

-- The 3 characters an 18-character Salesforce id adds to its 15: the case of its letters.
CREATE FUNCTION recon.salesforce_id_checksum(id15 text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT recon.salesforce_id_chunk_case(substr(id15, 1, 5)) || recon.salesforce_id_chunk_case(substr(id15, 6, 5))
           || recon.salesforce_id_chunk_case(substr(id15, 11, 5))
$$;
COMMENT ON FUNCTION recon.salesforce_id_checksum(text) IS
    'The suffix that makes a 15-character Salesforce id case-insensitive, one character per 5-character chunk (a0D30000001n7Pi -> EAI). The argument must be 15 letters and digits.';

-- An 18-character id whose letters changed case, as Salesforce issued it (its suffix says the case of each letter).
CREATE FUNCTION recon.salesforce_id_restore_case(id text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    restored text := '';
    bits integer;
BEGIN
    FOR p IN 0 .. 14 LOOP
        bits := strpos('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', upper(substr(id, 16 + p / 5, 1))) - 1;
        restored := restored || CASE WHEN bits >= 0 AND (bits >> (p % 5)) & 1 = 1 THEN upper(substr(id, p + 1, 1))
                                     ELSE lower(substr(id, p + 1, 1)) END;
    END LOOP;
    RETURN restored || upper(right(id, 3));
END $$;
COMMENT ON FUNCTION recon.salesforce_id_restore_case(text) IS
    'An 18-character Salesforce id with the case of its first 15 characters set from its last 3 (00Q8C00001XBT4REAF -> 00Q8c00001XbT4rEAF); whether that is a valid id is for recon.salesforce_id18 to check.';

-- The 18-character form of a Salesforce id: the 15 characters (their case restored from the suffix) plus the suffix.
CREATE FUNCTION recon.salesforce_id18(id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN id ~ '^[A-Za-z0-9]{15}$' THEN id || recon.salesforce_id_checksum(id)
                WHEN id !~ '^[A-Za-z0-9]{18}$' THEN NULL
                WHEN recon.salesforce_id_checksum(left(id, 15)) = right(id, 3) THEN id
                WHEN recon.salesforce_id_checksum(left(recon.salesforce_id_restore_case(id), 15)) = upper(right(id, 3))
                THEN recon.salesforce_id_restore_case(id) END
$$;
COMMENT ON FUNCTION recon.salesforce_id18(text) IS
    'The 18-character form of a Salesforce record id: a 15-character id (case-sensitive, as reports export it) plus its checksum; an 18-character id (case-insensitive by design) as it is, or with the case of its first 15 characters restored from its last 3 when a tool changed it (00Q8C00001XBT4REAF -> 00Q8c00001XbT4rEAF). NULL when not 15 or 18 letters and digits, or when the last 3 characters cannot be the checksum of the first 15 (a character lost, changed or added).';

-- A reject reason for a Salesforce id cell: not an id, mangled, or another object's id.
CREATE FUNCTION recon.load_salesforce_id_problem(field text, raw text, key_prefix text, object text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$   -- STABLE as format() is: an IMMUTABLE body with it would not be inlined
    SELECT CASE WHEN nullif(btrim(raw), '') IS NULL THEN NULL
                WHEN btrim(raw) !~ '^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$'
                THEN format('bad_id: %s %L (a Salesforce id has 15 or 18 letters and digits)', field, raw)
                WHEN recon.salesforce_id18(btrim(raw)) IS NULL
                THEN format('mangled_id: %s %L (its last 3 characters are not the checksum of the first 15: a character was lost or changed)', field, raw)
                WHEN upper(left(btrim(raw), 3)) <> upper(key_prefix)
                THEN format('bad_id: %s %L is not a%s %s id (those start with %s)', field, raw,
                            CASE WHEN object ~ '^[aeiou]' THEN 'n' ELSE '' END, object, key_prefix) END
$$;
COMMENT ON FUNCTION recon.load_salesforce_id_problem(text, text, text, text) IS
    'Reject reason for a Salesforce id cell, NULL when it is blank or good: bad_id (not 15 or 18 letters and digits, or not the object''s key prefix: leads 00Q, opportunities 006, accounts 001) or mangled_id (an 18-character id whose last 3 characters cannot be the checksum of the first 15). An 18-character id whose letters only changed case is good: recon.salesforce_id18 restores it.';

-- A Salesforce id as stored (as given; an 18-character one with its case restored) or as a link key (18 characters), after the id_prefix.
CREATE FUNCTION recon.load_salesforce_key(raw text, options jsonb, as_key boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(options ->> 'id_prefix', '')
           || CASE WHEN as_key OR length(btrim(raw)) = 18 THEN recon.salesforce_id18(btrim(raw)) ELSE nullif(btrim(raw), '') END
$$;
COMMENT ON FUNCTION recon.load_salesforce_key(text, jsonb, boolean) IS
    'A Salesforce id after the id_prefix option: as a record id (as_key false) as given, except that an 18-character id whose letters changed case is stored as Salesforce issued it; as a link key (as_key true) in its 18-character form, so that the 15- and 18-character spellings of one record meet.';

-- Data-quality flags of a Salesforce record id.
CREATE FUNCTION recon.load_salesforce_flags(raw text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(btrim(raw)) = 18 AND recon.salesforce_id18(btrim(raw)) <> btrim(raw)
                THEN '{id_case_restored}'::text[] ELSE '{}' END
$$;
COMMENT ON FUNCTION recon.load_salesforce_flags(text) IS
    'dq_flags of a record whose 18-character id had changed case (a case-insensitive tool upper-cased it): {id_case_restored}; else empty.';

CREATE FUNCTION recon.load_map_salesforce_leads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['create_date', 'converted_date', 'last_modified'],
                                         'Salesforce writes dates and report times in the org''s (or the exporting user''s) time zone.');
    style text := coalesce(options ->> 'date_style', 'mdy');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_records
        (line_number, reasons, record_id, record_key, record_type, created_at, created_raw, source, landing_url,
         gclid, fbclid, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
         email, phone, first_name, last_name, country, customer_id, child_ref, currency_raw,
         stage, status, status_reason, closed_at, close_field, close_raw, last_modified, owner, dq_flags)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_salesforce_id_problem('record_id', r.record_id, '00Q', 'lead'),
               recon.load_missing('create_date', r.create_date),
               recon.load_bad('bad_date', 'create_date', r.create_date, t.created_at),
               recon.load_bad('bad_date', 'converted_date', r.converted_date, t.converted_at),
               recon.load_bad('bad_date', 'last_modified', r.last_modified, t.last_modified),
               recon.load_missing('status', r.status),
               recon.load_bad('bad_value', 'is_converted', r.is_converted, t.is_converted),
               recon.load_salesforce_id_problem('converted_opportunity_id', r.converted_opportunity_id, '006', 'opportunity'),
               recon.load_salesforce_id_problem('converted_account_id', r.converted_account_id, '001', 'account')], NULL),
           recon.load_salesforce_key(r.record_id, options, false), recon.load_salesforce_key(r.record_id, options, true),
           'lead', t.created_at, r.create_date, r.lead_source, r.landing_url,
           r.gclid, r.fbclid, r.utm_source, r.utm_medium, r.utm_campaign, r.utm_content, r.utm_term,
           r.email, r.phone, r.first_name, r.last_name, r.country, nullif(btrim(r.converted_account_id), ''),
           recon.load_salesforce_key(r.converted_opportunity_id, options, true), r.currency,
           btrim(r.status), s.status, recon.load_status_reason(r.status_reason, r.status),
           CASE WHEN s.status = 'won' THEN t.converted_at END, 'converted_date', r.converted_date,
           t.last_modified, r.owner, recon.load_salesforce_flags(r.record_id)
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.create_date, zone, style) AS created_at,
                               recon.load_crm_time(r.converted_date, zone, style) AS converted_at,
                               recon.load_crm_time(r.last_modified, zone, style) AS last_modified,
                               recon.load_bool(r.is_converted) AS is_converted) t
    CROSS JOIN LATERAL (SELECT recon.load_lead_status(r.status, coalesce(t.is_converted, CASE WHEN r.converted_opportunity_id IS NOT NULL THEN true END)) AS status) s;
    RETURN recon.load_write_funnel_records(batch, source_file, options, 'salesforce', 'parent');
END $$;
COMMENT ON FUNCTION recon.load_map_salesforce_leads(text, text, jsonb) IS
    'Mapper of salesforce_leads: one lead per row, stage = Status as written. A converted lead (IsConverted, or a ConvertedOpportunityId) is won, closed at ConvertedDate: its outcome is then its opportunity''s (recon.bridge_records folds the opportunity into it), and the ladder dates its Closed - Converted step. Status Closed - Not Converted (or Unqualified, Junk...) is lost, the reason from an Unqualified/Disqualified reason field else the status; other statuses are open. customer_id = ConvertedAccountId; ConvertedOpportunityId links the opportunity (recon.load_record_links). Rejects rows without Id, Status or CreatedDate, with a bad, mangled or other object''s id, a bad date or yes/no value, or an unknown currency.';

CREATE FUNCTION recon.load_map_salesforce_opportunities(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['create_date', 'close_date', 'last_modified'],
                                         'Salesforce writes dates (CloseDate) and report times in the org''s time zone.');
    style text := coalesce(options ->> 'date_style', 'mdy');
    mark text := coalesce(options ->> 'decimal_mark', '.');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_records
        (line_number, reasons, record_id, record_key, record_type, created_at, created_raw, source, customer_id,
         amount_raw, stated_value, currency_raw, stage, status, status_reason, closed_at, close_field, close_raw,
         last_modified, owner, dq_flags)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_salesforce_id_problem('record_id', r.record_id, '006', 'opportunity'),
               recon.load_salesforce_id_problem('account_id', r.account_id, '001', 'account'),
               recon.load_missing('create_date', r.create_date),
               recon.load_bad('bad_date', 'create_date', r.create_date, t.created_at),
               recon.load_bad('bad_date', 'close_date', r.close_date, t.closed_at),
               recon.load_bad('bad_date', 'last_modified', r.last_modified, t.last_modified),
               recon.load_missing('stage', r.stage),
               recon.load_bad('bad_value', 'is_closed', r.is_closed, recon.load_bool(r.is_closed)),
               recon.load_bad('bad_value', 'is_won', r.is_won, recon.load_bool(r.is_won))], NULL),
           recon.load_salesforce_key(r.record_id, options, false), recon.load_salesforce_key(r.record_id, options, true),
           'opportunity', t.created_at, r.create_date, r.lead_source, nullif(btrim(r.account_id), ''),
           r.amount, recon_parse_decimal(r.amount, mark), r.currency, btrim(r.stage), t.status,
           CASE WHEN t.status = 'lost' THEN nullif(btrim(r.loss_reason), '') END,
           t.closed_at, 'close_date', r.close_date, t.last_modified, r.owner, recon.load_salesforce_flags(r.record_id)
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.create_date, zone, style) AS created_at,
                               recon.load_crm_time(r.close_date, zone, style) AS closed_at,
                               recon.load_crm_time(r.last_modified, zone, style) AS last_modified,
                               recon.load_deal_status(r.stage, recon.load_bool(r.is_closed), recon.load_bool(r.is_won)) AS status) t;
    RETURN recon.load_write_funnel_records(batch, source_file, options, 'salesforce');
END $$;
COMMENT ON FUNCTION recon.load_map_salesforce_opportunities(text, text, jsonb) IS
    'Mapper of salesforce_opportunities: one opportunity per row, stage = StageName as written, status from IsWon/IsClosed (else Closed Won / Closed Lost), closed_at = CloseDate for closed ones (a date: midnight in the timezone option, or the creation time when closed on the creation day), status_reason = Loss_Reason__c, stated_value = Amount in CurrencyIsoCode (else the currency option), customer_id = AccountId. Its parent is the lead converted into it, whenever that lead loads (recon.load_record_links). Rejects rows without Id, StageName or CreatedDate, with a bad, mangled or other object''s id, a bad date, amount or yes/no value, or an unknown currency.';

CREATE FUNCTION recon.load_map_salesforce_opportunity_history(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['entered_at'],
                                         'Salesforce report exports write times in the exporting user''s time zone.');
    style text := coalesce(options ->> 'date_style', 'mdy');
    mark text := coalesce(options ->> 'decimal_mark', '.');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_history (line_number, reasons, record_key, stage, entered_at)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_salesforce_id_problem('record_id', r.record_id, '006', 'opportunity'),
               recon.load_missing('stage', r.stage),
               recon.load_missing('entered_at', r.entered_at),
               recon.load_bad('bad_date', 'entered_at', r.entered_at, recon.load_crm_time(r.entered_at, zone, style)),
               recon.load_bad('bad_amount', 'amount', r.amount, recon_parse_decimal(r.amount, mark)),
               recon.load_bad('bad_date', 'close_date', r.close_date, recon.load_crm_time(r.close_date, 'UTC', style))], NULL),
           recon.load_salesforce_key(r.record_id, options, true), btrim(r.stage), recon.load_crm_time(r.entered_at, zone, style)
    FROM pg_temp.recon_load_rows r;
    RETURN recon.load_write_stage_history(batch, source_file, options, 'salesforce');
END $$;
COMMENT ON FUNCTION recon.load_map_salesforce_opportunity_history(text, text, jsonb) IS
    'Mapper of salesforce_opportunity_history: one row per OpportunityHistory row (opportunity, StageName as written, CreatedDate = when the stage was entered), written by recon.load_write_stage_history: a row repeating the stage before it (an amount or close-date change) is skipped, the history of each opportunity in the file replaces the stored one, exited_at = the next entry. Amount and CloseDate are checked (a bad one rejects the row: the record is likely shifted) but not stored.';
