-- Every published vector: the normalized value, the reason and the hash as the platform
-- documents them; and the hash of the normalized value equals recon.hash_identifier.
select *
from {{ ref('identity_vectors_checked') }}
where got_normalized is distinct from normalized
   or got_reason is distinct from reason
   or got_sha256 is distinct from sha256
   or (got_normalized is not null and sha256_of_normalized is distinct from got_sha256)
