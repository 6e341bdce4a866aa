-- linkage_fellegi_sunter: comparison levels and Fellegi-Sunter scoring
-- (src/linkage/comparison.c, fellegi_sunter.c, fs_patterns_sql.c, fs_model_sql.c, fs_sql.c).

-- Text: 0 missing (NULL or empty), 1 equal, then Jaro-Winkler bands (default {0.92,0.8}), last: else.
SELECT a, b, recon_compare_text(a, b) AS level, recon_compare_exact(a, b) AS exact_level
FROM (VALUES ('martha', 'martha'), ('martha', 'marhta'), ('dwayne', 'duane'), ('smith', 'jones'),
             (NULL, 'ann'), ('', 'ann'), ('müller', 'muller')) AS v(a, b)
ORDER BY a COLLATE "C" NULLS FIRST, b COLLATE "C";
SELECT recon_compare_text('dwayne', 'duane', '{0.95,0.9,0.8}') AS custom_bands,
       recon_compare_text('dwayne', 'duane', '{}') AS exact_or_else;

-- Time gaps (either direction), dates in days, amounts in percent.
SELECT recon_compare_time('2026-03-01 10:00:00+00', '2026-03-01 10:00:00+00', '{1 minute,1 hour,1 day}') AS same,
       recon_compare_time('2026-03-01 10:00:30+00', '2026-03-01 10:00:00+00', '{1 minute,1 hour,1 day}') AS seconds,
       recon_compare_time('2026-03-01 09:00:00+00', '2026-03-01 10:00:00+00', '{1 minute,1 hour,1 day}') AS one_hour,
       recon_compare_time('2026-03-05 10:00:00+00', '2026-03-01 10:00:00+00', '{1 minute,1 hour,1 day}') AS days,
       recon_compare_time(NULL, '2026-03-01 10:00:00+00', '{1 minute}') AS missing;
SELECT recon_compare_date('2026-03-01', '2026-03-01', '{1,7}') AS same_day,
       recon_compare_date('2026-03-01', '2026-03-06', '{1,7}') AS within_week,
       recon_compare_date('infinity', '2026-03-06', '{1,7}') AS infinite;
SELECT recon_compare_amount(100, 100.00) AS equal, recon_compare_amount(100, 100.5) AS half_percent,
       recon_compare_amount(100, 104) AS four_percent, recon_compare_amount(100, 150) AS far,
       recon_compare_amount(0, 0.01) AS from_zero, recon_compare_amount(NULL, 5) AS missing;

