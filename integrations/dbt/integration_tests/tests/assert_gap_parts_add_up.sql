-- recon's promise: per channel and month the named parts add up to the gap.
select gap_key
from {{ ref('recon_gap_channel_month') }}
where parts_total <> gap
