-- The gap decomposed: per channel (and campaign) and period, the platform's
-- conversions minus the CRM's, split into named parts that add up (docs/gap.md).

-- Where a period starts, for the grains the gap knows.
CREATE FUNCTION recon.gap_period(day date, grain text) RETURNS date
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF grain IN ('day', 'week', 'month', 'quarter', 'year') THEN
        RETURN date_trunc(grain, day)::date;
    END IF;
    RAISE EXCEPTION 'unknown gap period "%"', grain
        USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Periods: day, week (ISO, from Monday), month, quarter, year.';
END $$;
COMMENT ON FUNCTION recon.gap_period(date, text) IS
    'First day of the period (day, week from Monday, month, quarter, year) a day falls in; 22023 for another grain.';

-- One row per channel, period, currency and campaign (campaign_id NULL: the whole channel).
CREATE FUNCTION recon.gap_decomposition_rows(grain text DEFAULT 'month')
RETURNS TABLE (channel text, period date, period_grain text, campaign_id text, currency recon_currency_code, maturity text,
               spend numeric, platform_conversions numeric, crm_conversions numeric, gap numeric,
               attribution_window numeric, view_through numeric, modeled numeric, identity_loss numeric,
               clock numeric, double_claims numeric, dedup_failures numeric, invalid numeric,
               modeled_or_identity_loss numeric, residual numeric,
               platform_value numeric, crm_value numeric, value_gap numeric,
               attribution_window_value numeric, view_through_value numeric, modeled_value numeric,
               identity_loss_value numeric, clock_value numeric, double_claims_value numeric,
               dedup_failures_value numeric, invalid_value numeric, modeled_or_identity_loss_value numeric,
               residual_value numeric, ratio numeric, notes text[])
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $gap$
WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
grain_checked AS MATERIALIZED (SELECT recon.gap_period(current_date, grain) IS NOT NULL AS ok),
accounts AS MATERIALIZED (SELECT * FROM recon.gap_account_settings),
-- the platform's claims in the reported window, and how much of them its click window holds
claims AS (
    SELECT r.platform, r.account_id, r.campaign_id, recon.gap_period(r.report_date, grain) AS period, a.currency,
           r.conversions, m.value,
           CASE v.rule WHEN 'none' THEN 0 WHEN 'all' THEN r.conversions WHEN 'beyond_click' THEN r.conversions - coalesce(k.conversions, 0) END
               AS view_through,
           CASE v.rule WHEN 'none' THEN 0 WHEN 'all' THEN m.value WHEN 'beyond_click' THEN m.value - m.click_value END
               AS view_through_value
    FROM recon.platform_conversions_reported r
    JOIN accounts a USING (platform, account_id)
    LEFT JOIN recon.platform_conversions_daily k
           ON (k.platform, k.account_id, k.report_date, k.campaign_id, k.adset_id, k.ad_id, k.action_type, k.attribution_window)
            = (r.platform, r.account_id, r.report_date, r.campaign_id, r.adset_id, r.ad_id, r.action_type, a.click_window)
    -- how much of the reported window is view-through: none of a click window, all of a view window, else what
    -- the account's setting adds beyond its click window (unknown without the setting or the click breakdown)
    CROSS JOIN LATERAL (SELECT CASE WHEN r.attribution_window ~ '_click$' THEN 'none'
                                    WHEN r.attribution_window ~ '_(view|ev)$' THEN 'all'
                                    WHEN a.attribution_setting IS NULL THEN NULL
                                    WHEN a.view_window IS NULL THEN 'none'
                                    WHEN a.click_breakdown_loaded THEN 'beyond_click' END AS rule) v
    CROSS JOIN LATERAL (SELECT recon.money_to_account(r.conversion_value, r.currency, a.currency, r.report_date) AS value,
                               recon.money_to_account(coalesce(k.conversion_value, 0), r.currency, a.currency, r.report_date) AS click_value) m
    WHERE (SELECT ok FROM grain_checked)
),
spend AS (
    SELECT d.platform, recon.gap_period(d.report_date, grain) AS period, a.currency, d.campaign_id,
           sum(recon.money_to_account(d.spend, d.currency, a.currency, d.report_date)) AS spend
    FROM recon.platform_delivery d JOIN accounts a USING (platform, account_id)
    GROUP BY 1, 2, 3, 4
),
evidence AS MATERIALIZED (SELECT * FROM recon.gap_evidence_rows()),
-- each evidence row counts in the period of its own clock
dated AS (
    SELECT e.part, e.platform, e.currency, e.campaign_id, recon.gap_period(e.platform_day, grain) AS period, 'platform' AS side,
           e.signal_keys IS NOT NULL AS signalled, e.value
    FROM evidence e WHERE e.platform_day IS NOT NULL
    UNION ALL
    SELECT e.part, e.platform, e.currency, e.campaign_id, recon.gap_period(e.crm_day, grain), 'crm', e.signal_keys IS NOT NULL, e.value
    FROM evidence e WHERE e.crm_day IS NOT NULL
),
cells AS (
    SELECT platform, period, currency, campaign_id,
           sum(conversions) AS r, sum(value) AS rv, sum(view_through) AS v, sum(view_through_value) AS vv,
           bool_or(view_through IS NULL) AS v_unknown,
           0 AS mp, 0 AS mpv, 0 AS mc, 0 AS mcv, 0 AS ow, 0 AS owv, 0 AS j, 0 AS jv, 0 AS d2, 0 AS d2v, 0 AS dd, 0 AS ddv,
           0 AS cu, 0 AS cuv, 0 AS nc, 0 AS ncv, 0 AS sig, 0 AS sigv, 0 AS spend
    FROM claims GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT platform, period, currency, campaign_id, 0, 0, 0, 0, false,
           count(*) FILTER (WHERE part = 'matched' AND side = 'platform'), coalesce(sum(value) FILTER (WHERE part = 'matched' AND side = 'platform'), 0),
           count(*) FILTER (WHERE part = 'matched' AND side = 'crm'), coalesce(sum(value) FILTER (WHERE part = 'matched' AND side = 'crm'), 0),
           count(*) FILTER (WHERE part = 'attribution_window'), coalesce(sum(value) FILTER (WHERE part = 'attribution_window'), 0),
           count(*) FILTER (WHERE part = 'invalid'), coalesce(sum(value) FILTER (WHERE part = 'invalid'), 0),
           count(*) FILTER (WHERE part = 'double_claim'), coalesce(sum(value) FILTER (WHERE part = 'double_claim'), 0),
           count(*) FILTER (WHERE part = 'dedup_failure'), coalesce(sum(value) FILTER (WHERE part = 'dedup_failure'), 0),
           count(*) FILTER (WHERE part = 'crm_unlinked'), coalesce(sum(value) FILTER (WHERE part = 'crm_unlinked'), 0),
           count(*) FILTER (WHERE part = 'unlinked_signal'), coalesce(sum(value) FILTER (WHERE part = 'unlinked_signal'), 0),
           -- what the platform was told and could count: signalled clicks in the window, extra events, unlinked signals
           count(*) FILTER (WHERE side = 'platform' AND (signalled AND part IN ('matched', 'invalid', 'double_claim')
                                                          OR part IN ('dedup_failure', 'unlinked_signal'))),
           coalesce(sum(value) FILTER (WHERE side = 'platform' AND (signalled AND part IN ('matched', 'invalid', 'double_claim')
                                                                    OR part IN ('dedup_failure', 'unlinked_signal'))), 0),
           0
    FROM dated GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT platform, period, currency, campaign_id, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, spend
    FROM spend
),
rolled AS (         -- campaign rows and the channel's total (campaign_id NULL, with the evidence no campaign holds)
    SELECT platform, period, currency, campaign_id, GROUPING(campaign_id) = 1 AS channel_total,
           sum(r) AS r, sum(rv) AS rv, sum(v) AS v, sum(vv) AS vv, bool_or(v_unknown) AS v_unknown,
           sum(mp) AS mp, sum(mpv) AS mpv, sum(mc) AS mc, sum(mcv) AS mcv, sum(ow) AS ow, sum(owv) AS owv,
           sum(j) AS j, sum(jv) AS jv, sum(d2) AS d2, sum(d2v) AS d2v, sum(dd) AS dd, sum(ddv) AS ddv,
           sum(cu) AS cu, sum(cuv) AS cuv, sum(nc) AS nc, sum(ncv) AS ncv, sum(sig) AS sig, sum(sigv) AS sigv,
           sum(spend) AS spend
    FROM cells
    GROUP BY GROUPING SETS ((platform, period, currency, campaign_id), (platform, period, currency))
),
windows AS (SELECT platform, max(click_days) AS click_days FROM accounts GROUP BY 1),
parts AS (
    SELECT x.*, x.r - (x.mc + x.ow + x.cu) AS gap_n, x.rv - (x.mcv + x.owv + x.cuv) AS gap_v,
           CASE WHEN x.channel_total THEN x.r - x.sig END AS mo, CASE WHEN x.channel_total THEN x.rv - x.sigv END AS mov,
           CASE WHEN x.channel_total THEN x.nc - x.v - x.cu END AS il, CASE WHEN x.channel_total THEN x.ncv - x.vv - x.cuv END AS ilv,
           x.r - x.v - x.mp - x.j - x.d2 - x.dd - x.cu AS unl, x.rv - x.vv - x.mpv - x.jv - x.d2v - x.ddv - x.cuv AS unlv,
           w.click_days
    FROM rolled x LEFT JOIN windows w USING (platform)
    WHERE x.campaign_id IS NOT NULL OR x.channel_total
)
SELECT p.platform, p.period, grain, p.campaign_id, p.currency,
       CASE WHEN (p.period + ('1 ' || grain)::interval - interval '1 day')::date + coalesce(p.click_days, 0)
                 <= (SELECT as_of_day FROM ctx) THEN 'mature' ELSE 'incomplete' END,
       p.spend, p.r, p.mc + p.ow + p.cu, p.gap_n,
       -p.ow, CASE WHEN NOT p.v_unknown THEN p.v END, p.mo, CASE WHEN NOT p.v_unknown THEN p.il END,
       p.mp - p.mc, p.d2, p.dd, p.j,
       CASE WHEN NOT p.v_unknown THEN p.unl END,
       CASE WHEN p.channel_total AND NOT p.v_unknown THEN p.gap_n - (-p.ow + p.v + p.mo + p.il + p.mp - p.mc + p.d2 + p.dd + p.j) END,
       p.rv, p.mcv + p.owv + p.cuv, p.gap_v,
       -p.owv, CASE WHEN NOT p.v_unknown THEN p.vv END, p.mov, CASE WHEN NOT p.v_unknown THEN p.ilv END,
       p.mpv - p.mcv, p.d2v, p.ddv, p.jv,
       CASE WHEN NOT p.v_unknown THEN p.unlv END,
       CASE WHEN p.channel_total AND NOT p.v_unknown THEN p.gap_v - (-p.owv + p.vv + p.mov + p.ilv + p.mpv - p.mcv + p.d2v + p.ddv + p.jv) END,
       CASE WHEN p.mc + p.ow + p.cu > 0 AND p.r > 0 THEN round(p.r / (p.mc + p.ow + p.cu), 4) END,
       array_remove(ARRAY[
           CASE WHEN p.r = 0 AND p.spend = 0 THEN 'no platform report for the period: ratio undefined' END,
           CASE WHEN p.r = 0 AND p.spend > 0 THEN 'the platform reported spend but no conversions: ratio undefined' END,
           CASE WHEN p.mc + p.ow + p.cu = 0 THEN 'no CRM conversions in the period: ratio undefined' END,
           CASE WHEN p.spend = 0 AND p.r > 0 THEN 'no spend reported' END,
           CASE WHEN p.v_unknown THEN 'view-through unknown: the attribution setting is unset or its click-window breakdown is not loaded' END,
           CASE WHEN NOT p.channel_total THEN 'modeled and identity loss are split per channel only: the conversions behind them carry no campaign' END
       ], NULL)
