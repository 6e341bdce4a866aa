-- The package's bridge, built in dbt with recon.bridge_by, equals recon's own
-- recon.bridge_campaign_month row for row and column for column.
with ours as (
    select * from {{ ref('recon_bridge_campaign_month') }}
),
theirs as (
    select * from {{ source('recon', 'bridge_campaign_month') }}
)
select coalesce(o.channel, t.channel) as channel, coalesce(o.campaign_id, t.campaign_id) as campaign_id,
       coalesce(o.cohort_month, t.cohort_month) as cohort_month
from ours as o
full join theirs as t
  on o.channel = t.channel and o.platform is not distinct from t.platform
 and o.account_id is not distinct from t.account_id and o.campaign_id is not distinct from t.campaign_id
 and o.cohort_month = t.cohort_month
where o.channel is null or t.channel is null
   or (o.currency, o.platform_value, o.unmatched, o.invalid_duplicate, o.lost_cancelled, o.value_difference,
       o.refunds, o.written_off, o.timing, o.residual, o.collected, o.platform_conversions, o.matched_records,
       o.unmatched_revenue, o.won_records, o.collected_records, o.booked, o.invoiced, o.recognized,
       o.match_rate, o.age_days, o.maturity)
      is distinct from
      (t.currency, t.platform_value, t.unmatched, t.invalid_duplicate, t.lost_cancelled, t.value_difference,
       t.refunds, t.written_off, t.timing, t.residual, t.collected, t.platform_conversions, t.matched_records,
       t.unmatched_revenue, t.won_records, t.collected_records, t.booked, t.invoiced, t.recognized,
       t.match_rate, t.age_days, t.maturity)
