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
