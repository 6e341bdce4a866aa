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
    'SHA-256 of the value''s bytes as 64 lower-case hex characters, the form the ad platforms want for hashed keys; NULL for NULL or an empty value (never the hash of an empty string). Hashes exactly what it is given: normalize first. A value over 64 MB raises 54000.';
