-- The three layer models keep recon's numbers: the same rows and the same totals as the views
-- they read.
select 'platform' as layer
from (select count(*) as n, sum(spend_reporting) as spend, sum(conversions) as conversions
      from {{ ref('recon_platform_campaign_month') }}) as o,
     (select count(*) as n, sum(spend_reporting) as spend, sum(conversions) as conversions
      from {{ source('recon', 'platform_performance') }}) as t
where (o.n, o.spend, o.conversions) is distinct from (t.n, t.spend, t.conversions)
union all
select 'funnel'
from (select count(*) as n, sum(records) as records, sum(valid) as valid, sum(won) as won
      from {{ ref('recon_funnel_campaign_month') }}) as o,
     (select count(*) as n, sum(records) as records, sum(valid) as valid, sum(won) as won
      from {{ source('recon', 'funnel_performance') }}) as t
where (o.n, o.records, o.valid, o.won) is distinct from (t.n, t.records, t.valid, t.won)
union all
select 'collected'
from (select count(*) as n, sum(collected) as collected, sum(booked) as booked
      from {{ ref('recon_collected_campaign_month') }}) as o,
     (select count(*) as n, sum(collected) as collected, sum(booked) as booked
      from {{ source('recon', 'collected_performance') }}) as t
where (o.n, o.collected, o.booked) is distinct from (t.n, t.collected, t.booked)
union all
-- the platform's claim per campaign and month is the bridge's platform value for it
select 'platform vs bridge'
from (select sum(value_reporting) as v from {{ ref('recon_platform_campaign_month') }}) as o,
     (select sum(platform_value) as v from {{ ref('recon_bridge_campaign_month') }}) as t
where o.v is distinct from t.v
