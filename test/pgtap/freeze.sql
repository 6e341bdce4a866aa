-- pgTAP: the freeze policy (src/refresh/freeze.sql): closed months are frozen by recon_refresh()
-- and recon.freeze_periods(), never before their time; a late change is a restatement with its
-- probable cause while reports keep the frozen figure; accepting it with a reason makes a new
-- version; frozen figures are append-only. On a small demo run (seed 7, scale 400, New York).
BEGIN;
SELECT plan(75);

------------------------------------------------------------------ objects
SELECT has_table('recon', 'frozen_figures', 'table recon.frozen_figures exists');
SELECT has_view('recon', v, format('view recon.%s exists', v))
FROM unnest(ARRAY['report_figures', 'frozen_periods', 'restatements', 'reported_figures']) AS v;
SELECT has_function('recon', f, args, format('recon.%s(%s) exists', f, array_to_string(args, ', ')))
FROM (VALUES ('freeze_sources', ARRAY[]::text[]), ('current_figures', ARRAY[]::text[]), ('freeze_periods', ARRAY[]::text[]),
             ('data_changes_since', ARRAY['timestamp with time zone']),
             ('accept_restatement', ARRAY['text', 'date', 'text'])) AS t(f, args);
SELECT col_is_pk('recon', 'frozen_figures', ARRAY['source', 'period', 'version', 'subject', 'metric'],
                 'a figure is frozen once per version');

---------------------------------------------------------------- the setting
SELECT is(recon.setting('freeze_after_days'), '14', 'freeze_after_days defaults to 14');
SELECT is(recon.set_setting('freeze_after_days', ' 030 '), '30', 'it is stored as a whole number of days');
SELECT is(recon.set_setting('freeze_after_days', '0'), '0', '0 is allowed (a month freezes the day after it ends)');
SELECT is(recon.set_setting('freeze_after_days', '3650'), '3650', '3650 is allowed');
SELECT throws_ok(format($$SELECT recon.set_setting('freeze_after_days', %L)$$, v), '22023',
                 format('invalid value for recon setting "freeze_after_days": "%s"', v), format('freeze_after_days %L is 22023', v))
FROM unnest(ARRAY['-1', '3651', '1.5', 'x', '']) AS v;
SELECT throws_ok($$SELECT recon.set_setting('freeze_after_days', NULL)$$, '22004', NULL, 'NULL is 22004');

--------------------------------------------------------- nothing before its time
SELECT is((SELECT relation FROM recon.freeze_sources() WHERE source = 'bridge'), 'recon.mv_bridge_figures',
          'the bridge (per campaign and cohort month) is a freeze source, read from its materialized copy');
-- The policy is exercised on the report alone from here (test/pgtap/bridge_truth.sql freezes the bridge).
CREATE OR REPLACE FUNCTION recon.freeze_sources(OUT source text, OUT relation text) RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES ('report', 'recon.report_figures')
$$;
DO $$
BEGIN
    PERFORM recon.set_setting('reporting_timezone', 'America/New_York', 'pgTAP freeze suite');
    PERFORM recon_demo_generate(7, 400);
END $$;
CREATE TEMP TABLE as_of AS SELECT (recon.data_as_of() AT TIME ZONE 'America/New_York')::date AS day;
SELECT is_empty('SELECT * FROM recon.freeze_periods()', 'without a refresh nothing is frozen (the copies are empty)');
-- freeze_after_days is still 3650.
SELECT is((SELECT rows FROM recon_refresh() WHERE mode = 'freeze'), 0::bigint, 'with freeze_after_days 3650 a refresh freezes nothing');
SELECT is_empty('SELECT * FROM recon.frozen_figures', '... and recon.frozen_figures stays empty');
SELECT is((SELECT count(*)::int FROM recon.reported_figures WHERE frozen), 0, '... so reports show current figures only');

-- At 14 days: the months whose last day + 14 is before the day the data reached, and only those.
DELETE FROM recon.settings WHERE name = 'freeze_after_days';
CREATE TEMP TABLE frozen_now AS SELECT * FROM recon.freeze_periods();
SELECT set_eq('SELECT period FROM frozen_now',
              $$SELECT DISTINCT period FROM recon.report_figures
                WHERE (period + interval '1 month' - interval '1 day')::date + 14 < (SELECT day FROM as_of)$$,
              'freeze_periods() freezes every month whose last day + 14 days is before the day the data reached');
