-- refresh: the materialized layers (recon.mv_<view>), recon_refresh() in
-- dependency order, scheduling with pg_cron (here: its absence) and the freeze
-- policy with restatements. Uses the demo run (seed 42, scale 2000, reporting
-- zone America/New_York) left by demo_generator and report.

------------------------------------------------------- materialized layers
-- The extension's materialized views, the order recon_refresh() follows and their keys.
SELECT view_name, source_view, refresh_order, depends_on, populated, unique_key, refresh_mode
FROM recon.materialized_layers ORDER BY refresh_order, view_name COLLATE "C";

-- Created WITH DATA by CREATE EXTENSION (the tables were empty then): populated, so the
-- first refresh is already concurrent; stale until then.
SELECT count(*) AS rows_before_the_first_refresh FROM recon.mv_report_layers;

-- The unique keys are keys of the views' rows (and the layer follows from the metric).
SELECT count(*) AS rows, count(DISTINCT (channel, month, metric)) AS keys,
       count(DISTINCT (channel, month, layer, metric)) AS keys_with_layer
FROM recon.report_layers;
SELECT count(*) AS rows, count(DISTINCT (channel, month)) AS keys FROM recon.report_channel_month;

-- The refresh, in dependency order, then the freeze of closed months (Jan..Jun: data reaches mid-August).
SELECT view_name, mode, rows, milliseconds >= 0 AS timed FROM recon_refresh();
SELECT data_as_of, jsonb_array_length(views) AS views, refreshed_by = current_user AS by_me
FROM recon.refresh_runs ORDER BY run_id DESC LIMIT 1;

-- The copies equal their views.
SELECT (SELECT count(*) FROM (SELECT * FROM recon.report_layers EXCEPT ALL SELECT * FROM recon.mv_report_layers) a)
     + (SELECT count(*) FROM (SELECT * FROM recon.mv_report_layers EXCEPT ALL SELECT * FROM recon.report_layers) b) AS layers_differences,
       (SELECT count(*) FROM (SELECT * FROM recon.report_channel_month EXCEPT ALL SELECT * FROM recon.mv_report_channel_month) a)
     + (SELECT count(*) FROM (SELECT * FROM recon.mv_report_channel_month EXCEPT ALL SELECT * FROM recon.report_channel_month) b) AS channel_month_differences;

-- Without a usable unique index the refresh is plain (it blocks readers), and says so.
BEGIN;
DROP INDEX recon.mv_report_channel_month_key;
SELECT view_name, mode, rows FROM recon_refresh();
ROLLBACK;
-- An unpopulated view cannot be read, nor refreshed concurrently: the next refresh is plain, the one after concurrent.
REFRESH MATERIALIZED VIEW recon.mv_report_channel_month WITH NO DATA;
SELECT regress.sqlstate_of('SELECT count(*) FROM recon.mv_report_channel_month') AS read_unpopulated;
SELECT view_name, mode, rows FROM recon_refresh();
SELECT view_name, mode, rows FROM recon_refresh();

-- A layer over a materialized layer reads the copy and is refreshed after it; one line adds it.
-- (Outside CREATE EXTENSION the copy is not an extension member until added.)
BEGIN;
CREATE VIEW recon.meta_months AS
    SELECT month, spend, collected_revenue FROM recon.report_channel_month r WHERE r.channel = 'meta';
COMMENT ON VIEW recon.meta_months IS 'regression: a layer over a layer';
SELECT recon.materialize_layer('meta_months', ARRAY['month']);
ALTER EXTENSION recon ADD MATERIALIZED VIEW recon.mv_meta_months;
SELECT view_name, refresh_order, depends_on, unique_key FROM recon.materialized_layers
ORDER BY refresh_order, view_name COLLATE "C";
SELECT pg_get_viewdef('recon.mv_meta_months') ~ 'recon\.mv_report_channel_month r\M' AS reads_the_copy;
SELECT view_name, mode, rows FROM recon_refresh();
SELECT count(*) AS differences FROM (SELECT * FROM recon.meta_months EXCEPT SELECT * FROM recon.mv_meta_months) d;
ROLLBACK;

