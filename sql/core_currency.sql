-- core_currency: ISO 4217 codes, minor units, the currency domain and exact
-- minor-unit money conversions (src/core/currency.c, src/core/money.c).

-- recon_currency: loose spelling in, canonical code out.
SELECT to_json(v) AS input, recon_currency(v) AS canonical
FROM unnest(ARRAY['USD', 'usd', ' eur ', E'\tJpy\r\n', 'kwd']) AS v;

-- ... anything else is 22023, naming the value.
SELECT to_json(v) AS input, regress.sqlstate_of(format('SELECT recon_currency(%L)', v)) AS result
FROM unnest(ARRAY['XTS', 'US', 'USDD', '', '   ', 'U$D', '12A', 'XAU', 'EURO', 'U SD', 'U1D']) AS v;
\x on
SELECT * FROM regress.error_of($$SELECT recon_currency('ABC')$$);
\x off

-- Minor units per ISO 4217 (the classic bug is dividing everything by 100).
SELECT c AS currency, recon_currency_minor_units(c) AS minor_units
FROM unnest(ARRAY['USD', 'EUR', 'GBP', 'JPY', 'KRW', 'VND', 'CLP', 'ISK',
                  'KWD', 'BHD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD', 'CLF']) AS c;
SELECT recon_currency_minor_units(' jpy ') AS loose_jpy;
SELECT regress.sqlstate_of($$SELECT recon_currency_minor_units('ZZZ')$$);

-- recon_currency_is_known: canonical spelling only, never raises.
SELECT to_json(v) AS input, recon_currency_is_known(v) AS known
FROM unnest(ARRAY['USD', 'EUR', 'CLF', 'usd', ' USD', 'USD ', 'XTS', '', 'USDD', 'US']) AS v;

-- recon_currencies(): the whole table.
SELECT count(*) AS currencies,
       count(DISTINCT code) AS distinct_codes,
       bool_and(code ~ '^[A-Z]{3}$') AS all_canonical,
       bool_and(recon_currency_is_known(code)) AS all_known,
       bool_and(recon_currency_minor_units(code) = minor_units) AS minor_units_agree
FROM recon_currencies();
SELECT minor_units, count(*) FROM recon_currencies() GROUP BY 1 ORDER BY 1;
SELECT string_agg(code, ' ' ORDER BY code COLLATE "C") AS non_two_decimal_currencies
FROM recon_currencies() WHERE minor_units <> 2;
-- ... sorted (the C lookup is a binary search: an unsorted table would lose codes).
SELECT array_agg(code) = array_agg(code ORDER BY code COLLATE "C") AS table_is_sorted
FROM (SELECT code FROM recon_currencies()) s;

-- The domain recon_currency_code: canonical codes only.
SELECT 'USD'::recon_currency_code AS usd, 'CLF'::recon_currency_code AS clf,
       NULL::recon_currency_code IS NULL AS null_allowed;
\x on
SELECT * FROM regress.error_of($$SELECT 'usd'::recon_currency_code$$);
SELECT * FROM regress.error_of($$SELECT ' USD'::recon_currency_code$$);
SELECT * FROM regress.error_of($$SELECT 'XTS'::recon_currency_code$$);
\x off
SELECT v AS input, regress.sqlstate_of(format('SELECT %L::recon_currency_code', v)) AS result
FROM unnest(ARRAY['', 'US', 'USDD', 'Eur']) AS v;
-- ... also as a column type.
CREATE TEMP TABLE priced (amount numeric, currency recon_currency_code);
INSERT INTO priced VALUES (1, 'EUR'), (2, NULL);
SELECT regress.sqlstate_of($$INSERT INTO priced VALUES (3, 'eur')$$);
SELECT * FROM priced ORDER BY amount;
DROP TABLE priced;

-- recon_money_from_minor: minor units to an amount, per the currency's exponent.
SELECT m AS minor, c AS currency, recon_money_from_minor(m, c) AS amount
FROM (VALUES (1999::bigint, 'USD'), (1999, 'JPY'), (1999, 'KWD'), (1999, 'CLF'),
             (5, 'USD'), (5, 'KWD'), (-1999, 'USD'), (-1, 'BHD'), (-1999, 'KRW'),
             (0, 'USD'), (0, 'JPY'), (0, 'KWD'), (100, 'EUR'),
             (9223372036854775807, 'USD'), (9223372036854775807, 'JPY'),
             (-9223372036854775808, 'USD'), (-9223372036854775808, 'CLF')) AS t(m, c);
