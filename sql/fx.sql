-- fx: FX rates and as-of conversion (src/model/fx.sql). Ends with
-- recon.fx_rates empty and every setting at its default.
SET datestyle = 'ISO, YMD';

-- EUR-based rates (as the ECB publishes them). 2026-01-02 is a Friday: no rates
-- on the weekend of the 3rd and 4th.
INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate, record_source) VALUES
    ('daily', 'EUR', 'USD', '2026-01-02', 1.1000, 'ecb'),
    ('daily', 'EUR', 'USD', '2026-01-05', 1.1200, 'ecb'),
    ('daily', 'EUR', 'JPY', '2026-01-02', 160.50, 'ecb'),
    ('daily', 'EUR', 'JPY', '2026-01-05', 161.00, 'ecb'),
    ('daily', 'EUR', 'KWD', '2026-01-02', 0.3380, 'ecb'),
    ('daily', 'EUR', 'GBP', '2026-01-02', 0.8500, 'ecb'),
    ('monthly_average', 'EUR', 'USD', '2026-01-01', 1.1150, 'ecb monthly'),
    ('fixed', 'EUR', 'USD', '2025-07-01', 1.0500, 'budget H2 2025'),
    ('fixed', 'EUR', 'USD', '2026-01-01', 1.0800, 'budget 2026');
SELECT rate_type, base_currency, quote_currency, rate_date, rate, record_source, dq_flags,
       updated_at = loaded_at AS untouched
FROM recon.fx_rates ORDER BY rate_type COLLATE "C", base_currency COLLATE "C", quote_currency COLLATE "C", rate_date;

-- A small table of conversions: (amount, from, as_of, to, policy) -> the whole result.
CREATE TEMP TABLE conversions (n int, amount numeric, from_currency text, as_of date,
                               to_currency text, policy text);
INSERT INTO conversions VALUES
    (1,  100,    'USD', '2026-01-03', 'USD', NULL),            -- same currency: no rate needed
    (2,  100,    'EUR', '2026-01-02', 'USD', NULL),            -- direct
    (3,  100,    'EUR', '2026-01-05', 'USD', NULL),            -- direct, Monday's rate
    (4,  100,    'EUR', '2026-01-03', 'USD', NULL),            -- Saturday: Friday's rate
    (5,  110,    'USD', '2026-01-02', 'EUR', NULL),            -- inverse
    (6,  100,    'GBP', '2026-01-02', 'EUR', NULL),            -- inverse
    (7,  100,    'USD', '2026-01-05', 'JPY', NULL),            -- via EUR: 1/1.12 * 161
    (8,  100,    'GBP', '2026-01-02', 'USD', NULL),            -- via EUR: 1/0.85 * 1.10
    (9,  12.34,  'EUR', '2026-01-02', 'JPY', NULL),            -- JPY: 0 decimals
    (10, 12.34,  'EUR', '2026-01-02', 'KWD', NULL),            -- KWD: 3 decimals
    (11, 1000,   'JPY', '2026-01-02', 'EUR', NULL),            -- inverse into EUR, 2 decimals
    (12, -25.50, 'EUR', '2026-01-02', 'USD', NULL),            -- a refund stays negative
    (13, 0,      'EUR', '2026-01-02', 'USD', NULL),
    (14, 100,    'GBP', '2026-01-05', 'EUR', NULL),            -- 3 days back: still fresh
    (15, 100,    'GBP', '2026-01-06', 'EUR', NULL),            -- 4 days back: the default limit
    (16, 100,    'EUR', '2026-01-20', 'USD', 'monthly_average'),
    (17, 100,    'USD', '2026-01-31', 'EUR', 'monthly_average'),
    (18, 100,    'EUR', '2026-03-15', 'USD', 'fixed'),
    (19, 100,    'EUR', '2025-12-31', 'USD', 'fixed'),
    (20, 100,    'EUR', '2026-01-01', 'USD', 'fixed'),
    (21, 100,    ' eur ', '2026-01-02', 'usd', NULL),          -- loose currency spelling
    (22, 100,    'EUR', '2026-01-02', NULL, NULL);             -- to the reporting currency (USD)
SELECT n, (c).original_amount, (c).original_currency, (c).amount, (c).currency,
       (c).rate, (c).rate_date, (c).fx_policy, (c).rate_path
FROM (SELECT n, recon_fx_convert(amount, from_currency, as_of, to_currency, policy) AS c
      FROM conversions) s
ORDER BY n;
-- recon_fx_amount is just the amount.
SELECT count(*) AS amount_mismatches
FROM conversions
WHERE recon_fx_amount(amount, from_currency, as_of, to_currency, policy)
      IS DISTINCT FROM (recon_fx_convert(amount, from_currency, as_of, to_currency, policy)).amount;
