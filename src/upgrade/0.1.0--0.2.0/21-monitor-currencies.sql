-- The ratio monitor counts a channel once per period when its accounts report in several currencies
-- (recon_refresh() failed on the materialized copy's key: the sample exports have Google in USD and EUR).
-- Upgrade half of src/gap/monitor.sql.

CREATE OR REPLACE FUNCTION recon.ratio_monitor_rows(grain text)
RETURNS TABLE (watch text, channel text, period_grain text, period date, maturity text, value numeric, sample numeric,
               baseline_median numeric, baseline_spread numeric, baseline_periods integer, robust_z numeric,
               status text, moved_part text, moved_by numeric, detail text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $monitor$
WITH cfg AS MATERIALIZED (
    SELECT recon.setting('monitor_baseline_periods')::integer AS n, recon.setting('monitor_threshold')::numeric AS threshold,
           recon.setting('monitor_min_shift')::numeric AS min_shift, recon.setting('monitor_min_sample')::numeric AS min_sample,
           (SELECT tz FROM recon.report_context()) AS tz,
           recon.monitor_grain(grain) AS checked_grain
),
gap_currencies AS MATERIALIZED (
    SELECT g.* FROM recon.gap_decomposition_rows(recon.monitor_grain(grain)) g
    WHERE g.campaign_id IS NULL
),
-- one row per channel and period: a channel's accounts may report in several currencies, and the
-- watched figures are counts; a part unknown in one currency is unknown for the channel
gap AS MATERIALIZED (
    SELECT g.channel, g.period,
           CASE WHEN bool_and(g.maturity = 'mature') THEN 'mature' ELSE 'incomplete' END AS maturity,
           sum(g.platform_conversions) AS platform_conversions, sum(g.crm_conversions) AS crm_conversions,
           CASE WHEN count(*) = 1 THEN min(g.ratio)
                WHEN sum(g.crm_conversions) > 0 AND sum(g.platform_conversions) > 0
                THEN round(sum(g.platform_conversions) / sum(g.crm_conversions), 4) END AS ratio,
           (SELECT coalesce(array_agg(x.n ORDER BY x.o), '{}')
            FROM (SELECT u.n, min(u.o) AS o FROM gap_currencies c, unnest(c.notes) WITH ORDINALITY AS u(n, o)
                  WHERE c.channel = g.channel AND c.period = g.period GROUP BY u.n) x) AS notes,
           sum(g.attribution_window) AS attribution_window,
           CASE WHEN count(g.view_through) = count(*) THEN sum(g.view_through) END AS view_through,
           sum(g.modeled) AS modeled,
           CASE WHEN count(g.identity_loss) = count(*) THEN sum(g.identity_loss) END AS identity_loss,
           sum(g.clock) AS clock, sum(g.double_claims) AS double_claims, sum(g.dedup_failures) AS dedup_failures,
           sum(g.invalid) AS invalid,
           CASE WHEN count(g.residual) = count(*) THEN sum(g.residual) END AS residual
    FROM gap_currencies g
    GROUP BY g.channel, g.period
),
-- the ratio per channel (1 plus the sum of the parts per CRM conversion)
live_days AS (      -- days each channel spent on
    SELECT DISTINCT platform AS channel, report_date AS day FROM recon.platform_delivery WHERE spend > 0
),
windows AS (SELECT platform AS channel, coalesce(max(click_days), 0) AS click_days FROM recon.gap_account_settings GROUP BY 1),
ratio AS (
    SELECT 'ratio' AS watch, g.channel, g.period, g.maturity, g.ratio AS value,
           least(g.platform_conversions, g.crm_conversions) AS sample,
           g.ratio * sqrt(1 / nullif(g.platform_conversions, 0) + 1 / nullif(g.crm_conversions, 0)) AS sampling_error,
           g.notes,
           -- a period inside a live stretch: spend on each day from one click window before it (the clicks its CRM
           -- conversions come from) to the day after it; not a start, a pause or an end
           (SELECT count(*) FROM live_days l
            WHERE l.channel = g.channel
              AND l.day BETWEEN g.period - coalesce(w.click_days, 0) AND (g.period + ('1 ' || (SELECT checked_grain FROM cfg))::interval)::date)
               = (g.period + ('1 ' || (SELECT checked_grain FROM cfg))::interval)::date - g.period + coalesce(w.click_days, 0) + 1 AS live
    FROM gap g LEFT JOIN windows w USING (channel)
),
-- identifiers new CRM leads and orders arrive with, and how they link (all channels together)
records AS (
    SELECT recon.gap_period((f.created_at AT TIME ZONE (SELECT tz FROM cfg))::date, (SELECT checked_grain FROM cfg)) AS period,
           coalesce(f.fbclid, f.fbc, f.gclid, f.gbraid, f.wbraid, f.ttclid, f.msclkid, f.li_fat_id) IS NOT NULL AS has_click_id,
           coalesce(f.email_sha256::text, f.phone_sha256::text) IS NOT NULL AS has_contact,
           l.methods
    FROM recon.funnel_records f
    LEFT JOIN (SELECT right_id, array_agg(DISTINCT method) AS methods FROM recon.match_links
               WHERE link_type = 'signal_record' GROUP BY right_id) l ON l.right_id = f.record_id
    WHERE f.record_type IN ('lead', 'order')
),
link_methods AS (SELECT DISTINCT method FROM recon.match_links WHERE link_type = 'signal_record'),
shares AS (
    SELECT 'identifier_share:click_id' AS watch, 'all' AS channel, period, avg(has_click_id::int) AS value, count(*) AS sample
    FROM records GROUP BY period
    UNION ALL
    SELECT 'identifier_share:contact', 'all', period, avg(has_contact::int), count(*) FROM records GROUP BY period
    UNION ALL
    SELECT 'match_rate:' || m.method, 'all', r.period, avg((m.method = ANY (coalesce(r.methods, '{}')))::int), count(*)
    FROM records r CROSS JOIN link_methods m
    GROUP BY m.method, r.period
),
watched AS (
    SELECT watch, channel, period, maturity, value, sample, sampling_error, notes, live FROM ratio
    UNION ALL
    SELECT s.watch, s.channel, s.period,
           CASE WHEN s.period < (SELECT max(period) FROM shares) THEN 'mature' ELSE 'incomplete' END,   -- the last period is still filling
           s.value, s.sample, sqrt(s.value * (1 - s.value) / s.sample), '{}', true
    FROM shares s
),
judged AS (
    SELECT w.*,
           w.maturity = 'mature' AND w.live AND w.value IS NOT NULL AND w.sample >= (SELECT min_sample FROM cfg) AS eligible
    FROM watched w
),
-- the eligible values of the previous monitor_baseline_periods periods (frames need a constant: take 104, keep the last n)
baselined AS (
    SELECT j.*, recon.array_last(array_agg(CASE WHEN j.eligible THEN j.value END) OVER w, (SELECT n FROM cfg)) AS base_values
    FROM judged j
    WINDOW w AS (PARTITION BY j.watch, j.channel ORDER BY j.period ROWS BETWEEN 104 PRECEDING AND 1 PRECEDING)
),
scored AS (
    SELECT b.*, recon.array_median(b.base_values) AS median,
           (SELECT count(v)::integer FROM unnest(b.base_values) AS v) AS periods,
           greatest(1.4826 * recon.array_mad(b.base_values), coalesce(b.sampling_error, 0)) AS spread
    FROM baselined b
),
first_verdict AS (
    SELECT s.*,
           (s.value - s.median) / nullif(s.spread, 0) AS z,
           CASE WHEN s.value IS NULL THEN 'undefined'
                WHEN s.maturity <> 'mature' THEN 'immature'
                WHEN NOT s.live THEN 'not_live'
                WHEN s.sample < (SELECT min_sample FROM cfg) THEN 'insufficient_data'
                WHEN s.periods < greatest(3, (SELECT n FROM cfg) / 2) THEN 'no_baseline'
                -- shares of identifiers and links only alarm when they fall
                WHEN (s.watch = 'ratio' OR s.value < s.median)
                     AND abs(s.value - s.median) >= (SELECT min_shift FROM cfg) * abs(s.median)
                     AND (s.spread = 0 OR abs(s.value - s.median) / s.spread >= (SELECT threshold FROM cfg)) THEN 'alert'
                ELSE 'ok' END AS status
    FROM scored s
),
-- a day alone is noisy: a daily move alerts when the day before moved beyond the threshold the same way
verdict AS (
    SELECT f.watch, f.channel, f.period, f.maturity, f.value, f.sample, f.notes, f.median, f.spread, f.periods, f.z,
           CASE WHEN f.status = 'alert' AND (SELECT checked_grain FROM cfg) = 'day'
                     AND NOT coalesce(lag(f.status) OVER w = 'alert' AND sign(lag(f.z) OVER w) = sign(f.z)
                                      AND lag(f.period) OVER w = f.period - 1, false)
                THEN 'pending' ELSE f.status END AS status
    FROM first_verdict f
    WINDOW w AS (PARTITION BY f.watch, f.channel ORDER BY f.period)
),
-- for a ratio: each part per CRM conversion against its own baseline; the one that moved most
part_shares AS (
    SELECT g.channel, g.period, p.part, p.n / nullif(g.crm_conversions, 0) AS share,
           j.eligible
    FROM gap g
    JOIN judged j ON j.watch = 'ratio' AND j.channel = g.channel AND j.period = g.period
    CROSS JOIN LATERAL (VALUES ('attribution_window', g.attribution_window), ('view_through', g.view_through),
                               ('modeled', g.modeled), ('identity_loss', g.identity_loss), ('clock', g.clock),
                               ('double_claims', g.double_claims), ('dedup_failures', g.dedup_failures),
                               ('invalid', g.invalid), ('residual', g.residual)) AS p(part, n)
),
part_moves AS (
    SELECT ps.channel, ps.period, ps.part,
           ps.share - recon.array_median(recon.array_last(array_agg(CASE WHEN ps.eligible THEN ps.share END) OVER w, (SELECT n FROM cfg))) AS delta
    FROM part_shares ps
    WINDOW w AS (PARTITION BY ps.channel, ps.part ORDER BY ps.period ROWS BETWEEN 104 PRECEDING AND 1 PRECEDING)
),
moved AS (
    SELECT DISTINCT ON (channel, period) 'ratio' AS watch, channel, period, part, delta
    FROM part_moves WHERE delta IS NOT NULL
    ORDER BY channel, period, abs(delta) DESC, part
)
SELECT v.watch, v.channel, (SELECT checked_grain FROM cfg), v.period, v.maturity, round(v.value, 4), v.sample,
       round(v.median, 4), round(v.spread, 4), coalesce(v.periods, 0), round(v.z, 2), v.status,
       CASE WHEN v.status = 'alert' THEN m.part END, CASE WHEN v.status = 'alert' THEN round(m.delta, 4) END,
       CASE v.status
           WHEN 'undefined' THEN coalesce(array_to_string(v.notes, '; '), 'no value')
           WHEN 'immature' THEN 'the period is still maturing (its end plus the click window has not passed in the data)'
           WHEN 'pending' THEN format('%s against a baseline median of %s: beyond the threshold for one day; a second day alerts',
                                      round(v.value, 4), round(v.median, 4))
           WHEN 'not_live' THEN 'the channel did not spend on every day from one click window before the period to the day after it (campaigns starting, pausing or ending)'
           WHEN 'insufficient_data' THEN format('%s on the smaller side, below monitor_min_sample', v.sample)
           WHEN 'no_baseline' THEN format('%s earlier periods to compare with, %s needed', coalesce(v.periods, 0), greatest(3, (SELECT n FROM cfg) / 2))
           ELSE format('%s against a baseline median of %s (%s periods, spread %s): %s',
                       round(v.value, 4), round(v.median, 4), v.periods, round(v.spread, 4),
                       CASE WHEN v.value >= v.median THEN 'up ' ELSE 'down ' END || round(abs(v.value - v.median), 4)) END
FROM verdict v
LEFT JOIN moved m USING (watch, channel, period)
$monitor$;

