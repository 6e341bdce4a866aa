-- The ground-truth demo: a deterministic, scalable simulation of ad platforms,
-- a CRM and finance, with every cause of disagreement injected on purpose and
-- the truth of each journey kept in schema recon_truth. Later features are
-- checked against it: what they explain must match what was injected.

CREATE SCHEMA recon_truth;
COMMENT ON SCHEMA recon_truth IS
    'Ground truth of the demo generator: what really happened to each simulated journey and every platform claim.';

CREATE TABLE recon_truth.runs (
    seed          bigint NOT NULL,
    scale         integer NOT NULL,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    as_of         timestamptz NOT NULL,
    reporting_timezone text NOT NULL,
    row_counts    jsonb NOT NULL,
    faults        jsonb NOT NULL DEFAULT '{}',
    generated_by  text NOT NULL DEFAULT current_user,
    generated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE recon_truth.runs IS
    'The demo run whose data is loaded: seed, scale, simulated period, the extraction moment (as_of: nothing later exists), the rows written per table and the faults injected.';

CREATE TABLE recon_truth.journeys (
    journey_id            bigint PRIMARY KEY,
    person_id             bigint NOT NULL,
    kind                  text NOT NULL CHECK (kind IN
                          ('click_conversion', 'outside_window', 'view_through', 'modeled', 'junk', 'identity_lost')),
    platform              text NOT NULL,
    account_id            text NOT NULL,
    campaign_id           text NOT NULL,
    adset_id              text NOT NULL,
    ad_id                 text NOT NULL,
    touch_at              timestamptz NOT NULL,
    click_id              text,
    converted_at          timestamptz NOT NULL,
    lag_days              numeric NOT NULL,
    record_type           text NOT NULL,
    record_id             text,
    opportunity_id        text,
    duplicate_record_id   text,
    currency              text NOT NULL,
    stated_value          numeric NOT NULL,
    outcome               text NOT NULL,
    outcome_reason        text,
    is_spam               boolean NOT NULL,
    is_test               boolean NOT NULL,
    refund_kind           text NOT NULL CHECK (refund_kind IN ('none', 'full', 'partial', 'failed_delivery')),
    refund_amount         numeric NOT NULL,
    installments          integer NOT NULL,
    collected_revenue     numeric NOT NULL,
    platform_claimed      boolean NOT NULL,
    claim_windows         text[],
    claimed_conversions   integer NOT NULL,
    claimed_value         numeric NOT NULL,
    view_through          boolean NOT NULL,
    modeled               boolean NOT NULL,
    outside_window        boolean NOT NULL,
    identity_lost         boolean NOT NULL,
    clock_shift           boolean NOT NULL,
    double_claimed_by     text,
    pixel_capi_duplicate  boolean NOT NULL,
    written_off           numeric NOT NULL
);
COMMENT ON TABLE recon_truth.journeys IS
    'One row per simulated journey (an ad touch and what followed): its kind, the CRM records it produced, its outcome and money, and which causes of platform-vs-CRM disagreement apply to it.';
COMMENT ON COLUMN recon_truth.journeys.kind IS
    'click_conversion: click then conversion inside the platform window; outside_window: click, conversion after the window (platform does not claim); view_through: no click, platform claims by view; modeled: platform claims a conversion that never happened in the CRM; junk: spam or test lead the platform counts; identity_lost: click on one device, conversion on another (platform claims, CRM cannot link).';
COMMENT ON COLUMN recon_truth.journeys.clock_shift IS
    'True when the platform books the conversion in a different month (by its action_report_time and report zone) than the CRM does (by conversion time in the reporting zone America/New_York).';
COMMENT ON COLUMN recon_truth.journeys.collected_revenue IS
    'Net revenue finance collected for the journey''s records by as_of (payments minus refunds, net of tax and shipping), in the record currency.';
COMMENT ON COLUMN recon_truth.journeys.written_off IS
    'Net (of VAT) amount of the won deal''s last installment written off by as_of (unpaid 60 days after it was due), in the record currency.';

CREATE TABLE recon_truth.platform_claims (
    journey_id          bigint NOT NULL REFERENCES recon_truth.journeys,
    platform            text NOT NULL,
    account_id          text NOT NULL,
    campaign_id         text NOT NULL,
    adset_id            text NOT NULL,
    ad_id               text NOT NULL,
    report_date         date NOT NULL,
    cause               text NOT NULL CHECK (cause IN
                        ('click', 'view_through', 'modeled', 'junk', 'identity_lost', 'double_claim', 'dedup_failure')),
    windows             text[] NOT NULL,
    conversions         integer NOT NULL,
    value               numeric NOT NULL,
    currency            text NOT NULL,
    PRIMARY KEY (journey_id, platform, cause)
);
COMMENT ON TABLE recon_truth.platform_claims IS
    'Every conversion a platform claims in the demo, with why: a true click or view conversion, a modeled one, junk, a cross-device one, a second platform''s double claim, or the extra count of a Pixel/CAPI dedup failure. platform_conversions_daily is exactly the sum of these.';

-- The demo's ad catalog: 4 platforms x 4 campaigns x 2 ad sets x 2 ads, with
-- ids shaped like each platform's (18-digit Meta ids sharing 15-digit prefixes,
-- 19-digit TikTok ids) so id-mangling checks have something to catch.
CREATE FUNCTION recon.demo_catalog()
RETURNS TABLE (platform text, platform_index integer, account_id text, account_name text,
               account_timezone text, currency text, ad_index integer,
               campaign_id text, campaign_name text, adset_id text, adset_name text,
               ad_id text, ad_name text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.platform, p.platform_index, p.account_id, p.account_name, p.tz, p.currency, a,
           (p.id_base + (a / 4) * p.campaign_step)::text                             AS campaign_id,
           format('%s %s', p.label, (ARRAY['Prospecting', 'Retargeting', 'Brand', 'Promo'])[a / 4 + 1]),
           (p.id_base + (a / 4) * p.campaign_step + 10 + (a / 2) % 2)::text          AS adset_id,
           format('%s %s set %s', p.label, (ARRAY['Prospecting', 'Retargeting', 'Brand', 'Promo'])[a / 4 + 1], (a / 2) % 2 + 1),
           (p.id_base + (a / 4) * p.campaign_step + 100 + a % 2 + (a / 2) % 2 * 2)::text AS ad_id,
           format('%s ad %s', p.label, a + 1)
    FROM (VALUES
        ('meta',     0, '1010203040506070', 'Acme US Shop',      'America/New_York', 'USD', 120208123456780000::numeric, 1000, 'Meta'),
        ('google',   1, '4830127765',       'Acme DE Services',  'Europe/Berlin',    'EUR', 21045678000::numeric,        1000, 'Search'),
        ('tiktok',   2, '7301234567890123', 'Acme JP Shop',      'Asia/Tokyo',       'JPY', 1790000000000001000::numeric, 1000, 'TikTok'),
        ('linkedin', 3, '508123456',        'Acme UK Services',  'Europe/London',    'GBP', 312345000::numeric,          1000, 'LinkedIn')
    ) AS p(platform, platform_index, account_id, account_name, tz, currency, id_base, campaign_step, label)
    CROSS JOIN generate_series(0, 15) AS a
$$;
COMMENT ON FUNCTION recon.demo_catalog() IS
    'The demo''s fixed ad catalog: platforms, accounts (time zone, currency), campaigns, ad sets and ads with platform-shaped ids.';

-- Delete demo rows (record_source = 'demo') from every table, fast when the
-- tables hold nothing else.
CREATE FUNCTION recon.demo_clear() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    user_rows boolean := false;
BEGIN
    FOREACH t IN ARRAY ARRAY['finance_transactions', 'funnel_stage_history', 'funnel_records',
                             'conversion_signals', 'ad_clicks', 'platform_conversions_daily', 'ad_delivery_daily',
                             'ad_accounts', 'fx_rates'] LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM recon.%I WHERE record_source <> %L)', t, 'demo')
           INTO user_rows;
        EXIT WHEN user_rows;
    END LOOP;
    -- Links and flagged ties that name demo rows go with them (a new demo reuses the same ids, so
    -- stale links would look valid); the decision log is an audit trail and stays.
    IF user_rows THEN
        CREATE TEMP TABLE demo_ids ON COMMIT DROP AS
        SELECT 'signal' AS layer, signal_key::text COLLATE "C" AS id FROM recon.conversion_signals WHERE record_source = 'demo'
        UNION ALL SELECT 'record', record_id FROM recon.funnel_records WHERE record_source = 'demo'
        UNION ALL SELECT 'transaction', transaction_id FROM recon.finance_transactions WHERE record_source = 'demo';
        DELETE FROM recon.match_links l USING demo_ids d
        WHERE (d.layer = 'signal' AND l.link_type IN ('signal_record', 'signal_signal') AND d.id = l.left_id)
           OR (d.layer = 'signal' AND l.link_type = 'signal_signal' AND d.id = l.right_id)
           OR (d.layer = 'record' AND l.link_type IN ('signal_record', 'record_transaction', 'record_record') AND d.id = l.right_id)
           OR (d.layer = 'record' AND l.link_type = 'record_record' AND d.id = l.left_id)
           OR (d.layer = 'transaction' AND l.link_type = 'record_transaction' AND d.id = l.left_id);
        DELETE FROM recon.match_ambiguities a USING demo_ids d
        WHERE d.id = a.left_id
          AND d.layer = CASE a.link_type WHEN 'record_transaction' THEN 'transaction' WHEN 'record_record' THEN 'record'
                                         ELSE 'signal' END;
        DROP TABLE demo_ids;
        DELETE FROM recon.finance_transactions WHERE record_source = 'demo';
        DELETE FROM recon.funnel_stage_history WHERE record_source = 'demo';
        DELETE FROM recon.funnel_records WHERE record_source = 'demo';
        DELETE FROM recon.conversion_signals WHERE record_source = 'demo';
        DELETE FROM recon.ad_clicks WHERE record_source = 'demo';
        DELETE FROM recon.platform_conversions_daily WHERE record_source = 'demo';
        DELETE FROM recon.ad_delivery_daily WHERE record_source = 'demo';
        DELETE FROM recon.ad_accounts WHERE record_source = 'demo';
        DELETE FROM recon.fx_rates WHERE record_source = 'demo';
    ELSE
        TRUNCATE recon.finance_transactions, recon.funnel_stage_history, recon.funnel_records,
                 recon.conversion_signals, recon.ad_clicks, recon.platform_conversions_daily, recon.ad_delivery_daily,
                 recon.ad_accounts, recon.fx_rates, recon.match_links, recon.match_ambiguities;
    END IF;
    TRUNCATE recon_truth.platform_claims, recon_truth.journeys, recon_truth.runs;
