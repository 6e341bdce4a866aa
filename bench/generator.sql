-- bench/generator.sql: throughput of the ground-truth demo generator,
-- recon_demo_generate(42, N), and of the report and the truth checks on its data.
-- There is no plain-SQL way to compare with (the generator is itself SQL around
-- recon's C functions), so this reports absolute numbers: seconds, journeys/s and
-- rows written/s (the sum of rows_written over all tables).
-- Sizes: psql -v small=N -v large=N (default 100000 and 1000000); the report and demo_verify()
-- are timed after the first size, 3 runs each (median).
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/generator.sql (after CREATE EXTENSION recon).
\ir lib.sql
-- Unlike the per-row benches, the generator and the report run as a user runs them:
-- with parallel query at the server default (JIT stays off; the generator turns it off itself).
RESET max_parallel_workers_per_gather;
\if :{?small}
\else
\set small 100000
\endif
\if :{?large}
\else
\set large 1000000
\endif

-- The demo's settings (as scripts/demo.sql sets them).
SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'bench: as the demo') \g /dev/null
SELECT recon.set_setting('reporting_currency', 'USD', 'bench: as the demo') \g /dev/null
SELECT recon.install_default_contract('bench: as the demo') \g /dev/null
CHECKPOINT;

SELECT bench.single('generator', format('recon_demo_generate(42, %s)', :small), :small,
                    format('SELECT sum(rows_written) FROM recon_demo_generate(42, %s)', :small)) \g /dev/null
CHECKPOINT;
SELECT bench.single('generator', 'SELECT count(*) FROM recon.report_channel_month', :small,
                    'SELECT count(*) FROM recon.report_channel_month', 3) \g /dev/null
SELECT bench.single('generator', 'SELECT * FROM recon.demo_verify()', :small,
                    $q$SELECT count(*) || ' checks, ' || count(*) FILTER (WHERE NOT passed) || ' failed' FROM recon.demo_verify()$q$, 3) \g /dev/null

CHECKPOINT;
SELECT bench.single('generator', format('recon_demo_generate(42, %s)', :large), :large,
                    format('SELECT sum(rows_written) FROM recon_demo_generate(42, %s)', :large)) \g /dev/null

\pset format unaligned
\pset tuples_only on
WITH t AS (
    SELECT c.position, c.case_name, c.rows, bench.median_ms(c.bench, c.case_name, 'single') AS ms,
           (array_agg(t.result ORDER BY t.run DESC))[1] AS result,
           string_agg(round(t.ms::numeric)::text, '/' ORDER BY t.run) AS runs
    FROM bench.cases c JOIN bench.timings t USING (bench, case_name)
    WHERE c.bench = 'generator'
    GROUP BY c.position, c.case_name, c.rows, c.bench
)
SELECT E'### generator\n\n'
    || E'| run | journeys | seconds | journeys/s | rows written | rows written/s |\n'
    || E'|---|---:|---:|---:|---:|---:|\n'
    || string_agg(format('| %s | %s | %s | %s | %s | %s |', case_name, to_char(rows, 'FM9,999,999,999'),
                         to_char(ms / 1000, 'FM99990.0'), to_char(rows / (ms / 1000), 'FM9,999,999,999'),
                         to_char(result::bigint, 'FM9,999,999,999'), to_char(result::bigint / (ms / 1000), 'FM9,999,999,999')),
                  E'\n' ORDER BY position) FILTER (WHERE case_name LIKE 'recon_demo_generate%')
    || format(E'\n\nOn the data of the %s-journey run (3 runs, median):\n\n', to_char(:small, 'FM9,999,999'))
    || E'| query | ms | runs (ms) | result |\n|---|---:|---|---|\n'
    || string_agg(format('| `%s` | %s | %s | %s |', case_name, round(ms::numeric), runs, result),
                  E'\n' ORDER BY position) FILTER (WHERE case_name NOT LIKE 'recon_demo_generate%')
    || E'\n\n- no plain-SQL alternative to compare with: the generator is SQL built on recon''s C functions\n'
    || format(E'- parallel query at the server default (max_parallel_workers_per_gather = %s), jit = off\n',
              current_setting('max_parallel_workers_per_gather'))
FROM t;
\pset format aligned
\pset tuples_only off
