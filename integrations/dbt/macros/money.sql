{#- Money: ISO 4217 minor units (JPY has none, KWD three) and FX conversion as of a date under
    recon's fx_policy setting (it fails, never guesses, when no rate covers the date). -#}

{% macro money_from_minor(minor_units, currency) -%}
    {{ recon.fn('recon_money_from_minor') }}({{ minor_units }}, {{ currency }})
{%- endmacro %}


{% macro money_to_minor(amount, currency) -%}
    {{ recon.fn('recon_money_to_minor') }}({{ amount }}, {{ currency }})
{%- endmacro %}


{% macro fx_amount(amount, currency, as_of, to_currency=none, policy=none) -%}
    {{ recon.fn('recon_fx_amount') }}({{ amount }}, {{ currency }}, {{ as_of }}, {{ recon.literal(to_currency) }}, {{ recon.literal(policy) }})
{%- endmacro %}
