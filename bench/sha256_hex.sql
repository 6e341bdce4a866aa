-- bench/sha256_hex.sql: recon_sha256_hex (hashing in C, no per-row context)
-- against core sha256() + encode(); recon_is_sha256_hex (a C table lookup)
-- against the plain-SQL checks for "64 lower-case hex characters": a regular
-- expression, and a length test plus a negated character class.
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/sha256_hex.sql (after CREATE EXTENSION recon).
\ir lib.sql
\set rows 1000000

DROP TABLE IF EXISTS bench_sha_src;
DROP DOMAIN IF EXISTS bench_sha256_regex;
-- 1M values: 90% real digests, 5% upper-case digests, 5% one character short.
CREATE TABLE bench_sha_src AS
    SELECT i, CASE WHEN i % 20 = 0 THEN upper(d) WHEN i % 20 = 1 THEN left(d, 63) ELSE d END AS v,
           i % 20 > 1 AS valid
    FROM generate_series(1, :rows) AS i
    CROSS JOIN LATERAL (SELECT encode(sha256(i::text::bytea), 'hex') AS d) h;
VACUUM (FREEZE, ANALYZE) bench_sha_src;
CHECKPOINT;                  -- no dirty pages left to write while timing
SELECT count(*) AS valid_rows FROM bench_sha_src WHERE valid \gset

-- The plain-SQL domain, as one would write it without recon.
CREATE DOMAIN bench_sha256_regex AS text COLLATE "C" CHECK (VALUE ~ '^[0-9a-f]{64}$');

SELECT bench.compare('sha256_hex', $c$WHERE: recon_is_sha256_hex(v) vs v ~ '^[0-9a-f]{64}$'$c$, :rows,
    'SELECT count(*) FILTER (WHERE recon_is_sha256_hex(v)) FROM bench_sha_src',
    $q$SELECT count(*) FILTER (WHERE v ~ '^[0-9a-f]{64}$') FROM bench_sha_src$q$,
    'SELECT count(*) FILTER (WHERE v IS NOT NULL) FROM bench_sha_src',
    p_note => '90% valid digests, 5% upper case, 5% 63 characters; the database collation applies to the regex') \g /dev/null

SELECT bench.compare('sha256_hex', $c$WHERE: recon_is_sha256_hex(v) vs length(v) = 64 AND v !~ '[^0-9a-f]'$c$, :rows,
    'SELECT count(*) FILTER (WHERE recon_is_sha256_hex(v)) FROM bench_sha_src',
    $q$SELECT count(*) FILTER (WHERE length(v) = 64 AND v !~ '[^0-9a-f]') FROM bench_sha_src$q$,
    'SELECT count(*) FILTER (WHERE v IS NOT NULL) FROM bench_sha_src') \g /dev/null

SELECT bench.compare('sha256_hex', $c$domain cast: recon_sha256_digest vs CHECK (VALUE ~ '^[0-9a-f]{64}$')$c$, :valid_rows,
    'SELECT count(v::recon_sha256_digest) FROM bench_sha_src WHERE valid',
    'SELECT count(v::bench_sha256_regex) FROM bench_sha_src WHERE valid',
    'SELECT count(v) FROM bench_sha_src WHERE valid',
    p_note => 'the valid rows only (an invalid one would raise); both domains COLLATE "C"') \g /dev/null

-- Hashing: typical emails, as recon_hash_identifier will hash them.
CREATE TABLE bench_sha_emails AS SELECT 'person' || i || '@example.com' AS v FROM generate_series(1, :rows) AS i;
VACUUM (FREEZE, ANALYZE) bench_sha_emails;
SELECT bench.compare('sha256_hex', $c$hash: recon_sha256_hex(v) vs encode(sha256(convert_to(v, 'UTF8')), 'hex')$c$, :rows,
    'SELECT count(recon_sha256_hex(v)) FROM bench_sha_emails',
    $q$SELECT count(encode(sha256(convert_to(v, 'UTF8')), 'hex')) FROM bench_sha_emails$q$,
    'SELECT count(v) FROM bench_sha_emails',
    p_note => '1M emails of 20-25 bytes; both sides give the same 64 hex characters') \g /dev/null
DROP TABLE bench_sha_emails;

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('sha256_hex');
\pset format aligned
\pset tuples_only off
DROP TABLE bench_sha_src;
DROP DOMAIN bench_sha256_regex;