FROM parts p
$gap$;
COMMENT ON FUNCTION recon.gap_decomposition_rows(text) IS
    'Computes the platform-vs-CRM gap and its parts per channel, period (grain day, week, month, quarter or year), currency and campaign (campaign_id NULL: the channel''s total); see recon.gap_decomposition. JIT off.';

CREATE VIEW recon.gap_decomposition AS
    SELECT * FROM recon.gap_decomposition_rows('month');
COMMENT ON VIEW recon.gap_decomposition IS
    'Platform-reported conversions (the platform_report_window, one action type per family) minus the CRM''s valid leads and orders credited to the channel, per channel, month, account currency and campaign (campaign_id NULL: the channel''s total), split into attribution_window (CRM conversions clicked before the window: negative), view_through (reported window minus its click window), modeled (claims beyond every signal the platform could count), identity_loss (signals with no click the view-through does not explain, minus CRM conversions of the channel nothing links), clock (matched conversions booked in another period by the platform than by the CRM), double_claims (sales the CRM credits to another channel that this platform''s click also reaches), dedup_failures (extra Pixel/CAPI event ids) and invalid (clicked records the CRM rejected), plus residual; the parts add up to the gap, in counts and in value (account currency). ratio = platform / CRM conversions, NULL with a note when undefined; maturity incomplete until the period''s end plus the longest click window has passed in the data. Drill down with recon.gap_evidence. Unique key: (channel, period, currency, campaign_id) with campaign_id NULL for the total.';

