-- pgTAP: settings and FX conversion (src/model/settings.sql, src/model/fx.sql).
BEGIN;
SELECT plan(65);

---------------------------------------------------------------- settings
SELECT results_eq(
    $$SELECT name, value, is_default FROM recon.effective_settings ORDER BY name$$,
    $$VALUES ('freeze_after_days', '14', true), ('fx_max_staleness_days', '4', true), ('fx_pivot_currency', 'EUR', true), ('fx_policy', 'daily', true),
             ('maturity_days', '{7,30,60,90}', true), ('monitor_baseline_periods', '8', true), ('monitor_min_sample', '30', true),
             ('monitor_min_shift', '0.2', true), ('monitor_threshold', '3', true), ('platform_report_window', 'default', true),
             ('reporting_currency', 'USD', true), ('reporting_timezone', 'UTC', true),
             ('store_raw_contacts', 'false', true)$$,
    'every setting starts at its default');
SELECT is(recon.setting('reporting_currency'), 'USD', 'recon.setting reads the default');
SELECT is(recon.setting('no_such_setting'), NULL, 'recon.setting of an unknown name is NULL');
SELECT is_empty($$SELECT * FROM recon.settings$$, 'defaults are not stored as rows');

SELECT is(recon.set_setting('reporting_currency', ' eur ', 'books in euros'), 'EUR', 'set_setting canonicalizes a currency');
SELECT is(recon.set_setting('reporting_timezone', 'europe/paris'), 'Europe/Paris', 'set_setting canonicalizes a zone');
SELECT is(recon.set_setting('maturity_days', '{ 14, 45 }'), '{14,45}', 'set_setting canonicalizes maturity days');
SELECT is(recon.set_setting('fx_max_staleness_days', ' 6 '), '6', 'set_setting trims the staleness');
SELECT is(recon.set_setting('fx_pivot_currency', ' '), '', 'an empty pivot is allowed (disables crossing)');
SELECT is(recon.setting('reporting_currency'), 'EUR', 'recon.setting reads the stored value');
SELECT results_eq(
    $$SELECT value, is_default, reason, changed_by = current_user FROM recon.effective_settings WHERE name = 'reporting_currency'$$,
    $$VALUES ('EUR', false, 'books in euros', true)$$,
    'effective_settings shows the change, who made it and why');
SELECT is(recon.set_setting('reporting_currency', 'gbp'), 'GBP', 'a second set replaces the value');
SELECT is((SELECT count(*)::int FROM recon.settings WHERE name = 'reporting_currency'), 1, '... in the same row');

SELECT throws_ok($$SELECT recon.set_setting('reporting_curency', 'USD')$$, '42704',
                 'unrecognized recon setting "reporting_curency"', 'an unknown setting name is 42704');
SELECT throws_ok($$SELECT recon.set_setting('reporting_currency', NULL)$$, '22004', NULL, 'a NULL value is 22004');
SELECT throws_ok($$SELECT recon.set_setting('reporting_currency', 'ABC')$$, '22023', NULL, 'an unknown currency is 22023');
SELECT throws_ok($$SELECT recon.set_setting('reporting_timezone', 'EST')$$, '22023', NULL, 'an abbreviation is 22023');
SELECT throws_ok($$SELECT recon.set_setting('fx_policy', 'spot')$$, '22023',
                 'invalid value for recon setting "fx_policy": "spot"', 'an unknown fx_policy is 22023');
SELECT throws_ok($$SELECT recon.set_setting('maturity_days', '{30,7}')$$, '22023', NULL, 'decreasing maturity days are 22023');
SELECT throws_ok($$SELECT recon.set_setting('maturity_days', '{0}')$$, '22023', NULL, 'zero maturity days are 22023');
SELECT throws_ok($$SELECT recon.set_setting('maturity_days', '{}')$$, '22023', NULL, 'no maturity days is 22023');
SELECT throws_ok($$SELECT recon.set_setting('maturity_days', 'abc')$$, '22023', NULL, 'non-array maturity days are 22023');
SELECT throws_ok($$SELECT recon.set_setting('maturity_days', '{{7,30}}')$$, '22023', NULL, 'a 2-D array is 22023');
SELECT throws_ok($$SELECT recon.set_setting('fx_max_staleness_days', 'x')$$, '22023', NULL, 'a non-numeric staleness is 22023');
SELECT throws_ok($$UPDATE recon.settings SET value = 'nope' WHERE name = 'reporting_currency'$$, '22023', NULL,
                 'a plain UPDATE is validated too');
