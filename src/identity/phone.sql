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
