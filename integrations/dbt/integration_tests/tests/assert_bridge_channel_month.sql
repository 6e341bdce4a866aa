-- The original-currency bridges keep the ledger's money: per channel and currency, platform
-- value and collected revenue equal the ledger's sums of those lines.
with ours as (
    select channel, currency, sum(platform_value) as platform_value, sum(collected) as collected
    from {{ ref('bridge_channel_month') }}
    group by channel, currency
),
ledger as (
    select channel, currency,
           coalesce(sum(amount) filter (where line = 'platform_value'), 0) as platform_value,
           coalesce(sum(amount) filter (where line = 'collected'), 0) as collected
    from {{ source('recon', 'bridge_ledger') }}
    where currency is not null
    group by channel, currency
)
select coalesce(o.channel, l.channel) as channel, coalesce(o.currency, l.currency) as currency
from ours as o
full join ledger as l on l.channel = o.channel and l.currency = o.currency
where o.channel is null or l.channel is null
   or o.platform_value <> l.platform_value or o.collected <> l.collected
