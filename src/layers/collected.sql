-- The collected layer as finance tells it, in two clocks kept apart:
--   cohort (recon.collected_performance): the money collected so far for the leads and
--     orders created in a month, credited like the bridge (recon.bridge_records), with
--     the cohort's maturity: a young cohort has not paid yet, it is not a bad one;
--   cash period (recon.collected_cash_period): the money that arrived in a month,
--     whatever cohort it belongs to.
-- Then the two-number view: platform ROAS and collected ROAS side by side, labelled.
-- Record money is in the record's currency in recon.bridge_records; it is converted
-- to the reporting currency at the record's cohort day, as the bridge ledger does, so
-- that both add up to the same collected number. Cash is converted at its own day.

-- Posted money no record accounts for (no record_transaction link): it belongs to no
-- campaign, and the layer views show it under channel unknown.
CREATE VIEW recon.unlinked_money AS
    SELECT t.transaction_id, t.transaction_type, t.occurred_at, t.revenue_amount, t.currency, t.customer_id
    FROM recon.finance_transactions t
    WHERE t.status = 'posted' AND t.revenue_amount <> 0
      AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                      WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id);
COMMENT ON VIEW recon.unlinked_money IS
    'Posted payments, refunds and chargebacks (revenue_amount: signed, net of inclusive tax and shipping) that no match link ties to a lead, order or opportunity: money no record accounts for. recon.unmatched_exceptions says why each one is unlinked. Unique key: transaction_id.';

-- Per lead or order, its money in the reporting currency (at the cohort day).
CREATE FUNCTION recon.record_money_reporting()
RETURNS TABLE (record_id text, channel text, platform text, campaign_id text, cohort_month date, created_at timestamptz,
               customer_id text, owner text, currency text, outcome text, first_paid_at timestamptz,
               booked numeric, invoiced numeric, recognized numeric, collected numeric, refunded numeric,
               written_off numeric, outstanding numeric, reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $money$
    WITH records AS MATERIALIZED (SELECT * FROM recon.bridge_records),
    rates AS MATERIALIZED (
        SELECT x.*, recon.setting('reporting_currency') AS cur
        FROM (SELECT array_agg(currency) AS c, array_agg(cohort_day) AS d
              FROM (SELECT DISTINCT currency, cohort_day FROM records) p) a
        CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) x
    )
    SELECT r.record_id, r.channel, r.platform, coalesce(r.campaign_id, ''), r.cohort_month, r.created_at,
           r.customer_id, r.owner, r.currency, r.outcome, r.first_paid_at,
           @extschema@.recon_money_round(r.booked * x.rate, x.cur),
           @extschema@.recon_money_round(r.invoiced * x.rate, x.cur),
           @extschema@.recon_money_round(r.recognized * x.rate, x.cur),
           @extschema@.recon_money_round(r.collected * x.rate, x.cur),
           @extschema@.recon_money_round(r.refunded * x.rate, x.cur),
           @extschema@.recon_money_round(r.written_off * x.rate, x.cur),
           @extschema@.recon_money_round(r.outstanding * x.rate, x.cur),
           x.cur
    FROM records r JOIN rates x ON x.currency = r.currency AND x.day = r.cohort_day
$money$;
COMMENT ON FUNCTION recon.record_money_reporting() IS
    'recon.bridge_records'' money per lead or order (booked, invoiced, recognized, collected, refunded, written off, outstanding) converted to the reporting currency at the record''s cohort day, as recon.bridge_ledger converts it, with the record''s credit, cohort, customer, owner and outcome.';

