-- bridge: the recon_bridge aggregate on hand-made ledger rows (exact outputs),
-- its steps and jsonb forms, its state's text form, and its errors.

CREATE TEMP TABLE ledger (grp text, line text, amount numeric, quantity numeric, currency text,
                          record_at timestamptz, as_of timestamptz, maturity_days integer[]);
INSERT INTO ledger VALUES
    ('a', 'platform_value', 1000.00, 10, 'USD', '2026-05-01', '2026-06-30', '{7,30,60,90}'),
    ('a', 'matched_value', 700.00, 7, 'USD', '2026-05-02', '2026-06-30', '{7,30,60,90}'),
    ('a', 'invalid_duplicate', 50.00, 1, 'USD', '2026-05-03', '2026-06-30', '{7,30,60,90}'),
    ('a', 'lost_cancelled', 150.00, 2, 'USD', '2026-05-03', '2026-06-30', '{7,30,60,90}'),
    ('a', 'value_difference', 120.50, 4, 'USD', '2026-05-03', '2026-06-30', '{7,30,60,90}'),
    ('a', 'refunds', 20.25, 1, 'USD', '2026-05-03', '2026-06-30', '{7,30,60,90}'),
    ('a', 'written_off', 5, 1, 'USD', '2026-05-03', '2026-06-30', '{7,30,60,90}'),
    ('a', 'timing', 95, 1, 'USD', '2026-05-20', '2026-06-30', '{7,30,60,90}'),
    ('a', 'collected', 500.25, 3, 'USD', '2026-05-03', '2026-06-30', '{7,30,60,90}'),
    ('a', 'booked', 620.50, 4, 'USD', NULL, '2026-06-30', '{7,30,60,90}'),
    ('a', 'invoiced', 600, 3, 'USD', NULL, '2026-06-30', '{7,30,60,90}'),
    ('a', 'recognized', 579.75, 3, 'USD', NULL, '2026-06-30', '{7,30,60,90}'),
    -- b: JPY, no decimals, a record the platform never claimed, money nobody claims, a residual
    ('b', 'matched_value', 3000, 1, 'JPY', '2026-01-10', '2026-06-30', '{7,30}'),
    ('b', 'unmatched_revenue', 1200, 1, 'JPY', '2026-01-11', '2026-06-30', '{7,30}'),
    ('b', 'value_difference', 0, 1, 'JPY', '2026-01-10', '2026-06-30', '{7,30}'),
    ('b', 'collected', 4300, 2, 'JPY', '2026-01-10', '2026-06-30', '{7,30}'),
    -- c: fractional conversions (data-driven attribution), no record times
    ('c', 'platform_value', 99.999, 2.5, 'EUR', NULL, NULL, NULL);

SELECT grp, (recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days)).*
FROM ledger GROUP BY grp ORDER BY grp \gx

-- The lines add up: platform value plus every line through the residual is what was collected.
SELECT grp, b.platform_value + b.unmatched + b.invalid_duplicate + b.lost_cancelled + b.value_difference
            + b.refunds + b.written_off + b.timing + b.residual = b.collected AS adds_up
FROM (SELECT grp, recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days) AS b
      FROM ledger GROUP BY grp) r, LATERAL (SELECT (r.b).*) b
ORDER BY grp;

-- Waterfall steps: the running total walks from the platform's value to collected revenue.
SELECT s.* FROM (SELECT recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days) AS b
                 FROM ledger WHERE grp = 'a') r, recon_bridge_steps(r.b) s ORDER BY s.step;
SELECT jsonb_pretty(recon_bridge_jsonb(recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days)) - 'steps')
FROM ledger WHERE grp = 'b';
SELECT jsonb_array_length(recon_bridge_jsonb(recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days)) -> 'steps') AS steps
FROM ledger WHERE grp = 'a';

-- No rows: one row of NULLs, and steps and jsonb of NULL are empty/NULL.
SELECT (recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days)).platform_value IS NULL AS empty_is_null
FROM ledger WHERE false;
SELECT count(*) AS steps_of_null FROM recon_bridge_steps(NULL);

-- Maturity: the youngest record's age against the points (a: 41 days, b: 170 days against {7,30}).
SELECT grp, (b).age_days, (b).maturity_days, (b).maturity
FROM (SELECT grp, recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days) AS b
      FROM ledger GROUP BY grp) r ORDER BY grp;
