-- pgTAP: core currency, money and time zone behaviour (src/core/*.c).
BEGIN;
SELECT plan(71);

-- 'ok' or the SQLSTATE a statement raises (for checks over many inputs at once).
CREATE FUNCTION pg_temp.sqlstate_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE;
END $$;

------------------------------------------------------------------ currencies
SELECT is(recon_currency('USD'), 'USD', 'recon_currency keeps a canonical code');
SELECT is(recon_currency(' usd '), 'USD', 'recon_currency trims and upper-cases');
SELECT is(recon_currency(E'\teur\n'), 'EUR', 'recon_currency trims tabs and newlines');
SELECT throws_ok($$SELECT recon_currency('XTS')$$, '22023', 'unknown currency "XTS"', 'recon_currency rejects XTS');
SELECT throws_ok($$SELECT recon_currency('')$$, '22023', 'unknown currency ""', 'recon_currency rejects the empty string');
SELECT throws_ok($$SELECT recon_currency('USDD')$$, '22023', NULL, 'recon_currency rejects four letters');
SELECT throws_ok($$SELECT recon_currency('U1D')$$, '22023', NULL, 'recon_currency rejects digits');
SELECT is(recon_currency(NULL), NULL, 'recon_currency is STRICT');

SELECT results_eq(
    $$SELECT c, recon_currency_minor_units(c) FROM unnest(ARRAY['USD', 'EUR', 'JPY', 'KRW', 'VND', 'CLP', 'ISK',
        'KWD', 'BHD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD', 'CLF']) AS c$$,
    $$VALUES ('USD', 2), ('EUR', 2), ('JPY', 0), ('KRW', 0), ('VND', 0), ('CLP', 0), ('ISK', 0),
        ('KWD', 3), ('BHD', 3), ('OMR', 3), ('JOD', 3), ('TND', 3), ('LYD', 3), ('IQD', 3), ('CLF', 4)$$,
    'minor units follow ISO 4217');
SELECT is(recon_currency_minor_units(' jpy '), 0, 'minor units accept a loose spelling');
SELECT throws_ok($$SELECT recon_currency_minor_units('ZZZ')$$, '22023', NULL, 'minor units of an unknown currency raise');

SELECT ok(recon_currency_is_known('USD'), 'USD is known');
SELECT ok(NOT recon_currency_is_known('usd'), 'usd is not canonical, so not known');
SELECT ok(NOT recon_currency_is_known('XTS'), 'XTS is not known');
SELECT ok(NOT recon_currency_is_known(''), 'the empty string is not known');

SELECT cmp_ok((SELECT count(*) FROM recon_currencies())::int, '>=', 150, 'recon_currencies lists the ISO 4217 codes');
SELECT is((SELECT count(*) FROM recon_currencies() WHERE code !~ '^[A-Z]{3}$' OR minor_units NOT IN (0, 2, 3, 4))::int, 0,
          'every listed code is three upper-case letters with 0, 2, 3 or 4 minor units');
SELECT is((SELECT count(*) - count(DISTINCT code) FROM recon_currencies())::int, 0, 'no code is listed twice');
SELECT is((SELECT count(*) FROM recon_currencies()
           WHERE NOT recon_currency_is_known(code) OR recon_currency(lower(code)) <> code
              OR recon_currency_minor_units(code) <> minor_units)::int, 0,
          'every listed code is found by each lookup (the binary search sees the whole table)');

SELECT lives_ok($$SELECT 'EUR'::recon_currency_code$$, 'the domain accepts EUR');
SELECT throws_ok($$SELECT 'usd'::recon_currency_code$$, '22023', 'currency "usd" must be written as "USD"',
                 'the domain rejects lower case, naming the canonical spelling');
SELECT throws_ok($$SELECT 'XTS'::recon_currency_code$$, '22023', 'unknown currency "XTS"', 'the domain rejects XTS');
SELECT throws_ok($$SELECT ''::recon_currency_code$$, '22023', NULL, 'the domain rejects the empty string');
SELECT throws_ok($$SELECT 'US'::recon_currency_code$$, '22023', NULL, 'the domain rejects US');
SELECT throws_ok($$SELECT 'USDD'::recon_currency_code$$, '22023', NULL, 'the domain rejects USDD');
SELECT is(NULL::recon_currency_code, NULL, 'the domain allows NULL');

----------------------------------------------------------------------- money
SELECT is(recon_money_from_minor(1999, 'USD'), 19.99, '1999 cents are 19.99 USD');
SELECT is(recon_money_from_minor(1999, 'JPY'), 1999::numeric, '1999 JPY are 1999 JPY (no minor unit)');
SELECT is(recon_money_from_minor(1999, 'KWD'), 1.999, '1999 fils are 1.999 KWD');
SELECT is(recon_money_from_minor(-5, 'USD'), -0.05, 'negative minor units');
SELECT is(recon_money_from_minor(0, 'KWD')::text, '0.000', 'zero keeps the currency scale');
SELECT is(recon_money_from_minor(9223372036854775807, 'USD'), 92233720368547758.07, 'bigint max');
SELECT is(recon_money_from_minor(-9223372036854775808, 'USD'), -92233720368547758.08, 'bigint min');

SELECT is(recon_money_to_minor(19.99, 'USD'), 1999::bigint, '19.99 USD are 1999 cents');
SELECT is(recon_money_to_minor(19.990, 'USD'), 1999::bigint, 'trailing zeros are fine');
SELECT is(recon_money_to_minor(19.9, 'USD'), 1990::bigint, 'missing decimals are padded');
SELECT is(recon_money_to_minor(-19.99, 'USD'), -1999::bigint, 'negative amounts');
SELECT is(recon_money_to_minor(-0.05, 'USD'), -5::bigint, 'negative amounts under one unit');
SELECT is(recon_money_to_minor(1999, 'JPY'), 1999::bigint, 'JPY has no minor unit');
SELECT is(recon_money_to_minor(1.999, 'KWD'), 1999::bigint, 'KWD has three decimals');
SELECT throws_ok($$SELECT recon_money_to_minor(19.999, 'USD')$$, '22023',
                 'amount 19.999 has more decimal places than USD allows (2)', 'too many decimals is an error, not rounded');
SELECT throws_ok($$SELECT recon_money_to_minor(10.5, 'JPY')$$, '22023', NULL, 'half a yen is an error');
SELECT throws_ok($$SELECT recon_money_to_minor('NaN', 'USD')$$, '22023', 'amount "NaN" is not a finite number', 'NaN is an error');
SELECT throws_ok($$SELECT recon_money_to_minor('Infinity', 'USD')$$, '22023', NULL, 'Infinity is an error');
SELECT throws_ok($$SELECT recon_money_to_minor(92233720368547758.08, 'USD')$$, '22003', NULL, 'bigint overflow is 22003');
SELECT throws_ok($$SELECT recon_money_to_minor(1, 'ZZZ')$$, '22023', NULL, 'unknown currency');

SELECT is(recon_money_round(19.995, 'USD'), 20.00, 'half rounds away from zero');
SELECT is(recon_money_round(-19.995, 'USD'), -20.00, 'half rounds away from zero when negative');
SELECT is(recon_money_round(2.5, 'JPY'), 3::numeric, 'JPY rounds to whole yen');
SELECT is(recon_money_round(1.2345, 'KWD'), 1.235, 'KWD rounds to three decimals');

SELECT ok(recon_money_from_minor(NULL, 'USD') IS NULL AND recon_money_from_minor(1, NULL) IS NULL
          AND recon_money_to_minor(NULL, 'USD') IS NULL AND recon_money_to_minor(1, NULL) IS NULL
          AND recon_money_round(NULL, 'USD') IS NULL AND recon_money_round(1, NULL) IS NULL,
          'money functions are STRICT');

-- Properties over every currency.
CREATE TEMP TABLE minor_samples AS
SELECT c.code, c.minor_units, m
FROM recon_currencies() c,
     unnest(ARRAY[0, 1, -1, 5, 99, -99, 1999, -1999, 100000, -123456789, 123456789012,
                  9223372036854775807, -9223372036854775808]::bigint[]) AS m;
SELECT cmp_ok((SELECT count(DISTINCT code) FROM minor_samples)::int, '>=', 150, 'the samples cover every currency');
SELECT is((SELECT count(*) FROM minor_samples
           WHERE recon_money_to_minor(recon_money_from_minor(m, code), code) <> m)::int, 0,
          'to_minor(from_minor(x, c), c) = x for every currency and sample x');
SELECT is((SELECT count(*) FROM minor_samples
           WHERE recon_money_from_minor(m, code) * 10::numeric ^ minor_units <> m)::int, 0,
          'from_minor(x, c) = x / 10^minor_units for every currency');
SELECT is((SELECT count(*) FROM minor_samples
           WHERE scale(recon_money_from_minor(m, code)) <> minor_units)::int, 0,
          'from_minor has exactly the currency''s scale');
SELECT is((SELECT count(*) FROM minor_samples
           WHERE recon_money_round(recon_money_from_minor(m, code), code) <> recon_money_from_minor(m, code))::int, 0,
          'rounding an exact amount changes nothing');
SELECT is((SELECT count(*) FROM recon_currencies() c, unnest(ARRAY[0.123456789, -98765.4321987, 1.5, -0.5]) AS a
           WHERE pg_temp.sqlstate_of(format('SELECT recon_money_to_minor(recon_money_round(%s, %L), %L)', a, c.code, c.code)) <> 'ok')::int, 0,
          'a rounded amount always converts to minor units');
SELECT is((SELECT count(*) FROM recon_currencies() c
           WHERE pg_temp.sqlstate_of(format('SELECT recon_money_to_minor(%s, %L)', 10::numeric ^ -(c.minor_units + 1), c.code)) <> '22023')::int, 0,
          'one decimal more than the currency allows raises 22023 in every currency');

------------------------------------------------------------------ time zones
SELECT is(recon_timezone('America/New_York'), 'America/New_York', 'a canonical zone is kept');
SELECT is(recon_timezone('america/new_york'), 'America/New_York', 'zone names ignore case');
SELECT is(recon_timezone(' UTC '), 'UTC', 'zone names ignore surrounding blanks');
SELECT is(recon_timezone('etc/utc'), 'Etc/UTC', 'Etc/UTC');
SELECT is((SELECT count(*) FROM unnest(ARRAY['EST', 'PST', 'MST', 'HST', '+03:00', 'UTC+3', '', 'Mars/Olympus',
                                             repeat('x', 200), 'America/' || repeat('x', 200)]) AS v
           WHERE pg_temp.sqlstate_of(format('SELECT recon_timezone(%L)', v)) <> '22023')::int, 0,
          'abbreviations, offsets, unknown and over-long names raise 22023');
SELECT is(pg_temp.sqlstate_of(format('SELECT recon_timezone(%L)', repeat('x', 257))), '54000',
          'a name over the name limit (256 bytes) raises 54000');
SELECT throws_ok($$SELECT recon_timezone('EST')$$, '22023', 'time zone "EST" is not a known IANA time zone name',
                 'EST is refused (it ignores daylight saving)');
SELECT is(recon_timezone(NULL), NULL, 'recon_timezone is STRICT');
SELECT lives_ok($$SELECT 'Europe/Paris'::recon_timezone_name$$, 'the domain accepts Europe/Paris');
SELECT throws_ok($$SELECT 'europe/paris'::recon_timezone_name$$, '22023',
                 'time zone "europe/paris" must be written as "Europe/Paris"', 'the domain rejects a non-canonical spelling');
SELECT throws_ok($$SELECT ' UTC'::recon_timezone_name$$, '22023', NULL, 'the domain rejects blanks');
SELECT throws_ok($$SELECT '+03:00'::recon_timezone_name$$, '22023', NULL, 'the domain rejects offsets');
SELECT is((SELECT count(*) FROM pg_timezone_names n
           WHERE n.name !~ '^(posix|right)/' AND n.name NOT IN ('EST', 'MST', 'HST')
             AND (recon_timezone(upper(n.name)) <> n.name
                  OR pg_temp.sqlstate_of(format('SELECT %L::recon_timezone_name', n.name)) <> 'ok'))::int, 0,
          'every server zone name is found whatever its case, and passes the domain');

SELECT * FROM finish();
ROLLBACK;
