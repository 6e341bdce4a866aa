-- The bridge per channel, platform, account, campaign and cohort month, built in dbt with
-- recon.bridge_by over recon.bridge_ledger, in the reporting currency: platform_value +
-- unmatched + invalid_duplicate + lost_cancelled + value_difference + refunds + written_off +
-- timing + residual = collected. Sum lines only across cohorts of the same maturity.
-- depends_on: {{ ref('recon_matching_runs') }}
select
    channel || ':' || coalesce(platform, '') || ':' || coalesce(account_id, '') || ':'
        || coalesce(campaign_id, '') || ':' || cohort_month as bridge_key,
    b.*
from (
    {{ recon.bridge_by(['channel', 'platform', 'account_id', 'campaign_id', 'cohort_month'],
                       ledger=source('recon', 'bridge_ledger')) | indent(4) }}
) as b
