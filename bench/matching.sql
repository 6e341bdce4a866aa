-- bench/matching.sql: the matching cascade end to end (CALL recon.run_matching()) on the demo
-- generator's data, with links and time per stage, checked against the generator's truth:
--   1. first run and re-run on the data as generated (every signal carries its ids);
--   2. identity loss: 5% of the signals lose every id and contact hash (as when a click id is
--      stripped and the shopper checks out as a guest), so the inferred stage has work to do;
-- then the comparison step of probabilistic matching, C (recon_compare_text: Jaro-Winkler over
-- characters) against the same levels computed with the PL/pgSQL Jaro-Winkler, on FEBRL pairs.
-- Sizes: psql -v scale=N (journeys, default 900000: about 1M CRM records and 1.1M ad signals).
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/matching.sql (after CREATE EXTENSION recon).
\ir lib.sql
\ir ../test/reference/jaro_winkler_plpgsql.sql
-- The cascade runs as a scheduler runs it: parallel query at the server default.
RESET max_parallel_workers_per_gather;
\if :{?scale}
\else
\set scale 900000
\endif

SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'bench: as the demo') \g /dev/null
SELECT bench.single('matching', format('recon_demo_generate(7, %s) (data, not timed against the budget)', :scale), :scale,
                    format('SELECT sum(rows_written) FROM recon_demo_generate(7, %s)', :scale)) \g /dev/null
VACUUM ANALYZE recon.conversion_signals, recon.funnel_records, recon.finance_transactions;
\ir matching/truth.sql
CHECKPOINT;
SELECT bench.single('matching', 'CALL recon.run_matching() (first run)', :scale, 'CALL recon.run_matching()') \g /dev/null
CREATE TEMP TABLE bench_first_run AS SELECT * FROM recon.match_runs ORDER BY run_id DESC LIMIT 1;
CHECKPOINT;
SELECT bench.single('matching', 'CALL recon.run_matching() (re-run, idempotent)', :scale, 'CALL recon.run_matching()') \g /dev/null
CREATE TEMP TABLE bench_quality AS SELECT 'as generated' AS data, * FROM matching_truth_quality;

-- Identity loss: every 20th signal loses its ids and contact hashes.
UPDATE recon.conversion_signals
SET event_id = NULL, order_id = NULL, lead_id = NULL, fbclid = NULL, gclid = NULL, gbraid = NULL, wbraid = NULL,
    ttclid = NULL, msclkid = NULL, li_fat_id = NULL, fbc = NULL, fbp = NULL, external_id = NULL,
    email_sha256 = NULL, phone_sha256 = NULL
WHERE signal_key % 20 = 0;
VACUUM ANALYZE recon.conversion_signals;
CHECKPOINT;
SELECT bench.single('matching', 'CALL recon.run_matching() (5% of signals without ids or contacts)', :scale,
                    'CALL recon.run_matching()') \g /dev/null
CREATE TEMP TABLE bench_loss_run AS SELECT * FROM recon.match_runs ORDER BY run_id DESC LIMIT 1;
INSERT INTO bench_quality SELECT '5% of signals without ids', * FROM matching_truth_quality;

-- The comparison step: FEBRL 4 candidate and random pairs compared on five string fields.
RESET client_min_messages;
SET client_min_messages = warning;
\ir febrl/load.sql
CREATE TEMP TABLE bench_name_pairs AS
SELECT a.given_name AS g1, b.given_name AS g2, a.surname AS s1, b.surname AS s2, a.address_1 AS a1, b.address_1 AS a2,
       a.suburb AS u1, b.suburb AS u2, a.date_of_birth AS d1, b.date_of_birth AS d2
FROM (SELECT * FROM febrl_a ORDER BY md5(rec_id) LIMIT 200) a, (SELECT * FROM febrl_b ORDER BY md5(rec_id) LIMIT 500) b;
CREATE FUNCTION pg_temp.level_plpgsql(a text, b text, thresholds float8[]) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL OR a = '' OR b = '' THEN 0
                WHEN a = b THEN 1
                ELSE coalesce((SELECT 1 + min(i) FROM generate_subscripts(thresholds, 1) i
                               WHERE pg_temp.jaro_winkler_plpgsql(a, b) >= thresholds[i]), 2 + cardinality(thresholds))
           END::smallint
