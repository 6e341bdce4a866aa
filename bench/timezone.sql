-- bench/timezone.sql: recon_timezone (a per-backend hash of the tz database's
-- names) against the plain-SQL case-insensitive lookup: a join to
-- pg_timezone_names, materialized into a table first (the view is a function
-- scan that reads the tz database on every query), and the view itself.
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/timezone.sql (after CREATE EXTENSION recon).
\ir lib.sql
\set rows 1000000

DROP TABLE IF EXISTS bench_tz, bench_tz_src;
DROP DOMAIN IF EXISTS bench_timezone_sql;
-- The lookup table: upper-cased key -> spelling. recon refuses the fixed-offset
-- zones EST, MST and HST (users mean the DST regions), so the table leaves them out too.
CREATE TABLE bench_tz AS
    SELECT upper(name) AS key, name FROM pg_timezone_names WHERE upper(name) NOT IN ('EST', 'MST', 'HST');
ALTER TABLE bench_tz ADD PRIMARY KEY (key);
SELECT count(*) AS n_zones FROM bench_tz \gset
-- 1M names as users write them: as spelled, lower case, upper case, or padded with blanks.
CREATE TABLE bench_tz_src AS
    SELECT i, CASE i % 4 WHEN 0 THEN z.name WHEN 1 THEN lower(z.name) WHEN 2 THEN upper(z.name)
                         ELSE ' ' || z.name || ' ' END AS name
    FROM generate_series(1, :rows) AS i
    JOIN (SELECT name, row_number() OVER (ORDER BY key) - 1 AS k FROM bench_tz) z
      ON z.k = (i::bigint * 7919) % :n_zones;
VACUUM (FREEZE, ANALYZE) bench_tz, bench_tz_src;
CHECKPOINT;                  -- no dirty pages left to write while timing

SELECT bench.compare('timezone', 'recon_timezone(name) vs JOIN materialized pg_timezone_names ON upper()', :rows,
    'SELECT sum(length(recon_timezone(name))) FROM bench_tz_src',
    'SELECT sum(length(z.name)) FROM bench_tz_src s JOIN bench_tz z ON z.key = upper(btrim(s.name))',
    'SELECT sum(length(name)) FROM bench_tz_src',
    p_note => format('%s zone names; the plain join is a hash join on upper(btrim(name))', :n_zones)) \g /dev/null

SELECT bench.compare('timezone', 'recon_timezone(name) vs JOIN the pg_timezone_names view', :rows,
    'SELECT sum(length(recon_timezone(name))) FROM bench_tz_src',
    $q$SELECT sum(length(z.name)) FROM bench_tz_src s
       JOIN pg_timezone_names z ON upper(z.name) = upper(btrim(s.name)) AND upper(z.name) NOT IN ('EST', 'MST', 'HST')$q$,
    'SELECT sum(length(name)) FROM bench_tz_src',
    p_note => 'the view is scanned once per query (hash join build side), which reads the tz database from disk') \g /dev/null

-- The domain (recon_timezone_name, used by the data model) against a plain-SQL domain: a CHECK
-- cannot query a table, so the plain way lists the names. Canonical spellings only (others raise).
SELECT string_agg(quote_literal(name), ', ' ORDER BY key) AS zone_list FROM bench_tz \gset
CREATE DOMAIN bench_timezone_sql AS text COLLATE "C" CHECK (VALUE IN (:zone_list));
SELECT count(*) AS canonical_rows FROM bench_tz_src WHERE i % 4 = 0 \gset
SELECT bench.compare('timezone', 'domain cast: recon_timezone_name vs CHECK (VALUE IN (list of names))', :canonical_rows,
    'SELECT count(name::recon_timezone_name) FROM bench_tz_src WHERE i % 4 = 0',
    'SELECT count(name::bench_timezone_sql) FROM bench_tz_src WHERE i % 4 = 0',
    'SELECT count(name) FROM bench_tz_src WHERE i % 4 = 0',
    p_note => format('the rows spelled canonically; the plain domain lists all %s names (a CHECK cannot query a table)', :n_zones)) \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('timezone');
\pset format aligned
\pset tuples_only off
DROP TABLE bench_tz, bench_tz_src;
DROP DOMAIN bench_timezone_sql;