-- The channel totals in long form: one row per part, in waterfall order, with the running count.
CREATE FUNCTION recon.gap_steps(grain text DEFAULT 'month')
RETURNS TABLE (channel text, period date, currency recon_currency_code, maturity text, step integer, part text, label text,
               conversions numeric, value numeric, running_conversions numeric, running_value numeric)
LANGUAGE sql STABLE AS $$
    SELECT g.channel, g.period, g.currency, g.maturity, s.step, s.part, s.label, s.n, s.v,
           CASE WHEN s.step = 10 THEN s.n ELSE sum(s.n) OVER w END, CASE WHEN s.step = 10 THEN s.v ELSE sum(s.v) OVER w END
    FROM recon.gap_decomposition_rows(grain) g
    CROSS JOIN LATERAL (VALUES
        (0, 'platform_conversions', 'platform reports', g.platform_conversions, g.platform_value),
        (1, 'view_through', 'view-through', -g.view_through, -g.view_through_value),
        (2, 'modeled', 'modeled', -g.modeled, -g.modeled_value),
        (3, 'identity_loss', 'identity loss', -g.identity_loss, -g.identity_loss_value),
        (4, 'double_claims', 'double claims', -g.double_claims, -g.double_claims_value),
        (5, 'dedup_failures', 'Pixel/CAPI dedup', -g.dedup_failures, -g.dedup_failures_value),
        (6, 'invalid', 'invalid in CRM', -g.invalid, -g.invalid_value),
        (7, 'clock', 'clock', -g.clock, -g.clock_value),
        (8, 'attribution_window', 'attribution window', -g.attribution_window, -g.attribution_window_value),
        (9, 'residual', 'residual', -g.residual, -g.residual_value),
        (10, 'crm_conversions', '= CRM conversions', g.crm_conversions, g.crm_value)
    ) AS s(step, part, label, n, v)
    WHERE g.campaign_id IS NULL
    WINDOW w AS (PARTITION BY g.channel, g.period, g.currency ORDER BY s.step)
