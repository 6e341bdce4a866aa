-- TikTok Ads: the Business API's integrated report (/report/integrated/get/,
-- BASIC, daily) and Ads Manager's CSV export. TikTok reports its days in UTC, so the
-- account's report_timezone must be UTC (recon.platforms says report_clock utc).
-- Also the clock check LinkedIn, the other UTC platform, shares.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('tiktok_ads_daily_json', 'json', 'tiktok', 'recon.load_map_tiktok_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', NULL, '{account_id,currency,attribution_setting}',
     'TikTok Business API integrated report (report_type BASIC, data_level AUCTION_AD, AUCTION_ADGROUP or AUCTION_CAMPAIGN, dimensions [ad_id|adgroup_id|campaign_id, stat_time_day]): data.list of {dimensions, metrics}, every value a string: spend, impressions, clicks (destination clicks), currency, complete_payment with its value total_complete_payment_rate, form with total_form_value. The advertiser id comes from the account_id option unless advertiser_id is a dimension.'),
    ('tiktok_ads_daily_csv', 'csv', 'tiktok', 'recon.load_map_tiktok_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '^\s*total', '{account_id,currency,attribution_setting}',
     'TikTok Ads Manager custom report exported as CSV, broken down By Day: campaign, ad group and ad ids and names, Currency, Cost, Impressions, Clicks (destination), Complete payment and its value, Submit form, or Conversions; the Total row is skipped.');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('tiktok_ads_daily_json'), ('tiktok_ads_daily_csv')) AS f(format)
CROSS JOIN (VALUES
    ('account_id',             ARRAY['advertiser id', 'account id'],                         '{dimensions,advertiser_id}'::text[], false),
    ('account_name',           ARRAY['advertiser name', 'account name'],                     '{metrics,advertiser_name}',          false),
    ('currency',               ARRAY['currency'],                                             '{metrics,currency}',                 false),
    ('report_date',            ARRAY['by day', 'date', 'day', 'stat_time_day'],               '{dimensions,stat_time_day}',         true),
    ('campaign_id',            ARRAY['campaign id'],                                          '{metrics,campaign_id}',              true),
    ('campaign_dimension',     '{}'::text[],                                                  '{dimensions,campaign_id}',           false),
    ('campaign_name',          ARRAY['campaign name'],                                        '{metrics,campaign_name}',            false),
    ('adset_id',               ARRAY['ad group id'],                                          '{metrics,adgroup_id}',               false),
    ('adset_dimension',        '{}'::text[],                                                  '{dimensions,adgroup_id}',            false),
    ('adset_name',             ARRAY['ad group name'],                                        '{metrics,adgroup_name}',             false),
    ('ad_id',                  ARRAY['ad id'],                                                '{dimensions,ad_id}',                 false),
    ('ad_name',                ARRAY['ad name'],                                              '{metrics,ad_name}',                  false),
    ('spend',                  ARRAY['cost', 'total cost', 'spend'],                          '{metrics,spend}',                    true),
    ('impressions',            ARRAY['impressions'],                                          '{metrics,impressions}',              false),
    ('clicks',                 ARRAY['clicks \(all\)'],                                       NULL,                                 false),
    ('link_clicks',            ARRAY['clicks \(destination\)', 'clicks'],                     '{metrics,clicks}',                   false),
    ('complete_payment',       ARRAY['complete payment', 'purchases?'],                       '{metrics,complete_payment}',         false),
    ('complete_payment_value', ARRAY['total complete payment value', 'complete payment value', 'total purchase value', 'purchase value'],
                                                                                              '{metrics,total_complete_payment_rate}', false),
    ('form',                   ARRAY['submit form', 'form submissions?'],                     '{metrics,form}',                     false),
    ('form_value',             ARRAY['total submit form value', 'submit form value', 'total form value'], '{metrics,total_form_value}', false),
    ('conversions',            ARRAY['conversions'],                                          NULL,                                 false)
) AS x(field, headers, json_path, required);

