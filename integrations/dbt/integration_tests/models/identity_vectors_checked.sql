-- The platforms' published test vectors through the package's macros: recon.normalize (the
-- field chooses the function, so one branch per field), recon.normalize_reason,
-- recon.hash_identifier with the platform and country taken from each row, and recon.sha256
-- of the normalized value, which must equal the hash.
{%- set fields = ['em', 'email', 'ph', 'phone', 'fn', 'ln', 'ct', 'st', 'zp', 'country', 'db', 'ge', 'external_id'] %}
with checked as (
    select
        v.*,
        case v.field
        {%- for f in fields %}
            when '{{ f }}' then {{ recon.normalize('v.value', f, recon.expr('v.platform'), recon.expr('v.country')) }}
        {%- endfor %}
        end as got_normalized,
        case v.field
        {%- for f in fields %}
            when '{{ f }}' then {{ recon.normalize_reason('v.value', f, recon.expr('v.platform'), recon.expr('v.country')) }}
        {%- endfor %}
        end as got_reason,
        {{ recon.hash_identifier('v.value', recon.expr('v.field'), recon.expr('v.platform'), recon.expr('v.country')) }} as got_sha256
    from {{ ref('identity_vectors') }} as v
)
select checked.*, {{ recon.sha256('got_normalized') }} as sha256_of_normalized
from checked
