-- Collected layer: what finance received per channel, campaign and cohort month, followed to
-- the newest data (recon.collected_performance), in the reporting currency, with maturity.
-- depends_on: {{ ref('recon_matching_runs') }}
select
    channel || ':' || coalesce(campaign_id, '') || ':' || month as collected_month_key,
    channel,
    campaign_id,
    month,
    records,
    won,
    paid_records,
    booked,
    invoiced,
    recognized,
    collected,
    refunded,
    written_off,
    outstanding,
    unmatched_revenue,
    spend,
    collected_roas,
    median_days_to_payment,
    reporting_currency,
    maturity
from {{ source('recon', 'collected_performance') }}
