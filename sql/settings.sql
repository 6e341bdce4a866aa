-- settings: defaults, validation and canonicalization of recon settings
-- (src/model/settings.sql). Ends with every setting back at its default.

-- Nothing changed yet: every setting is its default.
SELECT name, value, is_default, default_value = value AS value_is_default,
       changed_by IS NULL AS no_changed_by, changed_at IS NULL AS no_changed_at, reason
FROM recon.effective_settings ORDER BY name COLLATE "C";
SELECT count(*) AS stored_settings FROM recon.settings;
SELECT count(*) AS settings_without_description
FROM recon.setting_defaults() WHERE coalesce(description, '') = '';
-- Every default passes its own validation, unchanged.
SELECT name, value, recon.validate_setting(name, value) = value AS default_is_canonical
FROM recon.setting_defaults() ORDER BY name COLLATE "C";

-- recon.setting(): the effective value, NULL for an unknown name.
SELECT recon.setting('reporting_currency') AS reporting_currency,
       recon.setting('reporting_timezone') AS reporting_timezone,
       recon.setting('fx_policy') AS fx_policy,
       recon.setting('fx_max_staleness_days') AS staleness,
       recon.setting('no_such_setting') IS NULL AS unknown_is_null;

-- set_setting validates, canonicalizes and returns what it stored.
SELECT recon.set_setting('reporting_currency', ' eur ', 'books are kept in euros') AS stored;
SELECT recon.set_setting('reporting_timezone', 'europe/paris') AS stored;
SELECT recon.set_setting('maturity_days', ' { 14 , 45 } ') AS stored;
SELECT recon.set_setting('fx_max_staleness_days', ' 7 ') AS stored;
SELECT recon.set_setting('fx_pivot_currency', '  ') AS stored_empty_pivot;
SELECT recon.set_setting('fx_pivot_currency', 'usd') AS stored;
SELECT recon.set_setting('fx_policy', 'monthly_average') AS stored;
SELECT recon.set_setting('platform_report_window', '7d_click') AS stored;
-- ... and a second set of the same name replaces the value and the reason.
SELECT recon.set_setting('reporting_currency', 'gbp', 'changed our mind') AS stored;
SELECT name, value, reason, changed_by = current_user AS changed_by_me,
       changed_at <= now() AS changed_at_set
FROM recon.settings ORDER BY name COLLATE "C";
SELECT name, value, is_default FROM recon.effective_settings ORDER BY name COLLATE "C";
SELECT recon.setting('reporting_currency') AS reporting_currency,
       recon.setting('reporting_timezone') AS reporting_timezone;

-- Plain INSERT and UPDATE go through the same validation (a trigger).
INSERT INTO recon.settings (name, value, changed_by, changed_at)
VALUES ('fx_max_staleness_days', '0', 'someone_else', '2000-01-01')
ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value;
UPDATE recon.settings SET value = ' america/new_york ' WHERE name = 'reporting_timezone';
-- (who and when are stamped by the trigger, whatever the writer supplied)
SELECT name, value, changed_by = current_user AS changed_by_me, changed_at > '2020-01-01' AS stamped_now
FROM recon.settings WHERE name IN ('fx_max_staleness_days', 'reporting_timezone') ORDER BY name COLLATE "C";
INSERT INTO recon.settings (name, value, changed_by, changed_at)
VALUES ('fx_policy', 'fixed', 'someone_else', '2000-01-01')
ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, changed_by = EXCLUDED.changed_by;
SELECT value, changed_by = current_user AS changed_by_me, changed_at > '2020-01-01' AS stamped_now
FROM recon.settings WHERE name = 'fx_policy';

-- Every validation error, with its SQLSTATE.
SELECT s AS statement, regress.sqlstate_of(s) AS result
FROM unnest(ARRAY[
    $$SELECT recon.set_setting('reporting_curency', 'USD')$$,
    $$SELECT recon.set_setting('', 'USD')$$,
    $$SELECT recon.set_setting('reporting_currency', NULL)$$,
    $$SELECT recon.set_setting('reporting_currency', 'US Dollar')$$,
    $$SELECT recon.set_setting('reporting_currency', '')$$,
    $$SELECT recon.set_setting('reporting_timezone', 'EST')$$,
    $$SELECT recon.set_setting('reporting_timezone', '+01:00')$$,
    $$SELECT recon.set_setting('fx_pivot_currency', 'EURO')$$,
    $$SELECT recon.set_setting('fx_policy', 'Daily')$$,
    $$SELECT recon.set_setting('fx_policy', 'spot')$$,
    $$SELECT recon.set_setting('fx_policy', '')$$,
    $$SELECT recon.set_setting('fx_max_staleness_days', 'x')$$,
    $$SELECT recon.set_setting('fx_max_staleness_days', '-1')$$,
    $$SELECT recon.set_setting('fx_max_staleness_days', '1000')$$,
    $$SELECT recon.set_setting('fx_max_staleness_days', '2.5')$$,
    $$SELECT recon.set_setting('fx_max_staleness_days', '')$$,
    $$SELECT recon.set_setting('maturity_days', '{30,7}')$$,
    $$SELECT recon.set_setting('maturity_days', '{7,7}')$$,
    $$SELECT recon.set_setting('maturity_days', '{0}')$$,
    $$SELECT recon.set_setting('maturity_days', '{-7,30}')$$,
    $$SELECT recon.set_setting('maturity_days', '{}')$$,
    $$SELECT recon.set_setting('maturity_days', '{7,NULL}')$$,
    $$SELECT recon.set_setting('maturity_days', 'abc')$$,
    $$SELECT recon.set_setting('maturity_days', '{7.5}')$$,
    $$SELECT recon.set_setting('maturity_days', '30')$$,
    $$SELECT recon.set_setting('maturity_days', '{{7,30}}')$$,
    $$SELECT recon.set_setting('platform_report_window', '7d click')$$,
    $$SELECT recon.set_setting('platform_report_window', '7D_CLICK')$$,
    $$INSERT INTO recon.settings (name, value) VALUES ('bogus', 'x')$$,
    $$UPDATE recon.settings SET value = 'ABC' WHERE name = 'reporting_currency'$$
]) AS s;
\x on
SELECT * FROM regress.error_of($$SELECT recon.set_setting('reporting_curency', 'USD')$$);
SELECT * FROM regress.error_of($$SELECT recon.set_setting('maturity_days', '{30,7}')$$);
SELECT * FROM regress.error_of($$SELECT recon.set_setting('fx_policy', NULL)$$);
\x off

-- A failed set leaves nothing written: the stored values are unchanged ...
SELECT name, value FROM recon.settings ORDER BY name COLLATE "C";
-- ... including a multi-row write where only the last row is bad.
SELECT regress.sqlstate_of($$INSERT INTO recon.settings (name, value)
    VALUES ('fx_policy', 'daily'), ('maturity_days', '{1}'), ('reporting_currency', 'nope')
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value$$);
SELECT name, value FROM recon.settings ORDER BY name COLLATE "C";

-- DELETE goes back to the default.
DELETE FROM recon.settings WHERE name = 'reporting_currency';
SELECT recon.setting('reporting_currency') AS reporting_currency,
       (SELECT is_default FROM recon.effective_settings WHERE name = 'reporting_currency') AS is_default;
DELETE FROM recon.settings;
SELECT count(*) AS non_default_settings FROM recon.effective_settings WHERE NOT is_default OR value <> default_value;
SELECT name, value FROM recon.effective_settings ORDER BY name COLLATE "C";