$$;
SELECT bench.compare('matching', 'comparison levels of 100,000 FEBRL pairs on 5 fields (Jaro-Winkler)', 100000,
    $q$SELECT recon_fs_pattern_counts(ARRAY[recon_compare_text(g1, g2, '{0.92,0.8}'), recon_compare_text(s1, s2, '{0.92,0.8}'),
                                           recon_compare_text(a1, a2, '{0.92,0.8}'), recon_compare_text(u1, u2, '{0.9}'),
                                           recon_compare_text(d1, d2, '{0.9}')])::text FROM bench_name_pairs$q$,
    $q$SELECT recon_fs_pattern_counts(ARRAY[pg_temp.level_plpgsql(g1, g2, '{0.92,0.8}'), pg_temp.level_plpgsql(s1, s2, '{0.92,0.8}'),
                                           pg_temp.level_plpgsql(a1, a2, '{0.92,0.8}'), pg_temp.level_plpgsql(u1, u2, '{0.9}'),
                                           pg_temp.level_plpgsql(d1, d2, '{0.9}')])::text FROM bench_name_pairs$q$,
    $q$SELECT count(g1 || g2 || s1 || s2 || a1 || a2 || u1 || u2 || d1 || d2) FROM bench_name_pairs$q$,
    1, NULL, true) \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT E'### matching\n\n'
    || format(E'Data: `recon_demo_generate(7, %s)`: %s CRM records, %s ad signals, %s finance transactions (generated in %s s, not counted).\n\n',
              to_char(:scale, 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.funnel_records), 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.conversion_signals), 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.finance_transactions), 'FM9,999,999'),
              (SELECT round(ms::numeric / 1000, 1) FROM bench.timings WHERE bench = 'matching' AND case_name LIKE 'recon_demo_generate%'))
    || E'| run | seconds |\n|---|---:|\n'
    || (SELECT string_agg(format('| `%s` | %s |', case_name, round(ms::numeric / 1000, 1)), E'\n' ORDER BY at)
        FROM bench.timings WHERE bench = 'matching' AND case_name LIKE 'CALL%')
    || E'\n\nPer stage (from `recon.match_runs.link_counts`), first run and the identity-loss run:\n\n'
    || E'| run | stage | signal_record | record_transaction | record_record | signal_signal | ambiguous | candidate pairs | ms |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n'
    || (SELECT string_agg(format('| %s | %s | %s | %s | %s | %s | %s | %s | %s |', r.label, s.key,
                                 coalesce(s.value ->> 'signal_record', ''), coalesce(s.value ->> 'record_transaction', ''),
                                 coalesce(s.value ->> 'record_record', ''), coalesce(s.value ->> 'signal_signal', ''),
                                 coalesce(s.value ->> 'ambiguous', ''),
                                 coalesce(((s.value #>> '{detail,signal_record,candidate_pairs}')::bigint
                                           + (s.value #>> '{detail,record_transaction,candidate_pairs}')::bigint)::text, ''),
                                 coalesce(s.value ->> 'ms', '')), E'\n' ORDER BY r.o, ord.o)
        FROM (SELECT 1 AS o, 'first' AS label, link_counts FROM bench_first_run
              UNION ALL SELECT 2, '5% without ids', link_counts FROM bench_loss_run) r,
             LATERAL jsonb_each(r.link_counts) s
             JOIN (VALUES ('cleanup', 1), ('manual_verified', 2), ('exact_id', 3), ('exact_contact', 4),
                          ('crm_relationship', 5), ('allocation', 6), ('inferred', 7)) AS ord(k, o) ON ord.k = s.key)
    || E'\n\nAgainst the truth (`bench/matching/truth.sql`):\n\n'
    || E'| data | link type | method | links | correct | precision | recall share |\n|---|---|---|---:|---:|---:|---:|\n'
    || (SELECT string_agg(format('| %s | %s | %s | %s | %s | %s | %s |', data, link_type, method, links, correct, precision,
                                 coalesce(recall_share::text, '')), E'\n' ORDER BY data, link_type, method)
        FROM bench_quality)
    || E'\n\nThe comparison step, C against PL/pgSQL (one core, median):\n\n' || regexp_replace(bench.markdown('matching'), '^### matching\n\n', '');
\pset format aligned
\pset tuples_only off
