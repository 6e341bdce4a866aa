-- bench/demo_random.sql: recon_demo_random(seed, stream, i), the counter-based
-- generator behind the demo, against plain-SQL deterministic draws that, like it,
-- depend only on (seed, stream, row) and not on the plan or row order
-- (random() after setseed() does not qualify):
--   md5 of 'seed:stream:i', 52 bits of it scaled to [0, 1)
--   hashint8extended(i, seed-and-stream), 52 bits scaled to [0, 1)
-- The draws differ (other hash functions), so only the time is compared.
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/demo_random.sql (after CREATE EXTENSION recon).
\ir lib.sql
\set rows 1000000

DROP TABLE IF EXISTS bench_random_src;
CREATE TABLE bench_random_src AS SELECT i::bigint AS i FROM generate_series(1, :rows) AS i;
VACUUM (FREEZE, ANALYZE) bench_random_src;
CHECKPOINT;                  -- no dirty pages left to write while timing

SELECT bench.compare('demo_random', 'recon_demo_random(42, 7, i) vs md5(42:7:i) -> 52 bits / 2^52', :rows,
    'SELECT sum(recon_demo_random(42, 7, i)) FROM bench_random_src',
    $q$SELECT sum(('x' || substr(md5(42 || ':' || 7 || ':' || i), 1, 13))::bit(52)::bigint / 2::float8 ^ 52) FROM bench_random_src$q$,
    'SELECT sum(i::float8) FROM bench_random_src',
    p_expect_same => false,
    p_note => 'the md5 way builds a string, hashes it, formats hex and parses it back per row') \g /dev/null

SELECT bench.compare('demo_random', 'recon_demo_random(42, 7, i) vs hashint8extended(i, 42 * 1000 + 7) -> 52 bits / 2^52', :rows,
    'SELECT sum(recon_demo_random(42, 7, i)) FROM bench_random_src',
    'SELECT sum((hashint8extended(i, 42 * 1000 + 7) & 4503599627370495)::float8 / 4503599627370496) FROM bench_random_src',
    'SELECT sum(i::float8) FROM bench_random_src',
    p_expect_same => false,
    p_note => 'the fastest plain-SQL way found: PostgreSQL''s own 64-bit hash, stable across releases because hash partitioning depends on it') \g /dev/null

-- Both ways give a uniform mean (0.5) over 1M draws: a sanity check, not a test of quality.
SELECT bench.single('demo_random', 'sanity: mean of 1M draws, recon / md5 / hashint8extended', :rows,
    $q$SELECT round(avg(recon_demo_random(42, 7, i))::numeric, 4) || ' / '
           || round(avg(('x' || substr(md5(42 || ':' || 7 || ':' || i), 1, 13))::bit(52)::bigint / 2::float8 ^ 52)::numeric, 4) || ' / '
           || round(avg((hashint8extended(i, 42 * 1000 + 7) & 4503599627370495)::float8 / 4503599627370496)::numeric, 4)
       FROM bench_random_src$q$) AS means \gset

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('demo_random') || E'\n- means of the 1M draws (recon / md5 / hashint8extended): ' || :'means';
\pset format aligned
\pset tuples_only off
DROP TABLE bench_random_src;