-- TikTok and LinkedIn report in UTC: a known account must say so.
CREATE FUNCTION recon.load_check_utc_clock(platform_name text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    other text;
BEGIN
    SELECT string_agg(DISTINCT a.account_id || ' (' || a.report_timezone || ')', ', ') INTO other
    FROM pg_temp.recon_load_delivery d
    JOIN recon.ad_accounts a ON a.platform = platform_name AND a.account_id = d.account_id
    WHERE EXISTS (SELECT 1 FROM unnest(ARRAY[timestamp '2026-01-15 12:00', timestamp '2026-07-15 12:00']) t
                  WHERE t AT TIME ZONE a.report_timezone <> t AT TIME ZONE 'UTC');
    IF other IS NOT NULL THEN
        RAISE EXCEPTION '% reports its days in UTC, but recon.ad_accounts gives account(s) % another report_timezone',
                        platform_name, other
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Fix the account: UPDATE recon.ad_accounts SET report_timezone = ''UTC'' WHERE platform = %L AND account_id = ...', platform_name);
    END IF;
END $$;
COMMENT ON FUNCTION recon.load_check_utc_clock(text) IS
    'For platforms whose reports are in UTC (TikTok, LinkedIn): raises 22023 when an account of pg_temp.recon_load_delivery is known with a report_timezone whose clock is not UTC (its report days would be read in the wrong zone).';

CREATE FUNCTION recon.load_map_tiktok_ads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    is_csv boolean := (SELECT header IS NOT NULL FROM recon.load_batches WHERE batch_id = batch);
    style text := CASE WHEN is_csv THEN coalesce(options ->> 'date_style', 'iso') ELSE 'iso' END;
    opts jsonb := CASE WHEN is_csv THEN options ELSE options - 'decimal_mark' END;
    failed record;
    by_event boolean;
BEGIN
    IF NOT is_csv THEN   -- an error response is one object: {"code": 40105, "message": "...", "data": {}}
        SELECT extra ->> 'code' AS code, extra ->> 'message' AS message INTO failed
        FROM pg_temp.recon_load_rows WHERE extra ? 'code' AND extra ->> 'code' <> '0' LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'the TikTok API answered code %: %', failed.code, failed.message
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Load the response of a successful /report/integrated/get/ call (code 0, rows in data.list).';
        END IF;
    END IF;
    -- Conversions count the ad group's optimization event: read only when the file has no event column.
    by_event := EXISTS (SELECT 1 FROM pg_temp.recon_load_rows WHERE complete_payment IS NOT NULL OR form IS NOT NULL);

    DROP TABLE IF EXISTS pg_temp.recon_load_std, pg_temp.recon_load_std_actions;
    CREATE TEMP TABLE recon_load_std AS
    SELECT r.line_number, '{}'::text[] AS reasons,
           coalesce(r.account_id, options ->> 'account_id') AS account_id, r.account_name, r.currency,
           r.report_date AS report_date_raw,
           -- stat_time_day is a day written as its midnight
           recon_parse_date(regexp_replace(btrim(r.report_date), ' 00:00(:00)?$', ''), style) AS report_date,
           coalesce(r.campaign_dimension, r.campaign_id) AS campaign_id, r.campaign_name,
           coalesce(r.adset_dimension, r.adset_id) AS adset_id, r.adset_name, r.ad_id, r.ad_name,
           'spend' AS spend_field, r.spend AS spend_raw, recon_parse_decimal(r.spend, coalesce(opts ->> 'decimal_mark', '.')) AS spend,
           false AS spend_exact,
           r.impressions, coalesce(r.clicks, r.link_clicks) AS clicks, r.link_clicks, NULL::text AS action_report_time,
           '{}'::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r;
    CREATE TEMP TABLE recon_load_std_actions AS
    SELECT r.line_number, a.*
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (VALUES
        ('complete_payment', 'complete_payment', r.complete_payment, 'complete_payment_value', r.complete_payment_value),
        ('submit_form', 'form', r.form, 'form_value', r.form_value),
        ('conversions', 'conversions', CASE WHEN NOT by_event THEN r.conversions END, 'conversion_value', NULL)
    ) AS a(action_type, count_field, count_raw, value_field, value_raw);
    PERFORM recon.load_platform_rows('tiktok', opts);
    PERFORM recon.load_check_utc_clock('tiktok');
    RETURN recon.load_write_platform_report(batch, source_file, options, 'tiktok');
END $$;
COMMENT ON FUNCTION recon.load_map_tiktok_ads(text, text, jsonb) IS
    'Mapper of tiktok_ads_daily_json and tiktok_ads_daily_csv: one delivery row per UTC day and ad, ad group or campaign (ids from the dimensions or the attribute metrics); clicks are destination clicks unless the file has Clicks (all); action types complete_payment (value: total_complete_payment_rate, which despite its name is the total value) and submit_form (form), or conversions when the file has neither, window default. Raises 22023 for an API error response and for a known account whose report_timezone is not UTC. Rejects bad days (stat_time_day other than midnight), mangled ids, bad amounts and currencies, and spend finer than the currency (JPY 1234.5).';