-- Bad calls.
SELECT regress.sqlstate_of($$SELECT recon.materialize_layer('no_such_view', ARRAY['a'])$$) AS missing_view;
SELECT regress.sqlstate_of($$SELECT recon.materialize_layer('settings', ARRAY['name'])$$) AS a_table;
SELECT regress.sqlstate_of($$SELECT recon.materialize_layer('report_legend', ARRAY['nope'])$$) AS unknown_column;
SELECT regress.sqlstate_of($$SELECT recon.materialize_layer('report_legend', ARRAY[]::name[])$$) AS empty_key;
SELECT regress.sqlstate_of($$SELECT recon.materialize_layer(NULL, ARRAY['a'])$$) AS null_view;
SELECT regress.sqlstate_of($$SELECT recon.materialize_layer('report_layers', ARRAY['channel', 'month', 'metric'])$$) AS twice;
-- A key that is not unique fails when the index is built on the data.
SELECT regress.sqlstate_of($$SELECT recon.materialize_layer('report_legend', ARRAY['layer'])$$) AS not_unique;

------------------------------------------------------------------ pg_cron
-- Schedules pg_cron 1.4 accepts, normalized ...
SELECT s AS schedule, recon.check_cron_schedule(s) AS normalized
FROM (VALUES (' 0  3 * * * '), ('*/15 * * * *'), ('0 9-17/2 * * MON-FRI'), ('0 0 1 jan,jul *'), ('@Daily'), ('0 0 * * 7')) AS t(s);
-- ... and refused (22023; seconds need pg_cron 1.5), before pg_cron's presence is checked.
SELECT s AS schedule, regress.sqlstate_of(format('SELECT recon_schedule_refresh(%L)', s)) AS result
FROM (VALUES ('* * * *'), ('0 * * * * *'), ('30 seconds'), ('@reboot'), (''), ('60 * * * *'), ('* 24 * * *'),
             ('0 0 0 * *'), ('0 0 * 13 *'), ('0 0 * * 8'), ('0 0 * * funday'), ('*/0 * * * *'), ('5-1 * * * *'),
             ('1,,2 * * * *')) AS t(s);
SELECT regress.sqlstate_of($$SELECT recon_schedule_refresh(NULL)$$) AS null_schedule;
SELECT regress.sqlstate_of($$SELECT recon_schedule_refresh('0 * * * *', '')$$) AS empty_job_name;
-- pg_cron is not installed in this database: 55000, with the steps in the hint (pgTAP checks them).
SELECT regress.sqlstate_of($$SELECT recon_schedule_refresh('0 * * * *')$$) AS schedule_without_pg_cron;
SELECT regress.sqlstate_of($$SELECT recon_unschedule_refresh()$$) AS unschedule_without_pg_cron;
SELECT recon.refresh_job_command() AS job_command;
SELECT recon_purge_refresh_runs() AS purged_without_pg_cron;
SELECT regress.sqlstate_of($$SELECT recon_purge_refresh_runs(NULL)$$) AS null_keep;
SELECT regress.sqlstate_of($$SELECT recon_purge_refresh_runs('-1 day')$$) AS negative_keep;

------------------------------------------------------------ freeze policy
SELECT name, value, is_default FROM recon.effective_settings WHERE name = 'freeze_after_days';

-- The first refresh froze January to June (their last day + 14 days is before August 13).
SELECT source, period, version, figures_at_freeze, reason FROM recon.frozen_periods ORDER BY source COLLATE "C", period;
-- The frozen figures are the materialized ones.
SELECT count(*) AS differences
FROM recon.frozen_figures f
FULL JOIN (SELECT * FROM recon.report_figures WHERE period < '2026-07-01') r USING (subject, period, metric)
WHERE f.value IS DISTINCT FROM r.value;
-- Reports show frozen figures for closed months, current ones after.
SELECT period, frozen, count(*) AS figures FROM recon.reported_figures GROUP BY 1, 2 ORDER BY 1;

-- The frozen figures are append-only.
SELECT regress.sqlstate_of('UPDATE recon.frozen_figures SET value = 0') AS update_frozen;
SELECT regress.sqlstate_of('DELETE FROM recon.frozen_figures') AS delete_frozen;
SELECT regress.sqlstate_of('TRUNCATE recon.frozen_figures') AS truncate_frozen;

-- A late payment for a Meta order of March (cohort March) arrives, and a lost Google lead of March turns out to be spam.
CREATE TEMP TABLE spam_lead AS
SELECT record_id, status, status_reason, closed_at FROM recon.funnel_records
WHERE channel = 'google' AND record_type = 'lead' AND status = 'lost' AND status_reason = 'no response' AND dq_flags = '{}'
  AND created_at >= '2026-03-10' AND created_at < '2026-03-20'