CREATE FUNCTION recon.collected_performance_rows()
RETURNS TABLE (channel text, campaign_id text, month date, records bigint, won bigint, paid_records bigint,
               booked numeric, invoiced numeric, recognized numeric, collected numeric, refunded numeric,
               written_off numeric, outstanding numeric, unmatched_revenue numeric, spend numeric,
               collected_roas numeric, median_days_to_payment numeric, reporting_currency text, maturity text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $collected$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    cohorts AS (
        SELECT m.channel, m.campaign_id, m.cohort_month AS month, count(*) AS records,
               count(*) FILTER (WHERE m.outcome = 'won') AS won, count(*) FILTER (WHERE m.collected > 0) AS paid_records,
               sum(m.booked) AS booked, sum(m.invoiced) AS invoiced, sum(m.recognized) AS recognized,
               sum(m.collected) AS collected, sum(m.refunded) AS refunded, sum(m.written_off) AS written_off,
               sum(m.outstanding) AS outstanding, 0 AS unmatched_revenue,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.first_paid_at - m.created_at) / 86400)
                   AS days_to_payment
        FROM recon.record_money_reporting() m
        GROUP BY 1, 2, 3
    ), unlinked_days AS MATERIALIZED (   -- money no record accounts for: its own day is its only cohort
        SELECT currency::text AS currency, (occurred_at AT TIME ZONE (SELECT tz FROM ctx))::date AS day,
               sum(revenue_amount) AS revenue
        FROM recon.unlinked_money GROUP BY 1, 2
    ), unlinked AS (
        SELECT 'unknown' AS channel, '' AS campaign_id, date_trunc('month', u.day)::date AS month,
               sum(@extschema@.recon_money_round(u.revenue * x.rate, c.cur)) AS revenue
        FROM unlinked_days u CROSS JOIN ctx c
        JOIN (SELECT r.* FROM (SELECT array_agg(currency) AS c, array_agg(day) AS d FROM unlinked_days) a
              CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) r) x ON x.currency = u.currency AND x.day = u.day
        GROUP BY 1, 2, 3
    ), spend AS (
        SELECT platform, campaign_id, month, sum(spend_reporting) AS spend
        FROM recon.platform_performance GROUP BY 1, 2, 3
    ), joined AS (
        SELECT coalesce(k.channel, u.channel) AS channel, coalesce(k.campaign_id, u.campaign_id) AS campaign_id,
               coalesce(k.month, u.month) AS month, coalesce(k.records, 0) AS records, coalesce(k.won, 0) AS won,
               coalesce(k.paid_records, 0) AS paid_records, coalesce(k.booked, 0) AS booked,
               coalesce(k.invoiced, 0) AS invoiced, coalesce(k.recognized, 0) AS recognized,
               coalesce(k.collected, 0) + coalesce(u.revenue, 0) AS collected, coalesce(k.refunded, 0) AS refunded,
               coalesce(k.written_off, 0) AS written_off, coalesce(k.outstanding, 0) AS outstanding,
               coalesce(u.revenue, 0) AS unmatched_revenue, k.days_to_payment
        FROM cohorts k FULL JOIN unlinked u USING (channel, campaign_id, month)
    )
    SELECT j.channel, j.campaign_id, j.month, j.records, j.won, j.paid_records, j.booked, j.invoiced, j.recognized,
           j.collected, j.refunded, j.written_off, j.outstanding, j.unmatched_revenue, s.spend,
           round(j.collected / nullif(s.spend, 0), 4), round(j.days_to_payment::numeric, 1), c.cur,
           recon.cohort_maturity(j.month, c.mature_after, c.as_of_day)
    FROM joined j CROSS JOIN ctx c
    LEFT JOIN spend s ON s.platform = j.channel AND s.campaign_id = j.campaign_id AND s.month = j.month
$collected$;
COMMENT ON FUNCTION recon.collected_performance_rows() IS
    'The rows of recon.collected_performance (a function so that it can set work_mem and jit).';

