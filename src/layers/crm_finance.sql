-- CRM versus finance: what sales booked against what finance invoiced, recognized
-- and received, per record and rolled up by customer, cohort month and owner, each
-- gap named. Money comes from recon.bridge_records (record currency) through
-- recon.record_money_reporting (reporting currency, at the cohort day). What the
-- links cannot explain at all (money without a record, won deals without money) is
-- listed apart, in recon.crm_finance_exceptions.

-- The gaps between a record's booking and its money, in order of precedence.
CREATE FUNCTION recon.crm_finance_mismatches(outcome text, booked numeric, invoiced numeric, collected numeric,
                                             refunded numeric, written_off numeric, outstanding numeric)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_remove(ARRAY[
        CASE WHEN outcome = 'won' AND invoiced = 0 THEN 'won, not invoiced' END,
        CASE WHEN outcome = 'won' AND invoiced <> 0 AND invoiced <> booked THEN 'amounts differ' END,
        CASE WHEN collected > 0 AND outcome = 'open' THEN 'paid before booking' END,
        CASE WHEN collected > 0 AND outcome NOT IN ('won', 'open') THEN 'paid without a booking' END,
        CASE WHEN invoiced > 0 AND collected <= 0 AND written_off = 0 AND outstanding > 0 THEN 'invoiced, not paid' END,
        CASE WHEN collected > 0 AND outstanding > 0 THEN 'partly paid' END,
        CASE WHEN refunded > 0 THEN 'refunded' END,
        CASE WHEN written_off > 0 THEN 'written off' END
    ], NULL)
$$;
COMMENT ON FUNCTION recon.crm_finance_mismatches(text, numeric, numeric, numeric, numeric, numeric, numeric) IS
    'The gaps between a record''s CRM booking and its money, most telling first: won, not invoiced; amounts differ (invoiced <> booked); paid before booking (money for an open record); paid without a booking (money for a lost, cancelled, invalid or duplicate record); invoiced, not paid; partly paid; refunded; written off. Empty when booking and money agree.';

CREATE FUNCTION recon.crm_finance_records_rows()
RETURNS TABLE (record_id text, customer_id text, month date, owner text, channel text, campaign_id text, outcome text,
               booked numeric, invoiced numeric, recognized numeric, collected numeric, refunded numeric,
               written_off numeric, outstanding numeric, mismatches text[], mismatch text, reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $records$
    SELECT m.record_id, coalesce(m.customer_id, '(none)'), m.cohort_month, coalesce(m.owner, '(none)'), m.channel,
           m.campaign_id, m.outcome, m.booked, m.invoiced, m.recognized, m.collected, m.refunded, m.written_off,
           m.outstanding, g.gaps, coalesce(g.gaps[1], 'matches'), m.reporting_currency
    FROM recon.record_money_reporting() m
    CROSS JOIN LATERAL (SELECT recon.crm_finance_mismatches(m.outcome, m.booked, m.invoiced, m.collected, m.refunded,
                                                            m.written_off, m.outstanding) AS gaps) g
$records$;
COMMENT ON FUNCTION recon.crm_finance_records_rows() IS
    'The rows of recon.crm_finance_records (a function so that it can set work_mem and jit).';

CREATE VIEW recon.crm_finance_records AS SELECT * FROM recon.crm_finance_records_rows();
COMMENT ON VIEW recon.crm_finance_records IS
    'CRM versus finance per lead or order (opportunities folded in): customer, cohort month, owner (''(none)'' when missing), credit and outcome, booked (CRM: won value), invoiced, recognized, collected (cash net of refunds), refunded, written off and outstanding (finance, through the match links), in the reporting currency at the cohort day, with every gap (recon.crm_finance_mismatches) and the first one as mismatch (matches when none). Unique key: record_id.';

CREATE FUNCTION recon.crm_finance_rows()
RETURNS TABLE (customer_id text, month date, owner text, records bigint, mismatched_records bigint, booked numeric,
               invoiced numeric, recognized numeric, collected numeric, refunded numeric, written_off numeric,
               outstanding numeric, booked_minus_collected numeric, mismatches text[], reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $rollup$
    SELECT customer_id, month, owner, count(*), count(*) FILTER (WHERE mismatch <> 'matches'),
           sum(booked), sum(invoiced), sum(recognized), sum(collected), sum(refunded), sum(written_off),
           sum(outstanding), sum(booked) - sum(collected),
           coalesce(array_agg(DISTINCT mismatch ORDER BY mismatch) FILTER (WHERE mismatch <> 'matches'), '{}'),
           min(reporting_currency)
    FROM recon.crm_finance_records_rows()
    GROUP BY customer_id, month, owner
$rollup$;
COMMENT ON FUNCTION recon.crm_finance_rows() IS
    'The rows of recon.crm_finance (a function so that it can set work_mem and jit).';

CREATE VIEW recon.crm_finance AS SELECT * FROM recon.crm_finance_rows();
COMMENT ON VIEW recon.crm_finance IS
    'CRM versus finance per customer, cohort month and owner: booked (CRM) against invoiced, recognized and collected (finance), refunds, write-offs, outstanding and booked_minus_collected, in the reporting currency; mismatched_records and the distinct mismatch reasons of its records (recon.crm_finance_records has them per record). Money no record accounts for is not here: see recon.crm_finance_exceptions. Unique key: (customer_id, month, owner).';

CREATE VIEW recon.crm_finance_exceptions AS
    SELECT e.layer, e.id, coalesce(t.customer_id, r.customer_id) AS customer_id, e.owner, e.occurred_at, e.age,
           e.value, e.currency, e.reason, e.detail
    FROM recon.unmatched_exceptions e
    LEFT JOIN recon.finance_transactions t ON e.layer = 'transaction' AND t.transaction_id = e.id
    LEFT JOIN recon.funnel_records r ON e.layer = 'record' AND r.record_id = e.id
    WHERE e.link_type = 'record_transaction';
COMMENT ON VIEW recon.crm_finance_exceptions IS
    'The unresolved exceptions between the CRM and finance, apart from the reconciled rows: from recon.unmatched_exceptions, the transactions no record explains (with the likely reason), won orders and opportunities without a transaction, ambiguous candidates, weak links and allocation remainders, with the customer, owner, age, value and currency. Unique key: (layer, id, reason, detail).';