SELECT cmp_ok((SELECT count(*)::int FROM frozen_now), '>=', 5, '... several months of the demo');
SELECT is((SELECT count(*)::int FROM recon.frozen_periods
           WHERE (period + interval '1 month' - interval '1 day')::date + 14 >= (SELECT day FROM as_of)), 0,
          'no month is frozen before its time');
SELECT is_empty($$SELECT subject, period, metric, value FROM recon.frozen_figures
                  EXCEPT SELECT subject, period, metric, value FROM recon.report_figures$$,
                'the frozen figures are the materialized ones');
SELECT is((SELECT sum(figures)::int FROM frozen_now), (SELECT count(*)::int FROM recon.frozen_figures),
          'freeze_periods() returns how many figures each month froze');
SELECT ok((SELECT bool_and(version = 1 AND frozen_by = current_user AND reason LIKE 'period closed: %') FROM recon.frozen_figures),
          'frozen as version 1, by the current user, with the rule as the reason');
SELECT is_empty('SELECT * FROM recon.freeze_periods()', 'freezing again freezes nothing more');

-- The boundary: last month of the data closes only when its last day + N is before the data's day.
SELECT is(recon.set_setting('freeze_after_days', ((SELECT day FROM as_of) - '2026-07-31'::date)::text)::int,
          (SELECT day FROM as_of) - '2026-07-31'::date, 'freeze_after_days N = the days from July 31 to the data''s day');
SELECT is_empty('SELECT * FROM recon.freeze_periods()', 'July 31 + N days is the data''s day, not before it: July stays open');
SELECT is(recon.set_setting('freeze_after_days', ((SELECT day FROM as_of) - '2026-07-31'::date - 1)::text)::int,
          (SELECT day FROM as_of) - '2026-07-31'::date - 1, 'freeze_after_days N - 1');
SELECT results_eq('SELECT period FROM recon.freeze_periods()', $$VALUES ('2026-07-01'::date)$$,
                  'one day less: July closes');
DELETE FROM recon.settings WHERE name = 'freeze_after_days';

-- Loading newer data does not freeze more until a refresh has materialized it.
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, stage, record_source)
VALUES ('pgtap-future', 'lead', 'crm', '2026-12-01 12:00+00', 'email', 'new', 'pgtap');
SELECT is_empty('SELECT * FROM recon.freeze_periods()', 'data reaching December freezes nothing before the refresh');
SELECT cmp_ok((SELECT rows FROM recon_refresh() WHERE mode = 'freeze'), '>', 0::bigint, '... the refresh then freezes August');
SELECT is((SELECT max(period) FROM recon.frozen_periods), '2026-08-01'::date, '... (the months after have no figures; December is open)');
DELETE FROM recon.funnel_records WHERE record_id = 'pgtap-future';
SELECT lives_ok('SELECT recon_refresh()', 'refreshed without the future lead');

---------------------------------------------------------------- restatements
SELECT is_empty('SELECT * FROM recon.restatements', 'no restatement while the data is unchanged');
-- A late payment for a Meta order of March, loaded after the freeze (in this single-transaction
-- test, loaded_at = now() would equal the freeze time: stamp it explicitly later).
CREATE TEMP TABLE march_order AS
SELECT min(record_id) AS record_id FROM recon.funnel_records
WHERE channel = 'meta' AND record_type = 'order' AND created_at >= '2026-03-05 12:00+00' AND created_at < '2026-03-25';
CREATE TEMP TABLE reported_before AS SELECT * FROM recon.reported_figures;
INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, record_source,
                                        loaded_at, updated_at)
SELECT 'pgtap-late-pay', 'payment', '2026-08-01 12:00+00', 120.00, 'USD', record_id, 'pgtap', clock_timestamp(), clock_timestamp()
FROM march_order;
SELECT results_eq($$SELECT kind, channel, period FROM recon.data_changes_since((SELECT max(frozen_at) FROM recon.frozen_figures))$$,
                  $$VALUES ('finance transaction', 'meta', '2026-03-01'::date)$$,
                  'data_changes_since() finds the late payment, in the channel and month of the order it pays for');
