-- Google Ads: daily campaign, ad group and ad reports (the UI's CSV download and
-- the API's search / searchStream JSON) and click_view (one row per gclid and day).
-- Also two helpers the later ad platform loaders share (docs/loading-platforms.md):
-- recon.load_platform_rows types a report's rows, given in a common shape, into the
-- tables recon.load_write_platform_report reads; recon.load_write_clicks writes the
-- click log.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('google_ads_daily', 'csv', 'google', 'recon.load_map_google_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '^\s*Total:', '{account_id,currency,attribution_setting}',
     'Google Ads report downloaded from the UI as CSV (campaign, ad group or ad report segmented by Day; title and date range lines above the header, Total: rows at the end): Day, Customer ID (483-012-7765), Campaign ID, Ad group ID, Currency code, Cost, Impr., Clicks, Conversions, Conv. value, optionally Conversion action; or the same report with the API''s field names (segments.date, metrics.cost_micros...).'),
    ('google_ads_daily_json', 'json', 'google', 'recon.load_map_google_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', NULL, '{account_id,currency,attribution_setting}',
     'Google Ads API GoogleAdsService search or searchStream response (results with segments.date, customer, campaign, adGroup, adGroupAd and metrics; camelCase, int64 values as strings, costMicros in millionths of the account currency).'),
    ('google_click_view_csv', 'csv', 'google', 'recon.load_map_google_click_view',
     '{ad_clicks}', NULL, '{account_id}',
     'Google Ads click_view rows as CSV (a GAQL query exported with its field names, or the BigQuery transfer''s ClickStats table): gclid, date, customer, campaign and ad group ids, the ad group ad.'),
    ('google_click_view_json', 'json', 'google', 'recon.load_map_google_click_view',
     '{ad_clicks}', NULL, '{account_id}',
     'Google Ads API search / searchStream response of a click_view query (clickView.gclid, clickView.adGroupAd, segments.date, customer.id, campaign.id, adGroup.id).');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('google_ads_daily'), ('google_ads_daily_json')) AS f(format)
CROSS JOIN (VALUES
    ('account_id',        ARRAY['customer id', 'customer\.id'],                              '{customer,id}'::text[],            false),
    ('account_name',      ARRAY['account', 'account name', 'customer\.descriptive_name'],    '{customer,descriptiveName}',       false),
    ('account_currency',  ARRAY['currency code', 'currency', 'customer\.currency_code'],     '{customer,currencyCode}',          false),
    ('report_date',       ARRAY['day', 'date', 'segments\.date'],                            '{segments,date}',                  true),
    ('campaign_id',       ARRAY['campaign id', 'campaign\.id'],                              '{campaign,id}',                    true),
    ('campaign_name',     ARRAY['campaign', 'campaign name', 'campaign\.name'],              '{campaign,name}',                  false),
    ('adset_id',          ARRAY['ad group id', 'ad_group\.id'],                              '{adGroup,id}',                     false),
    ('adset_name',        ARRAY['ad group', 'ad group name', 'ad_group\.name'],              '{adGroup,name}',                   false),
    ('ad_id',             ARRAY['ad id', 'ad_group_ad\.ad\.id'],                             '{adGroupAd,ad,id}',                false),
    ('cost',              ARRAY['cost'],                                                     NULL,                               false),
    ('cost_micros',       ARRAY['metrics\.cost_micros', 'cost \(micros\)'],                  '{metrics,costMicros}',             false),
    ('impressions',       ARRAY['impr\.', 'impressions', 'metrics\.impressions'],            '{metrics,impressions}',            false),
    ('clicks',            ARRAY['clicks', 'metrics\.clicks'],                                '{metrics,clicks}',                 false),
    ('conversions',       ARRAY['conversions', 'metrics\.conversions'],                      '{metrics,conversions}',            false),
    ('conversion_value',  ARRAY['conv\. value', 'conversion value', 'metrics\.conversions_value'], '{metrics,conversionsValue}', false),
    ('conversion_action', ARRAY['conversion action', 'segments\.conversion_action_name'],    '{segments,conversionActionName}',  false)
) AS x(field, headers, json_path, required);

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('google_click_view_csv'), ('google_click_view_json')) AS f(format)
CROSS JOIN (VALUES
    ('gclid',        ARRAY['click_view\.gclid', 'click_view_gclid', 'gclid', 'google click id'],   '{clickView,gclid}'::text[], true),
    ('report_date',  ARRAY['segments\.date', 'segments_date', 'date', 'day'],                      '{segments,date}',           true),
    ('account_id',   ARRAY['customer\.id', 'customer_id', 'customer id'],                          '{customer,id}',             false),
    ('campaign_id',  ARRAY['campaign\.id', 'campaign_id', 'campaign id'],                          '{campaign,id}',             false),
    ('adset_id',     ARRAY['ad_group\.id', 'ad_group_id', 'ad group id'],                          '{adGroup,id}',              false),
    ('ad_id',        ARRAY['click_view\.ad_group_ad', 'click_view_ad_group_ad', 'ad id'],          '{clickView,adGroupAd}',     false)
) AS x(field, headers, json_path, required);

