-- Funnel layer: what the CRM recorded per credited channel, campaign, cohort month and ladder
-- (recon.funnel_performance): records, invalid, duplicates, valid, rates and sales cycle.
-- depends_on: {{ ref('recon_matching_runs') }}
select
    channel || ':' || coalesce(campaign_id, '') || ':' || month || ':' || ladder as funnel_month_key,
    channel,
    platform,
    account_id,
    campaign_id,
    month,
    ladder,
    records,
    invalid,
    duplicates,
    valid,
    valid_rate,
    qualified,
    won,
    lost,
    cancelled,
    open,
    win_rate,
    median_response_hours,
    median_sales_cycle_days,
    maturity
from {{ source('recon', 'funnel_performance') }}
