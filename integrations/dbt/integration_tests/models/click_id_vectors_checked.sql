-- Click-id vectors through recon.click_id (one field) and recon.parse_click_ids (the row, in a
-- lateral join, for its flags).
select
    v.*,
    {{ recon.click_id('v.url', recon.expr('v.field')) }} as got,
    c.flags::text as got_flags,
    {{ recon.click_ids_json('v.url') }} ->> v.field as got_from_json
from {{ ref('click_id_vectors') }} as v
cross join lateral {{ recon.parse_click_ids('v.url') }} as c