-- Type a platform report given in a common shape into the platform writer's tables.
CREATE FUNCTION recon.load_platform_rows(platform_name text, options jsonb) RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    mark text := coalesce(options ->> 'decimal_mark', '.');
BEGIN
    IF EXISTS (SELECT 1 FROM pg_temp.recon_load_std)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_std WHERE nullif(btrim(account_id), '') IS NOT NULL) THEN
        RAISE EXCEPTION 'the rows of this % report do not say which ad account they belong to', platform_name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the account in the options: {"account_id": "<the account''s id>"}.';
    END IF;

    DROP TABLE IF EXISTS pg_temp.recon_load_delivery, pg_temp.recon_load_conversions;
    CREATE TEMP TABLE recon_load_delivery AS
    SELECT s.line_number,
           s.reasons || array_remove(ARRAY[
               recon.load_missing('account_id', s.account_id),
               recon.load_bad_id('account_id', a.raw_account),
               recon.load_missing('report_date', s.report_date_raw),
               recon.load_bad('bad_date', 'report_date', s.report_date_raw, s.report_date),
               recon.load_missing('campaign_id', s.campaign_id),
               recon.load_bad_id('campaign_id', s.campaign_id),
               recon.load_bad_id('adset_id', s.adset_id),
               recon.load_bad_id('ad_id', s.ad_id),
               CASE WHEN s.ad_id IS NOT NULL AND s.adset_id IS NULL THEN 'missing: adset_id (the row has an ad id)' END,
               recon.load_bad('bad_amount', s.spend_field, s.spend_raw, s.spend),
               CASE WHEN s.spend < 0 THEN format('bad_amount: %s %L is negative', s.spend_field, s.spend_raw) END,
               CASE WHEN NOT s.spend_exact THEN recon.load_bad_precision(s.spend_field, s.spend, c.currency) END,
               recon.load_bad('bad_number', 'impressions', s.impressions, t.impressions),
               recon.load_bad('bad_number', 'clicks', s.clicks, t.clicks),
               recon.load_bad('bad_number', 'link_clicks', s.link_clicks, t.link_clicks),
               recon.load_bad_currency('currency', s.currency)], NULL) AS reasons,
           a.account_id, s.account_name, c.currency AS account_currency, s.report_date,
           CASE WHEN s.ad_id IS NOT NULL THEN 'ad' WHEN s.adset_id IS NOT NULL THEN 'adset' ELSE 'campaign' END AS level,
           recon_normalize_platform_id(s.campaign_id) AS campaign_id, s.campaign_name,
           recon_normalize_platform_id(s.adset_id) AS adset_id, s.adset_name,
           recon_normalize_platform_id(s.ad_id) AS ad_id, s.ad_name,
           s.spend, t.impressions, t.clicks, t.link_clicks,
           recon.load_attribution_setting(options ->> 'attribution_setting') AS attribution_setting,
           s.action_report_time,
           s.dq_flags || array_remove(ARRAY[
               CASE WHEN recon_platform_id_status(s.campaign_id) LIKE 'possible%'
                      OR recon_platform_id_status(s.adset_id) LIKE 'possible%'
                      OR recon_platform_id_status(s.ad_id) LIKE 'possible%' THEN 'possible_mangled_id' END], NULL) AS dq_flags
    FROM pg_temp.recon_load_std s
    CROSS JOIN LATERAL (SELECT recon.load_account_id(platform_name, s.account_id) AS raw_account,
                               recon_normalize_platform_id(recon.load_account_id(platform_name, s.account_id)) AS account_id) a
    CROSS JOIN LATERAL (SELECT upper(btrim(coalesce(s.currency, options ->> 'currency',
                                                    (SELECT x.currency FROM recon.ad_accounts x
                                                     WHERE x.platform = platform_name AND x.account_id = a.account_id)))) AS currency) c
    CROSS JOIN LATERAL (SELECT recon.load_count(s.impressions, mark) AS impressions,
                               recon.load_count(s.clicks, mark) AS clicks,
                               recon.load_count(s.link_clicks, mark) AS link_clicks) t;

    -- One conversion row per delivery row and action type, in the account's default window.
    CREATE TEMP TABLE recon_load_conversions AS
    SELECT a.line_number, a.action_type, 'default'::text AS attribution_window, v.conversions, v.conversion_value,
           array_remove(ARRAY[
               recon.load_bad('bad_number', a.count_field, a.count_raw, v.conversions),
               CASE WHEN v.conversions < 0 THEN format('bad_number: %s %L is negative', a.count_field, a.count_raw) END,
               recon.load_bad('bad_amount', a.value_field, a.value_raw, v.conversion_value)], NULL) AS reasons
    FROM pg_temp.recon_load_std_actions a
    CROSS JOIN LATERAL (SELECT recon_parse_decimal(a.count_raw, mark) AS conversions,
                               recon_parse_decimal(a.value_raw, mark) AS conversion_value) v
    WHERE nullif(btrim(a.count_raw), '') IS NOT NULL OR nullif(btrim(a.value_raw), '') IS NOT NULL;
    UPDATE pg_temp.recon_load_delivery d
       SET reasons = d.reasons || x.reasons
      FROM (SELECT line_number, array_agg(r ORDER BY r) AS reasons
            FROM pg_temp.recon_load_conversions, unnest(reasons) r GROUP BY 1) x
     WHERE x.line_number = d.line_number;
    -- An action type the row counts nothing for is not written (as the APIs omit it).
    DELETE FROM pg_temp.recon_load_conversions
     WHERE cardinality(reasons) = 0 AND coalesce(conversions, 0) = 0 AND coalesce(conversion_value, 0) = 0;
    -- A rejected row names no account: the writer asks the zone and currency of
    -- every new account it sees, and a row it will reject must not make it raise.
    UPDATE pg_temp.recon_load_delivery SET account_id = NULL WHERE cardinality(reasons) > 0;
