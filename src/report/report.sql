-- The first report: per channel and month, what the platform claims, what the
-- CRM recorded and what finance collected, side by side and never forced to
-- match. Each number is labelled with its system of record, its clock and the
-- question it answers (recon.report_legend).

-- Action types that count the same conversions: keep one per family, highest priority first.
CREATE FUNCTION recon.action_type_family(action_type text, OUT family text, OUT priority integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
               WHEN action_type IN ('omni_purchase', 'purchase', 'offsite_conversion.fb_pixel_purchase',
                                    'onsite_web_purchase', 'onsite_web_app_purchase', 'web_in_store_purchase',
                                    'complete_payment') THEN 'purchase'
               WHEN action_type IN ('lead', 'onsite_conversion.lead_grouped', 'offsite_conversion.fb_pixel_lead',
                                    'leadgen_grouped', 'submit_form') THEN 'lead'
               ELSE action_type END,
           CASE action_type
               WHEN 'omni_purchase' THEN 1 WHEN 'purchase' THEN 2 WHEN 'offsite_conversion.fb_pixel_purchase' THEN 3
               WHEN 'onsite_web_purchase' THEN 4 WHEN 'lead' THEN 1 WHEN 'leadgen_grouped' THEN 2
               WHEN 'onsite_conversion.lead_grouped' THEN 3 WHEN 'offsite_conversion.fb_pixel_lead' THEN 4
               ELSE 9 END
$$;
COMMENT ON FUNCTION recon.action_type_family(text) IS
    'Event family of a platform action type and its priority inside the family (1 = preferred): omni_purchase, purchase and offsite_conversion.fb_pixel_purchase count the same purchases, so reports keep one per family.';

-- The platform numbers every report shares. Delivery is reported at campaign, ad
-- set or ad level; summing levels would count spend twice, so each account is read
-- at the finest level it has loaded.
CREATE VIEW recon.platform_finest_level AS
    SELECT platform, account_id,
           (array_agg(level ORDER BY CASE level WHEN 'ad' THEN 1 WHEN 'adset' THEN 2 ELSE 3 END))[1] AS level
    FROM recon.ad_delivery_daily GROUP BY 1, 2;
COMMENT ON VIEW recon.platform_finest_level IS
    'Per ad account, the finest delivery level loaded (ad, else adset, else campaign): the only level reports read, since summing levels would double count. Unique key: (platform, account_id).';

CREATE VIEW recon.platform_delivery AS
    SELECT d.* FROM recon.ad_delivery_daily d JOIN recon.platform_finest_level l USING (platform, account_id, level);
COMMENT ON VIEW recon.platform_delivery IS
    'The delivery rows reports read: recon.ad_delivery_daily at each account''s finest level loaded (recon.platform_finest_level). Unique key: (platform, account_id, report_date, campaign_id, adset_id, ad_id).';

-- Conversions the platform claims, in the window the reports show (the
-- platform_report_window setting), one action type per event family.
CREATE VIEW recon.platform_conversions_reported AS
    SELECT DISTINCT ON (c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id, f.family)
           c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id, f.family, c.action_type,
           c.attribution_window, c.conversions, c.conversion_value, c.currency
    FROM recon.platform_conversions_daily c
    JOIN recon.platform_finest_level l ON l.platform = c.platform AND l.account_id = c.account_id
                                      AND l.level = CASE WHEN c.ad_id <> '' THEN 'ad' WHEN c.adset_id <> '' THEN 'adset' ELSE 'campaign' END
    CROSS JOIN LATERAL recon.action_type_family(c.action_type) f
    WHERE c.attribution_window = (SELECT recon.setting('platform_report_window'))
    ORDER BY c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id, f.family, f.priority;
COMMENT ON VIEW recon.platform_conversions_reported IS
    'The platform conversions reports count: recon.platform_conversions_daily in the attribution window of the platform_report_window setting, at each account''s finest level, one action type per event family (omni_purchase before purchase before offsite_conversion.fb_pixel_purchase: recon.action_type_family). Unique key: (platform, account_id, report_date, campaign_id, adset_id, ad_id, family).';

-- When the data was extracted: the latest event any layer knows about.
CREATE FUNCTION recon.data_as_of() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT greatest((SELECT max(occurred_at) FROM recon.finance_transactions),
                    (SELECT max(created_at) FROM recon.funnel_records),
                    -- a report day begins at midnight in the zone that defines it, not in the session's zone
                    (SELECT max(report_date::timestamp AT TIME ZONE report_timezone) FROM recon.ad_delivery_daily))
$$;
COMMENT ON FUNCTION recon.data_as_of() IS
    'The latest moment the loaded data covers (latest finance transaction, CRM record or delivery day): cohort maturity is measured against it, not against now().';

-- What every report reads once: the reporting zone and currency, the last maturity
-- point, and the moment the data covers (recon.data_as_of scans three tables).
CREATE FUNCTION recon.report_context(OUT tz text, OUT cur text, OUT mature_after integer,
                                     OUT data_as_of timestamptz, OUT as_of_day date)
LANGUAGE sql STABLE AS $$
    SELECT s.tz, recon.setting('reporting_currency'),
           (SELECT max(d) FROM unnest(recon.setting('maturity_days')::integer[]) AS d),
           a.at, (a.at AT TIME ZONE s.tz)::date
    FROM (SELECT recon.setting('reporting_timezone') AS tz) s, (SELECT recon.data_as_of() AS at) a
$$;
COMMENT ON FUNCTION recon.report_context() IS
    'The settings and clock reports share, read once: reporting time zone and currency, the last maturity_days point, recon.data_as_of() and its day in the reporting zone.';

-- A month's cohort is mature once its last day plus the last maturity point has passed in the data.
CREATE FUNCTION recon.cohort_maturity(month date, mature_after integer, as_of_day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN (date_trunc('month', month) + interval '1 month' - interval '1 day')::date + mature_after <= as_of_day
                THEN 'mature' ELSE 'incomplete' END
$$;
COMMENT ON FUNCTION recon.cohort_maturity(date, integer, date) IS
    'mature when the last day of the cohort''s month plus the last maturity point (days) is on or before the data''s as-of day, else incomplete.';

-- The report's rows. A function rather than a bare view for one reason: its
-- plan's estimated cost is far above the real work, so JIT would compile it
-- (measured: 3.0 s of compiling for a 0.7 s query); SET jit = off prevents that.
CREATE FUNCTION recon.report_layers_rows()
RETURNS TABLE (channel text, month date, layer text, metric text, value numeric, records bigint,
               maturity text, unit text)
LANGUAGE sql STABLE
SET jit = off
AS $report$
WITH settings AS MATERIALIZED (SELECT * FROM recon.report_context()),   -- once: it scans three tables
delivery AS (           -- finest level loaded per account: summing levels would double count
    SELECT platform, report_date, currency, sum(spend) AS spend
    FROM recon.platform_delivery GROUP BY 1, 2, 3
),
conversions AS (        -- the platform_report_window's window, one action type per family
    SELECT platform, report_date, currency, sum(conversions) AS conversions, sum(conversion_value) AS value
    FROM recon.platform_conversions_reported GROUP BY 1, 2, 3
),
records AS (           -- leads and orders (opportunities are counted through the lead they came from)
    SELECT f.record_id, f.channel,
           (f.created_at AT TIME ZONE (SELECT tz FROM settings))::date AS created_day,
           recon.record_invalidity(f.status_reason, f.dq_flags) IS NOT NULL AS invalid
    FROM recon.funnel_records f WHERE f.record_type IN ('lead', 'order')
),
won AS (               -- a won order, or a won opportunity credited to its lead
    SELECT coalesce(o.parent_record_id, o.record_id) AS record_id, o.stated_value, o.currency
    FROM recon.funnel_records o
    WHERE o.status = 'won' AND o.record_type IN ('opportunity', 'order')
),
crm_by_day AS (
    SELECT r.channel, date_trunc('month', r.created_day)::date AS month, r.created_day AS day, w.currency,
           count(*) AS records, count(*) FILTER (WHERE NOT r.invalid) AS valid,
           count(w.record_id) FILTER (WHERE NOT r.invalid) AS won,
           coalesce(sum(w.stated_value) FILTER (WHERE NOT r.invalid), 0) AS booked
    FROM records r LEFT JOIN won w USING (record_id)
    GROUP BY 1, 2, 3, 4
),
money AS (             -- each posted transaction, credited to the lead or order it came from
    SELECT coalesce(lead.record_id, ord.record_id) AS record_id, t.currency, t.revenue_amount,
           (t.occurred_at AT TIME ZONE (SELECT tz FROM settings))::date AS tx_day
    FROM recon.finance_transactions t
    LEFT JOIN recon.funnel_records ord ON ord.record_id = t.order_id
    LEFT JOIN recon.funnel_records opp ON opp.record_id = t.opportunity_id
    LEFT JOIN recon.funnel_records lead ON lead.record_id = opp.parent_record_id
    WHERE t.status = 'posted' AND t.revenue_amount <> 0
),
money_by_record AS (
    SELECT coalesce(r.channel, 'unknown') AS channel,
           date_trunc('month', coalesce(r.created_day, m.tx_day))::date AS month,
           m.record_id, m.currency, m.tx_day AS day, m.revenue_amount,
           sum(m.revenue_amount) OVER (PARTITION BY m.record_id) AS record_net
    FROM money m LEFT JOIN records r USING (record_id)
),
-- One rate per currency and day (recon.fx_reporting_rates: a missing rate fails, P0002).
rates AS (
    SELECT x.* FROM (SELECT array_agg(currency) AS c, array_agg(day) AS d
                     FROM (SELECT currency, report_date AS day FROM delivery
                           UNION SELECT currency, report_date FROM conversions
                           UNION SELECT currency, day FROM crm_by_day
                           UNION SELECT currency, day FROM money_by_record) p) a
    CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) x
),
platform_layer AS (
    SELECT d.platform AS channel, date_trunc('month', d.report_date)::date AS month,
           sum(@extschema@.recon_money_round(d.spend * x.rate, (SELECT cur FROM settings))) AS spend,
           0::numeric AS conversions, 0::numeric AS value, count(*) AS days
    FROM delivery d JOIN rates x ON (x.currency, x.day) = (d.currency, d.report_date)
    GROUP BY 1, 2
    UNION ALL
    SELECT c.platform, date_trunc('month', c.report_date)::date, 0, sum(c.conversions),
           sum(@extschema@.recon_money_round(c.value * x.rate, (SELECT cur FROM settings))), 0
    FROM conversions c JOIN rates x ON (x.currency, x.day) = (c.currency, c.report_date)
    GROUP BY 1, 2
),
crm_layer AS (
    SELECT k.channel, k.month, sum(k.records) AS records, sum(k.valid) AS valid, sum(k.won) AS won,
           sum(@extschema@.recon_money_round(k.booked * coalesce(x.rate, 0), (SELECT cur FROM settings))) AS booked
    FROM crm_by_day k LEFT JOIN rates x ON (x.currency, x.day) = (k.currency, k.day)
    GROUP BY 1, 2
),
collected_layer AS (
    SELECT m.channel, m.month,
           count(DISTINCT m.record_id) FILTER (WHERE m.record_net > 0) AS paid,
           sum(@extschema@.recon_money_round(m.revenue * x.rate, (SELECT cur FROM settings))) AS revenue
    FROM (SELECT channel, month, record_id, record_net, currency, day, sum(revenue_amount) AS revenue
          FROM money_by_record GROUP BY 1, 2, 3, 4, 5, 6) m
    JOIN rates x ON (x.currency, x.day) = (m.currency, m.day)
    GROUP BY 1, 2
),
platform_month AS (
    SELECT channel, month, sum(spend) AS spend, sum(conversions) AS conversions, sum(value) AS value, sum(days) AS days
    FROM platform_layer GROUP BY 1, 2
),
joined AS (
    SELECT channel, month, p.spend, p.conversions, p.value, p.days,
           k.records, k.valid, k.won, k.booked, x.paid, x.revenue
    FROM platform_month p
    FULL JOIN crm_layer k USING (channel, month)
    FULL JOIN collected_layer x USING (channel, month)
)
SELECT j.channel::text, j.month, v.layer, v.metric, v.value, v.records::bigint,
       recon.cohort_maturity(j.month, (SELECT mature_after FROM settings), (SELECT as_of_day FROM settings)) AS maturity,
       v.unit
FROM joined j
CROSS JOIN LATERAL (VALUES
    ('platform', 'spend', j.spend, j.days, 'currency'),
    ('platform', 'platform_conversions', j.conversions, NULL, 'count'),
    ('platform', 'platform_conversion_value', j.value, NULL, 'currency'),
    ('crm', 'crm_conversions', j.valid, j.records, 'count'),
    ('crm', 'crm_won', j.won, j.valid, 'count'),
    ('crm', 'booked_value', j.booked, j.won, 'currency'),
    ('collected', 'collected_revenue', j.revenue, j.paid, 'currency')
) AS v(layer, metric, value, records, unit)
WHERE v.value IS NOT NULL
$report$;
COMMENT ON FUNCTION recon.report_layers_rows() IS
    'Computes the rows of recon.report_layers (with JIT off: the plan''s cost estimates would trigger a compile that takes longer than the query).';

CREATE VIEW recon.report_layers AS
    SELECT channel, month, layer, metric, value, records, maturity, unit FROM recon.report_layers_rows();
COMMENT ON VIEW recon.report_layers IS
    'The three layers side by side in long form: per channel, month and metric, the value (money in the reporting currency), the records behind it, the cohort''s maturity (incomplete until the month''s last day plus the last maturity point has passed in the data) and the unit. Join recon.report_legend for each metric''s source and question.';

CREATE VIEW recon.report_legend AS
    SELECT * FROM (VALUES
        (1, 'platform', 'spend', 'ad platform (delivery report)', 'report day in the platform''s report time zone',
         'What did we pay the platform?'),
        (2, 'platform', 'platform_conversions', 'ad platform (Insights, attribution window from the platform_report_window setting)',
         'report day per action_report_time (click/impression day or conversion day)',
         'How many conversions does the platform take credit for?'),
        (3, 'platform', 'platform_conversion_value', 'ad platform', 'same as platform_conversions',
         'What value does the platform say its ads produced?'),
        (4, 'crm', 'crm_conversions', 'CRM (leads and orders; records = all, value = valid: not spam, test or duplicate)',
         'record creation day in the reporting time zone', 'How many real leads or orders did the channel bring?'),
        (5, 'crm', 'crm_won', 'CRM (won orders and won opportunities, credited to their lead)', 'lead or order creation day (cohort)',
         'How many of them did we win?'),
        (6, 'crm', 'booked_value', 'CRM (stated value of won records)', 'lead or order creation day (cohort)',
         'What did sales book?'),
        (7, 'collected', 'collected_revenue', 'finance (posted payments minus refunds and chargebacks, net of tax and shipping; records = paid customers)',
         'cohort of the lead or order; converted at each transaction''s day', 'What money actually arrived for these leads and orders?')
    ) AS l(position, layer, metric, source, clock, question);
COMMENT ON VIEW recon.report_legend IS
    'For each metric of the report: its layer, system of record, the clock that dates it, and the question it answers.';

CREATE VIEW recon.report_channel_month AS
    SELECT channel, month, maturity,
           sum(value) FILTER (WHERE metric = 'spend') AS spend,
           sum(value) FILTER (WHERE metric = 'platform_conversions') AS platform_conversions,
           sum(value) FILTER (WHERE metric = 'platform_conversion_value') AS platform_value,
           sum(records) FILTER (WHERE metric = 'crm_conversions') AS crm_records,
           sum(value) FILTER (WHERE metric = 'crm_conversions') AS crm_valid,
           sum(value) FILTER (WHERE metric = 'crm_won') AS crm_won,
           sum(value) FILTER (WHERE metric = 'booked_value') AS booked_value,
           sum(records) FILTER (WHERE metric = 'collected_revenue') AS paid_records,
           sum(value) FILTER (WHERE metric = 'collected_revenue') AS collected_revenue
    FROM recon.report_layers
    GROUP BY channel, month, maturity;
COMMENT ON VIEW recon.report_channel_month IS
    'One row per channel and month: spend, platform conversions and value (platform''s claim), CRM records, valid, won and booked value (CRM), paid records and collected revenue (finance), money in the reporting currency; see recon.report_legend for sources, clocks and questions.';
