-- Internal contact keys under a secret pepper (src/identity/internal_key.c): keys recon
-- keeps for itself, never the hashes the ad platforms match on (those stay plain SHA-256).

CREATE FUNCTION recon_internal_key(value text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_internal_key' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_internal_key(text) IS
    'recon''s internal key of a value: HMAC-SHA-256 under the superuser-only setting recon.internal_key_pepper as 64 lower-case hex, or plain SHA-256 when no pepper is set (recon_internal_key_scheme() says which); NULL for NULL or empty. Hashes exactly what it is given: recon_internal_key(value, field) normalizes first. Changing the pepper changes every key: set it once, before loading. Never use it for the hashes sent to ad platforms (recon_hash_identifier).';

CREATE FUNCTION recon_internal_key_scheme() RETURNS text
    AS 'MODULE_PATHNAME', 'recon_internal_key_scheme' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_internal_key_scheme() IS
    'Which scheme recon_internal_key uses now: hmac-sha256 (a pepper is set in recon.internal_key_pepper) or sha256 (none is). Does not reveal the pepper.';

CREATE FUNCTION recon_internal_key(value text, field text, country text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF field IS NULL OR lower(field) NOT IN ('email', 'phone', 'first_name', 'last_name', 'external_id') THEN
        RAISE EXCEPTION 'recon_internal_key: field % is not a contact field', coalesce(quote_literal(field), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use email, phone, first_name, last_name or external_id.';
    END IF;
    RETURN recon_internal_key(CASE lower(field)
        WHEN 'email' THEN recon_normalize_email(value)
        WHEN 'phone' THEN recon_normalize_phone(value, country, 'meta')
        WHEN 'first_name' THEN recon_normalize_first_name(value)
        WHEN 'last_name' THEN recon_normalize_last_name(value)
        ELSE recon_normalize_external_id(value) END);
END $$;
COMMENT ON FUNCTION recon_internal_key(text, text, text) IS
    'recon''s internal key of a contact field (email, phone, first_name, last_name, external_id): the value normalized as for Meta (phone as E.164 digits without the plus, country as the default region), then recon_internal_key. NULL when the value is NULL or cannot be normalized; 22023 for another field.';