SELECT is_empty('SELECT * FROM recon.data_changes_since(NULL)', '... and nothing since NULL');
SELECT is_empty('SELECT * FROM recon.restatements', 'a late payment changes nothing before the refresh');
SELECT lives_ok('SELECT recon_refresh()', 'refresh');
SELECT results_eq($$SELECT subject, period, metric, difference, version, status, probable_cause FROM recon.restatements$$,
                  $$VALUES ('meta', '2026-03-01'::date, 'collected.collected_revenue', 120.00, 1, 'pending',
                            '1 finance transaction loaded after the freeze')$$,
                  'after the refresh the late payment is a pending restatement of March, with its cause');
SELECT is((SELECT restated_value - reported_value FROM recon.restatements), 120.00, '... current minus frozen value');
SELECT is((SELECT frozen_at FROM recon.restatements), (SELECT min(frozen_at) FROM recon.frozen_figures WHERE period = '2026-03-01'),
          '... and when the figure was frozen');
SELECT results_eq($$SELECT value, frozen, restated, restatement_pending, version, current_value - value FROM recon.reported_figures
                    WHERE subject = 'meta' AND period = '2026-03-01' AND metric = 'collected.collected_revenue'$$,
                  $$SELECT value, true, false, true, 1, 120.00 FROM reported_before
                    WHERE subject = 'meta' AND period = '2026-03-01' AND metric = 'collected.collected_revenue'$$,
                  'reported_figures keeps the frozen value, flagged with the pending restatement');
SELECT is_empty($$SELECT source, subject, period, metric, value FROM reported_before
                  EXCEPT SELECT source, subject, period, metric, value FROM recon.reported_figures$$,
                'no reported figure moved');
SELECT is((SELECT count(*)::int FROM recon.reported_figures WHERE restatement_pending), 1, '... and one is flagged');

-- A changed transaction and a deleted one, in April.
UPDATE recon.finance_transactions SET amount = amount + 10
WHERE transaction_id = (SELECT min(t.transaction_id) FROM recon.finance_transactions t JOIN recon.funnel_records o ON o.record_id = t.order_id
                        WHERE o.channel = 'meta' AND o.created_at >= '2026-04-05 12:00+00' AND o.created_at < '2026-04-25'
                          AND t.transaction_type = 'payment' AND t.status = 'posted');
DELETE FROM recon.finance_transactions
WHERE transaction_id = (SELECT min(t.transaction_id) FROM recon.finance_transactions t JOIN recon.funnel_records o ON o.record_id = t.order_id
                        WHERE o.channel = 'tiktok' AND o.created_at >= '2026-04-05 12:00+00' AND o.created_at < '2026-04-25'
                          AND t.transaction_type = 'payment' AND t.status = 'posted'
                          AND NOT EXISTS (SELECT 1 FROM recon.finance_transactions c WHERE c.parent_transaction_id = t.transaction_id));
SELECT lives_ok('SELECT recon_refresh()', 'refresh');
SELECT results_eq($$SELECT subject, metric, difference, probable_cause FROM recon.restatements
                    WHERE period = '2026-04-01' AND subject = 'meta'$$,
                  $$VALUES ('meta', 'collected.collected_revenue', 10.00, '1 finance transaction changed after the freeze')$$,
                  'a changed transaction is a restatement whose cause says changed');
SELECT results_eq($$SELECT subject, metric, difference < 0, probable_cause FROM recon.restatements
                    WHERE period = '2026-04-01' AND subject = 'tiktok' AND metric = 'collected.collected_revenue'$$,
                  $$VALUES ('tiktok', 'collected.collected_revenue', true,
                            'no row of the period was loaded or changed after the freeze: a row was deleted, or the way the figure is computed changed')$$,
                  'a deleted one leaves no row: the cause says so');

-- Accepting March.
SELECT throws_ok($$SELECT recon.accept_restatement('report', '2026-03-01', '')$$, '22023', 'a restatement needs a reason',
                 'accepting without a reason is 22023');
SELECT throws_ok($$SELECT recon.accept_restatement(NULL, '2026-03-01', 'x')$$, '42704', NULL, 'a NULL source is 42704');
SELECT throws_ok($$SELECT recon.accept_restatement('bridge', '2026-03-01', 'x')$$, '42704', 'unknown freeze source "bridge"',
                 'an unknown source is 42704');
