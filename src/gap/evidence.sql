-- The gap's evidence: every CRM record and conversion signal that explains part
-- of the difference between what a platform claims and what the CRM recorded,
-- classified and dated on the clock of the side it belongs to (docs/gap.md).

-- What an attribution setting means for the gap: its click window (and days) and its view window.
CREATE FUNCTION recon.attribution_windows(setting text, OUT click_window text, OUT click_days integer, OUT view_window text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT substring(lower(setting) FROM '(\d+d_click)'),
           substring(lower(setting) FROM '(\d+)d_click')::integer,
           substring(lower(setting) FROM '(\d+d_(?:view|ev))')
$$;
COMMENT ON FUNCTION recon.attribution_windows(text) IS
    'Splits an attribution setting such as 7d_click_1d_view or 30d_click into its click window (7d_click), the click window''s days (7) and its view window (1d_view); NULL parts when the setting has none (and all NULL for a NULL setting).';

-- The day a platform books a conversion: the click's day unless it reports on the
-- conversion's clock, or no click is known; days are cut where the platform reports.
CREATE FUNCTION recon.platform_booking_day(clicked_at timestamptz, converted_at timestamptz,
                                           action_report_time text, report_timezone text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN clicked_at IS NULL OR action_report_time = 'conversion' THEN converted_at ELSE clicked_at END
            AT TIME ZONE report_timezone)::date
$$;
COMMENT ON FUNCTION recon.platform_booking_day(timestamptz, timestamptz, text, text) IS
    'The report day a platform books a conversion on: the click''s day in the platform''s report zone (action_report_time impression or mixed), or the conversion''s day when it reports on the conversion clock or the click is unknown.';

-- The conversion a signal reports, as the event families the platforms' reports count.
CREATE FUNCTION recon.signal_event_family(event_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE regexp_replace(lower(event_name), '[^a-z0-9]', '', 'g')
               WHEN 'purchase' THEN 'purchase' WHEN 'completepayment' THEN 'purchase' WHEN 'placeanorder' THEN 'purchase'
               WHEN 'lead' THEN 'lead' WHEN 'submitform' THEN 'lead' WHEN 'leadgenformresponse' THEN 'lead'
               WHEN 'generatelead' THEN 'lead' END
$$;
COMMENT ON FUNCTION recon.signal_event_family(text) IS
    'The conversion family a signal''s event name reports, whatever the platform''s spelling: purchase (Purchase, CompletePayment, PlaceAnOrder) or lead (Lead, SubmitForm, generate_lead); NULL for events the gap does not count (PageView, AddToCart...).';

-- An amount in the ad account's currency: as is when it already is, else converted on the day.
CREATE FUNCTION recon.money_to_account(amount numeric, currency text, account_currency text, day date) RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN amount IS NULL THEN NULL
                WHEN currency IS NULL OR currency = account_currency THEN amount
                ELSE @extschema@.recon_fx_amount(amount, currency, day, account_currency) END
$$;
COMMENT ON FUNCTION recon.money_to_account(numeric, text, text, date) IS
    'The amount in the ad account''s currency: unchanged when it is already in it (or has no currency), else converted with recon_fx_amount on the day (P0002 when no rate covers it).';

-- Per ad account, what the gap needs from its reports: report zone, clock, windows.
CREATE VIEW recon.gap_account_settings AS
    SELECT a.platform, a.account_id, a.currency, a.report_timezone,
           coalesce(d.action_report_time, 'impression') AS action_report_time,
           d.attribution_setting, w.click_window, w.click_days, w.view_window,
           EXISTS (SELECT 1 FROM recon.platform_conversions_daily c
                   WHERE c.platform = a.platform AND c.account_id = a.account_id AND c.attribution_window = w.click_window)
               AS click_breakdown_loaded
    FROM recon.ad_accounts a
    LEFT JOIN LATERAL (SELECT x.action_report_time, x.attribution_setting FROM recon.ad_delivery_daily x
                       WHERE x.platform = a.platform AND x.account_id = a.account_id
                       ORDER BY x.report_date DESC, x.attribution_setting NULLS LAST LIMIT 1) d ON true
    LEFT JOIN LATERAL recon.attribution_windows(d.attribution_setting) w ON true;
COMMENT ON VIEW recon.gap_account_settings IS
    'Per ad account: currency, report zone, the action_report_time and attribution setting of its latest delivery day (impression when unset), the setting''s click window and days and view window, and whether the per-window breakdown for the click window is loaded (without it view-through cannot be measured). Unique key: (platform, account_id).';

-- The evidence rows. A function with JIT off: the plan's cost estimates would compile it for longer than it runs.
CREATE FUNCTION recon.gap_evidence_rows()
RETURNS TABLE (part text, platform text, account_id text, campaign_id text, record_id text, click_id text,
               signal_keys bigint[], clicked_at timestamptz, converted_at timestamptz, lag_days numeric,
               platform_day date, crm_day date, conversions numeric, value numeric, currency recon_currency_code, detail text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'      -- the joins of a million records and their signals hash in memory instead of sorting on disk
-- CTE scans carry no statistics, so the planner misjudges their joins (a nested loop or a merge on one of two keys
-- over a million rows never ends): every join here is an equality on keys, and hashing them is always right
SET enable_nestloop = off
SET enable_mergejoin = off
AS $evidence$
WITH ctx AS MATERIALIZED (SELECT tz FROM recon.report_context()),
-- the event names that report conversions, found by a skip scan of the signals' (platform, event_name) index:
-- a page-view stream is never read row by row to learn it is not one
event_names AS MATERIALIZED (
    WITH RECURSIVE seen AS (
        (SELECT s.platform, s.event_name FROM recon.conversion_signals s ORDER BY s.platform, s.event_name LIMIT 1)
        UNION ALL
        SELECT n.platform, n.event_name
        FROM seen p
        CROSS JOIN LATERAL (SELECT s.platform, s.event_name FROM recon.conversion_signals s
                            WHERE (s.platform, s.event_name) > (p.platform, p.event_name)
                            ORDER BY s.platform, s.event_name LIMIT 1) n
    )
    SELECT array_agg(DISTINCT event_name) AS conversions FROM seen WHERE recon.signal_event_family(event_name) IS NOT NULL
),
accounts AS MATERIALIZED (SELECT * FROM recon.gap_account_settings),
-- one account per platform stands in when a click or signal names none
platform_account AS MATERIALIZED (SELECT DISTINCT ON (platform) * FROM accounts ORDER BY platform, account_id),
records AS MATERIALIZED (
    SELECT f.record_id, f.channel, f.campaign_id, f.created_at, f.stated_value, f.currency,
           recon.record_invalidity(f.status_reason, f.dq_flags) IS NULL AS valid,
           f.fbclid, f.fbc, f.gclid, f.gbraid, f.wbraid, f.ttclid, f.msclkid, f.li_fat_id
    FROM recon.funnel_records f WHERE f.record_type IN ('lead', 'order')
),
-- signals and the record each reports: by order or lead id, else by the matching cascade's link
signal_records AS MATERIALIZED (
    SELECT s.signal_key, s.platform, s.account_id, s.event_id, s.event_name, s.event_time, s.value, s.currency,
           s.fbclid, s.fbc, s.gclid, s.gbraid, s.wbraid, s.ttclid, s.msclkid, s.li_fat_id, s.fbp, s.external_id,
           coalesce(r.record_id, l.right_id) AS record_id,
           coalesce(s.order_id, s.lead_id) AS business_key,
           coalesce(s.order_id, s.lead_id, 'external_id:' || s.external_id, 'fbp:' || s.fbp) AS dedup_key
    FROM recon.conversion_signals s
    LEFT JOIN records r ON r.record_id = coalesce(s.order_id, s.lead_id)
    LEFT JOIN recon.match_links l ON coalesce(s.order_id, s.lead_id) IS NULL AND l.link_type = 'signal_record'
                                 AND l.left_id = s.signal_key::text
    WHERE s.event_name = ANY ((SELECT conversions FROM event_names)::text[])     -- conversions only, not page views or carts
),
-- every platform click id a record carries, on itself or on a signal that reports it
record_click_ids AS (
    SELECT r.record_id, c.platform, c.click_id, c.cookie_at
    FROM records r
    CROSS JOIN LATERAL (VALUES ('meta', r.fbclid, NULL::timestamptz),
                               ('meta', (@extschema@.recon_parse_fbc(r.fbc)).fbclid, (@extschema@.recon_parse_fbc(r.fbc)).creation_time),
                               ('google', coalesce(r.gclid, r.gbraid, r.wbraid), NULL), ('tiktok', r.ttclid, NULL),
                               ('microsoft', r.msclkid, NULL), ('linkedin', r.li_fat_id, NULL)) AS c(platform, click_id, cookie_at)
    WHERE c.click_id IS NOT NULL
    UNION ALL
    SELECT s.record_id, s.platform, c.click_id, c.cookie_at
    FROM signal_records s
    CROSS JOIN LATERAL (VALUES (s.fbclid, NULL::timestamptz),
                               ((@extschema@.recon_parse_fbc(s.fbc)).fbclid, (@extschema@.recon_parse_fbc(s.fbc)).creation_time),
                               (coalesce(s.gclid, s.gbraid, s.wbraid), NULL), (s.ttclid, NULL), (s.msclkid, NULL), (s.li_fat_id, NULL))
        AS c(click_id, cookie_at)
    WHERE s.record_id IS NOT NULL AND c.click_id IS NOT NULL
),
-- per record and platform, the last click before the conversion (the click log, else the fbc cookie's time)
record_clicks AS MATERIALIZED (
    SELECT DISTINCT ON (k.record_id, k.platform)
           k.record_id, k.platform, k.click_id, coalesce(c.clicked_at, k.cookie_at) AS clicked_at,
           coalesce(c.account_id, pa.account_id) AS account_id, c.campaign_id
    FROM record_click_ids k
    JOIN records r USING (record_id)
    LEFT JOIN recon.ad_clicks c ON c.platform = k.platform AND c.click_id = k.click_id
    LEFT JOIN platform_account pa ON pa.platform = k.platform
    WHERE coalesce(c.clicked_at, k.cookie_at) IS NULL OR coalesce(c.clicked_at, k.cookie_at) <= r.created_at
    ORDER BY k.record_id, k.platform, coalesce(c.clicked_at, k.cookie_at) DESC NULLS LAST
),
-- per record and platform, what the platform was told: its signals and the value of the first
record_signals AS MATERIALIZED (
    SELECT record_id, platform, array_agg(signal_key ORDER BY signal_key) AS signal_keys,
           (array_agg(value ORDER BY event_time, signal_key) FILTER (WHERE value IS NOT NULL))[1] AS value,
           (array_agg(currency ORDER BY event_time, signal_key) FILTER (WHERE value IS NOT NULL))[1] AS currency,
           (array_agg(account_id ORDER BY event_time, signal_key) FILTER (WHERE account_id IS NOT NULL))[1] AS account_id
    FROM signal_records WHERE record_id IS NOT NULL
    GROUP BY record_id, platform
),
-- the (record, platform) pairs the gap looks at: the record's own ad channel, any platform it clicked, any it signalled
pair_keys AS (
    SELECT r.record_id, r.channel AS platform FROM records r JOIN recon.platforms x ON x.platform = r.channel
    UNION SELECT record_id, platform FROM record_clicks
    UNION SELECT record_id, platform FROM record_signals
),
pairs AS (
    SELECT r.*, p.platform, k.click_id, k.clicked_at, k.account_id AS click_account_id, k.campaign_id AS click_campaign_id,
           s.signal_keys, s.value AS signal_value, s.currency AS signal_currency, s.account_id AS signal_account_id
    FROM pair_keys p
    JOIN records r USING (record_id)
    LEFT JOIN record_clicks k ON k.record_id = p.record_id AND k.platform = p.platform
    LEFT JOIN record_signals s ON s.record_id = p.record_id AND s.platform = p.platform
),
classified AS (
    SELECT q.*, a.account_id AS gap_account_id, a.currency AS account_currency, a.report_timezone, a.action_report_time,
           a.click_days,
           extract(epoch FROM q.created_at - q.clicked_at) / 86400 AS lag,
           CASE WHEN q.click_id IS NULL THEN CASE WHEN q.channel = q.platform AND q.valid THEN 'crm_unlinked' END
                WHEN q.clicked_at IS NOT NULL AND a.click_days IS NOT NULL
                     AND q.created_at > q.clicked_at + a.click_days * interval '1 day'
                    THEN CASE WHEN q.channel = q.platform AND q.valid THEN 'attribution_window' END
                WHEN NOT q.valid THEN 'invalid'
                WHEN q.channel = q.platform THEN 'matched'
                ELSE 'double_claim' END AS click_part
    FROM pairs q
    LEFT JOIN platform_account pa ON pa.platform = q.platform
    JOIN accounts a ON a.platform = q.platform AND a.account_id = coalesce(q.click_account_id, q.signal_account_id, pa.account_id)
),
valued AS (
    SELECT c.*,
           -- what the platform values the conversion at: the value its signal carried, else the CRM's stated value
           coalesce(recon.money_to_account(coalesce(c.signal_value, c.stated_value),
                                           CASE WHEN c.signal_value IS NOT NULL THEN c.signal_currency ELSE c.currency END,
                                           c.account_currency, (c.created_at AT TIME ZONE (SELECT tz FROM ctx))::date), 0) AS platform_value,
           recon.platform_booking_day(c.clicked_at, c.created_at, c.action_report_time, c.report_timezone) AS booking_day,
           (c.created_at AT TIME ZONE (SELECT tz FROM ctx))::date AS created_day
    FROM classified c
),
-- Pixel/CAPI events for one order whose event ids drifted: each extra event id within 48 hours of the first is a
-- second count. Groups with one event id (nearly all) are told apart by hashing, without sorting them.
dedup_groups AS MATERIALIZED (
    SELECT platform, event_name, dedup_key, min(event_time) AS first_at
    FROM signal_records WHERE dedup_key IS NOT NULL AND event_id IS NOT NULL
    GROUP BY 1, 2, 3 HAVING min(event_id) <> max(event_id)
),
dedup_signals AS MATERIALIZED (
    SELECT s.*, g.first_at
    FROM signal_records s JOIN dedup_groups g USING (platform, event_name, dedup_key)
    WHERE s.event_id IS NOT NULL
),
dedup_extra AS (       -- each event id's first signal within 48 hours, ranked by arrival
    SELECT d.*, row_number() OVER (PARTITION BY d.platform, d.event_name, d.dedup_key ORDER BY d.event_time, d.signal_key) AS id_rank
    FROM (SELECT DISTINCT ON (platform, event_name, dedup_key, event_id) *
          FROM dedup_signals ORDER BY platform, event_name, dedup_key, event_id, event_time, signal_key) d
    WHERE d.event_time < d.first_at + interval '48 hours'
),
dedup_sets AS (        -- all the signals of a group counted more than once
    SELECT platform, event_name, dedup_key, array_agg(signal_key ORDER BY event_time, signal_key) AS signal_keys
    FROM dedup_signals GROUP BY 1, 2, 3
)
SELECT v.click_part, v.platform, v.gap_account_id, coalesce(v.click_campaign_id, CASE WHEN v.channel = v.platform THEN v.campaign_id END),
       v.record_id, v.click_id, v.signal_keys, v.clicked_at, v.created_at, round(v.lag::numeric, 4),
       CASE WHEN v.click_part IN ('matched', 'invalid', 'double_claim') THEN v.booking_day END,
       CASE WHEN v.click_part IN ('matched', 'attribution_window', 'crm_unlinked') THEN v.created_day END,
       1::numeric, v.platform_value, v.account_currency,
       CASE v.click_part
           WHEN 'attribution_window' THEN format('clicked %s days before the conversion; the window is %s days', round(v.lag::numeric, 1), v.click_days)
           WHEN 'crm_unlinked' THEN 'the CRM credits the channel, but no click id, cookie or signal links the record to it'
           WHEN 'invalid' THEN 'a click in the window, but the CRM rejected the record (spam, test or duplicate)'
           WHEN 'double_claim' THEN format('the CRM credits %s; this platform''s click is in its window too', v.channel)
           WHEN 'matched' THEN CASE WHEN v.clicked_at IS NULL THEN 'click time unknown (not in recon.ad_clicks): dated by the conversion' END
       END
FROM valued v
WHERE v.click_part IS NOT NULL
UNION ALL
-- the platform was told about a conversion but nothing shows its click: view-through, cross-device or organic
SELECT 'unlinked_signal', v.platform, v.gap_account_id, NULL, v.record_id, NULL, v.signal_keys, NULL, v.created_at, NULL,
       recon.platform_booking_day(NULL, v.created_at, v.action_report_time, v.report_timezone), NULL,
       1::numeric, v.platform_value, v.account_currency,
       CASE WHEN v.channel = v.platform THEN 'the CRM credits the channel but holds no click id for it'
            ELSE format('the CRM credits %s; the signal carries no click id or click cookie of this platform', v.channel) END
FROM valued v
WHERE v.click_id IS NULL AND v.signal_keys IS NOT NULL
UNION ALL
SELECT 'dedup_failure', e.platform, a.account_id, k.campaign_id, e.record_id, NULL, d.signal_keys, k.clicked_at, coalesce(r.created_at, e.first_at), NULL,
       recon.platform_booking_day(k.clicked_at, coalesce(r.created_at, e.first_at), a.action_report_time, a.report_timezone), NULL,
       1::numeric,
       coalesce(recon.money_to_account(e.value, e.currency, a.currency, (e.event_time AT TIME ZONE (SELECT tz FROM ctx))::date), 0),
       a.currency,
       format('%s event %s for %s arrived %s after the first with another event id; the platform counted it again',
              e.event_name, e.event_id, e.dedup_key, date_trunc('second', e.event_time - e.first_at))
FROM dedup_extra e
JOIN dedup_sets d USING (platform, event_name, dedup_key)
LEFT JOIN records r ON r.record_id = e.record_id
LEFT JOIN record_clicks k ON k.record_id = e.record_id AND k.platform = e.platform
LEFT JOIN platform_account pa ON pa.platform = e.platform
JOIN accounts a ON a.platform = e.platform AND a.account_id = coalesce(k.account_id, e.account_id, pa.account_id)
WHERE e.id_rank > 1
$evidence$;
COMMENT ON FUNCTION recon.gap_evidence_rows() IS
    'Computes the rows of recon.gap_evidence (JIT off: the plan''s cost estimates would trigger a compile slower than the query).';

CREATE VIEW recon.gap_evidence AS SELECT * FROM recon.gap_evidence_rows();
COMMENT ON VIEW recon.gap_evidence IS
    'The records and signals behind each part of the platform-vs-CRM gap, one row per conversion: matched (the CRM credits the platform and its click is in the window; the clock part compares platform_day and crm_day), attribution_window (clicked, converted after the window), invalid (clicked, rejected by the CRM as spam, test or duplicate), double_claim (credited to another channel, this platform''s click in its window), crm_unlinked (credited to the platform, nothing links it), unlinked_signal (the platform was told, no click shows: view-through, cross-device or organic) and dedup_failure (an extra event id for one order within 48 hours, with all its signals listed). platform_day is on the platform''s clock, crm_day on the CRM''s (reporting zone); value in the account currency as the platform values it.';

-- Overlapping action types (omni_purchase ⊇ purchase ⊇ offsite_conversion.fb_pixel_purchase): counted once,
-- and a figure that was summed from them, or breaks the overlap, flagged.
CREATE VIEW recon.platform_action_type_check AS
    WITH typed AS (
        SELECT c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id, c.attribution_window,
               f.family, c.action_type, c.conversions,
               row_number() OVER (PARTITION BY c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id,
                                               c.attribution_window, f.family
                                  ORDER BY f.priority, c.action_type) AS rank
        FROM recon.platform_conversions_daily c
        CROSS JOIN LATERAL recon.action_type_family(c.action_type) f
    ),
    families AS (
        SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, attribution_window, family,
               array_agg(action_type ORDER BY rank) AS action_types,
               min(action_type) FILTER (WHERE rank = 1) AS kept_action_type,
               sum(conversions) FILTER (WHERE rank = 1) AS kept_conversions,
               sum(conversions) AS summed_conversions,
               sum(conversions) FILTER (WHERE rank > 1) AS others_sum,
               max(conversions) FILTER (WHERE rank > 1) AS others_max,
               count(*) FILTER (WHERE rank > 1 AND conversions > 0) AS others_counting
        FROM typed GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING count(*) > 1
    )
    SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, attribution_window, family, action_types,
           kept_action_type, kept_conversions, summed_conversions,
           -- the kept figure is the sum of two or more of the overlapping ones: someone added them up
           CASE WHEN others_counting >= 2 AND kept_conversions = others_sum AND kept_conversions > others_max THEN 'summed_double_count'
                -- a narrower type counts more than the broader one kept: the overlap is broken (a type loaded twice?)
                WHEN others_max > kept_conversions THEN 'superset_violated'
                ELSE 'counted_once' END AS flag
    FROM families;
COMMENT ON VIEW recon.platform_action_type_check IS
    'Per platform row, attribution window and event family with overlapping action types (omni_purchase, purchase, offsite_conversion.fb_pixel_purchase...): the types loaded, the one reports keep (recon.action_type_family priority), its conversions and the naive sum over all types (what summing would report). flag: counted_once (normal overlap, one kept), summed_double_count (the kept figure equals the sum of two or more of the others: it was added up from overlapping types), superset_violated (a narrower type counts more than the broader one kept). Unique key: (platform, account_id, report_date, campaign_id, adset_id, ad_id, attribution_window, family).';
