-- Each channel's waterfall, over its maturities, starts at the platform value and ends at the
-- collected revenue the ledger holds for the channel.
with waterfall as (
    select channel,
           sum(amount) filter (where line = 'platform_value') as platform_value,
           sum(running_total) filter (where line = 'collected') as collected
    from {{ ref('recon_bridge_channel_waterfall') }}
    group by channel
),
ledger as (
    select channel,
           coalesce(sum(amount_reporting) filter (where line = 'platform_value'), 0) as platform_value,
           coalesce(sum(amount_reporting) filter (where line = 'collected'), 0) as collected
    from {{ source('recon', 'bridge_ledger') }}
    group by channel
)
select coalesce(w.channel, l.channel) as channel
from waterfall as w
full join ledger as l on l.channel = w.channel
where w.channel is null or l.channel is null
   or w.platform_value <> l.platform_value or w.collected <> l.collected
