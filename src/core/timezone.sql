-- Time zones: IANA names only (src/core/timezone.c).

CREATE FUNCTION recon_timezone(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_timezone' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_timezone(text) IS
    'Canonical IANA time zone name (''america/new_york'' -> ''America/New_York''); raises 22023 for abbreviations, offsets and unknown names. STABLE: the zone list comes from the server''s tz database.';

CREATE FUNCTION recon_timezone_check(name text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'recon_timezone_check' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_timezone_check(text) IS
    'Check behind the recon_timezone_name domain: true for a canonical IANA zone name, otherwise raises 22023 saying why.';

CREATE DOMAIN recon_timezone_name AS text COLLATE "C" CHECK (recon_timezone_check(VALUE));
COMMENT ON DOMAIN recon_timezone_name IS
    'An IANA time zone name in the spelling of the server''s tz database (America/New_York, UTC).';
