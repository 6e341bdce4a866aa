-- Exercises every C function of recon (and the SQL around them) in a single-user
-- backend under valgrind: run by scripts/valgrind-smoke.
CREATE EXTENSION recon;
SELECT count(recon_currency(c)), count(recon_currency_minor_units(lower(c))), count(recon_currency_check(c)), count(recon_currency_is_known(c)) FROM (SELECT code AS c FROM recon_currencies()) x;
SELECT sum(recon_money_to_minor(recon_money_from_minor(i * 7919 - 500000, c), c)) FROM generate_series(1, 2000) i, (VALUES ('USD'), ('JPY'), ('KWD'), ('CLF')) v(c);
SELECT recon_money_to_minor(-0.05, 'USD'), recon_money_to_minor(123456789012.3456, 'CLF'), recon_money_round(1.005, 'USD');
SELECT count(recon_timezone(name)) FROM pg_timezone_names WHERE name !~ '^(EST|MST|HST)$';
SELECT recon_timezone_check('America/New_York'), recon_is_sha256_hex(repeat('a', 64)), recon_is_sha256_hex(repeat('é', 32));
SELECT count(recon_demo_token(1, 2, i, 1 + i % 200)), sum(recon_demo_random(1, 2, i)) > 0 FROM generate_series(1, 3000) i;
SELECT count(*) FROM recon_demo_generate(3, 300);
SELECT count(*) FROM recon.demo_verify() WHERE passed;
SELECT count(*) FROM recon.report_channel_month;
SELECT count(recon_sha256_hex(repeat('ab', n / 2) || repeat('é', n % 3))) FROM generate_series(0, 600) AS n;
SELECT recon_sha256_hex(''), recon_sha256_hex(repeat('x', 1000000)) IS NOT NULL;
SELECT count(recon_normalize_email(e, p)), count(recon_normalize_email_reason(e, p)), count(recon_hash_identifier(e, 'email', p)) FROM unnest(ARRAY['meta', 'google', 'generic']) p, unnest(ARRAY['John.Smith+x@Gmail.com', '  a@b.c ', U&'\00C9mile@Ex\00E4mple.fr', U&'E\0301.mile+t@gmail.com', U&'L\000A\0301@QT', 'a b@c', '', '@', 'a@@b', repeat('x', 300) || '@y.z', repeat('é', 200) || '@y.z', E'\u0001@x', repeat('ab', 32)]) e;
SELECT recon_hash_identifier(repeat(' ', 5000) || 'A@B.C', 'em'), recon_hash_identifier_reason(NULL, 'email'), recon_normalize_email_reason(repeat('x', 2000000), 'google');
SELECT count(recon_normalize_first_name(v, p)), count(recon_normalize_last_name_reason(v, p)), count(recon_normalize_city(v, p)), count(recon_normalize_state(v, c, p)), count(recon_normalize_zip_reason(v, c, p)), count(recon_normalize_zip(v, c, p)) FROM unnest(ARRAY['Mary', '정', U&'Vale\0301ry', 'Dr. Jean-Luc', 'O''Brien Jr.', 'New York', 'California', 'M11AE', 'M1 1AE', '94035-1234', 'K1A 0B1', '', 'x1', repeat('é', 600), U&'\0130lker', E'a\u0001']) v, unnest(ARRAY['meta', 'google']) p, unnest(ARRAY[NULL, 'US', 'United Kingdom', 'fr']) c;
SELECT count(recon_normalize_country(v, p)), count(recon_normalize_country_reason(v, p)), count(recon_normalize_external_id(v, p)) FROM unnest(ARRAY['United States', 'USA', 'Côte d''Ivoire', 'Österreich', 'Atlantis', ' gb ', '', repeat('x', 2000)]) v, unnest(ARRAY['meta', 'google', 'linkedin']) p;
SELECT count(recon_normalize_date_of_birth(v, o)), count(recon_normalize_date_of_birth_reason(v, o)), count(recon_normalize_gender(v)), count(recon_normalize_gender_reason(v)) FROM unnest(ARRAY['2/16/1997', '2/3/1997', '1997-02-16T00:00:00Z', 'Feb 16, 1997', '2/29/1997', '16/2/97', 'f', 'Female', 'x', '']) v, unnest(ARRAY['mdy', 'dmy', 'strict']) o;
SELECT count(c.flags), count(recon_click_id(u, 'gclid')), count(recon_parse_click_ids_json(u)) FROM (SELECT substr('https://x.example/p?gclid=A%2Bb&GCLID=c&utm_source=%FF&amp;utm_term=caf%C3%A9+x&fbclid=%00#/r?ttclid=T.1&utm_content={{ad.id}}%', 1 + n % 17, n % 131) AS u FROM generate_series(0, 800) AS n) s, LATERAL recon_parse_click_ids(u) c;
SELECT length((recon_parse_click_ids('https://x/?gclid=' || repeat('A', 1000000))).gclid), (recon_parse_click_ids(repeat('%', 100001))).flags;
SELECT count(recon_parse_fbc(c)), count(recon_parse_fbp(c)), count(recon_parse_fbc_reason(c)), count(recon_parse_fbp_reason(c)) FROM (SELECT substr(' fb.12.0.159640388166812.IwAR_-x.Ab$.', 1 + n % 9, n % 37) AS c FROM generate_series(0, 800) AS n) s;
SELECT count(recon_build_fbc(recon_demo_token(1, 1, n, 1 + n % 80), timestamptz '2020-01-01 UTC' + n * interval '1 day', n % 3)), count(recon_build_fbp_reason(substr('12a 4', 1 + n % 5), timestamptz '2020-01-01 UTC' + n * interval '1 year')) FROM generate_series(0, 500) AS n;
SELECT count(recon_normalize_platform_id(v)), count(recon_normalize_platform_id_reason(v)), count(recon_platform_id_status(v)), count(recon_platform_id_match_key(v, 1 + n % 20)) FROM (SELECT n, substr(E' ''"120,208,123,456,789,012.00E+17"\t99999999999999999999', 1 + n % 11, n % 60) AS v FROM generate_series(0, 2000) AS n) s;
SELECT count(recon_normalize_phone(input, default_region)), count(recon_normalize_phone_reason(input, default_region, 'meta')), count(recon_phone_outcome(input, default_region, 'fast')), count(recon_normalize_phone_reference(input, default_region)) FROM (SELECT * FROM recon_phone_test_corpus() WHERE length(input) % 40 = 0) c;
SELECT count(recon_phone_is_valid(input, default_region)) FROM recon_phone_typical_sample(500);
SELECT recon_normalize_phone(repeat('5', 100000), 'US'), recon_normalize_phone_reason(E'\x01+44 7911 123456', NULL), count(*) FROM recon_phone_regions();
SELECT count(recon_jaro_winkler(a, b)), sum(recon_jaro(a, b)) >= 0 FROM unnest(ARRAY['MARTHA', 'Müller', '', '정민수', repeat('ab', 40), repeat('é', 70)]) a, unnest(ARRAY['MARHTA', 'Muller', 'x', '', repeat('ba', 41)]) b;
SELECT recon_jaro_winkler(repeat('a', 4096), repeat('b', 4096)), recon_jaro(repeat('x', 5000), 'x'), recon_jaro_winkler('a', 'a', 0.25);