-- Without maturity points, the default {7,30,60,90}: 100 days is mature.
SELECT (recon_bridge('timing', 1, 1, 'USD', '2026-01-01', '2026-04-11', NULL)).maturity;
-- A record dated after as_of: negative age, incomplete.
SELECT (b).age_days, (b).maturity FROM (SELECT recon_bridge('timing', 1, 1, 'USD', '2026-04-12', '2026-04-11', NULL) AS b) r;

-- States: partial aggregates, their text form, and merging them back.
SELECT grp, recon_bridge_partial(line, amount, quantity, currency, record_at, as_of, maturity_days)::text AS state
FROM ledger GROUP BY grp ORDER BY grp;
SELECT recon_bridge_result(recon_bridge_merge(s::text::recon_bridge_state))
     = (SELECT recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days) FROM ledger WHERE grp = 'a')
       AS merged_halves_equal_whole
FROM (SELECT recon_bridge_partial(line, amount, quantity, currency, record_at, as_of, maturity_days) AS s
      FROM ledger WHERE grp = 'a' GROUP BY line IN ('platform_value', 'collected')) halves;
SELECT 'v1'::recon_bridge_state AS empty_state, (recon_bridge_result('v1')).maturity;
SELECT 'v1 currency=EUR points=7 timing=-0.00000001/0.5'::recon_bridge_state;

-- Bad state text.
SELECT * FROM regress.error_of($$SELECT 'v2'::recon_bridge_state$$);
SELECT * FROM regress.error_of($$SELECT 'v1 nonsense=1/1'::recon_bridge_state$$);
SELECT * FROM regress.error_of($$SELECT 'v1 timing=1/1 timing=2/2'::recon_bridge_state$$);
SELECT * FROM regress.error_of($$SELECT 'v1 timing=1.123456789/1'::recon_bridge_state$$);
SELECT * FROM regress.error_of($$SELECT 'v1 timing=1'::recon_bridge_state$$);
SELECT * FROM regress.error_of($$SELECT 'v1 currency=usd'::recon_bridge_state$$);
SELECT * FROM regress.error_of($$SELECT 'v1 points=30,7'::recon_bridge_state$$);
SELECT * FROM regress.error_of($$SELECT 'v1 youngest=5'::recon_bridge_state$$);
SELECT * FROM regress.error_of($$SELECT 'v1  timing=1/1'::recon_bridge_state$$);

-- Bad rows: each refused with its SQLSTATE, naming the value and the rule.
SELECT * FROM regress.error_of($$SELECT recon_bridge('nope', 1, 1, 'USD', NULL, NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge(NULL, 1, 1, 'USD', NULL, NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1.123456789, 1, 'USD', NULL, NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 'NaN', 1, 'USD', NULL, NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1, '-Infinity', 'USD', NULL, NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1e28, 1, 'USD', NULL, NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1, 1, NULL, NULL, NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1, 1, 'usd', NULL, NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge(l, 1, 1, c, NULL, NULL, NULL) FROM (VALUES ('timing', 'USD'), ('timing', 'EUR')) v(l, c)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1, 1, 'USD', NULL, NULL, '{30,7}')$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1, 1, 'USD', NULL, NULL, '{}')$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1, 1, 'USD', NULL, NULL, '{7,NULL}')$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1, 1, 'USD', 'infinity', NULL, NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 1, 1, 'USD', NULL, '-infinity', NULL)$$);
SELECT * FROM regress.error_of($$SELECT recon_bridge_add(NULL, 'timing', 1, 1, 'USD', NULL, NULL, NULL)$$);
-- A count-only row needs no currency; NULL amounts and quantities count as zero.
SELECT (b).currency, (b).timing, (b).timing_records
FROM (SELECT recon_bridge(line, a, q, NULL, NULL, NULL, NULL) AS b
      FROM (VALUES ('timing', NULL::numeric, 2), ('timing', 0, NULL)) v(line, a, q)) r;
-- The largest accepted magnitudes add exactly; beyond 1.7e30 the total is refused.
SELECT (recon_bridge('timing', a, 1, 'USD', NULL, NULL, NULL)).timing
FROM (VALUES (9999999999999999999999999999.99999999), (-0.00000001)) v(a);
SELECT * FROM regress.error_of($$SELECT recon_bridge('timing', 9999999999999999999999999999, 1, 'USD', NULL, NULL, NULL) FROM generate_series(1, 200)$$);
