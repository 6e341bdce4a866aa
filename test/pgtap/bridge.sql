-- pgTAP: the recon_bridge aggregate (src/bridge/bridge.c, bridge_state.c, src/core/fixed_decimal.c):
-- exact sums against numeric, lines that add up on random data, parallel = serial, state round trips.
BEGIN;
SELECT plan(16);

-- Catalog: combinable, parallel safe, a real state type with text I/O.
SELECT is((SELECT aggcombinefn::text FROM pg_aggregate WHERE aggfnoid = 'recon_bridge'::regproc),
          'recon_bridge_combine', 'recon_bridge has a combine function');
SELECT is((SELECT format_type(aggtranstype, NULL) FROM pg_aggregate WHERE aggfnoid = 'recon_bridge'::regproc),
          'recon_bridge_state', 'its state is the recon_bridge_state type, not internal');
SELECT is((SELECT string_agg(DISTINCT proparallel::text, '') FROM pg_proc WHERE proname LIKE 'recon\_bridge%'), 's',
          'every recon_bridge function and aggregate is PARALLEL SAFE');
SELECT is((SELECT count(*)::integer FROM pg_proc WHERE proname = 'recon_bridge' AND pronamespace = 'pg_catalog'::regnamespace),
          0, 'no built-in aggregate is called recon_bridge');

-- Random ledger rows: 40 groups, every line, amounts of 0 to 8 decimal places, negative and large values.
CREATE TEMP TABLE random_ledger AS
SELECT g % 40 AS grp,
       (ARRAY['platform_value', 'matched_value', 'unmatched_revenue', 'invalid_duplicate', 'lost_cancelled',
              'value_difference', 'refunds', 'written_off', 'timing', 'collected', 'booked', 'invoiced',
              'recognized'])[1 + floor(recon_demo_random(3, 1, g) * 13)::integer] AS line,
       round(((recon_demo_random(3, 2, g) - 0.2) * 10 ^ floor(recon_demo_random(3, 3, g) * 12))::numeric,
             floor(recon_demo_random(3, 4, g) * 9)::integer) AS amount,
       round((recon_demo_random(3, 5, g) * 3)::numeric, floor(recon_demo_random(3, 6, g) * 3)::integer) AS quantity,
       'EUR' AS currency,
       timestamptz '2026-01-01' + recon_demo_random(3, 7, g) * interval '200 days' AS record_at,
       timestamptz '2026-08-01' AS as_of
FROM generate_series(1, 200000) g;
ANALYZE random_ledger;

-- The fixed-point sums equal numeric's sum() exactly, line by line.
SELECT is((SELECT count(*)::integer FROM (
               SELECT grp, line, sum(amount) AS expected, sum(quantity) AS expected_q,
                      recon_bridge_partial(line, amount, quantity, currency, record_at, as_of, NULL) AS s
               FROM random_ledger GROUP BY grp, line) x
           WHERE x.s::text NOT LIKE '%' || x.line || '=' || x.expected || '/' || x.expected_q || '%'),
          0, 'each line''s total equals sum(numeric) exactly, display scale included (520 line totals)');

-- Property: in every random group the bridge adds up, and each line is its inputs, signed.
CREATE TEMP TABLE random_bridges AS
SELECT grp, (recon_bridge(line, amount, quantity, currency, record_at, as_of, '{7,30,60,90}')).*,
       sum(amount) FILTER (WHERE line = 'platform_value') AS p, sum(amount) FILTER (WHERE line = 'matched_value') AS m,
       sum(amount) FILTER (WHERE line = 'unmatched_revenue') AS u, sum(amount) FILTER (WHERE line = 'timing') AS t,
       sum(amount) FILTER (WHERE line = 'collected') AS c, sum(amount) FILTER (WHERE line = 'refunds') AS r,
       sum(amount) FILTER (WHERE line = 'booked') AS b, max(record_at) AS youngest
FROM random_ledger GROUP BY grp;
SELECT is((SELECT count(*)::integer FROM random_bridges
           WHERE platform_value + unmatched + invalid_duplicate + lost_cancelled + value_difference + refunds
                 + written_off + timing + residual <> collected),
          0, 'platform value + every line + residual = collected in all 40 random groups');
