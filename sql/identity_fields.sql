-- identity_fields: the customer fields other than email and phone (src/identity/name.c,
-- location.c, country.c, date_of_birth.c, gender.c, external_id.c) and their reason companions.

-- The verified vectors of platform-rules.md (Meta): normalized value and its SHA-256.
SELECT field, input, normalized, recon_sha256_hex(normalized) AS sha256
FROM (VALUES ('fn', 'Mary', recon_normalize_first_name('Mary')),
             ('fn', '정', recon_normalize_first_name('정')),
             ('fn', 'Valéry', recon_normalize_first_name('Valéry')),
             ('db', '2/16/1997', recon_normalize_date_of_birth('2/16/1997')),
             ('ct', 'New York', recon_normalize_city('New York')),
             ('st', 'CA', recon_normalize_state('CA')),
             ('zp', '94035-1234', recon_normalize_zip('94035-1234')),
             ('zp', 'M1 1AE', recon_normalize_zip('M1 1AE')),
             ('country', 'United States', recon_normalize_country('United States'))) AS v(field, input, normalized)
ORDER BY field COLLATE "C", input COLLATE "C";
-- ... the same vectors with the country given where the rules imply one.
SELECT recon_normalize_zip('94035-1234', 'US') AS us_zip, recon_normalize_zip('M1 1AE', 'GB') AS uk_postcode,
       recon_normalize_state('CA', 'United States') AS us_state;
-- ... and Meta's gender values.
SELECT recon_normalize_gender('f') AS f, recon_normalize_gender('m') AS m;

------------------------------------------------------------------ names
-- Unicode letters are kept (NFC, lower case): Hangul, accents, decomposed accents, other scripts.
SELECT input, recon_normalize_first_name(input) AS meta, octet_length(recon_normalize_first_name(input)) AS bytes,
       recon_normalize_first_name(input, 'google') AS google
FROM (VALUES ('정'), ('Valéry'), (U&'Vale\0301ry'), ('ÉLODIE'), ('Ångström'), ('Ólafur Örn'), ('Δημήτρης'),
             ('Владимир'), ('أحمد'), ('देवनागरी'), ('山田'), ('Straße'), (U&'\0130lker')) AS v(input)
ORDER BY input COLLATE "C";
-- A dropped character between a letter and its combining mark: the two compose (found by fuzzing).
SELECT recon_normalize_first_name(U&'Ly\005C\0300') = U&'l\1EF3' AS composed_after_filter,
       recon_normalize_city(U&'Ly-\0300on', 'google') = U&'ly \0300on' AS mark_after_space_kept;
-- Composed and decomposed accents hash the same.
SELECT recon_sha256_hex(recon_normalize_last_name(U&'Vale\0301ry')) = recon_sha256_hex(recon_normalize_last_name(U&'Val\00E9ry')) AS same_hash;

