-- bench/identity/phone_report.sql: numbers per second per core and the fast path's agreement with
-- libphonenumber, printed after the identity table (included by bench/identity.sql, unaligned output).

-- Numbers per second per core (max_parallel_workers_per_gather = 0), from the medians above.
WITH m AS (
    SELECT bench.median_ms('identity', c, 'recon') AS recon, bench.median_ms('identity', c, 'plain') AS reference,
           bench.median_ms('identity', c, 'scan') AS scan
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
FROM (SELECT recon_phone_outcome(phone, phone_region, 'fast') AS fast,
             recon_phone_outcome(phone, phone_region, 'reference') AS reference
      FROM bench_identity) s
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
