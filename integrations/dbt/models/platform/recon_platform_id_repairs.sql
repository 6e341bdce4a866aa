-- Platform id repair: every campaign, ad set and ad id the CRM holds, checked against the ids
-- the platforms report. A mangled id (1.20208123456789E+17, or 15 digits then zeros) is
-- repaired only when exactly one reported id shares its match key, and says so (repair =
-- 'match_key'); recon itself never repairs an id.
-- depends_on: {{ ref('recon_matching_runs') }}
{%- set levels = ['campaign', 'adset', 'ad'] %}
{% for level in levels %}
select '{{ level }}' as level, r.*
from (
    {{ recon.repair_platform_ids(source('recon', 'funnel_records'), level ~ '_id',
                                 source('recon', 'ad_delivery_daily'), level ~ '_id') | indent(4) }}
) as r
{% if not loop.last %}union all{% endif %}
{%- endfor %}
