-- limits: every SQL-callable C function at its input size limit and one byte (or
-- element) over (src/core/limits.h, docs/limits.md). Names, models, arrays and
-- Jaro-Winkler strings raise 54000; a data value over its limit is unusable (NULL,
-- reason too_long); a loader rejects a row with a cell or a record over the limit.
\set VERBOSITY terse
SET DateStyle = ISO;
BEGIN;

SELECT name, max, unit, over_the_limit FROM recon_limits() ORDER BY max, name;

-- Run sql with %s replaced by a literal of n bytes (fill repeated), and report the SQLSTATE:
-- the code alone within the limit (whatever the call says of such a value), the message over it.
CREATE FUNCTION pg_temp.at(sql text, n bigint, fill text DEFAULT 'x') RETURNS text
LANGUAGE sql AS $$
    SELECT left(regress.sqlstate_of(format(sql, quote_literal(repeat(fill, n::int)))), 5)
$$;
CREATE FUNCTION pg_temp.over(sql text, n bigint, fill text DEFAULT 'x') RETURNS text
LANGUAGE sql AS $$
    SELECT regress.sqlstate_of(format(sql, quote_literal(repeat(fill, n::int))))
$$;

-- Names and codes (256 bytes): at the limit the usual answer (22023: no such name), over it 54000.
SELECT fn, pg_temp.at(sql, 256) AS at_limit, pg_temp.over(sql, 257) AS over_limit
FROM (VALUES
    ('recon_normalize_email', 'SELECT recon_normalize_email(''a@b.co'', %s)'),
    ('recon_normalize_email_reason', 'SELECT recon_normalize_email_reason(''a@b.co'', %s)'),
    ('recon_normalize_first_name', 'SELECT recon_normalize_first_name(''Ann'', %s)'),
    ('recon_normalize_last_name_reason', 'SELECT recon_normalize_last_name_reason(''Lee'', %s)'),
    ('recon_normalize_city', 'SELECT recon_normalize_city(''Paris'', %s)'),
    ('recon_normalize_state', 'SELECT recon_normalize_state(''CA'', ''US'', %s)'),
    ('recon_normalize_zip_reason', 'SELECT recon_normalize_zip_reason(''02139'', ''US'', %s)'),
    ('recon_normalize_country', 'SELECT recon_normalize_country(''France'', %s)'),
    ('recon_normalize_gender', 'SELECT recon_normalize_gender(''f'', %s)'),
    ('recon_normalize_external_id', 'SELECT recon_normalize_external_id(''c-1'', %s)'),
    ('recon_normalize_date_of_birth (order)', 'SELECT recon_normalize_date_of_birth(''1990-01-31'', %s)'),
    ('recon_normalize_date_of_birth (platform)', 'SELECT recon_normalize_date_of_birth(''1990-01-31'', ''mdy'', %s)'),
    ('recon_normalize_phone (region)', 'SELECT recon_normalize_phone(''030 901820'', %s)'),
    ('recon_normalize_phone_reason (platform)', 'SELECT recon_normalize_phone_reason(''+49 30 901820'', NULL, %s)'),
    ('recon_normalize_phone_reference', 'SELECT recon_normalize_phone_reference(''+49 30 901820'', NULL, %s)'),
    ('recon_phone_is_valid', 'SELECT recon_phone_is_valid(''030 901820'', %s)'),
    ('recon_phone_outcome (method)', 'SELECT recon_phone_outcome(''+49 30 901820'', NULL, %s)'),
    ('recon_hash_identifier (field)', 'SELECT recon_hash_identifier(''a@b.co'', %s)'),
    ('recon_hash_identifier_reason (platform)', 'SELECT recon_hash_identifier_reason(''a@b.co'', ''email'', %s)'),
    ('recon_click_id', 'SELECT recon_click_id(''https://x.io/?gclid=abc'', %s)'),
    ('recon_parse_decimal', 'SELECT recon_parse_decimal(''1.5'', %s)'),
    ('recon_parse_date', 'SELECT recon_parse_date(''2026-03-01'', %s)'),
    ('recon_parse_timestamp (zone)', 'SELECT recon_parse_timestamp(''2026-03-01 10:00'', %s)'),
    ('recon_parse_timestamp (style)', 'SELECT recon_parse_timestamp(''2026-03-01 10:00'', ''UTC'', %s)'),
    ('recon_csv_fields', 'SELECT recon_csv_fields(''a,b'', %s)'),
    ('recon_csv_problem', 'SELECT recon_csv_problem(''a,b'', %s)'),
    ('recon_currency', 'SELECT recon_currency(%s)'),
    ('recon_currency_minor_units', 'SELECT recon_currency_minor_units(%s)'),
    ('recon_currency_check', 'SELECT recon_currency_check(%s)'),
    ('recon_money_from_minor', 'SELECT recon_money_from_minor(100, %s)'),
    ('recon_money_to_minor', 'SELECT recon_money_to_minor(1.5, %s)'),
    ('recon_money_round', 'SELECT recon_money_round(1.5, %s)'),
    ('recon_timezone', 'SELECT recon_timezone(%s)'),
    ('recon_timezone_check', 'SELECT recon_timezone_check(%s)'),
    ('recon_bridge (line)', 'SELECT recon_bridge(%s, 1, 1, ''USD'', NULL, NULL, NULL)'),
    ('recon_bridge (currency)', 'SELECT recon_bridge(''collected'', 1, 1, %s, NULL, NULL, NULL)'),
    ('recon_fs_estimate_u (names)', 'SELECT recon_fs_estimate_u(''0'', ARRAY[%s], ''{2}'')')
) AS t(fn, sql);

