-- Links of the last recon.run_matching checked against the demo generator's truth
-- (recon_truth, see docs/demo.md): the views matching_truth_quality (per link type and method:
-- links, correct links, precision, and the share of all true pairs they found) and
-- matching_truth_f1 (the same with F1).
--
-- The truth per link type:
--   signal_record       every signal was sent for its journey's record: the generator writes that
--                       record's id into order_id (orders) or lead_id (leads). It is copied into
--                       matching_signal_truth first, so a bench may strip the ids afterwards.
--   record_transaction  every transaction belongs to its journey's order (order_id) or
--                       opportunity (opportunity_id)
--   record_record       a repeat form fill -> the journey's first lead (journeys.duplicate_record_id),
--                       an opportunity -> its lead (journeys.opportunity_id)
--   signal_signal       two signals of the same record (either way round)
CREATE TABLE IF NOT EXISTS matching_signal_truth AS
SELECT s.signal_key::text COLLATE "C" AS signal_id, coalesce(s.order_id, s.lead_id) AS record_id
FROM recon.conversion_signals s WHERE s.record_source = 'demo';
CREATE UNIQUE INDEX IF NOT EXISTS matching_signal_truth_id ON matching_signal_truth (signal_id);
ANALYZE matching_signal_truth;

CREATE OR REPLACE VIEW matching_truth_pairs AS
SELECT 'signal_record'::text COLLATE "C" AS link_type, signal_id AS left_id, record_id AS right_id
FROM matching_signal_truth
UNION ALL
SELECT 'record_transaction', t.transaction_id, coalesce(t.order_id, t.opportunity_id)
FROM recon.finance_transactions t WHERE t.record_source = 'demo'
UNION ALL
SELECT 'record_record', j.duplicate_record_id, j.record_id FROM recon_truth.journeys j WHERE j.duplicate_record_id IS NOT NULL
UNION ALL
SELECT 'record_record', j.opportunity_id, j.record_id FROM recon_truth.journeys j WHERE j.opportunity_id IS NOT NULL;

-- Joins, not per-link subqueries: a million links are judged in seconds.
CREATE OR REPLACE VIEW matching_truth_quality AS
WITH judged AS (
    SELECT l.link_type, l.method, t.left_id IS NOT NULL AS correct
    FROM recon.match_links l
    LEFT JOIN matching_truth_pairs t ON t.link_type = l.link_type AND t.left_id = l.left_id AND t.right_id = l.right_id
    WHERE l.link_type <> 'signal_signal'
    UNION ALL
    SELECT l.link_type, l.method, a.record_id = b.record_id
    FROM recon.match_links l
    JOIN matching_signal_truth a ON a.signal_id = l.left_id
    JOIN matching_signal_truth b ON b.signal_id = l.right_id
    WHERE l.link_type = 'signal_signal'
),
truth AS (
    SELECT link_type, count(*) AS true_pairs FROM matching_truth_pairs GROUP BY link_type
)
SELECT j.link_type, j.method, count(*) AS links, count(*) FILTER (WHERE j.correct) AS correct,
       round(count(*) FILTER (WHERE j.correct)::numeric / count(*), 4) AS precision,
       t.true_pairs,
       round(count(*) FILTER (WHERE j.correct)::numeric / nullif(t.true_pairs, 0), 4) AS recall_share
FROM judged j LEFT JOIN truth t USING (link_type)
GROUP BY j.link_type, j.method, t.true_pairs;

-- Precision, recall and F1 of one method where the truth says a link exists.
CREATE OR REPLACE VIEW matching_truth_f1 AS
SELECT link_type, method, links, correct, true_pairs, precision,
       recall_share AS recall,
       round(2 * precision * recall_share / nullif(precision + recall_share, 0), 4) AS f1
FROM matching_truth_quality;
