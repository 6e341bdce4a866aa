-- bench/febrl.sql: the FEBRL dataset 4 recipe (bench/febrl/recipe.sql, docs/linkage.md) end to end:
-- load, compare, train (u from random pairs, m by EM per blocking rule), score, link; prints
-- precision, recall and F1 against the 5,000 true pairs, next to a crude exact rule, and the time.
-- Run by bench/run-all from the repository root (psql reads test/data/febrl itself).
\ir lib.sql
SET client_min_messages = warning;
SELECT clock_timestamp() AS febrl_t0 \gset
\ir febrl/load.sql
\ir febrl/recipe.sql
SELECT round(extract(epoch FROM clock_timestamp() - :'febrl_t0'::timestamptz)::numeric, 1) AS febrl_seconds \gset
\pset format unaligned
\pset tuples_only on
SELECT E'### febrl\n\n'
    || format(E'FEBRL dataset 4, 5,000 + 5,000 records, whole recipe (load, block, compare, train, score, link) in %s s.\n\n', :'febrl_seconds')
    || E'| linker | candidate pairs | links | correct | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|---:|\n'
    || string_agg(format('| %s | %s | %s | %s | %s | %s | **%s** |', linker, coalesce(candidate_pairs::text, '–'), links, correct,
                         precision, recall, f1), E'\n' ORDER BY linker DESC)
    || E'\n'
FROM febrl_quality;
\pset format aligned
\pset tuples_only off
