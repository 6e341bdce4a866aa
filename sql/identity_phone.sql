-- identity_phone: phone numbers as E.164 by libphonenumber's rules
-- (src/identity/phone_sql.c, phone_fast.c, phone_lib.cpp).

-- The platforms' own vectors (shared/reference/platform-rules.md).
SELECT recon_normalize_phone('(650)555-1212', 'US', 'meta') AS meta_us,
       recon_normalize_phone('(800)555-0100', 'US', 'google') AS google_us,
       recon_normalize_phone('+44 844 412 4653', 'US', 'snap') AS snap_gb,
       recon_normalize_phone('(650)555-1212', 'US', 'google') AS google_same_number,
       recon_normalize_phone('(650)555-1212', 'US', 'tiktok') AS tiktok,
       recon_normalize_phone('(650)555-1212', 'US') AS default_e164;

-- The hashes the platforms expect follow from those values.
SELECT recon_sha256_hex(recon_normalize_phone('(650)555-1212', 'US', 'meta')) = 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176' AS meta_hash,
       recon_sha256_hex(recon_normalize_phone('(800)555-0100', 'US', 'google')) = 'fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30' AS google_hash,
       recon_sha256_hex(recon_normalize_phone('+44 844 412 4653', 'GB', 'snap')) = 'dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383' AS snap_hash;

-- Numbers from 20+ regions written national, international, with 00 or the region's own
-- international prefix; the reference (libphonenumber alone) answers the same.
SELECT region, input, recon_normalize_phone(input, region) AS e164,
       recon_normalize_phone_reason(input, region) AS reason,
       recon_phone_is_valid(input, region) AS valid,
       recon_normalize_phone(input, region) IS NOT DISTINCT FROM recon_normalize_phone_reference(input, region) AS same_as_reference
FROM (VALUES
    ('US', '(650) 555-1212'), ('US', '+1-650-555-1212'), ('US', '1 650 555 1212'), ('US', '011 44 7911 123456'),
    ('CA', '(604) 555-0199'), ('CA', '1-604-555-0199'),
    ('GB', '07911 123456'), ('GB', '+44 7911 123456'), ('GB', '0044 7911 123456'), ('GB', '020 7946 0018'),
    ('DE', '030 12345678'), ('DE', '+49 30 12345678'), ('DE', '0151 23456789'),
    ('FR', '01 23 45 67 89'), ('FR', '06.12.34.56.78'), ('FR', '+33 6 12 34 56 78'),
    ('ES', '612 34 56 78'), ('ES', '0034 612345678'),
    ('IT', '06 1234 5678'), ('IT', '+39 06 1234 5678'), ('IT', '312 345 6789'),
    ('NL', '020-1234567'), ('NL', '06 12345678'),
    ('AE', '050 123 4567'), ('AE', '+971 50 123 4567'), ('AE', '00971501234567'),
    ('SA', '050 123 4567'), ('SA', '+966 50 123 4567'),
    ('IN', '98765 43210'), ('IN', '091 98765 43210'), ('IN', '+91 98765 43210'),
    ('AU', '0412 345 678'), ('AU', '(02) 9876 5432'), ('AU', '0011 61 412 345 678'),
    ('BR', '(11) 91234-5678'), ('BR', '+55 11 91234 5678'), ('BR', '0 11 91234 5678'),
    ('MX', '55 1234 5678'), ('MX', '+52 1 55 1234 5678'),
    ('JP', '090-1234-5678'), ('JP', '03-1234-5678'), ('JP', '010 81 90 1234 5678'),
    ('KR', '010-1234-5678'), ('KR', '02-312-3456'),
    ('ZA', '071 123 4567'), ('ZA', '+27 71 123 4567'),
    ('NG', '0802 123 4567'), ('NG', '+234 802 123 4567'),
    ('SG', '8123 4567'), ('SG', '+65 6123 4567'),
    ('PL', '512 345 678'), ('PL', '+48 22 123 45 67'),
    ('CH', '044 668 18 00'), ('SE', '070-123 45 67'), ('RU', '8 (912) 345-67-89'), ('CN', '138 0013 8000'),
    ('AR', '011 15-2345-6789'), ('IE', '087 123 4567')
) AS t(region, input)
ORDER BY region COLLATE "C", input COLLATE "C";

