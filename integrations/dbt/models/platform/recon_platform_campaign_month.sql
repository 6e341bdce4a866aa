-- Platform layer: what each ad platform claims per account, campaign and month, on its own
-- clock (recon.platform_performance), with the campaign id checked for spreadsheet damage.
-- depends_on: {{ ref('recon_matching_runs') }}
select
    platform || ':' || account_id || ':' || coalesce(campaign_id, '') || ':' || month as campaign_month_key,
    platform,
    account_id,
    campaign_id,
    {{ recon.platform_id_status('campaign_id') }} as campaign_id_status,
    campaign_name,
    month,
    report_timezone,
    attribution_window,
    currency,
    spend,
    impressions,
    clicks,
    conversions,
    value,
    platform_roas,
    reporting_currency,
    spend_reporting,
    value_reporting,
    platform_roas_reporting
from {{ source('recon', 'platform_performance') }}
