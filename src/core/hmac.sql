-- HMAC-SHA-256 (src/core/hmac.c, hmac_sql.c).

CREATE FUNCTION recon_hmac_sha256_hex(key bytea, message bytea) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_hmac_sha256_hex' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_hmac_sha256_hex(bytea, bytea) IS
    'HMAC-SHA-256 (RFC 2104) of the message under the key, as 64 lower-case hex characters. recon''s internal keys use it under a secret pepper (recon_internal_key); hashes for the ad platforms stay plain SHA-256.';
