-- Countries to ISO 3166-1 alpha-2 (src/identity/country.c).

CREATE FUNCTION recon_normalize_country(country text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_country' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_country(text, text) IS
    'The ISO 3166-1 alpha-2 code of a country given as alpha-2, alpha-3, ISO English name or common alias (United States, USA, U.S.A., UK, England, Deutschland, ...): lower case for meta, snap and generic (us), upper case for google and linkedin (US). NULL when unusable: recon_normalize_country_reason says why.';

CREATE FUNCTION recon_normalize_country_reason(country text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_country_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_country_reason(text, text) IS
    'Why recon_normalize_country returns NULL for this value (missing, invalid_utf8, control_character, too_long, unknown_country); NULL when the country normalizes.';