-- The amount has exactly the target currency's decimals.
SELECT n, to_currency, scale(recon_fx_amount(amount, from_currency, as_of, to_currency, policy)) AS scale
FROM conversions WHERE n IN (7, 9, 10, 11) ORDER BY n;

-- No rate covering the date: P0002, never a silent 1.0 or an old rate.
SELECT s AS statement, regress.sqlstate_of(s) AS result
FROM unnest(ARRAY[
    $$SELECT recon_fx_convert(100, 'GBP', '2026-01-07', 'EUR')$$,
    $$SELECT recon_fx_convert(100, 'EUR', '2026-01-01', 'USD')$$,
    $$SELECT recon_fx_convert(100, 'EUR', '2025-12-31', 'USD')$$,
    $$SELECT recon_fx_convert(100, 'EUR', '2026-01-02', 'CHF')$$,
    $$SELECT recon_fx_convert(100, 'CHF', '2026-01-02', 'USD')$$,
    $$SELECT recon_fx_convert(100, 'EUR', '2026-02-01', 'USD', 'monthly_average')$$,
    $$SELECT recon_fx_convert(100, 'EUR', '2026-01-02', 'JPY', 'monthly_average')$$,
    $$SELECT recon_fx_convert(100, 'EUR', '2025-06-30', 'USD', 'fixed')$$,
    $$SELECT recon_fx_amount(100, 'EUR', '2026-01-02', 'GBP', 'fixed')$$
]) AS s;
\x on
SELECT * FROM regress.error_of($$SELECT recon_fx_convert(100, 'GBP', '2026-01-07', 'USD')$$);
SELECT * FROM regress.error_of($$SELECT recon_fx_convert(100, 'EUR', '2026-02-10', 'USD', 'monthly_average')$$);
SELECT * FROM regress.error_of($$SELECT recon_fx_convert(100, 'EUR', '2025-01-10', 'USD', 'fixed')$$);
\x off

-- Other errors.
SELECT s AS statement, regress.sqlstate_of(s) AS result
FROM unnest(ARRAY[
    $$SELECT recon_fx_convert(100, 'ZZZ', '2026-01-02', 'USD')$$,
    $$SELECT recon_fx_convert(100, 'EUR', '2026-01-02', 'ZZZ')$$,
    $$SELECT recon_fx_convert(100, 'EUR', '2026-01-02', 'USD', 'spot')$$,
    $$SELECT recon_fx_convert(100, 'EUR', NULL, 'USD')$$,
    $$SELECT recon_fx_convert(100, 'EUR', NULL, 'EUR')$$
]) AS s;
-- NULL amount: NULL result (no rate needed, none looked up).
SELECT recon_fx_convert(NULL, 'EUR', '2026-01-02', 'USD') IS NULL AS convert_null,
       recon_fx_amount(NULL, 'EUR', '1999-01-01', 'USD') IS NULL AS amount_null;

-- The staleness window is a setting.
SELECT recon.set_setting('fx_max_staleness_days', '5');
SELECT (recon_fx_convert(100, 'GBP', '2026-01-07', 'EUR')).rate_date AS five_days_back_ok;
SELECT recon.set_setting('fx_max_staleness_days', '0');
SELECT (recon_fx_convert(100, 'EUR', '2026-01-02', 'USD')).rate_date AS same_day_ok,
       regress.sqlstate_of($$SELECT recon_fx_convert(100, 'EUR', '2026-01-03', 'USD')$$) AS saturday;
DELETE FROM recon.settings WHERE name = 'fx_max_staleness_days';

-- The policy is a setting: the parameter overrides it.
SELECT recon.set_setting('fx_policy', 'monthly_average');
SELECT (c).amount, (c).fx_policy, (c).rate_date
FROM (SELECT recon_fx_convert(100, 'EUR', '2026-01-02', 'USD') AS c) s;
SELECT (c).amount, (c).fx_policy, (c).rate_date
FROM (SELECT recon_fx_convert(100, 'EUR', '2026-01-02', 'USD', 'daily') AS c) s;
SELECT recon.set_setting('fx_policy', 'fixed');
SELECT recon_fx_amount(100, 'EUR', '2026-01-02', 'USD') AS fixed_by_setting;
DELETE FROM recon.settings WHERE name = 'fx_policy';

-- The reporting currency is the default target.
SELECT recon.set_setting('reporting_currency', 'JPY');
SELECT (c).amount, (c).currency FROM (SELECT recon_fx_convert(100, 'EUR', '2026-01-02') AS c) s;
DELETE FROM recon.settings WHERE name = 'reporting_currency';