-- Bad thresholds: named rule, SQLSTATE.
SELECT * FROM regress.error_of($$SELECT recon_compare_amount(1, 2, '{-1}')$$);
SELECT * FROM regress.error_of($$SELECT recon_compare_text('a', 'b', '{0.8,0.9}')$$);
SELECT * FROM regress.error_of($$SELECT recon_compare_text('a', 'b', '{1.5}')$$);
SELECT * FROM regress.error_of($$SELECT recon_compare_time(now(), now(), '{1 hour,1 minute}')$$);
SELECT * FROM regress.error_of($$SELECT recon_compare_date(current_date, current_date, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_compare_amount(1, 2, '{1,NULL}')$$);
SELECT * FROM regress.error_of($$SELECT recon_compare_amount(1, 2, '{1,2,3,4,5,6,7,8,9,10,11,12,13,14}')$$);

-- Pattern counts: the aggregate, its text form and its rows.
SELECT recon_fs_pattern_counts(l) FROM (VALUES ('{1,2}'::smallint[]), ('{1,2}'), ('{2,3}'), ('{0,1}'), ('{1,NULL}')) v(l);
SELECT * FROM recon_fs_pattern_rows('2|2.3=1|1.2=2|0.1=1');
SELECT '0'::recon_fs_patterns AS empty, recon_fs_patterns_merge('1|1=2', '1|1=3|2=1') AS merged;
SELECT * FROM regress.error_of($$SELECT '2|1=4'::recon_fs_patterns$$);
SELECT * FROM regress.error_of($$SELECT '1|16=4'::recon_fs_patterns$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_pattern_counts(l) FROM (VALUES ('{1}'::smallint[]), ('{1,2}')) v(l)$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_pattern_counts('{16}'::smallint[])$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_patterns_merge('1|1=2', '2|1.1=3')$$);

-- u from random pairs, m by EM: small fixed counts, so the output is exact.
SELECT recon_fs_estimate_u('2|1.1=1|1.2=9|2.1=40|2.2=950', '{surname,city}', '{2,2}') AS u_model;
SELECT recon_fs_estimate_m('2|1.1=90|1.2=10|2.1=15|2.2=885',
                           recon_fs_estimate_u('2|1.1=1|1.2=9|2.1=40|2.2=950', '{surname,city}', '{2,2}')) AS em_model;
SELECT recon_fs_estimate_m('2|1.1=90|1.2=10|2.1=15|2.2=885',
                           recon_fs_estimate_u('2|1.1=1|1.2=9|2.1=40|2.2=950', '{surname,city}', '{2,2}'), '{surname}') AS surname_fixed;
SELECT recon_fs_average_m(ARRAY[
    '{"prior": 0.1, "comparisons": [{"name": "a", "m": [0.8, 0.2], "u": [0.1, 0.9], "m_fixed": true}, {"name": "b", "m": [0.6, 0.4], "u": [0.2, 0.8]}]}',
    '{"prior": 0.2, "comparisons": [{"name": "a", "m": [0.9, 0.1], "u": [0.1, 0.9]}, {"name": "b", "m": [0.8, 0.2], "u": [0.2, 0.8], "m_fixed": true}]}'
]::jsonb[]) AS averaged;
-- m from pairs known to match; u without the true matches random pairs hold (closed form with a
-- known prior, or by EM with m held).
SELECT recon_fs_m_from_matches('2|1.1=80|1.2=10|2.1=6|0.2=4',
                               recon_fs_estimate_u('2|1.1=1|1.2=9|2.1=40|2.2=950', '{surname,city}', '{2,2}')) AS supervised;
SELECT recon_fs_refine_u('2|1.1=1|1.2=9|2.1=40|2.2=950',
                         '{"prior": 0.5, "comparisons": [{"name": "surname", "m": [0.99, 0.01], "u": [0.01, 0.99]}, {"name": "city", "m": [0.9, 0.1], "u": [0.04, 0.96]}]}',
                         0.001) AS refined;
SELECT recon_fs_estimate_u_em('2|1.1=1|1.2=9|2.1=40|2.2=950',
                              '{"prior": 0.01, "comparisons": [{"name": "surname", "m": [0.99, 0.01], "u": [0.01, 0.99]}, {"name": "city", "m": [0.9, 0.1], "u": [0.04, 0.96]}]}') AS u_by_em;
SELECT * FROM regress.error_of($$SELECT recon_fs_refine_u('1|1=5', '{"prior": 0.5, "comparisons": [{"name": "a", "m": [0.9, 0.1], "u": [0.1, 0.9]}]}', 0)$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_m_from_matches('0', '{"prior": 0.5, "comparisons": [{"name": "a", "m": [0.9, 0.1], "u": [0.1, 0.9]}]}')$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_estimate_u('1|1=5', '{a,b}', '{2}')$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_estimate_u('1|1=5', '{a}', '{1}')$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_estimate_u('1|3=5', '{a}', '{2}')$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_estimate_m('1|1=5', '{"prior": 0.5, "comparisons": [{"name": "a", "m": [0.9, 0.1], "u": [0.1, 0.9]}]}', '{}', 0)$$);

-- Weights and the per-pair explanation an analyst reads.
\set model '{"prior": 0.01, "comparisons": [{"name": "surname", "labels": ["exact", "similar", "different"], "m": [0.9, 0.07, 0.03], "u": [0.002, 0.01, 0.988]}, {"name": "city", "m": [0.8, 0.2], "u": [0.05, 0.95]}]}'
SELECT levels, round(recon_fs_weight(:'model', levels)::numeric, 4) AS weight,
       round(recon_fs_probability(recon_fs_weight(:'model', levels))::numeric, 4) AS probability
FROM (VALUES ('{1,1}'::smallint[]), ('{1,2}'), ('{2,1}'), ('{3,2}'), ('{0,0}'), ('{1,NULL}')) v(levels)
ORDER BY weight DESC;
SELECT jsonb_pretty(recon_fs_explain(:'model', '{1,0}', '{0.02,NULL}'));
SELECT recon_fs_weight(NULL, '{1,1}') IS NULL AS null_model, recon_fs_weight(:'model', NULL) IS NULL AS null_levels;
SELECT * FROM regress.error_of($$SELECT recon_fs_weight('[]', '{1}')$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_weight('{"prior": 0.5}', '{1}')$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_weight('{"prior": 0.5, "comparisons": [{"name": "a", "m": [0.9, 0.1], "u": [0.1]}]}', '{1}')$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_weight('{"prior": 0.5, "comparisons": [{"name": "a", "m": [1.2, 0.1], "u": [0.1, 0.9]}]}', '{1}')$$);
SELECT * FROM regress.error_of($$SELECT recon_fs_weight('{"prior": 0.5, "comparisons": [{"name": "a", "m": [0.9, 0.1], "u": [0.1, 0.9]}, {"name": "a", "m": [0.9, 0.1], "u": [0.1, 0.9]}]}', '{1,1}')$$);
SELECT * FROM regress.error_of(format($$SELECT recon_fs_weight(%L, '{4,1}')$$, :'model'));
SELECT * FROM regress.error_of(format($$SELECT recon_fs_weight(%L, '{1,1}', '{0,NULL}')$$, :'model'));
SELECT * FROM regress.error_of(format($$SELECT recon_fs_weight(%L, '{1,1}', '{0.1}')$$, :'model'));
SELECT * FROM regress.error_of($$SELECT recon_fs_probability('NaN')$$);
