-- pgTAP: comparison levels and Fellegi-Sunter (src/linkage/comparison.c, fellegi_sunter.c, fs_*_sql.c).
BEGIN;
SELECT plan(30);

-- Catalog: the aggregate is combinable, parallel safe and has a real state type.
SELECT is((SELECT aggcombinefn::text FROM pg_aggregate WHERE aggfnoid = 'recon_fs_pattern_counts'::regproc),
          'recon_fs_patterns_merge', 'recon_fs_pattern_counts has a combine function');
SELECT is((SELECT format_type(aggtranstype, NULL) FROM pg_aggregate WHERE aggfnoid = 'recon_fs_pattern_counts'::regproc),
          'recon_fs_patterns', 'its state is the recon_fs_patterns type, not internal');
SELECT is((SELECT string_agg(DISTINCT proparallel::text, '') FROM pg_proc
           WHERE proname LIKE 'recon\_fs\_%' OR proname LIKE 'recon\_compare\_%'), 's',
          'every Fellegi-Sunter and comparison function is PARALLEL SAFE');

-- Synthetic pairs with known m and u, drawn from a hash so the test is deterministic:
-- 10% matches; match agreement 0.9 / 0.8 / 0.7, non-match agreement 0.05 / 0.1 / 0.01.
CREATE TEMP TABLE synthetic AS
SELECT g, g % 10 = 0 AS is_match,
       ARRAY[CASE WHEN recon_demo_random(1, 1, g) < CASE WHEN g % 10 = 0 THEN 0.9 ELSE 0.05 END THEN 1 ELSE 2 END,
             CASE WHEN recon_demo_random(1, 2, g) < CASE WHEN g % 10 = 0 THEN 0.8 ELSE 0.1 END THEN 1 ELSE 2 END,
             CASE WHEN recon_demo_random(1, 3, g) < CASE WHEN g % 10 = 0 THEN 0.7 ELSE 0.01 END THEN 1 ELSE 2 END
       ]::smallint[] AS levels
FROM generate_series(1, 200000) g;
CREATE TEMP TABLE trained AS
WITH u AS (SELECT recon_fs_estimate_u(recon_fs_pattern_counts(levels), '{a,b,c}', '{2,2,2}') AS model
           FROM synthetic WHERE NOT is_match)
SELECT u.model AS u_model, recon_fs_estimate_m(recon_fs_pattern_counts(s.levels), u.model) AS model
FROM synthetic s, u GROUP BY u.model;

