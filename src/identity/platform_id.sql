-- Numeric ad-platform ids kept as text, and the ones spreadsheets and floats mangled
-- (src/identity/platform_id.c, platform_id_sql.c). Rules and error rates: docs/click-ids.md.

CREATE FUNCTION recon_normalize_platform_id(id text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_platform_id_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_platform_id(text) IS
    'A numeric platform id (Meta, Google, TikTok, Microsoft...) as its digits: surrounding blanks, CSV quotes, a leading apostrophe, thousands commas and a trailing .0 removed. NULL for a mangled id (scientific notation, 15 significant digits then two or more zeros) or an invalid one; recon_normalize_platform_id_reason says which. Never repairs an id.';

CREATE FUNCTION recon_normalize_platform_id_reason(id text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_platform_id_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_platform_id_reason(text) IS
    'Why recon_normalize_platform_id(id) is NULL: missing, scientific_notation, precision_lost, invalid or too_long (over 4,096 bytes, not read); NULL when it normalizes.';

CREATE FUNCTION recon_platform_id_status(id text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_platform_id_status_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_platform_id_status(text) IS
    'ok; possible_float_rounding (exactly what a double round-trip prints) and possible_precision_lost (16 digits ending in 0), both kept by the normalizer as most such values are genuine (measured rates in docs/click-ids.md); precision_lost (15 significant digits then two or more zeros), scientific_notation (1.20208123456789E+17), invalid, missing (NULL or blank), or too_long (over 4,096 bytes, not read).';

CREATE FUNCTION recon_platform_id_match_key(id text, significant_digits integer DEFAULT 15) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_platform_id_match_key_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_platform_id_match_key(text, integer) IS
    'The id rounded to significant_digits (1..20, default 15 as spreadsheets keep) written as a spreadsheet shows it, e.g. 1.20208123456789E+17: a genuine id and its mangled copies share it, for lower-confidence matching (with name and date). NULL for an invalid id.';
