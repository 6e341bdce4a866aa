{#- Click ids, UTM values and Meta's fbc/fbp cookies (recon's C parsers: ids keep their case,
    problems are flagged, never guessed away). -#}

{% macro click_id(url, field) -%}
    {{ recon.fn('recon_click_id') }}({{ url }}, {{ recon.literal(field) }})
{%- endmacro %}


{% macro parse_click_ids(url) -%}
    {{ recon.fn('recon_parse_click_ids') }}({{ url }})
{%- endmacro %}


{% macro click_ids_json(url) -%}
    {{ recon.fn('recon_parse_click_ids_json') }}({{ url }})
{%- endmacro %}


{% macro meta_cookie_kind(kind) -%}
    {%- if kind not in ('fbc', 'fbp') -%}
        {{ exceptions.raise_compiler_error("recon: a Meta cookie is 'fbc' or 'fbp', not '" ~ kind ~ "'") }}
    {%- endif -%}
    {{ return(kind) }}
{%- endmacro %}


{% macro parse_meta_cookie(cookie, kind='fbc') -%}
    {{ recon.fn('recon_parse_' ~ recon.meta_cookie_kind(kind)) }}({{ cookie }})
{%- endmacro %}


{% macro meta_cookie_reason(cookie, kind='fbc') -%}
    {{ recon.fn('recon_parse_' ~ recon.meta_cookie_kind(kind) ~ '_reason') }}({{ cookie }})
{%- endmacro %}


{% macro build_meta_cookie(id, created_at, kind='fbc', subdomain_index=1) -%}
    {{ recon.fn('recon_build_' ~ recon.meta_cookie_kind(kind)) }}({{ id }}, {{ created_at }}, {{ recon.literal(subdomain_index) }})
{%- endmacro %}


{% macro build_meta_cookie_reason(id, created_at, kind='fbc', subdomain_index=1) -%}
    {{ recon.fn('recon_build_' ~ recon.meta_cookie_kind(kind) ~ '_reason') }}({{ id }}, {{ created_at }}, {{ recon.literal(subdomain_index) }})
{%- endmacro %}
