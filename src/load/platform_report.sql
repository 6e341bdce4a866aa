-- What every ad platform's daily report loader shares: account ids as the
-- platforms spell them, attribution settings as Ads Manager words them, and the
-- writer that replaces the restated range (docs/loading.md).

-- An ad account id without the decorations exports add.
CREATE FUNCTION recon.load_account_id(platform text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(CASE platform
                      WHEN 'meta' THEN regexp_replace(btrim(raw), '^act_', '')
                      WHEN 'google' THEN replace(btrim(raw), '-', '')          -- 483-012-7765
                      WHEN 'linkedin' THEN regexp_replace(btrim(raw), '^urn:li:sponsoredAccount:', '')
                      ELSE btrim(raw) END, '')
$$;
COMMENT ON FUNCTION recon.load_account_id(text, text) IS
    'An ad account id as recon stores it: Meta without act_, Google without the dashes of 483-012-7765, LinkedIn without urn:li:sponsoredAccount:; trimmed; NULL when blank.';

-- An id that may come as a LinkedIn URN (urn:li:sponsoredCampaign:123) or a plain number.
CREATE FUNCTION recon.load_urn_id(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(regexp_replace(btrim(raw), '^urn:li:[A-Za-z]+:', ''), '')
$$;
COMMENT ON FUNCTION recon.load_urn_id(text) IS
    'The id inside a LinkedIn URN (urn:li:sponsoredCampaign:123 -> 123), or the trimmed value.';

-- An attribution setting as recon spells it: 7d_click_1d_view.
CREATE FUNCTION recon.load_attribution_setting(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN nullif(btrim(raw), '') IS NULL THEN NULL
        WHEN lower(btrim(raw)) ~ '^(\d+d_(click|view|ev))(_\d+d_(click|view|ev))*$' THEN lower(btrim(raw))
        WHEN lower(raw) ~ '\d+[- ]day' THEN
            (SELECT string_agg(m[1] || 'd_' || CASE WHEN m[2] ~ '^engaged' THEN 'ev' ELSE m[2] END, '_' ORDER BY o)
             FROM regexp_matches(lower(raw), '(\d+)[- ]days? (click|view|engaged[- ]view)', 'g') WITH ORDINALITY AS x(m, o))
        ELSE lower(btrim(raw)) END
$$;
COMMENT ON FUNCTION recon.load_attribution_setting(text) IS
    'An attribution setting in recon''s spelling: 7d_click_1d_view from the API''s 7d_click_1d_view or Ads Manager''s "7-day click or 1-day view" (1d_ev for engaged view); other values (mixed, skan, dda) lower-cased as they are; NULL when blank.';

-- Per platform, the attribution setting a report has when it does not say.
CREATE FUNCTION recon.load_default_attribution(platform text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE platform WHEN 'google' THEN '30d_click' WHEN 'microsoft' THEN '30d_click'
                         WHEN 'linkedin' THEN '30d_click_7d_view' WHEN 'tiktok' THEN '7d_click_1d_view'
                         WHEN 'meta' THEN '7d_click_1d_view' END
$$;
COMMENT ON FUNCTION recon.load_default_attribution(text) IS
    'The attribution setting a platform applies when the account changed nothing (Google and Microsoft 30-day click, LinkedIn 30-day click + 7-day view, TikTok and Meta 7-day click + 1-day view); loaders store it when a report does not carry one and the load gives no attribution_setting option.';

-- The account zone to assume for a new account when the load does not say.
CREATE FUNCTION recon.load_default_timezone(platform text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN platform = 'microsoft' THEN 'America/Los_Angeles'
                WHEN (SELECT report_clock FROM recon.platforms p WHERE p.platform = load_default_timezone.platform) = 'utc' THEN 'UTC' END
$$;
COMMENT ON FUNCTION recon.load_default_timezone(text) IS
    'The zone assumed for a new ad account when the load gives no timezone option: Pacific time for Microsoft (its default when an account sets none), UTC for platforms that report in UTC (TikTok, LinkedIn...), else NULL (Meta and Google report in the account''s zone, which must be given). Accounts created so are flagged timezone_defaulted.';

-- From how many rows a load writes its tables the bulk way.
CREATE FUNCTION recon.load_bulk_rows() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 100000::bigint $$;
COMMENT ON FUNCTION recon.load_bulk_rows() IS
    'Loads of at least this many rows (100,000) write their target tables the bulk way (recon.bulk_load_begin/end: keys and indexes rebuilt once, foreign keys validated by one join, tables locked until commit); smaller ones insert row by row into the indexed tables.';

-- Write a platform report typed into pg_temp.recon_load_delivery and pg_temp.recon_load_conversions.
CREATE FUNCTION recon.load_write_platform_report(batch text, source_file text, options jsonb, platform_name text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    new_accounts bigint;
    rejected bigint;
    replaced bigint := 0;
    delivery bigint;
    conversions bigint;
    scope jsonb;
    unknown text;
    saved jsonb;
BEGIN
    -- Accounts recon does not know yet need their zone and currency.
    SELECT string_agg(d.account_id, ', ' ORDER BY d.account_id) INTO unknown
    FROM (SELECT account_id, max(account_currency) AS account_currency FROM pg_temp.recon_load_delivery
          WHERE account_id IS NOT NULL AND cardinality(reasons) = 0 GROUP BY account_id) d
    WHERE NOT EXISTS (SELECT 1 FROM recon.ad_accounts a WHERE a.platform = platform_name AND a.account_id = d.account_id)
      AND (coalesce(options ->> 'timezone', recon.load_default_timezone(platform_name)) IS NULL
           OR coalesce(d.account_currency, options ->> 'currency') IS NULL);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION '% account(s) % are not in recon.ad_accounts, and the load does not say their time zone and currency',
                        platform_name, unknown
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Insert them into recon.ad_accounts first, or pass options {"timezone": "<the account''s IANA zone>", "currency": "<ISO 4217>"}.';
    END IF;
    INSERT INTO recon.ad_accounts (platform, account_id, account_name, timezone, currency, record_source, batch_id, dq_flags)
    SELECT DISTINCT ON (d.account_id) platform_name, d.account_id, d.account_name,
           coalesce(options ->> 'timezone', recon.load_default_timezone(platform_name)),
           upper(btrim(coalesce(d.account_currency, options ->> 'currency'))), source_file, batch,
           CASE WHEN options ->> 'timezone' IS NULL THEN '{timezone_defaulted}'::text[] ELSE '{}' END
    FROM pg_temp.recon_load_delivery d
    WHERE d.account_id IS NOT NULL AND cardinality(d.reasons) = 0
      AND NOT EXISTS (SELECT 1 FROM recon.ad_accounts a WHERE a.platform = platform_name AND a.account_id = d.account_id)
    ORDER BY d.account_id, d.line_number;
    GET DIAGNOSTICS new_accounts = ROW_COUNT;

    -- Rules that need the account or the whole file: currency, one row per key.
    UPDATE pg_temp.recon_load_delivery d
       SET reasons = d.reasons || x.more
      FROM (SELECT d2.line_number,
                   array_remove(ARRAY[
                       CASE WHEN d2.account_currency IS NOT NULL AND upper(btrim(d2.account_currency)) <> a.currency
                            THEN format('currency_mismatch: the row says %s, account %s is in %s', d2.account_currency, d2.account_id, a.currency) END,
                       CASE WHEN first_line <> d2.line_number
                            THEN format('duplicate_row: same account, day, campaign, ad set and ad as line %s', first_line) END], NULL) AS more
            FROM (SELECT *, min(line_number) OVER (PARTITION BY account_id, report_date, campaign_id, adset_id, ad_id) AS first_line
                  FROM pg_temp.recon_load_delivery WHERE cardinality(reasons) = 0) d2
            JOIN recon.ad_accounts a ON a.platform = platform_name AND a.account_id = d2.account_id) x
     WHERE d.line_number = x.line_number AND cardinality(x.more) > 0;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_delivery WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_delivery WHERE cardinality(reasons) > 0;

    -- A report restates its days: the rows it covers (per account and level) are replaced, not added to.
    WITH s AS MATERIALIZED (
        SELECT account_id, level, min(report_date) AS first_day, max(report_date) AS last_day
        FROM pg_temp.recon_load_delivery GROUP BY 1, 2),
    gone AS (
        DELETE FROM recon.ad_delivery_daily t
        USING s
        WHERE t.platform = platform_name AND t.account_id = s.account_id AND t.level = s.level
          AND t.report_date BETWEEN s.first_day AND s.last_day
        RETURNING 1)
    SELECT (SELECT jsonb_agg(jsonb_build_object('account_id', account_id, 'level', level, 'from', first_day, 'to', last_day)
                             ORDER BY account_id, level) FROM s),
           (SELECT count(*) FROM gone)
      INTO scope, replaced;

    -- A big file is written like pg_restore does: keys and indexes built once at the end,
    -- foreign keys checked by one join instead of row by row (recon.bulk_load_begin).
    IF (SELECT count(*) FROM pg_temp.recon_load_delivery) >= recon.load_bulk_rows() THEN
        saved := recon.bulk_load_begin(ARRAY['recon.ad_delivery_daily', 'recon.platform_conversions_daily']::regclass[]);
    END IF;

    INSERT INTO recon.ad_delivery_daily
        (platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
         spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time,
         report_timezone, pulled_at, record_source, batch_id, dq_flags)
    SELECT platform_name, d.account_id, d.report_date, d.level, d.campaign_id, d.campaign_name,
           coalesce(d.adset_id, ''), d.adset_name, coalesce(d.ad_id, ''), d.ad_name,
           coalesce(d.spend, 0), a.currency, coalesce(d.impressions, 0), coalesce(d.clicks, 0), d.link_clicks,
           coalesce(d.attribution_setting, options ->> 'attribution_setting', recon.load_default_attribution(platform_name)),
           d.action_report_time, a.report_timezone,
           coalesce((options ->> 'pulled_at')::timestamptz, now()), source_file, batch, d.dq_flags
    FROM pg_temp.recon_load_delivery d
    JOIN recon.ad_accounts a ON a.platform = platform_name AND a.account_id = d.account_id;
    GET DIAGNOSTICS delivery = ROW_COUNT;

    INSERT INTO recon.platform_conversions_daily
        (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
         conversions, conversion_value, currency, record_source, batch_id)
    SELECT platform_name, d.account_id, d.report_date, d.campaign_id, coalesce(d.adset_id, ''), coalesce(d.ad_id, ''),
           c.action_type, c.attribution_window, coalesce(c.conversions, 0), coalesce(c.conversion_value, 0),
           a.currency, source_file, batch
    FROM pg_temp.recon_load_conversions c
    JOIN pg_temp.recon_load_delivery d USING (line_number)
    JOIN recon.ad_accounts a ON a.platform = platform_name AND a.account_id = d.account_id;
    GET DIAGNOSTICS conversions = ROW_COUNT;
    IF saved IS NOT NULL THEN
        PERFORM recon.bulk_load_end(saved);
    END IF;

    RETURN jsonb_build_object('rejected', rejected, 'replaced', replaced, 'scope', scope,
                              'tables', jsonb_build_object('ad_accounts', new_accounts, 'ad_delivery_daily', delivery,
                                                           'platform_conversions_daily', conversions));
END $$;
COMMENT ON FUNCTION recon.load_write_platform_report(text, text, jsonb, text) IS
    'The writer every ad platform report loader shares. Reads pg_temp.recon_load_delivery (line_number, reasons, account and delivery columns typed) and pg_temp.recon_load_conversions (line_number, action_type, attribution_window, conversions, conversion_value; one row per line, action type and window); adds accounts it does not know (zone and currency from the file or the options, else 22023); rejects rows with reasons, a currency other than the account''s, or the key of an earlier line; replaces, per account and level, every delivery row (and its conversions) in the file''s date range; writes the rest. Returns rejected, replaced, scope and rows per table.';

-- Integer metric: a whole number, or NULL (bad or blank).
CREATE FUNCTION recon.load_count(raw text, decimal_mark text DEFAULT '.') RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN v = trunc(v) AND v >= 0 AND v < 9.2e18 THEN v::bigint END
    FROM (SELECT @extschema@.recon_parse_decimal(raw, decimal_mark) AS v) x
$$;
COMMENT ON FUNCTION recon.load_count(text, text) IS
    'A count (impressions, clicks) from an export cell: a whole non-negative number, thousands separators allowed; NULL when blank or not a count.';
