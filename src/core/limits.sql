-- Input size limits of the C functions (src/core/limits.h; docs/limits.md).

CREATE FUNCTION recon_limits(OUT name text, OUT max bigint, OUT unit text, OUT applies_to text, OUT over_the_limit text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'recon_limits' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 12;
COMMENT ON FUNCTION recon_limits() IS
    'The input size limits of recon''s C functions: name, max (in unit: bytes, characters, elements or patterns), what it applies to and what happens over it (error 54000 for names, models, arrays and Jaro-Winkler strings; NULL with reason too_long for data values; a rejected row for loaded files). See docs/limits.md.';
