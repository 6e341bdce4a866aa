-- recon.repair_platform_ids on CRM ids against the ids a platform reported, beside the
-- expected repair.
select e.original_id, e.repaired_id as expected_repaired_id, e.repair as expected_repair,
       r.status, r.candidates, r.repaired_id, r.repair
from {{ ref('id_repair_crm') }} as e
left join (
    {{ recon.repair_platform_ids(ref('id_repair_crm'), 'original_id', ref('id_repair_reported'), 'id') | indent(4) }}
) as r on r.original_id = e.original_id
