-- gap: the platform-vs-CRM gap in named parts (src/gap/), on a small demo run,
-- with the helpers' edge cases and the errors for bad input.

-- Attribution settings: click window, its days, view window.
SELECT s AS setting, (recon.attribution_windows(s)).*
FROM unnest(ARRAY['7d_click_1d_view', '30d_click_7d_view', '30d_click', '1d_view', '7D_CLICK_1D_EV', 'dda', NULL]) AS s;

-- The day a platform books a conversion: the click's day where it reports, unless it reports on the conversion clock.
SELECT recon.platform_booking_day('2026-03-31 23:30+00', '2026-04-02 10:00+00', 'impression', 'America/New_York') AS meta_click_day,
       recon.platform_booking_day('2026-03-31 23:30+00', '2026-04-02 10:00+00', 'conversion', 'UTC') AS tiktok_conversion_day,
       recon.platform_booking_day(NULL, '2026-04-02 03:00+00', 'impression', 'America/New_York') AS unknown_click;

-- Periods, and an unknown grain.
SELECT recon.gap_period('2026-03-11', 'week') AS week, recon.gap_period('2026-03-11', 'month') AS month;
SELECT regress.sqlstate_of($$SELECT recon.gap_period('2026-03-11', 'fortnight')$$) AS unknown_grain;

-- A small demo: every channel's gap and its parts per month (conversions).
SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'regression');
SELECT count(*) AS tables FROM recon_demo_generate(42, 2000);
SELECT channel, period, maturity, platform_conversions AS platform, crm_conversions AS crm, gap,
       view_through AS vt, modeled AS mod, identity_loss AS il, double_claims AS dbl, dedup_failures AS dedup,
       invalid AS inv, clock, attribution_window AS aw, residual AS res, ratio
FROM recon.gap_decomposition WHERE campaign_id IS NULL AND period < '2026-07-01'
ORDER BY channel, period;
-- The same in value (account currency), Meta only.
SELECT period, currency, platform_value, crm_value, value_gap, view_through_value, modeled_value, identity_loss_value,
       double_claims_value, dedup_failures_value, invalid_value, clock_value, attribution_window_value, residual_value
FROM recon.gap_decomposition WHERE campaign_id IS NULL AND channel = 'meta' AND period < '2026-07-01' ORDER BY period;
-- The evidence behind the parts.
SELECT part, platform, count(*) AS rows, count(platform_day) AS platform_dated, count(crm_day) AS crm_dated
FROM recon.gap_evidence GROUP BY 1, 2 ORDER BY 1, 2;
-- The waterfall, as text.
SELECT * FROM recon.gap_waterfall('tiktok', '2026-02-01', 'month', 30);
SELECT regress.sqlstate_of($$SELECT * FROM recon.gap_waterfall('tiktok', '2026-02-01', 'month', 300)$$) AS too_wide,
       regress.sqlstate_of($$SELECT * FROM recon.gap_waterfall('snapchat', '2026-02-01')$$) AS no_such_channel;
-- The monitor's verdicts on clean data, and its bad input.
SELECT period_grain, status, count(*) FROM recon.ratio_monitor WHERE watch = 'ratio' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) AS alerts FROM recon.alerts;
SELECT regress.sqlstate_of($$SELECT * FROM recon.ratio_monitor_rows('month')$$) AS monitor_grain,
       regress.sqlstate_of($$SELECT recon.set_setting('monitor_min_shift', '-1')$$) AS negative_shift,
       regress.sqlstate_of($$SELECT recon.set_setting('monitor_baseline_periods', '2')$$) AS short_baseline;
