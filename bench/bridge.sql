-- bench/bridge.sql: recon_bridge against the same bridge written as plain SQL
-- (sum(...) FILTER (WHERE line = ...) per line and count, the derived lines,
-- the cohort's age and maturity), over a ledger of :rows rows (default 10M),
-- in 512 groups (64 campaigns x 8 cohort months) and as one bridge of all rows,
-- serial and with 2 parallel workers; count(*) over the same rows and groups
-- is the floor (the scan column).
-- Both sides must produce the same 512 bridges: compared as an md5 of every
-- column of every group, so a fast wrong answer cannot win.
-- Run by bench/run-all; alone: psql -X -v rows=1000000 -f bench/bridge.sql (after CREATE EXTENSION recon).
\ir lib.sql
\if :{?rows}
\else
\set rows 10000000
\endif

DROP TABLE IF EXISTS bench_bridge_ledger;
SELECT setseed(0.42) \g /dev/null
-- The shape of recon.bridge_ledger, materialized: line, amount, quantity, currency, record time, group keys.
CREATE TABLE bench_bridge_ledger AS
SELECT l.line,
       round((CASE WHEN l.line IN ('platform_value', 'matched_value', 'booked', 'invoiced', 'recognized', 'collected')
                   THEN 20 + r1 * 480 ELSE r1 * 300 END)::numeric, 2) AS amount,
       CASE WHEN l.line = 'platform_value' THEN 1 + floor(r2 * 5)::integer ELSE 1 END::numeric AS quantity,
       'USD'::text AS currency,
       timestamptz '2026-01-01' + (g.i % 8) * interval '1 month' + r2 * interval '28 days' AS record_at,
       'C' || lpad((g.i / 8 % 64)::text, 3, '0') AS campaign_id,
       (date '2026-01-01' + (g.i % 8) * interval '1 month')::date AS cohort_month
FROM generate_series(1, :rows) AS g(i)
CROSS JOIN LATERAL (SELECT random() AS r0, random() AS r1, random() AS r2) r
CROSS JOIN LATERAL (SELECT CASE WHEN r.r0 < 0.06 THEN 'platform_value' WHEN r.r0 < 0.26 THEN 'matched_value'
                                WHEN r.r0 < 0.31 THEN 'invalid_duplicate' WHEN r.r0 < 0.40 THEN 'lost_cancelled'
                                WHEN r.r0 < 0.55 THEN 'value_difference' WHEN r.r0 < 0.58 THEN 'refunds'
                                WHEN r.r0 < 0.59 THEN 'written_off' WHEN r.r0 < 0.64 THEN 'timing'
                                WHEN r.r0 < 0.80 THEN 'collected' WHEN r.r0 < 0.90 THEN 'booked'
                                WHEN r.r0 < 0.95 THEN 'invoiced' ELSE 'recognized' END AS line) l;
VACUUM (FREEZE, ANALYZE) bench_bridge_ledger;
CHECKPOINT;

-- The bridges, each as its recon_bridge_result row text, hashed together. $KEYS$ and $GROUP$
-- become the group keys: campaign and cohort month (512 groups), or constants (one bridge of all rows).
\set recon_tmpl 'SELECT md5(string_agg(b::text, '','' ORDER BY campaign_id, cohort_month)) FROM (SELECT $KEYS$, recon_bridge(line, amount, quantity, currency, record_at, timestamptz ''2026-08-14'', ''{7,30,60,90}'') AS b FROM bench_bridge_ledger $GROUP$) x'
-- The same bridge in plain SQL: every line and count, the derived lines, age and maturity.
\set plain_tmpl 'SELECT md5(string_agg(row(currency, p, m - p + u, -i, -lc, vd, -rf, -wo, -tm, c - (m + u - i - lc + vd - rf - wo - tm), c, pq, mq, pq - mq, u, uq, iq, lcq, vdq, rfq, woq, tmq, cq, bk, inv, rec, bk - rf, round(mq / nullif(pq, 0), 4), as_of, youngest, oldest, age, (SELECT coalesce(max(pt), 0) FROM unnest(''{7,30,60,90}''::integer[]) pt WHERE pt <= age), CASE WHEN age >= 90 THEN ''mature'' ELSE ''incomplete'' END)::text, '','' ORDER BY campaign_id, cohort_month)) FROM (SELECT $KEYS$, min(currency) AS currency, coalesce(sum(amount) FILTER (WHERE line = ''platform_value''), 0) AS p, coalesce(sum(amount) FILTER (WHERE line = ''matched_value''), 0) AS m, coalesce(sum(amount) FILTER (WHERE line = ''unmatched_revenue''), 0) AS u, coalesce(sum(amount) FILTER (WHERE line = ''invalid_duplicate''), 0) AS i, coalesce(sum(amount) FILTER (WHERE line = ''lost_cancelled''), 0) AS lc, coalesce(sum(amount) FILTER (WHERE line = ''value_difference''), 0) AS vd, coalesce(sum(amount) FILTER (WHERE line = ''refunds''), 0) AS rf, coalesce(sum(amount) FILTER (WHERE line = ''written_off''), 0) AS wo, coalesce(sum(amount) FILTER (WHERE line = ''timing''), 0) AS tm, coalesce(sum(amount) FILTER (WHERE line = ''collected''), 0) AS c, coalesce(sum(amount) FILTER (WHERE line = ''booked''), 0) AS bk, coalesce(sum(amount) FILTER (WHERE line = ''invoiced''), 0) AS inv, coalesce(sum(amount) FILTER (WHERE line = ''recognized''), 0) AS rec, coalesce(sum(quantity) FILTER (WHERE line = ''platform_value''), 0) AS pq, coalesce(sum(quantity) FILTER (WHERE line = ''matched_value''), 0) AS mq, coalesce(sum(quantity) FILTER (WHERE line = ''unmatched_revenue''), 0) AS uq, coalesce(sum(quantity) FILTER (WHERE line = ''invalid_duplicate''), 0) AS iq, coalesce(sum(quantity) FILTER (WHERE line = ''lost_cancelled''), 0) AS lcq, coalesce(sum(quantity) FILTER (WHERE line = ''value_difference''), 0) AS vdq, coalesce(sum(quantity) FILTER (WHERE line = ''refunds''), 0) AS rfq, coalesce(sum(quantity) FILTER (WHERE line = ''written_off''), 0) AS woq, coalesce(sum(quantity) FILTER (WHERE line = ''timing''), 0) AS tmq, coalesce(sum(quantity) FILTER (WHERE line = ''collected''), 0) AS cq, timestamptz ''2026-08-14'' AS as_of, max(record_at) AS youngest, min(record_at) AS oldest, floor(extract(epoch FROM timestamptz ''2026-08-14'' - max(record_at)) / 86400)::integer AS age FROM bench_bridge_ledger $GROUP$) x'
-- The floor: reading the rows and forming the same groups, nothing computed.
\set scan_tmpl 'SELECT count(*) FROM (SELECT $KEYS$, count(*) FROM bench_bridge_ledger $GROUP$) x'

SELECT replace(replace(t.q, '$KEYS$', 'campaign_id, cohort_month'), '$GROUP$', 'GROUP BY 1, 2') AS grouped_recon,
       replace(replace(:'plain_tmpl', '$KEYS$', 'campaign_id, cohort_month'), '$GROUP$', 'GROUP BY 1, 2') AS grouped_plain,
       replace(replace(:'scan_tmpl', '$KEYS$', 'campaign_id, cohort_month'), '$GROUP$', 'GROUP BY 1, 2') AS grouped_scan,
       replace(replace(t.q, '$KEYS$', $k$'all'::text AS campaign_id, NULL::date AS cohort_month$k$), '$GROUP$', '') AS all_recon,
       replace(replace(:'plain_tmpl', '$KEYS$', $k$'all'::text AS campaign_id, NULL::date AS cohort_month$k$), '$GROUP$', '') AS all_plain,
       'SELECT count(*) FROM bench_bridge_ledger' AS all_scan
FROM (SELECT :'recon_tmpl'::text AS q) t \gset

SELECT bench.compare('bridge', '512 groups, serial', :rows, :'grouped_recon', :'grouped_plain', :'grouped_scan',
    p_note => 'GROUP BY campaign, cohort month (64 x 8); every line and count, derived unmatched and residual, match rate, age and maturity; both sides hashed to one md5 and compared; scan = count(*) with the same GROUP BY') \g /dev/null
SELECT bench.compare('bridge', 'one bridge of all rows, serial', :rows, :'all_recon', :'all_plain', :'all_scan',
    p_note => 'no GROUP BY; scan = a bare count(*)') \g /dev/null

SET max_parallel_workers_per_gather = 2;
SELECT bench.compare('bridge', '512 groups, 2 parallel workers', :rows, :'grouped_recon', :'grouped_plain', :'grouped_scan',
    p_note => 'max_parallel_workers_per_gather = 2: Partial Aggregate in each worker and the leader, combined by recon_bridge_combine') \g /dev/null
SELECT bench.compare('bridge', 'one bridge of all rows, 2 parallel workers', :rows, :'all_recon', :'all_plain', :'all_scan') \g /dev/null
RESET max_parallel_workers_per_gather;

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('bridge');
SELECT string_agg(format('- %s: recon takes %s of the plain-SQL time and %s the count(*) floor', case_name,
                         to_char(bench.median_ms('bridge', case_name, 'recon') / bench.median_ms('bridge', case_name, 'plain'), 'FM0.00x'),
                         to_char(bench.median_ms('bridge', case_name, 'recon') / bench.median_ms('bridge', case_name, 'scan'), 'FM990.00x')),
                  E'\n' ORDER BY position)
FROM bench.cases WHERE bench = 'bridge';
DROP TABLE bench_bridge_ledger;