SELECT is(recon.setting('reporting_currency'), 'GBP', 'failed sets left the value alone');
SELECT throws_ok($$SELECT recon.set_setting(n, v) FROM (VALUES ('fx_policy', 'fixed'), ('fx_policy', 'bogus')) AS t(n, v)$$,
                 '22023', NULL, 'a statement setting a good value then a bad one fails');
SELECT is(recon.setting('fx_policy'), 'daily', '... and keeps neither');

DELETE FROM recon.settings WHERE name = 'reporting_currency';
SELECT is(recon.setting('reporting_currency'), 'USD', 'DELETE goes back to the default');
DELETE FROM recon.settings;
SELECT is((SELECT count(*)::int FROM recon.effective_settings WHERE NOT is_default), 0, 'all back to defaults');

---------------------------------------------------------------------- FX
-- 2026-01-02 is a Friday; nothing is published on the weekend.
INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate) VALUES
    ('daily', 'EUR', 'USD', '2026-01-02', 1.10),
    ('daily', 'EUR', 'USD', '2026-01-05', 1.12),
    ('daily', 'EUR', 'JPY', '2026-01-02', 160.50),
    ('daily', 'EUR', 'JPY', '2026-01-05', 161.00),
    ('daily', 'EUR', 'KWD', '2026-01-02', 0.338),
    ('monthly_average', 'EUR', 'USD', '2026-01-01', 1.115),
    ('fixed', 'EUR', 'USD', '2026-01-01', 1.08);

SELECT is(recon_fx_amount(100, 'USD', '2026-01-03', 'USD'), 100.00, 'same currency needs no rate');
SELECT is((recon_fx_convert(100, 'USD', '2026-01-03', 'USD')).rate_path, 'same', '... and says so');
SELECT is(recon_fx_amount(100, 'EUR', '2026-01-02', 'USD'), 110.00, 'direct rate');
SELECT is(recon_fx_amount(110, 'USD', '2026-01-02', 'EUR'), 100.00, 'inverse rate');
SELECT is((recon_fx_convert(110, 'USD', '2026-01-02', 'EUR')).rate_path, 'inverse', '... named inverse');
SELECT is(recon_fx_amount(100, 'USD', '2026-01-05', 'JPY'), 14375::numeric, 'cross rate via EUR (161 / 1.12)');
SELECT is((recon_fx_convert(100, 'USD', '2026-01-05', 'JPY')).rate_path, 'via EUR', '... named via EUR');
SELECT is((recon_fx_convert(100, 'EUR', '2026-01-04', 'USD')).rate_date, '2026-01-02'::date, 'Sunday uses Friday''s rate');
SELECT is((recon_fx_convert(100, 'EUR', '2026-01-05', 'KWD')).rate_date, '2026-01-02'::date, 'a rate 3 days back is fresh');
SELECT throws_ok($$SELECT recon_fx_convert(100, 'EUR', '2026-01-07', 'KWD')$$, 'P0002',
                 'no daily FX rate from EUR to KWD for 2026-01-07', 'a rate 5 days back is too old (default staleness 4)');
SELECT is(recon_fx_amount(12.34, 'EUR', '2026-01-02', 'JPY'), 1981::numeric, 'JPY results have no decimals');
SELECT is(scale(recon_fx_amount(12.34, 'EUR', '2026-01-02', 'JPY')), 0, '... scale 0');
SELECT is(recon_fx_amount(12.34, 'EUR', '2026-01-02', 'KWD'), 4.171, 'KWD results have three decimals');
SELECT is(recon_fx_amount(100, 'EUR', '2026-01-20', 'USD', 'monthly_average'), 111.50, 'monthly_average policy');
SELECT is(recon_fx_amount(100, 'EUR', '2026-06-30', 'USD', 'fixed'), 108.00, 'fixed policy: valid until replaced');
SELECT throws_ok($$SELECT recon_fx_convert(100, 'EUR', '2026-02-03', 'USD', 'monthly_average')$$, 'P0002', NULL,
                 'no monthly average for February');
