-- recon_bridge: platform-attributed value walked down to collected revenue,
-- line by line, per GROUP BY. The state is a real type (recon_bridge_state,
-- with text input/output) and there is a combine function, so parallel
-- workers and Citus shards aggregate apart and the results combine exactly.

CREATE TYPE recon_bridge_state;
CREATE FUNCTION recon_bridge_state_in(cstring) RETURNS recon_bridge_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION recon_bridge_state_out(recon_bridge_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE recon_bridge_state (
    INPUT = recon_bridge_state_in,
    OUTPUT = recon_bridge_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE recon_bridge_state IS
    'Running totals of recon_bridge: per ledger line an exact amount and quantity (fixed point, 8 decimal places), the group''s currency, its youngest and oldest record times, as_of and maturity points. Text form (for shipping between nodes; times in microseconds since 2000-01-01 UTC): v1 currency=USD as_of=N youngest=N oldest=N points=7,30,60,90 <line>=<amount>/<quantity> ...';
COMMENT ON FUNCTION recon_bridge_state_in(cstring) IS 'Text input of recon_bridge_state.';
COMMENT ON FUNCTION recon_bridge_state_out(recon_bridge_state) IS 'Text output of recon_bridge_state (only the lines that are not zero).';

CREATE TYPE recon_bridge_result AS (
    currency                   text,
    platform_value             numeric,
    unmatched                  numeric,
    invalid_duplicate          numeric,
    lost_cancelled             numeric,
    value_difference           numeric,
    refunds                    numeric,
    written_off                numeric,
    timing                     numeric,
    residual                   numeric,
    collected                  numeric,
    platform_conversions       numeric,
    matched_records            numeric,
    unmatched_conversions      numeric,
    unmatched_revenue          numeric,
    unmatched_revenue_records  numeric,
    invalid_duplicate_records  numeric,
    lost_cancelled_records     numeric,
    won_records                numeric,
    refund_records             numeric,
    written_off_records        numeric,
    timing_records             numeric,
    collected_records          numeric,
    booked                     numeric,
    invoiced                   numeric,
    recognized                 numeric,
    net_after_refunds          numeric,
    match_rate                 numeric,
    as_of                      timestamptz,
    youngest_record_at         timestamptz,
    oldest_record_at           timestamptz,
    age_days                   integer,
    maturity_days              integer,
    maturity                   text
);
COMMENT ON TYPE recon_bridge_result IS
    'One bridge: platform_value + unmatched + invalid_duplicate + lost_cancelled + value_difference + refunds + written_off + timing + residual = collected, exactly (deductions are negative). Then the records behind each line, booked/invoiced/recognized value, net after refunds, the match rate (matched records per platform conversion), and the cohort''s maturity: the youngest record''s age in days at as_of against the maturity points (maturity_days = the last point reached; maturity = mature once the last point is passed, else incomplete; unknown without times).';

CREATE FUNCTION recon_bridge_add(recon_bridge_state, line text, amount numeric, quantity numeric, currency text,
                                 record_at timestamptz, as_of timestamptz, maturity_days integer[])
    RETURNS recon_bridge_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_bridge_add(recon_bridge_state, text, numeric, numeric, text, timestamptz, timestamptz, integer[]) IS
    'Transition function of recon_bridge: adds one ledger row''s amount and quantity to its line.';
CREATE FUNCTION recon_bridge_combine(recon_bridge_state, recon_bridge_state) RETURNS recon_bridge_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_bridge_combine(recon_bridge_state, recon_bridge_state) IS
    'Combine function of recon_bridge: adds two partial states (parallel workers, Citus shards); one currency and one set of maturity points per group.';
CREATE FUNCTION recon_bridge_result(recon_bridge_state) RETURNS recon_bridge_result
    AS 'MODULE_PATHNAME', 'recon_bridge_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_bridge_result(recon_bridge_state) IS
    'Final function of recon_bridge: turns running totals (also a stored or shipped state) into the bridge.';

CREATE AGGREGATE recon_bridge(line text, amount numeric, quantity numeric, currency text,
                              record_at timestamptz, as_of timestamptz, maturity_days integer[]) (
    SFUNC = recon_bridge_add,
    STYPE = recon_bridge_state,
    FINALFUNC = recon_bridge_result,
    COMBINEFUNC = recon_bridge_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE recon_bridge(text, numeric, numeric, text, timestamptz, timestamptz, integer[]) IS
    'The bridge from platform-attributed value to collected revenue for each GROUP BY, from ledger rows (recon.bridge_ledger): line (platform_value, matched_value, unmatched_revenue, invalid_duplicate, lost_cancelled, value_difference, refunds, written_off, timing, collected, booked, invoiced, recognized), amount (exact; at most 8 decimal places; NULL = 0), quantity (records or conversions), currency (one per group), record_at (cohort time of the record), as_of (extraction moment) and maturity_days (points, from the group''s first row; NULL = {7,30,60,90}). Returns recon_bridge_result. Combinable and parallel safe.';

-- Rollups: keep states (per day, per shard) and combine them later.
CREATE AGGREGATE recon_bridge_partial(line text, amount numeric, quantity numeric, currency text,
                                      record_at timestamptz, as_of timestamptz, maturity_days integer[]) (
    SFUNC = recon_bridge_add,
    STYPE = recon_bridge_state,
    COMBINEFUNC = recon_bridge_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE recon_bridge_partial(text, numeric, numeric, text, timestamptz, timestamptz, integer[]) IS
    'recon_bridge without its final step: returns the running totals (recon_bridge_state) to store and combine later with recon_bridge_merge, then recon_bridge_result.';
CREATE AGGREGATE recon_bridge_merge(recon_bridge_state) (
    SFUNC = recon_bridge_combine,
    STYPE = recon_bridge_state,
    COMBINEFUNC = recon_bridge_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE recon_bridge_merge(recon_bridge_state) IS
    'Adds stored bridge states (from recon_bridge_partial), e.g. daily states rolled up to a month: recon_bridge_result(recon_bridge_merge(state)) equals recon_bridge over the same rows.';

-- The bridge as ordered steps for a waterfall chart: start, each line, end.
CREATE FUNCTION recon_bridge_steps(bridge recon_bridge_result)
RETURNS TABLE (step integer, line text, label text, amount numeric, running_total numeric, records numeric)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT s.step, s.line, s.label, s.amount,
           CASE WHEN s.line = 'collected' THEN s.amount
                ELSE sum(s.amount) FILTER (WHERE s.line <> 'collected') OVER (ORDER BY s.step) END,
           s.records
    FROM (VALUES
        (1, 'platform_value', 'platform-attributed value', bridge.platform_value, bridge.platform_conversions),
        (2, 'unmatched', 'unmatched: platform claims without a CRM record (-), records or money the platform did not claim (+)',
         bridge.unmatched, bridge.unmatched_conversions),
        (3, 'invalid_duplicate', 'invalid or duplicate records', bridge.invalid_duplicate, bridge.invalid_duplicate_records),
        (4, 'lost_cancelled', 'lost or cancelled', bridge.lost_cancelled, bridge.lost_cancelled_records),
        (5, 'value_difference', 'won: booked value minus the value the platform was sent', bridge.value_difference, bridge.won_records),
        (6, 'refunds', 'refunds, returns, failed delivery, credit notes', bridge.refunds, bridge.refund_records),
        (7, 'written_off', 'written off (uncollectible)', bridge.written_off, bridge.written_off_records),
        (8, 'timing', 'timing: open records and receivables not yet paid', bridge.timing, bridge.timing_records),
        (9, 'residual', 'residual: what no line explains', bridge.residual, NULL::numeric),
        (10, 'collected', 'collected revenue', bridge.collected, bridge.collected_records)
    ) AS s(step, line, label, amount, records)
$$;
COMMENT ON FUNCTION recon_bridge_steps(recon_bridge_result) IS
    'The bridge as ordered waterfall steps: (step, line, label, amount, running total, records). The running total starts at platform_value, moves by each line and, after the residual, equals collected (the last step, a total).';

-- The bridge for BI tools: every figure plus the steps, in one jsonb document.
CREATE FUNCTION recon_bridge_jsonb(bridge recon_bridge_result) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_jsonb(bridge) || jsonb_build_object('steps',
               (SELECT jsonb_agg(to_jsonb(s) ORDER BY s.step) FROM recon_bridge_steps(bridge) s))
$$;
COMMENT ON FUNCTION recon_bridge_jsonb(recon_bridge_result) IS
    'The bridge as one jsonb document for BI tools: every column of recon_bridge_result and a "steps" array (step, line, label, amount, running_total, records).';
