-- bench/jaro_winkler.sql: recon_jaro_winkler (C, over characters) against the same definition
-- in PL/pgSQL (test/reference/jaro_winkler_plpgsql.sql), on name pairs as blocking produces them:
-- a surname against a variant with one typo, a transposition, a deletion, or another surname.
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/jaro_winkler.sql (after CREATE EXTENSION recon).
\ir lib.sql
\ir ../test/reference/jaro_winkler_plpgsql.sql
\if :{?rows}
\else
\set rows 100000
\endif
SET max_parallel_workers_per_gather = 0;

DROP TABLE IF EXISTS bench_jw_pairs;
CREATE TABLE bench_jw_pairs AS
SELECT i, a,
       CASE i % 4
           WHEN 0 THEN overlay(a placing 'x' from 1 + (i % length(a)) for 1)
           WHEN 1 THEN left(a, 1) || substr(a, 3, 1) || substr(a, 2, 1) || substr(a, 4)
           WHEN 2 THEN left(a, length(a) / 2) || substr(a, length(a) / 2 + 2)
           ELSE other
       END AS b
FROM generate_series(1, :rows) AS i,
     LATERAL (SELECT (ARRAY['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez',
                            'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor',
                            'moore', 'jackson', 'martin', 'okafor', 'nguyen', 'müller', 'schröder'])[1 + i % 24] AS a,
                     (ARRAY['lee', 'perez', 'thompson', 'white', 'harris', 'sanchez', 'clark', 'ramirez', 'lewis',
                            'robinson', 'walker'])[1 + (i / 7) % 11] AS other) AS n;
VACUUM (FREEZE, ANALYZE) bench_jw_pairs;
CHECKPOINT;

SELECT bench.compare('jaro_winkler', 'recon_jaro_winkler(a, b) vs the same definition in PL/pgSQL', :rows,
    'SELECT round(sum(recon_jaro_winkler(a, b))::numeric, 6) FROM bench_jw_pairs',
    'SELECT round(sum(pg_temp.jaro_winkler_plpgsql(a, b))::numeric, 6) FROM bench_jw_pairs',
    'SELECT count(a || b) FROM bench_jw_pairs',
    p_note => 'surnames of 2-9 characters (2 with umlauts) against a typo, a transposition, a deletion or another surname; both sides sum to the same total') \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('jaro_winkler');
\pset format aligned
\pset tuples_only off
DROP TABLE bench_jw_pairs;