END $$;
COMMENT ON FUNCTION recon.load_platform_rows(text, jsonb) IS
    'Shared by the ad platform report mappers (Google, Microsoft, TikTok, LinkedIn): reads pg_temp.recon_load_std (line_number, reasons of the platform''s own rules, account_id, account_name, currency, report_date_raw and report_date parsed, campaign/adset/ad ids and names as written, spend_field, spend_raw, spend parsed, spend_exact (true: no minor-unit check, for amounts the platform accrues finer than its currency: Google micros, LinkedIn API cost), impressions, clicks, link_clicks as written, action_report_time, dq_flags) and pg_temp.recon_load_std_actions (line_number, action_type, count_field, count_raw, value_field, value_raw), checks ids, dates, amounts and currency, and fills pg_temp.recon_load_delivery and pg_temp.recon_load_conversions (window default; an action type with neither conversions nor value is left out) for recon.load_write_platform_report. The currency of a row is its own, else the currency option, else the known account''s. Raises 22023 when no row names its account and no account_id option is given.';

-- Write the click log rows typed into pg_temp.recon_load_clicks.
CREATE FUNCTION recon.load_write_clicks(batch text, source_file text, platform_name text) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    rejected bigint;
    deleted bigint;
    updated bigint;
    inserted bigint;
    scope jsonb;