SELECT is((SELECT count(*)::integer FROM random_bridges
           WHERE platform_value <> p OR unmatched <> m - p + u OR timing <> -t OR collected <> c OR refunds <> -r
              OR net_after_refunds <> b - r OR youngest_record_at <> youngest),
          0, 'lines are their inputs, deductions negated; unmatched = matched - platform + orphan money');

-- Parallel plan = serial plan.
\ir ../lib/plan_of.sql
CREATE TEMP TABLE serial_result AS
SELECT grp, recon_bridge(line, amount, quantity, currency, record_at, as_of, '{7,30,60,90}') AS b
FROM random_ledger GROUP BY grp;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
-- temp tables are never scanned in parallel: use a real one
CREATE TABLE public.bridge_parallel_ledger AS SELECT * FROM random_ledger;
ANALYZE public.bridge_parallel_ledger;
SELECT matches(pg_temp.plan_of('SELECT grp, recon_bridge(line, amount, quantity, currency, record_at, as_of, ''{7,30,60,90}'') FROM public.bridge_parallel_ledger GROUP BY grp'),
               'Partial (Hash|Group)?Aggregate', 'the plan aggregates in parallel (Partial Aggregate)');
SELECT is((SELECT count(*)::integer FROM (
               SELECT grp, recon_bridge(line, amount, quantity, currency, record_at, as_of, '{7,30,60,90}') AS b
               FROM public.bridge_parallel_ledger GROUP BY grp) par
           FULL JOIN serial_result ser USING (grp)
           WHERE par.b IS DISTINCT FROM ser.b),
          0, 'the parallel plan returns exactly the serial result in all 40 groups');
SELECT is((SELECT (recon_bridge(line, amount, quantity, currency, record_at, as_of, '{7,30,60,90}')).collected
           FROM public.bridge_parallel_ledger),
          (SELECT sum(amount) FROM random_ledger WHERE line = 'collected'),
          'without GROUP BY too');
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- States survive their text form; merged partial states equal one pass.
SELECT is((SELECT count(*)::integer FROM (
               SELECT grp, recon_bridge_partial(line, amount, quantity, currency, record_at, as_of, '{7,30,60,90}') AS s
               FROM random_ledger GROUP BY grp) x
           WHERE x.s::text::recon_bridge_state::text <> x.s::text),
          0, 'every state''s text form reads back to the same state');
SELECT is((SELECT count(*)::integer FROM (
               SELECT grp, recon_bridge_result(recon_bridge_merge(s::text::recon_bridge_state)) AS b
               FROM (SELECT grp, record_at < '2026-04-01' AS half,
                            recon_bridge_partial(line, amount, quantity, currency, record_at, as_of, '{7,30,60,90}') AS s
                     FROM random_ledger GROUP BY 1, 2) halves
               GROUP BY grp) merged
           JOIN serial_result ser USING (grp) WHERE merged.b IS DISTINCT FROM ser.b),
          0, 'two halves shipped as text and merged equal the single pass, in all 40 groups');

-- (recon_bridge(...)).* aggregates once: the expanded columns come from one aggregate state.
SELECT is((SELECT count(*)::integer FROM (
               SELECT grp, (recon_bridge(line, amount, quantity, currency, record_at, as_of, '{7,30,60,90}')).*
               FROM random_ledger GROUP BY grp) x JOIN serial_result s USING (grp)
           WHERE x.collected <> (s.b).collected OR x.platform_value <> (s.b).platform_value),
          0, '(recon_bridge(...)).* gives the same columns as the composite');

-- Edge: a group of one row; zero amounts keep their scale; mixed scales take the widest.
SELECT is((SELECT (recon_bridge('collected', 0.00, 1, 'USD', NULL, NULL, NULL)).collected::text), '0.00',
          'a zero keeps its display scale');
SELECT is((SELECT (recon_bridge('collected', a, 1, 'USD', NULL, NULL, NULL)).collected::text
           FROM (VALUES (1.5), (2.25), (3)) v(a)), '6.75', 'mixed scales sum at the widest');
SELECT is((SELECT (recon_bridge('collected', a, 1, 'USD', '2026-01-01', '2026-01-09', m)).maturity_days
           FROM (VALUES (1, '{7}'::integer[]), (2, '{8}'::integer[])) v(a, m)), 7,
          'maturity points come from the group''s first row');

SELECT * FROM finish();
ROLLBACK;
