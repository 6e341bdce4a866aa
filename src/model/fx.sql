-- FX rates and as-of conversion. A conversion keeps the original amount and
-- currency beside the converted one, names the rate and its date, and fails
-- (SQLSTATE P0002, no_data_found) when no rate covers the date: a silent 1.0
-- or a stale rate is how reports drift apart.

CREATE TABLE recon.fx_rates (
    rate_type      text NOT NULL DEFAULT 'daily'
                   CHECK (rate_type IN ('daily', 'monthly_average', 'fixed')),
    base_currency  recon_currency_code NOT NULL,
    quote_currency recon_currency_code NOT NULL,
    rate_date      date NOT NULL,
    rate           numeric NOT NULL,
    record_source  text NOT NULL DEFAULT 'manual',
    batch_id       text,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    dq_flags       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (rate_type, base_currency, quote_currency, rate_date),
    CONSTRAINT fx_rates_positive CHECK (rate > 0),
    CONSTRAINT fx_rates_distinct_currencies CHECK (base_currency <> quote_currency),
    CONSTRAINT fx_rates_monthly_on_first CHECK (rate_type <> 'monthly_average' OR extract(day FROM rate_date) = 1)
);
COMMENT ON TABLE recon.fx_rates IS
    '1 unit of base_currency = rate units of quote_currency. daily: the day''s rate; monthly_average: the month''s average, dated on the 1st; fixed: a budget rate valid from rate_date until the next one.';
CREATE TRIGGER fx_rates_touch BEFORE UPDATE ON recon.fx_rates
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('recon.fx_rates', '');

-- A converted amount: the original, the result and how it was obtained.
CREATE TYPE recon_converted_amount AS (
    original_amount   numeric,
    original_currency text,
    amount            numeric,
    currency          text,
    rate              numeric,
    rate_date         date,
    fx_policy         text,
    rate_path         text
);
COMMENT ON TYPE recon_converted_amount IS
    'Result of recon_fx_convert: original amount and currency, converted amount and currency, the rate, the date of the rate used, the policy, and the path (same, direct, inverse, or via pivot).';

-- One stored rate for one ordered pair under a policy, or NULL.
CREATE FUNCTION recon.fx_pair_rate(from_currency text, to_currency text, as_of date, policy text)
RETURNS TABLE (rate numeric, rate_date date)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT r.rate, r.rate_date
    FROM recon.fx_rates r
    WHERE r.rate_type = policy
      AND r.base_currency = from_currency AND r.quote_currency = to_currency
      AND r.rate_date <= as_of          -- true under every policy; lets the key scan start at as_of
      AND CASE policy
          WHEN 'daily' THEN r.rate_date <= as_of
                        AND r.rate_date >= as_of - recon.setting('fx_max_staleness_days')::integer
          WHEN 'monthly_average' THEN r.rate_date = date_trunc('month', as_of)::date
          ELSE r.rate_date <= as_of
          END
    ORDER BY r.rate_date DESC
    LIMIT 1
$$;
COMMENT ON FUNCTION recon.fx_pair_rate(text, text, date, text) IS
    'Stored rate for exactly this ordered pair under a policy (daily within fx_max_staleness_days, monthly_average of the month, fixed valid-from), or no row.';

