{#- Platform ids that spreadsheets or floats have mangled: recon flags them and never "fixes"
    one; repair_platform_ids proposes the only reported id sharing a mangled id's match key,
    and says so, so that a repaired id is never mistaken for one read as written. -#}

{% macro normalize_platform_id(id) -%}
    {{ recon.fn('recon_normalize_platform_id') }}({{ id }})
{%- endmacro %}


{% macro platform_id_reason(id) -%}
    {{ recon.fn('recon_normalize_platform_id_reason') }}({{ id }})
{%- endmacro %}


{% macro platform_id_status(id) -%}
    {{ recon.fn('recon_platform_id_status') }}({{ id }})
{%- endmacro %}


{% macro platform_id_match_key(id, significant_digits=15) -%}
    {{ recon.fn('recon_platform_id_match_key') }}({{ id }}, {{ recon.literal(significant_digits) }})
{%- endmacro %}


{% macro repair_platform_ids(relation, column, reference, reference_column, significant_digits=15) -%}
with ids as (
    select distinct {{ column }}::text as original_id
    from {{ relation }}
    where {{ column }} is not null
),
classified as (
    select original_id,
           {{ recon.platform_id_status('original_id') }} as status,
           {{ recon.normalize_platform_id('original_id') }} as normalized_id,
           {{ recon.platform_id_match_key('original_id', significant_digits) }} as match_key
    from ids
),
known as (
    -- the reported ids, read as written: a genuine id may end in zeros (precision_lost shape)
    select distinct coalesce(normalized_id, case when status = 'precision_lost' then btrim(original_id) end) as known_id,
           match_key
    from (
        select {{ reference_column }}::text as original_id,
               {{ recon.platform_id_status(reference_column ~ '::text') }} as status,
               {{ recon.normalize_platform_id(reference_column ~ '::text') }} as normalized_id,
               {{ recon.platform_id_match_key(reference_column ~ '::text', significant_digits) }} as match_key
        from {{ reference }}
    ) as r
),
read as (
    select c.*,
           coalesce(c.normalized_id, case when c.status = 'precision_lost' then btrim(c.original_id) end) as read_id
    from classified as c
),
candidates as (
    select r.original_id,
           bool_or(k.known_id = r.read_id) as reported,
           count(distinct k.known_id) as candidates,
           min(k.known_id) as candidate
    from read as r
    left join known as k on k.match_key = r.match_key and k.known_id is not null
    group by r.original_id
)
select r.original_id,
       r.status,
       r.normalized_id,
       r.match_key,
       n.candidates,
       case when n.reported then r.read_id
            when r.status in ('missing', 'invalid') then null
            when r.status = 'ok' then r.normalized_id
            when n.candidates = 1 then n.candidate
            when n.candidates = 0 then r.normalized_id end as repaired_id,
       case when n.reported then 'reported'
            when r.status in ('missing', 'invalid') then r.status
            when r.status = 'ok' then 'as_read'
            when n.candidates = 1 then 'match_key'
            when n.candidates > 1 then 'ambiguous'
            when r.normalized_id is not null then 'as_read'
            else 'no_candidate' end as repair
from read as r
join candidates as n on n.original_id = r.original_id
{%- endmacro %}