-- A data value over 4,096 bytes is unusable: NULL, reason too_long, never an error. Where a
-- field's own rule is shorter (an email is at most 254 bytes) the value is too_long at the limit too.
CREATE TEMP TABLE value_calls (fn text, fill text, normal text, reason text);
INSERT INTO value_calls VALUES
    ('email', 'a', 'recon_normalize_email(%s)', 'recon_normalize_email_reason(%s)'),
    ('first_name', 'a', 'recon_normalize_first_name(%s)', 'recon_normalize_first_name_reason(%s)'),
    ('last_name', 'a', 'recon_normalize_last_name(%s, ''google'')', 'recon_normalize_last_name_reason(%s, ''google'')'),
    ('city', 'a', 'recon_normalize_city(%s)', 'recon_normalize_city_reason(%s)'),
    ('state', 'a', 'recon_normalize_state(%s, ''US'')', 'recon_normalize_state_reason(%s, ''US'')'),
    ('zip', '1', 'recon_normalize_zip(%s, ''US'')', 'recon_normalize_zip_reason(%s, ''US'')'),
    ('country', 'a', 'recon_normalize_country(%s)', 'recon_normalize_country_reason(%s)'),
    ('date_of_birth', '1', 'recon_normalize_date_of_birth(%s)', 'recon_normalize_date_of_birth_reason(%s)'),
    ('gender', 'f', 'recon_normalize_gender(%s)', 'recon_normalize_gender_reason(%s)'),
    ('external_id', 'a', 'recon_normalize_external_id(%s)', 'recon_normalize_external_id_reason(%s)'),
    ('phone', '1', 'recon_normalize_phone(%s, ''US'')', 'recon_normalize_phone_reason(%s, ''US'')'),
    ('phone_reference', '1', 'recon_normalize_phone_reference(%s, ''US'')', 'recon_phone_outcome(%s, ''US'', ''reference'')'),
    ('phone_is_valid', '1', 'recon_phone_is_valid(%s, ''US'')', 'recon_phone_outcome(%s, ''US'')'),
    ('hash_identifier', 'a', 'recon_hash_identifier(%s, ''external_id'')', 'recon_hash_identifier_reason(%s, ''external_id'')'),
    ('platform_id', '1', 'recon_normalize_platform_id(%s)', 'recon_normalize_platform_id_reason(%s)'),
    ('platform_id_status', '1', 'recon_platform_id_match_key(%s)', 'recon_platform_id_status(%s)'),
    ('fbc', 'a', 'recon_parse_fbc(%s)::text', 'recon_parse_fbc_reason(%s)'),
    ('fbp', 'a', 'recon_parse_fbp(%s)::text', 'recon_parse_fbp_reason(%s)'),
    ('build_fbc', 'a', 'recon_build_fbc(%s, ''2026-03-01'')', 'recon_build_fbc_reason(%s, ''2026-03-01'')'),
    ('build_fbp', '1', 'recon_build_fbp(%s, ''2026-03-01'')', 'recon_build_fbp_reason(%s, ''2026-03-01'')');
