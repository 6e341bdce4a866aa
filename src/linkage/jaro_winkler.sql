-- String similarity for probabilistic linkage (src/linkage/jaro_winkler.c).

CREATE FUNCTION recon_jaro(a text, b text) RETURNS double precision
    AS 'MODULE_PATHNAME', 'recon_jaro' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_jaro(text, text) IS
    'Jaro similarity of the characters (not bytes) of a and b, from 0 (nothing in common) to 1 (identical; also two empty strings). Case-sensitive: normalize first (recon_normalize_first_name...). A value longer than 4,096 characters raises 54000 (the cost grows with the product of the lengths; recon_limits()).';

CREATE FUNCTION recon_jaro_winkler(a text, b text, prefix_scale double precision DEFAULT 0.1) RETURNS double precision
    AS 'MODULE_PATHNAME', 'recon_jaro_winkler' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_jaro_winkler(text, text, double precision) IS
    'Jaro-Winkler similarity of the characters of a and b, from 0 to 1: Jaro plus prefix_scale (0 to 0.25, standard 0.1) times the common prefix (up to 4 characters) times (1 - Jaro), when Jaro is above 0.7. MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84. Case-sensitive; a value longer than 4,096 characters raises 54000 (recon_limits()).';
