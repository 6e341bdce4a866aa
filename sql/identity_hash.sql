-- identity_hash: recon_hash_identifier = normalize for the field and platform, then SHA-256.

-- The verified email vectors of platform-rules.md, by field name and by the platforms' key.
SELECT platform, field, input, recon_hash_identifier(input, field, platform) AS sha256
FROM (VALUES ('meta', 'email', 'John_Smith@gmail.com'),
             ('meta', 'em', '  John_Smith@GMAIL.com '),
             ('google', 'email', 'cloudy.sanfrancisco+shopping@gmail.com'),
             ('google', 'EMAIL', 'user.name+NYC@Example.com'),
             ('snap', 'email', 'Person@Example.com')) AS v(platform, field, input)
ORDER BY platform COLLATE "C", input COLLATE "C";

-- It is exactly SHA-256 of the normalized value.
SELECT recon_hash_identifier('Jane.Doe+Promo@GMAIL.com', 'email', 'google')
     = recon_sha256_hex(recon_normalize_email('Jane.Doe+Promo@GMAIL.com', 'google')) AS same_as_composed,
       recon_hash_identifier('Jane.Doe+Promo@GMAIL.com', 'email', 'google')
     = encode(sha256(convert_to('janedoe@gmail.com', 'UTF8')), 'hex') AS same_as_core_sha256;

-- Missing and unusable values give NULL, never the hash of '' (e3b0c442...); the reason says why.
SELECT coalesce(input, '<NULL>') AS input, recon_hash_identifier(input, 'email') AS sha256,
       recon_hash_identifier_reason(input, 'email') AS reason
FROM (VALUES (NULL), (''), ('  '), ('not an email'), ('a@b@c')) AS v(input)
ORDER BY v.input COLLATE "C" NULLS FIRST;

-- A value that already is a digest passes unchanged (surrounding blanks dropped), also with
-- the ".suffix" Meta's parameter builders append; upper-case hex is not a platform digest.
SELECT left(input, 12) || '...' || right(input, 12) AS input,
       recon_hash_identifier(input, 'email') AS result,
       recon_hash_identifier_reason(input, 'email') AS reason
FROM (VALUES ('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f'),
             (' 62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f '),
             ('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.AbCdEfGh'),
             ('62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F'),
             ('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62'),
             ('62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f.')) AS v(input)
ORDER BY v.input COLLATE "C";

-- Fields the platforms match as sent are refused for every platform, naming the rule.
SELECT field, regress.sqlstate_of(format('SELECT recon_hash_identifier(%L, %L, %L)', 'x', field, platform)) AS outcome
FROM unnest(ARRAY['fbc', 'fbp', 'client_ip_address', 'client_user_agent', 'lead_id', 'ctwa_clid', 'gclid', 'FBCLID']) AS field,
     unnest(ARRAY['meta']) AS platform
ORDER BY field COLLATE "C";
SELECT * FROM regress.error_of($$SELECT recon_hash_identifier('fb.1.1700000000000.abc', 'fbc', 'meta')$$);

-- Misuse: unknown field or platform, NULL field or platform; refused even on a NULL value.
SELECT * FROM regress.error_of($$SELECT recon_hash_identifier('a@b.c', 'e-mail')$$);
SELECT * FROM regress.error_of($$SELECT recon_hash_identifier('a@b.c', 'email', 'bing')$$);
SELECT regress.sqlstate_of($$SELECT recon_hash_identifier(NULL, 'e-mail')$$) AS null_value_bad_field,
       regress.sqlstate_of($$SELECT recon_hash_identifier('a@b.c', NULL)$$) AS null_field,
       regress.sqlstate_of($$SELECT recon_hash_identifier_reason('a@b.c', 'email', NULL)$$) AS null_platform;

-- Every customer field hashes through its own normalizer; the record's country (any spelling
-- recon_normalize_country reads) picks the zip and state rules.
SELECT field, input, country,
       recon_hash_identifier(input, field, 'meta', country) = recon_sha256_hex(normalized) AS hashes_the_normalized_value,
       normalized
FROM (VALUES ('first_name', 'Dr. Mary-Ann', NULL, recon_normalize_first_name('Dr. Mary-Ann')),
             ('last_name', 'O''Brien', NULL, recon_normalize_last_name('O''Brien')),
             ('city', 'São Paulo', NULL, recon_normalize_city('São Paulo')),
             ('state', 'California', 'United States', recon_normalize_state('California', 'us')),
             ('zip', '94035-1234', 'USA', recon_normalize_zip('94035-1234', 'us')),
             ('zip', 'M1 1AE', 'United Kingdom', recon_normalize_zip('M1 1AE', 'gb')),
             ('zip', '75008', 'France', recon_normalize_zip('75008', 'fr')),
             ('country', 'Deutschland', NULL, recon_normalize_country('Deutschland')),
             ('date_of_birth', '1997-02-16', NULL, recon_normalize_date_of_birth('1997-02-16')),
             ('gender', 'Female', NULL, recon_normalize_gender('Female')),
             ('external_id', ' CRM-0042 ', NULL, recon_normalize_external_id(' CRM-0042 '))) AS v(field, input, country, normalized)
ORDER BY field COLLATE "C", input COLLATE "C";

-- Google takes country and postal code in clear, and has no date of birth or gender field.
SELECT field, regress.sqlstate_of(format('SELECT recon_hash_identifier(%L, %L, %L)', 'x', field, 'google')) AS outcome
FROM unnest(ARRAY['zip', 'postal_code', 'country', 'date_of_birth', 'gender']) AS field
ORDER BY field COLLATE "C";

-- Phones: fast path or libphonenumber, E.164 digits for Meta and Snap, with '+' elsewhere;
-- the record's country is the default region of national numbers.
SELECT platform, input, country, recon_hash_identifier(input, 'phone', platform, country)
       = recon_sha256_hex(recon_normalize_phone(input, recon_normalize_country(country, 'google'), platform)) AS hashes_the_e164_form,
       recon_normalize_phone(input, recon_normalize_country(country, 'google'), platform) AS normalized,
       recon_hash_identifier_reason(input, 'ph', platform, country) AS reason
FROM (VALUES ('meta', '(650) 555-1212', 'United States'), ('google', '(650) 555-1212', 'us'),
             ('tiktok', '050 123 4567', 'AE'), ('snap', '+44 7911 123456', NULL),
             ('meta', '07911 123456', 'United Kingdom'), ('meta', '07911 123456', NULL),
             ('generic', '0049 30 1234567', 'DE'), ('meta', '555-1212', 'US'), ('meta', 'n/a', 'US')) AS v(platform, input, country)
ORDER BY platform COLLATE "C", input COLLATE "C", country COLLATE "C";
SELECT * FROM regress.error_of($$SELECT recon_hash_identifier('+1 650 555 1212', 'phone', 'linkedin')$$);
