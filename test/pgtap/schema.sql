-- pgTAP: the objects the extension creates and the types of their key columns.
BEGIN;
SELECT plan(154);

SELECT has_extension('recon', 'extension recon is installed');
SELECT has_schema('recon', 'schema recon exists');
SELECT has_schema('recon_truth', 'schema recon_truth (the demo''s ground truth) exists');

-------------------------------------------------------------------- tables
SELECT has_table('recon', t, format('table recon.%s exists', t))
FROM unnest(ARRAY['platforms', 'channels', 'settings', 'fx_rates', 'ad_accounts', 'ad_delivery_daily',
                  'platform_conversions_daily', 'conversion_signals', 'funnel_records', 'funnel_stage_history',
                  'finance_transactions', 'metrics_contract_log']) AS t;
SELECT has_view('recon', v, format('view recon.%s exists', v))
FROM unnest(ARRAY['effective_settings', 'metrics_contract', 'report_layers', 'report_legend', 'report_channel_month']) AS v;
SELECT has_table('recon_truth', t, format('table recon_truth.%s exists', t))
FROM unnest(ARRAY['runs', 'journeys', 'platform_claims']) AS t;
SELECT has_pk('recon', t, format('recon.%s has a primary key', t))
FROM unnest(ARRAY['platforms', 'channels', 'settings', 'fx_rates', 'ad_accounts', 'ad_delivery_daily',
                  'platform_conversions_daily', 'conversion_signals', 'funnel_records', 'funnel_stage_history',
                  'finance_transactions', 'metrics_contract_log']) AS t;

-- Every loaded table carries the governance columns.
SELECT is((SELECT count(*)::int
           FROM unnest(ARRAY['fx_rates', 'ad_accounts', 'ad_delivery_daily', 'platform_conversions_daily',
                             'conversion_signals', 'funnel_records', 'funnel_stage_history', 'finance_transactions']) AS t,
                unnest(ARRAY['record_source', 'batch_id', 'loaded_at', 'updated_at', 'dq_flags']) AS c
           WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns i
                             WHERE i.table_schema = 'recon' AND i.table_name = t AND i.column_name = c)), 0,
          'every loaded table has record_source, batch_id, loaded_at, updated_at and dq_flags');
SELECT is((SELECT count(*)::int FROM information_schema.columns
           WHERE table_schema = 'recon' AND column_name IN ('loaded_at', 'updated_at')
             AND data_type <> 'timestamp with time zone'), 0, 'loaded_at and updated_at are timestamptz everywhere');
SELECT is((SELECT count(*)::int FROM information_schema.columns
           WHERE table_schema = 'recon' AND column_name = 'dq_flags' AND udt_name <> '_text'), 0, 'dq_flags is text[] everywhere');

-- Platform, campaign, ad set, ad, account and click ids are text everywhere (18-digit Meta ids do not survive a float).
SELECT is((SELECT string_agg(table_name || '.' || column_name, ', ' ORDER BY table_name, column_name)
           FROM information_schema.columns
           WHERE table_schema = 'recon'
             AND (column_name IN ('platform', 'account_id', 'campaign_id', 'adset_id', 'ad_id', 'event_id', 'order_id',
                                  'lead_id', 'record_id', 'transaction_id', 'customer_id', 'opportunity_id', 'invoice_id',
                                  'fbclid', 'gclid', 'gbraid', 'wbraid', 'ttclid', 'msclkid', 'li_fat_id', 'fbc', 'fbp',
                                  'external_id'))
             AND data_type <> 'text'), NULL, 'every id and click-id column is text');
SELECT cmp_ok((SELECT count(*)::int FROM information_schema.columns
               WHERE table_schema = 'recon' AND column_name IN ('account_id', 'campaign_id', 'adset_id', 'ad_id', 'fbclid', 'gclid')),
              '>=', 20, '... and there are many of them (the check above is not vacuous)');
-- Money amounts are numeric everywhere (never float, never money).
SELECT is((SELECT string_agg(table_name || '.' || column_name, ', ' ORDER BY table_name, column_name)
           FROM information_schema.columns
           WHERE table_schema = 'recon' AND table_name NOT IN ('effective_settings', 'metrics_contract', 'settings')
             AND (column_name IN ('spend', 'value', 'rate', 'conversion_value', 'conversions', 'stated_value')
                  OR column_name LIKE '%amount')
             AND data_type <> 'numeric'), NULL, 'every amount, rate and value column is numeric');
