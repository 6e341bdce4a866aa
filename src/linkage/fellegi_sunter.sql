-- Fellegi-Sunter probabilistic linkage (src/linkage/fellegi_sunter.c, fs_*_sql.c):
-- count comparison patterns, estimate u and m, weigh and explain pairs.

CREATE TYPE recon_fs_patterns;
CREATE FUNCTION recon_fs_patterns_in(cstring) RETURNS recon_fs_patterns
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION recon_fs_patterns_out(recon_fs_patterns) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE recon_fs_patterns (
    INPUT = recon_fs_patterns_in,
    OUTPUT = recon_fs_patterns_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE recon_fs_patterns IS
    'How many candidate pairs showed each comparison pattern (one level per compared field). Text form: <comparisons>|<level>.<level>...=<pairs>|..., e.g. 2|1.3=40|2.0=7. The state of recon_fs_pattern_counts and the input of recon_fs_estimate_u / recon_fs_estimate_m.';
COMMENT ON FUNCTION recon_fs_patterns_in(cstring) IS 'Text input of recon_fs_patterns.';
COMMENT ON FUNCTION recon_fs_patterns_out(recon_fs_patterns) IS 'Text output of recon_fs_patterns (patterns in a fixed order).';

CREATE FUNCTION recon_fs_patterns_add(recon_fs_patterns, smallint[]) RETURNS recon_fs_patterns
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_patterns_add(recon_fs_patterns, smallint[]) IS
    'Transition function of recon_fs_pattern_counts: counts one pair''s levels (a NULL level counts as 0, missing).';
CREATE FUNCTION recon_fs_patterns_merge(recon_fs_patterns, recon_fs_patterns) RETURNS recon_fs_patterns
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_patterns_merge(recon_fs_patterns, recon_fs_patterns) IS
    'Combine function of recon_fs_pattern_counts: adds two pattern counts (parallel workers, Citus shards).';

CREATE AGGREGATE recon_fs_pattern_counts(levels smallint[]) (
    SFUNC = recon_fs_patterns_add,
    STYPE = recon_fs_patterns,
    COMBINEFUNC = recon_fs_patterns_merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE recon_fs_pattern_counts(smallint[]) IS
    'Counts candidate pairs per comparison pattern: feed it the levels of random pairs for recon_fs_estimate_u, or of one blocking rule''s pairs for recon_fs_estimate_m. At most 16 comparisons of levels 0..15. Combinable and parallel safe.';

CREATE FUNCTION recon_fs_pattern_rows(patterns recon_fs_patterns, OUT levels smallint[], OUT pairs double precision)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_pattern_rows(recon_fs_patterns) IS
    'One row per distinct comparison pattern with its number of pairs.';

CREATE FUNCTION recon_fs_estimate_u(random_pairs recon_fs_patterns, names text[], level_counts integer[])
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_estimate_u(recon_fs_patterns, text[], integer[]) IS
    'A starting Fellegi-Sunter model (jsonb): u per level from the patterns of random pairs (which are nearly all non-matches; half a pair is added to each level so no weight is infinite), m starting at 0.9 on the exact level, prior 0.01. names and level_counts (2..15 non-missing levels each) describe the comparisons in pattern order.';

CREATE FUNCTION recon_fs_estimate_m(blocked_pairs recon_fs_patterns, model jsonb, fixed text[] DEFAULT '{}',
                                    max_iterations integer DEFAULT 100, tolerance double precision DEFAULT 1e-6)
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_estimate_m(recon_fs_patterns, jsonb, text[], integer, double precision) IS
    'Expectation-maximisation of m and the prior over the patterns of one blocking rule''s candidate pairs, u held fixed. fixed names the comparisons the blocking rule forced to agree (their m cannot be learnt from it; they are kept and marked m_fixed). Returns the model with an "em" object: pairs, iterations, converged. Run it once per blocking rule, then recon_fs_average_m.';

CREATE FUNCTION recon_fs_refine_u(random_pairs recon_fs_patterns, model jsonb, prior double precision)
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_refine_u(recon_fs_patterns, jsonb, double precision) IS
    'u without the true matches that random pairs hold: a level''s share among random pairs is prior * m + (1 - prior) * u, so u = (share - prior * m) / (1 - prior), kept above half a pair. For a near-unique key (a customer id) true matches are nearly all of its random agreements; without this, its u is about 1 / n instead of about 0. prior: the share of true matches among all pairs (often 1 / number of right sides); the model''s prior is set to it.';

CREATE FUNCTION recon_fs_estimate_u_em(random_pairs recon_fs_patterns, model jsonb,
                                       max_iterations integer DEFAULT 100, tolerance double precision DEFAULT 1e-6)
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_estimate_u_em(recon_fs_patterns, jsonb, integer, double precision) IS
    'Expectation-maximisation of u and the prior over the patterns of random pairs, m held: the random pairs'' own estimate of their true matches, taken out of u. Use it when m is trustworthy (it follows m: an m that overrates a level drives that level''s u towards 0); recon_fs_refine_u, with a prior you know, is the safer choice.';

CREATE FUNCTION recon_fs_m_from_matches(known_matches recon_fs_patterns, model jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'recon_fs_m_from_matches_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_m_from_matches(recon_fs_patterns, jsonb) IS
    'm from the patterns of pairs already known to match (linked by an exact id, or confirmed by a reviewer): per comparison, the share of non-missing pairs at each level, half a pair added per level. Comparisons the matches never show keep their m. Supervised, so no EM; use it when such pairs exist.';

CREATE FUNCTION recon_fs_average_m(models jsonb[]) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_average_m(jsonb[]) IS
    'Combines per-blocking-rule models: each comparison''s m is the mean over the models that estimated it (m_fixed ones skipped); u, labels and prior come from the first model.';

CREATE FUNCTION recon_fs_weight(model jsonb, levels smallint[], term_frequencies double precision[] DEFAULT NULL)
    RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_weight(jsonb, smallint[], double precision[]) IS
    'Match weight of a pair in bits: log2(prior / (1 - prior)) plus log2(m / u) of each comparison''s level (level 0, missing, adds 0). term_frequencies (one per comparison, NULL for none): on an exact level, u is replaced by the share of records holding the agreeing value, so a common surname weighs less than a rare one. NULL when model or levels is NULL.';

CREATE FUNCTION recon_fs_probability(weight double precision) RETURNS double precision
    AS 'MODULE_PATHNAME', 'recon_fs_probability_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_probability(double precision) IS
    'Match probability of a weight: 2^w / (1 + 2^w).';

CREATE FUNCTION recon_fs_explain(model jsonb, levels smallint[], term_frequencies double precision[] DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_fs_explain(jsonb, smallint[], double precision[]) IS
    'Why a pair scores what it scores: weight, probability, prior weight and, per comparison, its level, label, m, u and weight (and whether a term frequency replaced u).';
