-- Microsoft Advertising: the daily performance report as the API (ReportingService)
-- and the web UI download it: a preamble (Report Name, Report Time, Time Zone, Last
-- Completed Available Day, Potential Incomplete Data), the header, the rows and a
-- copyright footer. Days are in the account's zone; an account without one is in
-- Pacific time (recon.load_default_timezone).

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('microsoft_ads_daily', 'csv', 'microsoft', 'recon.load_map_microsoft_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '^\s*(©|\(c\)|copyright).*microsoft|^\s*total\s*$',
     '{account_id,currency,attribution_setting}',
     'Microsoft Advertising campaign, ad group or ad performance report with daily aggregation (API download or web UI export): TimePeriod, AccountId, CampaignId, AdGroupId, AdId, CurrencyCode, Spend, Impressions, Clicks, Conversions, Revenue (or the UI''s Day, Campaign ID, Impr., Conv.); preamble lines above the header and the copyright footer are skipped. TimePeriod follows the account''s locale: pass date_style mdy for 3/1/2026.');

INSERT INTO recon.load_format_fields (format, field, headers, required) VALUES
    ('microsoft_ads_daily', 'account_id',       ARRAY['accountid', 'account id'],                     false),
    ('microsoft_ads_daily', 'account_name',     ARRAY['accountname', 'account name', 'account'],      false),
    ('microsoft_ads_daily', 'account_currency', ARRAY['currencycode', 'currency code', 'currency'],   false),
    ('microsoft_ads_daily', 'report_date',      ARRAY['timeperiod', 'gregoriandate', 'day', 'date'],  true),
    ('microsoft_ads_daily', 'campaign_id',      ARRAY['campaignid', 'campaign id'],                   true),
    ('microsoft_ads_daily', 'campaign_name',    ARRAY['campaignname', 'campaign name', 'campaign'],   false),
    ('microsoft_ads_daily', 'adset_id',         ARRAY['adgroupid', 'ad group id'],                    false),
    ('microsoft_ads_daily', 'adset_name',       ARRAY['adgroupname', 'ad group name', 'ad group'],    false),
    ('microsoft_ads_daily', 'ad_id',            ARRAY['adid', 'ad id'],                               false),
    ('microsoft_ads_daily', 'ad_name',          ARRAY['adtitle', 'ad title'],                         false),
    ('microsoft_ads_daily', 'spend',            ARRAY['spend'],                                       true),
    ('microsoft_ads_daily', 'impressions',      ARRAY['impressions', 'impr\.'],                       false),
    ('microsoft_ads_daily', 'clicks',           ARRAY['clicks'],                                      false),
    ('microsoft_ads_daily', 'conversions',      ARRAY['conversions', 'conv\.'],                       false),
    ('microsoft_ads_daily', 'revenue',          ARRAY['revenue'],                                     false);

CREATE FUNCTION recon.load_map_microsoft_ads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    style text := coalesce(options ->> 'date_style', 'iso');
    mark text := coalesce(options ->> 'decimal_mark', '.');
    -- Days after the Last Completed Available Day of the preamble are still filling in.
    last_complete date := (SELECT recon_parse_date(m[1], style)
                           FROM recon.load_batches b, unnest(b.preamble) p,
                                regexp_match(p, 'Last Completed Available Day:\s*([0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4})', 'i') m
                           WHERE b.batch_id = batch AND m IS NOT NULL LIMIT 1);
    footers bigint;
    result jsonb;
BEGIN
    -- The copyright footer is one cell wide and the blank line above it has one empty
    -- cell: the frame rejected both for their column count before trying the skip
    -- pattern. They are a footer and an empty row: skipped.
    UPDATE recon.load_rejects j
       SET disposition = 'skipped',
           reasons = ARRAY[CASE WHEN f.cell IS NULL THEN 'empty_row' ELSE 'total_or_footer: ' || quote_literal(f.cell) END]
      FROM (SELECT (recon_csv_fields(j2.raw, (SELECT delimiter FROM pg_temp.recon_load_context)))[1] AS cell, j2.line_number
            FROM recon.load_rejects j2
            WHERE j2.batch_id = batch AND j2.disposition = 'rejected' AND j2.reasons[1] LIKE 'wrong_column_count:%') f
     WHERE j.batch_id = batch AND j.line_number = f.line_number
       AND (f.cell IS NULL OR f.cell ~* (SELECT skip_pattern FROM recon.load_formats WHERE format = 'microsoft_ads_daily'));
    GET DIAGNOSTICS footers = ROW_COUNT;

    DROP TABLE IF EXISTS pg_temp.recon_load_std, pg_temp.recon_load_std_actions;
    CREATE TEMP TABLE recon_load_std AS
    SELECT r.line_number, '{}'::text[] AS reasons,
           coalesce(r.account_id, options ->> 'account_id') AS account_id, r.account_name, r.account_currency AS currency,
           r.report_date AS report_date_raw, d.day AS report_date,
           r.campaign_id, r.campaign_name, r.adset_id, r.adset_name, r.ad_id, r.ad_name,
           'spend' AS spend_field, r.spend AS spend_raw, recon_parse_decimal(r.spend, mark) AS spend, false AS spend_exact,
           r.impressions, r.clicks, NULL::text AS link_clicks, NULL::text AS action_report_time,
           CASE WHEN d.day > last_complete THEN '{incomplete_day}' ELSE '{}' END::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon_parse_date(r.report_date, style) AS day) d;
    CREATE TEMP TABLE recon_load_std_actions AS
    SELECT line_number, 'conversions' AS action_type, 'conversions' AS count_field, conversions AS count_raw,
           'revenue' AS value_field, revenue AS value_raw
    FROM pg_temp.recon_load_rows;
    PERFORM recon.load_platform_rows('microsoft', options);
    result := recon.load_write_platform_report(batch, source_file, options, 'microsoft');
    RETURN result || jsonb_build_object('rejected', (result ->> 'rejected')::bigint - footers, 'skipped', footers);
END $$;
COMMENT ON FUNCTION recon.load_map_microsoft_ads(text, text, jsonb) IS
    'Mapper of microsoft_ads_daily: one delivery row per day and campaign, ad group or ad; Conversions and Revenue as action type conversions, window default. A new account without a timezone option is put in Pacific time and flagged timezone_defaulted (Microsoft''s default). Rows dated after the preamble''s Last Completed Available Day are flagged incomplete_day. The one-cell copyright footer and blank lines, which the frame rejects for their column count, are turned into skipped rows. Rejects bad dates (in date_style), ids, amounts, counts and currencies, and Spend finer than the currency.';