-- ... the scale is the currency's (so 100 cents print as 1.00).
SELECT scale(recon_money_from_minor(100, 'USD')) AS usd_scale,
       scale(recon_money_from_minor(100, 'JPY')) AS jpy_scale,
       scale(recon_money_from_minor(100, 'KWD')) AS kwd_scale;
SELECT recon_money_from_minor(1999, ' usd ') AS loose_currency;
SELECT regress.sqlstate_of($$SELECT recon_money_from_minor(1, 'ZZZ')$$);

-- recon_money_to_minor: exact amounts to minor units.
SELECT a AS amount, c AS currency, recon_money_to_minor(a, c) AS minor
FROM (VALUES (19.99::numeric, 'USD'), (19.990, 'USD'), (19.9, 'USD'), (19, 'USD'),
             (0.01, 'USD'), (-19.99, 'USD'), (-0.05, 'USD'), (0, 'USD'), (0.000, 'USD'),
             (1999, 'JPY'), (1999.000, 'JPY'), (-1999, 'KRW'),
             (1.999, 'KWD'), (1.9, 'KWD'), (0.001, 'BHD'), (0.0001, 'CLF'),
             (92233720368547758.07, 'USD'), (-92233720368547758.08, 'USD'),
             (9223372036854775807, 'JPY')) AS t(a, c);
-- ... more decimals than the currency has is an error, never rounded silently.
\x on
SELECT * FROM regress.error_of($$SELECT recon_money_to_minor(19.999, 'USD')$$);
\x off
SELECT a AS amount, c AS currency, regress.sqlstate_of(format('SELECT recon_money_to_minor(%s::numeric, %L)', a, c)) AS result
FROM (VALUES ('10.5', 'JPY'), ('0.001', 'USD'), ('-0.001', 'USD'), ('1.0001', 'KWD'),
             ('0.00001', 'CLF'), ('''NaN''', 'USD'), ('''Infinity''', 'USD'),
             ('''-Infinity''', 'EUR'), ('92233720368547758.08', 'USD'),
             ('-92233720368547758.09', 'USD'), ('1e30', 'JPY'), ('1', 'ZZZ')) AS t(a, c);

-- Round trip: from_minor then to_minor gives back the minor units, in every currency.
SELECT count(*) AS round_trip_failures
FROM recon_currencies() c,
     unnest(ARRAY[0, 1, -1, 7, 1999, -1999, 100000, 123456789012,
                  9223372036854775807, -9223372036854775808]::bigint[]) AS m
WHERE recon_money_to_minor(recon_money_from_minor(m, c.code), c.code) <> m;

-- recon_money_round: half away from zero, to the currency's minor units.
SELECT a AS amount, c AS currency, recon_money_round(a, c) AS rounded
FROM (VALUES (19.995::numeric, 'USD'), (19.994, 'USD'), (-19.995, 'USD'), (0.005, 'USD'),
             (-0.005, 'USD'), (2.5, 'JPY'), (3.5, 'JPY'), (-2.5, 'JPY'), (1234.4999, 'KRW'),
             (1.2345, 'KWD'), (1.23449, 'KWD'), (1.00005, 'CLF'), (7, 'USD')) AS t(a, c);
SELECT recon_money_to_minor(recon_money_round(19.999, 'USD'), 'USD') AS rounded_then_minor;
SELECT regress.sqlstate_of($$SELECT recon_money_round(1, 'ZZZ')$$);
SELECT recon_money_round('NaN', 'USD') AS nan_rounds_to_nan;

-- NULL in, NULL out (every function is STRICT).
SELECT recon_currency(NULL) IS NULL AS currency,
       recon_currency_minor_units(NULL) IS NULL AS minor_units,
       recon_currency_is_known(NULL) IS NULL AS is_known,
       recon_currency_check(NULL) IS NULL AS check_,
       recon_money_from_minor(NULL, 'USD') IS NULL AS from_minor_amount,
       recon_money_from_minor(1, NULL) IS NULL AS from_minor_currency,
       recon_money_to_minor(NULL, 'USD') IS NULL AS to_minor_amount,
       recon_money_to_minor(1, NULL) IS NULL AS to_minor_currency,
       recon_money_round(NULL, 'USD') IS NULL AS round_amount,
       recon_money_round(1.5, NULL) IS NULL AS round_currency;
