{#- Helpers the other macros build on: where recon's objects live, and how an option value
    is written into SQL. Every macro reads its vars with a default, because a package's own
    vars are not in scope when its macros render inside the caller's models. -#}

{% macro fn(name) -%}
    {%- set schema = var('recon_function_schema', none) -%}
    {%- if schema -%}{{ schema }}.{{ name }}{%- else -%}{{ name }}{%- endif -%}
{%- endmacro %}


{% macro object(name) -%}
    {{ var('recon_schema', 'recon') }}.{{ name }}
{%- endmacro %}


{% macro expr(sql) -%}
    {{ return({'recon_sql': sql}) }}
{%- endmacro %}


{% macro literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is mapping and 'recon_sql' in value -%}
        {{ value['recon_sql'] }}
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- elif value is string -%}
        '{{ value | replace("'", "''") }}'
    {%- elif value is sequence and value | length == 0 -%}
        '{}'
    {%- elif value is sequence -%}
        array[{%- for v in value -%}{{ recon.literal(v) }}{{ ', ' if not loop.last }}{%- endfor -%}]
    {%- else -%}
        {{ exceptions.raise_compiler_error("recon.literal: cannot write " ~ value ~ " as SQL; pass a string, a number, a boolean, a list, none or recon.expr('sql')") }}
    {%- endif -%}
{%- endmacro %}