-- Punctuation and white space: Meta keeps letters only; Google keeps the words, ' and -.
SELECT input, recon_normalize_last_name(input) AS meta, recon_normalize_last_name(input, 'google') AS google
FROM (VALUES ('O''Brien'), (U&'O\2019Brien'), ('Jean-Luc'), ('  Mary   Ann  '), (E'Mary\tAnn'), ('St. John'),
             ('van der Berg'), ('MACDONALD'), (U&'Zo\00EB\00A0Smith'), (U&'Ann\200Ba'), (U&'Jos\00E9\200E'),
             (U&'so\00ADphie'), ('(Smith)'), ('-Mary-'), ('''Jean'' - Luc'), (U&'d\2019Arc\2019'), ('- '' -')) AS v(input)
ORDER BY input COLLATE "C";

-- Google drops titles before a first name and suffixes after a last name (Meta does not).
SELECT input, recon_normalize_first_name(input, 'google') AS google_first, recon_normalize_first_name(input) AS meta_first
FROM (VALUES ('Mr John'), ('Mrs. Jane'), ('Dr. Prof. Ada'), ('Ms Mary Ann'), ('Miss'), ('Sir Elton'),
             ('Mx. Sam'), ('Drew'), ('Mrs.')) AS v(input)
ORDER BY input COLLATE "C";
SELECT input, recon_normalize_last_name(input, 'google') AS google_last, recon_normalize_last_name(input) AS meta_last
FROM (VALUES ('Smith Jr.'), ('Smith, Jr'), ('King III'), ('Gates Sr'), ('Doe PhD'), ('Ivy'), ('Jr.'),
             ('Junior'), ('Smith Esq.')) AS v(input)
ORDER BY input COLLATE "C";

-- Unusable names: NULL, and the companion says why (NEL, U+0085, is white space in Unicode, so it is not one).
SELECT left(input, 16) AS input, recon_normalize_first_name(input) AS normalized,
       recon_normalize_first_name_reason(input) AS meta_reason,
       recon_normalize_first_name_reason(input, 'google') AS google_reason
FROM (VALUES (NULL), (''), ('   '), ('---'), ('John2'), ('42'), ('Ahmad٣'), ('Ｊｏｈｎ１'), (E'Jo\u0001hn'), (U&'Jo\0085hn'), (E'Jo\u007fhn'),
             (repeat('a', 1025)), (repeat('a', 257))) AS v(input)
ORDER BY v.input COLLATE "C" NULLS FIRST;
-- A 10 MB name is refused without being read (over 4,096 bytes, docs/limits.md); spaces
-- around a name are trimmed as long as the whole value stays within that limit.
SELECT recon_normalize_first_name_reason(repeat('Ä', 5 * 1024 * 1024)) AS ten_megabytes,
       recon_normalize_first_name(repeat(' ', 4000) || 'Mary' || repeat(' ', 10)) AS padded,
       recon_normalize_first_name_reason(repeat(' ', 10 * 1024 * 1024) || 'Mary' || repeat(' ', 10)) AS padded_ten_megabytes;

------------------------------------------------------------------ city, state
SELECT input, recon_normalize_city(input) AS meta, recon_normalize_city(input, 'google') AS google,
       recon_normalize_city_reason(input) AS reason
FROM (VALUES ('New York'), ('  SAN FRANCISCO '), ('St. Louis'), ('Winston-Salem'), ('Zürich'), ('São Paulo'),
             ('서울'), ('Paris 15'), ('...'), (''), (E'Ber\u0002lin')) AS v(input)
ORDER BY input COLLATE "C";

-- US state names become codes when the country is US or unknown; elsewhere the region is cleaned.
SELECT input, country, recon_normalize_state(input, country) AS meta, recon_normalize_state(input, country, 'google') AS google,
       recon_normalize_state_reason(input, country) AS reason
FROM (VALUES ('CA', NULL), ('California', NULL), (' new  york ', 'US'), ('N.Y.', 'usa'), ('District of Columbia', 'us'),
             ('Washington, D.C.', NULL), ('Puerto Rico', NULL), ('Ontario', 'CA'), ('Ontario', NULL), ('Ontario', 'US'),
             ('Bayern', 'Germany'), ('Île-de-France', 'fr'), ('Georgia', NULL), ('Georgia', 'GE'), ('XX', 'US'),
             ('Texas', 'Atlantis'), ('', 'US')) AS v(input, country)
ORDER BY input COLLATE "C", country COLLATE "C" NULLS FIRST;

------------------------------------------------------------------ zip
SELECT input, country, recon_normalize_zip(input, country) AS meta, recon_normalize_zip(input, country, 'google') AS google,
       recon_normalize_zip_reason(input, country) AS reason
FROM (VALUES ('94035-1234', NULL), ('94035 1234', NULL), ('940351234', NULL), ('940351234', 'US'), ('02134', 'us'),
             ('2134', 'US'), ('94035-12', 'US'), ('ABCDE', 'US'), ('M1 1AE', NULL), ('m11ae', 'GB'), ('SW1A 1AA', 'uk'),
             ('EC1A 1BB', 'United Kingdom'), ('W1A 0AX', 'GB'), ('CR2 6XH', 'gb'), ('DN55 1PT', 'GB'), ('GIR 0AA', 'GB'),
             ('M1', 'GB'), ('M1 1A', 'GB'), ('1M1 1AE', 'GB'), ('K1A 0B1', 'Canada'), ('75008', 'FR'),
             ('1234-567', 'PT'), ('10115', NULL), ('  k1a-0b1 ', NULL), ('94035#1', NULL), ('---', NULL),
             ('9403é', NULL), (E'94\u000135', NULL), (repeat('1', 33), NULL)) AS v(input, country)
ORDER BY input COLLATE "C", country COLLATE "C" NULLS FIRST;

------------------------------------------------------------------ country
SELECT input, recon_normalize_country(input) AS meta, recon_normalize_country(input, 'google') AS google,
       recon_normalize_country(input, 'linkedin') AS linkedin, recon_normalize_country_reason(input) AS reason
FROM (VALUES ('United States'), ('US'), ('usa'), ('U.S.A.'), ('U.S.'), ('United States of America'), ('America'),
             ('UK'), ('Great Britain'), ('England'), ('Scotland'), ('GBR'), ('Deutschland'), ('germany'),
             ('Côte d''Ivoire'), ('Cote d''Ivoire'), ('Ivory Coast'), ('Korea, Republic of'), ('South Korea'),
             ('Türkiye'), ('Turkey'), ('Viet Nam'), ('Vietnam'), ('Åland Islands'), ('The Netherlands'),
             ('Atlantis'), ('XK'), ('U5'), ('Korea'), ('...'), ('')) AS v(input)
ORDER BY input COLLATE "C";
SELECT count(*) AS iso_keys_spot_check FROM (VALUES ('fr'), ('FRA'), ('France'), ('jp'), ('JPN'), ('Japan')) v(c)
WHERE recon_normalize_country(c) IN ('fr', 'jp');

------------------------------------------------------------------ date of birth
SELECT input, recon_normalize_date_of_birth(input) AS mdy, recon_normalize_date_of_birth(input, 'dmy') AS dmy,
       recon_normalize_date_of_birth(input, 'strict') AS strict,
       recon_normalize_date_of_birth_reason(input, 'strict') AS strict_reason
FROM (VALUES ('2/16/1997'), ('16/2/1997'), ('2/3/1997'), ('3/3/1997'), ('02-03-1997'), ('03.02.1997'), ('1997-02-16'),
             ('1997/2/16'), ('1997.02.16'), ('19970216'), ('1997-02-16T08:30:00Z'), ('1997-02-16 08:30:00+02'),
             ('2/16/1997 0:00:00'), ('2/16/1997 12:00 AM'), ('16 Feb 1997'), ('Feb 16, 1997'), ('February 16 1997'),
             ('16-FEB-1997'), ('1997 Sept 16'), ('2/29/2000'), ('2/29/1900'), ('2/29/1996'), ('2/29/1997'),
             ('13/13/1997'), ('4/31/1997'), ('0/10/1997'), ('2/16/97'), ('16 Feb 97'), ('1/1/1899'), ('1/1/2100'),
             ('12/31/2099'), ('1997-16-02'), ('16021997'), ('1997-02'), ('yesterday'), ('16th Feb 1997'),
             ('2/16/1997/1'), ('2/16/1997 noon'), ('١٩٩٧-٠٢-١٦'), ('')) AS v(input)
ORDER BY input COLLATE "C";

------------------------------------------------------------------ gender
SELECT input, recon_normalize_gender(input) AS normalized, recon_normalize_gender_reason(input) AS reason
FROM (VALUES ('f'), ('F'), (' Female '), ('WOMAN'), ('w'), ('f.'), ('m'), ('M.'), ('male'), ('Man'), ('x'),
             ('non-binary'), ('unknown'), ('fe male'), ('femme'), ('♀'), (''), (E'f\u0001')) AS v(input)
ORDER BY input COLLATE "C";

------------------------------------------------------------------ external id
SELECT input, recon_normalize_external_id(input) AS normalized, recon_normalize_external_id_reason(input) AS reason
FROM (VALUES ('  CRM-00042 '), ('AbC'), ('abc'), ('id with spaces'), (U&'\00A0x1\FEFF'), ('ÄÖÜ-7'), (E'a\tb'),
             (U&'a\0085b'), (''), ('   ')) AS v(input)
ORDER BY input COLLATE "C";
SELECT recon_normalize_external_id_reason(repeat('x', 1025)) AS over_1024, octet_length(recon_normalize_external_id(repeat('x', 1024))) AS at_1024;

------------------------------------------------------------------ every field
-- NULL input: NULL, reason 'missing'; NULL or blank is never normalized.
SELECT recon_normalize_first_name(NULL), recon_normalize_last_name_reason(NULL), recon_normalize_city_reason(NULL),
       recon_normalize_state(NULL), recon_normalize_state_reason(NULL), recon_normalize_zip(NULL, 'US'),
       recon_normalize_zip_reason(NULL), recon_normalize_country_reason(NULL), recon_normalize_date_of_birth_reason(NULL),
       recon_normalize_gender_reason(NULL), recon_normalize_external_id_reason(NULL);

-- Every non-NULL input either normalizes or has a reason, never both, for every field and platform.
WITH inputs(v) AS (
    SELECT unnest(ARRAY['Mary', '', ' ', 'x', 'New York', 'CA', '94035-1234', 'M1 1AE', 'United States', '2/16/1997',
                        '2/3/1997', 'f', 'Female', 'Dr', 'Jr.', 'O''Brien', 'a1', E'a\u0001', '정', U&'e\0301', '---',
                        '1997-02-30', 'GB', 'zz', repeat('y', 2000)])
), results AS (
    SELECT f, p, v, n, r FROM inputs, LATERAL (VALUES
        ('first_name', 'meta', recon_normalize_first_name(v), recon_normalize_first_name_reason(v)),
        ('first_name', 'google', recon_normalize_first_name(v, 'google'), recon_normalize_first_name_reason(v, 'google')),
        ('last_name', 'google', recon_normalize_last_name(v, 'google'), recon_normalize_last_name_reason(v, 'google')),
        ('last_name', 'meta', recon_normalize_last_name(v), recon_normalize_last_name_reason(v)),
        ('city', 'meta', recon_normalize_city(v), recon_normalize_city_reason(v)),
        ('city', 'google', recon_normalize_city(v, 'google'), recon_normalize_city_reason(v, 'google')),
        ('state', 'meta', recon_normalize_state(v), recon_normalize_state_reason(v)),
        ('state', 'us', recon_normalize_state(v, 'us'), recon_normalize_state_reason(v, 'us')),
        ('zip', 'meta', recon_normalize_zip(v), recon_normalize_zip_reason(v)),
        ('zip', 'gb google', recon_normalize_zip(v, 'gb', 'google'), recon_normalize_zip_reason(v, 'gb', 'google')),
        ('zip', 'us', recon_normalize_zip(v, 'us'), recon_normalize_zip_reason(v, 'us')),
        ('country', 'meta', recon_normalize_country(v), recon_normalize_country_reason(v)),
        ('date_of_birth', 'strict', recon_normalize_date_of_birth(v, 'strict'), recon_normalize_date_of_birth_reason(v, 'strict')),
        ('gender', 'meta', recon_normalize_gender(v), recon_normalize_gender_reason(v)),
        ('external_id', 'tiktok', recon_normalize_external_id(v, 'tiktok'), recon_normalize_external_id_reason(v, 'tiktok'))
    ) AS x(f, p, n, r)
)
SELECT count(*) AS rows_checked, count(*) FILTER (WHERE (n IS NULL) = (r IS NULL)) AS violations,
       count(*) FILTER (WHERE n = '') AS empty_results
FROM results;

-- 10 MB values: every field refuses them after one validation pass, without folding them.
SELECT recon_normalize_last_name_reason(v, 'google') AS last_name, recon_normalize_city_reason(v) AS city,
       recon_normalize_state_reason(v, 'US') AS state, recon_normalize_zip_reason(v) AS zip,
       recon_normalize_country_reason(v) AS country, recon_normalize_date_of_birth_reason(v) AS dob,
       recon_normalize_gender_reason(v) AS gender, recon_normalize_external_id_reason(v) AS external_id
FROM (SELECT repeat('Ab ', 10 * 1024 * 1024 / 3) AS v) AS t;

------------------------------------------------------------------ misuse
-- Unknown platforms, and platforms without the field, are errors naming the accepted ones.
SELECT * FROM regress.error_of($$SELECT recon_normalize_first_name('Mary', 'facebook')$$);
SELECT * FROM regress.error_of($$SELECT recon_normalize_first_name('Mary', 'tiktok')$$);
SELECT * FROM regress.error_of($$SELECT recon_normalize_date_of_birth('2/16/1997', 'mdy', 'google')$$);
SELECT * FROM regress.error_of($$SELECT recon_normalize_date_of_birth('2/16/1997', 'ymd')$$);
SELECT regress.sqlstate_of(sql) AS outcome, sql
FROM unnest(ARRAY[
    $$SELECT recon_normalize_last_name('x', 'linkedin')$$,
    $$SELECT recon_normalize_city('x', 'tiktok')$$,
    $$SELECT recon_normalize_state('x', NULL, 'meta ads')$$,
    $$SELECT recon_normalize_zip('x', NULL, '')$$,
    $$SELECT recon_normalize_country('x', 'tiktok')$$,
    $$SELECT recon_normalize_gender('x', 'google')$$,
    $$SELECT recon_normalize_external_id('x', 'bing')$$,
    $$SELECT recon_normalize_state('x', 'us', NULL)$$,
    $$SELECT recon_normalize_zip_reason(NULL, NULL, NULL)$$,
    $$SELECT recon_normalize_first_name_reason('x', NULL)$$,
    $$SELECT recon_normalize_date_of_birth_reason('1/1/2000', NULL)$$,
    $$SELECT recon_normalize_gender_reason(NULL, 'nope')$$]) AS sql
ORDER BY sql COLLATE "C";
-- STRICT functions give NULL for a NULL platform or date order; platform names ignore case and blanks.
SELECT recon_normalize_first_name('Mary', NULL) AS strict_platform, recon_normalize_date_of_birth('1/1/2000', NULL) AS strict_order,
       recon_normalize_country('France', ' Google ') AS mixed_case_platform, recon_normalize_date_of_birth('2/3/1997', 'DMY') AS mixed_case_order;

-- Bytes that are not UTF-8 cannot reach a text value in a UTF-8 database, but they can in
-- a SQL_ASCII one: there they are reported, not hashed.
\set regress_db :DBNAME
CREATE DATABASE recon_sql_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c recon_sql_ascii
CREATE EXTENSION recon;
SELECT recon_normalize_first_name_reason(v) AS first_name, recon_normalize_last_name_reason(v, 'google') AS last_name,
       recon_normalize_city_reason(v) AS city, recon_normalize_state_reason(v) AS state, recon_normalize_zip_reason(v) AS zip,
       recon_normalize_country_reason(v) AS country, recon_normalize_date_of_birth_reason(v) AS dob,
       recon_normalize_gender_reason(v) AS gender, recon_normalize_external_id_reason(v) AS external_id
FROM (VALUES (E'Val\xe9ry'), (E'\xc0\xaf'), (E'\xed\xa0\x80'), (E'x\xf4\x90\x80\x80')) AS v(v);
-- a country hint with invalid bytes is an unknown country, not an error
SELECT recon_normalize_zip('94035', E'U\xffS') AS zip, recon_normalize_state('California', E'\xff') AS state,
       recon_normalize_first_name(E'Val\xc3\xa9ry') AS valid_bytes;
\c :regress_db
DROP DATABASE recon_sql_ascii;
