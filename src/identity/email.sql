-- Email normalization per platform (src/identity/email.c).

CREATE FUNCTION recon_normalize_email(email text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_email' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_email(text, text) IS
    'The email as the platform wants it before hashing (meta, google, tiktok, linkedin, snap, generic): trimmed, Unicode NFC, lower case; Google also removes white space and, for gmail.com and googlemail.com only, the dots and +tag of the local part. NULL when unusable: recon_normalize_email_reason says why.';

CREATE FUNCTION recon_normalize_email_reason(email text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_email_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_email_reason(text, text) IS
    'Why recon_normalize_email returns NULL for this value, as a data-quality code (missing, invalid_utf8, control_character, internal_whitespace, missing_at, multiple_at, empty_local_part, empty_domain, too_long); NULL when the email normalizes.';