SELECT throws_ok($$SELECT recon_fx_convert(100, 'EUR', '2025-12-31', 'USD', 'fixed')$$, 'P0002', NULL,
                 'no fixed rate before the first one');
SELECT throws_ok($$SELECT recon_fx_convert(100, 'ZZZ', '2026-01-02', 'USD')$$, '22023', NULL, 'unknown currency');
SELECT throws_ok($$SELECT recon_fx_convert(100, 'EUR', NULL, 'USD')$$, '22004', NULL, 'a NULL date is an error');
SELECT ok(recon_fx_convert(NULL, 'EUR', '2026-01-02', 'USD') IS NULL, 'a NULL amount converts to NULL');

SELECT is(recon.set_setting('fx_pivot_currency', ''), '', 'set an empty pivot');
SELECT throws_ok($$SELECT recon_fx_convert(100, 'USD', '2026-01-05', 'JPY')$$, 'P0002', NULL, 'an empty pivot disables crossing');
SELECT is(recon.set_setting('fx_policy', 'monthly_average'), 'monthly_average', 'set the monthly_average policy');
SELECT is(recon_fx_amount(100, 'EUR', '2026-01-02', 'USD'), 111.50, 'the fx_policy setting is the default policy');
SELECT is(recon.set_setting('reporting_currency', 'JPY'), 'JPY', 'set JPY as reporting currency');
SELECT is(recon_fx_amount(1, 'EUR', '2026-01-02', policy => 'daily'), 161::numeric, 'the reporting currency is the default target');
DELETE FROM recon.settings;

-- Monthly averages from the daily rates: a loaded average is kept, derivation is idempotent.
CALL recon.fx_derive_monthly_averages('2026-01-01', '2026-01-31');
SELECT is((SELECT rate FROM recon.fx_rates WHERE rate_type = 'monthly_average' AND quote_currency = 'JPY'), 160.75::numeric,
          'the JPY monthly average is the mean of the daily rates');
SELECT is((SELECT rate FROM recon.fx_rates WHERE rate_type = 'monthly_average' AND quote_currency = 'USD'), 1.115::numeric,
          'the loaded USD monthly average is not overwritten');
CALL recon.fx_derive_monthly_averages('2026-01-01', '2026-01-31');
SELECT is((SELECT count(*)::int FROM recon.fx_rates WHERE rate_type = 'monthly_average'), 3, 'deriving twice adds nothing');

-- Transactions: a failing multi-row load writes nothing.
SELECT throws_ok($$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate)
                   VALUES ('EUR', 'GBP', '2026-01-02', 0.85), ('EUR', 'CHF', '2026-01-02', 0.93), ('EUR', 'SEK', '2026-01-02', 0)$$,
                 '23514', NULL, 'a load with one non-positive rate fails');
SELECT is((SELECT count(*)::int FROM recon.fx_rates WHERE quote_currency IN ('GBP', 'CHF', 'SEK')), 0, '... and writes none of its rows');
SELECT throws_ok($$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate)
                   VALUES ('EUR', 'GBP', '2026-01-02', 0.85), ('EUR', 'gbp', '2026-01-05', 0.86)$$,
                 '22023', NULL, 'a load with one lower-case code fails');
SELECT throws_ok($$INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate)
                   VALUES ('monthly_average', 'EUR', 'GBP', '2026-01-15', 0.85)$$,
                 '23514', NULL, 'a monthly average must be dated on the 1st');
SELECT throws_ok($$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate)
                   VALUES ('USD', 'USD', '2026-01-02', 1)$$,
                 '23514', NULL, 'a rate needs two different currencies');
SELECT is((SELECT count(*)::int FROM recon.fx_rates), 9, 'the table holds only the good rates (7 loaded, 2 derived)');

SELECT * FROM finish();
ROLLBACK;
