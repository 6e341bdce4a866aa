-- Parsed cookies, and a cookie built from an fbclid and a click time that parses back.
select kind, cookie
from {{ ref('meta_cookie_vectors_checked') }}
where got_fbclid is distinct from fbclid
   or got_creation_ms is distinct from creation_ms
   or got_flags is distinct from flags
   or got_reason is distinct from reason
union all
select 'build', built
from (select {{ recon.build_meta_cookie("'IwAR2F4-dbP0'", "timestamptz '2020-08-02 21:31:21.668+00'") }} as built,
             {{ recon.build_meta_cookie_reason("'fb.1.1596403881668.IwAR2F4'", 'now()') }} as reason) as b
where built is distinct from 'fb.1.1596403881668.IwAR2F4-dbP0'
   or reason is distinct from 'already_a_cookie'
