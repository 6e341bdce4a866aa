-- Comparison levels for probabilistic linkage (src/linkage/comparison.c).
-- Every function returns a level: 0 a side is missing, 1 equal, 2.. the first
-- threshold the pair meets (strictest first), last: none of them.

CREATE FUNCTION recon_compare_exact(a text, b text) RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_exact' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_exact(text, text) IS
    'Comparison level of two values compared byte for byte: 0 when either is NULL or empty (missing), 1 equal, 2 different.';

CREATE FUNCTION recon_compare_text(a text, b text, thresholds double precision[] DEFAULT '{0.92,0.8}')
    RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_text(text, text, double precision[]) IS
    'Comparison level of two strings: 0 missing (NULL or empty), 1 equal, 2.. the first Jaro-Winkler threshold reached (thresholds strictly decreasing in [0, 1], at most 13), last: below all. Default {0.92,0.8} gives 4 levels: equal, >= 0.92, >= 0.8, else. Normalize first: the comparison is case-sensitive. Values longer than 4,096 characters are compared for equality only (equal, else the last level): Jaro-Winkler''s cost grows with the product of the lengths.';

CREATE FUNCTION recon_compare_time(a timestamptz, b timestamptz, limits interval[]) RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_time' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_time(timestamptz, timestamptz, interval[]) IS
    'Comparison level of two instants: 0 missing, 1 the same instant, 2.. the first limit the gap (either direction) stays within (limits strictly increasing, not negative; months count 30 days), last: further apart. Example limits: {1 minute, 1 hour, 1 day, 7 days}.';

CREATE FUNCTION recon_compare_date(a date, b date, day_limits integer[]) RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_date' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_date(date, date, integer[]) IS
    'Comparison level of two dates: 0 missing, 1 the same day, 2.. the first limit in days the gap stays within (strictly increasing, not negative), last: further apart.';

CREATE FUNCTION recon_compare_amount(a numeric, b numeric, percent_limits double precision[] DEFAULT '{1,5,10}')
    RETURNS smallint
    AS 'MODULE_PATHNAME', 'recon_compare_amount' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_compare_amount(numeric, numeric, double precision[]) IS
    'Comparison level of two amounts: 0 missing, 1 exactly equal, 2.. the first limit the percentage difference |a - b| / max(|a|, |b|) * 100 stays within (strictly increasing, not negative), last: further apart. Compare amounts in the same currency.';
