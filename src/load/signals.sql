-- The writer of conversion signals (lead forms, Pixel and Conversions API logs):
-- what the advertiser told a platform, event by event. Duplicates inside a file
-- are kept on purpose (they are what Pixel/CAPI dedup analysis looks for); a
-- reload replaces what the earlier load of the same events wrote.

-- The first value of a JSON array (or the value itself): the Conversions API sends em, ph and external_id either way.
CREATE FUNCTION recon.load_first_json_value(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN btrim(raw) LIKE '[%' THEN (raw::jsonb) ->> 0 ELSE raw END
$$;
COMMENT ON FUNCTION recon.load_first_json_value(text) IS
    'The first element of a JSON array given as text (["a","b"] -> a), or the text itself: Conversions API user_data fields come as arrays or single values.';

-- Write the signals typed into pg_temp.recon_load_signals, replacing what they restate.
CREATE FUNCTION recon.load_write_signals(batch text, source_file text, options jsonb, replace_by text) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    rejected bigint;
    replaced bigint;
    written bigint;
    kept bigint := 0;
    scope jsonb;
BEGIN
    IF replace_by NOT IN ('lead_id', 'day_range') THEN
        RAISE EXCEPTION 'replace_by % is not known', replace_by USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF replace_by = 'lead_id' THEN   -- a lead form lists each lead once
        UPDATE pg_temp.recon_load_signals s
           SET reasons = s.reasons || format('duplicate_row: same lead id as line %s', d.first_line)
          FROM (SELECT line_number, min(line_number) OVER (PARTITION BY platform, lead_id) AS first_line
                FROM pg_temp.recon_load_signals WHERE cardinality(reasons) = 0) d
         WHERE s.line_number = d.line_number AND d.first_line <> d.line_number;
    END IF;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_signals WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_signals WHERE cardinality(reasons) > 0;

    IF replace_by = 'lead_id' THEN
        SELECT jsonb_build_object('lead_ids', count(*)) INTO scope FROM pg_temp.recon_load_signals;
        DELETE FROM recon.conversion_signals t
        USING pg_temp.recon_load_signals s
        WHERE t.platform = s.platform AND t.source = s.source AND t.lead_id = s.lead_id;
        GET DIAGNOSTICS replaced = ROW_COUNT;
    ELSE
        -- an event log covers whole days (UTC): the days it holds replace the same days loaded before
        WITH s AS MATERIALIZED (
            SELECT platform, source, account_id, min((event_time AT TIME ZONE 'UTC')::date) AS first_day,
                   max((event_time AT TIME ZONE 'UTC')::date) AS last_day
            FROM pg_temp.recon_load_signals GROUP BY 1, 2, 3),
        gone AS (
            DELETE FROM recon.conversion_signals t
            USING s
            WHERE t.platform = s.platform AND t.source = s.source AND t.account_id IS NOT DISTINCT FROM s.account_id
              AND t.event_time >= s.first_day::timestamp AT TIME ZONE 'UTC'
              AND t.event_time < (s.last_day + 1)::timestamp AT TIME ZONE 'UTC'
            RETURNING 1)
        SELECT (SELECT jsonb_agg(jsonb_build_object('platform', platform, 'source', source, 'account_id', account_id,
                                                    'from', first_day, 'to', last_day)) FROM s),
               (SELECT count(*) FROM gone)
          INTO scope, replaced;
    END IF;

    INSERT INTO recon.conversion_signals
        (platform, account_id, source, event_id, event_name, event_time, fbclid, gclid, gbraid, wbraid, ttclid,
         msclkid, li_fat_id, fbc, fbp, external_id, email_sha256, phone_sha256, value, currency, order_id, lead_id,
         campaign_id, adset_id, ad_id, record_source, batch_id, dq_flags)
    SELECT platform, account_id, source, event_id, event_name, event_time, fbclid, gclid, gbraid, wbraid, ttclid,
           msclkid, li_fat_id, fbc, fbp, external_id, email_sha256, phone_sha256, value, upper(btrim(currency)), order_id, lead_id,
           campaign_id, adset_id, ad_id, source_file, batch, dq_flags
    FROM pg_temp.recon_load_signals ORDER BY line_number;
    GET DIAGNOSTICS written = ROW_COUNT;

    IF coalesce((options ->> 'keep_pii')::boolean, false) THEN
        kept := recon.load_keep_contacts('signal', batch, source_file, $q$
            SELECT DISTINCT ON (coalesce(lead_id, event_id)) coalesce(lead_id, event_id), email_raw, phone_raw,
                   first_name_raw, last_name_raw
            FROM pg_temp.recon_load_signals ORDER BY coalesce(lead_id, event_id), line_number$q$);
    END IF;
    RETURN jsonb_build_object('rejected', rejected, 'replaced', replaced, 'scope', scope,
                              'tables', jsonb_build_object('conversion_signals', written)
                                        || CASE WHEN kept > 0 THEN jsonb_build_object('contact_details', kept) ELSE '{}' END);
END $$;
COMMENT ON FUNCTION recon.load_write_signals(text, text, jsonb, text) IS
    'The writer of conversion-signal loads. Reads pg_temp.recon_load_signals (line_number, reasons, the conversion_signals columns, and email_raw, phone_raw, first_name_raw, last_name_raw); rejects rows with reasons; replaces by lead_id (lead forms: the leads in the file) or by day_range (event logs: the UTC days the file covers, per platform, source and account); writes the rest with duplicates kept, and the raw contact data into recon.contact_details only when options keep_pii is true.';