-- The pivot is a setting; '' disables crossing.
SELECT recon.set_setting('fx_pivot_currency', '');
SELECT regress.sqlstate_of($$SELECT recon_fx_convert(100, 'USD', '2026-01-05', 'JPY')$$) AS no_pivot;
\x on
SELECT * FROM regress.error_of($$SELECT recon_fx_convert(100, 'USD', '2026-01-05', 'JPY')$$);
\x off
SELECT (recon_fx_convert(100, 'EUR', '2026-01-05', 'JPY')).rate_path AS direct_still_works;
SELECT recon.set_setting('fx_pivot_currency', 'GBP');
SELECT regress.sqlstate_of($$SELECT recon_fx_convert(100, 'USD', '2026-01-05', 'JPY')$$) AS gbp_pivot;
SELECT (recon_fx_convert(100, 'USD', '2026-01-02', 'EUR')).rate_path AS inverse_needs_no_pivot;
DELETE FROM recon.settings WHERE name = 'fx_pivot_currency';
SELECT count(*) AS stored_settings FROM recon.settings;

-- A pivot conversion uses the older of its two legs' dates.
INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'CHF', '2026-01-05', 0.9300);
SELECT (c).rate_date, (c).rate_path, (c).amount
FROM (SELECT recon_fx_convert(100, 'GBP', '2026-01-05', 'CHF') AS c) s;
DELETE FROM recon.fx_rates WHERE quote_currency = 'CHF';

-- Monthly averages derived from the daily rates (the EUR/USD average loaded
-- from the ECB above is kept: only earlier derivations are replaced).
CALL recon.fx_derive_monthly_averages('2026-01-01', '2026-01-31', 'ecb dailies');
SELECT rate_type, base_currency, quote_currency, rate_date, rate, record_source
FROM recon.fx_rates WHERE rate_type = 'monthly_average'
ORDER BY base_currency COLLATE "C", quote_currency COLLATE "C", rate_date;
SELECT recon_fx_amount(1000, 'EUR', '2026-01-31', 'JPY', 'monthly_average') AS jpy_monthly;
-- ... run again after a correction: the derived averages are replaced, not duplicated.
UPDATE recon.fx_rates SET rate = 162.00 WHERE rate_type = 'daily' AND quote_currency = 'JPY' AND rate_date = '2026-01-05';
SELECT updated_at > loaded_at AS updated_at_moved
FROM recon.fx_rates WHERE rate_type = 'daily' AND quote_currency = 'JPY' AND rate_date = '2026-01-05';
CALL recon.fx_derive_monthly_averages('2026-01-15', '2026-01-15');
SELECT rate_type, base_currency, quote_currency, rate_date, rate, record_source
FROM recon.fx_rates WHERE rate_type = 'monthly_average'
ORDER BY base_currency COLLATE "C", quote_currency COLLATE "C", rate_date;
-- ... months without daily rates produce nothing.
CALL recon.fx_derive_monthly_averages('2026-02-01', '2026-12-01');
SELECT count(*) AS monthly_rows FROM recon.fx_rates WHERE rate_type = 'monthly_average';

-- Check constraints on recon.fx_rates.
SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('rate 0',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'USD', '2026-02-02', 0)$$),
    ('negative rate',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'USD', '2026-02-02', -1.1)$$),
    ('missing rate',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'USD', '2026-02-02', NULL)$$),
    ('same base and quote',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'EUR', '2026-02-02', 1)$$),
    ('monthly_average not on the 1st',
     $$INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate) VALUES ('monthly_average', 'EUR', 'USD', '2026-02-15', 1.1)$$),
    ('unknown rate_type',
     $$INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate) VALUES ('spot', 'EUR', 'USD', '2026-02-02', 1.1)$$),
    ('lower-case base',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('eur', 'USD', '2026-02-02', 1.1)$$),
    ('lower-case quote',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'usd', '2026-02-02', 1.1)$$),
    ('unknown quote',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'ABC', '2026-02-02', 1.1)$$),
    ('duplicate rate',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'USD', '2026-01-02', 1.2)$$),
    ('missing rate_date',
     $$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate) VALUES ('EUR', 'USD', NULL, 1.2)$$),
    ('update to rate 0',
     $$UPDATE recon.fx_rates SET rate = 0 WHERE rate_type = 'fixed'$$)
) AS t(label, sql);
-- ... a multi-row load with one bad row writes nothing.
SELECT regress.sqlstate_of($$INSERT INTO recon.fx_rates (base_currency, quote_currency, rate_date, rate)
    VALUES ('EUR', 'USD', '2026-02-02', 1.1), ('EUR', 'USD', '2026-02-03', 1.1), ('EUR', 'USD', '2026-02-04', 0)$$);
SELECT count(*) AS february_rows FROM recon.fx_rates WHERE rate_date >= '2026-02-01';

-- Clean up for the suites that follow.
DELETE FROM recon.fx_rates;
SELECT (SELECT count(*) FROM recon.fx_rates) AS fx_rows, (SELECT count(*) FROM recon.settings) AS settings_rows;
DROP TABLE conversions;
