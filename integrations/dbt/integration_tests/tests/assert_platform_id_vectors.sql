select *
from {{ ref('platform_id_vectors_checked') }}
where got_status is distinct from status
   or got_normalized is distinct from normalized
   or got_reason is distinct from reason
   or got_match_key is distinct from match_key
