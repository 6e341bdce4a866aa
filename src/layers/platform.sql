-- The platform layer as the platforms tell it: per platform, ad account, campaign
-- and month, what was spent and what the platform says it produced, in the account
-- currency and in the reporting currency. The platform's own clock: report days in
-- its report time zone, conversions booked per its action_report_time, in the
-- attribution window of the platform_report_window setting, one action type per
-- event family (recon.platform_conversions_reported, shared with the report).

CREATE VIEW recon.platform_performance AS
    WITH delivery AS (
        SELECT platform, account_id, campaign_id, report_date, currency,
               sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
               sum(link_clicks) AS link_clicks, max(campaign_name) AS campaign_name,
               min(report_timezone) AS report_timezone
        FROM recon.platform_delivery
        GROUP BY 1, 2, 3, 4, 5
    ), conversions AS (
        SELECT platform, account_id, campaign_id, report_date, currency,
               sum(conversions) AS conversions, sum(conversion_value) AS value
        FROM recon.platform_conversions_reported
        GROUP BY 1, 2, 3, 4, 5
    ), counted AS (       -- which action types were counted, per campaign and month
        SELECT platform, account_id, campaign_id, date_trunc('month', report_date)::date AS month,
               array_agg(DISTINCT action_type::text ORDER BY action_type::text) AS action_types
        FROM recon.platform_conversions_reported
        GROUP BY 1, 2, 3, 4
    ), attribution AS (   -- the attribution settings the delivery rows carried
        SELECT platform, account_id, campaign_id, date_trunc('month', report_date)::date AS month,
               string_agg(DISTINCT coalesce(attribution_setting, '(none)'), ', ') AS attribution_setting,
               count(DISTINCT coalesce(attribution_setting, '(none)')) > 1 AS attribution_changed
        FROM recon.platform_delivery
        GROUP BY 1, 2, 3, 4
    ), days AS (
        SELECT d.*, c.conversions, c.value
        FROM delivery d LEFT JOIN conversions c USING (platform, account_id, campaign_id, report_date, currency)
    ), rates AS MATERIALIZED (   -- one lookup per currency and day
        SELECT x.*, recon.setting('reporting_currency') AS cur
        FROM (SELECT array_agg(currency::text) AS c, array_agg(report_date) AS d FROM days) a
        CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) x
    ), months AS (
        SELECT d.platform, d.account_id, d.campaign_id, date_trunc('month', d.report_date)::date AS month,
               d.currency, max(d.campaign_name) AS campaign_name, min(d.report_timezone) AS report_timezone,
               count(*) AS days, sum(d.spend) AS spend, sum(d.impressions) AS impressions, sum(d.clicks) AS clicks,
               sum(d.link_clicks) AS link_clicks, coalesce(sum(d.conversions), 0) AS conversions,
               coalesce(sum(d.value), 0) AS value, min(x.cur) AS reporting_currency,
               sum(@extschema@.recon_money_round(d.spend * x.rate, x.cur)) AS spend_reporting,
               coalesce(sum(@extschema@.recon_money_round(d.value * x.rate, x.cur)), 0) AS value_reporting
        FROM days d JOIN rates x ON x.currency = d.currency AND x.day = d.report_date
        GROUP BY 1, 2, 3, 4, 5
    )
    SELECT m.platform, m.account_id, m.campaign_id, m.campaign_name, m.month, m.report_timezone,
           t.attribution_setting, t.attribution_changed,
           (SELECT recon.setting('platform_report_window')) AS attribution_window,
           coalesce(c.action_types, '{}') AS action_types, m.days,
           m.currency, m.spend, m.impressions, m.clicks, m.link_clicks, m.conversions, m.value,
           round(m.spend / nullif(m.conversions, 0), 2) AS cost_per_result,
           round(m.value / nullif(m.spend, 0), 4) AS platform_roas,
           round(m.clicks::numeric / nullif(m.impressions, 0), 4) AS ctr,
           m.reporting_currency, m.spend_reporting, m.value_reporting,
           round(m.spend_reporting / nullif(m.conversions, 0), 2) AS cost_per_result_reporting,
           round(m.value_reporting / nullif(m.spend_reporting, 0), 4) AS platform_roas_reporting
    FROM months m
    JOIN attribution t USING (platform, account_id, campaign_id, month)
    LEFT JOIN counted c USING (platform, account_id, campaign_id, month);
COMMENT ON VIEW recon.platform_performance IS
    'Platform layer, per platform, ad account, campaign and month of the platform''s report day (its report time zone): spend, impressions, clicks, link clicks, the conversions and value the platform claims (attribution window of the platform_report_window setting, one action type per event family, finest delivery level loaded), cost per result, platform ROAS (value / spend) and CTR, in the account currency and converted to the reporting currency at each report day''s rate. attribution_setting lists the settings the delivery rows carried (attribution_changed when it changed within the month); action_types the action types counted. Whose number: the platform''s. Unique key: (platform, account_id, campaign_id, month).';