-- Without a default region only numbers written with + parse (libphonenumber's ZZ).
SELECT input, recon_normalize_phone(input, NULL) AS e164, recon_normalize_phone_reason(input, NULL) AS reason
FROM unnest(ARRAY['+44 7911 123456', '0044 7911 123456', '07911 123456', '+1 650 555 1212']) AS input
ORDER BY input COLLATE "C";

-- Extensions are dropped; tel: URIs, junk around the number and fullwidth digits are read as libphonenumber reads them.
SELECT to_json(input) AS input, recon_normalize_phone(input, 'US') AS e164
FROM unnest(ARRAY['(650) 555-1212 ext. 123', '650-555-1212 x45', '+1 650 555 1212;ext=7', '650-555-1212 - 503#',
                  'tel:+1-650-555-1212', 'tel:650-555-1212;phone-context=+1', 'Phone: (650) 555-1212',
                  '６５０ ５５５ １２１２', '＋1 650 555 1212', '1-800-FLOWERS']) AS input
ORDER BY input COLLATE "C";

-- Control characters: libphonenumber skips them around the number; inside it they end it.
SELECT to_json(input) AS input, recon_normalize_phone(input, 'GB') AS e164, recon_normalize_phone_reason(input, 'GB') AS reason
FROM unnest(ARRAY[E'\t07911 123456\n', E'07911 123456\r\n', E'\x01' || '07911 123456', E'07911\x01123456',
                  E'+44 7911 123456\x7f', E'07911\t123456', E'\x1b[0m07911 123456']) AS input
ORDER BY input COLLATE "C";

-- Bad data gives NULL and a reason code, never an error.
SELECT to_json(input) AS input, region, e164, reason, valid
FROM (
    SELECT input, region, recon_normalize_phone(input, region) AS e164,
           recon_normalize_phone_reason(input, region) AS reason, recon_phone_is_valid(input, region) AS valid
    FROM (VALUES
        (NULL, 'US'), ('', 'US'), ('   ', 'US'), (E'\t\n', 'GB'),     -- missing
        ('hello', 'US'), ('--', 'US'), ('1', 'US'), ('1 2', 'US'),     -- not a number
        ('+999 123 456 789', 'US'), ('12345678', NULL),                -- no such calling code; no region for a national number
        ('00 44', 'GB'),                                               -- international prefix and too little after it
        ('555-12', 'US'), ('+44 79', 'GB'),                            -- too short
        ('+1 650 555 12120', 'US'), ('+44 7911 123456789012', 'GB'),   -- too long
        ('+41 44 668 18 000', 'CH'), ('+47 22 12 34', 'NO'),           -- lengths between the plan's lengths
        ('555-1212', 'US'), ('+49 30 1', 'DE'),                        -- dialable only inside an area
        ('+1 555 555 5555', 'US'), ('0412 34567', 'AU')                -- possible length but not assigned: normalizes, not valid
    ) AS t(input, region)
) s
ORDER BY reason COLLATE "C" NULLS FIRST, input COLLATE "C" NULLS FIRST;

-- Long input: over 250 bytes is too long (libphonenumber's own limit from 8.13 on; its 8.12 regexes are quadratic).
SELECT recon_normalize_phone(repeat('5', 10 * 1024 * 1024), 'US') AS ten_mb_digits,
       recon_normalize_phone_reason(repeat('5', 10 * 1024 * 1024), 'US') AS reason_digits,
       recon_normalize_phone_reason('+1 650 ' || repeat(' ', 10 * 1024 * 1024) || '555 1212', 'US') AS reason_spaces,
       recon_phone_is_valid(repeat('5', 10 * 1024 * 1024), 'US') AS valid,
       recon_normalize_phone('+1 650 555 1212' || repeat(' ', 235), 'US') AS padded_to_250,
       recon_normalize_phone_reason('+1 650 555 1212' || repeat(' ', 236), 'US') AS padded_to_251;

-- Misuse raises 22023 naming the bad value and the accepted ones.
SELECT regress.sqlstate_of($$SELECT recon_normalize_phone('650 555 1212', 'USA')$$) AS three_letters;
SELECT regress.sqlstate_of($$SELECT recon_normalize_phone('650 555 1212', 'XX')$$) AS unknown_region;
SELECT regress.sqlstate_of($$SELECT recon_normalize_phone('650 555 1212', 'ZZ')$$) AS zz_is_not_a_region;
SELECT regress.sqlstate_of($$SELECT recon_normalize_phone_reason(NULL, '')$$) AS empty_region_even_for_null_phone;
SELECT regress.sqlstate_of($$SELECT recon_normalize_phone('650 555 1212', 'US', 'linkedin')$$) AS platform_without_phone_rule,
       regress.sqlstate_of($$SELECT recon_normalize_phone('650 555 1212', 'US', 'bing')$$) AS unknown_platform;
SELECT regress.sqlstate_of($$SELECT recon_normalize_phone_reason('650 555 1212', 'US', NULL)$$) AS null_platform;
SELECT regress.sqlstate_of($$SELECT recon_phone_is_valid('650 555 1212', 'U1')$$) AS is_valid_region;
SELECT regress.sqlstate_of($$SELECT recon_phone_outcome('650 555 1212', 'US', 'slow')$$) AS unknown_method;
SELECT regress.sqlstate_of($$SELECT * FROM recon_phone_typical_sample(0)$$) AS zero_rows;

-- Region and platform names are case-insensitive.
SELECT recon_normalize_phone('07911 123456', 'gb', 'META') AS lower_region_upper_platform,
       recon_normalize_phone('07911 123456', 'Gb', 'Google') AS mixed;

-- What each method answers: fast path alone (NULL when unsure), libphonenumber alone, both.
SELECT to_json(input) AS input, recon_phone_outcome(input, 'GB', 'fast') AS fast,
       recon_phone_outcome(input, 'GB', 'reference') AS reference, recon_phone_outcome(input, 'GB') AS auto
FROM unnest(ARRAY['07911 123456', '+44 7911 123456', '0044 7911 123456', '07911 123456 ext. 9', '０７９１１ １２３４５６', '12', '',
                  E'07911 123456\r\n', E'07911\u00a0123456', E'07911\t123456']) AS input
ORDER BY input COLLATE "C";

-- The regions default_region accepts.
SELECT count(*) AS regions, count(*) FILTER (WHERE region ~ '^[A-Z]{2}$') AS two_letters,
       count(DISTINCT country_code) AS calling_codes
FROM recon_phone_regions();
SELECT region, country_code FROM recon_phone_regions()
WHERE region IN ('US', 'CA', 'GB', 'AE', 'IN', 'BR', 'JP', 'GG', 'VA')
ORDER BY region COLLATE "C";

-- The corpus: over 100,000 deterministic rows from every region's example numbers.
SELECT count(*) >= 100000 AS at_least_100k, count(DISTINCT default_region) >= 240 AS regions,
       count(*) FILTER (WHERE default_region IS NULL) > 0 AS has_no_region_rows,
       count(DISTINCT kind) > 40 AS many_kinds
FROM recon_phone_test_corpus();
SELECT md5(string_agg(input || '|' || coalesce(default_region, '') || '|' || kind, E'\n')) =
       (SELECT md5(string_agg(input || '|' || coalesce(default_region, '') || '|' || kind, E'\n')) FROM recon_phone_test_corpus()) AS deterministic
FROM recon_phone_test_corpus();

-- Bad-data contract on the whole corpus: normalize IS NULL exactly when reason IS NOT NULL.
SELECT count(*) FILTER (WHERE (recon_normalize_phone(input, default_region) IS NULL) <> (recon_normalize_phone_reason(input, default_region) IS NOT NULL)) AS contract_breaks
FROM recon_phone_test_corpus();
