-- Meta's click cookies on the conversion signals: the fbc cookie parsed (its fbclid, creation
-- time and flags such as a seconds timestamp), whether it agrees with the signal's own fbclid,
-- and the fbc to send when the browser sent none.
-- depends_on: {{ ref('recon_matching_runs') }}
select
    s.signal_key,
    s.platform,
    s.source,
    s.event_time,
    s.fbclid,
    s.fbc,
    fbc.fbclid as fbc_fbclid,
    fbc.creation_time as fbc_created_at,
    fbc.flags as fbc_flags,
    case when s.fbc is not null then {{ recon.meta_cookie_reason('s.fbc', 'fbc') }} end as fbc_problem,
    s.fbclid is not null and fbc.fbclid is not null and s.fbclid <> fbc.fbclid as fbclid_disagrees,
    case when s.fbc is null and s.fbclid is not null
         then {{ recon.build_meta_cookie('s.fbclid', 's.event_time', 'fbc') }} end as fbc_to_send,
    s.fbp,
    fbp.creation_time as fbp_created_at,
    case when s.fbp is not null then {{ recon.meta_cookie_reason('s.fbp', 'fbp') }} end as fbp_problem
from {{ source('recon', 'conversion_signals') }} as s
cross join lateral {{ recon.parse_meta_cookie('s.fbc', 'fbc') }} as fbc
cross join lateral {{ recon.parse_meta_cookie('s.fbp', 'fbp') }} as fbp
where s.fbc is not null or s.fbp is not null or s.fbclid is not null
