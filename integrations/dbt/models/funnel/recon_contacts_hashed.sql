-- Customer data ready for the platforms: the raw contacts recon keeps (setting
-- store_raw_contacts true and loads told keep_pii), normalized and hashed per platform (Meta
-- and Google hash the same person differently), with the reason a value is unusable, and the
-- Conversions API / Enhanced Conversions payloads. The phone's region is the record's market,
-- else the var recon_default_region. Only recon_admin reads raw contacts: the model is built
-- when the var recon_hash_contacts is true.
{{ config(enabled=var('recon_hash_contacts', false)) }}
-- depends_on: {{ ref('recon_matching_runs') }}
{%- set default_region = var('recon_default_region', 'US') %}
with contacts as (
    select c.layer,
           c.record_key,
           c.email,
           c.phone,
           c.first_name,
           c.last_name,
           coalesce(r.market, {{ recon.literal(default_region) }}) as region
    from {{ source('recon', 'contact_details') }} as c
    left join {{ source('recon', 'funnel_records') }} as r
           on c.layer = 'funnel' and r.record_id = c.record_key
)
select
    layer || ':' || record_key as contact_key,
    layer,
    record_key,
    region,
    {{ recon.normalize('email', 'email', 'meta') }} as email_meta,
    {{ recon.normalize('email', 'email', 'google') }} as email_google,
    {{ recon.normalize_reason('email', 'email') }} as email_problem,
    {{ recon.hash_identifier('email', 'email', 'meta') }} as email_sha256_meta,
    {{ recon.hash_identifier('email', 'email', 'google') }} as email_sha256_google,
    {{ recon.normalize_phone('phone', recon.expr('region'), 'e164') }} as phone_e164,
    {{ recon.normalize_reason('phone', 'phone', country=recon.expr('region')) }} as phone_problem,
    {{ recon.hash_identifier('phone', 'phone', 'meta', recon.expr('region')) }} as phone_sha256_meta,
    {{ recon.hash_identifier('phone', 'phone', 'google', recon.expr('region')) }} as phone_sha256_google,
    {{ recon.hash_identifier('first_name', 'fn') }} as first_name_sha256_meta,
    {{ recon.hash_identifier('last_name', 'ln') }} as last_name_sha256_meta,
    {{ recon.meta_user_data(email='email', phone='phone', first_name='first_name', last_name='last_name',
                            default_region='region') }} as meta_user_data,
    {{ recon.google_user_data(email='email', phone='phone', first_name='first_name', last_name='last_name',
                              default_region='region') }} as google_user_data
from contacts