CREATE FUNCTION pg_temp.answer(expr text, n int, fill text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    EXECUTE 'SELECT (' || format(expr, quote_literal(repeat(fill, n))) || ')::text' INTO r;
    RETURN coalesce(left(r, 20), 'NULL');
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT fn, pg_temp.answer(normal, 4096, fill) AS at_limit, pg_temp.answer(reason, 4096, fill) AS at_limit_reason,
       pg_temp.answer(normal, 4097, fill) AS over_limit, pg_temp.answer(reason, 4097, fill) AS over_limit_reason
FROM value_calls ORDER BY fn;

-- A country hint over the limit is an unknown country (the zip is read without a country's rule).
SELECT recon_normalize_zip_reason('ABCDE', 'US') AS us, recon_normalize_zip_reason('ABCDE', NULL) AS unknown,
       recon_normalize_zip_reason('ABCDE', repeat('U', 4096)) AS hint_at_limit,
       recon_normalize_zip_reason('ABCDE', repeat('U', 4097)) AS hint_over_limit,
       recon_hash_identifier('ABCDE', 'zip', 'meta', repeat('U', 4097)) = recon_hash_identifier('ABCDE', 'zip', 'meta') AS hash_hint_over_limit;

-- URLs (64 kB): at the limit the click id is read; over it nothing is, flag too_long.
SELECT n, length(c.gclid) AS gclid_length, c.flags, recon_click_id(u, 'gclid') IS NOT NULL AS click_id,
       recon_parse_click_ids_json(u) -> 'flags' AS json_flags
FROM (SELECT n, 'https://x.io/?gclid=' || repeat('a', n - 20) AS u FROM (VALUES (65536), (65537)) v(n)) x,
     LATERAL recon_parse_click_ids(u) c;

-- Jaro-Winkler (4,096 characters each): over the limit 54000, counted in characters (é is 2 bytes).
SELECT pg_temp.at('SELECT recon_jaro(%s, ''a'')', 4096) AS jaro_at_limit,
       pg_temp.over('SELECT recon_jaro(%s, ''a'')', 4097) AS jaro_over_limit,
       pg_temp.at('SELECT recon_jaro_winkler(''a'', %s)', 4096, 'é') AS winkler_at_limit,
       pg_temp.over('SELECT recon_jaro_winkler(''a'', %s)', 4097, 'é') AS winkler_over_limit,
       pg_temp.over('SELECT recon_jaro_winkler(''a'', %s)', 16385) AS winkler_over_in_bytes;
-- recon_compare_text runs inside matching: over the limit it tells equality only (the last level), never raises.
SELECT recon_compare_text(repeat('a', 4096), repeat('a', 4095) || 'b') AS at_limit,
       recon_compare_text(repeat('a', 4097), repeat('a', 4096) || 'b') AS over_limit,
       recon_compare_text(repeat('a', 4097), repeat('a', 4097)) AS over_limit_equal;

-- Cells (256 kB): the value parsers read up to the limit, over it 54000 (loaders reject such rows first).
SELECT fn, pg_temp.at(sql, 262144, '1') AS at_limit, pg_temp.over(sql, 262145, '1') AS over_limit
FROM (VALUES ('recon_parse_decimal', 'SELECT recon_parse_decimal(%s)'),
             ('recon_parse_date', 'SELECT recon_parse_date(%s)'),
             ('recon_parse_timestamp', 'SELECT recon_parse_timestamp(%s, ''UTC'')')) AS t(fn, sql);
-- A number of more than 1,000 digits on either side of the mark is no amount: NULL, never numeric's error.
SELECT recon_parse_decimal(repeat('9', 1000)) IS NOT NULL AS digits_1000, recon_parse_decimal(repeat('9', 1001)) AS digits_1001,
       recon_parse_decimal('0.' || repeat('1', 1000)) IS NOT NULL AS fraction_1000, recon_parse_decimal('0.' || repeat('1', 1001)) AS fraction_1001,
       recon_parse_decimal(repeat('9', 140000)) AS numeric_would_overflow;

-- Records (16 MB): recon_csv_fields splits up to the limit; over it NULL, recon_csv_problem says too_long.
SELECT n, cardinality(recon_csv_fields(repeat('x', n))) AS fields, recon_csv_problem(repeat('x', n)) AS problem
FROM (VALUES (16777216), (16777217)) AS v(n);

-- Hashing (64 MB; an HMAC key 1 kB).
SELECT fn, pg_temp.at(sql, 67108864) AS at_limit, pg_temp.over(sql, 67108865) AS over_limit
FROM (VALUES ('recon_sha256_hex', 'SELECT recon_sha256_hex(%s)'),
             ('recon_internal_key', 'SELECT recon_internal_key(%s)'),
             ('recon_hmac_sha256_hex (message)', 'SELECT recon_hmac_sha256_hex(''k'', convert_to(%s, ''UTF8''))')) AS t(fn, sql);
SELECT pg_temp.at('SELECT recon_hmac_sha256_hex(convert_to(%s, ''UTF8''), ''m'')', 1024) AS key_at_limit,
       pg_temp.over('SELECT recon_hmac_sha256_hex(convert_to(%s, ''UTF8''), ''m'')', 1025) AS key_over_limit;
-- A predicate never raises: a value of another length is not a digest, and is not read.
SELECT recon_is_sha256_hex(repeat('a', 64)) AS digest, recon_is_sha256_hex(repeat('a', 67108865)) AS huge,
       recon_currency_is_known('USD') AS known, recon_currency_is_known(repeat('U', 257)) AS long_code;

-- Fellegi-Sunter models (1 MB): a model padded to exactly the limit is read, one byte more is refused.
CREATE TEMP TABLE fs_model AS
SELECT recon_fs_estimate_u(recon_fs_pattern_counts(l), '{email,name}', '{2,3}') AS model
FROM (VALUES ('{1,1}'::smallint[]), ('{2,3}'), ('{2,2}'), ('{0,3}')) AS p(l);
-- (a string's bytes add one for one to the jsonb's size, so the padding is found near the estimate)
CREATE TEMP TABLE padded AS
SELECT pg_column_size(p) - 4 AS bytes, p AS model
FROM fs_model,
     LATERAL (SELECT 1048576 - (pg_column_size(model || '{"padding_placed_after_every_model_key": ""}') - 4) AS estimate) e,
     LATERAL (SELECT model || jsonb_build_object('padding_placed_after_every_model_key', repeat('x', estimate + d)) AS p FROM generate_series(-8, 8) d) x
WHERE pg_column_size(p) - 4 IN (1048576, 1048577);
SELECT bytes,
       regress.sqlstate_of(format('SELECT recon_fs_weight(%L, ''{1,1}'')', model)) AS weight,
       regress.sqlstate_of(format('SELECT recon_fs_estimate_m(''2|1.1=5'', %L)', model)) AS estimate_m,
       regress.sqlstate_of(format('SELECT recon_fs_average_m(ARRAY[%L::jsonb])', model)) AS average_m
FROM (SELECT DISTINCT ON (bytes) bytes, model FROM padded ORDER BY bytes) x
ORDER BY 1;
SELECT regress.sqlstate_of(format('SELECT recon_fs_explain(%L, ''{1,1}'')', model || jsonb_build_object('padding', repeat('x', 1048576)))) AS explain,
       regress.sqlstate_of(format('SELECT recon_fs_refine_u(''2|1.1=5'', %L, 0.01)', model || jsonb_build_object('padding', repeat('x', 1048576)))) AS refine_u,
       regress.sqlstate_of(format('SELECT recon_fs_estimate_u_em(''2|1.1=5'', %L)', model || jsonb_build_object('padding', repeat('x', 1048576)))) AS estimate_u_em,
       regress.sqlstate_of(format('SELECT recon_fs_m_from_matches(''2|1.1=5'', %L)', model || jsonb_build_object('padding', repeat('x', 1048576)))) AS m_from_matches
FROM fs_model;
-- Models averaged: 1,024 at most.
SELECT regress.sqlstate_of(format('SELECT recon_fs_average_m(array_fill(%L::jsonb, ARRAY[1024]))', model)) AS models_1024,
       regress.sqlstate_of(format('SELECT recon_fs_average_m(array_fill(%L::jsonb, ARRAY[1025]))', model)) AS models_1025
FROM fs_model;

-- Arrays: refused by their element count before they are unpacked.
SELECT fn, regress.sqlstate_of(at_limit) AS at_limit, regress.sqlstate_of(over_limit) AS over_limit
FROM (VALUES
    ('recon_compare_text', 'SELECT recon_compare_text(''a'', ''b'', ARRAY(SELECT 1 - i / 100.0 FROM generate_series(1, 13) i))',
                           'SELECT recon_compare_text(''a'', ''b'', ARRAY(SELECT 1 - i / 100.0 FROM generate_series(1, 14) i))'),
    ('recon_compare_time', 'SELECT recon_compare_time(now(), now(), ARRAY(SELECT make_interval(mins => i) FROM generate_series(1, 13) i))',
                           'SELECT recon_compare_time(now(), now(), ARRAY(SELECT make_interval(mins => i) FROM generate_series(1, 14) i))'),
    ('recon_compare_date', 'SELECT recon_compare_date(current_date, current_date, ARRAY(SELECT generate_series(1, 13)))',
                           'SELECT recon_compare_date(current_date, current_date, ARRAY(SELECT generate_series(1, 14)))'),
    ('recon_compare_amount', 'SELECT recon_compare_amount(1, 2, ARRAY(SELECT generate_series(1, 13)::float8))',
                             'SELECT recon_compare_amount(1, 2, ARRAY(SELECT generate_series(1, 14)::float8))'),
    ('recon_fs_pattern_counts', 'SELECT recon_fs_pattern_counts(array_fill(1::smallint, ARRAY[16]))',
                                'SELECT recon_fs_pattern_counts(array_fill(1::smallint, ARRAY[17]))'),
    ('recon_fs_estimate_u (names)', 'SELECT recon_fs_estimate_u(''0'', ARRAY(SELECT ''c'' || i FROM generate_series(1, 16) i), array_fill(2, ARRAY[16]))',
                                    'SELECT recon_fs_estimate_u(''0'', ARRAY(SELECT ''c'' || i FROM generate_series(1, 17) i), array_fill(2, ARRAY[16]))'),
    ('recon_fs_estimate_u (level_counts)', 'SELECT recon_fs_estimate_u(''0'', ARRAY(SELECT ''c'' || i FROM generate_series(1, 16) i), array_fill(2, ARRAY[16]))',
                                           'SELECT recon_fs_estimate_u(''0'', ARRAY(SELECT ''c'' || i FROM generate_series(1, 16) i), array_fill(2, ARRAY[17]))'),
    ('recon_bridge (maturity_days)', 'SELECT recon_bridge(''collected'', 1, 1, ''USD'', NULL, NULL, ARRAY(SELECT generate_series(1, 16)))',
                                     'SELECT recon_bridge(''collected'', 1, 1, ''USD'', NULL, NULL, ARRAY(SELECT generate_series(1, 17)))')
) AS t(fn, at_limit, over_limit);
SELECT regress.sqlstate_of(format('SELECT recon_fs_weight(%L, array_fill(1::smallint, ARRAY[17]))', model)) AS weight_levels,
       regress.sqlstate_of(format('SELECT recon_fs_explain(%L, ''{1,1}'', array_fill(0.5::float8, ARRAY[17]))', model)) AS explain_term_frequencies,
       regress.sqlstate_of(format('SELECT recon_fs_estimate_m(''2|1.1=5'', %L, ARRAY(SELECT ''c'' || i FROM generate_series(1, 17) i))', model)) AS estimate_m_fixed
FROM fs_model;

-- Comparison patterns: 1,048,576 distinct ones at most (16 comparisons, the counter written in base 16).
CREATE FUNCTION pg_temp.pattern(i bigint) RETURNS smallint[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY[i & 15, i >> 4 & 15, i >> 8 & 15, i >> 12 & 15, i >> 16 & 15, i >> 20 & 15, i >> 24 & 15, i >> 28 & 15,
                 0, 0, 0, 0, 0, 0, 0, 0]::smallint[]
$$;
SELECT regress.sqlstate_of('SELECT recon_fs_pattern_counts(pg_temp.pattern(i)) FROM generate_series(0, 1048575) i') AS patterns_at_limit,
       regress.sqlstate_of('SELECT recon_fs_pattern_counts(pg_temp.pattern(i)) FROM generate_series(0, 1048576) i') AS patterns_over_limit;

-- A bridge state's text form (64 kB): at the limit a syntax error (22P02), over it 54000.
SELECT pg_temp.at('SELECT %s::recon_bridge_state', 65536, 'v') AS at_limit,
       pg_temp.over('SELECT %s::recon_bridge_state', 65537, 'v') AS over_limit;

-- Loaders: a cell over 256 kB or a record over 16 MB rejects its row (too_long) instead of failing
-- the file; a cell at the limit loads. The raw row of a too-long record is not kept.
TRUNCATE recon.ad_delivery_daily, recon.ad_accounts CASCADE;
SELECT rows_read, rows_loaded, rows_rejected FROM recon.load_text('meta_insights_csv', 'long.csv', concat_ws(E'\n',
    'Day,Campaign ID,Campaign name,Ad set ID,Ad ID,Amount spent (USD),Impressions',
    '2026-03-01,120208123456789012,' || repeat('a', 262144) || ',120208123456789345,120208123456789678,10,100',
    '2026-03-02,120208123456789012,' || repeat('a', 262145) || ',120208123456789345,120208123456789678,10,100',
    '2026-03-03,120208123456789012,Spring,120208123456789345,120208123456789678,' || repeat('1', 262145) || ',100',
    '2026-03-04,120208123456789012,' || repeat('b', 16777217) || ',120208123456789345,120208123456789678,10,100',
    '2026-03-05,120208123456789012,Spring,120208123456789345,120208123456789678,12,90'),
    '{"account_id": "1010203040506070", "batch_id": "limits-1", "timezone": "UTC"}');
SELECT report_date, length(campaign_name) AS campaign_name_length, spend FROM recon.ad_delivery_daily WHERE batch_id = 'limits-1' ORDER BY 1;
SELECT line_number, disposition, reasons, length(raw) AS raw_length FROM recon.load_rejects WHERE batch_id = 'limits-1' ORDER BY 1;
-- A file with personal data: the too-long row is rejected and its contact fields still masked.
SELECT rows_read, rows_loaded, rows_rejected FROM recon.load_text('hubspot_contacts', 'contacts.csv', concat_ws(E'\n',
    'Record ID,First Name,Email,Create Date,Last Modified Date,Lifecycle Stage',
    '101,Ann,' || repeat('a', 262145) || '@example.com,2026-03-01 10:15,2026-03-02 09:00,Lead',
    '102,Bo,bo@example.com,2026-03-01 10:15,2026-03-02 09:00,Lead'),
    '{"batch_id": "limits-2", "timezone": "UTC"}');
SELECT line_number, reasons, raw ~ '^101,sha256:[0-9a-f]{64},sha256:[0-9a-f]{64},' AS raw_masked
FROM recon.load_rejects WHERE batch_id = 'limits-2';
-- JSON rows: a mapped value or any value deeper in the row over the cell limit.
SELECT rows_read, rows_loaded, rows_rejected FROM recon.load_json('meta_insights_json', 'insights.json', jsonb_build_object('data', jsonb_build_array(
    jsonb_build_object('date_start', '2026-03-06', 'campaign_id', '120208123456789012', 'campaign_name', repeat('c', 262145), 'spend', '1'),
    jsonb_build_object('date_start', '2026-03-07', 'campaign_id', '120208123456789012', 'spend', '1',
                       'actions', jsonb_build_array(jsonb_build_object('action_type', 'purchase', 'value', repeat('9', 262145)))),
    jsonb_build_object('date_start', '2026-03-08', 'campaign_id', '120208123456789012', 'spend', '1',
                       'unread', jsonb_build_object('note', repeat('n', 262145))),
    jsonb_build_object('date_start', '2026-03-09', 'campaign_id', '120208123456789012', 'spend', '2'))),
    '{"account_id": "1010203040506070", "batch_id": "limits-3", "timezone": "UTC"}');
SELECT line_number, reasons FROM recon.load_rejects WHERE batch_id = 'limits-3' ORDER BY 1;

ROLLBACK;