SELECT throws_ok($$SELECT recon.accept_restatement('report', NULL, 'x')$$, '22004', NULL, 'a NULL period is 22004');
SELECT throws_ok($$SELECT recon.accept_restatement('report', '2026-11-01', 'x')$$, '55000', NULL, 'a month not frozen is 55000');
SELECT throws_ok($$SELECT recon.accept_restatement('report', '2026-05-01', 'x')$$, 'P0002', NULL, 'a month without changes is P0002');
SELECT is(recon.accept_restatement('report', '2026-03-20', '  late Stripe payout for order of March 10, loaded Aug 2  '), 2,
          'accepting March returns version 2');
SELECT results_eq($$SELECT subject, period, metric, difference, version, status, reason, accepted_by, probable_cause
                    FROM recon.restatements WHERE period = '2026-03-01'$$,
                  $$VALUES ('meta', '2026-03-01'::date, 'collected.collected_revenue', 120.00, 2, 'accepted',
                            'late Stripe payout for order of March 10, loaded Aug 2', current_user::text COLLATE "default",
                            '1 finance transaction loaded after the freeze')$$,
                  'the restatement now shows as accepted, with its reason, who, and its cause');
SELECT results_eq($$SELECT value - (SELECT value FROM reported_before r WHERE (r.subject, r.period, r.metric) = (f.subject, f.period, f.metric)),
                           frozen, restated, restatement_pending, version
                    FROM recon.reported_figures f
                    WHERE subject = 'meta' AND period = '2026-03-01' AND metric = 'collected.collected_revenue'$$,
                  $$VALUES (120.00, true, true, false, 2)$$,
                  'reported_figures shows version 2: restated, nothing pending');
SELECT is((SELECT count(*)::int FROM recon.reported_figures WHERE period = '2026-03-01' AND restated), 1,
          '... only the figure that changed is marked restated');
SELECT results_eq($$SELECT version, count(*)::int FROM recon.frozen_figures WHERE period = '2026-03-01' GROUP BY 1 ORDER BY 1$$,
                  $$SELECT v, n FROM (SELECT count(*)::int AS n FROM recon.frozen_figures WHERE period = '2026-03-01' AND version = 1) c,
                                     (VALUES (1), (2)) AS t(v)$$,
                  'version 1 is kept beside version 2, figure for figure');
SELECT results_eq($$SELECT version, reason FROM recon.frozen_periods WHERE period = '2026-03-01'$$,
                  $$VALUES (2, 'late Stripe payout for order of March 10, loaded Aug 2')$$, 'frozen_periods shows the latest version and why');
SELECT throws_ok($$SELECT recon.accept_restatement('report', '2026-03-01', 'again')$$, 'P0002', NULL, 'accepting twice is P0002');
SELECT is((SELECT count(*)::int FROM recon.restatements WHERE status = 'pending'), 2, 'April''s two restatements are still pending');

-- Append-only.
SELECT throws_ok('UPDATE recon.frozen_figures SET value = 0', '23001', NULL, 'UPDATE of frozen figures is 23001');
SELECT throws_ok('DELETE FROM recon.frozen_figures', '23001', NULL, 'DELETE of frozen figures is 23001');
SELECT throws_ok('TRUNCATE recon.frozen_figures', '23001', NULL, 'TRUNCATE of frozen figures is 23001');

---------------------------------------------------------------- sources
-- Adding a source is one line in recon.freeze_sources(); a source must exist.
CREATE VIEW recon.pgtap_source AS
    SELECT 'all' AS subject, period, metric, sum(value) AS value FROM recon.report_figures GROUP BY period, metric;
CREATE OR REPLACE FUNCTION recon.freeze_sources(OUT source text, OUT relation text) RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES
    ('report', 'recon.report_figures'),
    ('pgtap_total', 'recon.pgtap_source')
$$;
SELECT cmp_ok((SELECT sum(figures)::int FROM recon.freeze_periods() WHERE source = 'pgtap_total'), '>', 0,
              'a new source''s closed months are frozen by the next freeze');
SELECT is((SELECT count(DISTINCT source)::int FROM recon.reported_figures), 2, '... and reported');
CREATE OR REPLACE FUNCTION recon.freeze_sources(OUT source text, OUT relation text) RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES ('report', 'recon.report_figures'), ('broken', 'recon.no_such_relation')
$$;
SELECT throws_ok('SELECT * FROM recon.current_figures()', '42P01', 'freeze source "broken" reads recon.no_such_relation, which does not exist',
                 'a source whose relation is missing is 42P01, named');

SELECT * FROM finish();
ROLLBACK;
