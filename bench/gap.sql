-- bench/gap.sql: the gap decomposition and its monitor at 10M platform signals and ~1M CRM records.
-- Data: recon_demo_generate(42, scale) (1M journeys: ~1.1M CRM records, ~1.7M conversion signals), then
-- the other events a Pixel sends (PageView, ViewContent, AddToCart, InitiateCheckout) for the same
-- shoppers until conversion_signals holds :signals rows. The gap reads every one and keeps the conversions.
-- Timed: the evidence, the decomposition (month), the monitor (week and day), the alerts, and the
-- refresh of their materialized copies; the floor is a plain-SQL query doing the same joins (records to
-- their clicks, signals to their records, platform rows per channel and month) without the rules.
-- Sizes: psql -v scale=N -v signals=M (defaults 1000000 and 10000000).
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/gap.sql (after CREATE EXTENSION recon).
\ir lib.sql
RESET max_parallel_workers_per_gather;     -- as a scheduled refresh runs (JIT stays off)
\if :{?scale}
\else
\set scale 1000000
\endif
\if :{?signals}
\else
\set signals 10000000
\endif

SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'bench: as the demo') \g /dev/null
SELECT bench.single('gap', format('recon_demo_generate(42, %s) (data, not timed for the gap)', :scale), :scale,
                    format('SELECT sum(rows_written) FROM recon_demo_generate(42, %s)', :scale), 1) \g /dev/null
-- The rest of the Pixel stream: browsing events of the shoppers, up to :signals signals in all.
INSERT INTO recon.conversion_signals (platform, account_id, source, event_id, event_name, event_time, fbp, external_id,
                                      email_sha256, record_source, batch_id)
SELECT s.platform, s.account_id, 'pixel', NULL,
       (ARRAY['PageView', 'ViewContent', 'AddToCart', 'InitiateCheckout'])[1 + n % 4],
       s.event_time - (n * 7) * interval '1 minute', s.fbp, s.external_id, s.email_sha256, 'bench', 'bench-browse'
FROM (SELECT s.*, row_number() OVER (ORDER BY signal_key) AS k
      FROM recon.conversion_signals s WHERE s.source = 'pixel') s
CROSS JOIN LATERAL generate_series(1, ceil((:signals - (SELECT count(*) FROM recon.conversion_signals))::numeric
                                           / (SELECT count(*) FROM recon.conversion_signals WHERE source = 'pixel'))::integer) AS n
LIMIT greatest(0, :signals - (SELECT count(*) FROM recon.conversion_signals));
VACUUM ANALYZE recon.conversion_signals, recon.funnel_records, recon.ad_clicks, recon.platform_conversions_daily, recon.ad_delivery_daily;
CHECKPOINT;

SELECT bench.single('gap', 'SELECT count(*) FROM recon.gap_evidence', :scale, 'SELECT count(*) FROM recon.gap_evidence', 3) \g /dev/null
SELECT bench.single('gap', 'SELECT count(*) FROM recon.gap_decomposition (month, channel and campaign rows)', :scale,
                    'SELECT count(*) FROM recon.gap_decomposition', 3) \g /dev/null
SELECT bench.single('gap', 'plain SQL floor: the same joins, no rules (records to clicks, signals to records, platform rows per month)', :scale,
$floor$
WITH rec_clicks AS (
    SELECT f.record_id, f.channel, f.created_at, c.clicked_at
    FROM recon.funnel_records f
    LEFT JOIN recon.ad_clicks c ON c.click_id = coalesce(f.fbclid, f.gclid, f.ttclid, f.li_fat_id)
),
sig AS (
    SELECT s.platform, r.record_id, date_trunc('month', s.event_time) AS m
    FROM recon.conversion_signals s LEFT JOIN recon.funnel_records r ON r.record_id = coalesce(s.order_id, s.lead_id)
),
plat AS (SELECT platform, date_trunc('month', report_date) AS m, sum(conversions) AS n FROM recon.platform_conversions_reported GROUP BY 1, 2)
SELECT (SELECT count(*) FROM (SELECT channel, date_trunc('month', created_at), count(*) FILTER (WHERE clicked_at IS NOT NULL)
                              FROM rec_clicks GROUP BY 1, 2) a)
     + (SELECT count(*) FROM (SELECT platform, m, count(record_id) FROM sig GROUP BY 1, 2) b)
     + (SELECT count(*) FROM plat)
$floor$, 3) \g /dev/null
SELECT bench.single('gap', 'SELECT count(*) FROM recon.ratio_monitor (week and day)', :scale,
                    'SELECT count(*) FROM recon.ratio_monitor', 1) \g /dev/null
SELECT bench.single('gap', 'SELECT count(*) FROM recon.alerts', :scale, 'SELECT count(*) FROM recon.alerts', 1) \g /dev/null
-- The refresh of the gap's materialized copies (the decomposition, then the monitor, then the alerts that read it).
CREATE FUNCTION pg_temp.refresh_gap() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY recon.mv_gap_decomposition;
    REFRESH MATERIALIZED VIEW CONCURRENTLY recon.mv_ratio_monitor;
    REFRESH MATERIALIZED VIEW CONCURRENTLY recon.mv_alerts;
    RETURN (SELECT count(*) FROM recon.mv_gap_decomposition) + (SELECT count(*) FROM recon.mv_ratio_monitor)
         + (SELECT count(*) FROM recon.mv_alerts);
END $$;
SELECT bench.single('gap', 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv_gap_decomposition, mv_ratio_monitor, mv_alerts', :scale,
                    'SELECT pg_temp.refresh_gap()', 1) \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT E'### gap\n\n'
    || format(E'Data: `recon_demo_generate(42, %s)` plus browsing events: %s conversion signals (%s of them conversions), %s CRM records, '
              '%s clicks in the log, %s platform conversion rows; %s decomposition rows. '
              'Parallel query at the server default, JIT off. Median of 3 runs (one run of the monitor, the alerts and the refresh).\n\n',
              to_char(:scale, 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.conversion_signals), 'FM99,999,999'),
              to_char((SELECT count(*) FROM recon.conversion_signals WHERE recon.signal_event_family(event_name) IS NOT NULL), 'FM99,999,999'),
              to_char((SELECT count(*) FROM recon.funnel_records), 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.ad_clicks), 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.platform_conversions_daily), 'FM9,999,999'),
              to_char((SELECT count(*) FROM recon.mv_gap_decomposition), 'FM9,999,999'))
    || E'| step | median s | runs (s) | result |\n|---|---:|---|---|\n'
    || (SELECT string_agg(format('| %s | %s | %s | %s |', c.case_name,
                                 round((bench.median_ms('gap', c.case_name, 'single') / 1000)::numeric, 1),
                                 (SELECT string_agg(round((t.ms / 1000)::numeric, 1)::text, ' / ' ORDER BY t.run)
                                  FROM bench.timings t WHERE t.bench = 'gap' AND t.case_name = c.case_name),
                                 (SELECT t.result FROM bench.timings t WHERE t.bench = 'gap' AND t.case_name = c.case_name
                                  ORDER BY t.run DESC LIMIT 1)), E'\n' ORDER BY c.position)
        FROM bench.cases c WHERE c.bench = 'gap')
    || format(E'\n\nThe decomposition takes %s× the plain-SQL floor (the same joins without the rules).\n',
              round((bench.median_ms('gap', 'SELECT count(*) FROM recon.gap_decomposition (month, channel and campaign rows)', 'single')
                     / bench.median_ms('gap', 'plain SQL floor: the same joins, no rules (records to clicks, signals to records, platform rows per month)', 'single'))::numeric, 2));
