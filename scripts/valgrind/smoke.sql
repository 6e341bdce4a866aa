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
SELECT count(recon_normalize_phone(input, default_region)), count(recon_normalize_phone_reason(input, default_region, 'meta')), count(recon_phone_outcome(input, default_region, 'fast')), count(recon_normalize_phone_reference(input, default_region)) FROM (SELECT * FROM recon_phone_test_corpus() WHERE length(input) % 40 = 0) c;
SELECT count(recon_phone_is_valid(input, default_region)) FROM recon_phone_typical_sample(500);
SELECT recon_normalize_phone(repeat('5', 100000), 'US'), recon_normalize_phone_reason(E'\x01+44 7911 123456', NULL), count(*) FROM recon_phone_regions();
