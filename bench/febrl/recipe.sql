-- The FEBRL dataset 4 recipe: Fellegi-Sunter with recon's functions, step by step.
-- Expects febrl_a and febrl_b (bench/febrl/load.sql). Leaves febrl_model (the trained model),
-- febrl_scored (every candidate pair with weight and probability) and febrl_links (the links kept).
-- docs/linkage.md walks through it.

-- 1. The comparison vector of a pair: one level per field (0 missing, 1 exact, then closer to
--    farther). Names and street by Jaro-Winkler bands, ids and dates exact or near (typos).
CREATE OR REPLACE FUNCTION pg_temp.febrl_levels(a febrl_a, b febrl_b) RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        recon_compare_text(a.given_name, b.given_name, '{0.92,0.8}'),
        recon_compare_text(a.surname, b.surname, '{0.92,0.8}'),
        recon_compare_text(a.date_of_birth, b.date_of_birth, '{0.9}'),
        recon_compare_text(a.soc_sec_id, b.soc_sec_id, '{0.9}'),
        recon_compare_exact(a.street_number, b.street_number),
        recon_compare_text(a.address_1, b.address_1, '{0.92,0.8}'),
        recon_compare_text(a.suburb, b.suburb, '{0.9}'),
        recon_compare_text(a.postcode, b.postcode, '{0.9}'),
        recon_compare_exact(a.state, b.state)]
$$;

-- 2. Blocking: only pairs that agree exactly on one of these rules are compared. Each rule is an
--    equi-join (a hash join, near-linear); together they forgive a typo in any single field.
DROP TABLE IF EXISTS febrl_rule_pairs, febrl_pairs;
CREATE TABLE febrl_rule_pairs AS
SELECT 'soc_sec_id' AS rule, '{soc_sec_id}'::text[] AS fixed, a.rec_id AS a_id, b.rec_id AS b_id,
       pg_temp.febrl_levels(a, b) AS levels
FROM febrl_a a JOIN febrl_b b ON a.soc_sec_id = b.soc_sec_id
UNION ALL
SELECT 'date_of_birth', '{date_of_birth}', a.rec_id, b.rec_id, pg_temp.febrl_levels(a, b)
FROM febrl_a a JOIN febrl_b b ON a.date_of_birth = b.date_of_birth
UNION ALL
SELECT 'names', '{given_name,surname}', a.rec_id, b.rec_id, pg_temp.febrl_levels(a, b)
FROM febrl_a a JOIN febrl_b b ON a.surname = b.surname AND a.given_name = b.given_name
UNION ALL
SELECT 'postcode_street', '{postcode,street_number}', a.rec_id, b.rec_id, pg_temp.febrl_levels(a, b)
FROM febrl_a a JOIN febrl_b b ON a.postcode = b.postcode AND a.street_number = b.street_number;

-- Every candidate pair once, with the first rule that found it.
CREATE TABLE febrl_pairs AS
SELECT DISTINCT ON (a_id, b_id) a_id, b_id, rule, levels
FROM febrl_rule_pairs ORDER BY a_id, b_id, rule;

-- 3. u from random pairs (almost all non-matches): 1,000 x 1,000 records picked by hash.
DROP TABLE IF EXISTS febrl_model;
CREATE TABLE febrl_model (step text PRIMARY KEY, model jsonb NOT NULL);
INSERT INTO febrl_model
SELECT 'u', recon_fs_estimate_u(recon_fs_pattern_counts(pg_temp.febrl_levels(a, b)),
                                '{given_name,surname,date_of_birth,soc_sec_id,street_number,address_1,suburb,postcode,state}',
                                '{4,4,3,3,2,4,3,3,2}')
FROM (SELECT * FROM febrl_a ORDER BY md5(rec_id) LIMIT 1000) a,
     (SELECT * FROM febrl_b ORDER BY md5(rec_id || 'b') LIMIT 1000) b;

-- 4. m by EM, once per blocking rule, the rule's own fields held fixed (the rule forced them to
--    agree, so its pairs say nothing about them); then averaged over the rules.
INSERT INTO febrl_model
SELECT 'm ' || rule,
       recon_fs_estimate_m(recon_fs_pattern_counts(levels), (SELECT model FROM febrl_model WHERE step = 'u'), fixed)
FROM febrl_rule_pairs
GROUP BY rule, fixed;

