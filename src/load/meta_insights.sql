-- Meta Ads Insights: the Marketing API's JSON rows and Ads Manager's CSV export.
-- Both become one row per day and ad (or ad set, or campaign) in
-- ad_delivery_daily, and one row per action type and attribution window in
-- platform_conversions_daily. Meta restates up to 28 days: loading a range
-- replaces it (docs/loading.md).

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('meta_insights_json', 'json', 'meta', 'recon.load_map_meta_insights',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '{account_id,currency,action_report_time,attribution_setting}',
     'Meta Marketing API Insights (GET /act_<id>/insights with time_increment=1, level=ad|adset|campaign, action_attribution_windows): rows with date_start, ids, spend and the actions / action_values arrays whose per-window values are strings.'),
    ('meta_insights_csv', 'csv', 'meta', 'recon.load_map_meta_insights',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '{account_id,currency,action_report_time,attribution_setting}',
     'Meta Ads Manager export (Reports > Export table data, CSV, broken down by Day): Reporting starts/ends, campaign, ad set and ad ids, Amount spent (<currency>), result columns such as Purchases, Purchases conversion value and their per-window comparisons (Purchases (7-day click)).');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('meta_insights_json'), ('meta_insights_csv')) AS f(format)
CROSS JOIN (VALUES
    ('account_id',          ARRAY['account id'],                                  '{account_id}'::text[],          false),
    ('account_name',        ARRAY['account name'],                                        '{account_name}',                false),
    ('account_currency',    ARRAY['currency'],                                            '{account_currency}',            false),
    ('date_start',          ARRAY['reporting starts', 'day', 'date'],                           '{date_start}',                  true),
    ('date_stop',           ARRAY['reporting ends'],                                      '{date_stop}',                   false),
    ('campaign_id',         ARRAY['campaign id'],                                         '{campaign_id}',                 true),
    ('campaign_name',       ARRAY['campaign name'],                                       '{campaign_name}',               false),
    ('adset_id',            ARRAY['ad set id'],                                           '{adset_id}',                    false),
    ('adset_name',          ARRAY['ad set name'],                                         '{adset_name}',                  false),
    ('ad_id',               ARRAY['ad id'],                                               '{ad_id}',                       false),
    ('ad_name',             ARRAY['ad name'],                                             '{ad_name}',                     false),
    ('spend',               ARRAY['amount spent(?: \([a-z]{3}\))?'],                      '{spend}',                       true),
    ('impressions',         ARRAY['impressions'],                                         '{impressions}',                 false),
    ('clicks',              ARRAY['clicks \(all\)'],                                      '{clicks}',                      false),
    ('link_clicks',         ARRAY['link clicks'],                                         '{inline_link_clicks}',          false),
    ('attribution_setting', ARRAY['attribution setting'],                                 '{attribution_setting}',         false),
    ('actions',             '{}'::text[],                                                    '{actions}',                     false),
    ('action_values',       '{}'::text[],                                                    '{action_values}',               false),
    ('extra',               '{}'::text[],                                                    NULL,                            false)
) AS x(field, headers, json_path, required);

