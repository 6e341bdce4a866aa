-- bench/refresh.sql: recon_refresh() of every materialized layer on the demo generator's data
-- at 1M journeys: the first run (the copies are still empty from CREATE EXTENSION, and every
-- closed month is frozen), the next runs (nothing changed: the concurrent refresh recomputes the
-- views and writes no row), the same views refreshed plainly (REFRESH MATERIALIZED VIEW without
-- CONCURRENTLY, which blocks readers), the bare query as the floor, a run after late changes to
-- frozen months, and reading the restatements and the reported figures.
-- The report reads the order and opportunity ids of the finance rows, not recon.match_links, so
-- the matching cascade is not run.
-- Sizes: psql -v scale=N (journeys, default 1000000).
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/refresh.sql (after CREATE EXTENSION recon).
\ir lib.sql
-- Refreshes run as a scheduler runs them: parallel query at the server default (JIT stays off).
RESET max_parallel_workers_per_gather;
\if :{?scale}
\else
\set scale 1000000
\endif

SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'bench: as the demo') \g /dev/null
SELECT recon.set_setting('reporting_currency', 'USD', 'bench: as the demo') \g /dev/null
SELECT bench.single('refresh', format('recon_demo_generate(42, %s) (data, not part of the refresh)', :scale), :scale,
                    format('SELECT sum(rows_written) FROM recon_demo_generate(42, %s)', :scale)) \g /dev/null
-- the bridge reads the links: match first (not part of the refresh either)
SELECT bench.single('refresh', 'CALL recon.run_matching() (links, not part of the refresh)', :scale,
                    'CALL recon.run_matching()') \g /dev/null
VACUUM ANALYZE recon.ad_delivery_daily, recon.platform_conversions_daily, recon.funnel_records, recon.finance_transactions;
CHECKPOINT;

-- Every materialized layer refreshed plainly, in recon_refresh()'s order.
CREATE FUNCTION pg_temp.plain_refresh() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v text;
    n bigint := 0;
BEGIN
    FOR v IN SELECT view_name FROM recon.materialized_layers ORDER BY refresh_order, view_name COLLATE "C" LOOP
        EXECUTE format('REFRESH MATERIALIZED VIEW %s', v);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
-- One refresh as a json array of its steps (view, mode, rows, ms).
CREATE FUNCTION pg_temp.refresh_steps() RETURNS text LANGUAGE sql AS $$
    SELECT jsonb_agg(jsonb_build_object('view', view_name, 'mode', mode, 'rows', rows, 'ms', milliseconds))::text FROM recon_refresh()
$$;

SELECT bench.single('refresh', 'recon_refresh(), first run (copies empty, closed months frozen)', :scale,
                    'SELECT pg_temp.refresh_steps()') \g /dev/null
CHECKPOINT;
SELECT bench.single('refresh', 'recon_refresh(), nothing changed', :scale, 'SELECT pg_temp.refresh_steps()', 3) \g /dev/null
SELECT bench.single('refresh', 'REFRESH MATERIALIZED VIEW (plain) of the same views', :scale,
                    'SELECT pg_temp.plain_refresh()', 3) \g /dev/null
SELECT bench.single('refresh', 'SELECT count(*) FROM recon.report_layers (the query alone)', :scale,
                    'SELECT count(*) FROM recon.report_layers', 3) \g /dev/null

-- Late changes to frozen months: 1,000 payments of March and April orders restated (+1.00 each).
UPDATE recon.finance_transactions SET amount = amount + 1
WHERE transaction_id IN (SELECT t.transaction_id FROM recon.finance_transactions t
                         JOIN recon.funnel_records o ON o.record_id = t.order_id
                         WHERE t.transaction_type = 'payment' AND t.status = 'posted'
                           AND o.created_at >= '2026-03-01 12:00+00' AND o.created_at < '2026-04-30'
                         ORDER BY t.transaction_id LIMIT 1000);
CHECKPOINT;
SELECT bench.single('refresh', 'recon_refresh() after 1,000 late changes to frozen months', :scale,
                    'SELECT pg_temp.refresh_steps()') \g /dev/null
SELECT bench.single('refresh', 'SELECT count(*) FROM recon.restatements', :scale,
                    'SELECT count(*) FROM recon.restatements', 3) \g /dev/null
SELECT bench.single('refresh', 'SELECT count(*) FROM recon.reported_figures', :scale,
                    'SELECT count(*) FROM recon.reported_figures', 3) \g /dev/null
CREATE TEMP TABLE bench_causes AS
SELECT subject, period, metric, difference, probable_cause FROM recon.restatements WHERE status = 'pending';

\pset format unaligned
\pset tuples_only on
SELECT E'### refresh\n\n'
    || format(E'Data: `recon_demo_generate(42, %s)`: %s CRM records, %s delivery rows, %s finance transactions (generated in %s s, not counted); '
              'materialized layers: %s.\n\n',
              to_char(:scale, 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.funnel_records), 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.ad_delivery_daily), 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.finance_transactions), 'FM9,999,999'),
              (SELECT round(ms::numeric / 1000, 1) FROM bench.timings WHERE bench = 'refresh' AND case_name LIKE 'recon_demo_generate%'),
              (SELECT string_agg(format('`%s`', view_name), ', ' ORDER BY refresh_order, view_name COLLATE "C")
                 FROM recon.materialized_layers))
    || E'| run | seconds (median) | runs (s) | steps of the last run: view mode rows ms |\n|---|---:|---|---|\n'
    || (SELECT string_agg(format('| %s | %s | %s | %s |', c.case_name,
                                 round(bench.median_ms('refresh', c.case_name, 'single')::numeric / 1000, 2),
                                 (SELECT string_agg(round(t.ms::numeric / 1000, 2)::text, ' / ' ORDER BY t.run)
                                  FROM bench.timings t WHERE t.bench = 'refresh' AND t.case_name = c.case_name),
                                 coalesce((SELECT string_agg(format('%s %s %s %s', s ->> 'view', s ->> 'mode', s ->> 'rows', s ->> 'ms'), '; ')
                                           FROM bench.timings t, jsonb_array_elements(t.result::jsonb) s
                                           WHERE t.bench = 'refresh' AND t.case_name = c.case_name
                                             AND t.run = (SELECT max(run) FROM bench.timings x WHERE x.bench = 'refresh' AND x.case_name = c.case_name)
                                             AND t.result LIKE '[%'), '')), E'\n' ORDER BY c.position)
        FROM bench.cases c WHERE c.bench = 'refresh' AND c.case_name NOT LIKE 'recon_demo_generate%' AND c.case_name NOT LIKE 'CALL%')
    || E'\n\nPending restatements after the late changes:\n\n| subject | period | metric | difference | probable cause |\n|---|---|---|---:|---|\n'
    || coalesce((SELECT string_agg(format('| %s | %s | %s | %s | %s |', subject, to_char(period, 'YYYY-MM'), metric, difference, probable_cause),
                                   E'\n' ORDER BY subject COLLATE "C", period, metric COLLATE "C")
                 FROM bench_causes), '| – | – | – | – | – |');
\pset format aligned
\pset tuples_only off