END $$;
COMMENT ON FUNCTION recon.demo_clear() IS
    'Removes the demo data (rows with record_source = demo), its truth, and the match links and flagged ties that name demo rows; user rows, their links and the decision log are never touched.';

-- Fixed USD value of one unit of the demo currencies: platforms value a
-- double-claimed sale in their own account currency, at roughly these rates.
CREATE FUNCTION recon.demo_usd_per_unit(currency text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE currency WHEN 'USD' THEN 1.0 WHEN 'EUR' THEN 1.09 WHEN 'GBP' THEN 1.27 WHEN 'JPY' THEN 0.0069 END
$$;
COMMENT ON FUNCTION recon.demo_usd_per_unit(text) IS
    'Approximate USD per unit of the demo currencies, used only to value a second platform''s claim in its own currency.';

-- Installments of an invoice: equal parts in the currency's minor units, the
-- last one taking the rounding remainder, due 14 days apart plus a month each.
CREATE FUNCTION recon.demo_installments(gross numeric, tax numeric, currency text, parts integer,
                                        invoiced_at timestamptz, jitter double precision)
RETURNS TABLE (k integer, amount numeric, tax numeric, due_at timestamptz)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT n,
           CASE WHEN n < parts THEN recon_money_round(gross / parts, currency)
                ELSE gross - (parts - 1) * recon_money_round(gross / parts, currency) END,
           CASE WHEN n < parts THEN recon_money_round(tax / parts, currency)
                ELSE tax - (parts - 1) * recon_money_round(tax / parts, currency) END,
           invoiced_at + (14 + 30 * (n - 1) + jitter * 10) * interval '1 day'
    FROM generate_series(1, parts) AS n
$$;
COMMENT ON FUNCTION recon.demo_installments(numeric, numeric, text, integer, timestamptz, double precision) IS
    'Splits an invoice total and its tax into installments (last one takes the rounding remainder) with due dates.';

-- What a second platform claims for a sale: its lead value (Google 150, LinkedIn 200), or the
-- order's value in its own account currency.
CREATE FUNCTION recon.demo_double_claim_value(stated_value numeric, currency text, platform text, platform_currency text)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE platform WHEN 'google' THEN 150 WHEN 'linkedin' THEN 200
                ELSE @extschema@.recon_money_round(stated_value * recon.demo_usd_per_unit(currency)
                                                   / recon.demo_usd_per_unit(platform_currency), platform_currency) END
$$;
COMMENT ON FUNCTION recon.demo_double_claim_value(numeric, text, text, text) IS
    'The value a second platform claims for a sale in the demo: its fixed lead value, or the order value converted to its account currency at the demo''s fixed rates.';

-- The faults recon_demo_generate can inject, checked: one row per fault.
CREATE FUNCTION recon.demo_fault_list(faults jsonb)
RETURNS TABLE (fault text, platform text, from_day date, from_at timestamptz, share double precision)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    f record;
    day_text text;
BEGIN
    FOR f IN SELECT key, value FROM jsonb_each(faults) ORDER BY key LOOP
        IF f.key NOT IN ('consent_loss', 'modeled_change', 'dedup_break', 'feed_stop') THEN
            RAISE EXCEPTION 'unknown demo fault "%"', f.key
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Known faults: consent_loss, modeled_change, dedup_break, feed_stop.';
        END IF;
        IF jsonb_typeof(f.value) <> 'object' THEN
            RAISE EXCEPTION 'demo fault "%" must be an object with platform and from, got %', f.key, f.value
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        fault := f.key;
        platform := f.value->>'platform';
        IF platform IS NULL OR platform NOT IN ('meta', 'google', 'tiktok', 'linkedin')
           OR (f.key = 'dedup_break' AND platform <> 'meta') THEN
            RAISE EXCEPTION 'demo fault "%" needs a demo platform, got %', f.key, coalesce(quote_literal(platform), 'none')
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = CASE WHEN f.key = 'dedup_break' THEN 'Only meta receives both Pixel and Conversions API events.'
                                    ELSE 'Demo platforms: meta, google, tiktok, linkedin.' END;
        END IF;
        day_text := f.value->>'from';
        IF day_text IS NULL OR day_text !~ '^\d{4}-\d{2}-\d{2}$' THEN
            RAISE EXCEPTION 'demo fault "%" needs "from" as a date YYYY-MM-DD, got %', f.key, coalesce(quote_literal(day_text), 'none')
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        from_day := day_text::date;
        -- a fault starts at midnight where the platform reports
        SELECT from_day::timestamp AT TIME ZONE CASE p.report_clock WHEN 'utc' THEN 'UTC' ELSE c.account_timezone END
          INTO from_at
          FROM recon.platforms p JOIN (SELECT DISTINCT d.platform, d.account_timezone FROM recon.demo_catalog() d) c USING (platform)
         WHERE p.platform = demo_fault_list.platform;
        share := coalesce((f.value->>'share')::double precision, CASE f.key WHEN 'consent_loss' THEN 0.6 WHEN 'modeled_change' THEN 0.5 ELSE 1 END);
        IF share IS NULL OR share <= 0 OR share > 1 THEN
            RAISE EXCEPTION 'demo fault "%": share must be in (0, 1], got %', f.key, f.value->>'share'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION recon.demo_fault_list(jsonb) IS
    'Checks and lists the faults passed to recon_demo_generate: fault, platform, first day (midnight in the platform''s report zone) and the share of journeys affected; raises 22023 for anything else.';

CREATE FUNCTION recon_demo_generate(seed bigint, scale integer, faults jsonb DEFAULT '{}')
RETURNS TABLE (table_name text, rows_written bigint)
LANGUAGE plpgsql
-- JIT compiles of these big plans cost more than the statements; sorts and
-- index builds of a 1M-journey run need more than the default memory.
SET jit = off
SET TimeZone = 'UTC'    -- dates cut from timestamps must not follow the caller's session zone
SET work_mem = '256MB'
SET maintenance_work_mem = '512MB'
AS $gen$
DECLARE
    period_start constant timestamptz := '2026-01-01 12:00:00+00';
    period_days  constant integer := 180;
    as_of        constant timestamptz := '2026-08-14 00:00:00+00';
    batch        text := 'demo-' || seed;
    report_tz    text := recon.setting('reporting_timezone');
    counts       jsonb := '{}';
    written      bigint;
    saved_keys   jsonb;
    fault        record;
    -- injected faults (see the COMMENT): platform, first day, share of journeys affected
    consent_platform  text;    consent_from  timestamptz;  consent_share  double precision;
    modeled_platform  text;    modeled_from  timestamptz;  modeled_share  double precision;
    dedup_from        timestamptz;
    feed_platform     text;    feed_from     date;
BEGIN
    IF seed IS NULL OR scale IS NULL THEN
        RAISE EXCEPTION 'recon_demo_generate needs a seed and a scale, got seed % and scale %',
                        coalesce(seed::text, 'NULL'), coalesce(scale::text, 'NULL')
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF scale < 1 OR scale > 10000000 THEN
        RAISE EXCEPTION 'demo scale % is out of range', scale
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The scale is the number of simulated journeys, from 1 to 10000000.';
    END IF;

    IF faults IS NULL OR jsonb_typeof(faults) <> 'object' THEN
        RAISE EXCEPTION 'demo faults must be a jsonb object, got %', coalesce(faults::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass ''{}'' for none, or e.g. {"feed_stop": {"platform": "tiktok", "from": "2026-04-08"}}.';
    END IF;
    FOR fault IN SELECT * FROM recon.demo_fault_list(faults) LOOP
        CASE fault.fault
        WHEN 'consent_loss' THEN
            consent_platform := fault.platform; consent_from := fault.from_at; consent_share := fault.share;
        WHEN 'modeled_change' THEN
            modeled_platform := fault.platform; modeled_from := fault.from_at; modeled_share := fault.share;
        WHEN 'dedup_break' THEN
            dedup_from := fault.from_at;
        WHEN 'feed_stop' THEN
            feed_platform := fault.platform; feed_from := fault.from_day;
        END CASE;
    END LOOP;

    PERFORM recon.demo_clear();
    saved_keys := recon.bulk_load_begin(ARRAY[
        'recon.ad_delivery_daily', 'recon.platform_conversions_daily', 'recon.conversion_signals',
        'recon.funnel_records', 'recon.funnel_stage_history', 'recon.finance_transactions', 'recon.ad_clicks',
        'recon_truth.journeys', 'recon_truth.platform_claims']::regclass[]);
    IF to_regclass('pg_temp.demo_x') IS NOT NULL THEN    -- a second call in the same transaction
        DROP TABLE pg_temp.demo_j, pg_temp.demo_x, pg_temp.demo_pay, pg_temp.demo_claims, pg_temp.demo_r;
    END IF;

    -- 1-2. Journeys and what happened next: outcomes, timeline and money (nothing
    --    after as_of exists). Every draw is recon_demo_random(seed, stream, journey):
    --    a row's values never depend on the plan or the order rows are produced in.
    CREATE TEMP TABLE demo_j ON COMMIT DROP AS
    WITH raw AS (
        SELECT i,
               recon_demo_random(seed, 1, i)  AS r_platform, recon_demo_random(seed, 2, i)  AS r_ad,
               recon_demo_random(seed, 3, i)  AS r_time,     recon_demo_random(seed, 4, i)  AS r_kind,
               recon_demo_random(seed, 5, i)  AS r_lag,      recon_demo_random(seed, 6, i)  AS r_value,
               recon_demo_random(seed, 7, i)  AS r_junk,     recon_demo_random(seed, 8, i)  AS r_dup,
               recon_demo_random(seed, 9, i)  AS r_double,   recon_demo_random(seed, 10, i) AS r_double_to,
               recon_demo_random(seed, 11, i) AS r_pixel,    recon_demo_random(seed, 12, i) AS r_outcome,
               recon_demo_random(seed, 13, i) AS r_qualify,  recon_demo_random(seed, 14, i) AS r_win,
               recon_demo_random(seed, 15, i) AS r_refund,   recon_demo_random(seed, 16, i) AS r_install,
               recon_demo_random(seed, 17, i) AS r_unpaid,   recon_demo_random(seed, 18, i) AS r_t1,
               recon_demo_random(seed, 19, i) AS r_t2,       recon_demo_random(seed, 20, i) AS r_t3,
               recon_demo_random(seed, 21, i) AS r_misc,
               recon_demo_random(seed, 22, i) AS r_fault
        FROM generate_series(1, scale) AS i
    ), drawn AS (
        SELECT raw.*,
               CASE WHEN r_platform < 0.40 THEN 0 WHEN r_platform < 0.70 THEN 1
                    WHEN r_platform < 0.90 THEN 2 ELSE 3 END AS platform_index,
               CASE WHEN r_kind < 0.58 THEN 'click_conversion' WHEN r_kind < 0.66 THEN 'view_through'
                    WHEN r_kind < 0.73 THEN 'modeled'          WHEN r_kind < 0.80 THEN 'outside_window'
                    WHEN r_kind < 0.88 THEN 'junk'             ELSE 'identity_lost' END AS drawn_kind,
               period_start + r_time * (period_days * interval '1 day') AS touch_at
        FROM raw
    ), picked AS (      -- injected faults: lost click ids turn click conversions into cross-device ones;
                        -- a modeling change makes the platform claim a modeled conversion beside a real one
        SELECT d.*,
               CASE WHEN d.drawn_kind = 'click_conversion' AND pl.platform = consent_platform
                         AND d.touch_at >= consent_from AND d.r_fault < consent_share THEN 'identity_lost'
                    ELSE d.drawn_kind END AS kind,
               coalesce(d.drawn_kind = 'click_conversion' AND pl.platform = modeled_platform
                        AND d.touch_at >= modeled_from AND d.r_fault < modeled_share, false) AS modeled_extra
        FROM drawn d
        JOIN (VALUES (0, 'meta'), (1, 'google'), (2, 'tiktok'), (3, 'linkedin')) AS pl(platform_index, platform)
          USING (platform_index)
    ), placed AS (
        SELECT p.*, c.platform, c.account_id, c.campaign_id, c.campaign_name, c.adset_id, c.ad_id, c.ad_index, c.currency,
               CASE WHEN p.platform_index IN (0, 2) THEN 'order' ELSE 'lead' END AS record_type,
               CASE WHEN p.platform_index IN (0, 2) THEN 7 ELSE 30 END AS window_days,
               -- seconds left in the touch's day where the platform reports it
               extract(epoch FROM (date_trunc('day', p.touch_at AT TIME ZONE rz.report_tz) + interval '1 day')
                                  AT TIME ZONE rz.report_tz - p.touch_at) AS day_left_seconds
        FROM picked p
        JOIN recon.demo_catalog() c
          ON c.platform_index = p.platform_index AND c.ad_index = floor(p.r_ad * 16)::integer
        CROSS JOIN LATERAL (SELECT CASE pf.report_clock WHEN 'utc' THEN 'UTC' ELSE c.account_timezone END AS report_tz
                            FROM recon.platforms pf WHERE pf.platform = c.platform) rz
    ), lagged AS (
        SELECT placed.*,
               round((CASE kind
                   WHEN 'outside_window' THEN window_days + 0.5 + r_lag * 30
                   -- view-through and cross-device conversions happen on the day of the ad, where
                   -- the platform reports: nothing the advertiser holds shows that touch, so the
                   -- gap analysis dates them by the conversion (docs/gap.md)
                   WHEN 'view_through'   THEN floor(r_lag * 0.999 * day_left_seconds / 86400 * 10000) / 10000
                   WHEN 'identity_lost'  THEN floor(r_lag * 0.999 * day_left_seconds / 86400 * 10000) / 10000
                   WHEN 'modeled'        THEN r_lag * 7
                   WHEN 'junk'           THEN r_lag * 0.05
                   ELSE r_lag * r_lag * window_days END)::numeric, 4) AS lag_days
        FROM placed
    )
    SELECT l.*,
           l.touch_at + l.lag_days * interval '1 day' AS converted_at,
           CASE l.currency
               WHEN 'USD' THEN round((19 + 280 * l.r_value * l.r_value)::numeric, 2)
               WHEN 'JPY' THEN round((1500 + 38000 * l.r_value * l.r_value)::numeric, 0)
               WHEN 'EUR' THEN round((1500 + 18000 * l.r_value)::numeric, 0)
               ELSE round((1200 + 15000 * l.r_value)::numeric, 0) END AS stated_value,
           CASE l.platform WHEN 'google' THEN 150 WHEN 'linkedin' THEN 200 END AS lead_platform_value,
           CASE WHEN l.kind IN ('click_conversion', 'outside_window', 'junk', 'identity_lost') THEN
                CASE l.platform
                    WHEN 'meta'   THEN 'IwAR' || recon_demo_token(seed, 30, l.i, 58)
                    WHEN 'google' THEN 'Cj0KCQ' || recon_demo_token(seed, 30, l.i, 80)
                    WHEN 'tiktok' THEN 'E.C.P.' || recon_demo_token(seed, 30, l.i, 40)
                    ELSE recon_demo_token(seed, 30, l.i, 36) END END AS click_id,
           -- a click conversion the other platform of the business claims too: the person clicked
           -- its ad halfway to the conversion, and the site kept both click ids
           q.platform AS double_platform, q.account_id AS double_account_id, q.campaign_id AS double_campaign_id,
           q.adset_id AS double_adset_id, q.ad_id AS double_ad_id, q.ad_index AS double_ad_index,
           q.platform_index AS double_platform_index, q.currency AS double_currency,
           CASE q.platform
               WHEN 'meta'   THEN 'IwAR' || recon_demo_token(seed, 34, l.i, 58)
               WHEN 'google' THEN 'Cj0KCQ' || recon_demo_token(seed, 34, l.i, 80)
               WHEN 'tiktok' THEN 'E.C.P.' || recon_demo_token(seed, 34, l.i, 40)
               WHEN 'linkedin' THEN recon_demo_token(seed, 34, l.i, 36) END AS double_click_id,
           l.touch_at + l.lag_days / 2 * interval '1 day' AS double_touch_at
    FROM lagged l
    LEFT JOIN recon.demo_catalog() q
      ON l.kind = 'click_conversion' AND l.r_double < 0.12
     AND q.platform_index = (l.platform_index + 2) % 4     -- Meta <-> TikTok (shop), Google <-> LinkedIn (leads)
     AND q.ad_index = floor(l.r_double_to * 1000)::integer % 16;
    ANALYZE demo_j;

    CREATE TEMP TABLE demo_x ON COMMIT DROP AS
    WITH base AS (
        SELECT j.*,
               j.kind <> 'modeled' AND j.converted_at < as_of AS has_record,
               CASE j.record_type WHEN 'order' THEN 'ORD-' ELSE 'LEAD-' END || lpad(j.i::text, 8, '0') AS record_id,
               'CUS-' || lpad(j.i::text, 8, '0') AS customer_id,
               encode(sha256(convert_to(CASE WHEN j.kind = 'identity_lost' THEN 'p' || j.i || '@work.example'
                                             ELSE 'person' || j.i || '@example.com' END, 'UTF8')), 'hex') AS email_sha256,
               j.kind = 'junk' AND (j.record_type = 'order' OR j.r_junk >= 0.7) AS is_test,
               j.kind = 'junk' AND j.record_type = 'lead' AND j.r_junk < 0.7 AS is_spam,
               j.converted_at + (1 + j.r_t1 * 4) * interval '1 day'  AS fulfil_at,
               j.converted_at + j.r_t1 * interval '1 day'            AS cancel_at,
               j.converted_at + (1 + j.r_t1 * 9) * interval '1 day'  AS qualify_at,
               j.converted_at + (3 + j.r_t1 * 10) * interval '1 day' AS disqualify_at,
               CASE WHEN j.r_win < 0.55 THEN 10 + j.r_t2 * 50 ELSE 5 + j.r_t2 * 40 END AS opp_days,
               CASE WHEN j.record_type = 'order' AND j.r_misc BETWEEN 0.5 AND 0.8
                    THEN CASE j.currency WHEN 'JPY' THEN 500 ELSE 4.99 END ELSE 0 END AS shipping,
               CASE WHEN j.r_install < 0.6 THEN 1 WHEN j.r_install < 0.9 THEN 2 ELSE 3 END AS n_installments,
               CASE j.currency WHEN 'EUR' THEN 0.19 WHEN 'GBP' THEN 0.20 ELSE 0 END AS vat_rate,
               -- Pixel and CAPI disagree on the event id of a clicked purchase (always once the dedup_break fault starts)
               j.platform = 'meta' AND j.kind = 'click_conversion'
                   AND (j.r_pixel < 0.15 OR coalesce(j.converted_at >= dedup_from, false)) AS dedup_broken
        FROM demo_j j
    ), lead_flow AS (
        SELECT b.*,
               b.qualify_at + b.opp_days * interval '1 day' AS opp_close_at,
               b.has_record AND b.record_type = 'lead' AND b.kind <> 'junk' AND b.r_qualify < 0.45
                   AND b.qualify_at < as_of AS has_opportunity,
               b.has_record AND b.record_type = 'lead' AND b.kind <> 'junk' AND b.r_dup < 0.06
                   AND b.converted_at + (0.5 + b.r_dup * 40) * interval '1 day' < as_of AS has_duplicate
        FROM base b
    ), status AS (
        SELECT f.*,
               CASE WHEN NOT has_record THEN 'none'
                    WHEN record_type = 'order' THEN
                        CASE WHEN is_test OR r_outcome < 0.08 THEN CASE WHEN cancel_at < as_of THEN 'cancelled' ELSE 'open' END
                             WHEN fulfil_at < as_of THEN 'won' ELSE 'open' END
                    WHEN kind = 'junk' THEN CASE WHEN cancel_at + interval '1 day' < as_of THEN 'lost' ELSE 'open' END
                    WHEN r_qualify >= 0.45 THEN CASE WHEN disqualify_at < as_of THEN 'lost' ELSE 'open' END
                    WHEN qualify_at < as_of THEN 'won'
                    ELSE 'open' END AS record_status,
               CASE WHEN NOT has_opportunity THEN NULL
                    WHEN opp_close_at >= as_of THEN 'open'
                    WHEN r_win < 0.55 THEN 'won' ELSE 'lost' END AS opp_status
        FROM lead_flow f
    )
    SELECT s.*,
           CASE WHEN s.has_opportunity THEN s.opp_status ELSE s.record_status END AS outcome,
           CASE WHEN s.has_opportunity AND s.opp_status = 'lost' THEN CASE WHEN s.r_t3 < 0.5 THEN 'competitor' ELSE 'no budget' END
                WHEN s.record_status = 'lost' AND s.is_spam THEN 'spam'
                WHEN s.record_status = 'lost' AND s.is_test THEN 'test'
                WHEN s.record_status = 'lost' THEN CASE WHEN s.r_t3 < 0.5 THEN 'not qualified' ELSE 'no response' END
                WHEN s.record_status = 'cancelled' AND s.is_test THEN 'test order'
                WHEN s.record_status = 'cancelled' THEN CASE WHEN s.r_outcome < 0.04 THEN 'customer cancelled' ELSE 'payment declined' END
           END AS outcome_reason,
           -- orders: charged at checkout unless a test order or declined
           s.record_type = 'order' AND s.has_record AND NOT s.is_test AND NOT (s.r_outcome >= 0.04 AND s.r_outcome < 0.08) AS charged,
           s.record_type = 'order' AND s.record_status = 'cancelled' AND NOT s.is_test AND s.r_outcome < 0.04 AS cancel_refunded,
           CASE WHEN s.record_type = 'order' AND s.record_status = 'won'
                     AND s.fulfil_at + (2 + s.r_t2 * 25) * interval '1 day' < as_of THEN
                CASE WHEN s.r_refund < 0.06 THEN 'full' WHEN s.r_refund < 0.11 THEN 'partial'
                     WHEN s.r_refund < 0.14 THEN 'failed_delivery' ELSE 'none' END
                ELSE 'none' END AS refund_kind,
           s.fulfil_at + (2 + s.r_t2 * 25) * interval '1 day' AS refund_at,
           recon_money_round(s.stated_value * (0.3 + 0.4 * s.r_t3)::numeric, s.currency) AS partial_refund,
           CASE WHEN s.record_type = 'order' THEN s.stated_value + s.shipping
                ELSE recon_money_round(s.stated_value * (1 + s.vat_rate), s.currency) END AS gross,
           CASE WHEN s.record_type = 'lead' THEN recon_money_round(s.stated_value * s.vat_rate, s.currency) ELSE 0 END AS tax,
           s.has_opportunity AND s.opp_status = 'won' AS invoiced,
           s.r_unpaid < 0.10 AS last_unpaid
    FROM status s;
    ANALYZE demo_x;

    -- Installments of won deals: which were paid by as_of, which were written off.
    CREATE TEMP TABLE demo_pay ON COMMIT DROP AS
    SELECT x.i, k.k, k.amount, k.tax, k.due_at,
           k.due_at < as_of AND NOT (x.last_unpaid AND k.k = x.n_installments) AS paid,
           x.last_unpaid AND k.k = x.n_installments AND k.due_at + interval '60 days' < as_of AS written_off
    FROM demo_x x
    CROSS JOIN LATERAL recon.demo_installments(x.gross, x.tax, x.currency, x.n_installments, x.opp_close_at, x.r_t3) k
    WHERE x.invoiced;

    -- 3. Ad accounts and FX rates (EUR-based weekday rates, as the ECB publishes).
    INSERT INTO recon.ad_accounts (platform, account_id, account_name, timezone, currency, record_source, batch_id)
    SELECT DISTINCT platform, account_id, account_name, account_timezone, currency, 'demo', batch
    FROM recon.demo_catalog();
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('ad_accounts', written);

    INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate, record_source, batch_id)
    SELECT 'daily', 'EUR', q.cur, d::date,
           round((q.base * exp(sum((recon_demo_random(seed, 40 + q.k, d::date - date '2025-12-01') - 0.5) * 0.01)
                                   OVER (PARTITION BY q.cur ORDER BY d)))::numeric, q.places),
           'demo', batch
    FROM (VALUES (1, 'USD', 1.09, 6), (2, 'GBP', 0.86, 6), (3, 'JPY', 158.5, 4)) AS q(k, cur, base, places)
    CROSS JOIN generate_series(date '2025-12-01', as_of::date, interval '1 day') AS d
    WHERE extract(isodow FROM d) < 6;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('fx_rates', written);

    -- 4. Platform claims (truth): what each platform counts, and why.
    CREATE TEMP TABLE demo_claims ON COMMIT DROP AS
    WITH own AS MATERIALIZED (
        SELECT x.i, x.platform, x.platform_index, x.ad_index, x.account_id, x.campaign_id, x.adset_id, x.ad_id,
               x.currency, x.stated_value, x.touch_at, x.converted_at, x.dedup_broken, x.modeled_extra,
               x.double_platform, x.double_touch_at, x.double_platform_index, x.double_ad_index,
               a.report_timezone,
               CASE kind WHEN 'click_conversion' THEN 'click' ELSE kind END AS cause,
               CASE WHEN kind IN ('click_conversion', 'junk', 'identity_lost', 'modeled') THEN
                         CASE WHEN platform IN ('google', 'linkedin') THEN ARRAY['30d_click', 'default']
                              WHEN lag_days <= 1 AND kind <> 'modeled' THEN ARRAY['1d_click', '7d_click', 'default']
                              ELSE ARRAY['7d_click', 'default'] END
                    WHEN platform = 'google' THEN ARRAY['1d_view']      -- view-through stays out of Google's "conversions"
                    WHEN platform = 'linkedin' THEN ARRAY['7d_view', 'default']
                    ELSE ARRAY['1d_view', 'default'] END AS windows,
               CASE WHEN platform = 'tiktok' THEN (converted_at AT TIME ZONE a.report_timezone)::date
                    ELSE (touch_at AT TIME ZONE a.report_timezone)::date END AS report_date,
               coalesce(lead_platform_value, stated_value) AS claim_value
        FROM demo_x x JOIN recon.ad_accounts a USING (platform, account_id)
        WHERE kind <> 'outside_window' AND converted_at < as_of
    )
    SELECT i AS journey_id, platform, account_id, campaign_id, adset_id, ad_id, report_date, cause,
           windows, 1 AS conversions, claim_value AS value, currency, platform_index * 16 + ad_index AS ad_key
    FROM own
    UNION ALL   -- Pixel and CAPI events of a clicked purchase whose event ids drifted: Meta counts it twice
    SELECT i, platform, account_id, campaign_id, adset_id, ad_id, report_date, 'dedup_failure',
           windows, 1, claim_value, currency, platform_index * 16 + ad_index
    FROM own
    WHERE dedup_broken
    UNION ALL   -- the modeled_change fault: a modeled conversion beside the real one, nothing sent for it
    SELECT i, platform, account_id, campaign_id, adset_id, ad_id, report_date, 'modeled',
           windows, 1, claim_value, currency, platform_index * 16 + ad_index
    FROM own
    WHERE modeled_extra AND cause = 'click'
    UNION ALL   -- the other platform of the same business claims the sale too, from its own click halfway to it
    SELECT o.i, c.platform, c.account_id, c.campaign_id, c.adset_id, c.ad_id,
           CASE WHEN c.platform = 'tiktok' THEN (o.converted_at AT TIME ZONE a.report_timezone)::date
                ELSE (o.double_touch_at AT TIME ZONE a.report_timezone)::date END,
           'double_claim',
           CASE WHEN c.platform IN ('google', 'linkedin') THEN ARRAY['30d_click', 'default'] ELSE ARRAY['7d_click', 'default'] END,
           1,
           recon.demo_double_claim_value(o.stated_value, o.currency, c.platform, c.currency),
           c.currency, c.platform_index * 16 + c.ad_index
    FROM own o
    JOIN recon.demo_catalog() c ON c.platform_index = o.double_platform_index AND c.ad_index = o.double_ad_index
    JOIN recon.ad_accounts a ON a.platform = c.platform AND a.account_id = c.account_id
    WHERE o.cause = 'click';
    ANALYZE demo_claims;

    -- 5. Delivery: every ad, every day of its report calendar; clicks grow with the journeys.
    INSERT INTO recon.ad_delivery_daily
        (platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
         spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time,
         report_timezone, pulled_at, record_source, batch_id)
    SELECT c.platform, c.account_id, k.day, 'ad', c.campaign_id, c.campaign_name, c.adset_id, c.adset_name,
           c.ad_id, c.ad_name,
           CASE WHEN k.live THEN recon_money_round(k.clicks * k.cpc * (0.8 + 0.4 * recon_demo_random(seed, 51, k.cell))::numeric, c.currency)
                ELSE 0 END,
           c.currency,
           k.clicks * (40 + floor(60 * recon_demo_random(seed, 52, k.cell)))::bigint,
           k.clicks,
           round(k.clicks * 0.8)::bigint,
           CASE c.platform WHEN 'google' THEN '30d_click' WHEN 'linkedin' THEN '30d_click_7d_view'
                           ELSE '7d_click_1d_view' END,
           CASE c.platform WHEN 'tiktok' THEN 'conversion' ELSE 'impression' END,
           a.report_timezone, as_of + interval '6 hours', 'demo', batch
    FROM recon.demo_catalog() c
    JOIN recon.ad_accounts a ON a.platform = c.platform AND a.account_id = c.account_id
    CROSS JOIN LATERAL (
        SELECT g.d::date AS day,
               (c.platform_index * 16 + c.ad_index) * 1000 + (g.d::date - date '2026-01-01') AS cell,
               g.d::date <= (period_start + period_days * interval '1 day')::date AS live,
               CASE c.currency WHEN 'USD' THEN 0.9 WHEN 'EUR' THEN 1.6 WHEN 'JPY' THEN 70 ELSE 4.5 END AS cpc
        FROM generate_series(date '2026-01-01', as_of::date, interval '1 day') AS g(d)
        WHERE g.d::date::timestamp AT TIME ZONE a.report_timezone < as_of   -- the day had begun where it is reported
          AND NOT coalesce(c.platform = feed_platform AND g.d::date >= feed_from, false)   -- the feed_stop fault
    ) cal
    LEFT JOIN (SELECT j.platform, j.ad_id, (j.touch_at AT TIME ZONE r.report_timezone)::date AS day, count(*) AS n
               FROM demo_j j JOIN recon.ad_accounts r USING (platform, account_id)
               WHERE j.click_id IS NOT NULL
               GROUP BY 1, 2, 3) t
           ON t.platform = c.platform AND t.ad_id = c.ad_id AND t.day = cal.day
    CROSS JOIN LATERAL (
        SELECT cal.day, cal.cell, cal.live, cal.cpc,
               CASE WHEN cal.live THEN 20 * coalesce(t.n, 0) + 5 + floor(40 * recon_demo_random(seed, 50, cal.cell))::bigint
                    ELSE coalesce(t.n, 0) END AS clicks
    ) k;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('ad_delivery_daily', written);

    -- Platforms report per window; Meta also returns omni_purchase, which repeats purchase.
    -- Aggregate on the integer ad key first: 1M claims become ~15k cells before any text is touched.
    INSERT INTO recon.platform_conversions_daily
        (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
         conversions, conversion_value, currency, record_source, batch_id)
    SELECT c.platform, c.account_id, a.report_date, c.campaign_id, c.adset_id, c.ad_id, at.action_type, w.win,
           sum(a.conversions), sum(a.value), c.currency, 'demo', batch
    FROM (SELECT ad_key, report_date, windows, sum(conversions) AS conversions, sum(value) AS value
          FROM demo_claims GROUP BY ad_key, report_date, windows) a
    JOIN recon.demo_catalog() c ON c.platform_index * 16 + c.ad_index = a.ad_key
    CROSS JOIN LATERAL unnest(a.windows) AS w(win)
    CROSS JOIN LATERAL unnest(CASE c.platform WHEN 'meta' THEN ARRAY['purchase', 'omni_purchase']
                                              WHEN 'tiktok' THEN ARRAY['complete_payment']
                                              ELSE ARRAY['lead'] END) AS at(action_type)
    WHERE NOT coalesce(c.platform = feed_platform AND a.report_date >= feed_from, false)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 11;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('platform_conversions_daily', written);

    -- 6. Conversion signals the advertiser sent (none for modeled conversions).
    INSERT INTO recon.conversion_signals
        (platform, account_id, source, event_id, event_name, event_time, fbclid, gclid, ttclid, li_fat_id,
         fbc, fbp, external_id, email_sha256, value, currency, order_id, lead_id,
         campaign_id, adset_id, ad_id, record_source, batch_id)
    SELECT platform, account_id, s.source,
           CASE WHEN s.source = 'capi' AND x.dedup_broken
                THEN 'capi.' || recon_demo_token(seed, 31, x.i, 16)      -- the drifted event id
                WHEN s.source = 'lead_form' THEN 'urn:li:leadGenFormResponse:' || recon_demo_token(seed, 32, x.i, 20)
                ELSE x.record_id END,
           CASE x.platform WHEN 'meta' THEN 'Purchase' WHEN 'tiktok' THEN 'CompletePayment' ELSE 'Lead' END,
           x.converted_at + CASE WHEN s.source = 'capi' THEN (5 + floor(x.r_t3 * 200)) * interval '1 second'
                                 -- a gclid upload is sent the next day; an enhanced-conversions lead (hashed email, no
                                 -- gclid) carries the lead's own time
                                 WHEN s.source = 'offline_upload' AND x.kind <> 'identity_lost' THEN interval '1 day'
                                 ELSE interval '0' END,
           NULL,
           CASE WHEN x.platform = 'google' AND x.kind <> 'identity_lost' THEN x.click_id END,
           CASE WHEN x.platform = 'tiktok' AND x.kind <> 'identity_lost' THEN x.click_id END,
           NULL,
           CASE WHEN x.platform = 'meta' AND x.click_id IS NOT NULL AND x.kind <> 'identity_lost'
                THEN format('fb.1.%s.%s', (extract(epoch FROM x.touch_at) * 1000)::bigint, x.click_id) END,
           CASE WHEN x.platform = 'meta'
                THEN format('fb.1.%s.%s', (extract(epoch FROM x.touch_at - interval '3 days') * 1000)::bigint,
                            1000000000 + floor(x.r_misc * 8999999999)::bigint
                            + CASE WHEN x.kind = 'identity_lost' THEN 1 ELSE 0 END) END,
           CASE WHEN s.source = 'capi' THEN x.customer_id END,
           x.email_sha256,
           coalesce(x.lead_platform_value, x.stated_value), x.currency,
           CASE WHEN x.record_type = 'order' THEN x.record_id END,
           CASE WHEN x.record_type = 'lead' THEN x.record_id END,
           CASE WHEN s.source = 'lead_form' THEN x.campaign_id END,
           CASE WHEN s.source = 'lead_form' THEN x.adset_id END,
           CASE WHEN s.source = 'lead_form' THEN x.ad_id END,
           'demo', batch
    FROM demo_x x
    -- every conversion a platform claims reached it as a signal (modeled ones aside): Google gets offline
    -- uploads (gclid, or the hashed email alone for a cross-device lead), LinkedIn lead-form responses,
    -- or its Conversions API for leads that came through the website
    CROSS JOIN LATERAL unnest(CASE x.platform WHEN 'meta' THEN ARRAY['pixel', 'capi']
                                              WHEN 'tiktok' THEN ARRAY['pixel']
                                              WHEN 'google' THEN ARRAY['offline_upload']
                                              ELSE CASE WHEN x.kind IN ('view_through', 'identity_lost') THEN ARRAY['capi']
                                                        ELSE ARRAY['lead_form'] END END) AS s(source)
    WHERE x.has_record
      AND NOT (x.platform = 'google' AND x.click_id IS NULL);
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('conversion_signals', written);

    -- ... and the other platform's tag fired on a sale it claims too, with its own click id.
    INSERT INTO recon.conversion_signals
        (platform, account_id, source, event_id, event_name, event_time, fbclid, gclid, ttclid, li_fat_id,
         fbc, fbp, external_id, email_sha256, value, currency, order_id, lead_id, record_source, batch_id)
    SELECT x.double_platform, x.double_account_id,
           CASE x.double_platform WHEN 'google' THEN 'offline_upload' WHEN 'linkedin' THEN 'capi' ELSE 'pixel' END,
           x.record_id,
           CASE x.double_platform WHEN 'meta' THEN 'Purchase' WHEN 'tiktok' THEN 'CompletePayment' ELSE 'Lead' END,
           x.converted_at + CASE WHEN x.double_platform = 'google' THEN interval '1 day' ELSE interval '0' END,
           NULL,
           CASE WHEN x.double_platform = 'google' THEN x.double_click_id END,
           CASE WHEN x.double_platform = 'tiktok' THEN x.double_click_id END,
           CASE WHEN x.double_platform = 'linkedin' THEN x.double_click_id END,
           CASE WHEN x.double_platform = 'meta'
                THEN format('fb.1.%s.%s', (extract(epoch FROM x.double_touch_at) * 1000)::bigint, x.double_click_id) END,
           NULL, NULL, x.email_sha256,
           recon.demo_double_claim_value(x.stated_value, x.currency, x.double_platform, x.double_currency), x.double_currency,
           CASE WHEN x.record_type = 'order' THEN x.record_id END,
           CASE WHEN x.record_type = 'lead' THEN x.record_id END,
           'demo', batch
    FROM demo_x x
    WHERE x.has_record AND x.double_platform IS NOT NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('conversion_signals', (counts->>'conversion_signals')::bigint + written);

    -- The click log: every click the landing pages captured (also the cross-device ones nothing links back).
    INSERT INTO recon.ad_clicks (platform, click_id, clicked_at, account_id, campaign_id, adset_id, ad_id, record_source, batch_id)
    SELECT platform, click_id, touch_at, account_id, campaign_id, adset_id, ad_id, 'demo', batch
    FROM demo_x WHERE click_id IS NOT NULL AND touch_at < as_of
    UNION ALL
    SELECT double_platform, double_click_id, double_touch_at, double_account_id, double_campaign_id, double_adset_id,
           double_ad_id, 'demo', batch
    FROM demo_x WHERE has_record AND double_platform IS NOT NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('ad_clicks', written);

    -- 7. CRM records: leads and orders, opportunities for qualified leads, repeat form
    --    fills. Each carries up to three stages (s1..s3, entered t1..t3) for the history.
    CREATE TEMP TABLE demo_r ON COMMIT DROP AS
    SELECT u.*,
           CASE WHEN u.status <> 'open' THEN u.stage END AS s3,
           u.closed_at AS t3
    FROM (
        SELECT x.record_id, x.record_type,
               CASE x.record_type WHEN 'order' THEN 'shop' ELSE 'crm' END AS crm_system,
               x.converted_at AS created_at,
               CASE WHEN x.kind IN ('click_conversion', 'outside_window', 'junk') THEN x.platform
                    WHEN x.kind = 'view_through' AND x.r_misc < 0.5 THEN 'organic'
                    ELSE 'direct' END AS channel,
               CASE WHEN x.kind IN ('click_conversion', 'outside_window', 'junk') THEN 'paid' ELSE 'website' END AS source,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.campaign_id END AS campaign_id,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.adset_id END AS adset_id,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.ad_id END AS ad_id,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN
                    CASE x.platform WHEN 'meta' THEN 'facebook' ELSE x.platform END END AS utm_source,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN
                    CASE x.platform WHEN 'google' THEN 'cpc' ELSE 'paid_social' END END AS utm_medium,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.campaign_name END AS utm_campaign,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.ad_id END AS utm_content,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.campaign_id END AS utm_id,
               CASE WHEN x.platform = 'meta' AND x.kind <> 'identity_lost' THEN x.click_id
                    WHEN x.double_platform = 'meta' THEN x.double_click_id END AS fbclid,
               CASE WHEN x.platform = 'google' AND x.kind <> 'identity_lost' THEN x.click_id
                    WHEN x.double_platform = 'google' THEN x.double_click_id END AS gclid,
               CASE WHEN x.platform = 'tiktok' AND x.kind <> 'identity_lost' THEN x.click_id
                    WHEN x.double_platform = 'tiktok' THEN x.double_click_id END AS ttclid,
               CASE WHEN x.platform = 'linkedin' AND x.kind <> 'identity_lost' THEN x.click_id
                    WHEN x.double_platform = 'linkedin' THEN x.double_click_id END AS li_fat_id,
               NULL::text AS fbc,
               x.email_sha256, x.customer_id, NULL::text AS parent_record_id,
               CASE WHEN x.record_type = 'order' THEN x.stated_value END AS stated_value, x.currency,
               CASE WHEN x.record_type = 'order' THEN
                        CASE x.record_status WHEN 'won' THEN 'delivered' WHEN 'cancelled' THEN 'cancelled'
                             ELSE CASE WHEN x.fulfil_at - interval '1 day' < as_of THEN 'shipped' ELSE 'placed' END END
                    ELSE CASE x.record_status WHEN 'won' THEN 'converted' WHEN 'lost' THEN 'disqualified'
                                              ELSE CASE WHEN x.kind <> 'junk' AND x.converted_at + interval '2 hours' < as_of
                                                        THEN 'valid' ELSE 'captured' END END
               END AS stage,
               x.record_status AS status,
               CASE WHEN x.record_status IN ('lost', 'cancelled') AND NOT x.has_opportunity THEN x.outcome_reason END AS status_reason,
               CASE x.record_status
                   WHEN 'won' THEN CASE x.record_type WHEN 'order' THEN x.fulfil_at ELSE x.qualify_at END
                   WHEN 'cancelled' THEN x.cancel_at
                   WHEN 'lost' THEN CASE WHEN x.kind = 'junk' THEN x.cancel_at + interval '1 day' ELSE x.disqualify_at END
               END AS closed_at,
               CASE WHEN x.record_type = 'lead' THEN 'rep' || (1 + floor(x.r_t2 * 5))::integer END AS owner,
               CASE x.currency WHEN 'USD' THEN 'US' WHEN 'EUR' THEN 'DE' WHEN 'JPY' THEN 'JP' ELSE 'UK' END AS market,
               CASE x.record_type WHEN 'order' THEN 'placed' ELSE 'captured' END AS s1,
               x.converted_at AS t1,
               CASE WHEN x.record_type = 'order' AND x.record_status <> 'cancelled' AND x.fulfil_at - interval '1 day' < as_of
                    THEN 'shipped'
                    WHEN x.record_type = 'lead' AND x.kind <> 'junk' AND x.converted_at + interval '2 hours' < as_of
                    THEN 'valid' END AS s2,
               CASE WHEN x.record_type = 'order' THEN x.fulfil_at - interval '1 day'
                    ELSE x.converted_at + interval '2 hours' END AS t2
        FROM demo_x x WHERE x.has_record
        UNION ALL
        SELECT 'OPP-' || lpad(x.i::text, 8, '0'), 'opportunity', 'crm', x.qualify_at,
               CASE WHEN x.kind IN ('click_conversion', 'outside_window') THEN x.platform
                    WHEN x.kind = 'view_through' AND x.r_misc < 0.5 THEN 'organic' ELSE 'direct' END,
               'lead conversion', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               x.email_sha256, x.customer_id, x.record_id, x.stated_value, x.currency,
               CASE x.opp_status WHEN 'won' THEN 'won' WHEN 'lost' THEN 'lost'
                    ELSE CASE WHEN x.qualify_at + interval '2 days' < as_of THEN 'proposal' ELSE 'qualified' END END,
               x.opp_status,
               CASE WHEN x.opp_status = 'lost' THEN x.outcome_reason END,
               CASE WHEN x.opp_status <> 'open' THEN x.opp_close_at END,
               'rep' || (1 + floor(x.r_t2 * 5))::integer,
               CASE x.currency WHEN 'EUR' THEN 'DE' ELSE 'UK' END,
               'qualified', x.qualify_at,
               CASE WHEN x.qualify_at + interval '2 days' < as_of THEN 'proposal' END, x.qualify_at + interval '2 days'
        FROM demo_x x WHERE x.has_opportunity
        UNION ALL   -- the same person fills the form again; half are caught by the CRM as duplicates
        SELECT 'LEAD-' || lpad((scale + x.i)::text, 8, '0'), 'lead', 'crm',
               x.converted_at + (0.5 + x.r_dup * 40) * interval '1 day',
               CASE WHEN x.r_misc < 0.5 THEN 'direct' ELSE 'organic' END, 'website',
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               x.email_sha256, NULL, NULL, NULL, x.currency,
               CASE WHEN x.r_dup < 0.03 THEN 'disqualified' ELSE 'captured' END,
               CASE WHEN x.r_dup < 0.03 THEN 'lost' ELSE 'open' END,
               CASE WHEN x.r_dup < 0.03 THEN 'duplicate' END,
               CASE WHEN x.r_dup < 0.03 THEN x.converted_at + (0.5 + x.r_dup * 40) * interval '1 day' + interval '1 hour' END,
               'rep' || (1 + floor(x.r_t1 * 5))::integer,
               CASE x.currency WHEN 'EUR' THEN 'DE' ELSE 'UK' END,
               'captured', x.converted_at + (0.5 + x.r_dup * 40) * interval '1 day', NULL, NULL
        FROM demo_x x WHERE x.has_duplicate
    ) u;

    INSERT INTO recon.funnel_records
        (record_id, record_type, crm_system, created_at, channel, source, campaign_id, adset_id, ad_id,
         utm_source, utm_medium, utm_campaign, utm_content, utm_id, fbclid, gclid, ttclid, li_fat_id, fbc,
         email_sha256, customer_id, parent_record_id, stated_value, currency, stage, status, status_reason,
         closed_at, owner, market, record_source, batch_id)
    SELECT record_id, record_type, crm_system, created_at, channel, source, campaign_id, adset_id, ad_id,
           utm_source, utm_medium, utm_campaign, utm_content, utm_id, fbclid, gclid, ttclid, li_fat_id, fbc,
           email_sha256, customer_id, parent_record_id, stated_value, currency, stage, status, status_reason,
           closed_at, owner, market, 'demo', batch
    FROM demo_r;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('funnel_records', written);

    -- 8. Stage history: the stages each record entered; each stage is left when the next one starts.
    INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, exited_at, record_source, batch_id)
    SELECT r.record_id, st.stage, st.entered_at, st.exited_at, 'demo', batch
    FROM demo_r r
    CROSS JOIN LATERAL (VALUES
        (r.s1, r.t1, coalesce(CASE WHEN r.s2 IS NOT NULL THEN r.t2 END, r.t3)),
        (r.s2, r.t2, r.t3),
        (r.s3, r.t3, NULL::timestamptz)
    ) AS st(stage, entered_at, exited_at)
    WHERE st.stage IS NOT NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('funnel_stage_history', written);

    -- 9. Finance: card charges and refunds for orders; invoices, installments and write-offs for won deals.
    INSERT INTO recon.finance_transactions
        (transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount,
         fee_amount, tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id,
         record_source, batch_id)
    SELECT t.* , 'demo', batch FROM (
        -- a declined first attempt before some successful charges
        SELECT 'ch_' || recon_demo_token(seed, 60, x.i, 24), 'payment', 'failed', x.converted_at - interval '2 minutes',
               x.gross, x.currency, 0::numeric, x.shipping, 0::numeric, 'inclusive', x.record_id, NULL, x.customer_id,
               NULL, NULL
        FROM demo_x x WHERE x.charged AND x.r_misc < 0.05
        UNION ALL
        SELECT 'ch_' || recon_demo_token(seed, 61, x.i, 24), 'payment', 'posted', x.converted_at,
               x.gross, x.currency, 0, x.shipping,
               recon_money_round(x.gross * 0.029 + CASE x.currency WHEN 'JPY' THEN 30 ELSE 0.30 END, x.currency),
               'inclusive', x.record_id, NULL, x.customer_id, NULL, NULL
        FROM demo_x x WHERE x.charged
        UNION ALL
        SELECT 're_' || recon_demo_token(seed, 62, x.i, 24), 'refund', 'posted',
               CASE WHEN x.cancel_refunded THEN x.cancel_at ELSE x.refund_at END,
               CASE WHEN x.refund_kind = 'partial' THEN x.partial_refund ELSE x.gross END,
               x.currency, 0, CASE WHEN x.refund_kind = 'partial' THEN 0 ELSE x.shipping END, 0, 'inclusive',
               x.record_id, NULL, x.customer_id, NULL, 'ch_' || recon_demo_token(seed, 61, x.i, 24)
        FROM demo_x x WHERE x.cancel_refunded OR x.refund_kind <> 'none'
        UNION ALL
        SELECT 'INV-2026-' || lpad(x.i::text, 8, '0'), 'invoice', 'posted', x.opp_close_at,
               x.gross, x.currency, x.tax, 0, 0, 'inclusive', NULL, 'OPP-' || lpad(x.i::text, 8, '0'),
               x.customer_id, NULL, NULL
        FROM demo_x x WHERE x.invoiced
        UNION ALL
        SELECT CASE WHEN k.paid THEN format('PAY-%s-%s', lpad(x.i::text, 8, '0'), k.k)
                    ELSE 'WO-' || lpad(x.i::text, 8, '0') END,
               CASE WHEN k.paid THEN 'payment' ELSE 'write_off' END, 'posted',
               CASE WHEN k.paid THEN k.due_at ELSE k.due_at + interval '60 days' END,
               k.amount, x.currency, k.tax, 0, 0, 'inclusive', NULL, 'OPP-' || lpad(x.i::text, 8, '0'),
               x.customer_id, 'INV-2026-' || lpad(x.i::text, 8, '0'), NULL
        FROM demo_pay k JOIN demo_x x USING (i)
        WHERE k.paid OR k.written_off
    ) t;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('finance_transactions', written);

    -- 10. The truth per journey, computed from the simulation, not read back from the tables.
    INSERT INTO recon_truth.journeys
    SELECT x.i, x.i, x.kind, x.platform, x.account_id, x.campaign_id, x.adset_id, x.ad_id, x.touch_at, x.click_id,
           x.converted_at, x.lag_days, x.record_type,
           CASE WHEN x.has_record THEN x.record_id END,
           CASE WHEN x.has_opportunity THEN 'OPP-' || lpad(x.i::text, 8, '0') END,
           CASE WHEN x.has_duplicate THEN 'LEAD-' || lpad((scale + x.i)::text, 8, '0') END,
           x.currency, x.stated_value, x.outcome, x.outcome_reason, x.is_spam, x.is_test,
           CASE WHEN x.cancel_refunded THEN 'none' ELSE x.refund_kind END,
           CASE WHEN x.cancel_refunded THEN x.gross WHEN x.refund_kind = 'partial' THEN x.partial_refund
                WHEN x.refund_kind <> 'none' THEN x.gross ELSE 0 END,
           CASE WHEN x.invoiced THEN x.n_installments ELSE 0 END,
           -- net revenue collected: order charges minus refunds, or the paid installments net of VAT
           CASE WHEN x.record_type = 'order' THEN
                    CASE WHEN x.charged THEN x.stated_value ELSE 0 END
                  - CASE WHEN x.cancel_refunded OR x.refund_kind IN ('full', 'failed_delivery') THEN x.stated_value
                         WHEN x.refund_kind = 'partial' THEN x.partial_refund ELSE 0 END
                ELSE coalesce(paid.net, 0)
           END,
           coalesce(cl.claimed, false),
           cl.windows,
           coalesce(cl.conversions, 0),
           coalesce(cl.value, 0),
           x.kind = 'view_through' AND coalesce(cl.claimed, false),
           x.kind = 'modeled' AND coalesce(cl.claimed, false),
           x.kind = 'outside_window',
           x.kind = 'identity_lost',
           coalesce(cl.claimed, false) AND x.has_record
               AND date_trunc('month', cl.report_date) <> date_trunc('month', x.converted_at AT TIME ZONE report_tz),
           cl.double_platform,
           coalesce(cl.dedup_failure, false),
           coalesce(paid.written_off, 0)
    FROM demo_x x
    LEFT JOIN (SELECT journey_id,
                      bool_or(cause NOT IN ('double_claim', 'dedup_failure')) AS claimed,
                      min(windows) FILTER (WHERE cause NOT IN ('double_claim', 'dedup_failure')) AS windows,
                      min(report_date) FILTER (WHERE cause NOT IN ('double_claim', 'dedup_failure')) AS report_date,
                      sum(conversions) FILTER (WHERE cause <> 'double_claim') AS conversions,
                      sum(value) FILTER (WHERE cause <> 'double_claim') AS value,
                      bool_or(cause = 'dedup_failure') AS dedup_failure,
                      min(platform) FILTER (WHERE cause = 'double_claim') AS double_platform
               FROM demo_claims GROUP BY journey_id) cl ON cl.journey_id = x.i
    LEFT JOIN (SELECT i, sum(amount - tax) FILTER (WHERE paid) AS net,
                      sum(amount - tax) FILTER (WHERE written_off) AS written_off
               FROM demo_pay GROUP BY i) paid ON paid.i = x.i;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('truth.journeys', written);

    INSERT INTO recon_truth.platform_claims
    SELECT journey_id, platform, account_id, campaign_id, adset_id, ad_id, report_date, cause, windows,
           conversions, value, currency
    FROM demo_claims;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('truth.platform_claims', written);
    PERFORM recon.bulk_load_end(saved_keys);
    -- Fresh statistics: without them the planner takes the new tables for empty ones.
    ANALYZE recon.ad_accounts, recon.fx_rates, recon.ad_delivery_daily, recon.platform_conversions_daily,
            recon.conversion_signals, recon.ad_clicks, recon.funnel_records, recon.funnel_stage_history,
            recon.finance_transactions, recon_truth.journeys, recon_truth.platform_claims;

    INSERT INTO recon_truth.runs (seed, scale, period_start, period_end, as_of, reporting_timezone, row_counts, faults)
    VALUES (seed, scale, period_start::date, (period_start + period_days * interval '1 day')::date, as_of, report_tz, counts, faults);

    RETURN QUERY SELECT e.key, e.value::bigint FROM jsonb_each_text(counts) e ORDER BY 1;
