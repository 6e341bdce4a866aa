-- The hashes the package computes for Meta are the ones recon's loaders stored: on the CRM
-- record (email, and the phone in the record's market) and on the lead-form signal (email);
-- and each user_data payload carries the same email hash.
select h.contact_key, 'funnel' as checked
from {{ ref('recon_contacts_hashed') }} as h
join {{ source('recon', 'funnel_records') }} as r on h.layer = 'funnel' and r.record_id = h.record_key
where h.email_sha256_meta is distinct from r.email_sha256
   or h.phone_sha256_meta is distinct from r.phone_sha256
union all
select h.contact_key, 'signal'
from {{ ref('recon_contacts_hashed') }} as h
join {{ source('recon', 'conversion_signals') }} as s on h.layer = 'signal' and s.lead_id = h.record_key
where h.email_sha256_meta is distinct from s.email_sha256
union all
select h.contact_key, 'user_data'
from {{ ref('recon_contacts_hashed') }} as h
where h.email_sha256_meta is not null and h.meta_user_data -> 'em' ->> 0 is distinct from h.email_sha256_meta
union all
-- every contact was checked against what a loader stored
select h.contact_key, 'unchecked'
from {{ ref('recon_contacts_hashed') }} as h
where not exists (select from {{ source('recon', 'funnel_records') }} as r where h.layer = 'funnel' and r.record_id = h.record_key)
  and not exists (select from {{ source('recon', 'conversion_signals') }} as s where h.layer = 'signal' and s.lead_id = h.record_key)
