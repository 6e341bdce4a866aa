-- The bridge ledger: the rows recon_bridge adds up. Platform rows carry what
-- each platform claims per campaign and report day; record rows carry, per CRM
-- record, the lines its outcome and money put it on; orphan money carries the
-- payments and refunds no record accounts for.

-- Platform claims per campaign and report day, as every report counts them
-- (recon.platform_conversions_reported: finest level, one action type per family, reported window).
CREATE FUNCTION recon.bridge_platform_rows()
RETURNS TABLE (platform text, account_id text, campaign_id text, report_date date, report_timezone text,
               currency text, conversions numeric, conversion_value numeric)
LANGUAGE sql STABLE AS $$
    SELECT c.platform, c.account_id, c.campaign_id, c.report_date, a.report_timezone, c.currency,
           sum(c.conversions), sum(c.conversion_value)
    FROM recon.platform_conversions_reported c
    JOIN recon.ad_accounts a USING (platform, account_id)
    GROUP BY 1, 2, 3, 4, 5, 6
$$;
COMMENT ON FUNCTION recon.bridge_platform_rows() IS
    'Platform-attributed conversions and value per platform, account, campaign and report day, as the reports count them (recon.platform_conversions_reported), with the account''s report time zone.';

-- amount at rate in currency cur, rounded to its minor unit; unchanged at rate 1 or when zero (no rounding call).
CREATE FUNCTION recon.bridge_convert(amount numeric, rate numeric, cur text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN rate = 1 OR amount = 0 THEN amount ELSE @extschema@.recon_money_round(amount * rate, cur) END
$$;
COMMENT ON FUNCTION recon.bridge_convert(numeric, numeric, text) IS
    'The ledger''s conversion of one amount to the reporting currency: amount * rate rounded to the currency''s minor unit, or the amount itself when the rate is 1 or the amount 0.';

-- The rows of recon.bridge_ledger (JIT off, as for recon.bridge_records).
CREATE FUNCTION recon.bridge_ledger_rows()
RETURNS TABLE (entry_key text, line text, amount numeric, quantity numeric, currency @extschema@.recon_currency_code, amount_reporting numeric,
               reporting_currency @extschema@.recon_currency_code, record_at timestamptz, as_of timestamptz, maturity_days integer[],
               cohort_day date, cohort_month date, channel text, platform text, account_id text,
               campaign_id text, adset_id text, ad_id text, market text, owner text, customer_id text,
               record_id text, record_type text, outcome text)
LANGUAGE sql STABLE
SET jit = off
AS $ledger$
WITH settings AS MATERIALIZED (
    SELECT recon.setting('reporting_timezone') AS tz, recon.setting('reporting_currency') AS cur,
           recon.setting('fx_policy') AS fx_policy, recon.setting('maturity_days')::integer[] AS points,
           recon.data_as_of() AS as_of
),
platform AS MATERIALIZED (SELECT * FROM recon.bridge_platform_rows()),
records AS MATERIALIZED (SELECT * FROM recon.bridge_records),
orphan AS MATERIALIZED (      -- posted money no record accounts for
    SELECT t.transaction_id, t.revenue_amount, t.currency, t.occurred_at, t.customer_id,
           (t.occurred_at AT TIME ZONE (SELECT tz FROM settings))::date AS day
    FROM recon.finance_transactions t
    WHERE t.status = 'posted' AND t.revenue_amount <> 0
      AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                      WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
),
-- one rate per currency and cohort day; a pair without one goes through recon_fx_convert, which names it
rates AS MATERIALIZED (
    SELECT p.currency, p.day,
           coalesce(f.rate, (@extschema@.recon_fx_convert(1, p.currency, p.day)).rate) AS rate
    FROM (SELECT currency, report_date AS day FROM platform
          UNION SELECT currency, cohort_day FROM records
          UNION SELECT currency, day FROM orphan) p
    CROSS JOIN settings s
    LEFT JOIN LATERAL recon.fx_find_rate(p.currency, s.cur, p.day, s.fx_policy) f ON true
),
entries AS (
    SELECT concat_ws(':', 'platform', p.platform, p.account_id, p.campaign_id, p.report_date) AS entry_key,
           'platform_value' AS line, p.conversion_value AS amount,
           recon.bridge_convert(p.conversion_value, x.rate, s.cur) AS amount_reporting,
           p.conversions AS quantity, p.currency,
           p.report_date::timestamp AT TIME ZONE p.report_timezone AS record_at, p.report_date AS cohort_day,
           p.platform AS channel, p.platform, p.account_id, p.campaign_id, NULL::text AS adset_id, NULL::text AS ad_id,
           NULL::text AS market, NULL::text AS owner, NULL::text AS customer_id, NULL::text AS record_id,
           NULL::text AS record_type, NULL::text AS outcome
    FROM platform p CROSS JOIN settings s
    JOIN rates x ON x.currency = p.currency AND x.day = p.report_date
    UNION ALL
    -- a record's lines: its amounts are converted first and the derived lines computed
    -- from the converted ones, so a record's lines add up in both currencies
    SELECT 'record:' || r.record_id, e.line, e.amount, e.amount_reporting, e.quantity, r.currency, r.created_at, r.cohort_day, r.channel,
           r.platform, r.account_id, r.campaign_id, r.adset_id, r.ad_id, r.market, r.owner, r.customer_id,
           r.record_id, r.record_type, r.outcome
    FROM records r CROSS JOIN settings s
    JOIN rates x ON x.currency = r.currency AND x.day = r.cohort_day
    CROSS JOIN LATERAL (
        SELECT recon.bridge_convert(r.platform_value, x.rate, s.cur) AS platform_value,
               recon.bridge_convert(r.expected_value, x.rate, s.cur) AS expected_value,
               recon.bridge_convert(r.collected, x.rate, s.cur) AS collected,
               recon.bridge_convert(r.refunded, x.rate, s.cur) AS refunded,
               recon.bridge_convert(r.written_off, x.rate, s.cur) AS written_off,
               recon.bridge_convert(r.booked, x.rate, s.cur) AS booked,
               recon.bridge_convert(r.invoiced, x.rate, s.cur) AS invoiced,
               recon.bridge_convert(r.recognized, x.rate, s.cur) AS recognized
    ) c
    CROSS JOIN LATERAL (VALUES
        ('matched_value', r.platform_value, c.platform_value, 1, r.platform IS NOT NULL),
        ('invalid_duplicate', r.platform_value, c.platform_value, 1, r.outcome IN ('invalid', 'duplicate')),
        ('lost_cancelled', r.platform_value, c.platform_value, 1, r.outcome IN ('lost', 'cancelled')),
        ('value_difference', r.expected_value - r.platform_value, c.expected_value - c.platform_value,
         CASE WHEN r.outcome = 'won' THEN 1 ELSE 0 END, r.outcome IN ('won', 'open')),
        ('refunds', r.refunded, c.refunded, 1, r.outcome IN ('won', 'open') AND r.refunded <> 0),
        ('written_off', r.written_off, c.written_off, 1, r.outcome IN ('won', 'open') AND r.written_off <> 0),
        ('timing', r.outstanding, c.expected_value - c.collected - c.refunded - c.written_off, 1,
         r.outcome = 'open' OR (r.outcome = 'won' AND r.outstanding <> 0)),
        ('collected', r.collected, c.collected, 1, r.collected <> 0),
        ('booked', r.booked, c.booked, 1, r.outcome = 'won'),
        ('invoiced', r.invoiced, c.invoiced, 1, r.invoiced <> 0),
        ('recognized', r.recognized, c.recognized, 1, r.recognized <> 0)
    ) AS e(line, amount, amount_reporting, quantity, applies)
    WHERE e.applies
    UNION ALL
    SELECT 'transaction:' || o.transaction_id, l.line, o.revenue_amount, recon.bridge_convert(o.revenue_amount, x.rate, s.cur), 1, o.currency,
           o.occurred_at, o.day, 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL, o.customer_id, NULL, NULL, NULL
    FROM orphan o CROSS JOIN settings s
    JOIN rates x ON x.currency = o.currency AND x.day = o.day
    CROSS JOIN (VALUES ('unmatched_revenue'), ('collected')) AS l(line)
)
SELECT e.entry_key, e.line, e.amount, e.quantity, e.currency, e.amount_reporting, s.cur,
       e.record_at, s.as_of, s.points, e.cohort_day, date_trunc('month', e.cohort_day)::date,
       e.channel, e.platform, e.account_id, e.campaign_id, e.adset_id, e.ad_id, e.market, e.owner, e.customer_id,
       e.record_id, e.record_type, e.outcome
FROM entries e CROSS JOIN settings s
$ledger$;
COMMENT ON FUNCTION recon.bridge_ledger_rows() IS
    'Computes the rows of recon.bridge_ledger (JIT off: its plan''s estimated cost would trigger a compile longer than the query).';

CREATE VIEW recon.bridge_ledger AS SELECT * FROM recon.bridge_ledger_rows();
COMMENT ON VIEW recon.bridge_ledger IS
    'The rows recon_bridge adds up, one per (entry_key, line), entry_key naming the source (platform:<platform>:<account>:<campaign>:<day>, record:<record_id>, transaction:<transaction_id>): platform_value per campaign and report day (quantity = platform conversions, cohort = the platform''s report day); per CRM record (recon.bridge_records) matched_value (credited records: what the platform was told they are worth), invalid_duplicate, lost_cancelled, value_difference, refunds, written_off, timing, collected, booked, invoiced, recognized as its outcome and money put it on (cohort = its creation day in the reporting zone); per posted transaction no record accounts for, unmatched_revenue and collected (channel unknown). amount and currency are the original ones; amount_reporting is converted at the cohort day (fx_policy) and rounded to the reporting currency. Use: SELECT campaign_id, cohort_month, (recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days)).* FROM recon.bridge_ledger GROUP BY 1, 2.';