BEGIN
    -- A click id twice in one file: which row is right is unknown, so none is written.
    UPDATE pg_temp.recon_load_clicks c
       SET reasons = c.reasons || format('duplicate_click_id: %s is on lines %s', quote_literal(c.click_id), x.lines)
      FROM (SELECT click_id, string_agg(line_number::text, ', ' ORDER BY line_number) AS lines
            FROM pg_temp.recon_load_clicks WHERE click_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x
     WHERE c.click_id = x.click_id;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_clicks WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_clicks WHERE cardinality(reasons) > 0;

    -- The file restates its accounts' clicks over its time range. A file of days
    -- (clicked_until set) replaces the day-level rows only: a click captured with its
    -- exact time stays.
    DROP TABLE IF EXISTS pg_temp.recon_load_click_scope;
    CREATE TEMP TABLE recon_load_click_scope AS
    SELECT account_id, min(clicked_at) AS from_at, max(coalesce(clicked_until, clicked_at + interval '1 microsecond')) AS until_at,
           bool_and(clicked_until IS NOT NULL) AS day_only
    FROM pg_temp.recon_load_clicks WHERE account_id IS NOT NULL GROUP BY 1;
    SELECT jsonb_agg(jsonb_build_object('account_id', account_id, 'from', from_at, 'until', until_at) ORDER BY account_id)
      INTO scope FROM pg_temp.recon_load_click_scope;
    WITH gone AS (
        DELETE FROM recon.ad_clicks t USING pg_temp.recon_load_click_scope s
        WHERE t.platform = platform_name AND t.account_id = s.account_id
          AND t.clicked_at >= s.from_at AND t.clicked_at < s.until_at
          AND (NOT s.day_only OR t.dq_flags @> '{clicked_day_only}')
        RETURNING 1)
    SELECT count(*) INTO deleted FROM gone;

    -- A click the log holds already (captured on the landing page, or reported for
    -- another day) takes the file's ids and time, but keeps an exact time that falls
    -- in the day the file reports.
    UPDATE recon.ad_clicks t
       SET clicked_at = CASE WHEN NOT t.dq_flags @> '{clicked_day_only}' AND t.clicked_at >= c.clicked_at AND t.clicked_at < c.clicked_until
                             THEN t.clicked_at ELSE c.clicked_at END,
           dq_flags = CASE WHEN NOT t.dq_flags @> '{clicked_day_only}' AND t.clicked_at >= c.clicked_at AND t.clicked_at < c.clicked_until
                           THEN t.dq_flags ELSE c.dq_flags END,
           account_id = coalesce(c.account_id, t.account_id), campaign_id = coalesce(c.campaign_id, t.campaign_id),
           adset_id = coalesce(c.adset_id, t.adset_id), ad_id = coalesce(c.ad_id, t.ad_id),
           record_source = source_file, batch_id = batch
      FROM pg_temp.recon_load_clicks c
     WHERE t.platform = platform_name AND t.click_id = c.click_id;
    GET DIAGNOSTICS updated = ROW_COUNT;

    INSERT INTO recon.ad_clicks (platform, click_id, clicked_at, account_id, campaign_id, adset_id, ad_id, record_source, batch_id, dq_flags)
    SELECT platform_name, c.click_id, c.clicked_at, c.account_id, c.campaign_id, c.adset_id, c.ad_id, source_file, batch, c.dq_flags
    FROM pg_temp.recon_load_clicks c
    WHERE NOT EXISTS (SELECT 1 FROM recon.ad_clicks t WHERE t.platform = platform_name AND t.click_id = c.click_id);
    GET DIAGNOSTICS inserted = ROW_COUNT;

    RETURN jsonb_build_object('rejected', rejected, 'replaced', deleted + updated, 'scope', scope,
                              'tables', jsonb_build_object('ad_clicks', inserted + updated));
END $$;
COMMENT ON FUNCTION recon.load_write_clicks(text, text, text) IS
    'The click log writer any click report loader can use. Reads pg_temp.recon_load_clicks (line_number, reasons, click_id as written, clicked_at, clicked_until: the end of the day for a report that only knows the day, else NULL; account_id, campaign_id, adset_id, ad_id, dq_flags); rejects rows with reasons and every row of a click id the file holds twice; replaces, per account, the clicks of the file''s time range (a day-level file only the day-level rows, flag clicked_day_only); a click id already logged takes the file''s values but keeps an exact time inside the reported day. Returns rejected, replaced, scope and rows per table.';

-- The Google Ads report mapper: UI CSV and API JSON alike.
CREATE FUNCTION recon.load_map_google_ads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    is_csv boolean := (SELECT header IS NOT NULL FROM recon.load_batches WHERE batch_id = batch);
    style text := CASE WHEN is_csv THEN coalesce(options ->> 'date_style', 'iso') ELSE 'iso' END;
    opts jsonb := CASE WHEN is_csv THEN options ELSE options - 'decimal_mark' END;
    mark text := coalesce(opts ->> 'decimal_mark', '.');
    by_action boolean;
    result jsonb;
    orphans bigint := 0;
BEGIN
    -- The UI writes -- where a metric does not apply.
    UPDATE pg_temp.recon_load_rows
       SET cost = nullif(btrim(cost), '--'), cost_micros = nullif(btrim(cost_micros), '--'),
           impressions = nullif(btrim(impressions), '--'), clicks = nullif(btrim(clicks), '--'),
           conversions = nullif(btrim(conversions), '--'), conversion_value = nullif(btrim(conversion_value), '--')
     WHERE '--' IN (btrim(cost), btrim(cost_micros), btrim(impressions), btrim(clicks), btrim(conversions), btrim(conversion_value));
    by_action := EXISTS (SELECT 1 FROM pg_temp.recon_load_rows WHERE conversion_action IS NOT NULL);

    DROP TABLE IF EXISTS pg_temp.recon_load_std, pg_temp.recon_load_std_actions;
    CREATE TEMP TABLE recon_load_std AS
    SELECT r.line_number,
           array_remove(ARRAY[
               CASE WHEN recon_normalize_platform_id(recon.load_account_id('google', acct)) !~ '^[0-9]{10}$'
                    THEN format('bad_id: account_id %L (a Google Ads customer id has 10 digits)', acct) END,
               CASE WHEN r.cost IS NULL AND r.cost_micros IS NULL AND NOT by_action THEN 'missing: cost' END], NULL) AS reasons,
           acct AS account_id, r.account_name, r.account_currency AS currency,
           r.report_date AS report_date_raw, recon_parse_date(r.report_date, style) AS report_date,
           r.campaign_id, r.campaign_name, r.adset_id, r.adset_name, r.ad_id, NULL::text AS ad_name,
           CASE WHEN r.cost_micros IS NOT NULL THEN 'cost_micros' ELSE 'cost' END AS spend_field,
           coalesce(r.cost_micros, r.cost) AS spend_raw,
           CASE WHEN r.cost_micros IS NOT NULL THEN trim_scale(recon.load_count(r.cost_micros, mark) / 1000000.0)
                ELSE recon_parse_decimal(r.cost, mark) END AS spend,
           r.cost_micros IS NOT NULL AS spend_exact,
           r.impressions, r.clicks, NULL::text AS link_clicks,
           'impression'::text AS action_report_time,    -- Conversions are booked on the day of the click
           '{}'::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT coalesce(r.account_id, options ->> 'account_id') AS acct) x;
    CREATE TEMP TABLE recon_load_std_actions AS
    SELECT line_number, coalesce(btrim(conversion_action), 'conversions') AS action_type,
           'conversions' AS count_field, conversions AS count_raw, 'conversion_value' AS value_field, conversion_value AS value_raw
    FROM pg_temp.recon_load_rows;
    PERFORM recon.load_platform_rows('google', opts);

    IF by_action THEN
        -- Segmented by conversion action: one row per action, each repeating the day's
        -- delivery. The first line of a day and campaign (ad group, ad) carries the
        -- delivery, the others add their conversions to it.
        DROP TABLE IF EXISTS pg_temp.recon_load_groups;
        CREATE TEMP TABLE recon_load_groups AS
        SELECT d.line_number, g.leader, g.lines, g.conflict, g.no_cost, g.spend, g.impressions, g.clicks,
               min(d.line_number) OVER (PARTITION BY g.leader, c.action_type) AS first_of_action
        FROM pg_temp.recon_load_delivery d
        JOIN pg_temp.recon_load_std_actions c USING (line_number)
        JOIN (SELECT account_id, report_date, campaign_id, coalesce(adset_id, '') AS adset_key, coalesce(ad_id, '') AS ad_key,
                     min(line_number) AS leader, string_agg(line_number::text, ', ' ORDER BY line_number) AS lines,
                     count(DISTINCT spend) > 1 OR count(DISTINCT impressions) > 1 OR count(DISTINCT clicks) > 1
                         OR count(DISTINCT account_currency) > 1 AS conflict,
                     bool_and(spend IS NULL) AS no_cost, max(spend) AS spend, max(impressions) AS impressions, max(clicks) AS clicks
              FROM pg_temp.recon_load_delivery WHERE cardinality(reasons) = 0 GROUP BY 1, 2, 3, 4, 5) g
          ON (g.account_id, g.report_date, g.campaign_id, g.adset_key, g.ad_key)
           = (d.account_id, d.report_date, d.campaign_id, coalesce(d.adset_id, ''), coalesce(d.ad_id, ''))
        WHERE cardinality(d.reasons) = 0;
        UPDATE pg_temp.recon_load_delivery d
           SET reasons = d.reasons || CASE
                   WHEN g.conflict THEN format('conflicting_rows: lines %s give one day and %s different cost, impressions, clicks or currency', g.lines, d.level)
                   WHEN g.no_cost THEN 'missing: cost (a row segmented by conversion action must repeat the day''s Cost, Impr. and Clicks: export them, or load the report without the segment)'
                   ELSE format('duplicate_row: same day, %s and conversion action as line %s', d.level, g.first_of_action) END
          FROM pg_temp.recon_load_groups g
         WHERE g.line_number = d.line_number AND (g.conflict OR g.no_cost OR g.first_of_action <> g.line_number);
        UPDATE pg_temp.recon_load_delivery d SET spend = g.spend, impressions = g.impressions, clicks = g.clicks
          FROM pg_temp.recon_load_groups g WHERE g.line_number = d.line_number AND g.leader = d.line_number AND cardinality(d.reasons) = 0;
        UPDATE pg_temp.recon_load_conversions c SET line_number = g.leader
          FROM pg_temp.recon_load_groups g JOIN pg_temp.recon_load_delivery d USING (line_number)
         WHERE g.line_number = c.line_number AND g.leader <> g.line_number AND cardinality(d.reasons) = 0;
        DELETE FROM pg_temp.recon_load_delivery d USING pg_temp.recon_load_groups g
         WHERE g.line_number = d.line_number AND g.leader <> g.line_number AND cardinality(d.reasons) = 0;
    END IF;

    result := recon.load_write_platform_report(batch, source_file, options, 'google');

    IF by_action THEN   -- lines whose conversions rode on a line the writer rejected
        orphans := recon.load_set_aside(batch, source_file, 'rejected', $q$
            SELECT g.line_number, ARRAY[format('rejected_with_line: line %s, which carries this day''s delivery, was rejected', g.leader)] AS reasons
            FROM pg_temp.recon_load_groups g JOIN pg_temp.recon_load_rows r USING (line_number)
            WHERE g.leader <> g.line_number AND NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_rows l WHERE l.line_number = g.leader)$q$);
    END IF;
    RETURN jsonb_set(result, '{rejected}', to_jsonb((result ->> 'rejected')::bigint + orphans));
