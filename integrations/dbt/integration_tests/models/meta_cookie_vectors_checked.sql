-- Meta cookie vectors through recon.parse_meta_cookie and recon.meta_cookie_reason.
select
    v.*,
    case v.kind when 'fbc' then c.fbclid end as got_fbclid,
    coalesce(c.creation_ms, p.creation_ms)::text as got_creation_ms,
    coalesce(c.flags, p.flags)::text as got_flags,
    case v.kind when 'fbc' then {{ recon.meta_cookie_reason('v.cookie', 'fbc') }}
                else {{ recon.meta_cookie_reason('v.cookie', 'fbp') }} end as got_reason
from {{ ref('meta_cookie_vectors') }} as v
left join lateral {{ recon.parse_meta_cookie('v.cookie', 'fbc') }} as c on v.kind = 'fbc'
left join lateral {{ recon.parse_meta_cookie('v.cookie', 'fbp') }} as p on v.kind = 'fbp'