-- The Meta action type an Ads Manager result column reports.
CREATE FUNCTION recon.meta_column_action_type(column_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(btrim(column_name))
        WHEN 'purchases' THEN 'omni_purchase'
        WHEN 'website purchases' THEN 'offsite_conversion.fb_pixel_purchase'
        WHEN 'meta purchases' THEN 'onsite_web_purchase'
        WHEN 'on-facebook purchases' THEN 'onsite_web_purchase'
        WHEN 'leads' THEN 'lead'
        WHEN 'website leads' THEN 'offsite_conversion.fb_pixel_lead'
        WHEN 'meta leads' THEN 'onsite_conversion.lead_grouped'
        WHEN 'on-facebook leads' THEN 'onsite_conversion.lead_grouped'
        WHEN 'adds to cart' THEN 'omni_add_to_cart'
        WHEN 'checkouts initiated' THEN 'omni_initiated_checkout'
        WHEN 'registrations completed' THEN 'omni_complete_registration' END
$$;
COMMENT ON FUNCTION recon.meta_column_action_type(text) IS
    'The Insights action type behind an Ads Manager result column: Purchases = omni_purchase, Website purchases = offsite_conversion.fb_pixel_purchase, Leads = lead, Website leads = offsite_conversion.fb_pixel_lead, Meta leads = onsite_conversion.lead_grouped, Adds to cart, Checkouts initiated, Registrations completed; NULL for other columns (Reach, CPM...).';

-- Ads Manager result columns: which header cells hold the count and the value of which action and window.
CREATE FUNCTION recon.meta_csv_result_columns(header text[],
    OUT action_type text, OUT attribution_window text, OUT count_column text, OUT value_column text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT t.action_type, w.win,
           max(btrim(h.cell)) FILTER (WHERE m[2] IS NULL), max(btrim(h.cell)) FILTER (WHERE m[2] IS NOT NULL)
    FROM unnest(header) AS h(cell)
    CROSS JOIN LATERAL regexp_match(lower(btrim(h.cell)),
        '^(.*?)( conversion value)?(?: \((\d+)-day (click|view|engaged[- ]view)\))?$') AS m
    CROSS JOIN LATERAL (SELECT recon.meta_column_action_type(m[1]) AS action_type) t
    CROSS JOIN LATERAL (SELECT CASE WHEN m[3] IS NULL THEN 'default'
                                    ELSE m[3] || 'd_' || CASE WHEN m[4] ~ '^engaged' THEN 'ev' ELSE m[4] END END AS win) w
    WHERE t.action_type IS NOT NULL
    GROUP BY 1, 2
$$;
COMMENT ON FUNCTION recon.meta_csv_result_columns(text[]) IS
    'The result columns of an Ads Manager CSV header: per action type and attribution window, the column with the count (Purchases, Purchases (7-day click)) and the one with the value (Purchases conversion value (7-day click)); the window is default when the column names none (the account''s attribution setting).';

-- The Meta Insights mapper: type and check the rows, then write them with the shared platform writer.
CREATE FUNCTION recon.load_map_meta_insights(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    header text[] := (SELECT header FROM recon.load_batches WHERE batch_id = batch);
    -- Ads Manager writes the account currency into the spend header: Amount spent (EUR).
    header_currency text := (SELECT upper(m[1]) FROM unnest(header) h, regexp_match(h, '^\s*amount spent \(([a-z]{3})\)\s*$', 'i') m WHERE m IS NOT NULL LIMIT 1);
    is_csv boolean := header IS NOT NULL;
    style text := coalesce(options ->> 'date_style', 'iso');
    mark text := coalesce(options ->> 'decimal_mark', '.');
    report_time text := coalesce(options ->> 'action_report_time', CASE WHEN header IS NULL THEN 'mixed' ELSE 'impression' END);
BEGIN
    IF report_time NOT IN ('impression', 'conversion', 'mixed') THEN
        RAISE EXCEPTION 'action_report_time % is not known', report_time
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use impression, conversion or mixed: the value the report was requested with.';
    END IF;
    DROP TABLE IF EXISTS pg_temp.recon_load_delivery, pg_temp.recon_load_conversions;
    CREATE TEMP TABLE recon_load_delivery AS
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('account_id', coalesce(r.account_id, options ->> 'account_id')),
               recon.load_bad_id('account_id', recon.load_account_id('meta', coalesce(r.account_id, options ->> 'account_id'))),
               recon.load_bad('bad_date', 'date_start', r.date_start, t.report_date),
               recon.load_bad('bad_date', 'date_stop', r.date_stop, t.date_stop),
               CASE WHEN t.date_stop <> t.report_date
                    THEN format('not_daily: the row covers %s to %s; export one row per day (time_increment=1, breakdown by Day)', t.report_date, t.date_stop) END,
               recon.load_missing('campaign_id', r.campaign_id),
               recon.load_bad_id('campaign_id', r.campaign_id),
               recon.load_bad_id('adset_id', r.adset_id),
               recon.load_bad_id('ad_id', r.ad_id),
               CASE WHEN r.ad_id IS NOT NULL AND r.adset_id IS NULL THEN 'missing: adset_id (the row has an ad id)' END,
               recon.load_bad('bad_amount', 'spend', r.spend, t.spend),
               CASE WHEN t.spend < 0 THEN 'bad_amount: spend ' || quote_literal(r.spend) || ' is negative' END,
               recon.load_bad('bad_number', 'impressions', r.impressions, t.impressions),
               recon.load_bad('bad_number', 'clicks', r.clicks, t.clicks),
               recon.load_bad('bad_number', 'link_clicks', r.link_clicks, t.link_clicks),
               recon.load_bad_currency('account_currency', r.account_currency),
               recon.load_bad_precision('spend', t.spend, upper(btrim(coalesce(r.account_currency, header_currency))))
           ], NULL) AS reasons,
           recon.load_account_id('meta', coalesce(r.account_id, options ->> 'account_id')) AS account_id,
           r.account_name,
           coalesce(nullif(btrim(r.account_currency), ''), header_currency, options ->> 'currency') AS account_currency,
           t.report_date,
           CASE WHEN r.ad_id IS NOT NULL THEN 'ad' WHEN r.adset_id IS NOT NULL THEN 'adset' ELSE 'campaign' END AS level,
           recon_normalize_platform_id(r.campaign_id) AS campaign_id, r.campaign_name,
           recon_normalize_platform_id(r.adset_id) AS adset_id, r.adset_name,
           recon_normalize_platform_id(r.ad_id) AS ad_id, r.ad_name,
           t.spend, t.impressions, t.clicks, t.link_clicks,
           setting.normalized AS attribution_setting,
           report_time AS action_report_time,
           array_remove(ARRAY[
               CASE WHEN recon_platform_id_status(r.campaign_id) LIKE 'possible%' THEN 'possible_mangled_id' END,
               CASE WHEN recon_platform_id_status(r.ad_id) LIKE 'possible%' THEN 'possible_mangled_id' END], NULL) AS dq_flags,
           r.actions, r.action_values
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon_parse_date(r.date_start, style) AS report_date,
                               recon_parse_date(coalesce(r.date_stop, r.date_start), style) AS date_stop,
                               recon_parse_decimal(r.spend, mark) AS spend,
                               recon.load_count(r.impressions, mark) AS impressions,
                               recon.load_count(r.clicks, mark) AS clicks,
                               recon.load_count(r.link_clicks, mark) AS link_clicks
                        OFFSET 0) t   -- parse once, not once per use
    -- a file repeats a handful of settings: normalize each once
    LEFT JOIN (SELECT raw, recon.load_attribution_setting(raw) AS normalized
               FROM (SELECT DISTINCT coalesce(attribution_setting, options ->> 'attribution_setting') AS raw
                     FROM pg_temp.recon_load_rows) x) setting
           ON setting.raw = coalesce(r.attribution_setting, options ->> 'attribution_setting');

    ANALYZE pg_temp.recon_load_delivery;

    -- One row per action type and window, from the API's arrays ("value" is the account's
    -- setting: window default) or from Ads Manager's result columns (mapped once per file).
    IF is_csv THEN
        CREATE TEMP TABLE recon_load_conversions AS
        SELECT d.line_number, m.action_type, m.attribution_window,
               r.extra ->> m.count_column AS count_raw, r.extra ->> m.value_column AS value_raw
        FROM pg_temp.recon_load_delivery d
        JOIN pg_temp.recon_load_rows r USING (line_number)
        CROSS JOIN recon.meta_csv_result_columns(header) m
        WHERE r.extra ->> m.count_column IS NOT NULL OR r.extra ->> m.value_column IS NOT NULL;
    ELSE
        -- both arrays in one pass; an action type listed twice in a row keeps its first figures
        CREATE TEMP TABLE recon_load_conversions AS
        SELECT d.line_number, a.e ->> 'action_type' AS action_type,
               CASE w.key WHEN 'value' THEN 'default' ELSE w.key END AS attribution_window,
               (array_agg(w.value ORDER BY a.o) FILTER (WHERE NOT k.is_value))[1] AS count_raw,
               (array_agg(w.value ORDER BY a.o) FILTER (WHERE k.is_value))[1] AS value_raw
        FROM pg_temp.recon_load_delivery d
        CROSS JOIN LATERAL (VALUES (false, d.actions), (true, d.action_values)) AS k(is_value, arr)
        CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN k.arr LIKE '[%' THEN k.arr::jsonb ELSE '[]' END)
                           WITH ORDINALITY AS a(e, o)
        CROSS JOIN LATERAL jsonb_each_text(a.e - 'action_type') AS w
        GROUP BY 1, 2, 3;
    END IF;
    ALTER TABLE pg_temp.recon_load_conversions ADD COLUMN conversions numeric, ADD COLUMN conversion_value numeric;
    UPDATE pg_temp.recon_load_conversions
       SET conversions = recon_parse_decimal(count_raw, mark), conversion_value = recon_parse_decimal(value_raw, mark);
    UPDATE pg_temp.recon_load_delivery d
       SET reasons = d.reasons || x.bad
      FROM (SELECT line_number, array_agg(DISTINCT format('bad_number: %s %s %s', action_type, attribution_window,
                                                          quote_literal(coalesce(CASE WHEN conversions IS NULL THEN count_raw END, value_raw)))) AS bad
            FROM pg_temp.recon_load_conversions
            WHERE (conversions IS NULL AND btrim(count_raw) <> '') OR (conversion_value IS NULL AND btrim(value_raw) <> '')
            GROUP BY line_number) x
     WHERE d.line_number = x.line_number;

    RETURN recon.load_write_platform_report(batch, source_file, options, 'meta');
END $$;
COMMENT ON FUNCTION recon.load_map_meta_insights(text, text, jsonb) IS
    'Mapper of meta_insights_json and meta_insights_csv: one delivery row per day and ad (ad set, campaign: the finest id the row has), one conversion row per action type and window ("value" is the default window, the account''s attribution setting). Rejects rows without an account, with bad or multi-day dates, mangled or invalid ids, bad numbers, an unknown currency or spend finer than the currency''s minor unit. action_report_time (impression, conversion or mixed) is the one the report was requested with: default mixed for the API (its default), impression for Ads Manager.';