CREATE VIEW recon.collected_performance AS SELECT * FROM recon.collected_performance_rows();
COMMENT ON VIEW recon.collected_performance IS
    'Collected layer by cohort, per credited channel, campaign ('''' when none) and cohort month (record creation in the reporting zone), followed to the newest data: records (leads and orders), won, paid_records (collected > 0), booked, invoiced, recognized, collected (payments minus refunds and chargebacks, net of tax and shipping), refunded, written_off, outstanding (recon.bridge_records, converted to the reporting currency at each record''s cohort day as the bridge ledger does), unmatched_revenue (posted money no record accounts for, recon.unlinked_money: channel unknown, dated by its own day, also counted in collected), spend of the same campaign and month (platform report days), collected_roas (collected / spend), the median days from creation to the first payment (reporting lag) and the cohort''s maturity. Whose number: finance''s. Unique key: (channel, campaign_id, month).';

-- Cash by the month it arrived: each posted payment, refund or chargeback (its share,
-- when split between records) credited through its record to the record's campaign.
CREATE FUNCTION recon.collected_cash_period_rows()
RETURNS TABLE (channel text, campaign_id text, month date, payments numeric, refunds numeric, collected numeric,
               transactions bigint, records bigint, cohorts integer, oldest_cohort date, unmatched_revenue numeric,
               reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $cash$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    credit AS MATERIALIZED (SELECT record_id, channel, coalesce(campaign_id, '') AS campaign_id, cohort_month FROM recon.bridge_records),
    cash AS MATERIALIZED (  -- a transaction's share per record (an opportunity's money goes to its lead)
        SELECT coalesce(o.parent_record_id, l.right_id) AS record_id, t.transaction_id, t.currency::text AS currency,
               (t.occurred_at AT TIME ZONE (SELECT tz FROM ctx))::date AS day,
               CASE WHEN l.allocated_amount IS NULL OR l.allocated_amount = t.amount OR t.amount = 0 THEN t.revenue_amount
                    ELSE @extschema@.recon_money_round(t.revenue_amount * l.allocated_amount / t.amount, t.currency) END AS revenue
        FROM recon.finance_transactions t
        JOIN recon.match_links l ON l.link_type = 'record_transaction' AND l.left_id = t.transaction_id
        LEFT JOIN recon.funnel_records o ON o.record_id = l.right_id AND o.record_type = 'opportunity'
        WHERE t.status = 'posted' AND t.revenue_amount <> 0
        UNION ALL
        SELECT NULL, u.transaction_id, u.currency, (u.occurred_at AT TIME ZONE (SELECT tz FROM ctx))::date, u.revenue_amount
        FROM recon.unlinked_money u
    ), rates AS MATERIALIZED (
        SELECT x.* FROM (SELECT array_agg(currency) AS c, array_agg(day) AS d FROM (SELECT DISTINCT currency, day FROM cash) p) a
        CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) x
    )
    SELECT coalesce(k.channel, 'unknown'), coalesce(k.campaign_id, ''), date_trunc('month', m.day)::date,
           sum(v.amount) FILTER (WHERE v.amount > 0), coalesce(-sum(v.amount) FILTER (WHERE v.amount < 0), 0),
           sum(v.amount), count(DISTINCT m.transaction_id), count(DISTINCT m.record_id),
           count(DISTINCT k.cohort_month)::integer, min(k.cohort_month),
           coalesce(sum(v.amount) FILTER (WHERE m.record_id IS NULL), 0), min(c.cur)
    FROM cash m
    CROSS JOIN ctx c
    JOIN rates x ON x.currency = m.currency AND x.day = m.day
    CROSS JOIN LATERAL (SELECT @extschema@.recon_money_round(m.revenue * x.rate, c.cur) AS amount) v
    LEFT JOIN credit k ON k.record_id = m.record_id
    GROUP BY 1, 2, 3
$cash$;
COMMENT ON FUNCTION recon.collected_cash_period_rows() IS
    'The rows of recon.collected_cash_period (a function so that it can set work_mem and jit).';

CREATE VIEW recon.collected_cash_period AS SELECT * FROM recon.collected_cash_period_rows();
COMMENT ON VIEW recon.collected_cash_period IS
    'Collected layer by cash period: per credited channel, campaign and month the money arrived (transaction day in the reporting zone), whatever cohort it belongs to: payments, refunds (refunds and chargebacks, as a positive amount), collected (payments minus refunds, net of inclusive tax and shipping; a transaction split between records counts its allocated share), transactions, records paid, how many cohort months the money came from and the oldest, unmatched_revenue (money no record accounts for, channel unknown), converted to the reporting currency at each transaction''s day. Credit as in recon.bridge_records. Not comparable with the cohort view month by month: a cohort collects over many months. Unique key: (channel, campaign_id, month).';

-- Platform ROAS and collected ROAS side by side, each saying whose number it is.
CREATE FUNCTION recon.roas_two_numbers_rows()
RETURNS TABLE (platform text, campaign_id text, month date, spend numeric, platform_conversions numeric,
               platform_value numeric, platform_roas numeric, platform_number text, records bigint,
               paid_records bigint, collected numeric, collected_roas numeric, collected_number text,
               maturity text, cohort_age_days integer, reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $two$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    claims AS (
        SELECT p.platform, p.campaign_id, p.month, sum(p.spend_reporting) AS spend, sum(p.conversions) AS conversions,
               sum(p.value_reporting) AS value, string_agg(DISTINCT p.attribution_setting, ', ') AS attribution_setting,
               min(p.attribution_window) AS attribution_window, min(p.report_timezone) AS report_timezone
        FROM recon.platform_performance p GROUP BY 1, 2, 3
    ), cohorts AS (
        SELECT c.channel AS platform, c.campaign_id, c.month, c.records, c.paid_records, c.collected
        FROM recon.collected_performance c JOIN recon.platforms p ON p.platform = c.channel
    )
    SELECT j.platform, j.campaign_id, j.month, l.spend, l.conversions, l.value, round(l.value / nullif(l.spend, 0), 4),
           format('platform (%s): the conversion value it attributes to its ads in the %s window (%s), by report day in %s, one action type per event family',
                  coalesce(p.display_name, j.platform), coalesce(l.attribution_window, '-'),
                  coalesce(l.attribution_setting, '-'), coalesce(l.report_timezone, '-')),
           coalesce(k.records, 0), coalesce(k.paid_records, 0), coalesce(k.collected, 0),
           round(coalesce(k.collected, 0) / nullif(l.spend, 0), 4),
           format('finance: cash collected up to %s for the leads and orders created in %s (cohort, %s) and credited to the campaign, net of refunds, tax and shipping',
                  c.as_of_day, to_char(j.month, 'YYYY-MM'), c.tz),
           recon.cohort_maturity(j.month, c.mature_after, c.as_of_day),
           greatest(c.as_of_day - (j.month + interval '1 month' - interval '1 day')::date, 0),
           c.cur
    FROM (SELECT platform, campaign_id, month FROM claims UNION SELECT platform, campaign_id, month FROM cohorts) j
    CROSS JOIN ctx c
    LEFT JOIN claims l USING (platform, campaign_id, month)
    LEFT JOIN cohorts k USING (platform, campaign_id, month)
    LEFT JOIN recon.platforms p ON p.platform = j.platform
$two$;
COMMENT ON FUNCTION recon.roas_two_numbers_rows() IS
    'The rows of recon.roas_two_numbers (a function so that it can set work_mem and jit).';

CREATE VIEW recon.roas_two_numbers AS SELECT * FROM recon.roas_two_numbers_rows();
COMMENT ON VIEW recon.roas_two_numbers IS
    'The two ROAS numbers side by side, per ad platform, campaign ('''' for records credited to the platform without a campaign) and month, never blended: platform_roas = platform_value / spend (the platform''s claim: its attribution window, booked by report day in its report zone; platform_number says which) and collected_roas = collected / spend (finance: cash collected to date for the leads and orders created in the month and credited to the campaign, as recon.collected_performance; collected_number says which), with the cohort''s maturity and age in days (a young cohort''s collected ROAS still grows). Money in the reporting currency. Unique key: (platform, campaign_id, month).';
