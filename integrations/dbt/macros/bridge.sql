{#- The bridge from platform-attributed value to collected revenue: recon_bridge over
    recon.bridge_ledger (or any relation with the ledger's columns). One bridge has one
    currency: currency_mode 'reporting' uses amount_reporting and reporting_currency (safe for
    any grouping), 'original' uses amount and currency (group by something with one currency,
    such as a campaign). -#}

{% macro bridge_arguments(currency_mode='reporting') -%}
    {%- if currency_mode == 'reporting' -%}
        line, amount_reporting, quantity, reporting_currency, record_at, as_of, maturity_days
    {%- elif currency_mode == 'original' -%}
        line, amount, quantity, currency, record_at, as_of, maturity_days
    {%- else -%}
        {{ exceptions.raise_compiler_error("recon: currency_mode is 'reporting' or 'original', not '" ~ currency_mode ~ "'") }}
    {%- endif -%}
{%- endmacro %}


{% macro bridge(currency_mode='reporting') -%}
    {{ recon.fn('recon_bridge') }}({{ recon.bridge_arguments(currency_mode) }})
{%- endmacro %}


{% macro bridge_partial(currency_mode='reporting') -%}
    {{ recon.fn('recon_bridge_partial') }}({{ recon.bridge_arguments(currency_mode) }})
{%- endmacro %}


{% macro bridge_merge(state) -%}
    {{ recon.fn('recon_bridge_merge') }}({{ state }})
{%- endmacro %}


{% macro bridge_result(state) -%}
    {{ recon.fn('recon_bridge_result') }}({{ state }})
{%- endmacro %}


{% macro bridge_steps(bridge) -%}
    {{ recon.fn('recon_bridge_steps') }}({{ bridge }})
{%- endmacro %}


{% macro bridge_jsonb(bridge) -%}
    {{ recon.fn('recon_bridge_jsonb') }}({{ bridge }})
{%- endmacro %}


{% macro bridge_by(group_by, ledger=none, currency_mode='reporting', where=none) -%}
    {%- if group_by is string or group_by is not sequence or group_by | length == 0 -%}
        {{ exceptions.raise_compiler_error("recon.bridge_by: group_by is a list of ledger columns, e.g. ['channel', 'cohort_month']") }}
    {%- endif -%}
    {%- set source_relation = ledger if ledger is not none else source('recon', 'bridge_ledger') -%}
    {#- the bridge has its own currency column: a group by currency shows through it -#}
    {%- set shown = [] -%}
    {%- for column in group_by -%}
        {%- if column == 'currency' and currency_mode == 'original' -%}
        {%- elif column in ('currency', 'reporting_currency', 'as_of', 'maturity_days') -%}
            {{ exceptions.raise_compiler_error("recon.bridge_by: grouping by " ~ column ~ " would repeat a column of the bridge") }}
        {%- else -%}
            {%- do shown.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
select {% for column in shown %}{{ column }}, {% endfor %}(bridge).*
from (
    select {% for column in group_by %}{{ column }}, {% endfor %}{{ recon.bridge(currency_mode) }} as bridge
    from {{ source_relation }}
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
    group by {% for column in group_by %}{{ column }}{{ ', ' if not loop.last }}{% endfor %}
) as bridged
{%- endmacro %}
