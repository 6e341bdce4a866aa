-- pgTAP: phone normalization (src/identity/phone_*.c, phone_lib.cpp): the fast path
-- answers exactly as libphonenumber does, and the bad-data contract holds.
BEGIN;
SELECT plan(40);

------------------------------------------------------------------ the functions
SELECT has_function('recon_normalize_phone', ARRAY['text', 'text', 'text'], 'recon_normalize_phone(phone, default_region, platform) exists');
SELECT has_function('recon_normalize_phone_reason', ARRAY['text', 'text', 'text'], 'recon_normalize_phone_reason exists');
SELECT has_function('recon_phone_is_valid', ARRAY['text', 'text'], 'recon_phone_is_valid exists');
SELECT has_function('recon_normalize_phone_reference', ARRAY['text', 'text', 'text'], 'recon_normalize_phone_reference exists');
SELECT has_function('recon_phone_outcome', ARRAY['text', 'text', 'text'], 'recon_phone_outcome exists');
SELECT has_function('recon_phone_regions', 'recon_phone_regions exists');
SELECT has_function('recon_phone_test_corpus', 'recon_phone_test_corpus exists');
SELECT has_function('recon_phone_typical_sample', ARRAY['integer'], 'recon_phone_typical_sample exists');
SELECT volatility_is('recon_normalize_phone', ARRAY['text', 'text', 'text'], 'stable',
    'recon_normalize_phone is STABLE: libphonenumber''s metadata decides the answer');
SELECT is(
    (SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'recon%phone%' AND proparallel <> 's'), 0,
    'every phone function is PARALLEL SAFE');
SELECT is(
    (SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'recon%phone%' AND provolatile = 'i'), 0,
    'no phone function claims IMMUTABLE');

------------------------------------------------------------------ platform vectors
SELECT is(recon_normalize_phone('(650)555-1212', 'US', 'meta'), '16505551212', 'Meta: US (650)555-1212 -> 16505551212');
SELECT is(recon_normalize_phone('(800)555-0100', 'US', 'google'), '+18005550100', 'Google: (800)555-0100 -> +18005550100');
SELECT is(recon_normalize_phone('+44 844 412 4653', 'US', 'snap'), '448444124653', 'Snap: +44 844 412 4653 -> 448444124653');
SELECT is(recon_normalize_phone('050 123 4567', 'AE'), '+971501234567', 'national AE number with the trunk 0');
SELECT is(recon_normalize_phone('07911 123456', 'GB', 'tiktok'), '+447911123456', 'national GB mobile for TikTok');
SELECT is(recon_normalize_phone('0044 7911 123456', 'GB'), '+447911123456', '00 international prefix');
SELECT is(recon_normalize_phone('011 44 7911 123456', 'US'), '+447911123456', 'the US international prefix 011');
SELECT is(recon_normalize_phone('(650) 555-1212 ext. 42', 'US'), '+16505551212', 'extensions are dropped');
SELECT is(recon_normalize_phone('07911 123456', NULL), NULL, 'no default region: a national number does not parse');
SELECT is(recon_normalize_phone_reason('07911 123456', NULL), 'invalid_country_code', '... and says why');
SELECT is(recon_normalize_phone('+44 7911 123456', NULL), '+447911123456', 'no default region: + numbers parse');
SELECT is(recon_normalize_phone_reason(NULL, 'US'), 'missing', 'NULL is missing');
SELECT is(recon_normalize_phone_reason(E' \t', 'US'), 'missing', 'blank is missing');
SELECT ok(recon_phone_is_valid('+1 650 253 0000', 'US') AND NOT recon_phone_is_valid('+1 555 555 5555', 'US'),
    'is_valid: full validation (555 numbers are possible, not assigned)');

------------------------------------------------------------------ misuse
SELECT throws_ok($$SELECT recon_normalize_phone('1', 'XX')$$, '22023', NULL, 'unknown region raises 22023');
SELECT throws_ok($$SELECT recon_normalize_phone('1', 'US', 'bing')$$, '22023', 'unknown platform "bing" for phone', 'unknown platform raises 22023 and names it');
SELECT throws_ok($$SELECT recon_phone_is_valid('1', 'usa')$$, '22023', 'unknown region "usa"', 'is_valid checks the region too');