-- The prior for all candidate pairs together: one more EM round with every m held.
INSERT INTO febrl_model
SELECT 'final', recon_fs_estimate_m(
           (SELECT recon_fs_pattern_counts(levels) FROM febrl_pairs),
           recon_fs_average_m(array_agg(model ORDER BY step)),
           '{given_name,surname,date_of_birth,soc_sec_id,street_number,address_1,suburb,postcode,state}')
FROM febrl_model WHERE step LIKE 'm %';

-- 5. Score with term frequencies on names (a shared "smith" proves less than a shared "zylstra").
DROP TABLE IF EXISTS febrl_scored;
CREATE TABLE febrl_scored AS
WITH tf AS (
    SELECT 'g' AS field, given_name AS value, count(*)::float8 / sum(count(*)) OVER () AS tf
    FROM (SELECT given_name FROM febrl_a UNION ALL SELECT given_name FROM febrl_b) s WHERE given_name IS NOT NULL GROUP BY given_name
    UNION ALL
    SELECT 's', surname, count(*)::float8 / sum(count(*)) OVER ()
    FROM (SELECT surname FROM febrl_a UNION ALL SELECT surname FROM febrl_b) s WHERE surname IS NOT NULL GROUP BY surname)
SELECT p.a_id, p.b_id, p.rule, p.levels, w.weight, recon_fs_probability(w.weight) AS probability
FROM febrl_pairs p
JOIN febrl_a a ON a.rec_id = p.a_id
JOIN febrl_b b ON b.rec_id = p.b_id
LEFT JOIN tf tg ON tg.field = 'g' AND p.levels[1] = 1 AND tg.value = a.given_name
LEFT JOIN tf ts ON ts.field = 's' AND p.levels[2] = 1 AND ts.value = a.surname
CROSS JOIN LATERAL (SELECT recon_fs_weight((SELECT model FROM febrl_model WHERE step = 'final'), p.levels,
                                           ARRAY[tg.tf, ts.tf, NULL, NULL, NULL, NULL, NULL, NULL, NULL]) AS weight) w;

-- 6. Links: probability at least 0.5, and each record on either side linked at most once
--    (dataset 4 is one-to-one): the best pair wins.
DROP TABLE IF EXISTS febrl_links;
CREATE TABLE febrl_links AS
SELECT a_id, b_id, weight, probability
FROM (SELECT s.*, row_number() OVER (PARTITION BY a_id ORDER BY weight DESC, b_id) AS ra,
                  row_number() OVER (PARTITION BY b_id ORDER BY weight DESC, a_id) AS rb
      FROM febrl_scored s WHERE probability >= 0.5) s
WHERE ra = 1 AND rb = 1;

-- Precision, recall and F1 against the truth: rec-N-org in A is rec-N-dup-0 in B.
CREATE OR REPLACE VIEW febrl_quality AS
WITH truth AS (SELECT count(*) AS n FROM febrl_a a JOIN febrl_b b
                 ON replace(a.rec_id, '-org', '') = replace(b.rec_id, '-dup-0', '')),
     found AS (SELECT count(*) AS links,
                      count(*) FILTER (WHERE replace(a_id, '-org', '') = replace(b_id, '-dup-0', '')) AS correct
               FROM febrl_links)
SELECT 'recon Fellegi-Sunter' AS linker, (SELECT count(*) FROM febrl_pairs) AS candidate_pairs, truth.n AS true_pairs,
       found.links, found.correct,
       round(found.correct::numeric / nullif(found.links, 0), 4) AS precision,
       round(found.correct::numeric / truth.n, 4) AS recall,
       round(2 * found.correct::numeric / (found.links + truth.n), 4) AS f1
FROM truth, found
UNION ALL   -- the crude rule for comparison: exact given name, surname and date of birth
SELECT 'exact name and date of birth', NULL, truth.n, r.links, r.correct,
       round(r.correct::numeric / nullif(r.links, 0), 4), round(r.correct::numeric / truth.n, 4),
       round(2 * r.correct::numeric / (r.links + truth.n), 4)
FROM (SELECT count(*) AS n FROM febrl_a a JOIN febrl_b b ON replace(a.rec_id, '-org', '') = replace(b.rec_id, '-dup-0', '')) truth,
     (SELECT count(*) AS links,
             count(*) FILTER (WHERE replace(a.rec_id, '-org', '') = replace(b.rec_id, '-dup-0', '')) AS correct
      FROM febrl_a a JOIN febrl_b b USING (given_name, surname, date_of_birth)) r;
