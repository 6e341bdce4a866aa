-- recon 0.1.0 as released (git tag v0.1.0). Frozen: never edit; changes go into an upgrade script
-- (src/upgrade/) and into src/**/*.sql for fresh installs of the next version.
\echo Use "CREATE EXTENSION recon" to load this file. \quit

-- ===== src/core/currency.sql =====
-- Currencies: ISO 4217 codes and minor units (src/core/currency.c).

CREATE FUNCTION recon_currency(code text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_currency' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_currency(text) IS
    'Canonical ISO 4217 code for a currency written loosely ('' usd '' -> USD); raises 22023 for an unknown code.';

CREATE FUNCTION recon_currency_minor_units(code text) RETURNS integer
    AS 'MODULE_PATHNAME', 'recon_currency_minor_units' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_currency_minor_units(text) IS
    'Decimal places of a currency per ISO 4217 (JPY 0, USD 2, KWD 3, CLF 4); raises 22023 for an unknown code.';

CREATE FUNCTION recon_currency_is_known(code text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'recon_currency_is_known' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_currency_is_known(text) IS
    'True when the value is a canonical (upper-case, no blanks) ISO 4217 code recon knows; never raises.';

CREATE FUNCTION recon_currency_check(code text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'recon_currency_check' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_currency_check(text) IS
    'Check behind the recon_currency_code domain: true for a canonical code, otherwise raises 22023 saying why.';

CREATE FUNCTION recon_currencies(OUT code text, OUT minor_units integer) RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'recon_currencies' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 170;
COMMENT ON FUNCTION recon_currencies() IS
    'Every ISO 4217 currency recon knows, with its minor units.';

CREATE DOMAIN recon_currency_code AS text COLLATE "C" CHECK (recon_currency_check(VALUE));
COMMENT ON DOMAIN recon_currency_code IS
    'An upper-case ISO 4217 currency code known to recon (see recon_currencies()).';

-- ===== src/core/money.sql =====
-- Money: exact minor-unit conversions and rounding per currency (src/core/money.c).

CREATE FUNCTION recon_money_from_minor(minor_units bigint, currency text) RETURNS numeric
    AS 'MODULE_PATHNAME', 'recon_money_from_minor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_money_from_minor(bigint, text) IS
    'Amount from minor units per ISO 4217 exponent: (1999, USD) -> 19.99, (1999, JPY) -> 1999, (1999, KWD) -> 1.999.';

CREATE FUNCTION recon_money_to_minor(amount numeric, currency text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'recon_money_to_minor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_money_to_minor(numeric, text) IS
    'Minor units of an amount: (19.99, USD) -> 1999; raises 22023 when the amount has more decimals than the currency allows.';

CREATE FUNCTION recon_money_round(amount numeric, currency text) RETURNS numeric
    AS 'MODULE_PATHNAME', 'recon_money_round' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_money_round(numeric, text) IS
    'Amount rounded half away from zero to the currency''s minor units (USD 2 places, JPY 0).';

-- ===== src/core/timezone.sql =====
-- Time zones: IANA names only (src/core/timezone.c).

CREATE FUNCTION recon_timezone(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_timezone' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_timezone(text) IS
    'Canonical IANA time zone name (''america/new_york'' -> ''America/New_York''); raises 22023 for abbreviations, offsets and unknown names. STABLE: the zone list comes from the server''s tz database.';

CREATE FUNCTION recon_timezone_check(name text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'recon_timezone_check' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_timezone_check(text) IS
    'Check behind the recon_timezone_name domain: true for a canonical IANA zone name, otherwise raises 22023 saying why.';

CREATE DOMAIN recon_timezone_name AS text COLLATE "C" CHECK (recon_timezone_check(VALUE));
COMMENT ON DOMAIN recon_timezone_name IS
    'An IANA time zone name in the spelling of the server''s tz database (America/New_York, UTC).';

-- ===== src/core/sha256_hex.sql =====
-- SHA-256 hex digests: computing and recognizing them (src/core/sha256_hex.c).

CREATE FUNCTION recon_is_sha256_hex(value text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'recon_is_sha256_hex' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_is_sha256_hex(text) IS
    'True when the value is a SHA-256 digest in the platforms'' form: exactly 64 lower-case hex characters.';

CREATE DOMAIN recon_sha256_digest AS text COLLATE "C" CHECK (recon_is_sha256_hex(VALUE));
COMMENT ON DOMAIN recon_sha256_digest IS
    'A SHA-256 digest as 64 lower-case hex characters (hashed email, phone, name...).';

CREATE FUNCTION recon_sha256_hex(value text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_sha256_hex' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_sha256_hex(text) IS
    'SHA-256 of the value''s bytes as 64 lower-case hex characters, the form the ad platforms want for hashed keys; NULL for NULL or an empty value (never the hash of an empty string). Hashes exactly what it is given: normalize first.';

-- ===== src/identity/email.sql =====
-- Email normalization per platform (src/identity/email.c).

CREATE FUNCTION recon_normalize_email(email text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_email' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_email(text, text) IS
    'The email as the platform wants it before hashing (meta, google, tiktok, linkedin, snap, generic): trimmed, Unicode NFC, lower case; Google also removes white space and, for gmail.com and googlemail.com only, the dots and +tag of the local part. NULL when unusable: recon_normalize_email_reason says why.';

CREATE FUNCTION recon_normalize_email_reason(email text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_email_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_email_reason(text, text) IS
    'Why recon_normalize_email returns NULL for this value, as a data-quality code (missing, invalid_utf8, control_character, internal_whitespace, missing_at, multiple_at, empty_local_part, empty_domain, too_long); NULL when the email normalizes.';

-- ===== src/identity/name.sql =====
-- First and last names per platform (src/identity/name.c).

CREATE FUNCTION recon_normalize_first_name(first_name text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_first_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_first_name(text, text) IS
    'The first name as the platform wants it before hashing (meta, google, snap, generic): Unicode NFC, lower case; Meta, Snap and generic keep letters of any script only (Mary -> mary, Jean-Luc -> jeanluc); Google keeps the words with single spaces, apostrophes and hyphens, and drops leading titles (Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Dame, Lady, Lord, Rev). NULL when unusable: recon_normalize_first_name_reason says why.';

CREATE FUNCTION recon_normalize_first_name_reason(first_name text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_first_name_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_first_name_reason(text, text) IS
    'Why recon_normalize_first_name returns NULL for this value (missing, invalid_utf8, control_character, too_long, no_letters, contains_digits, only_title_or_suffix); NULL when the name normalizes.';

CREATE FUNCTION recon_normalize_last_name(last_name text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_last_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_last_name(text, text) IS
    'The last name as the platform wants it before hashing (meta, google, snap, generic): Unicode NFC, lower case; Meta, Snap and generic keep letters of any script only (O''Brien -> obrien); Google keeps the words with single spaces, apostrophes and hyphens, and drops trailing suffixes (Jr, Jnr, Sr, Snr, II, III, IV, PhD, MD, Esq). NULL when unusable: recon_normalize_last_name_reason says why.';

CREATE FUNCTION recon_normalize_last_name_reason(last_name text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_last_name_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_last_name_reason(text, text) IS
    'Why recon_normalize_last_name returns NULL for this value (missing, invalid_utf8, control_character, too_long, no_letters, contains_digits, only_title_or_suffix); NULL when the name normalizes.';

-- ===== src/identity/location.sql =====
-- City, state and zip/postal code per platform (src/identity/location.c).

CREATE FUNCTION recon_normalize_city(city text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_city' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_city(text, text) IS
    'The city as the platform wants it (meta, google, snap, generic): Unicode NFC, lower case; Meta, Snap and generic keep letters and digits only (New York -> newyork); Google (sent in clear) keeps the words with one space between them (new york). NULL when unusable: recon_normalize_city_reason says why.';

CREATE FUNCTION recon_normalize_city_reason(city text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_city_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_city_reason(text, text) IS
    'Why recon_normalize_city returns NULL for this value (missing, invalid_utf8, control_character, too_long, no_letters); NULL when the city normalizes.';

CREATE FUNCTION recon_normalize_state(state text, country text DEFAULT NULL, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_state' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_state(text, text, text) IS
    'The state or region as the platform wants it (meta, google, snap, generic). When country is US or NULL/unknown, a US state name or code becomes its two-letter code (California -> ca; CA for Google); other regions are cleaned like a city. country is any spelling recon_normalize_country reads; an unrecognized one counts as unknown. NULL when unusable: recon_normalize_state_reason says why.';

CREATE FUNCTION recon_normalize_state_reason(state text, country text DEFAULT NULL, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_state_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_state_reason(text, text, text) IS
    'Why recon_normalize_state returns NULL for this value (missing, invalid_utf8, control_character, too_long, no_letters, unknown_us_state); NULL when the state normalizes.';

CREATE FUNCTION recon_normalize_zip(zip text, country text DEFAULT NULL, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_zip' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_zip(text, text, text) IS
    'The zip or postal code as the platform wants it (meta, google, snap, generic). US (or an unknown country and a ddddd-dddd value): the 5-digit ZIP. UK: a checked full postcode. Meta, Snap, generic: lower case without spaces or dashes (M1 1AE -> m11ae); Google (sent in clear): upper case as written, one space between parts (M1 1AE). NULL when unusable: recon_normalize_zip_reason says why.';

CREATE FUNCTION recon_normalize_zip_reason(zip text, country text DEFAULT NULL, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_zip_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_zip_reason(text, text, text) IS
    'Why recon_normalize_zip returns NULL for this value (missing, invalid_utf8, control_character, too_long, invalid_postal_code, invalid_us_zip, invalid_uk_postcode); NULL when the zip normalizes.';

-- ===== src/identity/country.sql =====
-- Countries to ISO 3166-1 alpha-2 (src/identity/country.c).

CREATE FUNCTION recon_normalize_country(country text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_country' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_country(text, text) IS
    'The ISO 3166-1 alpha-2 code of a country given as alpha-2, alpha-3, ISO English name or common alias (United States, USA, U.S.A., UK, England, Deutschland, ...): lower case for meta, snap and generic (us), upper case for google and linkedin (US). NULL when unusable: recon_normalize_country_reason says why.';

CREATE FUNCTION recon_normalize_country_reason(country text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_country_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_country_reason(text, text) IS
    'Why recon_normalize_country returns NULL for this value (missing, invalid_utf8, control_character, too_long, unknown_country); NULL when the country normalizes.';

-- ===== src/identity/date_of_birth.sql =====
-- Dates of birth to YYYYMMDD (src/identity/date_of_birth.c).

CREATE FUNCTION recon_normalize_date_of_birth(date_of_birth text, date_order text DEFAULT 'mdy', platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_date_of_birth' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_date_of_birth(text, text, text) IS
    'A date of birth as YYYYMMDD (meta, snap, generic): reads YYYYMMDD, YYYY-MM-DD (also / or ., with or without a time), M/D/YYYY and D/M/YYYY (also - or .) and English month names. date_order (mdy, dmy, strict) decides only dates whose first two numbers could both be the month; strict refuses them. Two-digit years, impossible dates and years outside 1900-2099 are refused. NULL when unusable: recon_normalize_date_of_birth_reason says why.';

CREATE FUNCTION recon_normalize_date_of_birth_reason(date_of_birth text, date_order text DEFAULT 'mdy', platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_date_of_birth_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_date_of_birth_reason(text, text, text) IS
    'Why recon_normalize_date_of_birth returns NULL for this value (missing, invalid_utf8, control_character, too_long, unrecognized_date_format, ambiguous_date, two_digit_year, invalid_date, year_out_of_range); NULL when the date normalizes.';

-- ===== src/identity/gender.sql =====
-- Gender to f / m (src/identity/gender.c).

CREATE FUNCTION recon_normalize_gender(gender text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_gender' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_gender(text, text) IS
    'Gender as Meta''s ge field takes it (meta, snap, generic): f for f, female, woman, w; m for m, male, man (any case, trailing dot ignored). Any other value is not guessed: NULL, and recon_normalize_gender_reason says why.';

CREATE FUNCTION recon_normalize_gender_reason(gender text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_gender_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_gender_reason(text, text) IS
    'Why recon_normalize_gender returns NULL for this value (missing, invalid_utf8, control_character, too_long, unrecognized_gender); NULL when the gender normalizes.';

-- ===== src/identity/external_id.sql =====
-- The advertiser's own customer id (src/identity/external_id.c).

CREATE FUNCTION recon_normalize_external_id(external_id text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_external_id' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_external_id(text, text) IS
    'An external (CRM) id as sent to every platform: surrounding white space trimmed, nothing else changed (case kept), so the Pixel and the server send the same bytes. NULL when unusable: recon_normalize_external_id_reason says why.';

CREATE FUNCTION recon_normalize_external_id_reason(external_id text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_external_id_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_external_id_reason(text, text) IS
    'Why recon_normalize_external_id returns NULL for this value (missing, invalid_utf8, control_character, too_long); NULL when the id normalizes.';

-- ===== src/identity/hash_identifier.sql =====
-- Normalize-then-hash for any customer field (src/identity/hash_identifier.c).

CREATE FUNCTION recon_hash_identifier(value text, field text, platform text DEFAULT 'meta', country text DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'recon_hash_identifier' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_hash_identifier(text, text, text, text) IS
    'SHA-256 (64 lower-case hex) of the value normalized as the platform requires for the field (email/em, phone/ph, first_name/fn, last_name/ln, city/ct, state/st, zip/zp, country, date_of_birth/db, gender/ge, external_id). A value that already is a digest (64 lower-case hex, optionally with Meta''s ".suffix") is returned unchanged; NULL, empty or unusable values give NULL, never the hash of an empty string (recon_hash_identifier_reason says why). Fields the platform matches unhashed (fbc, fbp, IP address, user agent, click ids; Google''s country and postal code) raise 22023. country: the record''s country (any spelling recon_normalize_country reads): the default region of national phone numbers and the rule for zip and state. STABLE because phone rules come from libphonenumber''s metadata: to index a hash of another field, index recon_sha256_hex(recon_normalize_<field>(...)), which is IMMUTABLE.';

CREATE FUNCTION recon_hash_identifier_reason(value text, field text, platform text DEFAULT 'meta', country text DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'recon_hash_identifier_reason' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_hash_identifier_reason(text, text, text, text) IS
    'Why recon_hash_identifier returns NULL for this value (the field normalizer''s reason code, or missing); NULL when it returns a digest.';

-- ===== src/identity/url.sql =====
-- Click ids and UTM values from landing-page URLs (src/identity/url.c, url_sql.c).
-- Rules (repeated parameters, fragments, decoding, flags): docs/click-ids.md.

CREATE TYPE recon_click_ids AS (
    fbclid               text,
    gclid                text,
    gbraid               text,
    wbraid               text,
    msclkid              text,
    ttclid               text,
    li_fat_id            text,
    ctwa_clid            text,
    utm_id               text,
    utm_source           text,
    utm_medium           text,
    utm_campaign         text,
    utm_term             text,
    utm_content          text,
    utm_source_platform  text,
    utm_creative_format  text,
    utm_marketing_tactic text,
    flags                text[]
);
COMMENT ON TYPE recon_click_ids IS
    'The click ids (fbclid, gclid, gbraid, wbraid, msclkid, ttclid, li_fat_id, ctwa_clid) and GA4 UTM values of a URL, percent-decoded and never case-folded, plus data-quality flags (see docs/click-ids.md).';

CREATE FUNCTION recon_parse_click_ids(url text) RETURNS recon_click_ids
    AS 'MODULE_PATHNAME', 'recon_parse_click_ids_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_click_ids(text) IS
    'Click ids and UTM values of a landing-page URL: query first, then the #fragment; the first non-empty value of a repeated parameter wins (a different later one sets conflicting_values); values are percent-decoded (+ is a space) and keep their case. Never raises on bad data: flags say what was wrong (missing, missing_scheme, from_fragment, repeated_parameter, conflicting_values, invalid_percent_encoding, invalid_utf8, control_character, unexpanded_macro, html_escaped_ampersand, unexpected_characters, empty_value). Call it once per row: FROM t, LATERAL recon_parse_click_ids(t.url) c.';

CREATE FUNCTION recon_click_id(url text, field text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_click_id_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_click_id(text, text) IS
    'One field of recon_parse_click_ids(url) (''gclid'', ''utm_source'', ...), decoded, by the same rules; NULL when absent or unusable. An unknown field name raises 22023 listing the accepted ones.';

CREATE FUNCTION recon_parse_click_ids_json(url text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'recon_parse_click_ids_json_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_click_ids_json(text) IS
    'recon_parse_click_ids(url) as a jsonb object: only the fields present, plus "flags" (an array, empty when clean).';

-- ===== src/identity/meta_cookie.sql =====
-- Meta's fbc and fbp cookies: parse, explain, build (src/identity/meta_cookie.c, meta_cookie_sql.c).
-- Format and rules: docs/click-ids.md.

CREATE TYPE recon_fbc AS (
    subdomain_index integer,
    creation_ms     bigint,
    creation_time   timestamptz,
    fbclid          text,
    suffix          text,
    flags           text[]
);
COMMENT ON TYPE recon_fbc IS
    'A parsed Meta fbc cookie fb.<subdomain_index>.<creation_ms>.<fbclid>[.<suffix>]; creation_ms is in milliseconds even when the cookie wrote seconds (flag seconds_timestamp).';

CREATE TYPE recon_fbp AS (
    subdomain_index integer,
    creation_ms     bigint,
    creation_time   timestamptz,
    random          text,
    suffix          text,
    flags           text[]
);
COMMENT ON TYPE recon_fbp IS
    'A parsed Meta fbp cookie fb.<subdomain_index>.<creation_ms>.<random>[.<suffix>]; creation_ms is in milliseconds even when the cookie wrote seconds (flag seconds_timestamp).';

CREATE FUNCTION recon_parse_fbc(cookie text) RETURNS recon_fbc
    AS 'MODULE_PATHNAME', 'recon_parse_fbc_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_fbc(text) IS
    'Parse a Meta fbc cookie (fb.1.1596403881668.IwAR...; an optional 5th suffix part accepted); NULL when it does not parse (recon_parse_fbc_reason says why). Flags: seconds_timestamp, unusual_subdomain_index, creation_time_out_of_range. The fbclid keeps its case.';

CREATE FUNCTION recon_parse_fbc_reason(cookie text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_parse_fbc_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_fbc_reason(text) IS
    'Why recon_parse_fbc(cookie) is NULL: missing, wrong_prefix, too_few_segments, too_many_segments, invalid_subdomain_index, invalid_creation_time, invalid_fbclid or invalid_suffix; NULL when it parses.';

CREATE FUNCTION recon_parse_fbp(cookie text) RETURNS recon_fbp
    AS 'MODULE_PATHNAME', 'recon_parse_fbp_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_fbp(text) IS
    'Parse a Meta fbp cookie (fb.1.1596403881668.1116446470; an optional 5th suffix part accepted); NULL when it does not parse (recon_parse_fbp_reason says why). Flags as for recon_parse_fbc.';

CREATE FUNCTION recon_parse_fbp_reason(cookie text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_parse_fbp_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_fbp_reason(text) IS
    'Why recon_parse_fbp(cookie) is NULL: missing, wrong_prefix, too_few_segments, too_many_segments, invalid_subdomain_index, invalid_creation_time, invalid_random or invalid_suffix; NULL when it parses.';

CREATE FUNCTION recon_build_fbc(fbclid text, click_time timestamptz, subdomain_index integer DEFAULT 1) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_build_fbc_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_build_fbc(text, timestamptz, integer) IS
    'The fbc cookie Meta expects when the browser sent none: fb.<subdomain_index>.<click time in ms>.<fbclid>, the fbclid unchanged (never case-folded; surrounding blanks trimmed). NULL for an fbclid that is not base64url or a time outside 2001-09-09..2286-11-20 (recon_build_fbc_reason says why). subdomain_index: 0, 1 (server-side default) or 2, anything else raises 22023.';

CREATE FUNCTION recon_build_fbc_reason(fbclid text, click_time timestamptz, subdomain_index integer DEFAULT 1) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_build_fbc_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_build_fbc_reason(text, timestamptz, integer) IS
    'Why recon_build_fbc is NULL: missing, invalid_fbclid, already_a_cookie, missing_creation_time, invalid_creation_time, creation_time_out_of_range (or missing_subdomain_index); NULL when it builds.';

CREATE FUNCTION recon_build_fbp(random_part text, creation_time timestamptz, subdomain_index integer DEFAULT 1) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_build_fbp_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_build_fbp(text, timestamptz, integer) IS
    'An fbp cookie fb.<subdomain_index>.<creation time in ms>.<random_part>, the random part unchanged (base64url, usually digits). NULL when it cannot be built (recon_build_fbp_reason says why). subdomain_index: 0, 1 (server-side default) or 2, anything else raises 22023.';

CREATE FUNCTION recon_build_fbp_reason(random_part text, creation_time timestamptz, subdomain_index integer DEFAULT 1) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_build_fbp_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_build_fbp_reason(text, timestamptz, integer) IS
    'Why recon_build_fbp is NULL: missing, invalid_random, already_a_cookie, missing_creation_time, invalid_creation_time, creation_time_out_of_range (or missing_subdomain_index); NULL when it builds.';

-- ===== src/identity/platform_id.sql =====
-- Numeric ad-platform ids kept as text, and the ones spreadsheets and floats mangled
-- (src/identity/platform_id.c, platform_id_sql.c). Rules and error rates: docs/click-ids.md.

CREATE FUNCTION recon_normalize_platform_id(id text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_platform_id_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_platform_id(text) IS
    'A numeric platform id (Meta, Google, TikTok, Microsoft...) as its digits: surrounding blanks, CSV quotes, a leading apostrophe, thousands commas and a trailing .0 removed. NULL for a mangled id (scientific notation, 15 significant digits then two or more zeros) or an invalid one; recon_normalize_platform_id_reason says which. Never repairs an id.';

CREATE FUNCTION recon_normalize_platform_id_reason(id text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_platform_id_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_platform_id_reason(text) IS
    'Why recon_normalize_platform_id(id) is NULL: missing, scientific_notation, precision_lost or invalid; NULL when it normalizes.';

CREATE FUNCTION recon_platform_id_status(id text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_platform_id_status_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_platform_id_status(text) IS
    'ok; possible_float_rounding (exactly what a double round-trip prints) and possible_precision_lost (16 digits ending in 0), both kept by the normalizer as most such values are genuine (measured rates in docs/click-ids.md); precision_lost (15 significant digits then two or more zeros), scientific_notation (1.20208123456789E+17), invalid, or missing (NULL or blank).';

CREATE FUNCTION recon_platform_id_match_key(id text, significant_digits integer DEFAULT 15) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_platform_id_match_key_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_platform_id_match_key(text, integer) IS
    'The id rounded to significant_digits (1..20, default 15 as spreadsheets keep) written as a spreadsheet shows it, e.g. 1.20208123456789E+17: a genuine id and its mangled copies share it, for lower-confidence matching (with name and date). NULL for an invalid id.';

-- ===== src/identity/user_data.sql =====
-- Platform-ready customer data for sending offline outcomes back (Meta Conversions API
-- user_data, Google Enhanced Conversions userIdentifiers), built from raw columns with the
-- identity normalizers and recon_hash_identifier. SQL over C: the work is in the C calls.

CREATE FUNCTION recon_meta_user_data(
    email text DEFAULT NULL, phone text DEFAULT NULL,
    first_name text DEFAULT NULL, last_name text DEFAULT NULL,
    city text DEFAULT NULL, state text DEFAULT NULL, zip text DEFAULT NULL, country text DEFAULT NULL,
    date_of_birth text DEFAULT NULL, gender text DEFAULT NULL, external_id text DEFAULT NULL,
    client_ip_address text DEFAULT NULL, client_user_agent text DEFAULT NULL,
    fbc text DEFAULT NULL, fbp text DEFAULT NULL, lead_id text DEFAULT NULL,
    default_region text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH r AS (
        -- the record's country (for zip, state and the phone's default region), as alpha-2
        SELECT coalesce(@extschema@.recon_normalize_country(country, 'meta'),
                        lower(nullif(btrim(default_region), ''))) AS cc
    ), h AS (
        SELECT @extschema@.recon_hash_identifier(email, 'em', 'meta') AS em,
               @extschema@.recon_hash_identifier(phone, 'ph', 'meta', coalesce(nullif(btrim(default_region), ''), r.cc)) AS ph,
               @extschema@.recon_hash_identifier(first_name, 'fn', 'meta') AS fn,
               @extschema@.recon_hash_identifier(last_name, 'ln', 'meta') AS ln,
               @extschema@.recon_hash_identifier(city, 'ct', 'meta') AS ct,
               @extschema@.recon_hash_identifier(state, 'st', 'meta', r.cc) AS st,
               @extschema@.recon_hash_identifier(zip, 'zp', 'meta', r.cc) AS zp,
               @extschema@.recon_hash_identifier(country, 'country', 'meta') AS country,
               @extschema@.recon_hash_identifier(date_of_birth, 'db', 'meta') AS db,
               @extschema@.recon_hash_identifier(gender, 'ge', 'meta') AS ge,
               @extschema@.recon_hash_identifier(external_id, 'external_id', 'meta') AS external_id
        FROM r
    )
    -- hashed keys as one-element arrays (Meta accepts lists); the rest as sent, never hashed
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'em', CASE WHEN em IS NOT NULL THEN jsonb_build_array(em) END,
        'ph', CASE WHEN ph IS NOT NULL THEN jsonb_build_array(ph) END,
        'fn', CASE WHEN fn IS NOT NULL THEN jsonb_build_array(fn) END,
        'ln', CASE WHEN ln IS NOT NULL THEN jsonb_build_array(ln) END,
        'ct', CASE WHEN ct IS NOT NULL THEN jsonb_build_array(ct) END,
        'st', CASE WHEN st IS NOT NULL THEN jsonb_build_array(st) END,
        'zp', CASE WHEN zp IS NOT NULL THEN jsonb_build_array(zp) END,
        'country', CASE WHEN country IS NOT NULL THEN jsonb_build_array(country) END,
        'db', CASE WHEN db IS NOT NULL THEN jsonb_build_array(db) END,
        'ge', CASE WHEN ge IS NOT NULL THEN jsonb_build_array(ge) END,
        'external_id', CASE WHEN external_id IS NOT NULL THEN jsonb_build_array(external_id) END,
        'client_ip_address', nullif(btrim(client_ip_address), ''),
        'client_user_agent', nullif(btrim(client_user_agent), ''),
        'fbc', nullif(btrim(fbc), ''),
        'fbp', nullif(btrim(fbp), ''),
        'lead_id', nullif(btrim(lead_id), '')))
    FROM h
$$;
COMMENT ON FUNCTION recon_meta_user_data(text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text) IS
    'Meta Conversions API user_data object from raw customer columns: em, ph, fn, ln, ct, st, zp, country, db, ge, external_id normalized per Meta''s rules and SHA-256 hashed (one-element arrays); client_ip_address, client_user_agent, fbc, fbp, lead_id passed as sent (never hashed). Unusable and missing values are left out. default_region: the default region for national phone numbers when country is not given. STABLE because phone rules come from libphonenumber.';

CREATE FUNCTION recon_google_user_data(
    email text DEFAULT NULL, phone text DEFAULT NULL,
    first_name text DEFAULT NULL, last_name text DEFAULT NULL,
    country text DEFAULT NULL, zip text DEFAULT NULL,
    default_region text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH r AS (
        SELECT @extschema@.recon_normalize_country(country, 'google') AS cc
    ), h AS (
        SELECT @extschema@.recon_hash_identifier(email, 'email', 'google') AS em,
               @extschema@.recon_hash_identifier(phone, 'phone', 'google',
                                                 coalesce(nullif(btrim(default_region), ''), r.cc)) AS ph,
               @extschema@.recon_hash_identifier(first_name, 'first_name', 'google') AS fn,
               @extschema@.recon_hash_identifier(last_name, 'last_name', 'google') AS ln,
               r.cc,
               @extschema@.recon_normalize_zip(zip, r.cc, 'google') AS zp
        FROM r
    )
    -- Google matches an address only with all four parts: hashed first and last name,
    -- country code and postal code (the last two in clear)
    SELECT jsonb_build_object('userIdentifiers', coalesce(jsonb_agg(u ORDER BY n), '[]'::jsonb))
    FROM h, LATERAL (VALUES
        (1, CASE WHEN em IS NOT NULL THEN jsonb_build_object('hashedEmail', em) END),
        (2, CASE WHEN ph IS NOT NULL THEN jsonb_build_object('hashedPhoneNumber', ph) END),
        (3, CASE WHEN fn IS NOT NULL AND ln IS NOT NULL AND cc IS NOT NULL AND zp IS NOT NULL
                 THEN jsonb_build_object('addressInfo', jsonb_build_object(
                          'hashedFirstName', fn, 'hashedLastName', ln,
                          'countryCode', upper(cc), 'postalCode', zp)) END)
    ) AS ids(n, u)
    WHERE u IS NOT NULL
$$;
COMMENT ON FUNCTION recon_google_user_data(text, text, text, text, text, text, text) IS
    'Google Enhanced Conversions (Google Ads API ClickConversion) userIdentifiers from raw customer columns: hashedEmail and hashedPhoneNumber (E.164 with +), and addressInfo with hashed first and last name plus countryCode and postalCode in clear, only when all four are usable (Google needs all of them to match an address). Unusable and missing values are left out. STABLE because phone rules come from libphonenumber.';

-- ===== src/identity/phone.sql =====
-- Phone numbers (src/identity/phone_sql.c, phone_fast.c, phone_lib.cpp): E.164 by
-- libphonenumber's rules, with a C fast path proven identical to libphonenumber.
-- STABLE, not IMMUTABLE: the answers come from libphonenumber's metadata, which
-- changes between library versions (see docs/phone.md for indexes).

CREATE FUNCTION recon_normalize_phone(phone text, default_region text, platform text DEFAULT 'e164') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_phone' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_phone(text, text, text) IS
    'The phone number as E.164: +<country code><number> for platform e164, generic, google, tiktok; the same digits without + for meta, snap. National spellings use default_region (ISO 3166-1 alpha-2, any case; NULL: no default region, only numbers written with + parse). NULL when libphonenumber does not parse it or its length is not possible (recon_normalize_phone_reason says why). Extensions are dropped. STABLE: depends on libphonenumber''s metadata.';

CREATE FUNCTION recon_normalize_phone_reason(phone text, default_region text, platform text DEFAULT 'e164') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_phone_reason' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_phone_reason(text, text, text) IS
    'Why recon_normalize_phone gives NULL: missing, not_a_number, invalid_country_code, too_short_after_idd, too_short, too_long, not_possible_length, local_only; NULL when the value normalizes.';

CREATE FUNCTION recon_phone_is_valid(phone text, default_region text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'recon_phone_is_valid' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_phone_is_valid(text, text) IS
    'True when libphonenumber parses the number and its full validation finds it in an assigned range (IsValidNumber); a stricter question than recon_normalize_phone, which only needs a possible length. NULL for NULL.';

CREATE FUNCTION recon_normalize_phone_reference(phone text, default_region text, platform text DEFAULT 'e164') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_phone_reference' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_phone_reference(text, text, text) IS
    'recon_normalize_phone answered by libphonenumber alone, without the fast path: the oracle of the agreement tests and the bench.';

CREATE FUNCTION recon_phone_outcome(phone text, default_region text, method text DEFAULT 'auto') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_phone_outcome' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_phone_outcome(text, text, text) IS
    'The normalization outcome as one value, +E.164 or the reason code, by method: auto (fast path, libphonenumber when unsure), fast (the fast path alone: NULL when it is unsure), reference (libphonenumber alone). For proving the fast path.';

CREATE FUNCTION recon_phone_regions(OUT region text, OUT country_code integer) RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'recon_phone_regions' LANGUAGE C STABLE PARALLEL SAFE ROWS 250;
COMMENT ON FUNCTION recon_phone_regions() IS
    'The region codes default_region accepts (those libphonenumber supports, ISO 3166-1 alpha-2) with their country calling codes.';

CREATE FUNCTION recon_phone_test_corpus(OUT input text, OUT default_region text, OUT kind text) RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'recon_phone_test_corpus' LANGUAGE C STABLE PARALLEL SAFE ROWS 110000;
COMMENT ON FUNCTION recon_phone_test_corpus() IS
    'Over 100,000 deterministic test inputs: libphonenumber''s example number of every type in every region, written national, international, E.164, RFC 3966, with other or no default region, and messed up (odd separators, junk, control characters, Unicode digits, letters, digits dropped or added). kind names the spelling.';

CREATE FUNCTION recon_phone_typical_sample(rows integer, OUT input text, OUT default_region text, OUT kind text) RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'recon_phone_typical_sample' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION recon_phone_typical_sample(integer) IS
    'rows CRM-style phone numbers from 20 common regions (US, CA, GB, DE, FR, ES, IT, NL, AE, SA, IN, AU, BR, MX, JP, KR, ZA, NG, SG, PL): example numbers with varied last digits, written national, international, E.164, as dialled from the next region (with its international prefix), or as digits with dashes. Deterministic.';

-- ===== src/linkage/jaro_winkler.sql =====
-- String similarity for probabilistic linkage (src/linkage/jaro_winkler.c).

CREATE FUNCTION recon_jaro(a text, b text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'recon_jaro' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_jaro(text, text) IS
    'Jaro similarity of the characters (not bytes) of a and b, from 0 (nothing in common) to 1 (identical; also two empty strings). Case-sensitive: normalize first (recon_normalize_first_name...). NULL when a value is longer than 4,096 characters.';

CREATE FUNCTION recon_jaro_winkler(a text, b text, prefix_scale double precision DEFAULT 0.1) RETURNS double precision
    AS 'MODULE_PATHNAME', 'recon_jaro_winkler' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_jaro_winkler(text, text, double precision) IS
    'Jaro-Winkler similarity of the characters of a and b, from 0 to 1: Jaro plus prefix_scale (0 to 0.25, standard 0.1) times the common prefix (up to 4 characters) times (1 - Jaro), when Jaro is above 0.7. MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84. Case-sensitive; NULL when a value is longer than 4,096 characters.';

-- ===== src/linkage/comparison.sql =====
-- Comparison levels for probabilistic linkage (src/linkage/comparison.c).
-- Every function returns a level: 0 a side is missing, 1 equal, 2.. the first
-- threshold the pair meets (strictest first), last: none of them.

CREATE FUNCTION recon_compare_exact(a text, b text) RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_exact' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_exact(text, text) IS
    'Comparison level of two values compared byte for byte: 0 when either is NULL or empty (missing), 1 equal, 2 different.';

CREATE FUNCTION recon_compare_text(a text, b text, thresholds double precision[] DEFAULT '{0.92,0.8}')
    RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_text(text, text, double precision[]) IS
    'Comparison level of two strings: 0 missing (NULL or empty), 1 equal, 2.. the first Jaro-Winkler threshold reached (thresholds strictly decreasing in [0, 1], at most 13), last: below all. Default {0.92,0.8} gives 4 levels: equal, >= 0.92, >= 0.8, else. Normalize first: the comparison is case-sensitive.';

CREATE FUNCTION recon_compare_time(a timestamptz, b timestamptz, limits interval[]) RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_time' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_time(timestamptz, timestamptz, interval[]) IS
    'Comparison level of two instants: 0 missing, 1 the same instant, 2.. the first limit the gap (either direction) stays within (limits strictly increasing, not negative; months count 30 days), last: further apart. Example limits: {1 minute, 1 hour, 1 day, 7 days}.';

CREATE FUNCTION recon_compare_date(a date, b date, day_limits integer[]) RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_date(date, date, integer[]) IS
    'Comparison level of two dates: 0 missing, 1 the same day, 2.. the first limit in days the gap stays within (strictly increasing, not negative), last: further apart.';

CREATE FUNCTION recon_compare_amount(a numeric, b numeric, percent_limits double precision[] DEFAULT '{1,5,10}')
    RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_amount' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_amount(numeric, numeric, double precision[]) IS
    'Comparison level of two amounts: 0 missing, 1 exactly equal, 2.. the first limit the percentage difference |a - b| / max(|a|, |b|) * 100 stays within (strictly increasing, not negative), last: further apart. Compare amounts in the same currency.';

-- ===== src/linkage/fellegi_sunter.sql =====
-- Fellegi-Sunter probabilistic linkage (src/linkage/fellegi_sunter.c, fs_*_sql.c):
-- count comparison patterns, estimate u and m, weigh and explain pairs.

CREATE TYPE recon_fs_patterns;
CREATE FUNCTION recon_fs_patterns_in(cstring) RETURNS recon_fs_patterns
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION recon_fs_patterns_out(recon_fs_patterns) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE recon_fs_patterns (
    INPUT = recon_fs_patterns_in,
    OUTPUT = recon_fs_patterns_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE recon_fs_patterns IS
    'How many candidate pairs showed each comparison pattern (one level per compared field). Text form: <comparisons>|<level>.<level>...=<pairs>|..., e.g. 2|1.3=40|2.0=7. The state of recon_fs_pattern_counts and the input of recon_fs_estimate_u / recon_fs_estimate_m.';
COMMENT ON FUNCTION recon_fs_patterns_in(cstring) IS 'Text input of recon_fs_patterns.';
COMMENT ON FUNCTION recon_fs_patterns_out(recon_fs_patterns) IS 'Text output of recon_fs_patterns (patterns in a fixed order).';

CREATE FUNCTION recon_fs_patterns_add(recon_fs_patterns, smallint[]) RETURNS recon_fs_patterns
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_patterns_add(recon_fs_patterns, smallint[]) IS
    'Transition function of recon_fs_pattern_counts: counts one pair''s levels (a NULL level counts as 0, missing).';
CREATE FUNCTION recon_fs_patterns_merge(recon_fs_patterns, recon_fs_patterns) RETURNS recon_fs_patterns
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_patterns_merge(recon_fs_patterns, recon_fs_patterns) IS
    'Combine function of recon_fs_pattern_counts: adds two pattern counts (parallel workers, Citus shards).';

CREATE AGGREGATE recon_fs_pattern_counts(levels smallint[]) (
    SFUNC = recon_fs_patterns_add,
    STYPE = recon_fs_patterns,
    COMBINEFUNC = recon_fs_patterns_merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE recon_fs_pattern_counts(smallint[]) IS
    'Counts candidate pairs per comparison pattern: feed it the levels of random pairs for recon_fs_estimate_u, or of one blocking rule''s pairs for recon_fs_estimate_m. At most 16 comparisons of levels 0..15. Combinable and parallel safe.';

CREATE FUNCTION recon_fs_pattern_rows(patterns recon_fs_patterns, OUT levels smallint[], OUT pairs double precision)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_pattern_rows(recon_fs_patterns) IS
    'One row per distinct comparison pattern with its number of pairs.';

CREATE FUNCTION recon_fs_estimate_u(random_pairs recon_fs_patterns, names text[], level_counts integer[])
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_estimate_u(recon_fs_patterns, text[], integer[]) IS
    'A starting Fellegi-Sunter model (jsonb): u per level from the patterns of random pairs (which are nearly all non-matches; half a pair is added to each level so no weight is infinite), m starting at 0.9 on the exact level, prior 0.01. names and level_counts (2..15 non-missing levels each) describe the comparisons in pattern order.';

CREATE FUNCTION recon_fs_estimate_m(blocked_pairs recon_fs_patterns, model jsonb, fixed text[] DEFAULT '{}',
                                    max_iterations integer DEFAULT 100, tolerance double precision DEFAULT 1e-6)
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_estimate_m(recon_fs_patterns, jsonb, text[], integer, double precision) IS
    'Expectation-maximisation of m and the prior over the patterns of one blocking rule''s candidate pairs, u held fixed. fixed names the comparisons the blocking rule forced to agree (their m cannot be learnt from it; they are kept and marked m_fixed). Returns the model with an "em" object: pairs, iterations, converged. Run it once per blocking rule, then recon_fs_average_m.';

CREATE FUNCTION recon_fs_refine_u(random_pairs recon_fs_patterns, model jsonb, prior double precision)
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_refine_u(recon_fs_patterns, jsonb, double precision) IS
    'u without the true matches that random pairs hold: a level''s share among random pairs is prior * m + (1 - prior) * u, so u = (share - prior * m) / (1 - prior), kept above half a pair. For a near-unique key (a customer id) true matches are nearly all of its random agreements; without this, its u is about 1 / n instead of about 0. prior: the share of true matches among all pairs (often 1 / number of right sides); the model''s prior is set to it.';

CREATE FUNCTION recon_fs_estimate_u_em(random_pairs recon_fs_patterns, model jsonb,
                                       max_iterations integer DEFAULT 100, tolerance double precision DEFAULT 1e-6)
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_estimate_u_em(recon_fs_patterns, jsonb, integer, double precision) IS
    'Expectation-maximisation of u and the prior over the patterns of random pairs, m held: the random pairs'' own estimate of their true matches, taken out of u. Use it when m is trustworthy (it follows m: an m that overrates a level drives that level''s u towards 0); recon_fs_refine_u, with a prior you know, is the safer choice.';

CREATE FUNCTION recon_fs_m_from_matches(known_matches recon_fs_patterns, model jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'recon_fs_m_from_matches_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_m_from_matches(recon_fs_patterns, jsonb) IS
    'm from the patterns of pairs already known to match (linked by an exact id, or confirmed by a reviewer): per comparison, the share of non-missing pairs at each level, half a pair added per level. Comparisons the matches never show keep their m. Supervised, so no EM; use it when such pairs exist.';

CREATE FUNCTION recon_fs_average_m(models jsonb[]) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_average_m(jsonb[]) IS
    'Combines per-blocking-rule models: each comparison''s m is the mean over the models that estimated it (m_fixed ones skipped); u, labels and prior come from the first model.';

CREATE FUNCTION recon_fs_weight(model jsonb, levels smallint[], term_frequencies double precision[] DEFAULT NULL)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_weight(jsonb, smallint[], double precision[]) IS
    'Match weight of a pair in bits: log2(prior / (1 - prior)) plus log2(m / u) of each comparison''s level (level 0, missing, adds 0). term_frequencies (one per comparison, NULL for none): on an exact level, u is replaced by the share of records holding the agreeing value, so a common surname weighs less than a rare one. NULL when model or levels is NULL.';

CREATE FUNCTION recon_fs_probability(weight double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'recon_fs_probability_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_probability(double precision) IS
    'Match probability of a weight: 2^w / (1 + 2^w).';

CREATE FUNCTION recon_fs_explain(model jsonb, levels smallint[], term_frequencies double precision[] DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_explain(jsonb, smallint[], double precision[]) IS
    'Why a pair scores what it scores: weight, probability, prior weight and, per comparison, its level, label, m, u and weight (and whether a term frequency replaced u).';

-- ===== src/model/schema.sql =====
-- The data model's schema and what every table shares (governance columns).
-- Tables, views and procedures live in schema recon; analyst functions and types
-- (recon_*) live in the extension's schema.

CREATE SCHEMA recon;
COMMENT ON SCHEMA recon IS
    'recon data model: platform, funnel and collected layers, settings, FX rates, metrics contract, reports.';

-- Every table carries: record_source (which system or file), batch_id (which load),
-- loaded_at / updated_at, and dq_flags (data-quality findings, e.g. {mangled_id}).
CREATE FUNCTION recon.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.touch_updated_at() IS
    'Trigger: keeps updated_at current on every UPDATE of a recon table.';

-- Raise 23001 for any change to an append-only table.
CREATE FUNCTION recon.reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %.% is not allowed: the table is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Record a new version or a correcting entry instead; history is never rewritten.';
END $$;
COMMENT ON FUNCTION recon.reject_change() IS
    'Trigger: rejects UPDATE, DELETE and TRUNCATE on append-only tables (SQLSTATE 23001).';

-- Make a table append-only: <table>_append_only rejects UPDATE and DELETE, <table>_no_truncate TRUNCATE.
CREATE FUNCTION recon.make_append_only(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION recon.reject_change()',
                   name || '_append_only', tbl);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION recon.reject_change()',
                   name || '_no_truncate', tbl);
END $$;
COMMENT ON FUNCTION recon.make_append_only(regclass) IS
    'Makes a table append-only: triggers <table>_append_only (UPDATE, DELETE) and <table>_no_truncate (TRUNCATE) raise 23001 through recon.reject_change().';

-- The platforms recon knows and the clock their reports use.
CREATE TABLE recon.platforms (
    platform      text COLLATE "C" PRIMARY KEY,
    display_name  text NOT NULL,
    report_clock  text NOT NULL CHECK (report_clock IN ('account_timezone', 'utc')),
    click_id_keys text[] NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE recon.platforms IS
    'Ad platforms and the clock their reports use: account time zone (Meta, Google, Microsoft) or UTC (TikTok, LinkedIn, Snap, Pinterest, Reddit). Shipped with the extension.';
INSERT INTO recon.platforms VALUES
    ('meta',      'Meta Ads',               'account_timezone', '{fbclid,fbc,ctwa_clid}'),
    ('google',    'Google Ads',             'account_timezone', '{gclid,gbraid,wbraid}'),
    ('microsoft', 'Microsoft Advertising',  'account_timezone', '{msclkid}'),
    ('tiktok',    'TikTok Ads',             'utc',              '{ttclid}'),
    ('linkedin',  'LinkedIn Ads',           'utc',              '{li_fat_id}'),
    ('snap',      'Snapchat Ads',           'utc',              '{ScCid}'),
    ('pinterest', 'Pinterest Ads',          'utc',              '{epik}'),
    ('reddit',    'Reddit Ads',             'utc',              '{rdt_cid}');

-- Channels a CRM record can be attributed to: every platform plus non-paid sources.
CREATE TABLE recon.channels (
    channel       text COLLATE "C" PRIMARY KEY,
    display_name  text NOT NULL,
    platform      text COLLATE "C" REFERENCES recon.platforms
);
COMMENT ON TABLE recon.channels IS
    'Values allowed in funnel_records.channel: each ad platform (platform set) plus organic, direct, email, referral and unknown. Shipped with the extension.';
INSERT INTO recon.channels
    SELECT platform, display_name, platform FROM recon.platforms
    UNION ALL
    VALUES ('organic', 'Organic search and social', NULL), ('direct', 'Direct', NULL),
           ('email', 'Email', NULL), ('referral', 'Referral', NULL), ('unknown', 'Unknown', NULL);

-- Bulk loads. Measured on funnel_stage_history: a row costs 0.8 us to insert
-- into a bare table, 2.2 us with its primary key and 8.8 us with its foreign
-- key, which PostgreSQL checks row by row. Like pg_restore, a bulk writer drops
-- the keys, indexes and foreign keys of the tables it fills, loads, and builds
-- them again at the end: one sort per index and one join per foreign key, which
-- also validates every loaded row. Both halves run in the caller's transaction,
-- so on any error the rollback restores the constraints; the tables stay locked
-- (ACCESS EXCLUSIVE) until the transaction ends.
CREATE FUNCTION recon.bulk_load_begin(tables regclass[]) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    item record;
    fks jsonb := '[]';
    keys jsonb := '[]';
    indexes jsonb := '[]';
BEGIN
    -- Checks of deferred foreign keys still pending from earlier writes in this
    -- transaction (deletes included) make ALTER TABLE fail: run them now.
    FOR item IN
        SELECT DISTINCT n.nspname, c.conname
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE c.contype = 'f' AND c.condeferrable AND (c.conrelid = ANY (tables) OR c.confrelid = ANY (tables))
    LOOP
        EXECUTE format('SET CONSTRAINTS %I.%I IMMEDIATE', item.nspname, item.conname);
    END LOOP;
    FOR item IN
        SELECT DISTINCT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype = 'f' AND (c.conrelid = ANY (tables) OR c.confrelid = ANY (tables))
        ORDER BY 1, 2
    LOOP
        fks := fks || jsonb_build_object('table', item.tbl::text, 'name', item.conname, 'definition', item.def);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.tbl, item.conname);
    END LOOP;
    FOR item IN
        SELECT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype IN ('p', 'u') AND c.conrelid = ANY (tables)
        ORDER BY 1, 2
    LOOP
        keys := keys || jsonb_build_object('table', item.tbl::text, 'name', item.conname, 'definition', item.def);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.tbl, item.conname);
    END LOOP;
    FOR item IN
        SELECT i.indexrelid::regclass AS idx, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i
        WHERE i.indrelid = ANY (tables)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
    LOOP
        indexes := indexes || to_jsonb(item.def);
        EXECUTE format('DROP INDEX %s', item.idx);
    END LOOP;
    RETURN jsonb_build_object('keys', keys, 'indexes', indexes, 'foreign_keys', fks);
END $$;
COMMENT ON FUNCTION recon.bulk_load_begin(regclass[]) IS
    'Before a bulk load: drops the primary/unique keys, indexes and foreign keys (theirs and those pointing at them) of the given tables and returns their definitions for recon.bulk_load_end. Call both in one transaction.';

CREATE FUNCTION recon.bulk_load_end(saved jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    item jsonb;
BEGIN
    FOR item IN SELECT * FROM jsonb_array_elements(saved->'keys') LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', item->>'table', item->>'name', item->>'definition');
    END LOOP;
    FOR item IN SELECT * FROM jsonb_array_elements(saved->'indexes') LOOP
        EXECUTE item #>> '{}';
    END LOOP;
    FOR item IN SELECT * FROM jsonb_array_elements(saved->'foreign_keys') LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', item->>'table', item->>'name', item->>'definition');
    END LOOP;
END $$;
COMMENT ON FUNCTION recon.bulk_load_end(jsonb) IS
    'After a bulk load: rebuilds the keys, indexes and foreign keys saved by recon.bulk_load_begin, validating every row (23505 for a duplicate key, 23503 for a dangling reference).';

-- ===== src/model/settings.sql =====
-- Settings: reporting clock and currency, FX policy, cohort maturity points.
-- recon.settings holds only what the user changed; defaults live in
-- recon.setting_defaults() so that pg_dump of the table never collides with
-- rows the install script would insert.

CREATE FUNCTION recon.setting_defaults(OUT name text, OUT value text, OUT description text)
RETURNS SETOF record LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES
    ('reporting_timezone', 'UTC',
     'IANA zone that defines days and months in reports (platform data keeps its own report zone).'),
    ('reporting_currency', 'USD',
     'ISO 4217 currency all layers are converted to for side-by-side numbers; originals are kept.'),
    ('fx_policy', 'daily',
     'Which FX rate converts an amount: daily (rate of the transaction date), monthly_average (the month''s average), fixed (budget rate valid from a date).'),
    ('fx_max_staleness_days', '4',
     'Under the daily policy, how many days back a missing day''s rate may be taken from (weekends, holidays); beyond that the conversion fails.'),
    ('fx_pivot_currency', 'EUR',
     'Currency used to cross two rates when no direct or inverse rate exists (ECB publishes EUR-based rates); empty disables crossing.'),
    ('maturity_days', '{7,30,60,90}',
     'Cohort maturity points in days; a cohort younger than the last point is labelled incomplete.'),
    ('platform_report_window', 'default',
     'Attribution window whose platform conversions the reports show (default = the account''s attribution setting).'),
    ('freeze_after_days', '14',
     'A month is frozen once its last day plus this many days is before the day the data reached; later changes to it are restatements, accepted with a reason (0 to 3650).'),
    ('monitor_baseline_periods', '8',
     'How many earlier periods (weeks, or days) the monitor''s baseline takes its median and MAD over (3 to 104).'),
    ('monitor_threshold', '3',
     'How many robust spreads (1.4826 x MAD, at least the period''s own sampling error) a watched value must move from its baseline median to raise an alert (1 to 20).'),
    ('monitor_min_shift', '0.2',
     'The smallest move, as a share of the baseline median, that raises an alert however small the spread (0 to 10).'),
    ('monitor_min_sample', '30',
     'The fewest conversions (or records) on each side of a period for the monitor to judge it; smaller periods are insufficient_data (1 to 1000000).')
$$;
COMMENT ON FUNCTION recon.setting_defaults() IS
    'Every recon setting with its default value and what it controls.';

CREATE TABLE recon.settings (
    name        text PRIMARY KEY,
    value       text NOT NULL,
    changed_by  text NOT NULL DEFAULT current_user,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    reason      text
);
COMMENT ON TABLE recon.settings IS
    'Settings the user changed (defaults are in recon.setting_defaults()); read them through recon.setting(name) or recon.effective_settings.';
SELECT pg_catalog.pg_extension_config_dump('recon.settings', '');

-- Validate one setting value and return it in canonical form.
CREATE FUNCTION recon.validate_setting(setting_name text, setting_value text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    days integer[];
    bounds numeric[];
    position integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM recon.setting_defaults() d WHERE d.name = setting_name) THEN
        RAISE EXCEPTION 'unrecognized recon setting "%"', setting_name
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT name FROM recon.effective_settings lists the settings.';
    END IF;
    IF setting_value IS NULL THEN
        RAISE EXCEPTION 'recon setting "%" cannot be NULL', setting_name
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'DELETE the row from recon.settings to go back to the default.';
    END IF;
    CASE setting_name
    WHEN 'reporting_timezone' THEN
        RETURN @extschema@.recon_timezone(setting_value);
    WHEN 'reporting_currency' THEN
        RETURN @extschema@.recon_currency(setting_value);
    WHEN 'fx_pivot_currency' THEN
        RETURN CASE WHEN btrim(setting_value) = '' THEN '' ELSE @extschema@.recon_currency(setting_value) END;
    WHEN 'fx_policy' THEN
        IF setting_value NOT IN ('daily', 'monthly_average', 'fixed') THEN
            RAISE EXCEPTION 'invalid value for recon setting "fx_policy": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Allowed values: daily, monthly_average, fixed.';
        END IF;
        RETURN setting_value;
    WHEN 'fx_max_staleness_days' THEN
        IF setting_value !~ '^\s*\d{1,3}\s*$' THEN
            RAISE EXCEPTION 'invalid value for recon setting "fx_max_staleness_days": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'A whole number of days from 0 to 999.';
        END IF;
        RETURN btrim(setting_value);
    WHEN 'maturity_days' THEN
        BEGIN
            days := setting_value::integer[];
        EXCEPTION WHEN others THEN
            days := NULL;
        END;
        IF days IS NULL OR cardinality(days) = 0 OR array_ndims(days) <> 1
           OR array_position(days, NULL) IS NOT NULL
           OR EXISTS (SELECT 1 FROM unnest(days) WITH ORDINALITY AS d(v, i)
                      WHERE v <= 0 OR (i > 1 AND v <= days[i - 1])) THEN
            RAISE EXCEPTION 'invalid value for recon setting "maturity_days": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'An array of positive, strictly increasing day counts such as {7,30,60,90}.';
        END IF;
        RETURN days::text;
    WHEN 'freeze_after_days' THEN
        IF setting_value !~ '^\s*\d{1,4}\s*$' OR btrim(setting_value)::integer > 3650 THEN   -- OR stops at the first true
            RAISE EXCEPTION 'invalid value for recon setting "freeze_after_days": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'A whole number of days from 0 to 3650.';
        END IF;
        RETURN btrim(setting_value)::integer::text;
    WHEN 'monitor_baseline_periods', 'monitor_min_sample', 'monitor_threshold', 'monitor_min_shift' THEN
        -- (low, high, whole numbers only?) per setting; an IF condition cannot hold a CASE (its THEN ends the condition)
        position := array_position(ARRAY['monitor_baseline_periods', 'monitor_min_sample', 'monitor_threshold', 'monitor_min_shift'],
                                   setting_name);
        bounds := ARRAY[(ARRAY[3, 1, 1, 0])[position], (ARRAY[104, 1000000, 20, 10])[position], (ARRAY[1, 1, 0, 0])[position]];
        IF setting_value !~ '^\s*\d{1,7}(\.\d{1,4})?\s*$' OR (bounds[3] = 1 AND setting_value ~ '\.')
           OR btrim(setting_value)::numeric NOT BETWEEN bounds[1] AND bounds[2] THEN
            RAISE EXCEPTION 'invalid value for recon setting "%": "%"', setting_name, setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('A %s from %s to %s.', CASE WHEN bounds[3] = 1 THEN 'whole number' ELSE 'number' END,
                                      bounds[1], bounds[2]);
        END IF;
        RETURN btrim(setting_value)::numeric::text;
    WHEN 'platform_report_window' THEN
        IF setting_value !~ '^[a-z0-9_]+$' THEN
            RAISE EXCEPTION 'invalid value for recon setting "platform_report_window": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'An attribution window name such as default, 7d_click or 1d_view.';
        END IF;
        RETURN setting_value;
    END CASE;
END $$;
COMMENT ON FUNCTION recon.validate_setting(text, text) IS
    'Checks a setting value and returns its canonical form; raises 42704 for an unknown setting and 22023 for a bad value.';

CREATE FUNCTION recon.settings_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.value := recon.validate_setting(NEW.name, NEW.value);
    -- a new row is stamped by the column defaults; an UPDATE is stamped here. A restored
    -- row (pg_restore inserts it) keeps the stamp it was dumped with.
    IF TG_OP = 'UPDATE' THEN
        NEW.changed_by := current_user;
        NEW.changed_at := now();
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.settings_before_write() IS
    'Trigger: validates and canonicalizes every setting written to recon.settings; an update is stamped with who and when (a new row gets them from the column defaults, so pg_restore keeps the dumped ones).';
CREATE TRIGGER settings_validate BEFORE INSERT OR UPDATE ON recon.settings
    FOR EACH ROW EXECUTE FUNCTION recon.settings_before_write();

CREATE FUNCTION recon.setting(setting_name text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT s.value FROM recon.settings s WHERE s.name = setting_name),
        (SELECT d.value FROM recon.setting_defaults() d WHERE d.name = setting_name))
$$;
COMMENT ON FUNCTION recon.setting(text) IS
    'Effective value of a setting: the user''s value from recon.settings, else the default; NULL for an unknown name.';

CREATE FUNCTION recon.set_setting(setting_name text, setting_value text, reason text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
    INSERT INTO recon.settings AS s (name, value, reason)
    VALUES (setting_name, setting_value, reason)
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, reason = EXCLUDED.reason
    RETURNING s.value
$$;
COMMENT ON FUNCTION recon.set_setting(text, text, text) IS
    'Sets a setting (validated, canonicalized, stamped with who and when) and returns the stored value.';

CREATE VIEW recon.effective_settings AS
    SELECT d.name,
           coalesce(s.value, d.value) AS value,
           s.name IS NULL AS is_default,
           d.value AS default_value,
           d.description,
           s.changed_by, s.changed_at, s.reason
    FROM recon.setting_defaults() d
    LEFT JOIN recon.settings s USING (name);
COMMENT ON VIEW recon.effective_settings IS
    'Every setting with its effective value, whether it is the default, and who changed it, when and why.';

-- ===== src/model/fx.sql =====
-- FX rates and as-of conversion. A conversion keeps the original amount and
-- currency beside the converted one, names the rate and its date, and fails
-- (SQLSTATE P0002, no_data_found) when no rate covers the date: a silent 1.0
-- or a stale rate is how reports drift apart.

CREATE TABLE recon.fx_rates (
    rate_type      text NOT NULL DEFAULT 'daily'
                   CHECK (rate_type IN ('daily', 'monthly_average', 'fixed')),
    base_currency  recon_currency_code NOT NULL,
    quote_currency recon_currency_code NOT NULL,
    rate_date      date NOT NULL,
    rate           numeric NOT NULL,
    record_source  text NOT NULL DEFAULT 'manual',
    batch_id       text,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    dq_flags       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (rate_type, base_currency, quote_currency, rate_date),
    CONSTRAINT fx_rates_positive CHECK (rate > 0),
    CONSTRAINT fx_rates_distinct_currencies CHECK (base_currency <> quote_currency),
    CONSTRAINT fx_rates_monthly_on_first CHECK (rate_type <> 'monthly_average' OR extract(day FROM rate_date) = 1)
);
COMMENT ON TABLE recon.fx_rates IS
    '1 unit of base_currency = rate units of quote_currency. daily: the day''s rate; monthly_average: the month''s average, dated on the 1st; fixed: a budget rate valid from rate_date until the next one.';
CREATE TRIGGER fx_rates_touch BEFORE UPDATE ON recon.fx_rates
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('recon.fx_rates', '');

-- A converted amount: the original, the result and how it was obtained.
CREATE TYPE recon_converted_amount AS (
    original_amount   numeric,
    original_currency text,
    amount            numeric,
    currency          text,
    rate              numeric,
    rate_date         date,
    fx_policy         text,
    rate_path         text
);
COMMENT ON TYPE recon_converted_amount IS
    'Result of recon_fx_convert: original amount and currency, converted amount and currency, the rate, the date of the rate used, the policy, and the path (same, direct, inverse, or via pivot).';

-- One stored rate for one ordered pair under a policy, or NULL.
CREATE FUNCTION recon.fx_pair_rate(from_currency text, to_currency text, as_of date, policy text)
RETURNS TABLE (rate numeric, rate_date date)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT r.rate, r.rate_date
    FROM recon.fx_rates r
    WHERE r.rate_type = policy
      AND r.base_currency = from_currency AND r.quote_currency = to_currency
      AND r.rate_date <= as_of          -- true under every policy; lets the key scan start at as_of
      AND CASE policy
          WHEN 'daily' THEN r.rate_date <= as_of
                        AND r.rate_date >= as_of - recon.setting('fx_max_staleness_days')::integer
          WHEN 'monthly_average' THEN r.rate_date = date_trunc('month', as_of)::date
          ELSE r.rate_date <= as_of
          END
    ORDER BY r.rate_date DESC
    LIMIT 1
$$;
COMMENT ON FUNCTION recon.fx_pair_rate(text, text, date, text) IS
    'Stored rate for exactly this ordered pair under a policy (daily within fx_max_staleness_days, monthly_average of the month, fixed valid-from), or no row.';

-- Rate for a pair, trying direct, then inverse: no row when neither exists.
CREATE FUNCTION recon.fx_pair_rate_either_way(from_currency text, to_currency text, as_of date, policy text)
RETURNS TABLE (rate numeric, rate_date date, path text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT d.rate, d.rate_date, 'direct'
    FROM recon.fx_pair_rate(from_currency, to_currency, as_of, policy) d
    UNION ALL
    SELECT 1 / i.rate, i.rate_date, 'inverse'
    FROM recon.fx_pair_rate(to_currency, from_currency, as_of, policy) i
    LIMIT 1
$$;
COMMENT ON FUNCTION recon.fx_pair_rate_either_way(text, text, date, text) IS
    'Rate for a currency pair from a direct quote or the inverse of the opposite quote; no row when neither is stored.';

-- The rate from one currency to another as of a date: same currency, direct,
-- inverse, then crossed through the pivot currency. These lookups return sets (of
-- at most one row) because only set-returning SQL functions are inlined into the
-- calling query: a report resolving hundreds of (currency, day) pairs then plans
-- them once instead of running nested function calls per pair.
CREATE FUNCTION recon.fx_find_rate(from_currency text, to_currency text, as_of date, policy text)
RETURNS TABLE (rate numeric, rate_date date, path text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT 1::numeric, as_of, 'same' WHERE from_currency = to_currency
    UNION ALL
    SELECT coalesce(d.rate, v.rate), coalesce(d.rate_date, v.rate_date), coalesce(d.path, v.path)
    FROM (SELECT 1) one
    LEFT JOIN recon.fx_pair_rate_either_way(from_currency, to_currency, as_of, policy) d ON true
    LEFT JOIN LATERAL (
        SELECT a.rate * b.rate AS rate, least(a.rate_date, b.rate_date) AS rate_date, 'via ' || p.pivot AS path
        FROM (SELECT recon.setting('fx_pivot_currency') AS pivot) p
        CROSS JOIN LATERAL recon.fx_pair_rate_either_way(from_currency, p.pivot, as_of, policy) a
        CROSS JOIN LATERAL recon.fx_pair_rate_either_way(p.pivot, to_currency, as_of, policy) b
        WHERE d.rate IS NULL AND p.pivot NOT IN ('', from_currency, to_currency)
    ) v ON true
    WHERE from_currency <> to_currency AND coalesce(d.rate, v.rate) IS NOT NULL
$$;
COMMENT ON FUNCTION recon.fx_find_rate(text, text, date, text) IS
    'Rate from one currency to another as of a date under a policy: 1 for the same currency, else a direct quote, the inverse of the opposite quote, or the cross through the fx_pivot_currency setting; no row when none exists (recon_fx_convert turns that into an error).';

CREATE FUNCTION recon_fx_convert(amount numeric, from_currency text, as_of date,
                                 to_currency text DEFAULT NULL, policy text DEFAULT NULL)
RETURNS recon_converted_amount
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    src    text := @extschema@.recon_currency(from_currency);
    dst    text := @extschema@.recon_currency(coalesce(to_currency, recon.setting('reporting_currency')));
    pol    text := coalesce(policy, recon.setting('fx_policy'));
    found  record;
    pivot  text;
    result @extschema@.recon_converted_amount;
BEGIN
    IF amount IS NULL THEN
        RETURN NULL;
    END IF;
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'cannot convert % % to %: the as-of date is NULL', amount, src, dst
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF pol NOT IN ('daily', 'monthly_average', 'fixed') THEN
        PERFORM recon.validate_setting('fx_policy', pol);     -- raises the setting's own error
    END IF;

    SELECT * INTO found FROM recon.fx_find_rate(src, dst, as_of, pol);
    IF found.rate IS NULL THEN
        pivot := recon.setting('fx_pivot_currency');
        RAISE EXCEPTION 'no % FX rate from % to % for %', pol, src, dst, as_of
            USING ERRCODE = 'no_data_found',
                  DETAIL = format('Looked in recon.fx_rates for %s/%s, %s/%s%s, %s.',
                                  src, dst, dst, src,
                                  CASE WHEN pivot NOT IN ('', src, dst) THEN ' and via ' || pivot ELSE '' END,
                                  CASE pol WHEN 'daily' THEN format('dated %s back to %s (fx_max_staleness_days)',
                                                                    as_of, as_of - recon.setting('fx_max_staleness_days')::integer)
                                           WHEN 'monthly_average' THEN format('the monthly average dated %s', date_trunc('month', as_of)::date)
                                           ELSE format('a fixed rate valid on %s', as_of) END),
                  HINT = 'Load the missing rate into recon.fx_rates, or change the fx_policy setting.';
    END IF;

    result.original_amount := amount;
    result.original_currency := src;
    result.amount := @extschema@.recon_money_round(amount * found.rate, dst);
    result.currency := dst;
    result.rate := found.rate;
    result.rate_date := found.rate_date;
    result.fx_policy := pol;
    result.rate_path := found.path;
    RETURN result;
END $$;
COMMENT ON FUNCTION recon_fx_convert(numeric, text, date, text, text) IS
    'Converts an amount as of a date (to the reporting currency unless to_currency is given, under the fx_policy setting unless policy is given), keeping original and converted amounts, the rate, its date and path; rounds to the target currency''s minor units; raises P0002 when no rate covers the date.';

CREATE FUNCTION recon_fx_amount(amount numeric, from_currency text, as_of date,
                                to_currency text DEFAULT NULL, policy text DEFAULT NULL)
RETURNS numeric LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (@extschema@.recon_fx_convert(amount, from_currency, as_of, to_currency, policy)).amount
$$;
COMMENT ON FUNCTION recon_fx_amount(numeric, text, date, text, text) IS
    'Just the converted amount of recon_fx_convert (same rules, same errors).';

CREATE PROCEDURE recon.fx_derive_monthly_averages(from_month date, to_month date, reason text DEFAULT NULL)
LANGUAGE sql AS $$
    INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate, record_source)
    SELECT 'monthly_average', base_currency, quote_currency, date_trunc('month', rate_date)::date,
           round(avg(rate), 10), coalesce('derived from daily rates: ' || reason, 'derived from daily rates')
    FROM recon.fx_rates
    WHERE rate_type = 'daily'
      AND rate_date >= date_trunc('month', from_month) AND rate_date < date_trunc('month', to_month) + interval '1 month'
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (rate_type, base_currency, quote_currency, rate_date)
    DO UPDATE SET rate = EXCLUDED.rate, record_source = EXCLUDED.record_source
    WHERE recon.fx_rates.record_source LIKE 'derived from daily rates%'
$$;
COMMENT ON PROCEDURE recon.fx_derive_monthly_averages(date, date, text) IS
    'Computes monthly_average rates from the stored daily rates for each month in [from_month, to_month], replacing earlier derivations; a monthly average loaded from another source is kept.';

-- Rates to the reporting currency for a batch of (currency, day) pairs, one lookup
-- per distinct pair, as reports need them: a report converts each day's amount at
-- that day's rate. The arrays are zipped (unnest(currencies, days)); NULL
-- currencies are skipped. A pair without a rate goes through recon_fx_convert,
-- which raises the error that names it (P0002).
CREATE FUNCTION recon.fx_reporting_rates(currencies text[], days date[])
RETURNS TABLE (currency text, day date, rate numeric)
LANGUAGE sql STABLE AS $$
    -- the settings once, as values: the lookups then use them as index keys
    WITH s AS MATERIALIZED (SELECT recon.setting('reporting_currency') AS cur, recon.setting('fx_policy') AS fx_policy),
    -- in order, so that a missing rate always names the same (first) pair
    p AS MATERIALIZED (SELECT DISTINCT u.c AS currency, u.d AS day FROM unnest(currencies, days) AS u(c, d)
                       WHERE u.c IS NOT NULL ORDER BY 1, 2)
    SELECT p.currency, p.day, coalesce(f.rate, (@extschema@.recon_fx_convert(1, p.currency, p.day)).rate)
    FROM p CROSS JOIN s
    -- arguments without sub-selects, so that the lookup is inlined into this plan
    LEFT JOIN LATERAL recon.fx_find_rate(p.currency, s.cur, p.day, s.fx_policy) f ON true
$$;
COMMENT ON FUNCTION recon.fx_reporting_rates(text[], date[]) IS
    'The rate from each distinct (currency, day) pair (arrays zipped; NULL currencies skipped) to the reporting currency under the fx_policy setting, as recon_fx_convert finds it; raises P0002 naming the first pair (by currency, then day) no rate covers.';

-- ===== src/model/platform.sql =====
-- Platform layer: what the ad platforms claim (accounts, daily delivery and
-- attributed conversions per window) and the event-level signals the
-- advertiser sent them. Platform ids are text: 18-digit Meta ids do not survive
-- a float (see docs/data-model.md).

CREATE TABLE recon.ad_accounts (
    platform         text COLLATE "C" NOT NULL REFERENCES recon.platforms,
    account_id       text COLLATE "C" NOT NULL CHECK (account_id <> ''),
    account_name     text,
    timezone         recon_timezone_name NOT NULL,
    currency         recon_currency_code NOT NULL,
    report_timezone  recon_timezone_name,
    record_source    text COLLATE "C" NOT NULL DEFAULT 'manual',
    batch_id         text COLLATE "C",
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    dq_flags         text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, account_id)
);
COMMENT ON TABLE recon.ad_accounts IS
    'Ad accounts: platform, id, the account''s time zone and currency, and report_timezone, the zone its daily reports use (the account zone, or UTC for TikTok, LinkedIn, Snap...), filled from recon.platforms when omitted.';
COMMENT ON COLUMN recon.ad_accounts.report_timezone IS
    'Zone that defines report_date in this account''s reports: the account zone for Meta, Google, Microsoft; UTC for TikTok, LinkedIn, Snap, Pinterest, Reddit.';

CREATE FUNCTION recon.ad_accounts_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.report_timezone IS NULL THEN
        SELECT CASE p.report_clock WHEN 'utc' THEN 'UTC' ELSE NEW.timezone END
          INTO NEW.report_timezone
          FROM recon.platforms p WHERE p.platform = NEW.platform;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := clock_timestamp();
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.ad_accounts_before_write() IS
    'Trigger: fills report_timezone from the platform''s report clock and keeps updated_at current.';
CREATE TRIGGER ad_accounts_defaults BEFORE INSERT OR UPDATE ON recon.ad_accounts
    FOR EACH ROW EXECUTE FUNCTION recon.ad_accounts_before_write();
SELECT pg_catalog.pg_extension_config_dump('recon.ad_accounts', '');

CREATE TABLE recon.ad_delivery_daily (
    platform             text COLLATE "C" NOT NULL,
    account_id           text COLLATE "C" NOT NULL,
    report_date          date NOT NULL,
    level                text COLLATE "C" NOT NULL DEFAULT 'ad' CHECK (level IN ('campaign', 'adset', 'ad')),
    campaign_id          text COLLATE "C" NOT NULL,
    campaign_name        text,
    adset_id             text COLLATE "C" NOT NULL DEFAULT '',
    adset_name           text,
    ad_id                text COLLATE "C" NOT NULL DEFAULT '',
    ad_name              text,
    spend                numeric NOT NULL DEFAULT 0 CHECK (spend >= 0),
    currency             recon_currency_code NOT NULL,
    impressions          bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
    clicks               bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
    link_clicks          bigint CHECK (link_clicks >= 0),
    attribution_setting  text,
    action_report_time   text CHECK (action_report_time IN ('impression', 'conversion', 'mixed')),
    report_timezone      recon_timezone_name NOT NULL,
    pulled_at            timestamptz NOT NULL,
    record_source        text COLLATE "C" NOT NULL,
    batch_id             text COLLATE "C",
    loaded_at            timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    dq_flags             text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, account_id, report_date, campaign_id, adset_id, ad_id),
    FOREIGN KEY (platform, account_id) REFERENCES recon.ad_accounts,
    CONSTRAINT ad_delivery_level_ids CHECK (
        (level = 'campaign' AND adset_id = '' AND ad_id = '')
     OR (level = 'adset' AND adset_id <> '' AND ad_id = '')
     OR (level = 'ad' AND adset_id <> '' AND ad_id <> ''))
);
COMMENT ON TABLE recon.ad_delivery_daily IS
    'Daily delivery per platform, account, campaign, ad set and ad as the platform reports it: spend in account currency, impressions, clicks, the attribution setting and action_report_time in force, the report''s time zone and when it was pulled. One level per row (campaign, adset or ad): never sum across levels.';
COMMENT ON COLUMN recon.ad_delivery_daily.action_report_time IS
    'Meta: impression = conversions booked on the click/impression day; conversion = on the conversion day; mixed = clicks on click day, views on conversion day.';
CREATE TRIGGER ad_delivery_daily_touch BEFORE UPDATE ON recon.ad_delivery_daily
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
CREATE INDEX ad_delivery_daily_campaign ON recon.ad_delivery_daily (platform, campaign_id, report_date);
SELECT pg_catalog.pg_extension_config_dump('recon.ad_delivery_daily', '');

CREATE TABLE recon.platform_conversions_daily (
    platform             text COLLATE "C" NOT NULL,
    account_id           text COLLATE "C" NOT NULL,
    report_date          date NOT NULL,
    campaign_id          text COLLATE "C" NOT NULL,
    adset_id             text COLLATE "C" NOT NULL DEFAULT '',
    ad_id                text COLLATE "C" NOT NULL DEFAULT '',
    action_type          text COLLATE "C" NOT NULL,
    attribution_window   text COLLATE "C" NOT NULL,
    conversions          numeric NOT NULL DEFAULT 0 CHECK (conversions >= 0),
    conversion_value     numeric NOT NULL DEFAULT 0,
    currency             recon_currency_code NOT NULL,
    record_source        text COLLATE "C" NOT NULL,
    batch_id             text COLLATE "C",
    loaded_at            timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    dq_flags             text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window),
    FOREIGN KEY (platform, account_id, report_date, campaign_id, adset_id, ad_id)
        REFERENCES recon.ad_delivery_daily ON DELETE CASCADE
);
COMMENT ON TABLE recon.platform_conversions_daily IS
    'Platform-attributed conversions and value per delivery row, action type and attribution window (1d_click, 7d_click, 28d_click, 1d_view, 1d_ev, dda, default). Windows overlap: 7d_click includes 1d_click, and default is the account''s setting (e.g. 7d_click + 1d_view); pick one window, never sum them.';
CREATE TRIGGER platform_conversions_daily_touch BEFORE UPDATE ON recon.platform_conversions_daily
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('recon.platform_conversions_daily', '');

CREATE TABLE recon.conversion_signals (
    signal_key       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform         text COLLATE "C" NOT NULL REFERENCES recon.platforms,
    account_id       text COLLATE "C",
    source           text COLLATE "C" NOT NULL CHECK (source IN ('pixel', 'capi', 'offline_upload', 'lead_form', 'app_sdk')),
    event_id         text COLLATE "C",
    event_name       text COLLATE "C" NOT NULL,
    event_time       timestamptz NOT NULL,
    fbclid           text COLLATE "C",
    gclid            text COLLATE "C",
    gbraid           text COLLATE "C",
    wbraid           text COLLATE "C",
    ttclid           text COLLATE "C",
    msclkid          text COLLATE "C",
    li_fat_id        text COLLATE "C",
    fbc              text COLLATE "C",
    fbp              text COLLATE "C",
    external_id      text COLLATE "C",
    email_sha256     recon_sha256_digest,
    phone_sha256     recon_sha256_digest,
    value            numeric,
    currency         recon_currency_code,
    order_id         text COLLATE "C",
    lead_id          text COLLATE "C",
    campaign_id      text COLLATE "C",
    adset_id         text COLLATE "C",
    ad_id            text COLLATE "C",
    record_source    text COLLATE "C" NOT NULL,
    batch_id         text COLLATE "C",
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    dq_flags         text[] NOT NULL DEFAULT '{}',
    CONSTRAINT conversion_signals_value_has_currency CHECK (value IS NULL OR currency IS NOT NULL)
);
COMMENT ON TABLE recon.conversion_signals IS
    'Event-level conversion signals the advertiser sent to or received from a platform: Pixel, Conversions API, offline uploads, lead forms. Duplicates are kept on purpose: the gap analysis needs to see Pixel+CAPI pairs whose event ids drifted.';
CREATE TRIGGER conversion_signals_touch BEFORE UPDATE ON recon.conversion_signals
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
CREATE INDEX conversion_signals_order ON recon.conversion_signals (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX conversion_signals_event ON recon.conversion_signals (platform, event_name, event_id);
SELECT pg_catalog.pg_extension_config_dump('recon.conversion_signals', '');

CREATE TABLE recon.ad_clicks (
    platform         text COLLATE "C" NOT NULL REFERENCES recon.platforms,
    click_id         text COLLATE "C" NOT NULL CHECK (click_id <> ''),
    clicked_at       timestamptz NOT NULL,
    account_id       text COLLATE "C",
    campaign_id      text COLLATE "C",
    adset_id         text COLLATE "C",
    ad_id            text COLLATE "C",
    record_source    text COLLATE "C" NOT NULL,
    batch_id         text COLLATE "C",
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    dq_flags         text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, click_id)
);
COMMENT ON TABLE recon.ad_clicks IS
    'The click log: each ad click the advertiser captured (landing-page click id with its time and the campaign, ad set and ad ids from the URL, or a click-level report such as Google''s click_view). The gap analysis reads it for click-to-conversion lag (attribution window) and for the day a platform books a click (clock).';
COMMENT ON COLUMN recon.ad_clicks.click_id IS
    'The platform''s click id as captured: fbclid, gclid, gbraid, wbraid, ttclid, msclkid or li_fat_id.';
CREATE TRIGGER ad_clicks_touch BEFORE UPDATE ON recon.ad_clicks
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('recon.ad_clicks', '');

-- ===== src/model/funnel.sql =====
-- Funnel layer: what happened to each lead, order or opportunity in the CRM.

CREATE TABLE recon.funnel_records (
    record_id         text COLLATE "C" PRIMARY KEY CHECK (record_id <> ''),
    record_type       text COLLATE "C" NOT NULL CHECK (record_type IN ('lead', 'order', 'opportunity')),
    crm_system        text COLLATE "C" NOT NULL,
    created_at        timestamptz NOT NULL,
    channel           text COLLATE "C" NOT NULL DEFAULT 'unknown' REFERENCES recon.channels,
    source            text COLLATE "C",
    campaign_id       text COLLATE "C",
    adset_id          text COLLATE "C",
    ad_id             text COLLATE "C",
    utm_source        text COLLATE "C",
    utm_medium        text COLLATE "C",
    utm_campaign      text COLLATE "C",
    utm_content       text COLLATE "C",
    utm_term          text COLLATE "C",
    utm_id            text COLLATE "C",
    fbclid            text COLLATE "C",
    gclid             text COLLATE "C",
    gbraid            text COLLATE "C",
    wbraid            text COLLATE "C",
    ttclid            text COLLATE "C",
    msclkid           text COLLATE "C",
    li_fat_id         text COLLATE "C",
    fbc               text COLLATE "C",
    fbp               text COLLATE "C",
    external_id       text COLLATE "C",
    email_sha256      recon_sha256_digest,
    phone_sha256      recon_sha256_digest,
    customer_id       text COLLATE "C",
    parent_record_id  text COLLATE "C" REFERENCES recon.funnel_records DEFERRABLE INITIALLY DEFERRED,
    stated_value      numeric,
    currency          recon_currency_code,
    stage             text COLLATE "C" NOT NULL,
    status            text COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'cancelled')),
    status_reason     text,
    closed_at         timestamptz,
    owner             text COLLATE "C",
    market            text COLLATE "C",
    record_source     text COLLATE "C" NOT NULL,
    batch_id          text COLLATE "C",
    loaded_at         timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    dq_flags          text[] NOT NULL DEFAULT '{}',
    CONSTRAINT funnel_records_value_has_currency CHECK (stated_value IS NULL OR currency IS NOT NULL),
    CONSTRAINT funnel_records_closed_when_final CHECK ((status = 'open') = (closed_at IS NULL)),
    CONSTRAINT funnel_records_closed_after_created CHECK (closed_at IS NULL OR closed_at >= created_at)
);
COMMENT ON TABLE recon.funnel_records IS
    'Leads, orders and opportunities with a stable internal id: when and where they came from (channel, campaign ids, UTM tags, click ids, protected contact keys), their stated value, current stage and final status (won, lost, cancelled) with reason, owner and market. dq_flags marks spam, test, duplicate records; they are kept, not deleted.';
COMMENT ON COLUMN recon.funnel_records.channel IS
    'Normalized source: an ad platform (meta, google, tiktok...) or organic, direct, email, referral, unknown.';
COMMENT ON COLUMN recon.funnel_records.parent_record_id IS
    'CRM relationship: the lead an opportunity came from, or the order a follow-up order belongs to.';

CREATE TRIGGER funnel_records_touch BEFORE UPDATE ON recon.funnel_records
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
CREATE INDEX funnel_records_customer ON recon.funnel_records (customer_id) WHERE customer_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('recon.funnel_records', '');

CREATE TABLE recon.funnel_stage_history (
    record_id      text COLLATE "C" NOT NULL REFERENCES recon.funnel_records ON DELETE CASCADE,
    stage          text COLLATE "C" NOT NULL,
    entered_at     timestamptz NOT NULL,
    exited_at      timestamptz,
    record_source  text COLLATE "C" NOT NULL,
    batch_id       text COLLATE "C",
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    dq_flags       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (record_id, entered_at, stage),
    CONSTRAINT funnel_stage_history_order CHECK (exited_at IS NULL OR exited_at >= entered_at)
);
COMMENT ON TABLE recon.funnel_stage_history IS
    'Every stage a funnel record entered, with timestamps: the basis for stage conversion, response time and sales cycle.';
CREATE TRIGGER funnel_stage_history_touch BEFORE UPDATE ON recon.funnel_stage_history
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('recon.funnel_stage_history', '');

-- Why a record does not count as a real conversion: invalid (spam, test) or duplicate.
CREATE FUNCTION recon.record_invalidity(status_reason text, dq_flags text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN status_reason IN ('spam', 'test', 'test order') OR dq_flags && ARRAY['spam', 'test'] THEN 'invalid'
                WHEN status_reason = 'duplicate' OR dq_flags && ARRAY['duplicate'] THEN 'duplicate' END
$$;
COMMENT ON FUNCTION recon.record_invalidity(text, text[]) IS
    'invalid when the CRM closed the record as spam, test or test order (or dq_flags say spam/test), duplicate when it closed it as a duplicate (or dq_flags say so), else NULL.';

-- ===== src/model/collected.sql =====
-- Collected layer: what finance invoiced, received, refunded and wrote off.

CREATE TABLE recon.finance_transactions (
    transaction_id         text COLLATE "C" PRIMARY KEY CHECK (transaction_id <> ''),
    transaction_type       text COLLATE "C" NOT NULL CHECK (transaction_type IN
                           ('invoice', 'payment', 'refund', 'chargeback', 'credit_note', 'write_off')),
    status                 text COLLATE "C" NOT NULL DEFAULT 'posted' CHECK (status IN ('posted', 'pending', 'failed', 'reversed')),
    occurred_at            timestamptz NOT NULL,
    amount                 numeric NOT NULL CHECK (amount >= 0),
    currency               recon_currency_code NOT NULL,
    tax_amount             numeric NOT NULL DEFAULT 0 CHECK (tax_amount >= 0),
    shipping_amount        numeric NOT NULL DEFAULT 0 CHECK (shipping_amount >= 0),
    fee_amount             numeric NOT NULL DEFAULT 0 CHECK (fee_amount >= 0),
    tax_treatment          text NOT NULL DEFAULT 'inclusive' CHECK (tax_treatment IN ('inclusive', 'exclusive', 'exempt')),
    order_id               text COLLATE "C",
    opportunity_id         text COLLATE "C",
    customer_id            text COLLATE "C",
    invoice_id             text COLLATE "C",
    parent_transaction_id  text COLLATE "C" REFERENCES recon.finance_transactions DEFERRABLE INITIALLY DEFERRED,
    cash_amount            numeric GENERATED ALWAYS AS (
                               CASE WHEN status <> 'posted' THEN 0
                                    WHEN transaction_type = 'payment' THEN amount
                                    WHEN transaction_type IN ('refund', 'chargeback') THEN -amount
                                    ELSE 0 END) STORED,
    revenue_amount         numeric GENERATED ALWAYS AS (
                               CASE WHEN status <> 'posted' THEN 0
                                    WHEN transaction_type IN ('payment') THEN
                                        amount - CASE tax_treatment WHEN 'inclusive' THEN tax_amount ELSE 0 END
                                               - shipping_amount
                                    WHEN transaction_type IN ('refund', 'chargeback') THEN
                                        -(amount - CASE tax_treatment WHEN 'inclusive' THEN tax_amount ELSE 0 END
                                                 - shipping_amount)
                                    ELSE 0 END) STORED,
    record_source          text COLLATE "C" NOT NULL,
    batch_id               text COLLATE "C",
    loaded_at              timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    dq_flags               text[] NOT NULL DEFAULT '{}',
    CONSTRAINT finance_transactions_has_link CHECK (
        coalesce(order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id) IS NOT NULL),
    CONSTRAINT finance_transactions_parts_within CHECK (
        shipping_amount + CASE WHEN tax_treatment = 'inclusive' THEN tax_amount ELSE 0 END <= amount)
);
COMMENT ON TABLE recon.finance_transactions IS
    'Finance transactions in original currency: invoices, payments, refunds, chargebacks, credit notes, write-offs, with link keys (order, opportunity, customer, invoice, parent transaction) and tax/shipping/fee treatment. Amounts are positive; cash_amount (+payments, -refunds/chargebacks) and revenue_amount (the same net of inclusive tax and shipping; fees are a cost, not deducted) carry the sign.';
COMMENT ON COLUMN recon.finance_transactions.cash_amount IS
    'Signed cash effect of a posted transaction: +amount for payments, -amount for refunds and chargebacks, 0 otherwise (invoices, credit notes and write-offs move receivables, not cash).';
CREATE TRIGGER finance_transactions_touch BEFORE UPDATE ON recon.finance_transactions
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
CREATE INDEX finance_transactions_order ON recon.finance_transactions (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX finance_transactions_opportunity ON recon.finance_transactions (opportunity_id) WHERE opportunity_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('recon.finance_transactions', '');

-- ===== src/model/contract.sql =====
-- The metrics contract: what each KPI means, which system is its record, which
-- date drives it, what is in and out, from when. Every change is a new row in
-- an append-only log; the contract view derives valid_to from the next version.
-- UPDATE, DELETE and TRUNCATE on the log are rejected (SQLSTATE 23001), so a
-- definition can only change by recording who changed it, when and why.

CREATE TABLE recon.metrics_contract_log (
    change_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kpi               text NOT NULL CHECK (kpi ~ '^[a-z][a-z0-9_]{0,62}$'),
    version           integer NOT NULL CHECK (version > 0),
    action            text NOT NULL CHECK (action IN ('define', 'revise', 'retire')),
    definition        text,
    system_of_record  text CHECK (system_of_record IN ('platform', 'crm', 'finance', 'recon')),
    date_field        text,
    inclusion_rule    text,
    exclusion_rule    text,
    unit              text,
    valid_from        timestamptz NOT NULL,
    changed_by        text NOT NULL DEFAULT current_user,
    changed_at        timestamptz NOT NULL DEFAULT now(),
    reason            text NOT NULL CHECK (btrim(reason) <> ''),
    UNIQUE (kpi, version),
    CONSTRAINT metrics_contract_log_complete CHECK (
        action = 'retire' OR (definition IS NOT NULL AND system_of_record IS NOT NULL AND date_field IS NOT NULL))
);
COMMENT ON TABLE recon.metrics_contract_log IS
    'Append-only history of the metrics contract: one row per define, revise or retire of a KPI, with who, when and why. UPDATE, DELETE and TRUNCATE are rejected; write through recon.define_metric / recon.retire_metric.';
SELECT pg_catalog.pg_extension_config_dump('recon.metrics_contract_log', '');
SELECT pg_catalog.pg_extension_config_dump('recon.metrics_contract_log_change_id_seq', '');

-- Number and check each new contract entry against the KPI's history.
CREATE FUNCTION recon.metrics_contract_log_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last recon.metrics_contract_log;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('recon.metrics_contract:' || NEW.kpi));
    SELECT * INTO last FROM recon.metrics_contract_log
     WHERE kpi = NEW.kpi ORDER BY version DESC LIMIT 1;

    IF NEW.version IS NULL THEN
        NEW.version := coalesce(last.version, 0) + 1;
    ELSIF NEW.version <> coalesce(last.version, 0) + 1 THEN
        RAISE EXCEPTION 'metric "%" version % is out of sequence: the next version is %',
                        NEW.kpi, NEW.version, coalesce(last.version, 0) + 1
            USING ERRCODE = 'unique_violation';
    END IF;
    IF NEW.action IS NULL THEN
        NEW.action := CASE WHEN last.action IS NULL OR last.action = 'retire' THEN 'define' ELSE 'revise' END;
    END IF;

    IF NEW.action = 'define' AND last.action IS NOT NULL AND last.action <> 'retire' THEN
        RAISE EXCEPTION 'metric "%" is already defined (version %)', NEW.kpi, last.version
            USING ERRCODE = 'unique_violation', HINT = 'Use action revise to change it.';
    ELSIF NEW.action IN ('revise', 'retire') AND (last.action IS NULL OR last.action = 'retire') THEN
        RAISE EXCEPTION 'metric "%" has no version in force to %', NEW.kpi, NEW.action
            USING ERRCODE = 'no_data_found', HINT = 'Define it first.';
    END IF;
    IF last.valid_from IS NOT NULL AND NEW.valid_from < last.valid_from THEN
        RAISE EXCEPTION 'metric "%" version % cannot be valid from %: version % is valid from %',
                        NEW.kpi, NEW.version, NEW.valid_from, last.version, last.valid_from
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A new version takes effect at or after the one it replaces; history is not rewritten.';
    END IF;
    IF NEW.action = 'retire' THEN
        NEW.definition := NULL; NEW.system_of_record := NULL; NEW.date_field := NULL;
        NEW.inclusion_rule := NULL; NEW.exclusion_rule := NULL; NEW.unit := NULL;
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.metrics_contract_log_before_insert() IS
    'Trigger: numbers each contract change, checks define/revise/retire against the KPI''s history and that validity only moves forward.';
CREATE TRIGGER metrics_contract_log_sequence BEFORE INSERT ON recon.metrics_contract_log
    FOR EACH ROW EXECUTE FUNCTION recon.metrics_contract_log_before_insert();
SELECT recon.make_append_only('recon.metrics_contract_log');

CREATE VIEW recon.metrics_contract AS
    SELECT kpi, version, definition, system_of_record, date_field, inclusion_rule, exclusion_rule, unit,
           valid_from, valid_to,
           CASE WHEN valid_to IS NULL THEN 'current'
                WHEN next_action = 'retire' THEN 'retired' ELSE 'superseded' END AS status,
           changed_by, changed_at, reason
    FROM (SELECT l.*,
                 lead(valid_from) OVER w AS valid_to,
                 lead(action) OVER w AS next_action
          FROM recon.metrics_contract_log l
          WINDOW w AS (PARTITION BY kpi ORDER BY version)) v
    WHERE action <> 'retire';
COMMENT ON VIEW recon.metrics_contract IS
    'The metrics contract, one row per KPI version with valid_from/valid_to (valid_to = when the next version or a retirement took effect) and status current, superseded or retired.';

CREATE FUNCTION recon.define_metric(kpi text, definition text, system_of_record text, date_field text,
                                    reason text, inclusion_rule text DEFAULT NULL,
                                    exclusion_rule text DEFAULT NULL, unit text DEFAULT NULL,
                                    valid_from timestamptz DEFAULT now())
RETURNS integer LANGUAGE sql AS $$
    INSERT INTO recon.metrics_contract_log
        (kpi, definition, system_of_record, date_field, inclusion_rule, exclusion_rule, unit, valid_from, reason)
    VALUES (kpi, definition, system_of_record, date_field, inclusion_rule, exclusion_rule, unit, valid_from, reason)
    RETURNING version
$$;
COMMENT ON FUNCTION recon.define_metric(text, text, text, text, text, text, text, text, timestamptz) IS
    'Defines a KPI or records a new version of it, effective from valid_from; returns the version number. The reason is required.';

CREATE FUNCTION recon.retire_metric(kpi text, reason text, valid_from timestamptz DEFAULT now())
RETURNS integer LANGUAGE sql AS $$
    INSERT INTO recon.metrics_contract_log (kpi, action, valid_from, reason)
    VALUES (kpi, 'retire', valid_from, reason)
    RETURNING version
$$;
COMMENT ON FUNCTION recon.retire_metric(text, text, timestamptz) IS
    'Ends a KPI''s validity at valid_from (its history stays); returns the retirement''s version number.';

CREATE FUNCTION recon.metric_as_of(kpi text, at timestamptz DEFAULT now())
RETURNS SETOF recon.metrics_contract LANGUAGE sql STABLE AS $$
    SELECT c.* FROM recon.metrics_contract c
    WHERE c.kpi = metric_as_of.kpi AND c.valid_from <= at AND (c.valid_to IS NULL OR at < c.valid_to)
    ORDER BY c.version DESC LIMIT 1
$$;
COMMENT ON FUNCTION recon.metric_as_of(text, timestamptz) IS
    'The version of a KPI in force at a moment (no row when undefined or retired then).';

CREATE FUNCTION recon.install_default_contract(reason text DEFAULT 'recon default contract',
                                               valid_from timestamptz DEFAULT '-infinity')
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer := 0;
    m record;
BEGIN
    FOR m IN SELECT * FROM (VALUES
        ('spend', 'Money the platform charged for delivery, in the account currency, converted to the reporting currency at the report date.',
         'platform', 'ad_delivery_daily.report_date (platform report time zone)', 'All delivery rows at one level (ad).', NULL, 'currency'),
        ('platform_conversions', 'Conversions the platform attributes to its ads in the window named by the platform_report_window setting.',
         'platform', 'ad_delivery_daily.report_date, booked per action_report_time', 'One action type per event family.', 'Other attribution windows (they overlap).', 'count'),
        ('platform_conversion_value', 'Conversion value the platform attributes to its ads, same window and action types as platform_conversions.',
         'platform', 'ad_delivery_daily.report_date, booked per action_report_time', NULL, NULL, 'currency'),
        ('crm_conversions', 'Valid CRM records (leads or orders) attributed to the channel.',
         'crm', 'funnel_records.created_at (reporting time zone)', 'Records whose dq_flags mark none of spam, test, duplicate.', 'Spam, test and duplicate records.', 'count'),
        ('crm_won', 'Valid CRM records whose final status is won.',
         'crm', 'funnel_records.created_at (reporting time zone, cohort)', 'status = won.', 'Lost, cancelled, open, spam, test, duplicate.', 'count'),
        ('booked_value', 'Stated value of won CRM records, converted to the reporting currency at creation.',
         'crm', 'funnel_records.created_at (reporting time zone, cohort)', 'status = won.', NULL, 'currency'),
        ('collected_revenue', 'Cash received for the records, net of refunds and chargebacks, tax and shipping, converted to the reporting currency at the transaction date.',
         'finance', 'funnel_records.created_at for the cohort view; finance_transactions.occurred_at for the cash view', 'Posted payments minus posted refunds and chargebacks.', 'Pending, failed and reversed transactions; invoices and credit notes until paid.', 'currency'),
        ('platform_roas', 'platform_conversion_value divided by spend.',
         'platform', 'ad_delivery_daily.report_date', NULL, NULL, 'ratio'),
        ('collected_roas', 'collected_revenue divided by spend of the same channel and period.',
         'finance', 'funnel_records.created_at (cohort)', NULL, 'Immature cohorts are labelled, not compared.', 'ratio')
    ) AS d(kpi, definition, sor, date_field, incl, excl, unit)
    LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM recon.metrics_contract_log l WHERE l.kpi = m.kpi);
        PERFORM recon.define_metric(m.kpi, m.definition, m.sor, m.date_field, reason, m.incl, m.excl, m.unit,
                                    install_default_contract.valid_from);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
COMMENT ON FUNCTION recon.install_default_contract(text, timestamptz) IS
    'Adds version 1 of recon''s standard KPIs (spend, platform_conversions, crm_conversions, collected_revenue, ROAS...) for each KPI not yet in the contract, valid from valid_from (default -infinity: the definitions also govern history); returns how many were added. Not run by CREATE EXTENSION so that the contract is wholly user data for pg_dump.';

-- ===== src/demo/demo_random.sql =====
-- Counter-based random numbers for the demo generator (src/demo/demo_random.c).

CREATE FUNCTION recon_demo_random(seed bigint, stream bigint, row_number bigint) RETURNS double precision
    AS 'MODULE_PATHNAME', 'recon_demo_random' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_demo_random(bigint, bigint, bigint) IS
    'Uniform pseudo-random number in [0,1) determined only by (seed, stream, row): the same inputs give the same value in any plan.';

CREATE FUNCTION recon_demo_token(seed bigint, stream bigint, row_number bigint, length integer) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_demo_token' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_demo_token(bigint, bigint, bigint, integer) IS
    'Deterministic base64url token (the alphabet of fbclid/gclid click ids) of the given length, from (seed, stream, row).';

-- ===== src/demo/generator.sql =====
-- The ground-truth demo: a deterministic, scalable simulation of ad platforms,
-- a CRM and finance, with every cause of disagreement injected on purpose and
-- the truth of each journey kept in schema recon_truth. Later features are
-- checked against it: what they explain must match what was injected.

CREATE SCHEMA recon_truth;
COMMENT ON SCHEMA recon_truth IS
    'Ground truth of the demo generator: what really happened to each simulated journey and every platform claim.';

CREATE TABLE recon_truth.runs (
    seed          bigint NOT NULL,
    scale         integer NOT NULL,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    as_of         timestamptz NOT NULL,
    reporting_timezone text NOT NULL,
    row_counts    jsonb NOT NULL,
    faults        jsonb NOT NULL DEFAULT '{}',
    generated_by  text NOT NULL DEFAULT current_user,
    generated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE recon_truth.runs IS
    'The demo run whose data is loaded: seed, scale, simulated period, the extraction moment (as_of: nothing later exists), the rows written per table and the faults injected.';

CREATE TABLE recon_truth.journeys (
    journey_id            bigint PRIMARY KEY,
    person_id             bigint NOT NULL,
    kind                  text NOT NULL CHECK (kind IN
                          ('click_conversion', 'outside_window', 'view_through', 'modeled', 'junk', 'identity_lost')),
    platform              text NOT NULL,
    account_id            text NOT NULL,
    campaign_id           text NOT NULL,
    adset_id              text NOT NULL,
    ad_id                 text NOT NULL,
    touch_at              timestamptz NOT NULL,
    click_id              text,
    converted_at          timestamptz NOT NULL,
    lag_days              numeric NOT NULL,
    record_type           text NOT NULL,
    record_id             text,
    opportunity_id        text,
    duplicate_record_id   text,
    currency              text NOT NULL,
    stated_value          numeric NOT NULL,
    outcome               text NOT NULL,
    outcome_reason        text,
    is_spam               boolean NOT NULL,
    is_test               boolean NOT NULL,
    refund_kind           text NOT NULL CHECK (refund_kind IN ('none', 'full', 'partial', 'failed_delivery')),
    refund_amount         numeric NOT NULL,
    installments          integer NOT NULL,
    collected_revenue     numeric NOT NULL,
    platform_claimed      boolean NOT NULL,
    claim_windows         text[],
    claimed_conversions   integer NOT NULL,
    claimed_value         numeric NOT NULL,
    view_through          boolean NOT NULL,
    modeled               boolean NOT NULL,
    outside_window        boolean NOT NULL,
    identity_lost         boolean NOT NULL,
    clock_shift           boolean NOT NULL,
    double_claimed_by     text,
    pixel_capi_duplicate  boolean NOT NULL,
    written_off           numeric NOT NULL
);
COMMENT ON TABLE recon_truth.journeys IS
    'One row per simulated journey (an ad touch and what followed): its kind, the CRM records it produced, its outcome and money, and which causes of platform-vs-CRM disagreement apply to it.';
COMMENT ON COLUMN recon_truth.journeys.kind IS
    'click_conversion: click then conversion inside the platform window; outside_window: click, conversion after the window (platform does not claim); view_through: no click, platform claims by view; modeled: platform claims a conversion that never happened in the CRM; junk: spam or test lead the platform counts; identity_lost: click on one device, conversion on another (platform claims, CRM cannot link).';
COMMENT ON COLUMN recon_truth.journeys.clock_shift IS
    'True when the platform books the conversion in a different month (by its action_report_time and report zone) than the CRM does (by conversion time in the reporting zone America/New_York).';
COMMENT ON COLUMN recon_truth.journeys.collected_revenue IS
    'Net revenue finance collected for the journey''s records by as_of (payments minus refunds, net of tax and shipping), in the record currency.';
COMMENT ON COLUMN recon_truth.journeys.written_off IS
    'Net (of VAT) amount of the won deal''s last installment written off by as_of (unpaid 60 days after it was due), in the record currency.';

CREATE TABLE recon_truth.platform_claims (
    journey_id          bigint NOT NULL REFERENCES recon_truth.journeys,
    platform            text NOT NULL,
    account_id          text NOT NULL,
    campaign_id         text NOT NULL,
    adset_id            text NOT NULL,
    ad_id               text NOT NULL,
    report_date         date NOT NULL,
    cause               text NOT NULL CHECK (cause IN
                        ('click', 'view_through', 'modeled', 'junk', 'identity_lost', 'double_claim', 'dedup_failure')),
    windows             text[] NOT NULL,
    conversions         integer NOT NULL,
    value               numeric NOT NULL,
    currency            text NOT NULL,
    PRIMARY KEY (journey_id, platform, cause)
);
COMMENT ON TABLE recon_truth.platform_claims IS
    'Every conversion a platform claims in the demo, with why: a true click or view conversion, a modeled one, junk, a cross-device one, a second platform''s double claim, or the extra count of a Pixel/CAPI dedup failure. platform_conversions_daily is exactly the sum of these.';

-- The demo's ad catalog: 4 platforms x 4 campaigns x 2 ad sets x 2 ads, with
-- ids shaped like each platform's (18-digit Meta ids sharing 15-digit prefixes,
-- 19-digit TikTok ids) so id-mangling checks have something to catch.
CREATE FUNCTION recon.demo_catalog()
RETURNS TABLE (platform text, platform_index integer, account_id text, account_name text,
               account_timezone text, currency text, ad_index integer,
               campaign_id text, campaign_name text, adset_id text, adset_name text,
               ad_id text, ad_name text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.platform, p.platform_index, p.account_id, p.account_name, p.tz, p.currency, a,
           (p.id_base + (a / 4) * p.campaign_step)::text                             AS campaign_id,
           format('%s %s', p.label, (ARRAY['Prospecting', 'Retargeting', 'Brand', 'Promo'])[a / 4 + 1]),
           (p.id_base + (a / 4) * p.campaign_step + 10 + (a / 2) % 2)::text          AS adset_id,
           format('%s %s set %s', p.label, (ARRAY['Prospecting', 'Retargeting', 'Brand', 'Promo'])[a / 4 + 1], (a / 2) % 2 + 1),
           (p.id_base + (a / 4) * p.campaign_step + 100 + a % 2 + (a / 2) % 2 * 2)::text AS ad_id,
           format('%s ad %s', p.label, a + 1)
    FROM (VALUES
        ('meta',     0, '1010203040506070', 'Acme US Shop',      'America/New_York', 'USD', 120208123456780000::numeric, 1000, 'Meta'),
        ('google',   1, '4830127765',       'Acme DE Services',  'Europe/Berlin',    'EUR', 21045678000::numeric,        1000, 'Search'),
        ('tiktok',   2, '7301234567890123', 'Acme JP Shop',      'Asia/Tokyo',       'JPY', 1790000000000001000::numeric, 1000, 'TikTok'),
        ('linkedin', 3, '508123456',        'Acme UK Services',  'Europe/London',    'GBP', 312345000::numeric,          1000, 'LinkedIn')
    ) AS p(platform, platform_index, account_id, account_name, tz, currency, id_base, campaign_step, label)
    CROSS JOIN generate_series(0, 15) AS a
$$;
COMMENT ON FUNCTION recon.demo_catalog() IS
    'The demo''s fixed ad catalog: platforms, accounts (time zone, currency), campaigns, ad sets and ads with platform-shaped ids.';

-- Delete demo rows (record_source = 'demo') from every table, fast when the
-- tables hold nothing else.
CREATE FUNCTION recon.demo_clear() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    user_rows boolean := false;
BEGIN
    FOREACH t IN ARRAY ARRAY['finance_transactions', 'funnel_stage_history', 'funnel_records',
                             'conversion_signals', 'ad_clicks', 'platform_conversions_daily', 'ad_delivery_daily',
                             'ad_accounts', 'fx_rates'] LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM recon.%I WHERE record_source <> %L)', t, 'demo')
           INTO user_rows;
        EXIT WHEN user_rows;
    END LOOP;
    -- Links and flagged ties that name demo rows go with them (a new demo reuses the same ids, so
    -- stale links would look valid); the decision log is an audit trail and stays.
    IF user_rows THEN
        CREATE TEMP TABLE demo_ids ON COMMIT DROP AS
        SELECT 'signal' AS layer, signal_key::text COLLATE "C" AS id FROM recon.conversion_signals WHERE record_source = 'demo'
        UNION ALL SELECT 'record', record_id FROM recon.funnel_records WHERE record_source = 'demo'
        UNION ALL SELECT 'transaction', transaction_id FROM recon.finance_transactions WHERE record_source = 'demo';
        DELETE FROM recon.match_links l USING demo_ids d
        WHERE (d.layer = 'signal' AND l.link_type IN ('signal_record', 'signal_signal') AND d.id = l.left_id)
           OR (d.layer = 'signal' AND l.link_type = 'signal_signal' AND d.id = l.right_id)
           OR (d.layer = 'record' AND l.link_type IN ('signal_record', 'record_transaction', 'record_record') AND d.id = l.right_id)
           OR (d.layer = 'record' AND l.link_type = 'record_record' AND d.id = l.left_id)
           OR (d.layer = 'transaction' AND l.link_type = 'record_transaction' AND d.id = l.left_id);
        DELETE FROM recon.match_ambiguities a USING demo_ids d
        WHERE d.id = a.left_id
          AND d.layer = CASE a.link_type WHEN 'record_transaction' THEN 'transaction' WHEN 'record_record' THEN 'record'
                                         ELSE 'signal' END;
        DROP TABLE demo_ids;
        DELETE FROM recon.finance_transactions WHERE record_source = 'demo';
        DELETE FROM recon.funnel_stage_history WHERE record_source = 'demo';
        DELETE FROM recon.funnel_records WHERE record_source = 'demo';
        DELETE FROM recon.conversion_signals WHERE record_source = 'demo';
        DELETE FROM recon.ad_clicks WHERE record_source = 'demo';
        DELETE FROM recon.platform_conversions_daily WHERE record_source = 'demo';
        DELETE FROM recon.ad_delivery_daily WHERE record_source = 'demo';
        DELETE FROM recon.ad_accounts WHERE record_source = 'demo';
        DELETE FROM recon.fx_rates WHERE record_source = 'demo';
    ELSE
        TRUNCATE recon.finance_transactions, recon.funnel_stage_history, recon.funnel_records,
                 recon.conversion_signals, recon.ad_clicks, recon.platform_conversions_daily, recon.ad_delivery_daily,
                 recon.ad_accounts, recon.fx_rates, recon.match_links, recon.match_ambiguities;
    END IF;
    TRUNCATE recon_truth.platform_claims, recon_truth.journeys, recon_truth.runs;
END $$;
COMMENT ON FUNCTION recon.demo_clear() IS
    'Removes the demo data (rows with record_source = demo), its truth, and the match links and flagged ties that name demo rows; user rows, their links and the decision log are never touched.';

-- Fixed USD value of one unit of the demo currencies: platforms value a
-- double-claimed sale in their own account currency, at roughly these rates.
CREATE FUNCTION recon.demo_usd_per_unit(currency text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE currency WHEN 'USD' THEN 1.0 WHEN 'EUR' THEN 1.09 WHEN 'GBP' THEN 1.27 WHEN 'JPY' THEN 0.0069 END
$$;
COMMENT ON FUNCTION recon.demo_usd_per_unit(text) IS
    'Approximate USD per unit of the demo currencies, used only to value a second platform''s claim in its own currency.';

-- Installments of an invoice: equal parts in the currency's minor units, the
-- last one taking the rounding remainder, due 14 days apart plus a month each.
CREATE FUNCTION recon.demo_installments(gross numeric, tax numeric, currency text, parts integer,
                                        invoiced_at timestamptz, jitter double precision)
RETURNS TABLE (k integer, amount numeric, tax numeric, due_at timestamptz)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT n,
           CASE WHEN n < parts THEN recon_money_round(gross / parts, currency)
                ELSE gross - (parts - 1) * recon_money_round(gross / parts, currency) END,
           CASE WHEN n < parts THEN recon_money_round(tax / parts, currency)
                ELSE tax - (parts - 1) * recon_money_round(tax / parts, currency) END,
           invoiced_at + (14 + 30 * (n - 1) + jitter * 10) * interval '1 day'
    FROM generate_series(1, parts) AS n
$$;
COMMENT ON FUNCTION recon.demo_installments(numeric, numeric, text, integer, timestamptz, double precision) IS
    'Splits an invoice total and its tax into installments (last one takes the rounding remainder) with due dates.';

-- What a second platform claims for a sale: its lead value (Google 150, LinkedIn 200), or the
-- order's value in its own account currency.
CREATE FUNCTION recon.demo_double_claim_value(stated_value numeric, currency text, platform text, platform_currency text)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE platform WHEN 'google' THEN 150 WHEN 'linkedin' THEN 200
                ELSE @extschema@.recon_money_round(stated_value * recon.demo_usd_per_unit(currency)
                                                   / recon.demo_usd_per_unit(platform_currency), platform_currency) END
$$;
COMMENT ON FUNCTION recon.demo_double_claim_value(numeric, text, text, text) IS
    'The value a second platform claims for a sale in the demo: its fixed lead value, or the order value converted to its account currency at the demo''s fixed rates.';

-- The faults recon_demo_generate can inject, checked: one row per fault.
CREATE FUNCTION recon.demo_fault_list(faults jsonb)
RETURNS TABLE (fault text, platform text, from_day date, from_at timestamptz, share double precision)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    f record;
    day_text text;
BEGIN
    FOR f IN SELECT key, value FROM jsonb_each(faults) ORDER BY key LOOP
        IF f.key NOT IN ('consent_loss', 'modeled_change', 'dedup_break', 'feed_stop') THEN
            RAISE EXCEPTION 'unknown demo fault "%"', f.key
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Known faults: consent_loss, modeled_change, dedup_break, feed_stop.';
        END IF;
        IF jsonb_typeof(f.value) <> 'object' THEN
            RAISE EXCEPTION 'demo fault "%" must be an object with platform and from, got %', f.key, f.value
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        fault := f.key;
        platform := f.value->>'platform';
        IF platform IS NULL OR platform NOT IN ('meta', 'google', 'tiktok', 'linkedin')
           OR (f.key = 'dedup_break' AND platform <> 'meta') THEN
            RAISE EXCEPTION 'demo fault "%" needs a demo platform, got %', f.key, coalesce(quote_literal(platform), 'none')
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = CASE WHEN f.key = 'dedup_break' THEN 'Only meta receives both Pixel and Conversions API events.'
                                    ELSE 'Demo platforms: meta, google, tiktok, linkedin.' END;
        END IF;
        day_text := f.value->>'from';
        IF day_text IS NULL OR day_text !~ '^\d{4}-\d{2}-\d{2}$' THEN
            RAISE EXCEPTION 'demo fault "%" needs "from" as a date YYYY-MM-DD, got %', f.key, coalesce(quote_literal(day_text), 'none')
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        from_day := day_text::date;
        -- a fault starts at midnight where the platform reports
        SELECT from_day::timestamp AT TIME ZONE CASE p.report_clock WHEN 'utc' THEN 'UTC' ELSE c.account_timezone END
          INTO from_at
          FROM recon.platforms p JOIN (SELECT DISTINCT d.platform, d.account_timezone FROM recon.demo_catalog() d) c USING (platform)
         WHERE p.platform = demo_fault_list.platform;
        share := coalesce((f.value->>'share')::double precision, CASE f.key WHEN 'consent_loss' THEN 0.6 WHEN 'modeled_change' THEN 0.5 ELSE 1 END);
        IF share IS NULL OR share <= 0 OR share > 1 THEN
            RAISE EXCEPTION 'demo fault "%": share must be in (0, 1], got %', f.key, f.value->>'share'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION recon.demo_fault_list(jsonb) IS
    'Checks and lists the faults passed to recon_demo_generate: fault, platform, first day (midnight in the platform''s report zone) and the share of journeys affected; raises 22023 for anything else.';

CREATE FUNCTION recon_demo_generate(seed bigint, scale integer, faults jsonb DEFAULT '{}')
RETURNS TABLE (table_name text, rows_written bigint)
LANGUAGE plpgsql
-- JIT compiles of these big plans cost more than the statements; sorts and
-- index builds of a 1M-journey run need more than the default memory.
SET jit = off
SET TimeZone = 'UTC'    -- dates cut from timestamps must not follow the caller's session zone
SET work_mem = '256MB'
SET maintenance_work_mem = '512MB'
AS $gen$
DECLARE
    period_start constant timestamptz := '2026-01-01 12:00:00+00';
    period_days  constant integer := 180;
    as_of        constant timestamptz := '2026-08-14 00:00:00+00';
    batch        text := 'demo-' || seed;
    report_tz    text := recon.setting('reporting_timezone');
    counts       jsonb := '{}';
    written      bigint;
    saved_keys   jsonb;
    fault        record;
    -- injected faults (see the COMMENT): platform, first day, share of journeys affected
    consent_platform  text;    consent_from  timestamptz;  consent_share  double precision;
    modeled_platform  text;    modeled_from  timestamptz;  modeled_share  double precision;
    dedup_from        timestamptz;
    feed_platform     text;    feed_from     date;
BEGIN
    IF seed IS NULL OR scale IS NULL THEN
        RAISE EXCEPTION 'recon_demo_generate needs a seed and a scale, got seed % and scale %',
                        coalesce(seed::text, 'NULL'), coalesce(scale::text, 'NULL')
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF scale < 1 OR scale > 10000000 THEN
        RAISE EXCEPTION 'demo scale % is out of range', scale
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The scale is the number of simulated journeys, from 1 to 10000000.';
    END IF;

    IF faults IS NULL OR jsonb_typeof(faults) <> 'object' THEN
        RAISE EXCEPTION 'demo faults must be a jsonb object, got %', coalesce(faults::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass ''{}'' for none, or e.g. {"feed_stop": {"platform": "tiktok", "from": "2026-04-08"}}.';
    END IF;
    FOR fault IN SELECT * FROM recon.demo_fault_list(faults) LOOP
        CASE fault.fault
        WHEN 'consent_loss' THEN
            consent_platform := fault.platform; consent_from := fault.from_at; consent_share := fault.share;
        WHEN 'modeled_change' THEN
            modeled_platform := fault.platform; modeled_from := fault.from_at; modeled_share := fault.share;
        WHEN 'dedup_break' THEN
            dedup_from := fault.from_at;
        WHEN 'feed_stop' THEN
            feed_platform := fault.platform; feed_from := fault.from_day;
        END CASE;
    END LOOP;

    PERFORM recon.demo_clear();
    saved_keys := recon.bulk_load_begin(ARRAY[
        'recon.ad_delivery_daily', 'recon.platform_conversions_daily', 'recon.conversion_signals',
        'recon.funnel_records', 'recon.funnel_stage_history', 'recon.finance_transactions', 'recon.ad_clicks',
        'recon_truth.journeys', 'recon_truth.platform_claims']::regclass[]);
    IF to_regclass('pg_temp.demo_x') IS NOT NULL THEN    -- a second call in the same transaction
        DROP TABLE pg_temp.demo_j, pg_temp.demo_x, pg_temp.demo_pay, pg_temp.demo_claims, pg_temp.demo_r;
    END IF;

    -- 1-2. Journeys and what happened next: outcomes, timeline and money (nothing
    --    after as_of exists). Every draw is recon_demo_random(seed, stream, journey):
    --    a row's values never depend on the plan or the order rows are produced in.
    CREATE TEMP TABLE demo_j ON COMMIT DROP AS
    WITH raw AS (
        SELECT i,
               recon_demo_random(seed, 1, i)  AS r_platform, recon_demo_random(seed, 2, i)  AS r_ad,
               recon_demo_random(seed, 3, i)  AS r_time,     recon_demo_random(seed, 4, i)  AS r_kind,
               recon_demo_random(seed, 5, i)  AS r_lag,      recon_demo_random(seed, 6, i)  AS r_value,
               recon_demo_random(seed, 7, i)  AS r_junk,     recon_demo_random(seed, 8, i)  AS r_dup,
               recon_demo_random(seed, 9, i)  AS r_double,   recon_demo_random(seed, 10, i) AS r_double_to,
               recon_demo_random(seed, 11, i) AS r_pixel,    recon_demo_random(seed, 12, i) AS r_outcome,
               recon_demo_random(seed, 13, i) AS r_qualify,  recon_demo_random(seed, 14, i) AS r_win,
               recon_demo_random(seed, 15, i) AS r_refund,   recon_demo_random(seed, 16, i) AS r_install,
               recon_demo_random(seed, 17, i) AS r_unpaid,   recon_demo_random(seed, 18, i) AS r_t1,
               recon_demo_random(seed, 19, i) AS r_t2,       recon_demo_random(seed, 20, i) AS r_t3,
               recon_demo_random(seed, 21, i) AS r_misc,
               recon_demo_random(seed, 22, i) AS r_fault
        FROM generate_series(1, scale) AS i
    ), drawn AS (
        SELECT raw.*,
               CASE WHEN r_platform < 0.40 THEN 0 WHEN r_platform < 0.70 THEN 1
                    WHEN r_platform < 0.90 THEN 2 ELSE 3 END AS platform_index,
               CASE WHEN r_kind < 0.58 THEN 'click_conversion' WHEN r_kind < 0.66 THEN 'view_through'
                    WHEN r_kind < 0.73 THEN 'modeled'          WHEN r_kind < 0.80 THEN 'outside_window'
                    WHEN r_kind < 0.88 THEN 'junk'             ELSE 'identity_lost' END AS drawn_kind,
               period_start + r_time * (period_days * interval '1 day') AS touch_at
        FROM raw
    ), picked AS (      -- injected faults: lost click ids turn click conversions into cross-device ones;
                        -- a modeling change makes the platform claim a modeled conversion beside a real one
        SELECT d.*,
               CASE WHEN d.drawn_kind = 'click_conversion' AND pl.platform = consent_platform
                         AND d.touch_at >= consent_from AND d.r_fault < consent_share THEN 'identity_lost'
                    ELSE d.drawn_kind END AS kind,
               coalesce(d.drawn_kind = 'click_conversion' AND pl.platform = modeled_platform
                        AND d.touch_at >= modeled_from AND d.r_fault < modeled_share, false) AS modeled_extra
        FROM drawn d
        JOIN (VALUES (0, 'meta'), (1, 'google'), (2, 'tiktok'), (3, 'linkedin')) AS pl(platform_index, platform)
          USING (platform_index)
    ), placed AS (
        SELECT p.*, c.platform, c.account_id, c.campaign_id, c.campaign_name, c.adset_id, c.ad_id, c.ad_index, c.currency,
               CASE WHEN p.platform_index IN (0, 2) THEN 'order' ELSE 'lead' END AS record_type,
               CASE WHEN p.platform_index IN (0, 2) THEN 7 ELSE 30 END AS window_days,
               -- seconds left in the touch's day where the platform reports it
               extract(epoch FROM (date_trunc('day', p.touch_at AT TIME ZONE rz.report_tz) + interval '1 day')
                                  AT TIME ZONE rz.report_tz - p.touch_at) AS day_left_seconds
        FROM picked p
        JOIN recon.demo_catalog() c
          ON c.platform_index = p.platform_index AND c.ad_index = floor(p.r_ad * 16)::integer
        CROSS JOIN LATERAL (SELECT CASE pf.report_clock WHEN 'utc' THEN 'UTC' ELSE c.account_timezone END AS report_tz
                            FROM recon.platforms pf WHERE pf.platform = c.platform) rz
    ), lagged AS (
        SELECT placed.*,
               round((CASE kind
                   WHEN 'outside_window' THEN window_days + 0.5 + r_lag * 30
                   -- view-through and cross-device conversions happen on the day of the ad, where
                   -- the platform reports: nothing the advertiser holds shows that touch, so the
                   -- gap analysis dates them by the conversion (docs/gap.md)
                   WHEN 'view_through'   THEN floor(r_lag * 0.999 * day_left_seconds / 86400 * 10000) / 10000
                   WHEN 'identity_lost'  THEN floor(r_lag * 0.999 * day_left_seconds / 86400 * 10000) / 10000
                   WHEN 'modeled'        THEN r_lag * 7
                   WHEN 'junk'           THEN r_lag * 0.05
                   ELSE r_lag * r_lag * window_days END)::numeric, 4) AS lag_days
        FROM placed
    )
    SELECT l.*,
           l.touch_at + l.lag_days * interval '1 day' AS converted_at,
           CASE l.currency
               WHEN 'USD' THEN round((19 + 280 * l.r_value * l.r_value)::numeric, 2)
               WHEN 'JPY' THEN round((1500 + 38000 * l.r_value * l.r_value)::numeric, 0)
               WHEN 'EUR' THEN round((1500 + 18000 * l.r_value)::numeric, 0)
               ELSE round((1200 + 15000 * l.r_value)::numeric, 0) END AS stated_value,
           CASE l.platform WHEN 'google' THEN 150 WHEN 'linkedin' THEN 200 END AS lead_platform_value,
           CASE WHEN l.kind IN ('click_conversion', 'outside_window', 'junk', 'identity_lost') THEN
                CASE l.platform
                    WHEN 'meta'   THEN 'IwAR' || recon_demo_token(seed, 30, l.i, 58)
                    WHEN 'google' THEN 'Cj0KCQ' || recon_demo_token(seed, 30, l.i, 80)
                    WHEN 'tiktok' THEN 'E.C.P.' || recon_demo_token(seed, 30, l.i, 40)
                    ELSE recon_demo_token(seed, 30, l.i, 36) END END AS click_id,
           -- a click conversion the other platform of the business claims too: the person clicked
           -- its ad halfway to the conversion, and the site kept both click ids
           q.platform AS double_platform, q.account_id AS double_account_id, q.campaign_id AS double_campaign_id,
           q.adset_id AS double_adset_id, q.ad_id AS double_ad_id, q.ad_index AS double_ad_index,
           q.platform_index AS double_platform_index, q.currency AS double_currency,
           CASE q.platform
               WHEN 'meta'   THEN 'IwAR' || recon_demo_token(seed, 34, l.i, 58)
               WHEN 'google' THEN 'Cj0KCQ' || recon_demo_token(seed, 34, l.i, 80)
               WHEN 'tiktok' THEN 'E.C.P.' || recon_demo_token(seed, 34, l.i, 40)
               WHEN 'linkedin' THEN recon_demo_token(seed, 34, l.i, 36) END AS double_click_id,
           l.touch_at + l.lag_days / 2 * interval '1 day' AS double_touch_at
    FROM lagged l
    LEFT JOIN recon.demo_catalog() q
      ON l.kind = 'click_conversion' AND l.r_double < 0.12
     AND q.platform_index = (l.platform_index + 2) % 4     -- Meta <-> TikTok (shop), Google <-> LinkedIn (leads)
     AND q.ad_index = floor(l.r_double_to * 1000)::integer % 16;
    ANALYZE demo_j;

    CREATE TEMP TABLE demo_x ON COMMIT DROP AS
    WITH base AS (
        SELECT j.*,
               j.kind <> 'modeled' AND j.converted_at < as_of AS has_record,
               CASE j.record_type WHEN 'order' THEN 'ORD-' ELSE 'LEAD-' END || lpad(j.i::text, 8, '0') AS record_id,
               'CUS-' || lpad(j.i::text, 8, '0') AS customer_id,
               encode(sha256(convert_to(CASE WHEN j.kind = 'identity_lost' THEN 'p' || j.i || '@work.example'
                                             ELSE 'person' || j.i || '@example.com' END, 'UTF8')), 'hex') AS email_sha256,
               j.kind = 'junk' AND (j.record_type = 'order' OR j.r_junk >= 0.7) AS is_test,
               j.kind = 'junk' AND j.record_type = 'lead' AND j.r_junk < 0.7 AS is_spam,
               j.converted_at + (1 + j.r_t1 * 4) * interval '1 day'  AS fulfil_at,
               j.converted_at + j.r_t1 * interval '1 day'            AS cancel_at,
               j.converted_at + (1 + j.r_t1 * 9) * interval '1 day'  AS qualify_at,
               j.converted_at + (3 + j.r_t1 * 10) * interval '1 day' AS disqualify_at,
               CASE WHEN j.r_win < 0.55 THEN 10 + j.r_t2 * 50 ELSE 5 + j.r_t2 * 40 END AS opp_days,
               CASE WHEN j.record_type = 'order' AND j.r_misc BETWEEN 0.5 AND 0.8
                    THEN CASE j.currency WHEN 'JPY' THEN 500 ELSE 4.99 END ELSE 0 END AS shipping,
               CASE WHEN j.r_install < 0.6 THEN 1 WHEN j.r_install < 0.9 THEN 2 ELSE 3 END AS n_installments,
               CASE j.currency WHEN 'EUR' THEN 0.19 WHEN 'GBP' THEN 0.20 ELSE 0 END AS vat_rate,
               -- Pixel and CAPI disagree on the event id of a clicked purchase (always once the dedup_break fault starts)
               j.platform = 'meta' AND j.kind = 'click_conversion'
                   AND (j.r_pixel < 0.15 OR coalesce(j.converted_at >= dedup_from, false)) AS dedup_broken
        FROM demo_j j
    ), lead_flow AS (
        SELECT b.*,
               b.qualify_at + b.opp_days * interval '1 day' AS opp_close_at,
               b.has_record AND b.record_type = 'lead' AND b.kind <> 'junk' AND b.r_qualify < 0.45
                   AND b.qualify_at < as_of AS has_opportunity,
               b.has_record AND b.record_type = 'lead' AND b.kind <> 'junk' AND b.r_dup < 0.06
                   AND b.converted_at + (0.5 + b.r_dup * 40) * interval '1 day' < as_of AS has_duplicate
        FROM base b
    ), status AS (
        SELECT f.*,
               CASE WHEN NOT has_record THEN 'none'
                    WHEN record_type = 'order' THEN
                        CASE WHEN is_test OR r_outcome < 0.08 THEN CASE WHEN cancel_at < as_of THEN 'cancelled' ELSE 'open' END
                             WHEN fulfil_at < as_of THEN 'won' ELSE 'open' END
                    WHEN kind = 'junk' THEN CASE WHEN cancel_at + interval '1 day' < as_of THEN 'lost' ELSE 'open' END
                    WHEN r_qualify >= 0.45 THEN CASE WHEN disqualify_at < as_of THEN 'lost' ELSE 'open' END
                    WHEN qualify_at < as_of THEN 'won'
                    ELSE 'open' END AS record_status,
               CASE WHEN NOT has_opportunity THEN NULL
                    WHEN opp_close_at >= as_of THEN 'open'
                    WHEN r_win < 0.55 THEN 'won' ELSE 'lost' END AS opp_status
        FROM lead_flow f
    )
    SELECT s.*,
           CASE WHEN s.has_opportunity THEN s.opp_status ELSE s.record_status END AS outcome,
           CASE WHEN s.has_opportunity AND s.opp_status = 'lost' THEN CASE WHEN s.r_t3 < 0.5 THEN 'competitor' ELSE 'no budget' END
                WHEN s.record_status = 'lost' AND s.is_spam THEN 'spam'
                WHEN s.record_status = 'lost' AND s.is_test THEN 'test'
                WHEN s.record_status = 'lost' THEN CASE WHEN s.r_t3 < 0.5 THEN 'not qualified' ELSE 'no response' END
                WHEN s.record_status = 'cancelled' AND s.is_test THEN 'test order'
                WHEN s.record_status = 'cancelled' THEN CASE WHEN s.r_outcome < 0.04 THEN 'customer cancelled' ELSE 'payment declined' END
           END AS outcome_reason,
           -- orders: charged at checkout unless a test order or declined
           s.record_type = 'order' AND s.has_record AND NOT s.is_test AND NOT (s.r_outcome >= 0.04 AND s.r_outcome < 0.08) AS charged,
           s.record_type = 'order' AND s.record_status = 'cancelled' AND NOT s.is_test AND s.r_outcome < 0.04 AS cancel_refunded,
           CASE WHEN s.record_type = 'order' AND s.record_status = 'won'
                     AND s.fulfil_at + (2 + s.r_t2 * 25) * interval '1 day' < as_of THEN
                CASE WHEN s.r_refund < 0.06 THEN 'full' WHEN s.r_refund < 0.11 THEN 'partial'
                     WHEN s.r_refund < 0.14 THEN 'failed_delivery' ELSE 'none' END
                ELSE 'none' END AS refund_kind,
           s.fulfil_at + (2 + s.r_t2 * 25) * interval '1 day' AS refund_at,
           recon_money_round(s.stated_value * (0.3 + 0.4 * s.r_t3)::numeric, s.currency) AS partial_refund,
           CASE WHEN s.record_type = 'order' THEN s.stated_value + s.shipping
                ELSE recon_money_round(s.stated_value * (1 + s.vat_rate), s.currency) END AS gross,
           CASE WHEN s.record_type = 'lead' THEN recon_money_round(s.stated_value * s.vat_rate, s.currency) ELSE 0 END AS tax,
           s.has_opportunity AND s.opp_status = 'won' AS invoiced,
           s.r_unpaid < 0.10 AS last_unpaid
    FROM status s;
    ANALYZE demo_x;

    -- Installments of won deals: which were paid by as_of, which were written off.
    CREATE TEMP TABLE demo_pay ON COMMIT DROP AS
    SELECT x.i, k.k, k.amount, k.tax, k.due_at,
           k.due_at < as_of AND NOT (x.last_unpaid AND k.k = x.n_installments) AS paid,
           x.last_unpaid AND k.k = x.n_installments AND k.due_at + interval '60 days' < as_of AS written_off
    FROM demo_x x
    CROSS JOIN LATERAL recon.demo_installments(x.gross, x.tax, x.currency, x.n_installments, x.opp_close_at, x.r_t3) k
    WHERE x.invoiced;

    -- 3. Ad accounts and FX rates (EUR-based weekday rates, as the ECB publishes).
    INSERT INTO recon.ad_accounts (platform, account_id, account_name, timezone, currency, record_source, batch_id)
    SELECT DISTINCT platform, account_id, account_name, account_timezone, currency, 'demo', batch
    FROM recon.demo_catalog();
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('ad_accounts', written);

    INSERT INTO recon.fx_rates (rate_type, base_currency, quote_currency, rate_date, rate, record_source, batch_id)
    SELECT 'daily', 'EUR', q.cur, d::date,
           round((q.base * exp(sum((recon_demo_random(seed, 40 + q.k, d::date - date '2025-12-01') - 0.5) * 0.01)
                                   OVER (PARTITION BY q.cur ORDER BY d)))::numeric, q.places),
           'demo', batch
    FROM (VALUES (1, 'USD', 1.09, 6), (2, 'GBP', 0.86, 6), (3, 'JPY', 158.5, 4)) AS q(k, cur, base, places)
    CROSS JOIN generate_series(date '2025-12-01', as_of::date, interval '1 day') AS d
    WHERE extract(isodow FROM d) < 6;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('fx_rates', written);

    -- 4. Platform claims (truth): what each platform counts, and why.
    CREATE TEMP TABLE demo_claims ON COMMIT DROP AS
    WITH own AS MATERIALIZED (
        SELECT x.i, x.platform, x.platform_index, x.ad_index, x.account_id, x.campaign_id, x.adset_id, x.ad_id,
               x.currency, x.stated_value, x.touch_at, x.converted_at, x.dedup_broken, x.modeled_extra,
               x.double_platform, x.double_touch_at, x.double_platform_index, x.double_ad_index,
               a.report_timezone,
               CASE kind WHEN 'click_conversion' THEN 'click' ELSE kind END AS cause,
               CASE WHEN kind IN ('click_conversion', 'junk', 'identity_lost', 'modeled') THEN
                         CASE WHEN platform IN ('google', 'linkedin') THEN ARRAY['30d_click', 'default']
                              WHEN lag_days <= 1 AND kind <> 'modeled' THEN ARRAY['1d_click', '7d_click', 'default']
                              ELSE ARRAY['7d_click', 'default'] END
                    WHEN platform = 'google' THEN ARRAY['1d_view']      -- view-through stays out of Google's "conversions"
                    WHEN platform = 'linkedin' THEN ARRAY['7d_view', 'default']
                    ELSE ARRAY['1d_view', 'default'] END AS windows,
               CASE WHEN platform = 'tiktok' THEN (converted_at AT TIME ZONE a.report_timezone)::date
                    ELSE (touch_at AT TIME ZONE a.report_timezone)::date END AS report_date,
               coalesce(lead_platform_value, stated_value) AS claim_value
        FROM demo_x x JOIN recon.ad_accounts a USING (platform, account_id)
        WHERE kind <> 'outside_window' AND converted_at < as_of
    )
    SELECT i AS journey_id, platform, account_id, campaign_id, adset_id, ad_id, report_date, cause,
           windows, 1 AS conversions, claim_value AS value, currency, platform_index * 16 + ad_index AS ad_key
    FROM own
    UNION ALL   -- Pixel and CAPI events of a clicked purchase whose event ids drifted: Meta counts it twice
    SELECT i, platform, account_id, campaign_id, adset_id, ad_id, report_date, 'dedup_failure',
           windows, 1, claim_value, currency, platform_index * 16 + ad_index
    FROM own
    WHERE dedup_broken
    UNION ALL   -- the modeled_change fault: a modeled conversion beside the real one, nothing sent for it
    SELECT i, platform, account_id, campaign_id, adset_id, ad_id, report_date, 'modeled',
           windows, 1, claim_value, currency, platform_index * 16 + ad_index
    FROM own
    WHERE modeled_extra AND cause = 'click'
    UNION ALL   -- the other platform of the same business claims the sale too, from its own click halfway to it
    SELECT o.i, c.platform, c.account_id, c.campaign_id, c.adset_id, c.ad_id,
           CASE WHEN c.platform = 'tiktok' THEN (o.converted_at AT TIME ZONE a.report_timezone)::date
                ELSE (o.double_touch_at AT TIME ZONE a.report_timezone)::date END,
           'double_claim',
           CASE WHEN c.platform IN ('google', 'linkedin') THEN ARRAY['30d_click', 'default'] ELSE ARRAY['7d_click', 'default'] END,
           1,
           recon.demo_double_claim_value(o.stated_value, o.currency, c.platform, c.currency),
           c.currency, c.platform_index * 16 + c.ad_index
    FROM own o
    JOIN recon.demo_catalog() c ON c.platform_index = o.double_platform_index AND c.ad_index = o.double_ad_index
    JOIN recon.ad_accounts a ON a.platform = c.platform AND a.account_id = c.account_id
    WHERE o.cause = 'click';
    ANALYZE demo_claims;

    -- 5. Delivery: every ad, every day of its report calendar; clicks grow with the journeys.
    INSERT INTO recon.ad_delivery_daily
        (platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
         spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time,
         report_timezone, pulled_at, record_source, batch_id)
    SELECT c.platform, c.account_id, k.day, 'ad', c.campaign_id, c.campaign_name, c.adset_id, c.adset_name,
           c.ad_id, c.ad_name,
           CASE WHEN k.live THEN recon_money_round(k.clicks * k.cpc * (0.8 + 0.4 * recon_demo_random(seed, 51, k.cell))::numeric, c.currency)
                ELSE 0 END,
           c.currency,
           k.clicks * (40 + floor(60 * recon_demo_random(seed, 52, k.cell)))::bigint,
           k.clicks,
           round(k.clicks * 0.8)::bigint,
           CASE c.platform WHEN 'google' THEN '30d_click' WHEN 'linkedin' THEN '30d_click_7d_view'
                           ELSE '7d_click_1d_view' END,
           CASE c.platform WHEN 'tiktok' THEN 'conversion' ELSE 'impression' END,
           a.report_timezone, as_of + interval '6 hours', 'demo', batch
    FROM recon.demo_catalog() c
    JOIN recon.ad_accounts a ON a.platform = c.platform AND a.account_id = c.account_id
    CROSS JOIN LATERAL (
        SELECT g.d::date AS day,
               (c.platform_index * 16 + c.ad_index) * 1000 + (g.d::date - date '2026-01-01') AS cell,
               g.d::date <= (period_start + period_days * interval '1 day')::date AS live,
               CASE c.currency WHEN 'USD' THEN 0.9 WHEN 'EUR' THEN 1.6 WHEN 'JPY' THEN 70 ELSE 4.5 END AS cpc
        FROM generate_series(date '2026-01-01', as_of::date, interval '1 day') AS g(d)
        WHERE g.d::date::timestamp AT TIME ZONE a.report_timezone < as_of   -- the day had begun where it is reported
          AND NOT coalesce(c.platform = feed_platform AND g.d::date >= feed_from, false)   -- the feed_stop fault
    ) cal
    LEFT JOIN (SELECT j.platform, j.ad_id, (j.touch_at AT TIME ZONE r.report_timezone)::date AS day, count(*) AS n
               FROM demo_j j JOIN recon.ad_accounts r USING (platform, account_id)
               WHERE j.click_id IS NOT NULL
               GROUP BY 1, 2, 3) t
           ON t.platform = c.platform AND t.ad_id = c.ad_id AND t.day = cal.day
    CROSS JOIN LATERAL (
        SELECT cal.day, cal.cell, cal.live, cal.cpc,
               CASE WHEN cal.live THEN 20 * coalesce(t.n, 0) + 5 + floor(40 * recon_demo_random(seed, 50, cal.cell))::bigint
                    ELSE coalesce(t.n, 0) END AS clicks
    ) k;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('ad_delivery_daily', written);

    -- Platforms report per window; Meta also returns omni_purchase, which repeats purchase.
    -- Aggregate on the integer ad key first: 1M claims become ~15k cells before any text is touched.
    INSERT INTO recon.platform_conversions_daily
        (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
         conversions, conversion_value, currency, record_source, batch_id)
    SELECT c.platform, c.account_id, a.report_date, c.campaign_id, c.adset_id, c.ad_id, at.action_type, w.win,
           sum(a.conversions), sum(a.value), c.currency, 'demo', batch
    FROM (SELECT ad_key, report_date, windows, sum(conversions) AS conversions, sum(value) AS value
          FROM demo_claims GROUP BY ad_key, report_date, windows) a
    JOIN recon.demo_catalog() c ON c.platform_index * 16 + c.ad_index = a.ad_key
    CROSS JOIN LATERAL unnest(a.windows) AS w(win)
    CROSS JOIN LATERAL unnest(CASE c.platform WHEN 'meta' THEN ARRAY['purchase', 'omni_purchase']
                                              WHEN 'tiktok' THEN ARRAY['complete_payment']
                                              ELSE ARRAY['lead'] END) AS at(action_type)
    WHERE NOT coalesce(c.platform = feed_platform AND a.report_date >= feed_from, false)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 11;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('platform_conversions_daily', written);

    -- 6. Conversion signals the advertiser sent (none for modeled conversions).
    INSERT INTO recon.conversion_signals
        (platform, account_id, source, event_id, event_name, event_time, fbclid, gclid, ttclid, li_fat_id,
         fbc, fbp, external_id, email_sha256, value, currency, order_id, lead_id,
         campaign_id, adset_id, ad_id, record_source, batch_id)
    SELECT platform, account_id, s.source,
           CASE WHEN s.source = 'capi' AND x.dedup_broken
                THEN 'capi.' || recon_demo_token(seed, 31, x.i, 16)      -- the drifted event id
                WHEN s.source = 'lead_form' THEN 'urn:li:leadGenFormResponse:' || recon_demo_token(seed, 32, x.i, 20)
                ELSE x.record_id END,
           CASE x.platform WHEN 'meta' THEN 'Purchase' WHEN 'tiktok' THEN 'CompletePayment' ELSE 'Lead' END,
           x.converted_at + CASE WHEN s.source = 'capi' THEN (5 + floor(x.r_t3 * 200)) * interval '1 second'
                                 -- a gclid upload is sent the next day; an enhanced-conversions lead (hashed email, no
                                 -- gclid) carries the lead's own time
                                 WHEN s.source = 'offline_upload' AND x.kind <> 'identity_lost' THEN interval '1 day'
                                 ELSE interval '0' END,
           NULL,
           CASE WHEN x.platform = 'google' AND x.kind <> 'identity_lost' THEN x.click_id END,
           CASE WHEN x.platform = 'tiktok' AND x.kind <> 'identity_lost' THEN x.click_id END,
           NULL,
           CASE WHEN x.platform = 'meta' AND x.click_id IS NOT NULL AND x.kind <> 'identity_lost'
                THEN format('fb.1.%s.%s', (extract(epoch FROM x.touch_at) * 1000)::bigint, x.click_id) END,
           CASE WHEN x.platform = 'meta'
                THEN format('fb.1.%s.%s', (extract(epoch FROM x.touch_at - interval '3 days') * 1000)::bigint,
                            1000000000 + floor(x.r_misc * 8999999999)::bigint
                            + CASE WHEN x.kind = 'identity_lost' THEN 1 ELSE 0 END) END,
           CASE WHEN s.source = 'capi' THEN x.customer_id END,
           x.email_sha256,
           coalesce(x.lead_platform_value, x.stated_value), x.currency,
           CASE WHEN x.record_type = 'order' THEN x.record_id END,
           CASE WHEN x.record_type = 'lead' THEN x.record_id END,
           CASE WHEN s.source = 'lead_form' THEN x.campaign_id END,
           CASE WHEN s.source = 'lead_form' THEN x.adset_id END,
           CASE WHEN s.source = 'lead_form' THEN x.ad_id END,
           'demo', batch
    FROM demo_x x
    -- every conversion a platform claims reached it as a signal (modeled ones aside): Google gets offline
    -- uploads (gclid, or the hashed email alone for a cross-device lead), LinkedIn lead-form responses,
    -- or its Conversions API for leads that came through the website
    CROSS JOIN LATERAL unnest(CASE x.platform WHEN 'meta' THEN ARRAY['pixel', 'capi']
                                              WHEN 'tiktok' THEN ARRAY['pixel']
                                              WHEN 'google' THEN ARRAY['offline_upload']
                                              ELSE CASE WHEN x.kind IN ('view_through', 'identity_lost') THEN ARRAY['capi']
                                                        ELSE ARRAY['lead_form'] END END) AS s(source)
    WHERE x.has_record
      AND NOT (x.platform = 'google' AND x.click_id IS NULL);
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('conversion_signals', written);

    -- ... and the other platform's tag fired on a sale it claims too, with its own click id.
    INSERT INTO recon.conversion_signals
        (platform, account_id, source, event_id, event_name, event_time, fbclid, gclid, ttclid, li_fat_id,
         fbc, fbp, external_id, email_sha256, value, currency, order_id, lead_id, record_source, batch_id)
    SELECT x.double_platform, x.double_account_id,
           CASE x.double_platform WHEN 'google' THEN 'offline_upload' WHEN 'linkedin' THEN 'capi' ELSE 'pixel' END,
           x.record_id,
           CASE x.double_platform WHEN 'meta' THEN 'Purchase' WHEN 'tiktok' THEN 'CompletePayment' ELSE 'Lead' END,
           x.converted_at + CASE WHEN x.double_platform = 'google' THEN interval '1 day' ELSE interval '0' END,
           NULL,
           CASE WHEN x.double_platform = 'google' THEN x.double_click_id END,
           CASE WHEN x.double_platform = 'tiktok' THEN x.double_click_id END,
           CASE WHEN x.double_platform = 'linkedin' THEN x.double_click_id END,
           CASE WHEN x.double_platform = 'meta'
                THEN format('fb.1.%s.%s', (extract(epoch FROM x.double_touch_at) * 1000)::bigint, x.double_click_id) END,
           NULL, NULL, x.email_sha256,
           recon.demo_double_claim_value(x.stated_value, x.currency, x.double_platform, x.double_currency), x.double_currency,
           CASE WHEN x.record_type = 'order' THEN x.record_id END,
           CASE WHEN x.record_type = 'lead' THEN x.record_id END,
           'demo', batch
    FROM demo_x x
    WHERE x.has_record AND x.double_platform IS NOT NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('conversion_signals', (counts->>'conversion_signals')::bigint + written);

    -- The click log: every click the landing pages captured (also the cross-device ones nothing links back).
    INSERT INTO recon.ad_clicks (platform, click_id, clicked_at, account_id, campaign_id, adset_id, ad_id, record_source, batch_id)
    SELECT platform, click_id, touch_at, account_id, campaign_id, adset_id, ad_id, 'demo', batch
    FROM demo_x WHERE click_id IS NOT NULL AND touch_at < as_of
    UNION ALL
    SELECT double_platform, double_click_id, double_touch_at, double_account_id, double_campaign_id, double_adset_id,
           double_ad_id, 'demo', batch
    FROM demo_x WHERE has_record AND double_platform IS NOT NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('ad_clicks', written);

    -- 7. CRM records: leads and orders, opportunities for qualified leads, repeat form
    --    fills. Each carries up to three stages (s1..s3, entered t1..t3) for the history.
    CREATE TEMP TABLE demo_r ON COMMIT DROP AS
    SELECT u.*,
           CASE WHEN u.status <> 'open' THEN u.stage END AS s3,
           u.closed_at AS t3
    FROM (
        SELECT x.record_id, x.record_type,
               CASE x.record_type WHEN 'order' THEN 'shop' ELSE 'crm' END AS crm_system,
               x.converted_at AS created_at,
               CASE WHEN x.kind IN ('click_conversion', 'outside_window', 'junk') THEN x.platform
                    WHEN x.kind = 'view_through' AND x.r_misc < 0.5 THEN 'organic'
                    ELSE 'direct' END AS channel,
               CASE WHEN x.kind IN ('click_conversion', 'outside_window', 'junk') THEN 'paid' ELSE 'website' END AS source,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.campaign_id END AS campaign_id,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.adset_id END AS adset_id,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.ad_id END AS ad_id,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN
                    CASE x.platform WHEN 'meta' THEN 'facebook' ELSE x.platform END END AS utm_source,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN
                    CASE x.platform WHEN 'google' THEN 'cpc' ELSE 'paid_social' END END AS utm_medium,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.campaign_name END AS utm_campaign,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.ad_id END AS utm_content,
               CASE WHEN x.click_id IS NOT NULL AND x.kind <> 'identity_lost' THEN x.campaign_id END AS utm_id,
               CASE WHEN x.platform = 'meta' AND x.kind <> 'identity_lost' THEN x.click_id
                    WHEN x.double_platform = 'meta' THEN x.double_click_id END AS fbclid,
               CASE WHEN x.platform = 'google' AND x.kind <> 'identity_lost' THEN x.click_id
                    WHEN x.double_platform = 'google' THEN x.double_click_id END AS gclid,
               CASE WHEN x.platform = 'tiktok' AND x.kind <> 'identity_lost' THEN x.click_id
                    WHEN x.double_platform = 'tiktok' THEN x.double_click_id END AS ttclid,
               CASE WHEN x.platform = 'linkedin' AND x.kind <> 'identity_lost' THEN x.click_id
                    WHEN x.double_platform = 'linkedin' THEN x.double_click_id END AS li_fat_id,
               NULL::text AS fbc,
               x.email_sha256, x.customer_id, NULL::text AS parent_record_id,
               CASE WHEN x.record_type = 'order' THEN x.stated_value END AS stated_value, x.currency,
               CASE WHEN x.record_type = 'order' THEN
                        CASE x.record_status WHEN 'won' THEN 'delivered' WHEN 'cancelled' THEN 'cancelled'
                             ELSE CASE WHEN x.fulfil_at - interval '1 day' < as_of THEN 'shipped' ELSE 'placed' END END
                    ELSE CASE x.record_status WHEN 'won' THEN 'converted' WHEN 'lost' THEN 'disqualified'
                                              ELSE CASE WHEN x.kind <> 'junk' AND x.converted_at + interval '2 hours' < as_of
                                                        THEN 'valid' ELSE 'captured' END END
               END AS stage,
               x.record_status AS status,
               CASE WHEN x.record_status IN ('lost', 'cancelled') AND NOT x.has_opportunity THEN x.outcome_reason END AS status_reason,
               CASE x.record_status
                   WHEN 'won' THEN CASE x.record_type WHEN 'order' THEN x.fulfil_at ELSE x.qualify_at END
                   WHEN 'cancelled' THEN x.cancel_at
                   WHEN 'lost' THEN CASE WHEN x.kind = 'junk' THEN x.cancel_at + interval '1 day' ELSE x.disqualify_at END
               END AS closed_at,
               CASE WHEN x.record_type = 'lead' THEN 'rep' || (1 + floor(x.r_t2 * 5))::integer END AS owner,
               CASE x.currency WHEN 'USD' THEN 'US' WHEN 'EUR' THEN 'DE' WHEN 'JPY' THEN 'JP' ELSE 'UK' END AS market,
               CASE x.record_type WHEN 'order' THEN 'placed' ELSE 'captured' END AS s1,
               x.converted_at AS t1,
               CASE WHEN x.record_type = 'order' AND x.record_status <> 'cancelled' AND x.fulfil_at - interval '1 day' < as_of
                    THEN 'shipped'
                    WHEN x.record_type = 'lead' AND x.kind <> 'junk' AND x.converted_at + interval '2 hours' < as_of
                    THEN 'valid' END AS s2,
               CASE WHEN x.record_type = 'order' THEN x.fulfil_at - interval '1 day'
                    ELSE x.converted_at + interval '2 hours' END AS t2
        FROM demo_x x WHERE x.has_record
        UNION ALL
        SELECT 'OPP-' || lpad(x.i::text, 8, '0'), 'opportunity', 'crm', x.qualify_at,
               CASE WHEN x.kind IN ('click_conversion', 'outside_window') THEN x.platform
                    WHEN x.kind = 'view_through' AND x.r_misc < 0.5 THEN 'organic' ELSE 'direct' END,
               'lead conversion', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               x.email_sha256, x.customer_id, x.record_id, x.stated_value, x.currency,
               CASE x.opp_status WHEN 'won' THEN 'won' WHEN 'lost' THEN 'lost'
                    ELSE CASE WHEN x.qualify_at + interval '2 days' < as_of THEN 'proposal' ELSE 'qualified' END END,
               x.opp_status,
               CASE WHEN x.opp_status = 'lost' THEN x.outcome_reason END,
               CASE WHEN x.opp_status <> 'open' THEN x.opp_close_at END,
               'rep' || (1 + floor(x.r_t2 * 5))::integer,
               CASE x.currency WHEN 'EUR' THEN 'DE' ELSE 'UK' END,
               'qualified', x.qualify_at,
               CASE WHEN x.qualify_at + interval '2 days' < as_of THEN 'proposal' END, x.qualify_at + interval '2 days'
        FROM demo_x x WHERE x.has_opportunity
        UNION ALL   -- the same person fills the form again; half are caught by the CRM as duplicates
        SELECT 'LEAD-' || lpad((scale + x.i)::text, 8, '0'), 'lead', 'crm',
               x.converted_at + (0.5 + x.r_dup * 40) * interval '1 day',
               CASE WHEN x.r_misc < 0.5 THEN 'direct' ELSE 'organic' END, 'website',
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               x.email_sha256, NULL, NULL, NULL, x.currency,
               CASE WHEN x.r_dup < 0.03 THEN 'disqualified' ELSE 'captured' END,
               CASE WHEN x.r_dup < 0.03 THEN 'lost' ELSE 'open' END,
               CASE WHEN x.r_dup < 0.03 THEN 'duplicate' END,
               CASE WHEN x.r_dup < 0.03 THEN x.converted_at + (0.5 + x.r_dup * 40) * interval '1 day' + interval '1 hour' END,
               'rep' || (1 + floor(x.r_t1 * 5))::integer,
               CASE x.currency WHEN 'EUR' THEN 'DE' ELSE 'UK' END,
               'captured', x.converted_at + (0.5 + x.r_dup * 40) * interval '1 day', NULL, NULL
        FROM demo_x x WHERE x.has_duplicate
    ) u;

    INSERT INTO recon.funnel_records
        (record_id, record_type, crm_system, created_at, channel, source, campaign_id, adset_id, ad_id,
         utm_source, utm_medium, utm_campaign, utm_content, utm_id, fbclid, gclid, ttclid, li_fat_id, fbc,
         email_sha256, customer_id, parent_record_id, stated_value, currency, stage, status, status_reason,
         closed_at, owner, market, record_source, batch_id)
    SELECT record_id, record_type, crm_system, created_at, channel, source, campaign_id, adset_id, ad_id,
           utm_source, utm_medium, utm_campaign, utm_content, utm_id, fbclid, gclid, ttclid, li_fat_id, fbc,
           email_sha256, customer_id, parent_record_id, stated_value, currency, stage, status, status_reason,
           closed_at, owner, market, 'demo', batch
    FROM demo_r;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('funnel_records', written);

    -- 8. Stage history: the stages each record entered; each stage is left when the next one starts.
    INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, exited_at, record_source, batch_id)
    SELECT r.record_id, st.stage, st.entered_at, st.exited_at, 'demo', batch
    FROM demo_r r
    CROSS JOIN LATERAL (VALUES
        (r.s1, r.t1, coalesce(CASE WHEN r.s2 IS NOT NULL THEN r.t2 END, r.t3)),
        (r.s2, r.t2, r.t3),
        (r.s3, r.t3, NULL::timestamptz)
    ) AS st(stage, entered_at, exited_at)
    WHERE st.stage IS NOT NULL;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('funnel_stage_history', written);

    -- 9. Finance: card charges and refunds for orders; invoices, installments and write-offs for won deals.
    INSERT INTO recon.finance_transactions
        (transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount,
         fee_amount, tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id,
         record_source, batch_id)
    SELECT t.* , 'demo', batch FROM (
        -- a declined first attempt before some successful charges
        SELECT 'ch_' || recon_demo_token(seed, 60, x.i, 24), 'payment', 'failed', x.converted_at - interval '2 minutes',
               x.gross, x.currency, 0::numeric, x.shipping, 0::numeric, 'inclusive', x.record_id, NULL, x.customer_id,
               NULL, NULL
        FROM demo_x x WHERE x.charged AND x.r_misc < 0.05
        UNION ALL
        SELECT 'ch_' || recon_demo_token(seed, 61, x.i, 24), 'payment', 'posted', x.converted_at,
               x.gross, x.currency, 0, x.shipping,
               recon_money_round(x.gross * 0.029 + CASE x.currency WHEN 'JPY' THEN 30 ELSE 0.30 END, x.currency),
               'inclusive', x.record_id, NULL, x.customer_id, NULL, NULL
        FROM demo_x x WHERE x.charged
        UNION ALL
        SELECT 're_' || recon_demo_token(seed, 62, x.i, 24), 'refund', 'posted',
               CASE WHEN x.cancel_refunded THEN x.cancel_at ELSE x.refund_at END,
               CASE WHEN x.refund_kind = 'partial' THEN x.partial_refund ELSE x.gross END,
               x.currency, 0, CASE WHEN x.refund_kind = 'partial' THEN 0 ELSE x.shipping END, 0, 'inclusive',
               x.record_id, NULL, x.customer_id, NULL, 'ch_' || recon_demo_token(seed, 61, x.i, 24)
        FROM demo_x x WHERE x.cancel_refunded OR x.refund_kind <> 'none'
        UNION ALL
        SELECT 'INV-2026-' || lpad(x.i::text, 8, '0'), 'invoice', 'posted', x.opp_close_at,
               x.gross, x.currency, x.tax, 0, 0, 'inclusive', NULL, 'OPP-' || lpad(x.i::text, 8, '0'),
               x.customer_id, NULL, NULL
        FROM demo_x x WHERE x.invoiced
        UNION ALL
        SELECT CASE WHEN k.paid THEN format('PAY-%s-%s', lpad(x.i::text, 8, '0'), k.k)
                    ELSE 'WO-' || lpad(x.i::text, 8, '0') END,
               CASE WHEN k.paid THEN 'payment' ELSE 'write_off' END, 'posted',
               CASE WHEN k.paid THEN k.due_at ELSE k.due_at + interval '60 days' END,
               k.amount, x.currency, k.tax, 0, 0, 'inclusive', NULL, 'OPP-' || lpad(x.i::text, 8, '0'),
               x.customer_id, 'INV-2026-' || lpad(x.i::text, 8, '0'), NULL
        FROM demo_pay k JOIN demo_x x USING (i)
        WHERE k.paid OR k.written_off
    ) t;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('finance_transactions', written);

    -- 10. The truth per journey, computed from the simulation, not read back from the tables.
    INSERT INTO recon_truth.journeys
    SELECT x.i, x.i, x.kind, x.platform, x.account_id, x.campaign_id, x.adset_id, x.ad_id, x.touch_at, x.click_id,
           x.converted_at, x.lag_days, x.record_type,
           CASE WHEN x.has_record THEN x.record_id END,
           CASE WHEN x.has_opportunity THEN 'OPP-' || lpad(x.i::text, 8, '0') END,
           CASE WHEN x.has_duplicate THEN 'LEAD-' || lpad((scale + x.i)::text, 8, '0') END,
           x.currency, x.stated_value, x.outcome, x.outcome_reason, x.is_spam, x.is_test,
           CASE WHEN x.cancel_refunded THEN 'none' ELSE x.refund_kind END,
           CASE WHEN x.cancel_refunded THEN x.gross WHEN x.refund_kind = 'partial' THEN x.partial_refund
                WHEN x.refund_kind <> 'none' THEN x.gross ELSE 0 END,
           CASE WHEN x.invoiced THEN x.n_installments ELSE 0 END,
           -- net revenue collected: order charges minus refunds, or the paid installments net of VAT
           CASE WHEN x.record_type = 'order' THEN
                    CASE WHEN x.charged THEN x.stated_value ELSE 0 END
                  - CASE WHEN x.cancel_refunded OR x.refund_kind IN ('full', 'failed_delivery') THEN x.stated_value
                         WHEN x.refund_kind = 'partial' THEN x.partial_refund ELSE 0 END
                ELSE coalesce(paid.net, 0)
           END,
           coalesce(cl.claimed, false),
           cl.windows,
           coalesce(cl.conversions, 0),
           coalesce(cl.value, 0),
           x.kind = 'view_through' AND coalesce(cl.claimed, false),
           x.kind = 'modeled' AND coalesce(cl.claimed, false),
           x.kind = 'outside_window',
           x.kind = 'identity_lost',
           coalesce(cl.claimed, false) AND x.has_record
               AND date_trunc('month', cl.report_date) <> date_trunc('month', x.converted_at AT TIME ZONE report_tz),
           cl.double_platform,
           coalesce(cl.dedup_failure, false),
           coalesce(paid.written_off, 0)
    FROM demo_x x
    LEFT JOIN (SELECT journey_id,
                      bool_or(cause NOT IN ('double_claim', 'dedup_failure')) AS claimed,
                      min(windows) FILTER (WHERE cause NOT IN ('double_claim', 'dedup_failure')) AS windows,
                      min(report_date) FILTER (WHERE cause NOT IN ('double_claim', 'dedup_failure')) AS report_date,
                      sum(conversions) FILTER (WHERE cause <> 'double_claim') AS conversions,
                      sum(value) FILTER (WHERE cause <> 'double_claim') AS value,
                      bool_or(cause = 'dedup_failure') AS dedup_failure,
                      min(platform) FILTER (WHERE cause = 'double_claim') AS double_platform
               FROM demo_claims GROUP BY journey_id) cl ON cl.journey_id = x.i
    LEFT JOIN (SELECT i, sum(amount - tax) FILTER (WHERE paid) AS net,
                      sum(amount - tax) FILTER (WHERE written_off) AS written_off
               FROM demo_pay GROUP BY i) paid ON paid.i = x.i;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('truth.journeys', written);

    INSERT INTO recon_truth.platform_claims
    SELECT journey_id, platform, account_id, campaign_id, adset_id, ad_id, report_date, cause, windows,
           conversions, value, currency
    FROM demo_claims;
    GET DIAGNOSTICS written = ROW_COUNT;
    counts := counts || jsonb_build_object('truth.platform_claims', written);
    PERFORM recon.bulk_load_end(saved_keys);
    -- Fresh statistics: without them the planner takes the new tables for empty ones.
    ANALYZE recon.ad_accounts, recon.fx_rates, recon.ad_delivery_daily, recon.platform_conversions_daily,
            recon.conversion_signals, recon.ad_clicks, recon.funnel_records, recon.funnel_stage_history,
            recon.finance_transactions, recon_truth.journeys, recon_truth.platform_claims;

    INSERT INTO recon_truth.runs (seed, scale, period_start, period_end, as_of, reporting_timezone, row_counts, faults)
    VALUES (seed, scale, period_start::date, (period_start + period_days * interval '1 day')::date, as_of, report_tz, counts, faults);

    RETURN QUERY SELECT e.key, e.value::bigint FROM jsonb_each_text(counts) e ORDER BY 1;
END $gen$;
COMMENT ON FUNCTION recon_demo_generate(bigint, integer, jsonb) IS
    'Replaces the demo data with a deterministic simulation of `scale` journeys (1..10,000,000) across Meta, Google, TikTok and LinkedIn, a CRM and finance, injecting every cause of disagreement and recording the truth in recon_truth. Same seed and scale, same data. faults (default none) injects operational faults from a day on: {"consent_loss": {"platform": P, "from": D, "share": 0.6}} (click ids lost: click conversions become cross-device), {"modeled_change": {..., "share": 0.5}} (the platform claims a modeled conversion beside that share of click conversions), {"dedup_break": {"platform": "meta", "from": D}} (Pixel and CAPI event ids stop matching), {"feed_stop": {"platform": P, "from": D}} (the platform''s report feed stops). Returns rows written per table.';

-- A digest per demo table, to compare two runs (same seed and scale, same
-- digests: the generator's determinism, checkable by anyone). Every column but
-- the ignored ones, rows ordered byte-wise, timestamps rendered in UTC.
CREATE FUNCTION recon.demo_fingerprint(ignored text[] DEFAULT '{loaded_at,updated_at,signal_key}',
                                       only_demo boolean DEFAULT false)
RETURNS TABLE (table_name text, digest text)
LANGUAGE plpgsql STABLE SET TimeZone = 'UTC' AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['recon.ad_accounts', 'recon.fx_rates', 'recon.ad_delivery_daily',
        'recon.platform_conversions_daily', 'recon.conversion_signals', 'recon.ad_clicks', 'recon.funnel_records',
        'recon.funnel_stage_history', 'recon.finance_transactions', 'recon_truth.journeys',
        'recon_truth.platform_claims'] LOOP
        table_name := t;
        EXECUTE format($q$SELECT md5(string_agg(r, E'\n' ORDER BY r COLLATE "C"))
                          FROM (SELECT (to_jsonb(x) - $1)::text AS r FROM %s x
                                WHERE NOT $2 OR coalesce(to_jsonb(x)->>'record_source', 'demo') = 'demo') s$q$, t)
           INTO digest USING ignored, only_demo;
        RETURN NEXT;
    END LOOP;
END $$;
COMMENT ON FUNCTION recon.demo_fingerprint(text[], boolean) IS
    'An md5 digest of each demo and truth table (all columns but the ignored ones, default the load timestamps and generated keys; only_demo: only rows with record_source demo). Equal digests mean equal data.';

-- Checks that the loaded demo data and its recorded truth agree, each one
-- computed from the tables as a user would query them. Checks count offending
-- rows rather than ask NOT EXISTS: an EXISTS is planned for its first row
-- (nested loops), which on a large clean table means scanning it many times.
CREATE FUNCTION recon.demo_verify()
RETURNS TABLE (check_name text, passed boolean, detail text)
LANGUAGE sql STABLE AS $$
    WITH run AS (SELECT * FROM recon_truth.runs LIMIT 1),
    claims_default AS (
        SELECT platform, sum(conversions) AS n FROM recon_truth.platform_claims
        WHERE 'default' = ANY (windows) GROUP BY platform),
    reported_default AS (
        SELECT platform, sum(conversions) AS n FROM recon.platform_conversions_daily
        WHERE attribution_window = 'default' AND action_type <> 'omni_purchase' AND batch_id = 'demo-' || (SELECT seed FROM run)
        GROUP BY platform),
    collected AS (
        SELECT coalesce(f.order_id, o.parent_record_id) AS record_id, sum(f.revenue_amount) AS revenue
        FROM recon.finance_transactions f
        LEFT JOIN recon.funnel_records o ON o.record_id = f.opportunity_id
        GROUP BY 1),
    meta_orders AS (
        SELECT order_id, count(*) AS signals, count(DISTINCT event_id) AS event_ids
        FROM recon.conversion_signals WHERE platform = 'meta' GROUP BY order_id)
    SELECT 'one demo run is loaded', (SELECT count(*) FROM recon_truth.runs) = 1,
           (SELECT count(*) FROM recon_truth.runs)::text || ' run(s)'
    UNION ALL
    SELECT 'every journey with a CRM record has it in funnel_records',
           0 = (SELECT count(*) FROM recon_truth.journeys j WHERE record_id IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM recon.funnel_records f WHERE f.record_id = j.record_id)),
           (SELECT count(*) FROM recon_truth.journeys j WHERE record_id IS NOT NULL)::text || ' journeys with a record'
    UNION ALL
    SELECT 'modeled conversions have no record and no signal',
           0 = (SELECT count(*) FROM recon_truth.journeys j WHERE kind = 'modeled' AND record_id IS NOT NULL)
           AND 0 = (SELECT count(*) FROM recon.conversion_signals s
                           JOIN recon_truth.journeys j ON j.kind = 'modeled'
                                 AND coalesce(s.order_id, s.lead_id)
                                     = CASE j.record_type WHEN 'order' THEN 'ORD-' ELSE 'LEAD-' END || lpad(j.journey_id::text, 8, '0')),
           (SELECT count(*) FROM recon_truth.journeys j WHERE modeled)::text || ' modeled claims'
    UNION ALL
    SELECT 'identity-lost records carry no click id, UTM or ad id',
           0 = (SELECT count(*) FROM recon_truth.journeys j JOIN recon.funnel_records f USING (record_id)
                       WHERE j.identity_lost AND coalesce(f.fbclid, f.gclid, f.ttclid, f.li_fat_id, f.utm_source, f.ad_id) IS NOT NULL),
           (SELECT count(*) FROM recon_truth.journeys j WHERE identity_lost AND record_id IS NOT NULL)::text || ' identity-lost records'
    UNION ALL
    SELECT 'platform-reported default-window conversions equal the truth''s claims, per platform',
           0 = (SELECT count(*) FROM claims_default c FULL JOIN reported_default r USING (platform)
                       WHERE c.n IS DISTINCT FROM r.n),
           (SELECT string_agg(platform || ' ' || n, ', ' ORDER BY platform) FROM reported_default)
    UNION ALL
    SELECT 'Meta omni_purchase repeats purchase exactly',
           0 = (SELECT count(*) FROM recon.platform_conversions_daily p
                       WHERE p.platform = 'meta' AND p.action_type = 'purchase'
                         AND NOT EXISTS (SELECT 1 FROM recon.platform_conversions_daily o
                                         WHERE o.platform = 'meta' AND o.action_type = 'omni_purchase'
                                           AND (o.report_date, o.ad_id, o.attribution_window, o.conversions, o.conversion_value)
                                             = (p.report_date, p.ad_id, p.attribution_window, p.conversions, p.conversion_value))),
           NULL
    UNION ALL
    SELECT 'each Pixel/CAPI dedup failure is one order with two signals and two event ids; other Meta orders share one',
           0 = (SELECT count(*) FROM recon_truth.journeys j JOIN meta_orders m ON m.order_id = j.record_id
                       WHERE j.platform = 'meta' AND (m.event_ids <> CASE WHEN j.pixel_capi_duplicate THEN 2 ELSE 1 END
                                                      OR m.signals <> 2)),
           (SELECT count(*) FROM recon_truth.journeys j WHERE pixel_capi_duplicate)::text || ' dedup failures'
    UNION ALL
    SELECT 'collected revenue in finance equals the truth, per journey',
           0 = (SELECT count(*) FROM recon_truth.journeys j LEFT JOIN collected c ON c.record_id = j.record_id
                       WHERE j.record_id IS NOT NULL AND coalesce(c.revenue, 0) <> j.collected_revenue),
           (SELECT string_agg(currency || ' ' || sum, ', ' ORDER BY currency)
            FROM (SELECT currency, sum(collected_revenue) FROM recon_truth.journeys j GROUP BY currency) s)
    UNION ALL
    SELECT 'double claims name another platform and appear in its claims',
           0 = (SELECT count(*) FROM recon_truth.journeys j WHERE double_claimed_by IS NOT NULL
                       AND (double_claimed_by = platform OR NOT EXISTS (
                           SELECT 1 FROM recon_truth.platform_claims c
                           WHERE c.journey_id = j.journey_id AND c.platform = j.double_claimed_by AND c.cause = 'double_claim'))),
           (SELECT count(*) FROM recon_truth.journeys j WHERE double_claimed_by IS NOT NULL)::text || ' double claims'
    UNION ALL
    SELECT 'outcomes match CRM statuses (orders and opportunities)',
           0 = (SELECT count(*) FROM recon_truth.journeys j JOIN recon.funnel_records f ON f.record_id = coalesce(j.opportunity_id, j.record_id)
                       WHERE f.status <> j.outcome AND NOT (j.record_type = 'lead' AND j.opportunity_id IS NULL)),
           NULL
    UNION ALL
    SELECT 'stage history is ordered, each stage ends when the next begins, and closed records end in their stage',
           0 = (SELECT count(*) FROM (SELECT h.*, lead(entered_at) OVER w AS next_at, last_value(stage) OVER w2 AS last_stage
                                      FROM recon.funnel_stage_history h
                                      WINDOW w AS (PARTITION BY record_id ORDER BY entered_at),
                                             w2 AS (PARTITION BY record_id ORDER BY entered_at
                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) h
                       JOIN recon.funnel_records f USING (record_id)
                       WHERE h.exited_at IS DISTINCT FROM h.next_at
                          OR (f.status <> 'open' AND h.last_stage <> f.stage)),
           (SELECT count(*) FROM recon.funnel_stage_history)::text || ' stage rows'
    UNION ALL
    SELECT 'nothing happens after the extraction moment (as_of)',
           greatest((SELECT max(created_at) FROM recon.funnel_records), (SELECT max(closed_at) FROM recon.funnel_records),
                    (SELECT max(occurred_at) FROM recon.finance_transactions),
                    (SELECT max(entered_at) FROM recon.funnel_stage_history)) < (SELECT as_of FROM run),
           NULL
    UNION ALL
    SELECT 'amounts respect currency minor units (JPY whole, others 2 places)',
           0 = (SELECT count(*) FROM recon.finance_transactions
                       WHERE recon_money_round(amount, currency) <> amount OR recon_money_round(tax_amount, currency) <> tax_amount)
           AND 0 = (SELECT count(*) FROM recon.ad_delivery_daily WHERE recon_money_round(spend, currency) <> spend),
           NULL
    UNION ALL
    SELECT 'every kind of cause is present',
           (SELECT count(DISTINCT kind) FROM recon_truth.journeys j) = 6 AND (SELECT bool_or(clock_shift) AND bool_or(pixel_capi_duplicate)
                                                          AND bool_or(double_claimed_by IS NOT NULL)
                                                          AND bool_or(refund_kind = 'partial') AND bool_or(refund_kind = 'full')
                                                          AND bool_or(installments > 1) AND bool_or(is_spam) AND bool_or(is_test)
                                                          AND bool_or(duplicate_record_id IS NOT NULL) FROM recon_truth.journeys j),
           (SELECT string_agg(kind || ' ' || n, ', ' ORDER BY kind) FROM (SELECT kind, count(*) AS n FROM recon_truth.journeys j GROUP BY kind) k)
$$;
COMMENT ON FUNCTION recon.demo_verify() IS
    'Checks that the loaded demo data agrees with its recorded truth (records, claims per window, signals, money, stages, clocks); one row per check.';

-- ===== src/report/report.sql =====
-- The first report: per channel and month, what the platform claims, what the
-- CRM recorded and what finance collected, side by side and never forced to
-- match. Each number is labelled with its system of record, its clock and the
-- question it answers (recon.report_legend).

-- Action types that count the same conversions: keep one per family, highest priority first.
CREATE FUNCTION recon.action_type_family(action_type text, OUT family text, OUT priority integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
               WHEN action_type IN ('omni_purchase', 'purchase', 'offsite_conversion.fb_pixel_purchase',
                                    'onsite_web_purchase', 'onsite_web_app_purchase', 'web_in_store_purchase',
                                    'complete_payment') THEN 'purchase'
               WHEN action_type IN ('lead', 'onsite_conversion.lead_grouped', 'offsite_conversion.fb_pixel_lead',
                                    'leadgen_grouped', 'submit_form') THEN 'lead'
               ELSE action_type END,
           CASE action_type
               WHEN 'omni_purchase' THEN 1 WHEN 'purchase' THEN 2 WHEN 'offsite_conversion.fb_pixel_purchase' THEN 3
               WHEN 'onsite_web_purchase' THEN 4 WHEN 'lead' THEN 1 WHEN 'leadgen_grouped' THEN 2
               WHEN 'onsite_conversion.lead_grouped' THEN 3 WHEN 'offsite_conversion.fb_pixel_lead' THEN 4
               ELSE 9 END
$$;
COMMENT ON FUNCTION recon.action_type_family(text) IS
    'Event family of a platform action type and its priority inside the family (1 = preferred): omni_purchase, purchase and offsite_conversion.fb_pixel_purchase count the same purchases, so reports keep one per family.';

-- The platform numbers every report shares. Delivery is reported at campaign, ad
-- set or ad level; summing levels would count spend twice, so each account is read
-- at the finest level it has loaded.
CREATE VIEW recon.platform_finest_level AS
    SELECT platform, account_id,
           (array_agg(level ORDER BY CASE level WHEN 'ad' THEN 1 WHEN 'adset' THEN 2 ELSE 3 END))[1] AS level
    FROM recon.ad_delivery_daily GROUP BY 1, 2;
COMMENT ON VIEW recon.platform_finest_level IS
    'Per ad account, the finest delivery level loaded (ad, else adset, else campaign): the only level reports read, since summing levels would double count. Unique key: (platform, account_id).';

CREATE VIEW recon.platform_delivery AS
    SELECT d.* FROM recon.ad_delivery_daily d JOIN recon.platform_finest_level l USING (platform, account_id, level);
COMMENT ON VIEW recon.platform_delivery IS
    'The delivery rows reports read: recon.ad_delivery_daily at each account''s finest level loaded (recon.platform_finest_level). Unique key: (platform, account_id, report_date, campaign_id, adset_id, ad_id).';

-- Conversions the platform claims, in the window the reports show (the
-- platform_report_window setting), one action type per event family.
CREATE VIEW recon.platform_conversions_reported AS
    SELECT DISTINCT ON (c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id, f.family)
           c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id, f.family, c.action_type,
           c.attribution_window, c.conversions, c.conversion_value, c.currency
    FROM recon.platform_conversions_daily c
    JOIN recon.platform_finest_level l ON l.platform = c.platform AND l.account_id = c.account_id
                                      AND l.level = CASE WHEN c.ad_id <> '' THEN 'ad' WHEN c.adset_id <> '' THEN 'adset' ELSE 'campaign' END
    CROSS JOIN LATERAL recon.action_type_family(c.action_type) f
    WHERE c.attribution_window = (SELECT recon.setting('platform_report_window'))
    ORDER BY c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id, f.family, f.priority;
COMMENT ON VIEW recon.platform_conversions_reported IS
    'The platform conversions reports count: recon.platform_conversions_daily in the attribution window of the platform_report_window setting, at each account''s finest level, one action type per event family (omni_purchase before purchase before offsite_conversion.fb_pixel_purchase: recon.action_type_family). Unique key: (platform, account_id, report_date, campaign_id, adset_id, ad_id, family).';

-- When the data was extracted: the latest event any layer knows about.
CREATE FUNCTION recon.data_as_of() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT greatest((SELECT max(occurred_at) FROM recon.finance_transactions),
                    (SELECT max(created_at) FROM recon.funnel_records),
                    -- a report day begins at midnight in the zone that defines it, not in the session's zone
                    (SELECT max(report_date::timestamp AT TIME ZONE report_timezone) FROM recon.ad_delivery_daily))
$$;
COMMENT ON FUNCTION recon.data_as_of() IS
    'The latest moment the loaded data covers (latest finance transaction, CRM record or delivery day): cohort maturity is measured against it, not against now().';

-- What every report reads once: the reporting zone and currency, the last maturity
-- point, and the moment the data covers (recon.data_as_of scans three tables).
CREATE FUNCTION recon.report_context(OUT tz text, OUT cur text, OUT mature_after integer,
                                     OUT data_as_of timestamptz, OUT as_of_day date)
LANGUAGE sql STABLE AS $$
    SELECT s.tz, recon.setting('reporting_currency'),
           (SELECT max(d) FROM unnest(recon.setting('maturity_days')::integer[]) AS d),
           a.at, (a.at AT TIME ZONE s.tz)::date
    FROM (SELECT recon.setting('reporting_timezone') AS tz) s, (SELECT recon.data_as_of() AS at) a
$$;
COMMENT ON FUNCTION recon.report_context() IS
    'The settings and clock reports share, read once: reporting time zone and currency, the last maturity_days point, recon.data_as_of() and its day in the reporting zone.';

-- A month's cohort is mature once its last day plus the last maturity point has passed in the data.
CREATE FUNCTION recon.cohort_maturity(month date, mature_after integer, as_of_day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN (date_trunc('month', month) + interval '1 month' - interval '1 day')::date + mature_after <= as_of_day
                THEN 'mature' ELSE 'incomplete' END
$$;
COMMENT ON FUNCTION recon.cohort_maturity(date, integer, date) IS
    'mature when the last day of the cohort''s month plus the last maturity point (days) is on or before the data''s as-of day, else incomplete.';

-- The report's rows. A function rather than a bare view for one reason: its
-- plan's estimated cost is far above the real work, so JIT would compile it
-- (measured: 3.0 s of compiling for a 0.7 s query); SET jit = off prevents that.
CREATE FUNCTION recon.report_layers_rows()
RETURNS TABLE (channel text, month date, layer text, metric text, value numeric, records bigint,
               maturity text, unit text)
LANGUAGE sql STABLE
SET jit = off
AS $report$
WITH settings AS MATERIALIZED (SELECT * FROM recon.report_context()),   -- once: it scans three tables
delivery AS (           -- finest level loaded per account: summing levels would double count
    SELECT platform, report_date, currency, sum(spend) AS spend
    FROM recon.platform_delivery GROUP BY 1, 2, 3
),
conversions AS (        -- the platform_report_window's window, one action type per family
    SELECT platform, report_date, currency, sum(conversions) AS conversions, sum(conversion_value) AS value
    FROM recon.platform_conversions_reported GROUP BY 1, 2, 3
),
records AS (           -- leads and orders (opportunities are counted through the lead they came from)
    SELECT f.record_id, f.channel,
           (f.created_at AT TIME ZONE (SELECT tz FROM settings))::date AS created_day,
           recon.record_invalidity(f.status_reason, f.dq_flags) IS NOT NULL AS invalid
    FROM recon.funnel_records f WHERE f.record_type IN ('lead', 'order')
),
won AS (               -- a won order, or a won opportunity credited to its lead
    SELECT coalesce(o.parent_record_id, o.record_id) AS record_id, o.stated_value, o.currency
    FROM recon.funnel_records o
    WHERE o.status = 'won' AND o.record_type IN ('opportunity', 'order')
),
crm_by_day AS (
    SELECT r.channel, date_trunc('month', r.created_day)::date AS month, r.created_day AS day, w.currency,
           count(*) AS records, count(*) FILTER (WHERE NOT r.invalid) AS valid,
           count(w.record_id) FILTER (WHERE NOT r.invalid) AS won,
           coalesce(sum(w.stated_value) FILTER (WHERE NOT r.invalid), 0) AS booked
    FROM records r LEFT JOIN won w USING (record_id)
    GROUP BY 1, 2, 3, 4
),
money AS (             -- each posted transaction, credited to the lead or order it came from
    SELECT coalesce(lead.record_id, ord.record_id) AS record_id, t.currency, t.revenue_amount,
           (t.occurred_at AT TIME ZONE (SELECT tz FROM settings))::date AS tx_day
    FROM recon.finance_transactions t
    LEFT JOIN recon.funnel_records ord ON ord.record_id = t.order_id
    LEFT JOIN recon.funnel_records opp ON opp.record_id = t.opportunity_id
    LEFT JOIN recon.funnel_records lead ON lead.record_id = opp.parent_record_id
    WHERE t.status = 'posted' AND t.revenue_amount <> 0
),
money_by_record AS (
    SELECT coalesce(r.channel, 'unknown') AS channel,
           date_trunc('month', coalesce(r.created_day, m.tx_day))::date AS month,
           m.record_id, m.currency, m.tx_day AS day, m.revenue_amount,
           sum(m.revenue_amount) OVER (PARTITION BY m.record_id) AS record_net
    FROM money m LEFT JOIN records r USING (record_id)
),
-- One rate per currency and day (recon.fx_reporting_rates: a missing rate fails, P0002).
rates AS (
    SELECT x.* FROM (SELECT array_agg(currency) AS c, array_agg(day) AS d
                     FROM (SELECT currency, report_date AS day FROM delivery
                           UNION SELECT currency, report_date FROM conversions
                           UNION SELECT currency, day FROM crm_by_day
                           UNION SELECT currency, day FROM money_by_record) p) a
    CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) x
),
platform_layer AS (
    SELECT d.platform AS channel, date_trunc('month', d.report_date)::date AS month,
           sum(@extschema@.recon_money_round(d.spend * x.rate, (SELECT cur FROM settings))) AS spend,
           0::numeric AS conversions, 0::numeric AS value, count(*) AS days
    FROM delivery d JOIN rates x ON (x.currency, x.day) = (d.currency, d.report_date)
    GROUP BY 1, 2
    UNION ALL
    SELECT c.platform, date_trunc('month', c.report_date)::date, 0, sum(c.conversions),
           sum(@extschema@.recon_money_round(c.value * x.rate, (SELECT cur FROM settings))), 0
    FROM conversions c JOIN rates x ON (x.currency, x.day) = (c.currency, c.report_date)
    GROUP BY 1, 2
),
crm_layer AS (
    SELECT k.channel, k.month, sum(k.records) AS records, sum(k.valid) AS valid, sum(k.won) AS won,
           sum(@extschema@.recon_money_round(k.booked * coalesce(x.rate, 0), (SELECT cur FROM settings))) AS booked
    FROM crm_by_day k LEFT JOIN rates x ON (x.currency, x.day) = (k.currency, k.day)
    GROUP BY 1, 2
),
collected_layer AS (
    SELECT m.channel, m.month,
           count(DISTINCT m.record_id) FILTER (WHERE m.record_net > 0) AS paid,
           sum(@extschema@.recon_money_round(m.revenue * x.rate, (SELECT cur FROM settings))) AS revenue
    FROM (SELECT channel, month, record_id, record_net, currency, day, sum(revenue_amount) AS revenue
          FROM money_by_record GROUP BY 1, 2, 3, 4, 5, 6) m
    JOIN rates x ON (x.currency, x.day) = (m.currency, m.day)
    GROUP BY 1, 2
),
platform_month AS (
    SELECT channel, month, sum(spend) AS spend, sum(conversions) AS conversions, sum(value) AS value, sum(days) AS days
    FROM platform_layer GROUP BY 1, 2
),
joined AS (
    SELECT channel, month, p.spend, p.conversions, p.value, p.days,
           k.records, k.valid, k.won, k.booked, x.paid, x.revenue
    FROM platform_month p
    FULL JOIN crm_layer k USING (channel, month)
    FULL JOIN collected_layer x USING (channel, month)
)
SELECT j.channel::text, j.month, v.layer, v.metric, v.value, v.records::bigint,
       recon.cohort_maturity(j.month, (SELECT mature_after FROM settings), (SELECT as_of_day FROM settings)) AS maturity,
       v.unit
FROM joined j
CROSS JOIN LATERAL (VALUES
    ('platform', 'spend', j.spend, j.days, 'currency'),
    ('platform', 'platform_conversions', j.conversions, NULL, 'count'),
    ('platform', 'platform_conversion_value', j.value, NULL, 'currency'),
    ('crm', 'crm_conversions', j.valid, j.records, 'count'),
    ('crm', 'crm_won', j.won, j.valid, 'count'),
    ('crm', 'booked_value', j.booked, j.won, 'currency'),
    ('collected', 'collected_revenue', j.revenue, j.paid, 'currency')
) AS v(layer, metric, value, records, unit)
WHERE v.value IS NOT NULL
$report$;
COMMENT ON FUNCTION recon.report_layers_rows() IS
    'Computes the rows of recon.report_layers (with JIT off: the plan''s cost estimates would trigger a compile that takes longer than the query).';

CREATE VIEW recon.report_layers AS
    SELECT channel, month, layer, metric, value, records, maturity, unit FROM recon.report_layers_rows();
COMMENT ON VIEW recon.report_layers IS
    'The three layers side by side in long form: per channel, month and metric, the value (money in the reporting currency), the records behind it, the cohort''s maturity (incomplete until the month''s last day plus the last maturity point has passed in the data) and the unit. Join recon.report_legend for each metric''s source and question.';

CREATE VIEW recon.report_legend AS
    SELECT * FROM (VALUES
        (1, 'platform', 'spend', 'ad platform (delivery report)', 'report day in the platform''s report time zone',
         'What did we pay the platform?'),
        (2, 'platform', 'platform_conversions', 'ad platform (Insights, attribution window from the platform_report_window setting)',
         'report day per action_report_time (click/impression day or conversion day)',
         'How many conversions does the platform take credit for?'),
        (3, 'platform', 'platform_conversion_value', 'ad platform', 'same as platform_conversions',
         'What value does the platform say its ads produced?'),
        (4, 'crm', 'crm_conversions', 'CRM (leads and orders; records = all, value = valid: not spam, test or duplicate)',
         'record creation day in the reporting time zone', 'How many real leads or orders did the channel bring?'),
        (5, 'crm', 'crm_won', 'CRM (won orders and won opportunities, credited to their lead)', 'lead or order creation day (cohort)',
         'How many of them did we win?'),
        (6, 'crm', 'booked_value', 'CRM (stated value of won records)', 'lead or order creation day (cohort)',
         'What did sales book?'),
        (7, 'collected', 'collected_revenue', 'finance (posted payments minus refunds and chargebacks, net of tax and shipping; records = paid customers)',
         'cohort of the lead or order; converted at each transaction''s day', 'What money actually arrived for these leads and orders?')
    ) AS l(position, layer, metric, source, clock, question);
COMMENT ON VIEW recon.report_legend IS
    'For each metric of the report: its layer, system of record, the clock that dates it, and the question it answers.';

CREATE VIEW recon.report_channel_month AS
    SELECT channel, month, maturity,
           sum(value) FILTER (WHERE metric = 'spend') AS spend,
           sum(value) FILTER (WHERE metric = 'platform_conversions') AS platform_conversions,
           sum(value) FILTER (WHERE metric = 'platform_conversion_value') AS platform_value,
           sum(records) FILTER (WHERE metric = 'crm_conversions') AS crm_records,
           sum(value) FILTER (WHERE metric = 'crm_conversions') AS crm_valid,
           sum(value) FILTER (WHERE metric = 'crm_won') AS crm_won,
           sum(value) FILTER (WHERE metric = 'booked_value') AS booked_value,
           sum(records) FILTER (WHERE metric = 'collected_revenue') AS paid_records,
           sum(value) FILTER (WHERE metric = 'collected_revenue') AS collected_revenue
    FROM recon.report_layers
    GROUP BY channel, month, maturity;
COMMENT ON VIEW recon.report_channel_month IS
    'One row per channel and month: spend, platform conversions and value (platform''s claim), CRM records, valid, won and booked value (CRM), paid records and collected revenue (finance), money in the reporting currency; see recon.report_legend for sources, clocks and questions.';

-- ===== src/linkage/cascade.sql =====
-- The matching cascade (issue 4, its SQL part): links between ad signals, CRM
-- records and finance transactions, each with its method, confidence and the
-- rule that made it. CALL recon.run_matching() rebuilds the automatic links in
-- one transaction, strongest method first; recon.confirm_link / recon.reject_link
-- record audited human decisions that every re-run respects. The probabilistic
-- stage (recon.match_inferred, src/linkage/inferred.sql, over the C Fellegi-Sunter functions) runs last.
-- Rules and reasoning: docs/matching.md.

------------------------------------------------------------------ tables
CREATE TABLE recon.match_runs (
    run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at  timestamptz,
    methods      text[] NOT NULL,
    parameters   jsonb NOT NULL DEFAULT '{}',
    run_by       text NOT NULL DEFAULT current_user,
    link_counts  jsonb
);
COMMENT ON TABLE recon.match_runs IS
    'One row per CALL recon.run_matching: when, by whom, which methods, the parameters (min_confidence) and, in link_counts, the links made and milliseconds spent per stage, e.g. {"exact_id": {"signal_record": 118000, ..., "ambiguous": 3, "ms": 812.4}}.';
SELECT pg_catalog.pg_extension_config_dump('recon.match_runs', '');
SELECT pg_catalog.pg_extension_config_dump('recon.match_runs_run_id_seq', '');

CREATE TABLE recon.match_links (
    link_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_type         text COLLATE "C" NOT NULL CHECK (link_type IN
                      ('signal_record', 'record_transaction', 'record_record', 'signal_signal')),
    left_id           text COLLATE "C" NOT NULL,
    right_id          text COLLATE "C" NOT NULL,
    method            text COLLATE "C" NOT NULL CHECK (method IN
                      ('exact_id', 'exact_contact', 'crm_relationship', 'manual_verified', 'inferred')),
    confidence        float8 NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    rule              text NOT NULL,
    explanation       jsonb,
    allocated_amount  numeric,
    currency          recon_currency_code,
    flags             text[] NOT NULL DEFAULT '{}',
    run_id            bigint REFERENCES recon.match_runs,
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by        text NOT NULL DEFAULT current_user,
    CONSTRAINT match_links_pair UNIQUE (link_type, left_id, right_id)
);
COMMENT ON TABLE recon.match_links IS
    'Links between the layers, one row per pair: signal_record (conversion_signals.signal_key -> funnel_records.record_id), record_transaction (transaction_id -> record_id, with the allocated part of the amount), record_record (duplicate or child -> original or parent), signal_signal (repeated signal -> first one). Method, confidence 0..1 and the rule that made it; manual_verified links come from recon.confirm_link and survive re-runs, the others are rebuilt by recon.run_matching.';
COMMENT ON COLUMN recon.match_links.left_id IS
    'signal_record: signal_key as text; record_transaction: transaction_id; record_record: the duplicate or child record; signal_signal: the repeated signal. A left side links to one right side, except a transaction allocated to several records.';
COMMENT ON COLUMN recon.match_links.right_id IS
    'signal_record and record_transaction: record_id; record_record: the original or parent record; signal_signal: the first signal.';
COMMENT ON COLUMN recon.match_links.rule IS
    'What made the link: order_id, lead_id, fbclid, fbc click id, gclid, fbc, event_id, email_sha256, external_id = customer_id, invoice_id -> opportunity, parent_record_id, manual...';
COMMENT ON COLUMN recon.match_links.explanation IS
    'Why, in detail: for manual links the decision (id, reason, who, when); for inferred links the comparison levels and weights.';
COMMENT ON COLUMN recon.match_links.allocated_amount IS
    'record_transaction: the part of the transaction amount (in its currency) allocated to this record; the parts of one transaction sum exactly to its amount.';
COMMENT ON COLUMN recon.match_links.flags IS
    'Findings about the link: split (the transaction is allocated to several records), equal_split (split in equal parts because the records'' values could not weigh it).';
SELECT pg_catalog.pg_extension_config_dump('recon.match_links', '');
SELECT pg_catalog.pg_extension_config_dump('recon.match_links_link_id_seq', '');

CREATE TABLE recon.match_decisions (
    decision_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_type    text COLLATE "C" NOT NULL CHECK (link_type IN
                 ('signal_record', 'record_transaction', 'record_record', 'signal_signal')),
    left_id      text COLLATE "C" NOT NULL,
    right_id     text COLLATE "C" NOT NULL,
    decision     text COLLATE "C" NOT NULL CHECK (decision IN ('confirm', 'reject')),
    reason       text NOT NULL CHECK (btrim(reason) <> ''),
    decided_by   text NOT NULL DEFAULT current_user,
    decided_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE recon.match_decisions IS
    'Append-only audit of manual decisions on links: confirm or reject a pair, with the reason, who and when. The latest decision per pair wins (recon.match_latest_decisions). UPDATE, DELETE and TRUNCATE are rejected (23001); write through recon.confirm_link / recon.reject_link.';
CREATE INDEX match_decisions_pair ON recon.match_decisions (link_type, left_id, right_id, decision_id);
SELECT recon.make_append_only('recon.match_decisions');
SELECT pg_catalog.pg_extension_config_dump('recon.match_decisions', '');
SELECT pg_catalog.pg_extension_config_dump('recon.match_decisions_decision_id_seq', '');

CREATE TABLE recon.match_ambiguities (
    run_id      bigint NOT NULL REFERENCES recon.match_runs ON DELETE CASCADE,
    link_type   text COLLATE "C" NOT NULL,
    left_id     text COLLATE "C" NOT NULL,
    method      text COLLATE "C" NOT NULL,
    rule        text NOT NULL,
    reason      text NOT NULL,
    candidates  text[] NOT NULL,
    PRIMARY KEY (run_id, link_type, left_id)
);
COMMENT ON TABLE recon.match_ambiguities IS
    'Sides the last run left unlinked on purpose because several candidates were equally good (same rule strength, same time distance) or a customer had several candidate records: flagged, not guessed. Later stages of the run leave these sides alone; recon.unmatched_exceptions shows them. Only the latest run''s rows are kept.';
SELECT pg_catalog.pg_extension_config_dump('recon.match_ambiguities', '');

------------------------------------------------------------------ small helpers
CREATE FUNCTION recon.match_methods() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['manual_verified', 'exact_id', 'exact_contact', 'crm_relationship', 'inferred']::text[]
$$;
COMMENT ON FUNCTION recon.match_methods() IS
    'The matching methods in the cascade''s order, strongest first: manual_verified, exact_id, exact_contact, crm_relationship, inferred.';

CREATE FUNCTION recon.match_link_types() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['signal_record', 'record_transaction', 'record_record', 'signal_signal']::text[]
$$;
COMMENT ON FUNCTION recon.match_link_types() IS
    'The link types (layer pairs): signal_record, record_transaction, record_record, signal_signal.';

CREATE VIEW recon.match_latest_decisions AS
    SELECT DISTINCT ON (link_type, left_id, right_id)
           decision_id, link_type, left_id, right_id, decision, reason, decided_by, decided_at
    FROM recon.match_decisions
    ORDER BY link_type, left_id, right_id, decision_id DESC;
COMMENT ON VIEW recon.match_latest_decisions IS
    'The decision in force for each pair: the latest confirm or reject recorded in recon.match_decisions.';

-- Whether one side of a link exists: a signal (by its key written as text), a record or a transaction.
-- (plpgsql, like every function here that reads the data tables: a SQL function keeps its plans
-- for the whole transaction, and a bulk load in between drops the indexes they use.)
CREATE FUNCTION recon.match_side_exists(layer text, id text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE layer
        WHEN 'signal' THEN id ~ '^[1-9][0-9]{0,17}$'
                           AND EXISTS (SELECT 1 FROM recon.conversion_signals s WHERE s.signal_key = id::bigint)
        WHEN 'record' THEN EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id = id)
        WHEN 'transaction' THEN EXISTS (SELECT 1 FROM recon.finance_transactions t WHERE t.transaction_id = id)
    END;
END $$;
COMMENT ON FUNCTION recon.match_side_exists(text, text) IS
    'Whether a link side exists: layer signal (id = signal_key written as text, no leading zeros), record or transaction.';

-- The layers a link type joins: (left, right).
CREATE FUNCTION recon.match_layers(link_type text, OUT left_layer text, OUT right_layer text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE link_type WHEN 'signal_record' THEN 'signal' WHEN 'record_transaction' THEN 'transaction'
                          WHEN 'record_record' THEN 'record' WHEN 'signal_signal' THEN 'signal' END,
           CASE link_type WHEN 'signal_record' THEN 'record' WHEN 'record_transaction' THEN 'record'
                          WHEN 'record_record' THEN 'record' WHEN 'signal_signal' THEN 'signal' END
$$;
COMMENT ON FUNCTION recon.match_layers(text) IS
    'The layers of a link type''s left and right sides: signal_record = (signal, record), record_transaction = (transaction, record), record_record = (record, record), signal_signal = (signal, signal).';

-- Checks the arguments of confirm_link / reject_link; raises with a specific SQLSTATE.
CREATE FUNCTION recon.match_check_decision(link_type text, left_id text, right_id text, reason text)
RETURNS void LANGUAGE plpgsql STABLE AS $$
DECLARE
    layers record;
BEGIN
    IF link_type IS NULL OR left_id IS NULL OR right_id IS NULL OR reason IS NULL THEN
        RAISE EXCEPTION 'link_type, left_id, right_id and reason must not be NULL (got %, %, %, %)',
                        coalesce(quote_literal(link_type), 'NULL'), coalesce(quote_literal(left_id), 'NULL'),
                        coalesce(quote_literal(right_id), 'NULL'), coalesce(quote_literal(reason), 'NULL')
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF link_type <> ALL (recon.match_link_types()) THEN
        RAISE EXCEPTION 'unknown link type "%"', link_type
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Valid link types: ' || array_to_string(recon.match_link_types(), ', ') || '.';
    END IF;
    IF btrim(reason) = '' THEN
        RAISE EXCEPTION 'the reason for a decision on % % -> % is empty', link_type, left_id, right_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Every manual confirm or reject is audited with a reason a colleague can read.';
    END IF;
    layers := recon.match_layers(link_type);
    IF layers.left_layer = layers.right_layer AND left_id = right_id THEN
        RAISE EXCEPTION 'a % cannot be linked to itself (% %)', layers.left_layer, layers.left_layer, left_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT recon.match_side_exists(layers.left_layer, left_id) THEN
        RAISE EXCEPTION '% "%" does not exist', layers.left_layer, left_id
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('The left side of a %s link is a %s.', link_type, layers.left_layer);
    END IF;
    IF NOT recon.match_side_exists(layers.right_layer, right_id) THEN
        RAISE EXCEPTION '% "%" does not exist', layers.right_layer, right_id
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('The right side of a %s link is a %s.', link_type, layers.right_layer);
    END IF;
END $$;
COMMENT ON FUNCTION recon.match_check_decision(text, text, text, text) IS
    'Validates a manual decision: no NULL (22004), a known link type and a non-blank reason (22023), no self-link (22023), both sides exist (23503 naming the missing id).';

-- Splits the amount of each given transaction over its record_transaction links:
-- pro rata to the records' stated values when they all have one, positive and in
-- one currency (equal parts otherwise, flag equal_split), each part rounded to the
-- transaction currency's minor units and the last part (by record id) taking the
-- remainder, so that the parts sum exactly to the amount. NULL: every transaction
-- with more than one link.
CREATE FUNCTION recon.match_reallocate(transaction_ids text[] DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    updated_links bigint;
BEGIN
    WITH targets AS (
        SELECT l.left_id FROM recon.match_links l
        WHERE l.link_type = 'record_transaction' AND (transaction_ids IS NULL OR l.left_id = ANY (transaction_ids))
        GROUP BY l.left_id
        HAVING transaction_ids IS NOT NULL OR count(*) > 1
    ), members AS (
        SELECT l.link_id, l.left_id, l.right_id, t.amount, t.currency, r.stated_value,
               count(*) OVER w AS n,
               bool_and(coalesce(r.stated_value > 0, false)) OVER w
                   AND min(r.currency) OVER w = max(r.currency) OVER w AS weighted
        FROM targets g
        JOIN recon.match_links l ON l.link_type = 'record_transaction' AND l.left_id = g.left_id
        JOIN recon.finance_transactions t ON t.transaction_id = l.left_id
        LEFT JOIN recon.funnel_records r ON r.record_id = l.right_id
        WINDOW w AS (PARTITION BY l.left_id)
    ), shares AS (
        SELECT m.*,
               row_number() OVER (PARTITION BY m.left_id ORDER BY m.right_id) AS k,
               @extschema@.recon_money_round(
                   m.amount * CASE WHEN m.weighted THEN m.stated_value ELSE 1 END
                   / sum(CASE WHEN m.weighted THEN m.stated_value ELSE 1 END) OVER (PARTITION BY m.left_id),
                   m.currency) AS share
        FROM members m
    ), parts AS (
        SELECT s.link_id, s.currency, s.n, s.weighted,
               CASE WHEN s.k < s.n THEN s.share
                    ELSE s.amount - (sum(s.share) OVER (PARTITION BY s.left_id) - s.share) END AS part
        FROM shares s
    ), updated AS (
        UPDATE recon.match_links l
        SET allocated_amount = p.part,
            currency = p.currency,
            flags = array_remove(array_remove(l.flags, 'split'), 'equal_split')
                    || CASE WHEN p.n = 1 THEN '{}'::text[] WHEN p.weighted THEN '{split}' ELSE '{split,equal_split}' END
        FROM parts p
        WHERE l.link_id = p.link_id
        RETURNING 1
    )
    SELECT count(*) INTO updated_links FROM updated;
    RETURN updated_links;
END $$;
COMMENT ON FUNCTION recon.match_reallocate(text[]) IS
    'Allocates each given transaction''s amount over its record_transaction links (NULL: every transaction with several links): pro rata to the records'' stated values (equal parts when a value is missing or the records'' currencies differ, flag equal_split), rounded with recon_money_round, the last part taking the remainder so the parts sum exactly to the amount. Returns the links updated.';

------------------------------------------------------------------ manual decisions
CREATE FUNCTION recon.confirm_link(link_type text, left_id text, right_id text, reason text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_type  constant text := link_type;
    v_left  constant text := left_id;
    v_right constant text := right_id;
    other   text;
    d       recon.match_decisions;
    v_link  bigint;
BEGIN
    PERFORM recon.match_check_decision(v_type, v_left, v_right, reason);
    -- one decision at a time per left side (a run holds an EXCLUSIVE lock on the links)
    PERFORM pg_advisory_xact_lock(hashtext('recon.match_links'), hashtext(v_type || ':' || v_left));
    IF v_type <> 'record_transaction' THEN
        SELECT l.right_id INTO other FROM recon.match_links l
        WHERE l.link_type = v_type AND l.left_id = v_left AND l.method = 'manual_verified' AND l.right_id <> v_right
        LIMIT 1;
        IF other IS NOT NULL THEN
            RAISE EXCEPTION '% % is already confirmed to %: a % links to one %', v_type, v_left, other,
                            (recon.match_layers(v_type)).left_layer, (recon.match_layers(v_type)).right_layer
                USING ERRCODE = 'unique_violation',
                      HINT = format('Reject %s -> %s first (recon.reject_link) if that link is wrong.', v_left, other);
        END IF;
    END IF;
    INSERT INTO recon.match_decisions (link_type, left_id, right_id, decision, reason)
    VALUES (v_type, v_left, v_right, 'confirm', reason)
    RETURNING * INTO d;
    -- the human's choice replaces whatever the machine linked this side to
    DELETE FROM recon.match_links l
    WHERE l.link_type = v_type AND l.left_id = v_left AND l.method <> 'manual_verified';
    INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, explanation,
                                   allocated_amount, currency)
    SELECT v_type, v_left, v_right, 'manual_verified', 1, 'manual',
           jsonb_build_object('decision_id', d.decision_id, 'reason', d.reason,
                              'decided_by', d.decided_by, 'decided_at', d.decided_at),
           t.amount, t.currency
    FROM (SELECT 1) one
    LEFT JOIN recon.finance_transactions t ON v_type = 'record_transaction' AND t.transaction_id = v_left
    ON CONFLICT ON CONSTRAINT match_links_pair DO UPDATE SET explanation = EXCLUDED.explanation
    RETURNING link_id INTO v_link;
    IF v_type = 'record_transaction' THEN
        PERFORM recon.match_reallocate(ARRAY[v_left]);
    END IF;
    RETURN v_link;
END $$;
COMMENT ON FUNCTION recon.confirm_link(text, text, text, text) IS
    'A human confirms a link: records the decision (reason required, who and when) and makes or keeps a manual_verified link (confidence 1) that every re-run keeps; automatic links of the same left side are dropped. Confirming a second record for one transaction allocates it over both. Raises 22004 (NULL), 22023 (unknown link type, blank reason, self-link), 23503 (a side does not exist), 23505 (the left side is already confirmed elsewhere). Returns the link id.';

CREATE FUNCTION recon.reject_link(link_type text, left_id text, right_id text, reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_type  constant text := link_type;
    v_left  constant text := left_id;
    v_right constant text := right_id;
    removed boolean;
BEGIN
    PERFORM recon.match_check_decision(v_type, v_left, v_right, reason);
    PERFORM pg_advisory_xact_lock(hashtext('recon.match_links'), hashtext(v_type || ':' || v_left));
    INSERT INTO recon.match_decisions (link_type, left_id, right_id, decision, reason)
    VALUES (v_type, v_left, v_right, 'reject', reason);
    DELETE FROM recon.match_links l WHERE l.link_type = v_type AND l.left_id = v_left AND l.right_id = v_right;
    removed := FOUND;
    IF v_type = 'record_transaction' THEN
        PERFORM recon.match_reallocate(ARRAY[v_left]);
    END IF;
    RETURN removed;
END $$;
COMMENT ON FUNCTION recon.reject_link(text, text, text, text) IS
    'A human rejects a pair: records the decision (reason required, who and when), deletes the link if there is one (returns whether it did) and keeps every later run from linking that pair. Same errors as recon.confirm_link.';

------------------------------------------------------------------ the stages
-- Time since a moment, in milliseconds (one decimal).
CREATE FUNCTION recon.match_ms(since timestamptz) RETURNS numeric
LANGUAGE sql VOLATILE AS $$
    SELECT round(extract(epoch FROM clock_timestamp() - since) * 1000, 1)
$$;
COMMENT ON FUNCTION recon.match_ms(timestamptz) IS
    'Milliseconds elapsed since a moment (clock time), for the per-stage timings in match_runs.link_counts.';

-- Stage 1: pairs whose latest decision is confirm get their manual_verified link back if it is missing.
CREATE FUNCTION recon.match_stage_manual(run bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    counts jsonb;
BEGIN
    WITH ins AS (
        INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, explanation,
                                       allocated_amount, currency, run_id)
        SELECT d.link_type, d.left_id, d.right_id, 'manual_verified', 1, 'manual',
               jsonb_build_object('decision_id', d.decision_id, 'reason', d.reason,
                                  'decided_by', d.decided_by, 'decided_at', d.decided_at),
               t.amount, t.currency, run
        FROM recon.match_latest_decisions d
        LEFT JOIN recon.finance_transactions t ON d.link_type = 'record_transaction' AND t.transaction_id = d.left_id
        WHERE d.decision = 'confirm'
          AND recon.match_side_exists((recon.match_layers(d.link_type)).left_layer, d.left_id)
          AND recon.match_side_exists((recon.match_layers(d.link_type)).right_layer, d.right_id)
        ON CONFLICT ON CONSTRAINT match_links_pair DO NOTHING
        RETURNING link_type
    )
    SELECT jsonb_object_agg(lt, (SELECT count(*) FROM ins WHERE ins.link_type = lt)) INTO counts
    FROM unnest(recon.match_link_types()) AS lt;
    RETURN counts;
END $$;
COMMENT ON FUNCTION recon.match_stage_manual(bigint) IS
    'Cascade stage 1 (manual_verified): restores the manual link of every pair whose latest decision is confirm and whose sides still exist. Returns the links made per link type.';

-- The one-to-one picker shared by the stages. `candidates` is a query with columns
-- left_id, right_id, rule_rank (smaller = stronger), rule_order (index into `rules`:
-- which rule names a pair that several found) and distance (interval, smaller =
-- better). Left sides already linked, flagged ambiguous earlier in this run, and
-- rejected pairs are left out; then each left side keeps its candidates of the
-- best rank and the smallest distance: one right side is linked, two or more
-- equally good ones are flagged in match_ambiguities and nothing is linked.
-- Hash joins and hash aggregates throughout: the planner cannot estimate the
-- unpivoted key columns, and a merge join or a nested loop over them is slower.
CREATE FUNCTION recon.match_pick(run bigint, link_type text, method text, confidence float8, rules text[],
                                 candidates text)
RETURNS jsonb LANGUAGE plpgsql
SET enable_mergejoin = off
SET enable_nestloop = off
AS $pick$
DECLARE
    linked bigint;
    flagged bigint;
    is_money constant boolean := link_type = 'record_transaction';
BEGIN
    -- Each step in a temporary table (no WAL, real row counts for the next step's plan).
    IF to_regclass('pg_temp.match_eligible') IS NOT NULL THEN DROP TABLE pg_temp.match_eligible; END IF;
    EXECUTE format($q$
        CREATE TEMP TABLE match_eligible ON COMMIT DROP AS
        SELECT c.left_id, c.right_id, c.rule_order,
               rank() OVER (PARTITION BY c.left_id ORDER BY c.rule_rank, c.distance) AS rk
        FROM (SELECT c.left_id::text COLLATE "C" AS left_id, c.right_id::text COLLATE "C" AS right_id,
                     c.rule_rank, c.rule_order, c.distance
              FROM (%1$s) c) c
        WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l
                          WHERE l.link_type = %2$L AND l.left_id = c.left_id)
          AND NOT EXISTS (SELECT 1 FROM recon.match_ambiguities a
                          WHERE a.run_id = %3$s AND a.link_type = %2$L AND a.left_id = c.left_id)
          AND NOT EXISTS (SELECT 1 FROM recon.match_latest_decisions d
                          WHERE d.decision = 'reject' AND d.link_type = %2$L
                            AND d.left_id = c.left_id AND d.right_id = c.right_id)
        $q$, candidates, link_type, run);
    IF to_regclass('pg_temp.match_best') IS NOT NULL THEN DROP TABLE pg_temp.match_best; END IF;
    CREATE TEMP TABLE match_best ON COMMIT DROP AS
        SELECT e.left_id, min(e.right_id) AS lo, max(e.right_id) AS hi, min(e.rule_order) AS rule_order
        FROM match_eligible e WHERE e.rk = 1
        GROUP BY e.left_id;
    EXECUTE format($q$
        INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, run_id,
                                       allocated_amount, currency)
        SELECT %2$L, b.left_id, b.lo, %4$L, %5$s, (%6$L::text[])[b.rule_order], %3$s, %7$s
        FROM match_best b %8$s
        WHERE b.lo = b.hi
        ORDER BY b.left_id      -- in index order: far fewer index pages touched on a large table
        $q$, NULL, link_type, run, method, confidence, rules,
        CASE WHEN is_money THEN 't.amount, t.currency' ELSE 'NULL::numeric, NULL' END,
        CASE WHEN is_money THEN 'JOIN recon.finance_transactions t ON t.transaction_id = b.left_id' ELSE '' END);
    GET DIAGNOSTICS linked = ROW_COUNT;
    INSERT INTO recon.match_ambiguities (run_id, link_type, left_id, method, rule, reason, candidates)
    SELECT run, match_pick.link_type, b.left_id, match_pick.method, rules[b.rule_order], 'two equal candidates',
           array_agg(DISTINCT e.right_id)
    FROM match_best b JOIN match_eligible e ON e.left_id = b.left_id AND e.rk = 1
    WHERE b.lo <> b.hi
    GROUP BY b.left_id, b.rule_order;
    GET DIAGNOSTICS flagged = ROW_COUNT;
    RETURN jsonb_build_object('linked', linked, 'ambiguous', flagged);
END $pick$;
COMMENT ON FUNCTION recon.match_pick(bigint, text, text, double precision, text[], text) IS
    'Internal: links each open left side of a candidate query (left_id, right_id, rule_rank, rule_order, distance) to its single best right side (strongest rule, then closest in time), naming the rule rules[rule_order]; two or more equally good candidates link nothing and are recorded in match_ambiguities. Skips linked and ambiguous left sides and rejected pairs. Returns {"linked": n, "ambiguous": n}.';

-- |a - b| for two moments.
CREATE FUNCTION recon.match_gap(a timestamptz, b timestamptz) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a >= b THEN a - b ELSE b - a END
$$;
COMMENT ON FUNCTION recon.match_gap(timestamptz, timestamptz) IS
    'The time between two moments, whichever comes first: how close a candidate is.';

-- Sums the per-link-type results of match_pick into a stage's counts.
CREATE FUNCTION recon.match_stage_counts(results jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_object_agg(lt, coalesce((results -> lt ->> 'linked')::bigint, 0))
           || jsonb_build_object('ambiguous',
                                 (SELECT coalesce(sum((v ->> 'ambiguous')::bigint), 0) FROM jsonb_each(results) AS e(k, v)))
    FROM unnest(recon.match_link_types()) AS lt
$$;
COMMENT ON FUNCTION recon.match_stage_counts(jsonb) IS
    'Internal: {"signal_record": {"linked": n, "ambiguous": m}, ...} -> {"signal_record": n, ..., "ambiguous": total}, every link type present.';

-- Stage 2: exact ids.
CREATE FUNCTION recon.match_stage_exact_id(run bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    results jsonb := '{}';
BEGIN
    -- The keys of both sides, unpivoted once into temporary tables: with their statistics the
    -- joins are planned as one-batch hash joins (over a CTE the planner guesses ten times the rows).
    -- kind: 1 fbclid, 2 gclid, 3 gbraid, 4 wbraid, 5 ttclid, 6 msclkid, 7 li_fat_id, 8 fbc;
    -- 101 order_id, 102 lead_id (the record's own id).
    IF to_regclass('pg_temp.match_signal_keys') IS NOT NULL THEN DROP TABLE pg_temp.match_signal_keys; END IF;
    CREATE TEMP TABLE match_signal_keys ON COMMIT DROP AS
    WITH sig AS MATERIALIZED (
        SELECT signal_key, event_time, order_id, lead_id, fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id,
               fbc, (@extschema@.recon_parse_fbc(fbc)).fbclid COLLATE "C" AS fbc_click_id
        FROM recon.conversion_signals
        WHERE coalesce(order_id, lead_id, fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id, fbc) IS NOT NULL
    )
    SELECT signal_key, event_time, 101 AS kind, order_id AS id, false AS via_fbc FROM sig WHERE order_id <> ''
    UNION ALL SELECT signal_key, event_time, 102, lead_id, false FROM sig WHERE lead_id <> ''
    UNION ALL SELECT signal_key, event_time, 1, fbclid, false FROM sig WHERE fbclid <> ''
    UNION ALL SELECT signal_key, event_time, 1, fbc_click_id, true FROM sig WHERE fbc_click_id <> ''
    UNION ALL SELECT signal_key, event_time, 2, gclid, false FROM sig WHERE gclid <> ''
    UNION ALL SELECT signal_key, event_time, 3, gbraid, false FROM sig WHERE gbraid <> ''
    UNION ALL SELECT signal_key, event_time, 4, wbraid, false FROM sig WHERE wbraid <> ''
    UNION ALL SELECT signal_key, event_time, 5, ttclid, false FROM sig WHERE ttclid <> ''
    UNION ALL SELECT signal_key, event_time, 6, msclkid, false FROM sig WHERE msclkid <> ''
    UNION ALL SELECT signal_key, event_time, 7, li_fat_id, false FROM sig WHERE li_fat_id <> ''
    UNION ALL SELECT signal_key, event_time, 8, fbc, false FROM sig WHERE fbc <> '';
    IF to_regclass('pg_temp.match_record_keys') IS NOT NULL THEN DROP TABLE pg_temp.match_record_keys; END IF;
    CREATE TEMP TABLE match_record_keys ON COMMIT DROP AS
    WITH rec AS MATERIALIZED (
        SELECT record_id, created_at, fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id,
               fbc, (@extschema@.recon_parse_fbc(fbc)).fbclid COLLATE "C" AS fbc_click_id
        FROM recon.funnel_records
        WHERE coalesce(fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id, fbc) IS NOT NULL
    )
    SELECT record_id, created_at, 1 AS kind, fbclid AS id, false AS via_fbc FROM rec WHERE fbclid <> ''
    UNION ALL SELECT record_id, created_at, 1, fbc_click_id, true FROM rec WHERE fbc_click_id <> ''
    UNION ALL SELECT record_id, created_at, 2, gclid, false FROM rec WHERE gclid <> ''
    UNION ALL SELECT record_id, created_at, 3, gbraid, false FROM rec WHERE gbraid <> ''
    UNION ALL SELECT record_id, created_at, 4, wbraid, false FROM rec WHERE wbraid <> ''
    UNION ALL SELECT record_id, created_at, 5, ttclid, false FROM rec WHERE ttclid <> ''
    UNION ALL SELECT record_id, created_at, 6, msclkid, false FROM rec WHERE msclkid <> ''
    UNION ALL SELECT record_id, created_at, 7, li_fat_id, false FROM rec WHERE li_fat_id <> ''
    UNION ALL SELECT record_id, created_at, 8, fbc, false FROM rec WHERE fbc <> '';
    ANALYZE pg_temp.match_signal_keys, pg_temp.match_record_keys;

    -- signal -> record: the record's own id (rank 1), else a click id or the fbc cookie (rank 2);
    -- several records: the closest in time. rule_order: 1 order_id, 2 lead_id, 3 fbclid, 4 the
    -- click id of an fbc cookie, 5 gclid ... 10 li_fat_id, 11 fbc.
    results := results || jsonb_build_object('signal_record', recon.match_pick(run, 'signal_record', 'exact_id', 1.0,
        ARRAY['order_id', 'lead_id', 'fbclid', 'fbc click id', 'gclid', 'gbraid', 'wbraid', 'ttclid', 'msclkid',
              'li_fat_id', 'fbc'], $c$
        SELECT o.signal_key AS left_id, r.record_id AS right_id, 1 AS rule_rank, o.kind - 100 AS rule_order,
               recon.match_gap(o.event_time, r.created_at) AS distance
        FROM pg_temp.match_signal_keys o JOIN recon.funnel_records r ON r.record_id = o.id
        WHERE o.kind > 100
        UNION ALL
        SELECT sk.signal_key, rk.record_id, 2,
               CASE WHEN sk.via_fbc OR rk.via_fbc THEN 4 ELSE 2 + sk.kind + (sk.kind > 1)::int END,
               recon.match_gap(sk.event_time, rk.created_at)
        FROM pg_temp.match_signal_keys sk JOIN pg_temp.match_record_keys rk ON rk.kind = sk.kind AND rk.id = sk.id
        WHERE sk.kind < 100
    $c$));

    -- transaction -> record: order_id (rank 1), else opportunity_id (rank 2).
    results := results || jsonb_build_object('record_transaction', recon.match_pick(run, 'record_transaction', 'exact_id', 1.0,
        ARRAY['order_id', 'opportunity_id'], $c$
        WITH k AS (
            SELECT transaction_id, 1 AS rule_order, order_id AS id FROM recon.finance_transactions WHERE order_id <> ''
            UNION ALL
            SELECT transaction_id, 2, opportunity_id FROM recon.finance_transactions WHERE opportunity_id <> ''
        )
        SELECT k.transaction_id AS left_id, r.record_id AS right_id, k.rule_order AS rule_rank, k.rule_order,
               interval '0' AS distance
        FROM k JOIN recon.funnel_records r ON r.record_id = k.id
    $c$));

    -- repeated signal -> first signal: the same event id (rank 1), else the same order id sent from
    -- another source (Pixel vs Conversions API, rank 2); the earliest such signal.
    results := results || jsonb_build_object('signal_signal', recon.match_pick(run, 'signal_signal', 'exact_id', 1.0,
        ARRAY['event_id', 'order_id across sources'], $c$
        WITH s AS MATERIALIZED (
            SELECT signal_key, platform, event_name, event_id, order_id, source, event_time
            FROM recon.conversion_signals WHERE event_id <> '' OR order_id <> ''
        ), repeated_event AS (      -- hash aggregates first: only repeated keys are sorted
            SELECT platform, event_name, event_id FROM s WHERE event_id <> ''
            GROUP BY platform, event_name, event_id HAVING count(*) > 1
        ), by_event AS (
            SELECT s.signal_key, first_value(s.signal_key) OVER w AS root_key, first_value(s.event_time) OVER w AS root_time
            FROM s JOIN repeated_event r USING (platform, event_name, event_id)
            WINDOW w AS (PARTITION BY s.platform, s.event_name, s.event_id ORDER BY s.event_time, s.signal_key)
        ), several_sources AS (
            SELECT platform, order_id FROM s WHERE order_id <> ''
            GROUP BY platform, order_id HAVING min(source) <> max(source)
        ), source_first AS (
            SELECT DISTINCT ON (s.platform, s.order_id, s.source) s.platform, s.order_id, s.source, s.signal_key, s.event_time
            FROM s JOIN several_sources m USING (platform, order_id)
            ORDER BY s.platform, s.order_id, s.source, s.event_time, s.signal_key
        )
        SELECT signal_key AS left_id, root_key AS right_id, 1 AS rule_rank, 1 AS rule_order,
               root_time - timestamptz '2000-01-01 00:00+00' AS distance
        FROM by_event WHERE root_key <> signal_key
        UNION ALL
        SELECT x.signal_key, f.signal_key, 2, 2, f.event_time - timestamptz '2000-01-01 00:00+00'
        FROM s x
        JOIN source_first f ON f.platform = x.platform AND f.order_id = x.order_id AND f.source <> x.source
        WHERE (f.event_time, f.signal_key) < (x.event_time, x.signal_key)
    $c$));
    RETURN recon.match_stage_counts(results);
END $$;
COMMENT ON FUNCTION recon.match_stage_exact_id(bigint) IS
    'Cascade stage 2 (exact_id, confidence 1.0): signal -> record by order/lead id, else by click id (fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id, the click id inside an fbc cookie) or fbc; transaction -> record by order_id, else opportunity_id; repeated signal -> first signal by (platform, event_name, event_id) or by (platform, order_id) from another source. Returns links per link type and the ambiguous count.';

-- Stage 3: exact protected contact keys.
CREATE FUNCTION recon.match_stage_exact_contact(run bigint) RETURNS jsonb
LANGUAGE plpgsql
SET enable_mergejoin = off
SET enable_nestloop = off
AS $$
DECLARE
    results jsonb := '{}';
BEGIN
    IF to_regclass('pg_temp.match_signal_contacts') IS NOT NULL THEN DROP TABLE pg_temp.match_signal_contacts; END IF;
    CREATE TEMP TABLE match_signal_contacts ON COMMIT DROP AS
    WITH sig AS MATERIALIZED (
        SELECT s.signal_key, s.event_time, s.email_sha256::text COLLATE "C" AS email,
               s.phone_sha256::text COLLATE "C" AS phone, s.external_id
        FROM recon.conversion_signals s
        WHERE coalesce(s.email_sha256, s.phone_sha256, s.external_id) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                          WHERE l.link_type = 'signal_record' AND l.left_id = s.signal_key::text)
    )
    SELECT signal_key, event_time, 1 AS kind, email AS id FROM sig WHERE email <> ''
    UNION ALL SELECT signal_key, event_time, 2, phone FROM sig WHERE phone <> ''
    UNION ALL SELECT signal_key, event_time, 3, external_id FROM sig WHERE external_id <> '';
    IF to_regclass('pg_temp.match_record_contacts') IS NOT NULL THEN DROP TABLE pg_temp.match_record_contacts; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.match_signal_contacts) THEN
        -- every signal with a contact key is linked already: nothing to unpivot on the record side
        results := jsonb_build_object('signal_record', jsonb_build_object('linked', 0, 'ambiguous', 0));
    ELSE
        CREATE TEMP TABLE match_record_contacts ON COMMIT DROP AS
        WITH rec AS MATERIALIZED (     -- leads and orders: an opportunity shares its lead's contact but no ad converts into it
            SELECT record_id, created_at, email_sha256::text COLLATE "C" AS email,
                   phone_sha256::text COLLATE "C" AS phone, customer_id
            FROM recon.funnel_records
            WHERE coalesce(email_sha256, phone_sha256, customer_id) IS NOT NULL AND record_type <> 'opportunity'
        )
        SELECT record_id, created_at, 1 AS kind, email AS id FROM rec WHERE email <> ''
        UNION ALL SELECT record_id, created_at, 2, phone FROM rec WHERE phone <> ''
        UNION ALL SELECT record_id, created_at, 3, customer_id FROM rec WHERE customer_id <> '';
        ANALYZE pg_temp.match_signal_contacts, pg_temp.match_record_contacts;

        -- signal -> lead or order on a hashed email, hashed phone, or external_id = customer_id; the
        -- closest in time. Only signals still open are unpivoted.
        results := results || jsonb_build_object('signal_record', recon.match_pick(run, 'signal_record', 'exact_contact', 0.99,
            ARRAY['email_sha256', 'phone_sha256', 'external_id = customer_id'], $c$
            SELECT sk.signal_key AS left_id, rk.record_id AS right_id, 1 AS rule_rank, sk.kind AS rule_order,
                   recon.match_gap(sk.event_time, rk.created_at) AS distance
            FROM pg_temp.match_signal_contacts sk JOIN pg_temp.match_record_contacts rk ON rk.kind = sk.kind AND rk.id = sk.id
        $c$));
    END IF;

    -- duplicate lead -> original lead: same hashed email (rank 1) or phone (rank 2), the later lead
    -- to the earliest. Leads created at the same moment as the earliest are not originals either:
    -- their candidates include themselves, so they are flagged, never linked in a circle.
    results := results || jsonb_build_object('record_record', recon.match_pick(run, 'record_record', 'exact_contact', 0.99,
        ARRAY['email_sha256', 'phone_sha256'], $c$
        WITH keyed AS MATERIALIZED (
            SELECT record_id, created_at, 1 AS kind, email_sha256::text COLLATE "C" AS id
            FROM recon.funnel_records WHERE record_type = 'lead' AND email_sha256 <> ''
            UNION ALL
            SELECT record_id, created_at, 2, phone_sha256::text COLLATE "C"
            FROM recon.funnel_records WHERE record_type = 'lead' AND phone_sha256 <> ''
        ), firsts AS (
            SELECT kind, id, min(created_at) AS first_at FROM keyed GROUP BY kind, id HAVING count(*) > 1
        ), origins AS (
            SELECT y.kind, y.id, y.record_id, y.created_at, count(*) OVER (PARTITION BY y.kind, y.id) AS n
            FROM keyed y JOIN firsts f ON f.kind = y.kind AND f.id = y.id AND f.first_at = y.created_at
        )
        SELECT x.record_id AS left_id, o.record_id AS right_id, x.kind AS rule_rank, x.kind AS rule_order,
               x.created_at - o.created_at AS distance
        FROM keyed x
        JOIN origins o ON o.kind = x.kind AND o.id = x.id
        WHERE x.created_at > o.created_at OR o.n > 1
    $c$));
    RETURN recon.match_stage_counts(results);
END $$;
COMMENT ON FUNCTION recon.match_stage_exact_contact(bigint) IS
    'Cascade stage 3 (exact_contact, confidence 0.99): signal -> lead or order on email_sha256, phone_sha256 or external_id = customer_id (closest in time); duplicate lead -> earliest lead with the same email_sha256 (else phone_sha256). Returns links per link type and the ambiguous count.';

-- Stage 4: CRM relationships.
CREATE FUNCTION recon.match_stage_crm_relationship(run bigint) RETURNS jsonb
LANGUAGE plpgsql
SET enable_mergejoin = off
SET enable_nestloop = off
AS $$
DECLARE
    results jsonb := '{}';
    n bigint;
    money_links bigint := 0;
    money_flagged bigint := 0;
    pass integer;
BEGIN
    -- child record -> parent record (opportunity -> the lead it came from, follow-up -> first order).
    results := results || jsonb_build_object('record_record', recon.match_pick(run, 'record_record', 'crm_relationship', 0.98,
        ARRAY['parent_record_id'], $c$
        SELECT r.record_id AS left_id, p.record_id AS right_id, 1 AS rule_rank, 1 AS rule_order, interval '0' AS distance
        FROM recon.funnel_records r JOIN recon.funnel_records p ON p.record_id = r.parent_record_id
        WHERE r.parent_record_id <> r.record_id
    $c$));

    -- transaction -> the record(s) of the transaction it refers to: its invoice (rank 1), else its
    -- parent transaction (refund -> charge). A referenced transaction split over several records
    -- passes the split on. Repeated until nothing new links (chains: refund -> payment -> invoice);
    -- then the customer route, then the references once more for what the customer route linked.
    FOR pass IN 1..2 LOOP
        FOR i IN 1..20 LOOP
            WITH refs AS (
                SELECT t.transaction_id, t.amount, t.currency, v.route, v.ref_id
                FROM recon.finance_transactions t
                CROSS JOIN LATERAL (VALUES (1, t.invoice_id), (2, t.parent_transaction_id)) AS v(route, ref_id)
                WHERE v.ref_id <> t.transaction_id
                  AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                                  WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
                  AND NOT EXISTS (SELECT 1 FROM recon.match_ambiguities a
                                  WHERE a.run_id = run AND a.link_type = 'record_transaction' AND a.left_id = t.transaction_id)
            ), cand AS (
                SELECT r.transaction_id, r.amount, r.currency, r.route, l.right_id,
                       min(r.route) OVER (PARTITION BY r.transaction_id) AS best_route
                FROM refs r
                JOIN recon.match_links l ON l.link_type = 'record_transaction' AND l.left_id = r.ref_id
                WHERE NOT EXISTS (SELECT 1 FROM recon.match_latest_decisions d
                                  WHERE d.decision = 'reject' AND d.link_type = 'record_transaction'
                                    AND d.left_id = r.transaction_id AND d.right_id = l.right_id)
            )
            INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, run_id,
                                           allocated_amount, currency)
            SELECT 'record_transaction', c.transaction_id, c.right_id, 'crm_relationship', 0.98,
                   CASE c.route WHEN 1 THEN 'invoice_id -> ' ELSE 'parent_transaction_id -> ' END || coalesce(rec.record_type, 'record'),
                   run, c.amount, c.currency
            FROM cand c LEFT JOIN recon.funnel_records rec ON rec.record_id = c.right_id
            WHERE c.route = c.best_route
            ON CONFLICT ON CONSTRAINT match_links_pair DO NOTHING;
            GET DIAGNOSTICS n = ROW_COUNT;
            money_links := money_links + n;
            EXIT WHEN n = 0;
        END LOOP;
        EXIT WHEN pass = 2;

        -- a transaction that names nothing but its customer -> the customer's only order or
        -- opportunity; several -> flagged (not guessed).
        WITH open_t AS (
            SELECT t.transaction_id, t.customer_id, t.amount, t.currency
            FROM recon.finance_transactions t
            WHERE t.customer_id <> ''
              AND coalesce(t.order_id, t.opportunity_id, t.invoice_id, t.parent_transaction_id) IS NULL
              AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                              WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
        ), cand AS (
            SELECT t.transaction_id, t.amount, t.currency, r.record_id, r.record_type
            FROM open_t t
            JOIN recon.funnel_records r ON r.customer_id = t.customer_id AND r.record_type IN ('order', 'opportunity')
            WHERE NOT EXISTS (SELECT 1 FROM recon.match_latest_decisions d
                              WHERE d.decision = 'reject' AND d.link_type = 'record_transaction'
                                AND d.left_id = t.transaction_id AND d.right_id = r.record_id)
        ), grouped AS (
            SELECT transaction_id, count(*) AS n, min(record_id) AS record_id, min(record_type) AS record_type,
                   min(amount) AS amount, min(currency) AS currency, array_agg(record_id ORDER BY record_id) AS candidates
            FROM cand GROUP BY transaction_id
        ), ins AS (
            INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, run_id,
                                           allocated_amount, currency)
            SELECT 'record_transaction', g.transaction_id, g.record_id, 'crm_relationship', 0.98,
                   'customer_id -> ' || g.record_type, run, g.amount, g.currency
            FROM grouped g WHERE g.n = 1
            RETURNING 1
        ), amb AS (
            INSERT INTO recon.match_ambiguities (run_id, link_type, left_id, method, rule, reason, candidates)
            SELECT run, 'record_transaction', g.transaction_id, 'crm_relationship', 'customer_id',
                   format('customer has %s candidate records', g.n), g.candidates
            FROM grouped g WHERE g.n > 1
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM amb) INTO n, money_flagged;
        money_links := money_links + n;
    END LOOP;
    results := results || jsonb_build_object('record_transaction',
                                             jsonb_build_object('linked', money_links, 'ambiguous', money_flagged));
    RETURN recon.match_stage_counts(results);
END $$;
COMMENT ON FUNCTION recon.match_stage_crm_relationship(bigint) IS
    'Cascade stage 4 (crm_relationship, confidence 0.98): child record -> parent record (parent_record_id: opportunity -> lead); transaction -> the record(s) of its invoice (invoice_id) or of its parent transaction (refund -> charge), chains followed; a transaction naming only its customer -> the customer''s only order or opportunity (several: flagged). Returns links per link type and the ambiguous count.';

------------------------------------------------------------------ the procedure
CREATE PROCEDURE recon.run_matching(methods text[] DEFAULT NULL, min_confidence float8 DEFAULT 0.9)
LANGUAGE plpgsql
-- JIT compiling these plans costs more than running them; hash joins want memory.
SET jit = off
SET work_mem = '256MB'
AS $$
DECLARE
    wanted   text[];
    bad      text;
    v_run    bigint;
    t_run    timestamptz := clock_timestamp();
    t0       timestamptz;
    counts   jsonb := '{}';
    stage    jsonb;
    n        bigint;
    detail   jsonb;
BEGIN
    IF methods IS NOT NULL THEN
        IF array_position(methods, NULL) IS NOT NULL THEN
            RAISE EXCEPTION 'methods % contains NULL', methods
                USING ERRCODE = 'null_value_not_allowed',
                      HINT = 'Name methods, or pass NULL (the default) for all of them.';
        END IF;
        IF cardinality(methods) = 0 THEN
            RAISE EXCEPTION 'methods is empty: name at least one matching method'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Valid methods: ' || array_to_string(recon.match_methods(), ', ') || '; NULL runs them all.';
        END IF;
        SELECT m INTO bad FROM unnest(methods) AS m WHERE m <> ALL (recon.match_methods()) LIMIT 1;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'unknown matching method "%"', bad
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Valid methods: ' || array_to_string(recon.match_methods(), ', ') || '.';
        END IF;
    END IF;
    IF min_confidence IS NULL OR NOT (min_confidence >= 0 AND min_confidence <= 1) OR min_confidence = 'NaN' THEN
        RAISE EXCEPTION 'min_confidence % is outside [0, 1]', coalesce(min_confidence::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A link''s confidence is a probability; the threshold is one too (default 0.9).';
    END IF;
    wanted := ARRAY(SELECT m FROM unnest(recon.match_methods()) WITH ORDINALITY AS u(m, o)
                    WHERE methods IS NULL OR m = ANY (methods) ORDER BY o);

    -- One run at a time, and no manual decision in the middle of one; readers keep
    -- seeing the previous links until this transaction commits.
    LOCK TABLE recon.match_links IN EXCLUSIVE MODE;
    INSERT INTO recon.match_runs (methods, parameters)
    VALUES (wanted, jsonb_build_object('min_confidence', min_confidence))
    RETURNING run_id INTO v_run;

    t0 := clock_timestamp();
    DELETE FROM recon.match_links WHERE method <> 'manual_verified';
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM recon.match_ambiguities WHERE run_id <> v_run;
    counts := jsonb_build_object('cleanup', jsonb_build_object('removed', n, 'ms', recon.match_ms(t0)));

    IF 'manual_verified' = ANY (wanted) THEN
        t0 := clock_timestamp();
        stage := recon.match_stage_manual(v_run);
        counts := counts || jsonb_build_object('manual_verified', stage || jsonb_build_object('ms', recon.match_ms(t0)));
    END IF;
    IF 'exact_id' = ANY (wanted) THEN
        t0 := clock_timestamp();
        stage := recon.match_stage_exact_id(v_run);
        counts := counts || jsonb_build_object('exact_id', stage || jsonb_build_object('ms', recon.match_ms(t0)));
    END IF;
    IF 'exact_contact' = ANY (wanted) THEN
        t0 := clock_timestamp();
        stage := recon.match_stage_exact_contact(v_run);
        counts := counts || jsonb_build_object('exact_contact', stage || jsonb_build_object('ms', recon.match_ms(t0)));
    END IF;
    IF 'crm_relationship' = ANY (wanted) THEN
        t0 := clock_timestamp();
        stage := recon.match_stage_crm_relationship(v_run);
        counts := counts || jsonb_build_object('crm_relationship', stage || jsonb_build_object('ms', recon.match_ms(t0)));
    END IF;

    -- Transactions linked to several records: split their amounts.
    t0 := clock_timestamp();
    n := recon.match_reallocate(NULL);
    counts := counts || jsonb_build_object('allocation', jsonb_build_object('split_links', n, 'ms', recon.match_ms(t0)));

    IF 'inferred' = ANY (wanted) THEN
        t0 := clock_timestamp();
        detail := recon.match_inferred(v_run, min_confidence);
        SELECT jsonb_object_agg(lt, (SELECT count(*) FROM recon.match_links l
                                     WHERE l.link_type = lt AND l.method = 'inferred'))
          INTO stage
          FROM unnest(recon.match_link_types()) AS lt;
        counts := counts || jsonb_build_object('inferred', stage || jsonb_build_object('detail', detail, 'ms', recon.match_ms(t0)));
    END IF;

    -- every link was just rewritten: without fresh statistics the planner takes match_links for
    -- a few hundred rows and joins the bridge's million through index loops
    ANALYZE recon.match_links;

    UPDATE recon.match_runs
    SET finished_at = clock_timestamp(),
        link_counts = counts || jsonb_build_object('total_ms', recon.match_ms(t_run))
    WHERE run_id = v_run;
END $$;
COMMENT ON PROCEDURE recon.run_matching(text[], double precision) IS
    'The matching cascade, in one transaction (a failure leaves the previous links): deletes the automatic links, then links, each stage only for sides still open and never a rejected pair, 1. manual confirmations (manual_verified), 2. exact_id, 3. exact_contact, 4. crm_relationship, 5. inferred (recon.match_inferred: Fellegi-Sunter, see src/linkage/inferred.sql). Equal candidates are flagged, not guessed (recon.match_ambiguities). methods: a subset to run (NULL: all; unknown names raise 22023); min_confidence in [0, 1] (22023 otherwise) is passed to the inferred stage and marks weaker links as exceptions. Counts and milliseconds per stage go to recon.match_runs.link_counts.';

------------------------------------------------------------------ coverage and exceptions
-- The views are functions underneath for one reason: they read every signal, record and
-- transaction, and the plans they need (in memory, hash joins and hash aggregates on "C" keys, no
-- JIT) take settings a view cannot carry: 6.6 s -> 1.9 s for the coverage at 100k journeys.
CREATE FUNCTION recon.match_coverage_rows()
RETURNS TABLE (link_type text, entity text, channel text, period date, currency recon_currency_code, method text,
               records bigint, linked_records bigint, value numeric, linked_value numeric, share numeric,
               match_rate numeric)
LANGUAGE plpgsql STABLE
SET work_mem = '256MB'
SET jit = off
SET enable_mergejoin = off
SET enable_nestloop = off
SET enable_sort = off        -- hash aggregates: a few hundred groups from every row of three tables
AS $cov$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH settings AS MATERIALIZED (     -- once, not per row
        SELECT recon.setting('reporting_timezone') AS tz
    ), best AS (       -- each linked side's strongest method, per link type
        SELECT link_type, 'left' COLLATE "C" AS side, left_id AS id, min(array_position(recon.match_methods(), method::text)) AS m
        FROM recon.match_links GROUP BY link_type, left_id
        UNION ALL
        SELECT link_type, 'right', right_id, min(array_position(recon.match_methods(), method::text))
        FROM recon.match_links WHERE link_type IN ('signal_record', 'record_transaction') GROUP BY link_type, right_id
    ), money_channel AS (   -- a transaction's channel: that of the record holding the largest part
        SELECT DISTINCT ON (l.left_id) l.left_id AS transaction_id, r.channel
        FROM recon.match_links l JOIN recon.funnel_records r ON r.record_id = l.right_id
        WHERE l.link_type = 'record_transaction'
        ORDER BY l.left_id, l.allocated_amount DESC NULLS LAST, l.right_id
    ), entities AS (
        SELECT lt.link_type, 'signal' AS entity, 'left' AS side, s.signal_key::text COLLATE "C" AS id, s.platform AS channel,
               s.event_time AS at, s.currency, s.value
        FROM recon.conversion_signals s
        CROSS JOIN (VALUES ('signal_record' COLLATE "C"), ('signal_signal')) AS lt(link_type)
        UNION ALL
        SELECT lt.link_type, 'record', lt.side, r.record_id, r.channel, r.created_at, r.currency, r.stated_value
        FROM recon.funnel_records r
        CROSS JOIN (VALUES ('signal_record' COLLATE "C", 'right' COLLATE "C"), ('record_record', 'left'),
                           ('record_transaction', 'right')) AS lt(link_type, side)
        WHERE CASE lt.link_type WHEN 'signal_record' THEN r.record_type IN ('lead', 'order')   -- what ad signals convert into
                                WHEN 'record_transaction' THEN r.record_type IN ('order', 'opportunity')   -- what is paid
                                ELSE true END
        UNION ALL
        SELECT 'record_transaction', 'transaction', 'left' COLLATE "C", t.transaction_id, coalesce(mc.channel, 'unknown'),
               t.occurred_at, t.currency, t.amount
        FROM recon.finance_transactions t LEFT JOIN money_channel mc USING (transaction_id)
    ), labelled AS (
        SELECT e.link_type, e.entity, e.channel::text AS channel,
               (date_trunc('month', e.at AT TIME ZONE st.tz))::date AS period, e.currency, e.value,
               coalesce(b.m, 6) AS k       -- 6 = unmatched
        FROM entities e CROSS JOIN settings st
        LEFT JOIN best b ON b.link_type = e.link_type AND b.side = e.side AND b.id = e.id
    ), grouped AS (
        SELECT link_type, entity, channel, period, currency,
               count(*) AS total, count(*) FILTER (WHERE k < 6) AS linked,
               ARRAY[count(*) FILTER (WHERE k = 1), count(*) FILTER (WHERE k = 2), count(*) FILTER (WHERE k = 3),
                     count(*) FILTER (WHERE k = 4), count(*) FILTER (WHERE k = 5), count(*) FILTER (WHERE k = 6)] AS n,
               ARRAY[sum(value) FILTER (WHERE k = 1), sum(value) FILTER (WHERE k = 2), sum(value) FILTER (WHERE k = 3),
                     sum(value) FILTER (WHERE k = 4), sum(value) FILTER (WHERE k = 5), sum(value) FILTER (WHERE k = 6)] AS v
        FROM labelled
        GROUP BY link_type, entity, channel, period, currency
    )
    SELECT g.link_type, g.entity, g.channel, g.period, g.currency, m.method,
           g.n[m.k] AS records,
           CASE WHEN m.k < 6 THEN g.n[m.k] ELSE 0 END AS linked_records,
           g.v[m.k] AS value,
           CASE WHEN m.k < 6 THEN g.v[m.k] WHEN g.v[m.k] IS NOT NULL THEN 0 END AS linked_value,
           round(g.n[m.k]::numeric / g.total, 4) AS share,
           round(CASE WHEN m.k < 6 THEN g.n[m.k] ELSE 0 END::numeric / g.total, 4) AS match_rate
    FROM grouped g
    CROSS JOIN unnest(recon.match_methods() || 'unmatched'::text) WITH ORDINALITY AS m(method, k)
    WHERE g.n[m.k] > 0 OR m.k = 6;
END $cov$;
COMMENT ON FUNCTION recon.match_coverage_rows() IS
    'The rows of recon.match_coverage (a function so that it can set work_mem and jit).';

CREATE VIEW recon.match_coverage AS SELECT * FROM recon.match_coverage_rows();
COMMENT ON VIEW recon.match_coverage IS
    'Coverage of the links per link type and counted side (entity: signal, record or transaction; records are leads and orders for signal_record, orders and opportunities for record_transaction, all for record_record), channel (signal platform, record channel, or the channel of the record a transaction is linked to; unknown when it is not), month in the reporting time zone and currency: one row per strongest method plus an unmatched row per group, so that records, linked_records, value, linked_value, share and match_rate each add up over a group''s rows. share = records / group total; match_rate = linked_records / group total (0 on the unmatched row), so the group''s match rate is the sum of its rows''.';

CREATE FUNCTION recon.unmatched_exceptions_rows()
RETURNS TABLE (layer text, link_type text, id text, channel text, occurred_at timestamptz, age interval,
               value numeric, currency recon_currency_code, reason text, detail text, owner text)
LANGUAGE plpgsql STABLE
SET work_mem = '256MB'
SET jit = off
SET enable_mergejoin = off
SET enable_nestloop = off
AS $exc$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH last_run AS MATERIALIZED (
        SELECT run_id, coalesce((parameters ->> 'min_confidence')::float8, 0.9) AS min_confidence
        FROM recon.match_runs ORDER BY run_id DESC LIMIT 1
    ), amb AS (
        SELECT a.* FROM recon.match_ambiguities a JOIN last_run USING (run_id)
    ), rejected AS (
        SELECT DISTINCT link_type, left_id FROM recon.match_latest_decisions WHERE decision = 'reject'
    ), clock AS MATERIALIZED (      -- once: it scans three tables
        SELECT recon.data_as_of() AS as_of
    ), ex AS (
        -- signals no record backs
        SELECT 'signal' AS layer, 'signal_record' AS link_type, s.signal_key::text AS id, s.platform::text AS channel,
               s.event_time AS occurred_at, s.value, s.currency, NULL::text AS owner,
               CASE WHEN a.left_id IS NOT NULL THEN a.reason
                    WHEN rj.left_id IS NOT NULL THEN 'candidate rejected by a reviewer'
                    WHEN coalesce(s.order_id, s.lead_id, s.fbclid, s.gclid, s.gbraid, s.wbraid, s.ttclid, s.msclkid,
                                  s.li_fat_id, s.fbc, s.email_sha256, s.phone_sha256, s.external_id) IS NULL
                         THEN 'no click id or contact key'
                    WHEN coalesce(s.order_id, s.lead_id) IS NOT NULL
                         AND NOT EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id IN (s.order_id, s.lead_id))
                         THEN 'order or lead id not in CRM'
                    WHEN coalesce(s.order_id, s.lead_id) IS NOT NULL THEN 'not matched by the last run'
                    ELSE 'ids match no CRM record' END AS reason,
               CASE WHEN a.left_id IS NOT NULL THEN 'candidates: ' || array_to_string(a.candidates, ', ') END AS detail
        FROM recon.conversion_signals s
        LEFT JOIN amb a ON a.link_type = 'signal_record' AND a.left_id = s.signal_key::text
        LEFT JOIN rejected rj ON rj.link_type = 'signal_record' AND rj.left_id = s.signal_key::text
        WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'signal_record' AND l.left_id = s.signal_key::text)
        UNION ALL
        -- money no record explains
        SELECT 'transaction', 'record_transaction', t.transaction_id, NULL, t.occurred_at, t.amount, t.currency, NULL,
               CASE WHEN a.left_id IS NOT NULL THEN a.reason
                    WHEN rj.left_id IS NOT NULL THEN 'candidate rejected by a reviewer'
                    WHEN t.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id = t.order_id)
                         THEN 'order id not in CRM'
                    WHEN t.opportunity_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id = t.opportunity_id)
                         THEN 'opportunity id not in CRM'
                    WHEN coalesce(t.order_id, t.opportunity_id) IS NOT NULL THEN 'not matched by the last run'
                    WHEN t.invoice_id IS NOT NULL THEN 'invoice not linked to a record'
                    WHEN t.parent_transaction_id IS NOT NULL THEN 'parent transaction not linked to a record'
                    WHEN NOT EXISTS (SELECT 1 FROM recon.funnel_records r
                                     WHERE r.customer_id = t.customer_id AND r.record_type IN ('order', 'opportunity'))
                         THEN t.transaction_type || ' without order id: the customer has no order or opportunity'
                    ELSE 'not matched by the last run' END,
               CASE WHEN a.left_id IS NOT NULL THEN 'candidates: ' || array_to_string(a.candidates, ', ') END
        FROM recon.finance_transactions t
        LEFT JOIN amb a ON a.link_type = 'record_transaction' AND a.left_id = t.transaction_id
        LEFT JOIN rejected rj ON rj.link_type = 'record_transaction' AND rj.left_id = t.transaction_id
        WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
        UNION ALL
        -- records a paid channel brought that no signal of any platform backs
        SELECT 'record', 'signal_record', r.record_id, r.channel, r.created_at, r.stated_value, r.currency, r.owner,
               CASE WHEN coalesce(r.fbclid, r.gclid, r.gbraid, r.wbraid, r.ttclid, r.msclkid, r.li_fat_id, r.fbc,
                                  r.email_sha256, r.phone_sha256, r.customer_id) IS NULL
                    THEN 'identity-lost: no ids'
                    ELSE 'paid-channel record without a signal' END,
               NULL
        FROM recon.funnel_records r JOIN recon.channels c ON c.channel = r.channel AND c.platform IS NOT NULL
        WHERE r.record_type IN ('lead', 'order')
          AND NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'signal_record' AND l.right_id = r.record_id)
        UNION ALL
        -- won deals and orders without money
        SELECT 'record', 'record_transaction', r.record_id, r.channel, r.created_at, r.stated_value, r.currency, r.owner,
               'won without a transaction', NULL
        FROM recon.funnel_records r
        WHERE r.record_type IN ('order', 'opportunity') AND r.status = 'won'
          AND NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'record_transaction' AND l.right_id = r.record_id)
        UNION ALL
        -- duplicates and repeats with equally good originals
        SELECT CASE a.link_type WHEN 'record_record' THEN 'record' ELSE 'signal' END, a.link_type, a.left_id,
               coalesce(r.channel, s.platform), coalesce(r.created_at, s.event_time), coalesce(r.stated_value, s.value),
               coalesce(r.currency, s.currency), r.owner, a.reason, 'candidates: ' || array_to_string(a.candidates, ', ')
        FROM amb a
        LEFT JOIN recon.funnel_records r ON a.link_type = 'record_record' AND r.record_id = a.left_id
        LEFT JOIN recon.conversion_signals s ON a.link_type = 'signal_signal' AND s.signal_key::text = a.left_id
        WHERE a.link_type IN ('record_record', 'signal_signal')
        UNION ALL
        -- links weaker than the last run's threshold
        SELECT (recon.match_layers(l.link_type)).left_layer, l.link_type, l.left_id,
               coalesce(r.channel, s.platform), coalesce(t.occurred_at, r.created_at, s.event_time),
               coalesce(t.amount, r.stated_value, s.value), coalesce(t.currency, r.currency, s.currency), r.owner,
               format('linked with confidence %s, below the last run''s min_confidence %s', l.confidence, lr.min_confidence),
               format('%s -> %s by %s (%s)', l.left_id, l.right_id, l.method, l.rule)
        FROM recon.match_links l CROSS JOIN last_run lr
        LEFT JOIN recon.conversion_signals s ON l.link_type IN ('signal_record', 'signal_signal') AND s.signal_key::text = l.left_id
        LEFT JOIN recon.funnel_records r ON l.link_type = 'record_record' AND r.record_id = l.left_id
        LEFT JOIN recon.finance_transactions t ON l.link_type = 'record_transaction' AND t.transaction_id = l.left_id
        WHERE l.confidence < lr.min_confidence
        UNION ALL
        -- transactions whose allocated parts do not add up to the amount
        SELECT 'transaction', 'record_transaction', t.transaction_id, NULL, t.occurred_at,
               t.amount - p.allocated, t.currency, NULL, 'allocation remainder',
               format('%s of %s %s allocated over %s record(s)', p.allocated, t.amount, t.currency, p.n)
        FROM (SELECT left_id, sum(allocated_amount) AS allocated, count(*) AS n
              FROM recon.match_links
              WHERE link_type = 'record_transaction' AND allocated_amount IS NOT NULL
              GROUP BY left_id) p
        JOIN recon.finance_transactions t ON t.transaction_id = p.left_id
        WHERE p.allocated <> t.amount
    )
    SELECT ex.layer, ex.link_type, ex.id, ex.channel, ex.occurred_at, c.as_of - ex.occurred_at AS age,
           ex.value, ex.currency, ex.reason, ex.detail, ex.owner
    FROM ex CROSS JOIN clock c;
END $exc$;
COMMENT ON FUNCTION recon.unmatched_exceptions_rows() IS
    'The rows of recon.unmatched_exceptions (a function so that it can set work_mem and jit).';

CREATE VIEW recon.unmatched_exceptions AS SELECT * FROM recon.unmatched_exceptions_rows();
COMMENT ON VIEW recon.unmatched_exceptions IS
    'What the links leave unexplained, one row per case: signals no record backs, transactions no record explains, paid-channel leads and orders without a signal, won orders and opportunities without a transaction, sides left ambiguous by the last run (equal candidates), links below the last run''s min_confidence, and allocation remainders. With the value and currency, the age as of the newest loaded data (recon.data_as_of(), not now(), so a backfill or a late load does not age everything), a likely reason and, for records, the CRM owner.';

-- ===== src/linkage/inferred.sql =====
-- The inferred stage of the matching cascade: Fellegi-Sunter over comparison levels
-- (src/linkage/fellegi_sunter.sql), trained on the run's own open records, for the sides the
-- exact stages left unlinked. Called by recon.run_matching (src/linkage/cascade.sql).

CREATE TABLE recon.match_models (
    run_id          bigint NOT NULL REFERENCES recon.match_runs ON DELETE CASCADE,
    link_type       text COLLATE "C" NOT NULL,
    model           jsonb NOT NULL,
    candidate_pairs bigint NOT NULL,
    random_pairs    bigint NOT NULL,
    trained_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, link_type)
);
COMMENT ON TABLE recon.match_models IS
    'The Fellegi-Sunter model each run of the inferred stage trained, per link type: u from random pairs, m by EM over the blocked candidate pairs, the prior of one true partner among all right sides. Kept per run, so a drift in m or u is visible.';
SELECT pg_catalog.pg_extension_config_dump('recon.match_models', '');

-- The comparisons of an ad signal against a CRM record, as levels (see recon.match_inferred).
CREATE FUNCTION recon.match_signal_record_levels(
    s_time timestamptz, s_value numeric, s_currency text, s_email text, s_phone text, s_campaign text,
    s_platform text, s_event_name text,
    r_time timestamptz, r_value numeric, r_currency text, r_email text, r_phone text, r_campaign text,
    r_channel text, r_type text) RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        @extschema@.recon_compare_time(s_time, r_time, '{1 second,5 minutes,1 hour,1 day}'),
        CASE WHEN s_currency = r_currency THEN @extschema@.recon_compare_amount(s_value, r_value, '{1,10}') ELSE 0 END,
        @extschema@.recon_compare_exact(s_email, r_email),
        @extschema@.recon_compare_exact(s_phone, r_phone),
        @extschema@.recon_compare_exact(s_campaign, r_campaign),
        @extschema@.recon_compare_exact(s_platform, r_channel),
        @extschema@.recon_compare_exact(
            CASE WHEN lower(s_event_name) IN ('purchase', 'completepayment', 'complete_payment', 'placeanorder') THEN 'order'
                 WHEN lower(s_event_name) IN ('lead', 'submitform', 'submit_form', 'completeregistration', 'contact') THEN 'lead' END,
            r_type)]::smallint[]
$$;
COMMENT ON FUNCTION recon.match_signal_record_levels(timestamptz, numeric, text, text, text, text, text, text, timestamptz, numeric, text, text, text, text, text, text) IS
    'Comparison levels of an ad signal against a CRM record: time gap (same instant, 1 s, 5 min, 1 h, 1 day, else), value in the same currency (equal, 1%, 10%, else), email hash, phone hash, campaign id, platform vs channel, event kind vs record type.';

-- The comparisons of a finance transaction against a CRM record.
CREATE FUNCTION recon.match_record_transaction_levels(
    t_time timestamptz, t_amount numeric, t_currency text, t_customer text,
    r_time timestamptz, r_closed timestamptz, r_value numeric, r_currency text, r_customer text) RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        @extschema@.recon_compare_exact(t_customer, r_customer),
        -- beyond 10%: a part of the record's value (an installment, a partial refund) or more than it
        CASE WHEN t_currency IS DISTINCT FROM r_currency THEN 0
             WHEN @extschema@.recon_compare_amount(t_amount, r_value, '{1,10}') < 4
                 THEN @extschema@.recon_compare_amount(t_amount, r_value, '{1,10}')
             WHEN t_amount < r_value THEN 4 ELSE 5 END,
        -- money moves when an order is placed or a deal is closed: the nearer of the two counts
        CASE WHEN r_closed IS NULL THEN @extschema@.recon_compare_time(t_time, r_time, '{1 minute,1 day,30 days,120 days}')
             ELSE least(@extschema@.recon_compare_time(t_time, r_time, '{1 minute,1 day,30 days,120 days}'),
                        @extschema@.recon_compare_time(t_time, r_closed, '{1 minute,1 day,30 days,120 days}')) END,
        @extschema@.recon_compare_exact(t_currency, r_currency)]::smallint[]
$$;
COMMENT ON FUNCTION recon.match_record_transaction_levels(timestamptz, numeric, text, text, timestamptz, timestamptz, numeric, text, text) IS
    'Comparison levels of a finance transaction against a CRM record: customer id, amount in the same currency, time gap to the record''s creation or closing, whichever is nearer (1 minute, 1 day, 30 days, 120 days, else), currency. Amount levels: equal, within 1%, within 10%, a part of the record value (installment, partial refund), more than it.';

-- About 1,000 of n ids, the same ones on every run: a hash test, no sort.
CREATE FUNCTION recon.match_sampled(id text, n bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT abs(hashtext(id)::bigint) % greatest(n / 1000, 1) = 0
$$;
COMMENT ON FUNCTION recon.match_sampled(text, bigint) IS
    'Internal: true for about 1,000 of n ids, chosen by a hash of the id, so that repeated runs draw the same random pairs.';

-- Train, score and link one link type from pairs in temp tables infer_left, infer_right,
-- infer_cand (left_id, right_id, rules, levels), infer_random (levels) and infer_known (levels
-- of pairs the exact stages linked). rule_fixed maps each blocking rule to the comparisons it
-- forces to agree; n_right counts infer_right (the prior is one true partner among them).
CREATE FUNCTION recon.match_infer_link(run bigint, p_link_type text, names text[], level_counts integer[],
                                       rule_fixed jsonb, n_right bigint, min_confidence float8) RETURNS jsonb
LANGUAGE plpgsql
SET enable_mergejoin = off
AS $$
DECLARE
    model        jsonb;
    n_cand       bigint;
    n_random     bigint;
    linked       bigint := 0;
    flagged      bigint := 0;
    below        bigint := 0;
    prior        float8;
    round        integer;
    em           jsonb;
    n_known      bigint;
BEGIN
    SELECT count(*) INTO n_cand FROM infer_cand;
    SELECT count(*) INTO n_random FROM infer_random;
    IF n_cand = 0 OR n_random = 0 THEN
        RETURN jsonb_build_object('candidate_pairs', n_cand, 'linked', 0, 'ambiguous', 0);
    END IF;

    -- u from random pairs. m from the pairs the exact stages already linked when there are enough
    -- of them (known matches: no EM needed); otherwise by EM once per blocking rule over that
    -- rule's candidates, with the comparisons the rule forces to agree held (their m cannot be
    -- learnt from it), averaged over the rules. Then u without the true matches the random pairs
    -- hold (for a near-unique key, a customer id, they are all of its agreements). Scoring uses
    -- the prior of one true partner among all right sides, not the candidates' match share.
    prior := greatest(1.0 / greatest(n_right, 2), 1e-9);
    SELECT count(*) INTO n_known FROM infer_known;
    SELECT @extschema@.recon_fs_estimate_u(@extschema@.recon_fs_pattern_counts(levels), names, level_counts)
      INTO model FROM infer_random;
    IF n_known >= 100 THEN
        SELECT @extschema@.recon_fs_m_from_matches(@extschema@.recon_fs_pattern_counts(levels), model)
          INTO model FROM infer_known;
        SELECT @extschema@.recon_fs_refine_u(@extschema@.recon_fs_pattern_counts(levels), model, prior)
          INTO model FROM infer_random;
        model := model || jsonb_build_object('m_from', jsonb_build_object('known_matches', n_known));
    ELSE
        FOR round IN 1 .. 3 LOOP      -- a sharper u makes m sharper, and the other way round
            SELECT @extschema@.recon_fs_average_m(array_agg(x.m ORDER BY x.rule)),
                   jsonb_object_agg(x.rule, x.m -> 'em')
              INTO model, em
              FROM (SELECT f.key AS rule,
                           @extschema@.recon_fs_estimate_m(@extschema@.recon_fs_pattern_counts(c.levels), model,
                                                           ARRAY(SELECT jsonb_array_elements_text(f.value))) AS m
                    FROM jsonb_each(rule_fixed) AS f
                    JOIN infer_cand c ON f.key = ANY (c.rules)
                    GROUP BY f.key, f.value) x;
            SELECT @extschema@.recon_fs_estimate_u_em(@extschema@.recon_fs_pattern_counts(levels), model)
              INTO model FROM infer_random;
        END LOOP;
        model := model || jsonb_build_object('m_from', jsonb_build_object('em_by_rule', em));
    END IF;
    model := jsonb_set(model, '{prior}', to_jsonb(prior));
    INSERT INTO recon.match_models (run_id, link_type, model, candidate_pairs, random_pairs)
    VALUES (run, p_link_type, model, n_cand, n_random);

    -- Each left side's best candidates by weight; two equal best: flagged, not guessed.
    DROP TABLE IF EXISTS infer_best;
    CREATE TEMP TABLE infer_best AS
    SELECT c.left_id, c.right_id, c.levels, c.weight, @extschema@.recon_fs_probability(c.weight) AS probability,
           count(*) OVER (PARTITION BY c.left_id) AS n_best
    FROM (SELECT c.*, rank() OVER (PARTITION BY c.left_id ORDER BY c.weight DESC) AS rk
          FROM (SELECT c.*, @extschema@.recon_fs_weight(model, c.levels) AS weight FROM infer_cand c) c
          WHERE NOT EXISTS (SELECT 1 FROM recon.match_latest_decisions d
                            WHERE d.decision = 'reject' AND d.link_type = p_link_type
                              AND d.left_id = c.left_id AND d.right_id = c.right_id)) c
    WHERE c.rk = 1;

    INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, explanation, run_id,
                                   allocated_amount, currency)
    SELECT p_link_type, b.left_id, b.right_id, 'inferred', b.probability,
           'fellegi_sunter', @extschema@.recon_fs_explain(model, b.levels), run,
           CASE WHEN p_link_type = 'record_transaction' THEN t.amount END,
           CASE WHEN p_link_type = 'record_transaction' THEN t.currency END
    FROM infer_best b
    LEFT JOIN recon.finance_transactions t ON p_link_type = 'record_transaction' AND t.transaction_id = b.left_id
    WHERE b.n_best = 1 AND b.probability >= min_confidence;
    GET DIAGNOSTICS linked = ROW_COUNT;

    INSERT INTO recon.match_ambiguities (run_id, link_type, left_id, method, rule, reason, candidates)
    SELECT run, p_link_type, b.left_id, 'inferred', 'fellegi_sunter', 'two equal candidates',
           array_agg(b.right_id ORDER BY b.right_id)
    FROM infer_best b
    WHERE b.n_best > 1 AND b.probability >= min_confidence
    GROUP BY b.left_id;
    GET DIAGNOSTICS flagged = ROW_COUNT;

    SELECT count(DISTINCT left_id) INTO below FROM infer_best WHERE probability < min_confidence;
    RETURN jsonb_build_object('candidate_pairs', n_cand, 'linked', linked, 'ambiguous', flagged,
                              'best_below_threshold', below);
END $$;
COMMENT ON FUNCTION recon.match_infer_link(bigint, text, text[], integer[], jsonb, bigint, double precision) IS
    'Internal: trains a Fellegi-Sunter model on the pairs staged in infer_random, infer_known and infer_cand (u from random pairs; m from the known matches when there are at least 100, else by EM per blocking rule with the rule''s own comparisons held; u without the random pairs'' true matches), stores it in recon.match_models, and links each left side to its single best candidate when the probability reaches min_confidence (equal best candidates go to match_ambiguities).';

-- Stage 5: inferred links for the signals and transactions the exact stages left open.
CREATE FUNCTION recon.match_inferred(run bigint, min_confidence float8) RETURNS jsonb
LANGUAGE plpgsql
SET enable_mergejoin = off
SET client_min_messages = warning
AS $$
DECLARE
    results jsonb := '{}';
    n_links bigint;
    n_left  bigint;
    n_right bigint;
BEGIN
    ---------------------------------------------------------------- signal -> record
    DROP TABLE IF EXISTS infer_left, infer_right, infer_cand, infer_random, infer_known;
    CREATE TEMP TABLE infer_left AS
    SELECT s.signal_key::text COLLATE "C" AS id, s.event_time AS t, s.value, s.currency::text AS currency,
           s.email_sha256::text AS email, s.phone_sha256::text AS phone, s.campaign_id, s.platform, s.event_name,
           floor(extract(epoch FROM s.event_time) / 300)::bigint AS bucket
    FROM recon.conversion_signals s
    WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'signal_record' AND l.left_id = s.signal_key::text)
      AND NOT EXISTS (SELECT 1 FROM recon.match_ambiguities a
                      WHERE a.run_id = run AND a.link_type = 'signal_record' AND a.left_id = s.signal_key::text);
    -- nothing open (the usual case after the exact stages): no right side to read
    CREATE TEMP TABLE infer_right AS
    SELECT r.record_id AS id, r.created_at AS t, r.stated_value AS value, r.currency::text AS currency,
           r.email_sha256::text AS email, r.phone_sha256::text AS phone, r.campaign_id, r.channel, r.record_type,
           floor(extract(epoch FROM r.created_at) / 300)::bigint AS bucket
    FROM recon.funnel_records r WHERE r.record_type IN ('lead', 'order') AND EXISTS (SELECT 1 FROM infer_left);
    ANALYZE infer_left;
    ANALYZE infer_right;
    -- blocking: the same email or phone hash, or the same currency (or none on both sides) and
    -- created within the neighbouring 5-minute buckets
    CREATE TEMP TABLE infer_cand AS
    SELECT p.left_id, p.right_id, p.rules,
           recon.match_signal_record_levels(l.t, l.value, l.currency, l.email, l.phone, l.campaign_id, l.platform,
                                            l.event_name, r.t, r.value, r.currency, r.email, r.phone, r.campaign_id,
                                            r.channel, r.record_type) AS levels
    FROM (SELECT left_id, right_id, array_agg(rule) AS rules
          FROM (SELECT l.id AS left_id, r.id AS right_id, 'email' AS rule
                FROM infer_left l JOIN infer_right r ON r.email = l.email
                UNION ALL
                SELECT l.id, r.id, 'phone' FROM infer_left l JOIN infer_right r ON r.phone = l.phone
                UNION ALL
                SELECT l.id, r.id, 'time_bucket' FROM infer_left l CROSS JOIN generate_series(-1, 1) AS d(k)
                                      JOIN infer_right r ON r.bucket = l.bucket + d.k
                                                        AND coalesce(r.currency, '') = coalesce(l.currency, '')) u
          GROUP BY left_id, right_id) p
    JOIN infer_left l ON l.id = p.left_id
    JOIN infer_right r ON r.id = p.right_id;
    -- random pairs: about 1,000 x 1,000, picked by hash so reruns train the same model
    SELECT count(*) INTO n_left FROM infer_left;
    SELECT count(*) INTO n_right FROM infer_right;
    CREATE TEMP TABLE infer_random AS
    SELECT recon.match_signal_record_levels(l.t, l.value, l.currency, l.email, l.phone, l.campaign_id, l.platform,
                                            l.event_name, r.t, r.value, r.currency, r.email, r.phone, r.campaign_id,
                                            r.channel, r.record_type) AS levels
    FROM (SELECT * FROM infer_left WHERE recon.match_sampled(id, n_left)) l,
         (SELECT * FROM infer_right WHERE recon.match_sampled(id, n_right)) r;
    -- known matches: up to about 100,000 pairs the exact stages linked, picked by hash
    SELECT count(*) INTO n_links FROM recon.match_links WHERE link_type = 'signal_record' AND method <> 'inferred';
    CREATE TEMP TABLE infer_known AS
    SELECT recon.match_signal_record_levels(s.event_time, s.value, s.currency, s.email_sha256, s.phone_sha256,
                                            s.campaign_id, s.platform, s.event_name, r.created_at, r.stated_value,
                                            r.currency, r.email_sha256, r.phone_sha256, r.campaign_id, r.channel,
                                            r.record_type) AS levels
    FROM recon.match_links k
    JOIN recon.conversion_signals s ON s.signal_key = k.left_id::bigint
    JOIN recon.funnel_records r ON r.record_id = k.right_id
    WHERE k.link_type = 'signal_record' AND k.method <> 'inferred' AND EXISTS (SELECT 1 FROM infer_left)
      AND abs(hashtext(k.left_id)) % greatest(n_links / 100000, 1) = 0;
    results := results || jsonb_build_object('signal_record', recon.match_infer_link(run, 'signal_record',
        '{time,value,email,phone,campaign,platform,kind}', '{6,4,2,2,2,2,2}',
        -- the time buckets bound the gap to 15 minutes but leave its levels free: time is not held
        '{"email": ["email"], "phone": ["phone"], "time_bucket": []}', n_right, min_confidence));

    ---------------------------------------------------------------- transaction -> record
    DROP TABLE infer_left, infer_right, infer_cand, infer_random, infer_known;
    CREATE TEMP TABLE infer_left AS
    SELECT t.transaction_id AS id, t.occurred_at AS t, t.amount, t.currency::text AS currency, t.customer_id
    FROM recon.finance_transactions t
    WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
      AND NOT EXISTS (SELECT 1 FROM recon.match_ambiguities a
                      WHERE a.run_id = run AND a.link_type = 'record_transaction' AND a.left_id = t.transaction_id);
    CREATE TEMP TABLE infer_right AS
    SELECT r.record_id AS id, r.created_at AS t, r.closed_at AS closed, r.stated_value AS value,
           r.currency::text AS currency, r.customer_id
    FROM recon.funnel_records r WHERE r.record_type IN ('order', 'opportunity') AND EXISTS (SELECT 1 FROM infer_left);
    ANALYZE infer_left;
    ANALYZE infer_right;
    -- blocking: the same customer, or the same amount in the same currency
    CREATE TEMP TABLE infer_cand AS
    SELECT p.left_id, p.right_id, p.rules,
           recon.match_record_transaction_levels(l.t, l.amount, l.currency, l.customer_id,
                                                 r.t, r.closed, r.value, r.currency, r.customer_id) AS levels
    FROM (SELECT left_id, right_id, array_agg(rule) AS rules
          FROM (SELECT l.id AS left_id, r.id AS right_id, 'customer' AS rule
                FROM infer_left l JOIN infer_right r ON r.customer_id = l.customer_id
                UNION ALL
                SELECT l.id, r.id, 'amount' FROM infer_left l JOIN infer_right r ON r.currency = l.currency AND r.value = l.amount) u
          GROUP BY left_id, right_id) p
    JOIN infer_left l ON l.id = p.left_id
    JOIN infer_right r ON r.id = p.right_id;
    SELECT count(*) INTO n_left FROM infer_left;
    SELECT count(*) INTO n_right FROM infer_right;
    CREATE TEMP TABLE infer_random AS
    SELECT recon.match_record_transaction_levels(l.t, l.amount, l.currency, l.customer_id,
                                                 r.t, r.closed, r.value, r.currency, r.customer_id) AS levels
    FROM (SELECT * FROM infer_left WHERE recon.match_sampled(id, n_left)) l,
         (SELECT * FROM infer_right WHERE recon.match_sampled(id, n_right)) r;
    SELECT count(*) INTO n_links FROM recon.match_links WHERE link_type = 'record_transaction' AND method <> 'inferred';
    CREATE TEMP TABLE infer_known AS
    SELECT recon.match_record_transaction_levels(t.occurred_at, t.amount, t.currency, t.customer_id,
                                                 r.created_at, r.closed_at, r.stated_value, r.currency, r.customer_id) AS levels
    FROM recon.match_links k
    JOIN recon.finance_transactions t ON t.transaction_id = k.left_id
    JOIN recon.funnel_records r ON r.record_id = k.right_id
    WHERE k.link_type = 'record_transaction' AND k.method <> 'inferred' AND r.record_type IN ('order', 'opportunity')
      AND EXISTS (SELECT 1 FROM infer_left)
      AND abs(hashtext(k.left_id)) % greatest(n_links / 100000, 1) = 0;
    results := results || jsonb_build_object('record_transaction', recon.match_infer_link(run, 'record_transaction',
        '{customer,amount,time,currency}', '{2,5,6,2}',
        '{"customer": ["customer"], "amount": ["amount", "currency"]}', n_right, min_confidence));

    DROP TABLE IF EXISTS infer_left, infer_right, infer_cand, infer_random, infer_known, infer_best;
    RETURN results;
END $$;
COMMENT ON FUNCTION recon.match_inferred(bigint, double precision) IS
    'Stage 5 of recon.run_matching: for each signal and finance transaction still unlinked, Fellegi-Sunter over comparison levels (signal vs record: time, value, email and phone hash, campaign, platform, kind; transaction vs record: customer, amount, time, currency), blocked by contact hash or 5-minute time bucket and currency (signals) and customer or exact amount (transactions). The model is trained on the run''s data (u from about 1,000 x 1,000 random pairs; m from up to 100,000 pairs the exact stages linked, or by EM per blocking rule when fewer than 100 exist; u then corrected for the true matches among the random pairs), stored in recon.match_models; a link needs probability >= min_confidence and a single best candidate; its explanation lists each comparison''s level and weight.';

-- ===== src/bridge/bridge.sql =====
-- recon_bridge: platform-attributed value walked down to collected revenue,
-- line by line, per GROUP BY. The state is a real type (recon_bridge_state,
-- with text input/output) and there is a combine function, so parallel
-- workers and Citus shards aggregate apart and the results combine exactly.

CREATE TYPE recon_bridge_state;
CREATE FUNCTION recon_bridge_state_in(cstring) RETURNS recon_bridge_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION recon_bridge_state_out(recon_bridge_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE recon_bridge_state (
    INPUT = recon_bridge_state_in,
    OUTPUT = recon_bridge_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE recon_bridge_state IS
    'Running totals of recon_bridge: per ledger line an exact amount and quantity (fixed point, 8 decimal places), the group''s currency, its youngest and oldest record times, as_of and maturity points. Text form (for shipping between nodes; times in microseconds since 2000-01-01 UTC): v1 currency=USD as_of=N youngest=N oldest=N points=7,30,60,90 <line>=<amount>/<quantity> ...';
COMMENT ON FUNCTION recon_bridge_state_in(cstring) IS 'Text input of recon_bridge_state.';
COMMENT ON FUNCTION recon_bridge_state_out(recon_bridge_state) IS 'Text output of recon_bridge_state (only the lines that are not zero).';

CREATE TYPE recon_bridge_result AS (
    currency                   text,
    platform_value             numeric,
    unmatched                  numeric,
    invalid_duplicate          numeric,
    lost_cancelled             numeric,
    value_difference           numeric,
    refunds                    numeric,
    written_off                numeric,
    timing                     numeric,
    residual                   numeric,
    collected                  numeric,
    platform_conversions       numeric,
    matched_records            numeric,
    unmatched_conversions      numeric,
    unmatched_revenue          numeric,
    unmatched_revenue_records  numeric,
    invalid_duplicate_records  numeric,
    lost_cancelled_records     numeric,
    won_records                numeric,
    refund_records             numeric,
    written_off_records        numeric,
    timing_records             numeric,
    collected_records          numeric,
    booked                     numeric,
    invoiced                   numeric,
    recognized                 numeric,
    net_after_refunds          numeric,
    match_rate                 numeric,
    as_of                      timestamptz,
    youngest_record_at         timestamptz,
    oldest_record_at           timestamptz,
    age_days                   integer,
    maturity_days              integer,
    maturity                   text
);
COMMENT ON TYPE recon_bridge_result IS
    'One bridge: platform_value + unmatched + invalid_duplicate + lost_cancelled + value_difference + refunds + written_off + timing + residual = collected, exactly (deductions are negative). Then the records behind each line, booked/invoiced/recognized value, net after refunds, the match rate (matched records per platform conversion), and the cohort''s maturity: the youngest record''s age in days at as_of against the maturity points (maturity_days = the last point reached; maturity = mature once the last point is passed, else incomplete; unknown without times).';

CREATE FUNCTION recon_bridge_add(recon_bridge_state, line text, amount numeric, quantity numeric, currency text,
                                 record_at timestamptz, as_of timestamptz, maturity_days integer[])
    RETURNS recon_bridge_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_bridge_add(recon_bridge_state, text, numeric, numeric, text, timestamptz, timestamptz, integer[]) IS
    'Transition function of recon_bridge: adds one ledger row''s amount and quantity to its line.';
CREATE FUNCTION recon_bridge_combine(recon_bridge_state, recon_bridge_state) RETURNS recon_bridge_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_bridge_combine(recon_bridge_state, recon_bridge_state) IS
    'Combine function of recon_bridge: adds two partial states (parallel workers, Citus shards); one currency and one set of maturity points per group.';
CREATE FUNCTION recon_bridge_result(recon_bridge_state) RETURNS recon_bridge_result
    AS 'MODULE_PATHNAME', 'recon_bridge_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_bridge_result(recon_bridge_state) IS
    'Final function of recon_bridge: turns running totals (also a stored or shipped state) into the bridge.';

CREATE AGGREGATE recon_bridge(line text, amount numeric, quantity numeric, currency text,
                              record_at timestamptz, as_of timestamptz, maturity_days integer[]) (
    SFUNC = recon_bridge_add,
    STYPE = recon_bridge_state,
    FINALFUNC = recon_bridge_result,
    COMBINEFUNC = recon_bridge_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE recon_bridge(text, numeric, numeric, text, timestamptz, timestamptz, integer[]) IS
    'The bridge from platform-attributed value to collected revenue for each GROUP BY, from ledger rows (recon.bridge_ledger): line (platform_value, matched_value, unmatched_revenue, invalid_duplicate, lost_cancelled, value_difference, refunds, written_off, timing, collected, booked, invoiced, recognized), amount (exact; at most 8 decimal places; NULL = 0), quantity (records or conversions), currency (one per group), record_at (cohort time of the record), as_of (extraction moment) and maturity_days (points, from the group''s first row; NULL = {7,30,60,90}). Returns recon_bridge_result. Combinable and parallel safe.';

-- Rollups: keep states (per day, per shard) and combine them later.
CREATE AGGREGATE recon_bridge_partial(line text, amount numeric, quantity numeric, currency text,
                                      record_at timestamptz, as_of timestamptz, maturity_days integer[]) (
    SFUNC = recon_bridge_add,
    STYPE = recon_bridge_state,
    COMBINEFUNC = recon_bridge_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE recon_bridge_partial(text, numeric, numeric, text, timestamptz, timestamptz, integer[]) IS
    'recon_bridge without its final step: returns the running totals (recon_bridge_state) to store and combine later with recon_bridge_merge, then recon_bridge_result.';
CREATE AGGREGATE recon_bridge_merge(recon_bridge_state) (
    SFUNC = recon_bridge_combine,
    STYPE = recon_bridge_state,
    COMBINEFUNC = recon_bridge_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE recon_bridge_merge(recon_bridge_state) IS
    'Adds stored bridge states (from recon_bridge_partial), e.g. daily states rolled up to a month: recon_bridge_result(recon_bridge_merge(state)) equals recon_bridge over the same rows.';

-- The bridge as ordered steps for a waterfall chart: start, each line, end.
CREATE FUNCTION recon_bridge_steps(bridge recon_bridge_result)
RETURNS TABLE (step integer, line text, label text, amount numeric, running_total numeric, records numeric)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT s.step, s.line, s.label, s.amount,
           CASE WHEN s.line = 'collected' THEN s.amount
                ELSE sum(s.amount) FILTER (WHERE s.line <> 'collected') OVER (ORDER BY s.step) END,
           s.records
    FROM (VALUES
        (1, 'platform_value', 'platform-attributed value', bridge.platform_value, bridge.platform_conversions),
        (2, 'unmatched', 'unmatched: platform claims without a CRM record (-), records or money the platform did not claim (+)',
         bridge.unmatched, bridge.unmatched_conversions),
        (3, 'invalid_duplicate', 'invalid or duplicate records', bridge.invalid_duplicate, bridge.invalid_duplicate_records),
        (4, 'lost_cancelled', 'lost or cancelled', bridge.lost_cancelled, bridge.lost_cancelled_records),
        (5, 'value_difference', 'won: booked value minus the value the platform was sent', bridge.value_difference, bridge.won_records),
        (6, 'refunds', 'refunds, returns, failed delivery, credit notes', bridge.refunds, bridge.refund_records),
        (7, 'written_off', 'written off (uncollectible)', bridge.written_off, bridge.written_off_records),
        (8, 'timing', 'timing: open records and receivables not yet paid', bridge.timing, bridge.timing_records),
        (9, 'residual', 'residual: what no line explains', bridge.residual, NULL::numeric),
        (10, 'collected', 'collected revenue', bridge.collected, bridge.collected_records)
    ) AS s(step, line, label, amount, records)
$$;
COMMENT ON FUNCTION recon_bridge_steps(recon_bridge_result) IS
    'The bridge as ordered waterfall steps: (step, line, label, amount, running total, records). The running total starts at platform_value, moves by each line and, after the residual, equals collected (the last step, a total).';

-- The bridge for BI tools: every figure plus the steps, in one jsonb document.
CREATE FUNCTION recon_bridge_jsonb(bridge recon_bridge_result) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_jsonb(bridge) || jsonb_build_object('steps',
               (SELECT jsonb_agg(to_jsonb(s) ORDER BY s.step) FROM recon_bridge_steps(bridge) s))
$$;
COMMENT ON FUNCTION recon_bridge_jsonb(recon_bridge_result) IS
    'The bridge as one jsonb document for BI tools: every column of recon_bridge_result and a "steps" array (step, line, label, amount, running_total, records).';

-- ===== src/bridge/records.sql =====
-- Per CRM record: which platform and campaign it is credited to, what the
-- platform was told it is worth, how it ended, and the money behind it. The
-- bridge ledger, the collected layer and CRM-vs-finance all read this one
-- definition.

-- The rows of recon.bridge_records (a function so that JIT stays off: see report.sql).
CREATE FUNCTION recon.bridge_records_rows()
RETURNS TABLE (record_id text, record_type text, crm_system text, created_at timestamptz, cohort_day date,
               cohort_month date, channel text, platform text, account_id text, campaign_id text, adset_id text,
               ad_id text, credited_by text, signal_key bigint, market text, owner text, customer_id text,
               currency @extschema@.recon_currency_code, outcome text, outcome_reason text, closed_at timestamptz,
               platform_value numeric, booked numeric, expected_value numeric, invoiced numeric,
               recognized numeric, collected numeric, refunded numeric, written_off numeric,
               outstanding numeric, transactions bigint, first_paid_at timestamptz, last_money_at timestamptz)
LANGUAGE sql STABLE
SET jit = off
AS $records$
WITH settings AS MATERIALIZED (
    SELECT recon.setting('reporting_timezone') AS tz, recon.setting('reporting_currency') AS cur
),
opportunity AS (       -- opportunities, folded into the lead (or order) they came from
    SELECT o.parent_record_id AS record_id,
           CASE WHEN bool_or(o.status = 'won') THEN 'won' WHEN bool_or(o.status = 'open') THEN 'open'
                WHEN bool_or(o.status = 'lost') THEN 'lost' ELSE 'cancelled' END AS status,
           (array_agg(o.status_reason ORDER BY o.closed_at DESC NULLS LAST, o.record_id))[1] AS status_reason,
           max(o.closed_at) AS closed_at,
           sum(o.stated_value) FILTER (WHERE o.status = 'won') AS won_value,
           sum(o.stated_value) FILTER (WHERE o.status = 'open') AS open_value,
           min(o.currency) AS currency,
           (array_agg(o.owner ORDER BY o.created_at, o.record_id))[1] AS owner
    FROM recon.funnel_records o
    WHERE o.record_type = 'opportunity' AND o.parent_record_id IS NOT NULL
    GROUP BY 1
),
duplicate AS (         -- a later lead or order the matching linked to an earlier one
    SELECT DISTINCT l.left_id AS record_id
    FROM recon.match_links l JOIN recon.funnel_records d ON d.record_id = l.left_id
    WHERE l.link_type = 'record_record' AND d.record_type <> 'opportunity'
),
signal AS (            -- every signal linked to a record, with the platform it went to
    SELECT l.right_id AS record_id, l.method, s.signal_key, s.platform, s.account_id, s.campaign_id,
           s.adset_id, s.ad_id, s.value, s.currency, s.event_time
    FROM recon.match_links l
    JOIN recon.conversion_signals s ON s.signal_key = l.left_id::bigint
    WHERE l.link_type = 'signal_record'
),
money AS (             -- posted transactions per record (an opportunity's go to its lead), net of tax and
                       -- shipping, in the record's currency (another one is converted on the transaction's day)
    SELECT CASE WHEN rec.record_type = 'opportunity' AND rec.parent_record_id IS NOT NULL
                THEN rec.parent_record_id ELSE l.right_id END AS record_id,
           sum(x.net) FILTER (WHERE t.transaction_type = 'payment') AS paid,
           sum(x.net) FILTER (WHERE t.transaction_type IN ('refund', 'chargeback')) AS refunded_cash,
           sum(x.net) FILTER (WHERE t.transaction_type = 'credit_note') AS credited,
           sum(x.net) FILTER (WHERE t.transaction_type = 'invoice') AS invoiced,
           sum(x.net) FILTER (WHERE t.transaction_type = 'write_off') AS written_off,
           count(*) AS transactions,
           min(t.occurred_at) FILTER (WHERE t.transaction_type = 'payment') AS first_paid_at,
           max(t.occurred_at) AS last_money_at
    FROM recon.match_links l
    JOIN recon.finance_transactions t ON t.transaction_id = l.left_id AND t.status = 'posted'
    JOIN recon.funnel_records rec ON rec.record_id = l.right_id
    CROSS JOIN LATERAL (
        SELECT t.amount - CASE WHEN t.tax_treatment = 'inclusive' THEN t.tax_amount ELSE 0 END - t.shipping_amount AS full_net
    ) f
    CROSS JOIN LATERAL (   -- the record's share of a split transaction, rounded to the currency
        SELECT CASE WHEN l.allocated_amount IS NULL OR l.allocated_amount = t.amount OR t.amount = 0 THEN f.full_net
                    ELSE @extschema@.recon_money_round(f.full_net * l.allocated_amount / t.amount, t.currency) END AS share
    ) a
    CROSS JOIN LATERAL (
        SELECT CASE WHEN rec.currency IS NULL OR rec.currency = t.currency THEN a.share
                    ELSE @extschema@.recon_fx_amount(a.share, t.currency,
                                                     (t.occurred_at AT TIME ZONE (SELECT tz FROM settings))::date,
                                                     rec.currency) END AS net
    ) x
    WHERE l.link_type = 'record_transaction'
    GROUP BY 1
),
campaign_account AS ( -- the account a campaign runs in, for records that carry only the campaign id
    SELECT DISTINCT ON (platform, campaign_id) platform, campaign_id, account_id
    FROM recon.ad_delivery_daily ORDER BY platform, campaign_id, report_date DESC
),
base AS (
    SELECT r.*, o.status AS opp_status, o.status_reason AS opp_reason, o.closed_at AS opp_closed_at,
           o.won_value, o.open_value, o.currency AS opp_currency, o.owner AS opp_owner,
           p.platform AS own_platform, d.record_id IS NOT NULL AS linked_duplicate
    FROM recon.funnel_records r
    LEFT JOIN opportunity o ON o.record_id = r.record_id
    LEFT JOIN recon.platforms p ON p.platform = r.channel
    LEFT JOIN duplicate d ON d.record_id = r.record_id
    WHERE r.record_type IN ('lead', 'order') OR (r.record_type = 'opportunity' AND r.parent_record_id IS NULL)
),
first_signal AS (     -- per record, its first linked signal, preferring one from the record's own channel
    SELECT DISTINCT ON (s.record_id) s.*
    FROM signal s
    JOIN recon.funnel_records r ON r.record_id = s.record_id
    ORDER BY s.record_id, (s.platform = r.channel) DESC, s.event_time, s.signal_key
),
credited AS (          -- the record's own paid channel wins; else the platform of its first linked signal
    SELECT b.*, s.signal_key, s.method, s.platform AS signal_platform, s.account_id AS signal_account,
           s.campaign_id AS signal_campaign, s.adset_id AS signal_adset, s.ad_id AS signal_ad,
           s.value AS signal_value, s.currency AS signal_currency, s.event_time,
           coalesce(b.own_platform, s.platform) AS credit_platform
    FROM base b
    LEFT JOIN first_signal s ON s.record_id = b.record_id
),
classified AS (
    SELECT c.*,
           coalesce(c.currency, c.opp_currency, c.signal_currency, (SELECT cur FROM settings)) AS record_currency,
           coalesce(recon.record_invalidity(c.status_reason, c.dq_flags),
                    CASE WHEN c.linked_duplicate THEN 'duplicate' END,
                    c.opp_status, c.status) AS final_outcome
    FROM credited c
),
valued AS (
    SELECT k.*,
           -- what the platform was told the record is worth, in the record's currency
           CASE WHEN k.signal_platform IS DISTINCT FROM k.credit_platform OR k.signal_value IS NULL THEN 0
                WHEN k.signal_currency = k.record_currency THEN k.signal_value
                ELSE @extschema@.recon_fx_amount(k.signal_value, k.signal_currency,
                                                 (k.event_time AT TIME ZONE (SELECT tz FROM settings))::date, k.record_currency)
           END AS pv,
           CASE WHEN k.final_outcome = 'won' THEN coalesce(k.won_value, k.stated_value, 0) ELSE 0 END AS booked_value,
           coalesce(m.paid, 0) AS paid, coalesce(m.refunded_cash, 0) AS refunded_cash, coalesce(m.credited, 0) AS credited,
           coalesce(m.invoiced, 0) AS invoice_total, coalesce(m.written_off, 0) AS written_off_total,
           coalesce(m.transactions, 0) AS transactions, m.first_paid_at, m.last_money_at
    FROM classified k
    LEFT JOIN money m ON m.record_id = k.record_id
)
SELECT v.record_id, v.record_type, v.crm_system, v.created_at,
       (v.created_at AT TIME ZONE s.tz)::date,
       date_trunc('month', v.created_at AT TIME ZONE s.tz)::date,
       coalesce(v.credit_platform, v.channel),
       v.credit_platform,
       coalesce(CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_account END, a.account_id),
       coalesce(CASE WHEN v.own_platform IS NOT NULL THEN v.campaign_id END,
                CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_campaign END),
       coalesce(CASE WHEN v.own_platform IS NOT NULL THEN v.adset_id END,
                CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_adset END),
       coalesce(CASE WHEN v.own_platform IS NOT NULL THEN v.ad_id END,
                CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_ad END),
       CASE WHEN v.own_platform IS NOT NULL THEN 'record channel'
            WHEN v.credit_platform IS NOT NULL THEN 'signal link (' || v.method || ')' END,
       CASE WHEN v.signal_platform = v.credit_platform THEN v.signal_key END,
       v.market, coalesce(v.opp_owner, v.owner), v.customer_id, v.record_currency,
       v.final_outcome,
       CASE WHEN v.opp_status IS NOT NULL AND v.final_outcome = v.opp_status THEN v.opp_reason ELSE v.status_reason END,
       CASE WHEN v.final_outcome = 'open' THEN NULL ELSE coalesce(v.opp_closed_at, v.closed_at) END,
       v.pv,
       v.booked_value,
       e.expected,
       e.invoiced,
       CASE WHEN v.final_outcome = 'won' THEN e.invoiced - v.refunded_cash - v.credited ELSE 0 END,
       v.paid - v.refunded_cash,
       v.refunded_cash + v.credited,
       v.written_off_total,
       CASE WHEN v.final_outcome IN ('won', 'open')
            THEN e.expected - (v.paid - v.refunded_cash) - (v.refunded_cash + v.credited) - v.written_off_total
            ELSE 0 END,
       v.transactions, v.first_paid_at, v.last_money_at
FROM valued v
CROSS JOIN settings s
LEFT JOIN campaign_account a ON a.platform = v.credit_platform AND a.campaign_id = v.campaign_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN v.final_outcome = 'won' THEN v.booked_value
                -- an open record is expected to be worth its stated value, else what the platform was told
                WHEN v.final_outcome = 'open' THEN coalesce(v.open_value, v.stated_value, v.pv)
                ELSE 0 END AS expected,
           CASE WHEN v.invoice_total <> 0 THEN v.invoice_total ELSE v.paid END AS invoiced
) e
$records$;
COMMENT ON FUNCTION recon.bridge_records_rows() IS
    'Computes the rows of recon.bridge_records (JIT off: its plan''s estimated cost would trigger a compile longer than the query).';

CREATE VIEW recon.bridge_records AS SELECT * FROM recon.bridge_records_rows();
COMMENT ON VIEW recon.bridge_records IS
    'One row per CRM lead or order (an opportunity is folded into the record it came from; an opportunity without one stands alone), unique by record_id. Credit: the record''s own paid channel and campaign ids (credited_by = record channel), else the platform of its first linked signal (signal link (method)). platform_value: the value the credited platform was sent for it (its signal), in the record''s currency. outcome: invalid (spam, test), duplicate (closed as one, or linked to an earlier record), else the opportunity''s or the record''s status (won, open, lost, cancelled). Money in the record''s currency from the transactions linked to it (match_links), net of inclusive tax and shipping: booked (won value), expected_value (won: booked; open: stated value, else platform_value), invoiced (invoices, else charges), recognized (won: invoiced minus refunds and credit notes), collected (payments minus refunds and chargebacks), refunded (refunds, chargebacks, credit notes), written_off, outstanding (won or open: expected minus collected, refunded and written off).';
COMMENT ON COLUMN recon.bridge_records.cohort_month IS
    'Month of created_at in the reporting time zone: the record''s cohort.';

-- ===== src/bridge/ledger.sql =====
-- The bridge ledger: the rows recon_bridge adds up. Platform rows carry what
-- each platform claims per campaign and report day; record rows carry, per CRM
-- record, the lines its outcome and money put it on; orphan money carries the
-- payments and refunds no record accounts for.

-- Platform claims per campaign and report day, as every report counts them
-- (recon.platform_conversions_reported: finest level, one action type per family, reported window).
CREATE FUNCTION recon.bridge_platform_rows()
RETURNS TABLE (platform text, account_id text, campaign_id text, report_date date, report_timezone text,
               currency text, conversions numeric, conversion_value numeric)
LANGUAGE sql STABLE AS $$
    SELECT c.platform, c.account_id, c.campaign_id, c.report_date, a.report_timezone, c.currency,
           sum(c.conversions), sum(c.conversion_value)
    FROM recon.platform_conversions_reported c
    JOIN recon.ad_accounts a USING (platform, account_id)
    GROUP BY 1, 2, 3, 4, 5, 6
$$;
COMMENT ON FUNCTION recon.bridge_platform_rows() IS
    'Platform-attributed conversions and value per platform, account, campaign and report day, as the reports count them (recon.platform_conversions_reported), with the account''s report time zone.';

-- amount at rate in currency cur, rounded to its minor unit; unchanged at rate 1 or when zero (no rounding call).
CREATE FUNCTION recon.bridge_convert(amount numeric, rate numeric, cur text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN rate = 1 OR amount = 0 THEN amount ELSE @extschema@.recon_money_round(amount * rate, cur) END
$$;
COMMENT ON FUNCTION recon.bridge_convert(numeric, numeric, text) IS
    'The ledger''s conversion of one amount to the reporting currency: amount * rate rounded to the currency''s minor unit, or the amount itself when the rate is 1 or the amount 0.';

-- The rows of recon.bridge_ledger (JIT off, as for recon.bridge_records).
CREATE FUNCTION recon.bridge_ledger_rows()
RETURNS TABLE (entry_key text, line text, amount numeric, quantity numeric, currency @extschema@.recon_currency_code, amount_reporting numeric,
               reporting_currency @extschema@.recon_currency_code, record_at timestamptz, as_of timestamptz, maturity_days integer[],
               cohort_day date, cohort_month date, channel text, platform text, account_id text,
               campaign_id text, adset_id text, ad_id text, market text, owner text, customer_id text,
               record_id text, record_type text, outcome text)
LANGUAGE sql STABLE
SET jit = off
AS $ledger$
WITH settings AS MATERIALIZED (
    SELECT recon.setting('reporting_timezone') AS tz, recon.setting('reporting_currency') AS cur,
           recon.setting('fx_policy') AS fx_policy, recon.setting('maturity_days')::integer[] AS points,
           recon.data_as_of() AS as_of
),
platform AS MATERIALIZED (SELECT * FROM recon.bridge_platform_rows()),
records AS MATERIALIZED (SELECT * FROM recon.bridge_records),
orphan AS MATERIALIZED (      -- posted money no record accounts for
    SELECT t.transaction_id, t.revenue_amount, t.currency, t.occurred_at, t.customer_id,
           (t.occurred_at AT TIME ZONE (SELECT tz FROM settings))::date AS day
    FROM recon.finance_transactions t
    WHERE t.status = 'posted' AND t.revenue_amount <> 0
      AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                      WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
),
-- one rate per currency and cohort day; a pair without one goes through recon_fx_convert, which names it
rates AS MATERIALIZED (
    SELECT p.currency, p.day,
           coalesce(f.rate, (@extschema@.recon_fx_convert(1, p.currency, p.day)).rate) AS rate
    FROM (SELECT currency, report_date AS day FROM platform
          UNION SELECT currency, cohort_day FROM records
          UNION SELECT currency, day FROM orphan) p
    CROSS JOIN settings s
    LEFT JOIN LATERAL recon.fx_find_rate(p.currency, s.cur, p.day, s.fx_policy) f ON true
),
entries AS (
    SELECT concat_ws(':', 'platform', p.platform, p.account_id, p.campaign_id, p.report_date) AS entry_key,
           'platform_value' AS line, p.conversion_value AS amount,
           recon.bridge_convert(p.conversion_value, x.rate, s.cur) AS amount_reporting,
           p.conversions AS quantity, p.currency,
           p.report_date::timestamp AT TIME ZONE p.report_timezone AS record_at, p.report_date AS cohort_day,
           p.platform AS channel, p.platform, p.account_id, p.campaign_id, NULL::text AS adset_id, NULL::text AS ad_id,
           NULL::text AS market, NULL::text AS owner, NULL::text AS customer_id, NULL::text AS record_id,
           NULL::text AS record_type, NULL::text AS outcome
    FROM platform p CROSS JOIN settings s
    JOIN rates x ON x.currency = p.currency AND x.day = p.report_date
    UNION ALL
    -- a record's lines: its amounts are converted first and the derived lines computed
    -- from the converted ones, so a record's lines add up in both currencies
    SELECT 'record:' || r.record_id, e.line, e.amount, e.amount_reporting, e.quantity, r.currency, r.created_at, r.cohort_day, r.channel,
           r.platform, r.account_id, r.campaign_id, r.adset_id, r.ad_id, r.market, r.owner, r.customer_id,
           r.record_id, r.record_type, r.outcome
    FROM records r CROSS JOIN settings s
    JOIN rates x ON x.currency = r.currency AND x.day = r.cohort_day
    CROSS JOIN LATERAL (
        SELECT recon.bridge_convert(r.platform_value, x.rate, s.cur) AS platform_value,
               recon.bridge_convert(r.expected_value, x.rate, s.cur) AS expected_value,
               recon.bridge_convert(r.collected, x.rate, s.cur) AS collected,
               recon.bridge_convert(r.refunded, x.rate, s.cur) AS refunded,
               recon.bridge_convert(r.written_off, x.rate, s.cur) AS written_off,
               recon.bridge_convert(r.booked, x.rate, s.cur) AS booked,
               recon.bridge_convert(r.invoiced, x.rate, s.cur) AS invoiced,
               recon.bridge_convert(r.recognized, x.rate, s.cur) AS recognized
    ) c
    CROSS JOIN LATERAL (VALUES
        ('matched_value', r.platform_value, c.platform_value, 1, r.platform IS NOT NULL),
        ('invalid_duplicate', r.platform_value, c.platform_value, 1, r.outcome IN ('invalid', 'duplicate')),
        ('lost_cancelled', r.platform_value, c.platform_value, 1, r.outcome IN ('lost', 'cancelled')),
        ('value_difference', r.expected_value - r.platform_value, c.expected_value - c.platform_value,
         CASE WHEN r.outcome = 'won' THEN 1 ELSE 0 END, r.outcome IN ('won', 'open')),
        ('refunds', r.refunded, c.refunded, 1, r.outcome IN ('won', 'open') AND r.refunded <> 0),
        ('written_off', r.written_off, c.written_off, 1, r.outcome IN ('won', 'open') AND r.written_off <> 0),
        ('timing', r.outstanding, c.expected_value - c.collected - c.refunded - c.written_off, 1,
         r.outcome = 'open' OR (r.outcome = 'won' AND r.outstanding <> 0)),
        ('collected', r.collected, c.collected, 1, r.collected <> 0),
        ('booked', r.booked, c.booked, 1, r.outcome = 'won'),
        ('invoiced', r.invoiced, c.invoiced, 1, r.invoiced <> 0),
        ('recognized', r.recognized, c.recognized, 1, r.recognized <> 0)
    ) AS e(line, amount, amount_reporting, quantity, applies)
    WHERE e.applies
    UNION ALL
    SELECT 'transaction:' || o.transaction_id, l.line, o.revenue_amount, recon.bridge_convert(o.revenue_amount, x.rate, s.cur), 1, o.currency,
           o.occurred_at, o.day, 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL, o.customer_id, NULL, NULL, NULL
    FROM orphan o CROSS JOIN settings s
    JOIN rates x ON x.currency = o.currency AND x.day = o.day
    CROSS JOIN (VALUES ('unmatched_revenue'), ('collected')) AS l(line)
)
SELECT e.entry_key, e.line, e.amount, e.quantity, e.currency, e.amount_reporting, s.cur,
       e.record_at, s.as_of, s.points, e.cohort_day, date_trunc('month', e.cohort_day)::date,
       e.channel, e.platform, e.account_id, e.campaign_id, e.adset_id, e.ad_id, e.market, e.owner, e.customer_id,
       e.record_id, e.record_type, e.outcome
FROM entries e CROSS JOIN settings s
$ledger$;
COMMENT ON FUNCTION recon.bridge_ledger_rows() IS
    'Computes the rows of recon.bridge_ledger (JIT off: its plan''s estimated cost would trigger a compile longer than the query).';

CREATE VIEW recon.bridge_ledger AS SELECT * FROM recon.bridge_ledger_rows();
COMMENT ON VIEW recon.bridge_ledger IS
    'The rows recon_bridge adds up, one per (entry_key, line), entry_key naming the source (platform:<platform>:<account>:<campaign>:<day>, record:<record_id>, transaction:<transaction_id>): platform_value per campaign and report day (quantity = platform conversions, cohort = the platform''s report day); per CRM record (recon.bridge_records) matched_value (credited records: what the platform was told they are worth), invalid_duplicate, lost_cancelled, value_difference, refunds, written_off, timing, collected, booked, invoiced, recognized as its outcome and money put it on (cohort = its creation day in the reporting zone); per posted transaction no record accounts for, unmatched_revenue and collected (channel unknown). amount and currency are the original ones; amount_reporting is converted at the cohort day (fx_policy) and rounded to the reporting currency. Use: SELECT campaign_id, cohort_month, (recon_bridge(line, amount, quantity, currency, record_at, as_of, maturity_days)).* FROM recon.bridge_ledger GROUP BY 1, 2.';

-- ===== src/bridge/views.sql =====
-- The bridge per campaign and cohort month in the reporting currency: what
-- reports, the freeze policy and the materialized layers read.

CREATE FUNCTION recon.bridge_campaign_month_rows()
RETURNS TABLE (channel text, platform text, account_id text, campaign_id text, cohort_month date,
               bridge @extschema@.recon_bridge_result)
LANGUAGE sql STABLE
SET jit = off
AS $$
    SELECT channel, platform, account_id, campaign_id, cohort_month,
           @extschema@.recon_bridge(line, amount_reporting, quantity, reporting_currency, record_at, as_of, maturity_days)
    FROM recon.bridge_ledger
    GROUP BY 1, 2, 3, 4, 5
$$;
COMMENT ON FUNCTION recon.bridge_campaign_month_rows() IS
    'Computes the rows of recon.bridge_campaign_month (JIT off, as for the ledger).';

CREATE VIEW recon.bridge_campaign_month AS
    SELECT channel, platform, account_id, campaign_id, cohort_month, (bridge).*
    FROM recon.bridge_campaign_month_rows();
COMMENT ON VIEW recon.bridge_campaign_month IS
    'recon_bridge per channel, platform, account, campaign and cohort month (unique on those five; NULL platform, account and campaign for records no platform is credited with), in the reporting currency: platform_value + unmatched + invalid_duplicate + lost_cancelled + value_difference + refunds + written_off + timing + residual = collected, the records behind each line, booked/invoiced/recognized, match rate and the cohort''s maturity. Sum lines only across cohorts of the same maturity.';

-- The bridge in long form (one row per campaign, cohort month and line) for the freeze policy.
CREATE VIEW recon.bridge_figures AS
    SELECT concat_ws(':', b.channel, b.account_id, b.campaign_id) AS subject, b.cohort_month AS period,
           'bridge.' || l.line AS metric, l.value
    FROM recon.bridge_campaign_month b
    CROSS JOIN LATERAL (VALUES
        ('platform_value', b.platform_value), ('unmatched', b.unmatched), ('invalid_duplicate', b.invalid_duplicate),
        ('lost_cancelled', b.lost_cancelled), ('value_difference', b.value_difference), ('refunds', b.refunds),
        ('written_off', b.written_off), ('timing', b.timing), ('residual', b.residual), ('collected', b.collected)
    ) AS l(line, value);
COMMENT ON VIEW recon.bridge_figures IS
    'The bridge lines of recon.bridge_campaign_month in long form: subject = channel:account:campaign, period = cohort month, metric = bridge.<line>, value in the reporting currency.';

-- ===== src/layers/ladder.sql =====
-- The outcome ladder: the steps a conversion climbs from the platform's claim to
-- the money (services: platform_conversion -> captured -> valid -> contacted ->
-- qualified -> proposal -> won -> invoiced -> paid; e-commerce: platform_conversion
-- -> placed -> confirmed -> shipped -> delivered -> collected), with negative exits
-- (disqualified, lost, cancelled, returned, refunded), and the mapping of each CRM
-- system's own stage names onto those steps. Both are configuration kept like the
-- metrics contract: append-only logs (who, when, why; UPDATE, DELETE and TRUNCATE
-- raise 23001), the latest version in force. docs/ladder.md explains the rules.

------------------------------------------------------------------ presets
CREATE FUNCTION recon.ladder_presets()
RETURNS TABLE (preset text, rung integer, step text, kind text, layer text, is_response boolean,
               description text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.preset, p.rung, p.step, p.kind, p.layer, p.is_response, p.description
    FROM (VALUES
        ('services', 1, 'platform_conversion', 'progress', 'platform', false, 'The platform claims a conversion (a lead form, a pixel or API event).'),
        ('services', 2, 'captured', 'progress', 'crm', false, 'The lead exists in the CRM (every record reaches this step when it is created).'),
        ('services', 3, 'valid', 'progress', 'crm', false, 'Checked: a real prospect, not spam, a test or a duplicate.'),
        ('services', 4, 'contacted', 'progress', 'crm', true, 'Someone from sales reached the lead (the first response).'),
        ('services', 5, 'qualified', 'progress', 'crm', false, 'Sales accepted it: an opportunity with a need, a budget and a decision maker.'),
        ('services', 6, 'proposal', 'progress', 'crm', false, 'A proposal or quote was sent.'),
        ('services', 7, 'won', 'progress', 'crm', false, 'The deal is signed.'),
        ('services', 8, 'invoiced', 'progress', 'finance', false, 'Finance invoiced the deal.'),
        ('services', 9, 'paid', 'progress', 'finance', false, 'The invoice was paid.'),
        ('services', 10, 'disqualified', 'exit', 'crm', false, 'Closed before qualification: spam, test, duplicate, not qualified, no response.'),
        ('services', 11, 'lost', 'exit', 'crm', false, 'Closed after qualification: competitor, no budget, no decision.'),
        ('ecommerce', 1, 'platform_conversion', 'progress', 'platform', false, 'The platform claims a purchase (a pixel or API event).'),
        ('ecommerce', 2, 'placed', 'progress', 'crm', false, 'The order exists in the shop (every order reaches this step when it is created).'),
        ('ecommerce', 3, 'confirmed', 'progress', 'crm', true, 'The shop accepted the order (payment authorized, stock reserved): the first response.'),
        ('ecommerce', 4, 'shipped', 'progress', 'crm', false, 'The order left the warehouse.'),
        ('ecommerce', 5, 'delivered', 'progress', 'crm', false, 'The customer received it.'),
        ('ecommerce', 6, 'collected', 'progress', 'finance', false, 'The money arrived and stayed (net of refunds).'),
        ('ecommerce', 7, 'cancelled', 'exit', 'crm', false, 'Cancelled before delivery: by the customer, a declined payment, a test order.'),
        ('ecommerce', 8, 'returned', 'exit', 'crm', false, 'Sent back after delivery, or never delivered.'),
        ('ecommerce', 9, 'refunded', 'exit', 'finance', false, 'The money went back to the customer.')
    ) AS p(preset, rung, step, kind, layer, is_response, description)
$$;
COMMENT ON FUNCTION recon.ladder_presets() IS
    'The ladders recon ships, step by step: services (platform_conversion, captured, valid, contacted, qualified, proposal, won, invoiced, paid; exits disqualified and lost) and ecommerce (platform_conversion, placed, confirmed, shipped, delivered, collected; exits cancelled, returned, refunded). kind: progress or exit; layer: the system whose data reaches the step; is_response: entering this step or any later one (or an exit) is the first response.';

-- Stage names the presets know, per naming (the demo's CRM and shop, HubSpot's and
-- Salesforce's default values). NULL step: the name is known and deliberately off
-- the ladder (an abandoned checkout is not an order).
CREATE FUNCTION recon.ladder_preset_stages()
RETURNS TABLE (preset text, naming text, stage text, step text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT s.preset, s.naming, s.stage, s.step
    FROM (VALUES
        -- the demo's CRM (leads, then opportunities) and shop (orders)
        ('services', 'recon_demo', 'captured', 'captured'),
        ('services', 'recon_demo', 'valid', 'valid'),
        ('services', 'recon_demo', 'contacted', 'contacted'),
        ('services', 'recon_demo', 'converted', 'qualified'),
        ('services', 'recon_demo', 'qualified', 'qualified'),
        ('services', 'recon_demo', 'proposal', 'proposal'),
        ('services', 'recon_demo', 'won', 'won'),
        ('services', 'recon_demo', 'disqualified', 'disqualified'),
        ('services', 'recon_demo', 'lost', 'lost'),
        ('ecommerce', 'recon_demo', 'placed', 'placed'),
        ('ecommerce', 'recon_demo', 'confirmed', 'confirmed'),
        ('ecommerce', 'recon_demo', 'shipped', 'shipped'),
        ('ecommerce', 'recon_demo', 'delivered', 'delivered'),
        ('ecommerce', 'recon_demo', 'cancelled', 'cancelled'),
        ('ecommerce', 'recon_demo', 'returned', 'returned'),
        ('ecommerce', 'recon_demo', 'refunded', 'refunded'),
        -- HubSpot: lifecycle stages, lead status and the default sales pipeline's deal stages (internal values)
        ('services', 'hubspot', 'subscriber', 'captured'),
        ('services', 'hubspot', 'lead', 'captured'),
        ('services', 'hubspot', 'marketingqualifiedlead', 'valid'),
        ('services', 'hubspot', 'salesqualifiedlead', 'qualified'),
        ('services', 'hubspot', 'opportunity', 'qualified'),
        ('services', 'hubspot', 'customer', 'won'),
        ('services', 'hubspot', 'NEW', 'captured'),
        ('services', 'hubspot', 'OPEN', 'valid'),
        ('services', 'hubspot', 'ATTEMPTED_TO_CONTACT', 'valid'),
        ('services', 'hubspot', 'IN_PROGRESS', 'contacted'),
        ('services', 'hubspot', 'CONNECTED', 'contacted'),
        ('services', 'hubspot', 'OPEN_DEAL', 'qualified'),
        ('services', 'hubspot', 'UNQUALIFIED', 'disqualified'),
        ('services', 'hubspot', 'BAD_TIMING', 'disqualified'),
        ('services', 'hubspot', 'appointmentscheduled', 'contacted'),
        ('services', 'hubspot', 'qualifiedtobuy', 'qualified'),
        ('services', 'hubspot', 'presentationscheduled', 'qualified'),
        ('services', 'hubspot', 'decisionmakerboughtin', 'proposal'),
        ('services', 'hubspot', 'contractsent', 'proposal'),
        ('services', 'hubspot', 'closedwon', 'won'),
        ('services', 'hubspot', 'closedlost', 'lost'),
        -- HubSpot's ecommerce pipeline
        ('ecommerce', 'hubspot', 'checkout_abandoned', NULL),
        ('ecommerce', 'hubspot', 'checkout_pending', 'placed'),
        ('ecommerce', 'hubspot', 'checkout_completed', 'confirmed'),
        ('ecommerce', 'hubspot', 'processed', 'confirmed'),
        ('ecommerce', 'hubspot', 'shipped', 'shipped'),
        ('ecommerce', 'hubspot', 'cancelled', 'cancelled'),
        -- Salesforce: lead status and opportunity stages (default picklist values)
        ('services', 'salesforce', 'Open - Not Contacted', 'captured'),
        ('services', 'salesforce', 'Working - Contacted', 'contacted'),
        ('services', 'salesforce', 'Closed - Converted', 'qualified'),
        ('services', 'salesforce', 'Closed - Not Converted', 'disqualified'),
        ('services', 'salesforce', 'Prospecting', 'qualified'),
        ('services', 'salesforce', 'Qualification', 'qualified'),
        ('services', 'salesforce', 'Needs Analysis', 'qualified'),
        ('services', 'salesforce', 'Value Proposition', 'qualified'),
        ('services', 'salesforce', 'Id. Decision Makers', 'qualified'),
        ('services', 'salesforce', 'Perception Analysis', 'qualified'),
        ('services', 'salesforce', 'Proposal/Price Quote', 'proposal'),
        ('services', 'salesforce', 'Negotiation/Review', 'proposal'),
        ('services', 'salesforce', 'Closed Won', 'won'),
        ('services', 'salesforce', 'Closed Lost', 'lost'),
        -- Salesforce orders
        ('ecommerce', 'salesforce', 'Draft', 'placed'),
        ('ecommerce', 'salesforce', 'Activated', 'confirmed')
    ) AS s(preset, naming, stage, step)
$$;
COMMENT ON FUNCTION recon.ladder_preset_stages() IS
    'Stage names each preset maps, per naming: recon_demo (the demo''s CRM and shop), hubspot (lifecycle stages, lead status, default deal and ecommerce pipeline stages, internal values) and salesforce (default lead status, opportunity stage and order status values). A NULL step means the name is known and deliberately off the ladder.';

------------------------------------------------------------------ the ladder log
CREATE TABLE recon.ladder_log (
    change_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ladder      text COLLATE "C" NOT NULL CHECK (ladder ~ '^[a-z][a-z0-9_]{0,62}$'),
    version     integer NOT NULL CHECK (version > 0),
    preset      text COLLATE "C",
    steps       jsonb NOT NULL,
    changed_by  text NOT NULL DEFAULT current_user,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    UNIQUE (ladder, version)
);
COMMENT ON TABLE recon.ladder_log IS
    'Append-only history of the outcome ladders: one row per version of a ladder, its steps in order (a jsonb array of {step, kind, layer, is_response, description}), the preset it came from, who, when and why. The latest version is in force (recon.ladder_steps). UPDATE, DELETE and TRUNCATE are rejected; write through recon.apply_ladder_preset.';
SELECT pg_catalog.pg_extension_config_dump('recon.ladder_log', '');
SELECT pg_catalog.pg_extension_config_dump('recon.ladder_log_change_id_seq', '');

CREATE FUNCTION recon.ladder_log_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_version integer;
    bad text;
BEGIN
    IF NEW.reason IS NULL OR btrim(NEW.reason) = '' THEN
        RAISE EXCEPTION 'a reason is required to change ladder "%"', NEW.ladder
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why, for example ''services firm: leads, opportunities, invoices''.';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('recon.ladder:' || NEW.ladder));
    SELECT max(version) INTO last_version FROM recon.ladder_log WHERE ladder = NEW.ladder;
    IF NEW.version IS NULL THEN
        NEW.version := coalesce(last_version, 0) + 1;
    ELSIF NEW.version <> coalesce(last_version, 0) + 1 THEN
        RAISE EXCEPTION 'ladder "%" version % is out of sequence: the next version is %',
                        NEW.ladder, NEW.version, coalesce(last_version, 0) + 1
            USING ERRCODE = 'unique_violation';
    END IF;
    IF jsonb_typeof(NEW.steps) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'ladder "%" steps must be a jsonb array of {step, kind, layer}, got %', NEW.ladder, NEW.steps
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT string_agg(coalesce(e ->> 'step', '(no name)'), ', ') INTO bad
    FROM jsonb_array_elements(NEW.steps) AS e
    WHERE coalesce(e ->> 'step', '') !~ '^[a-z][a-z0-9_]{0,62}$'
       OR coalesce(e ->> 'kind', '') NOT IN ('progress', 'exit')
       OR coalesce(e ->> 'layer', '') NOT IN ('platform', 'crm', 'finance');
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ladder "%" has malformed steps: %', NEW.ladder, bad
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A step is a lower-case name, a kind (progress or exit) and a layer (platform, crm or finance).';
    END IF;
    SELECT string_agg(s, ', ') INTO bad
    FROM (SELECT e ->> 'step' AS s FROM jsonb_array_elements(NEW.steps) e GROUP BY 1 HAVING count(*) > 1) d;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ladder "%" names a step twice: %', NEW.ladder, bad
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_array_length(NEW.steps) > 63 THEN
        RAISE EXCEPTION 'ladder "%" has % steps, more than 63', NEW.ladder, jsonb_array_length(NEW.steps)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT count(*) FROM jsonb_array_elements(NEW.steps) e WHERE e ->> 'kind' = 'progress' AND e ->> 'layer' = 'crm') = 0 THEN
        RAISE EXCEPTION 'ladder "%" has no progress step in the crm layer', NEW.ladder
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Every record reaches the first crm progress step when it is created.';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.ladder_log_before_insert() IS
    'Trigger: requires a reason (22004), numbers each ladder version, and checks its steps (22023: names, kinds, layers, no step twice, at most 63 steps, at least one crm progress step).';
CREATE TRIGGER ladder_log_sequence BEFORE INSERT ON recon.ladder_log
    FOR EACH ROW EXECUTE FUNCTION recon.ladder_log_before_insert();
SELECT recon.make_append_only('recon.ladder_log');

CREATE VIEW recon.ladders AS
    SELECT l.ladder, l.version, l.preset,
           ARRAY(SELECT e ->> 'step' FROM jsonb_array_elements(l.steps) WITH ORDINALITY AS s(e, n)
                 WHERE e ->> 'kind' = 'progress' ORDER BY n) AS steps,
           ARRAY(SELECT e ->> 'step' FROM jsonb_array_elements(l.steps) WITH ORDINALITY AS s(e, n)
                 WHERE e ->> 'kind' = 'exit' ORDER BY n) AS exits,
           CASE WHEN l.version = max(l.version) OVER (PARTITION BY l.ladder) THEN 'current' ELSE 'superseded' END AS status,
           l.changed_by, l.changed_at, l.reason
    FROM recon.ladder_log l;
COMMENT ON VIEW recon.ladders IS
    'Every version of every outcome ladder: its progress steps and exits in order, the preset it came from, status (current or superseded), who changed it, when and why. Unique key: (ladder, version).';

CREATE VIEW recon.ladder_steps AS
    SELECT l.ladder, l.version, s.n::integer AS rung, s.e ->> 'step' AS step, s.e ->> 'kind' AS kind,
           s.e ->> 'layer' AS layer, coalesce((s.e ->> 'is_response')::boolean, false) AS is_response,
           s.e ->> 'description' AS description
    FROM recon.ladder_log l
    CROSS JOIN LATERAL jsonb_array_elements(l.steps) WITH ORDINALITY AS s(e, n)
    WHERE l.version = (SELECT max(version) FROM recon.ladder_log m WHERE m.ladder = l.ladder);
COMMENT ON VIEW recon.ladder_steps IS
    'The steps of each ladder''s version in force, one row per step: rung (the step''s place on the ladder, 1 at the bottom), kind (progress or exit), layer whose data reaches it (platform, crm, finance), is_response (entering it, a later step or an exit is the first response) and description. Unique key: (ladder, step).';

------------------------------------------------------------------ the stage map log
CREATE TABLE recon.stage_map_log (
    change_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    crm_system  text COLLATE "C" NOT NULL,
    stage       text COLLATE "C" NOT NULL,
    version     integer NOT NULL CHECK (version > 0),
    action      text COLLATE "C" NOT NULL CHECK (action IN ('map', 'off', 'unmap')),
    ladder      text COLLATE "C",
    step        text COLLATE "C",
    changed_by  text NOT NULL DEFAULT current_user,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    UNIQUE (crm_system, stage, version),
    CONSTRAINT stage_map_log_step_on_ladder CHECK ((ladder IS NULL) = (step IS NULL) AND (action = 'map') = (step IS NOT NULL))
);
COMMENT ON TABLE recon.stage_map_log IS
    'Append-only history of the mapping of CRM stage names onto ladder steps: one row per change of a (crm_system, stage): action map (onto the ladder and step), off (deliberately off the ladder) or unmap (taken off when the system switched ladders: listed as an exception again), who, when and why. The latest version is in force (recon.stage_map). UPDATE, DELETE and TRUNCATE are rejected; write through recon.map_stage or recon.apply_ladder_preset.';
COMMENT ON COLUMN recon.stage_map_log.stage IS
    'The stage name exactly as funnel_records.stage and funnel_stage_history.stage hold it (case and spaces matter: HubSpot sends internal values, Salesforce picklist values).';
SELECT pg_catalog.pg_extension_config_dump('recon.stage_map_log', '');
SELECT pg_catalog.pg_extension_config_dump('recon.stage_map_log_change_id_seq', '');

CREATE VIEW recon.stage_map AS
    SELECT m.crm_system, m.stage, m.ladder, m.step, s.rung, s.kind,
           CASE WHEN m.action = 'off' THEN 'off the ladder'
                WHEN m.action = 'unmap' THEN 'unmapped'
                WHEN s.step IS NULL THEN 'step not on the current ladder'
                ELSE 'mapped' END AS status,
           m.version, m.changed_by, m.changed_at, m.reason
    FROM (SELECT DISTINCT ON (crm_system, stage) *
          FROM recon.stage_map_log ORDER BY crm_system, stage, version DESC) m
    LEFT JOIN recon.ladder_steps s ON s.ladder = m.ladder AND s.step = m.step;
COMMENT ON VIEW recon.stage_map IS
    'The mapping in force, one row per CRM system and stage name: the ladder and step it counts as, its rung and kind, status (mapped; off the ladder, deliberately; unmapped, taken off when the system switched ladders; step not on the current ladder, when a later ladder version dropped it), the mapping''s version, who, when and why. Unique key: (crm_system, stage).';

-- The ladder a CRM system follows: the ladder of its mapped stages (one per system).
CREATE FUNCTION recon.crm_ladder(crm_system text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT min(m.ladder) FROM recon.stage_map m WHERE m.crm_system = crm_ladder.crm_system AND m.ladder IS NOT NULL
$$;
COMMENT ON FUNCTION recon.crm_ladder(text) IS
    'The ladder a CRM system follows (the ladder its stages map to; one per system), or NULL when none of its stages is mapped.';

CREATE FUNCTION recon.stage_map_log_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    followed text;
    ladder_version integer;
BEGIN
    IF NEW.reason IS NULL OR btrim(NEW.reason) = '' THEN
        RAISE EXCEPTION 'a reason is required to map stage "%" of CRM system "%"', NEW.stage, NEW.crm_system
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why, for example ''our pipeline calls a qualified lead SQL''.';
    END IF;
    IF NEW.crm_system IS NULL OR NEW.stage IS NULL THEN
        RAISE EXCEPTION 'a stage mapping needs a CRM system and a stage name, got % and %',
                        coalesce(quote_literal(NEW.crm_system), 'NULL'), coalesce(quote_literal(NEW.stage), 'NULL')
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF btrim(NEW.crm_system) = '' OR btrim(NEW.stage) = '' THEN
        RAISE EXCEPTION 'a stage mapping needs a non-blank CRM system and stage name, got "%" and "%"', NEW.crm_system, NEW.stage
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use the values of funnel_records.crm_system and funnel_records.stage.';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('recon.stage_map:' || NEW.crm_system));
    IF NEW.step IS NULL THEN
        NEW.ladder := NULL;
        NEW.action := coalesce(nullif(NEW.action, 'map'), 'off');   -- deliberately off the ladder, unless unmapped
    ELSE
        NEW.action := 'map';
        followed := recon.crm_ladder(NEW.crm_system);
        IF NEW.ladder IS NULL THEN
            NEW.ladder := followed;
        END IF;
        IF NEW.ladder IS NULL THEN
            RAISE EXCEPTION 'CRM system "%" follows no ladder yet, so stage "%" cannot be mapped to step "%"',
                            NEW.crm_system, NEW.stage, NEW.step
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = format('Apply a preset first, e.g. SELECT * FROM recon.apply_ladder_preset(''services'', %L, ''why''), or name the ladder.', NEW.crm_system);
        END IF;
        SELECT max(version) INTO ladder_version FROM recon.ladder_log WHERE ladder = NEW.ladder;
        IF ladder_version IS NULL THEN
            RAISE EXCEPTION 'ladder "%" is not defined', NEW.ladder
                USING ERRCODE = 'undefined_object',
                      HINT = 'recon.ladders lists the ladders; recon.apply_ladder_preset defines one from a preset (services, ecommerce).';
        END IF;
        IF followed IS NOT NULL AND followed <> NEW.ladder THEN
            RAISE EXCEPTION 'CRM system "%" follows ladder "%": stage "%" cannot map to ladder "%"',
                            NEW.crm_system, followed, NEW.stage, NEW.ladder
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'A CRM system follows one ladder; recon.apply_ladder_preset switches a system to another ladder.';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM recon.ladder_steps s WHERE s.ladder = NEW.ladder AND s.step = NEW.step) THEN
            RAISE EXCEPTION 'step "%" is not on ladder "%" (version %)', NEW.step, NEW.ladder, ladder_version
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = (SELECT 'Its steps: ' || string_agg(s.step, ', ' ORDER BY s.rung) || '.'
                              FROM recon.ladder_steps s WHERE s.ladder = NEW.ladder);
        END IF;
    END IF;
    NEW.version := coalesce((SELECT max(version) FROM recon.stage_map_log l
                             WHERE l.crm_system = NEW.crm_system AND l.stage = NEW.stage), 0) + 1;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.stage_map_log_before_insert() IS
    'Trigger: requires a reason (22004), a CRM system and stage (22004 NULL, 22023 blank); sets the action (map with a step, else off unless unmap); fills the ladder from the one the CRM system follows; checks that the ladder exists (42704), that the system follows no other ladder and that the step is on it (22023); numbers the mapping''s version.';
CREATE TRIGGER stage_map_log_check BEFORE INSERT ON recon.stage_map_log
    FOR EACH ROW EXECUTE FUNCTION recon.stage_map_log_before_insert();
SELECT recon.make_append_only('recon.stage_map_log');

------------------------------------------------------------------ functions
CREATE FUNCTION recon.map_stage(crm_system text, stage text, step text, reason text, ladder text DEFAULT NULL)
RETURNS integer LANGUAGE sql AS $$
    INSERT INTO recon.stage_map_log (crm_system, stage, ladder, step, reason)
    VALUES (crm_system, stage, ladder, step, reason)
    RETURNING version
$$;
COMMENT ON FUNCTION recon.map_stage(text, text, text, text, text) IS
    'Maps a CRM system''s stage name onto a step of the ladder the system follows (or of the ladder named, for a system that follows none yet); step NULL takes the stage deliberately off the ladder. The reason is required. Returns the mapping''s version. Errors: 22004 (no reason, NULL names), 22023 (unknown step, another ladder), 42704 (unknown ladder).';

CREATE FUNCTION recon.apply_ladder_preset(preset text, crm_system text, reason text, naming text DEFAULT 'all')
RETURNS TABLE (ladder text, ladder_version integer, stages_mapped integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
    wanted jsonb;
    current_steps jsonb;
    followed text;
    mapped integer := 0;
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a reason is required to apply ladder preset %', coalesce(quote_literal(preset), 'NULL')
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why, for example ''our CRM follows the services ladder''.';
    END IF;
    IF crm_system IS NULL THEN
        RAISE EXCEPTION 'apply_ladder_preset needs the CRM system whose stages follow the ladder'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Use a value of funnel_records.crm_system.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM recon.ladder_presets() p WHERE p.preset = apply_ladder_preset.preset) THEN
        RAISE EXCEPTION 'unknown ladder preset %', coalesce(quote_literal(preset), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The presets are: ' || (SELECT string_agg(DISTINCT p.preset, ', ') FROM recon.ladder_presets() p) || '.';
    END IF;
    IF naming IS NULL OR (naming <> 'all' AND NOT EXISTS (SELECT 1 FROM recon.ladder_preset_stages() s WHERE s.naming = apply_ladder_preset.naming)) THEN
        RAISE EXCEPTION 'unknown stage naming %', coalesce(quote_literal(naming), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use all, or one of: ' || (SELECT string_agg(DISTINCT s.naming, ', ') FROM recon.ladder_preset_stages() s) || '.';
    END IF;

    -- 1. The ladder: a new version only when the preset's steps differ from the one in force.
    SELECT jsonb_agg(jsonb_build_object('step', p.step, 'kind', p.kind, 'layer', p.layer,
                                        'is_response', p.is_response, 'description', p.description) ORDER BY p.rung)
      INTO wanted FROM recon.ladder_presets() p WHERE p.preset = apply_ladder_preset.preset;
    SELECT l.steps INTO current_steps FROM recon.ladder_log l
     WHERE l.ladder = apply_ladder_preset.preset ORDER BY l.version DESC LIMIT 1;
    IF current_steps IS DISTINCT FROM wanted THEN
        INSERT INTO recon.ladder_log (ladder, preset, steps, reason) VALUES (preset, preset, wanted, reason);
    END IF;

    -- 2. A system that followed another ladder: its old mappings are taken off (logged, with the reason).
    followed := recon.crm_ladder(crm_system);
    IF followed IS NOT NULL AND followed <> preset THEN
        INSERT INTO recon.stage_map_log (crm_system, stage, action, ladder, step, reason)
        SELECT m.crm_system, m.stage, 'unmap', NULL, NULL, format('switched from ladder %s to %s: %s', followed, preset, reason)
        FROM recon.stage_map m WHERE m.crm_system = apply_ladder_preset.crm_system AND m.ladder IS NOT NULL
        ORDER BY m.stage;
    END IF;

    -- 3. The preset's stage names the system has not mapped yet (the user's own mappings stay).
    INSERT INTO recon.stage_map_log (crm_system, stage, ladder, step, reason)
    SELECT crm_system, s.stage, CASE WHEN s.step IS NOT NULL THEN preset END, s.step, reason
    FROM (SELECT DISTINCT ON (p.stage) p.stage, p.step
          FROM recon.ladder_preset_stages() p
          WHERE p.preset = apply_ladder_preset.preset AND naming IN ('all', p.naming)
          ORDER BY p.stage, p.naming) s
    WHERE NOT EXISTS (SELECT 1 FROM recon.stage_map m
                      WHERE m.crm_system = apply_ladder_preset.crm_system AND m.stage = s.stage
                        AND (m.ladder = preset OR m.status = 'off the ladder'))
    ORDER BY s.stage;
    GET DIAGNOSTICS mapped = ROW_COUNT;

    RETURN QUERY SELECT preset, (SELECT max(l.version) FROM recon.ladder_log l WHERE l.ladder = preset), mapped;
END $$;
COMMENT ON FUNCTION recon.apply_ladder_preset(text, text, text, text) IS
    'Puts a preset ladder (services or ecommerce) in force for a CRM system: records a new ladder version when the preset''s steps differ from the version in force, unmaps the system''s stages mapped to another ladder (logged; they are exceptions again until mapped), and maps the preset''s known stage names (naming: all, recon_demo, hubspot, salesforce) that the system has neither mapped to this ladder nor taken off it itself. The reason is required. Returns the ladder, its version and how many stage names were mapped. Errors: 22004 (no reason, no CRM system), 22023 (unknown preset or naming).';

------------------------------------------------------------------ progress per record
-- Each lead's or order's furthest step, from its stage history through the mapping.
-- One hash aggregate per record over every stage entry (sorting 4M entries by
-- record would cost more than the rest of the query): the furthest step and when it
-- was first entered travel in one bigint, max(rung * 10^16 + (10^16 - 1 - t)), t the
-- entry's microseconds since 1900 (so the highest rung wins, and on it the earliest
-- entry); the last exit likewise as max(t * 64 + rung). A function under the view for
-- the settings a view cannot carry: memory for that hash, and no JIT (its compile
-- takes longer than the query).
CREATE FUNCTION recon.ladder_progress_rows()
RETURNS TABLE (record_id text, record_type text, crm_system text, created_at timestamptz, ladder text,
               furthest_step text, furthest_rung integer, reached_at timestamptz,
               exit_step text, exited_at timestamptz, first_response_at timestamptz, unmapped_entries integer,
               unmapped_stage text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $progress$
WITH steps AS MATERIALIZED (            -- the ladders in force, with each one's response and creation steps
    SELECT s.ladder, s.step, s.rung, s.kind,
           s.kind = 'exit' OR s.rung >= min(s.rung) FILTER (WHERE s.is_response) OVER (PARTITION BY s.ladder) AS responds,
           s.rung = min(s.rung) FILTER (WHERE s.kind = 'progress' AND s.layer = 'crm') OVER (PARTITION BY s.ladder) AS on_creation
    FROM recon.ladder_steps s
), map AS MATERIALIZED (                -- every stage name with a mapping (off_ladder: deliberately none)
    SELECT m.crm_system, m.stage, s.ladder, dense_rank() OVER (ORDER BY s.ladder) AS ladder_no, s.step, s.rung, s.kind,
           s.responds, m.status = 'off the ladder' AS off_ladder
    FROM recon.stage_map m LEFT JOIN steps s ON s.ladder = m.ladder AND s.step = m.step
), systems AS MATERIALIZED (            -- the ladder each CRM system follows, and its creation step
    SELECT y.crm_system, y.ladder, y.ladder_no, s.step AS creation_step, s.rung AS creation_rung
    FROM (SELECT crm_system, min(ladder) AS ladder, min(ladder_no) AS ladder_no FROM map WHERE ladder IS NOT NULL
          GROUP BY crm_system) y
    LEFT JOIN steps s ON s.ladder = y.ladder AND s.on_creation
), entries AS (                         -- stage entries, and the current stage (entered when it closed, else unknown);
                                        -- an opportunity's count for the lead it came from
    SELECT CASE WHEN r.record_type = 'opportunity' AND r.parent_record_id IS NOT NULL THEN r.parent_record_id
                ELSE r.record_id END AS root_id, r.crm_system, h.stage, h.entered_at
    FROM recon.funnel_stage_history h JOIN recon.funnel_records r ON r.record_id = h.record_id
    UNION ALL
    SELECT CASE WHEN r.record_type = 'opportunity' AND r.parent_record_id IS NOT NULL THEN r.parent_record_id
                ELSE r.record_id END, r.crm_system, r.stage, CASE WHEN r.status <> 'open' THEN r.closed_at END
    FROM recon.funnel_records r
), per_record AS (                      -- plain aggregates only: they keep the hash table small
    SELECT e.root_id,
           max(m.rung * 10000000000000000 + 9999999999999999 - coalesce(k.us, 9999999999999999))
               FILTER (WHERE m.kind = 'progress') AS top,
           max(e.entered_at) FILTER (WHERE m.kind = 'progress') AS last_progress_at,
           min(e.entered_at) FILTER (WHERE m.responds) AS first_response_at,
           max(coalesce(k.us, 0) * 64 + m.rung) FILTER (WHERE m.kind = 'exit') AS last_exit,
           -- a name no mapping puts on a ladder is counted, never dropped
           count(*) FILTER (WHERE m.ladder IS NULL) AS unmapped_entries,
           min(e.stage) FILTER (WHERE m.ladder IS NULL) AS unmapped_stage,
           count(m.ladder) AS mapped_entries, min(m.ladder_no) AS ladder_min, max(m.ladder_no) AS ladder_max
    FROM entries e
    LEFT JOIN map m ON m.crm_system = e.crm_system AND m.stage = e.stage
    CROSS JOIN LATERAL (SELECT (date_part('epoch', e.entered_at) * 1000000)::bigint + 2208988800000000 AS us) k
    WHERE m.off_ladder IS DISTINCT FROM true
    GROUP BY e.root_id
), decoded AS (
    SELECT p.root_id, (p.top / 10000000000000000)::integer AS top_rung,
           nullif(9999999999999999 - p.top % 10000000000000000, 9999999999999999) AS top_us,
           p.last_progress_at, p.first_response_at,
           (p.last_exit % 64)::integer AS exit_rung, nullif(p.last_exit / 64, 0) AS exit_us,
           p.unmapped_entries, p.unmapped_stage, p.mapped_entries, p.ladder_min, p.ladder_max
    FROM per_record p
)
SELECT x.record_id, x.record_type, x.crm_system, x.created_at, y.ladder,
       CASE WHEN d.top_rung > y.creation_rung AND NOT c.mixed THEN f.step ELSE y.creation_step END,
       CASE WHEN c.mixed THEN y.creation_rung ELSE greatest(d.top_rung, y.creation_rung) END,
       CASE WHEN d.top_rung > y.creation_rung AND NOT c.mixed THEN tt.reached_at WHEN y.ladder IS NOT NULL THEN x.created_at END,
       CASE WHEN c.closed THEN ex.step END, CASE WHEN c.closed THEN tt.exited_at END,
       CASE WHEN NOT c.mixed THEN d.first_response_at END,
       (coalesce(d.unmapped_entries, 0) + CASE WHEN c.mixed THEN d.mapped_entries ELSE 0 END)::integer,
       coalesce(d.unmapped_stage, CASE WHEN c.mixed THEN '(stages on another ladder than ' || coalesce(y.ladder, 'none') || ')' END)
FROM recon.funnel_records x
LEFT JOIN systems y ON y.crm_system = x.crm_system
LEFT JOIN decoded d ON d.root_id = x.record_id
LEFT JOIN steps f ON f.ladder = y.ladder AND f.rung = d.top_rung
LEFT JOIN steps ex ON ex.ladder = y.ladder AND ex.rung = d.exit_rung
CROSS JOIN LATERAL (SELECT timestamptz '1900-01-01 00:00:00+00' + d.top_us * interval '1 microsecond' AS reached_at,
                           timestamptz '1900-01-01 00:00:00+00' + d.exit_us * interval '1 microsecond' AS exited_at) tt
-- stages of a folded opportunity whose CRM system follows another ladder than its lead's: flagged, not mixed in
CROSS JOIN LATERAL (SELECT d.mapped_entries > 0 AND (d.ladder_min IS DISTINCT FROM y.ladder_no
                                                    OR d.ladder_max IS DISTINCT FROM y.ladder_no) AS mixed) m
-- an exit counts when nothing progressed after it (a reopened record climbs on)
CROSS JOIN LATERAL (SELECT ex.step IS NOT NULL AND NOT coalesce(m.mixed, false)
                           AND (tt.exited_at IS NULL OR tt.exited_at >= greatest(d.last_progress_at, x.created_at)) AS closed,
                           coalesce(m.mixed, false) AS mixed) c
WHERE NOT (x.record_type = 'opportunity' AND x.parent_record_id IS NOT NULL)
$progress$;
COMMENT ON FUNCTION recon.ladder_progress_rows() IS
    'The rows of recon.ladder_progress (a function so that it can set work_mem and jit).';

CREATE VIEW recon.ladder_progress AS SELECT * FROM recon.ladder_progress_rows();
COMMENT ON VIEW recon.ladder_progress IS
    'One row per lead or order (an opportunity is folded into the lead it came from; one without a lead stands alone): the ladder its CRM system follows, the furthest progress step reached (by recon.stage_map from funnel_stage_history and the current stage; the first crm step is reached on creation) and when it was first entered, the exit (disqualified, lost, cancelled...) when the last thing that happened was one, the first response (first entry into the ladder''s response step, a later step or an exit) unmapped_entries, the stage entries no mapping puts on a ladder (counted, never dropped; recon.ladder_unmapped_stages lists the names), and unmapped_stage, the first of those names. An opportunity''s stages are read through its own CRM system''s mapping; when that system follows another ladder than its lead''s, the lead is flagged instead (furthest step the creation step, every entry counted in unmapped_entries, unmapped_stage ''(stages on another ladder than ...)''). reached_at is NULL when only the record''s current stage shows the step. Unique key: record_id.';

CREATE VIEW recon.ladder_unmapped_stages AS
    WITH seen AS (
        SELECT r.crm_system, h.stage, h.record_id, h.entered_at AS at FROM recon.funnel_stage_history h
        JOIN recon.funnel_records r USING (record_id)
        UNION ALL
        SELECT r.crm_system, r.stage, r.record_id, NULL FROM recon.funnel_records r
    )
    SELECT s.crm_system, s.stage,
           CASE WHEN m.status IS NULL THEN 'not mapped' ELSE m.status END AS problem,
           recon.crm_ladder(s.crm_system) AS ladder,
           count(DISTINCT s.record_id) AS records, count(s.at) AS history_rows,
           min(s.at) AS first_entered_at, max(s.at) AS last_entered_at, min(s.record_id) AS example_record_id
    FROM seen s
    LEFT JOIN recon.stage_map m ON m.crm_system = s.crm_system AND m.stage = s.stage
    WHERE m.status IS NULL OR m.status IN ('unmapped', 'step not on the current ladder')
    GROUP BY s.crm_system, s.stage, m.status;
COMMENT ON VIEW recon.ladder_unmapped_stages IS
    'Exceptions of the stage mapping: each CRM system''s stage name, found in funnel_records.stage or funnel_stage_history, that no mapping puts on a ladder (not mapped; unmapped when its system switched ladders; or mapped to a step the current ladder version no longer has), with the records and history rows that carry it, when it was first and last entered and an example record. Stages taken off the ladder on purpose (recon.map_stage with step NULL) are not listed. Map them with recon.map_stage. Unique key: (crm_system, stage).';

-- ===== src/layers/platform.sql =====
-- The platform layer as the platforms tell it: per platform, ad account, campaign
-- and month, what was spent and what the platform says it produced, in the account
-- currency and in the reporting currency. The platform's own clock: report days in
-- its report time zone, conversions booked per its action_report_time, in the
-- attribution window of the platform_report_window setting, one action type per
-- event family (recon.platform_conversions_reported, shared with the report).

CREATE VIEW recon.platform_performance AS
    WITH delivery AS (
        SELECT platform, account_id, campaign_id, report_date, currency,
               sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
               sum(link_clicks) AS link_clicks, max(campaign_name) AS campaign_name,
               min(report_timezone) AS report_timezone
        FROM recon.platform_delivery
        GROUP BY 1, 2, 3, 4, 5
    ), conversions AS (
        SELECT platform, account_id, campaign_id, report_date, currency,
               sum(conversions) AS conversions, sum(conversion_value) AS value
        FROM recon.platform_conversions_reported
        GROUP BY 1, 2, 3, 4, 5
    ), counted AS (       -- which action types were counted, per campaign and month
        SELECT platform, account_id, campaign_id, date_trunc('month', report_date)::date AS month,
               array_agg(DISTINCT action_type::text ORDER BY action_type::text) AS action_types
        FROM recon.platform_conversions_reported
        GROUP BY 1, 2, 3, 4
    ), attribution AS (   -- the attribution settings the delivery rows carried
        SELECT platform, account_id, campaign_id, date_trunc('month', report_date)::date AS month,
               string_agg(DISTINCT coalesce(attribution_setting, '(none)'), ', ') AS attribution_setting,
               count(DISTINCT coalesce(attribution_setting, '(none)')) > 1 AS attribution_changed
        FROM recon.platform_delivery
        GROUP BY 1, 2, 3, 4
    ), days AS (
        SELECT d.*, c.conversions, c.value
        FROM delivery d LEFT JOIN conversions c USING (platform, account_id, campaign_id, report_date, currency)
    ), rates AS MATERIALIZED (   -- one lookup per currency and day
        SELECT x.*, recon.setting('reporting_currency') AS cur
        FROM (SELECT array_agg(currency::text) AS c, array_agg(report_date) AS d FROM days) a
        CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) x
    ), months AS (
        SELECT d.platform, d.account_id, d.campaign_id, date_trunc('month', d.report_date)::date AS month,
               d.currency, max(d.campaign_name) AS campaign_name, min(d.report_timezone) AS report_timezone,
               count(*) AS days, sum(d.spend) AS spend, sum(d.impressions) AS impressions, sum(d.clicks) AS clicks,
               sum(d.link_clicks) AS link_clicks, coalesce(sum(d.conversions), 0) AS conversions,
               coalesce(sum(d.value), 0) AS value, min(x.cur) AS reporting_currency,
               sum(@extschema@.recon_money_round(d.spend * x.rate, x.cur)) AS spend_reporting,
               coalesce(sum(@extschema@.recon_money_round(d.value * x.rate, x.cur)), 0) AS value_reporting
        FROM days d JOIN rates x ON x.currency = d.currency AND x.day = d.report_date
        GROUP BY 1, 2, 3, 4, 5
    )
    SELECT m.platform, m.account_id, m.campaign_id, m.campaign_name, m.month, m.report_timezone,
           t.attribution_setting, t.attribution_changed,
           (SELECT recon.setting('platform_report_window')) AS attribution_window,
           coalesce(c.action_types, '{}') AS action_types, m.days,
           m.currency, m.spend, m.impressions, m.clicks, m.link_clicks, m.conversions, m.value,
           round(m.spend / nullif(m.conversions, 0), 2) AS cost_per_result,
           round(m.value / nullif(m.spend, 0), 4) AS platform_roas,
           round(m.clicks::numeric / nullif(m.impressions, 0), 4) AS ctr,
           m.reporting_currency, m.spend_reporting, m.value_reporting,
           round(m.spend_reporting / nullif(m.conversions, 0), 2) AS cost_per_result_reporting,
           round(m.value_reporting / nullif(m.spend_reporting, 0), 4) AS platform_roas_reporting
    FROM months m
    JOIN attribution t USING (platform, account_id, campaign_id, month)
    LEFT JOIN counted c USING (platform, account_id, campaign_id, month);
COMMENT ON VIEW recon.platform_performance IS
    'Platform layer, per platform, ad account, campaign and month of the platform''s report day (its report time zone): spend, impressions, clicks, link clicks, the conversions and value the platform claims (attribution window of the platform_report_window setting, one action type per event family, finest delivery level loaded), cost per result, platform ROAS (value / spend) and CTR, in the account currency and converted to the reporting currency at each report day''s rate. attribution_setting lists the settings the delivery rows carried (attribution_changed when it changed within the month); action_types the action types counted. Whose number: the platform''s. Unique key: (platform, account_id, campaign_id, month).';

-- ===== src/layers/funnel.sql =====
-- The funnel layer as the CRM tells it, per credited channel, campaign, cohort month
-- (record creation in the reporting zone) and ladder: how many leads or orders came,
-- how many were real, contacted, qualified, won, how fast, and why the others were
-- lost. Credit and outcome come from recon.bridge_records (the one definition the
-- bridge and the collected layer share); the steps from recon.ladder_progress.

-- Per lead or order: its credit, outcome and ladder progress, the funnel flags the
-- views count. A function so that the plan can take in-memory hashes and no JIT.
CREATE FUNCTION recon.funnel_facts()
RETURNS TABLE (record_id text, channel text, platform text, account_id text, campaign_id text, cohort_month date,
               ladder text, outcome text, outcome_reason text, is_valid boolean, contacted boolean,
               qualified boolean, paid boolean, invoiced boolean, furthest_rung integer,
               response_hours double precision, cycle_days double precision)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
SET enable_mergejoin = off      -- two sorts of a million ids cost more than a hash join
AS $facts$
    WITH rungs AS MATERIALIZED (        -- per ladder, the response step and the qualified step
        SELECT s.ladder, min(s.rung) FILTER (WHERE s.is_response) AS response_rung,
               min(s.rung) FILTER (WHERE s.step = 'qualified' AND s.kind = 'progress') AS qualified_rung
        FROM recon.ladder_steps s GROUP BY s.ladder
    )
    SELECT b.record_id, b.channel, b.platform, coalesce(b.account_id, ''), coalesce(b.campaign_id, ''), b.cohort_month,
           coalesce(p.ladder, '(none)'), b.outcome, b.outcome_reason,
           v.is_valid,
           CASE WHEN q.response_rung IS NOT NULL THEN v.is_valid AND p.furthest_rung >= q.response_rung END,
           CASE WHEN q.qualified_rung IS NOT NULL THEN v.is_valid AND p.furthest_rung >= q.qualified_rung END,
           b.collected > 0, b.invoiced > 0, p.furthest_rung,
           extract(epoch FROM p.first_response_at - b.created_at) / 3600,
           CASE WHEN b.outcome = 'won' THEN extract(epoch FROM b.closed_at - b.created_at) / 86400 END
    FROM recon.bridge_records b
    JOIN recon.ladder_progress p ON p.record_id = b.record_id COLLATE "C"
    LEFT JOIN rungs q ON q.ladder = p.ladder
    CROSS JOIN LATERAL (SELECT b.outcome NOT IN ('invalid', 'duplicate') AS is_valid) v
$facts$;
COMMENT ON FUNCTION recon.funnel_facts() IS
    'One row per lead or order (recon.bridge_records joined to recon.ladder_progress): its credited channel, platform, account and campaign ('''' when none), cohort month, ladder (''(none)'' when its CRM system follows none), outcome and reason, and the flags the funnel views count: is_valid (not invalid or duplicate), contacted (valid and at or past the ladder''s response step, e.g. contacted; NULL when the ladder has none), qualified (valid and at or past the ladder''s qualified step; NULL when the ladder has none), paid (collected > 0), invoiced, the furthest rung, hours to the first response and days from creation to a win.';

CREATE FUNCTION recon.funnel_performance_rows()
RETURNS TABLE (channel text, platform text, account_id text, campaign_id text, month date, ladder text,
               records bigint, invalid bigint, duplicates bigint, valid bigint, valid_rate numeric,
               contacted bigint, contact_rate numeric, qualified bigint, qualification_rate numeric,
               open bigint, won bigint, lost bigint, cancelled bigint, win_rate numeric,
               median_response_hours numeric, median_sales_cycle_days numeric, maturity text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $funnel$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    counts AS (
        SELECT f.channel, min(f.platform) AS platform, min(f.account_id) AS account_id, f.campaign_id,
               f.cohort_month, f.ladder, count(*) AS records,
               count(*) FILTER (WHERE f.outcome = 'invalid') AS invalid,
               count(*) FILTER (WHERE f.outcome = 'duplicate') AS duplicates,
               count(*) FILTER (WHERE f.is_valid) AS valid,
               -- NULL, not 0, for a ladder without the step
               CASE WHEN bool_or(f.contacted IS NOT NULL) THEN count(*) FILTER (WHERE f.contacted) END AS contacted,
               CASE WHEN bool_or(f.qualified IS NOT NULL) THEN count(*) FILTER (WHERE f.qualified) END AS qualified,
               count(*) FILTER (WHERE f.is_valid AND f.outcome = 'open') AS open,
               count(*) FILTER (WHERE f.outcome = 'won') AS won,
               count(*) FILTER (WHERE f.outcome = 'lost') AS lost,
               count(*) FILTER (WHERE f.outcome = 'cancelled') AS cancelled,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.response_hours) FILTER (WHERE f.is_valid) AS response_hours,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.cycle_days) AS cycle_days
        FROM recon.funnel_facts() f
        GROUP BY f.channel, f.campaign_id, f.cohort_month, f.ladder
    )
    SELECT k.channel, k.platform, k.account_id, k.campaign_id, k.cohort_month, k.ladder,
           k.records, k.invalid, k.duplicates, k.valid, round(k.valid::numeric / k.records, 4),
           k.contacted, round(k.contacted::numeric / nullif(k.valid, 0), 4),
           k.qualified, round(k.qualified::numeric / nullif(k.valid, 0), 4),
           k.open, k.won, k.lost, k.cancelled,
           round(k.won::numeric / nullif(k.won + k.lost + k.cancelled, 0), 4),
           round(k.response_hours::numeric, 1), round(k.cycle_days::numeric, 1),
           recon.cohort_maturity(k.cohort_month, c.mature_after, c.as_of_day)
    FROM counts k CROSS JOIN ctx c
$funnel$;
COMMENT ON FUNCTION recon.funnel_performance_rows() IS
    'The rows of recon.funnel_performance (a function so that it can set work_mem and jit).';

CREATE VIEW recon.funnel_performance AS SELECT * FROM recon.funnel_performance_rows();
COMMENT ON VIEW recon.funnel_performance IS
    'Funnel layer, per credited channel, campaign ('''' when none), cohort month (record creation in the reporting zone) and ladder: records (leads and orders; opportunities folded in), invalid (spam, test) and duplicates, valid and valid_rate (valid / records), contacted and contact_rate (valid records at or past the ladder''s response step, contacted or confirmed / valid; NULL for ladders without one), qualified and qualification_rate (valid records at or past the qualified step / valid; NULL for ladders without one), open, won, lost, cancelled, win_rate (won / closed: won, lost or cancelled), median hours from creation to the first response (valid records: the first entry into the response step, a later step or an exit such as disqualified), median days from creation to a win, and the cohort''s maturity (incomplete until the month''s last day plus the last maturity_days point has passed in the data). Credit and outcome from recon.bridge_records, steps from recon.ladder_progress. Whose number: the CRM''s. Unique key: (channel, campaign_id, month, ladder).';

CREATE FUNCTION recon.funnel_reasons_rows()
RETURNS TABLE (channel text, campaign_id text, month date, ladder text, outcome text, reason text,
               records bigint, share numeric)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $reasons$
    SELECT channel, campaign_id, cohort_month, ladder, outcome, reason, n,
           round(n::numeric / sum(n) OVER (PARTITION BY channel, campaign_id, cohort_month, ladder, outcome), 4)
    FROM (SELECT f.channel, f.campaign_id, f.cohort_month, f.ladder, f.outcome,
                 coalesce(f.outcome_reason, '(none)') AS reason, count(*) AS n
          FROM recon.funnel_facts() f
          WHERE f.outcome IN ('invalid', 'duplicate', 'lost', 'cancelled')
          GROUP BY 1, 2, 3, 4, 5, 6) r
$reasons$;
COMMENT ON FUNCTION recon.funnel_reasons_rows() IS
    'The rows of recon.funnel_reasons (a function so that it can set work_mem and jit).';

CREATE VIEW recon.funnel_reasons AS SELECT * FROM recon.funnel_reasons_rows();
COMMENT ON VIEW recon.funnel_reasons IS
    'Why records did not end won, per credited channel, campaign, cohort month and ladder: for each outcome (invalid, duplicate, lost, cancelled) the CRM''s reasons (''(none)'' when it gave none), the records and their share of the outcome. Unique key: (channel, campaign_id, month, ladder, outcome, reason).';

-- Stage conversion: records reaching each progress step of their ladder, and the
-- share of the previous step. CRM steps from recon.ladder_progress (reaching a step
-- counts as passing every lower one); finance steps from the record's money;
-- the platform step is the platform's own claim for the campaign (its clock).
CREATE FUNCTION recon.funnel_stage_conversion_rows()
RETURNS TABLE (channel text, campaign_id text, month date, ladder text, rung integer, step text, layer text,
               reached numeric, previous_step text, from_previous numeric, from_records numeric, clock text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $stages$
    WITH groups AS (        -- per group and furthest rung; finance steps from the money
        SELECT f.channel, f.platform, f.campaign_id, f.cohort_month, f.ladder, f.furthest_rung,
               count(*) AS records, count(*) FILTER (WHERE f.invoiced) AS invoiced, count(*) FILTER (WHERE f.paid) AS paid
        FROM recon.funnel_facts() f
        WHERE f.ladder <> '(none)'
        GROUP BY 1, 2, 3, 4, 5, 6
    ), totals AS (
        SELECT channel, min(platform) AS platform, campaign_id, cohort_month, ladder, sum(records) AS records,
               sum(invoiced) AS invoiced, sum(paid) AS paid
        FROM groups GROUP BY channel, campaign_id, cohort_month, ladder
    ), claimed AS (
        SELECT platform, campaign_id, month, sum(conversions) AS conversions
        FROM recon.platform_performance GROUP BY 1, 2, 3
    ), crm AS (             -- reaching a step passes every lower one
        SELECT g.channel, g.campaign_id, g.cohort_month, g.ladder, s.step, sum(g.records) AS reached
        FROM groups g
        JOIN recon.ladder_steps s ON s.ladder = g.ladder AND s.kind = 'progress' AND s.layer = 'crm' AND g.furthest_rung >= s.rung
        GROUP BY 1, 2, 3, 4, 5
    ), reached AS (
        SELECT t.channel, t.campaign_id, t.cohort_month, t.ladder, s.rung, s.step, s.layer, t.records,
               CASE s.layer
                   WHEN 'crm' THEN coalesce(k.reached, 0)
                   WHEN 'finance' THEN CASE WHEN s.step = 'invoiced' THEN t.invoiced
                                            WHEN s.step IN ('paid', 'collected') THEN t.paid END
                   WHEN 'platform' THEN CASE WHEN t.platform IS NOT NULL AND t.campaign_id <> '' THEN coalesce(c.conversions, 0) END
               END AS reached,
               CASE s.layer WHEN 'platform' THEN 'platform report day (its report zone, action_report_time), same month'
                            WHEN 'crm' THEN 'record creation (cohort), followed to today'
                            ELSE 'money linked to the cohort''s records, to today' END AS clock
        FROM totals t
        JOIN recon.ladder_steps s ON s.ladder = t.ladder AND s.kind = 'progress'
        LEFT JOIN claimed c ON s.layer = 'platform' AND c.platform = t.platform AND c.campaign_id = t.campaign_id
                           AND c.month = t.cohort_month
        LEFT JOIN crm k ON (k.channel, k.campaign_id, k.cohort_month, k.ladder, k.step) = (t.channel, t.campaign_id, t.cohort_month, t.ladder, s.step)
    )
    SELECT channel, campaign_id, cohort_month, ladder, rung, step, layer, reached,
           lag(step) OVER w, round(reached / nullif(lag(reached) OVER w, 0), 4), round(reached / records, 4), clock
    FROM reached
    WINDOW w AS (PARTITION BY channel, campaign_id, cohort_month, ladder ORDER BY rung)
$stages$;
COMMENT ON FUNCTION recon.funnel_stage_conversion_rows() IS
    'The rows of recon.funnel_stage_conversion (a function so that it can set work_mem and jit).';

CREATE VIEW recon.funnel_stage_conversion AS SELECT * FROM recon.funnel_stage_conversion_rows();
COMMENT ON VIEW recon.funnel_stage_conversion IS
    'Stage conversion along the ladder, per credited channel, campaign, cohort month and ladder, one row per progress step: reached (crm steps: records at or past the step, by recon.ladder_progress; finance steps: invoiced = records with an invoice or charge, paid / collected = records with money collected; platform_conversion: the conversions the platform claims for the campaign in the month of its report day, NULL for records no platform campaign is credited with), the previous step and from_previous (reached / previous step''s reached), from_records (reached / the group''s records) and the clock that dates the step. Records whose CRM system follows no ladder are left out here (see recon.ladder_unmapped_stages). Unique key: (channel, campaign_id, month, ladder, step).';

-- ===== src/layers/collected.sql =====
-- The collected layer as finance tells it, in two clocks kept apart:
--   cohort (recon.collected_performance): the money collected so far for the leads and
--     orders created in a month, credited like the bridge (recon.bridge_records), with
--     the cohort's maturity: a young cohort has not paid yet, it is not a bad one;
--   cash period (recon.collected_cash_period): the money that arrived in a month,
--     whatever cohort it belongs to.
-- Then the two-number view: platform ROAS and collected ROAS side by side, labelled.
-- Record money is in the record's currency in recon.bridge_records; it is converted
-- to the reporting currency at the record's cohort day, as the bridge ledger does, so
-- that both add up to the same collected number. Cash is converted at its own day.

-- Posted money no record accounts for (no record_transaction link): it belongs to no
-- campaign, and the layer views show it under channel unknown.
CREATE VIEW recon.unlinked_money AS
    SELECT t.transaction_id, t.transaction_type, t.occurred_at, t.revenue_amount, t.currency, t.customer_id
    FROM recon.finance_transactions t
    WHERE t.status = 'posted' AND t.revenue_amount <> 0
      AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                      WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id);
COMMENT ON VIEW recon.unlinked_money IS
    'Posted payments, refunds and chargebacks (revenue_amount: signed, net of inclusive tax and shipping) that no match link ties to a lead, order or opportunity: money no record accounts for. recon.unmatched_exceptions says why each one is unlinked. Unique key: transaction_id.';

-- Per lead or order, its money in the reporting currency (at the cohort day).
CREATE FUNCTION recon.record_money_reporting()
RETURNS TABLE (record_id text, channel text, platform text, campaign_id text, cohort_month date, created_at timestamptz,
               customer_id text, owner text, currency text, outcome text, first_paid_at timestamptz,
               booked numeric, invoiced numeric, recognized numeric, collected numeric, refunded numeric,
               written_off numeric, outstanding numeric, reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $money$
    WITH records AS MATERIALIZED (SELECT * FROM recon.bridge_records),
    rates AS MATERIALIZED (
        SELECT x.*, recon.setting('reporting_currency') AS cur
        FROM (SELECT array_agg(currency) AS c, array_agg(cohort_day) AS d
              FROM (SELECT DISTINCT currency, cohort_day FROM records) p) a
        CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) x
    )
    SELECT r.record_id, r.channel, r.platform, coalesce(r.campaign_id, ''), r.cohort_month, r.created_at,
           r.customer_id, r.owner, r.currency, r.outcome, r.first_paid_at,
           @extschema@.recon_money_round(r.booked * x.rate, x.cur),
           @extschema@.recon_money_round(r.invoiced * x.rate, x.cur),
           @extschema@.recon_money_round(r.recognized * x.rate, x.cur),
           @extschema@.recon_money_round(r.collected * x.rate, x.cur),
           @extschema@.recon_money_round(r.refunded * x.rate, x.cur),
           @extschema@.recon_money_round(r.written_off * x.rate, x.cur),
           @extschema@.recon_money_round(r.outstanding * x.rate, x.cur),
           x.cur
    FROM records r JOIN rates x ON x.currency = r.currency AND x.day = r.cohort_day
$money$;
COMMENT ON FUNCTION recon.record_money_reporting() IS
    'recon.bridge_records'' money per lead or order (booked, invoiced, recognized, collected, refunded, written off, outstanding) converted to the reporting currency at the record''s cohort day, as recon.bridge_ledger converts it, with the record''s credit, cohort, customer, owner and outcome.';

CREATE FUNCTION recon.collected_performance_rows()
RETURNS TABLE (channel text, campaign_id text, month date, records bigint, won bigint, paid_records bigint,
               booked numeric, invoiced numeric, recognized numeric, collected numeric, refunded numeric,
               written_off numeric, outstanding numeric, unmatched_revenue numeric, spend numeric,
               collected_roas numeric, median_days_to_payment numeric, reporting_currency text, maturity text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $collected$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    cohorts AS (
        SELECT m.channel, m.campaign_id, m.cohort_month AS month, count(*) AS records,
               count(*) FILTER (WHERE m.outcome = 'won') AS won, count(*) FILTER (WHERE m.collected > 0) AS paid_records,
               sum(m.booked) AS booked, sum(m.invoiced) AS invoiced, sum(m.recognized) AS recognized,
               sum(m.collected) AS collected, sum(m.refunded) AS refunded, sum(m.written_off) AS written_off,
               sum(m.outstanding) AS outstanding, 0 AS unmatched_revenue,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.first_paid_at - m.created_at) / 86400)
                   AS days_to_payment
        FROM recon.record_money_reporting() m
        GROUP BY 1, 2, 3
    ), unlinked_days AS MATERIALIZED (   -- money no record accounts for: its own day is its only cohort
        SELECT currency::text AS currency, (occurred_at AT TIME ZONE (SELECT tz FROM ctx))::date AS day,
               sum(revenue_amount) AS revenue
        FROM recon.unlinked_money GROUP BY 1, 2
    ), unlinked AS (
        SELECT 'unknown' AS channel, '' AS campaign_id, date_trunc('month', u.day)::date AS month,
               sum(@extschema@.recon_money_round(u.revenue * x.rate, c.cur)) AS revenue
        FROM unlinked_days u CROSS JOIN ctx c
        JOIN (SELECT r.* FROM (SELECT array_agg(currency) AS c, array_agg(day) AS d FROM unlinked_days) a
              CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) r) x ON x.currency = u.currency AND x.day = u.day
        GROUP BY 1, 2, 3
    ), spend AS (
        SELECT platform, campaign_id, month, sum(spend_reporting) AS spend
        FROM recon.platform_performance GROUP BY 1, 2, 3
    ), joined AS (
        SELECT coalesce(k.channel, u.channel) AS channel, coalesce(k.campaign_id, u.campaign_id) AS campaign_id,
               coalesce(k.month, u.month) AS month, coalesce(k.records, 0) AS records, coalesce(k.won, 0) AS won,
               coalesce(k.paid_records, 0) AS paid_records, coalesce(k.booked, 0) AS booked,
               coalesce(k.invoiced, 0) AS invoiced, coalesce(k.recognized, 0) AS recognized,
               coalesce(k.collected, 0) + coalesce(u.revenue, 0) AS collected, coalesce(k.refunded, 0) AS refunded,
               coalesce(k.written_off, 0) AS written_off, coalesce(k.outstanding, 0) AS outstanding,
               coalesce(u.revenue, 0) AS unmatched_revenue, k.days_to_payment
        FROM cohorts k FULL JOIN unlinked u USING (channel, campaign_id, month)
    )
    SELECT j.channel, j.campaign_id, j.month, j.records, j.won, j.paid_records, j.booked, j.invoiced, j.recognized,
           j.collected, j.refunded, j.written_off, j.outstanding, j.unmatched_revenue, s.spend,
           round(j.collected / nullif(s.spend, 0), 4), round(j.days_to_payment::numeric, 1), c.cur,
           recon.cohort_maturity(j.month, c.mature_after, c.as_of_day)
    FROM joined j CROSS JOIN ctx c
    LEFT JOIN spend s ON s.platform = j.channel AND s.campaign_id = j.campaign_id AND s.month = j.month
$collected$;
COMMENT ON FUNCTION recon.collected_performance_rows() IS
    'The rows of recon.collected_performance (a function so that it can set work_mem and jit).';

CREATE VIEW recon.collected_performance AS SELECT * FROM recon.collected_performance_rows();
COMMENT ON VIEW recon.collected_performance IS
    'Collected layer by cohort, per credited channel, campaign ('''' when none) and cohort month (record creation in the reporting zone), followed to the newest data: records (leads and orders), won, paid_records (collected > 0), booked, invoiced, recognized, collected (payments minus refunds and chargebacks, net of tax and shipping), refunded, written_off, outstanding (recon.bridge_records, converted to the reporting currency at each record''s cohort day as the bridge ledger does), unmatched_revenue (posted money no record accounts for, recon.unlinked_money: channel unknown, dated by its own day, also counted in collected), spend of the same campaign and month (platform report days), collected_roas (collected / spend), the median days from creation to the first payment (reporting lag) and the cohort''s maturity. Whose number: finance''s. Unique key: (channel, campaign_id, month).';

-- Cash by the month it arrived: each posted payment, refund or chargeback (its share,
-- when split between records) credited through its record to the record's campaign.
CREATE FUNCTION recon.collected_cash_period_rows()
RETURNS TABLE (channel text, campaign_id text, month date, payments numeric, refunds numeric, collected numeric,
               transactions bigint, records bigint, cohorts integer, oldest_cohort date, unmatched_revenue numeric,
               reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $cash$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    credit AS MATERIALIZED (SELECT record_id, channel, coalesce(campaign_id, '') AS campaign_id, cohort_month FROM recon.bridge_records),
    cash AS MATERIALIZED (  -- a transaction's share per record (an opportunity's money goes to its lead)
        SELECT coalesce(o.parent_record_id, l.right_id) AS record_id, t.transaction_id, t.currency::text AS currency,
               (t.occurred_at AT TIME ZONE (SELECT tz FROM ctx))::date AS day,
               CASE WHEN l.allocated_amount IS NULL OR l.allocated_amount = t.amount OR t.amount = 0 THEN t.revenue_amount
                    ELSE @extschema@.recon_money_round(t.revenue_amount * l.allocated_amount / t.amount, t.currency) END AS revenue
        FROM recon.finance_transactions t
        JOIN recon.match_links l ON l.link_type = 'record_transaction' AND l.left_id = t.transaction_id
        LEFT JOIN recon.funnel_records o ON o.record_id = l.right_id AND o.record_type = 'opportunity'
        WHERE t.status = 'posted' AND t.revenue_amount <> 0
        UNION ALL
        SELECT NULL, u.transaction_id, u.currency, (u.occurred_at AT TIME ZONE (SELECT tz FROM ctx))::date, u.revenue_amount
        FROM recon.unlinked_money u
    ), rates AS MATERIALIZED (
        SELECT x.* FROM (SELECT array_agg(currency) AS c, array_agg(day) AS d FROM (SELECT DISTINCT currency, day FROM cash) p) a
        CROSS JOIN LATERAL recon.fx_reporting_rates(a.c, a.d) x
    )
    SELECT coalesce(k.channel, 'unknown'), coalesce(k.campaign_id, ''), date_trunc('month', m.day)::date,
           sum(v.amount) FILTER (WHERE v.amount > 0), coalesce(-sum(v.amount) FILTER (WHERE v.amount < 0), 0),
           sum(v.amount), count(DISTINCT m.transaction_id), count(DISTINCT m.record_id),
           count(DISTINCT k.cohort_month)::integer, min(k.cohort_month),
           coalesce(sum(v.amount) FILTER (WHERE m.record_id IS NULL), 0), min(c.cur)
    FROM cash m
    CROSS JOIN ctx c
    JOIN rates x ON x.currency = m.currency AND x.day = m.day
    CROSS JOIN LATERAL (SELECT @extschema@.recon_money_round(m.revenue * x.rate, c.cur) AS amount) v
    LEFT JOIN credit k ON k.record_id = m.record_id
    GROUP BY 1, 2, 3
$cash$;
COMMENT ON FUNCTION recon.collected_cash_period_rows() IS
    'The rows of recon.collected_cash_period (a function so that it can set work_mem and jit).';

CREATE VIEW recon.collected_cash_period AS SELECT * FROM recon.collected_cash_period_rows();
COMMENT ON VIEW recon.collected_cash_period IS
    'Collected layer by cash period: per credited channel, campaign and month the money arrived (transaction day in the reporting zone), whatever cohort it belongs to: payments, refunds (refunds and chargebacks, as a positive amount), collected (payments minus refunds, net of inclusive tax and shipping; a transaction split between records counts its allocated share), transactions, records paid, how many cohort months the money came from and the oldest, unmatched_revenue (money no record accounts for, channel unknown), converted to the reporting currency at each transaction''s day. Credit as in recon.bridge_records. Not comparable with the cohort view month by month: a cohort collects over many months. Unique key: (channel, campaign_id, month).';

-- Platform ROAS and collected ROAS side by side, each saying whose number it is.
CREATE FUNCTION recon.roas_two_numbers_rows()
RETURNS TABLE (platform text, campaign_id text, month date, spend numeric, platform_conversions numeric,
               platform_value numeric, platform_roas numeric, platform_number text, records bigint,
               paid_records bigint, collected numeric, collected_roas numeric, collected_number text,
               maturity text, cohort_age_days integer, reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $two$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    claims AS (
        SELECT p.platform, p.campaign_id, p.month, sum(p.spend_reporting) AS spend, sum(p.conversions) AS conversions,
               sum(p.value_reporting) AS value, string_agg(DISTINCT p.attribution_setting, ', ') AS attribution_setting,
               min(p.attribution_window) AS attribution_window, min(p.report_timezone) AS report_timezone
        FROM recon.platform_performance p GROUP BY 1, 2, 3
    ), cohorts AS (
        SELECT c.channel AS platform, c.campaign_id, c.month, c.records, c.paid_records, c.collected
        FROM recon.collected_performance c JOIN recon.platforms p ON p.platform = c.channel
    )
    SELECT j.platform, j.campaign_id, j.month, l.spend, l.conversions, l.value, round(l.value / nullif(l.spend, 0), 4),
           format('platform (%s): the conversion value it attributes to its ads in the %s window (%s), by report day in %s, one action type per event family',
                  coalesce(p.display_name, j.platform), coalesce(l.attribution_window, '-'),
                  coalesce(l.attribution_setting, '-'), coalesce(l.report_timezone, '-')),
           coalesce(k.records, 0), coalesce(k.paid_records, 0), coalesce(k.collected, 0),
           round(coalesce(k.collected, 0) / nullif(l.spend, 0), 4),
           format('finance: cash collected up to %s for the leads and orders created in %s (cohort, %s) and credited to the campaign, net of refunds, tax and shipping',
                  c.as_of_day, to_char(j.month, 'YYYY-MM'), c.tz),
           recon.cohort_maturity(j.month, c.mature_after, c.as_of_day),
           greatest(c.as_of_day - (j.month + interval '1 month' - interval '1 day')::date, 0),
           c.cur
    FROM (SELECT platform, campaign_id, month FROM claims UNION SELECT platform, campaign_id, month FROM cohorts) j
    CROSS JOIN ctx c
    LEFT JOIN claims l USING (platform, campaign_id, month)
    LEFT JOIN cohorts k USING (platform, campaign_id, month)
    LEFT JOIN recon.platforms p ON p.platform = j.platform
$two$;
COMMENT ON FUNCTION recon.roas_two_numbers_rows() IS
    'The rows of recon.roas_two_numbers (a function so that it can set work_mem and jit).';

CREATE VIEW recon.roas_two_numbers AS SELECT * FROM recon.roas_two_numbers_rows();
COMMENT ON VIEW recon.roas_two_numbers IS
    'The two ROAS numbers side by side, per ad platform, campaign ('''' for records credited to the platform without a campaign) and month, never blended: platform_roas = platform_value / spend (the platform''s claim: its attribution window, booked by report day in its report zone; platform_number says which) and collected_roas = collected / spend (finance: cash collected to date for the leads and orders created in the month and credited to the campaign, as recon.collected_performance; collected_number says which), with the cohort''s maturity and age in days (a young cohort''s collected ROAS still grows). Money in the reporting currency. Unique key: (platform, campaign_id, month).';

-- ===== src/layers/crm_finance.sql =====
-- CRM versus finance: what sales booked against what finance invoiced, recognized
-- and received, per record and rolled up by customer, cohort month and owner, each
-- gap named. Money comes from recon.bridge_records (record currency) through
-- recon.record_money_reporting (reporting currency, at the cohort day). What the
-- links cannot explain at all (money without a record, won deals without money) is
-- listed apart, in recon.crm_finance_exceptions.

-- The gaps between a record's booking and its money, in order of precedence.
CREATE FUNCTION recon.crm_finance_mismatches(outcome text, booked numeric, invoiced numeric, collected numeric,
                                             refunded numeric, written_off numeric, outstanding numeric)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_remove(ARRAY[
        CASE WHEN outcome = 'won' AND invoiced = 0 THEN 'won, not invoiced' END,
        CASE WHEN outcome = 'won' AND invoiced <> 0 AND invoiced <> booked THEN 'amounts differ' END,
        CASE WHEN collected > 0 AND outcome = 'open' THEN 'paid before booking' END,
        CASE WHEN collected > 0 AND outcome NOT IN ('won', 'open') THEN 'paid without a booking' END,
        CASE WHEN invoiced > 0 AND collected <= 0 AND written_off = 0 AND outstanding > 0 THEN 'invoiced, not paid' END,
        CASE WHEN collected > 0 AND outstanding > 0 THEN 'partly paid' END,
        CASE WHEN refunded > 0 THEN 'refunded' END,
        CASE WHEN written_off > 0 THEN 'written off' END
    ], NULL)
$$;
COMMENT ON FUNCTION recon.crm_finance_mismatches(text, numeric, numeric, numeric, numeric, numeric, numeric) IS
    'The gaps between a record''s CRM booking and its money, most telling first: won, not invoiced; amounts differ (invoiced <> booked); paid before booking (money for an open record); paid without a booking (money for a lost, cancelled, invalid or duplicate record); invoiced, not paid; partly paid; refunded; written off. Empty when booking and money agree.';

CREATE FUNCTION recon.crm_finance_records_rows()
RETURNS TABLE (record_id text, customer_id text, month date, owner text, channel text, campaign_id text, outcome text,
               booked numeric, invoiced numeric, recognized numeric, collected numeric, refunded numeric,
               written_off numeric, outstanding numeric, mismatches text[], mismatch text, reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $records$
    SELECT m.record_id, coalesce(m.customer_id, '(none)'), m.cohort_month, coalesce(m.owner, '(none)'), m.channel,
           m.campaign_id, m.outcome, m.booked, m.invoiced, m.recognized, m.collected, m.refunded, m.written_off,
           m.outstanding, g.gaps, coalesce(g.gaps[1], 'matches'), m.reporting_currency
    FROM recon.record_money_reporting() m
    CROSS JOIN LATERAL (SELECT recon.crm_finance_mismatches(m.outcome, m.booked, m.invoiced, m.collected, m.refunded,
                                                            m.written_off, m.outstanding) AS gaps) g
$records$;
COMMENT ON FUNCTION recon.crm_finance_records_rows() IS
    'The rows of recon.crm_finance_records (a function so that it can set work_mem and jit).';

CREATE VIEW recon.crm_finance_records AS SELECT * FROM recon.crm_finance_records_rows();
COMMENT ON VIEW recon.crm_finance_records IS
    'CRM versus finance per lead or order (opportunities folded in): customer, cohort month, owner (''(none)'' when missing), credit and outcome, booked (CRM: won value), invoiced, recognized, collected (cash net of refunds), refunded, written off and outstanding (finance, through the match links), in the reporting currency at the cohort day, with every gap (recon.crm_finance_mismatches) and the first one as mismatch (matches when none). Unique key: record_id.';

CREATE FUNCTION recon.crm_finance_rows()
RETURNS TABLE (customer_id text, month date, owner text, records bigint, mismatched_records bigint, booked numeric,
               invoiced numeric, recognized numeric, collected numeric, refunded numeric, written_off numeric,
               outstanding numeric, booked_minus_collected numeric, mismatches text[], reporting_currency text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $rollup$
    SELECT customer_id, month, owner, count(*), count(*) FILTER (WHERE mismatch <> 'matches'),
           sum(booked), sum(invoiced), sum(recognized), sum(collected), sum(refunded), sum(written_off),
           sum(outstanding), sum(booked) - sum(collected),
           coalesce(array_agg(DISTINCT mismatch ORDER BY mismatch) FILTER (WHERE mismatch <> 'matches'), '{}'),
           min(reporting_currency)
    FROM recon.crm_finance_records_rows()
    GROUP BY customer_id, month, owner
$rollup$;
COMMENT ON FUNCTION recon.crm_finance_rows() IS
    'The rows of recon.crm_finance (a function so that it can set work_mem and jit).';

CREATE VIEW recon.crm_finance AS SELECT * FROM recon.crm_finance_rows();
COMMENT ON VIEW recon.crm_finance IS
    'CRM versus finance per customer, cohort month and owner: booked (CRM) against invoiced, recognized and collected (finance), refunds, write-offs, outstanding and booked_minus_collected, in the reporting currency; mismatched_records and the distinct mismatch reasons of its records (recon.crm_finance_records has them per record). Money no record accounts for is not here: see recon.crm_finance_exceptions. Unique key: (customer_id, month, owner).';

CREATE VIEW recon.crm_finance_exceptions AS
    SELECT e.layer, e.id, coalesce(t.customer_id, r.customer_id) AS customer_id, e.owner, e.occurred_at, e.age,
           e.value, e.currency, e.reason, e.detail
    FROM recon.unmatched_exceptions e
    LEFT JOIN recon.finance_transactions t ON e.layer = 'transaction' AND t.transaction_id = e.id
    LEFT JOIN recon.funnel_records r ON e.layer = 'record' AND r.record_id = e.id
    WHERE e.link_type = 'record_transaction';
COMMENT ON VIEW recon.crm_finance_exceptions IS
    'The unresolved exceptions between the CRM and finance, apart from the reconciled rows: from recon.unmatched_exceptions, the transactions no record explains (with the likely reason), won orders and opportunities without a transaction, ambiguous candidates, weak links and allocation remainders, with the customer, owner, age, value and currency. Unique key: (layer, id, reason, detail).';

-- ===== src/layers/diagnosis.sql =====
-- Diagnosis: which step of the ladder holds each campaign back. Each rule is a
-- conversion between two funnel counts with the cause a shortfall there points to;
-- a campaign's rate is compared with the median of the campaigns on the same
-- ladder. Rules are judged only on enough data (min_sample), the steps that take
-- time only on mature cohorts; otherwise the view says so instead of guessing.
-- docs/layers.md explains the rules.

CREATE FUNCTION recon.diagnosis_rules()
RETURNS TABLE (rule_order integer, rule text, numerator text, denominator text, cause text, needs_maturity boolean,
               min_sample integer, shortfall numeric, min_campaigns integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT r.*, 30, 0.8, 3
    FROM (VALUES
        (1, 'platform_to_valid', 'valid records', 'platform conversions', 'targeting / form quality: the platform counts conversions that are not real leads or orders', false),
        (2, 'valid_to_contacted', 'contacted', 'valid records', 'routing / speed to lead: valid leads nobody contacts', true),
        (3, 'contacted_to_qualified', 'qualified', 'contacted', 'offer / audience: contacted leads that do not qualify', true),
        (4, 'qualified_to_won', 'won', 'qualified', 'price / sales: qualified deals that are not won', true),
        (5, 'won_to_paid', 'paid records', 'won', 'invoicing / collections: won deals that do not pay', true),
        (6, 'ordered_to_collected', 'paid records', 'valid orders', 'fulfilment / returns / payment: orders whose money does not arrive or stay', true)
    ) AS r(rule_order, rule, numerator, denominator, cause, needs_maturity)
$$;
COMMENT ON FUNCTION recon.diagnosis_rules() IS
    'The diagnosis rules, in ladder order: the conversion each one measures (numerator / denominator), the cause a shortfall points to, whether it is judged only on mature cohorts (steps that take time), the minimum denominator (min_sample 30), the shortfall that flags it (rate below 0.8 x the benchmark) and the campaigns a benchmark needs (3). platform_to_valid applies to every ladder; valid_to_contacted, contacted_to_qualified, qualified_to_won and won_to_paid to ladders with a qualified step (services); ordered_to_collected to ladders without one (ecommerce).';

CREATE FUNCTION recon.campaign_diagnosis_steps_rows()
RETURNS TABLE (channel text, campaign_id text, ladder text, rule_order integer, rule text, cause text,
               numerator numeric, denominator numeric, rate numeric, basis text, benchmark numeric,
               benchmark_campaigns integer, ratio numeric, status text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $steps$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    facts AS (              -- campaigns of ad platforms only, each cohort month mature or not
        SELECT f.*, recon.cohort_maturity(f.cohort_month, c.mature_after, c.as_of_day) = 'mature' AS mature
        FROM recon.funnel_facts() f CROSS JOIN ctx c
        WHERE f.platform IS NOT NULL AND f.campaign_id <> '' AND f.ladder <> '(none)'
    ), counts AS (
        SELECT channel, min(platform) AS platform, campaign_id, ladder, cohort_month, bool_and(mature) AS mature,
               count(*) FILTER (WHERE is_valid) AS valid,
               count(*) FILTER (WHERE contacted) AS contacted, bool_or(contacted IS NOT NULL) AS has_contacted,
               count(*) FILTER (WHERE qualified) AS qualified, bool_or(qualified IS NOT NULL) AS has_qualified,
               count(*) FILTER (WHERE outcome = 'won') AS won,
               count(*) FILTER (WHERE is_valid AND paid) AS paid
        FROM facts GROUP BY channel, campaign_id, ladder, cohort_month
    ), claims AS (
        SELECT platform, campaign_id, month, sum(conversions) AS conversions
        FROM recon.platform_performance GROUP BY 1, 2, 3
    ), measured AS (        -- each rule's numerator and denominator per campaign, mature cohorts apart
        SELECT k.channel, k.campaign_id, k.ladder, r.rule_order, r.rule, r.cause, r.needs_maturity, r.min_sample,
               r.shortfall, r.min_campaigns,
               sum(v.num) FILTER (WHERE k.mature) AS num_mature, sum(v.den) FILTER (WHERE k.mature) AS den_mature,
               sum(v.num) AS num_all, sum(v.den) AS den_all
        FROM counts k
        LEFT JOIN claims cl ON cl.platform = k.platform AND cl.campaign_id = k.campaign_id AND cl.month = k.cohort_month
        CROSS JOIN recon.diagnosis_rules() r
        CROSS JOIN LATERAL (SELECT
            CASE r.rule WHEN 'platform_to_valid' THEN k.valid
                        WHEN 'valid_to_contacted' THEN k.contacted
                        WHEN 'contacted_to_qualified' THEN k.qualified
                        WHEN 'qualified_to_won' THEN k.won
                        ELSE k.paid END::numeric AS num,
            CASE r.rule WHEN 'platform_to_valid' THEN coalesce(cl.conversions, 0)
                        WHEN 'valid_to_contacted' THEN CASE WHEN k.has_contacted AND k.has_qualified THEN k.valid END
                        WHEN 'contacted_to_qualified' THEN CASE WHEN k.has_contacted AND k.has_qualified THEN k.contacted END
                        WHEN 'qualified_to_won' THEN CASE WHEN k.has_qualified THEN k.qualified END
                        WHEN 'won_to_paid' THEN CASE WHEN k.has_qualified THEN k.won END
                        ELSE CASE WHEN NOT k.has_qualified THEN k.valid END END::numeric AS den) v
        WHERE v.den IS NOT NULL
        GROUP BY k.channel, k.campaign_id, k.ladder, r.rule_order, r.rule, r.cause, r.needs_maturity, r.min_sample,
                 r.shortfall, r.min_campaigns
    ), judged AS (          -- on mature cohorts when the rule needs them and they are enough, else say why not
        SELECT m.*,
               CASE WHEN m.needs_maturity AND m.den_mature >= m.min_sample THEN 'mature cohorts'
                    WHEN NOT m.needs_maturity AND m.den_all >= m.min_sample THEN 'all cohorts'
                    WHEN m.needs_maturity AND m.den_all >= m.min_sample THEN 'immature cohorts'
                    ELSE 'too few' END AS basis
        FROM measured m
    ), rated AS (
        SELECT j.*,
               CASE WHEN j.basis = 'mature cohorts' THEN j.num_mature ELSE j.num_all END AS num,
               CASE WHEN j.basis = 'mature cohorts' THEN j.den_mature ELSE j.den_all END AS den
        FROM judged j
    ), benchmarks AS (      -- the median campaign on the same ladder, among those judged
        SELECT ladder, rule, percentile_cont(0.5) WITHIN GROUP (ORDER BY num / den) AS benchmark, count(*) AS campaigns
        FROM rated WHERE basis IN ('mature cohorts', 'all cohorts') AND den > 0
        GROUP BY ladder, rule
    ), compared AS (
        SELECT r.*, round(r.num / nullif(r.den, 0), 4) AS rate,
               CASE WHEN b.campaigns >= r.min_campaigns THEN round(b.benchmark::numeric, 4) END AS benchmark,
               coalesce(b.campaigns, 0)::integer AS benchmark_campaigns
        FROM rated r LEFT JOIN benchmarks b USING (ladder, rule)
    ), statused AS (
        SELECT c.*, round(c.rate / nullif(c.benchmark, 0), 4) AS ratio,
               CASE WHEN c.basis = 'too few' THEN 'insufficient data'
                    WHEN c.basis = 'immature cohorts' THEN 'immature'
                    WHEN c.benchmark IS NULL THEN 'no benchmark'
                    WHEN c.rate < c.shortfall * c.benchmark THEN 'below benchmark'
                    ELSE 'on benchmark' END AS status
        FROM compared c
    )
    SELECT s.channel, s.campaign_id, s.ladder, s.rule_order, s.rule, s.cause, s.num, s.den, s.rate, s.basis,
           s.benchmark, s.benchmark_campaigns, s.ratio,
           CASE WHEN s.status = 'below benchmark'
                     AND s.rule_order = first_value(s.rule_order) OVER (
                         PARTITION BY s.channel, s.campaign_id, s.ladder
                         ORDER BY (s.status = 'below benchmark') DESC, s.ratio, s.rule_order)
                THEN 'bottleneck' ELSE s.status END
    FROM statused s
$steps$;
COMMENT ON FUNCTION recon.campaign_diagnosis_steps_rows() IS
    'The rows of recon.campaign_diagnosis_steps (a function so that it can set work_mem and jit).';

CREATE VIEW recon.campaign_diagnosis_steps AS SELECT * FROM recon.campaign_diagnosis_steps_rows();
COMMENT ON VIEW recon.campaign_diagnosis_steps IS
    'Every diagnosis rule (recon.diagnosis_rules) for every ad-platform campaign, per credited channel, campaign and ladder: numerator and denominator (platform conversions from recon.platform_performance, the rest from the funnel), the rate, its basis (mature cohorts; all cohorts for a rule that needs no maturity; immature cohorts when the mature ones are too few; too few), the benchmark (median rate of the campaigns judged on the same ladder, when at least min_campaigns are) and the ratio to it, and the status: insufficient data (denominator below min_sample), immature (only immature cohorts have enough: not judged), no benchmark, on benchmark, below benchmark (rate < shortfall x benchmark), bottleneck (the campaign''s rule furthest below its benchmark). Unique key: (channel, campaign_id, ladder, rule).';

CREATE VIEW recon.campaign_diagnosis AS
    SELECT channel, campaign_id, ladder,
           CASE WHEN bool_or(status = 'bottleneck') THEN 'bottleneck'
                WHEN bool_or(status = 'on benchmark') THEN 'no bottleneck'
                WHEN bool_or(status = 'immature') THEN 'immature'
                WHEN bool_or(status = 'no benchmark') THEN 'no benchmark'
                ELSE 'insufficient data' END AS verdict,
           min(rule) FILTER (WHERE status = 'bottleneck') AS bottleneck,
           min(cause) FILTER (WHERE status = 'bottleneck') AS cause,
           min(rate) FILTER (WHERE status = 'bottleneck') AS rate,
           min(benchmark) FILTER (WHERE status = 'bottleneck') AS benchmark,
           min(denominator) FILTER (WHERE status = 'bottleneck') AS sample,
           coalesce(array_agg(rule ORDER BY rule_order) FILTER (WHERE status = 'below benchmark'), '{}') AS also_below,
           coalesce(array_agg(rule ORDER BY rule_order) FILTER (WHERE status = 'immature'), '{}') AS immature,
           coalesce(array_agg(rule ORDER BY rule_order) FILTER (WHERE status = 'insufficient data'), '{}') AS insufficient_data
    FROM recon.campaign_diagnosis_steps
    GROUP BY channel, campaign_id, ladder;
COMMENT ON VIEW recon.campaign_diagnosis IS
    'One verdict per ad-platform campaign (per credited channel, campaign and ladder): bottleneck (the rule furthest below its benchmark, with its cause, rate, benchmark and sample), no bottleneck (every judged rule on benchmark), immature (the rules that take time have enough data only in immature cohorts), no benchmark (too few campaigns to compare with) or insufficient data; also_below lists other rules below their benchmark, immature and insufficient_data the rules not judged. Details per rule in recon.campaign_diagnosis_steps. Unique key: (channel, campaign_id, ladder).';

-- ===== src/gap/evidence.sql =====
-- The gap's evidence: every CRM record and conversion signal that explains part
-- of the difference between what a platform claims and what the CRM recorded,
-- classified and dated on the clock of the side it belongs to (docs/gap.md).

-- What an attribution setting means for the gap: its click window (and days) and its view window.
CREATE FUNCTION recon.attribution_windows(setting text, OUT click_window text, OUT click_days integer, OUT view_window text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT substring(lower(setting) FROM '(\d+d_click)'),
           substring(lower(setting) FROM '(\d+)d_click')::integer,
           substring(lower(setting) FROM '(\d+d_(?:view|ev))')
$$;
COMMENT ON FUNCTION recon.attribution_windows(text) IS
    'Splits an attribution setting such as 7d_click_1d_view or 30d_click into its click window (7d_click), the click window''s days (7) and its view window (1d_view); NULL parts when the setting has none (and all NULL for a NULL setting).';

-- The day a platform books a conversion: the click's day unless it reports on the
-- conversion's clock, or no click is known; days are cut where the platform reports.
CREATE FUNCTION recon.platform_booking_day(clicked_at timestamptz, converted_at timestamptz,
                                           action_report_time text, report_timezone text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN clicked_at IS NULL OR action_report_time = 'conversion' THEN converted_at ELSE clicked_at END
            AT TIME ZONE report_timezone)::date
$$;
COMMENT ON FUNCTION recon.platform_booking_day(timestamptz, timestamptz, text, text) IS
    'The report day a platform books a conversion on: the click''s day in the platform''s report zone (action_report_time impression or mixed), or the conversion''s day when it reports on the conversion clock or the click is unknown.';

-- The conversion a signal reports, as the event families the platforms' reports count.
CREATE FUNCTION recon.signal_event_family(event_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE regexp_replace(lower(event_name), '[^a-z0-9]', '', 'g')
               WHEN 'purchase' THEN 'purchase' WHEN 'completepayment' THEN 'purchase' WHEN 'placeanorder' THEN 'purchase'
               WHEN 'lead' THEN 'lead' WHEN 'submitform' THEN 'lead' WHEN 'leadgenformresponse' THEN 'lead'
               WHEN 'generatelead' THEN 'lead' END
$$;
COMMENT ON FUNCTION recon.signal_event_family(text) IS
    'The conversion family a signal''s event name reports, whatever the platform''s spelling: purchase (Purchase, CompletePayment, PlaceAnOrder) or lead (Lead, SubmitForm, generate_lead); NULL for events the gap does not count (PageView, AddToCart...).';

-- An amount in the ad account's currency: as is when it already is, else converted on the day.
CREATE FUNCTION recon.money_to_account(amount numeric, currency text, account_currency text, day date) RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN amount IS NULL THEN NULL
                WHEN currency IS NULL OR currency = account_currency THEN amount
                ELSE @extschema@.recon_fx_amount(amount, currency, day, account_currency) END
$$;
COMMENT ON FUNCTION recon.money_to_account(numeric, text, text, date) IS
    'The amount in the ad account''s currency: unchanged when it is already in it (or has no currency), else converted with recon_fx_amount on the day (P0002 when no rate covers it).';

-- Per ad account, what the gap needs from its reports: report zone, clock, windows.
CREATE VIEW recon.gap_account_settings AS
    SELECT a.platform, a.account_id, a.currency, a.report_timezone,
           coalesce(d.action_report_time, 'impression') AS action_report_time,
           d.attribution_setting, w.click_window, w.click_days, w.view_window,
           EXISTS (SELECT 1 FROM recon.platform_conversions_daily c
                   WHERE c.platform = a.platform AND c.account_id = a.account_id AND c.attribution_window = w.click_window)
               AS click_breakdown_loaded
    FROM recon.ad_accounts a
    LEFT JOIN LATERAL (SELECT x.action_report_time, x.attribution_setting FROM recon.ad_delivery_daily x
                       WHERE x.platform = a.platform AND x.account_id = a.account_id
                       ORDER BY x.report_date DESC, x.attribution_setting NULLS LAST LIMIT 1) d ON true
    LEFT JOIN LATERAL recon.attribution_windows(d.attribution_setting) w ON true;
COMMENT ON VIEW recon.gap_account_settings IS
    'Per ad account: currency, report zone, the action_report_time and attribution setting of its latest delivery day (impression when unset), the setting''s click window and days and view window, and whether the per-window breakdown for the click window is loaded (without it view-through cannot be measured). Unique key: (platform, account_id).';

-- The evidence rows. A function with JIT off: the plan's cost estimates would compile it for longer than it runs.
CREATE FUNCTION recon.gap_evidence_rows()
RETURNS TABLE (part text, platform text, account_id text, campaign_id text, record_id text, click_id text,
               signal_keys bigint[], clicked_at timestamptz, converted_at timestamptz, lag_days numeric,
               platform_day date, crm_day date, conversions numeric, value numeric, currency recon_currency_code, detail text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'      -- the joins of a million records and their signals hash in memory instead of sorting on disk
-- CTE scans carry no statistics, so the planner misjudges their joins (a nested loop or a merge on one of two keys
-- over a million rows never ends): every join here is an equality on keys, and hashing them is always right
SET enable_nestloop = off
SET enable_mergejoin = off
AS $evidence$
WITH ctx AS MATERIALIZED (SELECT tz FROM recon.report_context()),
-- the event names that report conversions, found by a skip scan of the signals' (platform, event_name) index:
-- a page-view stream is never read row by row to learn it is not one
event_names AS MATERIALIZED (
    WITH RECURSIVE seen AS (
        (SELECT s.platform, s.event_name FROM recon.conversion_signals s ORDER BY s.platform, s.event_name LIMIT 1)
        UNION ALL
        SELECT n.platform, n.event_name
        FROM seen p
        CROSS JOIN LATERAL (SELECT s.platform, s.event_name FROM recon.conversion_signals s
                            WHERE (s.platform, s.event_name) > (p.platform, p.event_name)
                            ORDER BY s.platform, s.event_name LIMIT 1) n
    )
    SELECT array_agg(DISTINCT event_name) AS conversions FROM seen WHERE recon.signal_event_family(event_name) IS NOT NULL
),
accounts AS MATERIALIZED (SELECT * FROM recon.gap_account_settings),
-- one account per platform stands in when a click or signal names none
platform_account AS MATERIALIZED (SELECT DISTINCT ON (platform) * FROM accounts ORDER BY platform, account_id),
records AS MATERIALIZED (
    SELECT f.record_id, f.channel, f.campaign_id, f.created_at, f.stated_value, f.currency,
           recon.record_invalidity(f.status_reason, f.dq_flags) IS NULL AS valid,
           f.fbclid, f.fbc, f.gclid, f.gbraid, f.wbraid, f.ttclid, f.msclkid, f.li_fat_id
    FROM recon.funnel_records f WHERE f.record_type IN ('lead', 'order')
),
-- signals and the record each reports: by order or lead id, else by the matching cascade's link
signal_records AS MATERIALIZED (
    SELECT s.signal_key, s.platform, s.account_id, s.event_id, s.event_name, s.event_time, s.value, s.currency,
           s.fbclid, s.fbc, s.gclid, s.gbraid, s.wbraid, s.ttclid, s.msclkid, s.li_fat_id, s.fbp, s.external_id,
           coalesce(r.record_id, l.right_id) AS record_id,
           coalesce(s.order_id, s.lead_id) AS business_key,
           coalesce(s.order_id, s.lead_id, 'external_id:' || s.external_id, 'fbp:' || s.fbp) AS dedup_key
    FROM recon.conversion_signals s
    LEFT JOIN records r ON r.record_id = coalesce(s.order_id, s.lead_id)
    LEFT JOIN recon.match_links l ON coalesce(s.order_id, s.lead_id) IS NULL AND l.link_type = 'signal_record'
                                 AND l.left_id = s.signal_key::text
    WHERE s.event_name = ANY ((SELECT conversions FROM event_names)::text[])     -- conversions only, not page views or carts
),
-- every platform click id a record carries, on itself or on a signal that reports it
record_click_ids AS (
    SELECT r.record_id, c.platform, c.click_id, c.cookie_at
    FROM records r
    CROSS JOIN LATERAL (VALUES ('meta', r.fbclid, NULL::timestamptz),
                               ('meta', (@extschema@.recon_parse_fbc(r.fbc)).fbclid, (@extschema@.recon_parse_fbc(r.fbc)).creation_time),
                               ('google', coalesce(r.gclid, r.gbraid, r.wbraid), NULL), ('tiktok', r.ttclid, NULL),
                               ('microsoft', r.msclkid, NULL), ('linkedin', r.li_fat_id, NULL)) AS c(platform, click_id, cookie_at)
    WHERE c.click_id IS NOT NULL
    UNION ALL
    SELECT s.record_id, s.platform, c.click_id, c.cookie_at
    FROM signal_records s
    CROSS JOIN LATERAL (VALUES (s.fbclid, NULL::timestamptz),
                               ((@extschema@.recon_parse_fbc(s.fbc)).fbclid, (@extschema@.recon_parse_fbc(s.fbc)).creation_time),
                               (coalesce(s.gclid, s.gbraid, s.wbraid), NULL), (s.ttclid, NULL), (s.msclkid, NULL), (s.li_fat_id, NULL))
        AS c(click_id, cookie_at)
    WHERE s.record_id IS NOT NULL AND c.click_id IS NOT NULL
),
-- per record and platform, the last click before the conversion (the click log, else the fbc cookie's time)
record_clicks AS MATERIALIZED (
    SELECT DISTINCT ON (k.record_id, k.platform)
           k.record_id, k.platform, k.click_id, coalesce(c.clicked_at, k.cookie_at) AS clicked_at,
           coalesce(c.account_id, pa.account_id) AS account_id, c.campaign_id
    FROM record_click_ids k
    JOIN records r USING (record_id)
    LEFT JOIN recon.ad_clicks c ON c.platform = k.platform AND c.click_id = k.click_id
    LEFT JOIN platform_account pa ON pa.platform = k.platform
    WHERE coalesce(c.clicked_at, k.cookie_at) IS NULL OR coalesce(c.clicked_at, k.cookie_at) <= r.created_at
    ORDER BY k.record_id, k.platform, coalesce(c.clicked_at, k.cookie_at) DESC NULLS LAST
),
-- per record and platform, what the platform was told: its signals and the value of the first
record_signals AS MATERIALIZED (
    SELECT record_id, platform, array_agg(signal_key ORDER BY signal_key) AS signal_keys,
           (array_agg(value ORDER BY event_time, signal_key) FILTER (WHERE value IS NOT NULL))[1] AS value,
           (array_agg(currency ORDER BY event_time, signal_key) FILTER (WHERE value IS NOT NULL))[1] AS currency,
           (array_agg(account_id ORDER BY event_time, signal_key) FILTER (WHERE account_id IS NOT NULL))[1] AS account_id
    FROM signal_records WHERE record_id IS NOT NULL
    GROUP BY record_id, platform
),
-- the (record, platform) pairs the gap looks at: the record's own ad channel, any platform it clicked, any it signalled
pair_keys AS (
    SELECT r.record_id, r.channel AS platform FROM records r JOIN recon.platforms x ON x.platform = r.channel
    UNION SELECT record_id, platform FROM record_clicks
    UNION SELECT record_id, platform FROM record_signals
),
pairs AS (
    SELECT r.*, p.platform, k.click_id, k.clicked_at, k.account_id AS click_account_id, k.campaign_id AS click_campaign_id,
           s.signal_keys, s.value AS signal_value, s.currency AS signal_currency, s.account_id AS signal_account_id
    FROM pair_keys p
    JOIN records r USING (record_id)
    LEFT JOIN record_clicks k ON k.record_id = p.record_id AND k.platform = p.platform
    LEFT JOIN record_signals s ON s.record_id = p.record_id AND s.platform = p.platform
),
classified AS (
    SELECT q.*, a.account_id AS gap_account_id, a.currency AS account_currency, a.report_timezone, a.action_report_time,
           a.click_days,
           extract(epoch FROM q.created_at - q.clicked_at) / 86400 AS lag,
           CASE WHEN q.click_id IS NULL THEN CASE WHEN q.channel = q.platform AND q.valid THEN 'crm_unlinked' END
                WHEN q.clicked_at IS NOT NULL AND a.click_days IS NOT NULL
                     AND q.created_at > q.clicked_at + a.click_days * interval '1 day'
                    THEN CASE WHEN q.channel = q.platform AND q.valid THEN 'attribution_window' END
                WHEN NOT q.valid THEN 'invalid'
                WHEN q.channel = q.platform THEN 'matched'
                ELSE 'double_claim' END AS click_part
    FROM pairs q
    LEFT JOIN platform_account pa ON pa.platform = q.platform
    JOIN accounts a ON a.platform = q.platform AND a.account_id = coalesce(q.click_account_id, q.signal_account_id, pa.account_id)
),
valued AS (
    SELECT c.*,
           -- what the platform values the conversion at: the value its signal carried, else the CRM's stated value
           coalesce(recon.money_to_account(coalesce(c.signal_value, c.stated_value),
                                           CASE WHEN c.signal_value IS NOT NULL THEN c.signal_currency ELSE c.currency END,
                                           c.account_currency, (c.created_at AT TIME ZONE (SELECT tz FROM ctx))::date), 0) AS platform_value,
           recon.platform_booking_day(c.clicked_at, c.created_at, c.action_report_time, c.report_timezone) AS booking_day,
           (c.created_at AT TIME ZONE (SELECT tz FROM ctx))::date AS created_day
    FROM classified c
),
-- Pixel/CAPI events for one order whose event ids drifted: each extra event id within 48 hours of the first is a
-- second count. Groups with one event id (nearly all) are told apart by hashing, without sorting them.
dedup_groups AS MATERIALIZED (
    SELECT platform, event_name, dedup_key, min(event_time) AS first_at
    FROM signal_records WHERE dedup_key IS NOT NULL AND event_id IS NOT NULL
    GROUP BY 1, 2, 3 HAVING min(event_id) <> max(event_id)
),
dedup_signals AS MATERIALIZED (
    SELECT s.*, g.first_at
    FROM signal_records s JOIN dedup_groups g USING (platform, event_name, dedup_key)
    WHERE s.event_id IS NOT NULL
),
dedup_extra AS (       -- each event id's first signal within 48 hours, ranked by arrival
    SELECT d.*, row_number() OVER (PARTITION BY d.platform, d.event_name, d.dedup_key ORDER BY d.event_time, d.signal_key) AS id_rank
    FROM (SELECT DISTINCT ON (platform, event_name, dedup_key, event_id) *
          FROM dedup_signals ORDER BY platform, event_name, dedup_key, event_id, event_time, signal_key) d
    WHERE d.event_time < d.first_at + interval '48 hours'
),
dedup_sets AS (        -- all the signals of a group counted more than once
    SELECT platform, event_name, dedup_key, array_agg(signal_key ORDER BY event_time, signal_key) AS signal_keys
    FROM dedup_signals GROUP BY 1, 2, 3
)
SELECT v.click_part, v.platform, v.gap_account_id, coalesce(v.click_campaign_id, CASE WHEN v.channel = v.platform THEN v.campaign_id END),
       v.record_id, v.click_id, v.signal_keys, v.clicked_at, v.created_at, round(v.lag::numeric, 4),
       CASE WHEN v.click_part IN ('matched', 'invalid', 'double_claim') THEN v.booking_day END,
       CASE WHEN v.click_part IN ('matched', 'attribution_window', 'crm_unlinked') THEN v.created_day END,
       1::numeric, v.platform_value, v.account_currency,
       CASE v.click_part
           WHEN 'attribution_window' THEN format('clicked %s days before the conversion; the window is %s days', round(v.lag::numeric, 1), v.click_days)
           WHEN 'crm_unlinked' THEN 'the CRM credits the channel, but no click id, cookie or signal links the record to it'
           WHEN 'invalid' THEN 'a click in the window, but the CRM rejected the record (spam, test or duplicate)'
           WHEN 'double_claim' THEN format('the CRM credits %s; this platform''s click is in its window too', v.channel)
           WHEN 'matched' THEN CASE WHEN v.clicked_at IS NULL THEN 'click time unknown (not in recon.ad_clicks): dated by the conversion' END
       END
FROM valued v
WHERE v.click_part IS NOT NULL
UNION ALL
-- the platform was told about a conversion but nothing shows its click: view-through, cross-device or organic
SELECT 'unlinked_signal', v.platform, v.gap_account_id, NULL, v.record_id, NULL, v.signal_keys, NULL, v.created_at, NULL,
       recon.platform_booking_day(NULL, v.created_at, v.action_report_time, v.report_timezone), NULL,
       1::numeric, v.platform_value, v.account_currency,
       CASE WHEN v.channel = v.platform THEN 'the CRM credits the channel but holds no click id for it'
            ELSE format('the CRM credits %s; the signal carries no click id or click cookie of this platform', v.channel) END
FROM valued v
WHERE v.click_id IS NULL AND v.signal_keys IS NOT NULL
UNION ALL
SELECT 'dedup_failure', e.platform, a.account_id, k.campaign_id, e.record_id, NULL, d.signal_keys, k.clicked_at, coalesce(r.created_at, e.first_at), NULL,
       recon.platform_booking_day(k.clicked_at, coalesce(r.created_at, e.first_at), a.action_report_time, a.report_timezone), NULL,
       1::numeric,
       coalesce(recon.money_to_account(e.value, e.currency, a.currency, (e.event_time AT TIME ZONE (SELECT tz FROM ctx))::date), 0),
       a.currency,
       format('%s event %s for %s arrived %s after the first with another event id; the platform counted it again',
              e.event_name, e.event_id, e.dedup_key, date_trunc('second', e.event_time - e.first_at))
FROM dedup_extra e
JOIN dedup_sets d USING (platform, event_name, dedup_key)
LEFT JOIN records r ON r.record_id = e.record_id
LEFT JOIN record_clicks k ON k.record_id = e.record_id AND k.platform = e.platform
LEFT JOIN platform_account pa ON pa.platform = e.platform
JOIN accounts a ON a.platform = e.platform AND a.account_id = coalesce(k.account_id, e.account_id, pa.account_id)
WHERE e.id_rank > 1
$evidence$;
COMMENT ON FUNCTION recon.gap_evidence_rows() IS
    'Computes the rows of recon.gap_evidence (JIT off: the plan''s cost estimates would trigger a compile slower than the query).';

CREATE VIEW recon.gap_evidence AS SELECT * FROM recon.gap_evidence_rows();
COMMENT ON VIEW recon.gap_evidence IS
    'The records and signals behind each part of the platform-vs-CRM gap, one row per conversion: matched (the CRM credits the platform and its click is in the window; the clock part compares platform_day and crm_day), attribution_window (clicked, converted after the window), invalid (clicked, rejected by the CRM as spam, test or duplicate), double_claim (credited to another channel, this platform''s click in its window), crm_unlinked (credited to the platform, nothing links it), unlinked_signal (the platform was told, no click shows: view-through, cross-device or organic) and dedup_failure (an extra event id for one order within 48 hours, with all its signals listed). platform_day is on the platform''s clock, crm_day on the CRM''s (reporting zone); value in the account currency as the platform values it.';

-- Overlapping action types (omni_purchase ⊇ purchase ⊇ offsite_conversion.fb_pixel_purchase): counted once,
-- and a figure that was summed from them, or breaks the overlap, flagged.
CREATE VIEW recon.platform_action_type_check AS
    WITH typed AS (
        SELECT c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id, c.attribution_window,
               f.family, c.action_type, c.conversions,
               row_number() OVER (PARTITION BY c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id,
                                               c.attribution_window, f.family
                                  ORDER BY f.priority, c.action_type) AS rank
        FROM recon.platform_conversions_daily c
        CROSS JOIN LATERAL recon.action_type_family(c.action_type) f
    ),
    families AS (
        SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, attribution_window, family,
               array_agg(action_type ORDER BY rank) AS action_types,
               min(action_type) FILTER (WHERE rank = 1) AS kept_action_type,
               sum(conversions) FILTER (WHERE rank = 1) AS kept_conversions,
               sum(conversions) AS summed_conversions,
               sum(conversions) FILTER (WHERE rank > 1) AS others_sum,
               max(conversions) FILTER (WHERE rank > 1) AS others_max,
               count(*) FILTER (WHERE rank > 1 AND conversions > 0) AS others_counting
        FROM typed GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING count(*) > 1
    )
    SELECT platform, account_id, report_date, campaign_id, adset_id, ad_id, attribution_window, family, action_types,
           kept_action_type, kept_conversions, summed_conversions,
           -- the kept figure is the sum of two or more of the overlapping ones: someone added them up
           CASE WHEN others_counting >= 2 AND kept_conversions = others_sum AND kept_conversions > others_max THEN 'summed_double_count'
                -- a narrower type counts more than the broader one kept: the overlap is broken (a type loaded twice?)
                WHEN others_max > kept_conversions THEN 'superset_violated'
                ELSE 'counted_once' END AS flag
    FROM families;
COMMENT ON VIEW recon.platform_action_type_check IS
    'Per platform row, attribution window and event family with overlapping action types (omni_purchase, purchase, offsite_conversion.fb_pixel_purchase...): the types loaded, the one reports keep (recon.action_type_family priority), its conversions and the naive sum over all types (what summing would report). flag: counted_once (normal overlap, one kept), summed_double_count (the kept figure equals the sum of two or more of the others: it was added up from overlapping types), superset_violated (a narrower type counts more than the broader one kept). Unique key: (platform, account_id, report_date, campaign_id, adset_id, ad_id, attribution_window, family).';

-- ===== src/gap/decomposition.sql =====
-- The gap decomposed: per channel (and campaign) and period, the platform's
-- conversions minus the CRM's, split into named parts that add up (docs/gap.md).

-- Where a period starts, for the grains the gap knows.
CREATE FUNCTION recon.gap_period(day date, grain text) RETURNS date
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF grain IN ('day', 'week', 'month', 'quarter', 'year') THEN
        RETURN date_trunc(grain, day)::date;
    END IF;
    RAISE EXCEPTION 'unknown gap period "%"', grain
        USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Periods: day, week (ISO, from Monday), month, quarter, year.';
END $$;
COMMENT ON FUNCTION recon.gap_period(date, text) IS
    'First day of the period (day, week from Monday, month, quarter, year) a day falls in; 22023 for another grain.';

-- One row per channel, period, currency and campaign (campaign_id NULL: the whole channel).
CREATE FUNCTION recon.gap_decomposition_rows(grain text DEFAULT 'month')
RETURNS TABLE (channel text, period date, period_grain text, campaign_id text, currency recon_currency_code, maturity text,
               spend numeric, platform_conversions numeric, crm_conversions numeric, gap numeric,
               attribution_window numeric, view_through numeric, modeled numeric, identity_loss numeric,
               clock numeric, double_claims numeric, dedup_failures numeric, invalid numeric,
               modeled_or_identity_loss numeric, residual numeric,
               platform_value numeric, crm_value numeric, value_gap numeric,
               attribution_window_value numeric, view_through_value numeric, modeled_value numeric,
               identity_loss_value numeric, clock_value numeric, double_claims_value numeric,
               dedup_failures_value numeric, invalid_value numeric, modeled_or_identity_loss_value numeric,
               residual_value numeric, ratio numeric, notes text[])
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $gap$
WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
grain_checked AS MATERIALIZED (SELECT recon.gap_period(current_date, grain) IS NOT NULL AS ok),
accounts AS MATERIALIZED (SELECT * FROM recon.gap_account_settings),
-- the platform's claims in the reported window, and how much of them its click window holds
claims AS (
    SELECT r.platform, r.account_id, r.campaign_id, recon.gap_period(r.report_date, grain) AS period, a.currency,
           r.conversions, m.value,
           CASE v.rule WHEN 'none' THEN 0 WHEN 'all' THEN r.conversions WHEN 'beyond_click' THEN r.conversions - coalesce(k.conversions, 0) END
               AS view_through,
           CASE v.rule WHEN 'none' THEN 0 WHEN 'all' THEN m.value WHEN 'beyond_click' THEN m.value - m.click_value END
               AS view_through_value
    FROM recon.platform_conversions_reported r
    JOIN accounts a USING (platform, account_id)
    LEFT JOIN recon.platform_conversions_daily k
           ON (k.platform, k.account_id, k.report_date, k.campaign_id, k.adset_id, k.ad_id, k.action_type, k.attribution_window)
            = (r.platform, r.account_id, r.report_date, r.campaign_id, r.adset_id, r.ad_id, r.action_type, a.click_window)
    -- how much of the reported window is view-through: none of a click window, all of a view window, else what
    -- the account's setting adds beyond its click window (unknown without the setting or the click breakdown)
    CROSS JOIN LATERAL (SELECT CASE WHEN r.attribution_window ~ '_click$' THEN 'none'
                                    WHEN r.attribution_window ~ '_(view|ev)$' THEN 'all'
                                    WHEN a.attribution_setting IS NULL THEN NULL
                                    WHEN a.view_window IS NULL THEN 'none'
                                    WHEN a.click_breakdown_loaded THEN 'beyond_click' END AS rule) v
    CROSS JOIN LATERAL (SELECT recon.money_to_account(r.conversion_value, r.currency, a.currency, r.report_date) AS value,
                               recon.money_to_account(coalesce(k.conversion_value, 0), r.currency, a.currency, r.report_date) AS click_value) m
    WHERE (SELECT ok FROM grain_checked)
),
spend AS (
    SELECT d.platform, recon.gap_period(d.report_date, grain) AS period, a.currency, d.campaign_id,
           sum(recon.money_to_account(d.spend, d.currency, a.currency, d.report_date)) AS spend
    FROM recon.platform_delivery d JOIN accounts a USING (platform, account_id)
    GROUP BY 1, 2, 3, 4
),
evidence AS MATERIALIZED (SELECT * FROM recon.gap_evidence_rows()),
-- each evidence row counts in the period of its own clock
dated AS (
    SELECT e.part, e.platform, e.currency, e.campaign_id, recon.gap_period(e.platform_day, grain) AS period, 'platform' AS side,
           e.signal_keys IS NOT NULL AS signalled, e.value
    FROM evidence e WHERE e.platform_day IS NOT NULL
    UNION ALL
    SELECT e.part, e.platform, e.currency, e.campaign_id, recon.gap_period(e.crm_day, grain), 'crm', e.signal_keys IS NOT NULL, e.value
    FROM evidence e WHERE e.crm_day IS NOT NULL
),
cells AS (
    SELECT platform, period, currency, campaign_id,
           sum(conversions) AS r, sum(value) AS rv, sum(view_through) AS v, sum(view_through_value) AS vv,
           bool_or(view_through IS NULL) AS v_unknown,
           0 AS mp, 0 AS mpv, 0 AS mc, 0 AS mcv, 0 AS ow, 0 AS owv, 0 AS j, 0 AS jv, 0 AS d2, 0 AS d2v, 0 AS dd, 0 AS ddv,
           0 AS cu, 0 AS cuv, 0 AS nc, 0 AS ncv, 0 AS sig, 0 AS sigv, 0 AS spend
    FROM claims GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT platform, period, currency, campaign_id, 0, 0, 0, 0, false,
           count(*) FILTER (WHERE part = 'matched' AND side = 'platform'), coalesce(sum(value) FILTER (WHERE part = 'matched' AND side = 'platform'), 0),
           count(*) FILTER (WHERE part = 'matched' AND side = 'crm'), coalesce(sum(value) FILTER (WHERE part = 'matched' AND side = 'crm'), 0),
           count(*) FILTER (WHERE part = 'attribution_window'), coalesce(sum(value) FILTER (WHERE part = 'attribution_window'), 0),
           count(*) FILTER (WHERE part = 'invalid'), coalesce(sum(value) FILTER (WHERE part = 'invalid'), 0),
           count(*) FILTER (WHERE part = 'double_claim'), coalesce(sum(value) FILTER (WHERE part = 'double_claim'), 0),
           count(*) FILTER (WHERE part = 'dedup_failure'), coalesce(sum(value) FILTER (WHERE part = 'dedup_failure'), 0),
           count(*) FILTER (WHERE part = 'crm_unlinked'), coalesce(sum(value) FILTER (WHERE part = 'crm_unlinked'), 0),
           count(*) FILTER (WHERE part = 'unlinked_signal'), coalesce(sum(value) FILTER (WHERE part = 'unlinked_signal'), 0),
           -- what the platform was told and could count: signalled clicks in the window, extra events, unlinked signals
           count(*) FILTER (WHERE side = 'platform' AND (signalled AND part IN ('matched', 'invalid', 'double_claim')
                                                          OR part IN ('dedup_failure', 'unlinked_signal'))),
           coalesce(sum(value) FILTER (WHERE side = 'platform' AND (signalled AND part IN ('matched', 'invalid', 'double_claim')
                                                                    OR part IN ('dedup_failure', 'unlinked_signal'))), 0),
           0
    FROM dated GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT platform, period, currency, campaign_id, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, spend
    FROM spend
),
rolled AS (         -- campaign rows and the channel's total (campaign_id NULL, with the evidence no campaign holds)
    SELECT platform, period, currency, campaign_id, GROUPING(campaign_id) = 1 AS channel_total,
           sum(r) AS r, sum(rv) AS rv, sum(v) AS v, sum(vv) AS vv, bool_or(v_unknown) AS v_unknown,
           sum(mp) AS mp, sum(mpv) AS mpv, sum(mc) AS mc, sum(mcv) AS mcv, sum(ow) AS ow, sum(owv) AS owv,
           sum(j) AS j, sum(jv) AS jv, sum(d2) AS d2, sum(d2v) AS d2v, sum(dd) AS dd, sum(ddv) AS ddv,
           sum(cu) AS cu, sum(cuv) AS cuv, sum(nc) AS nc, sum(ncv) AS ncv, sum(sig) AS sig, sum(sigv) AS sigv,
           sum(spend) AS spend
    FROM cells
    GROUP BY GROUPING SETS ((platform, period, currency, campaign_id), (platform, period, currency))
),
windows AS (SELECT platform, max(click_days) AS click_days FROM accounts GROUP BY 1),
parts AS (
    SELECT x.*, x.r - (x.mc + x.ow + x.cu) AS gap_n, x.rv - (x.mcv + x.owv + x.cuv) AS gap_v,
           CASE WHEN x.channel_total THEN x.r - x.sig END AS mo, CASE WHEN x.channel_total THEN x.rv - x.sigv END AS mov,
           CASE WHEN x.channel_total THEN x.nc - x.v - x.cu END AS il, CASE WHEN x.channel_total THEN x.ncv - x.vv - x.cuv END AS ilv,
           x.r - x.v - x.mp - x.j - x.d2 - x.dd - x.cu AS unl, x.rv - x.vv - x.mpv - x.jv - x.d2v - x.ddv - x.cuv AS unlv,
           w.click_days
    FROM rolled x LEFT JOIN windows w USING (platform)
    WHERE x.campaign_id IS NOT NULL OR x.channel_total
)
SELECT p.platform, p.period, grain, p.campaign_id, p.currency,
       CASE WHEN (p.period + ('1 ' || grain)::interval - interval '1 day')::date + coalesce(p.click_days, 0)
                 <= (SELECT as_of_day FROM ctx) THEN 'mature' ELSE 'incomplete' END,
       p.spend, p.r, p.mc + p.ow + p.cu, p.gap_n,
       -p.ow, CASE WHEN NOT p.v_unknown THEN p.v END, p.mo, CASE WHEN NOT p.v_unknown THEN p.il END,
       p.mp - p.mc, p.d2, p.dd, p.j,
       CASE WHEN NOT p.v_unknown THEN p.unl END,
       CASE WHEN p.channel_total AND NOT p.v_unknown THEN p.gap_n - (-p.ow + p.v + p.mo + p.il + p.mp - p.mc + p.d2 + p.dd + p.j) END,
       p.rv, p.mcv + p.owv + p.cuv, p.gap_v,
       -p.owv, CASE WHEN NOT p.v_unknown THEN p.vv END, p.mov, CASE WHEN NOT p.v_unknown THEN p.ilv END,
       p.mpv - p.mcv, p.d2v, p.ddv, p.jv,
       CASE WHEN NOT p.v_unknown THEN p.unlv END,
       CASE WHEN p.channel_total AND NOT p.v_unknown THEN p.gap_v - (-p.owv + p.vv + p.mov + p.ilv + p.mpv - p.mcv + p.d2v + p.ddv + p.jv) END,
       CASE WHEN p.mc + p.ow + p.cu > 0 AND p.r > 0 THEN round(p.r / (p.mc + p.ow + p.cu), 4) END,
       array_remove(ARRAY[
           CASE WHEN p.r = 0 AND p.spend = 0 THEN 'no platform report for the period: ratio undefined' END,
           CASE WHEN p.r = 0 AND p.spend > 0 THEN 'the platform reported spend but no conversions: ratio undefined' END,
           CASE WHEN p.mc + p.ow + p.cu = 0 THEN 'no CRM conversions in the period: ratio undefined' END,
           CASE WHEN p.spend = 0 AND p.r > 0 THEN 'no spend reported' END,
           CASE WHEN p.v_unknown THEN 'view-through unknown: the attribution setting is unset or its click-window breakdown is not loaded' END,
           CASE WHEN NOT p.channel_total THEN 'modeled and identity loss are split per channel only: the conversions behind them carry no campaign' END
       ], NULL)
FROM parts p
$gap$;
COMMENT ON FUNCTION recon.gap_decomposition_rows(text) IS
    'Computes the platform-vs-CRM gap and its parts per channel, period (grain day, week, month, quarter or year), currency and campaign (campaign_id NULL: the channel''s total); see recon.gap_decomposition. JIT off.';

CREATE VIEW recon.gap_decomposition AS
    SELECT * FROM recon.gap_decomposition_rows('month');
COMMENT ON VIEW recon.gap_decomposition IS
    'Platform-reported conversions (the platform_report_window, one action type per family) minus the CRM''s valid leads and orders credited to the channel, per channel, month, account currency and campaign (campaign_id NULL: the channel''s total), split into attribution_window (CRM conversions clicked before the window: negative), view_through (reported window minus its click window), modeled (claims beyond every signal the platform could count), identity_loss (signals with no click the view-through does not explain, minus CRM conversions of the channel nothing links), clock (matched conversions booked in another period by the platform than by the CRM), double_claims (sales the CRM credits to another channel that this platform''s click also reaches), dedup_failures (extra Pixel/CAPI event ids) and invalid (clicked records the CRM rejected), plus residual; the parts add up to the gap, in counts and in value (account currency). ratio = platform / CRM conversions, NULL with a note when undefined; maturity incomplete until the period''s end plus the longest click window has passed in the data. Drill down with recon.gap_evidence. Unique key: (channel, period, currency, campaign_id) with campaign_id NULL for the total.';

-- The channel totals in long form: one row per part, in waterfall order, with the running count.
CREATE FUNCTION recon.gap_steps(grain text DEFAULT 'month')
RETURNS TABLE (channel text, period date, currency recon_currency_code, maturity text, step integer, part text, label text,
               conversions numeric, value numeric, running_conversions numeric, running_value numeric)
LANGUAGE sql STABLE AS $$
    SELECT g.channel, g.period, g.currency, g.maturity, s.step, s.part, s.label, s.n, s.v,
           CASE WHEN s.step = 10 THEN s.n ELSE sum(s.n) OVER w END, CASE WHEN s.step = 10 THEN s.v ELSE sum(s.v) OVER w END
    FROM recon.gap_decomposition_rows(grain) g
    CROSS JOIN LATERAL (VALUES
        (0, 'platform_conversions', 'platform reports', g.platform_conversions, g.platform_value),
        (1, 'view_through', 'view-through', -g.view_through, -g.view_through_value),
        (2, 'modeled', 'modeled', -g.modeled, -g.modeled_value),
        (3, 'identity_loss', 'identity loss', -g.identity_loss, -g.identity_loss_value),
        (4, 'double_claims', 'double claims', -g.double_claims, -g.double_claims_value),
        (5, 'dedup_failures', 'Pixel/CAPI dedup', -g.dedup_failures, -g.dedup_failures_value),
        (6, 'invalid', 'invalid in CRM', -g.invalid, -g.invalid_value),
        (7, 'clock', 'clock', -g.clock, -g.clock_value),
        (8, 'attribution_window', 'attribution window', -g.attribution_window, -g.attribution_window_value),
        (9, 'residual', 'residual', -g.residual, -g.residual_value),
        (10, 'crm_conversions', '= CRM conversions', g.crm_conversions, g.crm_value)
    ) AS s(step, part, label, n, v)
    WHERE g.campaign_id IS NULL
    WINDOW w AS (PARTITION BY g.channel, g.period, g.currency ORDER BY s.step)
$$;
COMMENT ON FUNCTION recon.gap_steps(text) IS
    'The gap of each channel and period as a waterfall: from the platform''s conversions (step 0), each part taken away in turn (steps 1-9, with running totals) down to the CRM''s conversions (step 10). A part that cannot be measured is NULL. Grain as in recon.gap_decomposition_rows.';

-- The waterfall as text, readable in psql: one line per step with a bar.
CREATE FUNCTION recon.gap_waterfall(channel text, period date, grain text DEFAULT 'month', width integer DEFAULT 40)
RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s record;
    top numeric;
    found_any boolean := false;
BEGIN
    IF width IS NULL OR width < 10 OR width > 200 THEN
        RAISE EXCEPTION 'waterfall width % is out of range', coalesce(width::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', DETAIL = 'From 10 to 200 characters.';
    END IF;
    SELECT max(greatest(abs(x.running_conversions), abs(x.conversions))) INTO top
    FROM recon.gap_steps(grain) x WHERE x.channel = gap_waterfall.channel AND x.period = gap_waterfall.period;
    FOR s IN SELECT * FROM recon.gap_steps(grain) x
             WHERE x.channel = gap_waterfall.channel AND x.period = gap_waterfall.period ORDER BY x.currency, x.step LOOP
        IF NOT found_any THEN
            RETURN NEXT format('%s, %s from %s (%s), value in %s', s.channel, grain, s.period, s.maturity, s.currency);
            found_any := true;
        END IF;
        IF s.step = 10 THEN
            RETURN NEXT format('%-20s %8s %14s  %s', s.label, s.conversions, to_char(s.value, 'FM999,999,999,990.00'),
                               repeat('#', greatest(0, round(width * s.conversions / nullif(top, 0))::integer)));
            CONTINUE;
        END IF;
        IF s.conversions IS NULL THEN
            RETURN NEXT format('%-20s %8s   (unknown)', s.label, '?');
            CONTINUE;
        END IF;
        CONTINUE WHEN s.step > 0 AND s.conversions = 0 AND s.value = 0;
        -- a bar from the running total before the step to the one after it: '#' for totals, '-' taken away, '+' added
        RETURN NEXT format('%-20s %8s %14s  %s', s.label, s.conversions, to_char(s.value, 'FM999,999,999,990.00'),
                           CASE WHEN s.step = 0 THEN repeat('#', greatest(1, round(width * s.conversions / nullif(top, 0))::integer))
                                ELSE repeat(' ', greatest(0, round(width * least(s.running_conversions, s.running_conversions - s.conversions) / nullif(top, 0))::integer))
                                     || repeat(CASE WHEN s.conversions < 0 THEN '-' ELSE '+' END,
                                               greatest(1, round(width * abs(s.conversions) / nullif(top, 0))::integer)) END);
    END LOOP;
    IF NOT found_any THEN
        RAISE EXCEPTION 'no gap for channel % in the % from %', coalesce(channel, 'NULL'), grain, coalesce(period::text, 'NULL')
            USING ERRCODE = 'no_data_found', HINT = 'SELECT DISTINCT channel, period FROM recon.gap_decomposition lists what there is.';
    END IF;
END $$;
COMMENT ON FUNCTION recon.gap_waterfall(text, date, text, integer) IS
    'The gap of one channel and period as a text waterfall for psql: platform conversions, each part taken away with its count, value and a bar, ending at the CRM''s conversions; zero parts are skipped, unknown ones shown as ?. P0002 when there is no such channel and period, 22023 for a width outside 10..200.';

-- ===== src/gap/monitor.sql =====
-- Watching the gap: the platform-to-CRM ratio per channel and week (and day)
-- against a robust baseline, the identifiers and links it rests on, and feeds
-- that stop; every move beyond the normal spread becomes an alert (docs/gap.md).

-- Median of an array (NULLs ignored); NULL for an empty one.
CREATE FUNCTION recon.array_median(values_in numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v)::numeric FROM unnest(values_in) AS v WHERE v IS NOT NULL
$$;
COMMENT ON FUNCTION recon.array_median(numeric[]) IS 'The median of the array''s non-NULL values; NULL when there are none.';

-- Median absolute deviation from the median.
CREATE FUNCTION recon.array_mad(values_in numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT recon.array_median(array_agg(abs(v - recon.array_median(values_in)))) FROM unnest(values_in) AS v WHERE v IS NOT NULL
$$;
COMMENT ON FUNCTION recon.array_mad(numeric[]) IS
    'The median absolute deviation of the array''s non-NULL values from their median (multiply by 1.4826 for a normal spread); NULL when there are none.';

-- The grains the monitor watches.
CREATE FUNCTION recon.monitor_grain(grain text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF grain IN ('week', 'day') THEN
        RETURN grain;
    END IF;
    RAISE EXCEPTION 'the monitor watches weeks and days, not "%"', grain USING ERRCODE = 'invalid_parameter_value';
END $$;
COMMENT ON FUNCTION recon.monitor_grain(text) IS 'Returns the grain when the monitor knows it (week, day); 22023 otherwise.';

-- The last n elements of an array (all of it when shorter).
CREATE FUNCTION recon.array_last(values_in numeric[], n integer) RETURNS numeric[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT values_in[greatest(1, coalesce(array_length(values_in, 1), 0) - n + 1):]
$$;
COMMENT ON FUNCTION recon.array_last(numeric[], integer) IS 'The last n elements of a one-dimensional array (the whole array when it is shorter).';

-- The monitor's rows for one grain: every watched value, its baseline and verdict.
CREATE FUNCTION recon.ratio_monitor_rows(grain text)
RETURNS TABLE (watch text, channel text, period_grain text, period date, maturity text, value numeric, sample numeric,
               baseline_median numeric, baseline_spread numeric, baseline_periods integer, robust_z numeric,
               status text, moved_part text, moved_by numeric, detail text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $monitor$
WITH cfg AS MATERIALIZED (
    SELECT recon.setting('monitor_baseline_periods')::integer AS n, recon.setting('monitor_threshold')::numeric AS threshold,
           recon.setting('monitor_min_shift')::numeric AS min_shift, recon.setting('monitor_min_sample')::numeric AS min_sample,
           (SELECT tz FROM recon.report_context()) AS tz,
           recon.monitor_grain(grain) AS checked_grain
),
gap AS MATERIALIZED (
    SELECT g.* FROM recon.gap_decomposition_rows(recon.monitor_grain(grain)) g
    WHERE g.campaign_id IS NULL
),
-- the ratio per channel (1 plus the sum of the parts per CRM conversion)
live_days AS (      -- days each channel spent on
    SELECT DISTINCT platform AS channel, report_date AS day FROM recon.platform_delivery WHERE spend > 0
),
windows AS (SELECT platform AS channel, coalesce(max(click_days), 0) AS click_days FROM recon.gap_account_settings GROUP BY 1),
ratio AS (
    SELECT 'ratio' AS watch, g.channel, g.period, g.maturity, g.ratio AS value,
           least(g.platform_conversions, g.crm_conversions) AS sample,
           g.ratio * sqrt(1 / nullif(g.platform_conversions, 0) + 1 / nullif(g.crm_conversions, 0)) AS sampling_error,
           g.notes,
           -- a period inside a live stretch: spend on each day from one click window before it (the clicks its CRM
           -- conversions come from) to the day after it; not a start, a pause or an end
           (SELECT count(*) FROM live_days l
            WHERE l.channel = g.channel
              AND l.day BETWEEN g.period - coalesce(w.click_days, 0) AND (g.period + ('1 ' || (SELECT checked_grain FROM cfg))::interval)::date)
               = (g.period + ('1 ' || (SELECT checked_grain FROM cfg))::interval)::date - g.period + coalesce(w.click_days, 0) + 1 AS live
    FROM gap g LEFT JOIN windows w USING (channel)
),
-- identifiers new CRM leads and orders arrive with, and how they link (all channels together)
records AS (
    SELECT recon.gap_period((f.created_at AT TIME ZONE (SELECT tz FROM cfg))::date, (SELECT checked_grain FROM cfg)) AS period,
           coalesce(f.fbclid, f.fbc, f.gclid, f.gbraid, f.wbraid, f.ttclid, f.msclkid, f.li_fat_id) IS NOT NULL AS has_click_id,
           coalesce(f.email_sha256::text, f.phone_sha256::text) IS NOT NULL AS has_contact,
           l.methods
    FROM recon.funnel_records f
    LEFT JOIN (SELECT right_id, array_agg(DISTINCT method) AS methods FROM recon.match_links
               WHERE link_type = 'signal_record' GROUP BY right_id) l ON l.right_id = f.record_id
    WHERE f.record_type IN ('lead', 'order')
),
link_methods AS (SELECT DISTINCT method FROM recon.match_links WHERE link_type = 'signal_record'),
shares AS (
    SELECT 'identifier_share:click_id' AS watch, 'all' AS channel, period, avg(has_click_id::int) AS value, count(*) AS sample
    FROM records GROUP BY period
    UNION ALL
    SELECT 'identifier_share:contact', 'all', period, avg(has_contact::int), count(*) FROM records GROUP BY period
    UNION ALL
    SELECT 'match_rate:' || m.method, 'all', r.period, avg((m.method = ANY (coalesce(r.methods, '{}')))::int), count(*)
    FROM records r CROSS JOIN link_methods m
    GROUP BY m.method, r.period
),
watched AS (
    SELECT watch, channel, period, maturity, value, sample, sampling_error, notes, live FROM ratio
    UNION ALL
    SELECT s.watch, s.channel, s.period,
           CASE WHEN s.period < (SELECT max(period) FROM shares) THEN 'mature' ELSE 'incomplete' END,   -- the last period is still filling
           s.value, s.sample, sqrt(s.value * (1 - s.value) / s.sample), '{}', true
    FROM shares s
),
judged AS (
    SELECT w.*,
           w.maturity = 'mature' AND w.live AND w.value IS NOT NULL AND w.sample >= (SELECT min_sample FROM cfg) AS eligible
    FROM watched w
),
-- the eligible values of the previous monitor_baseline_periods periods (frames need a constant: take 104, keep the last n)
baselined AS (
    SELECT j.*, recon.array_last(array_agg(CASE WHEN j.eligible THEN j.value END) OVER w, (SELECT n FROM cfg)) AS base_values
    FROM judged j
    WINDOW w AS (PARTITION BY j.watch, j.channel ORDER BY j.period ROWS BETWEEN 104 PRECEDING AND 1 PRECEDING)
),
scored AS (
    SELECT b.*, recon.array_median(b.base_values) AS median,
           (SELECT count(v)::integer FROM unnest(b.base_values) AS v) AS periods,
           greatest(1.4826 * recon.array_mad(b.base_values), coalesce(b.sampling_error, 0)) AS spread
    FROM baselined b
),
first_verdict AS (
    SELECT s.*,
           (s.value - s.median) / nullif(s.spread, 0) AS z,
           CASE WHEN s.value IS NULL THEN 'undefined'
                WHEN s.maturity <> 'mature' THEN 'immature'
                WHEN NOT s.live THEN 'not_live'
                WHEN s.sample < (SELECT min_sample FROM cfg) THEN 'insufficient_data'
                WHEN s.periods < greatest(3, (SELECT n FROM cfg) / 2) THEN 'no_baseline'
                -- shares of identifiers and links only alarm when they fall
                WHEN (s.watch = 'ratio' OR s.value < s.median)
                     AND abs(s.value - s.median) >= (SELECT min_shift FROM cfg) * abs(s.median)
                     AND (s.spread = 0 OR abs(s.value - s.median) / s.spread >= (SELECT threshold FROM cfg)) THEN 'alert'
                ELSE 'ok' END AS status
    FROM scored s
),
-- a day alone is noisy: a daily move alerts when the day before moved beyond the threshold the same way
verdict AS (
    SELECT f.watch, f.channel, f.period, f.maturity, f.value, f.sample, f.notes, f.median, f.spread, f.periods, f.z,
           CASE WHEN f.status = 'alert' AND (SELECT checked_grain FROM cfg) = 'day'
                     AND NOT coalesce(lag(f.status) OVER w = 'alert' AND sign(lag(f.z) OVER w) = sign(f.z)
                                      AND lag(f.period) OVER w = f.period - 1, false)
                THEN 'pending' ELSE f.status END AS status
    FROM first_verdict f
    WINDOW w AS (PARTITION BY f.watch, f.channel ORDER BY f.period)
),
-- for a ratio: each part per CRM conversion against its own baseline; the one that moved most
part_shares AS (
    SELECT g.channel, g.period, p.part, p.n / nullif(g.crm_conversions, 0) AS share,
           j.eligible
    FROM gap g
    JOIN judged j ON j.watch = 'ratio' AND j.channel = g.channel AND j.period = g.period
    CROSS JOIN LATERAL (VALUES ('attribution_window', g.attribution_window), ('view_through', g.view_through),
                               ('modeled', g.modeled), ('identity_loss', g.identity_loss), ('clock', g.clock),
                               ('double_claims', g.double_claims), ('dedup_failures', g.dedup_failures),
                               ('invalid', g.invalid), ('residual', g.residual)) AS p(part, n)
),
part_moves AS (
    SELECT ps.channel, ps.period, ps.part,
           ps.share - recon.array_median(recon.array_last(array_agg(CASE WHEN ps.eligible THEN ps.share END) OVER w, (SELECT n FROM cfg))) AS delta
    FROM part_shares ps
    WINDOW w AS (PARTITION BY ps.channel, ps.part ORDER BY ps.period ROWS BETWEEN 104 PRECEDING AND 1 PRECEDING)
),
moved AS (
    SELECT DISTINCT ON (channel, period) 'ratio' AS watch, channel, period, part, delta
    FROM part_moves WHERE delta IS NOT NULL
    ORDER BY channel, period, abs(delta) DESC, part
)
SELECT v.watch, v.channel, (SELECT checked_grain FROM cfg), v.period, v.maturity, round(v.value, 4), v.sample,
       round(v.median, 4), round(v.spread, 4), coalesce(v.periods, 0), round(v.z, 2), v.status,
       CASE WHEN v.status = 'alert' THEN m.part END, CASE WHEN v.status = 'alert' THEN round(m.delta, 4) END,
       CASE v.status
           WHEN 'undefined' THEN coalesce(array_to_string(v.notes, '; '), 'no value')
           WHEN 'immature' THEN 'the period is still maturing (its end plus the click window has not passed in the data)'
           WHEN 'pending' THEN format('%s against a baseline median of %s: beyond the threshold for one day; a second day alerts',
                                      round(v.value, 4), round(v.median, 4))
           WHEN 'not_live' THEN 'the channel did not spend on every day from one click window before the period to the day after it (campaigns starting, pausing or ending)'
           WHEN 'insufficient_data' THEN format('%s on the smaller side, below monitor_min_sample', v.sample)
           WHEN 'no_baseline' THEN format('%s earlier periods to compare with, %s needed', coalesce(v.periods, 0), greatest(3, (SELECT n FROM cfg) / 2))
           ELSE format('%s against a baseline median of %s (%s periods, spread %s): %s',
                       round(v.value, 4), round(v.median, 4), v.periods, round(v.spread, 4),
                       CASE WHEN v.value >= v.median THEN 'up ' ELSE 'down ' END || round(abs(v.value - v.median), 4)) END
FROM verdict v
LEFT JOIN moved m USING (watch, channel, period)
$monitor$;
COMMENT ON FUNCTION recon.ratio_monitor_rows(text) IS
    'The monitor for one grain (week or day): see recon.ratio_monitor. 22023 for another grain. JIT off.';

CREATE VIEW recon.ratio_monitor AS
    SELECT * FROM recon.ratio_monitor_rows('week')
    UNION ALL
    SELECT * FROM recon.ratio_monitor_rows('day');
COMMENT ON VIEW recon.ratio_monitor IS
    'Watched values per period (week from Monday, and day): ratio (platform / CRM conversions per channel), identifier_share:click_id and :contact (share of new leads and orders carrying them), match_rate:<method> (share linked to a signal by that method). Each against the median of the eligible values of the previous monitor_baseline_periods periods, with spread = max(1.4826 x MAD, the period''s sampling error); status ok, alert (moved by monitor_threshold spreads and by monitor_min_shift of the median; shares only when they fall; a day only when the day before moved the same way, else pending), immature, not_live (a ratio period without spend on every day from one click window before it, where its CRM conversions'' clicks are, to the day after it: campaigns starting, pausing or ending), insufficient_data (below monitor_min_sample), no_baseline or undefined (with the reason). For a ratio alert, moved_part names the gap part whose share per CRM conversion moved most, and moved_by by how much. Unique key: (watch, channel, period_grain, period).';

-- Feeds that stop: no delivery rows since a day, or spend without conversions.
CREATE VIEW recon.feed_watch AS
    WITH ctx AS (SELECT as_of_day FROM recon.report_context()),
    daily AS (
        SELECT d.platform, d.report_date, sum(d.spend) AS spend, sum(d.impressions) AS impressions
        FROM recon.platform_delivery d GROUP BY 1, 2
    ),
    conv AS (SELECT platform, report_date, sum(conversions) AS conversions FROM recon.platform_conversions_reported GROUP BY 1, 2),
    per_platform AS (
        SELECT d.platform, max(d.report_date) AS last_row_day,
               max(d.report_date) FILTER (WHERE d.spend > 0) AS last_spend_day,
               max(d.report_date) FILTER (WHERE c.conversions > 0) AS last_conversion_day,
               count(*) FILTER (WHERE d.spend > 0 OR c.conversions > 0) AS active_days
        FROM daily d LEFT JOIN conv c USING (platform, report_date)
        GROUP BY 1
    ),
    judged AS (
        SELECT p.*, c.as_of_day,
               CASE WHEN p.last_row_day < c.as_of_day - 1 AND p.active_days >= 7 THEN 'feed_stopped'
                    WHEN p.last_spend_day >= c.as_of_day - 1 AND p.last_conversion_day < p.last_spend_day - 3
                         AND p.active_days >= 7 THEN 'conversions_stopped'
                    ELSE 'ok' END AS status
        FROM per_platform p CROSS JOIN ctx c
    )
    SELECT j.platform AS channel, j.last_row_day, j.last_spend_day, j.last_conversion_day, j.as_of_day AS data_as_of_day, j.status,
           CASE j.status
               WHEN 'feed_stopped' THEN format('no delivery rows since %s (%s complete days) while the other layers reach %s',
                                               j.last_row_day, j.as_of_day - 1 - j.last_row_day, j.as_of_day)
               WHEN 'conversions_stopped' THEN format('spend continues to %s but no conversions since %s',
                                                      j.last_spend_day, j.last_conversion_day) END AS detail
    FROM judged j;
COMMENT ON VIEW recon.feed_watch IS
    'Per channel: the last day with delivery rows, with spend and with conversions, against the day the data reaches; status feed_stopped (no rows for a complete day or more after 7+ active days: the export stopped), conversions_stopped (spend continues, no conversions for more than 3 days: the pixel or the conversions feed broke) or ok. Campaigns that were paused (rows with zero spend) are not a fault. Unique key: channel.';

CREATE VIEW recon.alerts AS
    SELECT m.period_grain, m.period, m.channel, m.watch,
           CASE WHEN m.watch = 'ratio' THEN 'warning' ELSE 'info' END AS severity,
           m.value, m.baseline_median, m.robust_z, m.moved_part, m.moved_by,
           CASE WHEN m.watch = 'ratio'
                THEN format('%s: platform-to-CRM ratio %s in the %s of %s, baseline %s: %s; the part that moved most: %s (%s per CRM conversion)',
                            m.channel, m.value, m.period_grain, m.period, m.baseline_median,
                            CASE WHEN m.value > m.baseline_median THEN 'up' ELSE 'down' END,
                            coalesce(m.moved_part, 'unknown'),
                            CASE WHEN m.moved_by >= 0 THEN '+' ELSE '' END || m.moved_by)
                ELSE format('%s %s in the %s of %s, baseline %s: %s', m.watch, m.value, m.period_grain, m.period, m.baseline_median,
                            CASE WHEN m.value > m.baseline_median THEN 'up' ELSE 'down' END) END AS message
    FROM recon.ratio_monitor m
    WHERE m.status = 'alert'
    UNION ALL
    SELECT 'day', f.last_row_day + 1, f.channel, 'feed', 'critical', NULL, NULL, NULL, 'feed_stopped', NULL,
           format('%s: %s', f.channel, f.detail)
    FROM recon.feed_watch f WHERE f.status = 'feed_stopped'
    UNION ALL
    SELECT 'day', f.last_conversion_day + 1, f.channel, 'feed', 'critical', NULL, NULL, NULL, 'conversions_stopped', NULL,
           format('%s: %s', f.channel, f.detail)
    FROM recon.feed_watch f WHERE f.status = 'conversions_stopped'
    UNION ALL   -- overlapping action types summed into one figure, or an overlap that does not hold
    SELECT 'day', c.report_date, c.platform, 'action_types', 'warning', sum(c.kept_conversions), NULL, NULL, c.flag, NULL,
           format('%s: %s on %s rows (%s to %s), e.g. %s %s %s: %s kept %s, all types summed %s', c.platform,
                  replace(c.flag, '_', ' '), count(*), min(c.report_date), max(c.report_date),
                  min(c.campaign_id), min(c.attribution_window), min(c.family), min(c.kept_action_type),
                  min(c.kept_conversions), min(c.summed_conversions))
    FROM recon.platform_action_type_check c WHERE c.flag <> 'counted_once'
    GROUP BY c.platform, c.report_date, c.flag;
COMMENT ON VIEW recon.alerts IS
    'Everything the monitor raises: ratio moves per channel (warning, naming the gap part that moved most), moves of identifier shares and match rates (info), feeds that stopped (critical: feed_stopped, conversions_stopped) from recon.feed_watch, and platform rows whose overlapping action types were summed or break their overlap (warning: summed_double_count, superset_violated, from recon.platform_action_type_check). Unique key: (period_grain, period, channel, watch, moved_part).';

-- ===== src/refresh/refresh.sql =====
-- Materialized layers and their refresh.
--
-- Every report view V in schema recon can have a materialized copy recon.mv_V,
-- made by one line: SELECT recon.materialize_layer('V', ARRAY[key columns]).
-- The copy reads the materialized copies of the views V reads, so the copies
-- form a graph; recon_refresh() walks it in dependency order (from pg_depend,
-- no list kept by hand), CONCURRENTLY where it can, in the caller's
-- transaction, then freezes the periods that have closed (freeze.sql).
-- recon_schedule_refresh() runs it from pg_cron when pg_cron is installed.

------------------------------------------------------------ materializing
CREATE FUNCTION recon.materialize_layer(view_name name, unique_key name[]) RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp       -- pg_get_viewdef then qualifies every name
AS $$
DECLARE
    v        oid;
    mv_name  text := 'mv_' || view_name;
    cols     name[];
    query    text;
    dep      record;
    pattern  text;
    missing  name[];
    mv       regclass;
BEGIN
    IF view_name IS NULL OR unique_key IS NULL THEN
        RAISE EXCEPTION 'recon.materialize_layer needs a view name and its unique key'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.oid INTO v FROM pg_class c
    WHERE c.relnamespace = 'recon'::regnamespace AND c.relname = view_name AND c.relkind = 'v';
    IF v IS NULL THEN
        RAISE EXCEPTION 'recon.% is not a view in schema recon', quote_ident(view_name)
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Materialize a view of schema recon, after the view is created.';
    END IF;
    IF octet_length(mv_name || '_key') > 63 THEN
        RAISE EXCEPTION 'the materialized copy of recon.% and its key index would be named "%" and "%_key", longer than 63 bytes',
                        quote_ident(view_name), mv_name, mv_name
            USING ERRCODE = 'name_too_long', HINT = 'Materialize views whose names have at most 56 bytes.';
    END IF;
    SELECT array_agg(a.attname ORDER BY a.attnum) INTO cols
    FROM pg_attribute a WHERE a.attrelid = v AND a.attnum > 0 AND NOT a.attisdropped;
    IF cardinality(unique_key) = 0 THEN
        RAISE EXCEPTION 'the unique key of recon.% is empty', quote_ident(view_name)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Name the columns that identify one row, e.g. ARRAY[''channel'', ''month''].';
    END IF;
    SELECT array_agg(k) INTO missing FROM unnest(unique_key) k WHERE k IS NULL OR NOT k = ANY (cols);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'unique key column % is not a column of recon.%', coalesce(missing[1]::text, 'NULL'), quote_ident(view_name)
            USING ERRCODE = 'undefined_column',
                  DETAIL = format('Columns of recon.%s: %s.', quote_ident(view_name), array_to_string(cols, ', '));
    END IF;

    -- The view's query, reading the materialized copy of every view it reads that has one.
    query := pg_get_viewdef(v, false);
    FOR dep IN
        SELECT DISTINCT c.relname
        FROM pg_rewrite r
        JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
        JOIN pg_class c ON c.oid = d.refobjid AND c.relkind = 'v' AND c.relnamespace = 'recon'::regnamespace
        WHERE r.ev_class = v AND c.oid <> v
          AND EXISTS (SELECT 1 FROM pg_class m WHERE m.relnamespace = 'recon'::regnamespace
                                                 AND m.relname = 'mv_' || c.relname AND m.relkind = 'm')
    LOOP
        -- recon.v followed by an alias becomes recon.mv_v; without one, recon.mv_v v (columns stay qualified by v).
        pattern := '(?<![\w."$])recon\.' || regexp_replace(quote_ident(dep.relname), '([^\w])', '\\\1', 'g') || '(?![\w"$])';
        query := regexp_replace(query, pattern || '(?=\s+(?!(JOIN|LEFT|RIGHT|FULL|INNER|CROSS|NATURAL|ON|USING|WHERE|GROUP|HAVING|WINDOW|ORDER|LIMIT|OFFSET|FETCH|FOR|UNION|INTERSECT|EXCEPT|WITH)\M)[[:alpha:]_"])',
                                'recon.' || quote_ident('mv_' || dep.relname), 'g');
        query := regexp_replace(query, pattern, 'recon.' || quote_ident('mv_' || dep.relname) || ' ' || quote_ident(dep.relname), 'g');
    END LOOP;

    EXECUTE format('CREATE MATERIALIZED VIEW recon.%I (%s) AS %s WITH DATA',
                   mv_name, (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cols) c), rtrim(query, E'; \n'));
    mv := format('recon.%I', mv_name)::regclass;
    -- Same columns and types as the view (a rewritten reference must not change the result's shape).
    IF EXISTS (SELECT a.attname, a.atttypid, a.atttypmod FROM pg_attribute a
               WHERE a.attrelid = v AND a.attnum > 0 AND NOT a.attisdropped
               EXCEPT
               SELECT a.attname, a.atttypid, a.atttypmod FROM pg_attribute a
               WHERE a.attrelid = mv AND a.attnum > 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION '% does not have the columns and types of recon.%', mv, quote_ident(view_name)
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    EXECUTE format('CREATE UNIQUE INDEX %I ON %s (%s)', mv_name || '_key', mv,
                   (SELECT string_agg(quote_ident(k), ', ') FROM unnest(unique_key) k));
    EXECUTE format('COMMENT ON MATERIALIZED VIEW %s IS %L', mv,
                   format('Materialized copy of recon.%s (unique key %s), refreshed by recon_refresh(). %s',
                          quote_ident(view_name), array_to_string(unique_key, ', '),
                          coalesce(obj_description(v, 'pg_class'), '')));
    IF NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = mv AND d.deptype = 'e' AND e.extname = 'recon') THEN
        RAISE NOTICE '% is not a member of extension recon: recon_refresh() refreshes only the extension''s materialized views', mv
            USING HINT = format('ALTER EXTENSION recon ADD MATERIALIZED VIEW %s (it is then dropped with the extension and not dumped).', mv);
    END IF;
    RETURN mv;
END $$;
COMMENT ON FUNCTION recon.materialize_layer(name, name[]) IS
    'Creates recon.mv_<view> WITH DATA, a materialized copy of view recon.<view> that reads the materialized copies of the views it reads, with a unique index on unique_key so that REFRESH ... CONCURRENTLY works; one call per materialized layer, after the view, in the install script.';

-- The extension's materialized views, their dependencies on each other and their refresh order.
CREATE VIEW recon.materialized_layers AS
WITH RECURSIVE
ext_mv AS (
    SELECT c.oid, c.relname, c.relispopulated
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_catalog.pg_extension'::regclass
    WHERE e.extname = 'recon' AND c.relkind = 'm' AND c.relnamespace = 'recon'::regnamespace
),
reads AS (             -- relation -> the relations its query reads
    SELECT DISTINCT r.ev_class AS rel, d.refobjid AS ref
    FROM pg_catalog.pg_rewrite r
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                                AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'n'
    WHERE d.refobjid <> r.ev_class
),
reach (mv, rel) AS (   -- what each materialized view reads, directly or through plain views
    SELECT m.oid, f.ref FROM ext_mv m JOIN reads f ON f.rel = m.oid
    UNION
    SELECT r.mv, f.ref
    FROM reach r
    JOIN pg_catalog.pg_class c ON c.oid = r.rel AND c.relkind = 'v'
    JOIN reads f ON f.rel = r.rel
),
edges AS (
    SELECT DISTINCT r.mv, r.rel AS depends_on FROM reach r JOIN ext_mv m ON m.oid = r.rel WHERE r.rel <> r.mv
),
depth (mv, d) AS (     -- longest chain of materialized views below each one
    SELECT oid, 0 FROM ext_mv
    UNION ALL
    SELECT e.mv, depth.d + 1 FROM depth JOIN edges e ON e.depends_on = depth.mv
    WHERE depth.d < (SELECT count(*) FROM ext_mv)
),
unique_key AS (        -- the first unique index REFRESH ... CONCURRENTLY can use: plain columns, no predicate
    SELECT DISTINCT ON (i.indrelid) i.indrelid,
           ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS cols
    FROM pg_catalog.pg_index i JOIN ext_mv m ON m.oid = i.indrelid
    WHERE i.indisunique AND i.indimmediate AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
    ORDER BY i.indrelid, i.indexrelid
)
SELECT m.oid::regclass::text AS view_name,
       CASE WHEN m.relname LIKE 'mv\_%' THEN 'recon.' || quote_ident(substr(m.relname, 4)) END AS source_view,
       (SELECT max(d) FROM depth WHERE depth.mv = m.oid)::integer AS refresh_order,
       ARRAY(SELECT e.depends_on::regclass::text FROM edges e WHERE e.mv = m.oid ORDER BY 1) AS depends_on,
       m.relispopulated AS populated,
       k.cols AS unique_key,
       CASE WHEN m.relispopulated AND k.cols IS NOT NULL THEN 'concurrently' ELSE 'plain' END AS refresh_mode,
       obj_description(m.oid, 'pg_class') AS description
FROM ext_mv m LEFT JOIN unique_key k ON k.indrelid = m.oid;
COMMENT ON VIEW recon.materialized_layers IS
    'The extension''s materialized views: the view each copies, refresh_order (0 = reads no other materialized view; a view is refreshed after every one it reads, directly or through plain views, per pg_depend), whether it is populated, its usable unique key, and whether recon_refresh() will refresh it concurrently (populated and uniquely indexed: readers are not blocked) or plainly.';

------------------------------------------------------------ the refresh log
CREATE TABLE recon.refresh_runs (
    run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    data_as_of   timestamptz,
    refreshed_by text NOT NULL DEFAULT current_user,
    views        jsonb NOT NULL DEFAULT '[]'
);
COMMENT ON TABLE recon.refresh_runs IS
    'One row per recon_refresh(): when it ran, by whom, recon.data_as_of() when it began (the moment the materialized figures cover; freezing uses it) and, per view, the mode, rows and milliseconds.';
SELECT pg_catalog.pg_extension_config_dump('recon.refresh_runs', '');
SELECT pg_catalog.pg_extension_config_dump('recon.refresh_runs_run_id_seq', '');

-- The key of the advisory lock that serializes refreshes, freezes and restatements.
CREATE FUNCTION recon.refresh_lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 491327287150::bigint $$;  -- 0x7265636f6e, "recon" in ASCII
COMMENT ON FUNCTION recon.refresh_lock_key() IS
    'Key of the transaction-level advisory lock (pg_advisory_xact_lock) taken by recon_refresh(), recon.freeze_periods() and recon.accept_restatement(): one of them at a time.';

------------------------------------------------------------ recon_refresh
CREATE FUNCTION @extschema@.recon_refresh()
RETURNS TABLE (view_name text, mode text, rows bigint, milliseconds numeric)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lay      record;
    t0       timestamptz;
    started  timestamptz := clock_timestamp();
    as_of    timestamptz;
    log      jsonb := '[]';
    n        bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(recon.refresh_lock_key());
    -- What the data covers, read before the views so that it never claims more than they hold.
    as_of := recon.data_as_of();
    FOR lay IN SELECT * FROM recon.materialized_layers l ORDER BY l.refresh_order, l.view_name COLLATE "C" LOOP
        t0 := clock_timestamp();
        IF lay.refresh_mode = 'concurrently' THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %s', lay.view_name);
        ELSE
            EXECUTE format('REFRESH MATERIALIZED VIEW %s', lay.view_name);
        END IF;
        EXECUTE format('SELECT count(*) FROM %s', lay.view_name) INTO n;
        view_name := lay.view_name;
        mode := lay.refresh_mode;
        rows := n;
        milliseconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
        log := log || jsonb_build_object('view', view_name, 'mode', mode, 'rows', rows, 'ms', milliseconds);
        RETURN NEXT;
    END LOOP;

    INSERT INTO recon.refresh_runs (started_at, finished_at, data_as_of, views)
    VALUES (started, clock_timestamp(), as_of, log);

    t0 := clock_timestamp();
    SELECT coalesce(sum(f.figures), 0) INTO n FROM recon.freeze_periods() f;
    view_name := 'recon.frozen_figures';
    mode := 'freeze';
    rows := n;
    milliseconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
    RETURN NEXT;

    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        t0 := clock_timestamp();
        n := @extschema@.recon_purge_refresh_runs();
        view_name := 'cron.job_run_details';
        mode := 'purge';
        rows := n;
        milliseconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
        RETURN NEXT;
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.recon_refresh() IS
    'Refreshes the extension''s materialized views in dependency order (recon.materialized_layers), each CONCURRENTLY when populated and uniquely indexed (readers never wait) or plainly otherwise, all in the caller''s transaction under an advisory lock (recon.refresh_lock_key()); logs the run in recon.refresh_runs, freezes the periods that have closed (recon.freeze_periods()) and, when pg_cron is installed, purges refresh job runs older than 7 days. One row per step: view, mode (concurrently, plain, freeze, purge), rows, milliseconds.';

------------------------------------------------------------ pg_cron
-- Why pg_cron cannot run a job from this database, or NULL when it can.
CREATE FUNCTION recon.pg_cron_missing(OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    preload  text;
    cron_db  text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RETURN;
    END IF;
    BEGIN       -- both are readable only by superusers and pg_read_all_settings
        preload := coalesce(current_setting('shared_preload_libraries', true), '');
        cron_db := current_setting('cron.database_name', true);
    EXCEPTION WHEN insufficient_privilege THEN
        preload := NULL;
    END;
    message := format('pg_cron is not installed in database "%s"', current_database());
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron') THEN
        detail := 'The pg_cron extension is not available on this server.';
        hint := format('Install it (Debian: apt-get install postgresql-%s-cron), then in postgresql.conf set shared_preload_libraries = ''pg_cron'' and cron.database_name = ''%s'', restart the server and run CREATE EXTENSION pg_cron in database "%s".',
                       current_setting('server_version_num')::int / 10000, current_database(), current_database());
    ELSIF preload IS NULL OR preload !~ '(^|[\s,"])pg_cron($|[\s,"])' THEN
        detail := CASE WHEN preload IS NULL
                       THEN 'pg_cron is available; this role may not read shared_preload_libraries to tell whether it is loaded.'
                       ELSE 'pg_cron is available but not loaded: it must be in shared_preload_libraries.' END;
        hint := format('In postgresql.conf set shared_preload_libraries = ''pg_cron'' (added to the libraries already there) and cron.database_name = ''%s'', restart the server, then run CREATE EXTENSION pg_cron in database "%s".',
                       current_database(), current_database());
    ELSIF cron_db IS DISTINCT FROM current_database() THEN
        detail := format('pg_cron is loaded but runs jobs from database "%s" (cron.database_name).', coalesce(cron_db, 'postgres'));
        hint := format('Set cron.database_name = ''%s'' in postgresql.conf and restart the server, then run CREATE EXTENSION pg_cron in database "%s".',
                       current_database(), current_database());
    ELSE
        detail := 'pg_cron is loaded for this database but its extension is not created.';
        hint := 'Run CREATE EXTENSION pg_cron in this database (as a superuser).';
    END IF;
END $$;
COMMENT ON FUNCTION recon.pg_cron_missing() IS
    'Why pg_cron cannot schedule jobs from this database (not available, not in shared_preload_libraries, cron.database_name is another database, extension not created), with the steps to enable it; all NULL when pg_cron is installed here.';

-- A pg_cron schedule for pg_cron 1.4: five fields (no seconds) or @hourly, @daily...
CREATE FUNCTION recon.check_cron_schedule(schedule text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    s       text := lower(regexp_replace(btrim(schedule), '\s+', ' ', 'g'));
    fields  text[];
    names   text[] := ARRAY['minute', 'hour', 'day of month', 'month', 'day of week'];
    lo      int[] := ARRAY[0, 0, 1, 1, 0];
    hi      int[] := ARRAY[59, 23, 31, 12, 7];
    item    text;
    num     text;
    m       text[];
BEGIN
    IF schedule IS NULL THEN
        RAISE EXCEPTION 'a refresh schedule cannot be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF s IN ('@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually') THEN
        RETURN s;
    END IF;
    IF s ~ '^\d+ seconds?$' OR s ~ '^@' THEN
        RAISE EXCEPTION 'invalid refresh schedule "%": pg_cron 1.4 takes five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly', schedule
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Schedules in seconds need pg_cron 1.5; every minute is ''* * * * *''.';
    END IF;
    fields := string_to_array(s, ' ');
    IF s = '' OR cardinality(fields) <> 5 THEN
        RAISE EXCEPTION 'invalid refresh schedule "%": % fields, pg_cron 1.4 takes five (minute hour day-of-month month day-of-week, no seconds)',
                        schedule, CASE WHEN s = '' THEN 0 ELSE cardinality(fields) END
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example ''17 * * * *'' (hourly at :17) or ''30 5 * * *'' (daily at 05:30 GMT: pg_cron 1.4 runs schedules in GMT).';
    END IF;
    FOR i IN 1 .. 5 LOOP
        -- each field: a list of *, n, n-m or a name, each with an optional /step
        FOREACH item IN ARRAY string_to_array(fields[i], ',') LOOP
            m := regexp_match(item, '^(\*|[0-9a-z]+(-[0-9a-z]+)?)(/(\d+))?$');
            IF m IS NULL OR (m[4] IS NOT NULL AND m[4]::int = 0) THEN
                RAISE EXCEPTION 'invalid refresh schedule "%": "%" is not a valid % field', schedule, fields[i], names[i]
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'A field is *, a number, a range a-b, a list a,b,c, each optionally /step.';
            END IF;
            IF m[2] IS NOT NULL AND m[1] ~ '^\d+-\d+$' AND split_part(m[1], '-', 1)::numeric > split_part(m[1], '-', 2)::numeric THEN
                RAISE EXCEPTION 'invalid refresh schedule "%": the range % of the % field runs backwards', schedule, m[1], names[i]
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            FOREACH num IN ARRAY string_to_array(m[1], '-') LOOP
                CONTINUE WHEN num = '*';
                IF num ~ '^\d+$' THEN
                    IF num::numeric NOT BETWEEN lo[i] AND hi[i] THEN
                        RAISE EXCEPTION 'invalid refresh schedule "%": % is out of range for the % field (% to %)',
                                        schedule, num, names[i], lo[i], hi[i]
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                ELSIF NOT ((i = 4 AND num = ANY ('{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}'))
                           OR (i = 5 AND num = ANY ('{sun,mon,tue,wed,thu,fri,sat}'))) THEN
                    RAISE EXCEPTION 'invalid refresh schedule "%": "%" is not a valid % field', schedule, fields[i], names[i]
                        USING ERRCODE = 'invalid_parameter_value',
                              HINT = 'Months may be named jan..dec and days of week sun..sat; other fields are numbers.';
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
    RETURN s;
END $$;
COMMENT ON FUNCTION recon.check_cron_schedule(text) IS
    'Checks a schedule for pg_cron 1.4 (five fields: minute hour day-of-month month day-of-week, with *, ranges, lists, /steps and month or weekday names; or @hourly, @daily, @weekly, @monthly, @yearly; no seconds) and returns it normalized; raises 22023 naming the bad field.';

-- The command a refresh job runs, and whether a pg_cron command is one.
CREATE FUNCTION recon.refresh_job_command() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('SELECT %s.recon_refresh()', quote_ident(n.nspname))
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'recon'
$$;
COMMENT ON FUNCTION recon.refresh_job_command() IS
    'The command recon''s pg_cron jobs run: SELECT <extension schema>.recon_refresh() (qualified, so the job does not depend on the search_path).';

CREATE FUNCTION @extschema@.recon_schedule_refresh(cron text, job_name text DEFAULT 'recon_refresh') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    schedule  text := recon.check_cron_schedule(cron);
    missing   record;
    other     text;
    job       bigint;
BEGIN
    IF job_name IS NULL OR btrim(job_name) = '' THEN
        RAISE EXCEPTION 'a refresh job needs a name' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'The default is recon_refresh; scheduling the same name again changes its schedule.';
    END IF;
    missing := recon.pg_cron_missing();
    IF missing.message IS NOT NULL THEN
        RAISE EXCEPTION '%', missing.message
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = missing.detail, HINT = missing.hint;
    END IF;
    -- Scheduling by name replaces the job of that name: never take over another command's job.
    EXECUTE 'SELECT command FROM cron.job WHERE jobname = $1 AND username = current_user' INTO other USING job_name;
    IF other IS NOT NULL AND other !~ '^SELECT ("?[^"]+"?\.)?recon_refresh\(\)$' THEN
        RAISE EXCEPTION 'pg_cron job "%" already exists and runs %', job_name, other
            USING ERRCODE = 'duplicate_object', HINT = 'Choose another job_name for the refresh.';
    END IF;
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job USING job_name, schedule, recon.refresh_job_command();
    RETURN job;
END $$;
COMMENT ON FUNCTION @extschema@.recon_schedule_refresh(text, text) IS
    'Schedules recon_refresh() with pg_cron under job_name (scheduling the same name again changes its schedule) and returns the job id; the schedule has five fields (pg_cron 1.4: no seconds, evaluated in GMT). Raises 22023 for a bad schedule, 42710 when the name belongs to another command''s job, and 55000 with the steps to enable pg_cron when it is not installed in this database.';

CREATE FUNCTION @extschema@.recon_unschedule_refresh(job_name text DEFAULT 'recon_refresh') RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    missing  record;
    job      bigint;
    command  text;
BEGIN
    IF job_name IS NULL THEN
        RAISE EXCEPTION 'job_name cannot be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    missing := recon.pg_cron_missing();
    IF missing.message IS NOT NULL THEN
        RAISE EXCEPTION '%', missing.message
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = missing.detail, HINT = missing.hint;
    END IF;
    EXECUTE 'SELECT jobid, command FROM cron.job WHERE jobname = $1 AND username = current_user'
        INTO job, command USING job_name;
    IF job IS NULL THEN
        RETURN false;
    END IF;
    IF command !~ '^SELECT ("?[^"]+"?\.)?recon_refresh\(\)$' THEN
        RAISE EXCEPTION 'pg_cron job "%" runs %, not recon_refresh()', job_name, command
            USING ERRCODE = 'wrong_object_type', HINT = 'Unschedule it with cron.unschedule if that is meant.';
    END IF;
    EXECUTE 'SELECT cron.unschedule($1)' USING job;
    EXECUTE 'DELETE FROM cron.job_run_details WHERE jobid = $1' USING job;
    RETURN true;
END $$;
COMMENT ON FUNCTION @extschema@.recon_unschedule_refresh(text) IS
    'Removes the pg_cron refresh job job_name and its run history (cron.job_run_details); returns false when there is no such job. Raises 42809 when the job runs something other than recon_refresh() and 55000 when pg_cron is not installed here.';

CREATE FUNCTION @extschema@.recon_purge_refresh_runs(keep interval DEFAULT '7 days') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    IF keep IS NULL OR keep < interval '0' THEN
        RAISE EXCEPTION 'keep must be an interval of zero or more, not %', coalesce(keep::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RETURN 0;
    END IF;
    EXECUTE $q$DELETE FROM cron.job_run_details d
               USING cron.job j
               WHERE j.jobid = d.jobid AND j.command ~ '^SELECT ("?[^"]+"?\.)?recon_refresh\(\)$'
                 AND d.end_time < now() - $1$q$ USING keep;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION @extschema@.recon_purge_refresh_runs(interval) IS
    'Deletes the cron.job_run_details rows of recon''s refresh jobs that ended more than keep ago (pg_cron keeps them forever) and returns how many; 0 when pg_cron is not installed. recon_refresh() calls it with the default, 7 days.';

------------------------------------------------------------ the materialized layers
-- One line per materialized view, after the view it copies.
SELECT recon.materialize_layer('report_layers', ARRAY['channel', 'month', 'metric']);
SELECT recon.materialize_layer('report_channel_month', ARRAY['channel', 'month']);
SELECT recon.materialize_layer('bridge_campaign_month', ARRAY['channel', 'platform', 'account_id', 'campaign_id', 'cohort_month']);
SELECT recon.materialize_layer('bridge_figures', ARRAY['subject', 'period', 'metric']);
SELECT recon.materialize_layer('platform_performance', ARRAY['platform', 'account_id', 'campaign_id', 'month']);
SELECT recon.materialize_layer('gap_decomposition', ARRAY['channel', 'period', 'currency', 'campaign_id']);
SELECT recon.materialize_layer('ratio_monitor', ARRAY['watch', 'channel', 'period_grain', 'period']);
SELECT recon.materialize_layer('alerts', ARRAY['period_grain', 'period', 'channel', 'watch', 'moved_part']);

-- ===== src/refresh/freeze.sql =====
-- The freeze policy: a closed period's figures are frozen, and a late change is
-- a restatement, shown with its probable cause and accepted with a reason,
-- instead of silently moving last month's numbers.
--
-- A period (month) is closed when its last day + freeze_after_days (setting,
-- default 14) is before the day the data reached (recon.data_as_of() in the
-- reporting time zone, as recorded by the last recon_refresh()). Its figures
-- are then copied into recon.frozen_figures (append-only) as version 1. The
-- figures come from freeze sources: long-form figure sets listed by
-- recon.freeze_sources(), each a relation with subject, period, metric, value.

------------------------------------------------------------ sources
CREATE VIEW recon.report_figures AS
    SELECT channel AS subject, month AS period, layer || '.' || metric AS metric, value
    FROM recon.mv_report_layers;
COMMENT ON VIEW recon.report_figures IS
    'The report as a freeze source: per channel (subject) and month (period), each figure of recon.mv_report_layers named layer.metric, as of the last refresh.';

-- One line per source: (name, relation with subject text, period date, metric text, value numeric).
CREATE FUNCTION recon.freeze_sources(OUT source text, OUT relation text) RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES
    ('report', 'recon.report_figures'),
    ('bridge', 'recon.mv_bridge_figures')
$$;
COMMENT ON FUNCTION recon.freeze_sources() IS
    'The figure sets the freeze policy protects: source name and the relation exposing subject, period (month), metric and value. Adding a source is one line here.';

CREATE FUNCTION recon.current_figures()
RETURNS TABLE (source text, subject text, period date, metric text, value numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s    record;
    rel  regclass;
BEGIN
    FOR s IN SELECT * FROM recon.freeze_sources() ORDER BY 1 LOOP
        rel := to_regclass(s.relation);
        IF rel IS NULL THEN
            RAISE EXCEPTION 'freeze source "%" reads %, which does not exist', s.source, s.relation
                USING ERRCODE = 'undefined_table', HINT = 'Correct its line in recon.freeze_sources().';
        END IF;
        RETURN QUERY EXECUTE format(
            'SELECT %L::text, subject::text, date_trunc(''month'', period)::date, metric::text, value::numeric FROM %s',
            s.source, rel);
    END LOOP;
END $$;
COMMENT ON FUNCTION recon.current_figures() IS
    'Every figure of every freeze source as it is now (the materialized layers as of the last refresh): source, subject, period (month), metric, value.';

------------------------------------------------------------ frozen figures
CREATE TABLE recon.frozen_figures (
    source     text NOT NULL,
    subject    text NOT NULL,
    period     date NOT NULL CHECK (period = date_trunc('month', period)),
    metric     text NOT NULL,
    value      numeric,
    version    integer NOT NULL CHECK (version > 0),
    frozen_at  timestamptz NOT NULL DEFAULT now(),
    frozen_by  text NOT NULL DEFAULT current_user,
    reason     text NOT NULL CHECK (btrim(reason) <> ''),
    PRIMARY KEY (source, period, version, subject, metric)
);
COMMENT ON TABLE recon.frozen_figures IS
    'Append-only snapshots of closed periods: version 1 when the period was frozen, each later version a restatement accepted with its reason (who and when stamped). The latest version of a period is what reports show. UPDATE, DELETE and TRUNCATE are rejected (23001).';
SELECT pg_catalog.pg_extension_config_dump('recon.frozen_figures', '');
CREATE TRIGGER frozen_figures_append_only BEFORE UPDATE OR DELETE ON recon.frozen_figures
    FOR EACH ROW EXECUTE FUNCTION recon.reject_change();
CREATE TRIGGER frozen_figures_no_truncate BEFORE TRUNCATE ON recon.frozen_figures
    FOR EACH STATEMENT EXECUTE FUNCTION recon.reject_change();

CREATE VIEW recon.frozen_periods AS
    SELECT source, period, max(version) AS version,
           min(frozen_at) AS first_frozen_at,
           max(frozen_at) AS last_frozen_at,
           (array_agg(frozen_by ORDER BY version DESC))[1] AS frozen_by,
           (array_agg(reason ORDER BY version DESC))[1] AS reason,
           count(*) FILTER (WHERE version = 1) AS figures_at_freeze
    FROM recon.frozen_figures
    GROUP BY source, period;
COMMENT ON VIEW recon.frozen_periods IS
    'One row per frozen period and source: its latest version (1 = never restated), when it was first frozen and last restated, by whom and why (the latest version''s reason), and how many figures the freeze took.';

-- Freeze the periods that have closed.
CREATE FUNCTION recon.freeze_periods()
RETURNS TABLE (source text, period date, figures bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of     timestamptz;
    as_of_day date;
    days      integer := recon.setting('freeze_after_days')::integer;
    stamp     timestamptz := clock_timestamp();   -- the moment of the freeze, not of the transaction's start
BEGIN
    PERFORM pg_advisory_xact_lock(recon.refresh_lock_key());
    -- The moment the materialized figures cover: a period closes against the data they hold.
    SELECT r.data_as_of INTO as_of FROM recon.refresh_runs r ORDER BY r.run_id DESC LIMIT 1;
    IF as_of IS NULL THEN
        RETURN;
    END IF;
    as_of_day := (as_of AT TIME ZONE recon.setting('reporting_timezone'))::date;
    RETURN QUERY
    WITH cur AS (
        SELECT * FROM recon.current_figures()
    ),
    closing AS (
        SELECT DISTINCT c.source, c.period,
               (c.period + interval '1 month' - interval '1 day')::date AS last_day
        FROM cur c
        WHERE (c.period + interval '1 month' - interval '1 day')::date + days < as_of_day
          AND NOT EXISTS (SELECT 1 FROM recon.frozen_figures f WHERE f.source = c.source AND f.period = c.period)
    ),
    frozen AS (
        INSERT INTO recon.frozen_figures (source, subject, period, metric, value, version, frozen_at, reason)
        SELECT c.source, c.subject, c.period, c.metric, c.value, 1, stamp,
               format('period closed: its last day %s + %s days (freeze_after_days) is before %s, the day the data reached',
                      k.last_day, days, as_of_day)
        FROM cur c JOIN closing k ON k.source = c.source AND k.period = c.period
        RETURNING frozen_figures.source, frozen_figures.period
    )
    SELECT f.source, f.period, count(*) FROM frozen f GROUP BY 1, 2 ORDER BY 1, 2;
END $$;
COMMENT ON FUNCTION recon.freeze_periods() IS
    'Freezes every period whose last day + freeze_after_days is before the day the data reached at the last recon_refresh() (recon.refresh_runs.data_as_of, reporting time zone) and that is not frozen yet: its current figures become version 1 in recon.frozen_figures. Returns the periods frozen and their figure counts. recon_refresh() calls it.';

------------------------------------------------------------ restatements
-- Rows loaded or changed after a moment, with the channel and period (month, reporting zone) they count in.
CREATE FUNCTION recon.data_changes_since(since timestamptz)
RETURNS TABLE (kind text, channel text, period date, loaded_at timestamptz, updated_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH s AS (SELECT recon.setting('reporting_timezone') AS tz)
    -- a CRM record counts in its own month; an opportunity in its lead's (as in the report)
    SELECT 'CRM record', coalesce(p.channel, f.channel) COLLATE "default",
           date_trunc('month', coalesce(p.created_at, f.created_at) AT TIME ZONE s.tz)::date, f.loaded_at, f.updated_at
    FROM recon.funnel_records f
    LEFT JOIN recon.funnel_records p ON f.record_type = 'opportunity' AND p.record_id = f.parent_record_id
    CROSS JOIN s
    WHERE f.updated_at > since
    UNION ALL
    -- money counts in the month of the lead or order it came from; unlinked money in its own, as unknown
    SELECT 'finance transaction', coalesce(lead.channel, ord.channel, 'unknown') COLLATE "default",
           date_trunc('month', coalesce(lead.created_at, ord.created_at, t.occurred_at) AT TIME ZONE s.tz)::date,
           t.loaded_at, t.updated_at
    FROM recon.finance_transactions t
    LEFT JOIN recon.funnel_records ord ON ord.record_id = t.order_id
    LEFT JOIN recon.funnel_records opp ON opp.record_id = t.opportunity_id
    LEFT JOIN recon.funnel_records lead ON lead.record_id = opp.parent_record_id
    CROSS JOIN s
    WHERE t.updated_at > since
    UNION ALL
    SELECT 'ad delivery row', d.platform COLLATE "default", date_trunc('month', d.report_date)::date, d.loaded_at, d.updated_at
    FROM recon.ad_delivery_daily d WHERE d.updated_at > since
    UNION ALL
    SELECT 'platform conversion row', c.platform COLLATE "default", date_trunc('month', c.report_date)::date, c.loaded_at, c.updated_at
    FROM recon.platform_conversions_daily c WHERE c.updated_at > since
    UNION ALL
    SELECT 'FX rate', NULL, date_trunc('month', r.rate_date)::date, r.loaded_at, r.updated_at
    FROM recon.fx_rates r WHERE r.updated_at > since
    UNION ALL
    SELECT 'setting ' || st.name, NULL, NULL, st.changed_at, st.changed_at
    FROM recon.settings st WHERE st.changed_at > since
$$;
COMMENT ON FUNCTION recon.data_changes_since(timestamptz) IS
    'Rows of the layer tables, FX rates and settings loaded or changed (updated_at) after since, each with the channel and month it counts in (CRM records and their money in the lead''s or order''s month, as the report counts them); NULL channel or period means every one. The raw material of the restatements'' probable causes.';

CREATE VIEW recon.restatements AS
WITH cur AS MATERIALIZED (
    SELECT * FROM recon.current_figures()
),
versions AS (
    SELECT source, period, version, min(frozen_at) AS frozen_at, min(frozen_by) AS frozen_by, min(reason) AS reason
    FROM recon.frozen_figures GROUP BY 1, 2, 3
),
latest AS (
    SELECT DISTINCT ON (source, period) * FROM versions ORDER BY source, period, version DESC
),
shown AS (
    SELECT f.source, f.subject, f.period, f.metric, f.value FROM recon.frozen_figures f JOIN latest l USING (source, period, version)
),
cur_frozen AS (
    SELECT c.* FROM cur c JOIN latest l USING (source, period)
),
pending AS (           -- a frozen period whose current figures differ from what is shown
    SELECT source, subject, period, metric, s.value AS reported_value, c.value AS restated_value,
           l.version, l.frozen_at AS since, NULL::timestamptz AS until,
           'pending'::text AS status, NULL::text AS reason, NULL::text AS accepted_by, NULL::timestamptz AS accepted_at
    FROM shown s FULL JOIN cur_frozen c USING (source, subject, period, metric)
    JOIN latest l USING (source, period)
    WHERE s.value IS DISTINCT FROM c.value
),
new_versions AS (      -- each accepted version's figures ...
    SELECT f.source, f.subject, f.period, f.metric, f.value, f.version FROM recon.frozen_figures f WHERE f.version > 1
),
old_versions AS (      -- ... and the figures of the version before, numbered as the version that replaced them
    SELECT f.source, f.subject, f.period, f.metric, f.value, f.version + 1 AS version
    FROM recon.frozen_figures f
    JOIN versions x ON x.source = f.source AND x.period = f.period AND x.version = f.version + 1
),
accepted AS (
    SELECT d.source, d.subject, d.period, d.metric, d.reported_value, d.restated_value,
           vn.version, vp.frozen_at AS since, vn.frozen_at AS until,
           'accepted'::text AS status, vn.reason, vn.frozen_by AS accepted_by, vn.frozen_at AS accepted_at
    FROM (SELECT source, subject, period, metric, version, o.value AS reported_value, n.value AS restated_value
          FROM new_versions n FULL JOIN old_versions o USING (source, subject, period, metric, version)
          WHERE n.value IS DISTINCT FROM o.value) d
    JOIN versions vn ON vn.source = d.source AND vn.period = d.period AND vn.version = d.version
    JOIN versions vp ON vp.source = d.source AND vp.period = d.period AND vp.version = d.version - 1
),
restated AS MATERIALIZED (
    SELECT * FROM pending UNION ALL SELECT * FROM accepted
),
changes AS MATERIALIZED (
    SELECT * FROM recon.data_changes_since((SELECT min(since) FROM restated))
),
causes AS (
    SELECT w.subject, w.period, w.since, w.until,
           string_agg(CASE WHEN k.kind LIKE 'setting %' THEN k.kind || ' changed'
                           ELSE concat_ws(' and ',
                                    CASE WHEN k.loaded > 0 THEN format('%s %s%s loaded', k.loaded, k.kind, CASE WHEN k.loaded > 1 THEN 's' ELSE '' END) END,
                                    CASE WHEN k.changed > 0 THEN format('%s %s%s changed', k.changed, k.kind, CASE WHEN k.changed > 1 THEN 's' ELSE '' END) END)
                      END, ', ' ORDER BY k.position) || ' after the freeze' AS cause
    FROM (SELECT DISTINCT subject, period, since, until FROM restated) w
    CROSS JOIN LATERAL (
        SELECT ch.kind,
               min(CASE ch.kind WHEN 'CRM record' THEN 1 WHEN 'finance transaction' THEN 2 WHEN 'ad delivery row' THEN 3
                                WHEN 'platform conversion row' THEN 4 WHEN 'FX rate' THEN 5 ELSE 6 END) AS position,
               count(*) FILTER (WHERE ch.loaded_at > w.since) AS loaded,
               count(*) FILTER (WHERE ch.loaded_at <= w.since) AS changed
        FROM changes ch
        WHERE ch.updated_at > w.since AND (w.until IS NULL OR ch.updated_at <= w.until)
          AND (ch.period IS NULL OR ch.period = w.period)
          AND (ch.channel IS NULL OR ch.channel = w.subject
               OR NOT EXISTS (SELECT 1 FROM recon.channels k WHERE k.channel = w.subject))
        GROUP BY ch.kind) k
    GROUP BY 1, 2, 3, 4
)
SELECT r.source, r.subject, r.period, r.metric, r.reported_value, r.restated_value,
       coalesce(r.restated_value, 0) - coalesce(r.reported_value, 0) AS difference,
       r.version, r.since AS frozen_at,
       coalesce(c.cause, 'no row of the period was loaded or changed after the freeze: a row was deleted, or the way the figure is computed changed') AS probable_cause,
       r.status, r.reason, r.accepted_by, r.accepted_at
FROM restated r
LEFT JOIN causes c ON c.subject = r.subject AND c.period = r.period AND c.since = r.since
                  AND c.until IS NOT DISTINCT FROM r.until;
COMMENT ON VIEW recon.restatements IS
    'Figures of frozen periods that changed: pending = the current figure (as of the last refresh) differs from the frozen one reports show (version = the frozen version, frozen_at = when); accepted = a later version recorded by recon.accept_restatement, with its reason, who and when. probable_cause counts the period''s rows (of that channel when the subject is one) loaded or changed after the freeze, by kind, from loaded_at and updated_at; settings changed after it are named.';

CREATE FUNCTION recon.accept_restatement(source text, period date, reason text) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    p        date;
    latest   integer;
    changed  bigint;
    stamp    timestamptz := clock_timestamp();
BEGIN
    IF accept_restatement.reason IS NULL OR btrim(accept_restatement.reason) = '' THEN
        RAISE EXCEPTION 'a restatement needs a reason'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Say why the figures changed, e.g. ''late payments for January loaded on March 3''.';
    END IF;
    IF accept_restatement.period IS NULL THEN
        RAISE EXCEPTION 'the period to restate cannot be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF accept_restatement.source IS NULL
       OR NOT EXISTS (SELECT 1 FROM recon.freeze_sources() s WHERE s.source = accept_restatement.source) THEN
        RAISE EXCEPTION 'unknown freeze source "%"', accept_restatement.source
            USING ERRCODE = 'undefined_object',
                  HINT = format('The sources are: %s.', (SELECT string_agg(s.source, ', ' ORDER BY s.source) FROM recon.freeze_sources() s));
    END IF;
    p := date_trunc('month', accept_restatement.period)::date;
    PERFORM pg_advisory_xact_lock(recon.refresh_lock_key());

    SELECT max(f.version) INTO latest FROM recon.frozen_figures f
    WHERE f.source = accept_restatement.source AND f.period = p;
    IF latest IS NULL THEN
        RAISE EXCEPTION 'period % of source "%" is not frozen: there is nothing to restate', p, accept_restatement.source
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Reports show current figures for periods that are not frozen; recon.frozen_periods lists the frozen ones.';
    END IF;
    SELECT count(*) INTO changed
    FROM (SELECT f.subject, f.metric, f.value FROM recon.frozen_figures f
          WHERE f.source = accept_restatement.source AND f.period = p AND f.version = latest) s
    FULL JOIN (SELECT c.subject, c.metric, c.value FROM recon.current_figures() c
               WHERE c.source = accept_restatement.source AND c.period = p) c USING (subject, metric)
    WHERE s.value IS DISTINCT FROM c.value;
    IF changed = 0 THEN
        RAISE EXCEPTION 'period % of source "%" has no pending restatement: its current figures are those of version %',
                        p, accept_restatement.source, latest
            USING ERRCODE = 'no_data_found',
                  HINT = 'recon.restatements lists what changed; after loading data, run recon_refresh() first.';
    END IF;
    INSERT INTO recon.frozen_figures (source, subject, period, metric, value, version, frozen_at, reason)
    SELECT accept_restatement.source, c.subject, p, c.metric, c.value, latest + 1, stamp, btrim(accept_restatement.reason)
    FROM recon.current_figures() c
    WHERE c.source = accept_restatement.source AND c.period = p;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'period % of source "%" has no current figures: a frozen period cannot be emptied', p, accept_restatement.source
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'If the data is loaded, run recon_refresh() first.';
    END IF;
    RETURN latest + 1;
END $$;
COMMENT ON FUNCTION recon.accept_restatement(text, date, text) IS
    'Accepts the pending restatement of a frozen period (any day of the month names the month): its current figures become a new version in recon.frozen_figures with the reason, who and when, and reports show them from then on. Returns the new version. Raises 22023 without a reason, 42704 for an unknown source, 55000 when the period is not frozen, P0002 when nothing changed.';

CREATE VIEW recon.reported_figures AS
WITH cur AS MATERIALIZED (
    SELECT * FROM recon.current_figures()
),
latest AS (
    SELECT source, period, max(version) AS version FROM recon.frozen_figures GROUP BY 1, 2
)
SELECT s.source, s.subject, s.period, s.metric, s.value,
       true AS frozen,
       s.version > 1 AND (v1.subject IS NULL OR v1.value IS DISTINCT FROM s.value) AS restated,
       c.subject IS NULL OR c.value IS DISTINCT FROM s.value AS restatement_pending,
       s.version, s.frozen_at, c.value AS current_value
FROM recon.frozen_figures s
JOIN latest l USING (source, period, version)
LEFT JOIN recon.frozen_figures v1 ON (v1.source, v1.subject, v1.period, v1.metric, v1.version) = (s.source, s.subject, s.period, s.metric, 1)
LEFT JOIN cur c ON (c.source, c.subject, c.period, c.metric) = (s.source, s.subject, s.period, s.metric)
UNION ALL
SELECT c.source, c.subject, c.period, c.metric, c.value, false, false, false, NULL, NULL, c.value
FROM cur c
WHERE NOT EXISTS (SELECT 1 FROM latest l WHERE l.source = c.source AND l.period = c.period);
COMMENT ON VIEW recon.reported_figures IS
    'What reports should show: for a frozen period the figures of its latest version (never silently moved: frozen = true; restated = the figure differs from version 1 after an accepted restatement; restatement_pending = the current figure differs, see recon.restatements), for other periods the current figures (as of the last refresh).';

-- ===== src/load/value.sql =====
-- Strict parsers for the values of export files (src/load/value.c, csv.c): a
-- loader rejects a row whose number, date or record does not read, instead of
-- guessing. Blank is NULL; so is anything not in the expected spelling.

CREATE FUNCTION recon_csv_fields(line text, delimiter text DEFAULT ',') RETURNS text[]
    AS 'MODULE_PATHNAME', 'recon_csv_fields_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_csv_fields(text, text) IS
    'The fields of one CSV record (RFC 4180: quotes open a field, "" inside quotes is a quote, a trailing carriage return is dropped); empty fields are NULL. NULL when the record is malformed: recon_csv_problem says why. A delimiter other than one ASCII character (not a quote or line break) raises 22023.';

CREATE FUNCTION recon_csv_problem(line text, delimiter text DEFAULT ',') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_csv_problem_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_csv_problem(text, text) IS
    'Why recon_csv_fields(line) is NULL: unterminated_quote, text_after_quote ("ab"c) or quote_in_unquoted_field (ab"c); NULL when the record splits (or line is NULL).';

CREATE FUNCTION recon_parse_decimal(value text, decimal_mark text DEFAULT '.') RETURNS numeric
    AS 'MODULE_PATHNAME', 'recon_parse_decimal_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_decimal(text, text) IS
    'A number as export files write it: blanks around, a sign, thousands separators in groups of three (1,234.56; with decimal_mark '','': 1.234,56 or 1 234,56), a fraction. NULL when blank or anything else (1e5, 12,34, 1.2.3, $5, --). decimal_mark other than ''.'' or '','' raises 22023.';

CREATE FUNCTION recon_parse_date(value text, style text DEFAULT 'iso') RETURNS date
    AS 'MODULE_PATHNAME', 'recon_parse_date_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_date(text, text) IS
    'A calendar date in one style: iso (2026-03-01), mdy (3/1/2026, US exports) or dmy (1/3/2026, 1.3.2026). NULL when blank, in another spelling, or not a real day (2026-02-30). An unknown style raises 22023.';

CREATE FUNCTION recon_parse_timestamp(value text, zone text, style text DEFAULT 'iso') RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'recon_parse_timestamp_sql' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_timestamp(text, text, text) IS
    'An instant from a date and time in one style (iso: 2026-03-01T10:15:00.000+0000 or 2026-03-01 10:15; mdy: 3/1/2026, 10:15 AM; dmy: 1.3.2026 10:15; epoch: Unix seconds; epoch_ms: Unix milliseconds). An offset (Z, UTC, +01, +0100, +01:00) is honoured; a time without one is local time in zone; a date alone is midnight there. NULL when blank or malformed. STABLE: zone rules come from the server''s tz database.';

-- ===== src/load/framework.sql =====
-- Loaders: export files and API documents into the canonical tables (docs/loading.md).
-- A load reads the rows of one file, rejects what does not read (with the file,
-- line, raw content and reasons), replaces what the file restates and writes
-- the rest, in the caller's transaction: it happens whole or not at all.
--
-- Each format is a row of recon.load_formats with its fields in
-- recon.load_format_fields (CSV header spellings, JSON paths). The framework
-- turns a file into rows of text fields (pg_temp.recon_load_rows); the format's
-- mapper (recon.load_map_<name>) types, checks and writes them.

CREATE SEQUENCE recon.load_batch_seq;
SELECT pg_catalog.pg_extension_config_dump('recon.load_batch_seq', '');

CREATE TABLE recon.load_formats (
    format          text COLLATE "C" PRIMARY KEY,
    input           text COLLATE "C" NOT NULL CHECK (input IN ('csv', 'json')),
    source_system   text COLLATE "C" NOT NULL,
    mapper          text COLLATE "C" NOT NULL,
    writes          text[] NOT NULL,
    skip_pattern    text,
    options         text[] NOT NULL DEFAULT '{}',
    description     text NOT NULL
);
COMMENT ON TABLE recon.load_formats IS
    'The file formats recon loads: input (csv or json), the system that writes them, the mapper function that types and writes their rows, the tables it writes, skip_pattern (a regular expression on a CSV row''s first field marking totals and footers to skip) and the options the format accepts besides the common ones. Shipped with the extension.';

CREATE TABLE recon.load_format_fields (
    format     text COLLATE "C" NOT NULL REFERENCES recon.load_formats ON DELETE CASCADE,
    field      text COLLATE "C" NOT NULL CHECK (field ~ '^[a-z][a-z0-9_]*$'),
    headers    text[] NOT NULL DEFAULT '{}',
    json_path  text[],
    required   boolean NOT NULL DEFAULT false,
    pii        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (format, field)
);
COMMENT ON TABLE recon.load_format_fields IS
    'The fields a format''s mapper reads: headers, the CSV header spellings in order of preference (regular expressions matched case-insensitively against the whole trimmed header; when cells match two spellings the first wins), json_path (where the value sits in a JSON row), whether the file must have it, and whether it is personal data (masked in the rejects table unless the load keeps PII). Shipped with the extension.';

-- Options every format accepts; a format adds its own in load_formats.options.
CREATE FUNCTION recon.load_common_options() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['batch_id', 'pulled_at', 'delimiter', 'decimal_mark', 'date_style', 'timezone', 'keep_pii']
$$;
COMMENT ON FUNCTION recon.load_common_options() IS
    'Options every load accepts: batch_id (default load-<n>), pulled_at (when the export was pulled; default now()), delimiter (CSV; default: detected from the header among , ; and tab), decimal_mark (. or ,), date_style (iso, mdy or dmy; the format''s default otherwise), timezone (the zone of times written without an offset), keep_pii (true keeps raw contact data in recon.contact_details and raw rejected rows; default false: only hashes are kept).';

CREATE TABLE recon.load_batches (
    batch_id        text COLLATE "C" PRIMARY KEY,
    format          text COLLATE "C" NOT NULL REFERENCES recon.load_formats,
    source_file     text NOT NULL,
    options         jsonb NOT NULL DEFAULT '{}',
    pulled_at       timestamptz NOT NULL,
    header          text[],
    preamble        text[] NOT NULL DEFAULT '{}',
    rows_read       bigint NOT NULL DEFAULT 0,
    rows_loaded     bigint NOT NULL DEFAULT 0,
    rows_replaced   bigint NOT NULL DEFAULT 0,
    rows_rejected   bigint NOT NULL DEFAULT 0,
    rows_skipped    bigint NOT NULL DEFAULT 0,
    tables          jsonb NOT NULL DEFAULT '{}',
    replaced_scope  jsonb,
    loaded_by       text NOT NULL DEFAULT current_user,
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz,
    CONSTRAINT load_batches_rows_add_up CHECK (
        finished_at IS NULL OR rows_read = rows_loaded + rows_rejected + rows_skipped)
);
COMMENT ON TABLE recon.load_batches IS
    'One row per load: format, file, options, when the export was pulled, the CSV header and any lines above it, rows read (every record after the header) = loaded + rejected + skipped, rows replaced (rows of the target tables a restated range or a newer version replaced), rows written per table, the replaced scope, who loaded it and when.';
SELECT pg_catalog.pg_extension_config_dump('recon.load_batches', '');

CREATE TABLE recon.load_rejects (
    batch_id     text COLLATE "C" NOT NULL REFERENCES recon.load_batches ON DELETE CASCADE,
    source_file  text NOT NULL,
    line_number  bigint NOT NULL,
    disposition  text COLLATE "C" NOT NULL CHECK (disposition IN ('rejected', 'skipped')),
    reasons      text[] NOT NULL CHECK (cardinality(reasons) > 0),
    raw          text,
    PRIMARY KEY (batch_id, line_number)
);
COMMENT ON TABLE recon.load_rejects IS
    'Every row a load did not write: the file, its line (CSV: the line the record starts on; JSON: the row''s position), rejected (did not read or broke a rule) or skipped (totals, footers, empty rows), the reasons (code: field and value) and the raw row. Personal data in raw is masked (sha256 of the value as written) unless the load kept PII.';
SELECT pg_catalog.pg_extension_config_dump('recon.load_rejects', '');

CREATE TABLE recon.contact_details (
    layer          text COLLATE "C" NOT NULL CHECK (layer IN ('funnel', 'signal')),
    record_key     text COLLATE "C" NOT NULL,
    email          text,
    phone          text,
    first_name     text,
    last_name      text,
    record_source  text COLLATE "C" NOT NULL,
    batch_id       text COLLATE "C",
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (layer, record_key)
);
COMMENT ON TABLE recon.contact_details IS
    'Raw contact data, kept only when a load is told keep_pii: true (by default loaders keep only SHA-256 digests of normalized values). record_key: the funnel record id, or the signal''s event id.';
SELECT pg_catalog.pg_extension_config_dump('recon.contact_details', '');

-- Keep raw contact data (only when a load says keep_pii): one row per record key, newest wins.
CREATE FUNCTION recon.load_keep_contacts(layer text, batch text, source_file text, contacts text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    kept bigint;
BEGIN
    EXECUTE format($q$
        INSERT INTO recon.contact_details AS c (layer, record_key, email, phone, first_name, last_name, record_source, batch_id)
        SELECT $1, record_key, email, phone, first_name, last_name, $2, $3
        FROM (%s) x (record_key, email, phone, first_name, last_name)
        WHERE record_key IS NOT NULL AND coalesce(email, phone, first_name, last_name) IS NOT NULL
        ON CONFLICT (layer, record_key) DO UPDATE
            SET email = excluded.email, phone = excluded.phone, first_name = excluded.first_name,
                last_name = excluded.last_name, record_source = excluded.record_source, batch_id = excluded.batch_id,
                loaded_at = now()$q$, contacts)
        USING layer, source_file, batch;
    GET DIAGNOSTICS kept = ROW_COUNT;
    RETURN kept;
END $$;
COMMENT ON FUNCTION recon.load_keep_contacts(text, text, text, text) IS
    'Writes raw contact data into recon.contact_details for loads told keep_pii: contacts is a query returning record_key, email, phone, first_name, last_name, one row per key; an existing key is overwritten. Returns the rows written.';

-- The session's staging table: \copy fills it one physical line per row.
CREATE FUNCTION recon.load_begin() RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS recon_staged_lines (
        line_number bigint GENERATED ALWAYS AS IDENTITY,
        line        text);
    TRUNCATE pg_temp.recon_staged_lines RESTART IDENTITY;
    RETURN format('\copy recon_staged_lines(line) FROM %s WITH (FORMAT csv, DELIMITER E''\x01'', QUOTE E''\x02'')',
                  '''<file>''');
END $$;
COMMENT ON FUNCTION recon.load_begin() IS
    'Creates (or empties) the session''s staging table pg_temp.recon_staged_lines and returns the \copy command that fills it with a file, one physical line per row (the CSV options with control characters as delimiter and quote keep every line whole and every byte as written). Then call recon.load_staged(format, file).';

-- Reject or skip rows of pg_temp.recon_load_rows (those the query returns) and remove them.
CREATE FUNCTION recon.load_set_aside(batch text, source_file text, disposition text, query text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format($q$
        WITH aside AS (%s),
        gone AS (DELETE FROM pg_temp.recon_load_rows r USING aside a
                 WHERE r.line_number = a.line_number RETURNING r.line_number, r.raw, a.reasons)
        INSERT INTO recon.load_rejects (batch_id, source_file, line_number, disposition, reasons, raw)
        SELECT $1, $2, line_number, $3, reasons, recon.load_mask_raw(raw) FROM gone$q$, query)
        USING batch, source_file, disposition;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION recon.load_set_aside(text, text, text, text) IS
    'Moves the rows of pg_temp.recon_load_rows that query returns (line_number, reasons text[]) to recon.load_rejects as rejected or skipped; returns how many. Used by the framework and the mappers.';

-- A reason when a raw value is present but did not parse (parsed is NULL).
CREATE FUNCTION recon.load_bad(code text, field text, raw text, parsed anyelement) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN parsed IS NULL AND nullif(btrim(raw), '') IS NOT NULL
                THEN code || ': ' || field || ' ' || quote_literal(raw) END
$$;
COMMENT ON FUNCTION recon.load_bad(text, text, text, anyelement) IS
    'Reject reason ''<code>: <field> ''''<raw>'''''' when the raw value is not blank and its parse (parsed) is NULL; else NULL.';

-- A reason when a required value is missing.
CREATE FUNCTION recon.load_missing(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NULL THEN 'missing: ' || field END
$$;
COMMENT ON FUNCTION recon.load_missing(text, text) IS
    'Reject reason ''missing: <field>'' when the raw value is NULL or blank; else NULL.';

-- A reason when a platform id is mangled (scientific notation, precision lost) or not an id.
CREATE FUNCTION recon.load_bad_id(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NOT NULL AND @extschema@.recon_normalize_platform_id(raw) IS NULL
                THEN CASE WHEN @extschema@.recon_normalize_platform_id_reason(raw) = 'invalid' THEN 'bad_id: '
                          ELSE 'mangled_id: ' END
                     || field || ' ' || quote_literal(raw) || ' (' || @extschema@.recon_normalize_platform_id_reason(raw) || ')' END
$$;
COMMENT ON FUNCTION recon.load_bad_id(text, text) IS
    'Reject reason for a numeric platform id that does not normalize: mangled_id (scientific_notation or precision_lost: a spreadsheet or a float ate its digits) or bad_id (not an id); NULL for a good or blank id.';

-- A reason when a currency code is not ISO 4217.
CREATE FUNCTION recon.load_bad_currency(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NOT NULL AND NOT @extschema@.recon_currency_is_known(upper(btrim(raw)))
                THEN 'unknown_currency: ' || field || ' ' || quote_literal(raw) END
$$;
COMMENT ON FUNCTION recon.load_bad_currency(text, text) IS
    'Reject reason unknown_currency when the raw value is not blank and, upper-cased and trimmed, not an ISO 4217 code recon knows.';

-- A reason when an amount has more decimals than its currency has minor units.
CREATE FUNCTION recon.load_bad_precision(field text, amount numeric, currency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN amount IS NOT NULL AND @extschema@.recon_currency_is_known(currency)
                 AND amount <> round(amount, @extschema@.recon_currency_minor_units(currency))
                THEN 'bad_amount: ' || field || ' ' || amount || ' has more decimals than ' || currency
                     || ' has minor units (' || @extschema@.recon_currency_minor_units(currency) || ')' END
$$;
COMMENT ON FUNCTION recon.load_bad_precision(text, numeric, text) IS
    'Reject reason when an amount in major units has more decimals than the currency allows (JPY 1500.5, USD 19.999): usually an amount already in minor units, or divided by 100 once too often.';

-- Check a load's options: known names, usable values.
CREATE FUNCTION recon.load_check_options(fmt recon.load_formats, options jsonb) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    allowed text[] := recon.load_common_options() || fmt.options;
    unknown text[];
BEGIN
    IF jsonb_typeof(options) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'load options must be a JSON object, not %', coalesce(jsonb_typeof(options), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT array_agg(k ORDER BY k) INTO unknown FROM jsonb_object_keys(options) k WHERE k <> ALL (allowed);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'format % does not take option(s) %', fmt.format, array_to_string(unknown, ', ')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'It takes: ' || array_to_string(allowed, ', ') || '.';
    END IF;
    IF options ? 'timezone' THEN
        PERFORM @extschema@.recon_timezone(options ->> 'timezone');
    END IF;
    IF options ? 'currency' THEN
        PERFORM @extschema@.recon_currency(options ->> 'currency');
    END IF;
    IF options ? 'date_style' AND (options ->> 'date_style') NOT IN ('iso', 'mdy', 'dmy') THEN
        RAISE EXCEPTION 'date_style % is not known', options ->> 'date_style'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use iso, mdy or dmy.';
    END IF;
    IF options ? 'decimal_mark' AND (options ->> 'decimal_mark') NOT IN ('.', ',') THEN
        RAISE EXCEPTION 'decimal_mark % is not usable', options ->> 'decimal_mark'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use . or ,';
    END IF;
    IF options ? 'keep_pii' AND jsonb_typeof(options -> 'keep_pii') <> 'boolean' THEN
        RAISE EXCEPTION 'keep_pii must be true or false, not %', options -> 'keep_pii'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF options ? 'pulled_at' THEN
        PERFORM (options ->> 'pulled_at')::timestamptz;
    END IF;
END $$;
COMMENT ON FUNCTION recon.load_check_options(recon.load_formats, jsonb) IS
    'Raises 22023 for an unknown option (listing the accepted ones) or an unusable value (timezone, currency, date_style, decimal_mark, keep_pii, pulled_at).';

-- The format's row, or 22023 listing the known ones.
CREATE FUNCTION recon.load_format(name text) RETURNS recon.load_formats
LANGUAGE plpgsql STABLE AS $$
DECLARE
    f recon.load_formats;
BEGIN
    SELECT * INTO f FROM recon.load_formats WHERE format = name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'load format % is not known', coalesce(quote_literal(name), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Known formats: ' || (SELECT string_agg(format, ', ' ORDER BY format) FROM recon.load_formats) || '.';
    END IF;
    RETURN f;
END $$;
COMMENT ON FUNCTION recon.load_format(text) IS
    'The recon.load_formats row of a format; 22023 listing the known formats when there is none.';

-- The raw row as the rejects table keeps it: personal data replaced by its digest unless PII is kept.
CREATE FUNCTION recon.load_mask_raw(raw text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ctx record;
    fields text[];
    doc jsonb;
    path text[];
    path_text text;
BEGIN
    SELECT * INTO ctx FROM pg_temp.recon_load_context;
    IF raw IS NULL OR ctx.keep_pii OR cardinality(ctx.pii_positions) = 0 AND cardinality(ctx.pii_paths) = 0 THEN
        RETURN raw;
    END IF;
    IF ctx.input = 'csv' THEN
        fields := @extschema@.recon_csv_fields(raw, ctx.delimiter);
        IF fields IS NULL OR cardinality(fields) <> ctx.header_fields THEN   -- its fields cannot be told apart, so none is kept
            RETURN 'masked (a malformed row of a file with personal data): sha256:' || @extschema@.recon_sha256_hex(raw);
        END IF;
        FOR i IN 1 .. cardinality(fields) LOOP
            IF i = ANY (ctx.pii_positions) AND fields[i] IS NOT NULL THEN
                fields[i] := 'sha256:' || @extschema@.recon_sha256_hex(fields[i]);
            END IF;
        END LOOP;
        RETURN (SELECT string_agg(CASE WHEN f ~ format('[%s"\n\r]', ctx.delimiter) THEN '"' || replace(f, '"', '""') || '"'
                                       ELSE coalesce(f, '') END, ctx.delimiter ORDER BY o)
                FROM unnest(fields) WITH ORDINALITY AS u(f, o));
    END IF;
    BEGIN
        doc := raw::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN   -- a malformed JSON line: nothing in it can be told apart
        RETURN 'masked (a malformed row of a file with personal data): sha256:' || @extschema@.recon_sha256_hex(raw);
    END;
    FOREACH path_text IN ARRAY ctx.pii_paths LOOP
        path := path_text::text[];
        IF jsonb_typeof(doc #> path) <> 'null' THEN
            doc := jsonb_set(doc, path, to_jsonb('sha256:' || @extschema@.recon_sha256_hex(doc #> path #>> '{}')));
        END IF;
    END LOOP;
    RETURN doc::text;
END $$;
COMMENT ON FUNCTION recon.load_mask_raw(text) IS
    'A rejected or skipped row as recon.load_rejects keeps it: unchanged when the load keeps PII or the format has none; else each personal field (load_format_fields.pii) replaced by sha256:<digest of the value as written>, and a malformed CSV row or one with the wrong number of fields, whose fields cannot be told apart, replaced whole by its digest.';

-- Header detection: how many of a format's fields a line's cells name, split by a delimiter.
CREATE FUNCTION recon.load_header_score(fmt text, line text, delimiter text) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT count(DISTINCT f.field)::integer
    FROM unnest(@extschema@.recon_csv_fields(line, delimiter)) AS h(cell)
    JOIN recon.load_format_fields f ON f.format = fmt
     AND EXISTS (SELECT 1 FROM unnest(f.headers) p WHERE btrim(h.cell) ~* ('^(?:' || p || ')$'))
$$;
COMMENT ON FUNCTION recon.load_header_score(text, text, text) IS
    'How many of the format''s fields the cells of a line name when split by delimiter: the header is the first line that names the most (at least all required ones).';

-- Turn the staged lines (a CSV file) into pg_temp.recon_load_rows; returns the header line's details.
CREATE FUNCTION recon.load_csv_rows(fmt recon.load_formats, options jsonb,
                                    OUT header text[], OUT preamble text[], OUT delimiter text)
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    header_line bigint;
    best integer := -1;
    score integer;
    cand record;
    d text;
    mapped record;
    missing text[];
    columns text := '';
    extra text := '';
    pii_positions integer[] := '{}';
    keep_extra boolean := EXISTS (SELECT 1 FROM recon.load_format_fields WHERE format = fmt.format AND field = 'extra');
    n integer;
    multiline boolean;
    records text;
BEGIN
    -- A UTF-8 byte order mark sits in front of the first line of many exports.
    UPDATE pg_temp.recon_staged_lines SET line = substr(line, 2)
    WHERE line_number = (SELECT min(line_number) FROM pg_temp.recon_staged_lines) AND line LIKE E'\uFEFF%';

    -- Records: a quoted field may hold line breaks, so a line with an odd number
    -- of quotes continues on the next ones until the quotes balance.
    multiline := EXISTS (SELECT 1 FROM pg_temp.recon_staged_lines
                         WHERE line LIKE '%"%' AND (length(line) - length(replace(line, '"', ''))) % 2 = 1);
    records := 'pg_temp.recon_staged_lines';
    IF multiline THEN
        DROP TABLE IF EXISTS pg_temp.recon_records;
        CREATE TEMP TABLE recon_records AS
        SELECT min(line_number) AS line_number, string_agg(line, E'\n' ORDER BY line_number) AS line
        FROM (SELECT line_number, line,
                     sum(starts::int) OVER (ORDER BY line_number) AS record
              FROM (SELECT line_number, line,
                           coalesce(sum(odd::int) OVER (ORDER BY line_number ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % 2 = 0 AS starts
                    FROM (SELECT line_number, line,
                                 (length(coalesce(line, '')) - length(replace(coalesce(line, ''), '"', ''))) % 2 = 1 AS odd
                          FROM pg_temp.recon_staged_lines) a) b) c
        GROUP BY record;
        records := 'pg_temp.recon_records';
    END IF;

    -- The header: among the first 50 records, the first naming the most of the format's fields.
    FOR cand IN EXECUTE format('SELECT line_number, line FROM %s WHERE line IS NOT NULL ORDER BY line_number LIMIT 50', records) LOOP
        FOREACH d IN ARRAY CASE WHEN options ? 'delimiter' THEN ARRAY[options ->> 'delimiter']
                                ELSE ARRAY[',', ';', E'\t'] END LOOP
            score := recon.load_header_score(fmt.format, cand.line, d);
            IF score > best THEN
                best := score;
                header_line := cand.line_number;
                delimiter := d;
            END IF;
        END LOOP;
    END LOOP;
    IF header_line IS NULL OR best = 0 THEN
        RAISE EXCEPTION 'no header line for format % in the first 50 lines', fmt.format
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'The header must name the format''s columns, e.g. ' ||
                         (SELECT string_agg(headers[1], ', ' ORDER BY field) FROM recon.load_format_fields
                          WHERE format = fmt.format AND required) || '.';
    END IF;
    EXECUTE format('SELECT @extschema@.recon_csv_fields(line, %L) FROM %s WHERE line_number = %s', delimiter, records, header_line)
       INTO header;
    EXECUTE format('SELECT coalesce(array_agg(line ORDER BY line_number) FILTER (WHERE line IS NOT NULL), ''{}'') FROM %s WHERE line_number < %s',
                   records, header_line)
       INTO preamble;
    n := cardinality(header);

    -- Each field of the format: the header cell that names it (two naming one field is an error).
    FOR mapped IN
        -- a field's spellings are in order of preference: the cells matching its first matched spelling
        SELECT f.field, f.required, f.pii, m.positions
        FROM recon.load_format_fields f
        LEFT JOIN LATERAL (
            SELECT array_agg(x.o ORDER BY x.o) FILTER (WHERE x.i = x.first_spelling) AS positions
            FROM (SELECT h.o, p.i, min(p.i) OVER () AS first_spelling
                  FROM unnest(header) WITH ORDINALITY AS h(cell, o)
                  JOIN unnest(f.headers) WITH ORDINALITY AS p(pattern, i) ON btrim(h.cell) ~* ('^(?:' || p.pattern || ')$')) x
        ) m ON true
        WHERE f.format = fmt.format AND f.field <> 'extra'
        ORDER BY f.field
    LOOP
        IF cardinality(mapped.positions) > 1 THEN
            RAISE EXCEPTION 'columns % of the header all name field % of format % the same way',
                            (SELECT string_agg(quote_literal(header[p]), ', ') FROM unnest(mapped.positions) p),
                            mapped.field, fmt.format
                USING ERRCODE = 'invalid_text_representation', HINT = 'Remove or rename all but one.';
        ELSIF mapped.positions IS NULL AND mapped.required THEN
            missing := missing || mapped.field;
        END IF;
        columns := columns || format(', %s AS %I', CASE WHEN mapped.positions IS NULL THEN 'NULL::text'
                                                          ELSE format('f[%s]', mapped.positions[1]) END, mapped.field);
        IF mapped.pii AND mapped.positions IS NOT NULL THEN
            pii_positions := pii_positions || mapped.positions[1];
        END IF;
    END LOOP;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'the header of this % file lacks required column(s): %', fmt.format, array_to_string(missing, ', ')
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = 'Header (line ' || header_line || '): ' || array_to_string(header, ' | ', '(blank)'),
                  HINT = 'Accepted spellings: ' || (SELECT string_agg(field || ' = ' || array_to_string(headers, ' or '), '; ' ORDER BY field)
                                                    FROM recon.load_format_fields WHERE format = fmt.format AND field = ANY (missing)) || '.';
    END IF;
    -- The cells no field names, by header, for mappers that read them (Meta's per-action columns, form answers).
    IF keep_extra THEN
        SELECT ', jsonb_strip_nulls(jsonb_build_object(' || coalesce(string_agg(format('%L, f[%s]', btrim(h.cell), h.o), ', '), '') || ')) AS extra'
          INTO extra
        FROM unnest(header) WITH ORDINALITY AS h(cell, o)
        WHERE h.cell IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM recon.load_format_fields f, unnest(f.headers) p
            WHERE f.format = fmt.format AND btrim(h.cell) ~* ('^(?:' || p || ')$'));
    END IF;

    DROP TABLE IF EXISTS pg_temp.recon_load_context;
    CREATE TEMP TABLE recon_load_context AS
    SELECT 'csv'::text AS input, delimiter, n AS header_fields, coalesce((options ->> 'keep_pii')::boolean, false) AS keep_pii,
           pii_positions, '{}'::text[] AS pii_paths;

    DROP TABLE IF EXISTS pg_temp.recon_load_rows;
    EXECUTE format($q$
        CREATE TEMP TABLE recon_load_rows AS
        SELECT r.line_number, r.line AS raw,
               CASE WHEN f IS NULL THEN 'malformed_csv: ' || @extschema@.recon_csv_problem(r.line, %1$L)
                    WHEN cardinality(f) <> %2$s
                    THEN format('wrong_column_count: %%s fields, the header has %%s', cardinality(f), %2$s) END AS problem,
               coalesce(cardinality(array_remove(f, NULL)) = 0, false) AS empty_row,
               f[1] AS first_cell
               %3$s %4$s
        FROM %6$s r
        -- OFFSET 0 keeps the split a subquery: pulled up, it would run once per field read
        CROSS JOIN LATERAL (SELECT @extschema@.recon_csv_fields(r.line, %1$L) AS f OFFSET 0) x
        WHERE r.line_number > %5$s AND r.line IS NOT NULL$q$,
        delimiter, n, columns, extra, header_line, records);
    ANALYZE pg_temp.recon_load_rows;
END $$;
COMMENT ON FUNCTION recon.load_csv_rows(recon.load_formats, jsonb) IS
    'Turns the staged lines of a CSV file into pg_temp.recon_load_rows (line_number, raw, problem, one text column per format field, extra): strips a byte order mark, joins quoted line breaks, finds the header (the first of the first 50 lines naming most of the format''s fields; delimiter detected among , ; tab unless given) and maps its cells to fields. A header lacking a required field, or naming one twice, raises 22P02 showing the header and the accepted spellings.';

-- The rows of a JSON document: the elements of its data, results or elements array, or the document.
CREATE FUNCTION recon.load_json_elements(doc jsonb) RETURNS TABLE (line_number bigint, element jsonb)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT o, e
    FROM jsonb_array_elements(CASE
            WHEN jsonb_typeof(doc) = 'array' AND jsonb_array_length(doc) > 0
                 AND (SELECT bool_and(jsonb_typeof(x -> 'results') = 'array') FROM jsonb_array_elements(doc) x)
                THEN (SELECT jsonb_agg(r) FROM jsonb_array_elements(doc) x, jsonb_array_elements(x -> 'results') r)
            WHEN jsonb_typeof(doc) = 'array' THEN doc
            WHEN jsonb_typeof(doc -> 'data') = 'array' THEN doc -> 'data'
            WHEN jsonb_typeof(doc #> '{data,list}') = 'array' THEN doc #> '{data,list}'
            WHEN jsonb_typeof(doc -> 'results') = 'array' THEN doc -> 'results'
            WHEN jsonb_typeof(doc -> 'elements') = 'array' THEN doc -> 'elements'
            ELSE jsonb_build_array(doc) END) WITH ORDINALITY AS a(e, o)
$$;
COMMENT ON FUNCTION recon.load_json_elements(jsonb) IS
    'The rows of an API document, numbered from 1: an array''s elements (a Google Ads searchStream array of batches: their results), else the array under data (Meta, Stripe, Conversions API), data.list (TikTok), results (HubSpot, Google Ads search) or elements (LinkedIn), else the document as one row.';

-- Turn pg_temp.recon_json_elements (line_number, element, problem) into pg_temp.recon_load_rows.
CREATE FUNCTION recon.load_json_rows(fmt recon.load_formats, options jsonb) RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    columns text;
BEGIN
    SELECT string_agg(format(', %s AS %I',
                             CASE WHEN json_path IS NULL THEN 'NULL::text' ELSE format('e.element #>> %L', json_path) END,
                             field), '' ORDER BY field)
      INTO columns
    FROM recon.load_format_fields WHERE format = fmt.format AND field <> 'extra';

    DROP TABLE IF EXISTS pg_temp.recon_load_context;
    CREATE TEMP TABLE recon_load_context AS
    SELECT 'json'::text AS input, NULL::text AS delimiter, NULL::integer AS header_fields,
           coalesce((options ->> 'keep_pii')::boolean, false) AS keep_pii, '{}'::integer[] AS pii_positions,
           coalesce((SELECT array_agg(json_path::text) FROM recon.load_format_fields   -- '{a,b}': paths differ in depth
                     WHERE format = fmt.format AND pii AND json_path IS NOT NULL), '{}') AS pii_paths;

    DROP TABLE IF EXISTS pg_temp.recon_load_rows;
    EXECUTE format($q$
        CREATE TEMP TABLE recon_load_rows AS
        SELECT e.line_number, e.raw,
               coalesce(e.problem, CASE WHEN jsonb_typeof(e.element) <> 'object'
                                        THEN 'not_an_object: a ' || jsonb_typeof(e.element) END) AS problem,
               false AS empty_row, NULL::text AS first_cell
               %s, e.element AS extra
        FROM pg_temp.recon_json_elements e$q$, coalesce(columns, ''));
    ANALYZE pg_temp.recon_load_rows;
END $$;
COMMENT ON FUNCTION recon.load_json_rows(recon.load_formats, jsonb) IS
    'Turns pg_temp.recon_json_elements into pg_temp.recon_load_rows: one text column per format field read at its json_path (objects and arrays as JSON text), extra = the whole row.';

-- Run a load whose rows are in pg_temp.recon_load_rows: set aside, map, record the batch.
CREATE FUNCTION recon.load_run(fmt recon.load_formats, source_file text, options jsonb,
                               header text[] DEFAULT NULL, preamble text[] DEFAULT '{}')
RETURNS recon.load_batches
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    b recon.load_batches;
    mapped jsonb;
BEGIN
    b.batch_id := coalesce(options ->> 'batch_id', 'load-' || nextval('recon.load_batch_seq'));
    IF EXISTS (SELECT 1 FROM recon.load_batches WHERE batch_id = b.batch_id) THEN
        RAISE EXCEPTION 'batch_id % was already used by an earlier load', b.batch_id
            USING ERRCODE = 'unique_violation',
                  HINT = 'Reloading a file needs no batch_id: the load replaces what the file restates. Pick a new batch_id or omit it.';
    END IF;
    INSERT INTO recon.load_batches (batch_id, format, source_file, options, pulled_at, header, preamble)
    VALUES (b.batch_id, fmt.format, source_file, options,
            coalesce((options ->> 'pulled_at')::timestamptz, now()), header, coalesce(preamble, '{}'));

    SELECT count(*) INTO b.rows_read FROM pg_temp.recon_load_rows;
    b.rows_skipped := recon.load_set_aside(b.batch_id, source_file, 'skipped', format($q$
        SELECT line_number, ARRAY[CASE WHEN empty_row THEN 'empty_row' ELSE 'total_or_footer: ' || quote_literal(first_cell) END] AS reasons
        FROM pg_temp.recon_load_rows
        WHERE empty_row OR first_cell ~* %L$q$, coalesce(fmt.skip_pattern, '$^')));   -- footers are often short rows
    b.rows_rejected := recon.load_set_aside(b.batch_id, source_file, 'rejected',
        'SELECT line_number, ARRAY[problem] AS reasons FROM pg_temp.recon_load_rows WHERE problem IS NOT NULL');

    EXECUTE format('SELECT %s($1, $2, $3)', fmt.mapper) INTO mapped USING b.batch_id, source_file, options;

    SELECT count(*) INTO b.rows_loaded FROM pg_temp.recon_load_rows;
    b.rows_rejected := b.rows_rejected + coalesce((mapped ->> 'rejected')::bigint, 0);
    b.rows_skipped := b.rows_skipped + coalesce((mapped ->> 'skipped')::bigint, 0);
    UPDATE recon.load_batches
       SET rows_read = b.rows_read, rows_loaded = b.rows_loaded, rows_rejected = b.rows_rejected,
           rows_skipped = b.rows_skipped, rows_replaced = coalesce((mapped ->> 'replaced')::bigint, 0),
           tables = coalesce(mapped -> 'tables', '{}'), replaced_scope = mapped -> 'scope',
           finished_at = clock_timestamp()
     WHERE batch_id = b.batch_id
    RETURNING * INTO b;
    DROP TABLE IF EXISTS pg_temp.recon_load_rows, pg_temp.recon_load_context;
    RETURN b;
END $$;
COMMENT ON FUNCTION recon.load_run(recon.load_formats, text, jsonb, text[], text[]) IS
    'The common half of every load, once its rows are in pg_temp.recon_load_rows: opens the batch, skips empty rows and totals (load_formats.skip_pattern), rejects malformed rows, calls the format''s mapper (which rejects what breaks its rules and writes the rest), and records the counts.';

-- The summary a load returns.
CREATE TYPE recon.load_summary AS (
    batch_id       text,
    format         text,
    source_file    text,
    rows_read      bigint,
    rows_loaded    bigint,
    rows_replaced  bigint,
    rows_rejected  bigint,
    rows_skipped   bigint,
    tables         jsonb
);
COMMENT ON TYPE recon.load_summary IS
    'What a load did: rows read (every record after the header) = loaded + rejected + skipped; rows replaced in the target tables; rows written per table.';

CREATE FUNCTION recon.load_summary_of(b recon.load_batches) RETURNS recon.load_summary
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(b.batch_id, b.format, b.source_file, b.rows_read, b.rows_loaded, b.rows_replaced,
               b.rows_rejected, b.rows_skipped, b.tables)::recon.load_summary
$$;
COMMENT ON FUNCTION recon.load_summary_of(recon.load_batches) IS
    'The recon.load_summary of a recon.load_batches row.';

-- Load the file staged by \copy into pg_temp.recon_staged_lines (see recon.load_begin()).
CREATE FUNCTION recon.load_staged(format text, source_file text, options jsonb DEFAULT '{}')
RETURNS recon.load_summary
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    fmt recon.load_formats := recon.load_format(format);
    csv record;
    doc jsonb;
    result recon.load_summary;
BEGIN
    PERFORM recon.load_check_options(fmt, options);
    IF source_file IS NULL OR btrim(source_file) = '' THEN
        RAISE EXCEPTION 'a load needs the name of its source file' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass('pg_temp.recon_staged_lines') IS NULL THEN
        RAISE EXCEPTION 'nothing is staged in this session'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'SELECT recon.load_begin(); then \copy recon_staged_lines(line) FROM ''file'' WITH (FORMAT csv, DELIMITER E''\x01'', QUOTE E''\x02''); or use scripts/recon-load.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.recon_staged_lines WHERE line IS NOT NULL) THEN
        RAISE EXCEPTION 'the staged file % is empty', source_file USING ERRCODE = 'no_data_found';
    END IF;

    IF fmt.input = 'csv' THEN
        csv := recon.load_csv_rows(fmt, options);
        result := recon.load_summary_of(recon.load_run(fmt, source_file, options, csv.header, csv.preamble));
    ELSE
        -- One JSON document (pretty-printed over many lines), else JSON lines (one row per line).
        DROP TABLE IF EXISTS pg_temp.recon_json_elements;
        BEGIN
            doc := (SELECT string_agg(line, E'\n' ORDER BY line_number) FROM pg_temp.recon_staged_lines)::jsonb;
        EXCEPTION WHEN invalid_text_representation THEN
            doc := NULL;
        END;
        IF doc IS NOT NULL THEN
            result := recon.load_json(fmt.format, source_file, doc, options);
            TRUNCATE pg_temp.recon_staged_lines RESTART IDENTITY;
            RETURN result;
        ELSE
            CREATE TEMP TABLE recon_json_elements (line_number bigint, element jsonb, raw text, problem text);
            DECLARE
                l record;
            BEGIN
                FOR l IN SELECT line_number, line FROM pg_temp.recon_staged_lines
                         WHERE btrim(coalesce(line, '')) <> '' ORDER BY line_number LOOP
                    BEGIN
                        INSERT INTO pg_temp.recon_json_elements VALUES (l.line_number, l.line::jsonb, l.line, NULL);
                    EXCEPTION WHEN invalid_text_representation THEN
                        INSERT INTO pg_temp.recon_json_elements VALUES (l.line_number, NULL, l.line, 'malformed_json: ' || SQLERRM);
                    END;
                END LOOP;
            END;
        END IF;
        PERFORM recon.load_json_rows(fmt, options);
        result := recon.load_summary_of(recon.load_run(fmt, source_file, options));
    END IF;
    TRUNCATE pg_temp.recon_staged_lines RESTART IDENTITY;
    RETURN result;
END $$;
COMMENT ON FUNCTION recon.load_staged(text, text, jsonb) IS
    'Loads the file staged in pg_temp.recon_staged_lines (recon.load_begin() and \copy, or scripts/recon-load) as the format: a CSV file, or a JSON document or JSON lines. Returns the load summary; the rows are in the target tables, recon.load_batches and recon.load_rejects. Runs in the caller''s transaction: an error leaves nothing written.';

-- Load a JSON document (an API response) directly.
CREATE FUNCTION recon.load_json(format text, source_file text, doc jsonb, options jsonb DEFAULT '{}')
RETURNS recon.load_summary
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    fmt recon.load_formats := recon.load_format(format);
BEGIN
    PERFORM recon.load_check_options(fmt, options);
    IF fmt.input <> 'json' THEN
        RAISE EXCEPTION 'format % is read from CSV, not JSON', fmt.format
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use recon.load_text() or recon.load_staged().';
    END IF;
    IF source_file IS NULL OR btrim(source_file) = '' THEN
        RAISE EXCEPTION 'a load needs the name of its source file' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF doc IS NULL THEN
        RAISE EXCEPTION 'the JSON document of % is NULL', source_file USING ERRCODE = 'null_value_not_allowed';
    END IF;
    DROP TABLE IF EXISTS pg_temp.recon_json_elements;
    CREATE TEMP TABLE recon_json_elements AS
    SELECT line_number, element, element::text AS raw, NULL::text AS problem FROM recon.load_json_elements(doc);
    PERFORM recon.load_json_rows(fmt, options);
    RETURN recon.load_summary_of(recon.load_run(fmt, source_file, options));
END $$;
COMMENT ON FUNCTION recon.load_json(text, text, jsonb, jsonb) IS
    'Loads an API response (jsonb) as a JSON format: rows are the elements of its data/results/elements array (recon.load_json_elements). Returns the load summary.';

-- Load a file's content passed as text (small files, tests, dbt).
CREATE FUNCTION recon.load_text(format text, source_file text, content text, options jsonb DEFAULT '{}')
RETURNS recon.load_summary
LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    PERFORM recon.load_begin();
    INSERT INTO pg_temp.recon_staged_lines (line)
    SELECT nullif(l, '') FROM regexp_split_to_table(rtrim(content, E'\r\n'), E'\n') AS l;   -- a blank line stages as NULL, as with \copy
    RETURN recon.load_staged(format, source_file, options);
END $$;
COMMENT ON FUNCTION recon.load_text(text, text, text, jsonb) IS
    'Loads a file''s content given as text (CSV, a JSON document or JSON lines), as if staged with \copy. For big files stage them with \copy (scripts/recon-load): it streams.';

-- ===== src/load/platform_report.sql =====
-- What every ad platform's daily report loader shares: account ids as the
-- platforms spell them, attribution settings as Ads Manager words them, and the
-- writer that replaces the restated range (docs/loading.md).

-- An ad account id without the decorations exports add.
CREATE FUNCTION recon.load_account_id(platform text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(CASE platform
                      WHEN 'meta' THEN regexp_replace(btrim(raw), '^act_', '')
                      WHEN 'google' THEN replace(btrim(raw), '-', '')          -- 483-012-7765
                      WHEN 'linkedin' THEN regexp_replace(btrim(raw), '^urn:li:sponsoredAccount:', '')
                      ELSE btrim(raw) END, '')
$$;
COMMENT ON FUNCTION recon.load_account_id(text, text) IS
    'An ad account id as recon stores it: Meta without act_, Google without the dashes of 483-012-7765, LinkedIn without urn:li:sponsoredAccount:; trimmed; NULL when blank.';

-- An id that may come as a LinkedIn URN (urn:li:sponsoredCampaign:123) or a plain number.
CREATE FUNCTION recon.load_urn_id(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(regexp_replace(btrim(raw), '^urn:li:[A-Za-z]+:', ''), '')
$$;
COMMENT ON FUNCTION recon.load_urn_id(text) IS
    'The id inside a LinkedIn URN (urn:li:sponsoredCampaign:123 -> 123), or the trimmed value.';

-- An attribution setting as recon spells it: 7d_click_1d_view.
CREATE FUNCTION recon.load_attribution_setting(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN nullif(btrim(raw), '') IS NULL THEN NULL
        WHEN lower(btrim(raw)) ~ '^(\d+d_(click|view|ev))(_\d+d_(click|view|ev))*$' THEN lower(btrim(raw))
        WHEN lower(raw) ~ '\d+[- ]day' THEN
            (SELECT string_agg(m[1] || 'd_' || CASE WHEN m[2] ~ '^engaged' THEN 'ev' ELSE m[2] END, '_' ORDER BY o)
             FROM regexp_matches(lower(raw), '(\d+)[- ]days? (click|view|engaged[- ]view)', 'g') WITH ORDINALITY AS x(m, o))
        ELSE lower(btrim(raw)) END
$$;
COMMENT ON FUNCTION recon.load_attribution_setting(text) IS
    'An attribution setting in recon''s spelling: 7d_click_1d_view from the API''s 7d_click_1d_view or Ads Manager''s "7-day click or 1-day view" (1d_ev for engaged view); other values (mixed, skan, dda) lower-cased as they are; NULL when blank.';

-- Per platform, the attribution setting a report has when it does not say.
CREATE FUNCTION recon.load_default_attribution(platform text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE platform WHEN 'google' THEN '30d_click' WHEN 'microsoft' THEN '30d_click'
                         WHEN 'linkedin' THEN '30d_click_7d_view' WHEN 'tiktok' THEN '7d_click_1d_view'
                         WHEN 'meta' THEN '7d_click_1d_view' END
$$;
COMMENT ON FUNCTION recon.load_default_attribution(text) IS
    'The attribution setting a platform applies when the account changed nothing (Google and Microsoft 30-day click, LinkedIn 30-day click + 7-day view, TikTok and Meta 7-day click + 1-day view); loaders store it when a report does not carry one and the load gives no attribution_setting option.';

-- The account zone to assume for a new account when the load does not say.
CREATE FUNCTION recon.load_default_timezone(platform text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN platform = 'microsoft' THEN 'America/Los_Angeles'
                WHEN (SELECT report_clock FROM recon.platforms p WHERE p.platform = load_default_timezone.platform) = 'utc' THEN 'UTC' END
$$;
COMMENT ON FUNCTION recon.load_default_timezone(text) IS
    'The zone assumed for a new ad account when the load gives no timezone option: Pacific time for Microsoft (its default when an account sets none), UTC for platforms that report in UTC (TikTok, LinkedIn...), else NULL (Meta and Google report in the account''s zone, which must be given). Accounts created so are flagged timezone_defaulted.';

-- From how many rows a load writes its tables the bulk way.
CREATE FUNCTION recon.load_bulk_rows() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 100000::bigint $$;
COMMENT ON FUNCTION recon.load_bulk_rows() IS
    'Loads of at least this many rows (100,000) write their target tables the bulk way (recon.bulk_load_begin/end: keys and indexes rebuilt once, foreign keys validated by one join, tables locked until commit); smaller ones insert row by row into the indexed tables.';

-- Write a platform report typed into pg_temp.recon_load_delivery and pg_temp.recon_load_conversions.
CREATE FUNCTION recon.load_write_platform_report(batch text, source_file text, options jsonb, platform_name text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    new_accounts bigint;
    rejected bigint;
    replaced bigint := 0;
    delivery bigint;
    conversions bigint;
    scope jsonb;
    unknown text;
    saved jsonb;
BEGIN
    -- Accounts recon does not know yet need their zone and currency.
    SELECT string_agg(d.account_id, ', ' ORDER BY d.account_id) INTO unknown
    FROM (SELECT account_id, max(account_currency) AS account_currency FROM pg_temp.recon_load_delivery
          WHERE account_id IS NOT NULL AND cardinality(reasons) = 0 GROUP BY account_id) d
    WHERE NOT EXISTS (SELECT 1 FROM recon.ad_accounts a WHERE a.platform = platform_name AND a.account_id = d.account_id)
      AND (coalesce(options ->> 'timezone', recon.load_default_timezone(platform_name)) IS NULL
           OR coalesce(d.account_currency, options ->> 'currency') IS NULL);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION '% account(s) % are not in recon.ad_accounts, and the load does not say their time zone and currency',
                        platform_name, unknown
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Insert them into recon.ad_accounts first, or pass options {"timezone": "<the account''s IANA zone>", "currency": "<ISO 4217>"}.';
    END IF;
    INSERT INTO recon.ad_accounts (platform, account_id, account_name, timezone, currency, record_source, batch_id, dq_flags)
    SELECT DISTINCT ON (d.account_id) platform_name, d.account_id, d.account_name,
           coalesce(options ->> 'timezone', recon.load_default_timezone(platform_name)),
           upper(btrim(coalesce(d.account_currency, options ->> 'currency'))), source_file, batch,
           CASE WHEN options ->> 'timezone' IS NULL THEN '{timezone_defaulted}'::text[] ELSE '{}' END
    FROM pg_temp.recon_load_delivery d
    WHERE d.account_id IS NOT NULL AND cardinality(d.reasons) = 0
      AND NOT EXISTS (SELECT 1 FROM recon.ad_accounts a WHERE a.platform = platform_name AND a.account_id = d.account_id)
    ORDER BY d.account_id, d.line_number;
    GET DIAGNOSTICS new_accounts = ROW_COUNT;

    -- Rules that need the account or the whole file: currency, one row per key.
    UPDATE pg_temp.recon_load_delivery d
       SET reasons = d.reasons || x.more
      FROM (SELECT d2.line_number,
                   array_remove(ARRAY[
                       CASE WHEN d2.account_currency IS NOT NULL AND upper(btrim(d2.account_currency)) <> a.currency
                            THEN format('currency_mismatch: the row says %s, account %s is in %s', d2.account_currency, d2.account_id, a.currency) END,
                       CASE WHEN first_line <> d2.line_number
                            THEN format('duplicate_row: same account, day, campaign, ad set and ad as line %s', first_line) END], NULL) AS more
            FROM (SELECT *, min(line_number) OVER (PARTITION BY account_id, report_date, campaign_id, adset_id, ad_id) AS first_line
                  FROM pg_temp.recon_load_delivery WHERE cardinality(reasons) = 0) d2
            JOIN recon.ad_accounts a ON a.platform = platform_name AND a.account_id = d2.account_id) x
     WHERE d.line_number = x.line_number AND cardinality(x.more) > 0;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_delivery WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_delivery WHERE cardinality(reasons) > 0;

    -- A report restates its days: the rows it covers (per account and level) are replaced, not added to.
    WITH s AS MATERIALIZED (
        SELECT account_id, level, min(report_date) AS first_day, max(report_date) AS last_day
        FROM pg_temp.recon_load_delivery GROUP BY 1, 2),
    gone AS (
        DELETE FROM recon.ad_delivery_daily t
        USING s
        WHERE t.platform = platform_name AND t.account_id = s.account_id AND t.level = s.level
          AND t.report_date BETWEEN s.first_day AND s.last_day
        RETURNING 1)
    SELECT (SELECT jsonb_agg(jsonb_build_object('account_id', account_id, 'level', level, 'from', first_day, 'to', last_day)
                             ORDER BY account_id, level) FROM s),
           (SELECT count(*) FROM gone)
      INTO scope, replaced;

    -- A big file is written like pg_restore does: keys and indexes built once at the end,
    -- foreign keys checked by one join instead of row by row (recon.bulk_load_begin).
    IF (SELECT count(*) FROM pg_temp.recon_load_delivery) >= recon.load_bulk_rows() THEN
        saved := recon.bulk_load_begin(ARRAY['recon.ad_delivery_daily', 'recon.platform_conversions_daily']::regclass[]);
    END IF;

    INSERT INTO recon.ad_delivery_daily
        (platform, account_id, report_date, level, campaign_id, campaign_name, adset_id, adset_name, ad_id, ad_name,
         spend, currency, impressions, clicks, link_clicks, attribution_setting, action_report_time,
         report_timezone, pulled_at, record_source, batch_id, dq_flags)
    SELECT platform_name, d.account_id, d.report_date, d.level, d.campaign_id, d.campaign_name,
           coalesce(d.adset_id, ''), d.adset_name, coalesce(d.ad_id, ''), d.ad_name,
           coalesce(d.spend, 0), a.currency, coalesce(d.impressions, 0), coalesce(d.clicks, 0), d.link_clicks,
           coalesce(d.attribution_setting, options ->> 'attribution_setting', recon.load_default_attribution(platform_name)),
           d.action_report_time, a.report_timezone,
           coalesce((options ->> 'pulled_at')::timestamptz, now()), source_file, batch, d.dq_flags
    FROM pg_temp.recon_load_delivery d
    JOIN recon.ad_accounts a ON a.platform = platform_name AND a.account_id = d.account_id;
    GET DIAGNOSTICS delivery = ROW_COUNT;

    INSERT INTO recon.platform_conversions_daily
        (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window,
         conversions, conversion_value, currency, record_source, batch_id)
    SELECT platform_name, d.account_id, d.report_date, d.campaign_id, coalesce(d.adset_id, ''), coalesce(d.ad_id, ''),
           c.action_type, c.attribution_window, coalesce(c.conversions, 0), coalesce(c.conversion_value, 0),
           a.currency, source_file, batch
    FROM pg_temp.recon_load_conversions c
    JOIN pg_temp.recon_load_delivery d USING (line_number)
    JOIN recon.ad_accounts a ON a.platform = platform_name AND a.account_id = d.account_id;
    GET DIAGNOSTICS conversions = ROW_COUNT;
    IF saved IS NOT NULL THEN
        PERFORM recon.bulk_load_end(saved);
    END IF;

    RETURN jsonb_build_object('rejected', rejected, 'replaced', replaced, 'scope', scope,
                              'tables', jsonb_build_object('ad_accounts', new_accounts, 'ad_delivery_daily', delivery,
                                                           'platform_conversions_daily', conversions));
END $$;
COMMENT ON FUNCTION recon.load_write_platform_report(text, text, jsonb, text) IS
    'The writer every ad platform report loader shares. Reads pg_temp.recon_load_delivery (line_number, reasons, account and delivery columns typed) and pg_temp.recon_load_conversions (line_number, action_type, attribution_window, conversions, conversion_value; one row per line, action type and window); adds accounts it does not know (zone and currency from the file or the options, else 22023); rejects rows with reasons, a currency other than the account''s, or the key of an earlier line; replaces, per account and level, every delivery row (and its conversions) in the file''s date range; writes the rest. Returns rejected, replaced, scope and rows per table.';

-- Integer metric: a whole number, or NULL (bad or blank).
CREATE FUNCTION recon.load_count(raw text, decimal_mark text DEFAULT '.') RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN v = trunc(v) AND v >= 0 AND v < 9.2e18 THEN v::bigint END
    FROM (SELECT @extschema@.recon_parse_decimal(raw, decimal_mark) AS v) x
$$;
COMMENT ON FUNCTION recon.load_count(text, text) IS
    'A count (impressions, clicks) from an export cell: a whole non-negative number, thousands separators allowed; NULL when blank or not a count.';

-- ===== src/load/meta_insights.sql =====
-- Meta Ads Insights: the Marketing API's JSON rows and Ads Manager's CSV export.
-- Both become one row per day and ad (or ad set, or campaign) in
-- ad_delivery_daily, and one row per action type and attribution window in
-- platform_conversions_daily. Meta restates up to 28 days: loading a range
-- replaces it (docs/loading.md).

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('meta_insights_json', 'json', 'meta', 'recon.load_map_meta_insights',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '{account_id,currency,action_report_time,attribution_setting}',
     'Meta Marketing API Insights (GET /act_<id>/insights with time_increment=1, level=ad|adset|campaign, action_attribution_windows): rows with date_start, ids, spend and the actions / action_values arrays whose per-window values are strings.'),
    ('meta_insights_csv', 'csv', 'meta', 'recon.load_map_meta_insights',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '{account_id,currency,action_report_time,attribution_setting}',
     'Meta Ads Manager export (Reports > Export table data, CSV, broken down by Day): Reporting starts/ends, campaign, ad set and ad ids, Amount spent (<currency>), result columns such as Purchases, Purchases conversion value and their per-window comparisons (Purchases (7-day click)).');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('meta_insights_json'), ('meta_insights_csv')) AS f(format)
CROSS JOIN (VALUES
    ('account_id',          ARRAY['account id'],                                  '{account_id}'::text[],          false),
    ('account_name',        ARRAY['account name'],                                        '{account_name}',                false),
    ('account_currency',    ARRAY['currency'],                                            '{account_currency}',            false),
    ('date_start',          ARRAY['reporting starts', 'day', 'date'],                           '{date_start}',                  true),
    ('date_stop',           ARRAY['reporting ends'],                                      '{date_stop}',                   false),
    ('campaign_id',         ARRAY['campaign id'],                                         '{campaign_id}',                 true),
    ('campaign_name',       ARRAY['campaign name'],                                       '{campaign_name}',               false),
    ('adset_id',            ARRAY['ad set id'],                                           '{adset_id}',                    false),
    ('adset_name',          ARRAY['ad set name'],                                         '{adset_name}',                  false),
    ('ad_id',               ARRAY['ad id'],                                               '{ad_id}',                       false),
    ('ad_name',             ARRAY['ad name'],                                             '{ad_name}',                     false),
    ('spend',               ARRAY['amount spent(?: \([a-z]{3}\))?'],                      '{spend}',                       true),
    ('impressions',         ARRAY['impressions'],                                         '{impressions}',                 false),
    ('clicks',              ARRAY['clicks \(all\)'],                                      '{clicks}',                      false),
    ('link_clicks',         ARRAY['link clicks'],                                         '{inline_link_clicks}',          false),
    ('attribution_setting', ARRAY['attribution setting'],                                 '{attribution_setting}',         false),
    ('actions',             '{}'::text[],                                                    '{actions}',                     false),
    ('action_values',       '{}'::text[],                                                    '{action_values}',               false),
    ('extra',               '{}'::text[],                                                    NULL,                            false)
) AS x(field, headers, json_path, required);

-- The Meta action type an Ads Manager result column reports.
CREATE FUNCTION recon.meta_column_action_type(column_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(btrim(column_name))
        WHEN 'purchases' THEN 'omni_purchase'
        WHEN 'website purchases' THEN 'offsite_conversion.fb_pixel_purchase'
        WHEN 'meta purchases' THEN 'onsite_web_purchase'
        WHEN 'on-facebook purchases' THEN 'onsite_web_purchase'
        WHEN 'leads' THEN 'lead'
        WHEN 'website leads' THEN 'offsite_conversion.fb_pixel_lead'
        WHEN 'meta leads' THEN 'onsite_conversion.lead_grouped'
        WHEN 'on-facebook leads' THEN 'onsite_conversion.lead_grouped'
        WHEN 'adds to cart' THEN 'omni_add_to_cart'
        WHEN 'checkouts initiated' THEN 'omni_initiated_checkout'
        WHEN 'registrations completed' THEN 'omni_complete_registration' END
$$;
COMMENT ON FUNCTION recon.meta_column_action_type(text) IS
    'The Insights action type behind an Ads Manager result column: Purchases = omni_purchase, Website purchases = offsite_conversion.fb_pixel_purchase, Leads = lead, Website leads = offsite_conversion.fb_pixel_lead, Meta leads = onsite_conversion.lead_grouped, Adds to cart, Checkouts initiated, Registrations completed; NULL for other columns (Reach, CPM...).';

-- Ads Manager result columns: which header cells hold the count and the value of which action and window.
CREATE FUNCTION recon.meta_csv_result_columns(header text[],
    OUT action_type text, OUT attribution_window text, OUT count_column text, OUT value_column text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT t.action_type, w.win,
           max(btrim(h.cell)) FILTER (WHERE m[2] IS NULL), max(btrim(h.cell)) FILTER (WHERE m[2] IS NOT NULL)
    FROM unnest(header) AS h(cell)
    CROSS JOIN LATERAL regexp_match(lower(btrim(h.cell)),
        '^(.*?)( conversion value)?(?: \((\d+)-day (click|view|engaged[- ]view)\))?$') AS m
    CROSS JOIN LATERAL (SELECT recon.meta_column_action_type(m[1]) AS action_type) t
    CROSS JOIN LATERAL (SELECT CASE WHEN m[3] IS NULL THEN 'default'
                                    ELSE m[3] || 'd_' || CASE WHEN m[4] ~ '^engaged' THEN 'ev' ELSE m[4] END END AS win) w
    WHERE t.action_type IS NOT NULL
    GROUP BY 1, 2
$$;
COMMENT ON FUNCTION recon.meta_csv_result_columns(text[]) IS
    'The result columns of an Ads Manager CSV header: per action type and attribution window, the column with the count (Purchases, Purchases (7-day click)) and the one with the value (Purchases conversion value (7-day click)); the window is default when the column names none (the account''s attribution setting).';

-- The Meta Insights mapper: type and check the rows, then write them with the shared platform writer.
CREATE FUNCTION recon.load_map_meta_insights(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    header text[] := (SELECT header FROM recon.load_batches WHERE batch_id = batch);
    -- Ads Manager writes the account currency into the spend header: Amount spent (EUR).
    header_currency text := (SELECT upper(m[1]) FROM unnest(header) h, regexp_match(h, '^\s*amount spent \(([a-z]{3})\)\s*$', 'i') m WHERE m IS NOT NULL LIMIT 1);
    is_csv boolean := header IS NOT NULL;
    style text := coalesce(options ->> 'date_style', 'iso');
    mark text := coalesce(options ->> 'decimal_mark', '.');
    report_time text := coalesce(options ->> 'action_report_time', CASE WHEN header IS NULL THEN 'mixed' ELSE 'impression' END);
BEGIN
    IF report_time NOT IN ('impression', 'conversion', 'mixed') THEN
        RAISE EXCEPTION 'action_report_time % is not known', report_time
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use impression, conversion or mixed: the value the report was requested with.';
    END IF;
    DROP TABLE IF EXISTS pg_temp.recon_load_delivery, pg_temp.recon_load_conversions;
    CREATE TEMP TABLE recon_load_delivery AS
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('account_id', coalesce(r.account_id, options ->> 'account_id')),
               recon.load_bad_id('account_id', recon.load_account_id('meta', coalesce(r.account_id, options ->> 'account_id'))),
               recon.load_bad('bad_date', 'date_start', r.date_start, t.report_date),
               recon.load_bad('bad_date', 'date_stop', r.date_stop, t.date_stop),
               CASE WHEN t.date_stop <> t.report_date
                    THEN format('not_daily: the row covers %s to %s; export one row per day (time_increment=1, breakdown by Day)', t.report_date, t.date_stop) END,
               recon.load_missing('campaign_id', r.campaign_id),
               recon.load_bad_id('campaign_id', r.campaign_id),
               recon.load_bad_id('adset_id', r.adset_id),
               recon.load_bad_id('ad_id', r.ad_id),
               CASE WHEN r.ad_id IS NOT NULL AND r.adset_id IS NULL THEN 'missing: adset_id (the row has an ad id)' END,
               recon.load_bad('bad_amount', 'spend', r.spend, t.spend),
               CASE WHEN t.spend < 0 THEN 'bad_amount: spend ' || quote_literal(r.spend) || ' is negative' END,
               recon.load_bad('bad_number', 'impressions', r.impressions, t.impressions),
               recon.load_bad('bad_number', 'clicks', r.clicks, t.clicks),
               recon.load_bad('bad_number', 'link_clicks', r.link_clicks, t.link_clicks),
               recon.load_bad_currency('account_currency', r.account_currency),
               recon.load_bad_precision('spend', t.spend, upper(btrim(coalesce(r.account_currency, header_currency))))
           ], NULL) AS reasons,
           recon.load_account_id('meta', coalesce(r.account_id, options ->> 'account_id')) AS account_id,
           r.account_name,
           coalesce(nullif(btrim(r.account_currency), ''), header_currency, options ->> 'currency') AS account_currency,
           t.report_date,
           CASE WHEN r.ad_id IS NOT NULL THEN 'ad' WHEN r.adset_id IS NOT NULL THEN 'adset' ELSE 'campaign' END AS level,
           recon_normalize_platform_id(r.campaign_id) AS campaign_id, r.campaign_name,
           recon_normalize_platform_id(r.adset_id) AS adset_id, r.adset_name,
           recon_normalize_platform_id(r.ad_id) AS ad_id, r.ad_name,
           t.spend, t.impressions, t.clicks, t.link_clicks,
           setting.normalized AS attribution_setting,
           report_time AS action_report_time,
           array_remove(ARRAY[
               CASE WHEN recon_platform_id_status(r.campaign_id) LIKE 'possible%' THEN 'possible_mangled_id' END,
               CASE WHEN recon_platform_id_status(r.ad_id) LIKE 'possible%' THEN 'possible_mangled_id' END], NULL) AS dq_flags,
           r.actions, r.action_values
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon_parse_date(r.date_start, style) AS report_date,
                               recon_parse_date(coalesce(r.date_stop, r.date_start), style) AS date_stop,
                               recon_parse_decimal(r.spend, mark) AS spend,
                               recon.load_count(r.impressions, mark) AS impressions,
                               recon.load_count(r.clicks, mark) AS clicks,
                               recon.load_count(r.link_clicks, mark) AS link_clicks
                        OFFSET 0) t   -- parse once, not once per use
    -- a file repeats a handful of settings: normalize each once
    LEFT JOIN (SELECT raw, recon.load_attribution_setting(raw) AS normalized
               FROM (SELECT DISTINCT coalesce(attribution_setting, options ->> 'attribution_setting') AS raw
                     FROM pg_temp.recon_load_rows) x) setting
           ON setting.raw = coalesce(r.attribution_setting, options ->> 'attribution_setting');

    ANALYZE pg_temp.recon_load_delivery;

    -- One row per action type and window, from the API's arrays ("value" is the account's
    -- setting: window default) or from Ads Manager's result columns (mapped once per file).
    IF is_csv THEN
        CREATE TEMP TABLE recon_load_conversions AS
        SELECT d.line_number, m.action_type, m.attribution_window,
               r.extra ->> m.count_column AS count_raw, r.extra ->> m.value_column AS value_raw
        FROM pg_temp.recon_load_delivery d
        JOIN pg_temp.recon_load_rows r USING (line_number)
        CROSS JOIN recon.meta_csv_result_columns(header) m
        WHERE r.extra ->> m.count_column IS NOT NULL OR r.extra ->> m.value_column IS NOT NULL;
    ELSE
        -- both arrays in one pass; an action type listed twice in a row keeps its first figures
        CREATE TEMP TABLE recon_load_conversions AS
        SELECT d.line_number, a.e ->> 'action_type' AS action_type,
               CASE w.key WHEN 'value' THEN 'default' ELSE w.key END AS attribution_window,
               (array_agg(w.value ORDER BY a.o) FILTER (WHERE NOT k.is_value))[1] AS count_raw,
               (array_agg(w.value ORDER BY a.o) FILTER (WHERE k.is_value))[1] AS value_raw
        FROM pg_temp.recon_load_delivery d
        CROSS JOIN LATERAL (VALUES (false, d.actions), (true, d.action_values)) AS k(is_value, arr)
        CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN k.arr LIKE '[%' THEN k.arr::jsonb ELSE '[]' END)
                           WITH ORDINALITY AS a(e, o)
        CROSS JOIN LATERAL jsonb_each_text(a.e - 'action_type') AS w
        GROUP BY 1, 2, 3;
    END IF;
    ALTER TABLE pg_temp.recon_load_conversions ADD COLUMN conversions numeric, ADD COLUMN conversion_value numeric;
    UPDATE pg_temp.recon_load_conversions
       SET conversions = recon_parse_decimal(count_raw, mark), conversion_value = recon_parse_decimal(value_raw, mark);
    UPDATE pg_temp.recon_load_delivery d
       SET reasons = d.reasons || x.bad
      FROM (SELECT line_number, array_agg(DISTINCT format('bad_number: %s %s %s', action_type, attribution_window,
                                                          quote_literal(coalesce(CASE WHEN conversions IS NULL THEN count_raw END, value_raw)))) AS bad
            FROM pg_temp.recon_load_conversions
            WHERE (conversions IS NULL AND btrim(count_raw) <> '') OR (conversion_value IS NULL AND btrim(value_raw) <> '')
            GROUP BY line_number) x
     WHERE d.line_number = x.line_number;

    RETURN recon.load_write_platform_report(batch, source_file, options, 'meta');
END $$;
COMMENT ON FUNCTION recon.load_map_meta_insights(text, text, jsonb) IS
    'Mapper of meta_insights_json and meta_insights_csv: one delivery row per day and ad (ad set, campaign: the finest id the row has), one conversion row per action type and window ("value" is the default window, the account''s attribution setting). Rejects rows without an account, with bad or multi-day dates, mangled or invalid ids, bad numbers, an unknown currency or spend finer than the currency''s minor unit. action_report_time (impression, conversion or mixed) is the one the report was requested with: default mixed for the API (its default), impression for Ads Manager.';

-- ===== src/load/signals.sql =====
-- The writer of conversion signals (lead forms, Pixel and Conversions API logs):
-- what the advertiser told a platform, event by event. Duplicates inside a file
-- are kept on purpose (they are what Pixel/CAPI dedup analysis looks for); a
-- reload replaces what the earlier load of the same events wrote.

-- The first value of a JSON array (or the value itself): the Conversions API sends em, ph and external_id either way.
CREATE FUNCTION recon.load_first_json_value(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN btrim(raw) LIKE '[%' THEN (raw::jsonb) ->> 0 ELSE raw END
$$;
COMMENT ON FUNCTION recon.load_first_json_value(text) IS
    'The first element of a JSON array given as text (["a","b"] -> a), or the text itself: Conversions API user_data fields come as arrays or single values.';

-- Write the signals typed into pg_temp.recon_load_signals, replacing what they restate.
CREATE FUNCTION recon.load_write_signals(batch text, source_file text, options jsonb, replace_by text) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    rejected bigint;
    replaced bigint;
    written bigint;
    kept bigint := 0;
    scope jsonb;
BEGIN
    IF replace_by NOT IN ('lead_id', 'day_range') THEN
        RAISE EXCEPTION 'replace_by % is not known', replace_by USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF replace_by = 'lead_id' THEN   -- a lead form lists each lead once
        UPDATE pg_temp.recon_load_signals s
           SET reasons = s.reasons || format('duplicate_row: same lead id as line %s', d.first_line)
          FROM (SELECT line_number, min(line_number) OVER (PARTITION BY platform, lead_id) AS first_line
                FROM pg_temp.recon_load_signals WHERE cardinality(reasons) = 0) d
         WHERE s.line_number = d.line_number AND d.first_line <> d.line_number;
    END IF;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_signals WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_signals WHERE cardinality(reasons) > 0;

    IF replace_by = 'lead_id' THEN
        SELECT jsonb_build_object('lead_ids', count(*)) INTO scope FROM pg_temp.recon_load_signals;
        DELETE FROM recon.conversion_signals t
        USING pg_temp.recon_load_signals s
        WHERE t.platform = s.platform AND t.source = s.source AND t.lead_id = s.lead_id;
        GET DIAGNOSTICS replaced = ROW_COUNT;
    ELSE
        -- an event log covers whole days (UTC): the days it holds replace the same days loaded before
        WITH s AS MATERIALIZED (
            SELECT platform, source, account_id, min((event_time AT TIME ZONE 'UTC')::date) AS first_day,
                   max((event_time AT TIME ZONE 'UTC')::date) AS last_day
            FROM pg_temp.recon_load_signals GROUP BY 1, 2, 3),
        gone AS (
            DELETE FROM recon.conversion_signals t
            USING s
            WHERE t.platform = s.platform AND t.source = s.source AND t.account_id IS NOT DISTINCT FROM s.account_id
              AND t.event_time >= s.first_day::timestamp AT TIME ZONE 'UTC'
              AND t.event_time < (s.last_day + 1)::timestamp AT TIME ZONE 'UTC'
            RETURNING 1)
        SELECT (SELECT jsonb_agg(jsonb_build_object('platform', platform, 'source', source, 'account_id', account_id,
                                                    'from', first_day, 'to', last_day)) FROM s),
               (SELECT count(*) FROM gone)
          INTO scope, replaced;
    END IF;

    INSERT INTO recon.conversion_signals
        (platform, account_id, source, event_id, event_name, event_time, fbclid, gclid, gbraid, wbraid, ttclid,
         msclkid, li_fat_id, fbc, fbp, external_id, email_sha256, phone_sha256, value, currency, order_id, lead_id,
         campaign_id, adset_id, ad_id, record_source, batch_id, dq_flags)
    SELECT platform, account_id, source, event_id, event_name, event_time, fbclid, gclid, gbraid, wbraid, ttclid,
           msclkid, li_fat_id, fbc, fbp, external_id, email_sha256, phone_sha256, value, upper(btrim(currency)), order_id, lead_id,
           campaign_id, adset_id, ad_id, source_file, batch, dq_flags
    FROM pg_temp.recon_load_signals ORDER BY line_number;
    GET DIAGNOSTICS written = ROW_COUNT;

    IF coalesce((options ->> 'keep_pii')::boolean, false) THEN
        kept := recon.load_keep_contacts('signal', batch, source_file, $q$
            SELECT DISTINCT ON (coalesce(lead_id, event_id)) coalesce(lead_id, event_id), email_raw, phone_raw,
                   first_name_raw, last_name_raw
            FROM pg_temp.recon_load_signals ORDER BY coalesce(lead_id, event_id), line_number$q$);
    END IF;
    RETURN jsonb_build_object('rejected', rejected, 'replaced', replaced, 'scope', scope,
                              'tables', jsonb_build_object('conversion_signals', written)
                                        || CASE WHEN kept > 0 THEN jsonb_build_object('contact_details', kept) ELSE '{}' END);
END $$;
COMMENT ON FUNCTION recon.load_write_signals(text, text, jsonb, text) IS
    'The writer of conversion-signal loads. Reads pg_temp.recon_load_signals (line_number, reasons, the conversion_signals columns, and email_raw, phone_raw, first_name_raw, last_name_raw); rejects rows with reasons; replaces by lead_id (lead forms: the leads in the file) or by day_range (event logs: the UTC days the file covers, per platform, source and account); writes the rest with duplicates kept, and the raw contact data into recon.contact_details only when options keep_pii is true.';

-- ===== src/load/meta_events.sql =====
-- Meta event-level exports: Lead Ads leads (Ads Manager "Download leads"), the
-- advertiser's Conversions API payloads and its Pixel event log. All become
-- recon.conversion_signals; contact data is hashed on the way in.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('meta_lead_ads', 'csv', 'meta', 'recon.load_map_meta_events', '{conversion_signals,contact_details}',
     '{account_id,default_region}',
     'Meta Lead Ads export (Ads Manager or Leads Center "Download leads"; comma- or tab-separated, convert UTF-16 files with iconv first): id, created_time, ad, ad set, campaign and form ids (with or without their l:, ag:, as:, c:, f: prefixes), is_organic, and the form''s answers (email, phone_number with its p: prefix, full_name...). One lead_form signal per lead; a reload replaces the same lead ids.'),
    ('meta_capi_events', 'json', 'meta', 'recon.load_map_meta_events', '{conversion_signals,contact_details}',
     '{account_id,default_region,source}',
     'The advertiser''s Conversions API log: the payloads sent to /<pixel_id>/events ({"data": [{event_name, event_time (Unix seconds), event_id, action_source, event_source_url, user_data {em, ph, fbc, fbp, external_id}, custom_data {value, currency, order_id}}]}), or JSON lines of events. A reload replaces the UTC days the log covers.'),
    ('meta_pixel_events', 'csv', 'meta', 'recon.load_map_meta_events', '{conversion_signals,contact_details}',
     '{account_id,default_region,source}',
     'The advertiser''s own Pixel (browser) event log as CSV: event_name, event_time (ISO or Unix seconds), event_id, fbp, fbc, page URL, value, currency, order_id, external_id, email. A reload replaces the UTC days the log covers.');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required, pii)
SELECT f.format, x.field, x.headers, CASE WHEN f.format = 'meta_capi_events' THEN x.json_path END,
       x.required AND (f.format = 'meta_lead_ads') = x.lead, x.pii
FROM (VALUES ('meta_lead_ads'), ('meta_capi_events'), ('meta_pixel_events')) AS f(format)
CROSS JOIN (VALUES
    -- field,        CSV header spellings,                               JSON path,                 required, lead form field, pii
    ('lead_id',      ARRAY['id', 'lead id', 'leadgen id', 'leadgen_id'],  NULL::text[],              true,  true,  false),
    ('created_time', ARRAY['created_time', 'created time'],               NULL,                      true,  true,  false),
    ('ad_id',        ARRAY['ad_id', 'ad id'],                             NULL,                      false, true,  false),
    ('adset_id',     ARRAY['adset_id', 'ad set id', 'adset id'],          NULL,                      false, true,  false),
    ('campaign_id',  ARRAY['campaign_id', 'campaign id'],                 NULL,                      false, true,  false),
    ('is_organic',   ARRAY['is_organic', 'is organic'],                   NULL,                      false, true,  false),
    ('full_name',    ARRAY['full_name', 'full name'],                     NULL,                      false, true,  true),
    ('first_name',   ARRAY['first_name', 'first name'],                   ARRAY['user_data', 'fn'],  false, true,  true),
    ('last_name',    ARRAY['last_name', 'last name'],                     ARRAY['user_data', 'ln'],  false, true,  true),
    ('email',        ARRAY['email', 'e-mail', 'work_email', 'em'],        ARRAY['user_data', 'em'],  false, true,  true),
    ('phone',        ARRAY['phone_number', 'phone', 'ph'],                ARRAY['user_data', 'ph'],  false, true,  true),
    ('country',      ARRAY['country'],                                    ARRAY['user_data', 'country'], false, true, false),
    ('event_name',   ARRAY['event_name', 'event name', 'event'],          ARRAY['event_name'],       true,  false, false),
    ('event_time',   ARRAY['event_time', 'event time', 'timestamp'],      ARRAY['event_time'],       true,  false, false),
    ('event_id',     ARRAY['event_id', 'event id', 'eventid'],            ARRAY['event_id'],         false, false, false),
    ('action_source', ARRAY['action_source', 'action source'],            ARRAY['action_source'],    false, false, false),
    ('page_url',     ARRAY['event_source_url', 'page_url', 'page url', 'url'], ARRAY['event_source_url'], false, false, false),
    ('fbc',          ARRAY['fbc', '_fbc'],                                ARRAY['user_data', 'fbc'], false, false, false),
    ('fbp',          ARRAY['fbp', '_fbp'],                                ARRAY['user_data', 'fbp'], false, false, false),
    ('external_id',  ARRAY['external_id', 'external id'],                 ARRAY['user_data', 'external_id'], false, false, false),
    ('value',        ARRAY['value'],                                      ARRAY['custom_data', 'value'], false, false, false),
    ('currency',     ARRAY['currency'],                                   ARRAY['custom_data', 'currency'], false, false, false),
    ('order_id',     ARRAY['order_id', 'order id', 'transaction_id'],     ARRAY['custom_data', 'order_id'], false, false, false)
) AS x(field, headers, json_path, required, lead, pii);
-- (every format has every field, so one mapper reads them all; a lead form requires the form's
-- columns, an event log the event's)

INSERT INTO recon.load_format_fields (format, field) VALUES ('meta_lead_ads', 'extra');

-- An id from a Lead Ads export: without the type prefix (l:, ag:, as:, c:, f:) Meta adds so spreadsheets keep it text.
CREATE FUNCTION recon.load_meta_lead_id(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(regexp_replace(btrim(raw), '^[a-z]{1,3}:', ''), '')
$$;
COMMENT ON FUNCTION recon.load_meta_lead_id(text) IS
    'An id or phone number from a Meta Lead Ads export without the prefix Meta writes to keep it text in spreadsheets (l:, ag:, as:, c:, f:, p:).';

-- The Meta events mapper: lead forms, Conversions API payloads and Pixel logs.
CREATE FUNCTION recon.load_map_meta_events(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    fmt text := (SELECT format FROM recon.load_batches WHERE batch_id = batch);
    is_lead boolean := fmt = 'meta_lead_ads';
    signal_source text := coalesce(options ->> 'source', CASE fmt WHEN 'meta_lead_ads' THEN 'lead_form'
                                                                  WHEN 'meta_capi_events' THEN 'capi' ELSE 'pixel' END);
    zone text := coalesce(options ->> 'timezone', 'UTC');
    style text := coalesce(options ->> 'date_style', 'iso');
    region text := options ->> 'default_region';
BEGIN
    IF signal_source NOT IN ('pixel', 'capi', 'offline_upload', 'lead_form', 'app_sdk') THEN
        RAISE EXCEPTION 'source % is not a signal source', signal_source
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use pixel, capi, offline_upload, lead_form or app_sdk.';
    END IF;
    DROP TABLE IF EXISTS pg_temp.recon_load_signals;
    CREATE TEMP TABLE recon_load_signals AS
    SELECT r.line_number,
           array_remove(ARRAY[
               CASE WHEN is_lead THEN recon.load_missing('id', r.lead_id) END,
               CASE WHEN is_lead THEN recon.load_bad_id('id', recon.load_meta_lead_id(r.lead_id)) END,
               recon.load_missing(CASE WHEN is_lead THEN 'created_time' ELSE 'event_time' END, t.time_raw),
               recon.load_bad('bad_date', CASE WHEN is_lead THEN 'created_time' ELSE 'event_time' END, t.time_raw, t.event_time),
               CASE WHEN NOT is_lead THEN recon.load_missing('event_name', r.event_name) END,
               recon.load_bad_id('ad_id', recon.load_meta_lead_id(r.ad_id)),
               recon.load_bad_id('adset_id', recon.load_meta_lead_id(r.adset_id)),
               recon.load_bad_id('campaign_id', recon.load_meta_lead_id(r.campaign_id)),
               recon.load_bad('bad_amount', 'value', r.value, t.value),
               recon.load_bad_currency('currency', r.currency),
               CASE WHEN t.value IS NOT NULL AND r.currency IS NULL THEN 'missing: currency (the event has a value)' END,
               recon.load_bad_precision('value', t.value, upper(btrim(r.currency)))
           ], NULL) AS reasons,
           'meta'::text AS platform, nullif(regexp_replace(options ->> 'account_id', '^act_', ''), '') AS account_id,
           signal_source AS source,
           CASE WHEN is_lead THEN recon.load_meta_lead_id(r.lead_id) ELSE r.event_id END AS event_id,
           CASE WHEN is_lead THEN 'Lead' ELSE r.event_name END AS event_name,
           t.event_time,
           coalesce(recon_click_id(r.page_url, 'fbclid'), (recon_parse_fbc(r.fbc)).fbclid) AS fbclid,
           NULL::text AS gclid, NULL::text AS gbraid, NULL::text AS wbraid, NULL::text AS ttclid,
           NULL::text AS msclkid, NULL::text AS li_fat_id,
           nullif(btrim(r.fbc), '') AS fbc, nullif(btrim(r.fbp), '') AS fbp,
           recon.load_first_json_value(r.external_id) AS external_id,
           t.email_sha256, t.phone_sha256,
           t.value, r.currency, nullif(btrim(r.order_id), '') AS order_id,
           CASE WHEN is_lead THEN recon.load_meta_lead_id(r.lead_id) END AS lead_id,
           CASE WHEN NOT t.organic THEN recon.load_meta_lead_id(r.campaign_id) END AS campaign_id,
           CASE WHEN NOT t.organic THEN recon.load_meta_lead_id(r.adset_id) END AS adset_id,
           CASE WHEN NOT t.organic THEN recon.load_meta_lead_id(r.ad_id) END AS ad_id,
           array_remove(ARRAY[
               CASE WHEN t.organic THEN 'organic' END,
               CASE WHEN t.email IS NOT NULL AND t.email_sha256 IS NULL THEN 'email_unusable' END,
               CASE WHEN t.phone IS NOT NULL AND t.phone_sha256 IS NULL THEN 'phone_unusable' END], NULL) AS dq_flags,
           t.email AS email_raw, t.phone AS phone_raw,
           coalesce(r.first_name, split_part(btrim(r.full_name), ' ', 1)) AS first_name_raw,
           coalesce(r.last_name, nullif(regexp_replace(btrim(r.full_name), '^\S+\s*', ''), '')) AS last_name_raw
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (
        SELECT coalesce(r.created_time, r.event_time) AS time_raw,
               CASE WHEN coalesce(r.created_time, r.event_time) ~ '^\s*\d{9,}(\.\d+)?\s*$'
                    THEN recon_parse_timestamp(coalesce(r.created_time, r.event_time), zone, 'epoch')
                    ELSE recon_parse_timestamp(coalesce(r.created_time, r.event_time), zone, style) END AS event_time,
               recon_parse_decimal(r.value, coalesce(options ->> 'decimal_mark', '.')) AS value,
               recon.load_first_json_value(r.email) AS email,
               recon.load_meta_lead_id(recon.load_first_json_value(r.phone)) AS phone,
               coalesce(lower(btrim(r.is_organic)) IN ('true', '1', 'yes'), false) AS organic
        OFFSET 0   -- parse once, not once per use
    ) t0
    CROSS JOIN LATERAL (   -- hash once: the digests are stored and tell whether a value was usable
        SELECT t0.*, recon_hash_identifier(t0.email, 'email', 'meta') AS email_sha256,
               recon_hash_identifier(t0.phone, 'phone', 'meta', coalesce(r.country, region)) AS phone_sha256
        OFFSET 0
    ) t;
    RETURN recon.load_write_signals(batch, source_file, options, CASE WHEN is_lead THEN 'lead_id' ELSE 'day_range' END);
END $$;
COMMENT ON FUNCTION recon.load_map_meta_events(text, text, jsonb) IS
    'Mapper of meta_lead_ads, meta_capi_events and meta_pixel_events: one conversion signal per row (source lead_form, capi or pixel, or the source option). Times: Unix seconds when the value is a number, else the date_style (times without an offset are in the timezone option, default UTC). Email and phone are hashed per Meta''s rules (digests pass through; the phone''s region comes from a country column or the default_region option); fbclid comes from the page URL or the fbc cookie. Rejects rows without an id or time, with mangled ad ids, a bad value or an unknown currency; organic leads keep no ad ids and are flagged organic.';

-- ===== src/load/google.sql =====
-- Google Ads: daily campaign, ad group and ad reports (the UI's CSV download and
-- the API's search / searchStream JSON) and click_view (one row per gclid and day).
-- Also two helpers the later ad platform loaders share (docs/loading-platforms.md):
-- recon.load_platform_rows types a report's rows, given in a common shape, into the
-- tables recon.load_write_platform_report reads; recon.load_write_clicks writes the
-- click log.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('google_ads_daily', 'csv', 'google', 'recon.load_map_google_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '^\s*Total:', '{account_id,currency,attribution_setting}',
     'Google Ads report downloaded from the UI as CSV (campaign, ad group or ad report segmented by Day; title and date range lines above the header, Total: rows at the end): Day, Customer ID (483-012-7765), Campaign ID, Ad group ID, Currency code, Cost, Impr., Clicks, Conversions, Conv. value, optionally Conversion action; or the same report with the API''s field names (segments.date, metrics.cost_micros...).'),
    ('google_ads_daily_json', 'json', 'google', 'recon.load_map_google_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', NULL, '{account_id,currency,attribution_setting}',
     'Google Ads API GoogleAdsService search or searchStream response (results with segments.date, customer, campaign, adGroup, adGroupAd and metrics; camelCase, int64 values as strings, costMicros in millionths of the account currency).'),
    ('google_click_view_csv', 'csv', 'google', 'recon.load_map_google_click_view',
     '{ad_clicks}', NULL, '{account_id}',
     'Google Ads click_view rows as CSV (a GAQL query exported with its field names, or the BigQuery transfer''s ClickStats table): gclid, date, customer, campaign and ad group ids, the ad group ad.'),
    ('google_click_view_json', 'json', 'google', 'recon.load_map_google_click_view',
     '{ad_clicks}', NULL, '{account_id}',
     'Google Ads API search / searchStream response of a click_view query (clickView.gclid, clickView.adGroupAd, segments.date, customer.id, campaign.id, adGroup.id).');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('google_ads_daily'), ('google_ads_daily_json')) AS f(format)
CROSS JOIN (VALUES
    ('account_id',        ARRAY['customer id', 'customer\.id'],                              '{customer,id}'::text[],            false),
    ('account_name',      ARRAY['account', 'account name', 'customer\.descriptive_name'],    '{customer,descriptiveName}',       false),
    ('account_currency',  ARRAY['currency code', 'currency', 'customer\.currency_code'],     '{customer,currencyCode}',          false),
    ('report_date',       ARRAY['day', 'date', 'segments\.date'],                            '{segments,date}',                  true),
    ('campaign_id',       ARRAY['campaign id', 'campaign\.id'],                              '{campaign,id}',                    true),
    ('campaign_name',     ARRAY['campaign', 'campaign name', 'campaign\.name'],              '{campaign,name}',                  false),
    ('adset_id',          ARRAY['ad group id', 'ad_group\.id'],                              '{adGroup,id}',                     false),
    ('adset_name',        ARRAY['ad group', 'ad group name', 'ad_group\.name'],              '{adGroup,name}',                   false),
    ('ad_id',             ARRAY['ad id', 'ad_group_ad\.ad\.id'],                             '{adGroupAd,ad,id}',                false),
    ('cost',              ARRAY['cost'],                                                     NULL,                               false),
    ('cost_micros',       ARRAY['metrics\.cost_micros', 'cost \(micros\)'],                  '{metrics,costMicros}',             false),
    ('impressions',       ARRAY['impr\.', 'impressions', 'metrics\.impressions'],            '{metrics,impressions}',            false),
    ('clicks',            ARRAY['clicks', 'metrics\.clicks'],                                '{metrics,clicks}',                 false),
    ('conversions',       ARRAY['conversions', 'metrics\.conversions'],                      '{metrics,conversions}',            false),
    ('conversion_value',  ARRAY['conv\. value', 'conversion value', 'metrics\.conversions_value'], '{metrics,conversionsValue}', false),
    ('conversion_action', ARRAY['conversion action', 'segments\.conversion_action_name'],    '{segments,conversionActionName}',  false)
) AS x(field, headers, json_path, required);

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('google_click_view_csv'), ('google_click_view_json')) AS f(format)
CROSS JOIN (VALUES
    ('gclid',        ARRAY['click_view\.gclid', 'click_view_gclid', 'gclid', 'google click id'],   '{clickView,gclid}'::text[], true),
    ('report_date',  ARRAY['segments\.date', 'segments_date', 'date', 'day'],                      '{segments,date}',           true),
    ('account_id',   ARRAY['customer\.id', 'customer_id', 'customer id'],                          '{customer,id}',             false),
    ('campaign_id',  ARRAY['campaign\.id', 'campaign_id', 'campaign id'],                          '{campaign,id}',             false),
    ('adset_id',     ARRAY['ad_group\.id', 'ad_group_id', 'ad group id'],                          '{adGroup,id}',              false),
    ('ad_id',        ARRAY['click_view\.ad_group_ad', 'click_view_ad_group_ad', 'ad id'],          '{clickView,adGroupAd}',     false)
) AS x(field, headers, json_path, required);

-- Type a platform report given in a common shape into the platform writer's tables.
CREATE FUNCTION recon.load_platform_rows(platform_name text, options jsonb) RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    mark text := coalesce(options ->> 'decimal_mark', '.');
BEGIN
    IF EXISTS (SELECT 1 FROM pg_temp.recon_load_std)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_std WHERE nullif(btrim(account_id), '') IS NOT NULL) THEN
        RAISE EXCEPTION 'the rows of this % report do not say which ad account they belong to', platform_name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the account in the options: {"account_id": "<the account''s id>"}.';
    END IF;

    DROP TABLE IF EXISTS pg_temp.recon_load_delivery, pg_temp.recon_load_conversions;
    CREATE TEMP TABLE recon_load_delivery AS
    SELECT s.line_number,
           s.reasons || array_remove(ARRAY[
               recon.load_missing('account_id', s.account_id),
               recon.load_bad_id('account_id', a.raw_account),
               recon.load_missing('report_date', s.report_date_raw),
               recon.load_bad('bad_date', 'report_date', s.report_date_raw, s.report_date),
               recon.load_missing('campaign_id', s.campaign_id),
               recon.load_bad_id('campaign_id', s.campaign_id),
               recon.load_bad_id('adset_id', s.adset_id),
               recon.load_bad_id('ad_id', s.ad_id),
               CASE WHEN s.ad_id IS NOT NULL AND s.adset_id IS NULL THEN 'missing: adset_id (the row has an ad id)' END,
               recon.load_bad('bad_amount', s.spend_field, s.spend_raw, s.spend),
               CASE WHEN s.spend < 0 THEN format('bad_amount: %s %L is negative', s.spend_field, s.spend_raw) END,
               CASE WHEN NOT s.spend_exact THEN recon.load_bad_precision(s.spend_field, s.spend, c.currency) END,
               recon.load_bad('bad_number', 'impressions', s.impressions, t.impressions),
               recon.load_bad('bad_number', 'clicks', s.clicks, t.clicks),
               recon.load_bad('bad_number', 'link_clicks', s.link_clicks, t.link_clicks),
               recon.load_bad_currency('currency', s.currency)], NULL) AS reasons,
           a.account_id, s.account_name, c.currency AS account_currency, s.report_date,
           CASE WHEN s.ad_id IS NOT NULL THEN 'ad' WHEN s.adset_id IS NOT NULL THEN 'adset' ELSE 'campaign' END AS level,
           recon_normalize_platform_id(s.campaign_id) AS campaign_id, s.campaign_name,
           recon_normalize_platform_id(s.adset_id) AS adset_id, s.adset_name,
           recon_normalize_platform_id(s.ad_id) AS ad_id, s.ad_name,
           s.spend, t.impressions, t.clicks, t.link_clicks,
           recon.load_attribution_setting(options ->> 'attribution_setting') AS attribution_setting,
           s.action_report_time,
           s.dq_flags || array_remove(ARRAY[
               CASE WHEN recon_platform_id_status(s.campaign_id) LIKE 'possible%'
                      OR recon_platform_id_status(s.adset_id) LIKE 'possible%'
                      OR recon_platform_id_status(s.ad_id) LIKE 'possible%' THEN 'possible_mangled_id' END], NULL) AS dq_flags
    FROM pg_temp.recon_load_std s
    CROSS JOIN LATERAL (SELECT recon.load_account_id(platform_name, s.account_id) AS raw_account,
                               recon_normalize_platform_id(recon.load_account_id(platform_name, s.account_id)) AS account_id) a
    CROSS JOIN LATERAL (SELECT upper(btrim(coalesce(s.currency, options ->> 'currency',
                                                    (SELECT x.currency FROM recon.ad_accounts x
                                                     WHERE x.platform = platform_name AND x.account_id = a.account_id)))) AS currency) c
    CROSS JOIN LATERAL (SELECT recon.load_count(s.impressions, mark) AS impressions,
                               recon.load_count(s.clicks, mark) AS clicks,
                               recon.load_count(s.link_clicks, mark) AS link_clicks) t;

    -- One conversion row per delivery row and action type, in the account's default window.
    CREATE TEMP TABLE recon_load_conversions AS
    SELECT a.line_number, a.action_type, 'default'::text AS attribution_window, v.conversions, v.conversion_value,
           array_remove(ARRAY[
               recon.load_bad('bad_number', a.count_field, a.count_raw, v.conversions),
               CASE WHEN v.conversions < 0 THEN format('bad_number: %s %L is negative', a.count_field, a.count_raw) END,
               recon.load_bad('bad_amount', a.value_field, a.value_raw, v.conversion_value)], NULL) AS reasons
    FROM pg_temp.recon_load_std_actions a
    CROSS JOIN LATERAL (SELECT recon_parse_decimal(a.count_raw, mark) AS conversions,
                               recon_parse_decimal(a.value_raw, mark) AS conversion_value) v
    WHERE nullif(btrim(a.count_raw), '') IS NOT NULL OR nullif(btrim(a.value_raw), '') IS NOT NULL;
    UPDATE pg_temp.recon_load_delivery d
       SET reasons = d.reasons || x.reasons
      FROM (SELECT line_number, array_agg(r ORDER BY r) AS reasons
            FROM pg_temp.recon_load_conversions, unnest(reasons) r GROUP BY 1) x
     WHERE x.line_number = d.line_number;
    -- An action type the row counts nothing for is not written (as the APIs omit it).
    DELETE FROM pg_temp.recon_load_conversions
     WHERE cardinality(reasons) = 0 AND coalesce(conversions, 0) = 0 AND coalesce(conversion_value, 0) = 0;
    -- A rejected row names no account: the writer asks the zone and currency of
    -- every new account it sees, and a row it will reject must not make it raise.
    UPDATE pg_temp.recon_load_delivery SET account_id = NULL WHERE cardinality(reasons) > 0;
END $$;
COMMENT ON FUNCTION recon.load_platform_rows(text, jsonb) IS
    'Shared by the ad platform report mappers (Google, Microsoft, TikTok, LinkedIn): reads pg_temp.recon_load_std (line_number, reasons of the platform''s own rules, account_id, account_name, currency, report_date_raw and report_date parsed, campaign/adset/ad ids and names as written, spend_field, spend_raw, spend parsed, spend_exact (true: no minor-unit check, for amounts the platform accrues finer than its currency: Google micros, LinkedIn API cost), impressions, clicks, link_clicks as written, action_report_time, dq_flags) and pg_temp.recon_load_std_actions (line_number, action_type, count_field, count_raw, value_field, value_raw), checks ids, dates, amounts and currency, and fills pg_temp.recon_load_delivery and pg_temp.recon_load_conversions (window default; an action type with neither conversions nor value is left out) for recon.load_write_platform_report. The currency of a row is its own, else the currency option, else the known account''s. Raises 22023 when no row names its account and no account_id option is given.';

-- Write the click log rows typed into pg_temp.recon_load_clicks.
CREATE FUNCTION recon.load_write_clicks(batch text, source_file text, platform_name text) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    rejected bigint;
    deleted bigint;
    updated bigint;
    inserted bigint;
    scope jsonb;
BEGIN
    -- A click id twice in one file: which row is right is unknown, so none is written.
    UPDATE pg_temp.recon_load_clicks c
       SET reasons = c.reasons || format('duplicate_click_id: %s is on lines %s', quote_literal(c.click_id), x.lines)
      FROM (SELECT click_id, string_agg(line_number::text, ', ' ORDER BY line_number) AS lines
            FROM pg_temp.recon_load_clicks WHERE click_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x
     WHERE c.click_id = x.click_id;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_clicks WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_clicks WHERE cardinality(reasons) > 0;

    -- The file restates its accounts' clicks over its time range. A file of days
    -- (clicked_until set) replaces the day-level rows only: a click captured with its
    -- exact time stays.
    DROP TABLE IF EXISTS pg_temp.recon_load_click_scope;
    CREATE TEMP TABLE recon_load_click_scope AS
    SELECT account_id, min(clicked_at) AS from_at, max(coalesce(clicked_until, clicked_at + interval '1 microsecond')) AS until_at,
           bool_and(clicked_until IS NOT NULL) AS day_only
    FROM pg_temp.recon_load_clicks WHERE account_id IS NOT NULL GROUP BY 1;
    SELECT jsonb_agg(jsonb_build_object('account_id', account_id, 'from', from_at, 'until', until_at) ORDER BY account_id)
      INTO scope FROM pg_temp.recon_load_click_scope;
    WITH gone AS (
        DELETE FROM recon.ad_clicks t USING pg_temp.recon_load_click_scope s
        WHERE t.platform = platform_name AND t.account_id = s.account_id
          AND t.clicked_at >= s.from_at AND t.clicked_at < s.until_at
          AND (NOT s.day_only OR t.dq_flags @> '{clicked_day_only}')
        RETURNING 1)
    SELECT count(*) INTO deleted FROM gone;

    -- A click the log holds already (captured on the landing page, or reported for
    -- another day) takes the file's ids and time, but keeps an exact time that falls
    -- in the day the file reports.
    UPDATE recon.ad_clicks t
       SET clicked_at = CASE WHEN NOT t.dq_flags @> '{clicked_day_only}' AND t.clicked_at >= c.clicked_at AND t.clicked_at < c.clicked_until
                             THEN t.clicked_at ELSE c.clicked_at END,
           dq_flags = CASE WHEN NOT t.dq_flags @> '{clicked_day_only}' AND t.clicked_at >= c.clicked_at AND t.clicked_at < c.clicked_until
                           THEN t.dq_flags ELSE c.dq_flags END,
           account_id = coalesce(c.account_id, t.account_id), campaign_id = coalesce(c.campaign_id, t.campaign_id),
           adset_id = coalesce(c.adset_id, t.adset_id), ad_id = coalesce(c.ad_id, t.ad_id),
           record_source = source_file, batch_id = batch
      FROM pg_temp.recon_load_clicks c
     WHERE t.platform = platform_name AND t.click_id = c.click_id;
    GET DIAGNOSTICS updated = ROW_COUNT;

    INSERT INTO recon.ad_clicks (platform, click_id, clicked_at, account_id, campaign_id, adset_id, ad_id, record_source, batch_id, dq_flags)
    SELECT platform_name, c.click_id, c.clicked_at, c.account_id, c.campaign_id, c.adset_id, c.ad_id, source_file, batch, c.dq_flags
    FROM pg_temp.recon_load_clicks c
    WHERE NOT EXISTS (SELECT 1 FROM recon.ad_clicks t WHERE t.platform = platform_name AND t.click_id = c.click_id);
    GET DIAGNOSTICS inserted = ROW_COUNT;

    RETURN jsonb_build_object('rejected', rejected, 'replaced', deleted + updated, 'scope', scope,
                              'tables', jsonb_build_object('ad_clicks', inserted + updated));
END $$;
COMMENT ON FUNCTION recon.load_write_clicks(text, text, text) IS
    'The click log writer any click report loader can use. Reads pg_temp.recon_load_clicks (line_number, reasons, click_id as written, clicked_at, clicked_until: the end of the day for a report that only knows the day, else NULL; account_id, campaign_id, adset_id, ad_id, dq_flags); rejects rows with reasons and every row of a click id the file holds twice; replaces, per account, the clicks of the file''s time range (a day-level file only the day-level rows, flag clicked_day_only); a click id already logged takes the file''s values but keeps an exact time inside the reported day. Returns rejected, replaced, scope and rows per table.';

-- The Google Ads report mapper: UI CSV and API JSON alike.
CREATE FUNCTION recon.load_map_google_ads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    is_csv boolean := (SELECT header IS NOT NULL FROM recon.load_batches WHERE batch_id = batch);
    style text := CASE WHEN is_csv THEN coalesce(options ->> 'date_style', 'iso') ELSE 'iso' END;
    opts jsonb := CASE WHEN is_csv THEN options ELSE options - 'decimal_mark' END;
    mark text := coalesce(opts ->> 'decimal_mark', '.');
    by_action boolean;
    result jsonb;
    orphans bigint := 0;
BEGIN
    -- The UI writes -- where a metric does not apply.
    UPDATE pg_temp.recon_load_rows
       SET cost = nullif(btrim(cost), '--'), cost_micros = nullif(btrim(cost_micros), '--'),
           impressions = nullif(btrim(impressions), '--'), clicks = nullif(btrim(clicks), '--'),
           conversions = nullif(btrim(conversions), '--'), conversion_value = nullif(btrim(conversion_value), '--')
     WHERE '--' IN (btrim(cost), btrim(cost_micros), btrim(impressions), btrim(clicks), btrim(conversions), btrim(conversion_value));
    by_action := EXISTS (SELECT 1 FROM pg_temp.recon_load_rows WHERE conversion_action IS NOT NULL);

    DROP TABLE IF EXISTS pg_temp.recon_load_std, pg_temp.recon_load_std_actions;
    CREATE TEMP TABLE recon_load_std AS
    SELECT r.line_number,
           array_remove(ARRAY[
               CASE WHEN recon_normalize_platform_id(recon.load_account_id('google', acct)) !~ '^[0-9]{10}$'
                    THEN format('bad_id: account_id %L (a Google Ads customer id has 10 digits)', acct) END,
               CASE WHEN r.cost IS NULL AND r.cost_micros IS NULL AND NOT by_action THEN 'missing: cost' END], NULL) AS reasons,
           acct AS account_id, r.account_name, r.account_currency AS currency,
           r.report_date AS report_date_raw, recon_parse_date(r.report_date, style) AS report_date,
           r.campaign_id, r.campaign_name, r.adset_id, r.adset_name, r.ad_id, NULL::text AS ad_name,
           CASE WHEN r.cost_micros IS NOT NULL THEN 'cost_micros' ELSE 'cost' END AS spend_field,
           coalesce(r.cost_micros, r.cost) AS spend_raw,
           CASE WHEN r.cost_micros IS NOT NULL THEN trim_scale(recon.load_count(r.cost_micros, mark) / 1000000.0)
                ELSE recon_parse_decimal(r.cost, mark) END AS spend,
           r.cost_micros IS NOT NULL AS spend_exact,
           r.impressions, r.clicks, NULL::text AS link_clicks,
           'impression'::text AS action_report_time,    -- Conversions are booked on the day of the click
           '{}'::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT coalesce(r.account_id, options ->> 'account_id') AS acct) x;
    CREATE TEMP TABLE recon_load_std_actions AS
    SELECT line_number, coalesce(btrim(conversion_action), 'conversions') AS action_type,
           'conversions' AS count_field, conversions AS count_raw, 'conversion_value' AS value_field, conversion_value AS value_raw
    FROM pg_temp.recon_load_rows;
    PERFORM recon.load_platform_rows('google', opts);

    IF by_action THEN
        -- Segmented by conversion action: one row per action, each repeating the day's
        -- delivery. The first line of a day and campaign (ad group, ad) carries the
        -- delivery, the others add their conversions to it.
        DROP TABLE IF EXISTS pg_temp.recon_load_groups;
        CREATE TEMP TABLE recon_load_groups AS
        SELECT d.line_number, g.leader, g.lines, g.conflict, g.no_cost, g.spend, g.impressions, g.clicks,
               min(d.line_number) OVER (PARTITION BY g.leader, c.action_type) AS first_of_action
        FROM pg_temp.recon_load_delivery d
        JOIN pg_temp.recon_load_std_actions c USING (line_number)
        JOIN (SELECT account_id, report_date, campaign_id, coalesce(adset_id, '') AS adset_key, coalesce(ad_id, '') AS ad_key,
                     min(line_number) AS leader, string_agg(line_number::text, ', ' ORDER BY line_number) AS lines,
                     count(DISTINCT spend) > 1 OR count(DISTINCT impressions) > 1 OR count(DISTINCT clicks) > 1
                         OR count(DISTINCT account_currency) > 1 AS conflict,
                     bool_and(spend IS NULL) AS no_cost, max(spend) AS spend, max(impressions) AS impressions, max(clicks) AS clicks
              FROM pg_temp.recon_load_delivery WHERE cardinality(reasons) = 0 GROUP BY 1, 2, 3, 4, 5) g
          ON (g.account_id, g.report_date, g.campaign_id, g.adset_key, g.ad_key)
           = (d.account_id, d.report_date, d.campaign_id, coalesce(d.adset_id, ''), coalesce(d.ad_id, ''))
        WHERE cardinality(d.reasons) = 0;
        UPDATE pg_temp.recon_load_delivery d
           SET reasons = d.reasons || CASE
                   WHEN g.conflict THEN format('conflicting_rows: lines %s give one day and %s different cost, impressions, clicks or currency', g.lines, d.level)
                   WHEN g.no_cost THEN 'missing: cost (a row segmented by conversion action must repeat the day''s Cost, Impr. and Clicks: export them, or load the report without the segment)'
                   ELSE format('duplicate_row: same day, %s and conversion action as line %s', d.level, g.first_of_action) END
          FROM pg_temp.recon_load_groups g
         WHERE g.line_number = d.line_number AND (g.conflict OR g.no_cost OR g.first_of_action <> g.line_number);
        UPDATE pg_temp.recon_load_delivery d SET spend = g.spend, impressions = g.impressions, clicks = g.clicks
          FROM pg_temp.recon_load_groups g WHERE g.line_number = d.line_number AND g.leader = d.line_number AND cardinality(d.reasons) = 0;
        UPDATE pg_temp.recon_load_conversions c SET line_number = g.leader
          FROM pg_temp.recon_load_groups g JOIN pg_temp.recon_load_delivery d USING (line_number)
         WHERE g.line_number = c.line_number AND g.leader <> g.line_number AND cardinality(d.reasons) = 0;
        DELETE FROM pg_temp.recon_load_delivery d USING pg_temp.recon_load_groups g
         WHERE g.line_number = d.line_number AND g.leader <> g.line_number AND cardinality(d.reasons) = 0;
    END IF;

    result := recon.load_write_platform_report(batch, source_file, options, 'google');

    IF by_action THEN   -- lines whose conversions rode on a line the writer rejected
        orphans := recon.load_set_aside(batch, source_file, 'rejected', $q$
            SELECT g.line_number, ARRAY[format('rejected_with_line: line %s, which carries this day''s delivery, was rejected', g.leader)] AS reasons
            FROM pg_temp.recon_load_groups g JOIN pg_temp.recon_load_rows r USING (line_number)
            WHERE g.leader <> g.line_number AND NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_rows l WHERE l.line_number = g.leader)$q$);
    END IF;
    RETURN jsonb_set(result, '{rejected}', to_jsonb((result ->> 'rejected')::bigint + orphans));
END $$;
COMMENT ON FUNCTION recon.load_map_google_ads(text, text, jsonb) IS
    'Mapper of google_ads_daily (UI CSV or API field names) and google_ads_daily_json (search/searchStream): one delivery row per day and campaign, ad group or ad (the finest id the row has); conversions as action type conversions (or the Conversion action of a segmented report, whose rows of one day and campaign fold into one delivery row), window default, booked on the click day (action_report_time impression). Cost in the currency, or cost_micros divided by 1,000,000 and kept to the micro (Google accrues cost finer than a cent); -- is blank. Rejects customer ids that are not 10 digits, bad dates, ids, numbers and currencies, Cost finer than the currency.';

-- click_view: one row per click and day.
CREATE FUNCTION recon.load_map_google_click_view(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    is_csv boolean := (SELECT header IS NOT NULL FROM recon.load_batches WHERE batch_id = batch);
    style text := CASE WHEN is_csv THEN coalesce(options ->> 'date_style', 'iso') ELSE 'iso' END;
    unknown text;
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_clicks;
    CREATE TEMP TABLE recon_load_clicks AS
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('gclid', r.gclid),
               CASE WHEN btrim(r.gclid) !~ '^[A-Za-z0-9._~-]+$'
                    THEN format('bad_id: gclid %L (a click id holds letters, digits and - _ . ~ only)', r.gclid) END,
               recon.load_missing('account_id', x.acct),
               recon.load_bad_id('account_id', recon.load_account_id('google', x.acct)),
               CASE WHEN recon_normalize_platform_id(recon.load_account_id('google', x.acct)) !~ '^[0-9]{10}$'
                    THEN format('bad_id: account_id %L (a Google Ads customer id has 10 digits)', x.acct) END,
               recon.load_missing('report_date', r.report_date),
               recon.load_bad('bad_date', 'report_date', r.report_date, x.day),
               recon.load_bad_id('campaign_id', r.campaign_id),
               recon.load_bad_id('adset_id', r.adset_id),
               recon.load_bad_id('ad_id', x.ad)], NULL) AS reasons,
           btrim(r.gclid) AS click_id, x.day,
           recon_normalize_platform_id(recon.load_account_id('google', x.acct)) AS account_id,
           recon_normalize_platform_id(r.campaign_id) AS campaign_id,
           recon_normalize_platform_id(r.adset_id) AS adset_id,
           recon_normalize_platform_id(x.ad) AS ad_id,
           NULL::text AS zone, NULL::timestamptz AS clicked_at, NULL::timestamptz AS clicked_until,
           '{clicked_day_only}'::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r
    -- the ad group ad is a resource name, customers/<customer>/adGroupAds/<ad group>~<ad>
    CROSS JOIN LATERAL (SELECT coalesce(r.account_id, options ->> 'account_id') AS acct,
                               recon_parse_date(r.report_date, style) AS day,
                               nullif(regexp_replace(btrim(r.ad_id), '^.*~', ''), '') AS ad) x;

    -- click_view only knows the day: the click is dated at its midnight in the account's zone.
    UPDATE pg_temp.recon_load_clicks c
       SET zone = coalesce((SELECT a.report_timezone FROM recon.ad_accounts a
                            WHERE a.platform = 'google' AND a.account_id = c.account_id), options ->> 'timezone');
    SELECT string_agg(DISTINCT account_id, ', ') INTO unknown
    FROM pg_temp.recon_load_clicks WHERE zone IS NULL AND cardinality(reasons) = 0;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'google account(s) % are not in recon.ad_accounts, and the load does not say their time zone', unknown
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Load the account''s daily report first, or pass {"timezone": "<the account''s IANA zone>"}: click_view dates are days in the account''s zone.';
    END IF;
    UPDATE pg_temp.recon_load_clicks
       SET clicked_at = day::timestamp AT TIME ZONE zone, clicked_until = (day + 1)::timestamp AT TIME ZONE zone
     WHERE cardinality(reasons) = 0;

    RETURN recon.load_write_clicks(batch, source_file, 'google');
END $$;
COMMENT ON FUNCTION recon.load_map_google_click_view(text, text, jsonb) IS
    'Mapper of google_click_view_csv and google_click_view_json: one recon.ad_clicks row per gclid (kept exactly as written: case-sensitive), dated at midnight of its day in the account''s zone (the known account''s, else the timezone option) and flagged clicked_day_only; the ad id taken from the ad group ad resource name (customers/1/adGroupAds/2~3). Rejects a blank or malformed gclid, a customer id that is not 10 digits, bad dates and ids, and a gclid the file holds twice; replaces the day-level google clicks of the file''s accounts and days.';

-- ===== src/load/microsoft.sql =====
-- Microsoft Advertising: the daily performance report as the API (ReportingService)
-- and the web UI download it: a preamble (Report Name, Report Time, Time Zone, Last
-- Completed Available Day, Potential Incomplete Data), the header, the rows and a
-- copyright footer. Days are in the account's zone; an account without one is in
-- Pacific time (recon.load_default_timezone).

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('microsoft_ads_daily', 'csv', 'microsoft', 'recon.load_map_microsoft_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '^\s*(©|\(c\)|copyright).*microsoft|^\s*total\s*$',
     '{account_id,currency,attribution_setting}',
     'Microsoft Advertising campaign, ad group or ad performance report with daily aggregation (API download or web UI export): TimePeriod, AccountId, CampaignId, AdGroupId, AdId, CurrencyCode, Spend, Impressions, Clicks, Conversions, Revenue (or the UI''s Day, Campaign ID, Impr., Conv.); preamble lines above the header and the copyright footer are skipped. TimePeriod follows the account''s locale: pass date_style mdy for 3/1/2026.');

INSERT INTO recon.load_format_fields (format, field, headers, required) VALUES
    ('microsoft_ads_daily', 'account_id',       ARRAY['accountid', 'account id'],                     false),
    ('microsoft_ads_daily', 'account_name',     ARRAY['accountname', 'account name', 'account'],      false),
    ('microsoft_ads_daily', 'account_currency', ARRAY['currencycode', 'currency code', 'currency'],   false),
    ('microsoft_ads_daily', 'report_date',      ARRAY['timeperiod', 'gregoriandate', 'day', 'date'],  true),
    ('microsoft_ads_daily', 'campaign_id',      ARRAY['campaignid', 'campaign id'],                   true),
    ('microsoft_ads_daily', 'campaign_name',    ARRAY['campaignname', 'campaign name', 'campaign'],   false),
    ('microsoft_ads_daily', 'adset_id',         ARRAY['adgroupid', 'ad group id'],                    false),
    ('microsoft_ads_daily', 'adset_name',       ARRAY['adgroupname', 'ad group name', 'ad group'],    false),
    ('microsoft_ads_daily', 'ad_id',            ARRAY['adid', 'ad id'],                               false),
    ('microsoft_ads_daily', 'ad_name',          ARRAY['adtitle', 'ad title'],                         false),
    ('microsoft_ads_daily', 'spend',            ARRAY['spend'],                                       true),
    ('microsoft_ads_daily', 'impressions',      ARRAY['impressions', 'impr\.'],                       false),
    ('microsoft_ads_daily', 'clicks',           ARRAY['clicks'],                                      false),
    ('microsoft_ads_daily', 'conversions',      ARRAY['conversions', 'conv\.'],                       false),
    ('microsoft_ads_daily', 'revenue',          ARRAY['revenue'],                                     false);

CREATE FUNCTION recon.load_map_microsoft_ads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    style text := coalesce(options ->> 'date_style', 'iso');
    mark text := coalesce(options ->> 'decimal_mark', '.');
    -- Days after the Last Completed Available Day of the preamble are still filling in.
    last_complete date := (SELECT recon_parse_date(m[1], style)
                           FROM recon.load_batches b, unnest(b.preamble) p,
                                regexp_match(p, 'Last Completed Available Day:\s*([0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4})', 'i') m
                           WHERE b.batch_id = batch AND m IS NOT NULL LIMIT 1);
    footers bigint;
    result jsonb;
BEGIN
    -- The copyright footer is one cell wide and the blank line above it has one empty
    -- cell: the frame rejected both for their column count before trying the skip
    -- pattern. They are a footer and an empty row: skipped.
    UPDATE recon.load_rejects j
       SET disposition = 'skipped',
           reasons = ARRAY[CASE WHEN f.cell IS NULL THEN 'empty_row' ELSE 'total_or_footer: ' || quote_literal(f.cell) END]
      FROM (SELECT (recon_csv_fields(j2.raw, (SELECT delimiter FROM pg_temp.recon_load_context)))[1] AS cell, j2.line_number
            FROM recon.load_rejects j2
            WHERE j2.batch_id = batch AND j2.disposition = 'rejected' AND j2.reasons[1] LIKE 'wrong_column_count:%') f
     WHERE j.batch_id = batch AND j.line_number = f.line_number
       AND (f.cell IS NULL OR f.cell ~* (SELECT skip_pattern FROM recon.load_formats WHERE format = 'microsoft_ads_daily'));
    GET DIAGNOSTICS footers = ROW_COUNT;

    DROP TABLE IF EXISTS pg_temp.recon_load_std, pg_temp.recon_load_std_actions;
    CREATE TEMP TABLE recon_load_std AS
    SELECT r.line_number, '{}'::text[] AS reasons,
           coalesce(r.account_id, options ->> 'account_id') AS account_id, r.account_name, r.account_currency AS currency,
           r.report_date AS report_date_raw, d.day AS report_date,
           r.campaign_id, r.campaign_name, r.adset_id, r.adset_name, r.ad_id, r.ad_name,
           'spend' AS spend_field, r.spend AS spend_raw, recon_parse_decimal(r.spend, mark) AS spend, false AS spend_exact,
           r.impressions, r.clicks, NULL::text AS link_clicks, NULL::text AS action_report_time,
           CASE WHEN d.day > last_complete THEN '{incomplete_day}' ELSE '{}' END::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon_parse_date(r.report_date, style) AS day) d;
    CREATE TEMP TABLE recon_load_std_actions AS
    SELECT line_number, 'conversions' AS action_type, 'conversions' AS count_field, conversions AS count_raw,
           'revenue' AS value_field, revenue AS value_raw
    FROM pg_temp.recon_load_rows;
    PERFORM recon.load_platform_rows('microsoft', options);
    result := recon.load_write_platform_report(batch, source_file, options, 'microsoft');
    RETURN result || jsonb_build_object('rejected', (result ->> 'rejected')::bigint - footers, 'skipped', footers);
END $$;
COMMENT ON FUNCTION recon.load_map_microsoft_ads(text, text, jsonb) IS
    'Mapper of microsoft_ads_daily: one delivery row per day and campaign, ad group or ad; Conversions and Revenue as action type conversions, window default. A new account without a timezone option is put in Pacific time and flagged timezone_defaulted (Microsoft''s default). Rows dated after the preamble''s Last Completed Available Day are flagged incomplete_day. The one-cell copyright footer and blank lines, which the frame rejects for their column count, are turned into skipped rows. Rejects bad dates (in date_style), ids, amounts, counts and currencies, and Spend finer than the currency.';

-- ===== src/load/tiktok.sql =====
-- TikTok Ads: the Business API's integrated report (/report/integrated/get/,
-- BASIC, daily) and Ads Manager's CSV export. TikTok reports its days in UTC, so the
-- account's report_timezone must be UTC (recon.platforms says report_clock utc).
-- Also the clock check LinkedIn, the other UTC platform, shares.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('tiktok_ads_daily_json', 'json', 'tiktok', 'recon.load_map_tiktok_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', NULL, '{account_id,currency,attribution_setting}',
     'TikTok Business API integrated report (report_type BASIC, data_level AUCTION_AD, AUCTION_ADGROUP or AUCTION_CAMPAIGN, dimensions [ad_id|adgroup_id|campaign_id, stat_time_day]): data.list of {dimensions, metrics}, every value a string: spend, impressions, clicks (destination clicks), currency, complete_payment with its value total_complete_payment_rate, form with total_form_value. The advertiser id comes from the account_id option unless advertiser_id is a dimension.'),
    ('tiktok_ads_daily_csv', 'csv', 'tiktok', 'recon.load_map_tiktok_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '^\s*total', '{account_id,currency,attribution_setting}',
     'TikTok Ads Manager custom report exported as CSV, broken down By Day: campaign, ad group and ad ids and names, Currency, Cost, Impressions, Clicks (destination), Complete payment and its value, Submit form, or Conversions; the Total row is skipped.');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('tiktok_ads_daily_json'), ('tiktok_ads_daily_csv')) AS f(format)
CROSS JOIN (VALUES
    ('account_id',             ARRAY['advertiser id', 'account id'],                         '{dimensions,advertiser_id}'::text[], false),
    ('account_name',           ARRAY['advertiser name', 'account name'],                     '{metrics,advertiser_name}',          false),
    ('currency',               ARRAY['currency'],                                             '{metrics,currency}',                 false),
    ('report_date',            ARRAY['by day', 'date', 'day', 'stat_time_day'],               '{dimensions,stat_time_day}',         true),
    ('campaign_id',            ARRAY['campaign id'],                                          '{metrics,campaign_id}',              true),
    ('campaign_dimension',     '{}'::text[],                                                  '{dimensions,campaign_id}',           false),
    ('campaign_name',          ARRAY['campaign name'],                                        '{metrics,campaign_name}',            false),
    ('adset_id',               ARRAY['ad group id'],                                          '{metrics,adgroup_id}',               false),
    ('adset_dimension',        '{}'::text[],                                                  '{dimensions,adgroup_id}',            false),
    ('adset_name',             ARRAY['ad group name'],                                        '{metrics,adgroup_name}',             false),
    ('ad_id',                  ARRAY['ad id'],                                                '{dimensions,ad_id}',                 false),
    ('ad_name',                ARRAY['ad name'],                                              '{metrics,ad_name}',                  false),
    ('spend',                  ARRAY['cost', 'total cost', 'spend'],                          '{metrics,spend}',                    true),
    ('impressions',            ARRAY['impressions'],                                          '{metrics,impressions}',              false),
    ('clicks',                 ARRAY['clicks \(all\)'],                                       NULL,                                 false),
    ('link_clicks',            ARRAY['clicks \(destination\)', 'clicks'],                     '{metrics,clicks}',                   false),
    ('complete_payment',       ARRAY['complete payment', 'purchases?'],                       '{metrics,complete_payment}',         false),
    ('complete_payment_value', ARRAY['total complete payment value', 'complete payment value', 'total purchase value', 'purchase value'],
                                                                                              '{metrics,total_complete_payment_rate}', false),
    ('form',                   ARRAY['submit form', 'form submissions?'],                     '{metrics,form}',                     false),
    ('form_value',             ARRAY['total submit form value', 'submit form value', 'total form value'], '{metrics,total_form_value}', false),
    ('conversions',            ARRAY['conversions'],                                          NULL,                                 false)
) AS x(field, headers, json_path, required);

-- TikTok and LinkedIn report in UTC: a known account must say so.
CREATE FUNCTION recon.load_check_utc_clock(platform_name text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    other text;
BEGIN
    SELECT string_agg(DISTINCT a.account_id || ' (' || a.report_timezone || ')', ', ') INTO other
    FROM pg_temp.recon_load_delivery d
    JOIN recon.ad_accounts a ON a.platform = platform_name AND a.account_id = d.account_id
    WHERE EXISTS (SELECT 1 FROM unnest(ARRAY[timestamp '2026-01-15 12:00', timestamp '2026-07-15 12:00']) t
                  WHERE t AT TIME ZONE a.report_timezone <> t AT TIME ZONE 'UTC');
    IF other IS NOT NULL THEN
        RAISE EXCEPTION '% reports its days in UTC, but recon.ad_accounts gives account(s) % another report_timezone',
                        platform_name, other
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Fix the account: UPDATE recon.ad_accounts SET report_timezone = ''UTC'' WHERE platform = %L AND account_id = ...', platform_name);
    END IF;
END $$;
COMMENT ON FUNCTION recon.load_check_utc_clock(text) IS
    'For platforms whose reports are in UTC (TikTok, LinkedIn): raises 22023 when an account of pg_temp.recon_load_delivery is known with a report_timezone whose clock is not UTC (its report days would be read in the wrong zone).';

CREATE FUNCTION recon.load_map_tiktok_ads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    is_csv boolean := (SELECT header IS NOT NULL FROM recon.load_batches WHERE batch_id = batch);
    style text := CASE WHEN is_csv THEN coalesce(options ->> 'date_style', 'iso') ELSE 'iso' END;
    opts jsonb := CASE WHEN is_csv THEN options ELSE options - 'decimal_mark' END;
    failed record;
    by_event boolean;
BEGIN
    IF NOT is_csv THEN   -- an error response is one object: {"code": 40105, "message": "...", "data": {}}
        SELECT extra ->> 'code' AS code, extra ->> 'message' AS message INTO failed
        FROM pg_temp.recon_load_rows WHERE extra ? 'code' AND extra ->> 'code' <> '0' LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'the TikTok API answered code %: %', failed.code, failed.message
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Load the response of a successful /report/integrated/get/ call (code 0, rows in data.list).';
        END IF;
    END IF;
    -- Conversions count the ad group's optimization event: read only when the file has no event column.
    by_event := EXISTS (SELECT 1 FROM pg_temp.recon_load_rows WHERE complete_payment IS NOT NULL OR form IS NOT NULL);

    DROP TABLE IF EXISTS pg_temp.recon_load_std, pg_temp.recon_load_std_actions;
    CREATE TEMP TABLE recon_load_std AS
    SELECT r.line_number, '{}'::text[] AS reasons,
           coalesce(r.account_id, options ->> 'account_id') AS account_id, r.account_name, r.currency,
           r.report_date AS report_date_raw,
           -- stat_time_day is a day written as its midnight
           recon_parse_date(regexp_replace(btrim(r.report_date), ' 00:00(:00)?$', ''), style) AS report_date,
           coalesce(r.campaign_dimension, r.campaign_id) AS campaign_id, r.campaign_name,
           coalesce(r.adset_dimension, r.adset_id) AS adset_id, r.adset_name, r.ad_id, r.ad_name,
           'spend' AS spend_field, r.spend AS spend_raw, recon_parse_decimal(r.spend, coalesce(opts ->> 'decimal_mark', '.')) AS spend,
           false AS spend_exact,
           r.impressions, coalesce(r.clicks, r.link_clicks) AS clicks, r.link_clicks, NULL::text AS action_report_time,
           '{}'::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r;
    CREATE TEMP TABLE recon_load_std_actions AS
    SELECT r.line_number, a.*
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (VALUES
        ('complete_payment', 'complete_payment', r.complete_payment, 'complete_payment_value', r.complete_payment_value),
        ('submit_form', 'form', r.form, 'form_value', r.form_value),
        ('conversions', 'conversions', CASE WHEN NOT by_event THEN r.conversions END, 'conversion_value', NULL)
    ) AS a(action_type, count_field, count_raw, value_field, value_raw);
    PERFORM recon.load_platform_rows('tiktok', opts);
    PERFORM recon.load_check_utc_clock('tiktok');
    RETURN recon.load_write_platform_report(batch, source_file, options, 'tiktok');
END $$;
COMMENT ON FUNCTION recon.load_map_tiktok_ads(text, text, jsonb) IS
    'Mapper of tiktok_ads_daily_json and tiktok_ads_daily_csv: one delivery row per UTC day and ad, ad group or campaign (ids from the dimensions or the attribute metrics); clicks are destination clicks unless the file has Clicks (all); action types complete_payment (value: total_complete_payment_rate, which despite its name is the total value) and submit_form (form), or conversions when the file has neither, window default. Raises 22023 for an API error response and for a known account whose report_timezone is not UTC. Rejects bad days (stat_time_day other than midnight), mangled ids, bad amounts and currencies, and spend finer than the currency (JPY 1234.5).';

-- ===== src/load/linkedin.sql =====
-- LinkedIn Ads: the Marketing API's adAnalytics finder (pivot CAMPAIGN, timeGranularity
-- DAILY) and Campaign Manager's CSV export, at campaign level. LinkedIn reports its
-- days in UTC. adAnalytics rows do not carry the account: the load names it.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('linkedin_ads_daily_json', 'json', 'linkedin', 'recon.load_map_linkedin_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', NULL, '{account_id,currency,attribution_setting}',
     'LinkedIn Marketing API adAnalytics (q=analytics, pivot=CAMPAIGN, timeGranularity=DAILY): elements with dateRange.start/end {year, month, day}, pivotValues [urn:li:sponsoredCampaign:<id>], costInLocalCurrency (a string), impressions, clicks, oneClickLeads, externalWebsiteConversions, conversionValueInLocalCurrency. The account comes from the account_id option, its currency from the currency option or the known account.'),
    ('linkedin_ads_daily_csv', 'csv', 'linkedin', 'recon.load_map_linkedin_ads',
     '{ad_accounts,ad_delivery_daily,platform_conversions_daily}', '^\s*total', '{account_id,currency,attribution_setting}',
     'LinkedIn Campaign Manager campaign performance export, daily (report title and date lines above the header): Start Date (in UTC), Campaign ID, Campaign Name, Currency, Total Spent, Impressions, Clicks, Leads, Conversions, Total Conversion Value. Dates follow the user''s locale: pass date_style mdy for 3/1/2026.');

INSERT INTO recon.load_format_fields (format, field, headers, json_path, required)
SELECT f.format, x.field, x.headers, x.json_path, x.required
FROM (VALUES ('linkedin_ads_daily_json'), ('linkedin_ads_daily_csv')) AS f(format)
CROSS JOIN (VALUES
    ('account_id',       ARRAY['account id'],                                          NULL::text[],                        false),
    ('account_name',     ARRAY['account name', 'account'],                             NULL,                                false),
    ('currency',         ARRAY['currency'],                                            NULL,                                false),
    ('report_date',      ARRAY['start date(?: \(in utc\))?', 'date', 'day'],           NULL,                                true),
    ('date_range',       '{}'::text[],                                                 '{dateRange}',                       false),
    ('campaign_id',      ARRAY['campaign id'],                                         '{pivotValues,0}',                   true),
    ('pivot',            '{}'::text[],                                                 '{pivotValue}',                      false),
    ('campaign_name',    ARRAY['campaign name', 'campaign'],                           NULL,                                false),
    ('spend',            ARRAY['total spent', 'amount spent', 'spend'],                '{costInLocalCurrency}',             true),
    ('impressions',      ARRAY['impressions'],                                         '{impressions}',                     false),
    ('clicks',           ARRAY['clicks'],                                              '{clicks}',                          false),
    ('leads',            ARRAY['leads'],                                               '{oneClickLeads}',                   false),
    ('conversions',      ARRAY['conversions', 'total conversions'],                    '{externalWebsiteConversions}',      false),
    ('conversion_value', ARRAY['total conversion value', 'conversion value'],          '{conversionValueInLocalCurrency}',  false)
) AS x(field, headers, json_path, required);

CREATE FUNCTION recon.load_map_linkedin_ads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    is_csv boolean := (SELECT header IS NOT NULL FROM recon.load_batches WHERE batch_id = batch);
    style text := CASE WHEN is_csv THEN coalesce(options ->> 'date_style', 'iso') ELSE 'iso' END;
    opts jsonb := CASE WHEN is_csv THEN options ELSE options - 'decimal_mark' END;
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_std, pg_temp.recon_load_std_actions;
    CREATE TEMP TABLE recon_load_std AS
    SELECT r.line_number,
           array_remove(ARRAY[
               CASE WHEN y.pivot ~ '^urn:li:' AND y.pivot !~ '^urn:li:sponsoredCampaign:'
                    THEN format('not_campaign_level: pivot %L (request pivot=CAMPAIGN)', y.pivot) END,
               CASE WHEN x.last_day <> x.first_day
                    THEN format('not_daily: the row covers %s to %s; request timeGranularity=DAILY', x.first_day, x.last_day) END
           ], NULL) AS reasons,
           coalesce(r.account_id, options ->> 'account_id') AS account_id, r.account_name, r.currency,
           y.first_raw AS report_date_raw, x.first_day AS report_date,
           recon.load_urn_id(y.pivot) AS campaign_id, r.campaign_name,
           NULL::text AS adset_id, NULL::text AS adset_name, NULL::text AS ad_id, NULL::text AS ad_name,
           'spend' AS spend_field, r.spend AS spend_raw,
           -- the API prints cost as a float (107.5300000000000335346) accrued finer than a cent: kept to the micro
           CASE WHEN is_csv THEN recon_parse_decimal(r.spend, coalesce(opts ->> 'decimal_mark', '.'))
                ELSE trim_scale(round(recon_parse_decimal(r.spend, '.'), 6)) END AS spend,
           NOT is_csv AS spend_exact,
           r.impressions, r.clicks, NULL::text AS link_clicks, NULL::text AS action_report_time,
           '{}'::text[] AS dq_flags
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT r.date_range::jsonb AS j) jj
    CROSS JOIN LATERAL (SELECT coalesce(r.campaign_id, r.pivot) AS pivot,
                               CASE WHEN j IS NULL THEN r.report_date
                                    ELSE format('%s-%s-%s', j #>> '{start,year}', lpad(j #>> '{start,month}', 2, '0'), lpad(j #>> '{start,day}', 2, '0')) END AS first_raw,
                               CASE WHEN j IS NULL THEN r.report_date
                                    ELSE format('%s-%s-%s', j #>> '{end,year}', lpad(j #>> '{end,month}', 2, '0'), lpad(j #>> '{end,day}', 2, '0')) END AS last_raw,
                               CASE WHEN j IS NULL THEN style ELSE 'iso' END AS date_style) y
    CROSS JOIN LATERAL (SELECT recon_parse_date(y.first_raw, y.date_style) AS first_day,
                               recon_parse_date(y.last_raw, y.date_style) AS last_day) x;
    CREATE TEMP TABLE recon_load_std_actions AS
    SELECT r.line_number, a.*
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (VALUES
        ('lead', 'leads', r.leads, 'lead_value', NULL),
        ('external_website_conversion', 'conversions', r.conversions, 'conversion_value', r.conversion_value)
    ) AS a(action_type, count_field, count_raw, value_field, value_raw);
    PERFORM recon.load_platform_rows('linkedin', opts);
    PERFORM recon.load_check_utc_clock('linkedin');
    RETURN recon.load_write_platform_report(batch, source_file, options, 'linkedin');
END $$;
COMMENT ON FUNCTION recon.load_map_linkedin_ads(text, text, jsonb) IS
    'Mapper of linkedin_ads_daily_json and linkedin_ads_daily_csv: one campaign-level delivery row per UTC day and campaign (the id inside urn:li:sponsoredCampaign:), action types lead (oneClickLeads, Leads) and external_website_conversion (externalWebsiteConversions, Conversions, with the conversion value), window default. The API''s cost is kept to the micro; the CSV''s Total Spent must fit the currency. Rejects rows of another pivot or not one day, bad dates, ids, amounts and currencies; raises 22023 for a known account whose report_timezone is not UTC.';

-- ===== src/load/funnel_writer.sql =====
-- What the CRM loaders (HubSpot, Salesforce) share: the channel rule, CRM
-- statuses and times, the relationships an export names (a deal's contact, the
-- lead an opportunity was converted from), and the writers of funnel_records
-- and funnel_stage_history (docs/loading-crm.md). Records are upserted by id: a
-- newer export of a record replaces it, a reload rewrites the same rows.

-- The relationships CRM exports name, kept so that either side may load first.
CREATE TABLE recon.load_record_links (
    crm_system     text COLLATE "C" NOT NULL,
    child_key      text COLLATE "C" NOT NULL,
    parent_key     text COLLATE "C" NOT NULL,
    record_source  text COLLATE "C" NOT NULL,
    batch_id       text COLLATE "C",
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (crm_system, child_key)
);
COMMENT ON TABLE recon.load_record_links IS
    'The parent a CRM export names for a record: a HubSpot deal''s first associated contact (from the deals export), the Salesforce lead converted into an opportunity (from the leads export, ConvertedOpportunityId). Keys are record ids as loaded (with the load''s id_prefix; Salesforce ids in their 18-character form, so 15- and 18-character spellings meet). Whichever side loads last sets funnel_records.parent_record_id; a child whose named parent is not loaded is flagged unknown_parent.';
SELECT pg_catalog.pg_extension_config_dump('recon.load_record_links', '');

-- The ad platform a source text names (utm_source, a drill-down, a lead source).
CREATE FUNCTION recon.load_platform_named(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN lower(raw) ~ '\m(google|adwords)\M' THEN 'google'
        WHEN lower(raw) ~ '\m(facebook|fb|ig|instagram|meta)\M' THEN 'meta'
        WHEN lower(raw) ~ '\mtiktok\M' THEN 'tiktok'
        WHEN lower(raw) ~ '\mlinkedin\M' THEN 'linkedin'
        WHEN lower(raw) ~ '\m(bing|microsoft)\M' THEN 'microsoft' END
$$;
COMMENT ON FUNCTION recon.load_platform_named(text) IS
    'The ad platform a source text names as a word: google or adwords -> google; facebook, fb, ig, instagram, meta -> meta; tiktok; linkedin; bing or microsoft -> microsoft (case-insensitive, facebook.com counts, google_organic does not). NULL otherwise.';

-- A CRM source or status as a key: internal value or label alike ("Paid social" -> PAID_SOCIAL).
CREATE FUNCTION recon.load_crm_key(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT upper(btrim(regexp_replace(raw, '[^A-Za-z0-9]+', '_', 'g'), '_'))
$$;
COMMENT ON FUNCTION recon.load_crm_key(text) IS
    'A CRM picklist value as a key, so that internal values and labels compare alike: runs of anything but letters and digits become one underscore, upper case (Paid social -> PAID_SOCIAL, Closed - Not Converted -> CLOSED_NOT_CONVERTED).';

-- A funnel record's channel from its click ids, UTM source and the CRM's own source.
CREATE FUNCTION recon.load_channel(gclid text, gbraid text, wbraid text, fbclid text, ttclid text, msclkid text,
                                   li_fat_id text, utm_source text, crm_source text, crm_source_detail text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        CASE WHEN coalesce(gclid, gbraid, wbraid) IS NOT NULL THEN 'google'
             WHEN fbclid IS NOT NULL THEN 'meta'
             WHEN ttclid IS NOT NULL THEN 'tiktok'
             WHEN msclkid IS NOT NULL THEN 'microsoft'
             WHEN li_fat_id IS NOT NULL THEN 'linkedin' END,
        recon.load_platform_named(utm_source),
        CASE recon.load_crm_key(crm_source)
             WHEN 'ORGANIC_SEARCH' THEN 'organic' WHEN 'SOCIAL_MEDIA' THEN 'organic' WHEN 'ORGANIC_SOCIAL' THEN 'organic'
             WHEN 'ORGANIC' THEN 'organic' WHEN 'SEO' THEN 'organic'
             WHEN 'DIRECT_TRAFFIC' THEN 'direct' WHEN 'DIRECT' THEN 'direct'
             WHEN 'EMAIL_MARKETING' THEN 'email' WHEN 'EMAIL' THEN 'email' WHEN 'NEWSLETTER' THEN 'email'
             WHEN 'REFERRALS' THEN 'referral' WHEN 'REFERRAL' THEN 'referral' WHEN 'AI_REFERRALS' THEN 'referral'
             WHEN 'PARTNER_REFERRAL' THEN 'referral' WHEN 'EMPLOYEE_REFERRAL' THEN 'referral'
             WHEN 'EXTERNAL_REFERRAL' THEN 'referral' WHEN 'WORD_OF_MOUTH' THEN 'referral'
             WHEN 'PAID_SEARCH' THEN recon.load_platform_named(crm_source_detail)
             WHEN 'PAID_SOCIAL' THEN recon.load_platform_named(crm_source_detail)
             ELSE recon.load_platform_named(crm_source) END,
        'unknown')
$$;
COMMENT ON FUNCTION recon.load_channel(text, text, text, text, text, text, text, text, text, text) IS
    'The channel of a CRM record, first rule that applies: (1) a click id: gclid, gbraid or wbraid -> google, fbclid -> meta, ttclid -> tiktok, msclkid -> microsoft, li_fat_id -> linkedin; (2) the UTM source naming a platform (recon.load_platform_named: facebook, fb, ig, instagram, meta -> meta; google, adwords -> google; tiktok; linkedin; bing, microsoft -> microsoft); (3) the CRM''s source, internal value or label (HubSpot Original Source, Salesforce LeadSource; "Paid social" reads as PAID_SOCIAL): ORGANIC_SEARCH, SOCIAL_MEDIA -> organic; DIRECT_TRAFFIC -> direct; EMAIL_MARKETING -> email; REFERRALS (and Partner/Employee/External Referral, Word of mouth) -> referral; PAID_SEARCH and PAID_SOCIAL -> the platform the drill-down (crm_source_detail) names, else unknown; any other source naming a platform (Google AdWords, Facebook) -> that platform; OFFLINE, OTHER_CAMPAIGNS, Web and the rest -> unknown; (4) unknown.';

-- A value of a landing-page URL parameter recon_parse_click_ids does not read (HubSpot's hsa_cam, hsa_grp, hsa_ad).
CREATE FUNCTION recon.load_url_param(url text, name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif((regexp_match(url, '[?&#]' || name || '=([^&#]*)'))[1], '')
$$;
COMMENT ON FUNCTION recon.load_url_param(text, text) IS
    'The raw value of a query parameter of a URL (first occurrence), NULL when absent or empty. Used for HubSpot''s ad tracking parameters hsa_cam, hsa_grp and hsa_ad (campaign, ad group, ad ids), which recon_parse_click_ids does not read.';

-- Yes/no cells: true/false, 1/0, yes/no.
CREATE FUNCTION recon.load_bool(raw text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN lower(btrim(raw)) IN ('true', 't', '1', 'yes', 'y') THEN true
                WHEN lower(btrim(raw)) IN ('false', 'f', '0', 'no', 'n') THEN false END
$$;
COMMENT ON FUNCTION recon.load_bool(text) IS
    'A yes/no cell: true, t, 1, yes, y -> true; false, f, 0, no, n -> false (case-insensitive); NULL when blank or anything else.';

-- A CRM time: ISO (2026-03-01 10:15, 2026-03-01T10:15:00.000+0000) or the load's style (report exports: 3/1/2026, 10:15 AM).
CREATE FUNCTION recon.load_crm_time(raw text, zone text, style text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(@extschema@.recon_parse_timestamp(raw, zone, 'iso'), @extschema@.recon_parse_timestamp(raw, zone, style))
$$;
COMMENT ON FUNCTION recon.load_crm_time(text, text, text) IS
    'An instant from a CRM export cell: ISO first (2026-03-01 10:15, 2026-03-01T10:15:00.000+0000, 2026-03-01), else the load''s date_style (mdy by default: Salesforce report exports write 3/1/2026, 10:15 AM). Times without an offset and dates are local to zone. NULL when blank or malformed.';

-- The zone of a CRM file's local times; raises when it has some and the load gives none.
CREATE FUNCTION recon.load_crm_timezone(options jsonb, fields text[], system_hint text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    f text;
    example text;
    style text := coalesce(options ->> 'date_style', 'mdy');
BEGIN
    IF options ? 'timezone' THEN
        RETURN options ->> 'timezone';
    END IF;
    FOREACH f IN ARRAY fields LOOP
        EXECUTE format($q$SELECT %1$I FROM pg_temp.recon_load_rows
                          WHERE problem IS NULL AND recon.load_crm_time(%1$I, 'UTC', $1) IS NOT NULL
                            AND btrim(%1$I) !~* '\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|UTC|GMT|[+-]\d\d(:?\d\d)?)$'
                          ORDER BY line_number LIMIT 1$q$, f)
            INTO example USING style;
        IF example IS NOT NULL THEN
            RAISE EXCEPTION 'the % column holds local times or dates (%), and the load gives no timezone', f, quote_literal(example)
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Pass {"timezone": "<IANA zone>"}: ' || system_hint;
        END IF;
    END LOOP;
    RETURN 'UTC';   -- every time carries its offset: the zone changes nothing
END $$;
COMMENT ON FUNCTION recon.load_crm_timezone(jsonb, text[], text) IS
    'The zone a CRM load reads local times and dates in: the timezone option; else UTC when no cell of the given fields holds a local time or a date (every time has an offset); else raises 22023 naming the column and an example, with system_hint saying which zone the system writes.';

-- The default country of phone numbers (default_region option), checked.
CREATE FUNCTION recon.load_default_region(options jsonb) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    region text := @extschema@.recon_normalize_country(options ->> 'default_region');
BEGIN
    IF options ? 'default_region' AND region IS NULL THEN
        RAISE EXCEPTION 'default_region % is not a country recon reads', quote_literal(options ->> 'default_region')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use an ISO 3166 code such as US, DE or GB.';
    END IF;
    RETURN region;
END $$;
COMMENT ON FUNCTION recon.load_default_region(jsonb) IS
    'The country (ISO 3166-1 alpha-2, lower case) in the default_region option, for phone numbers written without a country code on rows without a Country; NULL when absent; 22023 when unreadable.';

-- A lead's status from its CRM status (HubSpot Lead Status, Salesforce Status) and conversion.
CREATE FUNCTION recon.load_lead_status(status text, is_converted boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN is_converted OR (is_converted IS NULL AND recon.load_crm_key(status) = 'CLOSED_CONVERTED') THEN 'won'
                WHEN recon.load_crm_key(status) ~ '^(CLOSED|UNQUALIFIED|DISQUALIFIED|BAD_FIT|BAD_TIMING|JUNK|SPAM|DUPLICATE|TEST)'
                THEN 'lost'
                ELSE 'open' END
$$;
COMMENT ON FUNCTION recon.load_lead_status(text, boolean) IS
    'won for a converted lead (Salesforce IsConverted, or Status Closed - Converted when the file has no IsConverted): its outcome is then its opportunity''s; lost when the status (internal value or label) starts with Closed (Closed - Not Converted), Unqualified, Disqualified, Bad fit, Bad timing, Junk, Spam, Duplicate or Test; else open.';

-- Why a lead was lost: the file's reason, else its status; spam, duplicate and test in recon's words.
CREATE FUNCTION recon.load_status_reason(reason text, status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN recon.load_crm_key(coalesce(nullif(btrim(reason), ''), status)) ~ '(SPAM|JUNK)' THEN 'spam'
                WHEN recon.load_crm_key(coalesce(nullif(btrim(reason), ''), status)) ~ 'DUPLICATE' THEN 'duplicate'
                WHEN recon.load_crm_key(coalesce(nullif(btrim(reason), ''), status)) ~ '(^|_)TEST' THEN 'test'
                ELSE coalesce(nullif(btrim(reason), ''), nullif(btrim(status), '')) END
$$;
COMMENT ON FUNCTION recon.load_status_reason(text, text) IS
    'The status_reason of a closed lead: the file''s reason column when filled, else the status as written; spam (also junk), duplicate or test when it says so, in the words recon.record_invalidity reads.';

-- A deal's or opportunity's status from its stage and the CRM's closed/won flags.
CREATE FUNCTION recon.load_deal_status(stage text, is_closed boolean, is_won boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN is_won THEN 'won'
                WHEN is_closed THEN 'lost'
                WHEN NOT is_closed THEN 'open'
                ELSE CASE replace(recon.load_crm_key(stage), '_', '')
                          WHEN 'CLOSEDWON' THEN 'won' WHEN 'WON' THEN 'won'
                          WHEN 'CLOSEDLOST' THEN 'lost' WHEN 'LOST' THEN 'lost'
                          ELSE 'open' END END
$$;
COMMENT ON FUNCTION recon.load_deal_status(text, boolean, boolean) IS
    'won or lost from the CRM''s flags when the file has them (Salesforce IsWon/IsClosed, HubSpot Is Closed Won/Is Deal Closed?: closed and not won is lost); else from the stage: closedwon, Closed won, Closed Won -> won; closedlost, Closed lost -> lost; any other stage -> open.';

-- The ids a record key may be stored under: Salesforce ids in their 18- or 15-character form.
CREATE FUNCTION recon.load_id_spellings(crm_system text, key text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN crm_system = 'salesforce' AND length(key) >= 18 THEN ARRAY[key, left(key, -3)] ELSE ARRAY[key] END
$$;
COMMENT ON FUNCTION recon.load_id_spellings(text, text) IS
    'The record ids a link or history key may match in funnel_records: for Salesforce the 18-character id and its first 15 characters (reports export 15, the API and Data Loader 18), otherwise the key itself.';

-- An instant as reject reasons write it, whatever the session's DateStyle and TimeZone.
CREATE FUNCTION recon.load_instant_text(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
COMMENT ON FUNCTION recon.load_instant_text(timestamptz) IS
    'An instant in UTC as ISO 8601 text (2026-03-10T06:00:00Z), for reject reasons that must not depend on the session''s DateStyle or TimeZone.';

-- The session's staging tables of a CRM load, filled by the mappers.
CREATE FUNCTION recon.load_funnel_staging() RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_records;
    CREATE TEMP TABLE recon_load_records (
        line_number bigint PRIMARY KEY, reasons text[] NOT NULL DEFAULT '{}',
        record_id text, record_key text, record_type text, created_at timestamptz, created_raw text,
        source text, source_detail text, landing_url text, campaign_id text, adset_id text, ad_id text,
        utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text, utm_id text,
        fbclid text, gclid text, gbraid text, wbraid text, ttclid text, msclkid text, li_fat_id text,
        email text, phone text, first_name text, last_name text, country text, customer_id text,
        parent_ref text, child_ref text, amount_raw text, stated_value numeric, currency_raw text,
        stage text, status text, status_reason text, closed_at timestamptz, close_field text, close_raw text,
        last_modified timestamptz, owner text, dq_flags text[] NOT NULL DEFAULT '{}');
    DROP TABLE IF EXISTS pg_temp.recon_load_history;
    CREATE TEMP TABLE recon_load_history (
        line_number bigint PRIMARY KEY, reasons text[] NOT NULL DEFAULT '{}',
        record_key text, stage text, entered_at timestamptz);
END $$;
COMMENT ON FUNCTION recon.load_funnel_staging() IS
    'Creates (or empties) the session''s pg_temp.recon_load_records (one typed row per CRM record: ids, raw contact data, country, click ids and landing URL, source and drill-down, parent_ref/child_ref, amount raw and typed, currency as written, stage, status, closed_at given with its field and raw text, last_modified, reasons) and pg_temp.recon_load_history (record_key, stage, entered_at, reasons), which the CRM mappers fill for recon.load_write_funnel_records and recon.load_write_stage_history.';

-- Write the records typed into pg_temp.recon_load_records: upsert by record id, links, contact details.
CREATE FUNCTION recon.load_write_funnel_records(batch text, source_file text, options jsonb, crm text, links text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    pulled timestamptz := coalesce((options ->> 'pulled_at')::timestamptz, now());
    zone text := coalesce(options ->> 'timezone', 'UTC');
    region text := recon.load_default_region(options);
    rejected bigint;
    skipped bigint;
    replaced bigint;
    written bigint;
    kept bigint := 0;
    linked bigint := 0;
BEGIN
    IF links IS NOT NULL AND links NOT IN ('child', 'parent') THEN
        RAISE EXCEPTION 'links % is not known', links USING ERRCODE = 'invalid_parameter_value', HINT = 'Use child, parent or NULL.';
    END IF;
    IF options ->> 'currency' IS NULL
       AND EXISTS (SELECT 1 FROM pg_temp.recon_load_records WHERE amount_raw IS NOT NULL)
       AND NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_records WHERE currency_raw IS NOT NULL) THEN
        RAISE EXCEPTION 'this % file has amounts but no currency', crm
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Export the currency column (HubSpot Deal currency code, Salesforce CurrencyIsoCode) or pass {"currency": "<ISO 4217>"}: the company currency.';
    END IF;

    -- Everything a record derives: URL values, channel, digests, market, closing time, money reasons.
    DROP TABLE IF EXISTS pg_temp.recon_load_funnel;
    CREATE TEMP TABLE recon_load_funnel AS
    SELECT r.line_number, r.record_id, r.record_key, r.record_type, r.created_at, r.created_raw,
           recon.load_channel(coalesce(r.gclid, u.gclid), coalesce(r.gbraid, u.gbraid), coalesce(r.wbraid, u.wbraid),
                              coalesce(r.fbclid, u.fbclid), coalesce(r.ttclid, u.ttclid), coalesce(r.msclkid, u.msclkid),
                              coalesce(r.li_fat_id, u.li_fat_id), coalesce(r.utm_source, u.utm_source),
                              r.source, r.source_detail) AS channel,
           r.source,
           coalesce(r.campaign_id, recon_normalize_platform_id(recon.load_url_param(r.landing_url, 'hsa_cam'))) AS campaign_id,
           coalesce(r.adset_id, recon_normalize_platform_id(recon.load_url_param(r.landing_url, 'hsa_grp'))) AS adset_id,
           coalesce(r.ad_id, recon_normalize_platform_id(recon.load_url_param(r.landing_url, 'hsa_ad'))) AS ad_id,
           coalesce(r.utm_source, u.utm_source) AS utm_source, coalesce(r.utm_medium, u.utm_medium) AS utm_medium,
           coalesce(r.utm_campaign, u.utm_campaign) AS utm_campaign, coalesce(r.utm_content, u.utm_content) AS utm_content,
           coalesce(r.utm_term, u.utm_term) AS utm_term, coalesce(r.utm_id, u.utm_id) AS utm_id,
           coalesce(r.fbclid, u.fbclid) AS fbclid, coalesce(r.gclid, u.gclid) AS gclid,
           coalesce(r.gbraid, u.gbraid) AS gbraid, coalesce(r.wbraid, u.wbraid) AS wbraid,
           coalesce(r.ttclid, u.ttclid) AS ttclid, coalesce(r.msclkid, u.msclkid) AS msclkid,
           coalesce(r.li_fat_id, u.li_fat_id) AS li_fat_id,
           c.email_sha256, c.phone_sha256,
           r.email, r.phone, r.first_name, r.last_name, r.customer_id, r.parent_ref, r.child_ref,
           r.stated_value, upper(btrim(coalesce(r.currency_raw, options ->> 'currency'))) AS currency,
           r.stage, r.status, CASE WHEN r.status IN ('lost', 'cancelled') THEN r.status_reason END AS status_reason,
           CASE WHEN r.status = 'open' THEN NULL
                -- a close date without a time on the day the record was created: closed when created
                WHEN r.close_raw !~ '\d:\d\d' AND r.closed_at < r.created_at
                     AND (r.closed_at AT TIME ZONE zone)::date = (r.created_at AT TIME ZONE zone)::date THEN r.created_at
                ELSE coalesce(r.closed_at, r.last_modified, pulled) END AS closed_at,
           r.status <> 'open' AND r.closed_at IS NULL AS closed_assumed,
           r.owner, upper(@extschema@.recon_normalize_country(r.country)) AS market,
           r.dq_flags
             || CASE WHEN r.status <> 'open' AND r.closed_at IS NULL THEN '{closed_at_assumed}'::text[] ELSE '{}' END
             || CASE WHEN r.email IS NOT NULL AND c.email_sha256 IS NULL THEN '{email_unusable}'::text[] ELSE '{}' END
             || CASE WHEN r.phone IS NOT NULL AND c.phone_sha256 IS NULL THEN '{phone_unusable}'::text[] ELSE '{}' END
             || coalesce(u.flags, '{}') AS dq_flags,
           r.reasons || array_remove(ARRAY[
               recon.load_bad('bad_amount', 'amount', r.amount_raw, r.stated_value),
               CASE WHEN r.stated_value < 0 THEN 'bad_amount: amount ' || quote_literal(r.amount_raw) || ' is negative' END,
               recon.load_bad_currency('currency', r.currency_raw),
               recon.load_bad_precision('amount', r.stated_value, upper(btrim(coalesce(r.currency_raw, options ->> 'currency')))),
               CASE WHEN r.stated_value IS NOT NULL AND coalesce(r.currency_raw, options ->> 'currency') IS NULL
                    THEN 'missing: currency (the row has an amount)' END], NULL) AS reasons
    FROM pg_temp.recon_load_records r
    CROSS JOIN LATERAL (SELECT @extschema@.recon_hash_identifier(r.email, 'email', 'meta', k.country) AS email_sha256,
                               @extschema@.recon_hash_identifier(r.phone, 'phone', 'meta', k.country) AS phone_sha256
                        FROM (SELECT coalesce(@extschema@.recon_normalize_country(r.country), region) AS country) k) c
    LEFT JOIN LATERAL @extschema@.recon_parse_click_ids(r.landing_url) u ON r.landing_url IS NOT NULL;

    -- Rules that need the stored records or the whole file.
    UPDATE pg_temp.recon_load_funnel t
       SET reasons = t.reasons || x.more
      FROM (SELECT n.line_number,
                   array_remove(ARRAY[
                       CASE WHEN n.closed_at < n.created_at THEN
                           CASE WHEN n.closed_assumed
                                THEN format('close_before_create: the record is %s without a close date (taken as %s) before its create date %L',
                                            n.status, recon.load_instant_text(n.closed_at), n.created_raw)
                                ELSE format('close_before_create: %s %L is before the create date %L',
                                            r.close_field, r.close_raw, n.created_raw) END END,
                       CASE WHEN f.record_id IS NOT NULL AND (f.crm_system <> crm OR f.record_type <> n.record_type)
                            THEN format('id_conflict: record id %L is already a %s %s in recon.funnel_records (give one of the loads an id_prefix)',
                                        n.record_id, f.crm_system, f.record_type) END,
                       CASE WHEN n.first_line <> n.line_number
                            THEN format('duplicate_row: record id %L is also on line %s', n.record_id, n.first_line) END], NULL) AS more
            FROM (SELECT *, min(line_number) OVER (PARTITION BY record_id) AS first_line
                  FROM pg_temp.recon_load_funnel WHERE cardinality(reasons) = 0) n
            JOIN pg_temp.recon_load_records r USING (line_number)
            LEFT JOIN recon.funnel_records f ON f.record_id = n.record_id) x
     WHERE t.line_number = x.line_number AND cardinality(x.more) > 0;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_funnel WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_funnel WHERE cardinality(reasons) > 0;

    -- An export pulled before the one that wrote a record does not overwrite it.
    skipped := recon.load_set_aside(batch, source_file, 'skipped', format($q$
        SELECT t.line_number, ARRAY[format('stale: record %%s was written by batch %%s, pulled %%s, after this export (pulled %%s)',
                                           t.record_id, b.batch_id, recon.load_instant_text(b.pulled_at),
                                           recon.load_instant_text(%L::timestamptz))] AS reasons
        FROM pg_temp.recon_load_funnel t
        JOIN recon.funnel_records f ON f.record_id = t.record_id
        JOIN recon.load_batches b ON b.batch_id = f.batch_id
        WHERE b.pulled_at > %L::timestamptz$q$, pulled, pulled));
    DELETE FROM pg_temp.recon_load_funnel t WHERE NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_rows r WHERE r.line_number = t.line_number);

    -- A record still closed the same way keeps the closing time an earlier load assumed.
    UPDATE pg_temp.recon_load_funnel t SET closed_at = f.closed_at
      FROM recon.funnel_records f
     WHERE t.closed_assumed AND f.record_id = t.record_id AND f.status = t.status AND f.closed_at IS NOT NULL;

    SELECT count(*) INTO replaced FROM pg_temp.recon_load_funnel t JOIN recon.funnel_records f USING (record_id);
    INSERT INTO recon.funnel_records AS f
        (record_id, record_type, crm_system, created_at, channel, source, campaign_id, adset_id, ad_id,
         utm_source, utm_medium, utm_campaign, utm_content, utm_term, utm_id, fbclid, gclid, gbraid, wbraid,
         ttclid, msclkid, li_fat_id, email_sha256, phone_sha256, customer_id, stated_value, currency,
         stage, status, status_reason, closed_at, owner, market, record_source, batch_id, dq_flags)
    SELECT record_id, record_type, crm, created_at, channel, source, campaign_id, adset_id, ad_id,
           utm_source, utm_medium, utm_campaign, utm_content, utm_term, utm_id, fbclid, gclid, gbraid, wbraid,
           ttclid, msclkid, li_fat_id, email_sha256, phone_sha256, customer_id, stated_value,
           currency, stage, status, status_reason, closed_at, owner, market,
           source_file, batch, dq_flags
    FROM pg_temp.recon_load_funnel ORDER BY line_number
    ON CONFLICT (record_id) DO UPDATE SET
        created_at = excluded.created_at, channel = excluded.channel, source = excluded.source,
        campaign_id = excluded.campaign_id, adset_id = excluded.adset_id, ad_id = excluded.ad_id,
        utm_source = excluded.utm_source, utm_medium = excluded.utm_medium, utm_campaign = excluded.utm_campaign,
        utm_content = excluded.utm_content, utm_term = excluded.utm_term, utm_id = excluded.utm_id,
        fbclid = excluded.fbclid, gclid = excluded.gclid, gbraid = excluded.gbraid, wbraid = excluded.wbraid,
        ttclid = excluded.ttclid, msclkid = excluded.msclkid, li_fat_id = excluded.li_fat_id,
        email_sha256 = excluded.email_sha256, phone_sha256 = excluded.phone_sha256, customer_id = excluded.customer_id,
        stated_value = excluded.stated_value, currency = excluded.currency, stage = excluded.stage,
        status = excluded.status, status_reason = excluded.status_reason, closed_at = excluded.closed_at,
        owner = excluded.owner, market = excluded.market, record_source = excluded.record_source,
        batch_id = excluded.batch_id,
        -- unknown_parent is the links' to say (below)
        dq_flags = excluded.dq_flags || CASE WHEN 'unknown_parent' = ANY (f.dq_flags) THEN '{unknown_parent}'::text[] ELSE '{}' END;
    GET DIAGNOSTICS written = ROW_COUNT;

    IF coalesce((options ->> 'keep_pii')::boolean, false) THEN
        kept := recon.load_keep_contacts('funnel', batch, source_file, $q$
            SELECT record_id, email, phone, first_name, last_name FROM pg_temp.recon_load_funnel ORDER BY line_number$q$);
    END IF;

    -- Relationships: the file restates those it names (a deal's contact, a lead's opportunity).
    DROP TABLE IF EXISTS pg_temp.recon_load_touched;
    CREATE TEMP TABLE recon_load_touched (child_key text);
    IF links = 'child' THEN
        WITH gone AS (DELETE FROM recon.load_record_links l USING pg_temp.recon_load_funnel t
                      WHERE l.crm_system = crm AND l.child_key = t.record_key RETURNING l.child_key)
        INSERT INTO pg_temp.recon_load_touched SELECT child_key FROM gone;
        INSERT INTO recon.load_record_links (crm_system, child_key, parent_key, record_source, batch_id)
        SELECT crm, record_key, parent_ref, source_file, batch FROM pg_temp.recon_load_funnel WHERE parent_ref IS NOT NULL;
        GET DIAGNOSTICS linked = ROW_COUNT;
        INSERT INTO pg_temp.recon_load_touched SELECT record_key FROM pg_temp.recon_load_funnel;
    ELSIF links = 'parent' THEN
        WITH gone AS (DELETE FROM recon.load_record_links l USING pg_temp.recon_load_funnel t
                      WHERE l.crm_system = crm AND l.parent_key = t.record_key RETURNING l.child_key)
        INSERT INTO pg_temp.recon_load_touched SELECT child_key FROM gone;
        -- several leads converted into one opportunity: the earliest created is its parent
        INSERT INTO recon.load_record_links AS l (crm_system, child_key, parent_key, record_source, batch_id)
        SELECT DISTINCT ON (child_ref) crm, child_ref, record_key, source_file, batch
        FROM pg_temp.recon_load_funnel WHERE child_ref IS NOT NULL
        ORDER BY child_ref, created_at, line_number
        ON CONFLICT (crm_system, child_key) DO UPDATE
            SET parent_key = excluded.parent_key, record_source = excluded.record_source,
                batch_id = excluded.batch_id, loaded_at = now();
        GET DIAGNOSTICS linked = ROW_COUNT;
        INSERT INTO pg_temp.recon_load_touched SELECT child_ref FROM pg_temp.recon_load_funnel WHERE child_ref IS NOT NULL;
    END IF;
    -- records of this file at either end of a link stored earlier
    INSERT INTO pg_temp.recon_load_touched
    SELECT l.child_key FROM recon.load_record_links l JOIN pg_temp.recon_load_funnel t
        ON l.crm_system = crm AND l.parent_key = t.record_key
    UNION ALL
    SELECT l.child_key FROM recon.load_record_links l JOIN pg_temp.recon_load_funnel t
        ON l.crm_system = crm AND l.child_key = t.record_key;

    -- (spellings are unnested and joined: a join on = ANY (...) cannot hash)
    UPDATE recon.funnel_records c
       SET parent_record_id = x.parent_id,
           dq_flags = array_remove(c.dq_flags, 'unknown_parent')
                      || CASE WHEN x.parent_key IS NOT NULL AND x.parent_id IS NULL THEN '{unknown_parent}'::text[] ELSE '{}' END
      FROM (SELECT DISTINCT ON (k.child_key) k.child_key, l.parent_key, p.record_id AS parent_id
            FROM (SELECT DISTINCT child_key FROM pg_temp.recon_load_touched) k
            LEFT JOIN recon.load_record_links l ON l.crm_system = crm AND l.child_key = k.child_key
            LEFT JOIN LATERAL unnest(recon.load_id_spellings(crm, l.parent_key)) AS ps(record_id) ON true
            LEFT JOIN recon.funnel_records p ON p.record_id = ps.record_id AND p.crm_system = crm AND p.record_type = 'lead'
            ORDER BY k.child_key, p.record_id IS NULL, p.record_id = l.parent_key DESC) x
      CROSS JOIN LATERAL unnest(recon.load_id_spellings(crm, x.child_key)) AS cs(record_id)
     WHERE c.record_id = cs.record_id AND c.crm_system = crm AND c.record_type <> 'lead'
       AND (c.parent_record_id IS DISTINCT FROM x.parent_id
            OR ('unknown_parent' = ANY (c.dq_flags)) IS DISTINCT FROM (x.parent_key IS NOT NULL AND x.parent_id IS NULL));

    RETURN jsonb_build_object('rejected', rejected, 'skipped', skipped, 'replaced', replaced,
                              'scope', jsonb_build_object('crm_system', crm, 'replaced_by', 'record_id',
                                                          'record_types', (SELECT jsonb_agg(DISTINCT record_type) FROM pg_temp.recon_load_funnel)),
                              'tables', jsonb_build_object('funnel_records', written)
                                        || CASE WHEN links IS NOT NULL THEN jsonb_build_object('load_record_links', linked) ELSE '{}' END
                                        || CASE WHEN kept > 0 THEN jsonb_build_object('contact_details', kept) ELSE '{}' END);
END $$;
COMMENT ON FUNCTION recon.load_write_funnel_records(text, text, jsonb, text, text) IS
    'The writer every CRM record loader shares. Reads pg_temp.recon_load_records (recon.load_funnel_staging); fills click ids and UTM values from the landing URL where the file has no column (and campaign, ad set, ad ids from HubSpot''s hsa_cam, hsa_grp, hsa_ad), derives the channel (recon.load_channel), hashes email and phone for Meta with the row''s Country or the default_region option, and the market from the country; a closed record without a close date is closed at its last-modified time, else at pulled_at (dq_flags closed_at_assumed; kept by later loads while its status stays), a date-only close on its creation day at its creation time. Rejects bad, negative or too precise amounts, unknown currencies, a close before the create date, an id already used by another CRM or record type, a record id twice in the file; skips (stale) a record a later-pulled export wrote; upserts the rest by record_id (replaced = those that existed), the raw contact data into recon.contact_details only with keep_pii. links: child (the file names each record''s parent: parent_ref) or parent (it names the record each one became: child_ref) restates recon.load_record_links; then sets parent_record_id of every child whose link this load touched (unknown_parent when the named parent is not loaded).';

-- Write the stage entries typed into pg_temp.recon_load_history: the history of each record in the file, replaced whole.
CREATE FUNCTION recon.load_write_stage_history(batch text, source_file text, options jsonb, crm text) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    rejected bigint;
    skipped bigint;
    replaced bigint;
    written bigint;
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_entries;
    CREATE TEMP TABLE recon_load_entries AS
    SELECT h.line_number, h.record_key, f.record_id, h.stage, h.entered_at,
           h.reasons || array_remove(ARRAY[
               CASE WHEN h.record_key IS NOT NULL AND f.record_id IS NULL
                    THEN format('unknown_record: %L is not a %s record in recon.funnel_records (load its deals or opportunities first)',
                                h.record_key, crm) END], NULL) AS reasons
    FROM pg_temp.recon_load_history h
    LEFT JOIN (SELECT DISTINCT ON (line_number) h2.line_number, f.record_id
               FROM pg_temp.recon_load_history h2
               CROSS JOIN LATERAL unnest(recon.load_id_spellings(crm, h2.record_key)) AS sp(record_id)
               JOIN recon.funnel_records f ON f.record_id = sp.record_id AND f.crm_system = crm
               ORDER BY h2.line_number, f.record_id = h2.record_key DESC) f USING (line_number);
    -- A history is replaced whole: a record with a rejected entry keeps the history it had.
    UPDATE pg_temp.recon_load_entries e
       SET reasons = ARRAY[format('incomplete_history: line(s) %s of the same record were rejected; a history is replaced only whole', x.lines)]
      FROM (SELECT record_id, string_agg(line_number::text, ', ' ORDER BY line_number) AS lines
            FROM pg_temp.recon_load_entries WHERE cardinality(reasons) > 0 AND record_id IS NOT NULL GROUP BY 1) x
     WHERE e.record_id = x.record_id AND cardinality(e.reasons) = 0;
    -- A row stated twice is rejected once; the history stays whole.
    UPDATE pg_temp.recon_load_entries e
       SET reasons = e.reasons || format('duplicate_row: same record, stage and time as line %s', d.first_line)
      FROM (SELECT line_number, min(line_number) OVER (PARTITION BY record_id, stage, entered_at) AS first_line
            FROM pg_temp.recon_load_entries WHERE cardinality(reasons) = 0) d
     WHERE e.line_number = d.line_number AND d.first_line <> d.line_number;
    rejected := recon.load_set_aside(batch, source_file, 'rejected',
        'SELECT line_number, reasons FROM pg_temp.recon_load_entries WHERE cardinality(reasons) > 0');
    DELETE FROM pg_temp.recon_load_entries WHERE cardinality(reasons) > 0;

    -- Rows that change something else (amount, close date) leave the stage as it was: no new entry.
    skipped := recon.load_set_aside(batch, source_file, 'skipped', $q$
        SELECT line_number, ARRAY[format('unchanged_stage: %s stays in %s (line %s)', record_id, stage, previous_line)] AS reasons
        FROM (SELECT *, lag(stage) OVER w AS previous_stage, lag(line_number) OVER w AS previous_line
              FROM pg_temp.recon_load_entries WINDOW w AS (PARTITION BY record_id ORDER BY entered_at, line_number)) e
        WHERE stage = previous_stage$q$);
    DELETE FROM pg_temp.recon_load_entries e WHERE NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_rows r WHERE r.line_number = e.line_number);

    DELETE FROM recon.funnel_stage_history h WHERE h.record_id IN (SELECT record_id FROM pg_temp.recon_load_entries);
    GET DIAGNOSTICS replaced = ROW_COUNT;
    INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, exited_at, record_source, batch_id)
    SELECT record_id, stage, entered_at,
           lead(entered_at) OVER (PARTITION BY record_id ORDER BY entered_at, line_number), source_file, batch
    FROM pg_temp.recon_load_entries ORDER BY record_id, entered_at, line_number;
    GET DIAGNOSTICS written = ROW_COUNT;

    RETURN jsonb_build_object('rejected', rejected, 'skipped', skipped, 'replaced', replaced,
                              'scope', jsonb_build_object('crm_system', crm, 'replaced_by', 'record_id',
                                                          'records', (SELECT count(DISTINCT record_id) FROM pg_temp.recon_load_entries)),
                              'tables', jsonb_build_object('funnel_stage_history', written));
END $$;
COMMENT ON FUNCTION recon.load_write_stage_history(text, text, jsonb, text) IS
    'The writer of CRM stage histories (HubSpot deal stage history, Salesforce OpportunityHistory). Reads pg_temp.recon_load_history (line_number, reasons, record_key, stage, entered_at); finds each record in funnel_records (Salesforce: either id length), rejecting entries of records not loaded, duplicates (record, stage, time) and every entry of a record one of whose entries was rejected (a history is replaced only whole); skips an entry that repeats the stage before it (unchanged_stage: an amount or close-date change); then deletes the stored history of every record in the file and writes its entries, exited_at = the next entry''s entered_at.';

-- ===== src/load/hubspot.sql =====
-- HubSpot: contacts and deals exports (CRM > Export, CSV) and a deal stage
-- history (one row per stage a deal entered). Contacts become leads, deals
-- opportunities whose parent is their first associated contact; both are
-- upserted by Record ID (docs/loading-crm.md).

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('hubspot_contacts', 'csv', 'hubspot', 'recon.load_map_hubspot_contacts',
     '{funnel_records,contact_details}', '{id_prefix,default_region}',
     'HubSpot contacts export (Contacts > Export, CSV; labels or internal names as headers): Record ID, names, Email, Phone Number, Create Date (portal time zone), Lifecycle Stage, Lead Status, Original Source and its drill-downs, Google ad click id, Facebook click id, First Page Seen, Country. One lead per contact.'),
    ('hubspot_deals', 'csv', 'hubspot', 'recon.load_map_hubspot_deals',
     '{funnel_records,load_record_links}', '{id_prefix,currency}',
     'HubSpot deals export (Deals > Export, CSV): Record ID, Deal Stage, Amount, Deal currency code, Create Date, Close Date, Associated Contact IDs (the first is the deal''s lead), Closed Lost Reason, optionally Is Closed Won / Is Deal Closed?. One opportunity per deal.'),
    ('hubspot_deal_stage_history', 'csv', 'hubspot', 'recon.load_map_hubspot_deal_stage_history',
     '{funnel_stage_history}', '{id_prefix}',
     'HubSpot deal stage history, one row per stage a deal entered (from the dealstage property history of the CRM API, or a report of deal stage changes): Deal ID, Deal Stage, Entered At. The history of every deal in the file replaces the one stored.');

INSERT INTO recon.load_format_fields (format, field, headers, required, pii) VALUES
    ('hubspot_contacts', 'record_id',       ARRAY['record id', 'contact id', 'hs_object_id', 'vid'], true, false),
    ('hubspot_contacts', 'first_name',      ARRAY['first name', 'firstname'], false, true),
    ('hubspot_contacts', 'last_name',       ARRAY['last name', 'lastname'], false, true),
    ('hubspot_contacts', 'email',           ARRAY['email', 'email address'], false, true),
    ('hubspot_contacts', 'phone',           ARRAY['phone number', 'phone', 'mobile phone number', 'mobilephone'], false, true),
    ('hubspot_contacts', 'create_date',     ARRAY['create date', 'createdate', 'created date'], true, false),
    ('hubspot_contacts', 'last_modified',   ARRAY['last modified date', 'lastmodifieddate'], false, false),
    ('hubspot_contacts', 'lifecycle_stage', ARRAY['lifecycle stage', 'lifecyclestage'], true, false),
    ('hubspot_contacts', 'lead_status',     ARRAY['lead status', 'hs_lead_status'], false, false),
    ('hubspot_contacts', 'original_source', ARRAY['original source', 'original source type', 'hs_analytics_source'], false, false),
    ('hubspot_contacts', 'drill_down_1',    ARRAY['original source drill-down 1', 'hs_analytics_source_data_1'], false, false),
    ('hubspot_contacts', 'drill_down_2',    ARRAY['original source drill-down 2', 'hs_analytics_source_data_2'], false, false),
    ('hubspot_contacts', 'gclid',           ARRAY['google ad click id', 'hs_google_click_id'], false, false),
    ('hubspot_contacts', 'fbclid',          ARRAY['facebook click id', 'hs_facebook_click_id'], false, false),
    ('hubspot_contacts', 'landing_url',     ARRAY['first page seen', 'hs_analytics_first_url', 'landing page( url)?', 'first url'], false, false),
    ('hubspot_contacts', 'utm_source',      ARRAY['utm[ _]source'], false, false),
    ('hubspot_contacts', 'utm_medium',      ARRAY['utm[ _]medium'], false, false),
    ('hubspot_contacts', 'utm_campaign',    ARRAY['utm[ _]campaign'], false, false),
    ('hubspot_contacts', 'utm_content',     ARRAY['utm[ _]content'], false, false),
    ('hubspot_contacts', 'utm_term',        ARRAY['utm[ _]term'], false, false),
    ('hubspot_contacts', 'country',         ARRAY['country', 'country/region'], false, false),
    ('hubspot_contacts', 'owner',           ARRAY['contact owner', 'hubspot_owner_id'], false, false),
    ('hubspot_contacts', 'company_ids',     ARRAY['associated company ids?', 'associatedcompanyid'], false, false),
    ('hubspot_deals', 'record_id',          ARRAY['record id', 'deal id', 'hs_object_id'], true, false),
    ('hubspot_deals', 'deal_stage',         ARRAY['deal stage', 'dealstage'], true, false),
    ('hubspot_deals', 'amount',             ARRAY['amount'], false, false),
    ('hubspot_deals', 'currency',           ARRAY['deal currency code', 'deal_currency_code', 'currency'], false, false),
    ('hubspot_deals', 'create_date',        ARRAY['create date', 'createdate'], true, false),
    ('hubspot_deals', 'close_date',         ARRAY['close date', 'closedate'], false, false),
    ('hubspot_deals', 'last_modified',      ARRAY['last modified date', 'hs_lastmodifieddate'], false, false),
    ('hubspot_deals', 'is_won',             ARRAY['is closed won', 'hs_is_closed_won'], false, false),
    ('hubspot_deals', 'is_closed',          ARRAY['is deal closed\??', 'hs_is_closed'], false, false),
    ('hubspot_deals', 'lost_reason',        ARRAY['closed lost reason', 'closed_lost_reason'], false, false),
    ('hubspot_deals', 'contact_ids',        ARRAY['associated contact ids?'], false, false),
    ('hubspot_deals', 'company_ids',        ARRAY['associated company ids?'], false, false),
    ('hubspot_deals', 'original_source',    ARRAY['original source type', 'original source', 'hs_analytics_source'], false, false),
    ('hubspot_deals', 'drill_down_1',       ARRAY['original source drill-down 1', 'hs_analytics_source_data_1'], false, false),
    ('hubspot_deals', 'owner',              ARRAY['deal owner', 'hubspot_owner_id'], false, false),
    ('hubspot_deal_stage_history', 'record_id',  ARRAY['deal id', 'record id', 'deal record id', 'object id', 'objectid'], true, false),
    ('hubspot_deal_stage_history', 'stage',      ARRAY['deal stage', 'stage', 'dealstage', 'value'], true, false),
    ('hubspot_deal_stage_history', 'entered_at', ARRAY['entered at', 'date entered', 'entered stage at', 'timestamp', 'changed at'], true, false);

-- A HubSpot record id as recon stores it: its digits (Excel's 1.51E+11 does not read), after the load's id_prefix.
CREATE FUNCTION recon.load_hubspot_id(raw text, options jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(options ->> 'id_prefix', '') || @extschema@.recon_normalize_platform_id(raw)
$$;
COMMENT ON FUNCTION recon.load_hubspot_id(text, jsonb) IS
    'A HubSpot record id as stored: the id''s digits (recon_normalize_platform_id: blanks, quotes, a trailing .0 removed; NULL for a mangled 1.51E+11) after the id_prefix option.';

-- The first id of a HubSpot association cell (351;352): the one recon uses.
CREATE FUNCTION recon.load_hubspot_first_id(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(btrim(split_part(raw, ';', 1)), '')
$$;
COMMENT ON FUNCTION recon.load_hubspot_first_id(text) IS
    'The first id of a HubSpot association cell, as written (Associated Contact IDs 351;352 -> 351); NULL when blank. Only it is used, and only it is checked.';

CREATE FUNCTION recon.load_map_hubspot_contacts(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['create_date', 'last_modified'],
                                         'HubSpot exports times in the portal''s time zone (Settings > Account defaults).');
    style text := coalesce(options ->> 'date_style', 'mdy');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_records
        (line_number, reasons, record_id, record_key, record_type, created_at, created_raw, source, source_detail,
         landing_url, gclid, fbclid, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
         email, phone, first_name, last_name, country, customer_id, stage, status, status_reason, last_modified, owner)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_bad_id('record_id', r.record_id),
               recon.load_missing('create_date', r.create_date),
               recon.load_bad('bad_date', 'create_date', r.create_date, t.created_at),
               recon.load_bad('bad_date', 'last_modified', r.last_modified, t.last_modified),
               recon.load_missing('lifecycle_stage', r.lifecycle_stage),
               recon.load_bad_id('associated_company_ids', recon.load_hubspot_first_id(r.company_ids))], NULL),
           recon.load_hubspot_id(r.record_id, options), recon.load_hubspot_id(r.record_id, options), 'lead',
           t.created_at, r.create_date, r.original_source, concat_ws(' ', r.drill_down_1, r.drill_down_2),
           r.landing_url, r.gclid, r.fbclid, r.utm_source, r.utm_medium, r.utm_campaign, r.utm_content, r.utm_term,
           r.email, r.phone, r.first_name, r.last_name, r.country,
           recon_normalize_platform_id(recon.load_hubspot_first_id(r.company_ids)),
           btrim(r.lifecycle_stage), t.status,
           recon.load_status_reason(NULL, r.lead_status), t.last_modified, r.owner
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.create_date, zone, style) AS created_at,
                               recon.load_crm_time(r.last_modified, zone, style) AS last_modified,
                               recon.load_lead_status(r.lead_status, NULL) AS status) t;
    RETURN recon.load_write_funnel_records(batch, source_file, options, 'hubspot');
END $$;
COMMENT ON FUNCTION recon.load_map_hubspot_contacts(text, text, jsonb) IS
    'Mapper of hubspot_contacts: one lead per contact, stage = Lifecycle Stage as written (internal value or label), status lost when Lead Status is Unqualified, Bad fit, Bad timing (or Spam, Junk, Duplicate, Test: the reason), else open; customer_id = the first associated company. Rejects rows without a Record ID or Create Date, with a mangled or invalid id, a bad date or no lifecycle stage. Times are the portal''s (timezone option, required when the file has times without an offset).';

CREATE FUNCTION recon.load_map_hubspot_deals(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['create_date', 'close_date', 'last_modified'],
                                         'HubSpot exports times in the portal''s time zone (Settings > Account defaults).');
    style text := coalesce(options ->> 'date_style', 'mdy');
    mark text := coalesce(options ->> 'decimal_mark', '.');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_records
        (line_number, reasons, record_id, record_key, record_type, created_at, created_raw, source, source_detail,
         customer_id, parent_ref, amount_raw, stated_value, currency_raw, stage, status, status_reason,
         closed_at, close_field, close_raw, last_modified, owner)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_bad_id('record_id', r.record_id),
               recon.load_missing('create_date', r.create_date),
               recon.load_bad('bad_date', 'create_date', r.create_date, t.created_at),
               recon.load_bad('bad_date', 'close_date', r.close_date, t.closed_at),
               recon.load_bad('bad_date', 'last_modified', r.last_modified, t.last_modified),
               recon.load_missing('deal_stage', r.deal_stage),
               recon.load_bad('bad_value', 'is_won', r.is_won, recon.load_bool(r.is_won)),
               recon.load_bad('bad_value', 'is_closed', r.is_closed, recon.load_bool(r.is_closed)),
               recon.load_bad_id('associated_contact_ids', recon.load_hubspot_first_id(r.contact_ids)),
               recon.load_bad_id('associated_company_ids', recon.load_hubspot_first_id(r.company_ids))], NULL),
           recon.load_hubspot_id(r.record_id, options), recon.load_hubspot_id(r.record_id, options), 'opportunity',
           t.created_at, r.create_date, r.original_source, r.drill_down_1,
           recon_normalize_platform_id(recon.load_hubspot_first_id(r.company_ids)),
           recon.load_hubspot_id(recon.load_hubspot_first_id(r.contact_ids), options),
           r.amount, recon_parse_decimal(r.amount, mark), r.currency, btrim(r.deal_stage), t.status,
           CASE WHEN t.status = 'lost' THEN nullif(btrim(r.lost_reason), '') END,
           t.closed_at, 'close_date', r.close_date, t.last_modified, r.owner
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.create_date, zone, style) AS created_at,
                               recon.load_crm_time(r.close_date, zone, style) AS closed_at,
                               recon.load_crm_time(r.last_modified, zone, style) AS last_modified,
                               recon.load_deal_status(r.deal_stage, recon.load_bool(r.is_closed), recon.load_bool(r.is_won)) AS status) t;
    RETURN recon.load_write_funnel_records(batch, source_file, options, 'hubspot', 'child');
END $$;
COMMENT ON FUNCTION recon.load_map_hubspot_deals(text, text, jsonb) IS
    'Mapper of hubspot_deals: one opportunity per deal, stage = Deal Stage as written, status won/lost from Is Closed Won / Is Deal Closed? when exported, else from the stage (closedwon, Closed won; closedlost, Closed lost), closed_at = Close Date for won and lost deals, status_reason = Closed Lost Reason, stated_value = Amount in Deal currency code (else the currency option), customer_id = the first associated company; the first associated contact is the deal''s parent (recon.load_record_links). Rejects rows without id, stage or create date, with a mangled id (the deal''s or an associated one), a bad date, amount or yes/no value, or an unknown currency.';

CREATE FUNCTION recon.load_map_hubspot_deal_stage_history(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['entered_at'],
                                         'HubSpot exports times in the portal''s time zone (Settings > Account defaults).');
    style text := coalesce(options ->> 'date_style', 'mdy');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_history (line_number, reasons, record_key, stage, entered_at)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_bad_id('record_id', r.record_id),
               recon.load_missing('stage', r.stage),
               recon.load_missing('entered_at', r.entered_at),
               recon.load_bad('bad_date', 'entered_at', r.entered_at, t.entered_at)], NULL),
           recon.load_hubspot_id(r.record_id, options), btrim(r.stage), t.entered_at
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.entered_at, zone, style) AS entered_at) t;
    RETURN recon.load_write_stage_history(batch, source_file, options, 'hubspot');
END $$;
COMMENT ON FUNCTION recon.load_map_hubspot_deal_stage_history(text, text, jsonb) IS
    'Mapper of hubspot_deal_stage_history: one stage entry per row (deal id, stage as written, entered at), written by recon.load_write_stage_history: the history of each deal in the file replaces the stored one, exited_at = the deal''s next entry.';

-- ===== src/load/salesforce.sql =====
-- Salesforce: leads, opportunities and opportunity history, as Data Loader or
-- the API write them (API names: Id, CreatedDate 2026-03-01T10:15:00.000+0000)
-- or as report exports label them (Lead ID, Created Date 3/1/2026, 10:15 AM).
-- A converted lead names its opportunity (ConvertedOpportunityId): whichever
-- loads last links the two (docs/loading-crm.md).

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('salesforce_leads', 'csv', 'salesforce', 'recon.load_map_salesforce_leads',
     '{funnel_records,contact_details,load_record_links}', '{id_prefix,default_region,currency}',
     'Salesforce leads (Data Loader / API field names, or a leads report exported as details only): Id, FirstName, LastName, Email, Phone, LeadSource, Status, CreatedDate, IsConverted, ConvertedDate, ConvertedOpportunityId, ConvertedAccountId, CurrencyIsoCode, Country, GCLID__c and UTM fields when the org has them. One lead per row.'),
    ('salesforce_opportunities', 'csv', 'salesforce', 'recon.load_map_salesforce_opportunities',
     '{funnel_records}', '{id_prefix,currency}',
     'Salesforce opportunities (Data Loader / API names or report labels): Id, AccountId, StageName, Amount, CurrencyIsoCode, CloseDate, IsClosed, IsWon, CreatedDate, LeadSource, Loss_Reason__c. One opportunity per row; its parent is the lead converted into it.'),
    ('salesforce_opportunity_history', 'csv', 'salesforce', 'recon.load_map_salesforce_opportunity_history',
     '{funnel_stage_history}', '{id_prefix}',
     'Salesforce OpportunityHistory (Data Loader / API, or an Opportunity History report): OpportunityId, StageName, CreatedDate, Amount, CloseDate; a row that changes only the amount or close date is no stage entry. The history of every opportunity in the file replaces the one stored.');

INSERT INTO recon.load_format_fields (format, field, headers, required, pii) VALUES
    ('salesforce_leads', 'record_id',          ARRAY['id', 'lead id'], true, false),
    ('salesforce_leads', 'first_name',         ARRAY['firstname', 'first name'], false, true),
    ('salesforce_leads', 'last_name',          ARRAY['lastname', 'last name'], false, true),
    ('salesforce_leads', 'email',              ARRAY['email'], false, true),
    ('salesforce_leads', 'phone',              ARRAY['phone', 'mobilephone', 'mobile'], false, true),
    ('salesforce_leads', 'lead_source',        ARRAY['leadsource', 'lead source'], false, false),
    ('salesforce_leads', 'status',             ARRAY['status', 'lead status'], true, false),
    ('salesforce_leads', 'status_reason',      ARRAY['(unqualified|disqualified)_reason__c', '(unqualified|disqualified) reason'], false, false),
    ('salesforce_leads', 'create_date',        ARRAY['createddate', 'created date', 'create date'], true, false),
    ('salesforce_leads', 'last_modified',      ARRAY['lastmodifieddate', 'last modified date'], false, false),
    ('salesforce_leads', 'is_converted',       ARRAY['isconverted', 'converted'], false, false),
    ('salesforce_leads', 'converted_date',     ARRAY['converteddate', 'converted date'], false, false),
    ('salesforce_leads', 'converted_opportunity_id', ARRAY['convertedopportunityid', 'converted opportunity id'], false, false),
    ('salesforce_leads', 'converted_account_id', ARRAY['convertedaccountid', 'converted account id'], false, false),
    ('salesforce_leads', 'gclid',              ARRAY['gclid(__c)?', 'google click id'], false, false),
    ('salesforce_leads', 'fbclid',             ARRAY['fbclid(__c)?'], false, false),
    ('salesforce_leads', 'landing_url',        ARRAY['landing_page(_url)?__c', 'landing page( url)?'], false, false),
    ('salesforce_leads', 'utm_source',         ARRAY['utm_source(__c)?', 'utm source'], false, false),
    ('salesforce_leads', 'utm_medium',         ARRAY['utm_medium(__c)?', 'utm medium'], false, false),
    ('salesforce_leads', 'utm_campaign',       ARRAY['utm_campaign(__c)?', 'utm campaign'], false, false),
    ('salesforce_leads', 'utm_content',        ARRAY['utm_content(__c)?', 'utm content'], false, false),
    ('salesforce_leads', 'utm_term',           ARRAY['utm_term(__c)?', 'utm term'], false, false),
    ('salesforce_leads', 'currency',           ARRAY['currencyisocode', 'lead currency', 'currency'], false, false),
    ('salesforce_leads', 'country',            ARRAY['country', 'countrycode', 'country code'], false, false),
    ('salesforce_leads', 'owner',              ARRAY['ownerid', 'lead owner', 'owner id'], false, false),
    ('salesforce_opportunities', 'record_id',  ARRAY['id', 'opportunity id'], true, false),
    ('salesforce_opportunities', 'account_id', ARRAY['accountid', 'account id'], false, false),
    ('salesforce_opportunities', 'stage',      ARRAY['stagename', 'stage'], true, false),
    ('salesforce_opportunities', 'amount',     ARRAY['amount'], false, false),
    ('salesforce_opportunities', 'currency',   ARRAY['currencyisocode', 'opportunity currency', 'currency'], false, false),
    ('salesforce_opportunities', 'close_date', ARRAY['closedate', 'close date'], false, false),
    ('salesforce_opportunities', 'is_closed',  ARRAY['isclosed', 'closed'], false, false),
    ('salesforce_opportunities', 'is_won',     ARRAY['iswon', 'won'], false, false),
    ('salesforce_opportunities', 'create_date', ARRAY['createddate', 'created date'], true, false),
    ('salesforce_opportunities', 'last_modified', ARRAY['lastmodifieddate', 'last modified date'], false, false),
    ('salesforce_opportunities', 'lead_source', ARRAY['leadsource', 'lead source'], false, false),
    ('salesforce_opportunities', 'loss_reason', ARRAY['loss_reason__c', 'loss reason', 'reason_lost__c', 'closed lost reason'], false, false),
    ('salesforce_opportunities', 'owner',      ARRAY['ownerid', 'opportunity owner', 'owner id'], false, false),
    ('salesforce_opportunity_history', 'record_id',  ARRAY['opportunityid', 'opportunity id'], true, false),
    ('salesforce_opportunity_history', 'stage',      ARRAY['stagename', 'stage', 'to stage'], true, false),
    ('salesforce_opportunity_history', 'entered_at', ARRAY['createddate', 'created date', 'edit date'], true, false),
    ('salesforce_opportunity_history', 'amount',     ARRAY['amount'], false, false),
    ('salesforce_opportunity_history', 'close_date', ARRAY['closedate', 'close date'], false, false);

-- One character of a Salesforce id's checksum: the case of a 5-character chunk.
CREATE FUNCTION recon.salesforce_id_chunk_case(chunk text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
                  1 + reverse(translate(chunk, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
                                               '11111111111111111111111111000000000000000000000000000000000000'))::bit(5)::integer, 1)
$$;
COMMENT ON FUNCTION recon.salesforce_id_chunk_case(text) IS
    'The checksum character of 5 characters of a Salesforce id: a bit per upper-case letter, the first character the lowest bit, as an index into A-Z, 0-5 (a0D30 -> E).';

-- The 3 characters an 18-character Salesforce id adds to its 15: the case of its letters.
CREATE FUNCTION recon.salesforce_id_checksum(id15 text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT recon.salesforce_id_chunk_case(substr(id15, 1, 5)) || recon.salesforce_id_chunk_case(substr(id15, 6, 5))
           || recon.salesforce_id_chunk_case(substr(id15, 11, 5))
$$;
COMMENT ON FUNCTION recon.salesforce_id_checksum(text) IS
    'The suffix that makes a 15-character Salesforce id case-insensitive, one character per 5-character chunk (a0D30000001n7Pi -> EAI). The argument must be 15 letters and digits.';

-- An 18-character id whose letters changed case, as Salesforce issued it (its suffix says the case of each letter).
CREATE FUNCTION recon.salesforce_id_restore_case(id text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    restored text := '';
    bits integer;
BEGIN
    FOR p IN 0 .. 14 LOOP
        bits := strpos('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', upper(substr(id, 16 + p / 5, 1))) - 1;
        restored := restored || CASE WHEN bits >= 0 AND (bits >> (p % 5)) & 1 = 1 THEN upper(substr(id, p + 1, 1))
                                     ELSE lower(substr(id, p + 1, 1)) END;
    END LOOP;
    RETURN restored || upper(right(id, 3));
END $$;
COMMENT ON FUNCTION recon.salesforce_id_restore_case(text) IS
    'An 18-character Salesforce id with the case of its first 15 characters set from its last 3 (00Q8C00001XBT4REAF -> 00Q8c00001XbT4rEAF); whether that is a valid id is for recon.salesforce_id18 to check.';

-- The 18-character form of a Salesforce id: the 15 characters (their case restored from the suffix) plus the suffix.
CREATE FUNCTION recon.salesforce_id18(id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN id ~ '^[A-Za-z0-9]{15}$' THEN id || recon.salesforce_id_checksum(id)
                WHEN id !~ '^[A-Za-z0-9]{18}$' THEN NULL
                WHEN recon.salesforce_id_checksum(left(id, 15)) = right(id, 3) THEN id
                WHEN recon.salesforce_id_checksum(left(recon.salesforce_id_restore_case(id), 15)) = upper(right(id, 3))
                THEN recon.salesforce_id_restore_case(id) END
$$;
COMMENT ON FUNCTION recon.salesforce_id18(text) IS
    'The 18-character form of a Salesforce record id: a 15-character id (case-sensitive, as reports export it) plus its checksum; an 18-character id (case-insensitive by design) as it is, or with the case of its first 15 characters restored from its last 3 when a tool changed it (00Q8C00001XBT4REAF -> 00Q8c00001XbT4rEAF). NULL when not 15 or 18 letters and digits, or when the last 3 characters cannot be the checksum of the first 15 (a character lost, changed or added).';

-- A reject reason for a Salesforce id cell: not an id, mangled, or another object's id.
CREATE FUNCTION recon.load_salesforce_id_problem(field text, raw text, key_prefix text, object text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$   -- STABLE as format() is: an IMMUTABLE body with it would not be inlined
    SELECT CASE WHEN nullif(btrim(raw), '') IS NULL THEN NULL
                WHEN btrim(raw) !~ '^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$'
                THEN format('bad_id: %s %L (a Salesforce id has 15 or 18 letters and digits)', field, raw)
                WHEN recon.salesforce_id18(btrim(raw)) IS NULL
                THEN format('mangled_id: %s %L (its last 3 characters are not the checksum of the first 15: a character was lost or changed)', field, raw)
                WHEN upper(left(btrim(raw), 3)) <> upper(key_prefix)
                THEN format('bad_id: %s %L is not a%s %s id (those start with %s)', field, raw,
                            CASE WHEN object ~ '^[aeiou]' THEN 'n' ELSE '' END, object, key_prefix) END
$$;
COMMENT ON FUNCTION recon.load_salesforce_id_problem(text, text, text, text) IS
    'Reject reason for a Salesforce id cell, NULL when it is blank or good: bad_id (not 15 or 18 letters and digits, or not the object''s key prefix: leads 00Q, opportunities 006, accounts 001) or mangled_id (an 18-character id whose last 3 characters cannot be the checksum of the first 15). An 18-character id whose letters only changed case is good: recon.salesforce_id18 restores it.';

-- A Salesforce id as stored (as given; an 18-character one with its case restored) or as a link key (18 characters), after the id_prefix.
CREATE FUNCTION recon.load_salesforce_key(raw text, options jsonb, as_key boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(options ->> 'id_prefix', '')
           || CASE WHEN as_key OR length(btrim(raw)) = 18 THEN recon.salesforce_id18(btrim(raw)) ELSE nullif(btrim(raw), '') END
$$;
COMMENT ON FUNCTION recon.load_salesforce_key(text, jsonb, boolean) IS
    'A Salesforce id after the id_prefix option: as a record id (as_key false) as given, except that an 18-character id whose letters changed case is stored as Salesforce issued it; as a link key (as_key true) in its 18-character form, so that the 15- and 18-character spellings of one record meet.';

-- Data-quality flags of a Salesforce record id.
CREATE FUNCTION recon.load_salesforce_flags(raw text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(btrim(raw)) = 18 AND recon.salesforce_id18(btrim(raw)) <> btrim(raw)
                THEN '{id_case_restored}'::text[] ELSE '{}' END
$$;
COMMENT ON FUNCTION recon.load_salesforce_flags(text) IS
    'dq_flags of a record whose 18-character id had changed case (a case-insensitive tool upper-cased it): {id_case_restored}; else empty.';

CREATE FUNCTION recon.load_map_salesforce_leads(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['create_date', 'converted_date', 'last_modified'],
                                         'Salesforce writes dates and report times in the org''s (or the exporting user''s) time zone.');
    style text := coalesce(options ->> 'date_style', 'mdy');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_records
        (line_number, reasons, record_id, record_key, record_type, created_at, created_raw, source, landing_url,
         gclid, fbclid, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
         email, phone, first_name, last_name, country, customer_id, child_ref, currency_raw,
         stage, status, status_reason, closed_at, close_field, close_raw, last_modified, owner, dq_flags)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_salesforce_id_problem('record_id', r.record_id, '00Q', 'lead'),
               recon.load_missing('create_date', r.create_date),
               recon.load_bad('bad_date', 'create_date', r.create_date, t.created_at),
               recon.load_bad('bad_date', 'converted_date', r.converted_date, t.converted_at),
               recon.load_bad('bad_date', 'last_modified', r.last_modified, t.last_modified),
               recon.load_missing('status', r.status),
               recon.load_bad('bad_value', 'is_converted', r.is_converted, t.is_converted),
               recon.load_salesforce_id_problem('converted_opportunity_id', r.converted_opportunity_id, '006', 'opportunity'),
               recon.load_salesforce_id_problem('converted_account_id', r.converted_account_id, '001', 'account')], NULL),
           recon.load_salesforce_key(r.record_id, options, false), recon.load_salesforce_key(r.record_id, options, true),
           'lead', t.created_at, r.create_date, r.lead_source, r.landing_url,
           r.gclid, r.fbclid, r.utm_source, r.utm_medium, r.utm_campaign, r.utm_content, r.utm_term,
           r.email, r.phone, r.first_name, r.last_name, r.country, nullif(btrim(r.converted_account_id), ''),
           recon.load_salesforce_key(r.converted_opportunity_id, options, true), r.currency,
           btrim(r.status), s.status, recon.load_status_reason(r.status_reason, r.status),
           CASE WHEN s.status = 'won' THEN t.converted_at END, 'converted_date', r.converted_date,
           t.last_modified, r.owner, recon.load_salesforce_flags(r.record_id)
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.create_date, zone, style) AS created_at,
                               recon.load_crm_time(r.converted_date, zone, style) AS converted_at,
                               recon.load_crm_time(r.last_modified, zone, style) AS last_modified,
                               recon.load_bool(r.is_converted) AS is_converted) t
    CROSS JOIN LATERAL (SELECT recon.load_lead_status(r.status, coalesce(t.is_converted, CASE WHEN r.converted_opportunity_id IS NOT NULL THEN true END)) AS status) s;
    RETURN recon.load_write_funnel_records(batch, source_file, options, 'salesforce', 'parent');
END $$;
COMMENT ON FUNCTION recon.load_map_salesforce_leads(text, text, jsonb) IS
    'Mapper of salesforce_leads: one lead per row, stage = Status as written. A converted lead (IsConverted, or a ConvertedOpportunityId) is won, closed at ConvertedDate: its outcome is then its opportunity''s (recon.bridge_records folds the opportunity into it), and the ladder dates its Closed - Converted step. Status Closed - Not Converted (or Unqualified, Junk...) is lost, the reason from an Unqualified/Disqualified reason field else the status; other statuses are open. customer_id = ConvertedAccountId; ConvertedOpportunityId links the opportunity (recon.load_record_links). Rejects rows without Id, Status or CreatedDate, with a bad, mangled or other object''s id, a bad date or yes/no value, or an unknown currency.';

CREATE FUNCTION recon.load_map_salesforce_opportunities(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['create_date', 'close_date', 'last_modified'],
                                         'Salesforce writes dates (CloseDate) and report times in the org''s time zone.');
    style text := coalesce(options ->> 'date_style', 'mdy');
    mark text := coalesce(options ->> 'decimal_mark', '.');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_records
        (line_number, reasons, record_id, record_key, record_type, created_at, created_raw, source, customer_id,
         amount_raw, stated_value, currency_raw, stage, status, status_reason, closed_at, close_field, close_raw,
         last_modified, owner, dq_flags)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_salesforce_id_problem('record_id', r.record_id, '006', 'opportunity'),
               recon.load_salesforce_id_problem('account_id', r.account_id, '001', 'account'),
               recon.load_missing('create_date', r.create_date),
               recon.load_bad('bad_date', 'create_date', r.create_date, t.created_at),
               recon.load_bad('bad_date', 'close_date', r.close_date, t.closed_at),
               recon.load_bad('bad_date', 'last_modified', r.last_modified, t.last_modified),
               recon.load_missing('stage', r.stage),
               recon.load_bad('bad_value', 'is_closed', r.is_closed, recon.load_bool(r.is_closed)),
               recon.load_bad('bad_value', 'is_won', r.is_won, recon.load_bool(r.is_won))], NULL),
           recon.load_salesforce_key(r.record_id, options, false), recon.load_salesforce_key(r.record_id, options, true),
           'opportunity', t.created_at, r.create_date, r.lead_source, nullif(btrim(r.account_id), ''),
           r.amount, recon_parse_decimal(r.amount, mark), r.currency, btrim(r.stage), t.status,
           CASE WHEN t.status = 'lost' THEN nullif(btrim(r.loss_reason), '') END,
           t.closed_at, 'close_date', r.close_date, t.last_modified, r.owner, recon.load_salesforce_flags(r.record_id)
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_crm_time(r.create_date, zone, style) AS created_at,
                               recon.load_crm_time(r.close_date, zone, style) AS closed_at,
                               recon.load_crm_time(r.last_modified, zone, style) AS last_modified,
                               recon.load_deal_status(r.stage, recon.load_bool(r.is_closed), recon.load_bool(r.is_won)) AS status) t;
    RETURN recon.load_write_funnel_records(batch, source_file, options, 'salesforce');
END $$;
COMMENT ON FUNCTION recon.load_map_salesforce_opportunities(text, text, jsonb) IS
    'Mapper of salesforce_opportunities: one opportunity per row, stage = StageName as written, status from IsWon/IsClosed (else Closed Won / Closed Lost), closed_at = CloseDate for closed ones (a date: midnight in the timezone option, or the creation time when closed on the creation day), status_reason = Loss_Reason__c, stated_value = Amount in CurrencyIsoCode (else the currency option), customer_id = AccountId. Its parent is the lead converted into it, whenever that lead loads (recon.load_record_links). Rejects rows without Id, StageName or CreatedDate, with a bad, mangled or other object''s id, a bad date, amount or yes/no value, or an unknown currency.';

CREATE FUNCTION recon.load_map_salesforce_opportunity_history(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    zone text := recon.load_crm_timezone(options, ARRAY['entered_at'],
                                         'Salesforce report exports write times in the exporting user''s time zone.');
    style text := coalesce(options ->> 'date_style', 'mdy');
    mark text := coalesce(options ->> 'decimal_mark', '.');
BEGIN
    PERFORM recon.load_funnel_staging();
    INSERT INTO pg_temp.recon_load_history (line_number, reasons, record_key, stage, entered_at)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('record_id', r.record_id),
               recon.load_salesforce_id_problem('record_id', r.record_id, '006', 'opportunity'),
               recon.load_missing('stage', r.stage),
               recon.load_missing('entered_at', r.entered_at),
               recon.load_bad('bad_date', 'entered_at', r.entered_at, recon.load_crm_time(r.entered_at, zone, style)),
               recon.load_bad('bad_amount', 'amount', r.amount, recon_parse_decimal(r.amount, mark)),
               recon.load_bad('bad_date', 'close_date', r.close_date, recon.load_crm_time(r.close_date, 'UTC', style))], NULL),
           recon.load_salesforce_key(r.record_id, options, true), btrim(r.stage), recon.load_crm_time(r.entered_at, zone, style)
    FROM pg_temp.recon_load_rows r;
    RETURN recon.load_write_stage_history(batch, source_file, options, 'salesforce');
END $$;
COMMENT ON FUNCTION recon.load_map_salesforce_opportunity_history(text, text, jsonb) IS
    'Mapper of salesforce_opportunity_history: one row per OpportunityHistory row (opportunity, StageName as written, CreatedDate = when the stage was entered), written by recon.load_write_stage_history: a row repeating the stage before it (an amount or close-date change) is skipped, the history of each opportunity in the file replaces the stored one, exited_at = the next entry. Amount and CloseDate are checked (a bad one rejects the row: the record is likely shifted) but not stored.';

-- ===== src/load/finance_writer.sql =====
-- What every finance loader shares (docs/loading-finance.md): amounts in minor
-- units, and the writer that upserts recon.finance_transactions by transaction_id.
-- A finance export restates the records it carries: a row whose id is loaded
-- already replaces it (a refund now succeeded, an invoice now paid); rows are
-- never deleted by a load. Every table CHECK is a reject reason before the
-- insert, so a bad row is rejected, never a constraint error.

-- An amount in minor units (Stripe's integers): a whole number, or NULL.
CREATE FUNCTION recon.load_minor_units(raw text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN btrim(raw) ~ '^-?[0-9]{1,18}(\.0+)?$' THEN trunc(btrim(raw)::numeric)::bigint END
$$;
COMMENT ON FUNCTION recon.load_minor_units(text) IS
    'An amount written in minor units (Stripe: 1999 = 19.99 USD, 1500 = 1500 JPY): a whole number of at most 18 digits, sign allowed (1999.0 reads as 1999); NULL when blank or not whole (19.99, 1e3).';

-- A reason when a minor-units amount is present but not a whole number.
CREATE FUNCTION recon.load_bad_minor_units(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NOT NULL AND recon.load_minor_units(raw) IS NULL
                THEN 'bad_amount: ' || field || ' ' || quote_literal(raw) || ' is not a whole number of minor units' END
$$;
COMMENT ON FUNCTION recon.load_bad_minor_units(text, text) IS
    'Reject reason ''bad_amount: <field> ''''19.99'''' is not a whole number of minor units'' when a minor-units amount is not blank and not whole (an amount already converted to major units, or a float); else NULL.';

-- A minor-units amount in major units of its currency; NULL when either does not read.
CREATE FUNCTION recon.load_money_from_minor(raw text, currency text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN @extschema@.recon_currency_is_known(upper(btrim(currency)))
                THEN @extschema@.recon_money_from_minor(recon.load_minor_units(raw), upper(btrim(currency))) END
$$;
COMMENT ON FUNCTION recon.load_money_from_minor(text, text) IS
    'A minor-units amount in the major units recon stores, by the currency''s ISO 4217 exponent: (1999, usd) -> 19.99, (1500, jpy) -> 1500, (1999, kwd) -> 1.999. NULL when the amount is not whole or the currency is unknown (never raises; the reasons say why).';

-- The staging table a finance mapper fills, one row per row of pg_temp.recon_load_rows.
CREATE FUNCTION recon.load_finance_begin() RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_finance;
    CREATE TEMP TABLE recon_load_finance (
        line_number            bigint PRIMARY KEY,
        reasons                text[] NOT NULL DEFAULT '{}',
        skip                   text,
        transaction_id         text,
        transaction_type       text,
        status                 text,
        occurred_at            timestamptz,
        amount                 numeric,
        currency               text,
        tax_amount             numeric NOT NULL DEFAULT 0,
        shipping_amount        numeric NOT NULL DEFAULT 0,
        fee_amount             numeric,
        tax_treatment          text NOT NULL DEFAULT 'inclusive',
        order_id               text,
        opportunity_id         text,
        customer_id            text,
        invoice_id             text,
        parent_transaction_id  text,
        dq_flags               text[] NOT NULL DEFAULT '{}');
END $$;
COMMENT ON FUNCTION recon.load_finance_begin() IS
    'Creates (empty) pg_temp.recon_load_finance, which a finance mapper fills with one typed row per row of pg_temp.recon_load_rows: reasons (reject), skip (a reason to skip it instead), the recon.finance_transactions columns (currency as written; fee_amount NULL keeps the fee already recorded) and dq_flags. Then recon.load_write_finance writes it.';

-- Set aside the staged rows a finance writer does not write; returns {"rejected": n, "skipped": n}.
CREATE FUNCTION recon.load_finance_set_aside(batch text, source_file text, staged text) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN jsonb_build_object(
        'rejected', recon.load_set_aside(batch, source_file, 'rejected',
                        format('SELECT line_number, reasons FROM %s WHERE cardinality(reasons) > 0', staged)),
        'skipped', recon.load_set_aside(batch, source_file, 'skipped',
                        format('SELECT line_number, ARRAY[skip] AS reasons FROM %s WHERE cardinality(reasons) = 0 AND skip IS NOT NULL', staged)));
END $$;
COMMENT ON FUNCTION recon.load_finance_set_aside(text, text, text) IS
    'Moves the rows of a finance staging table (staged: its name; columns line_number, reasons, skip) that will not be written to recon.load_rejects: rejected when they have reasons, else skipped when they have a skip reason. Returns {"rejected": n, "skipped": n}.';

-- Write pg_temp.recon_load_finance into recon.finance_transactions.
CREATE FUNCTION recon.load_write_finance(batch text, source_file text) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    n bigint;
    aside jsonb;
    replaced bigint;
    written bigint;
    scope jsonb;
BEGIN
    UPDATE pg_temp.recon_load_finance SET currency = upper(btrim(currency));

    -- The table's rules, as reasons: what the mapper left untyped, signs, precision, parts within the amount.
    UPDATE pg_temp.recon_load_finance f
       SET reasons = f.reasons || x.more
      FROM (SELECT line_number, array_remove(ARRAY[
                   CASE WHEN cardinality(reasons) = 0 AND transaction_id IS NULL THEN 'missing: transaction_id' END,
                   CASE WHEN cardinality(reasons) = 0 AND transaction_type IS NULL THEN 'missing: transaction_type' END,
                   CASE WHEN cardinality(reasons) = 0 AND status IS NULL THEN 'missing: status' END,
                   CASE WHEN cardinality(reasons) = 0 AND occurred_at IS NULL THEN 'missing: occurred_at' END,
                   CASE WHEN cardinality(reasons) = 0 AND amount IS NULL THEN 'missing: amount' END,
                   CASE WHEN cardinality(reasons) = 0 AND currency IS NULL THEN 'missing: currency' END,
                   CASE WHEN amount < 0 THEN 'bad_amount: amount ' || amount || ' is negative: amounts are positive and the type carries the sign (write a refund or credit note as a positive amount of that type)' END,
                   CASE WHEN tax_amount < 0 THEN 'bad_amount: tax ' || tax_amount || ' is negative' END,
                   CASE WHEN shipping_amount < 0 THEN 'bad_amount: shipping ' || shipping_amount || ' is negative' END,
                   CASE WHEN fee_amount < 0 THEN 'bad_amount: fee ' || fee_amount || ' is negative' END,
                   recon.load_bad_precision('amount', amount, currency),
                   recon.load_bad_precision('tax', tax_amount, currency),
                   recon.load_bad_precision('shipping', shipping_amount, currency),
                   recon.load_bad_precision('fee', fee_amount, currency),
                   CASE WHEN tax_treatment = 'exempt' AND tax_amount > 0
                        THEN 'bad_amount: tax ' || tax_amount || ' on a tax-exempt transaction' END,
                   CASE WHEN amount >= 0 AND shipping_amount + CASE WHEN tax_treatment = 'inclusive' THEN tax_amount ELSE 0 END > amount
                        THEN format('bad_amount: shipping %s + tax included %s exceed the amount %s', shipping_amount,
                                    CASE WHEN tax_treatment = 'inclusive' THEN tax_amount ELSE 0 END, amount) END,
                   CASE WHEN coalesce(order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id) IS NULL
                        THEN 'missing: a link key (order_id, opportunity_id, customer_id, invoice_id or parent_transaction_id)' END,
                   CASE WHEN parent_transaction_id = transaction_id
                        THEN 'bad_id: parent_transaction_id ' || quote_literal(parent_transaction_id) || ' is the transaction itself' END
                   ], NULL) AS more
            FROM pg_temp.recon_load_finance) x
     WHERE f.line_number = x.line_number AND cardinality(x.more) > 0;

    -- One row per transaction in a file: a later line with the same id is rejected.
    UPDATE pg_temp.recon_load_finance f
       SET reasons = f.reasons || format('duplicate_row: transaction_id %L is also on line %s', f.transaction_id, d.first_line)
      FROM (SELECT line_number, min(line_number) OVER (PARTITION BY transaction_id) AS first_line
            FROM pg_temp.recon_load_finance WHERE cardinality(reasons) = 0 AND skip IS NULL) d
     WHERE f.line_number = d.line_number AND d.first_line <> d.line_number;

    -- Parents: the version this file writes, else the one loaded (the foreign key). A child whose
    -- parent is neither, or is in another currency, is rejected; so are its own children, down the chain.
    LOOP
        DROP TABLE IF EXISTS pg_temp.recon_load_parents;
        CREATE TEMP TABLE recon_load_parents AS
        SELECT c.line_number, c.parent_transaction_id, p.currency, p.order_id, p.opportunity_id, p.customer_id, p.invoice_id,
               p.pref IS NOT NULL AS found,
               (SELECT min(s.line_number) FROM pg_temp.recon_load_finance s WHERE s.transaction_id = c.parent_transaction_id) AS parent_line
        FROM pg_temp.recon_load_finance c
        LEFT JOIN LATERAL (
            SELECT s.line_number, s.currency, s.order_id, s.opportunity_id, s.customer_id, s.invoice_id, 1 AS pref
            FROM pg_temp.recon_load_finance s
            WHERE s.transaction_id = c.parent_transaction_id AND cardinality(s.reasons) = 0 AND s.skip IS NULL
            UNION ALL
            SELECT NULL, t.currency, t.order_id, t.opportunity_id, t.customer_id, t.invoice_id, 2
            FROM recon.finance_transactions t WHERE t.transaction_id = c.parent_transaction_id
            ORDER BY pref, line_number LIMIT 1) p ON true
        WHERE c.parent_transaction_id IS NOT NULL AND cardinality(c.reasons) = 0 AND c.skip IS NULL;
        UPDATE pg_temp.recon_load_finance f
           SET reasons = f.reasons || CASE
                   WHEN NOT p.found AND p.parent_line IS NULL
                   THEN format('unknown_parent: parent_transaction_id %L is not loaded (load it first, or in the same file, then this file again)', p.parent_transaction_id)
                   WHEN NOT p.found
                   THEN format('unknown_parent: parent_transaction_id %L is on line %s, which is not written', p.parent_transaction_id, p.parent_line)
                   ELSE format('currency_mismatch: %s %s is in %s, its parent %s in %s',
                               f.transaction_type, f.transaction_id, f.currency, p.parent_transaction_id, p.currency) END
          FROM pg_temp.recon_load_parents p
         WHERE p.line_number = f.line_number AND (NOT p.found OR p.currency <> f.currency);
        GET DIAGNOSTICS n = ROW_COUNT;
        EXIT WHEN n = 0;
    END LOOP;

    -- A child without its own link keys takes its parent's (a refund is for the charge's order).
    UPDATE pg_temp.recon_load_finance f
       SET order_id = coalesce(f.order_id, p.order_id), opportunity_id = coalesce(f.opportunity_id, p.opportunity_id),
           customer_id = coalesce(f.customer_id, p.customer_id), invoice_id = coalesce(f.invoice_id, p.invoice_id)
      FROM pg_temp.recon_load_parents p
     WHERE p.line_number = f.line_number;

    aside := recon.load_finance_set_aside(batch, source_file, 'pg_temp.recon_load_finance');
    DELETE FROM pg_temp.recon_load_finance WHERE cardinality(reasons) > 0 OR skip IS NOT NULL;

    SELECT count(*) INTO replaced
    FROM pg_temp.recon_load_finance s JOIN recon.finance_transactions t USING (transaction_id);
    SELECT jsonb_build_object('by', 'transaction_id', 'from', min(occurred_at), 'to', max(occurred_at)) INTO scope
    FROM pg_temp.recon_load_finance HAVING count(*) > 0;

    INSERT INTO recon.finance_transactions AS t
        (transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount,
         fee_amount, tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id,
         record_source, batch_id, dq_flags)
    SELECT s.transaction_id, s.transaction_type, s.status, s.occurred_at, s.amount, s.currency, s.tax_amount,
           s.shipping_amount, coalesce(s.fee_amount, old.fee_amount, 0), s.tax_treatment, s.order_id,
           s.opportunity_id, s.customer_id, s.invoice_id, s.parent_transaction_id, source_file, batch, s.dq_flags
    FROM pg_temp.recon_load_finance s
    LEFT JOIN recon.finance_transactions old USING (transaction_id)
    ORDER BY s.line_number
    ON CONFLICT (transaction_id) DO UPDATE
       SET transaction_type = excluded.transaction_type, status = excluded.status, occurred_at = excluded.occurred_at,
           amount = excluded.amount, currency = excluded.currency, tax_amount = excluded.tax_amount,
           shipping_amount = excluded.shipping_amount, fee_amount = excluded.fee_amount,
           tax_treatment = excluded.tax_treatment, order_id = excluded.order_id,
           opportunity_id = excluded.opportunity_id, customer_id = excluded.customer_id,
           invoice_id = excluded.invoice_id, parent_transaction_id = excluded.parent_transaction_id,
           record_source = excluded.record_source, batch_id = excluded.batch_id, dq_flags = excluded.dq_flags;
    GET DIAGNOSTICS written = ROW_COUNT;
    DROP TABLE pg_temp.recon_load_parents;

    RETURN aside || jsonb_build_object('replaced', replaced, 'scope', scope,
                                       'tables', jsonb_build_object('finance_transactions', written));
END $$;
COMMENT ON FUNCTION recon.load_write_finance(text, text) IS
    'The writer every finance loader shares. Reads pg_temp.recon_load_finance (recon.load_finance_begin); turns the table''s rules into reject reasons (missing values, negative amounts, decimals beyond the currency''s minor units, shipping + included tax above the amount, tax on an exempt transaction, no link key); rejects a repeated transaction_id, a currency other than the parent''s, and a parent that is neither loaded nor written by the file (and, down the chain, its children); gives a child without link keys its parent''s order, opportunity, customer and invoice; skips rows with a skip reason; upserts the rest by transaction_id (a blank fee keeps the recorded one). Returns rejected, skipped, replaced (rows that were loaded before), scope and rows written.';

-- ===== src/load/stripe.sql =====
-- Stripe: the API's list objects ({"object": "list", "data": [...]}) of charges,
-- refunds, invoices and balance transactions (docs/loading-finance.md). Amounts
-- are integers in the currency's minor units (JPY 1500 is 1500 yen, KWD 1999 is
-- 1.999), currencies lower-case, times Unix seconds. Charges, refunds and
-- invoices are upserted into finance_transactions by id; balance transactions
-- set the fee of the charges they settle.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('stripe_charges', 'json', 'stripe', 'recon.load_map_stripe_charges', '{finance_transactions}',
     '{metadata_order_key,metadata_opportunity_key}',
     'Stripe charges (GET /v1/charges): payments with amount and amount_captured in minor units, status succeeded/pending/failed, captured, customer, invoice and metadata.order_id. An uncaptured charge is a pending payment.'),
    ('stripe_refunds', 'json', 'stripe', 'recon.load_map_stripe_refunds', '{finance_transactions}',
     '{metadata_order_key,metadata_opportunity_key}',
     'Stripe refunds (GET /v1/refunds): refunds of a charge (the parent transaction, loaded first or in the same load), amount in minor units, status succeeded/pending/requires_action/failed/canceled, reason.'),
    ('stripe_invoices', 'json', 'stripe', 'recon.load_map_stripe_invoices', '{finance_transactions}',
     '{metadata_order_key,metadata_opportunity_key}',
     'Stripe invoices (GET /v1/invoices): total, subtotal, subtotal_excluding_tax and tax in minor units, status draft/open/paid/void/uncollectible, customer, customer_tax_exempt, metadata.order_id.'),
    ('stripe_balance_transactions', 'json', 'stripe', 'recon.load_map_stripe_balance_transactions', '{finance_transactions}',
     '{}',
     'Stripe balance transactions (GET /v1/balance_transactions): amount, fee and net in minor units of the settlement currency, type and source. Charge and payment transactions set the fee of their charge when it is in the same currency; payouts, refunds, adjustments and Stripe''s own fees are skipped.');

INSERT INTO recon.load_format_fields (format, field, json_path, required, pii)
SELECT f.format, x.field, x.json_path, x.required, x.pii
FROM (VALUES ('stripe_charges'), ('stripe_refunds'), ('stripe_invoices'), ('stripe_balance_transactions')) AS f(format)
CROSS JOIN (VALUES
    ('id',        '{id}'::text[], true,  false),
    ('object',    '{object}',     false, false),
    ('livemode',  '{livemode}',   false, false),
    ('amount',    '{amount}',     true,  false),
    ('currency',  '{currency}',   true,  false),
    ('created',   '{created}',    true,  false),
    ('status',    '{status}',     false, false)
) AS x(field, json_path, required, pii)
UNION ALL
SELECT format, field, json_path, false, pii
FROM (VALUES
    ('stripe_charges',  'customer',               '{customer}'::text[],              false),
    ('stripe_charges',  'amount_captured',        '{amount_captured}',               false),
    ('stripe_charges',  'captured',               '{captured}',                      false),
    ('stripe_charges',  'disputed',               '{disputed}',                      false),
    ('stripe_charges',  'invoice',                '{invoice}',                       false),
    ('stripe_charges',  'billing_email',          '{billing_details,email}',         true),
    ('stripe_charges',  'billing_name',           '{billing_details,name}',          true),
    ('stripe_charges',  'billing_phone',          '{billing_details,phone}',         true),
    ('stripe_refunds',  'charge',                 '{charge}',                        false),
    ('stripe_refunds',  'reason',                 '{reason}',                        false),
    ('stripe_invoices', 'customer',               '{customer}',                      false),
    ('stripe_invoices', 'total',                  '{total}',                         false),
    ('stripe_invoices', 'subtotal',               '{subtotal}',                      false),
    ('stripe_invoices', 'subtotal_excluding_tax', '{subtotal_excluding_tax}',        false),
    ('stripe_invoices', 'tax',                    '{tax}',                           false),
    ('stripe_invoices', 'customer_tax_exempt',    '{customer_tax_exempt}',           false),
    ('stripe_invoices', 'customer_email',         '{customer_email}',                true),
    ('stripe_invoices', 'customer_name',          '{customer_name}',                 true),
    ('stripe_invoices', 'customer_phone',         '{customer_phone}',                true),
    ('stripe_balance_transactions', 'fee',        '{fee}',                           false),
    ('stripe_balance_transactions', 'net',        '{net}',                           false),
    ('stripe_balance_transactions', 'type',       '{type}',                          false),
    ('stripe_balance_transactions', 'source',     '{source}',                        false)
) AS y(format, field, json_path, pii);
-- An invoice's amount is its total; the field named amount reads amount_due, used when total is absent.
UPDATE recon.load_format_fields SET json_path = '{amount_due}' WHERE format = 'stripe_invoices' AND field = 'amount';

-- The id of a Stripe reference, written as an id or as an expanded object.
CREATE FUNCTION recon.load_stripe_id(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(btrim(CASE jsonb_typeof(value) WHEN 'string' THEN value #>> '{}' WHEN 'object' THEN value ->> 'id' END), '')
$$;
COMMENT ON FUNCTION recon.load_stripe_id(jsonb) IS
    'The id a Stripe field refers to: the value itself (cus_PqR8sT2uVw4xYz), or the id of an expanded object ({"id": "cus_...", "object": "customer", ...} when the request asked expand[]); NULL when blank, null or anything else.';

-- What every Stripe row has: id, object, created, currency, metadata links, livemode.
CREATE FUNCTION recon.load_stripe_base(batch text, options jsonb, expected_object text, id_prefixes text[],
                                       other_pii text[] DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    fmt text := (SELECT format FROM recon.load_batches WHERE batch_id = batch);
    others text;
    order_key text := coalesce(options ->> 'metadata_order_key', 'order_id');
    opportunity_key text := coalesce(options ->> 'metadata_opportunity_key', 'opportunity_id');
    p record;
BEGIN
    -- A list of other objects: the file was given the wrong format.
    SELECT string_agg(DISTINCT object, ', ') INTO others FROM pg_temp.recon_load_rows WHERE object <> expected_object;
    IF others IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_rows WHERE object = expected_object) THEN
        RAISE EXCEPTION 'this document lists Stripe % objects, not %s', others, expected_object
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Load a list of ' || others || ' objects as ' ||
                         coalesce((SELECT string_agg(format, ' or ' ORDER BY format) FROM recon.load_formats
                                   WHERE source_system = 'stripe' AND format = ANY (SELECT 'stripe_' || o || 's' FROM unnest(string_to_array(others, ', ')) o)),
                                  'a format of its own') || '.';
    END IF;
    -- Personal fields written as JSON null are dropped from the raw row: recon.load_mask_raw
    -- would turn the whole row NULL (its jsonb_set is strict), and null is no data anyway.
    FOR p IN SELECT json_path FROM recon.load_format_fields WHERE format = fmt AND pii
               UNION ALL SELECT ARRAY[k] FROM unnest(other_pii) k LOOP
        UPDATE pg_temp.recon_load_rows SET raw = (raw::jsonb #- p.json_path)::text
         WHERE jsonb_typeof(extra #> p.json_path) = 'null';
    END LOOP;
    -- Top-level personal fields the format cannot declare beside deeper ones (recon.load_json_rows
    -- collects the paths of a format's personal fields in one array: they must have one depth).
    IF NOT coalesce((options ->> 'keep_pii')::boolean, false) THEN
        UPDATE pg_temp.recon_load_rows r
           SET raw = (SELECT jsonb_object_agg(e.key, CASE WHEN e.key = ANY (other_pii) AND jsonb_typeof(e.value) = 'string'
                                                          THEN to_jsonb('sha256:' || @extschema@.recon_sha256_hex(e.value #>> '{}'))
                                                          ELSE e.value END)
                      FROM jsonb_each(r.raw::jsonb) e)::text
         WHERE r.extra ?| other_pii;
    END IF;

    DROP TABLE IF EXISTS pg_temp.recon_load_stripe;
    CREATE TEMP TABLE recon_load_stripe AS
    SELECT r.line_number,
           array_remove(ARRAY[
               CASE WHEN r.object <> expected_object THEN format('wrong_object: a Stripe %s in a %s load', r.object, fmt) END,
               recon.load_missing('id', r.id),
               CASE WHEN btrim(r.id) !~ ('^(' || array_to_string(id_prefixes, '|') || ')_[A-Za-z0-9]+$')
                    THEN format('bad_id: id %L is not a Stripe %s id (%s_...)', r.id, expected_object, array_to_string(id_prefixes, '_... or ')) END,
               recon.load_missing('created', r.created),
               recon.load_bad('bad_date', 'created', r.created, t.occurred_at),
               recon.load_missing('currency', r.currency),
               recon.load_bad_currency('currency', r.currency),
               recon.load_missing('amount', r.amount),
               recon.load_bad_minor_units('amount', r.amount)
           ], NULL) AS reasons,
           nullif(btrim(r.id), '') AS id, t.occurred_at, upper(btrim(r.currency)) AS currency,
           nullif(btrim(r.extra -> 'metadata' ->> order_key), '') AS order_id,
           nullif(btrim(r.extra -> 'metadata' ->> opportunity_key), '') AS opportunity_id,
           CASE WHEN r.livemode = 'false' THEN ARRAY['test_mode'] ELSE '{}'::text[] END AS dq_flags
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT @extschema@.recon_parse_timestamp(r.created, 'UTC', 'epoch') AS occurred_at) t;
END $$;
COMMENT ON FUNCTION recon.load_stripe_base(text, jsonb, text, text[], text[]) IS
    'The part of every Stripe mapper that is the same: raises 22023 when the document lists other objects (refunds loaded as stripe_charges); drops personal fields written as JSON null from the raw rows and masks other_pii (top-level personal fields the format cannot declare beside its deeper ones: receipt_email) unless keep_pii; then types into pg_temp.recon_load_stripe each row''s id (its prefixes checked), created (Unix seconds, UTC), currency (upper-cased, known), amount (a whole number of minor units), the order and opportunity ids in its metadata (keys order_id and opportunity_id unless the options metadata_order_key / metadata_opportunity_key say otherwise) and dq flag test_mode for livemode false, with the reasons to reject it.';

-- Charges: payments.
CREATE FUNCTION recon.load_map_stripe_charges(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recon.load_stripe_base(batch, options, 'charge', '{ch,py}', '{receipt_email}');
    PERFORM recon.load_finance_begin();
    INSERT INTO pg_temp.recon_load_finance
        (line_number, reasons, transaction_id, transaction_type, status, occurred_at, amount, currency,
         order_id, opportunity_id, customer_id, invoice_id, dq_flags)
    SELECT r.line_number,
           b.reasons || array_remove(ARRAY[
               recon.load_bad_minor_units('amount_captured', r.amount_captured),
               recon.load_missing('status', r.status),
               CASE WHEN r.status NOT IN ('succeeded', 'pending', 'failed')
                    THEN format('bad_status: status %L (a charge is succeeded, pending or failed)', r.status) END], NULL),
           b.id, 'payment',
           CASE WHEN r.status = 'succeeded' AND r.captured = 'false' THEN 'pending'
                WHEN r.status = 'succeeded' THEN 'posted' WHEN r.status = 'pending' THEN 'pending'
                WHEN r.status = 'failed' THEN 'failed' END,
           b.occurred_at,
           -- a captured charge moved amount_captured (a partial capture moves less than amount)
           recon.load_money_from_minor(CASE WHEN r.status = 'succeeded' AND r.captured = 'true'
                                                 AND recon.load_minor_units(r.amount_captured) > 0
                                            THEN r.amount_captured ELSE r.amount END, b.currency),
           b.currency, b.order_id, b.opportunity_id, recon.load_stripe_id(r.extra -> 'customer'), recon.load_stripe_id(r.extra -> 'invoice'),
           b.dq_flags || array_remove(ARRAY[
               CASE WHEN r.status = 'succeeded' AND r.captured = 'false' THEN 'uncaptured' END,
               CASE WHEN r.status = 'succeeded' AND r.captured = 'true'
                     AND recon.load_minor_units(r.amount_captured) BETWEEN 1 AND recon.load_minor_units(r.amount) - 1
                    THEN 'partial_capture' END,
               CASE WHEN r.disputed = 'true' THEN 'disputed' END], NULL)
    FROM pg_temp.recon_load_rows r JOIN pg_temp.recon_load_stripe b USING (line_number);
    RETURN recon.load_write_finance(batch, source_file);
END $$;
COMMENT ON FUNCTION recon.load_map_stripe_charges(text, text, jsonb) IS
    'Mapper of stripe_charges: one payment per charge (ch_ or py_). succeeded and captured -> posted, for amount_captured (flag partial_capture when less than amount); succeeded but not captured -> pending (flag uncaptured: an authorization, no cash yet); pending -> pending; failed -> failed. Links: metadata order and opportunity ids, customer, invoice. Flags disputed and test_mode (livemode false). Refunds are their own rows (stripe_refunds); fees come from stripe_balance_transactions and survive a reload.';

-- Refunds: children of their charge.
CREATE FUNCTION recon.load_map_stripe_refunds(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recon.load_stripe_base(batch, options, 'refund', '{re,pyr}');
    PERFORM recon.load_finance_begin();
    INSERT INTO pg_temp.recon_load_finance
        (line_number, reasons, skip, transaction_id, transaction_type, status, occurred_at, amount, currency,
         order_id, opportunity_id, parent_transaction_id, dq_flags)
    SELECT r.line_number,
           b.reasons || array_remove(ARRAY[
               recon.load_missing('charge', r.charge),
               recon.load_missing('status', r.status),
               CASE WHEN r.status NOT IN ('succeeded', 'pending', 'requires_action', 'failed', 'canceled')
                    THEN format('bad_status: status %L (a refund is succeeded, pending, requires_action, failed or canceled)', r.status) END], NULL),
           -- releasing an authorization is a refund in Stripe's books, but no money moved
           CASE WHEN r.reason = 'expired_uncaptured_charge' OR p.dq_flags @> '{uncaptured}'
                THEN format('released_authorization: refund %s of charge %s, which was never captured (reason %s): no money moved',
                            b.id, recon.load_stripe_id(r.extra -> 'charge'), coalesce(r.reason, 'none')) END,
           b.id, 'refund',
           CASE r.status WHEN 'succeeded' THEN 'posted' WHEN 'pending' THEN 'pending' WHEN 'requires_action' THEN 'pending'
                         WHEN 'failed' THEN 'failed' WHEN 'canceled' THEN 'reversed' END,
           b.occurred_at, recon.load_money_from_minor(r.amount, b.currency), b.currency,
           b.order_id, b.opportunity_id, recon.load_stripe_id(r.extra -> 'charge'), b.dq_flags
    FROM pg_temp.recon_load_rows r JOIN pg_temp.recon_load_stripe b USING (line_number)
    LEFT JOIN recon.finance_transactions p ON p.transaction_id = recon.load_stripe_id(r.extra -> 'charge');
    RETURN recon.load_write_finance(batch, source_file);
END $$;
COMMENT ON FUNCTION recon.load_map_stripe_refunds(text, text, jsonb) IS
    'Mapper of stripe_refunds: one refund per row (re_ or pyr_), its charge the parent transaction, which must be loaded (stripe_charges first) or the refund is rejected as unknown_parent; without order or opportunity ids of its own it takes its charge''s. succeeded -> posted, pending and requires_action -> pending, failed -> failed, canceled -> reversed. A refund that only releases an uncaptured authorization (reason expired_uncaptured_charge, or its charge is flagged uncaptured) is skipped: no money moved.';

-- Invoices.
CREATE FUNCTION recon.load_map_stripe_invoices(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    -- The invoice's amount is its total; amount_due (the field typed as amount) when total is absent.
    UPDATE pg_temp.recon_load_rows SET amount = total WHERE total IS NOT NULL;
    PERFORM recon.load_stripe_base(batch, options, 'invoice', '{in}');
    PERFORM recon.load_finance_begin();
    INSERT INTO pg_temp.recon_load_finance
        (line_number, reasons, transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount,
         tax_treatment, order_id, opportunity_id, customer_id, dq_flags)
    SELECT r.line_number,
           b.reasons || array_remove(ARRAY[
               recon.load_bad_minor_units('tax', r.tax),
               recon.load_bad_minor_units('subtotal', r.subtotal),
               recon.load_bad_minor_units('subtotal_excluding_tax', r.subtotal_excluding_tax),
               recon.load_missing('status', r.status),
               CASE WHEN r.status NOT IN ('draft', 'open', 'paid', 'void', 'uncollectible')
                    THEN format('bad_status: status %L (an invoice is draft, open, paid, void or uncollectible)', r.status) END], NULL),
           b.id, 'invoice',
           CASE r.status WHEN 'draft' THEN 'pending' WHEN 'open' THEN 'posted' WHEN 'paid' THEN 'posted'
                         WHEN 'void' THEN 'reversed' WHEN 'uncollectible' THEN 'posted' END,
           b.occurred_at,
           -- exclusive: the amount before the tax Stripe added on top (total - tax = total_excluding_tax)
           recon.load_money_from_minor((recon.load_minor_units(r.amount)
                                        - CASE WHEN x.treatment = 'exclusive' THEN recon.load_minor_units(r.tax) ELSE 0 END)::text,
                                       b.currency),
           b.currency, coalesce(recon.load_money_from_minor(r.tax, b.currency), 0), x.treatment,
           b.order_id, b.opportunity_id, recon.load_stripe_id(r.extra -> 'customer'),
           b.dq_flags || CASE WHEN r.status = 'uncollectible' THEN ARRAY['uncollectible'] ELSE '{}' END
    FROM pg_temp.recon_load_rows r JOIN pg_temp.recon_load_stripe b USING (line_number)
    -- Stripe adds tax on top of prices (exclusive) unless the prices include it, in which
    -- case the subtotal without tax is below the subtotal.
    CROSS JOIN LATERAL (SELECT CASE
            WHEN r.customer_tax_exempt IN ('exempt', 'reverse') THEN 'exempt'
            WHEN recon.load_minor_units(r.subtotal_excluding_tax) < recon.load_minor_units(r.subtotal) THEN 'inclusive'
            WHEN recon.load_minor_units(r.tax) > 0 THEN 'exclusive'
            ELSE 'inclusive' END AS treatment) x;
    RETURN recon.load_write_finance(batch, source_file);
END $$;
COMMENT ON FUNCTION recon.load_map_stripe_invoices(text, text, jsonb) IS
    'Mapper of stripe_invoices: one invoice per row (in_), tax in minor units; tax_treatment exempt when customer_tax_exempt is exempt or reverse, inclusive when subtotal_excluding_tax is below subtotal (prices include tax), exclusive when Stripe added tax on top (then amount = total - tax: the amount before tax, as exclusive means), else inclusive (no tax); amount = total otherwise (amount_due when total is absent). draft -> pending, open and paid -> posted, void -> reversed, uncollectible -> posted with dq flag uncollectible. Links: customer, metadata order and opportunity ids.';

-- Balance transactions: the fee of each charge.
CREATE FUNCTION recon.load_map_stripe_balance_transactions(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    aside jsonb;
    replaced bigint;
    written bigint;
BEGIN
    PERFORM recon.load_stripe_base(batch, options, 'balance_transaction', '{txn}');
    DROP TABLE IF EXISTS pg_temp.recon_load_fees;
    CREATE TEMP TABLE recon_load_fees AS
    SELECT r.line_number,
           b.reasons || array_remove(ARRAY[
               recon.load_missing('fee', r.fee),
               recon.load_bad_minor_units('fee', r.fee),
               recon.load_bad_minor_units('net', r.net),
               CASE WHEN recon.load_minor_units(r.amount) - recon.load_minor_units(r.fee) <> recon.load_minor_units(r.net)
                    THEN format('bad_amount: net %s is not amount %s - fee %s', r.net, r.amount, r.fee) END,
               CASE WHEN recon.load_minor_units(r.fee) < 0 THEN format('bad_amount: fee %s is negative', r.fee) END,
               recon.load_missing('type', r.type),
               CASE WHEN r.type IN ('charge', 'payment') THEN recon.load_missing('source', r.source) END], NULL) AS reasons,
           CASE WHEN r.type NOT IN ('charge', 'payment')
                THEN format('not_a_charge_fee: type %s (recon takes fees from charge and payment balance transactions)', r.type) END AS skip,
           recon.load_stripe_id(r.extra -> 'source') AS source, b.currency, recon.load_money_from_minor(r.fee, b.currency) AS fee
    FROM pg_temp.recon_load_rows r JOIN pg_temp.recon_load_stripe b USING (line_number);

    -- The charge must be loaded, once per file; a fee in another (settlement) currency is not converted.
    UPDATE pg_temp.recon_load_fees f
       SET reasons = f.reasons || x.reason, skip = coalesce(x.skip, f.skip)
      FROM (SELECT f2.line_number,
                   CASE WHEN t.transaction_id IS NULL
                        THEN format('unknown_parent: source %L is not a loaded charge (load stripe_charges first, then this file again)', f2.source)
                        WHEN f2.line_number <> min(f2.line_number) OVER (PARTITION BY f2.source)
                        THEN format('duplicate_row: source %L is also on line %s', f2.source, min(f2.line_number) OVER (PARTITION BY f2.source)) END AS reason,
                   CASE WHEN t.currency <> f2.currency
                        THEN format('fee_currency: the fee %s %s is in the settlement currency, charge %s is in %s (recon does not convert fees)',
                                    f2.fee, f2.currency, f2.source, t.currency) END AS skip
            FROM pg_temp.recon_load_fees f2
            LEFT JOIN recon.finance_transactions t ON t.transaction_id = f2.source AND t.transaction_type = 'payment'
            WHERE cardinality(f2.reasons) = 0 AND f2.skip IS NULL) x
     WHERE f.line_number = x.line_number AND (x.reason IS NOT NULL OR x.skip IS NOT NULL);
    UPDATE pg_temp.recon_load_fees SET reasons = array_remove(reasons, NULL);

    aside := recon.load_finance_set_aside(batch, source_file, 'pg_temp.recon_load_fees');
    DELETE FROM pg_temp.recon_load_fees WHERE cardinality(reasons) > 0 OR skip IS NOT NULL;
    SELECT count(*) FILTER (WHERE t.fee_amount <> 0) INTO replaced
    FROM pg_temp.recon_load_fees f JOIN recon.finance_transactions t ON t.transaction_id = f.source;
    UPDATE recon.finance_transactions t SET fee_amount = f.fee
      FROM pg_temp.recon_load_fees f WHERE t.transaction_id = f.source;
    GET DIAGNOSTICS written = ROW_COUNT;
    DROP TABLE pg_temp.recon_load_fees;
    RETURN aside || jsonb_build_object('replaced', replaced, 'tables', jsonb_build_object('finance_transactions', written));
END $$;
COMMENT ON FUNCTION recon.load_map_stripe_balance_transactions(text, text, jsonb) IS
    'Mapper of stripe_balance_transactions: a charge or payment transaction (txn_) sets fee_amount of its source, a payment loaded by stripe_charges (unknown source: rejected), when both are in the same currency; a fee in another settlement currency is skipped (fee_currency), and so are the other types (payout, refund, adjustment, stripe_fee...). Rejects fees that are not whole minor units or where net is not amount - fee. The payment keeps its own record_source and batch_id. replaced counts payments that had a fee already.';

-- ===== src/load/invoices.sql =====
-- A generic invoices and payments export of an accounting system (CSV): one row
-- per invoice, payment, refund, credit note, chargeback or write-off, amounts in
-- major units (docs/loading-finance.md). Rows are upserted into
-- finance_transactions by their id with the shared finance writer.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('invoices_csv', 'csv', 'accounting', 'recon.load_map_invoices_csv', '{finance_transactions}',
     '^\s*(grand\s+)?totals?\s*:?\s*$', '{currency,tax_treatment}',
     'An accounting system''s export of invoices and payments (CSV): transaction id (Invoice Number, Payment ID, Document No.), type (invoice, payment, refund, credit note, chargeback, write-off), status, date or timestamp, amount in major units, currency, tax, shipping, fee, tax treatment and the link keys (order, opportunity, customer, invoice paid, parent transaction refunded).');

INSERT INTO recon.load_format_fields (format, field, headers, required) VALUES
    ('invoices_csv', 'transaction_id', ARRAY['transaction[ _-]?id', 'transaction[ _-]?(number|no\.?|#)', 'document[ _-]?(id|number|no\.?|#)',
                                             'payment[ _-]?(id|number|no\.?|#)', 'invoice[ _-]?(number|no\.?|#)',
                                             'credit[ _-]?note[ _-]?(id|number|no\.?|#)', 'number', 'id'], true),
    ('invoices_csv', 'transaction_type', ARRAY['type', 'transaction[ _-]?type', 'document[ _-]?type', 'kind'], true),
    ('invoices_csv', 'status', ARRAY['status', 'state', 'payment[ _-]?status', 'invoice[ _-]?status'], false),
    ('invoices_csv', 'occurred_at', ARRAY['occurred[ _-]?at', 'date', 'transaction[ _-]?date', 'document[ _-]?date', 'invoice[ _-]?date',
                                          'payment[ _-]?date', 'posted[ _-]?(at|on|date)', 'posting[ _-]?date', 'created([ _-]?at)?', 'timestamp'], true),
    ('invoices_csv', 'amount', ARRAY['amount', 'total', 'total[ _-]?amount', 'gross([ _-]?amount)?'], true),
    ('invoices_csv', 'currency', ARRAY['currency', 'currency[ _-]?code', 'ccy'], false),
    ('invoices_csv', 'tax_amount', ARRAY['tax', 'tax[ _-]?amount', 'vat', 'vat[ _-]?amount', 'sales[ _-]?tax', 'gst'], false),
    ('invoices_csv', 'shipping_amount', ARRAY['shipping', 'shipping[ _-]?amount', 'freight', 'delivery([ _-]?charge)?'], false),
    ('invoices_csv', 'fee_amount', ARRAY['fee', 'fees', 'fee[ _-]?amount', 'processing[ _-]?fee', 'payment[ _-]?fee'], false),
    ('invoices_csv', 'tax_treatment', ARRAY['tax[ _-]?treatment', 'tax[ _-]?(type|mode|behaviou?r)', 'amounts[ _-]?are'], false),
    ('invoices_csv', 'order_id', ARRAY['order[ _-]?(id|number|no\.?|#)', 'order', 'sales[ _-]?order([ _-]?(id|number|no\.?))?'], false),
    ('invoices_csv', 'opportunity_id', ARRAY['opportunity[ _-]?id', 'opportunity', 'deal[ _-]?id', 'deal'], false),
    ('invoices_csv', 'customer_id', ARRAY['customer[ _-]?(id|number|no\.?|#)', 'client[ _-]?(id|number)', 'account[ _-]?(id|number|no\.?)', 'customer'], false),
    ('invoices_csv', 'invoice_id', ARRAY['invoice[ _-]?id', 'applied[ _-]?to([ _-]?invoice)?', 'invoice[ _-]?ref(erence)?',
                                         'invoice[ _-]?(number|no\.?|#)'], false),
    ('invoices_csv', 'parent_transaction_id', ARRAY['parent[ _-]?(transaction[ _-]?)?id', 'original[ _-]?(transaction|payment)([ _-]?(id|no\.?|number))?',
                                                    'refunded[ _-]?(transaction|payment)([ _-]?id)?', 'related[ _-]?(transaction|payment)([ _-]?id)?', 'parent'], false);

-- A transaction type as an accounting export words it, in recon's spelling.
CREATE FUNCTION recon.load_finance_type(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE regexp_replace(lower(btrim(raw)), '[\s_-]+', '_', 'g')
        WHEN 'invoice' THEN 'invoice' WHEN 'sales_invoice' THEN 'invoice' WHEN 'tax_invoice' THEN 'invoice'
        WHEN 'payment' THEN 'payment' WHEN 'receipt' THEN 'payment' WHEN 'customer_payment' THEN 'payment'
        WHEN 'payment_received' THEN 'payment'
        WHEN 'refund' THEN 'refund' WHEN 'customer_refund' THEN 'refund'
        WHEN 'credit_note' THEN 'credit_note' WHEN 'credit_memo' THEN 'credit_note' WHEN 'creditnote' THEN 'credit_note'
        WHEN 'chargeback' THEN 'chargeback' WHEN 'charge_back' THEN 'chargeback' WHEN 'dispute' THEN 'chargeback'
        WHEN 'write_off' THEN 'write_off' WHEN 'writeoff' THEN 'write_off' WHEN 'bad_debt' THEN 'write_off' END
$$;
COMMENT ON FUNCTION recon.load_finance_type(text) IS
    'A transaction type as exports write it (Invoice, Sales invoice, Receipt, Customer payment, Refund, Credit Note, Credit memo, Chargeback, Dispute, Write-off, Bad debt; any case, spaces, dashes or underscores) -> invoice, payment, refund, credit_note, chargeback or write_off; NULL for anything else.';

-- A status as an accounting export words it, in recon's spelling; blank is posted.
CREATE FUNCTION recon.load_finance_status(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NULL THEN 'posted'
                ELSE CASE regexp_replace(lower(btrim(raw)), '[\s_-]+', '_', 'g')
        WHEN 'posted' THEN 'posted' WHEN 'paid' THEN 'posted' WHEN 'partially_paid' THEN 'posted'
        WHEN 'open' THEN 'posted' WHEN 'sent' THEN 'posted' WHEN 'issued' THEN 'posted' WHEN 'unpaid' THEN 'posted'
        WHEN 'overdue' THEN 'posted' WHEN 'awaiting_payment' THEN 'posted' WHEN 'authorised' THEN 'posted'
        WHEN 'succeeded' THEN 'posted' WHEN 'completed' THEN 'posted' WHEN 'settled' THEN 'posted'
        WHEN 'cleared' THEN 'posted' WHEN 'applied' THEN 'posted'
        WHEN 'refunded' THEN 'posted' WHEN 'partially_refunded' THEN 'posted'
        WHEN 'pending' THEN 'pending' WHEN 'draft' THEN 'pending' WHEN 'processing' THEN 'pending'
        WHEN 'scheduled' THEN 'pending' WHEN 'submitted' THEN 'pending' WHEN 'in_progress' THEN 'pending'
        WHEN 'failed' THEN 'failed' WHEN 'declined' THEN 'failed' WHEN 'bounced' THEN 'failed' WHEN 'rejected' THEN 'failed'
        WHEN 'reversed' THEN 'reversed' WHEN 'void' THEN 'reversed' WHEN 'voided' THEN 'reversed'
        WHEN 'cancelled' THEN 'reversed' WHEN 'canceled' THEN 'reversed' WHEN 'deleted' THEN 'reversed'
        WHEN 'returned' THEN 'reversed' END END
$$;
COMMENT ON FUNCTION recon.load_finance_status(text) IS
    'A status as exports write it -> posted (blank, posted, paid, open, sent, issued, unpaid, overdue, awaiting payment, authorised, succeeded, completed, settled, cleared, applied; refunded and partially refunded too: the refund is a row of its own), pending (pending, draft, processing, scheduled, submitted, in progress), failed (failed, declined, bounced, rejected) or reversed (reversed, void, voided, cancelled, deleted, returned); NULL for anything else.';

-- A tax treatment as an export words it.
CREATE FUNCTION recon.load_finance_tax_treatment(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE regexp_replace(lower(btrim(raw)), '[\s_-]+', '_', 'g')
        WHEN 'inclusive' THEN 'inclusive' WHEN 'incl' THEN 'inclusive' WHEN 'included' THEN 'inclusive'
        WHEN 'tax_inclusive' THEN 'inclusive'
        WHEN 'exclusive' THEN 'exclusive' WHEN 'excl' THEN 'exclusive' WHEN 'excluded' THEN 'exclusive'
        WHEN 'tax_exclusive' THEN 'exclusive' WHEN 'on_top' THEN 'exclusive'
        WHEN 'exempt' THEN 'exempt' WHEN 'tax_exempt' THEN 'exempt' WHEN 'no_tax' THEN 'exempt' WHEN 'notax' THEN 'exempt'
        WHEN 'none' THEN 'exempt' WHEN 'zero_rated' THEN 'exempt' WHEN 'reverse_charge' THEN 'exempt'
        WHEN 'out_of_scope' THEN 'exempt' END
$$;
COMMENT ON FUNCTION recon.load_finance_tax_treatment(text) IS
    'A tax treatment as exports write it -> inclusive (the amount includes the tax: Inclusive, Tax Inclusive, incl), exclusive (tax on top of the amount: Exclusive, Tax Exclusive, on top) or exempt (Exempt, No Tax, NoTax, None, Zero-rated, Reverse charge, Out of scope); NULL for anything else.';

-- A reason when an id column holds a number a spreadsheet mangled.
CREATE FUNCTION recon.load_finance_bad_id(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN btrim(raw) ~* '^[0-9]+([.,][0-9]+)?e\+?[0-9]+$' OR btrim(raw) ~ '^[0-9]{16,}$'
                THEN recon.load_bad_id(field, raw) END
$$;
COMMENT ON FUNCTION recon.load_finance_bad_id(text, text) IS
    'Reject reason for an id a spreadsheet mangled: scientific notation (1.00234E+05) or 16+ digits ending in zeros where the digits were lost (recon.load_bad_id); NULL for other ids (INV-2026-0042, 100234, cus_...), which are kept as written.';

-- The mapper.
CREATE FUNCTION recon.load_map_invoices_csv(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    header text[] := (SELECT b.header FROM recon.load_batches b WHERE b.batch_id = batch);
    style text := coalesce(options ->> 'date_style', 'iso');
    mark text := coalesce(options ->> 'decimal_mark', '.');
    zone text := coalesce(options ->> 'timezone', recon.setting('reporting_timezone'));
    treatment text := recon.load_finance_tax_treatment(coalesce(options ->> 'tax_treatment', 'inclusive'));
BEGIN
    IF treatment IS NULL THEN
        RAISE EXCEPTION 'tax_treatment % is not known', options ->> 'tax_treatment'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use inclusive, exclusive or exempt: how the amounts of rows without a tax treatment treat their tax.';
    END IF;
    IF options ->> 'currency' IS NULL AND NOT EXISTS (
            SELECT 1 FROM unnest(header) h, recon.load_format_fields f, unnest(f.headers) p
            WHERE f.format = 'invoices_csv' AND f.field = 'currency' AND btrim(h) ~* ('^(?:' || p || ')$')) THEN
        RAISE EXCEPTION 'this invoices_csv file has no currency column and the load gives no currency'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass options {"currency": "<ISO 4217 code of the amounts>"}.';
    END IF;

    PERFORM recon.load_finance_begin();
    INSERT INTO pg_temp.recon_load_finance
        (line_number, reasons, transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount,
         shipping_amount, fee_amount, tax_treatment, order_id, opportunity_id, customer_id, invoice_id,
         parent_transaction_id)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('transaction_id', r.transaction_id),
               recon.load_finance_bad_id('transaction_id', r.transaction_id),
               recon.load_missing('type', r.transaction_type),
               CASE WHEN t.transaction_type IS NULL AND nullif(btrim(r.transaction_type), '') IS NOT NULL
                    THEN format('bad_type: type %L (use invoice, payment, refund, credit note, chargeback or write-off)', r.transaction_type) END,
               CASE WHEN t.status IS NULL
                    THEN format('bad_status: status %L (use posted/paid/open, pending/draft, failed or void/reversed)', r.status) END,
               recon.load_missing('date', r.occurred_at),
               recon.load_bad('bad_date', 'date', r.occurred_at, t.occurred_at),
               recon.load_missing('amount', r.amount),
               recon.load_bad('bad_amount', 'amount', r.amount, t.amount),
               recon.load_bad('bad_amount', 'tax', r.tax_amount, t.tax_amount),
               recon.load_bad('bad_amount', 'shipping', r.shipping_amount, t.shipping_amount),
               recon.load_bad('bad_amount', 'fee', r.fee_amount, t.fee_amount),
               CASE WHEN t.tax_treatment IS NULL
                    THEN format('bad_tax_treatment: tax treatment %L (use inclusive, exclusive or exempt)', r.tax_treatment) END,
               recon.load_missing('currency', t.currency),
               recon.load_bad_currency('currency', t.currency),
               recon.load_finance_bad_id('order_id', r.order_id),
               recon.load_finance_bad_id('opportunity_id', r.opportunity_id),
               recon.load_finance_bad_id('customer_id', r.customer_id),
               recon.load_finance_bad_id('invoice_id', r.invoice_id),
               recon.load_finance_bad_id('parent_transaction_id', r.parent_transaction_id)
           ], NULL),
           btrim(r.transaction_id), t.transaction_type, t.status, t.occurred_at, t.amount, t.currency,
           coalesce(t.tax_amount, 0), coalesce(t.shipping_amount, 0), t.fee_amount, coalesce(t.tax_treatment, treatment),
           nullif(btrim(r.order_id), ''), nullif(btrim(r.opportunity_id), ''), nullif(btrim(r.customer_id), ''),
           -- an invoices-only export names its own number "Invoice Number": not a payment's invoice
           nullif(nullif(btrim(r.invoice_id), ''), btrim(r.transaction_id)),
           nullif(btrim(r.parent_transaction_id), '')
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_finance_type(r.transaction_type) AS transaction_type,
                               recon.load_finance_status(r.status) AS status,
                               @extschema@.recon_parse_timestamp(r.occurred_at, zone, style) AS occurred_at,
                               @extschema@.recon_parse_decimal(r.amount, mark) AS amount,
                               btrim(coalesce(r.currency, options ->> 'currency')) AS currency,
                               @extschema@.recon_parse_decimal(r.tax_amount, mark) AS tax_amount,
                               @extschema@.recon_parse_decimal(r.shipping_amount, mark) AS shipping_amount,
                               @extschema@.recon_parse_decimal(r.fee_amount, mark) AS fee_amount,
                               CASE WHEN nullif(btrim(r.tax_treatment), '') IS NULL THEN treatment
                                    ELSE recon.load_finance_tax_treatment(r.tax_treatment) END AS tax_treatment) t;
    RETURN recon.load_write_finance(batch, source_file);
END $$;
COMMENT ON FUNCTION recon.load_map_invoices_csv(text, text, jsonb) IS
    'Mapper of invoices_csv: types each row (type and status in many spellings, date or timestamp in date_style, local to the timezone option or else the reporting_timezone setting, amounts in major units with the file''s decimal_mark, currency from the row or the currency option, tax treatment from the row or the tax_treatment option, default inclusive) and writes it with recon.load_write_finance. Rejects unknown types, statuses and tax treatments, bad dates and amounts, unknown currencies, ids mangled by a spreadsheet; the writer rejects negative amounts, decimals beyond the currency''s minor units, rows without a link key and refunds of unknown transactions.';
