{#- Normalizing and hashing customer data the way each ad platform requires. The work is done
    by recon's C functions; these macros only choose the function and write its arguments.
    value arguments are SQL expressions (a column name); option arguments (platform, field,
    country, region, date order) are literals, or recon.expr('sql') for a per-row value. -#}

{% macro field_kind(field) -%}
    {%- if field is mapping -%}
        {{ exceptions.raise_compiler_error("recon: the field must be a literal name such as 'email', not an expression: the macro chooses recon's function from it") }}
    {%- endif -%}
    {%- set aliases = {
        'email': 'email', 'em': 'email', 'hashed_email': 'email',
        'phone': 'phone', 'ph': 'phone', 'phone_number': 'phone', 'hashed_phone_number': 'phone',
        'first_name': 'first_name', 'fn': 'first_name', 'firstname': 'first_name',
        'last_name': 'last_name', 'ln': 'last_name', 'lastname': 'last_name',
        'city': 'city', 'ct': 'city',
        'state': 'state', 'st': 'state', 'region': 'state',
        'zip': 'zip', 'zp': 'zip', 'postal_code': 'zip', 'zip_code': 'zip',
        'country': 'country', 'country_code': 'country',
        'date_of_birth': 'date_of_birth', 'db': 'date_of_birth', 'dob': 'date_of_birth', 'birthdate': 'date_of_birth',
        'gender': 'gender', 'ge': 'gender',
        'external_id': 'external_id', 'externalid': 'external_id'} -%}
    {%- set kind = aliases.get((field ~ '') | lower) -%}
    {%- if kind is none -%}
        {{ exceptions.raise_compiler_error("recon: unknown customer field '" ~ field ~ "'; accepted: " ~ (aliases.keys() | list | join(', '))) }}
    {%- endif -%}
    {{ return(kind) }}
{%- endmacro %}


{% macro normalize_expression(value, field, platform, country, date_order, reason) -%}
    {%- set kind = recon.field_kind(field) -%}
    {%- set fname = recon.fn('recon_normalize_' ~ kind ~ ('_reason' if reason else '')) -%}
    {%- set p = recon.literal(platform) -%}
    {%- if kind == 'phone' -%}
        {%- set region = 'null' if country is none else recon.fn('recon_normalize_country') ~ '(' ~ recon.literal(country) ~ ')' -%}
        {{ fname }}({{ value }}, {{ region }}, {{ p }})
    {%- elif kind in ('state', 'zip') -%}
        {{ fname }}({{ value }}, {{ recon.literal(country) }}, {{ p }})
    {%- elif kind == 'date_of_birth' -%}
        {{ fname }}({{ value }}, {{ recon.literal(date_order) }}, {{ p }})
    {%- else -%}
        {{ fname }}({{ value }}, {{ p }})
    {%- endif -%}
{%- endmacro %}


{% macro normalize(value, field, platform='meta', country=none, date_order='mdy') -%}
    {{ recon.normalize_expression(value, field, platform, country, date_order, false) }}
{%- endmacro %}


{% macro normalize_reason(value, field, platform='meta', country=none, date_order='mdy') -%}
    {{ recon.normalize_expression(value, field, platform, country, date_order, true) }}
{%- endmacro %}


{% macro normalize_email(email, platform='meta') -%}
    {{ recon.fn('recon_normalize_email') }}({{ email }}, {{ recon.literal(platform) }})
{%- endmacro %}


{% macro normalize_phone(phone, default_region, platform='e164') -%}
    {{ recon.fn('recon_normalize_phone') }}({{ phone }}, {{ recon.literal(default_region) }}, {{ recon.literal(platform) }})
{%- endmacro %}


{% macro sha256(value) -%}
    {{ recon.fn('recon_sha256_hex') }}({{ value }})
{%- endmacro %}


{% macro hash_identifier(value, field, platform='meta', country=none) -%}
    {{ recon.fn('recon_hash_identifier') }}({{ value }}, {{ recon.literal(field) }}, {{ recon.literal(platform) }}, {{ recon.literal(country) }})
{%- endmacro %}


{% macro hash_identifier_reason(value, field, platform='meta', country=none) -%}
    {{ recon.fn('recon_hash_identifier_reason') }}({{ value }}, {{ recon.literal(field) }}, {{ recon.literal(platform) }}, {{ recon.literal(country) }})
{%- endmacro %}


{% macro user_data_call(function, parameters, columns) -%}
    {%- set unknown = [] -%}
    {%- for name in columns if name not in parameters -%}{%- do unknown.append(name) -%}{%- endfor -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error("recon: " ~ function ~ " has no parameter " ~ (unknown | join(', ')) ~ "; accepted: " ~ (parameters | join(', '))) }}
    {%- endif -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error("recon: " ~ function ~ " needs at least one column, e.g. email='email'") }}
    {%- endif -%}
    {{ recon.fn(function) }}({%- for name in parameters if name in columns -%}{{ name }} => {{ columns[name] }}{{ ', ' if not loop.last }}{%- endfor -%})
{%- endmacro %}


{% macro meta_user_data() -%}
    {{ recon.user_data_call('recon_meta_user_data',
        ['email', 'phone', 'first_name', 'last_name', 'city', 'state', 'zip', 'country', 'date_of_birth',
         'gender', 'external_id', 'client_ip_address', 'client_user_agent', 'fbc', 'fbp', 'lead_id', 'default_region'],
        kwargs) }}
{%- endmacro %}


{% macro google_user_data() -%}
    {{ recon.user_data_call('recon_google_user_data',
        ['email', 'phone', 'first_name', 'last_name', 'country', 'zip', 'default_region'],
        kwargs) }}
{%- endmacro %}