-- Rate for a pair, trying direct, then inverse: no row when neither exists.
CREATE FUNCTION recon.fx_pair_rate_either_way(from_currency text, to_currency text, as_of date, policy text)
RETURNS TABLE (rate numeric, rate_date date, path text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT d.rate, d.rate_date, 'direct'
    FROM recon.fx_pair_rate(from_currency, to_currency, as_of, policy) d
    UNION ALL
    SELECT 1 / i.rate, i.rate_date, 'inverse'
    FROM recon.fx_pair_rate(to_currency, from_currency, as_of, policy) i
    LIMIT 1
$$;
COMMENT ON FUNCTION recon.fx_pair_rate_either_way(text, text, date, text) IS
    'Rate for a currency pair from a direct quote or the inverse of the opposite quote; no row when neither is stored.';

-- The rate from one currency to another as of a date: same currency, direct,
-- inverse, then crossed through the pivot currency. These lookups return sets (of
-- at most one row) because only set-returning SQL functions are inlined into the
-- calling query: a report resolving hundreds of (currency, day) pairs then plans
-- them once instead of running nested function calls per pair.
CREATE FUNCTION recon.fx_find_rate(from_currency text, to_currency text, as_of date, policy text)
RETURNS TABLE (rate numeric, rate_date date, path text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT 1::numeric, as_of, 'same' WHERE from_currency = to_currency
    UNION ALL
    SELECT coalesce(d.rate, v.rate), coalesce(d.rate_date, v.rate_date), coalesce(d.path, v.path)
    FROM (SELECT 1) one
    LEFT JOIN recon.fx_pair_rate_either_way(from_currency, to_currency, as_of, policy) d ON true
    LEFT JOIN LATERAL (
        SELECT a.rate * b.rate AS rate, least(a.rate_date, b.rate_date) AS rate_date, 'via ' || p.pivot AS path
        FROM (SELECT recon.setting('fx_pivot_currency') AS pivot) p
        CROSS JOIN LATERAL recon.fx_pair_rate_either_way(from_currency, p.pivot, as_of, policy) a
        CROSS JOIN LATERAL recon.fx_pair_rate_either_way(p.pivot, to_currency, as_of, policy) b
        WHERE d.rate IS NULL AND p.pivot NOT IN ('', from_currency, to_currency)
    ) v ON true
    WHERE from_currency <> to_currency AND coalesce(d.rate, v.rate) IS NOT NULL
$$;
COMMENT ON FUNCTION recon.fx_find_rate(text, text, date, text) IS
    'Rate from one currency to another as of a date under a policy: 1 for the same currency, else a direct quote, the inverse of the opposite quote, or the cross through the fx_pivot_currency setting; no row when none exists (recon_fx_convert turns that into an error).';

CREATE FUNCTION recon_fx_convert(amount numeric, from_currency text, as_of date,
                                 to_currency text DEFAULT NULL, policy text DEFAULT NULL)
RETURNS recon_converted_amount
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    src    text := @extschema@.recon_currency(from_currency);
    dst    text := @extschema@.recon_currency(coalesce(to_currency, recon.setting('reporting_currency')));
    pol    text := coalesce(policy, recon.setting('fx_policy'));
    found  record;
    pivot  text;
    result @extschema@.recon_converted_amount;
BEGIN
    IF amount IS NULL THEN
        RETURN NULL;
    END IF;
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'cannot convert % % to %: the as-of date is NULL', amount, src, dst
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF pol NOT IN ('daily', 'monthly_average', 'fixed') THEN
        PERFORM recon.validate_setting('fx_policy', pol);     -- raises the setting's own error
    END IF;

    SELECT * INTO found FROM recon.fx_find_rate(src, dst, as_of, pol);
    IF found.rate IS NULL THEN
        pivot := recon.setting('fx_pivot_currency');
        RAISE EXCEPTION 'no % FX rate from % to % for %', pol, src, dst, as_of
            USING ERRCODE = 'no_data_found',
                  DETAIL = format('Looked in recon.fx_rates for %s/%s, %s/%s%s, %s.',
                                  src, dst, dst, src,
                                  CASE WHEN pivot NOT IN ('', src, dst) THEN ' and via ' || pivot ELSE '' END,
                                  CASE pol WHEN 'daily' THEN format('dated %s back to %s (fx_max_staleness_days)',
                                                                    as_of, as_of - recon.setting('fx_max_staleness_days')::integer)
                                           WHEN 'monthly_average' THEN format('the monthly average dated %s', date_trunc('month', as_of)::date)
                                           ELSE format('a fixed rate valid on %s', as_of) END),
                  HINT = 'Load the missing rate into recon.fx_rates, or change the fx_policy setting.';
    END IF;

    result.original_amount := amount;
    result.original_currency := src;
    result.amount := @extschema@.recon_money_round(amount * found.rate, dst);
    result.currency := dst;
    result.rate := found.rate;
    result.rate_date := found.rate_date;
    result.fx_policy := pol;
    result.rate_path := found.path;
    RETURN result;
END $$;
COMMENT ON FUNCTION recon_fx_convert(numeric, text, date, text, text) IS
    'Converts an amount as of a date (to the reporting currency unless to_currency is given, under the fx_policy setting unless policy is given), keeping original and converted amounts, the rate, its date and path; rounds to the target currency''s minor units; raises P0002 when no rate covers the date.';

CREATE FUNCTION recon_fx_amount(amount numeric, from_currency text, as_of date,
                                to_currency text DEFAULT NULL, policy text DEFAULT NULL)
RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (@extschema@.recon_fx_convert(amount, from_currency, as_of, to_currency, policy)).amount
$$;
COMMENT ON FUNCTION recon_fx_amount(numeric, text, date, text, text) IS
    'Just the converted amount of recon_fx_convert (same rules, same errors).';

CREATE PROCEDURE recon.fx_derive_monthly_averages(from_month date, to_month date, reason text DEFAULT NULL)
LANGUAGE sql AS $$
    INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate, record_source)
    SELECT 'monthly_average', base_currency, quote_currency, date_trunc('month', rate_date)::date,
           round(avg(rate), 10), coalesce('derived from daily rates: ' || reason, 'derived from daily rates')
    FROM recon.fx_rates
    WHERE rate_type = 'daily'
      AND rate_date >= date_trunc('month', from_month) AND rate_date < date_trunc('month', to_month) + interval '1 month'
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (rate_type, base_currency, quote_currency, rate_date)
    DO UPDATE SET rate = EXCLUDED.rate, record_source = EXCLUDED.record_source
    WHERE recon.fx_rates.record_source LIKE 'derived from daily rates%'
$$;
COMMENT ON PROCEDURE recon.fx_derive_monthly_averages(date, date, text) IS
    'Computes monthly_average rates from the stored daily rates for each month in [from_month, to_month], replacing earlier derivations; a monthly average loaded from another source is kept.';

-- Rates to the reporting currency for a batch of (currency, day) pairs, one lookup
-- per distinct pair, as reports need them: a report converts each day's amount at
-- that day's rate. The arrays are zipped (unnest(currencies, days)); NULL
-- currencies are skipped. A pair without a rate goes through recon_fx_convert,
-- which raises the error that names it (P0002).
CREATE FUNCTION recon.fx_reporting_rates(currencies text[], days date[])
RETURNS TABLE (currency text, day date, rate numeric)
LANGUAGE sql STABLE AS $$
    -- the settings once, as values: the lookups then use them as index keys
    WITH s AS MATERIALIZED (SELECT recon.setting('reporting_currency') AS cur, recon.setting('fx_policy') AS fx_policy),
    -- in order, so that a missing rate always names the same (first) pair
    p AS MATERIALIZED (SELECT DISTINCT u.c AS currency, u.d AS day FROM unnest(currencies, days) AS u(c, d)
                       WHERE u.c IS NOT NULL ORDER BY 1, 2)
    SELECT p.currency, p.day, coalesce(f.rate, (@extschema@.recon_fx_convert(1, p.currency, p.day)).rate)
    FROM p CROSS JOIN s
    -- arguments without sub-selects, so that the lookup is inlined into this plan
    LEFT JOIN LATERAL recon.fx_find_rate(p.currency, s.cur, p.day, s.fx_policy) f ON true
$$;
COMMENT ON FUNCTION recon.fx_reporting_rates(text[], date[]) IS
    'The rate from each distinct (currency, day) pair (arrays zipped; NULL currencies skipped) to the reporting currency under the fx_policy setting, as recon_fx_convert finds it; raises P0002 naming the first pair (by currency, then day) no rate covers.';
