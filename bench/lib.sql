-- bench/lib.sql: timing helpers shared by the bench scripts (\ir lib.sql).
--
-- Timing is clock_timestamp() deltas around EXECUTE inside PL/pgSQL: no
-- EXPLAIN ANALYZE (its per-node instrumentation would dominate cheap per-row
-- functions) and no client round trip (each query returns one row). Every query
-- is run once untimed to warm caches, then `runs` times with the recon side and
-- the plain-SQL side interleaved; the median is reported.
--
-- Session settings, the same for both sides:
--   jit = off                          JIT compile time would swamp 100 ms queries
--   max_parallel_workers_per_gather=0  one core per query: per-row cost, less noise on 2 cores
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET jit = off;
SET max_parallel_workers_per_gather = 0;

CREATE SCHEMA IF NOT EXISTS bench;

CREATE TABLE IF NOT EXISTS bench.timings (
    bench      text NOT NULL,
    case_name  text NOT NULL,
    side       text NOT NULL CHECK (side IN ('recon', 'plain', 'scan', 'single')),
    run        integer NOT NULL,
    ms         double precision NOT NULL,
    result     text,
    at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE IF NOT EXISTS bench.cases (
    bench       text NOT NULL,
    case_name   text NOT NULL,
    position    serial,
    rows        bigint NOT NULL,
    recon_sql   text,
    plain_sql   text,
    scan_sql    text,
    expect_same boolean NOT NULL DEFAULT true,
    note        text,
    PRIMARY KEY (bench, case_name)
);

-- One timed execution of a query that returns (at most) one row; the row as text goes to *result.
CREATE OR REPLACE FUNCTION bench.time_once(sql text, OUT ms double precision, OUT result text)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    n  bigint;
BEGIN
    IF sql ~* '^\s*call\M' THEN              -- a procedure: nothing to fetch
        t0 := clock_timestamp();
        EXECUTE sql;
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
        result := 'called';
    ELSIF sql ~* '^\s*(insert|update|delete)\M' AND sql !~* '\mreturning\M' THEN
        t0 := clock_timestamp();
        EXECUTE sql;                           -- no row to fetch: the result is the row count
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
        GET DIAGNOSTICS n = ROW_COUNT;
        result := n::text;
    ELSE
        t0 := clock_timestamp();
        EXECUTE sql INTO result;
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    END IF;
END $$;

-- Compare the recon way with the plain-SQL way of computing the same thing.
--   scan_sql: the same query without the work being measured (reading the rows
--             and the aggregate only), so the per-row cost can be separated out.
--   before:   untimed SQL run before every execution (e.g. TRUNCATE a target table).
--   expect_same: both sides must return the same result (numbers compared as numeric).
CREATE OR REPLACE FUNCTION bench.compare(p_bench text, p_case text, p_rows bigint,
                                         p_recon text, p_plain text, p_scan text DEFAULT NULL,
                                         p_runs integer DEFAULT 3, p_before text DEFAULT NULL,
                                         p_expect_same boolean DEFAULT true, p_note text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r integer;
    side text;
    q text;
    t record;
    res_recon text;
    res_plain text;
BEGIN
    DELETE FROM bench.timings WHERE bench = p_bench AND case_name = p_case;
    DELETE FROM bench.cases WHERE bench = p_bench AND case_name = p_case;
    INSERT INTO bench.cases (bench, case_name, rows, recon_sql, plain_sql, scan_sql, expect_same, note)
    VALUES (p_bench, p_case, p_rows, p_recon, p_plain, p_scan, p_expect_same, p_note);
    PERFORM set_config('client_min_messages', 'notice', true);   -- progress on stderr
    RAISE NOTICE 'bench %: %', p_bench, p_case;
    FOR r IN 0 .. p_runs LOOP                      -- run 0 warms up and is not reported
        FOREACH side IN ARRAY ARRAY['recon', 'plain', 'scan'] LOOP
            q := CASE side WHEN 'recon' THEN p_recon WHEN 'plain' THEN p_plain ELSE p_scan END;
            CONTINUE WHEN q IS NULL;
            IF p_before IS NOT NULL THEN
                EXECUTE p_before;
            END IF;
            t := bench.time_once(q);
            IF r > 0 THEN
                INSERT INTO bench.timings (bench, case_name, side, run, ms, result)
                VALUES (p_bench, p_case, side, r, t.ms, t.result);
            END IF;
            IF side = 'recon' THEN res_recon := t.result; ELSIF side = 'plain' THEN res_plain := t.result; END IF;
        END LOOP;
    END LOOP;
    IF p_expect_same AND NOT bench.same_result(res_recon, res_plain) THEN
        RAISE EXCEPTION 'bench %, %: recon and plain SQL disagree: % vs %', p_bench, p_case, res_recon, res_plain;
    END IF;
END $$;

-- A query with nothing to compare it to (the demo generator), run `runs` times without warm-up.
CREATE OR REPLACE FUNCTION bench.single(p_bench text, p_case text, p_rows bigint, p_sql text,
                                        p_runs integer DEFAULT 1, p_note text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    DELETE FROM bench.timings WHERE bench = p_bench AND case_name = p_case;
    DELETE FROM bench.cases WHERE bench = p_bench AND case_name = p_case;
    INSERT INTO bench.cases (bench, case_name, rows, recon_sql, note)
    VALUES (p_bench, p_case, p_rows, p_sql, p_note);
    PERFORM set_config('client_min_messages', 'notice', true);   -- progress on stderr
    RAISE NOTICE 'bench %: %', p_bench, p_case;
    FOR r IN 1 .. p_runs LOOP
        t := bench.time_once(p_sql);
        INSERT INTO bench.timings (bench, case_name, side, run, ms, result)
        VALUES (p_bench, p_case, 'single', r, t.ms, t.result);
    END LOOP;
    RETURN t.result;
END $$;

CREATE OR REPLACE FUNCTION bench.same_result(a text, b text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF a IS NOT DISTINCT FROM b THEN
        RETURN true;
    END IF;
    RETURN a::numeric = b::numeric;           -- 19.99 and 19.9900000000000000 are the same amount
EXCEPTION WHEN invalid_text_representation THEN
    RETURN false;
END $$;

-- Median of the reported runs of one side of one case, in ms.
CREATE OR REPLACE FUNCTION bench.median_ms(p_bench text, p_case text, p_side text) RETURNS double precision
LANGUAGE sql STABLE AS $$
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)
    FROM bench.timings WHERE bench = p_bench AND case_name = p_case AND side = p_side
$$;

-- Markdown table of the comparisons of one bench:
--   ratio     = plain / recon (the speed-up of recon; below 1 means plain SQL is faster)
--   net ratio = (plain - scan) / (recon - scan): the same on the per-row work alone,
--               without reading the rows and aggregating; shown only when recon - scan is at
--               least 20% of scan, as a smaller difference is within run-to-run noise
CREATE OR REPLACE FUNCTION bench.markdown(p_bench text) RETURNS text
LANGUAGE sql STABLE AS $$
    WITH m AS (
        SELECT c.position, c.case_name, c.rows, c.note,
               bench.median_ms(c.bench, c.case_name, 'recon') AS recon,
               bench.median_ms(c.bench, c.case_name, 'plain') AS plain,
               bench.median_ms(c.bench, c.case_name, 'scan') AS scan,
               (SELECT string_agg(round(ms::numeric)::text, '/' ORDER BY run) FILTER (WHERE side = 'recon')
                       || ' ; ' || string_agg(round(ms::numeric)::text, '/' ORDER BY run) FILTER (WHERE side = 'plain')
                FROM bench.timings t WHERE t.bench = c.bench AND t.case_name = c.case_name) AS runs
        FROM bench.cases c WHERE c.bench = p_bench AND c.plain_sql IS NOT NULL
    )
    SELECT format(E'### %s\n\n', p_bench)
        || E'| case | rows | recon ms | plain SQL ms | ratio (plain/recon) | scan-only ms | net ratio | runs recon / plain (ms) |\n'
        || E'|---|---:|---:|---:|---:|---:|---:|---|\n'
        || string_agg(format(E'| %s | %s | %s | %s | **%s** | %s | %s | %s |',
                             case_name, to_char(rows, 'FM9,999,999,999'),
                             round(recon::numeric), round(plain::numeric),
                             to_char(plain / recon, 'FM990.00') || '×',
                             coalesce(round(scan::numeric)::text, '–'),
                             CASE WHEN scan IS NOT NULL AND recon - scan >= 0.2 * scan AND plain > scan
                                  THEN to_char((plain - scan) / (recon - scan), 'FM9990.0') || '×' ELSE '–' END,
                             runs), E'\n' ORDER BY position)
        || coalesce(E'\n\n' || string_agg(CASE WHEN note IS NOT NULL THEN format('- %s: %s', case_name, note) END,
                                          E'\n' ORDER BY position), '')
        || E'\n'
    FROM m
$$;