END $gen$;
COMMENT ON FUNCTION recon_demo_generate(bigint, integer, jsonb) IS
    'Replaces the demo data with a deterministic simulation of `scale` journeys (1..10,000,000) across Meta, Google, TikTok and LinkedIn, a CRM and finance, injecting every cause of disagreement and recording the truth in recon_truth. Same seed and scale, same data. faults (default none) injects operational faults from a day on: {"consent_loss": {"platform": P, "from": D, "share": 0.6}} (click ids lost: click conversions become cross-device), {"modeled_change": {..., "share": 0.5}} (the platform claims a modeled conversion beside that share of click conversions), {"dedup_break": {"platform": "meta", "from": D}} (Pixel and CAPI event ids stop matching), {"feed_stop": {"platform": P, "from": D}} (the platform''s report feed stops). Returns rows written per table.';

-- A digest per demo table, to compare two runs (same seed and scale, same
-- digests: the generator's determinism, checkable by anyone). Every column but
-- the ignored ones, rows ordered byte-wise, timestamps rendered in UTC.
CREATE FUNCTION recon.demo_fingerprint(ignored text[] DEFAULT '{loaded_at,updated_at,signal_key}',
                                       only_demo boolean DEFAULT false)
RETURNS TABLE (table_name text, digest text)
LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['recon.ad_accounts', 'recon.fx_rates', 'recon.ad_delivery_daily',
        'recon.platform_conversions_daily', 'recon.conversion_signals', 'recon.ad_clicks', 'recon.funnel_records',
        'recon.funnel_stage_history', 'recon.finance_transactions', 'recon_truth.journeys',
        'recon_truth.platform_claims'] LOOP
        table_name := t;
        EXECUTE format($q$SELECT md5(string_agg(r, E'\n' ORDER BY r COLLATE "C"))
                          FROM (SELECT (to_jsonb(x) - $1)::text AS r FROM %s x
                                WHERE NOT $2 OR coalesce(to_jsonb(x)->>'record_source', 'demo') = 'demo') s$q$, t)
           INTO digest USING ignored, only_demo;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION recon.demo_fingerprint(text[], boolean) IS
    'An md5 digest of each demo and truth table (all columns but the ignored ones, default the load timestamps and generated keys; only_demo: only rows with record_source demo). Equal digests mean equal data.';

-- Checks that the loaded demo data and its recorded truth agree, each one
-- computed from the tables as a user would query them. Checks count offending
-- rows rather than ask NOT EXISTS: an EXISTS is planned for its first row
-- (nested loops), which on a large clean table means scanning it many times.
CREATE FUNCTION recon.demo_verify()
RETURNS TABLE (check_name text, passed boolean, detail text)
LANGUAGE sql STABLE AS $$
    WITH run AS (SELECT * FROM recon_truth.runs LIMIT 1),
    claims_default AS (
        SELECT platform, sum(conversions) AS n FROM recon_truth.platform_claims
        WHERE 'default' = ANY (windows) GROUP BY platform),
    reported_default AS (
        SELECT platform, sum(conversions) AS n FROM recon.platform_conversions_daily
        WHERE attribution_window = 'default' AND action_type <> 'omni_purchase' AND batch_id = 'demo-' || (SELECT seed FROM run)
        GROUP BY platform),
    collected AS (
        SELECT coalesce(f.order_id, o.parent_record_id) AS record_id, sum(f.revenue_amount) AS revenue
        FROM recon.finance_transactions f
        LEFT JOIN recon.funnel_records o ON o.record_id = f.opportunity_id
        GROUP BY 1),
    meta_orders AS (
        SELECT order_id, count(*) AS signals, count(DISTINCT event_id) AS event_ids
        FROM recon.conversion_signals WHERE platform = 'meta' GROUP BY order_id)
    SELECT 'one demo run is loaded', (SELECT count(*) FROM recon_truth.runs) = 1,
           (SELECT count(*) FROM recon_truth.runs)::text || ' run(s)'
    UNION ALL
    SELECT 'every journey with a CRM record has it in funnel_records',
           0 = (SELECT count(*) FROM recon_truth.journeys j WHERE record_id IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM recon.funnel_records f WHERE f.record_id = j.record_id)),
           (SELECT count(*) FROM recon_truth.journeys j WHERE record_id IS NOT NULL)::text || ' journeys with a record'
    UNION ALL
    SELECT 'modeled conversions have no record and no signal',
           0 = (SELECT count(*) FROM recon_truth.journeys j WHERE kind = 'modeled' AND record_id IS NOT NULL)
           AND 0 = (SELECT count(*) FROM recon.conversion_signals s
                           JOIN recon_truth.journeys j ON j.kind = 'modeled'
                                 AND coalesce(s.order_id, s.lead_id)
                                     = CASE j.record_type WHEN 'order' THEN 'ORD-' ELSE 'LEAD-' END || lpad(j.journey_id::text, 8, '0')),
           (SELECT count(*) FROM recon_truth.journeys j WHERE modeled)::text || ' modeled claims'
    UNION ALL
    SELECT 'identity-lost records carry no click id, UTM or ad id',
           0 = (SELECT count(*) FROM recon_truth.journeys j JOIN recon.funnel_records f USING (record_id)
                       WHERE j.identity_lost AND coalesce(f.fbclid, f.gclid, f.ttclid, f.li_fat_id, f.utm_source, f.ad_id) IS NOT NULL),
           (SELECT count(*) FROM recon_truth.journeys j WHERE identity_lost AND record_id IS NOT NULL)::text || ' identity-lost records'
    UNION ALL
    SELECT 'platform-reported default-window conversions equal the truth''s claims, per platform',
           0 = (SELECT count(*) FROM claims_default c FULL JOIN reported_default r USING (platform)
                       WHERE c.n IS DISTINCT FROM r.n),
           (SELECT string_agg(platform || ' ' || n, ', ' ORDER BY platform) FROM reported_default)
    UNION ALL
    SELECT 'Meta omni_purchase repeats purchase exactly',
           0 = (SELECT count(*) FROM recon.platform_conversions_daily p
                       WHERE p.platform = 'meta' AND p.action_type = 'purchase'
                         AND NOT EXISTS (SELECT 1 FROM recon.platform_conversions_daily o
                                         WHERE o.platform = 'meta' AND o.action_type = 'omni_purchase'
                                           AND (o.report_date, o.ad_id, o.attribution_window, o.conversions, o.conversion_value)
                                             = (p.report_date, p.ad_id, p.attribution_window, p.conversions, p.conversion_value))),
           NULL
    UNION ALL
    SELECT 'each Pixel/CAPI dedup failure is one order with two signals and two event ids; other Meta orders share one',
           0 = (SELECT count(*) FROM recon_truth.journeys j JOIN meta_orders m ON m.order_id = j.record_id
                       WHERE j.platform = 'meta' AND (m.event_ids <> CASE WHEN j.pixel_capi_duplicate THEN 2 ELSE 1 END
                                                      OR m.signals <> 2)),
           (SELECT count(*) FROM recon_truth.journeys j WHERE pixel_capi_duplicate)::text || ' dedup failures'
    UNION ALL
    SELECT 'collected revenue in finance equals the truth, per journey',
           0 = (SELECT count(*) FROM recon_truth.journeys j LEFT JOIN collected c ON c.record_id = j.record_id
                       WHERE j.record_id IS NOT NULL AND coalesce(c.revenue, 0) <> j.collected_revenue),
           (SELECT string_agg(currency || ' ' || sum, ', ' ORDER BY currency)
            FROM (SELECT currency, sum(collected_revenue) FROM recon_truth.journeys j GROUP BY currency) s)
    UNION ALL
    SELECT 'double claims name another platform and appear in its claims',
           0 = (SELECT count(*) FROM recon_truth.journeys j WHERE double_claimed_by IS NOT NULL
                       AND (double_claimed_by = platform OR NOT EXISTS (
                           SELECT 1 FROM recon_truth.platform_claims c
                           WHERE c.journey_id = j.journey_id AND c.platform = j.double_claimed_by AND c.cause = 'double_claim'))),
           (SELECT count(*) FROM recon_truth.journeys j WHERE double_claimed_by IS NOT NULL)::text || ' double claims'
    UNION ALL
    SELECT 'outcomes match CRM statuses (orders and opportunities)',
           0 = (SELECT count(*) FROM recon_truth.journeys j JOIN recon.funnel_records f ON f.record_id = coalesce(j.opportunity_id, j.record_id)
                       WHERE f.status <> j.outcome AND NOT (j.record_type = 'lead' AND j.opportunity_id IS NULL)),
           NULL
    UNION ALL
    SELECT 'stage history is ordered, each stage ends when the next begins, and closed records end in their stage',
           0 = (SELECT count(*) FROM (SELECT h.*, lead(entered_at) OVER w AS next_at, last_value(stage) OVER w2 AS last_stage
                                      FROM recon.funnel_stage_history h
                                      WINDOW w AS (PARTITION BY record_id ORDER BY entered_at),
                                             w2 AS (PARTITION BY record_id ORDER BY entered_at
                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) h
                       JOIN recon.funnel_records f USING (record_id)
                       WHERE h.exited_at IS DISTINCT FROM h.next_at
                          OR (f.status <> 'open' AND h.last_stage <> f.stage)),
           (SELECT count(*) FROM recon.funnel_stage_history)::text || ' stage rows'
    UNION ALL
    SELECT 'nothing happens after the extraction moment (as_of)',
           greatest((SELECT max(created_at) FROM recon.funnel_records), (SELECT max(closed_at) FROM recon.funnel_records),
                    (SELECT max(occurred_at) FROM recon.finance_transactions),
                    (SELECT max(entered_at) FROM recon.funnel_stage_history)) < (SELECT as_of FROM run),
           NULL
    UNION ALL
    SELECT 'amounts respect currency minor units (JPY whole, others 2 places)',
           0 = (SELECT count(*) FROM recon.finance_transactions
                       WHERE recon_money_round(amount, currency) <> amount OR recon_money_round(tax_amount, currency) <> tax_amount)
           AND 0 = (SELECT count(*) FROM recon.ad_delivery_daily WHERE recon_money_round(spend, currency) <> spend),
           NULL
    UNION ALL
    SELECT 'every kind of cause is present',
           (SELECT count(DISTINCT kind) FROM recon_truth.journeys j) = 6 AND (SELECT bool_or(clock_shift) AND bool_or(pixel_capi_duplicate)
                                                          AND bool_or(double_claimed_by IS NOT NULL)
                                                          AND bool_or(refund_kind = 'partial') AND bool_or(refund_kind = 'full')
                                                          AND bool_or(installments > 1) AND bool_or(is_spam) AND bool_or(is_test)
                                                          AND bool_or(duplicate_record_id IS NOT NULL) FROM recon_truth.journeys j),
           (SELECT string_agg(kind || ' ' || n, ', ' ORDER BY kind) FROM (SELECT kind, count(*) AS n FROM recon_truth.journeys j GROUP BY kind) k)
$$;
COMMENT ON FUNCTION recon.demo_verify() IS
    'Checks that the loaded demo data agrees with its recorded truth (records, claims per window, signals, money, stages, clocks); one row per check.';
