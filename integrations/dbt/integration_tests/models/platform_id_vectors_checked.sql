-- Platform-id vectors (docs/click-ids.md) through the platform id macros.
select
    v.*,
    {{ recon.platform_id_status('v.id') }} as got_status,
    {{ recon.normalize_platform_id('v.id') }} as got_normalized,
    {{ recon.platform_id_reason('v.id') }} as got_reason,
    {{ recon.platform_id_match_key('v.id') }} as got_match_key
from {{ ref('platform_id_vectors') }} as v
