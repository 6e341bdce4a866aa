-- Every bridge row adds up: platform value plus the lines equals collected revenue.
select bridge_key
from {{ ref('recon_bridge_campaign_month') }}
where platform_value + unmatched + invalid_duplicate + lost_cancelled + value_difference + refunds
      + written_off + timing + residual <> collected
