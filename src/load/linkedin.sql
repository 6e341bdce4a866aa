-- LinkedIn Ads: the Marketing API's adAnalytics finder (pivot CAMPAIGN, timeGranularity
-- DAILY) and Campaign Manager's CSV export, at campaign level. LinkedIn reports its
-- days in UTC. adAnalytics rows do not carry the account: the load names it.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('linkedin_ads_daily_json', 'json', 'linkedin', 'recon.load_map_linkedin_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', NULL, '{account_id,currency,attribution_setting}',
     'LinkedIn Marketing API adAnalytics (q=analytics, pivot=CAMPAIGN, timeGranularity=DAILY): elements with dateRange.start/end {year, month, day}, pivotValues [urn:li:sponsoredCampaign:<id>], costInLocalCurrency (a string), impressions, clicks, oneClickLeads, externalWebsiteConversions, conversionValueInLocalCurrency. The account comes from the account_id option, its currency from the currency option or the known account.'),
    ('linkedin_ads_daily_csv', 'csv', 'linkedin', 'recon.load_map_linkedin_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '^\s*total', '{account_id,currency,attribution_setting}',
     'LinkedIn Campaign Manager campaign performance export, daily (report title and date lines above the header): Start Date (in UTC), Campaign ID, Campaign Name, Currency, Total Spent, Impressions, Clicks, Leads, Conversions, Total Conversion Value. Dates follow the user''s locale: pass date_style mdy for 3/1/2026.');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('linkedin_ads_daily_json'), ('linkedin_ads_daily_csv')) AS f(format)
CROSS JOIN (VALUES
    ('account_id',       ARRAY['account id'],                                          NULL::text[],                        false),
    ('account_name',     ARRAY['account name', 'account'],                             NULL,                                false),
    ('currency',         ARRAY['currency'],                                            NULL,                                false),
    ('report_date',      ARRAY['start date(?: \(in utc\))?', 'date', 'day'],           NULL,                                true),
    ('date_range',       '{}'::text[],                                                 '{dateRange}',                       false),
    ('campaign_id',      ARRAY['campaign id'],                                         '{pivotValues,0}',                   true),
    ('pivot',            '{}'::text[],                                                 '{pivotValue}',                      false),
    ('campaign_name',    ARRAY['campaign name', 'campaign'],                           NULL,                                false),
    ('spend',            ARRAY['total spent', 'amount spent', 'spend'],                '{costInLocalCurrency}',             true),
    ('impressions',      ARRAY['impressions'],                                         '{impressions}',                     false),
    ('clicks',           ARRAY['clicks'],                                              '{clicks}',                          false),
    ('leads',            ARRAY['leads'],                                               '{oneClickLeads}',                   false),
    ('conversions',      ARRAY['conversions', 'total conversions'],                    '{externalWebsiteConversions}',      false),
    ('conversion_value', ARRAY['total conversion value', 'conversion value'],          '{conversionValueInLocalCurrency}',  false)
) AS x(field, headers, json_path, required);

CREATE FUNCTION recon.load_map_linkedin_ads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    is_csv boolean := (SELECT header IS NOT NULL FROM recon.load_batches WHERE batch_id = batch);
    style text := CASE WHEN is_csv THEN coalesce(options ->> 'date_style', 'iso') ELSE 'iso' END;
    opts jsonb := CASE WHEN is_csv THEN options ELSE options - 'decimal_mark' END;
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_std, pg_temp.recon_load_std_actions;
    CREATE TEMP TABLE recon_load_std AS
    SELECT r.line_number,
           array_remove(ARRAY[
               CASE WHEN y.pivot ~ '^urn:li:' AND y.pivot !~ '^urn:li:sponsoredCampaign:'
                    THEN format('not_campaign_level: pivot %L (request pivot=CAMPAIGN)', y.pivot) END,
               CASE WHEN x.last_day <> x.first_day
                    THEN format('not_daily: the row covers %s to %s; request timeGranularity=DAILY', x.first_day, x.last_day) END
           ], NULL) AS reasons,
           coalesce(r.account_id, options ->> 'account_id') AS account_id, r.account_name, r.currency,
           y.first_raw AS report_date_raw, x.first_day AS report_date,
           recon.load_urn_id(y.pivot) AS campaign_id, r.campaign_name,
           NULL::text AS adset_id, NULL::text AS adset_name, NULL::text AS ad_id, NULL::text AS ad_name,
           'spend' AS spend_field, r.spend AS spend_raw,
           -- the API prints cost as a float (107.5300000000000335346) accrued finer than a cent: kept to the micro
           CASE WHEN is_csv THEN recon_parse_decimal(r.spend, coalesce(opts ->> 'decimal_mark', '.'))
                ELSE trim_scale(round(recon_parse_decimal(r.spend, '.'), 6)) END AS spend,
           NOT is_csv AS spend_exact,
           r.impressions, r.clicks, NULL::text AS link_clicks, NULL::text AS action_report_time,
           '{}'::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT r.date_range::jsonb AS j) jj
    CROSS JOIN LATERAL (SELECT coalesce(r.campaign_id, r.pivot) AS pivot,
                               CASE WHEN j IS NULL THEN r.report_date
                                    ELSE format('%s-%s-%s', j #>> '{start,year}', lpad(j #>> '{start,month}', 2, '0'), lpad(j #>> '{start,day}', 2, '0')) END AS first_raw,
                               CASE WHEN j IS NULL THEN r.report_date
                                    ELSE format('%s-%s-%s', j #>> '{end,year}', lpad(j #>> '{end,month}', 2, '0'), lpad(j #>> '{end,day}', 2, '0')) END AS last_raw,
                               CASE WHEN j IS NULL THEN style ELSE 'iso' END AS date_style) y
    CROSS JOIN LATERAL (SELECT recon_parse_date(y.first_raw, y.date_style) AS first_day,
                               recon_parse_date(y.last_raw, y.date_style) AS last_day) x;
    CREATE TEMP TABLE recon_load_std_actions AS
    SELECT r.line_number, a.*
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (VALUES
        ('lead', 'leads', r.leads, 'lead_value', NULL),
        ('external_website_conversion', 'conversions', r.conversions, 'conversion_value', r.conversion_value)
    ) AS a(action_type, count_field, count_raw, value_field, value_raw);
    PERFORM recon.load_platform_rows('linkedin', opts);
    PERFORM recon.load_check_utc_clock('linkedin');
    RETURN recon.load_write_platform_report(batch, source_file, options, 'linkedin');
END $$;
COMMENT ON FUNCTION recon.load_map_linkedin_ads(text, text, jsonb) IS
    'Mapper of linkedin_ads_daily_json and linkedin_ads_daily_csv: one campaign-level delivery row per UTC day and campaign (the id inside urn:li:sponsoredCampaign:), action types lead (oneClickLeads, Leads) and external_website_conversion (externalWebsiteConversions, Conversions, with the conversion value), window default. The API''s cost is kept to the micro; the CSV''s Total Spent must fit the currency. Rejects rows of another pivot or not one day, bad dates, ids, amounts and currencies; raises 22023 for a known account whose report_timezone is not UTC.';
