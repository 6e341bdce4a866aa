-- Counter-based random numbers for the demo generator (src/demo/demo_random.c).

CREATE FUNCTION recon_demo_random(seed bigint, stream bigint, row_number bigint) RETURNS double precision
    AS 'MODULE_PATHNAME', 'recon_demo_random' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_demo_random(bigint, bigint, bigint) IS
    'Uniform pseudo-random number in [0,1) determined only by (seed, stream, row): the same inputs give the same value in any plan.';

CREATE FUNCTION recon_demo_token(seed bigint, stream bigint, row_number bigint, length integer) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_demo_token' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_demo_token(bigint, bigint, bigint, integer) IS
    'Deterministic base64url token (the alphabet of fbclid/gclid click ids) of the given length, from (seed, stream, row).';
