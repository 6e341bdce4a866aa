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
