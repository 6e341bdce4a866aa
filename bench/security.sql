-- bench/security.sql: what row-level security costs (docs/security.md). The same reads run as
-- a reader role under the policies and, as the plain-SQL way, as the owner (who bypasses them)
-- with the scope written into the query by hand:
--   - an unrestricted reader (all_rows scope): the policies' once-per-query scope test only;
--   - a reader scoped to market DE: funnel records by market, finance transactions through their
--     record or customer (the EXISTS policy), and a whole report (recon.funnel_performance).
-- On the demo generator's data. Sizes: psql -v scale=N (journeys, default 200000).
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/security.sql (after CREATE EXTENSION recon).
\ir lib.sql
\if :{?scale}
\else
\set scale 200000
\endif

SELECT bench.single('security', format('recon_demo_generate(42, %s) (data, not timed)', :scale), :scale,
                    format('SELECT sum(rows_written) FROM recon_demo_generate(42, %s)', :scale)) \g /dev/null
CALL recon.run_matching();
VACUUM ANALYZE recon.funnel_records, recon.finance_transactions, recon.match_links;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_all_rows') THEN CREATE ROLE bench_all_rows; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_market_de') THEN CREATE ROLE bench_market_de; END IF;
END $$;
GRANT recon_reader TO bench_all_rows, bench_market_de;
DELETE FROM recon.access_scopes WHERE grantee IN ('bench_all_rows', 'bench_market_de');
INSERT INTO recon.access_scopes (grantee, all_rows, reason) VALUES ('bench_all_rows', true, 'bench');
INSERT INTO recon.access_scopes (grantee, market, reason) VALUES ('bench_market_de', 'DE', 'bench');
GRANT USAGE ON SCHEMA bench TO recon_reader;

-- Run a one-row query as a role (the timing includes the two role switches, microseconds).
CREATE FUNCTION bench.as_role(who text, query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', who);
    EXECUTE query INTO result;
    RESET ROLE;
    RETURN result;
END $$;

SELECT bench.compare('security', 'funnel records per market: all_rows reader vs owner', (SELECT count(*) FROM recon.funnel_records),
    $q$SELECT bench.as_role('bench_all_rows', 'SELECT string_agg(market || '':'' || n, '','' ORDER BY market) FROM (SELECT market, count(*) AS n FROM recon.funnel_records GROUP BY market) m')$q$,
    $q$SELECT string_agg(market || ':' || n, ',' ORDER BY market) FROM (SELECT market, count(*) AS n FROM recon.funnel_records GROUP BY market) m$q$,
    p_note => 'the policy''s scope test runs once per query (an InitPlan), then passes every row') \g /dev/null
SELECT bench.compare('security', 'funnel records: market-DE reader vs owner with WHERE market = ''DE''', (SELECT count(*) FROM recon.funnel_records),
    $q$SELECT bench.as_role('bench_market_de', 'SELECT count(*) || '' '' || coalesce(sum(stated_value), 0) FROM recon.funnel_records')$q$,
    $q$SELECT count(*) || ' ' || coalesce(sum(stated_value), 0) FROM recon.funnel_records WHERE market = 'DE'$q$) \g /dev/null
SELECT bench.compare('security', 'finance transactions: market-DE reader vs owner with the same EXISTS by hand', (SELECT count(*) FROM recon.finance_transactions),
    $q$SELECT bench.as_role('bench_market_de', 'SELECT count(*) || '' '' || sum(amount) FROM recon.finance_transactions')$q$,
    $q$SELECT count(*) || ' ' || sum(amount) FROM recon.finance_transactions t
       WHERE EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.market = 'DE' AND r.record_id IN (t.order_id, t.opportunity_id))
          OR (t.customer_id IS NOT NULL AND EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.market = 'DE' AND r.customer_id = t.customer_id))$q$) \g /dev/null
SELECT bench.compare('security', 'recon.funnel_performance (whole report): all_rows reader vs owner', (SELECT count(*) FROM recon.funnel_records),
    $q$SELECT bench.as_role('bench_all_rows', 'SELECT count(*) || '' '' || sum(records) || '' '' || sum(won) FROM recon.funnel_performance')$q$,
    $q$SELECT count(*) || ' ' || sum(records) || ' ' || sum(won) FROM recon.funnel_performance$q$) \g /dev/null
SELECT bench.compare('security', 'recon.funnel_performance (whole report): market-DE reader vs all_rows reader', (SELECT count(*) FROM recon.funnel_records),
    $q$SELECT bench.as_role('bench_market_de', 'SELECT count(*) || '' '' || sum(records) FROM recon.funnel_performance')$q$,
    $q$SELECT bench.as_role('bench_all_rows', 'SELECT count(*) || '' '' || sum(records) FROM recon.funnel_performance')$q$,
    p_expect_same => false,
    p_note => 'different answers by design: the scoped report covers one market (the ratio is what scoping saves or costs)') \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('security');
\pset format aligned
\pset tuples_only off
DROP FUNCTION bench.as_role(text, text);
DELETE FROM recon.access_scopes WHERE grantee IN ('bench_all_rows', 'bench_market_de');
REVOKE USAGE ON SCHEMA bench FROM recon_reader;
DROP ROLE bench_all_rows;
DROP ROLE bench_market_de;