END $$;
COMMENT ON FUNCTION recon.load_map_google_ads(text, text, jsonb) IS
    'Mapper of google_ads_daily (UI CSV or API field names) and google_ads_daily_json (search/searchStream): one delivery row per day and campaign, ad group or ad (the finest id the row has); conversions as action type conversions (or the Conversion action of a segmented report, whose rows of one day and campaign fold into one delivery row), window default, booked on the click day (action_report_time impression). Cost in the currency, or cost_micros divided by 1,000,000 and kept to the micro (Google accrues cost finer than a cent); -- is blank. Rejects customer ids that are not 10 digits, bad dates, ids, numbers and currencies, Cost finer than the currency.';

-- click_view: one row per click and day.
CREATE FUNCTION recon.load_map_google_click_view(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    is_csv boolean := (SELECT header IS NOT NULL FROM recon.load_batches WHERE batch_id = batch);
    style text := CASE WHEN is_csv THEN coalesce(options ->> 'date_style', 'iso') ELSE 'iso' END;
    unknown text;
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_clicks;
    CREATE TEMP TABLE recon_load_clicks AS
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('gclid', r.gclid),
               CASE WHEN btrim(r.gclid) !~ '^[A-Za-z0-9._~-]+$'
                    THEN format('bad_id: gclid %L (a click id holds letters, digits and - _ . ~ only)', r.gclid) END,
               recon.load_missing('account_id', x.acct),
               recon.load_bad_id('account_id', recon.load_account_id('google', x.acct)),
               CASE WHEN recon_normalize_platform_id(recon.load_account_id('google', x.acct)) !~ '^[0-9]{10}$'
                    THEN format('bad_id: account_id %L (a Google Ads customer id has 10 digits)', x.acct) END,
               recon.load_missing('report_date', r.report_date),
               recon.load_bad('bad_date', 'report_date', r.report_date, x.day),
               recon.load_bad_id('campaign_id', r.campaign_id),
               recon.load_bad_id('adset_id', r.adset_id),
               recon.load_bad_id('ad_id', x.ad)], NULL) AS reasons,
           btrim(r.gclid) AS click_id, x.day,
           recon_normalize_platform_id(recon.load_account_id('google', x.acct)) AS account_id,
           recon_normalize_platform_id(r.campaign_id) AS campaign_id,
           recon_normalize_platform_id(r.adset_id) AS adset_id,
           recon_normalize_platform_id(x.ad) AS ad_id,
           NULL::text AS zone, NULL::timestamptz AS clicked_at, NULL::timestamptz AS clicked_until,
           '{clicked_day_only}'::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r
    -- the ad group ad is a resource name, customers/<customer>/adGroupAds/<ad group>~<ad>
    CROSS JOIN LATERAL (SELECT coalesce(r.account_id, options ->> 'account_id') AS acct,
                               recon_parse_date(r.report_date, style) AS day,
                               nullif(regexp_replace(btrim(r.ad_id), '^.*~', ''), '') AS ad) x;

    -- click_view only knows the day: the click is dated at its midnight in the account's zone.
    UPDATE pg_temp.recon_load_clicks c
       SET zone = coalesce((SELECT a.report_timezone FROM recon.ad_accounts a
                            WHERE a.platform = 'google' AND a.account_id = c.account_id), options ->> 'timezone');
    SELECT string_agg(DISTINCT account_id, ', ') INTO unknown
    FROM pg_temp.recon_load_clicks WHERE zone IS NULL AND cardinality(reasons) = 0;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'google account(s) % are not in recon.ad_accounts, and the load does not say their time zone', unknown
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Load the account''s daily report first, or pass {"timezone": "<the account''s IANA zone>"}: click_view dates are days in the account''s zone.';
    END IF;
    UPDATE pg_temp.recon_load_clicks
       SET clicked_at = day::timestamp AT TIME ZONE zone, clicked_until = (day + 1)::timestamp AT TIME ZONE zone
     WHERE cardinality(reasons) = 0;

    RETURN recon.load_write_clicks(batch, source_file, 'google');
END $$;
COMMENT ON FUNCTION recon.load_map_google_click_view(text, text, jsonb) IS
    'Mapper of google_click_view_csv and google_click_view_json: one recon.ad_clicks row per gclid (kept exactly as written: case-sensitive), dated at midnight of its day in the account''s zone (the known account''s, else the timezone option) and flagged clicked_day_only; the ad id taken from the ad group ad resource name (customers/1/adGroupAds/2~3). Rejects a blank or malformed gclid, a customer id that is not 10 digits, bad dates and ids, and a gclid the file holds twice; replaces the day-level google clicks of the file''s accounts and days.';
