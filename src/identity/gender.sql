-- Gender to f / m (src/identity/gender.c).

CREATE FUNCTION recon_normalize_gender(gender text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_gender' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_gender(text, text) IS
    'Gender as Meta''s ge field takes it (meta, snap, generic): f for f, female, woman, w; m for m, male, man (any case, trailing dot ignored). Any other value is not guessed: NULL, and recon_normalize_gender_reason says why.';

CREATE FUNCTION recon_normalize_gender_reason(gender text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_gender_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_gender_reason(text, text) IS
    'Why recon_normalize_gender returns NULL for this value (missing, invalid_utf8, control_character, too_long, unrecognized_gender); NULL when the gender normalizes.';
