select *
from {{ ref('id_repairs_checked') }}
where repaired_id is distinct from expected_repaired_id
   or repair is distinct from expected_repair
