-- Meta's fbc and fbp cookies: parse, explain, build (src/identity/meta_cookie.c, meta_cookie_sql.c).
-- Format and rules: docs/click-ids.md.

CREATE TYPE recon_fbc AS (
    subdomain_index integer,
    creation_ms     bigint,
    creation_time   timestamptz,
    fbclid          text,
    suffix          text,
    flags           text[]
);
COMMENT ON TYPE recon_fbc IS
    'A parsed Meta fbc cookie fb.<subdomain_index>.<creation_ms>.<fbclid>[.<suffix>]; creation_ms is in milliseconds even when the cookie wrote seconds (flag seconds_timestamp).';

CREATE TYPE recon_fbp AS (
    subdomain_index integer,
    creation_ms     bigint,
    creation_time   timestamptz,
    random          text,
    suffix          text,
    flags           text[]
);
COMMENT ON TYPE recon_fbp IS
    'A parsed Meta fbp cookie fb.<subdomain_index>.<creation_ms>.<random>[.<suffix>]; creation_ms is in milliseconds even when the cookie wrote seconds (flag seconds_timestamp).';

CREATE FUNCTION recon_parse_fbc(cookie text) RETURNS recon_fbc
    AS 'MODULE_PATHNAME', 'recon_parse_fbc_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_fbc(text) IS
    'Parse a Meta fbc cookie (fb.1.1596403881668.IwAR...; an optional 5th suffix part accepted); NULL when it does not parse (recon_parse_fbc_reason says why). Flags: seconds_timestamp, unusual_subdomain_index, creation_time_out_of_range. The fbclid keeps its case.';

CREATE FUNCTION recon_parse_fbc_reason(cookie text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_parse_fbc_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_fbc_reason(text) IS
    'Why recon_parse_fbc(cookie) is NULL: missing, wrong_prefix, too_few_segments, too_many_segments, invalid_subdomain_index, invalid_creation_time, invalid_fbclid, invalid_suffix or too_long (over 4,096 bytes, not read); NULL when it parses.';

CREATE FUNCTION recon_parse_fbp(cookie text) RETURNS recon_fbp
    AS 'MODULE_PATHNAME', 'recon_parse_fbp_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_fbp(text) IS
    'Parse a Meta fbp cookie (fb.1.1596403881668.1116446470; an optional 5th suffix part accepted); NULL when it does not parse (recon_parse_fbp_reason says why). Flags as for recon_parse_fbc.';

CREATE FUNCTION recon_parse_fbp_reason(cookie text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_parse_fbp_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_fbp_reason(text) IS
    'Why recon_parse_fbp(cookie) is NULL: missing, wrong_prefix, too_few_segments, too_many_segments, invalid_subdomain_index, invalid_creation_time, invalid_random, invalid_suffix or too_long (over 4,096 bytes, not read); NULL when it parses.';

CREATE FUNCTION recon_build_fbc(fbclid text, click_time timestamptz, subdomain_index integer DEFAULT 1) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_build_fbc_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_build_fbc(text, timestamptz, integer) IS
    'The fbc cookie Meta expects when the browser sent none: fb.<subdomain_index>.<click time in ms>.<fbclid>, the fbclid unchanged (never case-folded; surrounding blanks trimmed). NULL for an fbclid that is not base64url or a time outside 2001-09-09..2286-11-20 (recon_build_fbc_reason says why). subdomain_index: 0, 1 (server-side default) or 2, anything else raises 22023.';

CREATE FUNCTION recon_build_fbc_reason(fbclid text, click_time timestamptz, subdomain_index integer DEFAULT 1) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_build_fbc_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_build_fbc_reason(text, timestamptz, integer) IS
    'Why recon_build_fbc is NULL: missing, too_long (over 4,096 bytes), invalid_fbclid, already_a_cookie, missing_creation_time, invalid_creation_time, creation_time_out_of_range (or missing_subdomain_index); NULL when it builds.';

CREATE FUNCTION recon_build_fbp(random_part text, creation_time timestamptz, subdomain_index integer DEFAULT 1) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_build_fbp_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_build_fbp(text, timestamptz, integer) IS
    'An fbp cookie fb.<subdomain_index>.<creation time in ms>.<random_part>, the random part unchanged (base64url, usually digits). NULL when it cannot be built (recon_build_fbp_reason says why). subdomain_index: 0, 1 (server-side default) or 2, anything else raises 22023.';

CREATE FUNCTION recon_build_fbp_reason(random_part text, creation_time timestamptz, subdomain_index integer DEFAULT 1) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_build_fbp_reason_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_build_fbp_reason(text, timestamptz, integer) IS
    'Why recon_build_fbp is NULL: missing, too_long (over 4,096 bytes), invalid_random, already_a_cookie, missing_creation_time, invalid_creation_time, creation_time_out_of_range (or missing_subdomain_index); NULL when it builds.';
