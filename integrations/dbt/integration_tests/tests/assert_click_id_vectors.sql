select *
from {{ ref('click_id_vectors_checked') }}
where got is distinct from expected
   or got_from_json is distinct from expected
   or got_flags is distinct from flags
