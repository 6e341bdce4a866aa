{#- recon's jobs from dbt: the matching cascade and the refresh of the materialized layers.
    The *_sql macros return the statement, for hooks (on-run-start, post_hook); the others
    are operations: dbt run-operation recon.run_matching, dbt run-operation recon.refresh. -#}

{% macro run_matching_sql(methods=none, min_confidence=none) -%}
    {%- if methods is none and min_confidence is none -%}
        call {{ recon.object('run_matching') }}()
    {%- elif min_confidence is none -%}
        call {{ recon.object('run_matching') }}({{ recon.literal(methods) }})
    {%- else -%}
        call {{ recon.object('run_matching') }}({{ recon.literal(methods) }}, {{ recon.literal(min_confidence) }})
    {%- endif -%}
{%- endmacro %}


{% macro run_matching(methods=none, min_confidence=none) -%}
    {%- do run_query(recon.run_matching_sql(methods, min_confidence)) -%}
    {%- if execute -%}
        {%- set links = run_query("select link_type, count(*) as links from " ~ recon.object('match_links')
                                  ~ " group by link_type order by link_type") -%}
        {%- set run = run_query("select max(run_id) from " ~ recon.object('match_runs')) -%}
        {%- set parts = [] -%}
        {%- for row in links.rows -%}{%- do parts.append(row[0] ~ ' ' ~ row[1]) -%}{%- endfor -%}
        {{ log("recon.run_matching: run " ~ run.rows[0][0] ~ ", links: " ~ (parts | join(', ') if parts else 'none'), info=true) }}
    {%- endif -%}
{%- endmacro %}


{% macro refresh_sql() -%}
    select * from {{ recon.fn('recon_refresh') }}()
{%- endmacro %}


{% macro refresh() -%}
    {%- set steps = run_query(recon.refresh_sql()) -%}
    {%- if execute -%}
        {%- for row in steps.rows -%}
            {{ log("recon.refresh: " ~ row['view_name'] ~ " " ~ row['mode'] ~ ", " ~ row['rows'] ~ " rows", info=true) }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
