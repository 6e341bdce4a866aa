-- bench/phone.sql: recon_normalize_phone (C fast path, libphonenumber when unsure)
-- against libphonenumber alone (recon_normalize_phone_reference) and against the
-- plain-SQL digits-only regexp_replace (not a normalization: for scale only), on
-- 1M typical CRM numbers; then the fast path against libphonenumber on the whole
-- generated corpus (disagreements must be 0) with the share the fast path decides.
-- Run by bench/run-all phone; alone: psql -X -f bench/phone.sql (after CREATE EXTENSION recon).
\ir lib.sql
\set rows 1000000

DROP TABLE IF EXISTS bench_phone_src;
-- 1M numbers from 20 regions (US, CA, GB, DE, FR, ES, IT, NL, AE, SA, IN, AU, BR, MX, JP,
-- KR, ZA, NG, SG, PL), written national, international, E.164, dialled from abroad or as
-- dashed digits (recon_phone_typical_sample).
CREATE TABLE bench_phone_src AS SELECT input, default_region FROM recon_phone_typical_sample(:rows);
VACUUM (FREEZE, ANALYZE) bench_phone_src;
CHECKPOINT;

SELECT bench.compare('phone', 'E.164: recon_normalize_phone vs libphonenumber alone (recon_normalize_phone_reference)', :rows,
    'SELECT count(recon_normalize_phone(input, default_region)) FROM bench_phone_src',
    'SELECT count(recon_normalize_phone_reference(input, default_region)) FROM bench_phone_src',
    'SELECT count(input) FROM bench_phone_src',
    p_note => 'the same answers: plain here is libphonenumber''s Parse + IsPossibleNumberWithReason + E.164 per row') \g /dev/null

SELECT bench.compare('phone', 'Meta digits: recon_normalize_phone(..., ''meta'') vs libphonenumber alone', :rows,
    $q$SELECT count(recon_normalize_phone(input, default_region, 'meta')) FROM bench_phone_src$q$,
    $q$SELECT count(recon_normalize_phone_reference(input, default_region, 'meta')) FROM bench_phone_src$q$,
    'SELECT count(input) FROM bench_phone_src') \g /dev/null

SELECT bench.compare('phone', $c$recon_normalize_phone vs regexp_replace(input, '[^0-9]', '', 'g')$c$, :rows,
    'SELECT count(recon_normalize_phone(input, default_region)) FROM bench_phone_src',
    $q$SELECT count(regexp_replace(input, '[^0-9]', '', 'g')) FROM bench_phone_src$q$,
    'SELECT count(input) FROM bench_phone_src',
    p_expect_same => false,
    p_note => 'not the same answer (digits only keeps trunk prefixes and 00, adds no country code): the cost of the crudest plain-SQL cleanup, for scale') \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('phone');

-- Numbers per second per core (max_parallel_workers_per_gather = 0), from the medians above.
WITH m AS (
    SELECT bench.median_ms('phone', c, 'recon') AS recon, bench.median_ms('phone', c, 'plain') AS reference,
           bench.median_ms('phone', c, 'scan') AS scan
    FROM (VALUES ('E.164: recon_normalize_phone vs libphonenumber alone (recon_normalize_phone_reference)')) v(c)
)
SELECT E'| per core | recon_normalize_phone | libphonenumber alone |\n|---|---:|---:|\n'
    || format(E'| numbers/s, whole query | %s | %s |\n', to_char(:rows / (recon / 1000), 'FM9,999,999,999'), to_char(:rows / (reference / 1000), 'FM9,999,999,999'))
    || format(E'| numbers/s, function only (query minus scan) | %s | %s |\n', to_char(:rows / ((recon - scan) / 1000), 'FM9,999,999,999'), to_char(:rows / ((reference - scan) / 1000), 'FM9,999,999,999'))
    || format(E'| speed-up over libphonenumber (whole query / function only) | %s× / %s× | 1× |\n', to_char(reference / recon, 'FM990.0'), to_char((reference - scan) / (recon - scan), 'FM990.0'))
FROM m;

-- The fast path on the typical rows and on the whole corpus: how much it decides, and
-- whether any decided answer differs from libphonenumber's (must be 0).
CREATE TEMP TABLE bench_phone_agreement AS
SELECT 'typical CRM input (1M rows above)' AS input_set, count(*) AS rows, count(fast) AS decided,
       count(*) FILTER (WHERE fast IS NOT NULL AND fast <> reference) AS disagreements
FROM (SELECT recon_phone_outcome(input, default_region, 'fast') AS fast,
             recon_phone_outcome(input, default_region, 'reference') AS reference
      FROM bench_phone_src) s
UNION ALL
SELECT 'full generated corpus (recon_phone_test_corpus())', count(*), count(fast),
       count(*) FILTER (WHERE fast IS NOT NULL AND fast <> reference)
FROM (SELECT recon_phone_outcome(input, default_region, 'fast') AS fast,
             recon_phone_outcome(input, default_region, 'reference') AS reference
      FROM recon_phone_test_corpus()) s;
SELECT E'\n| input | rows | decided by the fast path | share | disagreements with libphonenumber |\n|---|---:|---:|---:|---:|\n'
    || string_agg(format('| %s | %s | %s | %s%% | **%s** |', input_set, to_char(rows, 'FM9,999,999'),
                         to_char(decided, 'FM9,999,999'), round(100.0 * decided / rows, 1), disagreements), E'\n' ORDER BY rows DESC)
FROM bench_phone_agreement;
\pset format aligned
\pset tuples_only off
DO $$ BEGIN
    IF (SELECT sum(disagreements) FROM bench_phone_agreement) <> 0 THEN
        RAISE EXCEPTION 'the phone fast path disagrees with libphonenumber';
    END IF;
END $$;
DROP TABLE bench_phone_src;
