-- The advertiser's own customer id (src/identity/external_id.c).

CREATE FUNCTION recon_normalize_external_id(external_id text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_external_id' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_external_id(text, text) IS
    'An external (CRM) id as sent to every platform: surrounding white space trimmed, nothing else changed (case kept), so the Pixel and the server send the same bytes. NULL when unusable: recon_normalize_external_id_reason says why.';

CREATE FUNCTION recon_normalize_external_id_reason(external_id text, platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_external_id_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_external_id_reason(text, text) IS
    'Why recon_normalize_external_id returns NULL for this value (missing, invalid_utf8, control_character, too_long); NULL when the id normalizes.';