SELECT ok((SELECT abs((u_model #>> '{comparisons,0,u,0}')::float8 - 0.05) < 0.005
              AND abs((u_model #>> '{comparisons,2,u,0}')::float8 - 0.01) < 0.002 FROM trained),
          'u from non-matching pairs recovers the true u (0.05, 0.01)');
SELECT ok((SELECT abs((model #>> '{comparisons,0,m,0}')::float8 - 0.9) < 0.02
              AND abs((model #>> '{comparisons,1,m,0}')::float8 - 0.8) < 0.02
              AND abs((model #>> '{comparisons,2,m,0}')::float8 - 0.7) < 0.02 FROM trained),
          'EM recovers the true m (0.9, 0.8, 0.7) within 0.02');
SELECT ok((SELECT abs((model ->> 'prior')::float8 - 0.1) < 0.01 FROM trained), 'EM recovers the match share 0.1 as the prior');
SELECT ok((SELECT (model #>> '{em,converged}')::boolean FROM trained), 'EM reports convergence');

-- Weights: the explanation adds up, probability follows the weight.
SELECT is((SELECT count(*) FROM trained, (SELECT DISTINCT levels FROM synthetic) l
           WHERE abs(recon_fs_weight(model, l.levels)
                     - ((recon_fs_explain(model, l.levels) ->> 'prior_weight')::float8
                        + (SELECT sum((c ->> 'weight')::float8) FROM jsonb_array_elements(recon_fs_explain(model, l.levels) -> 'comparisons') c)))
                 > 1e-5), 0::bigint, 'every weight is the prior weight plus the explained level weights');
SELECT ok((SELECT recon_fs_weight(model, '{1,1,1}') > recon_fs_weight(model, '{1,1,2}')
              AND recon_fs_weight(model, '{1,1,2}') > recon_fs_weight(model, '{2,2,2}') FROM trained),
          'more agreement weighs more');
SELECT ok((SELECT abs(recon_fs_weight(model, '{0,0,0}') - log(2, ((model ->> 'prior')::float8 / (1 - (model ->> 'prior')::float8))::numeric)) < 1e-6
           FROM trained), 'all missing: only the prior weight, log2(prior / (1 - prior))');
SELECT ok((SELECT recon_fs_weight(model, '{1,1,1}', '{0.2,NULL,NULL}') < recon_fs_weight(model, '{1,1,1}', '{0.001,NULL,NULL}') FROM trained),
          'term frequency: agreeing on a common value weighs less than on a rare one');
SELECT is(recon_fs_probability(0), 0.5::float8, 'weight 0 is probability 0.5');
SELECT ok(recon_fs_probability(10) > 0.999 AND recon_fs_probability(-10) < 0.001 AND recon_fs_probability(5000) = 1,
          'probability saturates without overflow');

-- The aggregate: parallel equals serial; combine equals one pass; text round trip.
\ir ../lib/plan_of.sql
CREATE TEMP TABLE serial_result AS SELECT recon_fs_pattern_counts(levels)::text AS p FROM synthetic;
-- temp tables are not read by parallel workers: a regular table, dropped by the ROLLBACK
CREATE TABLE public.linkage_fs_par AS SELECT levels FROM synthetic;
ANALYZE public.linkage_fs_par;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT matches(pg_temp.plan_of('SELECT recon_fs_pattern_counts(levels) FROM public.linkage_fs_par'),
               'Partial Aggregate', 'the planner splits recon_fs_pattern_counts into partial aggregates');
SELECT is((SELECT recon_fs_pattern_counts(levels)::text FROM public.linkage_fs_par), (SELECT p FROM serial_result),
          'a parallel plan counts the same patterns as a serial one');
RESET max_parallel_workers_per_gather;
SELECT is((SELECT recon_fs_patterns_merge(
               (SELECT recon_fs_pattern_counts(levels) FROM synthetic WHERE g <= 70000),
               (SELECT recon_fs_pattern_counts(levels) FROM synthetic WHERE g > 70000))::text),
          (SELECT p FROM serial_result), 'merging two halves equals counting all pairs at once');
SELECT is((SELECT p::recon_fs_patterns::text FROM serial_result), (SELECT p FROM serial_result), 'text form round-trips');
SELECT is((SELECT sum(pairs) FROM serial_result, recon_fs_pattern_rows(p::recon_fs_patterns)), 200000::float8,
          'recon_fs_pattern_rows lists every pair once');

-- FEBRL dataset 4: the documented recipe (bench/febrl/) links 5,000 true pairs with F1 >= 0.99.
SET LOCAL client_min_messages = warning;
\ir ../../bench/febrl/load.sql
\ir ../../bench/febrl/recipe.sql
SELECT is((SELECT true_pairs FROM febrl_quality WHERE linker = 'recon Fellegi-Sunter'), 5000::bigint, 'FEBRL 4 has 5,000 true pairs');
SELECT cmp_ok((SELECT f1 FROM febrl_quality WHERE linker = 'recon Fellegi-Sunter'), '>=', 0.99, 'FEBRL 4: F1 at least 0.99');
SELECT cmp_ok((SELECT precision FROM febrl_quality WHERE linker = 'recon Fellegi-Sunter'), '>=', 0.99, 'FEBRL 4: precision at least 0.99');
SELECT cmp_ok((SELECT f1 FROM febrl_quality WHERE linker = 'exact name and date of birth'), '<', 0.8,
              'FEBRL 4: the crude exact rule stays far below (the test data is hard)');
SELECT ok((SELECT bool_and((model #>> '{em,converged}')::boolean) FROM febrl_model WHERE step LIKE 'm %'),
          'FEBRL 4: EM converged for every blocking rule');

-- Bad input: clear errors with SQLSTATEs.
SELECT throws_ok($$SELECT recon_compare_amount(1, 2, '{-1}')$$, '22023', NULL, 'a negative threshold is refused');
SELECT throws_ok($$SELECT recon_compare_text('a', 'b', '{0.8,0.9}')$$, '22023', NULL, 'increasing similarity thresholds are refused');
SELECT throws_ok($$SELECT recon_compare_time(now(), now(), NULL)$$, '22004', NULL, 'NULL limits are refused');
SELECT throws_ok($$SELECT recon_fs_weight('{"prior": 0.5, "comparisons": [{"name": "a", "m": [0.9, 0.1], "u": [0.1, 0.9]}]}', '{1,1}')$$,
                 '22023', 'the pair has 2 comparison levels but the model has 1 comparisons', 'levels must match the model');
SELECT throws_ok($$SELECT recon_fs_weight('{"prior": 0, "comparisons": []}', '{1}')$$, '22023', NULL, 'a prior of 0 is refused');
SELECT throws_ok($$SELECT recon_fs_estimate_m('1|1=5', '{"prior": 0.5, "comparisons": [{"name": "a", "m": [0.9, 0.1], "u": [0.1, 0.9]}]}', '{b}')$$,
                 '22023', 'fixed names comparison "b", which the model does not have', 'fixing an unknown comparison is refused');
SELECT throws_ok($$SELECT recon_fs_pattern_counts(x) FROM (VALUES ('{1}'::smallint[]), ('{1,2}')) v(x)$$,
                 '22023', NULL, 'patterns of different widths are refused');
SELECT * FROM finish();
ROLLBACK;