SELECT cmp_ok((SELECT count(*)::int FROM information_schema.columns
               WHERE table_schema = 'recon' AND (column_name LIKE '%amount' OR column_name IN ('spend', 'rate'))),
              '>=', 8, '... and there are many of them');
-- Currency columns use the domain (bridge_campaign_month's comes from recon_bridge_result.currency, text).
SELECT is((SELECT string_agg(table_name || '.' || column_name, ', ' ORDER BY table_name, column_name)
           FROM information_schema.columns
           WHERE table_schema = 'recon' AND table_name NOT IN ('effective_settings', 'metrics_contract', 'bridge_campaign_month')
             AND column_name IN ('currency', 'base_currency', 'quote_currency')
             AND coalesce(domain_name, '') <> 'recon_currency_code'), NULL, 'every currency column is recon_currency_code');
SELECT cmp_ok((SELECT count(*)::int FROM information_schema.columns
               WHERE table_schema = 'recon' AND domain_name = 'recon_currency_code'), '>=', 8, '... and there are many of them');

SELECT col_type_is('recon', 'ad_accounts', 'account_id', 'text', 'ad_accounts.account_id is text');
SELECT col_type_is('recon', 'ad_accounts', 'timezone', 'recon_timezone_name', 'ad_accounts.timezone is recon_timezone_name');
SELECT col_type_is('recon', 'ad_accounts', 'report_timezone', 'recon_timezone_name', 'ad_accounts.report_timezone is recon_timezone_name');
SELECT col_type_is('recon', 'ad_accounts', 'currency', 'recon_currency_code', 'ad_accounts.currency is recon_currency_code');
SELECT col_type_is('recon', 'ad_delivery_daily', 'campaign_id', 'text', 'ad_delivery_daily.campaign_id is text');
SELECT col_type_is('recon', 'ad_delivery_daily', 'ad_id', 'text', 'ad_delivery_daily.ad_id is text');
SELECT col_type_is('recon', 'ad_delivery_daily', 'report_date', 'date', 'ad_delivery_daily.report_date is date');
SELECT col_type_is('recon', 'ad_delivery_daily', 'spend', 'numeric', 'ad_delivery_daily.spend is numeric');
SELECT col_type_is('recon', 'ad_delivery_daily', 'impressions', 'bigint', 'ad_delivery_daily.impressions is bigint');
SELECT col_type_is('recon', 'ad_delivery_daily', 'report_timezone', 'recon_timezone_name', 'ad_delivery_daily.report_timezone is recon_timezone_name');
SELECT col_type_is('recon', 'ad_delivery_daily', 'pulled_at', 'timestamp with time zone', 'ad_delivery_daily.pulled_at is timestamptz');
SELECT col_type_is('recon', 'platform_conversions_daily', 'conversions', 'numeric', 'platform conversions are numeric (modeled fractions)');
SELECT col_type_is('recon', 'platform_conversions_daily', 'conversion_value', 'numeric', 'platform conversion_value is numeric');
SELECT col_type_is('recon', 'conversion_signals', 'signal_key', 'bigint', 'conversion_signals.signal_key is bigint');
SELECT col_type_is('recon', 'conversion_signals', 'event_time', 'timestamp with time zone', 'conversion_signals.event_time is timestamptz');
SELECT col_type_is('recon', 'conversion_signals', 'fbclid', 'text', 'conversion_signals.fbclid is text');
SELECT col_type_is('recon', 'funnel_records', 'record_id', 'text', 'funnel_records.record_id is text');
SELECT col_type_is('recon', 'funnel_records', 'created_at', 'timestamp with time zone', 'funnel_records.created_at is timestamptz');
SELECT col_type_is('recon', 'funnel_records', 'stated_value', 'numeric', 'funnel_records.stated_value is numeric');
SELECT col_type_is('recon', 'funnel_records', 'currency', 'recon_currency_code', 'funnel_records.currency is recon_currency_code');
SELECT col_type_is('recon', 'funnel_records', 'email_sha256', 'recon_sha256_digest', 'funnel_records.email_sha256 is recon_sha256_digest');
SELECT col_type_is('recon', 'conversion_signals', 'email_sha256', 'recon_sha256_digest', 'conversion_signals.email_sha256 is recon_sha256_digest');
SELECT col_type_is('recon', 'funnel_stage_history', 'entered_at', 'timestamp with time zone', 'funnel_stage_history.entered_at is timestamptz');
SELECT col_type_is('recon', 'finance_transactions', 'amount', 'numeric', 'finance_transactions.amount is numeric');
SELECT col_type_is('recon', 'finance_transactions', 'cash_amount', 'numeric', 'finance_transactions.cash_amount is numeric');
SELECT col_type_is('recon', 'finance_transactions', 'revenue_amount', 'numeric', 'finance_transactions.revenue_amount is numeric');
SELECT col_type_is('recon', 'finance_transactions', 'occurred_at', 'timestamp with time zone', 'finance_transactions.occurred_at is timestamptz');
SELECT col_type_is('recon', 'fx_rates', 'rate', 'numeric', 'fx_rates.rate is numeric');
SELECT col_type_is('recon', 'fx_rates', 'rate_date', 'date', 'fx_rates.rate_date is date');
SELECT col_type_is('recon', 'fx_rates', 'base_currency', 'recon_currency_code', 'fx_rates.base_currency is recon_currency_code');
SELECT col_type_is('recon', 'metrics_contract_log', 'valid_from', 'timestamp with time zone', 'metrics_contract_log.valid_from is timestamptz');
SELECT col_type_is('recon', 'metrics_contract_log', 'version', 'integer', 'metrics_contract_log.version is integer');
SELECT col_is_pk('recon', 'ad_accounts', ARRAY['platform', 'account_id'], 'ad_accounts is keyed by platform and account');
SELECT col_is_pk('recon', 'fx_rates', ARRAY['rate_type', 'base_currency', 'quote_currency', 'rate_date'],
                 'fx_rates is keyed by type, pair and date');
SELECT fk_ok('recon', 'ad_delivery_daily', ARRAY['platform', 'account_id'], 'recon', 'ad_accounts', ARRAY['platform', 'account_id'],
             'delivery rows belong to an account');
SELECT fk_ok('recon', 'funnel_records', 'channel', 'recon', 'channels', 'channel', 'funnel channels are known channels');
SELECT col_is_unique('recon', 'metrics_contract_log', ARRAY['kpi', 'version'], 'one row per KPI version');

---------------------------------------------------------- triggers and types
SELECT has_trigger('recon', 'metrics_contract_log', 'metrics_contract_log_append_only', 'the contract log rejects UPDATE and DELETE');
SELECT has_trigger('recon', 'metrics_contract_log', 'metrics_contract_log_no_truncate', 'the contract log rejects TRUNCATE');
SELECT has_trigger('recon', 'settings', 'settings_validate', 'settings are validated on write');
SELECT has_trigger('recon', t, tg, format('recon.%s keeps updated_at current', t))
FROM (VALUES ('fx_rates', 'fx_rates_touch'), ('ad_accounts', 'ad_accounts_defaults'),
             ('ad_delivery_daily', 'ad_delivery_daily_touch'), ('platform_conversions_daily', 'platform_conversions_daily_touch'),
             ('conversion_signals', 'conversion_signals_touch'), ('funnel_records', 'funnel_records_touch'),
             ('funnel_stage_history', 'funnel_stage_history_touch'),
             ('finance_transactions', 'finance_transactions_touch')) AS x(t, tg);
SELECT has_domain('recon_currency_code', 'domain recon_currency_code exists');
SELECT has_domain('recon_timezone_name', 'domain recon_timezone_name exists');
SELECT has_domain('recon_sha256_digest', 'domain recon_sha256_digest exists');
SELECT has_function('recon_sha256_hex', ARRAY['text'], 'function recon_sha256_hex(text) exists');
SELECT domain_type_is('recon_sha256_digest', 'text', 'recon_sha256_digest is a text domain');
SELECT has_type('recon_converted_amount', 'type recon_converted_amount exists');

------------------------------------------------------------------ functions
SELECT has_function(f, args, format('function %s(%s) exists', f, array_to_string(args, ', ')))
FROM (VALUES ('recon_currency', ARRAY['text']), ('recon_currency_minor_units', ARRAY['text']),
             ('recon_currency_is_known', ARRAY['text']), ('recon_currency_check', ARRAY['text']),
             ('recon_currencies', ARRAY[]::text[]),
             ('recon_money_from_minor', ARRAY['bigint', 'text']), ('recon_money_to_minor', ARRAY['numeric', 'text']),
             ('recon_money_round', ARRAY['numeric', 'text']),
             ('recon_timezone', ARRAY['text']), ('recon_timezone_check', ARRAY['text']),
             ('recon_fx_convert', ARRAY['numeric', 'text', 'date', 'text', 'text']),
             ('recon_fx_amount', ARRAY['numeric', 'text', 'date', 'text', 'text']),
             ('recon_demo_random', ARRAY['bigint', 'bigint', 'bigint']),
             ('recon_demo_token', ARRAY['bigint', 'bigint', 'bigint', 'integer']),
             ('recon_demo_generate', ARRAY['bigint', 'integer', 'jsonb']),
             ('recon_is_sha256_hex', ARRAY['text'])) AS x(f, args);
SELECT has_function('recon', f, args, format('function recon.%s(%s) exists', f, array_to_string(args, ', ')))
FROM (VALUES ('setting_defaults', ARRAY[]::text[]), ('validate_setting', ARRAY['text', 'text']),
             ('setting', ARRAY['text']), ('set_setting', ARRAY['text', 'text', 'text']),
             ('fx_pair_rate', ARRAY['text', 'text', 'date', 'text']),
             ('fx_pair_rate_either_way', ARRAY['text', 'text', 'date', 'text']),
             ('fx_derive_monthly_averages', ARRAY['date', 'date', 'text']),
             ('define_metric', ARRAY['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'timestamp with time zone']),
             ('retire_metric', ARRAY['text', 'text', 'timestamp with time zone']),
             ('metric_as_of', ARRAY['text', 'timestamp with time zone']),
             ('install_default_contract', ARRAY['text', 'timestamp with time zone']),
             ('touch_updated_at', ARRAY[]::text[]), ('reject_change', ARRAY[]::text[]),
             ('bulk_load_begin', ARRAY['regclass[]']), ('bulk_load_end', ARRAY['jsonb']),
             ('demo_verify', ARRAY[]::text[]), ('demo_fingerprint', ARRAY['text[]', 'boolean']), ('demo_catalog', ARRAY[]::text[]), ('demo_clear', ARRAY[]::text[]),
             ('demo_installments', ARRAY['numeric', 'numeric', 'text', 'integer', 'timestamp with time zone', 'double precision']),
             ('demo_usd_per_unit', ARRAY['text']), ('action_type_family', ARRAY['text']),
             ('data_as_of', ARRAY[]::text[])) AS x(f, args);
-- Every recon_* function of the extension is one of the above or a later layer's, and all are documented.
SELECT is((SELECT count(*)::int FROM pg_proc p
           JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'recon'
           WHERE obj_description(p.oid, 'pg_proc') IS NULL), 0, 'every function of the extension has a comment');
-- The C functions behind domains and money are IMMUTABLE and STRICT (domain checks and indexes rely on it).
SELECT volatility_is(f, args, 'immutable', format('%s is IMMUTABLE', f))
FROM (VALUES ('recon_currency', ARRAY['text']), ('recon_currency_check', ARRAY['text']),
             ('recon_timezone_check', ARRAY['text']), ('recon_money_from_minor', ARRAY['bigint', 'text']),
             ('recon_money_to_minor', ARRAY['numeric', 'text']), ('recon_money_round', ARRAY['numeric', 'text']),
             ('recon_is_sha256_hex', ARRAY['text'])) AS x(f, args);
SELECT is_strict(f, args, format('%s is STRICT', f))
FROM (VALUES ('recon_currency', ARRAY['text']), ('recon_currency_minor_units', ARRAY['text']),
             ('recon_money_from_minor', ARRAY['bigint', 'text']), ('recon_money_to_minor', ARRAY['numeric', 'text']),
             ('recon_money_round', ARRAY['numeric', 'text']), ('recon_timezone', ARRAY['text']),
             ('recon_is_sha256_hex', ARRAY['text'])) AS x(f, args);
SELECT volatility_is('recon_fx_convert', ARRAY['numeric', 'text', 'date', 'text', 'text'], 'stable',
                     'recon_fx_convert is STABLE (it reads rates and settings)');
SELECT isnt_strict('recon_fx_convert', ARRAY['numeric', 'text', 'date', 'text', 'text'],
                   'recon_fx_convert is not STRICT (a NULL date must raise, not vanish)');

SELECT * FROM finish();
ROLLBACK;
