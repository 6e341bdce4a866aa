-- The bridge per campaign and cohort month in the reporting currency: what
-- reports, the freeze policy and the materialized layers read.

CREATE FUNCTION recon.bridge_campaign_month_rows()
RETURNS TABLE (channel text, platform text, account_id text, campaign_id text, cohort_month date,
               bridge @extschema@.recon_bridge_result)
LANGUAGE sql STABLE
SET jit = off
AS $$
    SELECT channel, platform, account_id, campaign_id, cohort_month,
           @extschema@.recon_bridge(line, amount_reporting, quantity, reporting_currency, record_at, as_of, maturity_days)
    FROM recon.bridge_ledger
    GROUP BY 1, 2, 3, 4, 5
$$;
COMMENT ON FUNCTION recon.bridge_campaign_month_rows() IS
    'Computes the rows of recon.bridge_campaign_month (JIT off, as for the ledger).';

CREATE VIEW recon.bridge_campaign_month AS
    SELECT channel, platform, account_id, campaign_id, cohort_month, (bridge).*
    FROM recon.bridge_campaign_month_rows();
COMMENT ON VIEW recon.bridge_campaign_month IS
    'recon_bridge per channel, platform, account, campaign and cohort month (unique on those five; NULL platform, account and campaign for records no platform is credited with), in the reporting currency: platform_value + unmatched + invalid_duplicate + lost_cancelled + value_difference + refunds + written_off + timing + residual = collected, the records behind each line, booked/invoiced/recognized, match rate and the cohort''s maturity. Sum lines only across cohorts of the same maturity.';

-- The bridge in long form (one row per campaign, cohort month and line) for the freeze policy.
CREATE VIEW recon.bridge_figures AS
    SELECT concat_ws(':', b.channel, b.account_id, b.campaign_id) AS subject, b.cohort_month AS period,
           'bridge.' || l.line AS metric, l.value
    FROM recon.bridge_campaign_month b
    CROSS JOIN LATERAL (VALUES
        ('platform_value', b.platform_value), ('unmatched', b.unmatched), ('invalid_duplicate', b.invalid_duplicate),
        ('lost_cancelled', b.lost_cancelled), ('value_difference', b.value_difference), ('refunds', b.refunds),
        ('written_off', b.written_off), ('timing', b.timing), ('residual', b.residual), ('collected', b.collected)
    ) AS l(line, value);
COMMENT ON VIEW recon.bridge_figures IS
    'The bridge lines of recon.bridge_campaign_month in long form: subject = channel:account:campaign, period = cohort month, metric = bridge.<line>, value in the reporting currency.';