------------------------------------------------------------------ the corpus and the fast path
CREATE TEMP TABLE corpus AS SELECT row_number() OVER () AS n, * FROM recon_phone_test_corpus();
CREATE TEMP TABLE sample AS
    SELECT n, input, default_region,
           recon_phone_outcome(input, default_region, 'fast') AS fast,
           recon_phone_outcome(input, default_region, 'reference') AS reference,
           recon_phone_outcome(input, default_region, 'auto') AS auto
    FROM corpus WHERE n % 20 = 0;
CREATE TEMP TABLE typical AS
    SELECT input, default_region,
           recon_phone_outcome(input, default_region, 'fast') AS fast,
           recon_phone_outcome(input, default_region, 'reference') AS reference
    FROM recon_phone_typical_sample(5000);

SELECT cmp_ok((SELECT count(*) FROM corpus), '>=', 100000::bigint, 'the corpus has at least 100,000 rows');
SELECT is((SELECT count(*) FROM sample WHERE fast IS NOT NULL AND fast <> reference), 0::bigint,
    'fast path == libphonenumber on every 20th corpus row (0 disagreements)');
SELECT cmp_ok((SELECT count(fast)::numeric / count(*) FROM sample), '>=', 0.45,
    'the fast path decides at least 45% of the (deliberately messy) corpus sample');
SELECT is((SELECT count(*) FROM sample WHERE auto IS DISTINCT FROM reference), 0::bigint,
    'recon_normalize_phone''s path (fast, then libphonenumber) == libphonenumber alone on the sample');
SELECT is((SELECT count(*) FROM typical WHERE fast IS NOT NULL AND fast <> reference), 0::bigint,
    'fast path == libphonenumber on 5,000 typical CRM numbers');
SELECT cmp_ok((SELECT count(fast)::numeric / count(*) FROM typical), '>=', 0.99,
    'the fast path decides at least 99% of typical CRM numbers');

------------------------------------------------------------------ invariants
SELECT is((SELECT count(*) FROM sample s
           WHERE (recon_normalize_phone(s.input, s.default_region) IS NULL)
                 <> (recon_normalize_phone_reason(s.input, s.default_region) IS NOT NULL)), 0::bigint,
    'normalize IS NULL <=> reason IS NOT NULL');
SELECT is((SELECT count(*) FROM sample WHERE auto LIKE '+%' AND auto !~ '^\+[1-9][0-9]{2,19}$'), 0::bigint,
    'every normalized value is + and digits, no leading zero in the calling code');
SELECT is((SELECT count(*) FROM typical WHERE reference LIKE '+%'
           AND recon_normalize_phone(reference, NULL) IS DISTINCT FROM reference), 0::bigint,
    'on typical numbers normalizing is idempotent: the E.164 result normalizes to itself without a region');
SELECT is((SELECT count(*) FROM sample WHERE auto LIKE '+%'
           AND recon_normalize_phone(input, default_region, 'meta') IS DISTINCT FROM substr(auto, 2)), 0::bigint,
    'the meta form is the E.164 form without +');
SELECT is((SELECT count(*) FROM sample WHERE auto NOT LIKE '+%'
           AND auto NOT IN ('missing', 'not_a_number', 'invalid_country_code', 'too_short_after_idd',
                            'too_short', 'too_long', 'not_possible_length', 'local_only')), 0::bigint,
    'reasons are the documented codes');
SELECT is((SELECT count(*) FROM sample WHERE recon_phone_is_valid(input, default_region)
           AND auto IN ('missing', 'not_a_number', 'invalid_country_code', 'too_short_after_idd')), 0::bigint,
    'a valid number always parses (it may still be local-only: valid is about ranges, not dialling form)');

SELECT * FROM finish();
ROLLBACK;
