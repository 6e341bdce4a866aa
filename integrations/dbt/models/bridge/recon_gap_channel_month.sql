-- The gap between the conversions a platform claims and the CRM's valid conversions, per
-- channel, month and account currency (recon.gap_decomposition's channel rows), split into
-- its named parts, with their sum checked against the gap.
-- depends_on: {{ ref('recon_matching_runs') }}
select
    channel || ':' || period || ':' || currency as gap_key,
    channel,
    period as month,
    currency,
    maturity,
    spend,
    platform_conversions,
    crm_conversions,
    gap,
    view_through,
    modeled,
    identity_loss,
    double_claims,
    dedup_failures,
    invalid,
    clock,
    attribution_window,
    residual,
    coalesce(view_through, 0) + coalesce(modeled, 0) + coalesce(identity_loss, 0) + coalesce(double_claims, 0)
        + coalesce(dedup_failures, 0) + coalesce(invalid, 0) + coalesce(clock, 0) + coalesce(attribution_window, 0)
        + coalesce(residual, 0) as parts_total,
    ratio
from {{ source('recon', 'gap_decomposition') }}
where campaign_id is null
