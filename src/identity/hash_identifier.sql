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
