-- pgTAP: string similarity for probabilistic linkage (src/linkage/jaro_winkler.c).
BEGIN;
SELECT plan(11);
\ir ../reference/jaro_winkler_plpgsql.sql

SELECT has_function('recon_jaro', ARRAY['text', 'text'], 'recon_jaro(a, b) exists');
SELECT has_function('recon_jaro_winkler', ARRAY['text', 'text', 'double precision'], 'recon_jaro_winkler(a, b, prefix_scale) exists');
SELECT is((SELECT string_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text, ',') FROM pg_proc
           WHERE proname IN ('recon_jaro', 'recon_jaro_winkler')),
          'istrue', 'both are IMMUTABLE, PARALLEL SAFE and STRICT');

-- Name pairs as linkage sees them: each name against itself with one typo, a transposition,
-- a deletion, an insertion, an accent, and against every other name.
CREATE TEMP TABLE names AS
SELECT n FROM unnest(ARRAY['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis',
    'rodriguez', 'martinez', 'okafor', 'nguyen', 'müller', 'søren', 'zoë', '정민수', 'o''brien', 'ann', 'li', 'x', '']) AS n;
CREATE TEMP TABLE pairs AS
SELECT n AS a, v AS b FROM names,
LATERAL (VALUES (n),
                (overlay(n placing 'q' from greatest(length(n) / 2, 1) for 1)),
                (left(n, 1) || substr(n, 3, 1) || substr(n, 2, 1) || substr(n, 4)),
                (left(n, length(n) / 2) || substr(n, length(n) / 2 + 2)),
                (left(n, 2) || 'e' || substr(n, 3)),
                (replace(replace(n, 'u', 'ü'), 'o', 'ø'))) AS m(v)
UNION ALL
SELECT x.n, y.n FROM names x, names y;

SELECT cmp_ok((SELECT count(*) FROM pairs), '>', 500::bigint, 'hundreds of pairs');
SELECT is((SELECT count(*) FROM pairs
           WHERE abs(recon_jaro_winkler(a, b) - pg_temp.jaro_winkler_plpgsql(a, b)) > 1e-12),
          0::bigint, 'recon_jaro_winkler equals the PL/pgSQL definition on every pair');
SELECT is((SELECT count(*) FROM pairs WHERE recon_jaro_winkler(a, b) <> recon_jaro_winkler(b, a)), 0::bigint, 'symmetric on every pair');
SELECT is((SELECT count(*) FROM pairs WHERE NOT recon_jaro_winkler(a, b) BETWEEN 0 AND 1 OR NOT recon_jaro(a, b) BETWEEN 0 AND 1),
          0::bigint, 'every score lies in [0, 1]');
SELECT is((SELECT count(*) FROM pairs WHERE recon_jaro_winkler(a, b) < recon_jaro(a, b)), 0::bigint, 'Jaro-Winkler is never below Jaro');
SELECT is((SELECT count(*) FROM pairs WHERE a = b AND recon_jaro_winkler(a, b) <> 1), 0::bigint, 'identical strings score 1');
SELECT is((SELECT count(*) FROM pairs WHERE recon_jaro_winkler(a, b, 0.25) < recon_jaro_winkler(a, b)), 0::bigint,
          'a larger prefix scale never lowers the score');
SELECT throws_ok($$SELECT recon_jaro_winkler('a', 'b', 0.26)$$, '22023', 'prefix_scale 0.26 is out of range', 'a prefix scale above 0.25 raises 22023');

SELECT * FROM finish();
ROLLBACK;
