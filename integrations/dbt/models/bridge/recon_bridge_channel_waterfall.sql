-- Each channel's waterfall from platform value down to collected revenue, mature cohorts apart
-- from incomplete ones: bridges per cohort month, their states merged per channel and maturity
-- (never summing a young cohort with a mature one), then recon_bridge_steps.
-- depends_on: {{ ref('recon_matching_runs') }}
with cohorts as (
    select channel,
           cohort_month,
           {{ recon.bridge_partial() }} as state
    from {{ source('recon', 'bridge_ledger') }}
    group by channel, cohort_month
),
channels as (
    select channel,
           ({{ recon.bridge_result('state') }}).maturity as maturity,
           {{ recon.bridge_merge('state') }} as state
    from cohorts
    group by 1, 2
),
bridged as (
    select channel, maturity, {{ recon.bridge_result('state') }} as bridge
    from channels
)
select
    b.channel || ':' || b.maturity || ':' || s.step as step_key,
    b.channel,
    b.maturity,
    (b.bridge).currency as currency,
    s.step,
    s.line,
    s.label,
    s.amount,
    s.running_total,
    s.records
from bridged as b
cross join lateral {{ recon.bridge_steps('b.bridge') }} as s