$$;
COMMENT ON FUNCTION recon.gap_steps(text) IS
    'The gap of each channel and period as a waterfall: from the platform''s conversions (step 0), each part taken away in turn (steps 1-9, with running totals) down to the CRM''s conversions (step 10). A part that cannot be measured is NULL. Grain as in recon.gap_decomposition_rows.';

-- The waterfall as text, readable in psql: one line per step with a bar.
CREATE FUNCTION recon.gap_waterfall(channel text, period date, grain text DEFAULT 'month', width integer DEFAULT 40)
RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s record;
    top numeric;
    found_any boolean := false;
BEGIN
    IF width IS NULL OR width < 10 OR width > 200 THEN
        RAISE EXCEPTION 'waterfall width % is out of range', coalesce(width::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', DETAIL = 'From 10 to 200 characters.';
    END IF;
    SELECT max(greatest(abs(x.running_conversions), abs(x.conversions))) INTO top
    FROM recon.gap_steps(grain) x WHERE x.channel = gap_waterfall.channel AND x.period = gap_waterfall.period;
    FOR s IN SELECT * FROM recon.gap_steps(grain) x
             WHERE x.channel = gap_waterfall.channel AND x.period = gap_waterfall.period ORDER BY x.currency, x.step LOOP
        IF NOT found_any THEN
            RETURN NEXT format('%s, %s from %s (%s), value in %s', s.channel, grain, s.period, s.maturity, s.currency);
            found_any := true;
        END IF;
        IF s.step = 10 THEN
            RETURN NEXT format('%-20s %8s %14s  %s', s.label, s.conversions, to_char(s.value, 'FM999,999,999,990.00'),
                               repeat('#', greatest(0, round(width * s.conversions / nullif(top, 0))::integer)));
            CONTINUE;
        END IF;
        IF s.conversions IS NULL THEN
            RETURN NEXT format('%-20s %8s   (unknown)', s.label, '?');
            CONTINUE;
        END IF;
        CONTINUE WHEN s.step > 0 AND s.conversions = 0 AND s.value = 0;
        -- a bar from the running total before the step to the one after it: '#' for totals, '-' taken away, '+' added
        RETURN NEXT format('%-20s %8s %14s  %s', s.label, s.conversions, to_char(s.value, 'FM999,999,999,990.00'),
                           CASE WHEN s.step = 0 THEN repeat('#', greatest(1, round(width * s.conversions / nullif(top, 0))::integer))
                                ELSE repeat(' ', greatest(0, round(width * least(s.running_conversions, s.running_conversions - s.conversions) / nullif(top, 0))::integer))
                                     || repeat(CASE WHEN s.conversions < 0 THEN '-' ELSE '+' END,
                                               greatest(1, round(width * abs(s.conversions) / nullif(top, 0))::integer)) END);
    END LOOP;
    IF NOT found_any THEN
        RAISE EXCEPTION 'no gap for channel % in the % from %', coalesce(channel, 'NULL'), grain, coalesce(period::text, 'NULL')
            USING ERRCODE = 'no_data_found', HINT = 'SELECT DISTINCT channel, period FROM recon.gap_decomposition lists what there is.';
    END IF;
END $$;
COMMENT ON FUNCTION recon.gap_waterfall(text, date, text, integer) IS
    'The gap of one channel and period as a text waterfall for psql: platform conversions, each part taken away with its count, value and a bar, ending at the CRM''s conversions; zero parts are skipped, unknown ones shown as ?. P0002 when there is no such channel and period, 22023 for a width outside 10..200.';