ORDER BY record_id LIMIT 1;
UPDATE recon.funnel_records f SET status_reason = 'spam'
FROM spam_lead s WHERE f.record_id = s.record_id;
INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, record_source)
SELECT 'late-pay-1', 'payment', '2026-08-01 12:00+00', 100.00, 'USD', min(record_id), 'regression'
FROM recon.funnel_records
WHERE channel = 'meta' AND record_type = 'order' AND created_at >= '2026-03-10' AND created_at < '2026-03-20';
-- Nothing moves until the next refresh, and then frozen March does not move either: it is a restatement.
SELECT count(*) AS restatements_before_the_refresh FROM recon.restatements;
SELECT view_name, mode, rows FROM recon_refresh();
SELECT source, subject, period, metric, reported_value, restated_value, difference, version, probable_cause, status
FROM recon.restatements ORDER BY subject COLLATE "C", period, metric COLLATE "C";
SELECT subject, period, metric, value, frozen, restated, restatement_pending, version, current_value
FROM recon.reported_figures
WHERE subject = 'meta' AND period = '2026-03-01' AND metric = 'collected.collected_revenue';

-- Accepting needs a reason, a known source, a frozen period and a change.
SELECT regress.sqlstate_of($$SELECT recon.accept_restatement('report', '2026-03-01', ' ')$$) AS no_reason;
SELECT regress.sqlstate_of($$SELECT recon.accept_restatement('report', '2026-03-01', NULL)$$) AS null_reason;
SELECT regress.sqlstate_of($$SELECT recon.accept_restatement('bridge', '2026-03-01', 'x')$$) AS unknown_source;
SELECT regress.sqlstate_of($$SELECT recon.accept_restatement('report', NULL, 'x')$$) AS null_period;
SELECT regress.sqlstate_of($$SELECT recon.accept_restatement('report', '2026-07-01', 'x')$$) AS not_frozen;
SELECT regress.sqlstate_of($$SELECT recon.accept_restatement('report', '2026-04-01', 'x')$$) AS nothing_changed;
-- Any day names its month.
SELECT recon.accept_restatement('report', '2026-03-31', 'late payment for a March Meta order; a March Google lead was spam') AS new_version;
SELECT subject, period, metric, reported_value, restated_value, difference, version, status, reason, accepted_by = current_user AS by_me
FROM recon.restatements ORDER BY subject COLLATE "C", period, metric COLLATE "C";
SELECT subject, period, metric, value, frozen, restated, restatement_pending, version, current_value
FROM recon.reported_figures
WHERE subject = 'meta' AND period = '2026-03-01' AND metric IN ('collected.collected_revenue', 'crm.crm_conversions')
ORDER BY metric COLLATE "C";
SELECT regress.sqlstate_of($$SELECT recon.accept_restatement('report', '2026-03-01', 'again')$$) AS accept_twice;
SELECT source, period, version, figures_at_freeze, reason FROM recon.frozen_periods WHERE period = '2026-03-01';

-- A setting that changes how figures are computed restates the frozen months it touches, and the
-- cause names it. Set back, nothing is pending any more.
SELECT recon.set_setting('platform_report_window', '7d_click', 'regression: click-through only') AS window;
SELECT count(*) AS steps FROM recon_refresh();
SELECT status, metric, probable_cause, count(*) AS figures, count(DISTINCT period) AS months
FROM recon.restatements GROUP BY 1, 2, 3 ORDER BY status, metric COLLATE "C", probable_cause COLLATE "C";
DELETE FROM recon.settings WHERE name = 'platform_report_window';
SELECT count(*) AS steps FROM recon_refresh();
SELECT status, count(*) AS figures FROM recon.restatements GROUP BY 1 ORDER BY status COLLATE "C";

-- freeze_after_days: whole days 0..3650. At 13 July is still open (July 31 + 13 is August 13, the day
-- the data reached, not before it); at 12 it closes, on the next freeze.
SELECT v AS value, regress.sqlstate_of(format($$SELECT recon.set_setting('freeze_after_days', %L)$$, v)) AS result
FROM (VALUES ('-1'), ('3651'), ('1.5'), ('x'), (''), ('99999')) AS t(v);
SELECT recon.set_setting('freeze_after_days', ' 0013 ') AS stored;
SELECT * FROM recon.freeze_periods();
SELECT recon.set_setting('freeze_after_days', '12') AS stored;
SELECT * FROM recon.freeze_periods();
SELECT * FROM recon.freeze_periods();
SELECT period, frozen, count(*) AS figures FROM recon.reported_figures WHERE period >= '2026-07-01' GROUP BY 1, 2 ORDER BY 1;
DELETE FROM recon.settings WHERE name = 'freeze_after_days';
DELETE FROM recon.finance_transactions WHERE transaction_id = 'late-pay-1';
UPDATE recon.funnel_records f SET status = s.status, status_reason = s.status_reason, closed_at = s.closed_at
FROM spam_lead s WHERE f.record_id = s.record_id;
